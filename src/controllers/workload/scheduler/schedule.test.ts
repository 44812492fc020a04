import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulePod, type ScheduleResult, type Unschedulable } from './schedule.js';
import { container, node, pod, snapshotOf } from './test-fixtures.test-util.js';
import type { NodeLike, PodLike } from './types.js';

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const unschedulable = (r: ScheduleResult): Unschedulable => {
  assert.equal(r.node, undefined, `expected no node, got ${r.node}`);
  return r as Unschedulable;
};

function cluster(): NodeLike[] {
  return [
    node('cp', { cpu: '2', memory: '4Gi', pods: '110' }, { 'node-role.kubernetes.io/control-plane': '' }, [CP_TAINT]),
    node('w1', { cpu: '1', memory: '4Gi', pods: '110' }, { 'topology.kubernetes.io/zone': 'a' }),
    node('w2', { cpu: '1', memory: '4Gi', pods: '110' }, { 'topology.kubernetes.io/zone': 'b' }),
  ];
}

test('the message a kubeadm cluster shows for a pod too big for the workers', () => {
  const r = unschedulable(schedulePod({ pod: pod('big', { containers: [container({ cpu: '1500m' })] }), snapshot: snapshotOf(cluster()) }));
  assert.equal(r.message, '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
  assert.deepEqual(Object.keys(r.reasons), ['cp', 'w1', 'w2']);
  assert.equal(r.reasons.cp.plugin, 'TaintToleration');
  const legacy = unschedulable(schedulePod({ pod: pod('big', { containers: [container({ cpu: '1500m' })] }), snapshot: snapshotOf(cluster()), options: { legacyTaintText: true } }));
  assert.equal(legacy.message, '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
});

test('pods land on workers, never on the tainted control plane, and spread by least allocation', () => {
  const snapshot = snapshotOf(cluster());
  const placed: string[] = [];
  for (let i = 0; i < 4; i++) {
    const p = pod(`web-${i}`, { containers: [container({ cpu: '200m', memory: '128Mi' })] });
    const r = schedulePod({ pod: p, snapshot });
    assert.ok(r.node, JSON.stringify(r));
    snapshot.assume(p, r.node);
    placed.push(r.node);
  }
  assert.deepEqual(placed, ['w1', 'w2', 'w1', 'w2']);
  // a pod tolerating the taint and selecting the control plane goes there
  const sys = pod('sys', { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }], nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } });
  assert.equal(schedulePod({ pod: sys, snapshot }).node, 'cp');
});

test('nodeSelector with no match, cordoned node, host ports, node name', () => {
  const nodes = cluster();
  nodes[2].spec!.unschedulable = true;
  const snapshot = snapshotOf(nodes, [pod('hp', { nodeName: 'w1', containers: [{ ports: [{ containerPort: 80, hostPort: 8080 }] }] })]);
  const win = unschedulable(schedulePod({ pod: pod('win', { nodeSelector: { 'kubernetes.io/os': 'windows' } }), snapshot }));
  assert.equal(win.message, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  const ports = unschedulable(schedulePod({ pod: pod('hp2', { containers: [{ ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }] }), snapshot }));
  assert.equal(ports.message, "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
  assert.equal(schedulePod({ pod: pod('udp', { containers: [{ ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }] }] }), snapshot }).node, 'w1');
  const named = unschedulable(schedulePod({ pod: pod('n', { nodeName: 'nope' }), snapshot }));
  assert.match(named.message, /^0\/3 nodes are available: 1 node\(s\) were unschedulable, 2 node\(s\) didn't match the requested node name\./);
});

test('no nodes at all', () => {
  const r = unschedulable(schedulePod({ pod: pod('p'), snapshot: snapshotOf([]) }));
  assert.equal(r.message, 'no nodes available to schedule pods');
});

test('preemption: policy Never, no lower-priority victims, or a node that would fit after eviction', () => {
  const nodes = [node('w1', { cpu: '1', memory: '1Gi', pods: '110' }), node('w2', { cpu: '1', memory: '1Gi', pods: '110' })];
  const low = pod('low', { nodeName: 'w1', priority: 0, containers: [container({ cpu: '800m' })] });
  const high = pod('high', { nodeName: 'w2', priority: 1000, containers: [container({ cpu: '800m' })] });
  const snapshot = snapshotOf(nodes, [low, high]);
  const incoming = (spec: PodLike['spec']) => pod('new', { containers: [container({ cpu: '500m' })], ...spec });

  const never = unschedulable(schedulePod({ pod: incoming({ priority: 1000, preemptionPolicy: 'Never' }), snapshot }));
  assert.equal(never.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');

  const equal = unschedulable(schedulePod({ pod: incoming({ priority: 0 }), snapshot }));
  assert.equal(equal.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');

  const higher = unschedulable(schedulePod({ pod: incoming({ priority: 500 }), snapshot }));
  assert.deepEqual(higher.preemptionCandidates, ['w1']);
  assert.equal(higher.message, '0/2 nodes are available: 2 Insufficient cpu.');

  const tooBig = unschedulable(schedulePod({ pod: pod('huge', { priority: 500, containers: [container({ cpu: '2' })] }), snapshot }));
  assert.equal(tooBig.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod.');
});

test('required anti-affinity by hostname: one replica per node, the rest pending', () => {
  const snapshot = snapshotOf(cluster());
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  const results: string[] = [];
  for (let i = 0; i < 3; i++) {
    const p = pod(`db-${i}`, { affinity: anti }, { app: 'db' });
    const r = schedulePod({ pod: p, snapshot });
    if (r.node) snapshot.assume(p, r.node);
    results.push(r.node ?? (r as Unschedulable).message);
  }
  assert.deepEqual(results, ['w1', 'w2', "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."]);
});

test('zone spread DoNotSchedule keeps zones within maxSkew', () => {
  const snapshot = snapshotOf(cluster());
  const c = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];
  const zones: Record<string, number> = { w1: 0, w2: 0 };
  for (let i = 0; i < 6; i++) {
    const p = pod(`web-${i}`, { topologySpreadConstraints: c, containers: [container({ cpu: '10m' })] }, { app: 'web' });
    const r = schedulePod({ pod: p, snapshot });
    assert.ok(r.node);
    snapshot.assume(p, r.node);
    zones[r.node]++;
    assert.ok(Math.abs(zones.w1 - zones.w2) <= 1);
  }
  assert.deepEqual(zones, { w1: 3, w2: 3 });
});

test('ties: lowest name by default, or the injected random source', () => {
  const nodes = [node('n3'), node('n1'), node('n2')];
  assert.equal(schedulePod({ pod: pod('p'), snapshot: snapshotOf(nodes) }).node, 'n1');
  assert.equal(schedulePod({ pod: pod('p'), snapshot: snapshotOf(nodes), options: { random: () => 0.99 } }).node, 'n3');
  assert.equal(schedulePod({ pod: pod('p'), snapshot: snapshotOf(nodes), options: { random: () => 0.5 } }).node, 'n2');
});

test('snapshot updates incrementally: remove frees capacity, node update changes taints', () => {
  const snapshot = snapshotOf([node('w', { cpu: '1', memory: '1Gi', pods: '2' })]);
  const a = pod('a', { containers: [container({ cpu: '600m' })] });
  snapshot.assume(a, 'w');
  assert.equal(snapshot.nodeInfo('w')!.requested.milliCPU, 600);
  const b = pod('b', { containers: [container({ cpu: '600m' })] });
  assert.equal(unschedulable(schedulePod({ pod: b, snapshot })).message, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  snapshot.removePod(a);
  assert.equal(snapshot.nodeInfo('w')!.requested.milliCPU, 0);
  assert.equal(schedulePod({ pod: b, snapshot }).node, 'w');
  // re-adding the same pod (informer update after assume) does not double count
  snapshot.assume(b, 'w');
  snapshot.setPod({ ...b, spec: { ...b.spec, nodeName: 'w' } });
  assert.equal(snapshot.nodeInfo('w')!.requested.milliCPU, 600);
  assert.equal(snapshot.nodeInfo('w')!.pods.size, 1);
  // pods count
  snapshot.assume(pod('c'), 'w');
  assert.match(unschedulable(schedulePod({ pod: pod('d'), snapshot })).message, /1 Too many pods\./);
  // node taint added by an update
  snapshot.setNode(node('w', { cpu: '1', memory: '1Gi', pods: '10' }, {}, [{ key: 'k', effect: 'NoSchedule' }]));
  assert.equal(snapshot.nodeInfo('w')!.requested.milliCPU, 600);
  assert.match(unschedulable(schedulePod({ pod: pod('e'), snapshot })).message, /untolerated taint/);
  // node removed: its pods stay accounted until deleted, the node is no longer a candidate
  snapshot.removeNode('w');
  assert.equal(unschedulable(schedulePod({ pod: pod('f'), snapshot })).message, 'no nodes available to schedule pods');
  snapshot.setNode(node('w', { cpu: '1', memory: '1Gi', pods: '10' }));
  assert.equal(snapshot.nodeInfo('w')!.pods.size, 2);
});

test('throughput: 10,000 pods from 100 deployments onto 100 nodes, all within capacity', () => {
  const nodes: NodeLike[] = [];
  for (let i = 0; i < 100; i++) {
    const name = `node-${String(i).padStart(3, '0')}`;
    nodes.push(node(name, { cpu: '4', memory: '16Gi', pods: '110' }, { 'topology.kubernetes.io/zone': `zone-${i % 3}` }));
  }
  const snapshot = snapshotOf(nodes);
  let placed = 0;
  for (let d = 0; d < 100; d++) {
    const labels = { app: `deploy-${d}` };
    const spec: PodLike['spec'] = {
      containers: [container({ cpu: `${20 + (d % 5) * 5}m`, memory: `${32 + (d % 4) * 16}Mi` })],
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
        ...(d % 10 === 0 ? [{ maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } }] : []),
      ],
      ...(d % 25 === 0 ? { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' } }] } } } : {}),
    };
    for (let r = 0; r < 100; r++) {
      const p = pod(`deploy-${d}-${r}`, spec, labels);
      const res = schedulePod({ pod: p, snapshot });
      assert.ok(res.node, `pod ${d}/${r}: ${(res as Unschedulable).message}`);
      snapshot.assume(p, res.node);
      placed++;
    }
  }
  assert.equal(placed, 10_000);
  let total = 0;
  for (const ni of snapshot.nodeList()) {
    assert.ok(ni.requested.milliCPU <= ni.allocatable.milliCPU, ni.name);
    assert.ok(ni.requested.memory <= ni.allocatable.memory, ni.name);
    assert.ok(ni.pods.size <= ni.allocatable.allowedPodNumber, ni.name);
    total += ni.pods.size;
  }
  assert.equal(total, 10_000);
  // a 10,001st pod that is too big gets a full-cluster message
  const r = unschedulable(schedulePod({ pod: pod('huge', { containers: [container({ cpu: '5' })] }), snapshot }));
  assert.match(r.message, /^0\/100 nodes are available: 100 Insufficient cpu\. preemption: 0\/100 nodes are available: 100 No preemption victims found for incoming pod\.$/);
});
