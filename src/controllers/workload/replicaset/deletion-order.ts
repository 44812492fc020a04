/**
 * Which Pods a ReplicaSet deletes first when it scales down (kube-controller-manager's ActivePodsWithRanks with
 * PodDeletionCost and LogarithmicScaleDown on, as by default): unscheduled before scheduled; Pending before Unknown
 * before Running; not ready before ready; lower pod-deletion-cost first; Pods sharing a Node with more of their
 * related Pods first; among ready Pods the more recently ready first; more container restarts first; newer first.
 * Ready and creation times compare by the binary logarithm of their age (so Pods of similar age count as equal and
 * ties break by uid, spreading deletions randomly rather than always hitting the newest).
 */
import { isPodActive, isPodReady, maxContainerRestarts, podDeletionCost, podReadyTime } from './pods.js';
import type { Pod } from './types.js';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: Pod): number {
  return PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;
}

function creationTime(pod: Pod): number | undefined {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** Upstream afterOrZero: a missing time sorts first, otherwise the later one does. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** floor(log2(age in nanoseconds)), or -1 when the time is not in the past. */
function logBucket(t: number, nowMs: number): number {
  const ns = (nowMs - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

function uidLess(a: Pod, b: Pod): boolean {
  return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
}

/** Compare two times the way LogarithmicScaleDown does; undefined when they are equal. */
function timeLess(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, nowMs: number | undefined): boolean | undefined {
  if (ta === tb) return undefined;
  if (nowMs === undefined || ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logBucket(ta, nowMs) - logBucket(tb, nowMs);
  if (diff === 0) return uidLess(a, b);
  return diff < 0;
}

export interface RankedPod {
  pod: Pod;
  /** Active related Pods on the same Node (the Pod itself included). */
  rank: number;
}

/** True when `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, nowMs?: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  if (phaseOrdinal(pa) !== phaseOrdinal(pb)) return phaseOrdinal(pa) < phaseOrdinal(pb);
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  const ca = podDeletionCost(pa);
  const cb = podDeletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (ra && rb) {
    const less = timeLess(pa, pb, podReadyTime(pa), podReadyTime(pb), nowMs);
    if (less !== undefined) return less;
  }
  const xa = maxContainerRestarts(pa);
  const xb = maxContainerRestarts(pb);
  if (xa !== xb) return xa > xb;
  return timeLess(pa, pb, creationTime(pa), creationTime(pb), nowMs) ?? false;
}

/** Each Pod with the number of active `related` Pods on its Node (upstream getPodsRankedByRelatedPodsOnSameNode). */
export function rankByRelatedPodsOnSameNode(pods: Pod[], related: Pod[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
}

/** The `count` Pods to delete first (all of them when count covers every Pod). */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, nowMs?: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const ranked = rankByRelatedPodsOnSameNode(pods, related);
  // A stable sort with a strict comparator derived from deleteBefore.
  ranked.sort((a, b) => (deleteBefore(a, b, nowMs) ? -1 : deleteBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
