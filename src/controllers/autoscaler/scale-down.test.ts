import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/types.js';
import { labelSelectorFromObject } from '../../apimachinery/selectors.js';
import { nodeGroupOf, MAX_SIZE_ANNOTATION, MIN_SIZE_ANNOTATION, type NodeGroup } from './node-groups.js';
import { decideScaleDown, utilization, SAFE_TO_EVICT_ANNOTATION, SCALE_DOWN_DISABLED_ANNOTATION, type Budget, type FullNode, type FullPod, type ScaleDownInput } from './scale-down.js';

function group(min: number, max: number, replicas: number, annotations: Record<string, string> = {}): NodeGroup {
  const obj = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { namespace: 'default', name: 'md', annotations: { [MIN_SIZE_ANNOTATION]: String(min), [MAX_SIZE_ANNOTATION]: String(max), ...annotations } }, spec: { clusterName: 'c', replicas } } as KubeObject;
  return (nodeGroupOf(obj) as { group: NodeGroup }).group;
}
function node(name: string, annotations: Record<string, string> = {}): FullNode {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations }, spec: {}, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } } };
}
function pod(name: string, nodeName: string, cpu: string, opts: { owner?: string; annotations?: Record<string, string>; namespace?: string; labels?: Record<string, string> } = {}): FullPod {
  return {
    metadata: { name, namespace: opts.namespace ?? 'default', uid: `u-${name}`, labels: opts.labels ?? {}, annotations: opts.annotations ?? {}, ownerReferences: opts.owner === 'none' ? [] : [{ kind: opts.owner ?? 'ReplicaSet', name: 'rs', controller: true }] },
    spec: { nodeName, containers: [{ name: 'c', resources: { requests: { cpu, memory: '64Mi' } } }] },
    status: { phase: 'Running' },
  };
}

function input(nodes: FullNode[], pods: FullPod[], g: NodeGroup, extra: Partial<ScaleDownInput> = {}): ScaleDownInput {
  return {
    nodes,
    pods,
    groupOf: new Map(nodes.map((n) => [n.metadata!.name!, g])),
    ready: new Set(nodes.map((n) => n.metadata!.name!)),
    budgets: [],
    unneededSince: new Map(),
    now: 100_000,
    utilizationThreshold: 0.5,
    unneededTimeMs: 10_000,
    ...extra,
  };
}

describe('utilization', () => {
  it('the larger of CPU and memory shares', () => {
    assert.equal(utilization(node('n'), [pod('a', 'n', '500m')]), 0.25);
    assert.equal(utilization(node('n'), []), 0);
  });
});

describe('decideScaleDown', () => {
  it('an empty Node is unneeded from now; removed only after the unneeded time', () => {
    const g = group(1, 3, 2);
    const first = decideScaleDown(input([node('a'), node('b')], [pod('p', 'a', '1500m')], g));
    assert.deepEqual([...first.unneeded], [['b', 100_000]]);
    assert.deepEqual(first.remove, []);
    const later = decideScaleDown(input([node('a'), node('b')], [pod('p', 'a', '1500m')], g, { unneededSince: first.unneeded, now: 110_000 }));
    assert.deepEqual(later.remove.map((v) => v.node), ['b']);
  });
  it('a busy Node (at or above the threshold) is needed', () => {
    const g = group(1, 3, 2);
    const d = decideScaleDown(input([node('a'), node('b')], [pod('p', 'a', '1'), pod('q', 'b', '1')], g));
    assert.equal(d.unneeded.size, 0);
    assert.match(d.verdicts[0]!.reason!, /not below the threshold/);
  });
  it('a lightly used Node whose Pods fit elsewhere is unneeded; its Pods are the ones to move', () => {
    const g = group(1, 3, 2);
    const d = decideScaleDown(input([node('a'), node('b')], [pod('p', 'a', '1200m'), pod('q', 'b', '500m'), pod('ds', 'b', '100m', { owner: 'DaemonSet' })], g, { unneededSince: new Map([['b', 0]]) }));
    assert.deepEqual(d.remove.map((v) => [v.node, v.podsToMove.map((p) => p.metadata!.name)]), [['b', ['q']]]);
  });
  it('Pods with nowhere to go keep their Node', () => {
    const g = group(1, 3, 2);
    const d = decideScaleDown(input([node('a'), node('b')], [pod('p', 'a', '900m'), pod('q', 'b', '900m'), pod('r', 'a', '900m')], g));
    assert.match(d.verdicts.find((v) => v.node === 'b')!.reason!, /no place to move pod default\/q/);
  });
  it('never below min size', () => {
    const g = group(1, 3, 1);
    const d = decideScaleDown(input([node('a')], [], g, { unneededSince: new Map([['a', 0]]) }));
    assert.deepEqual(d.remove, []);
    assert.match(d.verdicts[0]!.reason!, /min size 1/);
  });
  it('two empty Nodes go together down to min', () => {
    const g = group(1, 3, 3);
    const d = decideScaleDown(input([node('a'), node('b'), node('c')], [], g, { unneededSince: new Map([['a', 0], ['b', 0], ['c', 0]]) }));
    assert.equal(d.remove.length, 2);
  });
  it('at most one Node with Pods to move per pass', () => {
    const g = group(1, 3, 3);
    const d = decideScaleDown(input([node('a'), node('b'), node('c'), node('d')], [pod('busy', 'a', '1200m'), pod('p', 'b', '100m'), pod('q', 'c', '100m')], group(1, 4, 4), { unneededSince: new Map([['b', 0], ['c', 0], ['d', 0]]) }));
    assert.deepEqual([...d.unneeded.keys()].sort(), ['b', 'c', 'd']);
    assert.deepEqual(d.remove.map((v) => v.node).sort(), ['b', 'd']);
  });
  const blockers: [string, FullPod, RegExp][] = [
    ['safe-to-evict "false"', pod('s', 'b', '100m', { annotations: { [SAFE_TO_EVICT_ANNOTATION]: 'false' } }), /safe-to-evict=false/],
    ['a Pod without a controller', pod('bare', 'b', '100m', { owner: 'none' }), /not replicated/],
    ['a kube-system Pod without a budget', pod('dns', 'b', '100m', { namespace: 'kube-system' }), /kube-system pod/],
  ];
  for (const [name, p, re] of blockers) {
    it(`blocked by ${name}`, () => {
      const d = decideScaleDown(input([node('a'), node('b')], [pod('busy', 'a', '1200m'), p], group(1, 3, 2)));
      assert.match(d.verdicts.find((v) => v.node === 'b')!.reason!, re);
    });
  }
  it('a bare Pod annotated safe-to-evict "true" may move', () => {
    const d = decideScaleDown(input([node('a'), node('b')], [pod('p', 'a', '1200m'), pod('bare', 'b', '100m', { owner: 'none', annotations: { [SAFE_TO_EVICT_ANNOTATION]: 'true' } })], group(1, 3, 2)));
    assert.ok(d.unneeded.has('b'));
  });
  it('the scale-down-disabled Node annotation', () => {
    const d = decideScaleDown(input([node('a'), node('b', { [SCALE_DOWN_DISABLED_ANNOTATION]: 'true' })], [], group(1, 3, 2)));
    assert.deepEqual([...d.unneeded.keys()], ['a']);
  });
  it('a PodDisruptionBudget with no disruptions allowed blocks; with one allowed, one Node', () => {
    const budget = (n: number): Budget => ({ namespace: 'default', name: 'pdb', selector: labelSelectorFromObject({ matchLabels: { app: 'x' } }), disruptionsAllowed: n });
    const pods = [pod('busy', 'a', '1200m'), pod('p', 'b', '100m', { labels: { app: 'x' } }), pod('q', 'c', '100m', { labels: { app: 'x' } })];
    const none = decideScaleDown(input([node('a'), node('b'), node('c')], pods, group(1, 3, 3), { budgets: [budget(0)] }));
    assert.equal(none.unneeded.size, 0);
    const one = decideScaleDown(input([node('a'), node('b'), node('c')], pods, group(1, 3, 3), { budgets: [budget(1)] }));
    assert.deepEqual([...one.unneeded.keys()].sort(), ['b']);
    assert.match(one.verdicts.find((v) => v.node === 'c')!.reason!, /disruption budget/);
  });
  it('per-group unneeded time and threshold', () => {
    const g = group(0, 3, 1, { 'cluster.x-k8s.io/autoscaling-options-scaledownunneededtime': '1s', 'cluster.x-k8s.io/autoscaling-options-scaledownutilizationthreshold': '0.1' });
    const busy = decideScaleDown(input([node('a')], [pod('p', 'a', '300m')], g));
    assert.equal(busy.unneeded.size, 0);
    const idle = decideScaleDown(input([node('a')], [], g, { unneededSince: new Map([['a', 99_000]]) }));
    assert.deepEqual(idle.remove.map((v) => v.node), ['a']);
  });
  it('Nodes that are not Ready or in no group are left alone', () => {
    const g = group(0, 3, 2);
    const d = decideScaleDown({ ...input([node('a'), node('b')], [], g), ready: new Set(['a']), groupOf: new Map([['b', g]]) });
    assert.deepEqual(d.verdicts.map((v) => v.reason), ['not in an autoscaled node group', 'node is not ready']);
  });
});
