/**
 * Cluster API conditions (cluster.x-k8s.io/v1beta1 Condition): type, status, severity, reason,
 * message, lastTransitionTime — kept in `status.conditions`, Ready first then sorted by type, and a
 * Ready summary merged from the others (a False of highest severity wins, then True, then Unknown).
 */
import { rfc3339 } from '../apiserver/clock.js';
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { systemClock, type Clock } from './clock.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type ConditionSeverity = 'Error' | 'Warning' | 'Info' | '';

export interface Condition {
  type: string;
  status: ConditionStatus;
  severity?: ConditionSeverity;
  /** RFC 3339; changes only when status changes. */
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export const READY = 'Ready';

/** The conditions of an object (empty when it has none). */
export function getConditions(obj: KubeObject): Condition[] {
  const status = obj.status;
  if (!isPlainObject(status) || !Array.isArray(status.conditions)) return [];
  return status.conditions as Condition[];
}

function setConditions(obj: KubeObject, conditions: Condition[]): void {
  if (!isPlainObject(obj.status)) obj.status = {};
  (obj.status as Record<string, unknown>).conditions = conditions;
}

export function getCondition(obj: KubeObject, type: string): Condition | undefined {
  return getConditions(obj).find((c) => c.type === type);
}

export function isTrue(obj: KubeObject, type: string): boolean {
  return getCondition(obj, type)?.status === 'True';
}

export function isFalse(obj: KubeObject, type: string): boolean {
  return getCondition(obj, type)?.status === 'False';
}

export function isUnknown(obj: KubeObject, type: string): boolean {
  const c = getCondition(obj, type);
  return !c || c.status === 'Unknown';
}

function compare(a: Condition, b: Condition): number {
  if (a.type === READY) return b.type === READY ? 0 : -1;
  if (b.type === READY) return 1;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/**
 * Set (add or replace) a condition. lastTransitionTime is kept when the status does not change,
 * otherwise it becomes the clock's now. Returns true when anything changed.
 */
export function setCondition(obj: KubeObject, c: Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string }, clock: Clock = systemClock): boolean {
  const list = [...getConditions(obj)];
  const i = list.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: Condition = { type: c.type, status: c.status, lastTransitionTime: '' };
  if (c.severity) next.severity = c.severity;
  if (c.reason) next.reason = c.reason;
  if (c.message) next.message = c.message;
  if (old && old.status === next.status) next.lastTransitionTime = old.lastTransitionTime;
  else next.lastTransitionTime = c.lastTransitionTime ?? rfc3339(clock.now());
  if (old && sameCondition(old, next)) return false;
  if (i >= 0) list[i] = next;
  else list.push(next);
  list.sort(compare);
  setConditions(obj, list);
  return true;
}

function sameCondition(a: Condition, b: Condition): boolean {
  return a.status === b.status && (a.severity ?? '') === (b.severity ?? '') && (a.reason ?? '') === (b.reason ?? '') && (a.message ?? '') === (b.message ?? '') && a.lastTransitionTime === b.lastTransitionTime;
}

export function markTrue(obj: KubeObject, type: string, clock?: Clock): boolean {
  return setCondition(obj, { type, status: 'True' }, clock);
}

export function markFalse(obj: KubeObject, type: string, reason: string, severity: Exclude<ConditionSeverity, ''>, message: string, clock?: Clock): boolean {
  return setCondition(obj, { type, status: 'False', reason, severity, message }, clock);
}

export function markUnknown(obj: KubeObject, type: string, reason: string, message: string, clock?: Clock): boolean {
  return setCondition(obj, { type, status: 'Unknown', reason, message }, clock);
}

export function deleteCondition(obj: KubeObject, type: string): boolean {
  const list = getConditions(obj);
  if (!list.some((c) => c.type === type)) return false;
  setConditions(obj, list.filter((c) => c.type !== type));
  return true;
}

function priority(c: Condition): number {
  if (c.status === 'False') return c.severity === 'Error' ? 0 : c.severity === 'Warning' ? 1 : 2;
  return c.status === 'True' ? 3 : 4;
}

export interface SummaryOptions {
  /** Only these condition types count (default: every condition but Ready). */
  conditions?: string[];
  /** Message "n of m completed" instead of the top condition's message. */
  stepCounter?: boolean;
}

/** The Ready condition merged from the others (not set on the object). */
export function summary(obj: KubeObject, opts: SummaryOptions = {}): Omit<Condition, 'lastTransitionTime'> {
  let list = getConditions(obj).filter((c) => c.type !== READY);
  if (opts.conditions) list = opts.conditions.map((t) => list.find((c) => c.type === t) ?? ({ type: t, status: 'Unknown', lastTransitionTime: '' } as Condition));
  if (!list.length) return { type: READY, status: 'True' };
  const sorted = [...list].sort((a, b) => priority(a) - priority(b) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  const top = sorted[0]!;
  const out: Omit<Condition, 'lastTransitionTime'> = { type: READY, status: top.status };
  if (top.status === 'True') return out;
  if (top.severity) out.severity = top.severity;
  if (top.reason) out.reason = top.reason;
  const message = opts.stepCounter ? `${list.filter((c) => c.status === 'True').length} of ${list.length} completed` : top.message;
  if (message) out.message = message;
  return out;
}

/** Set Ready to the summary of the other conditions. Returns true when it changed. */
export function setSummary(obj: KubeObject, opts: SummaryOptions = {}, clock?: Clock): boolean {
  return setCondition(obj, summary(obj, opts), clock);
}
