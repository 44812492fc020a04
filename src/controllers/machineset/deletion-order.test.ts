import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Machine } from '../../api/cluster/types.js';
import { deletePriorityFor, isMachineHealthy, machinesToDelete, newestDeletePriority, oldestDeletePriority, randomDeletePriority, type DeletePriority } from './deletion-order.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const DAY = 86_400_000;

interface M {
  deleting?: boolean;
  annotated?: boolean;
  nodeRef?: boolean;
  failed?: boolean;
  nodeHealthy?: 'True' | 'False' | 'Unknown';
  healthCheck?: 'True' | 'False' | 'Unknown';
  ageDays?: number;
}

function machine(name: string, o: M = {}): Machine {
  const conditions = [];
  if (o.nodeHealthy) conditions.push({ type: 'NodeHealthy', status: o.nodeHealthy, lastTransitionTime: '2030-01-01T00:00:00Z' });
  if (o.healthCheck) conditions.push({ type: 'HealthCheckSucceeded', status: o.healthCheck, lastTransitionTime: '2030-01-01T00:00:00Z' });
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: {
      name,
      creationTimestamp: new Date(NOW - (o.ageDays ?? 1) * DAY).toISOString(),
      ...(o.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
      ...(o.annotated ? { annotations: { 'cluster.x-k8s.io/delete-machine': 'yes' } } : {}),
    },
    spec: { clusterName: 'c', bootstrap: {}, infrastructureRef: {} },
    status: {
      ...(o.nodeRef === false ? {} : { nodeRef: { kind: 'Node', name: `node-${name}` } }),
      ...(o.failed ? { failureReason: 'UpdateError', failureMessage: 'boom' } : {}),
      conditions: conditions as NonNullable<Machine['status']>['conditions'],
    },
  };
}

const pick = (list: Machine[], n: number, p: DeletePriority) => machinesToDelete(list, n, p, NOW).map((m) => m.metadata!.name);

describe('deletion order, Random (upstream TestMachineToDelete)', () => {
  const healthy = machine('healthy');
  const deleting = machine('deleting', { deleting: true });
  const annotated = machine('annotated', { annotated: true });
  const noNode = machine('no-node', { nodeRef: false });
  const failed = machine('failed', { failed: true });
  const nodeFalse = machine('node-false', { nodeHealthy: 'False' });
  const nodeUnknown = machine('node-unknown', { nodeHealthy: 'Unknown' });
  const mhcFalse = machine('mhc-false', { healthCheck: 'False' });
  const mhcUnknown = machine('mhc-unknown', { healthCheck: 'Unknown' });
  const cases: [string, Machine[], number, string[]][] = [
    ['diff=0 deletes nothing', [healthy], 0, []],
    ['diff>len deletes all', [healthy], 2, ['healthy']],
    ['failed before healthy', [healthy, failed, machine('healthy-2')], 2, ['failed', 'healthy']],
    ['being deleted first', [healthy, failed, deleting], 2, ['deleting', 'failed']],
    ['being deleted, then unhealthy, then healthy', [healthy, deleting, failed], 3, ['deleting', 'failed', 'healthy']],
    ['delete-machine annotation first', [healthy, annotated, machine('other')], 1, ['annotated']],
    ['delete-machine annotation before unhealthy ones', [noNode, failed, annotated, nodeFalse], 1, ['annotated']],
    ['no Node is unhealthy', [healthy, noNode], 1, ['no-node']],
    ['NodeHealthy False is unhealthy', [healthy, nodeFalse], 1, ['node-false']],
    ['NodeHealthy Unknown is not unhealthy (by name then)', [nodeUnknown, machine('a-healthy')], 1, ['a-healthy']],
    ['HealthCheckSucceeded False is unhealthy', [healthy, mhcFalse], 1, ['mhc-false']],
    ['HealthCheckSucceeded Unknown is not unhealthy (by name then)', [mhcUnknown, machine('a-healthy')], 1, ['a-healthy']],
  ];
  for (const [name, list, n, want] of cases) test(name, () => assert.deepEqual(pick(list, n, randomDeletePriority), want));
});

describe('deletion order, Newest (upstream TestMachineNewestDelete)', () => {
  const newest = machine('newest', { ageDays: 1 });
  const secondNewest = machine('second-newest', { ageDays: 5 });
  const secondOldest = machine('second-oldest', { ageDays: 10 });
  const oldest = machine('oldest', { ageDays: 30 });
  const deleting = machine('deleting', { deleting: true, ageDays: 40 });
  const all = [secondNewest, oldest, deleting, secondOldest, newest];
  test('diff=1: the one being deleted', () => assert.deepEqual(pick(all, 1, newestDeletePriority), ['deleting']));
  test('diff=2: then the newest', () => assert.deepEqual(pick(all, 2, newestDeletePriority), ['deleting', 'newest']));
  test('diff=3: then the second newest', () => assert.deepEqual(pick(all, 3, newestDeletePriority), ['deleting', 'newest', 'second-newest']));
  test('annotated before the newest', () => assert.deepEqual(pick([...all.slice(0, 2), machine('old-annotated', { annotated: true, ageDays: 50 }), newest], 1, newestDeletePriority), ['old-annotated']));
  test('no Node before the newest', () => assert.deepEqual(pick([oldest, machine('old-no-node', { nodeRef: false, ageDays: 50 }), newest], 1, newestDeletePriority), ['old-no-node']));
  test('failed before the newest', () => assert.deepEqual(pick([oldest, machine('old-failed', { failed: true, ageDays: 50 }), newest], 1, newestDeletePriority), ['old-failed']));
  test('NodeHealthy Unknown does not count as unhealthy', () => assert.deepEqual(pick([oldest, machine('unknown', { nodeHealthy: 'Unknown', ageDays: 50 }), newest], 1, newestDeletePriority), ['newest']));
});

describe('deletion order, Oldest (upstream TestMachineOldestDelete)', () => {
  const newest = machine('newest', { ageDays: 1 });
  const secondNewest = machine('second-newest', { ageDays: 5 });
  const secondOldest = machine('second-oldest', { ageDays: 10 });
  const oldest = machine('oldest', { ageDays: 30 });
  const all = [secondNewest, oldest, secondOldest, newest];
  test('diff=1', () => assert.deepEqual(pick(all, 1, oldestDeletePriority), ['oldest']));
  test('diff=2', () => assert.deepEqual(pick(all, 2, oldestDeletePriority), ['oldest', 'second-oldest']));
  test('diff=3', () => assert.deepEqual(pick(all, 3, oldestDeletePriority), ['oldest', 'second-oldest', 'second-newest']));
  test('diff=4', () => assert.deepEqual(pick(all, 4, oldestDeletePriority), ['oldest', 'second-oldest', 'second-newest', 'newest']));
  test('annotated before the oldest', () => assert.deepEqual(pick([oldest, machine('young-annotated', { annotated: true, ageDays: 0 })], 1, oldestDeletePriority), ['young-annotated']));
  test('unhealthy before the oldest', () => assert.deepEqual(pick([oldest, machine('young-sick', { nodeHealthy: 'False', ageDays: 0 })], 1, oldestDeletePriority), ['young-sick']));
  test('equal ages: by name (upstream TestMachineDeleteMultipleSamePriority)', () => {
    assert.deepEqual(pick([machine('z', { ageDays: 10 }), machine('a', { ageDays: 10 }), machine('m', { ageDays: 10 })], 2, oldestDeletePriority), ['a', 'm']);
  });
  test('a creation time in the future never goes first', () => assert.deepEqual(pick([machine('future', { ageDays: -1 }), newest], 1, oldestDeletePriority), ['newest']));
});

describe('policies and health', () => {
  test('deletePolicy maps to its priority; unset is Random; unknown is refused', () => {
    assert.equal(deletePriorityFor(undefined), randomDeletePriority);
    assert.equal(deletePriorityFor('Random'), randomDeletePriority);
    assert.equal(deletePriorityFor('Newest'), newestDeletePriority);
    assert.equal(deletePriorityFor('Oldest'), oldestDeletePriority);
    assert.throws(() => deletePriorityFor('Youngest'), /spec\.deletePolicy: unsupported delete policy "Youngest"/);
  });
  test('isMachineHealthy (upstream TestIsMachineHealthy)', () => {
    assert.equal(isMachineHealthy(machine('a')), true);
    assert.equal(isMachineHealthy(machine('a', { nodeRef: false })), false);
    assert.equal(isMachineHealthy(machine('a', { failed: true })), false);
    assert.equal(isMachineHealthy(machine('a', { nodeHealthy: 'False' })), false);
    assert.equal(isMachineHealthy(machine('a', { nodeHealthy: 'Unknown' })), true);
    assert.equal(isMachineHealthy(machine('a', { nodeHealthy: 'True', healthCheck: 'False' })), false);
    assert.equal(isMachineHealthy(machine('a', { healthCheck: 'True' })), true);
  });
});
