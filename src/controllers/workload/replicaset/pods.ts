/**
 * Pod facts the ReplicaSet controller counts by (podutil.IsPodReady / IsPodAvailable, controller.IsPodActive) and the
 * Pod a ReplicaSet creates from its template (controller.GetPodFromTemplate): the template's labels, annotations,
 * finalizers and spec, a controller ownerReference that blocks the owner's foreground deletion, and the name
 * `<replicaset>-<5 random characters>`.
 */
import { deepClone } from '../../../apimachinery/types.js';
import type { RandomSource } from '../../../topology/random.js';
import type { Pod, ReplicaSet } from './types.js';

/** Annotation whose integer value makes a Pod cheaper (lower) or dearer (higher) to delete when scaling down. */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

export function readyCondition(pod: Pod): { status: string; lastTransitionTime?: string } | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the Pod became Ready (ms), or undefined when it is not ready or the time is unknown. */
export function podReadyTime(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isFinite(t) ? t : undefined;
}

/** Ready for at least minReadySeconds at `nowMs` (a Ready Pod without a transition time counts only when minReadySeconds is 0). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadyTime(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

/** Milliseconds until a Ready Pod becomes available (undefined when not ready or already available). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (!isPodReady(pod) || minReadySeconds <= 0) return undefined;
  const since = podReadyTime(pod);
  if (since === undefined) return undefined;
  const left = since + minReadySeconds * 1000 - nowMs;
  return left > 0 ? left : undefined;
}

/** Neither finished (Succeeded/Failed) nor being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Being deleted but not finished (status.terminatingReplicas counts these). */
export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** The highest restart count among the Pod's containers. */
export function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const c of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** The pod-deletion-cost annotation (0 when absent or not an int32). */
export function podDeletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?[0-9]+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** The Pod `rs` creates next (named with 5 characters from `random`). */
export function podFromTemplate(rs: ReplicaSet, random: RandomSource): Pod {
  const tpl = rs.spec.template ?? {};
  const tm = tpl.metadata ?? {};
  const name = `${rs.metadata!.name}-${random(5)}`;
  const metadata: NonNullable<Pod['metadata']> = {
    name,
    namespace: rs.metadata!.namespace,
    labels: { ...(tm.labels ?? {}) },
    ownerReferences: [{ apiVersion: rs.apiVersion ?? 'apps/v1', kind: rs.kind ?? 'ReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
  };
  if (tm.annotations && Object.keys(tm.annotations).length) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers?.length) metadata.finalizers = [...tm.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: deepClone(tpl.spec ?? {}) };
}
