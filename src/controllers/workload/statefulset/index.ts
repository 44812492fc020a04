/** The StatefulSet controller of a workload cluster. */
import type { WorkloadContext } from '../context.js';
import { CONTROLLER_REVISION, POD } from '../shared/pods.js';
import { PVC, STATEFULSET, StatefulSetReconciler, type StatefulSetControllerOptions } from './reconciler.js';

export { STATEFULSET, StatefulSetReconciler, type StatefulSet, type StatefulSetControllerOptions } from './reconciler.js';
export { podName, ordinalOf, claimName, claimOwners, podFromTemplate, POD_NAME_LABEL, POD_INDEX_LABEL } from './identity.js';

export function setupStatefulSetController(ctx: WorkloadContext, opts: StatefulSetControllerOptions = {}): void {
  const r = new StatefulSetReconciler(ctx);
  ctx.manager.add({ name: 'statefulset', for: STATEFULSET, owns: [POD, CONTROLLER_REVISION], watches: [{ type: PVC, map: () => [] }], reconciler: (rc, req) => r.reconcile(rc, req), workers: opts.workers ?? 2 });
}
