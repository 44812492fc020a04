import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from '../replicaset/types.js';
import type { Deployment, DeploymentStatus } from './types.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  setCondition,
  setNewReplicaSetAnnotations,
} from './util.js';

const NOW = Date.UTC(2030, 0, 1, 12);

function dep(replicas: number, surge?: number | string, unavailable?: number | string, type = 'RollingUpdate', extra: Partial<Deployment> = {}): Deployment {
  return { metadata: { name: 'd', generation: 1 }, spec: { replicas, strategy: { type, rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, template: { metadata: { labels: { app: 'd' } } } }, ...extra };
}

function rs(name: string, replicas: number, opts: { created?: number; available?: number; maxReplicas?: number; desired?: number; template?: string; revision?: string } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (opts.maxReplicas !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(opts.maxReplicas);
  if (opts.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(opts.desired);
  if (opts.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = opts.revision;
  return {
    metadata: { name, uid: name, creationTimestamp: new Date(opts.created ?? NOW).toISOString(), annotations },
    spec: { replicas, template: { metadata: { labels: { app: 'd', 'pod-template-hash': name } }, spec: { image: opts.template ?? 'v1' } } },
    status: { replicas, availableReplicas: opts.available ?? 0 },
  };
}

test('resolveFenceposts (upstream TestResolveFenceposts)', () => {
  const cases: [number | string | undefined, number | string | undefined, number, number, number][] = [
    ['0%', '0%', 0, 0, 1],
    ['39%', '39%', 10, 4, 3],
    [undefined, '39%', 10, 0, 3],
    ['39%', undefined, 10, 4, 0],
    [undefined, undefined, 10, 0, 1],
    [1, 1, 2, 1, 1],
    ['25%', '25%', 8, 2, 2],
    [0, 0, 5, 0, 1],
  ];
  for (const [s, u, desired, es, eu] of cases) assert.deepEqual(resolveFenceposts(s, u, desired), { surge: es, unavailable: eu }, `${s}/${u}/${desired}`);
  assert.throws(() => resolveFenceposts('oops', '39%', 10), /maxSurge/);
  assert.throws(() => resolveFenceposts('55%', 'urg', 10), /maxUnavailable/);
  assert.throws(() => resolveFenceposts('5', '1', 7), /maxSurge/);
});

test('maxUnavailable (upstream TestMaxUnavailable): capped at replicas, 0 for Recreate and zero replicas', () => {
  assert.equal(maxUnavailable(dep(10, 0, 1)), 1);
  assert.equal(maxUnavailable(dep(10, 0, 25)), 10);
  assert.equal(maxUnavailable(dep(3, 0, 10)), 3);
  assert.equal(maxUnavailable(dep(10, '0%', '30%')), 3);
  assert.equal(maxUnavailable(dep(10, 0, 0)), 1);
  assert.equal(maxUnavailable(dep(0, 0, 1)), 0);
  assert.equal(maxUnavailable(dep(10, 0, 2, 'Recreate')), 0);
  assert.equal(maxSurge(dep(10, 2, 2, 'Recreate')), 0);
});

test('newRSNewReplicas (upstream TestNewRSNewReplicas)', () => {
  const cases: [string, number, number, number, number][] = [
    // strategy, deployment replicas, maxSurge, new RS replicas, expected
    ['Recreate', 1, 0, 0, 1],
    ['RollingUpdate', 1, 1, 0, 1],
    ['RollingUpdate', 3, 1, 1, 2],
  ];
  for (const [type, replicas, surge, newSize, want] of cases) {
    const d = dep(replicas, surge, 0, type);
    const newRS = rs('new', newSize);
    assert.equal(newRSNewReplicas(d, [newRS, rs('old', replicas - newSize)], newRS), want, `${type} ${replicas}`);
  }
  // At the surge limit nothing more is added.
  const d = dep(4, 1, 1);
  const newRS = rs('new', 1);
  assert.equal(newRSNewReplicas(d, [newRS, rs('old', 4)], newRS), 1);
});

test('proportionalSizes spreads a scale by each ReplicaSet\'s share, leftovers to the largest', () => {
  // 10 -> 20 replicas mid-rollout with maxSurge 3: 13 -> 23.
  const d = dep(20, 3, 2);
  const sizes = proportionalSizes(d, rs('new', 5, { maxReplicas: 13 }), [rs('old', 8, { maxReplicas: 13, created: NOW - 1000 })]);
  assert.deepEqual(sizes.map((x) => [x.rs.metadata!.name, x.size]), [['old', 14], ['new', 9]]);
  // Scaling down takes from the larger (then older) first.
  const down = proportionalSizes(dep(5, 1, 0), rs('new', 3, { maxReplicas: 11 }), [rs('old', 8, { maxReplicas: 11, created: NOW - 1000 })]);
  assert.deepEqual(down.map((x) => [x.rs.metadata!.name, x.size]), [['old', 4], ['new', 2]]);
  // Scaled to zero: every ReplicaSet goes to zero.
  assert.deepEqual(proportionalSizes(dep(0, 1, 0), rs('new', 3, { maxReplicas: 11 }), [rs('old', 8, { maxReplicas: 11 })]).map((x) => x.size), [0, 0]);
});

test('findNewReplicaSet: the oldest ReplicaSet with an equal template (hash label ignored); findActiveOrLatest', () => {
  const d = dep(3);
  d.spec.template = { metadata: { labels: { app: 'd' } }, spec: { image: 'v2' } };
  const a = rs('a', 1, { template: 'v2', created: NOW - 10 });
  const b = rs('b', 1, { template: 'v2', created: NOW - 20 });
  assert.equal(findNewReplicaSet(d, [a, b, rs('c', 1)])?.metadata?.name, 'b');
  assert.equal(findNewReplicaSet(d, [rs('c', 1)]), undefined);
  assert.equal(equalIgnoreHash({ metadata: { labels: { x: '1', 'pod-template-hash': 'abc' } } }, { metadata: { labels: { x: '1' } } }), true);
  assert.equal(findActiveOrLatest(undefined, [rs('x', 0, { created: NOW - 5 }), rs('y', 0, { created: NOW })])?.metadata?.name, 'y');
  assert.equal(findActiveOrLatest(rs('n', 0), [rs('x', 2)])?.metadata?.name, 'x');
  assert.equal(findActiveOrLatest(rs('n', 1), [rs('x', 2)]), undefined);
});

test('setNewReplicaSetAnnotations: revision raised, history kept on rollback, bookkeeping annotations not copied', () => {
  const d = dep(3, 1, 0);
  d.metadata!.annotations = { team: 'web', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const created = rs('new', 0);
  created.metadata!.annotations = {};
  assert.equal(setNewReplicaSetAnnotations(d, created, 1, false), true);
  assert.deepEqual(created.metadata!.annotations, { team: 'web', 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  const old = rs('old', 0, { revision: '1' });
  old.metadata!.annotations!['deployment.kubernetes.io/revision-history'] = '0';
  assert.equal(setNewReplicaSetAnnotations(d, old, 3, true), true);
  assert.equal(old.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(old.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '0,1');
  assert.equal(setNewReplicaSetAnnotations(d, old, 3, true), false);
});

test('deploymentComplete / deploymentProgressing / deploymentTimedOut (upstream cases)', () => {
  const d = dep(3, 1, 0);
  const st = (replicas: number, updated: number, available: number, og = 1): DeploymentStatus => ({ replicas, updatedReplicas: updated, availableReplicas: available, observedGeneration: og });
  assert.equal(deploymentComplete(d, st(3, 3, 3)), true);
  assert.equal(deploymentComplete(d, st(3, 3, 2)), false);
  assert.equal(deploymentComplete(d, st(4, 3, 3)), false);
  assert.equal(deploymentComplete(d, st(3, 3, 3, 0)), false);
  const withStatus = (s: DeploymentStatus): Deployment => ({ ...d, status: s });
  assert.equal(deploymentProgressing(withStatus(st(3, 1, 1)), st(3, 2, 1)), true, 'more updated');
  assert.equal(deploymentProgressing(withStatus({ replicas: 4, updatedReplicas: 2 }), { replicas: 3, updatedReplicas: 2 }), true, 'fewer old');
  assert.equal(deploymentProgressing(withStatus({ readyReplicas: 1 }), { readyReplicas: 2 }), true, 'more ready');
  assert.equal(deploymentProgressing(withStatus(st(3, 2, 2)), st(3, 2, 2)), false);
  const dl = { ...d, spec: { ...d.spec, progressDeadlineSeconds: 10 } };
  const cond = (reason: string, at: number): DeploymentStatus => ({ conditions: [{ type: 'Progressing', status: 'True', reason, lastUpdateTime: new Date(at).toISOString() }] });
  assert.equal(deploymentTimedOut(dl, cond('ReplicaSetUpdated', NOW - 11_000), NOW), true);
  assert.equal(deploymentTimedOut(dl, cond('ReplicaSetUpdated', NOW - 9_000), NOW), false);
  assert.equal(deploymentTimedOut(dl, cond('NewReplicaSetAvailable', NOW - 99_000), NOW), false);
  assert.equal(deploymentTimedOut(dl, cond('ProgressDeadlineExceeded', NOW), NOW), true);
  assert.equal(deploymentTimedOut({ ...d, spec: { ...d.spec, progressDeadlineSeconds: 2147483647 } }, cond('ReplicaSetUpdated', 0), NOW), false);
});

test('calculateStatus: counts and the Available condition; setCondition keeps times for an unchanged status', () => {
  const d = dep(4, 1, 1);
  const s = calculateStatus(d, [rs('new', 2, { available: 2 }), rs('old', 2, { available: 1 })], rs('new', 2, { available: 2 }), NOW);
  assert.deepEqual([s.replicas, s.updatedReplicas, s.availableReplicas, s.unavailableReplicas], [4, 2, 3, 1]);
  assert.equal(s.conditions!.find((c) => c.type === 'Available')!.reason, 'MinimumReplicasAvailable');
  const low = calculateStatus(d, [rs('old', 4, { available: 2 })], undefined, NOW);
  assert.equal(low.conditions!.find((c) => c.type === 'Available')!.status, 'False');
  const status: DeploymentStatus = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't0', lastUpdateTime: 't0' }] };
  setCondition(status, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' });
  assert.equal(status.conditions![0]!.lastUpdateTime, 't0');
  setCondition(status, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't2', lastUpdateTime: 't2' });
  assert.deepEqual([status.conditions![0]!.lastTransitionTime, status.conditions![0]!.lastUpdateTime], ['t0', 't2']);
});
