import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeBudgetStatus,
  conditionsUpToDate,
  countHealthyPods,
  disruptionsAllowed,
  expectedPodCount,
  pendingDisruptions,
  statusChanged,
  type PodDisruptionBudget,
  type PodLike,
  type ScaleFinder,
} from './budget.js';

const T0 = Date.UTC(2030, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, o: { ready?: boolean; owner?: string; deleting?: boolean } = {}): PodLike {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const scales: Record<string, number> = { 'uid-rs1': 10, 'uid-rs2': 3, 'uid-rc': 3 };
const finder: ScaleFinder = (p) => {
  const ref = p.metadata?.ownerReferences?.[0];
  if (!ref || scales[ref.uid] === undefined) return undefined;
  return { uid: ref.uid, scale: scales[ref.uid]! };
};

test('expectedPodCount: upstream cases', () => {
  const cases: { name: string; spec: PodDisruptionBudget['spec']; pods: PodLike[]; expected: number; desired: number }[] = [
    { name: 'integer minAvailable counts selected pods', spec: { minAvailable: 3 }, pods: [pod('a'), pod('b')], expected: 2, desired: 3 },
    { name: 'percent minAvailable uses controller scale, rounding up', spec: { minAvailable: '28%' }, pods: [pod('a', { owner: 'rs1' })], expected: 10, desired: 3 },
    { name: '34% of 3 rounds up to 2', spec: { minAvailable: '34%' }, pods: [pod('a', { owner: 'rs2' }), pod('b', { owner: 'rs2' })], expected: 3, desired: 2 },
    { name: 'integer maxUnavailable', spec: { maxUnavailable: 2 }, pods: [pod('a', { owner: 'rs2' })], expected: 3, desired: 1 },
    { name: 'percent maxUnavailable rounds up', spec: { maxUnavailable: '30%' }, pods: [pod('a', { owner: 'rs1' })], expected: 10, desired: 7 },
    { name: 'maxUnavailable above scale floors desired at 0', spec: { maxUnavailable: 5 }, pods: [pod('a', { owner: 'rs2' })], expected: 3, desired: 0 },
    { name: 'two controllers add up', spec: { minAvailable: '50%' }, pods: [pod('a', { owner: 'rs1' }), pod('b', { owner: 'rs2' }), pod('c', { owner: 'rs2' })], expected: 13, desired: 7 },
    { name: 'maxUnavailable 0 with no pods', spec: { maxUnavailable: 0 }, pods: [], expected: 0, desired: 0 },
    { name: 'neither set', spec: {}, pods: [pod('a')], expected: 0, desired: 0 },
  ];
  for (const c of cases) {
    const r = expectedPodCount(c.spec ?? {}, c.pods, finder);
    assert.deepEqual([r.expectedPods, r.desiredHealthy], [c.expected, c.desired], c.name);
  }
});

test('expectedPodCount: unmanaged pods are reported; unknown controllers fail', () => {
  const r = expectedPodCount({ maxUnavailable: 1 }, [pod('a'), pod('b', { owner: 'rs2' })], finder);
  assert.deepEqual(r, { expectedPods: 3, desiredHealthy: 2, unmanagedPods: ['a'] });
  assert.throws(() => expectedPodCount({ minAvailable: '50%' }, [pod('x', { owner: 'gone' })], finder), /found no controllers for pod "x"/);
  assert.throws(() => expectedPodCount({ minAvailable: 'abc' }, [pod('x', { owner: 'rs1' })], finder), /spec.minAvailable/);
});

test('countHealthyPods: ready, not deleting, not recently disrupted', () => {
  const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d'), pod('e')];
  assert.equal(countHealthyPods(pods, { d: iso(T0 - 60_000), e: iso(T0 - 121_000) }, T0), 2);
});

test('pendingDisruptions: drops expired, deleting and unknown pods; recheck at the earliest expiry', () => {
  const pods = [pod('a'), pod('b'), pod('c', { deleting: true }), pod('d')];
  const r = pendingDisruptions(pods, { a: iso(T0 - 60_000), b: iso(T0 - 30_000), c: iso(T0), d: iso(T0 - 121_000), gone: iso(T0) }, T0);
  assert.deepEqual(r.disruptedPods, { a: iso(T0 - 60_000), b: iso(T0 - 30_000) });
  assert.equal(r.recheckAtMs, T0 + 60_000);
  assert.deepEqual(r.overdue, ['d']);
  assert.deepEqual(pendingDisruptions(pods, undefined, T0), { disruptedPods: {}, overdue: [] });
});

test('disruptionsAllowed: never negative, 0 without expected pods', () => {
  assert.equal(disruptionsAllowed(3, 1, 3), 2);
  assert.equal(disruptionsAllowed(1, 3, 3), 0);
  assert.equal(disruptionsAllowed(3, 1, 0), 0);
});

test('computeBudgetStatus: status, condition and change detection', () => {
  const pdb: PodDisruptionBudget = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'default', generation: 2 }, spec: { minAvailable: 2 } };
  const pods = [pod('a'), pod('b'), pod('c')];
  const r = computeBudgetStatus(pdb, pods, finder, T0, iso(T0));
  assert.deepEqual(r.status, {
    observedGeneration: 2,
    disruptionsAllowed: 1,
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 3,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', lastTransitionTime: iso(T0), observedGeneration: 2 }],
  });
  assert.ok(conditionsUpToDate(r.status));
  assert.equal(statusChanged(r.status, r.status), false);
  // One disrupted: no disruptions left, condition flips with a new transition time.
  const later = T0 + 5_000;
  const r2 = computeBudgetStatus({ ...pdb, status: { ...r.status, disruptedPods: { a: iso(T0) } } }, pods, finder, later, iso(later));
  assert.equal(r2.status.currentHealthy, 2);
  assert.equal(r2.status.disruptionsAllowed, 0);
  assert.deepEqual(r2.status.conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: iso(later), observedGeneration: 2 }]);
  assert.equal(r2.recheckAtMs, T0 + 120_000);
  assert.ok(statusChanged(r.status, r2.status));
  // Stale generation on the condition needs a write.
  assert.ok(statusChanged({ ...r.status, observedGeneration: 1 }, r.status));
});
