/**
 * Typed client errors. Every transport turns a failed request into the subclass that matches the
 * API `Status` it got (reason first, then HTTP code), so callers test with `instanceof` or the
 * `is*` predicates whichever transport they use.
 */
import { StatusError, type Status, type StatusCause, type StatusDetails, type StatusReason } from '../apimachinery/errors.js';

export class NotFoundError extends StatusError {}
export class AlreadyExistsError extends StatusError {}
export class ConflictError extends StatusError {}
export class InvalidError extends StatusError {
  /** Field-level causes (field path, reason, message). */
  get causes(): StatusCause[] {
    return this.details?.causes ?? [];
  }
}
export class GoneError extends StatusError {}
export class ForbiddenError extends StatusError {}
export class UnauthorizedError extends StatusError {}
export class TimeoutError extends StatusError {}
export class BadRequestError extends StatusError {}
export class TooManyRequestsError extends StatusError {}
export class ServiceUnavailableError extends StatusError {}
export class InternalServerError extends StatusError {}

type Ctor = new (code: number, reason: StatusReason, message: string, details?: StatusDetails) => StatusError;

const BY_REASON: Partial<Record<StatusReason, Ctor>> = {
  NotFound: NotFoundError,
  AlreadyExists: AlreadyExistsError,
  Conflict: ConflictError,
  Invalid: InvalidError,
  Gone: GoneError,
  Expired: GoneError,
  Forbidden: ForbiddenError,
  Unauthorized: UnauthorizedError,
  Timeout: TimeoutError,
  BadRequest: BadRequestError,
  TooManyRequests: TooManyRequestsError,
  ServiceUnavailable: ServiceUnavailableError,
  InternalError: InternalServerError,
};

const BY_CODE: Record<number, [Ctor, StatusReason]> = {
  400: [BadRequestError, 'BadRequest'],
  401: [UnauthorizedError, 'Unauthorized'],
  403: [ForbiddenError, 'Forbidden'],
  404: [NotFoundError, 'NotFound'],
  409: [ConflictError, 'Conflict'],
  410: [GoneError, 'Gone'],
  422: [InvalidError, 'Invalid'],
  429: [TooManyRequestsError, 'TooManyRequests'],
  500: [InternalServerError, 'InternalError'],
  503: [ServiceUnavailableError, 'ServiceUnavailable'],
  504: [TimeoutError, 'Timeout'],
};

/** The typed error for an API `Status` (as a server sends it in a failed response or watch ERROR). */
export function errorFromStatus(status: Partial<Status>, httpCode?: number): StatusError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : (httpCode ?? 500);
  const reason = (status.reason || '') as StatusReason | '';
  const message = typeof status.message === 'string' && status.message ? status.message : `the server responded with HTTP ${code}`;
  const byReason = reason ? BY_REASON[reason] : undefined;
  if (byReason) return new byReason(code, reason as StatusReason, message, status.details);
  const byCode = BY_CODE[code];
  if (byCode) return new byCode[0](code, reason || byCode[1], message, status.details);
  return new StatusError(code, reason || 'InternalError', message, status.details);
}

/** Re-type a StatusError thrown by the API server's own code (in-process transport). */
export function typedError(e: unknown): unknown {
  if (e instanceof StatusError && e.constructor === StatusError) return errorFromStatus(e.toStatus(), e.code);
  return e;
}

export const isNotFound = (e: unknown): boolean => e instanceof NotFoundError;
export const isAlreadyExists = (e: unknown): boolean => e instanceof AlreadyExistsError;
export const isConflict = (e: unknown): boolean => e instanceof ConflictError;
export const isInvalid = (e: unknown): e is InvalidError => e instanceof InvalidError;
export const isGone = (e: unknown): boolean => e instanceof GoneError;
export const isForbidden = (e: unknown): boolean => e instanceof ForbiddenError;
export const isUnauthorized = (e: unknown): boolean => e instanceof UnauthorizedError;
export const isTimeout = (e: unknown): boolean => e instanceof TimeoutError;
