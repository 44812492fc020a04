import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterResourceSetBinding, ResourceSetBinding } from '../../api/addons/types.js';
import { getOrCreateBinding, getResource, isApplied, needsApply, removeBinding, setResource } from './binding.js';

const cm = { kind: 'ConfigMap' as const, name: 'a' };
const secret = { kind: 'Secret' as const, name: 'a' };

test('getOrCreateBinding adds one entry per ClusterResourceSet; removeBinding drops it', () => {
  const b: ClusterResourceSetBinding = { apiVersion: 'addons.cluster.x-k8s.io/v1beta1', kind: 'ClusterResourceSetBinding', metadata: { name: 'c' } };
  const x = getOrCreateBinding(b, 'x');
  assert.deepEqual(x, { clusterResourceSetName: 'x', resources: [] });
  assert.equal(getOrCreateBinding(b, 'x'), x);
  getOrCreateBinding(b, 'y');
  assert.deepEqual(b.spec!.bindings!.map((e) => e.clusterResourceSetName), ['x', 'y']);
  assert.equal(removeBinding(b, 'x'), true);
  assert.equal(removeBinding(b, 'x'), false);
  assert.deepEqual(b.spec!.bindings!.map((e) => e.clusterResourceSetName), ['y']);
});

test('setResource replaces the entry of the same kind and name, else appends', () => {
  const e: ResourceSetBinding = { clusterResourceSetName: 'x' };
  setResource(e, { ...cm, applied: false });
  setResource(e, { ...secret, applied: true, hash: 'h' });
  setResource(e, { ...cm, applied: true, hash: 'h1' });
  assert.deepEqual(e.resources, [{ ...cm, applied: true, hash: 'h1' }, { ...secret, applied: true, hash: 'h' }]);
  assert.equal(getResource(e, secret)?.hash, 'h');
  assert.equal(isApplied(e, cm), true);
  assert.equal(isApplied(e, { kind: 'ConfigMap', name: 'other' }), false);
});

test('needsApply per strategy (upstream scopes)', () => {
  const cases: [string, 'ApplyOnce' | 'Reconcile', ResourceSetBinding['resources'], boolean][] = [
    ['ApplyOnce, never applied', 'ApplyOnce', [], true],
    ['ApplyOnce, failed before', 'ApplyOnce', [{ ...cm, applied: false, hash: 'h' }], true],
    ['ApplyOnce, applied, same hash', 'ApplyOnce', [{ ...cm, applied: true, hash: 'h' }], false],
    ['ApplyOnce, applied, hash changed', 'ApplyOnce', [{ ...cm, applied: true, hash: 'old' }], false],
    ['Reconcile, never applied', 'Reconcile', [], true],
    ['Reconcile, failed before', 'Reconcile', [{ ...cm, applied: false, hash: 'h' }], true],
    ['Reconcile, applied, same hash', 'Reconcile', [{ ...cm, applied: true, hash: 'h' }], false],
    ['Reconcile, applied, hash changed', 'Reconcile', [{ ...cm, applied: true, hash: 'old' }], true],
    ['Reconcile, another kind of the same name applied', 'Reconcile', [{ ...secret, applied: true, hash: 'h' }], true],
  ];
  for (const [name, strategy, resources, want] of cases) {
    assert.equal(needsApply(strategy, { clusterResourceSetName: 'x', resources }, cm, 'h'), want, name);
  }
});
