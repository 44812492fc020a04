/** The DaemonSet controller of a workload cluster. */
import type { WorkloadContext } from '../context.js';
import { CONTROLLER_REVISION, NODE, POD } from '../shared/pods.js';
import { DAEMONSET, DaemonSetReconciler, type DaemonSetControllerOptions } from './reconciler.js';

export { DAEMONSET, DaemonSetReconciler, podsToKeep, rollingUpdatePlan, type DaemonSet, type DaemonSetControllerOptions } from './reconciler.js';
export { placement, daemonPodTolerations, withDaemonTolerations, pinnedAffinity, targetNodeOf, type Placement } from './placement.js';

export function setupDaemonSetController(ctx: WorkloadContext, opts: DaemonSetControllerOptions = {}): void {
  const r = new DaemonSetReconciler(ctx, opts);
  const allDaemonSets = () => r.daemonSets.lister.list().map((d) => ({ namespace: d.metadata?.namespace, name: d.metadata!.name! }));
  ctx.manager.add({
    name: 'daemonset',
    for: DAEMONSET,
    owns: [POD, CONTROLLER_REVISION],
    watches: [{ type: NODE, map: allDaemonSets }],
    reconciler: (rc, req) => r.reconcile(rc, req),
    workers: opts.workers ?? 2,
  });
}
