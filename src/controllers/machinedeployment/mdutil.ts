/**
 * MachineDeployment arithmetic (Cluster API's mdutil, pure): surge and unavailability budgets, revisions and the
 * replica annotations on MachineSets, which MachineSet matches the template, replica sums, orderings and the template
 * hash. No I/O: everything works on object snapshots.
 */
import { createHash } from 'node:crypto';
import { parseApiVersion } from '../../apimachinery/types.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  type IntOrString,
  type LabelSelector,
  type MachineDeployment,
  type MachineDeploymentStatus,
  type MachineSet,
  type MachineTemplateSpec,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { roundHalfAwayFromZero, scaledValue } from '../shared/intstr.js';

/** What the MachineDeployment webhook defaults when a field is unset (used when a plane serves no defaults). */
export const DEFAULT_MAX_SURGE: IntOrString = 1;
export const DEFAULT_MAX_UNAVAILABLE: IntOrString = 0;
export const DEFAULT_REPLICAS = 1;

const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const CONVERSION_DATA_ANNOTATION = 'cluster.x-k8s.io/conversion-data';
/** MachineDeployment annotations never copied onto its MachineSets. */
const ANNOTATIONS_NOT_COPIED = new Set([LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, CONVERSION_DATA_ANNOTATION]);

// ---- spec accessors -------------------------------------------------------------------------------

export function desiredReplicas(md: MachineDeployment): number {
  return md.spec.replicas ?? DEFAULT_REPLICAS;
}

/** spec.replicas of a MachineSet (1 when unset, the webhook's default). */
export function msReplicas(ms: MachineSet): number {
  return ms.spec.replicas ?? 1;
}

export function isRollingUpdate(md: MachineDeployment): boolean {
  return (md.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function isOnDelete(md: MachineDeployment): boolean {
  return md.spec.strategy?.type === 'OnDelete';
}

// ---- surge and unavailability -----------------------------------------------------------------------

/**
 * maxSurge (rounded up) and maxUnavailable (rounded down) for `desired` replicas. When both come to zero,
 * maxUnavailable becomes 1 so a rollout can always progress (upstream ResolveFenceposts).
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? DEFAULT_MAX_SURGE, desired, true, 'spec.strategy.rollingUpdate.maxSurge');
  let unavailable = scaledValue(maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, desired, false, 'spec.strategy.rollingUpdate.maxUnavailable');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** Machines allowed above spec.replicas during a rollout (0 unless RollingUpdate). */
export function maxSurge(md: MachineDeployment): number {
  if (!isRollingUpdate(md)) return 0;
  const ru = md.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(md)).surge;
}

/** Machines allowed to be unavailable during a rollout (0 unless RollingUpdate; never more than spec.replicas). */
export function maxUnavailable(md: MachineDeployment): number {
  const replicas = desiredReplicas(md);
  if (!isRollingUpdate(md) || replicas === 0) return 0;
  const ru = md.spec.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

// ---- revisions and replica annotations ---------------------------------------------------------------

/** The revision annotation of an object (0 when absent; NaN when it is not an integer). */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^-?[0-9]+$/.test(v) ? Number(v) : Number.NaN;
}

/** The highest revision among MachineSets (unparsable ones are skipped). */
export function maxRevision(machineSets: MachineSet[]): number {
  let max = 0;
  for (const ms of machineSets) {
    const v = revisionOf(ms);
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}

/**
 * The annotations a MachineSet of this MachineDeployment carries: the MachineDeployment's own (but the bookkeeping
 * ones), its revision (one above the old MachineSets', kept when the MachineSet already has a higher one), the
 * revision history when the revision changes, and the desired/max replica annotations.
 */
export function computeMachineSetAnnotations(md: MachineDeployment, oldMSs: MachineSet[], existing?: MachineSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.metadata?.annotations ?? {})) if (!ANNOTATIONS_NOT_COPIED.has(k)) out[k] = v;
  let revision = String(maxRevision(oldMSs) + 1);
  if (existing) {
    const current = existing.metadata?.annotations?.[REVISION_ANNOTATION];
    if (current !== undefined) {
      const n = revisionOf(existing);
      if (!Number.isFinite(n)) throw new Error(`MachineSet ${existing.metadata?.namespace}/${existing.metadata?.name}: annotation ${REVISION_ANNOTATION} is not an integer: ${JSON.stringify(current)}`);
      if (Number(revision) < n) revision = current;
    }
    const history = existing.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION];
    if (history !== undefined) out[REVISION_HISTORY_ANNOTATION] = history;
    if (current !== undefined && current !== revision) out[REVISION_HISTORY_ANNOTATION] = history ? `${history},${current}` : current;
  }
  out[REVISION_ANNOTATION] = revision;
  out[DESIRED_REPLICAS_ANNOTATION] = String(desiredReplicas(md));
  out[MAX_REPLICAS_ANNOTATION] = String(desiredReplicas(md) + maxSurge(md));
  return out;
}

/** Set the desired/max replica annotations; true when they changed. */
export function setReplicasAnnotations(ms: MachineSet, desired: number, max: number): boolean {
  const meta = (ms.metadata ??= {});
  const a = (meta.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(ms: MachineSet, desired: number, max: number): boolean {
  const a = ms.metadata?.annotations;
  return !a || a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(ms: MachineSet, key: string): number | undefined {
  const v = ms.metadata?.annotations?.[key];
  return v !== undefined && /^-?[0-9]+$/.test(v) ? Number(v) : undefined;
}

// ---- orderings ---------------------------------------------------------------------------------------

export function creationMs(obj: { metadata?: { creationTimestamp?: string } }): number {
  const t = obj.metadata?.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

function nameOf(obj: { metadata?: { name?: string } }): string {
  return obj.metadata?.name ?? '';
}

function byName(a: MachineSet, b: MachineSet): number {
  const x = nameOf(a);
  const y = nameOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Oldest first; equal times by name. */
export function byCreation(a: MachineSet, b: MachineSet): number {
  return creationMs(a) - creationMs(b) || byName(a, b);
}

/** Most replicas first; equal sizes oldest first, then by name. */
export function byDecreasingReplicas(a: MachineSet, b: MachineSet): number {
  return msReplicas(b) - msReplicas(a) || byCreation(a, b);
}

/** Larger first; equal sizes older first (scaling down takes from older sets first). */
export function bySizeOlder(a: MachineSet, b: MachineSet): number {
  return msReplicas(b) - msReplicas(a) || creationMs(a) - creationMs(b) || byName(a, b);
}

/** Larger first; equal sizes newer first (scaling up gives to newer sets first). */
export function bySizeNewer(a: MachineSet, b: MachineSet): number {
  return msReplicas(b) - msReplicas(a) || creationMs(b) - creationMs(a) || byName(a, b);
}

// ---- the machine template ------------------------------------------------------------------------------

function refRolloutFields(ref: ObjectReference | undefined): Record<string, unknown> | undefined {
  if (!ref) return undefined;
  // Only the API group counts: a new version of the same template kind is no rollout.
  return { group: parseApiVersion(ref.apiVersion ?? '').group, kind: ref.kind ?? '', name: ref.name ?? '' };
}

/** The parts of a machine template whose change rolls Machines out (upstream MachineTemplateDeepCopyRolloutFields). */
export function templateRolloutFields(t: MachineTemplateSpec): Record<string, unknown> {
  const spec = t.spec ?? ({} as MachineTemplateSpec['spec']);
  const bootstrap = spec.bootstrap?.configRef ? { configRef: refRolloutFields(spec.bootstrap.configRef) } : { dataSecretName: spec.bootstrap?.dataSecretName ?? null };
  return {
    version: spec.version ?? null,
    bootstrap,
    infrastructureRef: refRolloutFields(spec.infrastructureRef) ?? null,
    failureDomain: spec.failureDomain ?? null,
  };
}

function describeRef(r: Record<string, unknown> | undefined | null): string {
  return r ? `${r.kind} ${r.name}` : 'nil';
}

/**
 * Whether a MachineSet's template still matches the desired one (version, bootstrap, infrastructure reference,
 * failure domain); the differences are described when not.
 */
export function machineTemplateUpToDate(current: MachineTemplateSpec, desired: MachineTemplateSpec): { upToDate: boolean; differences: string[] } {
  const c = templateRolloutFields(current);
  const d = templateRolloutFields(desired);
  const differences: string[] = [];
  if (c.version !== d.version) differences.push(`spec.version ${c.version ?? 'nil'}, ${d.version ?? 'nil'} required`);
  const cb = c.bootstrap as { configRef?: Record<string, unknown>; dataSecretName?: string | null };
  const db = d.bootstrap as { configRef?: Record<string, unknown>; dataSecretName?: string | null };
  if (JSON.stringify(cb) !== JSON.stringify(db)) {
    if (cb.configRef) differences.push(`spec.bootstrap.configRef ${describeRef(cb.configRef)}, ${describeRef(db.configRef)} required`);
    else differences.push(`spec.bootstrap.dataSecretName ${cb.dataSecretName ?? 'nil'}, ${db.dataSecretName ?? 'nil'} required`);
  }
  if (JSON.stringify(c.infrastructureRef) !== JSON.stringify(d.infrastructureRef)) {
    differences.push(`spec.infrastructureRef ${describeRef(c.infrastructureRef as Record<string, unknown>)}, ${describeRef(d.infrastructureRef as Record<string, unknown>)} required`);
  }
  if (c.failureDomain !== d.failureDomain) differences.push(`spec.failureDomain ${c.failureDomain ?? 'nil'}, ${d.failureDomain ?? 'nil'} required`);
  return { upToDate: differences.length === 0, differences };
}

/** JSON with object keys sorted, so equal values always serialize the same. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A stable hash of the template's rollout fields: the decimal value of the first 32 bits of their SHA-256 (the
 * `machine-template-hash` label carries it, plus a random suffix that tells apart MachineSets made by rolloutAfter).
 */
export function templateHash(t: MachineTemplateSpec): string {
  return String(createHash('sha256').update(stableJson(templateRolloutFields(t))).digest().readUInt32BE(0));
}

// ---- new and old MachineSets ------------------------------------------------------------------------------

/**
 * The MachineSet matching the MachineDeployment's template (the largest, then oldest, when several do). Once
 * `now` has passed spec.rolloutAfter, only a matching MachineSet created at or after that time counts; `reason`
 * says why none matches.
 */
export function findNewMachineSet(md: MachineDeployment, msList: MachineSet[], now: number): { machineSet?: MachineSet; reason: string } {
  if (!msList.length) return { reason: 'no MachineSets exist for the MachineDeployment' };
  const sorted = [...msList].sort(byDecreasingReplicas);
  const matching: MachineSet[] = [];
  const diffs: string[] = [];
  for (const ms of sorted) {
    const { upToDate, differences } = machineTemplateUpToDate(ms.spec.template, md.spec.template);
    if (upToDate) matching.push(ms);
    else diffs.push(`MachineSet ${nameOf(ms)}: diff: ${differences.join(', ')}`);
  }
  if (!matching.length) return { reason: `couldn't find MachineSet matching MachineDeployment spec template: ${diffs.join('; ')}` };
  const rolloutAfter = md.spec.rolloutAfter ? Date.parse(md.spec.rolloutAfter) : Number.NaN;
  if (!Number.isFinite(rolloutAfter) || now < rolloutAfter) return { machineSet: matching[0], reason: '' };
  const fresh = matching.find((ms) => creationMs(ms) >= rolloutAfter);
  if (fresh) return { machineSet: fresh, reason: '' };
  return { reason: `RolloutAfter on MachineDeployment set to ${md.spec.rolloutAfter}, no MachineSet has been created afterwards` };
}

/** Every MachineSet but the new one. */
export function findOldMachineSets(md: MachineDeployment, msList: MachineSet[], now: number): MachineSet[] {
  const newMS = findNewMachineSet(md, msList, now).machineSet;
  if (!newMS) return [...msList];
  const uid = newMS.metadata?.uid;
  return msList.filter((ms) => ms !== newMS && !(uid && ms.metadata?.uid === uid));
}

// ---- replica sums ----------------------------------------------------------------------------------------

type MaybeSets = (MachineSet | undefined)[];

/** Sum of spec.replicas. */
export function specReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, ms) => n + (ms ? msReplicas(ms) : 0), 0);
}

/** Sum of status.replicas (the Machines that exist). */
export function actualReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, ms) => n + (ms?.status?.replicas ?? 0), 0);
}

/** Sum of max(spec.replicas, status.replicas): Machines being deleted still count against the surge. */
export function totalReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, ms) => n + (ms ? Math.max(msReplicas(ms), ms.status?.replicas ?? 0) : 0), 0);
}

export function readyReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, ms) => n + (ms?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaSum(sets: MaybeSets): number {
  return sets.reduce((n, ms) => n + (ms?.status?.availableReplicas ?? 0), 0);
}

/** MachineSets with spec.replicas above zero. */
export function activeMachineSets(sets: MaybeSets): MachineSet[] {
  return sets.filter((ms): ms is MachineSet => !!ms && msReplicas(ms) > 0);
}

// ---- rollout helpers ---------------------------------------------------------------------------------------

/** The rollout is done: every replica updated, no extra Machines, all available, the latest generation observed. */
export function deploymentComplete(md: MachineDeployment, status: MachineDeploymentStatus): boolean {
  const n = desiredReplicas(md);
  return status.updatedReplicas === n && status.replicas === n && status.availableReplicas === n && (status.observedGeneration ?? 0) >= (md.metadata?.generation ?? 0);
}

/** The spec.replicas the new MachineSet may grow to now (bounded by maxSurge, or for OnDelete by spec.replicas). */
export function newMSNewReplicas(md: MachineDeployment, allMSs: MaybeSets, newMSReplicas: number): number {
  const replicas = desiredReplicas(md);
  const current = totalReplicaSum(allMSs);
  if (isRollingUpdate(md)) {
    const ru = md.spec.strategy?.rollingUpdate;
    const surge = scaledValue(ru?.maxSurge ?? DEFAULT_MAX_SURGE, replicas, true, 'spec.strategy.rollingUpdate.maxSurge');
    const maxTotal = replicas + surge;
    if (current >= maxTotal) return newMSReplicas;
    return newMSReplicas + Math.min(maxTotal - current, replicas - newMSReplicas);
  }
  if (isOnDelete(md)) {
    if (current >= replicas) return newMSReplicas;
    return newMSReplicas + (replicas - current);
  }
  throw new Error(`spec.strategy.type: unsupported strategy ${JSON.stringify(md.spec.strategy?.type)} (RollingUpdate or OnDelete)`);
}

/** The new MachineSet has every replica, as wanted, and all are available. */
export function isSaturated(md: MachineDeployment, ms: MachineSet | undefined): boolean {
  if (!ms) return false;
  const desired = intAnnotation(ms, DESIRED_REPLICAS_ANNOTATION);
  const n = desiredReplicas(md);
  return desired !== undefined && msReplicas(ms) === n && desired === n && (ms.status?.availableReplicas ?? 0) === n;
}

/** The one active MachineSet (or, when none is active, the new one or the newest old one); none when several are. */
export function findOneActiveOrLatest(newMS: MachineSet | undefined, oldMSs: MachineSet[]): MachineSet | undefined {
  if (!newMS && !oldMSs.length) return undefined;
  const newestFirst = [...oldMSs].sort((a, b) => byCreation(b, a));
  const active = activeMachineSets([...newestFirst, newMS]);
  if (active.length === 0) return newMS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * How many replicas a MachineSet gains (or loses, when negative) in a proportional scale of `toAdd` replicas of which
 * `added` are handed out already: its share of the new size, by its max-replicas annotation.
 */
export function getProportion(ms: MachineSet, md: MachineDeployment, toAdd: number, added: number): number {
  if (msReplicas(ms) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = machineSetFraction(ms, md);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function machineSetFraction(ms: MachineSet, md: MachineDeployment): number {
  const replicas = desiredReplicas(md);
  if (replicas === 0) return -msReplicas(ms);
  const deploymentReplicas = replicas + maxSurge(md);
  const annotated = intAnnotation(ms, MAX_REPLICAS_ANNOTATION) ?? md.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAwayFromZero((msReplicas(ms) * deploymentReplicas) / annotated) - msReplicas(ms);
}

/** A copy of a selector with one more matchLabels entry. */
export function cloneSelectorAndAddLabel(selector: LabelSelector | undefined, key: string, value: string): LabelSelector {
  const out: LabelSelector = { matchLabels: { ...(selector?.matchLabels ?? {}), [key]: value } };
  if (selector?.matchExpressions) out.matchExpressions = selector.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values ? { values: [...e.values] } : {}) }));
  return out;
}
