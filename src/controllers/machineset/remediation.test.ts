import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Condition, Machine } from '../../api/cluster/types.js';
import { planRemediation } from './remediation.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

function machine(name: string, o: { mhc?: 'True' | 'False'; owner?: 'True' | 'False'; deleting?: boolean; ageMin?: number; remediate?: boolean } = {}): Machine {
  const conditions: Condition[] = [];
  if (o.mhc) conditions.push({ type: 'HealthCheckSucceeded', status: o.mhc, lastTransitionTime: '2030-01-01T00:00:00Z' });
  if (o.owner) conditions.push({ type: 'OwnerRemediated', status: o.owner, reason: o.owner === 'False' ? 'WaitingForRemediation' : undefined, lastTransitionTime: '2030-01-01T00:00:00Z' });
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: {
      name,
      creationTimestamp: new Date(NOW - (o.ageMin ?? 10) * 60_000).toISOString(),
      ...(o.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
      ...(o.remediate ? { annotations: { 'cluster.x-k8s.io/remediate-machine': '' } } : {}),
    },
    spec: { clusterName: 'c', bootstrap: {}, infrastructureRef: {} },
    status: { conditions },
  };
}

const names = (l: Machine[]) => l.map((m) => m.metadata!.name);

describe('MachineSet remediation planning (upstream reconcileUnhealthyMachines)', () => {
  const sick = (name: string, ageMin = 10, remediate = false) => machine(name, { mhc: 'False', owner: 'False', ageMin, remediate });
  test('only Machines unhealthy and handed to the owner are remediated; healthy again ones are cleared', () => {
    const p = planRemediation({ machines: [sick('a'), machine('b', { mhc: 'False' }), machine('c', { mhc: 'True', owner: 'False' }), machine('d')], isCurrent: true });
    assert.deepEqual(names(p.remediate), ['a']);
    assert.deepEqual(names(p.clear), ['c']);
    assert.deepEqual(p.deferred, []);
  });
  test('a Machine already being deleted is not remediated again', () => {
    assert.deepEqual(planRemediation({ machines: [machine('a', { mhc: 'False', owner: 'False', deleting: true })], isCurrent: true }).remediate, []);
  });
  test('not the current MachineSet: the rollout replaces them', () => {
    const p = planRemediation({ machines: [sick('a')], isCurrent: false });
    assert.deepEqual(p.remediate, []);
    assert.deepEqual(names(p.deferred), ['a']);
    assert.match(p.deferredReason!, /pending removal due to rollout/);
  });
  test('maxInFlight bounds remediations; annotated first, then newest', () => {
    const p = planRemediation({ machines: [sick('old', 30), sick('new', 1), sick('mid', 10), sick('flagged', 40, true)], isCurrent: true, maxInFlight: 2, deploymentReplicas: 4 });
    assert.deepEqual(names(p.remediate), ['flagged', 'new']);
    assert.deepEqual(names(p.deferred), ['mid', 'old']);
    assert.match(p.deferredReason!, /maxInFlight is 2/);
  });
  test('remediations in flight (deleting, OwnerRemediated True) use up maxInFlight; a percentage rounds up', () => {
    const inFlight = machine('going', { mhc: 'False', owner: 'True', deleting: true });
    assert.deepEqual(planRemediation({ machines: [inFlight, sick('a')], isCurrent: true, maxInFlight: 1 }).remediate, []);
    assert.deepEqual(names(planRemediation({ machines: [inFlight, sick('a'), sick('b', 20)], isCurrent: true, maxInFlight: '50%', deploymentReplicas: 3 }).remediate), ['a']);
  });
  test('no maxInFlight: all at once', () => {
    assert.equal(planRemediation({ machines: [sick('a'), sick('b'), sick('c')], isCurrent: true }).remediate.length, 3);
  });
});
