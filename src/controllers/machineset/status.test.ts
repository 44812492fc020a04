import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Condition, Machine, MachineSet } from '../../api/cluster/types.js';
import { countMachines, machineReadiness, machinesReadyCondition, sizeConditions } from './status.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function machine(name: string, o: { nodeRef?: boolean; healthy?: 'True' | 'False'; since?: number; labels?: Record<string, string>; ready?: Omit<Condition, 'lastTransitionTime' | 'type'> } = {}): Machine {
  const conditions: Condition[] = [];
  if (o.healthy) conditions.push({ type: 'NodeHealthy', status: o.healthy, lastTransitionTime: iso(o.since ?? NOW - 3_600_000) });
  if (o.ready) conditions.push({ type: 'Ready', lastTransitionTime: iso(NOW), ...o.ready });
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: { name, labels: o.labels ?? { pool: 'a', 'machine-template-hash': 'h' } },
    spec: { clusterName: 'c', bootstrap: {}, infrastructureRef: {} },
    status: { ...(o.nodeRef === false ? {} : { nodeRef: { kind: 'Node', name } }), conditions },
  };
}

function machineSet(minReadySeconds = 0): MachineSet {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineSet',
    metadata: { name: 'ms' },
    spec: { clusterName: 'c', replicas: 3, minReadySeconds, selector: { matchLabels: { pool: 'a', 'machine-template-hash': 'h' } }, template: { metadata: { labels: { pool: 'a', 'machine-template-hash': 'h' } }, spec: { clusterName: 'c', bootstrap: {}, infrastructureRef: {} } } },
  };
}

describe('machine readiness and availability', () => {
  test('ready needs a Node and NodeHealthy True', () => {
    assert.deepEqual(machineReadiness(machine('a', { healthy: 'True' }), 0, NOW), { ready: true, available: true });
    assert.deepEqual(machineReadiness(machine('a', { healthy: 'False' }), 0, NOW), { ready: false, available: false });
    assert.deepEqual(machineReadiness(machine('a', { healthy: 'True', nodeRef: false }), 0, NOW), { ready: false, available: false });
    assert.deepEqual(machineReadiness(machine('a'), 0, NOW), { ready: false, available: false });
  });
  test('available once ready for minReadySeconds, with the time left until then', () => {
    const m = machine('a', { healthy: 'True', since: NOW - 20_000 });
    assert.deepEqual(machineReadiness(m, 30, NOW), { ready: true, available: false, availableInMs: 10_000 });
    assert.deepEqual(machineReadiness(m, 20, NOW), { ready: true, available: true });
    assert.deepEqual(machineReadiness(m, 30, NOW + 10_000), { ready: true, available: true });
  });
});

describe('MachineSet counts', () => {
  test('replicas, fully labelled, ready, available and the next availability', () => {
    const machines = [
      machine('a', { healthy: 'True', since: NOW - 60_000 }),
      machine('b', { healthy: 'True', since: NOW - 5_000 }),
      machine('c', { healthy: 'True', since: NOW - 25_000 }),
      machine('d', { healthy: 'False' }),
      machine('e', { labels: { pool: 'a' } }),
    ];
    assert.deepEqual(countMachines(machineSet(30), machines, NOW), {
      selector: 'machine-template-hash=h,pool=a',
      replicas: 5,
      fullyLabeledReplicas: 4,
      readyReplicas: 3,
      availableReplicas: 1,
      nextAvailableInMs: 5_000,
    });
  });
});

describe('Resized and MachinesCreated (upstream updateStatus)', () => {
  test('scaling up: Resized False ScalingUp, MachinesCreated untouched', () => {
    assert.deepEqual(sizeConditions(3, { replicas: 1, readyReplicas: 1 }), [{ type: 'Resized', status: 'False', reason: 'ScalingUp', severity: 'Warning', message: 'Scaling up MachineSet to 3 replicas (actual 1)' }]);
  });
  test('scaling down: Resized False ScalingDown, MachinesCreated True', () => {
    assert.deepEqual(sizeConditions(1, { replicas: 3, readyReplicas: 3 }), [
      { type: 'Resized', status: 'False', reason: 'ScalingDown', severity: 'Warning', message: 'Scaling down MachineSet to 1 replicas (actual 3)' },
      { type: 'MachinesCreated', status: 'True' },
    ]);
  });
  test('at size: Resized True only once all are ready', () => {
    assert.deepEqual(sizeConditions(2, { replicas: 2, readyReplicas: 2 }), [{ type: 'Resized', status: 'True' }, { type: 'MachinesCreated', status: 'True' }]);
    assert.deepEqual(sizeConditions(2, { replicas: 2, readyReplicas: 1 }), [{ type: 'MachinesCreated', status: 'True' }]);
  });
});

describe('MachinesReady aggregate', () => {
  test('no Ready conditions: not set', () => assert.equal(machinesReadyCondition([machine('a')]), undefined));
  test('all True: True', () => assert.deepEqual(machinesReadyCondition([machine('a', { ready: { status: 'True' } }), machine('b', { ready: { status: 'True' } })]), { type: 'MachinesReady', status: 'True' }));
  test('the worst wins, localized to its Machine, with a step counter', () => {
    const c = machinesReadyCondition([
      machine('a', { ready: { status: 'True' } }),
      machine('b', { ready: { status: 'False', severity: 'Info', reason: 'WaitingForBootstrap', message: 'x' } }),
      machine('c', { ready: { status: 'False', severity: 'Warning', reason: 'NodeProvisioning', message: 'y' } }),
    ]);
    assert.deepEqual(c, { type: 'MachinesReady', status: 'False', severity: 'Warning', reason: 'NodeProvisioning @ Machine/c', message: '1 of 3 completed' });
  });
});
