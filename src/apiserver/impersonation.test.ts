import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../apimachinery/errors.js';
import type { UserInfo } from './authn.js';
import type { AuthzAttributes, AuthzDecision } from './authz/attributes.js';
import {
  extraKeyOf,
  impersonate,
  impersonationAttributes,
  impersonationRequests,
  isImpersonationHeader,
  removeImpersonationHeaders,
  requestsImpersonation,
  serviceAccountOf,
  type DistinctHeaders,
} from './impersonation.js';

/**
 * The authorizer of upstream's impersonation filter test (impersonation_test.go), as data: who may impersonate
 * what, keyed on the requester's name and first or second group.
 */
function testAuthorizer(a: AuthzAttributes): AuthzDecision {
  const u = a.user;
  const g0 = u.groups[0];
  const g1 = u.groups[1];
  const imp = a.verb === 'impersonate';
  if (u.name === 'system:admin') return { allowed: true };
  if (u.name === 'tester') throw new Error('works on my machine');
  if (u.name === 'deny-me') return { allowed: false, reason: 'denied' };
  if (g0 === 'wheel' && imp && a.resource === 'users') return { allowed: true };
  if (g0 === 'sa-impersonater' && imp && a.resource === 'serviceaccounts') return { allowed: true };
  if (g0 === 'regular-impersonater' && imp && a.resource === 'users') return { allowed: true };
  if (g1 === 'group-impersonater' && imp && a.resource === 'groups') return { allowed: true };
  if (g1 === 'extra-setter-scopes' && imp && a.resource === 'userextras' && a.subresource === 'scopes') return { allowed: true };
  if (g1 === 'escaped-scopes' || g1 === 'almost-escaped-scopes') return { allowed: true };
  if (g1 === 'extra-setter-particular-scopes' && imp && a.resource === 'userextras' && a.subresource === 'scopes' && a.name === 'scope-a' && a.apiGroup === 'authentication.k8s.io') return { allowed: true };
  if (g1 === 'extra-setter-project' && imp && a.resource === 'userextras' && a.subresource === 'project' && a.apiGroup === 'authentication.k8s.io') return { allowed: true };
  if (g0 === 'everything-impersonater' && imp) {
    if (a.resource === 'users' && a.apiGroup === '') return { allowed: true };
    if (a.resource === 'uids' && a.name === 'some-uid' && a.apiGroup === 'authentication.k8s.io') return { allowed: true };
    if (a.resource === 'groups' && a.apiGroup === '') return { allowed: true };
    if (a.resource === 'userextras' && a.subresource === 'scopes' && a.apiGroup === 'authentication.k8s.io') return { allowed: true };
  }
  return { allowed: false, reason: 'deny by default' };
}

interface Case {
  name: string;
  user: UserInfo;
  asUser?: string;
  asGroups?: string[];
  asExtras?: Record<string, string[]>;
  asUid?: string;
  /** The user the request runs as (the requester when not impersonating or refused). */
  expectedUser: UserInfo;
  expectedCode: 200 | 400 | 403;
}

const u = (name: string, groups: string[] = [], more: Partial<UserInfo> = {}): UserInfo => ({ name, groups, ...more });

// upstream's TestImpersonationFilter cases
const CASES: Case[] = [
  { name: 'not-impersonating', user: u('tester'), expectedUser: u('tester'), expectedCode: 200 },
  { name: 'impersonating-error', user: u('tester'), asUser: 'anyone', expectedUser: u('tester'), expectedCode: 403 },
  { name: 'impersonating-group-without-user', user: u('tester'), asGroups: ['some-group'], expectedUser: u('tester'), expectedCode: 400 },
  { name: 'impersonating-extra-without-user', user: u('tester'), asExtras: { scopes: ['scope-a'] }, expectedUser: u('tester'), expectedCode: 400 },
  { name: 'impersonating-uid-without-user', user: u('tester'), asUid: 'some-uid', expectedUser: u('tester'), expectedCode: 400 },
  { name: 'disallowed-group', user: u('dev', ['wheel']), asUser: 'system:admin', asGroups: ['some-group'], expectedUser: u('dev', ['wheel']), expectedCode: 403 },
  { name: 'allowed-group', user: u('dev', ['wheel', 'group-impersonater']), asUser: 'system:admin', asGroups: ['some-group'], expectedUser: u('system:admin', ['some-group', 'system:authenticated']), expectedCode: 200 },
  { name: 'disallowed-userextra-1', user: u('dev', ['wheel']), asUser: 'system:admin', asGroups: ['some-group'], asExtras: { scopes: ['scope-a'] }, expectedUser: u('dev', ['wheel']), expectedCode: 403 },
  { name: 'disallowed-userextra-2', user: u('dev', ['wheel', 'extra-setter-project']), asUser: 'system:admin', asGroups: ['some-group'], asExtras: { scopes: ['scope-a'] }, expectedUser: u('dev', ['wheel', 'extra-setter-project']), expectedCode: 403 },
  { name: 'disallowed-userextra-3', user: u('dev', ['wheel', 'extra-setter-particular-scopes']), asUser: 'system:admin', asGroups: ['some-group'], asExtras: { scopes: ['scope-a', 'scope-b'] }, expectedUser: u('dev', ['wheel', 'extra-setter-particular-scopes']), expectedCode: 403 },
  { name: 'allowed-userextras', user: u('dev', ['wheel', 'extra-setter-scopes']), asUser: 'system:admin', asExtras: { scopes: ['scope-a', 'scope-b'] }, expectedUser: u('system:admin', ['system:authenticated'], { extra: { scopes: ['scope-a', 'scope-b'] } }), expectedCode: 200 },
  { name: 'percent-escaped-userextras', user: u('dev', ['wheel', 'escaped-scopes']), asUser: 'system:admin', asExtras: { 'example.com%2fescaped%e1%9b%84scopes': ['scope-a', 'scope-b'] }, expectedUser: u('system:admin', ['system:authenticated'], { extra: { 'example.com/escapedᛄscopes': ['scope-a', 'scope-b'] } }), expectedCode: 200 },
  { name: 'almost-percent-escaped-userextras', user: u('dev', ['wheel', 'almost-escaped-scopes']), asUser: 'system:admin', asExtras: { 'almost%zzpercent%xxencoded': ['scope-a', 'scope-b'] }, expectedUser: u('system:admin', ['system:authenticated'], { extra: { 'almost%zzpercent%xxencoded': ['scope-a', 'scope-b'] } }), expectedCode: 200 },
  { name: 'allowed-users-impersonation', user: u('dev', ['regular-impersonater']), asUser: 'tester', expectedUser: u('tester', ['system:authenticated']), expectedCode: 200 },
  { name: 'disallowed-impersonating', user: u('dev', ['sa-impersonater']), asUser: 'tester', expectedUser: u('dev', ['sa-impersonater']), expectedCode: 403 },
  { name: 'allowed-sa-impersonating', user: u('dev', ['sa-impersonater']), asUser: 'system:serviceaccount:foo:default', expectedUser: u('system:serviceaccount:foo:default', ['system:serviceaccounts', 'system:serviceaccounts:foo', 'system:authenticated']), expectedCode: 200 },
  { name: 'anonymous-username-prevents-adding-authenticated-group', user: u('system:admin'), asUser: 'system:anonymous', expectedUser: u('system:anonymous', ['system:unauthenticated']), expectedCode: 200 },
  { name: 'unauthenticated-group-prevents-adding-authenticated-group', user: u('system:admin'), asUser: 'unknown', asGroups: ['system:unauthenticated'], expectedUser: u('unknown', ['system:unauthenticated']), expectedCode: 200 },
  { name: 'unauthenticated-group-prevents-double-adding-authenticated-group', user: u('system:admin'), asUser: 'unknown', asGroups: ['system:authenticated'], expectedUser: u('unknown', ['system:authenticated']), expectedCode: 200 },
  { name: 'specified-authenticated-group-prevents-double-adding-authenticated-group', user: u('dev', ['wheel', 'group-impersonater']), asUser: 'system:admin', asGroups: ['some-group', 'system:authenticated'], expectedUser: u('system:admin', ['some-group', 'system:authenticated']), expectedCode: 200 },
  { name: 'anonymous-user-should-include-unauthenticated-group', user: u('system:admin'), asUser: 'system:anonymous', expectedUser: u('system:anonymous', ['system:unauthenticated']), expectedCode: 200 },
  { name: 'anonymous-user-prevents-double-adding-unauthenticated-group', user: u('system:admin'), asUser: 'system:anonymous', asGroups: ['system:unauthenticated'], expectedUser: u('system:anonymous', ['system:unauthenticated']), expectedCode: 200 },
  { name: 'allowed-user-impersonation-with-uid', user: u('dev', ['everything-impersonater']), asUser: 'tester', asUid: 'some-uid', expectedUser: u('tester', ['system:authenticated'], { uid: 'some-uid' }), expectedCode: 200 },
  { name: 'disallowed-user-impersonation-with-uid', user: u('dev', ['everything-impersonater']), asUser: 'tester', asUid: 'disallowed-uid', expectedUser: u('dev', ['everything-impersonater']), expectedCode: 403 },
  { name: 'allowed-impersonation-with-all-headers', user: u('dev', ['everything-impersonater']), asUser: 'tester', asUid: 'some-uid', asGroups: ['system:authenticated'], asExtras: { scopes: ['scope-a', 'scope-b'] }, expectedUser: u('tester', ['system:authenticated'], { uid: 'some-uid', extra: { scopes: ['scope-a', 'scope-b'] } }), expectedCode: 200 },
];

/** Headers as Node's headersDistinct gives them (lower-case names). */
function headersOf(c: Pick<Case, 'asUser' | 'asGroups' | 'asExtras' | 'asUid'>): DistinctHeaders {
  const h: Record<string, string[]> = { accept: ['application/json'] };
  if (c.asUser) h['impersonate-user'] = [c.asUser];
  if (c.asGroups?.length) h['impersonate-group'] = [...c.asGroups];
  for (const [k, vs] of Object.entries(c.asExtras ?? {})) h[`impersonate-extra-${k.toLowerCase()}`] = [...vs];
  if (c.asUid) h['impersonate-uid'] = [c.asUid];
  return h;
}

describe('impersonate (upstream impersonation filter cases)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const out = await impersonate(headersOf(c), c.user, testAuthorizer);
      if (c.expectedCode === 200) {
        assert.ok(!(out instanceof StatusError), String(out instanceof StatusError ? out.message : ''));
        assert.deepEqual(out ?? c.user, c.expectedUser);
      } else {
        assert.ok(out instanceof StatusError, `expected ${c.expectedCode}, got ${JSON.stringify(out)}`);
        assert.equal(out.code, c.expectedCode);
      }
    });
  }
  // upstream's anonymous-username-* cases with a requester allowed to impersonate
  it('impersonating system:anonymous adds system:unauthenticated once', async () => {
    const out = await impersonate(headersOf({ asUser: 'system:anonymous' }), u('system:anonymous', ['system:unauthenticated']), () => ({ allowed: true }));
    assert.deepEqual(out, u('system:anonymous', ['system:unauthenticated']));
    const none = await impersonate(headersOf({ asUser: 'system:anonymous' }), u('system:anonymous', []), () => ({ allowed: true }));
    assert.deepEqual(none, u('system:anonymous', ['system:unauthenticated']));
  });
});

describe('impersonation messages', () => {
  it('refuses a user with the 403 naming users, as kube-apiserver', async () => {
    const out = await impersonate(headersOf({ asUser: 'jane' }), u('bob', ['system:authenticated']), () => ({ allowed: false, reason: '' }));
    assert.ok(out instanceof StatusError);
    assert.equal(out.code, 403);
    assert.equal(out.reason, 'Forbidden');
    assert.equal(out.message, 'users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
    assert.deepEqual(out.details, { name: 'jane', kind: 'users' });
  });

  it('refuses a service account in its namespace, a group, a uid and an extra, with the reason appended', async () => {
    const deny = (): AuthzDecision => ({ allowed: false, reason: 'no' });
    const sa = await impersonate(headersOf({ asUser: 'system:serviceaccount:ns:sa' }), u('bob'), deny);
    assert.equal((sa as StatusError).message, 'serviceaccounts "sa" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns": no');
    const allowUsers = (a: AuthzAttributes): AuthzDecision => (a.resource === 'users' ? { allowed: true } : { allowed: false, reason: '' });
    const group = await impersonate(headersOf({ asUser: 'jane', asGroups: ['ops'] }), u('bob'), allowUsers);
    assert.equal((group as StatusError).message, 'groups "ops" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the cluster scope');
    const uid = await impersonate(headersOf({ asUser: 'jane', asUid: 'u-1' }), u('bob'), allowUsers);
    assert.equal((uid as StatusError).message, 'uids.authentication.k8s.io "u-1" is forbidden: User "bob" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
    const extra = await impersonate(headersOf({ asUser: 'jane', asExtras: { scopes: ['a'] } }), u('bob'), allowUsers);
    assert.equal((extra as StatusError).message, 'userextras.authentication.k8s.io "a" is forbidden: User "bob" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
  });

  it('answers 400 with upstream\'s message when a group, extra or uid comes without a user', async () => {
    const out = await impersonate(headersOf({ asGroups: ['g1', 'g2'] }), u('bob'), () => ({ allowed: true }));
    assert.ok(out instanceof StatusError);
    assert.equal(out.code, 400);
    assert.equal(out.reason, 'BadRequest');
    assert.equal(out.message, 'requested [{Group  g1    } {Group  g2    }] without impersonating a user');
    const extra = await impersonate(headersOf({ asExtras: { scopes: ['a'] }, asUid: 'x' }), u('bob'), () => ({ allowed: true }));
    assert.equal((extra as StatusError).message, 'requested [{UserExtra  a  authentication.k8s.io/v1  scopes} {UID  x  authentication.k8s.io/v1  }] without impersonating a user');
  });

  it('asks for nothing without headers, and for nothing with an empty Impersonate-User alone', async () => {
    assert.equal(await impersonate({}, u('bob'), () => ({ allowed: false, reason: '' })), undefined);
    assert.equal(await impersonate({ 'impersonate-user': [''] }, u('bob'), () => ({ allowed: false, reason: '' })), undefined);
  });

  it('a requester may be refused by an authorizer that throws (403, no reason)', async () => {
    const out = await impersonate(headersOf({ asUser: 'jane' }), u('bob'), () => {
      throw new Error('boom');
    });
    assert.equal((out as StatusError).code, 403);
    assert.doesNotMatch((out as StatusError).message, /boom/);
  });
});

describe('impersonationRequests and attributes', () => {
  it('lists user, groups, extras, uid in upstream order; repeated headers each count', () => {
    const h: DistinctHeaders = { 'impersonate-uid': ['u1'], 'impersonate-extra-scopes': ['a', 'b'], 'impersonate-group': ['g1', 'g2'], 'impersonate-user': ['jane', 'ignored'] };
    assert.deepEqual(impersonationRequests(h), [
      { kind: 'User', name: 'jane' },
      { kind: 'Group', name: 'g1' },
      { kind: 'Group', name: 'g2' },
      { kind: 'UserExtra', key: 'scopes', value: 'a' },
      { kind: 'UserExtra', key: 'scopes', value: 'b' },
      { kind: 'UID', uid: 'u1' },
    ]);
  });

  it('a service-account user name becomes a ServiceAccount request only when both names are valid', () => {
    assert.deepEqual(serviceAccountOf('system:serviceaccount:ns:sa'), { namespace: 'ns', name: 'sa' });
    assert.deepEqual(serviceAccountOf('system:serviceaccount:ns:sa.v1'), { namespace: 'ns', name: 'sa.v1' });
    for (const bad of ['system:serviceaccount:ns', 'system:serviceaccount:ns:sa:x', 'system:serviceaccount::sa', 'system:serviceaccount:ns:', 'system:serviceaccount:NS:sa', 'system:serviceaccount:ns.x:sa', 'system:serviceaccount:ns:SA', 'serviceaccount:ns:sa']) {
      assert.equal(serviceAccountOf(bad), undefined, bad);
    }
    assert.deepEqual(impersonationRequests({ 'impersonate-user': ['system:serviceaccount:ns:SA'] }), [{ kind: 'User', name: 'system:serviceaccount:ns:SA' }]);
  });

  it('extra keys are lower-cased then percent-decoded; a malformed escape keeps the key', () => {
    assert.equal(extraKeyOf('Scopes'), 'scopes');
    assert.equal(extraKeyOf('example.com%2Fescaped%E1%9B%84scopes'), 'example.com/escapedᛄscopes');
    assert.equal(extraKeyOf('%41'), 'A');
    assert.equal(extraKeyOf('almost%zzpercent'), 'almost%zzpercent');
  });

  it('authorizes each request as upstream builds the attributes', () => {
    const me = u('bob', ['g']);
    const base = { user: me, verb: 'impersonate', resourceRequest: true };
    assert.deepEqual(impersonationAttributes(me, { kind: 'User', name: 'jane' }), { ...base, apiGroup: '', apiVersion: '', resource: 'users', name: 'jane' });
    assert.deepEqual(impersonationAttributes(me, { kind: 'ServiceAccount', namespace: 'ns', name: 'sa' }), { ...base, apiGroup: '', apiVersion: '', resource: 'serviceaccounts', namespace: 'ns', name: 'sa' });
    assert.deepEqual(impersonationAttributes(me, { kind: 'Group', name: 'ops' }), { ...base, apiGroup: '', apiVersion: '', resource: 'groups', name: 'ops' });
    assert.deepEqual(impersonationAttributes(me, { kind: 'UserExtra', key: 'scopes', value: 'a' }), { ...base, apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'userextras', subresource: 'scopes', name: 'a' });
    assert.deepEqual(impersonationAttributes(me, { kind: 'UID', uid: 'u1' }), { ...base, apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'uids', name: 'u1' });
  });

  it('a service account with groups given takes those groups instead of its own', async () => {
    const out = await impersonate({ 'impersonate-user': ['system:serviceaccount:ns:sa'], 'impersonate-group': ['ops'] }, u('admin'), () => ({ allowed: true }));
    assert.deepEqual(out, u('system:serviceaccount:ns:sa', ['ops', 'system:authenticated']));
  });

  it('extra keys named like Object.prototype members are plain keys', async () => {
    const out = await impersonate({ 'impersonate-user': ['jane'], 'impersonate-extra-__proto__': ['a'], 'impersonate-extra-constructor': ['b', 'c'] }, u('admin'), () => ({ allowed: true }));
    assert.ok(!(out instanceof StatusError) && out);
    assert.deepEqual(Object.keys(out.extra ?? {}).sort(), ['__proto__', 'constructor']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out.extra, '__proto__')?.value, ['a']);
    assert.deepEqual(out.extra?.['constructor'], ['b', 'c']);
    assert.equal(Object.getPrototypeOf(out.extra), Object.prototype);
  });
});

describe('impersonation headers', () => {
  it('recognises and removes exactly the impersonation headers', () => {
    for (const n of ['impersonate-user', 'Impersonate-Group', 'impersonate-uid', 'impersonate-extra-scopes']) assert.equal(isImpersonationHeader(n), true, n);
    for (const n of ['impersonate', 'impersonate-users', 'authorization', 'impersonate-extra']) assert.equal(isImpersonationHeader(n), false, n);
    const h: Record<string, unknown> = { 'impersonate-user': 'jane', 'impersonate-group': 'g', 'impersonate-uid': 'u', 'impersonate-extra-a': 'x', accept: '*/*' };
    assert.equal(requestsImpersonation(h), true);
    removeImpersonationHeaders(h);
    assert.deepEqual(h, { accept: '*/*' });
    assert.equal(requestsImpersonation(h), false);
    assert.equal(requestsImpersonation({ 'impersonate-other': 'x' }), false);
  });
});
