/**
 * What a failed etcd call means for retrying it. Pure: decided from the gRPC status code and
 * message only (etcd reports its own errors as messages starting with "etcdserver: " or "mvcc: ").
 */

/** gRPC status codes used here (see grpc/status.proto). */
export const GrpcCode = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * - `not-sent`: the request never reached a member (no connection): any request may be retried.
 * - `rejected`: a member refused it before proposing it to raft (no leader, too many requests):
 *   nothing was applied, any request may be retried (on another member).
 * - `ambiguous`: the request may or may not have been applied (connection lost or timed out after
 *   sending, leader lost while waiting): reads may be retried, a write only if retrying it cannot
 *   apply it twice.
 * - `compacted` / `future-revision`: the revision asked for is outside the kept history.
 * - `fatal`: retrying will not help (bad request, permissions, quota).
 */
export type EtcdFailureKind = 'not-sent' | 'rejected' | 'ambiguous' | 'compacted' | 'future-revision' | 'fatal';

const REJECTED_MESSAGES = [
  'etcdserver: no leader',
  'etcdserver: too many requests',
  'etcdserver: not capable',
  'etcdserver: leader changed',
  'etcdserver: raft proposal dropped',
];

const AMBIGUOUS_MESSAGES = [
  'etcdserver: request timed out',
  'etcdserver: server stopped',
  'etcdserver: request cancelled',
];

/** Connection-level messages (ours in grpc-http2.ts, and @grpc/grpc-js's) for a call that was never sent on a connection. */
const NOT_SENT_PATTERN = /no connection established|failed to connect|name resolution failed|econnrefused|no address|waiting for lb pick/i;

export function classifyEtcdFailure(code: number | undefined, message: string): EtcdFailureKind {
  const msg = message.toLowerCase();
  if (msg.includes('required revision has been compacted')) return 'compacted';
  if (msg.includes('required revision is a future revision')) return 'future-revision';
  if (REJECTED_MESSAGES.some((m) => msg.includes(m))) return 'rejected';
  if (AMBIGUOUS_MESSAGES.some((m) => msg.includes(m))) return 'ambiguous';
  switch (code) {
    case GrpcCode.UNAVAILABLE:
      return NOT_SENT_PATTERN.test(message) ? 'not-sent' : 'ambiguous';
    case GrpcCode.DEADLINE_EXCEEDED:
    case GrpcCode.CANCELLED:
    case GrpcCode.UNKNOWN:
    case GrpcCode.INTERNAL:
      return 'ambiguous';
    default:
      return 'fatal';
  }
}

/** Whether a request that failed this way may be sent again: reads always when transient, writes only when nothing was applied. */
export function mayRetry(kind: EtcdFailureKind, write: boolean): boolean {
  if (kind === 'not-sent' || kind === 'rejected') return true;
  if (kind === 'ambiguous') return !write;
  return false;
}

/** An etcd call failed; `kind` tells how (see EtcdFailureKind). */
export class EtcdRequestError extends Error {
  constructor(
    readonly kind: EtcdFailureKind,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'EtcdRequestError';
  }
}

/**
 * A write was sent but etcd's answer was lost (connection dropped, timeout, leader lost): it may or
 * may not have been applied. The caller must read the key to find out.
 */
export class EtcdWriteOutcomeUnknownError extends Error {
  constructor(
    readonly key: string,
    readonly reason: Error,
  ) {
    super(`write to ${key} may or may not have been applied: ${reason.message}`);
    this.name = 'EtcdWriteOutcomeUnknownError';
  }
}
