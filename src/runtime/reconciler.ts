/** The reconciler contract: level-based, idempotent, may be killed at any line and re-run. */
import type { Logger } from 'pino';
import { keyFor } from '../client/cache.js';
import type { Client } from '../client/types.js';
import type { Clock } from './clock.js';
import type { EventRecorder } from './events.js';

/** The object to reconcile, by key. */
export interface Request {
  namespace?: string;
  name: string;
}

export interface Result {
  /** Reconcile again after this many milliseconds (resets the error backoff). */
  requeueAfter?: number;
  /** Reconcile again soon, through the rate limiter. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Aborted when the manager shuts down or loses leadership. */
  signal: AbortSignal;
  client: Client;
  clock: Clock;
  log: Logger;
  recorder: EventRecorder;
  /** How many times this key has failed in a row. */
  retries: number;
}

export interface Reconciler {
  /** Throw to be retried with growing delays; return requeueAfter to be called again later. */
  reconcile(ctx: ReconcileContext, req: Request): Promise<Result | void>;
}

export type ReconcileFunc = (ctx: ReconcileContext, req: Request) => Promise<Result | void>;

export function requestKey(req: Request): string {
  return keyFor(req.namespace, req.name);
}
