import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClusterResourceSet, validateClusterResourceSet } from './strategy.js';
import type { ClusterResourceSet } from './types.js';

const crs = (spec: Partial<ClusterResourceSet['spec']>): ClusterResourceSet => ({
  apiVersion: 'addons.cluster.x-k8s.io/v1beta1',
  kind: 'ClusterResourceSet',
  metadata: { name: 'x', namespace: 'ns' },
  spec: { clusterSelector: { matchLabels: { cni: 'byo' } }, ...spec },
});

test('strategy defaults to ApplyOnce; a set strategy is kept', () => {
  const a = crs({});
  defaultClusterResourceSet(a);
  assert.equal(a.spec.strategy, 'ApplyOnce');
  const b = crs({ strategy: 'Reconcile' });
  defaultClusterResourceSet(b);
  assert.equal(b.spec.strategy, 'Reconcile');
});

test('validation as upstream\'s webhook: non-empty selector; strategy and selector immutable', () => {
  const cases: [string, ClusterResourceSet, ClusterResourceSet | undefined, RegExp | undefined][] = [
    ['valid', crs({ strategy: 'ApplyOnce' }), undefined, undefined],
    ['empty selector', crs({ clusterSelector: {} }), undefined, /selector must not be empty/],
    ['bad operator', crs({ clusterSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' as 'In' }] } }), undefined, /.+/],
    ['strategy changed', crs({ strategy: 'Reconcile' }), crs({ strategy: 'ApplyOnce' }), /spec\.strategy/],
    ['selector changed', crs({ strategy: 'ApplyOnce', clusterSelector: { matchLabels: { cni: 'other' } } }), crs({ strategy: 'ApplyOnce' }), /spec\.clusterSelector/],
    ['resources changed', crs({ strategy: 'ApplyOnce', resources: [{ kind: 'ConfigMap', name: 'a' }] }), crs({ strategy: 'ApplyOnce' }), undefined],
  ];
  for (const [name, obj, old, want] of cases) {
    const causes = validateClusterResourceSet(obj, old);
    if (!want) assert.deepEqual(causes, [], name);
    else assert.match(causes.map((c) => `${c.field}: ${c.message}`).join('\n'), want, name);
  }
});
