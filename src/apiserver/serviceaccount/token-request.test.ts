import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { signingKeyFromPem } from './keys.js';
import { boundObjectLookupFrom, tokenLookupFrom, type CoreResource } from './lookups.js';
import { decodeSegment, opensslVerifies, UPSTREAM_RSA_PRIVATE_KEY, UPSTREAM_RSA_PUBLIC_KEY } from './test-fixtures.js';
import { tokenRequestFor, type TokenRequestOptions } from './token-request.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const key = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);
const NOW = new Date('2026-03-01T10:00:00.400Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'team-a', uid: 'sa-uid' } };

function objects(): Map<string, KubeObject> {
  const m = new Map<string, KubeObject>();
  const put = (r: CoreResource, o: KubeObject): void => void m.set(`${r}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o);
  put('serviceaccounts', sa);
  put('pods', { metadata: { name: 'web-0', namespace: 'team-a', uid: 'pod-uid' }, spec: { serviceAccountName: 'builder', nodeName: 'node-1' } });
  put('pods', { metadata: { name: 'pending', namespace: 'team-a', uid: 'pending-uid' }, spec: { serviceAccountName: 'builder' } });
  put('pods', { metadata: { name: 'orphan', namespace: 'team-a', uid: 'orphan-uid' }, spec: { serviceAccountName: 'builder', nodeName: 'gone-node' } });
  put('pods', { metadata: { name: 'db-0', namespace: 'team-a', uid: 'db-uid' }, spec: { serviceAccountName: 'database' } });
  put('pods', { metadata: { name: 'plain', namespace: 'team-a', uid: 'plain-uid' }, spec: {} });
  put('secrets', { metadata: { name: 'creds', namespace: 'team-a', uid: 'secret-uid' } });
  put('nodes', { metadata: { name: 'node-1', uid: 'node-uid' } });
  return m;
}
const world = objects();
const get = async (r: CoreResource, ns: string | undefined, name: string): Promise<KubeObject | undefined> => world.get(`${r}/${ns ?? ''}/${name}`);
const boundLookup = boundObjectLookupFrom(get);
const opts: TokenRequestOptions = { key, issuer: ISSUER, defaultAudiences: [ISSUER], now: NOW, jti: 'jti-1' };

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(decodeSegment(token.split('.')[1]!).toString());
}

async function statusOf(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return { code: err.code, reason: err.reason, message: err.message };
  }
  assert.fail('expected a StatusError');
}

describe('TokenRequest', () => {
  it("answers kubectl create token's body with defaults filled in", async () => {
    const body = {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { audiences: null, expirationSeconds: null, boundObjectRef: null },
      status: { token: '', expirationTimestamp: null },
    };
    const tr = await tokenRequestFor(body, sa, opts, boundLookup);
    assert.deepEqual({ ...tr, status: { ...tr.status, token: '' } }, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: 'builder', namespace: 'team-a', creationTimestamp: '2026-03-01T10:00:00Z' },
      spec: { audiences: [ISSUER], expirationSeconds: 3600 },
      status: { token: '', expirationTimestamp: '2026-03-01T11:00:00Z' },
    });
    assert.equal(opensslVerifies(tr.status.token, UPSTREAM_RSA_PUBLIC_KEY), true);
    assert.deepEqual(payloadOf(tr.status.token), {
      aud: [ISSUER],
      exp: NOW_S + 3600,
      iat: NOW_S,
      iss: ISSUER,
      jti: 'jti-1',
      'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'builder', uid: 'sa-uid' } },
      nbf: NOW_S,
      sub: 'system:serviceaccount:team-a:builder',
    });
  });

  it('issues a token the authenticator accepts, and records its credential id for the audit log', async () => {
    const annotations: Record<string, string> = {};
    const tr = await tokenRequestFor({ spec: { audiences: ['vault'], expirationSeconds: 600 } }, sa, { ...opts, annotate: (k, v) => (annotations[k] = v) }, boundLookup);
    assert.deepEqual(annotations, { 'authentication.kubernetes.io/issued-credential-id': 'JTI=jti-1' });
    assert.deepEqual(tr.spec, { audiences: ['vault'], expirationSeconds: 600 });
    const authn = new ServiceAccountTokenAuthenticator({ keys: [key], issuers: [ISSUER], apiAudiences: [ISSUER], lookup: tokenLookupFrom(get) });
    const r = await authn.authenticate(tr.status.token, NOW, ['vault']);
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.equal(r.user.name, 'system:serviceaccount:team-a:builder');
  });

  describe('spec.expirationSeconds', () => {
    const cases: Array<[number, string | undefined]> = [
      [0, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 10 minutes'],
      [60, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes'],
      [599, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes'],
      [600, undefined],
      [2 ** 32, undefined],
      [2 ** 32 + 1, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds'],
    ];
    for (const [seconds, message] of cases) {
      it(`${seconds} → ${message ? '422' : 'issued'}`, async () => {
        const p = tokenRequestFor({ spec: { expirationSeconds: seconds } }, sa, opts, boundLookup);
        if (!message) {
          const tr = await p;
          assert.equal(payloadOf(tr.status.token).exp, NOW_S + seconds);
          return;
        }
        const s = await statusOf(p);
        assert.deepEqual(s, { code: 422, reason: 'Invalid', message });
      });
    }

    it('is shortened to --service-account-max-token-expiration, with a warning', async () => {
      const warnings: string[] = [];
      const tr = await tokenRequestFor({ spec: { expirationSeconds: 86400 } }, sa, { ...opts, maxExpirationSeconds: 7200, warn: (w) => warnings.push(w) }, boundLookup);
      assert.deepEqual(warnings, ['requested expiration of 86400 seconds shortened to 7200 seconds']);
      assert.equal(tr.spec.expirationSeconds, 7200);
      assert.equal(tr.status.expirationTimestamp, '2026-03-01T12:00:00Z');
      assert.equal(payloadOf(tr.status.token).exp, NOW_S + 7200);
    });

    it('of exactly 3607 s for a Pod lasts a year with warnafter, when extension is on', async () => {
      const body = { spec: { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0' } } };
      const tr = await tokenRequestFor(body, sa, { ...opts, extendExpiration: true }, boundLookup);
      const p = payloadOf(tr.status.token);
      assert.equal(p.exp, NOW_S + 365 * 24 * 3600);
      assert.equal((p['kubernetes.io'] as Record<string, unknown>).warnafter, NOW_S + 3607);
      assert.equal(tr.status.expirationTimestamp, '2026-03-01T11:00:07Z');
      // not for other audiences
      const other = await tokenRequestFor({ spec: { ...body.spec, audiences: ['vault'] } }, sa, { ...opts, extendExpiration: true }, boundLookup);
      assert.equal(payloadOf(other.status.token).exp, NOW_S + 3607);
    });
  });

  describe('metadata', () => {
    it('a different name is refused', async () => {
      assert.deepEqual(await statusOf(tokenRequestFor({ metadata: { name: 'other' } }, sa, opts, boundLookup)), {
        code: 422,
        reason: 'Invalid',
        message: 'TokenRequest.authentication.k8s.io "builder" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
      });
    });
    it('a different namespace is refused', async () => {
      assert.deepEqual(await statusOf(tokenRequestFor({ metadata: { namespace: 'team-b' } }, sa, opts, boundLookup)), {
        code: 422,
        reason: 'Invalid',
        message: 'TokenRequest.authentication.k8s.io "builder" is invalid: metadata.namespace: Invalid value: "team-b": must match the service account namespace if specified',
      });
    });
    it('matching ones are kept', async () => {
      const tr = await tokenRequestFor({ metadata: { name: 'builder', namespace: 'team-a' } }, sa, opts, boundLookup);
      assert.equal(tr.metadata.name, 'builder');
    });
  });

  describe('spec.boundObjectRef', () => {
    const ok: Array<{ name: string; ref: Record<string, string>; k8s: Record<string, unknown> }> = [
      {
        name: 'a scheduled Pod (its Node recorded too)',
        ref: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'pod-uid' },
        k8s: { pod: { name: 'web-0', uid: 'pod-uid' }, node: { name: 'node-1', uid: 'node-uid' } },
      },
      { name: 'an unscheduled Pod', ref: { kind: 'Pod', apiVersion: 'v1', name: 'pending' }, k8s: { pod: { name: 'pending', uid: 'pending-uid' } } },
      { name: 'a Pod whose Node is gone (its name kept)', ref: { kind: 'Pod', apiVersion: 'v1', name: 'orphan' }, k8s: { pod: { name: 'orphan', uid: 'orphan-uid' }, node: { name: 'gone-node' } } },
      { name: 'a Secret', ref: { kind: 'Secret', apiVersion: 'v1', name: 'creds' }, k8s: { secret: { name: 'creds', uid: 'secret-uid' } } },
      { name: 'a Node', ref: { kind: 'Node', apiVersion: 'v1', name: 'node-1', uid: 'node-uid' }, k8s: { node: { name: 'node-1', uid: 'node-uid' } } },
    ];
    for (const c of ok) {
      it(`binds to ${c.name}`, async () => {
        const tr = await tokenRequestFor({ spec: { boundObjectRef: c.ref } }, sa, opts, boundLookup);
        assert.deepEqual(tr.spec.boundObjectRef, c.ref);
        assert.deepEqual(payloadOf(tr.status.token)['kubernetes.io'], { namespace: 'team-a', serviceaccount: { name: 'builder', uid: 'sa-uid' }, ...c.k8s });
      });
    }

    const refused: Array<{ name: string; ref: Record<string, string>; code: number; reason: string; message: string }> = [
      { name: 'a missing Pod', ref: { kind: 'Pod', apiVersion: 'v1', name: 'nope' }, code: 404, reason: 'NotFound', message: 'pods "nope" not found' },
      { name: 'a missing Secret', ref: { kind: 'Secret', apiVersion: 'v1', name: 'nope' }, code: 404, reason: 'NotFound', message: 'secrets "nope" not found' },
      { name: 'a missing Node', ref: { kind: 'Node', apiVersion: 'v1', name: 'nope' }, code: 404, reason: 'NotFound', message: 'nodes "nope" not found' },
      {
        name: 'a Pod of another service account',
        ref: { kind: 'Pod', apiVersion: 'v1', name: 'db-0' },
        code: 400,
        reason: 'BadRequest',
        message: 'cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.',
      },
      {
        name: 'a Pod naming no service account (so "default") for another one',
        ref: { kind: 'Pod', apiVersion: 'v1', name: 'plain' },
        code: 400,
        reason: 'BadRequest',
        message: 'cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.',
      },
      {
        name: 'a Pod whose uid changed',
        ref: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'old-uid' },
        code: 409,
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on Pod "web-0": the UID in the bound object reference (old-uid) does not match the UID in record. The object might have been deleted and then recreated',
      },
      {
        name: 'a kind of another group',
        ref: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web' },
        code: 400,
        reason: 'BadRequest',
        message: 'cannot bind token to object of type apps/v1, Kind=Deployment',
      },
      { name: 'another core kind', ref: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' }, code: 400, reason: 'BadRequest', message: 'cannot bind token to object of type /v1, Kind=ConfigMap' },
      { name: 'a Pod of another group', ref: { kind: 'Pod', apiVersion: 'example.com/v1', name: 'web-0' }, code: 400, reason: 'BadRequest', message: 'cannot bind token to object of type example.com/v1, Kind=Pod' },
    ];
    for (const c of refused) {
      it(`refuses ${c.name}`, async () => {
        assert.deepEqual(await statusOf(tokenRequestFor({ spec: { boundObjectRef: c.ref } }, sa, opts, boundLookup)), { code: c.code, reason: c.reason, message: c.message });
      });
    }
  });

  it('binds the default ServiceAccount to a Pod that names none', async () => {
    const dflt: KubeObject = { metadata: { name: 'default', namespace: 'team-a', uid: 'default-uid' } };
    const tr = await tokenRequestFor({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'plain' } } }, dflt, opts, boundLookup);
    assert.deepEqual((payloadOf(tr.status.token)['kubernetes.io'] as Record<string, unknown>).pod, { name: 'plain', uid: 'plain-uid' });
  });

  it("is a 500 when the Pod's Node cannot be read", async () => {
    const failing = { ...boundLookup, node: async () => Promise.reject(new Error('storage unavailable')) };
    const s = await statusOf(tokenRequestFor({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0' } } }, sa, opts, failing));
    assert.deepEqual(s, { code: 500, reason: 'InternalError', message: 'Internal error occurred: storage unavailable' });
  });

  describe('bodies Go would not decode', () => {
    const cases: Array<[string, unknown, string]> = [
      ['expirationSeconds as a string', { spec: { expirationSeconds: '600' } }, 'json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64'],
      ['expirationSeconds with a fraction', { spec: { expirationSeconds: 600.5 } }, 'json: cannot unmarshal number 600.5 into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64'],
      ['audiences as a string', { spec: { audiences: 'vault' } }, 'json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.audiences of type []string'],
      ['a numeric audience', { spec: { audiences: [1] } }, 'json: cannot unmarshal number into Go struct field TokenRequestSpec.spec.audiences of type string'],
      ['boundObjectRef as a string', { spec: { boundObjectRef: 'Pod/web-0' } }, 'json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.boundObjectRef of type v1.BoundObjectReference'],
      ['another kind', { kind: 'TokenReview' }, 'the kind "TokenReview" does not match the expected kind TokenRequest'],
    ];
    for (const [name, body, detail] of cases) {
      it(name, async () => {
        const s = await statusOf(tokenRequestFor(body, sa, opts, boundLookup));
        assert.equal(s.code, 400);
        assert.equal(s.message, `TokenRequest in version "v1" cannot be handled as a TokenRequest: ${detail}`);
      });
    }
  });
});
