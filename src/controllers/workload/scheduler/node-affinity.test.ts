import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_NODE_AFFINITY, filterNodeAffinity, scoreNodeAffinity } from './node-affinity.js';
import type { Affinity, NodeLike, NodeSelectorTerm, PodLike } from './types.js';

const nodeNamed = (name: string, labels: Record<string, string> = {}): NodeLike => ({ metadata: { name, labels } });
const required = (terms: NodeSelectorTerm[] | null): Affinity => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });

// Upstream node_affinity_test.go TestNodeAffinity (filter), node "node1" unless stated.
const cases: { name: string; pod: PodLike['spec']; labels?: Record<string, string>; nodeName?: string; fits: boolean }[] = [
  { name: 'no selector', pod: {}, fits: true },
  { name: 'missing labels', pod: { nodeSelector: { foo: 'bar' } }, fits: false },
  { name: 'same labels', pod: { nodeSelector: { foo: 'bar' } }, labels: { foo: 'bar' }, fits: true },
  { name: 'node labels are superset', pod: { nodeSelector: { foo: 'bar' } }, labels: { foo: 'bar', baz: 'blah' }, fits: true },
  { name: 'node labels are subset', pod: { nodeSelector: { foo: 'bar', baz: 'blah' } }, labels: { foo: 'bar' }, fits: false },
  { name: 'In operator that matches', pod: { affinity: required([{ matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'value2'] }] }]) }, labels: { foo: 'bar' }, fits: true },
  { name: 'Gt operator that matches', pod: { affinity: required([{ matchExpressions: [{ key: 'kernel-version', operator: 'Gt', values: ['0204'] }] }]) }, labels: { 'kernel-version': '0206' }, fits: true },
  { name: 'NotIn operator that matches', pod: { affinity: required([{ matchExpressions: [{ key: 'mem-type', operator: 'NotIn', values: ['DDR', 'DDR2'] }] }]) }, labels: { 'mem-type': 'DDR3' }, fits: true },
  { name: 'Exists operator that matches', pod: { affinity: required([{ matchExpressions: [{ key: 'GPU', operator: 'Exists' }] }]) }, labels: { GPU: 'NVIDIA-GRID-K1' }, fits: true },
  { name: "affinity that doesn't match the node's labels", pod: { affinity: required([{ matchExpressions: [{ key: 'foo', operator: 'In', values: ['value1', 'value2'] }] }]) }, labels: { foo: 'bar' }, fits: false },
  { name: 'nil NodeSelectorTerms', pod: { affinity: required(null) }, labels: { foo: 'bar' }, fits: false },
  { name: 'empty NodeSelectorTerms', pod: { affinity: required([]) }, labels: { foo: 'bar' }, fits: false },
  { name: 'empty MatchExpressions', pod: { affinity: required([{ matchExpressions: [] }]) }, labels: { foo: 'bar' }, fits: false },
  { name: 'no Affinity', pod: {}, labels: { foo: 'bar' }, fits: true },
  { name: 'Affinity with nil required', pod: { affinity: { nodeAffinity: {} } }, labels: { foo: 'bar' }, fits: true },
  {
    name: 'multiple matchExpressions ANDed that match',
    pod: { affinity: required([{ matchExpressions: [{ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'NotIn', values: ['AMD', 'INTER'] }] }]) },
    labels: { GPU: 'NVIDIA-GRID-K1' }, fits: true,
  },
  {
    name: "multiple matchExpressions ANDed that don't match",
    pod: { affinity: required([{ matchExpressions: [{ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'In', values: ['AMD', 'INTER'] }] }]) },
    labels: { GPU: 'NVIDIA-GRID-K1' }, fits: false,
  },
  {
    name: 'multiple NodeSelectorTerms ORed',
    pod: { affinity: required([{ matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'value2'] }] }, { matchExpressions: [{ key: 'diffkey', operator: 'In', values: ['wrong', 'value2'] }] }]) },
    labels: { foo: 'bar' }, fits: true,
  },
  {
    name: 'Affinity and NodeSelector both match',
    pod: { nodeSelector: { foo: 'bar' }, affinity: required([{ matchExpressions: [{ key: 'foo', operator: 'Exists' }] }]) },
    labels: { foo: 'bar' }, fits: true,
  },
  {
    name: "Affinity matches but NodeSelector doesn't",
    pod: { nodeSelector: { foo: 'bar' }, affinity: required([{ matchExpressions: [{ key: 'foo', operator: 'Exists' }] }]) },
    labels: { foo: 'barrrrrr' }, fits: false,
  },
  { name: 'matchFields matches', pod: { affinity: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node1'] }] }]) }, fits: true },
  { name: "matchFields doesn't match", pod: { affinity: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node1'] }] }]) }, nodeName: 'node2', fits: false },
  {
    name: "two terms: matchFields doesn't match, matchExpressions does",
    pod: { affinity: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node1'] }] }, { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }]) },
    labels: { foo: 'bar' }, nodeName: 'node2', fits: true,
  },
  {
    name: 'one term: both matchFields and matchExpressions match',
    pod: { affinity: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node1'] }], matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }]) },
    labels: { foo: 'bar' }, fits: true,
  },
  {
    name: "one term: matchFields matches, matchExpressions doesn't",
    pod: { affinity: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node1'] }], matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }]) },
    labels: { foo: 'barrrrrr' }, fits: false,
  },
  { name: 'Gt against a non-integer label', pod: { affinity: required([{ matchExpressions: [{ key: 'v', operator: 'Gt', values: ['1'] }] }]) }, labels: { v: 'abc' }, fits: false },
  { name: 'Lt operator', pod: { affinity: required([{ matchExpressions: [{ key: 'v', operator: 'Lt', values: ['10'] }] }]) }, labels: { v: '9' }, fits: true },
  { name: 'DoesNotExist operator', pod: { affinity: required([{ matchExpressions: [{ key: 'v', operator: 'DoesNotExist' }] }]) }, labels: { w: '1' }, fits: true },
  { name: 'Windows pods go to Windows nodes', pod: { nodeSelector: { 'kubernetes.io/os': 'windows' } }, labels: { 'kubernetes.io/os': 'linux' }, fits: false },
];

test('NodeAffinity filter: upstream TestNodeAffinity cases', () => {
  for (const tc of cases) {
    const got = filterNodeAffinity({ spec: tc.pod }, nodeNamed(tc.nodeName ?? 'node1', tc.labels));
    if (tc.fits) assert.equal(got, null, tc.name);
    else assert.deepEqual(got, { plugin: 'NodeAffinity', code: 'UnschedulableAndUnresolvable', reasons: [ERR_NODE_AFFINITY] }, tc.name);
  }
});

test('NodeAffinity score: summed weights of matching preferred terms', () => {
  const pod: PodLike = {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 2, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] } },
            { weight: 4, preference: { matchExpressions: [{ key: 'key', operator: 'In', values: ['value'] }] } },
            { weight: 5, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }, { key: 'key', operator: 'In', values: ['value'] }, { key: 'az', operator: 'In', values: ['az1'] }] } },
            { weight: 7, preference: {} },
          ],
        },
      },
    },
  };
  assert.equal(scoreNodeAffinity(pod, nodeNamed('a', { foo: 'bar' })), 2);
  assert.equal(scoreNodeAffinity(pod, nodeNamed('b', { key: 'value' })), 4);
  assert.equal(scoreNodeAffinity(pod, nodeNamed('c', { foo: 'bar', key: 'value', az: 'az1' })), 11);
  assert.equal(scoreNodeAffinity(pod, nodeNamed('d')), 0);
});
