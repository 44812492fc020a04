import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.js';
import {
  BEHAVIOR_ANNOTATION,
  CONDITIONS_ANNOTATION,
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
  convertHorizontalPodAutoscaler,
  hpaV1ToV2,
  hpaV2ToV1,
} from './hpa-conversion.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpuUtil = (n: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } });
const cpuValue = (q: string) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: q } } });
const memValue = (q: string) => ({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: q } } });
const podsMetric = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
const objectMetric = {
  type: 'Object',
  object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'rps' }, target: { type: 'Value', value: '2k' } },
};
const externalMetric = { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'jobs' } } }, target: { type: 'AverageValue', averageValue: '30' } } };
const containerMetric = { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 50 } } };

function v2(spec: Record<string, unknown>, status?: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, ...spec },
    ...(status ? { status } : {}),
  };
}

describe('HorizontalPodAutoscaler v2 -> v1 spec (upstream TestConvert_autoscaling_HorizontalPodAutoscalerSpec_To_v1)', () => {
  const cases: { name: string; metrics: unknown[]; want: number | undefined }[] = [
    { name: 'CPU average value and utilization both: the utilization counts', metrics: [cpuValue('300m'), cpuUtil(70)], want: 70 },
    { name: 'no metrics', metrics: [], want: undefined },
    { name: 'CPU utilization only', metrics: [cpuUtil(60)], want: 60 },
    { name: 'CPU average value only', metrics: [cpuValue('300m')], want: undefined },
    { name: 'memory then CPU utilization', metrics: [memValue('1Gi'), cpuUtil(55)], want: 55 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = hpaV2ToV1(v2({ metrics: c.metrics }));
      assert.deepEqual(out.spec, { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, ...(c.want === undefined ? {} : { targetCPUUtilizationPercentage: c.want }) });
      assert.equal(out.apiVersion, 'autoscaling/v1');
    });
  }
});

describe('HorizontalPodAutoscaler v1 -> v2', () => {
  it('targetCPUUtilizationPercentage becomes a Resource cpu Utilization metric', () => {
    const out = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 } });
    assert.deepEqual(out, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, metrics: [cpuUtil(80)] } });
  });

  it('no target and no other metrics: the 80% CPU default is stated', () => {
    const out = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5 } });
    assert.deepEqual((out.spec as Record<string, unknown>).metrics, [cpuUtil(80)]);
  });

  it('metrics from the annotation come first, the CPU target last; the annotation is consumed', () => {
    const annotation = JSON.stringify([{ type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } }]);
    const out = hpaV1ToV2({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', annotations: { [METRIC_SPECS_ANNOTATION]: annotation, keep: 'me' } },
      spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    });
    assert.deepEqual((out.spec as Record<string, unknown>).metrics, [podsMetric, cpuUtil(70)]);
    assert.deepEqual(out.metadata!.annotations, { keep: 'me' });
  });

  it('status: currentCPUUtilizationPercentage becomes a cpu current metric', () => {
    const out = hpaV1ToV2({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: ref, maxReplicas: 5 },
      status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 91 },
    });
    assert.deepEqual(out.status, { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91 } } }] });
  });
});

describe('HorizontalPodAutoscaler round trips', () => {
  const status = {
    observedGeneration: 2,
    currentReplicas: 2,
    desiredReplicas: 3,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91, averageValue: '120m' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '12' } } },
    ],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  };
  const behavior = { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
  const cases: { name: string; obj: KubeObject }[] = [
    { name: 'CPU utilization only', obj: v2({ metrics: [cpuUtil(80)] }) },
    { name: 'other metrics before the CPU target', obj: v2({ metrics: [podsMetric, objectMetric, externalMetric, containerMetric, memValue('512Mi'), cpuUtil(50)] }) },
    { name: 'CPU average value (kept in the annotation)', obj: v2({ metrics: [cpuValue('300m')] }) },
    { name: 'status, conditions and behavior', obj: v2({ metrics: [podsMetric, cpuUtil(50)], behavior }, status, { team: 'web' }) },
  ];
  for (const c of cases) {
    it(`v2 -> v1 -> v2: ${c.name}`, () => {
      const v1 = convertHorizontalPodAutoscaler(c.obj, 'v1');
      assert.equal(v1.apiVersion, 'autoscaling/v1');
      assert.deepEqual(convertHorizontalPodAutoscaler(v1, 'v2'), c.obj);
    });
  }

  it('v2 -> v1 keeps what v1 cannot say in the annotations, current CPU in status', () => {
    const v1 = hpaV2ToV1(v2({ metrics: [podsMetric, cpuUtil(50)], behavior }, status, { team: 'web' }));
    const a = v1.metadata!.annotations!;
    assert.deepEqual(JSON.parse(a[METRIC_SPECS_ANNOTATION]!), [{ type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } }]);
    assert.deepEqual(JSON.parse(a[METRIC_STATUSES_ANNOTATION]!), [
      { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 91, currentAverageValue: '120m' } },
      { type: 'Pods', pods: { metricName: 'qps', currentAverageValue: '12' } },
    ]);
    assert.deepEqual(JSON.parse(a[CONDITIONS_ANNOTATION]!), status.conditions);
    assert.deepEqual(JSON.parse(a[BEHAVIOR_ANNOTATION]!), behavior);
    assert.equal(a.team, 'web');
    assert.deepEqual(v1.status, { observedGeneration: 2, currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 91 });
    assert.deepEqual(v1.spec, { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 });
  });

  it('v2 -> v1 drops stale round-trip annotations of the input', () => {
    const v1 = hpaV2ToV1(v2({ metrics: [cpuUtil(80)] }, undefined, { [METRIC_SPECS_ANNOTATION]: '[]', [BEHAVIOR_ANNOTATION]: '{}' }));
    assert.equal(v1.metadata!.annotations, undefined);
  });

  it('v1 -> v2 -> v1 of a v1 object', () => {
    const v1: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
      status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 },
    };
    const back = hpaV2ToV1(hpaV1ToV2(v1));
    assert.deepEqual(back.spec, v1.spec);
    assert.deepEqual(back.status, v1.status);
  });

  it('same version: unchanged; unknown version: an error', () => {
    const o = v2({ metrics: [] });
    assert.equal(convertHorizontalPodAutoscaler(o, 'v2'), o);
    assert.throws(() => convertHorizontalPodAutoscaler(o, 'v2beta1'), /no conversion/);
  });
});
