/**
 * Taint-based eviction's decision for one Pod on one Node (upstream's taint eviction controller). Pure.
 *
 * Only the Node's NoExecute taints matter. A taint the Pod does not tolerate evicts it at once. Otherwise the
 * tolerations used (for each taint the first toleration that tolerates it) bound how long it may stay: the
 * smallest tolerationSeconds among them (≤ 0 means at once; none set means forever, as DaemonSet Pods'
 * tolerations). The clock starts when the Pod was first on the tainted Node: the earliest timeAdded of the
 * NoExecute taints, or the Pod's creation if later (upstream keeps that start in memory; here it comes from
 * the objects, so a restarted controller computes the same deadline).
 */
import type { Toleration } from '../scheduler/types.js';
import { toleratesTaint } from '../scheduler/taints.js';
import type { NodeTaint } from './taints.js';

export type EvictionDecision =
  /** No NoExecute taint, or every one tolerated forever. */
  | { action: 'none' }
  /** Delete the Pod now. */
  | { action: 'evict'; reason: 'untolerated' | 'expired' }
  /** Tolerated until `atMs`. */
  | { action: 'wait'; atMs: number };

export interface EvictionInput {
  taints: readonly NodeTaint[] | null | undefined;
  tolerations: readonly Toleration[] | null | undefined;
  /** Pod creation (ms since epoch), if known. */
  podCreatedMs?: number;
  nowMs: number;
  /** Used for a taint without a parsable timeAdded (e.g. one set by hand). */
  fallbackStartMs?: number;
}

/** For each NoExecute taint the first toleration tolerating it; undefined when some taint is not tolerated. */
export function matchingTolerations(taints: readonly NodeTaint[], tolerations: readonly Toleration[] | null | undefined): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}

/** Smallest tolerationSeconds in ms (0 for ≤ 0), or -1 when none is set (tolerated forever). */
export function minTolerationMs(used: readonly Toleration[]): number {
  let min = -1;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const ms = t.tolerationSeconds <= 0 ? 0 : t.tolerationSeconds * 1000;
    if (min < 0 || ms < min) min = ms;
  }
  return min;
}

export function noExecuteTaints(taints: readonly NodeTaint[] | null | undefined): NodeTaint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export function evictionDecision(input: EvictionInput): EvictionDecision {
  const taints = noExecuteTaints(input.taints);
  if (taints.length === 0) return { action: 'none' };
  const used = matchingTolerations(taints, input.tolerations);
  if (!used) return { action: 'evict', reason: 'untolerated' };
  const min = minTolerationMs(used);
  if (min < 0) return { action: 'none' };
  const added = taints.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : NaN)).map((ms) => (Number.isFinite(ms) ? ms : (input.fallbackStartMs ?? input.nowMs)));
  let start = Math.min(...added);
  if (input.podCreatedMs !== undefined && Number.isFinite(input.podCreatedMs) && input.podCreatedMs > start) start = input.podCreatedMs;
  const atMs = start + min;
  return atMs <= input.nowMs ? { action: 'evict', reason: 'expired' } : { action: 'wait', atMs };
}
