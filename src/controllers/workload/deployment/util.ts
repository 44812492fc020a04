/**
 * Deployment arithmetic (upstream deploymentutil, pure): surge and unavailability budgets, revisions and the replica
 * annotations on ReplicaSets, which ReplicaSet is the new one, replica sums, proportional shares, status and the
 * Progressing/Available conditions. Works on snapshots; nothing here does I/O.
 */
import { semanticEqual } from '../../../apimachinery/semantic.js';
import { deepClone } from '../../../apimachinery/types.js';
import { scaledValue, roundHalfAwayFromZero } from '../../shared/intstr.js';
import type { PodTemplateSpec, ReplicaSet } from '../replicaset/types.js';
import {
  ANNOTATIONS_NOT_COPIED,
  AVAILABLE,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  PROGRESSING,
  REASONS,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
} from './types.js';

const MAX_INT32 = 2147483647;

export function desiredReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

export function rsReplicas(rs: ReplicaSet | undefined): number {
  return rs?.spec.replicas ?? 0;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge rounded up and maxUnavailable rounded down for `desired`; both zero makes maxUnavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true, 'spec.strategy.rollingUpdate.maxSurge');
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false, 'spec.strategy.rollingUpdate.maxUnavailable');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const n = desiredReplicas(d);
  if (!isRollingUpdate(d) || n === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, n).unavailable, n);
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== MAX_INT32;
}

// ---- templates and the new ReplicaSet ----

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const c = deepClone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels;
  }
  if (c.metadata && !Object.keys(c.metadata).length) delete c.metadata;
  return c;
}

/** Upstream EqualIgnoreHash: templates semantically equal (as Go's types) once the pod-template-hash label is ignored. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}


export function creationMs(o: { metadata?: { creationTimestamp?: string } }): number {
  const t = o.metadata?.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

function nameOf(o: { metadata?: { name?: string } }): string {
  return o.metadata?.name ?? '';
}

/** Oldest first; equal times by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return creationMs(a) - creationMs(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);
}

/** The oldest ReplicaSet whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

// ---- revisions and annotations ----

export function revisionOf(o: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = o.metadata?.annotations?.[REVISION_ANNOTATION];
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rsList: ReplicaSet[]): number {
  return rsList.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** Set the desired/max replica annotations; true when they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {});
  const changed = a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
  a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  a[MAX_REPLICAS_ANNOTATION] = String(max);
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations;
  return a?.[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a?.[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && /^-?[0-9]+$/.test(v) ? Number(v) : undefined;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

/**
 * Upstream SetNewReplicaSetAnnotations: the Deployment's own annotations (but the bookkeeping ones) are copied, the
 * revision is raised to `newRevision` when lower (an existing ReplicaSet that had a revision records it in the
 * revision history: a rollback to it), and a ReplicaSet being created gets the desired/max replica annotations.
 * Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const old = a[REVISION_ANNOTATION];
  const oldN = old !== undefined && /^[0-9]+$/.test(old) ? Number(old) : 0;
  if (old !== undefined && !/^[0-9]+$/.test(old)) return changed;
  if (oldN < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (old !== undefined && old !== '') {
      const history = a[REVISION_HISTORY_ANNOTATION];
      a[REVISION_HISTORY_ANNOTATION] = history ? `${history},${old}` : old;
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---- sums ----

type MaybeSets = (ReplicaSet | undefined)[];

/** Sum of spec.replicas. */
export function specReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, rs) => n + rsReplicas(rs), 0);
}

/** Sum of status.replicas (the Pods that exist). */
export function actualReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function readyReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

export function terminatingReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, rs) => n + (rs?.status?.terminatingReplicas ?? 0), 0);
}

export function activeReplicaSets(sets: MaybeSets): ReplicaSet[] {
  return sets.filter((rs): rs is ReplicaSet => !!rs && rsReplicas(rs) > 0);
}

// ---- scaling ----

/** How far the new ReplicaSet may grow now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: MaybeSets, newRS: ReplicaSet): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = specReplicaSum(allRSs);
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  return rsReplicas(newRS) + Math.min(maxTotal - current, replicas - rsReplicas(newRS));
}

/** The new ReplicaSet has every replica, as wanted, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const n = desiredReplicas(d);
  return rsReplicas(rs) === n && desiredReplicasAnnotation(rs) === n && (rs.status?.availableReplicas ?? 0) === n;
}

/** The only active ReplicaSet, or when none is active the new one or the newest old one (upstream FindActiveOrLatest). */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** A ReplicaSet's share of a proportional scale of `toAdd` replicas, `added` of which are handed out already. */
export function getProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (replicas === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicas + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAwayFromZero((rsReplicas(rs) * deploymentReplicas) / annotated) - rsReplicas(rs);
}

/** Larger first; equal sizes newer first (scaling up). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || creationMs(b) - creationMs(a) || (nameOf(a) < nameOf(b) ? -1 : 1);
}

/** Larger first; equal sizes older first (scaling down). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || creationMs(a) - creationMs(b) || (nameOf(a) < nameOf(b) ? -1 : 1);
}

/** Target sizes of the active ReplicaSets when a rolling Deployment's replicas change mid-rollout (upstream scale()). */
export function proportionalSizes(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): { rs: ReplicaSet; size: number }[] {
  const sets = activeReplicaSets([...oldRSs, newRS]);
  const replicas = desiredReplicas(d);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaSum(sets);
  if (toAdd > 0) sets.sort(bySizeNewer);
  else if (toAdd < 0) sets.sort(bySizeOlder);
  let added = 0;
  const sizes = sets.map((rs) => {
    if (toAdd === 0) return rsReplicas(rs);
    const p = getProportion(rs, d, toAdd, added);
    added += p;
    return rsReplicas(rs) + p;
  });
  // The leftover goes to (or comes from) the first (largest) ReplicaSet.
  if (sets.length && toAdd !== 0) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
  return sets.map((rs, i) => ({ rs, size: sizes[i]! }));
}

// ---- status and conditions ----

function isoNow(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newCondition(type: string, status: string, reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = isoNow(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Upstream SetDeploymentCondition: nothing changes when status and reason are the same; the transition time survives an unchanged status. */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const current = getCondition(status, c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  const next = { ...c };
  if (current && current.status === c.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

/** Upstream calculateStatus: counts from the ReplicaSets and the Available condition. */
export function calculateStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const available = availableReplicaSum(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicaSum(allRSs),
    updatedReplicas: actualReplicaSum([newRS]),
    readyReplicas: readyReplicaSum(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicaSum(allRSs) - available),
    terminatingReplicas: terminatingReplicaSum(allRSs),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) setCondition(status, newCondition(AVAILABLE, 'True', REASONS.minimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  else setCondition(status, newCondition(AVAILABLE, 'False', REASONS.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  return status;
}

/** Every replica updated and available, no old ones left, the latest generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus | undefined): boolean {
  const n = desiredReplicas(d);
  return (s?.updatedReplicas ?? 0) === n && (s?.replicas ?? 0) === n && (s?.availableReplicas ?? 0) === n && (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Progress since the last status: more updated, ready or available replicas, or fewer old ones. */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const n = (v: number | undefined): number => v ?? 0;
  const oldOld = n(old.replicas) - n(old.updatedReplicas);
  const newOld = n(next.replicas) - n(next.updatedReplicas);
  return n(next.updatedReplicas) > n(old.updatedReplicas) || newOld < oldOld || n(next.readyReplicas) > n(old.readyReplicas) || n(next.availableReplicas) > n(old.availableReplicas);
}

/** The Progressing condition's last update is older than the progress deadline. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === REASONS.newReplicaSetAvailable) return false;
  if (c.reason === REASONS.progressDeadlineExceeded) return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : Number.NaN;
  if (!Number.isFinite(from)) return false;
  return from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 < nowMs;
}

/** Milliseconds until a stuck rollout should be checked for its deadline (undefined: no need). */
export function msUntilDeadlineCheck(d: Deployment, s: DeploymentStatus, nowMs: number): number | undefined {
  const c = getCondition(s, PROGRESSING);
  if (!hasProgressDeadline(d) || !c || deploymentComplete(d, s) || c.reason === REASONS.progressDeadlineExceeded) return undefined;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : Number.NaN;
  if (!Number.isFinite(from)) return undefined;
  const after = from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 - nowMs;
  return after < 1000 ? 1000 : after + 1000;
}
