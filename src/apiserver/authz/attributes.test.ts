import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenMessage, forbiddenStatusDetails, forbiddenStatusMessage, goQuote, goQuoteList, type AuthzAttributes } from './attributes.js';

const user = { name: 'x', groups: ['system:authenticated'] };

const cases: { name: string; a: AuthzAttributes; reason?: string; message: string; status: string }[] = [
  {
    name: 'namespaced resource in a named group',
    a: { user, verb: 'create', resourceRequest: true, apiGroup: 'cluster.x-k8s.io', apiVersion: 'v1beta1', resource: 'clusters', namespace: 'y' },
    message: 'User "x" cannot create resource "clusters" in API group "cluster.x-k8s.io" in the namespace "y"',
    status: 'clusters.cluster.x-k8s.io is forbidden: User "x" cannot create resource "clusters" in API group "cluster.x-k8s.io" in the namespace "y"',
  },
  {
    name: 'core group, named object',
    a: { user, verb: 'get', resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource: 'pods', namespace: 'default', name: 'web' },
    message: 'User "x" cannot get resource "pods" in API group "" in the namespace "default"',
    status: 'pods "web" is forbidden: User "x" cannot get resource "pods" in API group "" in the namespace "default"',
  },
  {
    name: 'cluster scope',
    a: { user, verb: 'list', resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource: 'nodes' },
    message: 'User "x" cannot list resource "nodes" in API group "" at the cluster scope',
    status: 'nodes is forbidden: User "x" cannot list resource "nodes" in API group "" at the cluster scope',
  },
  {
    name: 'subresource',
    a: { user, verb: 'update', resourceRequest: true, apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale', namespace: 'ns', name: 'web' },
    message: 'User "x" cannot update resource "deployments/scale" in API group "apps" in the namespace "ns"',
    status: 'deployments.apps "web" is forbidden: User "x" cannot update resource "deployments/scale" in API group "apps" in the namespace "ns"',
  },
  {
    name: 'non-resource path',
    a: { user, verb: 'get', resourceRequest: false, path: '/metrics' },
    message: 'User "x" cannot get path "/metrics"',
    status: 'forbidden: User "x" cannot get path "/metrics"',
  },
  {
    name: 'a reason follows after a colon',
    a: { user, verb: 'list', resourceRequest: true, apiGroup: '', resource: 'pods', namespace: 'default' },
    reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    message: 'User "x" cannot list resource "pods" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    status:
      'pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
  },
  {
    name: 'HTML-looking text is escaped',
    a: { user: { name: '<b>', groups: [] }, verb: 'get', resourceRequest: false, path: '/a&b' },
    message: 'User "&lt;b&gt;" cannot get path "/a&amp;b"',
    status: 'forbidden: User "&lt;b&gt;" cannot get path "/a&amp;b"',
  },
  {
    name: 'the namespace object itself',
    a: { user, verb: 'delete', resourceRequest: true, apiGroup: '', resource: 'namespaces', namespace: 'team', name: 'team' },
    message: 'User "x" cannot delete resource "namespaces" in API group "" in the namespace "team"',
    status: 'namespaces "team" is forbidden: User "x" cannot delete resource "namespaces" in API group "" in the namespace "team"',
  },
];

for (const c of cases) {
  test(`forbidden message: ${c.name}`, () => {
    assert.equal(forbiddenMessage(c.a, c.reason), c.message);
    assert.equal(forbiddenStatusMessage(c.a, c.reason), c.status);
  });
}

test('forbiddenStatusDetails names the resource as kube does', () => {
  assert.deepEqual(forbiddenStatusDetails(cases[1]!.a), { name: 'web', kind: 'pods' });
  assert.deepEqual(forbiddenStatusDetails(cases[0]!.a), { group: 'cluster.x-k8s.io', kind: 'clusters' });
  assert.deepEqual(forbiddenStatusDetails(cases[4]!.a), {});
});

test('goQuote and goQuoteList follow Go %q', () => {
  assert.equal(goQuote('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  assert.equal(goQuote('\u0001'), '"\\x01"');
  assert.equal(goQuoteList(['a', 'b']), '["a" "b"]');
  assert.equal(goQuoteList([]), '[]');
});
