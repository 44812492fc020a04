/**
 * The PodDisruptionBudget controller of a workload cluster (kube-controller-manager's "disruption" controller): keeps
 * each budget's status (expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods,
 * observedGeneration and the DisruptionAllowed condition) in line with the Pods it selects; see budget.ts for the rules.
 * A budget whose status cannot be computed (a Pod's controller is not a Deployment, ReplicaSet, or StatefulSet (the kinds
 * workload clusters serve; ReplicationController is not served), or a bad int-or-percent) fails safe: disruptionsAllowed 0 and DisruptionAllowed False/SyncFailed.
 *
 * A second controller resets a Pod's stale DisruptionTarget=True condition to False when the Pod is still not being
 * deleted two minutes after the condition was set (upstream's stale pod disruption cleanup).
 *
 * unhealthyPodEvictionPolicy is honoured where evictions are decided (the eviction subresource); this controller only
 * publishes the counts it reads.
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../../../apimachinery/selectors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import { isConflict, isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { KindRef } from '../../../client/types.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import type { WorkloadContext } from '../context.js';
import {
  computeBudgetStatus,
  DELETION_TIMEOUT_MS,
  DISRUPTION_ALLOWED,
  REASON_SYNC_FAILED,
  setMetaCondition,
  statusChanged,
  type PodDisruptionBudget,
  type PodLike,
  type ScaleFinder,
} from './budget.js';
import { errorText } from '../../shared/errors.js';

export const PDB: KindRef<PodDisruptionBudget> = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
const POD: KindRef<PodLike> = { apiVersion: 'v1', kind: 'Pod' };
const DEPLOYMENT: KindRef = { apiVersion: 'apps/v1', kind: 'Deployment' };
const REPLICA_SET: KindRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const STATEFUL_SET: KindRef = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

export interface DisruptionControllerOptions {
  /** How long an evicted Pod may take to go before it counts again (default 2 minutes, as upstream). */
  deletionTimeoutMs?: number;
  /** How long a DisruptionTarget=True condition may stay on a Pod that is not being deleted (default 2 minutes). */
  stalePodDisruptionTimeoutMs?: number;
  workers?: number;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** null selector: nothing; {}: every Pod of the namespace (policy/v1). */
export function podsForBudget(pdb: PodDisruptionBudget, pods: SharedInformer<PodLike>): PodLike[] {
  const sel = pdb.spec?.selector;
  if (sel === undefined || sel === null) return [];
  const selector = labelSelectorFromObject(sel as LabelSelectorObject);
  return pods.lister.list({ namespace: pdb.metadata?.namespace ?? '' }).filter((p) => matchesLabels(selector, p.metadata?.labels));
}

function replicasOf(o: KubeObject): number {
  const r = (o.spec as { replicas?: number } | undefined)?.replicas;
  return typeof r === 'number' ? r : 1;
}

export function setupDisruptionController(ctx: WorkloadContext, opts: DisruptionControllerOptions = {}): void {
  const { manager } = ctx;
  const deletionTimeoutMs = opts.deletionTimeoutMs ?? DELETION_TIMEOUT_MS;
  const staleTimeoutMs = opts.stalePodDisruptionTimeoutMs ?? 2 * 60 * 1000;
  const budgets = manager.informers.for(PDB);
  const pods = manager.informers.for(POD);
  const deployments = manager.informers.for(DEPLOYMENT);
  const replicaSets = manager.informers.for(REPLICA_SET);
  const statefulSets = manager.informers.for(STATEFUL_SET);

  const budgetsSelecting = (pod: KubeObject): Request[] =>
    budgets.lister
      .list({ namespace: pod.metadata?.namespace ?? '' })
      .filter((b) => {
        const sel = b.spec?.selector;
        return sel !== undefined && sel !== null && matchesLabels(labelSelectorFromObject(sel as LabelSelectorObject), pod.metadata?.labels);
      })
      .map((b) => ({ namespace: b.metadata?.namespace, name: b.metadata!.name! }));
  const budgetsOfNamespace = (o: KubeObject): Request[] =>
    budgets.lister.list({ namespace: o.metadata?.namespace ?? '' }).map((b) => ({ namespace: b.metadata?.namespace, name: b.metadata!.name! }));

  // The scale of a Pod's controller, matched by UID as upstream's finders: a ReplicaSet run by a Deployment counts as the Deployment.
  const findScale: ScaleFinder = (pod) => {
    const ref = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    if (!ref) return undefined;
    const ns = pod.metadata?.namespace;
    const byRef = (inf: SharedInformer, name: string, uid: string): KubeObject | undefined => {
      const o = inf.lister.get(name, ns);
      return o && o.metadata?.uid === uid ? o : undefined;
    };
    if (ref.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/')) {
      const rs = byRef(replicaSets, ref.name, ref.uid);
      if (!rs) return undefined;
      const owner = (rs.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
      if (owner?.kind === 'Deployment' && owner.apiVersion.startsWith('apps/')) {
        const d = byRef(deployments, owner.name, owner.uid);
        // A Deployment that is gone: the ReplicaSet's own scale counts (upstream's generic scale finder).
        if (d) return { uid: d.metadata!.uid!, scale: replicasOf(d) };
      }
      return { uid: rs.metadata!.uid!, scale: replicasOf(rs) };
    }
    if (ref.kind === 'StatefulSet' && ref.apiVersion.startsWith('apps/')) {
      const s = byRef(statefulSets, ref.name, ref.uid);
      return s ? { uid: s.metadata!.uid!, scale: replicasOf(s) } : undefined;
    }
    return undefined;
  };

  async function reconcileBudget(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const pdb = budgets.lister.get(req.name, req.namespace);
    if (!pdb) return;
    const selected = podsForBudget(pdb, pods);
    if (selected.length === 0) void rc.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    const nowMs = rc.clock.nowMs();
    const now = rfc3339(nowMs);
    let computed;
    try {
      computed = computeBudgetStatus(pdb, selected, findScale, nowMs, now, deletionTimeoutMs);
    } catch (e) {
      void rc.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${errorText(e)}`);
      await failSafe(rc, pdb, e);
      return;
    }
    if (computed.unmanagedPods.length) {
      const sel = JSON.stringify(pdb.spec?.selector ?? null);
      void rc.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${sel}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    for (const name of computed.overdue) {
      const pod = selected.find((p) => p.metadata?.name === name);
      if (pod) void rc.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.name} to be deleted but it wasn't`);
    }
    if (statusChanged(pdb.status, computed.status)) {
      try {
        await rc.client.updateStatus({ ...pdb, status: computed.status });
      } catch (e) {
        if (isConflict(e) || isNotFound(e)) throw e;
        await failSafe(rc, pdb, e);
        return;
      }
    }
    if (computed.recheckAtMs !== undefined) return { requeueAfter: Math.max(0, computed.recheckAtMs - nowMs) };
  }

  async function failSafe(rc: ReconcileContext, pdb: PodDisruptionBudget, err: unknown): Promise<void> {
    const old = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    const conditions = setMetaCondition(
      old.conditions ?? [],
      { type: DISRUPTION_ALLOWED, status: 'False', reason: REASON_SYNC_FAILED, message: errorText(err), ...(old.observedGeneration !== undefined ? { observedGeneration: old.observedGeneration } : {}) },
      rfc3339(rc.clock.nowMs()),
    );
    await rc.client.updateStatus({ ...pdb, status: { ...old, disruptionsAllowed: 0, conditions } });
    throw err;
  }

  manager.add({
    name: 'disruption',
    for: PDB,
    workers: opts.workers ?? 1,
    reconciler: reconcileBudget,
    watches: [
      { type: POD, map: budgetsSelecting },
      { type: DEPLOYMENT, map: budgetsOfNamespace },
      { type: REPLICA_SET, map: budgetsOfNamespace },
      { type: STATEFUL_SET, map: budgetsOfNamespace },
    ],
  });

  manager.add({
    name: 'disruption-stale-pod-conditions',
    for: POD,
    workers: opts.workers ?? 1,
    reconciler: async (rc, req) => {
      const pod = pods.lister.get(req.name, req.namespace);
      if (!pod || pod.metadata?.deletionTimestamp) return;
      const phase = pod.status?.phase;
      const cond = (pod.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
      if (!cond || cond.status !== 'True' || cond.reason === 'TerminationByKubelet' || phase === 'Succeeded' || phase === 'Failed') return;
      const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : rc.clock.nowMs();
      const waitMs = staleTimeoutMs - (rc.clock.nowMs() - since);
      if (waitMs > 0) return { requeueAfter: waitMs };
      const now = rfc3339(rc.clock.nowMs());
      const conditions = (pod.status?.conditions ?? []).map((c) => (c === cond ? { type: 'DisruptionTarget', status: 'False', lastTransitionTime: now } : c));
      await rc.client.updateStatus({ ...pod, status: { ...pod.status, conditions } });
    },
  });
}
