/**
 * A ReplicaSet's status from its Pods (upstream calculateStatus): replicas are the active Pods it owns,
 * fullyLabeledReplicas those carrying every template label, readyReplicas the Ready ones, availableReplicas those
 * Ready for minReadySeconds, terminatingReplicas those being deleted; the ReplicaFailure condition is set when
 * creating or deleting Pods failed and removed once that works again.
 */
import { matchesLabels, labelSelectorFromSet } from '../../../apimachinery/selectors.js';
import { isPodActive, isPodAvailable, isPodReady, isPodTerminating, msUntilAvailable } from './pods.js';
import type { Pod, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from './types.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

export interface ManageError {
  /** FailedCreate or FailedDelete. */
  reason: string;
  message: string;
}

/** Status for `rs` owning `pods` (all of them, active or not); `next` is when the next Pod becomes available (ms). */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: Pod[], manageError: ManageError | undefined, nowMs: number): { status: ReplicaSetStatus; next?: number } {
  const active = pods.filter(isPodActive);
  const templateLabels = labelSelectorFromSet(rs.spec.template?.metadata?.labels ?? {});
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  let next: number | undefined;
  for (const p of active) {
    if (matchesLabels(templateLabels, p.metadata?.labels)) fully++;
    if (!isPodReady(p)) continue;
    ready++;
    if (isPodAvailable(p, minReady, nowMs)) available++;
    else {
      const left = msUntilAvailable(p, minReady, nowMs);
      if (left !== undefined) next = next === undefined ? left : Math.min(next, left);
    }
  }
  const old = rs.status ?? {};
  let conditions: ReplicaSetCondition[] = [...(old.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: manageError.reason, message: manageError.message });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    terminatingReplicas: pods.filter(isPodTerminating).length,
    observedGeneration: rs.metadata?.generation ?? old.observedGeneration,
  };
  if (conditions.length) status.conditions = conditions;
  return { status, next };
}

/** Whether two statuses say the same (zero and absent counts alike). */
export function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const n = (v: number | undefined): number => v ?? 0;
  const x = a ?? {};
  return (
    n(x.replicas) === n(b.replicas) &&
    n(x.fullyLabeledReplicas) === n(b.fullyLabeledReplicas) &&
    n(x.readyReplicas) === n(b.readyReplicas) &&
    n(x.availableReplicas) === n(b.availableReplicas) &&
    n(x.terminatingReplicas) === n(b.terminatingReplicas) &&
    x.observedGeneration === b.observedGeneration &&
    JSON.stringify(x.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
