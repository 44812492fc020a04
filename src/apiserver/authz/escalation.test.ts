import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../apimachinery/errors.js';
import { bindingWriteRefusal, checkBindingWrite, checkRoleWrite, confirmNoEscalation, isOnlyMutatingGCFields, refusalError, roleWriteRefusal } from './escalation.js';
import { RbacIndex } from './rbac-index.js';
import type { BindingObject, PolicyRule, RoleObject } from './rules.js';

const superuser = { name: 'superuser', groups: ['system:masters'] };
const bob = { name: 'bob', groups: [] as string[] };
const steve = { name: 'steve', groups: [] as string[] };
const alice = { name: 'alice', groups: [] as string[] };

const podsGet: PolicyRule = { apiGroups: [''], verbs: ['get'], resources: ['pods'] };

/** Upstream role/policybased storage_test.go TestEscalation's world: alice holds everything, steve may escalate roles. */
function escalationWorld(): RbacIndex {
  const idx = new RbacIndex();
  idx.put('ClusterRole', { metadata: { name: 'alice-role' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] });
  idx.put('ClusterRoleBinding', { metadata: { name: 'alice' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'alice-role' }, subjects: [{ kind: 'User', name: 'alice' }] });
  idx.put('ClusterRole', { metadata: { name: 'role-escalator' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: ['escalate'] }] });
  idx.put('ClusterRoleBinding', { metadata: { name: 'steve' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'role-escalator' }, subjects: [{ kind: 'User', name: 'steve' }] });
  return idx;
}

const myrole: RoleObject = { metadata: { name: 'myrole', namespace: 'myns' }, rules: [podsGet] };

for (const tc of [
  { name: 'superuser', user: superuser, allowed: true },
  { name: 'bob: no escalate, no permissions', user: bob, allowed: false },
  { name: 'steve: may escalate roles, holds nothing', user: steve, allowed: true },
  { name: 'alice: holds every permission', user: alice, allowed: true },
]) {
  test(`role write (upstream TestEscalation): ${tc.name}`, () => {
    const idx = escalationWorld();
    const create = checkRoleWrite(idx, tc.user, 'Role', 'myns', myrole);
    const update = checkRoleWrite(idx, tc.user, 'Role', 'myns', myrole, { metadata: { name: 'myrole', namespace: 'myns' } });
    assert.equal(create === undefined, tc.allowed, create);
    assert.equal(update === undefined, tc.allowed, update);
  });
}

test('role escalation message lists the missing permissions, compacted and sorted', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns' }, roleRef: { kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'User', name: 'u' }] });
  const user = { name: 'u', groups: ['system:authenticated', 'devs'] };
  const want: RoleObject = {
    metadata: { name: 'more', namespace: 'ns' },
    rules: [
      { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ],
  };
  assert.equal(
    checkRoleWrite(idx, user, 'Role', 'ns', want),
    'roles.rbac.authorization.k8s.io "more" is forbidden: user "u" (groups=["system:authenticated" "devs"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["list"]}\n' +
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}\n' +
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  );
  // Held permissions in another namespace do not count; the role's own namespace does.
  assert.equal(checkRoleWrite(idx, user, 'Role', 'ns', { metadata: { name: 'same', namespace: 'ns' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }), undefined);
  assert.match(checkRoleWrite(idx, user, 'Role', 'other', { metadata: { name: 'same', namespace: 'other' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }) ?? '', /not currently held/);
  // A ClusterRole is checked against cluster-wide permissions only.
  assert.match(checkRoleWrite(idx, user, 'ClusterRole', '', { metadata: { name: 'c' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }) ?? '', /^clusterroles\.rbac\.authorization\.k8s\.io "c" is forbidden: /);
});

test('resolution errors are appended to an escalation refusal', () => {
  const idx = new RbacIndex();
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'ns' }, roleRef: { kind: 'Role', name: 'gone' }, subjects: [{ kind: 'User', name: 'u' }] });
  assert.equal(
    confirmNoEscalation(idx, { name: 'u', groups: [] }, 'ns', [podsGet]),
    'user "u" (groups=[]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: [role.rbac.authorization.k8s.io "gone" not found]',
  );
});

test('escalate permission: by role name only on update (create has no request name)', () => {
  const idx = new RbacIndex();
  idx.put('ClusterRole', { metadata: { name: 'escalate-one' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'], resourceNames: ['myrole'] }] });
  idx.put('RoleBinding', { metadata: { name: 'b', namespace: 'myns' }, roleRef: { kind: 'ClusterRole', name: 'escalate-one' }, subjects: [{ kind: 'User', name: 'bob' }] });
  assert.notEqual(checkRoleWrite(idx, bob, 'Role', 'myns', myrole), undefined, 'create is not named');
  assert.equal(checkRoleWrite(idx, bob, 'Role', 'myns', myrole, { metadata: { name: 'myrole', namespace: 'myns' }, rules: [] }), undefined);
  assert.notEqual(checkRoleWrite(idx, bob, 'Role', 'other', { ...myrole, metadata: { name: 'myrole', namespace: 'other' } }, { metadata: { name: 'myrole', namespace: 'other' } }), undefined);
});

test('aggregationRule needs cluster-admin authority, on the new or the old object', () => {
  const idx = new RbacIndex();
  // Every verb but escalate (with '*' alice could escalate roles, which skips every check, as upstream).
  idx.put('ClusterRole', { metadata: { name: 'all-resources' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] });
  idx.put('ClusterRole', { metadata: { name: 'all-urls' }, rules: [{ nonResourceURLs: ['*'], verbs: ['*'] }] });
  idx.put('ClusterRoleBinding', { metadata: { name: 'a' }, roleRef: { kind: 'ClusterRole', name: 'all-resources' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'User', name: 'carol' }] });
  idx.put('ClusterRoleBinding', { metadata: { name: 'c' }, roleRef: { kind: 'ClusterRole', name: 'all-urls' }, subjects: [{ kind: 'User', name: 'carol' }] });
  const agg: RoleObject = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } };
  assert.equal(
    checkRoleWrite(idx, alice, 'ClusterRole', '', agg),
    'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
  );
  // Carol holds every verb but escalate on resources, and every URL: still not cluster-admin's '*'.
  assert.match(checkRoleWrite(idx, { name: 'carol', groups: [] }, 'ClusterRole', '', agg) ?? '', /must have cluster-admin privileges/);
  // Removing the rule from an aggregated role is checked too.
  assert.match(checkRoleWrite(idx, alice, 'ClusterRole', '', { metadata: { name: 'agg' }, rules: [] }, agg) ?? '', /must have cluster-admin privileges/);
  // An empty selector list is no aggregation rule.
  assert.equal(checkRoleWrite(idx, alice, 'ClusterRole', '', { metadata: { name: 'agg2' }, aggregationRule: { clusterRoleSelectors: [] } }), undefined);
  // Whoever holds '*' on everything also holds verb escalate, which skips every check, as upstream.
  idx.put('ClusterRole', { metadata: { name: 'all-resources' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] });
  assert.equal(checkRoleWrite(idx, alice, 'ClusterRole', '', agg), undefined);
});

test('writes that only change ownerReferences or finalizers are never refused', () => {
  const idx = new RbacIndex();
  const old: RoleObject = { metadata: { name: 'r', namespace: 'ns', resourceVersion: '5' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
  const gc: RoleObject = { ...old, metadata: { ...old.metadata, finalizers: ['x'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: '1' }] } };
  assert.equal(checkRoleWrite(idx, bob, 'Role', 'ns', gc, old), undefined);
  assert.notEqual(checkRoleWrite(idx, bob, 'Role', 'ns', { ...gc, metadata: { ...gc.metadata, labels: { a: 'b' } } }, old), undefined);
  const oldBinding: BindingObject = { metadata: { name: 'b', namespace: 'ns' }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'bob' }] };
  assert.equal(checkBindingWrite(idx, bob, 'RoleBinding', 'ns', { ...oldBinding, metadata: { ...oldBinding.metadata, finalizers: ['f'] } }, oldBinding), undefined);
  assert.equal(isOnlyMutatingGCFields({ metadata: { name: 'a' }, rules: [] }, { metadata: { name: 'a' } }), true, 'absent and empty lists are equal');
  assert.equal(isOnlyMutatingGCFields({ metadata: { name: 'a' }, rules: [podsGet] }, { metadata: { name: 'a' } }), false);
});

/** A world for bindings: admin-ish user holds pods get in ns via a RoleBinding; `binder` may bind `view` by name. */
function bindingWorld(): RbacIndex {
  const idx = new RbacIndex();
  idx.put('ClusterRole', { metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
  idx.put('ClusterRole', { metadata: { name: 'pod-getter' }, rules: [podsGet] });
  idx.put('ClusterRole', { metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] });
  idx.put('Role', { metadata: { name: 'local', namespace: 'ns' }, rules: [podsGet] });
  idx.put('ClusterRole', { metadata: { name: 'bind-view' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['view'] }] });
  idx.put('RoleBinding', { metadata: { name: 'u-pods', namespace: 'ns' }, roleRef: { kind: 'ClusterRole', name: 'pod-getter' }, subjects: [{ kind: 'User', name: 'u' }] });
  idx.put('RoleBinding', { metadata: { name: 'binder', namespace: 'ns' }, roleRef: { kind: 'ClusterRole', name: 'bind-view' }, subjects: [{ kind: 'User', name: 'binder' }] });
  return idx;
}

function rb(name: string, ref: { kind: string; name: string }): BindingObject {
  return { metadata: { name, namespace: 'ns' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...ref }, subjects: [{ kind: 'User', name: 'someone' }] };
}

const bindingCases: { name: string; user: { name: string; groups: string[] }; kind: 'RoleBinding' | 'ClusterRoleBinding'; ns: string; obj: BindingObject; message?: string; code?: number }[] = [
  { name: 'holder of all the role grants it', user: { name: 'u', groups: [] }, kind: 'RoleBinding', ns: 'ns', obj: rb('b1', { kind: 'ClusterRole', name: 'pod-getter' }) },
  { name: 'holder of a namespaced Role grants it', user: { name: 'u', groups: [] }, kind: 'RoleBinding', ns: 'ns', obj: rb('b2', { kind: 'Role', name: 'local' }) },
  {
    name: 'holder of part of the role does not',
    user: { name: 'u', groups: [] },
    kind: 'RoleBinding',
    ns: 'ns',
    obj: rb('b3', { kind: 'ClusterRole', name: 'view' }),
    message:
      'rolebindings.rbac.authorization.k8s.io "b3" is forbidden: user "u" (groups=[]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["list"]}',
    code: 403,
  },
  { name: 'bind verb on the role by name suffices', user: { name: 'binder', groups: [] }, kind: 'RoleBinding', ns: 'ns', obj: rb('b4', { kind: 'ClusterRole', name: 'view' }) },
  {
    name: 'bind verb on another role does not',
    user: { name: 'binder', groups: [] },
    kind: 'RoleBinding',
    ns: 'ns',
    obj: rb('b5', { kind: 'ClusterRole', name: 'cluster-admin' }),
    message:
      'rolebindings.rbac.authorization.k8s.io "b5" is forbidden: user "binder" (groups=[]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    code: 403,
  },
  {
    name: 'the bind permission in one namespace does not reach a ClusterRoleBinding',
    user: { name: 'binder', groups: [] },
    kind: 'ClusterRoleBinding',
    ns: '',
    obj: { metadata: { name: 'cb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [] },
    message:
      'clusterrolebindings.rbac.authorization.k8s.io "cb" is forbidden: user "binder" (groups=[]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
    code: 403,
  },
  {
    name: 'a missing role is its NotFound',
    user: { name: 'u', groups: [] },
    kind: 'RoleBinding',
    ns: 'ns',
    obj: rb('b6', { kind: 'Role', name: 'nope' }),
    message: 'roles.rbac.authorization.k8s.io "nope" not found',
    code: 404,
  },
  {
    name: 'a missing cluster role is its NotFound',
    user: { name: 'u', groups: [] },
    kind: 'RoleBinding',
    ns: 'ns',
    obj: rb('b7', { kind: 'ClusterRole', name: 'nope' }),
    message: 'clusterroles.rbac.authorization.k8s.io "nope" not found',
    code: 404,
  },
  { name: 'system:masters binds anything, even missing roles', user: superuser, kind: 'RoleBinding', ns: 'ns', obj: rb('b8', { kind: 'ClusterRole', name: 'nope' }) },
];

for (const c of bindingCases) {
  test(`binding write: ${c.name}`, () => {
    const idx = bindingWorld();
    const r = bindingWriteRefusal(idx, c.user, c.kind, c.ns, c.obj);
    assert.equal(r?.message, c.message);
    assert.equal(r?.code, c.code);
    assert.equal(checkBindingWrite(idx, c.user, c.kind, c.ns, c.obj), c.message);
  });
}

test('refusalError is the Status kube returns', () => {
  const idx = bindingWorld();
  const r = roleWriteRefusal(idx, bob, 'Role', 'ns', { metadata: { name: 'x', namespace: 'ns' }, rules: [podsGet] })!;
  const e = refusalError(r);
  assert.ok(e instanceof StatusError);
  assert.equal(e.code, 403);
  assert.equal(e.reason, 'Forbidden');
  assert.deepEqual(e.details, { name: 'x', group: 'rbac.authorization.k8s.io', kind: 'roles' });
  const nf = refusalError(bindingWriteRefusal(idx, bob, 'RoleBinding', 'ns', rb('b', { kind: 'Role', name: 'nope' }))!);
  assert.equal(nf.code, 404);
  assert.equal(nf.reason, 'NotFound');
  assert.equal(nf.message, 'roles.rbac.authorization.k8s.io "nope" not found');
});

test('a role without a name (generateName) is named nowhere in the message', () => {
  const idx = new RbacIndex();
  assert.match(checkRoleWrite(idx, bob, 'Role', 'ns', { metadata: { namespace: 'ns' }, rules: [podsGet] }) ?? '', /^roles\.rbac\.authorization\.k8s\.io is forbidden: /);
});

// Upstream helpers_test.go TestIsOnlyMutatingGCFields, on a role instead of a pod.
const base = (): RoleObject => ({ metadata: { name: 'foo', annotations: {}, ownerReferences: [] }, rules: [] });
const gcCases: { name: string; obj: () => RoleObject; expected: boolean }[] = [
  { name: 'same', obj: base, expected: true },
  { name: 'different managedFields', obj: () => ({ ...base(), metadata: { ...base().metadata, managedFields: [{ manager: 'manager' }] } }), expected: true },
  { name: 'only annotations', obj: () => ({ ...base(), metadata: { ...base().metadata, annotations: { foo: 'bar' } } }), expected: false },
  { name: 'only other', obj: () => ({ ...base(), rules: [podsGet] }), expected: false },
  { name: 'only ownerRef', obj: () => ({ ...base(), metadata: { ...base().metadata, ownerReferences: [{ name: 'foo' }] } }), expected: true },
  { name: 'ownerRef and finalizer', obj: () => ({ ...base(), metadata: { ...base().metadata, ownerReferences: [{ name: 'foo' }], finalizers: ['final'] } }), expected: true },
  { name: 'and annotations', obj: () => ({ ...base(), metadata: { ...base().metadata, ownerReferences: [{ name: 'foo' }], annotations: { foo: 'bar' } } }), expected: false },
  { name: 'and other', obj: () => ({ ...base(), rules: [podsGet], metadata: { ...base().metadata, ownerReferences: [{ name: 'foo' }] } }), expected: false },
];

for (const c of gcCases) {
  test(`isOnlyMutatingGCFields: ${c.name}`, () => {
    assert.equal(isOnlyMutatingGCFields(c.obj(), base()), c.expected);
  });
}
