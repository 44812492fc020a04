/**
 * The HorizontalPodAutoscaler controller of a workload cluster (kube-controller-manager's podautoscaler), for
 * autoscaling/v2 HPAs whose scaleTargetRef is a Deployment, ReplicaSet or StatefulSet: every sync (each HPA change and
 * every 15 s) it reads the target's scale (spec.replicas and spec.selector, what its scale subresource serves), computes
 * the replicas each Resource metric asks for (replicas.ts), takes the largest, applies min/maxReplicas and behavior
 * (behavior.ts), writes the new replicas to the target and the HPA's status (currentReplicas, desiredReplicas,
 * currentMetrics, lastScaleTime, conditions AbleToScale / ScalingActive / ScalingLimited with upstream's reasons).
 *
 * Simulated metrics: there is no metrics-server. A Pod's usage is its annotation `sim.slipway.dev/cpu-usage` or
 * `sim.slipway.dev/memory-usage` (a quantity such as "250m" or "300Mi"); a running Pod without it uses 0. Samples are
 * taken at each sync, with a window of `metricWindowMs` (CPU samples of Pods that turned ready less than a window ago
 * are not counted, as upstream). Pods, Object, External and ContainerResource metrics are not served: they count as
 * invalid metrics.
 */
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../apimachinery/selectors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { KindRef } from '../../../client/types.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { milliValue } from '../scheduler/quantity.js';
import type { WorkloadContext } from '../context.js';
import { newMemory, normalizeWithBehavior, normalizeWithoutBehavior, recordScaleEvent, DEFAULT_DOWNSCALE_STABILIZATION_MS, type Behavior, type HpaMemory } from './behavior.js';
import { DEFAULT_TOLERANCE, resourceReplicas, type MetricSample, type PodForMetrics, type ResourceProposal } from './replicas.js';
import { errorText } from '../../shared/errors.js';

export const HPA: KindRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
const POD: KindRef = { apiVersion: 'v1', kind: 'Pod' };
const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

export const CPU_USAGE_ANNOTATION = 'sim.slipway.dev/cpu-usage';
export const MEMORY_USAGE_ANNOTATION = 'sim.slipway.dev/memory-usage';

export interface HorizontalPodAutoscalerOptions {
  /** Between syncs of one HPA (default 15 s, upstream's --horizontal-pod-autoscaler-sync-period). */
  syncPeriodMs?: number;
  /** Scale-down stabilization when behavior sets none (default 5 minutes). */
  downscaleStabilizationMs?: number;
  /** Usage ratios within this of 1 do not scale (default 0.1). */
  tolerance?: number;
  /** The simulated metrics' sample window (default 30 s). */
  metricWindowMs?: number;
}

interface HpaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

interface HpaStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas: number;
  currentMetrics?: Record<string, unknown>[];
  conditions?: HpaCondition[];
}

interface MetricSpec {
  type: string;
  resource?: { name: string; target: { type: string; averageUtilization?: number; averageValue?: string } };
}

interface HpaSpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
  behavior?: Behavior;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A milli-value as a canonical quantity (whole units when exact). */
export function milliQuantity(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Sets a condition; lastTransitionTime moves only when the status changes. */
export function setHpaCondition(conditions: HpaCondition[], type: string, status: 'True' | 'False', reason: string, message: string, now: string): HpaCondition[] {
  const old = conditions.find((c) => c.type === type);
  const next: HpaCondition = { type, status, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, reason, message };
  return old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next];
}

/** A Pod as the replica calculation sees it, with its requests of `resource`. */
export function podForMetrics(pod: KubeObject, resource: string): PodForMetrics {
  const status = (pod.status ?? {}) as { phase?: string; startTime?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
  const ready = (status.conditions ?? []).find((c) => c.type === 'Ready');
  const containers = ((pod.spec as { containers?: { name: string; resources?: { requests?: Record<string, string> } }[] } | undefined)?.containers ?? []);
  return {
    name: pod.metadata?.name ?? '',
    ...(status.phase ? { phase: status.phase } : {}),
    deleting: !!pod.metadata?.deletionTimestamp,
    ...(ready ? { ready: { status: ready.status, lastTransitionMs: ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0 } } : {}),
    ...(status.startTime ? { startMs: Date.parse(status.startTime) } : {}),
    containerRequests: containers.map((c) => {
      const q = c.resources?.requests?.[resource];
      return { name: c.name, milli: q === undefined ? undefined : milliValue(q) };
    }),
  };
}

/** The simulated usage samples of running Pods (annotation, or 0). */
export function simulatedSamples(pods: readonly KubeObject[], resource: string, nowMs: number, windowMs: number): Map<string, MetricSample> {
  const key = resource === 'cpu' ? CPU_USAGE_ANNOTATION : resource === 'memory' ? MEMORY_USAGE_ANNOTATION : `sim.slipway.dev/${resource}-usage`;
  const out = new Map<string, MetricSample>();
  for (const pod of pods) {
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Running') continue;
    const text = pod.metadata?.annotations?.[key];
    let milli = 0;
    if (text !== undefined) {
      try {
        milli = milliValue(text);
      } catch {
        continue;
      }
    }
    out.set(pod.metadata?.name ?? '', { milli, timestampMs: nowMs, windowMs });
  }
  return out;
}

interface MetricsResult {
  replicas: number;
  metricName: string;
  statuses: Record<string, unknown>[];
}

export function setupHorizontalPodAutoscaler(ctx: WorkloadContext, opts: HorizontalPodAutoscalerOptions = {}): void {
  const { manager } = ctx;
  const syncPeriodMs = opts.syncPeriodMs ?? 15_000;
  const downscaleMs = opts.downscaleStabilizationMs ?? DEFAULT_DOWNSCALE_STABILIZATION_MS;
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const windowMs = opts.metricWindowMs ?? 30_000;
  const hpas = manager.informers.for(HPA);
  const pods = manager.informers.for(POD);
  const memories = new Map<string, HpaMemory>();

  function computeMetrics(hpa: KubeObject, spec: HpaSpec, current: number, selected: KubeObject[], nowMs: number, conditions: { set(type: string, status: 'True' | 'False', reason: string, message: string): void }): MetricsResult {
    let best: MetricsResult | undefined;
    let invalid = 0;
    let lastError = '';
    const statuses: Record<string, unknown>[] = [];
    for (const m of spec.metrics ?? []) {
      if (m.type !== 'Resource' || !m.resource) {
        invalid++;
        lastError = `invalid metrics (${m.type} metrics are not served by the simulated metrics API)`;
        conditions.set('ScalingActive', 'False', 'InvalidMetricSourceType', `the HPA was unable to compute the replica count: ${lastError}`);
        statuses.push({ type: '' });
        continue;
      }
      const { name, target } = m.resource;
      const byUtilization = target.type === 'Utilization';
      let p: ResourceProposal;
      try {
        if (byUtilization && target.averageUtilization === undefined) throw new Error('missing resource metric target: averageUtilization');
        if (!byUtilization && target.averageValue === undefined) throw new Error('missing resource metric target: averageValue');
        const samples = simulatedSamples(selected, name, nowMs, windowMs);
        p = resourceReplicas(current, byUtilization ? { resource: name, averageUtilization: target.averageUtilization } : { resource: name, averageValue: target.averageValue }, selected.map((x) => podForMetrics(x, name)), samples, nowMs, { down: tolerance, up: tolerance });
      } catch (e) {
        invalid++;
        lastError = `failed to get ${name} ${byUtilization ? 'utilization' : 'usage'}: ${errorText(e)}`;
        conditions.set('ScalingActive', 'False', 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${lastError}`);
        void manager.recorder.event(hpa, 'Warning', 'FailedGetResourceMetric', lastError);
        statuses.push({ type: '' });
        continue;
      }
      const current_: Record<string, unknown> = { averageValue: milliQuantity(p.averageMilli) };
      if (p.utilization !== undefined) current_.averageUtilization = p.utilization;
      statuses.push({ type: 'Resource', resource: { name, current: current_ } });
      const metricName = byUtilization ? `${name} resource utilization (percentage of request)` : `${name} resource`;
      if (!best || p.replicas > best.replicas) best = { replicas: p.replicas, metricName, statuses };
    }
    const count = (spec.metrics ?? []).length;
    // Every metric failed, or some failed and the rest would scale down: do not act on partial information.
    if (!best || invalid >= count || (invalid > 0 && best.replicas < current)) {
      void manager.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${invalid} invalid out of ${count}), first error is: ${lastError}`);
      throw Object.assign(new Error(lastError || 'no metrics'), { statuses });
    }
    return { ...best, statuses };
  }

  async function reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = `${req.namespace}/${req.name}`;
    const hpa = hpas.lister.get(req.name, req.namespace);
    if (!hpa) {
      memories.delete(key);
      return;
    }
    const spec = hpa.spec as HpaSpec;
    const old = (hpa.status ?? {}) as HpaStatus;
    const nowMs = rc.clock.nowMs();
    const now = rfc3339(nowMs);
    let conditions = [...(old.conditions ?? [])];
    const cond = { set: (type: string, status: 'True' | 'False', reason: string, message: string) => (conditions = setHpaCondition(conditions, type, status, reason, message, now)) };
    const status: HpaStatus = { ...old, observedGeneration: hpa.metadata?.generation ?? 0, desiredReplicas: old.desiredReplicas ?? 0 };
    const writeStatus = async (): Promise<void> => {
      status.conditions = conditions;
      if (JSON.stringify(status) === JSON.stringify({ ...old, conditions: old.conditions })) return;
      await rc.client.updateStatus({ ...hpa, status });
    };
    const requeue = { requeueAfter: syncPeriodMs };
    const mem = memories.get(key) ?? newMemory();
    memories.set(key, mem);

    // The target's scale.
    const ref = spec.scaleTargetRef;
    let target: KubeObject;
    try {
      if (!SCALABLE.has(ref.kind) || (ref.apiVersion ?? 'apps/v1').split('/')[0] !== 'apps') throw new Error(`the server could not find the requested resource (${ref.kind}.${ref.apiVersion ?? ''} has no scale subresource here)`);
      target = await rc.client.get({ apiVersion: ref.apiVersion ?? 'apps/v1', kind: ref.kind }, { namespace: req.namespace, name: ref.name });
    } catch (e) {
      const msg = isNotFound(e) ? `${ref.kind.toLowerCase()}s.apps "${ref.name}" not found` : errorText(e);
      cond.set('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      void rc.recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      await writeStatus();
      return requeue;
    }
    cond.set('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const current = typeof (target.spec as { replicas?: number } | undefined)?.replicas === 'number' ? (target.spec as { replicas: number }).replicas : 1;
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas;
    let desired = 0;
    let rescaleReason = '';
    let metricStatuses: Record<string, unknown>[] | undefined = old.currentMetrics;

    if (current === 0 && min !== 0) {
      desired = 0;
      cond.set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (current > max) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const selector = labelSelectorFromObject(((target.spec as { selector?: LabelSelectorObject } | undefined)?.selector ?? null) as LabelSelectorObject);
      const selected = pods.lister.list({ namespace: req.namespace ?? '', labelSelector: selector });
      let result: MetricsResult;
      try {
        result = computeMetrics(hpa, spec, current, selected, nowMs, cond);
      } catch (e) {
        status.currentReplicas = current;
        status.currentMetrics = (e as { statuses?: Record<string, unknown>[] }).statuses ?? [];
        await writeStatus();
        return requeue;
      }
      metricStatuses = result.statuses;
      cond.set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${result.metricName}`);
      const outcome = spec.behavior
        ? normalizeWithBehavior(mem, spec.behavior, current, result.replicas, min, max, nowMs, downscaleMs)
        : normalizeWithoutBehavior(mem, current, result.replicas, min, max, nowMs, downscaleMs);
      cond.set('AbleToScale', 'True', outcome.ableToScale.reason, outcome.ableToScale.message);
      cond.set('ScalingLimited', outcome.scalingLimited.limited ? 'True' : 'False', outcome.scalingLimited.reason, outcome.scalingLimited.message);
      desired = outcome.replicas;
      if (desired > current) rescaleReason = `${result.metricName} above target`;
      if (desired < current) rescaleReason = 'All metrics below target';
    }

    const rescale = desired !== current && !(current === 0 && min !== 0);
    if (rescale) {
      try {
        await rc.client.patch({ apiVersion: target.apiVersion!, kind: target.kind! }, { namespace: req.namespace, name: ref.name }, { type: 'merge', body: { spec: { replicas: desired } } });
      } catch (e) {
        cond.set('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${errorText(e)}`);
        void rc.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${errorText(e)}`);
        status.currentReplicas = current;
        await writeStatus();
        throw e;
      }
      cond.set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      void rc.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
      recordScaleEvent(mem, spec.behavior, current, desired, nowMs);
      status.lastScaleTime = now;
    } else {
      desired = current;
    }
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    if (metricStatuses) status.currentMetrics = metricStatuses;
    await writeStatus();
    return requeue;
  }

  manager.add({ name: 'horizontal-pod-autoscaler', for: HPA, reconciler: reconcile });
}
