/**
 * The HPA replica calculation for Resource metrics (upstream's replica calculator), pure: pods grouped into ready,
 * unready, missing and ignored; the usage ratio against the target (utilization of requests, or an average value); the
 * 10% tolerance; missing Pods assumed at the target (scale-down) or idle (scale-up) and unready Pods idle on scale-up,
 * with the proposal dropped when that flips its direction. Values are in milli-units.
 */
import { milliValue } from '../scheduler/quantity.js';

export const DEFAULT_TOLERANCE = 0.1;
/** CPU samples of a Pod started this recently count only once it is ready and a sample window has passed since. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60 * 1000;
/** A Pod that turned unready within this long of starting is still starting up (not unready). */
export const INITIAL_READINESS_DELAY_MS = 30 * 1000;

export interface PodForMetrics {
  name: string;
  phase?: string;
  deleting: boolean;
  /** Ready condition: status and when it last changed (ms), if any. */
  ready?: { status: string; lastTransitionMs: number };
  startMs?: number;
  /** Requests of the resource per container (milli), undefined when a container has none. */
  containerRequests: { name: string; milli: number | undefined }[];
}

export interface MetricSample {
  milli: number;
  timestampMs: number;
  windowMs: number;
}

export interface GroupedPods {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

export function groupPods(pods: readonly PodForMetrics[], metrics: ReadonlyMap<string, MetricSample>, resource: string, nowMs: number): GroupedPods {
  const g: GroupedPods = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      g.ignored.add(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      g.unready.add(pod.name);
      continue;
    }
    const m = metrics.get(pod.name);
    if (!m) {
      g.missing.add(pod.name);
      continue;
    }
    if (resource === 'cpu') {
      let unready: boolean;
      if (!pod.ready || pod.startMs === undefined) unready = true;
      else if (pod.startMs + CPU_INITIALIZATION_PERIOD_MS > nowMs) unready = pod.ready.status === 'False' || m.timestampMs < pod.ready.lastTransitionMs + m.windowMs;
      else unready = pod.ready.status === 'False' && pod.startMs + INITIAL_READINESS_DELAY_MS > pod.ready.lastTransitionMs;
      if (unready) {
        g.unready.add(pod.name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

/** Each Pod's request of the resource (sum over its containers); throws naming the first container without one. */
export function podRequests(pods: readonly PodForMetrics[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.containerRequests) {
      if (c.milli === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.name}`);
      sum += c.milli;
    }
    out.set(pod.name, sum);
  }
  return out;
}

/** Utilization ratio, utilization (percent, truncated) and raw average usage (milli) over the Pods with requests. */
export function utilizationRatio(metrics: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [pod, value] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    metricsTotal += value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** Average usage ratio against a target average (milli). */
export function averageRatio(metrics: ReadonlyMap<string, number>, targetMilli: number): { ratio: number; average: number } {
  let total = 0;
  for (const v of metrics.values()) total += v;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / targetMilli, average };
}

export interface ResourceTarget {
  resource: string;
  /** Percent of requests (type Utilization). */
  averageUtilization?: number;
  /** Average per Pod, a quantity (type AverageValue). */
  averageValue?: string;
}

export interface ResourceProposal {
  replicas: number;
  /** Utilization (percent) when the target is a utilization. */
  utilization?: number;
  /** Average usage per Pod (milli). */
  averageMilli: number;
  timestampMs: number;
}

export interface ToleranceRange {
  /** Ratio deviations below 1 within this are ignored (default 0.1). */
  down: number;
  /** Ratio deviations above 1 within this are ignored (default 0.1). */
  up: number;
}

function withinTolerance(ratio: number, t: ToleranceRange): boolean {
  return ratio < 1 ? 1 - ratio <= t.down : ratio - 1 <= t.up;
}

/**
 * Replicas proposed for one Resource metric. Throws with upstream's messages when no Pods match, no usable metrics
 * remain or a request is missing.
 */
export function resourceReplicas(
  currentReplicas: number,
  target: ResourceTarget,
  pods: readonly PodForMetrics[],
  samples: ReadonlyMap<string, MetricSample>,
  nowMs: number,
  tolerance: ToleranceRange = { down: DEFAULT_TOLERANCE, up: DEFAULT_TOLERANCE },
): ResourceProposal {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, samples, target.resource, nowMs);
  const metrics = new Map<string, number>();
  let timestampMs = nowMs;
  for (const [name, s] of samples) {
    if (g.ignored.has(name) || g.unready.has(name) || !pods.some((p) => p.name === name)) continue;
    metrics.set(name, s.milli);
    timestampMs = Math.min(timestampMs, s.timestampMs);
  }
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const byUtilization = target.averageUtilization !== undefined;
  const requests = byUtilization ? podRequests(pods, target.resource) : new Map<string, number>();
  const targetMilli = byUtilization ? 0 : milliValue(target.averageValue ?? '0');
  const measure = (m: ReadonlyMap<string, number>): { ratio: number; utilization?: number; average: number } => {
    if (byUtilization) {
      const u = utilizationRatio(m, requests, target.averageUtilization!);
      return { ratio: u.ratio, utilization: u.utilization, average: u.rawAverage };
    }
    const a = averageRatio(m, targetMilli);
    return { ratio: a.ratio, average: a.average };
  };
  const first = measure(metrics);
  const result = (replicas: number): ResourceProposal => ({ replicas, averageMilli: first.average, timestampMs, ...(first.utilization !== undefined ? { utilization: first.utilization } : {}) });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (withinTolerance(first.ratio, tolerance)) return result(currentReplicas);
    return result(Math.ceil(first.ratio * g.readyCount));
  }
  if (g.missing.size > 0) {
    for (const name of g.missing) {
      if (first.ratio < 1) metrics.set(name, byUtilization ? Math.trunc(((requests.get(name) ?? 0) * Math.max(100, target.averageUtilization!)) / 100) : targetMilli);
      else if (first.ratio > 1) metrics.set(name, 0);
    }
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, 0);
  const next = measure(metrics);
  if (withinTolerance(next.ratio, tolerance) || (first.ratio < 1 && next.ratio > 1) || (first.ratio > 1 && next.ratio < 1)) return result(currentReplicas);
  const proposed = Math.ceil(next.ratio * metrics.size);
  if ((next.ratio < 1 && proposed > currentReplicas) || (next.ratio > 1 && proposed < currentReplicas)) return result(currentReplicas);
  return result(proposed);
}
