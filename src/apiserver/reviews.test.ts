import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { AuthzAttributes } from './authz/attributes.js';
import { reviewHandlers } from './reviews.js';

const seen: AuthzAttributes[] = [];
const handlers = reviewHandlers({
  authorize(a) {
    seen.push(a);
    return a.user.name === 'alice' && a.verb === 'get' ? { allowed: true, reason: 'RBAC: allowed by RoleBinding "x/ns"' } : { allowed: false, reason: '' };
  },
  rulesFor: (user, namespace) => ({ resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api'] }], incomplete: false, evaluationError: `${user.name}@${namespace}` }),
});
const alice = { name: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] };
const call = (key: string, body: KubeObject, namespace?: string) => handlers.get(key)!(body, { user: alice, namespace });

async function refusal(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('expected a refusal');
}

describe('review resources', () => {
  it('SelfSubjectReview returns the requester', async () => {
    const out = await call('authentication.k8s.io/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.deepEqual(out.status, { userInfo: { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] } });
    assert.equal(out.metadata?.creationTimestamp, null);
  });

  it('SelfSubjectAccessReview asks for the requester, resource and non-resource', async () => {
    seen.length = 0;
    const out = await call('authorization.k8s.io/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'ns', verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'web' } } } as KubeObject);
    assert.deepEqual(out.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "x/ns"' });
    assert.deepEqual(seen[0], { user: alice, verb: 'get', resourceRequest: true, apiGroup: 'apps', apiVersion: '', resource: 'deployments', namespace: 'ns', subresource: 'scale', name: 'web' });
    const nr = await call('authorization.k8s.io/selfsubjectaccessreviews', { kind: 'SelfSubjectAccessReview', spec: { nonResourceAttributes: { path: '/healthz', verb: 'post' } } } as KubeObject);
    assert.deepEqual(nr.status, { allowed: false });
    assert.deepEqual(seen[1], { user: alice, verb: 'post', resourceRequest: false, path: '/healthz' });
  });

  it('refuses a spec with neither or both attribute kinds, naming the field', async () => {
    const neither = await refusal(call('authorization.k8s.io/selfsubjectaccessreviews', { kind: 'SelfSubjectAccessReview', spec: {} } as KubeObject));
    assert.equal(neither.code, 422);
    assert.match(neither.message, /SelfSubjectAccessReview\.authorization\.k8s\.io "" is invalid: spec\.resourceAttributes: Invalid value.*exactly one of nonResourceAttributes or resourceAttributes must be specified/);
    const both = await refusal(call('authorization.k8s.io/selfsubjectaccessreviews', { kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { verb: 'get', path: '/' } } } as KubeObject));
    assert.match(both.message, /spec\.nonResourceAttributes: Invalid value.*cannot be specified in combination with resourceAttributes/);
    const kind = await refusal(call('authorization.k8s.io/selfsubjectaccessreviews', { apiVersion: 'v1', kind: 'ConfigMap' }));
    assert.equal(kind.code, 400);
  });

  it('SubjectAccessReview asks for the named subject, and needs one', async () => {
    seen.length = 0;
    const out = await call('authorization.k8s.io/subjectaccessreviews', { kind: 'SubjectAccessReview', spec: { user: 'bob', groups: ['g'], uid: 'u2', resourceAttributes: { verb: 'get', resource: 'pods' } } } as KubeObject);
    assert.deepEqual(out.status, { allowed: false });
    assert.deepEqual(seen[0]!.user, { name: 'bob', groups: ['g'], uid: 'u2' });
    const none = await refusal(call('authorization.k8s.io/subjectaccessreviews', { kind: 'SubjectAccessReview', spec: { resourceAttributes: { verb: 'get' } } } as KubeObject));
    assert.match(none.message, /spec\.user: Invalid value: "": at least one of user or group must be specified/);
  });

  it('LocalSubjectAccessReview must name the namespace of its URL and no non-resource path', async () => {
    const ok = await call('authorization.k8s.io/localsubjectaccessreviews', { kind: 'LocalSubjectAccessReview', spec: { user: 'alice', resourceAttributes: { namespace: 'ns', verb: 'get', resource: 'pods' } } } as KubeObject, 'ns');
    assert.equal((ok.status as { allowed: boolean }).allowed, true);
    const wrong = await refusal(call('authorization.k8s.io/localsubjectaccessreviews', { kind: 'LocalSubjectAccessReview', spec: { user: 'alice', resourceAttributes: { namespace: 'other', verb: 'get' } } } as KubeObject, 'ns'));
    assert.match(wrong.message, /spec\.resourceAttributes\.namespace: Invalid value: "other": must match metadata\.namespace/);
    const nr = await refusal(call('authorization.k8s.io/localsubjectaccessreviews', { kind: 'LocalSubjectAccessReview', spec: { user: 'alice', nonResourceAttributes: { verb: 'get', path: '/' } } } as KubeObject, 'ns'));
    assert.match(nr.message, /spec\.nonResourceAttributes: Invalid value.*disallowed on this kind of request/);
  });

  it('SelfSubjectRulesReview lists the requester\'s rules in the namespace', async () => {
    const out = await call('authorization.k8s.io/selfsubjectrulesreviews', { kind: 'SelfSubjectRulesReview', spec: { namespace: 'team-a' } } as KubeObject);
    assert.deepEqual(out.status, { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api'] }], incomplete: false, evaluationError: 'alice@team-a' });
  });

  it('serves TokenReview only with a token reviewer', () => {
    assert.equal(handlers.has('authentication.k8s.io/tokenreviews'), false);
  });
});
