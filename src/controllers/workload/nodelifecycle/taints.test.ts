import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredNodeTaints, noExecuteTaintKey, noScheduleTaintKeys, sameTaints, type NodeLike, type NodeTaint } from './taints.js';

const NOW = '2030-01-01T00:00:00Z';
const EARLIER = '2029-12-31T23:00:00Z';

function node(conditions: Record<string, string>, taints?: NodeTaint[], unschedulable?: boolean): NodeLike {
  return { spec: { taints, ...(unschedulable ? { unschedulable } : {}) }, status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) } };
}

describe('noScheduleTaintKeys / noExecuteTaintKey', () => {
  const cases: { name: string; node: NodeLike; noSchedule: string[]; noExecute?: string }[] = [
    { name: 'ready', node: node({ Ready: 'True' }), noSchedule: [] },
    { name: 'no conditions', node: node({}), noSchedule: [] },
    { name: 'ready false', node: node({ Ready: 'False' }), noSchedule: ['node.kubernetes.io/not-ready'], noExecute: 'node.kubernetes.io/not-ready' },
    { name: 'ready unknown', node: node({ Ready: 'Unknown' }), noSchedule: ['node.kubernetes.io/unreachable'], noExecute: 'node.kubernetes.io/unreachable' },
    { name: 'memory pressure', node: node({ Ready: 'True', MemoryPressure: 'True' }), noSchedule: ['node.kubernetes.io/memory-pressure'] },
    { name: 'no memory pressure', node: node({ Ready: 'True', MemoryPressure: 'False', DiskPressure: 'Unknown' }), noSchedule: [] },
    {
      name: 'all pressures',
      node: node({ Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True', NetworkUnavailable: 'True', PIDPressure: 'True' }),
      noSchedule: ['node.kubernetes.io/memory-pressure', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/network-unavailable', 'node.kubernetes.io/pid-pressure'],
    },
    { name: 'unschedulable', node: node({ Ready: 'True' }, undefined, true), noSchedule: ['node.kubernetes.io/unschedulable'] },
    { name: 'not ready and unschedulable', node: node({ Ready: 'False' }, undefined, true), noSchedule: ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unschedulable'], noExecute: 'node.kubernetes.io/not-ready' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(noScheduleTaintKeys(c.node), c.noSchedule);
      assert.equal(noExecuteTaintKey(c.node), c.noExecute);
    });
  }
});

describe('desiredNodeTaints', () => {
  it('adds not-ready NoSchedule and NoExecute (with timeAdded) to a NotReady node', () => {
    assert.deepEqual(desiredNodeTaints(node({ Ready: 'False' }), NOW), [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: NOW },
    ]);
  });
  it('keeps unmanaged taints first and untouched', () => {
    const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
    const win = { key: 'os', value: 'windows', effect: 'NoSchedule' };
    assert.deepEqual(desiredNodeTaints(node({ Ready: 'Unknown' }, [cp, win]), NOW), [
      cp,
      win,
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: NOW },
    ]);
  });
  it('keeps the timeAdded of a taint already there', () => {
    const current = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: EARLIER },
    ];
    const desired = desiredNodeTaints(node({ Ready: 'Unknown' }, current), NOW);
    assert.deepEqual(desired, current);
    assert.ok(sameTaints(current, desired));
  });
  it('swaps not-ready for unreachable when Ready goes False → Unknown', () => {
    const current = [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: EARLIER },
    ];
    assert.deepEqual(desiredNodeTaints(node({ Ready: 'Unknown' }, current), NOW), [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: NOW },
    ]);
  });
  it('removes the managed taints when the node is Ready again, leaving others', () => {
    const other = { key: 'example.com/dedicated', value: 'gpu', effect: 'NoExecute' };
    const current = [other, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: EARLIER }];
    assert.deepEqual(desiredNodeTaints(node({ Ready: 'True' }, current), NOW), [other]);
  });
  it('a hand-set managed key with another effect is not owned (PreferNoSchedule stays)', () => {
    const t = { key: 'node.kubernetes.io/not-ready', effect: 'PreferNoSchedule' };
    assert.deepEqual(desiredNodeTaints(node({ Ready: 'True' }, [t]), NOW), [t]);
  });
});

describe('sameTaints', () => {
  it('ignores order, compares timeAdded', () => {
    const a = { key: 'a', effect: 'NoSchedule' };
    const b = { key: 'b', effect: 'NoExecute', timeAdded: NOW };
    assert.ok(sameTaints([a, b], [b, a]));
    assert.ok(!sameTaints([a, b], [a, { ...b, timeAdded: EARLIER }]));
    assert.ok(!sameTaints([a], [a, b]));
  });
});
