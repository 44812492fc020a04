import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/types.js';
import type { NodeLike, PodLike } from '../workload/scheduler/index.js';
import { nodeGroupOf, templateNode, MAX_SIZE_ANNOTATION, MIN_SIZE_ANNOTATION, type NodeGroup } from './node-groups.js';
import { decideScaleUp, templateReasons, wasteScore, type GroupForScaleUp } from './scale-up.js';

function group(name: string, min: number, max: number, replicas: number): NodeGroup {
  const obj = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { namespace: 'default', name, annotations: { [MIN_SIZE_ANNOTATION]: String(min), [MAX_SIZE_ANNOTATION]: String(max) } }, spec: { clusterName: 'c', replicas } } as KubeObject;
  return (nodeGroupOf(obj) as { group: NodeGroup }).group;
}
function node(name: string, cpu: string, memory = '8Gi', labels: Record<string, string> = {}): NodeLike {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } }, spec: {}, status: { allocatable: { cpu, memory, pods: '110' } } };
}
function pod(name: string, cpu: string, opts: { nodeName?: string; memory?: string; nodeSelector?: Record<string, string> } = {}): PodLike {
  return { metadata: { name, namespace: 'default', uid: `u-${name}` }, spec: { nodeName: opts.nodeName, nodeSelector: opts.nodeSelector, containers: [{ name: 'c', resources: { requests: { cpu, memory: opts.memory ?? '64Mi' } } }] } };
}
function forUp(g: NodeGroup, cpu: string, upcoming = 0, memory = '8Gi', os = 'linux'): GroupForScaleUp {
  return { group: g, template: templateNode(g, 0, { infra: { capacity: { cpu, memory }, os } }), upcoming };
}

describe('decideScaleUp', () => {
  it('nothing pending fits anywhere but a new Node does: grows by as many Nodes as the Pods need (several at once)', () => {
    const g = group('md', 1, 3, 1);
    const pending = ['p3', 'p4', 'p5'].map((n) => pod(n, '700m'));
    const d = decideScaleUp({ nodes: [node('w1', '2')], boundPods: [pod('p1', '700m', { nodeName: 'w1' }), pod('p2', '700m', { nodeName: 'w1' })], pending, groups: [forUp(g, '2')] });
    assert.equal(d.best?.group.id, 'MachineDeployment/default/md');
    assert.deepEqual([d.best?.from, d.best?.to, d.best?.pods.length], [1, 3, 3]);
  });
  it('never beyond max: the Pods left over are reported', () => {
    const g = group('md', 1, 2, 1);
    const pending = ['a', 'b', 'c'].map((n) => pod(n, '1500m'));
    const d = decideScaleUp({ nodes: [node('w1', '2')], boundPods: [pod('x', '1500m', { nodeName: 'w1' })], pending, groups: [forUp(g, '2')] });
    assert.deepEqual([d.best?.from, d.best?.to, d.best?.pods.length], [1, 2, 1]);
    assert.equal(d.noScaleUp.length, 2);
    assert.deepEqual(d.noScaleUp[0]!.reasons, [{ group: 'MachineDeployment/default/md', reason: 'max node group size reached' }]);
  });
  it('a group at max size helps nobody', () => {
    const g = group('md', 1, 1, 1);
    const d = decideScaleUp({ nodes: [node('w1', '1')], boundPods: [], pending: [pod('a', '2')], groups: [forUp(g, '4')] });
    assert.equal(d.best, undefined);
    assert.deepEqual(d.noScaleUp[0]!.reasons, [{ group: 'MachineDeployment/default/md', reason: 'max node group size reached' }]);
  });
  it('a Pod bigger than the template Node triggers nothing (reason from the scheduler)', () => {
    const g = group('md', 0, 5, 0);
    const d = decideScaleUp({ nodes: [], boundPods: [], pending: [pod('big', '8')], groups: [forUp(g, '2')] });
    assert.equal(d.best, undefined);
    assert.deepEqual(d.noScaleUp[0]!.reasons, [{ group: 'MachineDeployment/default/md', reason: 'Insufficient cpu' }]);
  });
  it('upcoming Nodes (asked for, not registered) take the Pods: no further scale-up', () => {
    const g = group('md', 1, 3, 2);
    const d = decideScaleUp({ nodes: [node('w1', '2')], boundPods: [pod('x', '1500m', { nodeName: 'w1' })], pending: [pod('a', '1500m')], groups: [forUp(g, '2', 1)] });
    assert.equal(d.best, undefined);
    assert.equal(d.fitsExisting.length, 1);
  });
  it('a Pod that fits an existing Node (freed meanwhile) asks for nothing', () => {
    const g = group('md', 1, 3, 1);
    const d = decideScaleUp({ nodes: [node('w1', '2')], boundPods: [], pending: [pod('a', '500m')], groups: [forUp(g, '2')] });
    assert.equal(d.best, undefined);
    assert.equal(d.fitsExisting.length, 1);
  });
  it('scale from zero (min 0, no members)', () => {
    const g = group('md', 0, 3, 0);
    const d = decideScaleUp({ nodes: [], boundPods: [], pending: [pod('a', '1')], groups: [forUp(g, '2')] });
    assert.deepEqual([d.best?.from, d.best?.to], [0, 1]);
  });
  it('least-waste: the group whose Node the Pods fill best wins', () => {
    const small = group('small', 0, 5, 0);
    const big = group('big', 0, 5, 0);
    const d = decideScaleUp({ nodes: [], boundPods: [], pending: [pod('a', '1800m', { memory: '3Gi' })], groups: [forUp(big, '16', 0, '64Gi'), forUp(small, '2', 0, '4Gi')] });
    assert.equal(d.best?.group.name, 'small');
    assert.equal(d.options.length, 2);
  });
  it('equal waste: the random source picks among equals', () => {
    const a = group('a', 0, 5, 0);
    const b = group('b', 0, 5, 0);
    const input = { nodes: [], boundPods: [], pending: [pod('p', '1')], groups: [forUp(a, '2'), forUp(b, '2')] };
    assert.equal(decideScaleUp({ ...input, random: () => 0 }).best?.group.name, 'a');
    assert.equal(decideScaleUp({ ...input, random: () => 0.99 }).best?.group.name, 'b');
  });
  it('Windows Pods only grow the Windows pool (the os label from the template)', () => {
    const lin = group('linux', 0, 5, 0);
    const win = group('windows', 0, 5, 0);
    const d = decideScaleUp({ nodes: [], boundPods: [], pending: [pod('w', '1', { nodeSelector: { 'kubernetes.io/os': 'windows' } })], groups: [forUp(lin, '2'), forUp(win, '4', 0, '8Gi', 'windows')] });
    assert.equal(d.best?.group.name, 'windows');
    assert.equal(d.options.length, 1);
  });
  it('templateReasons: the scheduler message without counts and preemption', () => {
    assert.equal(templateReasons('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.'), 'Insufficient cpu');
    assert.equal(templateReasons("0/1 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector."), "Insufficient cpu; node(s) didn't match Pod's node affinity/selector");
  });
  it('wasteScore: CPU share plus memory share left unused', () => {
    assert.equal(wasteScore(node('t', '2', '4Gi'), 1, [pod('a', '1', { memory: '2Gi' })]), 1);
    assert.equal(wasteScore(node('t', '2', '4Gi'), 2, [pod('a', '2', { memory: '4Gi' }), pod('b', '2', { memory: '4Gi' })]), 0);
  });
});
