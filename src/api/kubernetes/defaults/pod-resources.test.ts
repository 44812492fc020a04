import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaulted } from './defaults.test-util.js';
import { formatQuantity, parseQuantityWithFormat } from './quantity.js';

type Obj = Record<string, unknown>;
type List = Record<string, string>;
const c = (name: string, requests?: List, limits?: List, extra: Obj = {}) => ({
  name, image: 'x:1', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) }, ...extra,
});
const podResources = (spec: Obj) => (defaulted('', 'v1', 'Pod', { spec })['spec'] as Obj)['resources'];

describe('quantity canonical text (upstream Quantity.String after Add)', () => {
  const sums: [string[], string][] = [
    [['100m', '200m'], '300m'], [['500m', '500m'], '1'], [['0.5', '0.5'], '1'], [['1', '250m'], '1250m'],
    [['512Mi', '512Mi'], '1Gi'], [['1Gi', '512Mi'], '1536Mi'], [['100Mi', '1'], '104857601'], [['512', '256'], '768'],
    [['1k', '1k'], '2k'], [['1e3', '1e3'], '2e3'], [['1500', '1500'], '3k'], [['2Mi', '2Mi'], '4Mi'], [['0', '0'], '0'],
  ];
  for (const [operands, expected] of sums) {
    it(`${operands.join(' + ')} = ${expected}`, () => {
      const parsed = operands.map((o) => parseQuantityWithFormat(o)!);
      const total = parsed.reduce((sum, q) => sum + q.nanos, 0n);
      assert.equal(formatQuantity({ nanos: total, format: parsed[0]!.format }), expected);
    });
  }
});

describe('pod-level resources defaults (PodLevelResources, KEP-2837 defaulting rules)', () => {
  it('nothing happens without spec.resources', () => {
    assert.equal(podResources({ containers: [c('a', { cpu: '1' })] }), undefined);
  });

  it('requests come from the containers\' requests, then from the pod-level limits', () => {
    assert.deepEqual(podResources({
      resources: { limits: { cpu: '1', memory: '1Gi' } },
      containers: [c('a', { cpu: '100m' }), c('b', { cpu: '200m' })],
    }), { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '300m', memory: '1Gi' } });
  });

  it('a pod-level request the user set is kept', () => {
    assert.deepEqual(podResources({
      resources: { requests: { cpu: '50m' }, limits: { cpu: '1' } },
      containers: [c('a', { cpu: '100m' })],
    }), { requests: { cpu: '50m' }, limits: { cpu: '1' } });
  });

  it('limits come from the containers\' limits when only requests are set and every container has a limit', () => {
    assert.deepEqual(podResources({
      resources: { requests: { cpu: '500m', memory: '256Mi' } },
      containers: [c('a', undefined, { cpu: '200m', memory: '128Mi' }), c('b', undefined, { cpu: '300m' })],
    }), { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '500m' } });
  });

  it('sidecars add up; other init containers count with the sidecars before them; the larger wins', () => {
    assert.deepEqual(podResources({
      resources: { limits: { cpu: '4' } },
      containers: [c('app', { cpu: '100m' })],
      initContainers: [c('proxy', { cpu: '50m' }, undefined, { restartPolicy: 'Always' }), c('migrate', { cpu: '1' })],
    }), { limits: { cpu: '4' }, requests: { cpu: '1050m' } });
    assert.deepEqual(podResources({
      resources: { limits: { cpu: '4' } },
      containers: [c('app', { cpu: '2' })],
      initContainers: [c('proxy', { cpu: '500m' }, undefined, { restartPolicy: 'Always' }), c('migrate', { cpu: '1' })],
    }), { limits: { cpu: '4' }, requests: { cpu: '2500m' } });
  });

  it('hugepage limits aggregate to pod level, and the pod requests follow them', () => {
    assert.deepEqual(podResources({
      resources: { limits: { cpu: '1', memory: '100Mi' } },
      containers: [c('a', undefined, { 'hugepages-2Mi': '2Mi' }), c('b', undefined, { 'hugepages-2Mi': '2Mi' })],
    }), {
      limits: { cpu: '1', memory: '100Mi', 'hugepages-2Mi': '4Mi' },
      requests: { cpu: '1', memory: '100Mi', 'hugepages-2Mi': '4Mi' },
    });
  });

  it('a pod-level hugepage request blocks the hugepage limit default', () => {
    assert.deepEqual(podResources({
      resources: { requests: { 'hugepages-2Mi': '10Mi' }, limits: { cpu: '1' } },
      containers: [c('a', undefined, { 'hugepages-2Mi': '2Mi' })],
    }), { requests: { 'hugepages-2Mi': '10Mi', cpu: '1' }, limits: { cpu: '1' } });
  });

  it('pod templates are left alone', () => {
    const out = defaulted('apps', 'v1', 'Deployment', {
      spec: { template: { spec: { resources: { limits: { cpu: '1' } }, containers: [c('a', { cpu: '100m' })] } } },
    });
    const spec = ((out['spec'] as Obj)['template'] as Obj)['spec'] as Obj;
    assert.deepEqual(spec['resources'], { limits: { cpu: '1' } });
  });

  it('is idempotent', () => {
    const once = defaulted('', 'v1', 'Pod', { spec: { resources: { requests: { cpu: '1' } }, containers: [c('a', undefined, { cpu: '2' })] } });
    assert.deepEqual(defaulted('', 'v1', 'Pod', once), once);
  });
});
