/**
 * Turning a metric proposal into the replicas to set (upstream's normalization), pure over an explicit per-HPA memory of
 * recent recommendations and scale events:
 * - without spec.behavior: the highest recommendation of the downscale stabilization window (5 minutes), then the
 *   bounds min/maxReplicas and the scale-up limit max(2*current, 4);
 * - with spec.behavior: scaleUp/scaleDown stabilization windows, then the policies' rate limits (Pods/Percent per
 *   period, selectPolicy Max/Min/Disabled, counting the scale events of each period), then min/maxReplicas.
 * Each step reports the AbleToScale / ScalingLimited reason and message upstream sets.
 */

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
  tolerance?: string | number;
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface Recommendation {
  replicas: number;
  atMs: number;
}

export interface ScaleEvent {
  change: number;
  atMs: number;
}

/** What the controller remembers of one HPA between syncs. */
export interface HpaMemory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export function newMemory(): HpaMemory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

export interface Outcome {
  replicas: number;
  ableToScale: { reason: string; message: string };
  scalingLimited: { limited: boolean; reason: string; message: string };
}

export const DEFAULT_DOWNSCALE_STABILIZATION_MS = 5 * 60 * 1000;

const WITHIN_RANGE = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const TOO_FEW = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
const TOO_MANY = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const SCALE_UP_LIMIT = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const SCALE_DOWN_LIMIT = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const UP_STABILIZED = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
const DOWN_STABILIZED = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };

function limited(replicas: number, stabilized: number, r: { reason: string; message: string }): Outcome['scalingLimited'] {
  return { limited: replicas !== stabilized, ...r };
}

/** Without spec.behavior. Records the recommendation in `mem`. */
export function normalizeWithoutBehavior(mem: HpaMemory, current: number, proposed: number, min: number, max: number, nowMs: number, downscaleWindowMs = DEFAULT_DOWNSCALE_STABILIZATION_MS): Outcome {
  const cutoff = nowMs - downscaleWindowMs;
  let stabilized = proposed;
  mem.recommendations = mem.recommendations.filter((r) => r.atMs > cutoff);
  for (const r of mem.recommendations) stabilized = Math.max(stabilized, r.replicas);
  mem.recommendations.push({ replicas: proposed, atMs: nowMs });
  const ableToScale = stabilized !== proposed ? DOWN_STABILIZED : READY;
  const scaleUpLimit = Math.max(2 * current, 4);
  let replicas = stabilized;
  let r = WITHIN_RANGE;
  if (stabilized < min) {
    replicas = min;
    r = TOO_FEW;
  } else {
    const maximum = Math.min(max, scaleUpLimit);
    if (stabilized > maximum) {
      replicas = maximum;
      r = max > scaleUpLimit ? SCALE_UP_LIMIT : TOO_MANY;
    }
  }
  return { replicas, ableToScale, scalingLimited: limited(replicas, stabilized, r) };
}

function windowMs(rules: ScalingRules | undefined, fallbackMs: number): number {
  const s = rules?.stabilizationWindowSeconds;
  return typeof s === 'number' ? s * 1000 : fallbackMs;
}

/** Replicas added (or removed) by the events of the last `periodSeconds`. */
export function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.atMs > cutoff) sum += e.change;
  return sum;
}

export function scaleUpLimit(current: number, events: readonly ScaleEvent[], rules: ScalingRules | undefined, nowMs: number): number {
  const select = rules?.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules?.policies ?? []) {
    const start = current - changeInPeriod(events, p.periodSeconds, nowMs);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export function scaleDownLimit(current: number, events: readonly ScaleEvent[], rules: ScalingRules | undefined, nowMs: number): number {
  const select = rules?.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  // The least change down is the largest count.
  let result = select === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules?.policies ?? []) {
    const start = current + changeInPeriod(events, p.periodSeconds, nowMs);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** With spec.behavior. Records the recommendation in `mem`. */
export function normalizeWithBehavior(mem: HpaMemory, behavior: Behavior, current: number, proposed: number, min: number, max: number, nowMs: number, downscaleWindowMs = DEFAULT_DOWNSCALE_STABILIZATION_MS): Outcome {
  const upCutoff = nowMs - windowMs(behavior.scaleUp, 0);
  const downCutoff = nowMs - windowMs(behavior.scaleDown, downscaleWindowMs);
  let up = proposed;
  let down = proposed;
  for (const r of mem.recommendations) {
    if (r.atMs > upCutoff) up = Math.min(up, r.replicas);
    if (r.atMs > downCutoff) down = Math.max(down, r.replicas);
  }
  mem.recommendations = mem.recommendations.filter((r) => r.atMs > Math.min(upCutoff, downCutoff));
  mem.recommendations.push({ replicas: proposed, atMs: nowMs });
  let stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  const ableToScale = stabilized !== proposed ? (proposed >= current ? UP_STABILIZED : DOWN_STABILIZED) : READY;

  let replicas = stabilized;
  let r = WITHIN_RANGE;
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, mem.scaleUpEvents, behavior.scaleUp, nowMs));
    const reason = max > limit ? SCALE_UP_LIMIT : TOO_MANY;
    const maximum = Math.min(max, limit);
    if (stabilized > maximum) {
      replicas = maximum;
      r = reason;
    }
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, mem.scaleDownEvents, behavior.scaleDown, nowMs));
    const reason = min < limit ? SCALE_DOWN_LIMIT : TOO_FEW;
    const minimum = Math.max(min, limit);
    if (stabilized < minimum) {
      replicas = minimum;
      r = reason;
    }
  }
  return { replicas, ableToScale, scalingLimited: limited(replicas, stabilized, r) };
}

/** Remember a rescale (only with spec.behavior, whose policies count them); events older than the longest period go. */
export function recordScaleEvent(mem: HpaMemory, behavior: Behavior | undefined, from: number, to: number, nowMs: number): void {
  if (!behavior || from === to) return;
  const longest = (rules: ScalingRules | undefined): number => Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  mem.scaleUpEvents = mem.scaleUpEvents.filter((e) => e.atMs > nowMs - longest(behavior.scaleUp));
  mem.scaleDownEvents = mem.scaleDownEvents.filter((e) => e.atMs > nowMs - longest(behavior.scaleDown));
  if (to > from) mem.scaleUpEvents.push({ change: to - from, atMs: nowMs });
  else mem.scaleDownEvents.push({ change: from - to, atMs: nowMs });
}
