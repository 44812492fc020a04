/** Typed API errors carrying the meta/v1 Status shape that kube-apiserver returns. */

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

/** One field-level problem, as in Status.details.causes[]. */
export interface StatusCause {
  /** e.g. FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTypeInvalid, FieldValueTooLong, FieldValueTooMany, FieldValueUnknown */
  reason: string;
  message: string;
  /** Field path such as `spec.replicas` or `spec.items[2].name`. */
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message: string;
  reason: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** "configmaps" or "widgets.example.com" as kube-apiserver names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

export function conflict(resource: string, group: string, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
}

/** Render one cause the way kube-apiserver does: `spec.replicas: Invalid value: "x": must be integer`. */
export function causeMessage(c: StatusCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const list = causes.map(causeMessage);
  const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${body}`, { name, group: group || undefined, kind, causes });
}

export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(message: string): StatusError {
  return new StatusError(403, 'Forbidden', message);
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function tooLarge(message: string): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** Helpers to build causes with kube-apiserver's wording. */
export const fieldError = {
  invalid(field: string, value: unknown, detail: string): StatusCause {
    return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${renderValue(value)}: ${detail}` };
  },
  required(field: string, detail = ''): StatusCause {
    return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
  },
  notSupported(field: string, value: unknown, allowed: unknown[]): StatusCause {
    return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${renderValue(value)}: supported values: ${allowed.map((a) => renderValue(a)).join(', ')}` };
  },
  typeInvalid(field: string, value: unknown, detail: string): StatusCause {
    return { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: ${renderValue(value)}: ${detail}` };
  },
  duplicate(field: string, value: unknown): StatusCause {
    return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${renderValue(value)}` };
  },
  forbidden(field: string, detail: string): StatusCause {
    return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
  },
  tooLong(field: string, max: number): StatusCause {
    return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` };
  },
  tooMany(field: string, actual: number, max: number): StatusCause {
    return { reason: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` };
  },
  unknown(field: string): StatusCause {
    return { reason: 'FieldValueUnknown', field, message: `unknown field "${field}"` };
  },
};

/** Values are quoted the way Go's %#v / %q renders them in field errors. */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(renderValue).join(', ')}}`;
  return `"object"`;
}
