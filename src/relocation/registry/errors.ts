/**
 * Errors in the OCI distribution-spec shape: `{"errors":[{"code":"BLOB_UNKNOWN","message":..,"detail":..}]}`.
 * The registry speaks OCI, not Kubernetes, so it has its own typed error rather than a meta/v1 Status.
 */

/** The error codes of the distribution spec, plus the few Docker's registry adds. */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'PAGINATION_NUMBER_INVALID'
  | 'UNKNOWN';

const STATUS: Record<RegistryErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
  PAGINATION_NUMBER_INVALID: 400,
  UNKNOWN: 500,
};

/** One entry of the `errors` array. */
export interface RegistryErrorEntry {
  code: RegistryErrorCode;
  message: string;
  detail?: unknown;
}

export interface RegistryErrorBody {
  errors: RegistryErrorEntry[];
}

/** A refusal: HTTP status, one or more spec error entries, and any headers the answer must carry. */
export class RegistryError extends Error {
  readonly status: number;
  readonly entries: RegistryErrorEntry[];
  readonly headers: Record<string, string>;

  constructor(code: RegistryErrorCode, message: string, detail?: unknown, opts: { status?: number; headers?: Record<string, string>; more?: RegistryErrorEntry[] } = {}) {
    super(message);
    this.name = 'RegistryError';
    this.status = opts.status ?? STATUS[code];
    this.entries = [{ code, message, ...(detail === undefined ? {} : { detail }) }, ...(opts.more ?? [])];
    this.headers = opts.headers ?? {};
  }

  get code(): RegistryErrorCode {
    return this.entries[0]!.code;
  }

  toBody(): RegistryErrorBody {
    return { errors: this.entries };
  }
}

export function registryError(code: RegistryErrorCode, message: string, detail?: unknown): RegistryError {
  return new RegistryError(code, message, detail);
}

/** The spec's default wording for each code. */
export const MESSAGES = {
  blobUnknown: 'blob unknown to registry',
  uploadUnknown: 'blob upload unknown to registry',
  manifestUnknown: 'manifest unknown',
  manifestBlobUnknown: 'manifest references a blob unknown to registry',
  nameUnknown: 'repository name not known to registry',
} as const;
