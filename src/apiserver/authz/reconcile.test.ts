import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { reconcileBinding, reconcileRole } from './reconcile.js';
import type { BindingObject, RoleObject } from './rules.js';

const A = 'rbac.authorization.kubernetes.io/autoupdate';
const podsGet = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
const podsList = { apiGroups: [''], resources: ['pods'], verbs: ['list'] };

test('reconcileRole: create when missing, nothing when equal', () => {
  const expected = bootstrapClusterRoles().find((r) => r.metadata?.name === 'system:basic-user')!;
  assert.equal(reconcileRole(undefined, expected).operation, 'create');
  const r = reconcileRole(structuredClone(expected), expected);
  assert.equal(r.operation, 'none');
});

test('reconcileRole: missing rules are added (broken down), extra rules kept, labels merged with stored values winning', () => {
  const expected: RoleObject = { metadata: { name: 'r', labels: { a: '1', b: '2' }, annotations: { [A]: 'true' } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] };
  const existing: RoleObject = { metadata: { name: 'r', labels: { a: 'mine' } }, rules: [podsGet, { apiGroups: ['x'], resources: ['y'], verbs: ['z'] }] };
  const r = reconcileRole(existing, expected);
  assert.equal(r.operation, 'update');
  assert.deepEqual(r.object.rules, [podsGet, { apiGroups: ['x'], resources: ['y'], verbs: ['z'] }, podsList]);
  assert.deepEqual(r.object.metadata?.labels, { a: 'mine', b: '2' });
  assert.deepEqual(r.object.metadata?.annotations, { [A]: 'true' });
  assert.deepEqual(existing.rules?.length, 2, 'input untouched');
});

test('reconcileRole: aggregation selectors are added; an unexpected aggregation rule is removed', () => {
  const sel = (k: string) => ({ matchLabels: { [k]: 'true' } });
  const expected: RoleObject = { metadata: { name: 'admin' }, aggregationRule: { clusterRoleSelectors: [sel('a'), sel('b')] } };
  const existing: RoleObject = { metadata: { name: 'admin' }, aggregationRule: { clusterRoleSelectors: [sel('b'), sel('c')] }, rules: [podsGet] };
  const r = reconcileRole(existing, expected);
  assert.equal(r.operation, 'update');
  assert.deepEqual(r.object.aggregationRule, { clusterRoleSelectors: [sel('b'), sel('c'), sel('a')] });
  assert.deepEqual(r.object.rules, [podsGet], 'aggregated rules are the aggregator’s');
  const plain = reconcileRole({ ...existing }, { metadata: { name: 'admin' } });
  assert.equal(plain.operation, 'update');
  assert.equal(plain.object.aggregationRule, undefined);
});

test('reconcileRole: autoupdate=false protects the stored role', () => {
  const existing: RoleObject = { metadata: { name: 'r', annotations: { [A]: 'false' } }, rules: [] };
  const r = reconcileRole(existing, { metadata: { name: 'r', annotations: { [A]: 'true' } }, rules: [podsGet] });
  assert.deepEqual(r, { operation: 'none', object: existing, protected: true });
});

test('reconcileBinding: subjects added, roleRef change recreates, protected left alone', () => {
  const expected = bootstrapClusterRoleBindings().find((b) => b.metadata?.name === 'system:public-info-viewer')!;
  assert.equal(reconcileBinding(undefined, expected).operation, 'create');
  assert.equal(reconcileBinding(structuredClone(expected), expected).operation, 'none');
  const partial: BindingObject = { ...structuredClone(expected), subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }, { kind: 'User', name: 'extra' }] };
  const r = reconcileBinding(partial, expected);
  assert.equal(r.operation, 'update');
  assert.deepEqual(r.object.subjects?.map((s) => s.name), ['system:authenticated', 'extra', 'system:unauthenticated']);
  const moved: BindingObject = { ...structuredClone(expected), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'other' } };
  const rr = reconcileBinding(moved, expected);
  assert.equal(rr.operation, 'recreate');
  assert.equal(rr.object.roleRef?.name, 'system:public-info-viewer');
  const prot: BindingObject = { ...structuredClone(partial), metadata: { ...partial.metadata, annotations: { [A]: 'false' } } };
  assert.deepEqual(reconcileBinding(prot, expected), { operation: 'none', object: prot, protected: true });
});
