import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceReplicas, type MetricSample, type PodForMetrics } from './replicas.js';

const NOW = Date.UTC(2030, 0, 1);
const START = NOW - 10 * 60_000;

function pods(n: number, o: { readiness?: ('True' | 'False')[]; phases?: string[]; requests?: number[]; deleting?: boolean[] } = {}): PodForMetrics[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `p${i}`,
    phase: o.phases?.[i] ?? 'Running',
    deleting: o.deleting?.[i] ?? false,
    ready: { status: o.readiness?.[i] ?? 'True', lastTransitionMs: START },
    startMs: START,
    containerRequests: [{ name: 'c', milli: o.requests?.[i] ?? 1000 }],
  }));
}

function samples(levels: (number | undefined)[]): Map<string, MetricSample> {
  const m = new Map<string, MetricSample>();
  levels.forEach((v, i) => {
    if (v !== undefined) m.set(`p${i}`, { milli: v, timestampMs: NOW, windowMs: 30_000 });
  });
  return m;
}

// Cases from upstream's replica_calculator_test.go (CPU utilization unless noted).
const cases: { name: string; current: number; expected: number; pods: PodForMetrics[]; levels: (number | undefined)[]; target: { averageUtilization?: number; averageValue?: string }; resource?: string; utilization?: number; average?: number }[] = [
  { name: 'ScaleUp', current: 3, expected: 5, pods: pods(3), levels: [300, 500, 700], target: { averageUtilization: 30 }, utilization: 50, average: 500 },
  { name: 'ScaleUpUnreadyLessScale', current: 3, expected: 4, pods: pods(3, { readiness: ['False', 'True', 'True'] }), levels: [300, 500, 700], target: { averageUtilization: 30 }, utilization: 60, average: 600 },
  { name: 'ScaleUpHotCpuNoScale (unready pods, ratio below one)', current: 3, expected: 3, pods: pods(3, { readiness: ['False', 'True', 'False'] }), levels: [300, 500, 700], target: { averageUtilization: 50 }, utilization: 50, average: 500 },
  { name: 'ScaleUpIgnoresFailedPods', current: 2, expected: 4, pods: pods(4, { phases: ['Running', 'Running', 'Failed', 'Failed'] }), levels: [500, 700, 100, 100], target: { averageUtilization: 30 }, utilization: 60, average: 600 },
  { name: 'ScaleUpIgnoresDeletionPods', current: 2, expected: 4, pods: pods(4, { deleting: [false, false, true, true] }), levels: [500, 700, 100, 100], target: { averageUtilization: 30 }, utilization: 60, average: 600 },
  { name: 'ScaleDown', current: 5, expected: 3, pods: pods(5), levels: [100, 300, 500, 250, 250], target: { averageUtilization: 50 }, utilization: 28, average: 280 },
  { name: 'ScaleDownIgnoresUnreadyPods', current: 5, expected: 2, pods: pods(5, { readiness: ['True', 'True', 'True', 'False', 'False'] }), levels: [100, 300, 500, 250, 250], target: { averageUtilization: 50 }, utilization: 30, average: 300 },
  { name: 'Tolerance', current: 3, expected: 3, pods: pods(3, { requests: [900, 1000, 1100] }), levels: [1010, 1030, 1020], target: { averageUtilization: 100 }, utilization: 102, average: 1020 },
  { name: 'MissingMetricsNoChangeEq', current: 2, expected: 2, pods: pods(2), levels: [1000], target: { averageUtilization: 100 }, utilization: 100, average: 1000 },
  { name: 'MissingMetricsNoChangeGt', current: 2, expected: 2, pods: pods(2), levels: [1900], target: { averageUtilization: 100 }, utilization: 190, average: 1900 },
  { name: 'MissingMetricsNoChangeLt', current: 2, expected: 2, pods: pods(2), levels: [600], target: { averageUtilization: 100 }, utilization: 60, average: 600 },
  { name: 'MissingMetricsUnreadyChange', current: 3, expected: 3, pods: pods(3, { readiness: ['False', 'True', 'True'] }), levels: [100, undefined, 450], target: { averageUtilization: 50 }, utilization: 45, average: 450 },
  { name: 'MissingMetricsUnreadyScaleUp', current: 3, expected: 4, pods: pods(3, { readiness: ['False', 'True', 'True'] }), levels: [100, 2000, undefined], target: { averageUtilization: 50 }, utilization: 200, average: 2000 },
  { name: 'MissingMetricsUnreadyScaleDown', current: 4, expected: 3, pods: pods(4, { readiness: ['False', 'True', 'True', 'True'] }), levels: [100, 100, 100, undefined], target: { averageUtilization: 50 }, utilization: 10, average: 100 },
  { name: 'AverageValue scale up (memory)', current: 3, expected: 4, pods: pods(3), levels: [300_000, 400_000, 500_000], target: { averageValue: '300' }, resource: 'memory', average: 400_000 },
  { name: 'AverageValue within tolerance', current: 3, expected: 3, pods: pods(3), levels: [310_000, 300_000, 290_000], target: { averageValue: '300' }, resource: 'memory', average: 300_000 },
];

test('resourceReplicas: upstream replica calculator cases', () => {
  for (const c of cases) {
    const resource = c.resource ?? 'cpu';
    const r = resourceReplicas(c.current, { resource, ...c.target }, c.pods, samples(c.levels), NOW);
    assert.equal(r.replicas, c.expected, c.name);
    if (c.utilization !== undefined) assert.equal(r.utilization, c.utilization, `${c.name}: utilization`);
    if (c.average !== undefined) assert.equal(r.averageMilli, c.average, `${c.name}: average`);
  }
});

test('resourceReplicas: upstream errors', () => {
  assert.throws(() => resourceReplicas(1, { resource: 'cpu', averageUtilization: 50 }, [], new Map(), NOW), /no pods returned by selector while calculating replica count/);
  assert.throws(() => resourceReplicas(1, { resource: 'cpu', averageUtilization: 50 }, pods(1, { phases: ['Pending'] }), samples([100]), NOW), /did not receive metrics for targeted pods \(pods might be unready\)/);
  const noRequest = pods(1).map((p) => ({ ...p, containerRequests: [{ name: 'c', milli: undefined }] }));
  assert.throws(() => resourceReplicas(1, { resource: 'cpu', averageUtilization: 50 }, noRequest, samples([100]), NOW), /missing request for cpu in container c of Pod p0/);
});

test('resourceReplicas: a CPU sample taken within a window of turning ready does not count', () => {
  const fresh = pods(2).map((p) => ({ ...p, startMs: NOW - 60_000, ready: { status: 'True', lastTransitionMs: NOW - 10_000 } }));
  fresh[0] = { ...fresh[0]!, ready: { status: 'True', lastTransitionMs: NOW - 60_000 } };
  // p1's sample is too recent after readiness: only p0 (at 1000m of 1000m) counts, and p1 counts as 0 on scale-up.
  const r = resourceReplicas(2, { resource: 'cpu', averageUtilization: 50 }, fresh, samples([1000, 1000]), NOW);
  assert.equal(r.utilization, 100);
  assert.equal(r.replicas, 2);
});
