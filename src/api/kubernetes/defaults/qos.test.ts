import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from './quantity.js';
import { podQOSClass, podStatusOnCreate, type PodQOSClass } from './qos.js';

type List = Record<string, string>;
const list = (cpu: string, memory: string, extra: List = {}): List => ({
  ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), ...extra,
});
const container = (requests: List, limits: List) => ({ name: 'c', resources: { requests, limits } });
const pod = (containers: unknown[], initContainers: unknown[] = [], resources?: { requests: List; limits: List }) => ({
  spec: { containers, ...(initContainers.length ? { initContainers } : {}), ...(resources ? { resources } : {}) },
});

describe('quantity parsing', () => {
  const cases: [unknown, bigint | undefined][] = [
    ['0', 0n], ['1', 1_000_000_000n], ['100m', 100_000_000n], ['0.1', 100_000_000n], ['1.5', 1_500_000_000n],
    ['1k', 1_000_000_000_000n], ['1Ki', 1024n * 1_000_000_000n], ['100Mi', 100n * 1048576n * 1_000_000_000n],
    ['1e3', 1_000_000_000_000n], ['1E-3', 1_000_000n], ['5n', 5n], ['1u', 1000n], ['.5', 500_000_000n],
    ['0.0000000001', 1n], ['-1', -1_000_000_000n], [2, 2_000_000_000n], [0.5, 500_000_000n],
    ['', undefined], ['abc', undefined], ['1 Gi', undefined], ['1Gb', undefined], [null, undefined],
  ];
  for (const [text, nanos] of cases) it(`${JSON.stringify(text)} → ${String(nanos)}`, () => assert.equal(parseQuantity(text), nanos));
  it('equal amounts in different notations compare equal', () => {
    assert.equal(parseQuantity('1000m'), parseQuantity('1'));
    assert.equal(parseQuantity('1Gi'), parseQuantity('1024Mi'));
    assert.equal(parseQuantity('1G'), parseQuantity('1000M'));
  });
});

describe('Pod QoS class (upstream TestComputePodQOS)', () => {
  const cases: { name: string; pod: Record<string, unknown>; expected: PodQOSClass }[] = [
    { name: 'guaranteed', pod: pod([container(list('100m', '100Mi'), list('100m', '100Mi'))]), expected: 'Guaranteed' },
    { name: 'guaranteed-guaranteed', pod: pod([container(list('100m', '100Mi'), list('100m', '100Mi')), container(list('100m', '100Mi'), list('100m', '100Mi'))]), expected: 'Guaranteed' },
    { name: 'best-effort-best-effort', pod: pod([container({}, {}), container({}, {})]), expected: 'BestEffort' },
    { name: 'best-effort', pod: pod([container({}, {})]), expected: 'BestEffort' },
    { name: 'best-effort-burstable', pod: pod([container({}, {}), container(list('1', ''), list('2', ''))]), expected: 'Burstable' },
    { name: 'best-effort-guaranteed', pod: pod([container({}, {}), container(list('10m', '100Mi'), list('10m', '100Mi'))]), expected: 'Burstable' },
    { name: 'burstable-cpu-guaranteed-memory', pod: pod([container(list('', '100Mi'), list('', '100Mi'))]), expected: 'Burstable' },
    { name: 'burstable-no-limits', pod: pod([container(list('100m', '100Mi'), {})]), expected: 'Burstable' },
    { name: 'burstable-guaranteed', pod: pod([container(list('1', '100Mi'), list('2', '100Mi')), container(list('100m', '100Mi'), list('100m', '100Mi'))]), expected: 'Burstable' },
    { name: 'burstable-unbounded-but-requests-match-limits', pod: pod([container(list('100m', '100Mi'), list('200m', '200Mi')), container(list('100m', '100Mi'), {})]), expected: 'Burstable' },
    { name: 'burstable-1', pod: pod([container(list('10m', '100Mi'), list('100m', '200Mi'))]), expected: 'Burstable' },
    { name: 'burstable-2', pod: pod([container(list('0', '0'), list('100m', '200Mi'))]), expected: 'Burstable' },
    { name: 'best-effort-hugepages', pod: pod([container(list('0', '0', { 'hugepages-2Mi': '1Gi' }), list('0', '0', { 'hugepages-2Mi': '1Gi' }))]), expected: 'BestEffort' },
    { name: 'init-container', pod: pod([container({}, {})], [container(list('10m', '100Mi'), list('100m', '200Mi'))]), expected: 'Burstable' },
    { name: 'guaranteed-with-pod-level-resources', pod: pod([container({}, {})], [], { requests: list('10m', '100Mi'), limits: list('10m', '100Mi') }), expected: 'Guaranteed' },
    { name: 'guaranteed-with-pod-and-container-level-resources', pod: pod([container(list('3m', '10Mi'), list('5m', '20Mi'))], [], { requests: list('10m', '100Mi'), limits: list('10m', '100Mi') }), expected: 'Guaranteed' },
    { name: 'burstable-with-pod-level-resources', pod: pod([container({}, {})], [], { requests: list('10m', '10Mi'), limits: list('20m', '50Mi') }), expected: 'Burstable' },
    { name: 'burstable-with-pod-and-container-level-resources', pod: pod([container(list('5m', '10Mi'), list('5m', '10Mi'))], [], { requests: list('10m', '10Mi'), limits: list('20m', '50Mi') }), expected: 'Burstable' },
    { name: 'burstable-with-pod-and-container-level-requests', pod: pod([container(list('5m', '10Mi'), {})], [], { requests: list('10m', '10Mi'), limits: {} }), expected: 'Burstable' },
    { name: 'burstable-with-pod-and-container-level-resources-2', pod: pod([container(list('5m', '10Mi'), {}), container(list('5m', '10Mi'), list('5m', '10Mi'))], [], { requests: list('10m', '10Mi'), limits: list('5m', '') }), expected: 'Burstable' },
    // Sums are compared, not per-container values (collectContainerLevelResources cases).
    { name: 'equal sums in different notations', pod: pod([container(list('0.5', '1Gi'), list('500m', '1024Mi'))]), expected: 'Guaranteed' },
    { name: 'ephemeral containers are ignored', pod: { spec: { containers: [container(list('250m', '256Mi'), list('250m', '256Mi'))], ephemeralContainers: [{ name: 'debug' }] } }, expected: 'Guaranteed' },
    { name: 'only limits (requests default from them at admission, not here)', pod: pod([container({}, list('1', '1Gi'))]), expected: 'Burstable' },
    { name: 'no spec', pod: {}, expected: 'BestEffort' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(podQOSClass(c.pod), c.expected));
});

describe('podStatusOnCreate', () => {
  it('is Pending with the QoS class, and does not touch the pod', () => {
    const p = pod([container(list('1', '1Gi'), list('1', '1Gi'))]);
    const before = structuredClone(p);
    assert.deepEqual(podStatusOnCreate(p), { phase: 'Pending', qosClass: 'Guaranteed' });
    assert.deepEqual(p, before);
  });
});
