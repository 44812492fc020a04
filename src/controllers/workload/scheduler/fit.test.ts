import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterFit, insufficientResources, scoreBalancedAllocation, scoreLeastAllocated } from './fit.js';
import { newPodInfo } from './pod-info.js';
import { snapshotOf } from './test-fixtures.test-util.js';
import type { NodeInfo } from './snapshot.js';
import type { NodeLike, PodLike, ResourceList } from './types.js';

// Upstream's fit_test.go TestEnoughRequests: node allocatable makeResources(10, 20, 32, 5, 20, 5):
// 10 millicores, 20 bytes of memory, 32 pods, 5 of example.com/aaa, 20 ephemeral-storage, 5 hugepages-2Mi.
const A = 'example.com/aaa';
const B = 'example.com/bbb';
const K8S_A = 'kubernetes.io/something';
const HUGE = 'hugepages-2Mi';

interface R { cpu?: number; mem?: number; eph?: number; scalar?: Record<string, number> }
const list = (r: R): ResourceList => {
  const out: ResourceList = {};
  if (r.cpu !== undefined) out.cpu = `${r.cpu}m`;
  if (r.mem !== undefined) out.memory = String(r.mem);
  if (r.eph !== undefined) out['ephemeral-storage'] = String(r.eph);
  for (const [k, v] of Object.entries(r.scalar ?? {})) out[k] = String(v);
  return out;
};
const resourcePod = (containers: R[], init: R[] = []): PodLike => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: containers.map((r) => ({ resources: { requests: list(r) } })), initContainers: init.map((r) => ({ resources: { requests: list(r) } })) },
});
const testNode: NodeLike = {
  metadata: { name: 'n' },
  status: { allocatable: { cpu: '10m', memory: '20', pods: '32', [A]: '5', 'ephemeral-storage': '20', [HUGE]: '5' } },
};
const withOverhead = (p: PodLike, overhead: ResourceList): PodLike => ({ ...p, spec: { ...p.spec, overhead } });
function nodeWith(existing: R): NodeInfo {
  const p = resourcePod([existing]);
  p.metadata = { name: 'existing', namespace: 'default', uid: 'e' };
  p.spec!.nodeName = 'n';
  return snapshotOf([testNode], [p]).nodeInfo('n')!;
}

const cases: { name: string; pod: PodLike; existing: R; want: string[] }[] = [
  { name: 'no resources requested always fits', pod: { spec: {} }, existing: { cpu: 10, mem: 20 }, want: [] },
  { name: 'too many resources fails', pod: resourcePod([{ cpu: 1, mem: 1 }]), existing: { cpu: 10, mem: 20 }, want: ['Insufficient cpu', 'Insufficient memory'] },
  { name: 'too many resources fails due to init container cpu', pod: resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 3, mem: 1 }]), existing: { cpu: 8, mem: 19 }, want: ['Insufficient cpu'] },
  { name: 'too many resources fails due to highest init container cpu', pod: resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 3, mem: 1 }, { cpu: 2, mem: 1 }]), existing: { cpu: 8, mem: 19 }, want: ['Insufficient cpu'] },
  { name: 'too many resources fails due to init container memory', pod: resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 3 }]), existing: { cpu: 9, mem: 19 }, want: ['Insufficient memory'] },
  { name: 'too many resources fails due to highest init container memory', pod: resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 3 }, { cpu: 1, mem: 2 }]), existing: { cpu: 9, mem: 19 }, want: ['Insufficient memory'] },
  { name: "init container fits because it's the max, not sum", pod: resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 1 }]), existing: { cpu: 9, mem: 19 }, want: [] },
  { name: 'multiple init containers fit (max, not sum)', pod: resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 1 }, { cpu: 1, mem: 1 }]), existing: { cpu: 9, mem: 19 }, want: [] },
  { name: 'both resources fit', pod: resourcePod([{ cpu: 1, mem: 1 }]), existing: { cpu: 5, mem: 5 }, want: [] },
  { name: 'one resource memory fits', pod: resourcePod([{ cpu: 2, mem: 1 }]), existing: { cpu: 9, mem: 5 }, want: ['Insufficient cpu'] },
  { name: 'one resource cpu fits', pod: resourcePod([{ cpu: 1, mem: 2 }]), existing: { cpu: 5, mem: 19 }, want: ['Insufficient memory'] },
  { name: 'equal edge case', pod: resourcePod([{ cpu: 5, mem: 1 }]), existing: { cpu: 5, mem: 19 }, want: [] },
  { name: 'equal edge case for init container', pod: resourcePod([{ cpu: 4, mem: 1 }], [{ cpu: 5, mem: 1 }]), existing: { cpu: 5, mem: 19 }, want: [] },
  { name: 'extended resource fits', pod: resourcePod([{ scalar: { [A]: 1 } }]), existing: {}, want: [] },
  { name: 'extended resource fits for init container', pod: resourcePod([{}], [{ scalar: { [A]: 1 } }]), existing: {}, want: [] },
  { name: 'extended resource capacity enforced', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [A]: 10 } }]), existing: { cpu: 0, mem: 0, scalar: { [A]: 0 } }, want: [`Insufficient ${A}`] },
  { name: 'extended resource capacity enforced for init container', pod: resourcePod([{}], [{ cpu: 1, mem: 1, scalar: { [A]: 10 } }]), existing: { scalar: { [A]: 0 } }, want: [`Insufficient ${A}`] },
  { name: 'extended resource allocatable enforced', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [A]: 1 } }]), existing: { scalar: { [A]: 5 } }, want: [`Insufficient ${A}`] },
  { name: 'extended resource allocatable enforced for init container', pod: resourcePod([{}], [{ cpu: 1, mem: 1, scalar: { [A]: 1 } }]), existing: { scalar: { [A]: 5 } }, want: [`Insufficient ${A}`] },
  { name: 'extended resource allocatable enforced for multiple containers', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [A]: 3 } }, { cpu: 1, mem: 1, scalar: { [A]: 3 } }]), existing: { scalar: { [A]: 2 } }, want: [`Insufficient ${A}`] },
  { name: 'extended resource allocatable admits multiple init containers', pod: resourcePod([{}], [{ cpu: 1, mem: 1, scalar: { [A]: 3 } }, { cpu: 1, mem: 1, scalar: { [A]: 3 } }]), existing: { scalar: { [A]: 2 } }, want: [] },
  { name: 'extended resource allocatable enforced for multiple init containers', pod: resourcePod([{}], [{ cpu: 1, mem: 1, scalar: { [A]: 6 } }, { cpu: 1, mem: 1, scalar: { [A]: 3 } }]), existing: { scalar: { [A]: 2 } }, want: [`Insufficient ${A}`] },
  { name: 'extended resource allocatable enforced for unknown resource', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [B]: 1 } }]), existing: {}, want: [`Insufficient ${B}`] },
  { name: 'extended resource allocatable enforced for unknown resource for init container', pod: resourcePod([{}], [{ cpu: 1, mem: 1, scalar: { [B]: 1 } }]), existing: {}, want: [`Insufficient ${B}`] },
  { name: 'kubernetes.io resource capacity enforced', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [K8S_A]: 10 } }]), existing: {}, want: [`Insufficient ${K8S_A}`] },
  { name: 'hugepages resource capacity enforced', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [HUGE]: 10 } }]), existing: { scalar: { [HUGE]: 0 } }, want: [`Insufficient ${HUGE}`] },
  { name: 'hugepages resource capacity enforced for init container', pod: resourcePod([{}], [{ cpu: 1, mem: 1, scalar: { [HUGE]: 10 } }]), existing: { scalar: { [HUGE]: 0 } }, want: [`Insufficient ${HUGE}`] },
  { name: 'hugepages resource allocatable enforced for multiple containers', pod: resourcePod([{ cpu: 1, mem: 1, scalar: { [HUGE]: 3 } }, { cpu: 1, mem: 1, scalar: { [HUGE]: 3 } }]), existing: { scalar: { [HUGE]: 2 } }, want: [`Insufficient ${HUGE}`] },
  { name: 'ephemeral-storage enforced', pod: resourcePod([{ eph: 15 }]), existing: { eph: 10 }, want: ['Insufficient ephemeral-storage'] },
  { name: 'resources + pod overhead fits', pod: withOverhead(resourcePod([{ cpu: 1, mem: 1 }]), { cpu: '3m', memory: '13' }), existing: { cpu: 5, mem: 5 }, want: [] },
  { name: 'requests + overhead does not fit for memory', pod: withOverhead(resourcePod([{ cpu: 1, mem: 1 }]), { cpu: '1m', memory: '15' }), existing: { cpu: 5, mem: 5 }, want: ['Insufficient memory'] },
];

test('NodeResourcesFit filter: upstream TestEnoughRequests cases', () => {
  for (const tc of cases) {
    const failure = filterFit(newPodInfo(tc.pod), nodeWith(tc.existing));
    assert.deepEqual(failure?.reasons ?? [], tc.want, tc.name);
    if (failure) assert.equal(failure.code, 'Unschedulable');
  }
});

test('insufficient resources report requested, used and capacity', () => {
  const got = insufficientResources(newPodInfo(resourcePod([{ cpu: 3, mem: 1 }], [])).requests, nodeWith({ cpu: 8, mem: 19 }));
  assert.deepEqual(got, [{ resourceName: 'cpu', reason: 'Insufficient cpu', requested: 3, used: 8, capacity: 10 }]);
});

test('Too many pods: upstream TestNotEnoughRequests (allocatable pods 1, one pod bound)', () => {
  const n: NodeLike = { metadata: { name: 'n' }, status: { allocatable: { cpu: '10m', memory: '20', pods: '1' } } };
  const bound: PodLike = { metadata: { name: 'b', uid: 'b' }, spec: { nodeName: 'n', containers: [] } };
  const ni = snapshotOf([n], [bound]).nodeInfo('n')!;
  for (const p of [{ spec: {} }, resourcePod([{ cpu: 1, mem: 1 }]), resourcePod([{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 1 }])]) {
    assert.deepEqual(filterFit(newPodInfo(p), ni)?.reasons, ['Too many pods']);
  }
  // both at once: pods first, then resources
  const full = snapshotOf([{ ...n, status: { allocatable: { cpu: '10m', memory: '20', pods: '1' } } }], [{ ...bound, spec: { nodeName: 'n', containers: [{ resources: { requests: { cpu: '10m' } } }] } }]).nodeInfo('n')!;
  assert.deepEqual(filterFit(newPodInfo(resourcePod([{ cpu: 1 }])), full)?.reasons, ['Too many pods', 'Insufficient cpu']);
});

test('LeastAllocated and BalancedAllocation scores (upstream examples)', () => {
  // least_allocated_test: node 4000m/10000 bytes; pod requests 3000m/5000 with existing 0
  // → cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50, score 37.
  const n: NodeLike = { metadata: { name: 'n' }, status: { allocatable: { cpu: '4000m', memory: '10000', pods: '110' } } };
  const ni = snapshotOf([n]).nodeInfo('n')!;
  const p = newPodInfo({ spec: { containers: [{ resources: { requests: { cpu: '1000m', memory: '2000' } } }, { resources: { requests: { cpu: '2000m', memory: '3000' } } }] } });
  assert.equal(scoreLeastAllocated(p, ni), 37);
  // balanced: cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5 → std 0.125 → 87
  assert.equal(scoreBalancedAllocation(p, ni), 87);
  // nothing requested: non-zero defaults make LeastAllocated see 100m/200Mi; memory overflows → 0
  const empty = newPodInfo({ spec: { containers: [{}] } });
  assert.equal(scoreLeastAllocated(empty, ni), Math.floor((Math.floor((3900 * 100) / 4000) + 0) / 2));
});
