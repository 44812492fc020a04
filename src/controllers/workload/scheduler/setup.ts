/**
 * setupScheduler: the simulated kube-scheduler of a workload cluster. Its informers are registered at
 * setup; its loop runs while the manager's controllers run (a controller on Namespaces, of which a
 * cluster always has some, hands the loop its run signal and restarts it after a leadership change).
 */
import type { WorkloadContext } from '../context.js';
import { Scheduler, type SchedulerOptions } from './controller.js';

export function setupScheduler(ctx: WorkloadContext, opts: Partial<SchedulerOptions> = {}): Scheduler {
  const scheduler = new Scheduler(ctx.manager, opts);
  scheduler.register();
  ctx.manager.add({
    name: 'default-scheduler',
    for: { apiVersion: 'v1', kind: 'Namespace' },
    reconciler: async (rc) => scheduler.activate(rc.signal),
  });
  return scheduler;
}
