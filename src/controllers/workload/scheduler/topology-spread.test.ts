import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from './pod-info.js';
import { snapshotOf } from './test-fixtures.test-util.js';
import { ERR_TOPOLOGY_SPREAD, ERR_TOPOLOGY_SPREAD_MISSING_LABEL, filterTopologySpread, preFilterTopologySpread, topologySpreadScores } from './topology-spread.js';
import type { NodeLike, PodLike, TopologySpreadConstraint } from './types.js';

const node = (name: string, labels: Record<string, string>): NodeLike => ({ metadata: { name, labels }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
let n = 0;
const bound = (nodeName: string, labels: Record<string, string> = { foo: '' }, namespace = 'default', terminating = false): PodLike => ({
  metadata: { name: `p${++n}`, uid: `u${n}`, namespace, labels, ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName, containers: [{}] },
});
const spread = (key: string, maxSkew = 1, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchExpressions: [{ key: 'foo', operator: 'Exists' }] }, ...extra,
});
const incoming = (constraints: TopologySpreadConstraint[], labels: Record<string, string> = { foo: '' }, spec: PodLike['spec'] = {}): PodLike => ({
  metadata: { name: 'p', namespace: 'default', labels }, spec: { ...spec, topologySpreadConstraints: constraints },
});

// Four nodes as upstream's TestSingleConstraint: node-a, node-b in zone1; node-x, node-y in zone2.
const fourNodes = [
  node('node-a', { zone: 'zone1', node: 'node-a' }),
  node('node-b', { zone: 'zone1', node: 'node-b' }),
  node('node-x', { zone: 'zone2', node: 'node-x' }),
  node('node-y', { zone: 'zone2', node: 'node-y' }),
];

function run(nodes: NodeLike[], pods: PodLike[], pod: PodLike): Record<string, string> {
  const snapshot = snapshotOf(nodes, pods);
  const state = preFilterTopologySpread(newPodInfo(pod), snapshot)!;
  const out: Record<string, string> = {};
  for (const ni of snapshot.nodeList()) {
    const f = filterTopologySpread(state, ni);
    out[ni.name] = f ? (f.reasons[0] === ERR_TOPOLOGY_SPREAD_MISSING_LABEL ? 'missing' : 'skew') : 'ok';
  }
  return out;
}

test('PodTopologySpread filter: upstream TestSingleConstraint-style cases', () => {
  const cases: { name: string; nodes?: NodeLike[]; pods: PodLike[]; pod: PodLike; want: Record<string, string> }[] = [
    { name: 'no existing pods', pods: [], pod: incoming([spread('zone')]), want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' } },
    { name: "no existing pods, incoming pod doesn't match itself", pods: [], pod: incoming([spread('zone')], { bar: '' }), want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' } },
    {
      name: 'existing pods in a different namespace do not count',
      pods: [bound('node-a', { foo: '' }, 'ns1'), bound('node-b'), bound('node-x', { foo: '' }, 'ns2'), bound('node-y', { foo: '' }, 'ns2'), bound('node-y', { foo: '' }, 'ns2')],
      pod: incoming([spread('zone')]), want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'pods spread across zones as 3/3, all nodes fit',
      pods: [bound('node-a'), bound('node-a'), bound('node-b'), bound('node-x'), bound('node-y'), bound('node-y')],
      pod: incoming([spread('zone')]), want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
      nodes: [node('node-a', { zone: 'zone1' }), node('node-b', { zon: 'zone1' }), node('node-x', { zone: 'zone2' }), node('node-y', { zone: 'zone2' })],
      pods: [bound('node-a'), bound('node-b'), bound('node-x'), bound('node-y')],
      pod: incoming([spread('zone')]), want: { 'node-a': 'ok', 'node-b': 'missing', 'node-x': 'skew', 'node-y': 'skew' },
    },
    {
      name: "no node has label 'rack'",
      pods: [], pod: incoming([spread('rack')]), want: { 'node-a': 'missing', 'node-b': 'missing', 'node-x': 'missing', 'node-y': 'missing' },
    },
    {
      name: 'pods spread across nodes as 2/1/0/3, only node-x fits',
      pods: [bound('node-a'), bound('node-a'), bound('node-b'), bound('node-y'), bound('node-y'), bound('node-y')],
      pod: incoming([spread('node')]), want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'skew' },
    },
    {
      name: 'pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit',
      pods: [bound('node-a'), bound('node-a'), bound('node-b'), bound('node-y'), bound('node-y'), bound('node-y')],
      pod: incoming([spread('node', 2)]), want: { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'skew' },
    },
    {
      name: "pods spread as 2/1/0/3, but pod doesn't match itself",
      pods: [bound('node-a'), bound('node-a'), bound('node-b'), bound('node-y'), bound('node-y'), bound('node-y')],
      pod: incoming([spread('node')], { bar: '' }), want: { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'skew' },
    },
    {
      name: 'terminating pods are not counted',
      pods: [bound('node-a'), bound('node-a', { foo: '' }, 'default', true), bound('node-b'), bound('node-x'), bound('node-y')],
      pod: incoming([spread('node')]), want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'nodeAffinityPolicy Honor (default): nodes the pod cannot land on are not domains',
      pods: [bound('node-a'), bound('node-b')],
      pod: incoming([spread('node')], { foo: '' }, { nodeSelector: { zone: 'zone1' } }), want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'nodeAffinityPolicy Ignore: empty zone2 nodes are domains',
      pods: [bound('node-a'), bound('node-b')],
      pod: incoming([spread('node', 1, { nodeAffinityPolicy: 'Ignore' })], { foo: '' }, { nodeSelector: { zone: 'zone1' } }), want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'ok' },
    },
  ];
  for (const tc of cases) assert.deepEqual(run(tc.nodes ?? fourNodes, tc.pods, tc.pod), tc.want, tc.name);
});

test('minDomains: fewer domains than minDomains make the global minimum 0', () => {
  const nodes = [node('a', { zone: 'zone1' }), node('b', { zone: 'zone2' })];
  const pods = [bound('a'), bound('a'), bound('b')];
  assert.deepEqual(run(nodes, pods, incoming([spread('zone', 1, { minDomains: 3 })])), { a: 'skew', b: 'skew' });
  assert.deepEqual(run(nodes, pods, incoming([spread('zone', 1, { minDomains: 2 })])), { a: 'skew', b: 'ok' });
});

test('two constraints: zone and node', () => {
  const pods = [bound('node-a'), bound('node-x'), bound('node-x')];
  // zone1: 1, zone2: 2 → zone2 is skewed; by node, node-a 1, node-b 0, node-x 2, node-y 0
  assert.deepEqual(run(fourNodes, pods, incoming([spread('zone'), spread('node')])), { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'skew', 'node-y': 'skew' });
});

test('matchLabelKeys narrows the selector to the pod\'s own label values', () => {
  const pods = [bound('node-a', { foo: '', rev: '1' }), bound('node-a', { foo: '', rev: '1' })];
  const c = spread('node', 1, { matchLabelKeys: ['rev'] });
  assert.deepEqual(run(fourNodes, pods, incoming([c], { foo: '', rev: '2' })), { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' });
  assert.deepEqual(run(fourNodes, pods, incoming([c], { foo: '', rev: '1' })), { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' });
});

test('ScheduleAnyway scoring prefers the emptier domain', () => {
  const snapshot = snapshotOf(fourNodes, [bound('node-a'), bound('node-a'), bound('node-b'), bound('node-x')]);
  const pod = newPodInfo(incoming([spread('zone', 1, { whenUnsatisfiable: 'ScheduleAnyway' })]));
  const scores = topologySpreadScores(pod, snapshot.nodeList(), snapshot)!;
  assert.ok(scores.get('node-x')! > scores.get('node-a')!);
  assert.equal(scores.get('node-x'), scores.get('node-y'));
  assert.equal(scores.get('node-x'), 100);
  assert.equal(preFilterTopologySpread(pod, snapshot), null);
  const byHost = newPodInfo(incoming([spread('node', 1, { whenUnsatisfiable: 'ScheduleAnyway' })]));
  const s2 = topologySpreadScores(byHost, snapshot.nodeList(), snapshot)!;
  assert.equal(s2.get('node-y'), 100);
  assert.ok(s2.get('node-a')! < s2.get('node-b')!);
});
