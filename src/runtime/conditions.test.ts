import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import { FakeClock } from './clock.js';
import * as conditions from './conditions.js';

const obj = (): KubeObject => ({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'c1', namespace: 'default' } });

describe('conditions', () => {
  it('set keeps lastTransitionTime while the status stays, and moves it when the status flips', async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const o = obj();
    assert.equal(conditions.markFalse(o, 'InfrastructureReady', 'WaitingForInfrastructure', 'Info', 'waiting for the VM', clock), true);
    const first = conditions.getCondition(o, 'InfrastructureReady')!;
    assert.deepEqual(first, { type: 'InfrastructureReady', status: 'False', severity: 'Info', reason: 'WaitingForInfrastructure', message: 'waiting for the VM', lastTransitionTime: '2030-01-01T00:00:00Z' });
    await clock.advance(60_000);
    assert.equal(conditions.markFalse(o, 'InfrastructureReady', 'WaitingForInfrastructure', 'Info', 'waiting for the VM', clock), false, 'identical: no change');
    assert.equal(conditions.markFalse(o, 'InfrastructureReady', 'VMProvisioning', 'Warning', 'still booting', clock), true);
    assert.equal(conditions.getCondition(o, 'InfrastructureReady')!.lastTransitionTime, '2030-01-01T00:00:00Z', 'same status: time kept');
    await clock.advance(365 * 24 * 3600 * 1000);
    conditions.markTrue(o, 'InfrastructureReady', clock);
    const flipped = conditions.getCondition(o, 'InfrastructureReady')!;
    assert.equal(flipped.lastTransitionTime, '2031-01-01T00:01:00Z');
    assert.equal(flipped.reason, undefined);
    assert.equal(flipped.severity, undefined);
    assert.ok(conditions.isTrue(o, 'InfrastructureReady'));
    assert.ok(!conditions.isFalse(o, 'InfrastructureReady'));
    assert.ok(conditions.isUnknown(o, 'Missing'));
  });

  it('keeps Ready first and the rest sorted by type', () => {
    const o = obj();
    conditions.markTrue(o, 'Zeta');
    conditions.markTrue(o, 'Alpha');
    conditions.setSummary(o);
    conditions.markUnknown(o, 'Beta', 'Pending', 'not yet');
    assert.deepEqual(conditions.getConditions(o).map((c) => c.type), ['Ready', 'Alpha', 'Beta', 'Zeta']);
    assert.equal(conditions.deleteCondition(o, 'Beta'), true);
    assert.equal(conditions.deleteCondition(o, 'Beta'), false);
    assert.deepEqual(conditions.getConditions(o).map((c) => c.type), ['Ready', 'Alpha', 'Zeta']);
  });

  it('Ready summary: False of the highest severity wins, then True, then Unknown', () => {
    const o = obj();
    conditions.markTrue(o, 'A');
    conditions.markUnknown(o, 'B', 'Checking', 'checking B');
    assert.equal(conditions.summary(o).status, 'True', 'True outranks Unknown, as in Cluster API');
    conditions.markFalse(o, 'C', 'Slow', 'Info', 'C is slow');
    conditions.markFalse(o, 'D', 'Broken', 'Warning', 'D is broken');
    conditions.setSummary(o);
    const ready = conditions.getCondition(o, 'Ready')!;
    assert.deepEqual({ ...ready, lastTransitionTime: undefined }, { type: 'Ready', status: 'False', severity: 'Warning', reason: 'Broken', message: 'D is broken', lastTransitionTime: undefined });
    conditions.markFalse(o, 'E', 'Failed', 'Error', 'E failed');
    assert.equal(conditions.summary(o).reason, 'Failed');
    assert.equal(conditions.summary(o, { stepCounter: true }).message, '1 of 5 completed');
    assert.equal(conditions.summary(o, { conditions: ['A'] }).status, 'True');
    assert.equal(conditions.summary(o, { conditions: ['A', 'Missing'] }).status, 'True');
    const none = obj();
    conditions.markUnknown(none, 'X', 'Wait', 'waiting');
    assert.deepEqual(conditions.summary(none), { type: 'Ready', status: 'Unknown', reason: 'Wait', message: 'waiting' });
  });
});
