import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterResourceSet } from '../../api/addons/types.js';
import { clusterSelectorOf, setsOfResource, setsSelectingCluster } from './reconciler.js';

const crs = (name: string, ns: string, selector: ClusterResourceSet['spec']['clusterSelector'], resources: ClusterResourceSet['spec']['resources'] = []): ClusterResourceSet => ({
  apiVersion: 'addons.cluster.x-k8s.io/v1beta1',
  kind: 'ClusterResourceSet',
  metadata: { name, namespace: ns },
  spec: { clusterSelector: selector, resources },
});

test('an empty selector selects nothing', () => {
  assert.equal(clusterSelectorOf(crs('a', 'ns', {})), undefined);
  assert.ok(clusterSelectorOf(crs('a', 'ns', { matchLabels: { cni: 'byo' } })));
});

test('setsSelectingCluster: same namespace, matching labels, never an empty selector', () => {
  const sets = [
    crs('byo', 'ns', { matchLabels: { cni: 'byo' } }),
    crs('expr', 'ns', { matchExpressions: [{ key: 'cni', operator: 'In', values: ['byo', 'calico'] }] }),
    crs('empty', 'ns', {}),
    crs('other-ns', 'other', { matchLabels: { cni: 'byo' } }),
  ];
  const cluster = (labels: Record<string, string>) => ({ metadata: { name: 'c', namespace: 'ns', labels } });
  assert.deepEqual(setsSelectingCluster(sets, cluster({ cni: 'byo' })).map((r) => r.name), ['byo', 'expr']);
  assert.deepEqual(setsSelectingCluster(sets, cluster({ cni: 'calico' })).map((r) => r.name), ['expr']);
  assert.deepEqual(setsSelectingCluster(sets, cluster({})), []);
});

test('setsOfResource: ClusterResourceSet owners first, else the sets listing it by kind and name', () => {
  const sets = [crs('a', 'ns', { matchLabels: { x: 'y' } }, [{ kind: 'ConfigMap', name: 'cm' }]), crs('b', 'ns', { matchLabels: { x: 'y' } }, [{ kind: 'Secret', name: 'cm' }])];
  assert.deepEqual(setsOfResource(sets, 'ConfigMap', { metadata: { name: 'cm', namespace: 'ns' } }), [{ namespace: 'ns', name: 'a' }]);
  assert.deepEqual(setsOfResource(sets, 'Secret', { metadata: { name: 'cm', namespace: 'ns' } }), [{ namespace: 'ns', name: 'b' }]);
  assert.deepEqual(setsOfResource(sets, 'ConfigMap', { metadata: { name: 'cm', namespace: 'elsewhere' } }), []);
  const owned = { metadata: { name: 'cm', namespace: 'ns', ownerReferences: [{ apiVersion: 'addons.cluster.x-k8s.io/v1beta1', kind: 'ClusterResourceSet', name: 'z', uid: 'u' }] } };
  assert.deepEqual(setsOfResource(sets, 'ConfigMap', owned), [{ namespace: 'ns', name: 'z' }]);
});
