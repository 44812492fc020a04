/**
 * The pure core of the PodDisruptionBudget controller (kube-controller-manager's pkg/controller/disruption): from a
 * budget, the Pods it selects and the scale of their controllers, the budget's next status.
 *
 * - expectedPods: the sum of the scale (spec.replicas) of the Pods' controllers when maxUnavailable or a percentage
 *   minAvailable is set; the number of selected Pods when minAvailable is an integer.
 * - desiredHealthy: minAvailable (a percentage of expectedPods, rounded up), or expectedPods - maxUnavailable
 *   (a percentage rounded up), never below 0.
 * - currentHealthy: Ready Pods that are not being deleted and not recorded in disruptedPods within the deletion timeout.
 * - disruptionsAllowed: currentHealthy - desiredHealthy, 0 when negative or when expectedPods is 0.
 * - disruptedPods keeps the entries (written by the eviction subresource) of Pods still present and not yet deleting,
 *   until their deletion timeout passes; the earliest pending expiry is when to look again.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { scaledValue } from '../../shared/intstr.js';

/** How long an evicted Pod may take to be deleted before it counts as healthy again (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const REASON_SUFFICIENT_PODS = 'SufficientPods';
export const REASON_INSUFFICIENT_PODS = 'InsufficientPods';
export const REASON_SYNC_FAILED = 'SyncFailed';

export interface MetaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface PodDisruptionBudgetSpec {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | null;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: MetaCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

export interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[] };
}

/** A Pod's controller (its controller ownerReference) resolved to a scale, or undefined when no known kind matches. */
export type ScaleFinder = (pod: PodLike) => { uid: string; scale: number } | undefined;

export interface ExpectedCount {
  expectedPods: number;
  desiredHealthy: number;
  /** Selected Pods without a controller (ignored in the scale sum, reported as an event). */
  unmanagedPods: string[];
}

export function isPodReady(pod: PodLike): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The sum of the scales of the selected Pods' controllers (each controller once). Throws for a Pod whose controller is unknown. */
export function expectedScale(pods: readonly PodLike[], find: ScaleFinder): { expectedPods: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    if (!ref) {
      unmanagedPods.push(pod.metadata?.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = find(pod);
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expectedPods = 0;
  for (const s of scales.values()) expectedPods += s;
  return { expectedPods, unmanagedPods };
}

/** expectedPods and desiredHealthy as upstream's getExpectedPodCount (throws on a bad int-or-percent or an unknown controller). */
export function expectedPodCount(spec: PodDisruptionBudgetSpec, pods: readonly PodLike[], find: ScaleFinder): ExpectedCount {
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedPods, unmanagedPods } = expectedScale(pods, find);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedPods, true, 'spec.maxUnavailable');
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedPods: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedPods, unmanagedPods } = expectedScale(pods, find);
    return { expectedPods, desiredHealthy: scaledValue(spec.minAvailable, expectedPods, true, 'spec.minAvailable'), unmanagedPods };
  }
  return { expectedPods: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/** The disruptedPods entries still pending at `nowMs`, the earliest pending expiry, and the Pods whose deletion is overdue. */
export function pendingDisruptions(
  pods: readonly PodLike[],
  recorded: Record<string, string> | undefined,
  nowMs: number,
  timeoutMs: number = DELETION_TIMEOUT_MS,
): { disruptedPods: Record<string, string>; recheckAtMs?: number; overdue: string[] } {
  const disruptedPods: Record<string, string> = {};
  const overdue: string[] = [];
  let recheckAtMs: number | undefined;
  if (!recorded) return { disruptedPods, overdue };
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '';
    const at = recorded[name];
    if (at === undefined) continue;
    const expected = Date.parse(at) + timeoutMs;
    if (expected < nowMs) {
      overdue.push(name);
      continue;
    }
    if (recheckAtMs === undefined || expected < recheckAtMs) recheckAtMs = expected;
    disruptedPods[name] = at;
  }
  return { disruptedPods, overdue, ...(recheckAtMs !== undefined ? { recheckAtMs } : {}) };
}

/** Ready Pods, leaving out those being deleted and those disrupted within the timeout. */
export function countHealthyPods(pods: readonly PodLike[], disruptedPods: Record<string, string>, nowMs: number, timeoutMs: number = DELETION_TIMEOUT_MS): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disruptedPods[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + timeoutMs > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export function disruptionsAllowed(currentHealthy: number, desiredHealthy: number, expectedPods: number): number {
  const allowed = currentHealthy - desiredHealthy;
  return expectedPods <= 0 || allowed <= 0 ? 0 : allowed;
}

/** Sets a metav1.Condition as apimachinery's SetStatusCondition: lastTransitionTime moves only when status changes. */
export function setMetaCondition(conditions: MetaCondition[], c: Omit<MetaCondition, 'lastTransitionTime'>, now: string): MetaCondition[] {
  const old = conditions.find((x) => x.type === c.type);
  const next: MetaCondition = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  return old ? conditions.map((x) => (x === old ? next : x)) : [...conditions, next];
}

/** The DisruptionAllowed condition for a status (SufficientPods when disruptions are allowed). */
export function disruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: string): MetaCondition[] {
  const allowed = status.disruptionsAllowed > 0;
  return setMetaCondition(
    status.conditions ?? [],
    {
      type: DISRUPTION_ALLOWED,
      status: allowed ? 'True' : 'False',
      reason: allowed ? REASON_SUFFICIENT_PODS : REASON_INSUFFICIENT_PODS,
      message: '',
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    },
    now,
  );
}

/** Whether the DisruptionAllowed condition already says what the status says (upstream ConditionsAreUpToDate). */
export function conditionsUpToDate(status: PodDisruptionBudgetStatus): boolean {
  const c = (status.conditions ?? []).find((x) => x.type === DISRUPTION_ALLOWED);
  if (!c || c.observedGeneration !== status.observedGeneration) return false;
  return status.disruptionsAllowed > 0 ? c.status === 'True' && c.reason === REASON_SUFFICIENT_PODS : c.status === 'False' && c.reason === REASON_INSUFFICIENT_PODS;
}

export interface BudgetComputation {
  status: PodDisruptionBudgetStatus;
  /** When to look again (the earliest disruptedPods expiry), in ms since the epoch. */
  recheckAtMs?: number;
  unmanagedPods: string[];
  overdue: string[];
}

/**
 * The budget's next status. `now` is RFC 3339 (seconds) and `nowMs` its instant. The previous status's conditions are
 * carried (lastTransitionTime kept when unchanged). Throws when the expected count cannot be computed.
 */
export function computeBudgetStatus(pdb: PodDisruptionBudget, pods: readonly PodLike[], find: ScaleFinder, nowMs: number, now: string, timeoutMs: number = DELETION_TIMEOUT_MS): BudgetComputation {
  const { expectedPods, desiredHealthy, unmanagedPods } = expectedPodCount(pdb.spec ?? {}, pods, find);
  const { disruptedPods, recheckAtMs, overdue } = pendingDisruptions(pods, pdb.status?.disruptedPods, nowMs, timeoutMs);
  const currentHealthy = countHealthyPods(pods, disruptedPods, nowMs, timeoutMs);
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: pdb.metadata?.generation ?? 0,
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    disruptionsAllowed: disruptionsAllowed(currentHealthy, desiredHealthy, expectedPods),
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions: pdb.status?.conditions ?? [],
  };
  status.conditions = disruptionAllowedCondition(status, now);
  return { status, unmanagedPods, overdue, ...(recheckAtMs !== undefined ? { recheckAtMs } : {}) };
}

/** Whether a status write is needed: the computed numbers, disruptedPods or generation differ, or the condition is stale. */
export function statusChanged(old: PodDisruptionBudgetStatus | undefined, next: PodDisruptionBudgetStatus): boolean {
  if (!old) return true;
  const sameDisrupted = JSON.stringify(sortedEntries(old.disruptedPods)) === JSON.stringify(sortedEntries(next.disruptedPods));
  return !(
    old.currentHealthy === next.currentHealthy &&
    old.desiredHealthy === next.desiredHealthy &&
    old.expectedPods === next.expectedPods &&
    old.disruptionsAllowed === next.disruptionsAllowed &&
    sameDisrupted &&
    old.observedGeneration === next.observedGeneration &&
    conditionsUpToDate(old)
  );
}

function sortedEntries(m: Record<string, string> | undefined): [string, string][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
