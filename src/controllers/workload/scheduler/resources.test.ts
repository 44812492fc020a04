import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, nodeAllocatable, podRequests } from './resources.js';
import type { PodLike } from './types.js';

const c = (requests: Record<string, string>, extra: object = {}) => ({ resources: { requests }, ...extra });

test('effective requests: max(init, sum of containers) plus overhead', () => {
  const cases: { name: string; pod: PodLike; cpu: number; memory: number; scalar?: Record<string, number> }[] = [
    { name: 'empty pod', pod: { spec: {} }, cpu: 0, memory: 0 },
    { name: 'containers sum', pod: { spec: { containers: [c({ cpu: '100m', memory: '1Mi' }), c({ cpu: '1.5', memory: '1Gi' })] } }, cpu: 1600, memory: 1024 ** 3 + 1024 ** 2 },
    { name: 'container without requests counts 0', pod: { spec: { containers: [{}, c({ cpu: '1' })] } }, cpu: 1000, memory: 0 },
    { name: 'init max beats sum', pod: { spec: { containers: [c({ cpu: '1' })], initContainers: [c({ cpu: '3' }), c({ cpu: '2' })] } }, cpu: 3000, memory: 0 },
    { name: 'sum beats init', pod: { spec: { containers: [c({ cpu: '2' }), c({ cpu: '2' })], initContainers: [c({ cpu: '3' })] } }, cpu: 4000, memory: 0 },
    { name: 'overhead added', pod: { spec: { containers: [c({ cpu: '1' })], overhead: { cpu: '250m', memory: '120Mi' } } }, cpu: 1250, memory: 120 * 1024 ** 2 },
    {
      name: 'sidecars add to containers and run alongside later init containers',
      pod: { spec: { containers: [c({ cpu: '1' })], initContainers: [c({ cpu: '500m' }, { restartPolicy: 'Always' }), c({ cpu: '2' })] } },
      cpu: 2500, memory: 0,
    },
    { name: 'limits stand in for missing requests', pod: { spec: { containers: [{ resources: { limits: { cpu: '2', memory: '1Gi' } } }] } }, cpu: 2000, memory: 1024 ** 3 },
    { name: 'pod-level requests win', pod: { spec: { containers: [c({ cpu: '1' })], resources: { requests: { cpu: '3' } } } }, cpu: 3000, memory: 0 },
    { name: 'extended resources', pod: { spec: { containers: [c({ 'example.com/gpu': '2' }), c({ 'example.com/gpu': '1' })] } }, cpu: 0, memory: 0, scalar: { 'example.com/gpu': 3 } },
  ];
  for (const tc of cases) {
    const r = podRequests(tc.pod);
    assert.equal(r.milliCPU, tc.cpu, tc.name);
    assert.equal(r.memory, tc.memory, tc.name);
    assert.deepEqual(r.scalar, tc.scalar ?? {}, tc.name);
  }
});

test('non-zero requests (scoring only): defaults for missing cpu/memory, explicit zero kept', () => {
  const none = podRequests({ spec: { containers: [{}, {}] } }, { nonZero: true });
  assert.equal(none.milliCPU, 2 * DEFAULT_MILLI_CPU_REQUEST);
  assert.equal(none.memory, 2 * DEFAULT_MEMORY_REQUEST);
  assert.equal(DEFAULT_MEMORY_REQUEST, 209715200);
  const zero = podRequests({ spec: { containers: [c({ cpu: '0', memory: '0' })] } }, { nonZero: true });
  assert.equal(zero.milliCPU, 0);
  assert.equal(zero.memory, 0);
  const half = podRequests({ spec: { containers: [c({ cpu: '1' })] } }, { nonZero: true });
  assert.equal(half.milliCPU, 1000);
  assert.equal(half.memory, DEFAULT_MEMORY_REQUEST);
});

test('node allocatable incl. pods', () => {
  const a = nodeAllocatable({ status: { allocatable: { cpu: '3800m', memory: '7Gi', pods: '110', 'ephemeral-storage': '100Gi', 'hugepages-2Mi': '0' } } });
  assert.equal(a.milliCPU, 3800);
  assert.equal(a.memory, 7 * 1024 ** 3);
  assert.equal(a.allowedPodNumber, 110);
  assert.equal(a.ephemeralStorage, 100 * 1024 ** 3);
  assert.equal(nodeAllocatable({ status: { capacity: { cpu: '2' } } }).milliCPU, 2000);
});
