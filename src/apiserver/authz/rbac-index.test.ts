import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthzAttributes } from './attributes.js';
import { RbacIndex, aggregateMessages } from './rbac-index.js';
import type { BindingObject, PolicyRule, RoleObject } from './rules.js';

// Builders mirroring upstream rbac_test.go's helpers (strings.Split on ",": "" gives [""]).
function newRule(verbs: string, apiGroups: string, resources: string, nonResourceURLs: string): PolicyRule {
  return { verbs: verbs.split(','), apiGroups: apiGroups.split(','), resources: resources.split(','), nonResourceURLs: nonResourceURLs.split(',') };
}

function role(name: string, namespace: string, ...rules: PolicyRule[]): RoleObject {
  return { metadata: { name, namespace }, rules };
}

function clusterRole(name: string, ...rules: PolicyRule[]): RoleObject {
  return { metadata: { name }, rules };
}

function subjects(list: string[]): BindingObject['subjects'] {
  return list.map((s) => {
    const i = s.indexOf(':');
    const kind = s.slice(0, i);
    const rest = s.slice(i + 1);
    if (kind === 'ServiceAccount') {
      const [ns, name] = rest.includes('/') ? rest.split('/') : ['', rest];
      return ns ? { kind, name: name!, namespace: ns } : { kind, name: name! };
    }
    return { kind, name: rest, apiGroup: 'rbac.authorization.k8s.io' };
  });
}

let seq = 0;
function clusterRoleBinding(roleName: string, ...subj: string[]): BindingObject {
  return { metadata: { name: `crb-${++seq}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: subjects(subj) };
}

function roleBinding(namespace: string, roleName: string, kind: 'Role' | 'ClusterRole', ...subj: string[]): BindingObject {
  return { metadata: { name: `rb-${++seq}`, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName }, subjects: subjects(subj) };
}

interface Fixture {
  roles?: RoleObject[];
  roleBindings?: BindingObject[];
  clusterRoles?: RoleObject[];
  clusterRoleBindings?: BindingObject[];
}

function indexOf(f: Fixture, options = { mastersFastPath: false }): RbacIndex {
  const idx = new RbacIndex(options);
  for (const r of f.roles ?? []) idx.put('Role', r);
  for (const r of f.clusterRoles ?? []) idx.put('ClusterRole', r);
  for (const b of f.roleBindings ?? []) idx.put('RoleBinding', b);
  for (const b of f.clusterRoleBindings ?? []) idx.put('ClusterRoleBinding', b);
  return idx;
}

/** upstream's defaultAttributes{user, groups, verb, resource, subresource, namespace, apiGroup}. */
function attrs(user: string, groups: string, verb: string, resource: string, subresource: string, namespace: string, apiGroup: string): AuthzAttributes {
  return { user: { name: user, groups: groups.split(',') }, verb, resourceRequest: true, resource, subresource, namespace, apiGroup };
}

function path(user: { name?: string; groups?: string[] }, verb: string, p: string): AuthzAttributes {
  return { user: { name: user.name ?? '', groups: user.groups ?? [] }, verb, resourceRequest: false, path: p };
}

// Upstream rbac_test.go TestAuthorizer.
const authorizerCases: { name: string; fixture: Fixture; shouldPass: AuthzAttributes[]; shouldFail: AuthzAttributes[] }[] = [
  {
    name: 'cluster role bound in one namespace',
    fixture: {
      clusterRoles: [clusterRole('admin', newRule('*', '*', '*', '*'))],
      roleBindings: [roleBinding('ns1', 'admin', 'ClusterRole', 'User:admin', 'Group:admins')],
    },
    shouldPass: [
      attrs('admin', '', 'get', 'Pods', '', 'ns1', ''),
      attrs('admin', '', 'watch', 'Pods', '', 'ns1', ''),
      attrs('admin', 'group1', 'watch', 'Foobar', '', 'ns1', ''),
      attrs('joe', 'admins', 'watch', 'Foobar', '', 'ns1', ''),
      attrs('joe', 'group1,admins', 'watch', 'Foobar', '', 'ns1', ''),
    ],
    shouldFail: [
      attrs('admin', '', 'GET', 'Pods', '', 'ns2', ''),
      attrs('admin', '', 'GET', 'Nodes', '', '', ''),
      attrs('admin', 'admins', 'GET', 'Pods', '', 'ns2', ''),
      attrs('admin', 'admins', 'GET', 'Nodes', '', '', ''),
    ],
  },
  {
    name: 'non-resource URLs',
    fixture: {
      clusterRoles: [
        clusterRole('non-resource-url-getter', newRule('get', '', '', '/apis')),
        clusterRole('non-resource-url', newRule('*', '', '', '/apis')),
        clusterRole('non-resource-url-prefix', newRule('get', '', '', '/apis/*')),
      ],
      clusterRoleBindings: [
        clusterRoleBinding('non-resource-url-getter', 'User:foo', 'Group:bar'),
        clusterRoleBinding('non-resource-url', 'User:admin', 'Group:admin'),
        clusterRoleBinding('non-resource-url-prefix', 'User:prefixed', 'Group:prefixed'),
      ],
    },
    shouldPass: [
      path({ name: 'foo' }, 'get', '/apis'),
      path({ groups: ['bar'] }, 'get', '/apis'),
      path({ name: 'admin' }, 'get', '/apis'),
      path({ groups: ['admin'] }, 'get', '/apis'),
      path({ name: 'admin' }, 'watch', '/apis'),
      path({ groups: ['admin'] }, 'watch', '/apis'),
      path({ name: 'prefixed' }, 'get', '/apis/v1'),
      path({ groups: ['prefixed'] }, 'get', '/apis/v1'),
      path({ name: 'prefixed' }, 'get', '/apis/v1/foobar'),
      path({ groups: ['prefixed'] }, 'get', '/apis/v1/foorbar'),
    ],
    shouldFail: [
      path({ name: 'foo' }, 'watch', '/apis'),
      path({ groups: ['bar'] }, 'watch', '/apis'),
      path({ name: 'foo' }, 'get', '/api/v1'),
      path({ groups: ['bar'] }, 'get', '/api/v1'),
      path({ name: 'admin' }, 'get', '/api/v1'),
      path({ groups: ['admin'] }, 'get', '/api/v1'),
      path({ name: 'prefixed' }, 'get', '/api/v1'),
      path({ groups: ['prefixed'] }, 'get', '/api/v1'),
    ],
  },
  {
    name: 'subresource resolution: the resource alone',
    fixture: {
      clusterRoles: [clusterRole('admin', newRule('*', '*', 'pods', '*'))],
      roleBindings: [roleBinding('ns1', 'admin', 'ClusterRole', 'User:admin', 'Group:admins')],
    },
    shouldPass: [attrs('admin', '', 'get', 'pods', '', 'ns1', '')],
    shouldFail: [attrs('admin', '', 'get', 'pods', 'status', 'ns1', '')],
  },
  {
    name: 'subresource resolution: named and */scale',
    fixture: {
      clusterRoles: [clusterRole('admin', newRule('*', '*', 'pods/status', '*'), newRule('*', '*', '*/scale', '*'))],
      roleBindings: [roleBinding('ns1', 'admin', 'ClusterRole', 'User:admin', 'Group:admins')],
    },
    shouldPass: [
      attrs('admin', '', 'get', 'pods', 'status', 'ns1', ''),
      attrs('admin', '', 'get', 'pods', 'scale', 'ns1', ''),
      attrs('admin', '', 'get', 'deployments', 'scale', 'ns1', ''),
      attrs('admin', '', 'get', 'anything', 'scale', 'ns1', ''),
    ],
    shouldFail: [attrs('admin', '', 'get', 'pods', '', 'ns1', '')],
  },
  // Beyond upstream's table.
  {
    name: 'a Role applies only in its namespace; a ClusterRoleBinding everywhere',
    fixture: {
      roles: [role('reader', 'ns1', { verbs: ['get'], apiGroups: [''], resources: ['pods'] })],
      roleBindings: [roleBinding('ns1', 'reader', 'Role', 'User:alice')],
      clusterRoles: [clusterRole('node-reader', { verbs: ['list'], apiGroups: [''], resources: ['nodes'] })],
      clusterRoleBindings: [clusterRoleBinding('node-reader', 'Group:ops')],
    },
    shouldPass: [attrs('alice', '', 'get', 'pods', '', 'ns1', ''), attrs('bob', 'ops', 'list', 'nodes', '', '', ''), attrs('bob', 'ops', 'list', 'nodes', '', 'ns9', '')],
    shouldFail: [attrs('alice', '', 'get', 'pods', '', 'ns2', ''), attrs('alice', '', 'get', 'pods', '', '', ''), attrs('alice', '', 'list', 'pods', '', 'ns1', '')],
  },
  {
    name: 'service accounts, with and without an explicit namespace',
    fixture: {
      clusterRoles: [clusterRole('r', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] })],
      roleBindings: [roleBinding('ns1', 'r', 'ClusterRole', 'ServiceAccount:builder'), roleBinding('ns2', 'r', 'ClusterRole', 'ServiceAccount:ns1/deployer')],
      clusterRoleBindings: [clusterRoleBinding('r', 'ServiceAccount:orphan'), clusterRoleBinding('r', 'ServiceAccount:kube-system/ctrl')],
    },
    shouldPass: [
      attrs('system:serviceaccount:ns1:builder', '', 'get', 'configmaps', '', 'ns1', ''),
      attrs('system:serviceaccount:ns1:deployer', '', 'get', 'configmaps', '', 'ns2', ''),
      attrs('system:serviceaccount:kube-system:ctrl', '', 'get', 'configmaps', '', 'anywhere', ''),
    ],
    shouldFail: [
      attrs('system:serviceaccount:ns2:builder', '', 'get', 'configmaps', '', 'ns1', ''),
      attrs('system:serviceaccount:ns1:builder', '', 'get', 'configmaps', '', 'ns2', ''),
      attrs('system:serviceaccount:ns1:deployer', '', 'get', 'configmaps', '', 'ns1', ''),
      attrs('system:serviceaccount::orphan', '', 'get', 'configmaps', '', 'x', ''),
      attrs('builder', '', 'get', 'configmaps', '', 'ns1', ''),
    ],
  },
  {
    name: 'resourceNames',
    fixture: {
      clusterRoles: [clusterRole('one-map', { verbs: ['get', 'update', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] })],
      roleBindings: [roleBinding('ns1', 'one-map', 'ClusterRole', 'User:u')],
    },
    shouldPass: [{ ...attrs('u', '', 'get', 'configmaps', '', 'ns1', ''), name: 'settings' }, { ...attrs('u', '', 'update', 'configmaps', '', 'ns1', ''), name: 'settings' }],
    shouldFail: [{ ...attrs('u', '', 'get', 'configmaps', '', 'ns1', ''), name: 'other' }, attrs('u', '', 'list', 'configmaps', '', 'ns1', '')],
  },
  {
    name: 'a binding to a missing role grants nothing',
    fixture: {
      roleBindings: [roleBinding('ns1', 'nope', 'Role', 'User:u')],
      clusterRoleBindings: [clusterRoleBinding('gone', 'User:u')],
    },
    shouldPass: [],
    shouldFail: [attrs('u', '', 'get', 'pods', '', 'ns1', '')],
  },
];

for (const c of authorizerCases) {
  test(`authorize: ${c.name}`, () => {
    const idx = indexOf(c.fixture);
    for (const a of c.shouldPass) assert.equal(idx.authorize(a).allowed, true, `incorrectly restricted ${JSON.stringify(a)}`);
    for (const a of c.shouldFail) assert.equal(idx.authorize(a).allowed, false, `incorrectly passed ${JSON.stringify(a)}`);
  });
}

test('reasons: allowed by names the binding, role and subject; refusals carry resolution errors', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', clusterRole('view', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  idx.put('RoleBinding', { metadata: { name: 'b1', namespace: 'ns1' }, roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' }, subjects: [{ kind: 'Group', name: 'devs' }, { kind: 'User', name: 'u' }] });
  idx.put('ClusterRoleBinding', { metadata: { name: 'sa-view' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'ci' }] });
  assert.deepEqual(idx.authorize(attrs('u', 'devs', 'get', 'pods', '', 'ns1', '')), {
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "b1/ns1" of ClusterRole "view" to Group "devs"',
  });
  assert.deepEqual(idx.authorize(attrs('system:serviceaccount:ci:bot', '', 'get', 'pods', '', 'x', '')), {
    allowed: true,
    reason: 'RBAC: allowed by ClusterRoleBinding "sa-view" of ClusterRole "view" to ServiceAccount "bot/ci"',
  });
  assert.deepEqual(idx.authorize(attrs('u', '', 'list', 'pods', '', 'ns1', '')), { allowed: false, reason: '' });

  idx.put('ClusterRoleBinding', { metadata: { name: 'dangling' }, roleRef: { kind: 'ClusterRole', name: 'gone' }, subjects: [{ kind: 'User', name: 'u' }] });
  idx.put('RoleBinding', { metadata: { name: 'dangling', namespace: 'ns1' }, roleRef: { kind: 'Role', name: 'missing' }, subjects: [{ kind: 'User', name: 'u' }] });
  assert.deepEqual(idx.authorize(attrs('u', '', 'list', 'pods', '', 'ns1', '')), {
    allowed: false,
    reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "missing" not found]',
  });
  assert.deepEqual(idx.authorize(attrs('u', '', 'list', 'pods', '', '', '')), { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found' });
  // A missing role does not stop other bindings from allowing.
  assert.equal(idx.authorize(attrs('u', '', 'get', 'pods', '', 'ns1', '')).allowed, true);
  idx.put('RoleBinding', { metadata: { name: 'odd', namespace: 'ns2' }, roleRef: { kind: 'Secret', name: 'x' }, subjects: [{ kind: 'User', name: 'u' }] });
  assert.deepEqual(idx.authorize(attrs('u', '', 'get', 'pods', '', 'ns2', '')), {
    allowed: false,
    reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, unsupported role reference kind: "Secret"]',
  });
});

test('system:masters: allowed before any binding (privileged-group authorizer), unless turned off', () => {
  const master = attrs('root', 'system:masters', 'delete', 'anything', '', 'ns', 'x.io');
  assert.deepEqual(new RbacIndex().authorize(master), { allowed: true });
  assert.equal(new RbacIndex({ mastersFastPath: false }).authorize(master).allowed, false);
});

test('put replaces and remove forgets, for every kind', () => {
  const idx = new RbacIndex({ mastersFastPath: false });
  const a = attrs('u', '', 'get', 'pods', '', 'ns1', '');
  const ca = attrs('u', '', 'get', 'pods', '', '', '');
  idx.put('Role', role('r', 'ns1', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns1' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] });
  assert.equal(idx.authorize(a).allowed, true);
  // The binding changes subject: u loses it, v gains it.
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns1' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'v' }] });
  assert.equal(idx.authorize(a).allowed, false);
  assert.equal(idx.authorize({ ...a, user: { name: 'v', groups: [] } }).allowed, true);
  // The role changes its rules.
  idx.put('Role', role('r', 'ns1', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }));
  assert.equal(idx.authorize({ ...a, user: { name: 'v', groups: [] } }).allowed, false);
  assert.equal(idx.authorize({ ...a, user: { name: 'v', groups: [] }, verb: 'list' }).allowed, true);
  idx.remove('Role', 'ns1', 'r');
  assert.equal(idx.authorize({ ...a, user: { name: 'v', groups: [] }, verb: 'list' }).allowed, false);
  idx.remove('RoleBinding', 'ns1', 'b');
  assert.deepEqual(idx.stats(), { roles: 0, clusterRoles: 0, roleBindings: 0, clusterRoleBindings: 0 });

  idx.put('ClusterRole', clusterRole('c', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  idx.put('ClusterRoleBinding', { metadata: { name: 'cb' }, roleRef: { kind: 'ClusterRole', name: 'c' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }] });
  assert.equal(idx.authorize(ca).allowed, true);
  assert.equal(idx.authorize(a).allowed, true, 'cluster bindings apply in every namespace');
  idx.put('ClusterRoleBinding', { metadata: { name: 'cb' }, roleRef: { kind: 'ClusterRole', name: 'c' }, subjects: [{ kind: 'Group', name: 'g' }] });
  assert.equal(idx.authorize(ca).allowed, false);
  assert.equal(idx.authorize({ ...ca, user: { name: 'w', groups: ['g'] } }).allowed, true);
  idx.remove('ClusterRole', '', 'c');
  assert.equal(idx.authorize({ ...ca, user: { name: 'w', groups: ['g'] } }).allowed, false);
  idx.put('ClusterRole', clusterRole('c', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.equal(idx.authorize({ ...ca, user: { name: 'w', groups: ['g'] } }).allowed, true, 'a role created after its binding takes effect');
  idx.remove('ClusterRoleBinding', '', 'cb');
  assert.equal(idx.authorize({ ...ca, user: { name: 'w', groups: ['g'] } }).allowed, false);
  idx.remove('ClusterRoleBinding', '', 'never-existed');
  idx.remove('RoleBinding', 'ns', 'never-existed');
  assert.deepEqual(idx.stats(), { roles: 0, clusterRoles: 1, roleBindings: 0, clusterRoleBindings: 0 });
});

test('a RoleBinding of the same name in another namespace is another binding', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', clusterRole('c', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns1' }, roleRef: { kind: 'ClusterRole', name: 'c' }, subjects: [{ kind: 'User', name: 'u' }] });
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns2' }, roleRef: { kind: 'ClusterRole', name: 'c' }, subjects: [{ kind: 'User', name: 'u' }] });
  idx.remove('RoleBinding', 'ns1', 'b');
  assert.equal(idx.authorize(attrs('u', '', 'get', 'pods', '', 'ns1', '')).allowed, false);
  assert.equal(idx.authorize(attrs('u', '', 'get', 'pods', '', 'ns2', '')).allowed, true);
});

test('a binding naming the user twice (as user and via group) is visited once', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', clusterRole('c', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  idx.put('ClusterRoleBinding', { metadata: { name: 'cb' }, roleRef: { kind: 'ClusterRole', name: 'c' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }] });
  assert.equal(idx.policyRulesFor({ name: 'u', groups: ['g'] }, 'ns').rules.length, 1);
});

// Upstream rule_test.go TestDefaultRuleResolver.
test('rules for a user in a namespace (DefaultRuleResolver)', () => {
  const ruleReadPods: PolicyRule = { verbs: ['GET', 'WATCH'], apiGroups: ['v1'], resources: ['pods'] };
  const ruleReadServices: PolicyRule = { verbs: ['GET', 'WATCH'], apiGroups: ['v1'], resources: ['services'] };
  const ruleWriteNodes: PolicyRule = { verbs: ['PUT', 'CREATE', 'UPDATE'], apiGroups: ['v1'], resources: ['nodes'] };
  const ruleAdmin: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  const idx = indexOf({
    roles: [role('readthings', 'namespace1', ruleReadPods, ruleReadServices)],
    clusterRoles: [clusterRole('cluster-admin', ruleAdmin), clusterRole('write-nodes', ruleWriteNodes)],
    roleBindings: [roleBinding('namespace1', 'readthings', 'Role', 'User:foobar', 'Group:group1')],
    clusterRoleBindings: [clusterRoleBinding('cluster-admin', 'User:admin', 'Group:admin')],
  });
  const cases: { user: { name: string; groups: string[] }; namespace: string; rules: PolicyRule[] }[] = [
    { user: { name: 'foobar', groups: [] }, namespace: 'namespace1', rules: [ruleReadPods, ruleReadServices] },
    { user: { name: 'foobar', groups: [] }, namespace: 'namespace2', rules: [] },
    { user: { name: 'foobar', groups: ['admin'] }, namespace: '', rules: [ruleAdmin] },
    { user: { name: '', groups: [] }, namespace: '', rules: [] },
  ];
  for (const c of cases) {
    const got = idx.policyRulesFor(c.user, c.namespace);
    assert.deepEqual(got, { rules: c.rules, errors: [] });
  }
});

test('rulesFor: SelfSubjectRulesReview shape, both lists, evaluation errors', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', clusterRole('mixed', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: ['get'], apiGroups: ['x'] }));
  idx.put('ClusterRole', clusterRole('both', { verbs: ['get'], apiGroups: [''], resources: ['nodes'], nonResourceURLs: ['/x'] }));
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns' }, roleRef: { kind: 'ClusterRole', name: 'mixed' }, subjects: [{ kind: 'User', name: 'u' }] });
  idx.put('ClusterRoleBinding', { metadata: { name: 'c' }, roleRef: { kind: 'ClusterRole', name: 'both' }, subjects: [{ kind: 'User', name: 'u' }] });
  assert.deepEqual(idx.rulesFor({ name: 'u', groups: [] }, 'ns'), {
    resourceRules: [
      { verbs: ['get'], apiGroups: [''], resources: ['nodes'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    ],
    nonResourceRules: [
      { verbs: ['get'], nonResourceURLs: ['/x'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ],
    incomplete: false,
  });
  idx.put('RoleBinding', { metadata: { name: 'dangling', namespace: 'ns' }, roleRef: { kind: 'Role', name: 'nope' }, subjects: [{ kind: 'User', name: 'u' }] });
  const r = idx.rulesFor({ name: 'u', groups: [] }, 'ns');
  assert.equal(r.evaluationError, 'role.rbac.authorization.k8s.io "nope" not found');
  assert.equal(r.resourceRules.length, 2);
});

test('aggregateMessages as utilerrors.NewAggregate prints', () => {
  assert.equal(aggregateMessages([]), '');
  assert.equal(aggregateMessages(['a']), 'a');
  assert.equal(aggregateMessages(['a', 'b']), '[a, b]');
  assert.equal(aggregateMessages(['a', 'a']), 'a');
  assert.equal(aggregateMessages(['a', 'b', 'a']), '[a, b]');
});

test('1,000 bindings: decisions look only at the bindings naming the user', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', clusterRole('edit-ish', { verbs: ['create', 'get', 'list'], apiGroups: ['cluster.x-k8s.io'], resources: ['clusters'] }));
  idx.put('ClusterRole', clusterRole('discovery', { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*'] }));
  idx.put('ClusterRoleBinding', { metadata: { name: 'discovery' }, roleRef: { kind: 'ClusterRole', name: 'discovery' }, subjects: [{ kind: 'Group', name: 'system:authenticated' }] });
  for (let i = 0; i < 1000; i++) {
    idx.put('RoleBinding', { metadata: { name: `user-${i}`, namespace: `team-${i % 50}` }, roleRef: { kind: 'ClusterRole', name: 'edit-ish' }, subjects: [{ kind: 'User', name: `user-${i}` }] });
  }
  assert.equal(idx.stats().roleBindings, 1000);
  const user = (i: number) => ({ name: `user-${i}`, groups: ['system:authenticated'] });
  const create = (i: number, ns: string): AuthzAttributes => ({ user: user(i), verb: 'create', resourceRequest: true, apiGroup: 'cluster.x-k8s.io', resource: 'clusters', namespace: ns });
  for (let i = 0; i < 1000; i++) {
    assert.equal(idx.authorize(create(i, `team-${i % 50}`)).allowed, true);
    assert.equal(idx.authorize(create(i, `team-${(i + 1) % 50}`)).allowed, false);
  }
  // Each user sees exactly their binding plus the group one.
  assert.equal(idx.policyRulesFor(user(7), 'team-7').rules.length, 2);
  assert.equal(idx.policyRulesFor(user(7), 'team-8').rules.length, 1);
  for (let i = 0; i < 1000; i += 2) idx.remove('RoleBinding', `team-${i % 50}`, `user-${i}`);
  assert.equal(idx.stats().roleBindings, 500);
  assert.equal(idx.authorize(create(2, 'team-2')).allowed, false);
  assert.equal(idx.authorize(create(3, 'team-3')).allowed, true);
});
