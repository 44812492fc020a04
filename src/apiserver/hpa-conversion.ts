/**
 * HorizontalPodAutoscaler between autoscaling/v1 and autoscaling/v2, as kube-apiserver converts it
 * (pkg/apis/autoscaling/v1/conversion.go): v1 has one CPU utilization target; every other v2 metric, the
 * current metrics, the conditions and the behavior travel in annotations (metrics in the older v2beta1 shape),
 * so an object read as v1 and written back as v1 loses nothing.
 */
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';

type Obj = Record<string, unknown>;

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
/** Target CPU utilization an HPA written as v1 without one (and without other metrics) gets. */
export const DEFAULT_CPU_UTILIZATION = 80;

const ROUND_TRIP_ANNOTATIONS = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

const objOf = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const listOf = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);
const present = (v: unknown): boolean => v !== undefined && v !== null;

/** A copy of `o` without the keys whose value is undefined (JSON would drop them anyway). */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** A CrossVersionObjectReference (kind, name, apiVersion), the same in both versions. */
function crossVersionRef(o: Obj): Obj {
  return compact({ kind: o['kind'], name: o['name'], apiVersion: o['apiVersion'] });
}

function isCpuUtilizationMetric(m: Obj): boolean {
  const r = objOf(m['resource']);
  return m['type'] === 'Resource' && !!r && r['name'] === 'cpu' && present(objOf(r['target'])?.['averageUtilization']);
}

// ---- metric specs: v2 <-> the v1 (annotation) shape -----------------------------------------

function metricSpecToV1(m: Obj): Obj {
  const type = m['type'];
  const out: Obj = { type };
  const target = (src: Obj | undefined): Obj => objOf(src?.['target']) ?? {};
  const metric = (src: Obj | undefined): Obj => objOf(src?.['metric']) ?? {};
  const r = objOf(m['resource']);
  if (r) out['resource'] = compact({ name: r['name'], targetAverageUtilization: target(r)['averageUtilization'], targetAverageValue: target(r)['averageValue'] });
  const cr = objOf(m['containerResource']);
  if (cr) out['containerResource'] = compact({ name: cr['name'], container: cr['container'], targetAverageUtilization: target(cr)['averageUtilization'], targetAverageValue: target(cr)['averageValue'] });
  const p = objOf(m['pods']);
  if (p) out['pods'] = compact({ metricName: metric(p)['name'], targetAverageValue: target(p)['averageValue'] ?? '0', selector: metric(p)['selector'] });
  const o = objOf(m['object']);
  if (o) {
    const d = objOf(o['describedObject']) ?? {};
    out['object'] = compact({
      target: crossVersionRef(d),
      metricName: metric(o)['name'],
      targetValue: target(o)['value'] ?? '0',
      selector: metric(o)['selector'],
      averageValue: target(o)['averageValue'],
    });
  }
  const e = objOf(m['external']);
  if (e) out['external'] = compact({ metricName: metric(e)['name'], metricSelector: metric(e)['selector'], targetValue: target(e)['value'], targetAverageValue: target(e)['averageValue'] });
  return out;
}

function metricSpecFromV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] };
  const resourceTarget = (src: Obj): Obj =>
    compact({
      type: present(src['targetAverageUtilization']) ? 'Utilization' : 'AverageValue',
      averageUtilization: src['targetAverageUtilization'],
      averageValue: src['targetAverageValue'],
    });
  const r = objOf(m['resource']);
  if (r) out['resource'] = { name: r['name'], target: resourceTarget(r) };
  const cr = objOf(m['containerResource']);
  if (cr) out['containerResource'] = { name: cr['name'], container: cr['container'], target: resourceTarget(cr) };
  const p = objOf(m['pods']);
  if (p) out['pods'] = { metric: compact({ name: p['metricName'], selector: p['selector'] }), target: { type: 'AverageValue', averageValue: p['targetAverageValue'] } };
  const o = objOf(m['object']);
  if (o) {
    const t = objOf(o['target']) ?? {};
    out['object'] = {
      describedObject: crossVersionRef(t),
      metric: compact({ name: o['metricName'], selector: o['selector'] }),
      target: compact({ type: present(o['averageValue']) ? 'AverageValue' : 'Value', value: o['targetValue'], averageValue: o['averageValue'] }),
    };
  }
  const e = objOf(m['external']);
  if (e) {
    out['external'] = {
      metric: compact({ name: e['metricName'], selector: e['metricSelector'] }),
      target: compact({ type: present(e['targetValue']) ? 'Value' : 'AverageValue', value: e['targetValue'], averageValue: e['targetAverageValue'] }),
    };
  }
  return out;
}

// ---- metric statuses ------------------------------------------------------------------------

function metricStatusToV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] };
  const current = (src: Obj | undefined): Obj => objOf(src?.['current']) ?? {};
  const metric = (src: Obj | undefined): Obj => objOf(src?.['metric']) ?? {};
  const r = objOf(m['resource']);
  if (r) out['resource'] = compact({ name: r['name'], currentAverageUtilization: current(r)['averageUtilization'], currentAverageValue: current(r)['averageValue'] ?? '0' });
  const cr = objOf(m['containerResource']);
  if (cr) out['containerResource'] = compact({ name: cr['name'], container: cr['container'], currentAverageUtilization: current(cr)['averageUtilization'], currentAverageValue: current(cr)['averageValue'] ?? '0' });
  const p = objOf(m['pods']);
  if (p) out['pods'] = compact({ metricName: metric(p)['name'], currentAverageValue: current(p)['averageValue'] ?? '0', selector: metric(p)['selector'] });
  const o = objOf(m['object']);
  if (o) {
    const d = objOf(o['describedObject']) ?? {};
    out['object'] = compact({
      target: crossVersionRef(d),
      metricName: metric(o)['name'],
      currentValue: current(o)['value'] ?? '0',
      selector: metric(o)['selector'],
      averageValue: current(o)['averageValue'],
    });
  }
  const e = objOf(m['external']);
  if (e) out['external'] = compact({ metricName: metric(e)['name'], metricSelector: metric(e)['selector'], currentValue: current(e)['value'] ?? '0', currentAverageValue: current(e)['averageValue'] });
  return out;
}

function metricStatusFromV1(m: Obj): Obj {
  const out: Obj = { type: m['type'] };
  const r = objOf(m['resource']);
  if (r) out['resource'] = { name: r['name'], current: compact({ averageUtilization: r['currentAverageUtilization'], averageValue: r['currentAverageValue'] }) };
  const cr = objOf(m['containerResource']);
  if (cr) out['containerResource'] = { name: cr['name'], container: cr['container'], current: compact({ averageUtilization: cr['currentAverageUtilization'], averageValue: cr['currentAverageValue'] }) };
  const p = objOf(m['pods']);
  if (p) out['pods'] = { metric: compact({ name: p['metricName'], selector: p['selector'] }), current: compact({ averageValue: p['currentAverageValue'] }) };
  const o = objOf(m['object']);
  if (o) {
    const t = objOf(o['target']) ?? {};
    out['object'] = {
      describedObject: crossVersionRef(t),
      metric: compact({ name: o['metricName'], selector: o['selector'] }),
      current: compact({ value: o['currentValue'], averageValue: o['averageValue'] }),
    };
  }
  const e = objOf(m['external']);
  if (e) out['external'] = { metric: compact({ name: e['metricName'], selector: e['metricSelector'] }), current: compact({ value: e['currentValue'], averageValue: e['currentAverageValue'] }) };
  return out;
}

// ---- whole objects --------------------------------------------------------------------------

function parseList(text: string | undefined): Obj[] | undefined {
  if (text === undefined) return undefined;
  try {
    return listOf(JSON.parse(text));
  } catch {
    return [];
  }
}

/** An autoscaling/v2 HorizontalPodAutoscaler as autoscaling/v1 (a new object; the input is not changed). */
export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const spec = objOf(v2['spec']) ?? {};
  const status = objOf(v2['status']);
  const metrics = listOf(spec['metrics']);
  const annotations: Record<string, string> = { ...(v2.metadata?.annotations ?? {}) };
  for (const a of ROUND_TRIP_ANNOTATIONS) delete annotations[a];

  const others = metrics.filter((m) => !isCpuUtilizationMetric(m)).map(metricSpecToV1);
  if (others.length) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others);
  const currentMetrics = listOf(status?.['currentMetrics']);
  if (currentMetrics.length) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  const conditions = listOf(status?.['conditions']);
  if (conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  if (isPlainObject(spec['behavior'])) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec['behavior']);

  // The first CPU utilization metric is v1's target (a CPU average-value metric before it does not count: #101370).
  const cpu = metrics.find(isCpuUtilizationMetric);
  const cpuTarget = objOf(objOf(cpu?.['resource'])?.['target'])?.['averageUtilization'];
  const v1Spec = compact({
    scaleTargetRef: spec['scaleTargetRef'],
    minReplicas: spec['minReplicas'],
    maxReplicas: spec['maxReplicas'],
    targetCPUUtilizationPercentage: present(cpuTarget) ? cpuTarget : undefined,
  });

  const { apiVersion: _a, kind: _k, metadata, spec: _s, status: _st, ...rest } = v2;
  const metaOut = { ...(metadata ?? {}) };
  if (Object.keys(annotations).length) metaOut.annotations = annotations;
  else delete metaOut.annotations;
  const out: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: metaOut, ...rest, spec: v1Spec };
  if (status) {
    let currentCpu: unknown;
    for (const m of currentMetrics) {
      const r = objOf(m['resource']);
      const u = objOf(r?.['current'])?.['averageUtilization'];
      if (m['type'] === 'Resource' && r?.['name'] === 'cpu' && present(u)) currentCpu = u;
    }
    out['status'] = compact({
      observedGeneration: status['observedGeneration'],
      lastScaleTime: status['lastScaleTime'],
      currentReplicas: status['currentReplicas'] ?? 0,
      desiredReplicas: status['desiredReplicas'] ?? 0,
      currentCPUUtilizationPercentage: currentCpu,
    });
  }
  return out;
}

/** An autoscaling/v1 HorizontalPodAutoscaler as autoscaling/v2 (a new object; the input is not changed). */
export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const spec = objOf(v1['spec']) ?? {};
  const status = objOf(v1['status']);
  const annotations: Record<string, string> = { ...(v1.metadata?.annotations ?? {}) };

  const metrics: Obj[] = [];
  const others = parseList(annotations[METRIC_SPECS_ANNOTATION]);
  if (others) metrics.push(...others.map(metricSpecFromV1));
  if (present(spec['targetCPUUtilizationPercentage'])) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec['targetCPUUtilizationPercentage'] } } });
  }
  // v1 once left the CPU default to the controller; v2 states it.
  if (!metrics.length) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } });

  let behavior: unknown;
  if (annotations[BEHAVIOR_ANNOTATION] !== undefined) {
    try {
      behavior = JSON.parse(annotations[BEHAVIOR_ANNOTATION]);
    } catch {
      behavior = undefined;
    }
  }
  const v2Spec = compact({
    scaleTargetRef: spec['scaleTargetRef'],
    minReplicas: spec['minReplicas'],
    maxReplicas: spec['maxReplicas'],
    metrics,
    behavior: isPlainObject(behavior) ? behavior : undefined,
  });

  let v2Status: Obj | undefined;
  if (status) {
    v2Status = compact({
      observedGeneration: status['observedGeneration'],
      lastScaleTime: status['lastScaleTime'],
      currentReplicas: status['currentReplicas'],
      desiredReplicas: status['desiredReplicas'],
    });
    if (present(status['currentCPUUtilizationPercentage'])) {
      v2Status['currentMetrics'] = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status['currentCPUUtilizationPercentage'] } } }];
    }
  }
  const current = parseList(annotations[METRIC_STATUSES_ANNOTATION]);
  if (current) (v2Status ??= {})['currentMetrics'] = current.map(metricStatusFromV1);
  const conditions = parseList(annotations[CONDITIONS_ANNOTATION]);
  if (conditions) (v2Status ??= {})['conditions'] = conditions;

  for (const a of ROUND_TRIP_ANNOTATIONS) delete annotations[a];
  const { apiVersion: _a, kind: _k, metadata, spec: _s, status: _st, ...rest } = v1;
  const metaOut = { ...(metadata ?? {}) };
  if (Object.keys(annotations).length) metaOut.annotations = annotations;
  else delete metaOut.annotations;
  const out: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: metaOut, ...rest, spec: v2Spec };
  if (v2Status) out['status'] = v2Status;
  return out;
}

/** Converts an HPA in either served version to `toVersion` ("v1" or "v2"); same version: returned as is. */
export function convertHorizontalPodAutoscaler(obj: KubeObject, toVersion: string): KubeObject {
  const from = typeof obj.apiVersion === 'string' ? obj.apiVersion.replace(/^autoscaling\//, '') : toVersion;
  if (from === toVersion) return obj;
  if (from === 'v2' && toVersion === 'v1') return hpaV2ToV1(obj);
  if (from === 'v1' && toVersion === 'v2') return hpaV1ToV2(obj);
  throw new Error(`no conversion of HorizontalPodAutoscaler from autoscaling/${from} to autoscaling/${toVersion}`);
}
