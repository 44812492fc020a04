/** TaintToleration: NoSchedule/NoExecute taints must be tolerated; PreferNoSchedule lowers the score. */
import type { FilterFailure, Taint, Toleration } from './types.js';

export const TAINT_TOLERATION = 'TaintToleration';
export const ERR_UNTOLERATED_TAINT = 'node(s) had untolerated taint(s)';

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return !!t.key && (t.value ?? '') === (taint.value ?? '');
  return false;
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | null | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first NoSchedule/NoExecute taint no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | null | undefined): Taint | undefined {
  return taints.find((taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerationsTolerateTaint(tolerations, taint));
}

/**
 * Filter. Kubernetes 1.36 writes the taint-free text "node(s) had untolerated taint(s)"; releases up
 * to 1.32 named the taint ("node(s) had untolerated taint {key: value}"), selectable via `legacyText`.
 */
export function filterTaintToleration(taints: readonly Taint[], tolerations: readonly Toleration[] | null | undefined, legacyText = false): FilterFailure | null {
  const taint = findUntoleratedTaint(taints, tolerations);
  if (!taint) return null;
  const reason = legacyText ? `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}` : ERR_UNTOLERATED_TAINT;
  return { plugin: TAINT_TOLERATION, code: 'UnschedulableAndUnresolvable', reasons: [reason] };
}

/** Raw score: how many PreferNoSchedule taints the pod does not tolerate (normalized in reverse). */
export function countIntolerablePreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[] | null | undefined): number {
  const relevant = (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return taints.filter((t) => t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(relevant, t)).length;
}

/** DefaultNormalizeScore(100, reverse): fewest intolerable taints → 100; none anywhere → all 100. */
export function normalizeTaintScores(counts: readonly number[]): number[] {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (max === 0 ? 100 : 100 - Math.trunc((100 * c) / max)));
}
