/** The CronJob controller of a workload cluster. */
import type { WorkloadContext } from '../context.js';
import { JOB } from '../job/reconciler.js';
import { CRONJOB, CronJobReconciler, type CronJobControllerOptions } from './reconciler.js';

export { CRONJOB, CronJobReconciler, jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION, type CronJob, type CronJobControllerOptions } from './reconciler.js';
export { parseSchedule, nextAfter, mostRecentScheduleTime, isValidTimeZone, ScheduleError, type Schedule } from './cron.js';

export function setupCronJobController(ctx: WorkloadContext, opts: CronJobControllerOptions = {}): void {
  const r = new CronJobReconciler(ctx, opts);
  ctx.manager.add({ name: 'cronjob', for: CRONJOB, owns: [JOB], reconciler: (rc, req) => r.reconcile(rc, req), workers: opts.workers ?? 2 });
}
