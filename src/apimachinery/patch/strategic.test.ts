import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './index.js';
import { StatusError } from '../errors.js';
import { deploymentSchema, configMapSchema } from './test-schemas.js';

const deploy = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { app: 'web', tier: 'fe' }, finalizers: ['a', 'b'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }] },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'nginx', image: 'nginx:1', args: ['a', 'b'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
          { name: 'sidecar', image: 'side:1' },
        ],
        tolerations: [{ key: 't1', effect: 'NoSchedule' }],
      },
    },
  },
});

type Case = { name: string; patch: unknown; check: (o: any) => void };

describe('applyStrategicMergePatch', () => {
  const cases: Case[] = [
    {
      name: 'merges maps and replaces scalars',
      patch: { spec: { replicas: 3 }, metadata: { labels: { tier: 'be', new: 'x' } } },
      check: (o) => {
        assert.equal(o.spec.replicas, 3);
        assert.deepEqual(o.metadata.labels, { app: 'web', tier: 'be', new: 'x' });
      },
    },
    {
      name: 'null deletes a key',
      patch: { metadata: { labels: { tier: null } } },
      check: (o) => assert.deepEqual(o.metadata.labels, { app: 'web' }),
    },
    {
      name: 'merge-key list merges items by name',
      patch: { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:2' }] } } } },
      check: (o) => {
        const cs = o.spec.template.spec.containers;
        assert.deepEqual(cs.map((c: any) => c.name), ['nginx', 'sidecar']);
        assert.equal(cs[0].image, 'nginx:2');
        assert.deepEqual(cs[0].args, ['a', 'b']);
        assert.equal(cs[1].image, 'side:1');
      },
    },
    {
      // normalizeElementOrder: an item unknown to the server sorts before server-only items.
      name: 'new merge-key items go first without $setElementOrder (as kube does)',
      patch: { spec: { template: { spec: { containers: [{ name: 'extra', image: 'e:1' }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers.map((c: any) => c.name), ['extra', 'nginx', 'sidecar']),
    },
    {
      name: 'nested merge-key list (env) merges',
      patch: { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '22' }, { name: 'C', value: '3' }] }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '22' }, { name: 'C', value: '3' }]),
    },
    {
      name: 'list without patch strategy is replaced',
      patch: { spec: { template: { spec: { tolerations: [{ key: 't2', effect: 'NoExecute' }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.tolerations, [{ key: 't2', effect: 'NoExecute' }]),
    },
    {
      name: 'primitive list without strategy is replaced',
      patch: { spec: { template: { spec: { containers: [{ name: 'nginx', args: ['c'] }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers[0].args, ['c']),
    },
    {
      name: '$patch: delete removes a list item',
      patch: { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers.map((c: any) => c.name), ['nginx']),
    },
    {
      name: '$patch: replace on a list item list replaces the whole list',
      patch: { spec: { template: { spec: { containers: [{ name: 'only', image: 'o:1' }, { $patch: 'replace' }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers, [{ name: 'only', image: 'o:1' }]),
    },
    {
      name: '$patch: replace on a map replaces it',
      patch: { metadata: { labels: { $patch: 'replace', only: 'me' } } },
      check: (o) => assert.deepEqual(o.metadata.labels, { only: 'me' }),
    },
    {
      name: '$patch: delete on a map deletes it',
      patch: { spec: { strategy: { $patch: 'delete' } } },
      check: (o) => assert.equal('strategy' in o.spec, false),
    },
    {
      name: '$retainKeys drops unlisted keys',
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      check: (o) => assert.deepEqual(o.spec.strategy, { type: 'Recreate' }),
    },
    {
      name: 'finalizers merge as a set',
      patch: { metadata: { finalizers: ['b', 'c'] } },
      check: (o) => assert.deepEqual(o.metadata.finalizers, ['a', 'b', 'c']),
    },
    {
      name: '$deleteFromPrimitiveList removes values',
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      check: (o) => assert.deepEqual(o.metadata.finalizers, ['b']),
    },
    {
      name: 'ownerReferences merge by uid',
      patch: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'u2' }] } },
      check: (o) => assert.deepEqual(o.metadata.ownerReferences.map((r: any) => r.uid), ['u2', 'u1']),
    },
    {
      name: '$setElementOrder reorders a merge list',
      patch: {
        spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }], containers: [{ name: 'nginx', image: 'nginx:3' }] } } },
      },
      check: (o) => {
        assert.deepEqual(o.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'nginx']);
        assert.equal(o.spec.template.spec.containers[1].image, 'nginx:3');
      },
    },
    {
      name: '$setElementOrder alone reorders',
      patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'nginx']),
    },
    {
      name: 'three-way patch from kubectl apply (delete + setElementOrder + change)',
      patch: {
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'nginx' }],
              containers: [{ name: 'nginx', image: 'nginx:9', args: null }, { name: 'sidecar', $patch: 'delete' }],
            },
          },
        },
      },
      check: (o) => {
        assert.deepEqual(o.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx:9', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }]);
        assert.equal(o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{}');
      },
    },
    {
      name: 'new item placed by $setElementOrder',
      patch: {
        spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }, { name: 'extra' }], containers: [{ name: 'extra', image: 'e:1' }] } } },
      },
      check: (o) => assert.deepEqual(o.spec.template.spec.containers.map((c: any) => c.name), ['nginx', 'sidecar', 'extra']),
    },
    {
      name: 'patching a missing list with merge strategy creates it',
      patch: { spec: { template: { spec: { imagePullSecrets: [{ name: 's' }] } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.imagePullSecrets, [{ name: 's' }]),
    },
    {
      name: 'directives inside new subtrees are processed',
      patch: { spec: { template: { spec: { nodeSelector: { a: 'b', gone: null } } } } },
      check: (o) => assert.deepEqual(o.spec.template.spec.nodeSelector, { a: 'b' }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const doc = deploy();
      const out = applyStrategicMergePatch(doc, c.patch, deploymentSchema);
      c.check(out);
      assert.deepEqual(doc, deploy(), 'input must not be mutated');
    });
  }

  it('schemas without patch metadata act like merge patch for maps, replace for lists', () => {
    const out = applyStrategicMergePatch({ data: { a: '1', b: '2' }, list: [1, 2] }, { data: { b: null, c: '3' }, list: [3] }, configMapSchema);
    assert.deepEqual(out, { data: { a: '1', c: '3' }, list: [3] });
  });
  it('merge-key item without the key is an error', () => {
    assert.throws(
      () => applyStrategicMergePatch(deploy(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deploymentSchema),
      (e: unknown) => e instanceof StatusError && /does not contain declared merge key: name/.test(e.message),
    );
  });
  it('unknown $patch value is 400', () => {
    assert.throws(
      () => applyStrategicMergePatch(deploy(), { spec: { $patch: 'explode' } }, deploymentSchema),
      (e: unknown) => e instanceof StatusError && e.code === 400,
    );
  });
  it('$retainKeys not covering patch content is 422', () => {
    assert.throws(
      () => applyStrategicMergePatch(deploy(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: '1' } } } }, deploymentSchema),
      (e: unknown) => e instanceof StatusError && e.code === 422,
    );
  });
  it('non-object patch is 400', () => {
    assert.throws(() => applyStrategicMergePatch(deploy(), [1], deploymentSchema), (e: unknown) => e instanceof StatusError && e.code === 400);
  });
});
