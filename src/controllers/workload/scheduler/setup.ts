/**
 * setupScheduler: the simulated kube-scheduler of a workload cluster. Its informers are registered at
 * setup; its loop is a manager runnable: it runs while the manager's controllers run (restarted after a
 * leadership change).
 */
import type { WorkloadContext } from '../context.js';
import { Scheduler, type SchedulerOptions } from './controller.js';

export function setupScheduler(ctx: WorkloadContext, opts: Partial<SchedulerOptions> = {}): Scheduler {
  const scheduler = new Scheduler(ctx.manager, opts);
  scheduler.register();
  ctx.manager.addRunnable({ name: 'default-scheduler', run: (signal) => scheduler.activate(signal) });
  return scheduler;
}
