import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY, filterInterPodAffinity, interPodAffinityScores, preFilterInterPodAffinity } from './inter-pod-affinity.js';
import { newPodInfo } from './pod-info.js';
import { snapshotOf } from './test-fixtures.test-util.js';
import type { NodeLike, PodAffinityTerm, PodLike } from './types.js';

type Expr = [key: string, op: string, values?: string[]];
const term = (exprs: Expr[], topologyKey: string, namespaces?: string[]): PodAffinityTerm => ({
  labelSelector: { matchExpressions: exprs.map(([key, operator, values]) => ({ key, operator, values })) },
  topologyKey,
  ...(namespaces ? { namespaces } : {}),
});
let n = 0;
const podWith = (labels: Record<string, string>, nodeName: string, affinity: PodAffinityTerm[] | null, anti: PodAffinityTerm[] | null, namespace = 'default'): PodLike => ({
  metadata: { name: `p${++n}`, uid: `u${n}`, namespace, labels },
  spec: {
    nodeName,
    containers: [{}],
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: affinity }, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti } },
  },
});

const podLabel = { service: 'securityscan' };
const podLabel2 = { security: 'S1' };
const node1: NodeLike = { metadata: { name: 'machine1', labels: { region: 'r1', zone: 'z11' } } };
const secIn: Expr = ['service', 'In', ['securityscan', 'value2']];
const avIn: Expr = ['service', 'In', ['antivirusscan', 'value2']];

// Upstream filtering_test.go TestRequiredAffinitySingleNode (current single-reason statuses).
const cases: { name: string; pod: PodLike; pods: PodLike[]; want?: [code: string, reason: string] }[] = [
  { name: 'no required pod affinity onto a node with no existing pods', pod: podWith({}, '', null, null), pods: [] },
  { name: 'In operator matches the existing pod', pod: podWith(podLabel2, '', [term([secIn], 'region')], null), pods: [podWith(podLabel, 'machine1', null, null)] },
  { name: 'NotIn operator matches the existing pod', pod: podWith(podLabel2, '', [term([['service', 'NotIn', ['securityscan3', 'value3']]], 'region')], null), pods: [podWith(podLabel, 'machine1', null, null)] },
  {
    name: "doesn't satisfy PodAffinity because of a different namespace",
    pod: podWith(podLabel2, '', [term([secIn], '', ['DiffNameSpace'])], null), pods: [podWith(podLabel, 'machine1', null, null, 'ns')],
    want: ['UnschedulableAndUnresolvable', ERR_AFFINITY],
  },
  {
    name: "doesn't satisfy PodAffinity because of an unmatching labelSelector",
    pod: podWith(podLabel, '', [term([avIn], '')], null), pods: [podWith(podLabel, 'machine1', null, null)],
    want: ['UnschedulableAndUnresolvable', ERR_AFFINITY],
  },
  {
    name: 'different label operators in multiple terms',
    pod: podWith(podLabel2, '', [term([['service', 'Exists'], ['wrongkey', 'DoesNotExist']], 'region'), term([['service', 'In', ['securityscan']], ['service', 'NotIn', ['WrongValue']]], 'region')], null),
    pods: [podWith(podLabel, 'machine1', null, null)],
  },
  {
    name: 'matchExpressions are ANDed: one does not match',
    pod: podWith(podLabel2, '', [term([['service', 'Exists'], ['wrongkey', 'DoesNotExist']], 'region'), term([['service', 'In', ['securityscan2']], ['service', 'NotIn', ['WrongValue']]], 'region')], null),
    pods: [podWith(podLabel, 'machine1', null, null)],
    want: ['UnschedulableAndUnresolvable', ERR_AFFINITY],
  },
  { name: 'satisfies PodAffinity and PodAntiAffinity', pod: podWith(podLabel2, '', [term([secIn], 'region')], [term([avIn], 'node')]), pods: [podWith(podLabel, 'machine1', null, null)] },
  {
    name: 'satisfies PodAffinity, PodAntiAffinity and symmetry',
    pod: podWith(podLabel2, '', [term([secIn], 'region')], [term([avIn], 'node')]),
    pods: [podWith(podLabel, 'machine1', null, [term([avIn], 'node')])],
  },
  {
    name: "satisfies PodAffinity but not PodAntiAffinity",
    pod: podWith(podLabel2, '', [term([secIn], 'region')], [term([secIn], 'zone')]), pods: [podWith(podLabel, 'machine1', null, null)],
    want: ['Unschedulable', ERR_ANTI_AFFINITY],
  },
  {
    name: "satisfies PodAffinity and PodAntiAffinity but not the existing pod's anti-affinity (symmetry)",
    pod: podWith(podLabel, '', [term([secIn], 'region')], [term([avIn], 'node')]),
    pods: [podWith(podLabel, 'machine1', null, [term([secIn], 'zone')])],
    want: ['Unschedulable', ERR_EXISTING_ANTI_AFFINITY],
  },
  {
    name: 'pod matches its own label in PodAffinity but no existing pod in the topology matches',
    pod: podWith(podLabel, '', [term([['service', 'NotIn', ['securityscan', 'value2']]], 'region')], null), pods: [podWith(podLabel, 'machine2', null, null)],
    want: ['UnschedulableAndUnresolvable', ERR_AFFINITY],
  },
  {
    name: "existing pod's anti-affinity applies to a pod without terms",
    pod: { metadata: { name: 'x', namespace: 'default', labels: podLabel }, spec: {} }, pods: [podWith(podLabel, 'machine1', null, [term([secIn], 'zone')])],
    want: ['Unschedulable', ERR_EXISTING_ANTI_AFFINITY],
  },
  {
    name: "existing pod's anti-affinity that does not match the pod",
    pod: { metadata: { name: 'x', namespace: 'default', labels: podLabel }, spec: {} }, pods: [podWith(podLabel, 'machine1', null, [term([['service', 'NotIn', ['securityscan', 'value2']]], 'zone')])],
  },
  {
    name: 'first pod of a group with affinity to itself may schedule anywhere the key exists',
    pod: podWith(podLabel, '', [term([secIn], 'region')], null), pods: [],
  },
  {
    name: 'self-affinity without the topology label on the node',
    pod: podWith(podLabel, '', [term([secIn], 'rack')], null), pods: [],
    want: ['UnschedulableAndUnresolvable', ERR_AFFINITY],
  },
];

test('InterPodAffinity filter: upstream TestRequiredAffinitySingleNode cases', () => {
  for (const tc of cases) {
    const snapshot = snapshotOf([node1], tc.pods);
    const state = preFilterInterPodAffinity(newPodInfo(tc.pod), snapshot);
    const got = filterInterPodAffinity(state, snapshot.nodeInfo('machine1')!, snapshot);
    if (!tc.want) assert.equal(got, null, tc.name);
    else assert.deepEqual(got, { plugin: 'InterPodAffinity', code: tc.want[0], reasons: [tc.want[1]] }, tc.name);
  }
});

test('anti-affinity across zones (multiple nodes)', () => {
  const nodes: NodeLike[] = [
    { metadata: { name: 'a', labels: { zone: 'z1', 'kubernetes.io/hostname': 'a' } } },
    { metadata: { name: 'b', labels: { zone: 'z1', 'kubernetes.io/hostname': 'b' } } },
    { metadata: { name: 'c', labels: { zone: 'z2', 'kubernetes.io/hostname': 'c' } } },
  ];
  const snapshot = snapshotOf(nodes, [podWith({ app: 'db' }, 'a', null, null)]);
  const incoming = newPodInfo(podWith({ app: 'db' }, '', null, [term([['app', 'In', ['db']]], 'zone')]));
  const state = preFilterInterPodAffinity(incoming, snapshot);
  assert.deepEqual(['a', 'b', 'c'].map((x) => filterInterPodAffinity(state, snapshot.nodeInfo(x)!, snapshot)?.reasons[0] ?? 'ok'), [ERR_ANTI_AFFINITY, ERR_ANTI_AFFINITY, 'ok']);
  // namespaceSelector {} selects every namespace
  const other = snapshotOf(nodes, [podWith({ app: 'db' }, 'c', null, null, 'other')]);
  const allNs = newPodInfo({ metadata: { name: 'q', namespace: 'default', labels: {} }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaceSelector: {}, topologyKey: 'zone' }] } } } });
  const st2 = preFilterInterPodAffinity(allNs, other);
  assert.deepEqual(['a', 'c'].map((x) => filterInterPodAffinity(st2, other.nodeInfo(x)!, other)?.reasons[0] ?? 'ok'), [ERR_AFFINITY, 'ok']);
});

test('preferred affinity scores the matching topology highest', () => {
  const nodes: NodeLike[] = [
    { metadata: { name: 'a', labels: { zone: 'z1' } } },
    { metadata: { name: 'b', labels: { zone: 'z2' } } },
    { metadata: { name: 'c', labels: {} } },
  ];
  const snapshot = snapshotOf(nodes, [podWith({ app: 'cache' }, 'b', null, null)]);
  const pod = newPodInfo({
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' } }] } } },
  });
  const scores = interPodAffinityScores(pod, snapshot.nodeList(), snapshot);
  assert.deepEqual(Object.fromEntries(scores!), { a: 0, b: 100, c: 0 });
  const anti = newPodInfo({
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' } }] } } },
  });
  assert.deepEqual(Object.fromEntries(interPodAffinityScores(anti, snapshot.nodeList(), snapshot)!), { a: 100, b: 0, c: 100 });
  assert.equal(interPodAffinityScores(newPodInfo({ metadata: { name: 'z' }, spec: {} }), snapshot.nodeList(), snapshot), null);
});
