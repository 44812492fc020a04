/**
 * The TTL-after-finished controller: a finished Job (Complete or Failed) with spec.ttlSecondsAfterFinished is deleted
 * (foreground, with a uid precondition) once that many seconds have passed since it finished.
 */
import { keyFor } from '../../../client/cache.js';
import { isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { finishedAt, isFinished } from './conditions.js';
import { JOB, type Job } from './reconciler.js';

/** Milliseconds until the Job expires (≤ 0: expired), or undefined when it has no TTL or has not finished. Pure. */
export function msUntilExpiry(job: Job, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || !isFinished(job.status?.conditions)) return undefined;
  const at = finishedAt(job.status?.conditions) ?? job.status?.completionTime;
  const finished = at ? Date.parse(at) : NaN;
  if (!Number.isFinite(finished)) return undefined;
  return finished + ttl * 1000 - nowMs;
}

export class TtlAfterFinishedReconciler {
  constructor(private readonly jobs: SharedInformer<Job>) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const job = this.jobs.cache.get(keyFor(req.namespace, req.name));
    if (!job || job.metadata?.deletionTimestamp) return;
    const left = msUntilExpiry(job, rc.clock.nowMs());
    if (left === undefined) return;
    if (left > 0) return { requeueAfter: left };
    try {
      await rc.client.delete(JOB, { namespace: req.namespace, name: req.name }, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata?.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
