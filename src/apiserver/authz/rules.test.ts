import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthzAttributes } from './attributes.js';
import { compactRuleString, describeSubject, firstApplyingSubject, ruleAllows, type PolicyRule, type Subject } from './rules.js';

const nobody = { name: '', groups: [] };

function res(verb: string, group: string, resource: string, subresource = '', name = ''): AuthzAttributes {
  return { user: nobody, verb, resourceRequest: true, apiGroup: group, resource, subresource, name };
}

function url(verb: string, path: string): AuthzAttributes {
  return { user: nobody, verb, resourceRequest: false, path };
}

// Upstream rbac_test.go TestRuleMatches, as data: [rule, [request, expected][]].
const ruleMatchCases: { name: string; rule: PolicyRule; requests: [AuthzAttributes, boolean][] }[] = [
  {
    name: 'star verb, exact match other',
    rule: { verbs: ['*'], apiGroups: ['group1'], resources: ['resource1'] },
    requests: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), false],
      [res('verb1', 'group1', 'resource2'), false],
      [res('verb1', 'group2', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), true],
      [res('verb2', 'group2', 'resource1'), false],
      [res('verb2', 'group1', 'resource2'), false],
      [res('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'star group, exact match other',
    rule: { verbs: ['verb1'], apiGroups: ['*'], resources: ['resource1'] },
    requests: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), true],
      [res('verb1', 'group1', 'resource2'), false],
      [res('verb1', 'group2', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), false],
      [res('verb2', 'group2', 'resource1'), false],
      [res('verb2', 'group1', 'resource2'), false],
      [res('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'star resource, exact match other',
    rule: { verbs: ['verb1'], apiGroups: ['group1'], resources: ['*'] },
    requests: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), false],
      [res('verb1', 'group1', 'resource2'), true],
      [res('verb1', 'group2', 'resource2'), false],
      [res('verb2', 'group1', 'resource1'), false],
      [res('verb2', 'group2', 'resource1'), false],
      [res('verb2', 'group1', 'resource2'), false],
      [res('verb2', 'group2', 'resource2'), false],
    ],
  },
  {
    name: 'tuple expansion',
    rule: { verbs: ['verb1', 'verb2'], apiGroups: ['group1', 'group2'], resources: ['resource1', 'resource2'] },
    requests: [
      [res('verb1', 'group1', 'resource1'), true],
      [res('verb1', 'group2', 'resource1'), true],
      [res('verb1', 'group1', 'resource2'), true],
      [res('verb1', 'group2', 'resource2'), true],
      [res('verb2', 'group1', 'resource1'), true],
      [res('verb2', 'group2', 'resource1'), true],
      [res('verb2', 'group1', 'resource2'), true],
      [res('verb2', 'group2', 'resource2'), true],
    ],
  },
  {
    name: 'subresource expansion',
    rule: { verbs: ['*'], apiGroups: ['*'], resources: ['resource1/subresource1'] },
    requests: [
      [res('verb1', 'group1', 'resource1', 'subresource1'), true],
      [res('verb1', 'group2', 'resource1', 'subresource2'), false],
      [res('verb1', 'group1', 'resource2', 'subresource1'), false],
      [res('verb1', 'group2', 'resource2', 'subresource1'), false],
      [res('verb2', 'group1', 'resource1', 'subresource1'), true],
      [res('verb2', 'group2', 'resource1', 'subresource2'), false],
      [res('verb2', 'group1', 'resource2', 'subresource1'), false],
      [res('verb2', 'group2', 'resource2', 'subresource1'), false],
    ],
  },
  {
    name: 'star nonresource, exact match other',
    rule: { verbs: ['verb1'], nonResourceURLs: ['*'] },
    requests: [
      [url('verb1', '/foo'), true],
      [url('verb1', '/foo/bar'), true],
      [url('verb1', '/foo/baz'), true],
      [url('verb1', '/foo/bar/one'), true],
      [url('verb1', '/foo/baz/one'), true],
      [url('verb2', '/foo'), false],
      [url('verb2', '/foo/bar'), false],
      [url('verb2', '/foo/baz'), false],
      [url('verb2', '/foo/bar/one'), false],
      [url('verb2', '/foo/baz/one'), false],
    ],
  },
  {
    name: 'star nonresource subpath',
    rule: { verbs: ['verb1'], nonResourceURLs: ['/foo/*'] },
    requests: [
      [url('verb1', '/foo'), false],
      [url('verb1', '/foo/bar'), true],
      [url('verb1', '/foo/baz'), true],
      [url('verb1', '/foo/bar/one'), true],
      [url('verb1', '/foo/baz/one'), true],
      [url('verb1', '/notfoo'), false],
      [url('verb1', '/notfoo/bar'), false],
      [url('verb1', '/notfoo/baz'), false],
      [url('verb1', '/notfoo/bar/one'), false],
      [url('verb1', '/notfoo/baz/one'), false],
    ],
  },
  {
    name: 'star verb, exact nonresource',
    rule: { verbs: ['*'], nonResourceURLs: ['/foo', '/foo/bar/one'] },
    requests: [
      [url('verb1', '/foo'), true],
      [url('verb1', '/foo/bar'), false],
      [url('verb1', '/foo/baz'), false],
      [url('verb1', '/foo/bar/one'), true],
      [url('verb1', '/foo/baz/one'), false],
      [url('verb2', '/foo'), true],
      [url('verb2', '/foo/bar'), false],
      [url('verb2', '/foo/baz'), false],
      [url('verb2', '/foo/bar/one'), true],
      [url('verb2', '/foo/baz/one'), false],
    ],
  },
  // Beyond upstream's table, from the same helpers' semantics.
  {
    name: 'star subresource form matches any resource with that subresource only',
    rule: { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] },
    requests: [
      [res('get', '', 'deployments', 'scale'), true],
      [res('get', '', 'anything', 'scale'), true],
      [res('get', '', 'deployments'), false],
      [res('get', '', 'deployments', 'status'), false],
      [res('get', '', 'deployments', 'xscale'), false],
    ],
  },
  {
    name: 'resource/* is not a wildcard',
    rule: { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] },
    requests: [
      [res('get', '', 'pods', 'status'), false],
      [res('get', '', 'pods', 'log'), false],
      [res('get', '', 'pods', '*'), true],
      [res('get', '', 'pods'), false],
    ],
  },
  {
    name: 'a plain resource does not grant its subresources; star grants them all',
    rule: { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    requests: [
      [res('get', '', 'pods'), true],
      [res('get', '', 'pods', 'log'), false],
    ],
  },
  {
    name: 'star resource includes subresources',
    rule: { verbs: ['get'], apiGroups: [''], resources: ['*'] },
    requests: [
      [res('get', '', 'pods', 'log'), true],
      [res('get', 'apps', 'pods', 'log'), false],
    ],
  },
  {
    name: 'resourceNames restrict to named requests: list/create without a name do not match',
    rule: { verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'] },
    requests: [
      [res('get', '', 'configmaps', '', 'a'), true],
      [res('update', '', 'configmaps', '', 'b'), true],
      [res('delete', '', 'configmaps', '', 'c'), false],
      [res('list', '', 'configmaps'), false],
      [res('create', '', 'configmaps'), false],
      // A list or watch with fieldSelector metadata.name=a carries name "a" (request attributes do that).
      [res('watch', '', 'configmaps', '', 'a'), true],
      [res('list', '', 'configmaps', '', 'a'), true],
    ],
  },
  {
    name: 'the empty group is a group like any other',
    rule: { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    requests: [
      [res('get', '', 'pods'), true],
      [res('get', 'apps', 'pods'), false],
    ],
  },
  {
    name: 'verbs match exactly (case matters)',
    rule: { verbs: ['get'], apiGroups: ['*'], resources: ['*'] },
    requests: [
      [res('get', '', 'pods'), true],
      [res('GET', '', 'pods'), false],
    ],
  },
  {
    name: 'a resource rule never matches a non-resource request and vice versa',
    rule: { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    requests: [
      [url('get', '/healthz'), false],
      [res('get', 'x', 'y'), true],
    ],
  },
  {
    name: 'non-resource rule only',
    rule: { verbs: ['*'], nonResourceURLs: ['*'] },
    requests: [
      [url('get', '/healthz'), true],
      [res('get', '', 'pods'), false],
    ],
  },
  {
    name: 'trailing star prefix without slash',
    rule: { verbs: ['get'], nonResourceURLs: ['/api*'] },
    requests: [
      [url('get', '/api'), true],
      [url('get', '/apis/x'), true],
      [url('get', '/ap'), false],
    ],
  },
];

for (const c of ruleMatchCases) {
  test(`ruleAllows: ${c.name}`, () => {
    for (const [req, expected] of c.requests) {
      assert.equal(ruleAllows(req, c.rule), expected, JSON.stringify(req));
    }
  });
}

// Upstream rule_test.go TestAppliesTo.
const appliesToCases: { testCase: string; subjects: Subject[]; user: { name: string; groups: string[] }; namespace: string; appliesTo: boolean }[] = [
  { testCase: 'single subject that matches username', subjects: [{ kind: 'User', name: 'foobar' }], user: { name: 'foobar', groups: [] }, namespace: '', appliesTo: true },
  {
    testCase: 'multiple subjects, one that matches username',
    subjects: [{ kind: 'User', name: 'barfoo' }, { kind: 'User', name: 'foobar' }],
    user: { name: 'foobar', groups: [] },
    namespace: '',
    appliesTo: true,
  },
  {
    testCase: 'multiple subjects, none that match username',
    subjects: [{ kind: 'User', name: 'barfoo' }, { kind: 'User', name: 'foobar' }],
    user: { name: 'zimzam', groups: [] },
    namespace: '',
    appliesTo: false,
  },
  {
    testCase: 'multiple subjects, one that match group',
    subjects: [{ kind: 'User', name: 'barfoo' }, { kind: 'Group', name: 'foobar' }],
    user: { name: 'zimzam', groups: ['foobar'] },
    namespace: '',
    appliesTo: true,
  },
  {
    testCase: 'multiple subjects, one that match group, should ignore namespace',
    subjects: [{ kind: 'User', name: 'barfoo' }, { kind: 'Group', name: 'foobar' }],
    user: { name: 'zimzam', groups: ['foobar'] },
    namespace: 'namespace1',
    appliesTo: true,
  },
  {
    testCase: 'multiple subjects with a service account that matches',
    subjects: [{ kind: 'User', name: 'barfoo' }, { kind: 'Group', name: 'foobar' }, { kind: 'ServiceAccount', namespace: 'kube-system', name: 'default' }],
    user: { name: 'system:serviceaccount:kube-system:default', groups: [] },
    namespace: 'default',
    appliesTo: true,
  },
  { testCase: "* user subject name doesn't match all users", subjects: [{ kind: 'User', name: '*' }], user: { name: 'foobar', groups: [] }, namespace: 'default', appliesTo: false },
  {
    testCase: 'binding to all authenticated and unauthenticated subjects matches authenticated user',
    subjects: [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }],
    user: { name: 'foobar', groups: ['system:authenticated'] },
    namespace: 'default',
    appliesTo: true,
  },
  {
    testCase: 'binding to all authenticated and unauthenticated subjects matches anonymous user',
    subjects: [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }],
    user: { name: 'system:anonymous', groups: ['system:unauthenticated'] },
    namespace: 'default',
    appliesTo: true,
  },
  // A ServiceAccount subject without a namespace takes the binding's; with none it never applies.
  { testCase: 'namespaceless service account in a namespaced binding', subjects: [{ kind: 'ServiceAccount', name: 'sa' }], user: { name: 'system:serviceaccount:ns1:sa', groups: [] }, namespace: 'ns1', appliesTo: true },
  { testCase: 'namespaceless service account in another namespace', subjects: [{ kind: 'ServiceAccount', name: 'sa' }], user: { name: 'system:serviceaccount:ns1:sa', groups: [] }, namespace: 'ns2', appliesTo: false },
  { testCase: 'namespaceless service account in a cluster binding', subjects: [{ kind: 'ServiceAccount', name: 'sa' }], user: { name: 'system:serviceaccount::sa', groups: [] }, namespace: '', appliesTo: false },
  { testCase: 'unknown subject kind', subjects: [{ kind: 'Robot', name: 'foobar' }], user: { name: 'foobar', groups: ['foobar'] }, namespace: '', appliesTo: false },
];

for (const c of appliesToCases) {
  test(`subject applies: ${c.testCase}`, () => {
    assert.equal(firstApplyingSubject(c.user, c.subjects, c.namespace) >= 0, c.appliesTo);
  });
}

test('firstApplyingSubject returns the first subject naming the user', () => {
  const subjects: Subject[] = [{ kind: 'User', name: 'x' }, { kind: 'Group', name: 'g' }, { kind: 'User', name: 'u' }];
  assert.equal(firstApplyingSubject({ name: 'u', groups: ['g'] }, subjects, ''), 1);
  assert.equal(firstApplyingSubject({ name: 'u', groups: [] }, subjects, ''), 2);
  assert.equal(firstApplyingSubject({ name: 'u', groups: [] }, null, ''), -1);
});

test('describeSubject as upstream names subjects in reasons', () => {
  assert.equal(describeSubject({ kind: 'User', name: 'alice' }, 'ns'), 'User "alice"');
  assert.equal(describeSubject({ kind: 'Group', name: 'devs' }, 'ns'), 'Group "devs"');
  assert.equal(describeSubject({ kind: 'ServiceAccount', name: 'sa', namespace: 'other' }, 'ns'), 'ServiceAccount "sa/other"');
  assert.equal(describeSubject({ kind: 'ServiceAccount', name: 'sa' }, 'ns'), 'ServiceAccount "sa/ns"');
});

test('compactRuleString prints rules as rbacv1helpers.CompactString', () => {
  assert.equal(compactRuleString({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }), '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}');
  assert.equal(compactRuleString({ nonResourceURLs: ['/apis'], verbs: ['get'] }), '{NonResourceURLs:["/apis"], Verbs:["get"]}');
  assert.equal(
    compactRuleString({ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['update'] }),
    '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["update"]}',
  );
  assert.equal(compactRuleString({ verbs: [] }), '{}');
});
