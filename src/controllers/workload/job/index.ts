/** The Job and TTL-after-finished controllers of a workload cluster. */
import type { WorkloadContext } from '../context.js';
import { POD } from '../shared/pods.js';
import { JOB, JobReconciler, type JobControllerOptions } from './reconciler.js';
import { TtlAfterFinishedReconciler } from './ttl-after-finished.js';

export { JOB, JobReconciler, JOB_TRACKING_FINALIZER, CONTROLLER_UID_LABEL, JOB_NAME_LABEL, type Job, type JobSpec, type JobStatus, type JobControllerOptions } from './reconciler.js';
export { msUntilExpiry } from './ttl-after-finished.js';
export { formatIndexes, parseIndexes, COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_LABEL } from './indexes.js';
export { isFinished, finishedAt, type JobCondition } from './conditions.js';

export function setupJobController(ctx: WorkloadContext, opts: JobControllerOptions = {}): void {
  const r = new JobReconciler(ctx, opts);
  ctx.manager.add({ name: 'job', for: JOB, owns: [POD], reconciler: (rc, req) => r.reconcile(rc, req), workers: opts.workers ?? 2 });
  const ttl = new TtlAfterFinishedReconciler(r.jobs);
  ctx.manager.add({ name: 'ttl-after-finished', for: JOB, reconciler: (rc, req) => ttl.reconcile(rc, req) });
}
