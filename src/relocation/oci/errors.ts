/** Errors of the registry client: each renders as one line naming the registry. */

/** An HTTP-level failure: status, the OCI error code when the registry sent one, and the request. */
export class RegistryError extends Error {
  constructor(
    readonly registry: string,
    readonly status: number,
    readonly request: string,
    readonly ociCode: string | undefined,
    detail: string,
  ) {
    super(`registry ${registry}: ${request}: ${status}${ociCode ? ' ' + ociCode : ''}${detail ? ': ' + detail : ''}`);
    this.name = 'RegistryError';
  }
}

/** The TLS handshake failed (unknown CA, wrong host name, plain HTTP endpoint, ...). */
export class RegistryTlsError extends Error {
  constructor(
    readonly registry: string,
    readonly code: string,
    reason: string,
  ) {
    super(`TLS error talking to registry ${registry}: ${reason} (${code}); pass the registry's CA certificate with --ca-certificate FILE, or --insecure for plain HTTP`);
    this.name = 'RegistryTlsError';
  }
}

/** Could not reach the registry at all (refused, unreachable, reset after every retry). */
export class RegistryConnectionError extends Error {
  constructor(
    readonly registry: string,
    readonly code: string,
    reason: string,
  ) {
    super(`cannot reach registry ${registry}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}`);
    this.name = 'RegistryConnectionError';
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

export function isTlsErrorCode(code: string | undefined): boolean {
  return !!code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
}

const RETRIABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

export function isRetriableError(e: unknown): boolean {
  if (e instanceof RegistryError) return isRetriableStatus(e.status);
  if (e instanceof RegistryTlsError) return false;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && RETRIABLE_CODES.has(code)) return true;
  const msg = (e as Error | undefined)?.message ?? '';
  return /socket hang up|aborted|premature close/i.test(msg);
}

export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}
