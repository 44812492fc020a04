/**
 * The node lifecycle controller of a workload cluster (kube-controller-manager's node-lifecycle and
 * taint-eviction-controller, simulated):
 * - `node-lifecycle` keeps each Node's condition taints in line with its conditions (taints.ts);
 * - `taint-eviction` deletes Pods bound to a Node with NoExecute taints once their tolerations run out
 *   (eviction.ts): first a DisruptionTarget condition (reason DeletionByTaintManager), then the delete.
 * The Ready condition itself comes from the kubelet (the sim's kubelet sets Ready=Unknown when it stops
 * posting); this controller does not watch heartbeats. All time from manager.clock.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import type { WorkloadContext } from '../context.js';
import type { Toleration } from '../scheduler/types.js';
import { evictionDecision } from './eviction.js';
import { desiredNodeTaints, sameTaints, type NodeLike, type NodeTaint } from './taints.js';
import { NODE, POD, timestamp } from '../shared/pods.js';

const POD_BY_NODE_INDEX = 'nodelifecycle/spec.nodeName';

export const REASON_TAINT_MANAGER_EVICTION = 'TaintManagerEviction';
export const REASON_DELETION_BY_TAINT_MANAGER = 'DeletionByTaintManager';

export interface NodeLifecycleControllerOptions {
  /** Keep condition taints on Nodes (default true). */
  taintNodes?: boolean;
  /** Delete Pods whose NoExecute tolerations ran out (default true). */
  evictPods?: boolean;
  workers?: number;
}

function podName(pod: KubeObject): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

export function setupNodeLifecycleController(ctx: WorkloadContext, opts: NodeLifecycleControllerOptions = {}): void {
  const { manager } = ctx;
  const nodes = manager.informers.for(NODE);
  const pods = manager.informers.for(POD);
  pods.addIndexers({ [POD_BY_NODE_INDEX]: (o) => [((o.spec ?? {}) as { nodeName?: string }).nodeName ?? ''] });
  // Pods with an eviction scheduled (for the "Cancelling deletion" event when their Node recovers).
  const scheduled = new Set<string>();

  if (opts.taintNodes !== false) {
    manager.add({
      name: 'node-lifecycle',
      for: NODE,
      workers: opts.workers ?? 1,
      reconciler: async (rc: ReconcileContext, req: Request): Promise<void> => {
        const node = nodes.lister.get(req.name) as (KubeObject & NodeLike) | undefined;
        if (!node || node.metadata?.deletionTimestamp) return;
        const current = (node.spec?.taints ?? []) as NodeTaint[];
        const desired = desiredNodeTaints(node, timestamp(rc.clock.nowMs()));
        if (sameTaints(current, desired)) return;
        const spec = { ...(node.spec ?? {}) } as Record<string, unknown>;
        if (desired.length) spec.taints = desired;
        else delete spec.taints;
        await rc.client.update({ ...node, spec } as KubeObject);
      },
    });
  }

  if (opts.evictPods !== false) {
    manager.add({
      name: 'taint-eviction',
      for: POD,
      workers: opts.workers ?? 1,
      watches: [
        {
          type: NODE,
          map: (node) => pods.cache.byIndex(POD_BY_NODE_INDEX, node.metadata?.name ?? '').map((p) => ({ namespace: p.metadata?.namespace, name: p.metadata!.name! })),
        },
      ],
      reconciler: async (rc: ReconcileContext, req: Request): Promise<Result | void> => {
        const key = `${req.namespace}/${req.name}`;
        const pod = pods.lister.get(req.name, req.namespace);
        if (!pod || pod.metadata?.deletionTimestamp) {
          scheduled.delete(key);
          return;
        }
        const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
        const node = nodeName ? (nodes.lister.get(nodeName) as (KubeObject & NodeLike) | undefined) : undefined;
        const nowMs = rc.clock.nowMs();
        const created = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : undefined;
        const decision = node
          ? evictionDecision({ taints: node.spec?.taints, tolerations: (pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations, podCreatedMs: created, nowMs })
          : ({ action: 'none' } as const);
        if (decision.action === 'none') {
          if (scheduled.delete(key)) void rc.recorder.event(pod, 'Normal', REASON_TAINT_MANAGER_EVICTION, `Cancelling deletion of Pod ${podName(pod)}`);
          return;
        }
        if (decision.action === 'wait') {
          scheduled.add(key);
          return { requeueAfter: Math.max(0, decision.atMs - nowMs) };
        }
        await evict(rc, pod);
        scheduled.delete(key);
      },
    });
  }
}

async function evict(rc: ReconcileContext, pod: KubeObject): Promise<void> {
  void rc.recorder.event(pod, 'Normal', REASON_TAINT_MANAGER_EVICTION, `Marking for deletion Pod ${podName(pod)}`);
  const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; [k: string]: unknown }[] };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
  conditions.push({ type: 'DisruptionTarget', status: 'True', reason: REASON_DELETION_BY_TAINT_MANAGER, message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: timestamp(rc.clock.nowMs()) });
  try {
    await rc.client.updateStatus({ ...pod, status: { ...status, conditions } });
  } catch (e) {
    if (isNotFound(e)) return;
    if (!isConflict(e)) throw e;
  }
  try {
    await rc.client.delete(POD, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { preconditions: { uid: pod.metadata?.uid } });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
