import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthzAttributes } from './attributes.js';
import { aggregateAll } from './aggregation.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { checkBindingWrite } from './escalation.js';
import { RbacIndex } from './rbac-index.js';

/** An index holding the bootstrap policy with aggregation settled, plus per-test bindings. */
function planeIndex(): RbacIndex {
  const idx = new RbacIndex({ mastersFastPath: false });
  const roles = bootstrapClusterRoles();
  const aggregated = aggregateAll(roles);
  for (const r of roles) idx.put('ClusterRole', aggregated.has(r.metadata!.name!) ? { ...r, rules: aggregated.get(r.metadata!.name!)! } : r);
  for (const b of bootstrapClusterRoleBindings()) idx.put('ClusterRoleBinding', b);
  return idx;
}

const authed = (name: string, ...groups: string[]) => ({ name, groups: ['system:authenticated', ...groups] });
const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

function req(user: AuthzAttributes['user'], verb: string, group: string, resource: string, namespace = '', subresource = ''): AuthzAttributes {
  const a: AuthzAttributes = { user, verb, resourceRequest: true, apiGroup: group, resource, namespace };
  if (subresource) a.subresource = subresource;
  return a;
}

function get(user: AuthzAttributes['user'], path: string): AuthzAttributes {
  return { user, verb: 'get', resourceRequest: false, path };
}

test('every bootstrap object carries the autoupdate annotation and rbac-defaults label', () => {
  for (const o of [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()]) {
    assert.equal(o.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true', o.metadata?.name);
    assert.equal(o.metadata?.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults', o.metadata?.name);
    assert.equal(o.apiVersion, 'rbac.authorization.k8s.io/v1');
  }
  const names = bootstrapClusterRoles().map((r) => r.metadata!.name!);
  assert.deepEqual(names, [...names].sort());
  for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:aggregate-to-edit']) {
    assert.ok(names.includes(n), n);
  }
  for (const b of bootstrapClusterRoleBindings()) assert.ok(names.includes(b.roleRef!.name), `binding ${b.metadata!.name} names an existing role`);
});

test('admin, edit and view are aggregated (no rules of their own) with upstream labels', () => {
  const byName = new Map(bootstrapClusterRoles().map((r) => [r.metadata!.name!, r]));
  assert.deepEqual(byName.get('admin')!.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] });
  assert.equal(byName.get('edit')!.metadata!.labels!['rbac.authorization.k8s.io/aggregate-to-admin'], 'true');
  assert.equal(byName.get('view')!.metadata!.labels!['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
  for (const n of ['admin', 'edit', 'view']) assert.equal(byName.get(n)!.rules, undefined);
});

test('system:masters holds everything through the cluster-admin binding', () => {
  const idx = planeIndex();
  const root = authed('root', 'system:masters');
  assert.equal(idx.authorize(req(root, 'delete', 'cluster.x-k8s.io', 'clusters', 'ns')).allowed, true);
  assert.equal(idx.authorize(get(root, '/metrics')).allowed, true);
  assert.match((idx.authorize(req(root, 'list', '', 'nodes')) as { reason?: string }).reason ?? '', /ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"/);
});

test('authenticated users: discovery and self reviews; anonymous: public info only', () => {
  const idx = planeIndex();
  const u = authed('someone');
  for (const p of ['/api', '/api/v1', '/apis', '/apis/cluster.x-k8s.io/v1beta1', '/version', '/healthz', '/readyz', '/livez', '/openapi/v2', '/openapi/v3/apis/apps/v1']) {
    assert.equal(idx.authorize(get(u, p)).allowed, true, p);
  }
  assert.equal(idx.authorize(get(u, '/metrics')).allowed, false);
  assert.equal(idx.authorize(req(u, 'create', 'authorization.k8s.io', 'selfsubjectaccessreviews')).allowed, true);
  assert.equal(idx.authorize(req(u, 'create', 'authorization.k8s.io', 'selfsubjectrulesreviews')).allowed, true);
  assert.equal(idx.authorize(req(u, 'create', 'authentication.k8s.io', 'selfsubjectreviews')).allowed, true);
  assert.equal(idx.authorize(req(u, 'create', 'authorization.k8s.io', 'subjectaccessreviews')).allowed, false);
  assert.equal(idx.authorize(req(u, 'list', '', 'pods', 'default')).allowed, false);
  for (const p of ['/healthz', '/livez', '/readyz', '/version', '/version/']) assert.equal(idx.authorize(get(anonymous, p)).allowed, true, p);
  for (const p of ['/api', '/apis', '/openapi/v2', '/metrics']) assert.equal(idx.authorize(get(anonymous, p)).allowed, false, p);
  assert.equal(idx.authorize(req(anonymous, 'create', 'authorization.k8s.io', 'selfsubjectaccessreviews')).allowed, false);
});

test('an edit user in their namespace may create Clusters and workloads, not elsewhere, not status, not RBAC', () => {
  const idx = planeIndex();
  idx.put('RoleBinding', { metadata: { name: 'dev-edit', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'dev' }] });
  const dev = authed('dev');
  const allowed = (a: AuthzAttributes) => idx.authorize(a).allowed;
  assert.equal(allowed(req(dev, 'create', 'cluster.x-k8s.io', 'clusters', 'team-a')), true);
  assert.equal(allowed(req(dev, 'patch', 'cluster.x-k8s.io', 'machinedeployments', 'team-a', 'scale')), true);
  assert.equal(allowed(req(dev, 'get', 'cluster.x-k8s.io', 'clusters', 'team-a', 'status')), true, 'view part');
  assert.equal(allowed(req(dev, 'update', 'cluster.x-k8s.io', 'clusters', 'team-a', 'status')), false, 'status is the controllers');
  assert.equal(allowed(req(dev, 'create', 'infrastructure.slipway.dev', 'simmachinetemplates', 'team-a')), true);
  assert.equal(allowed(req(dev, 'create', 'ipam.cluster.x-k8s.io', 'ipaddresses', 'team-a')), false);
  assert.equal(allowed(req(dev, 'list', 'ipam.cluster.x-k8s.io', 'ipaddresses', 'team-a')), true);
  assert.equal(allowed(req(dev, 'create', 'apps', 'deployments', 'team-a')), true);
  assert.equal(allowed(req(dev, 'create', '', 'secrets', 'team-a')), true);
  assert.equal(allowed(req(dev, 'watch', '', 'pods', 'team-a')), true);
  assert.equal(allowed(req(dev, 'create', '', 'serviceaccounts', 'team-a', 'token')), true);
  assert.equal(allowed(req(dev, 'create', 'cluster.x-k8s.io', 'clusters', 'team-b')), false);
  assert.equal(allowed(req(dev, 'create', 'rbac.authorization.k8s.io', 'rolebindings', 'team-a')), false, 'granting is admin');
  assert.equal(allowed(req(dev, 'update', '', 'resourcequotas', 'team-a')), false);
  assert.equal(allowed(req(dev, 'list', 'core.slipway.dev', 'featuregates')), false, 'cluster-scoped: not through a RoleBinding');
  const denied = idx.authorize(req(dev, 'create', 'cluster.x-k8s.io', 'clusters', 'team-b'));
  assert.deepEqual(denied, { allowed: false, reason: '' });
});

test('a view user reads but does not write; secrets stay hidden', () => {
  const idx = planeIndex();
  idx.put('ClusterRoleBinding', { metadata: { name: 'auditors' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'auditors' }] });
  const v = authed('ann', 'auditors');
  assert.equal(idx.authorize(req(v, 'list', 'cluster.x-k8s.io', 'clusters', 'any')).allowed, true);
  assert.equal(idx.authorize(req(v, 'list', 'core.slipway.dev', 'featuregates')).allowed, true);
  assert.equal(idx.authorize(req(v, 'get', '', 'pods', 'any', 'log')).allowed, true);
  assert.equal(idx.authorize(req(v, 'create', 'cluster.x-k8s.io', 'clusters', 'any')).allowed, false);
  assert.equal(idx.authorize(req(v, 'get', '', 'secrets', 'any')).allowed, false);
});

test('an admin may grant edit in their namespace, an edit user may not', () => {
  const idx = planeIndex();
  idx.put('RoleBinding', { metadata: { name: 'lead-admin', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'User', name: 'lead' }] });
  idx.put('RoleBinding', { metadata: { name: 'dev-edit', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'dev' }] });
  const grant = { metadata: { name: 'new-dev', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'newbie' }] };
  assert.equal(idx.authorize(req(authed('lead'), 'create', 'rbac.authorization.k8s.io', 'rolebindings', 'team-a')).allowed, true);
  assert.equal(checkBindingWrite(idx, authed('lead'), 'RoleBinding', 'team-a', grant), undefined);
  assert.equal(checkBindingWrite(idx, authed('lead'), 'RoleBinding', 'team-a', { ...grant, roleRef: { ...grant.roleRef, name: 'cluster-admin' } })?.includes('attempting to grant RBAC permissions not currently held'), true);
  // dev holds every permission of edit in team-a, so the escalation check alone would pass...
  assert.equal(checkBindingWrite(idx, authed('dev'), 'RoleBinding', 'team-a', grant), undefined);
  // ...but dev may not write rolebindings at all: that is the authorizer's refusal, before any escalation check.
  assert.equal(idx.authorize(req(authed('dev'), 'create', 'rbac.authorization.k8s.io', 'rolebindings', 'team-a')).allowed, false);
});

test('ServiceAccounts may read the issuer discovery documents; other users and anonymous may not', () => {
  const idx = planeIndex();
  const sa = authed('system:serviceaccount:ci:deployer', 'system:serviceaccounts', 'system:serviceaccounts:ci');
  for (const path of ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']) {
    assert.equal(idx.authorize(get(sa, path)).allowed, true, path);
    assert.equal(idx.authorize(get(authed('jane'), path)).allowed, false, path);
    assert.equal(idx.authorize(get(anonymous, path)).allowed, false, path);
  }
  assert.equal(idx.authorize({ user: sa, verb: 'post', resourceRequest: false, path: '/openid/v1/jwks' }).allowed, false);
  assert.equal(idx.authorize(get(sa, '/openid/v1/other')).allowed, false);
});
