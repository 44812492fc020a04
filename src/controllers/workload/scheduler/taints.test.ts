import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countIntolerablePreferNoSchedule, filterTaintToleration, normalizeTaintScores, toleratesTaint } from './taints.js';
import type { Taint, Toleration } from './types.js';

// Upstream taint_toleration_test.go TestTaintTolerationFilter (expected reason in the legacy and 1.36 texts).
const filterCases: { name: string; tolerations: Toleration[]; taints: Taint[]; untolerated?: string }[] = [
  { name: "a pod having no tolerations can't be scheduled onto a node with nonempty taints", tolerations: [], taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], untolerated: '{dedicated: user1}' },
  { name: 'a pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule', tolerations: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }] },
  { name: "a pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule", tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }], taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], untolerated: '{dedicated: user1}' },
  { name: 'a toleration with operator Exists tolerates the taint', tolerations: [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }] },
  {
    name: 'multiple tolerations, multiple taints, all tolerated',
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }, { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
    taints: [{ key: 'dedicated', value: 'user2', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }],
  },
  { name: "key and value match but the (non-empty) effect doesn't", tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }], untolerated: '{foo: bar}' },
  { name: 'empty toleration effect matches NoSchedule', tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }] },
  { name: "key/value don't match but the taint is PreferNoSchedule", tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }], taints: [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }] },
  { name: 'no toleration, taint PreferNoSchedule', tolerations: [], taints: [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }] },
  { name: 'empty key with Exists tolerates every taint of that effect', tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }] },
  { name: 'NoExecute taints are filtered too', tolerations: [], taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], untolerated: '{node.kubernetes.io/not-ready: }' },
  { name: 'the control-plane taint', tolerations: [], taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], untolerated: '{node-role.kubernetes.io/control-plane: }' },
  { name: 'tolerate everything', tolerations: [{ operator: 'Exists' }], taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }, { key: 'c', effect: 'NoSchedule' }] },
];

test('TaintToleration filter: upstream cases', () => {
  for (const tc of filterCases) {
    const got = filterTaintToleration(tc.taints, tc.tolerations);
    const legacy = filterTaintToleration(tc.taints, tc.tolerations, true);
    if (!tc.untolerated) {
      assert.equal(got, null, tc.name);
      continue;
    }
    assert.deepEqual(got, { plugin: 'TaintToleration', code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint(s)'] }, tc.name);
    assert.deepEqual(legacy?.reasons, [`node(s) had untolerated taint ${tc.untolerated}`], tc.name);
  }
});

test('toleration operators', () => {
  assert.equal(toleratesTaint({ key: 'k', value: '' }, { key: 'k', effect: 'NoSchedule' }), true);
  assert.equal(toleratesTaint({ key: '', operator: 'Equal', value: '' }, { key: 'k', effect: 'NoSchedule' }), false);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Bogus' }, { key: 'k', effect: 'NoSchedule' }), false);
});

test('TaintToleration score: upstream TestTaintTolerationScore cases', () => {
  const prefer = (key: string, value: string): Taint => ({ key, value, effect: 'PreferNoSchedule' });
  const cases: { name: string; tolerations: Toleration[]; nodes: Taint[][]; want: number[] }[] = [
    {
      name: 'tolerated taints score higher than intolerable ones',
      tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
      nodes: [[prefer('foo', 'bar')], [prefer('foo', 'blah')]], want: [100, 0],
    },
    {
      name: 'all taints tolerated: same score however many',
      tolerations: [{ key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'PreferNoSchedule' }, { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'PreferNoSchedule' }],
      nodes: [[], [prefer('cpu-type', 'arm64')], [prefer('cpu-type', 'arm64'), prefer('disk-type', 'ssd')]], want: [100, 100, 100],
    },
    {
      name: 'the more intolerable taints, the lower the score',
      tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
      nodes: [[], [prefer('cpu-type', 'arm64')], [prefer('cpu-type', 'arm64'), prefer('disk-type', 'ssd')]], want: [100, 50, 0],
    },
    {
      name: 'only PreferNoSchedule taints and tolerations count',
      tolerations: [{ key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'NoSchedule' }, { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' }],
      nodes: [[], [{ key: 'cpu-type', value: 'arm64', effect: 'NoSchedule' }], [prefer('cpu-type', 'arm64')]], want: [100, 100, 0],
    },
    { name: 'no taints, no tolerations', tolerations: [], nodes: [[], []], want: [100, 100] },
  ];
  for (const tc of cases) {
    assert.deepEqual(normalizeTaintScores(tc.nodes.map((t) => countIntolerablePreferNoSchedule(t, tc.tolerations))), tc.want, tc.name);
  }
});
