import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { ServiceAccountTokenAuthenticator, type ServiceAccountAuthResult, type ServiceAccountTokenAuthenticatorOptions } from './authenticator.js';
import { signingKeyFromPem, verificationKeyFromPem, type TokenSigningKey } from './keys.js';
import { tokenLookupFrom, type CoreResource } from './lookups.js';
import { issueBoundToken, issueLegacyToken, type BoundTokenClaims } from './token.js';
import { UPSTREAM_EC_PRIVATE_KEY, UPSTREAM_OTHER_RSA_PUBLIC_KEY, UPSTREAM_RSA_PRIVATE_KEY } from './test-fixtures.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const rsaKey = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);
const ecKey = signingKeyFromPem(UPSTREAM_EC_PRIVATE_KEY);
const strangerKey = signingKeyFromPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const ago = (seconds: number, from = T0): string => new Date(from.getTime() - seconds * 1000).toISOString();

/** Live objects, by resource and namespace/name: the world the authenticator looks into. */
class World {
  private objects = new Map<string, KubeObject>();
  put(resource: CoreResource, obj: KubeObject): this {
    this.objects.set(`${resource}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`, obj);
    return this;
  }
  remove(resource: CoreResource, namespace: string | undefined, name: string): this {
    this.objects.delete(`${resource}/${namespace ?? ''}/${name}`);
    return this;
  }
  get = async (resource: CoreResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> => this.objects.get(`${resource}/${namespace ?? ''}/${name}`);
}

function obj(name: string, uid: string, namespace?: string, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, uid, ...(namespace ? { namespace } : {}), ...extra } };
}

function standardWorld(): World {
  return new World()
    .put('serviceaccounts', obj('builder', 'sa-uid', 'team-a'))
    .put('pods', obj('web-0', 'pod-uid', 'team-a'))
    .put('secrets', obj('bound-secret', 'secret-uid', 'team-a'))
    .put('nodes', obj('node-1', 'node-uid'));
}

function authenticator(world: World, overrides: Partial<ServiceAccountTokenAuthenticatorOptions> = {}): ServiceAccountTokenAuthenticator {
  return new ServiceAccountTokenAuthenticator({
    keys: [verificationKeyFromPem(UPSTREAM_OTHER_RSA_PUBLIC_KEY), verificationKeyFromPem(ecKey.publicKeyPem), verificationKeyFromPem(rsaKey.publicKeyPem)],
    issuers: [ISSUER, 'https://old-issuer.example'],
    apiAudiences: [ISSUER],
    lookup: tokenLookupFrom(world.get),
    ...overrides,
  });
}

const claims: BoundTokenClaims = {
  issuer: ISSUER,
  audiences: [ISSUER],
  expirationSeconds: 3600,
  namespace: 'team-a',
  serviceAccount: { name: 'builder', uid: 'sa-uid' },
  jti: 'jti-1',
  now: T0,
};

function bound(extra: Partial<BoundTokenClaims> = {}, key: TokenSigningKey = rsaKey): string {
  return issueBoundToken(key, { ...claims, ...extra }).token;
}

function errorOf(r: ServiceAccountAuthResult | undefined): string | undefined {
  return r && 'error' in r ? r.error : undefined;
}

const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'];

describe('tokens that are not ours are left to other authenticators', () => {
  const other = issueBoundToken(rsaKey, { ...claims, issuer: 'https://someone-else.example' }).token;
  const numericIss = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"iss":3}').toString('base64url')}.AAAA`;
  const cases: Array<[string, string]> = [
    ['a static token', 'invalid token'],
    ['a JSON document', '{"iss":"https://kubernetes.default.svc.cluster.local"}'],
    ['a JWT of another issuer', other],
    ['a JWT whose iss is not a string', numericIss],
    ['two segments', other.split('.').slice(0, 2).join('.')],
    ['a bad signature segment', `${bound().split('.').slice(0, 2).join('.')}.!!!`],
  ];
  for (const [name, token] of cases) {
    it(name, async () => assert.equal(await authenticator(standardWorld()).authenticate(token, T0), undefined));
  }

  it('legacy tokens when they are switched off', async () => {
    const world = standardWorld();
    const token = issueLegacyToken(rsaKey, { namespace: 'team-a', secretName: 'tok', serviceAccount: { name: 'builder', uid: 'sa-uid' } });
    assert.equal(await authenticator(world, { legacyTokens: false }).authenticate(token, T0), undefined);
  });
});

describe('bound tokens', () => {
  it('authenticate as the service account, with the credential id', async () => {
    const r = await authenticator(standardWorld()).authenticate(bound(), at(10));
    assert.deepEqual(r, {
      user: { name: 'system:serviceaccount:team-a:builder', uid: 'sa-uid', groups: SA_GROUPS, extra: { 'authentication.kubernetes.io/credential-id': ['JTI=jti-1'] } },
      audiences: [ISSUER],
    });
  });

  it('of a Pod carry the Pod and its Node in extra', async () => {
    const token = bound({ boundObject: { kind: 'Pod', name: 'web-0', uid: 'pod-uid' }, podNode: { name: 'node-1', uid: 'node-uid' } });
    const r = await authenticator(standardWorld()).authenticate(token, at(10));
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.deepEqual(r.user.extra, {
      'authentication.kubernetes.io/pod-name': ['web-0'],
      'authentication.kubernetes.io/pod-uid': ['pod-uid'],
      'authentication.kubernetes.io/node-name': ['node-1'],
      'authentication.kubernetes.io/node-uid': ['node-uid'],
      'authentication.kubernetes.io/credential-id': ['JTI=jti-1'],
    });
  });

  it("of a Pod whose Node was gone at issue carry the Node's name only", async () => {
    const token = bound({ boundObject: { kind: 'Pod', name: 'web-0', uid: 'pod-uid' }, podNode: { name: 'node-9', uid: '' } });
    const r = await authenticator(standardWorld()).authenticate(token, at(10));
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/node-name'], ['node-9']);
    assert.equal(r.user.extra?.['authentication.kubernetes.io/node-uid'], undefined);
  });

  it('signed with ECDSA (ES256) authenticate', async () => {
    const r = await authenticator(standardWorld()).authenticate(bound({}, ecKey), at(10));
    assert.ok(r && 'user' in r, JSON.stringify(r));
  });

  it('follow the key list when it is given as a function (rotation)', async () => {
    let keys = [verificationKeyFromPem(rsaKey.publicKeyPem)];
    const a = authenticator(standardWorld(), { keys: () => keys });
    assert.equal(errorOf(await a.authenticate(bound({}, ecKey), at(10))), 'invalid signature, no keys found');
    keys = [...keys, verificationKeyFromPem(ecKey.publicKeyPem)];
    assert.ok('user' in ((await a.authenticate(bound({}, ecKey), at(10))) ?? {}));
    keys = [verificationKeyFromPem(ecKey.publicKeyPem)];
    assert.equal(errorOf(await a.authenticate(bound(), at(10))), 'invalid signature, no keys found');
  });

  it('with a critical header extension are not ours to judge', async () => {
    const token = bound();
    const [h, p, s] = token.split('.');
    const header = { ...JSON.parse(Buffer.from(h!, 'base64url').toString()), crit: ['exp'] };
    assert.equal(await authenticator(standardWorld()).authenticate(`${enc(header)}.${p}.${s}`, at(10)), undefined);
  });

  it('of a second accepted issuer authenticate', async () => {
    const r = await authenticator(standardWorld()).authenticate(bound({ issuer: 'https://old-issuer.example' }), at(10));
    assert.ok(r && 'user' in r, JSON.stringify(r));
  });

  it('serve the audiences a TokenReview asks for', async () => {
    const token = bound({ audiences: ['vault', 'other'] });
    const a = authenticator(standardWorld());
    assert.deepEqual((await a.authenticate(token, at(1), ['vault']) as { audiences: string[] }).audiences, ['vault']);
    assert.equal(errorOf(await a.authenticate(token, at(1))), 'token audiences ["vault" "other"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]');
    assert.equal(errorOf(await a.authenticate(bound(), at(1), ['vault'])), 'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]');
  });

  it('mark use after warnafter as stale for the audit log', async () => {
    const token = bound({ expirationSeconds: 31536000, warnAfterSeconds: 3607, boundObject: { kind: 'Pod', name: 'web-0', uid: 'pod-uid' } });
    const a = authenticator(standardWorld());
    const early = await a.authenticate(token, at(3600));
    assert.ok(early && 'user' in early && early.auditAnnotations === undefined);
    const late = await a.authenticate(token, at(3700));
    assert.deepEqual(late && 'user' in late && late.auditAnnotations, { 'authentication.k8s.io/stale-token': 'subject: system:serviceaccount:team-a:builder, seconds after warning threshold: 93' });
  });
});

describe('bound token refusals', () => {
  type Case = { name: string; token: () => string; world?: (w: World) => void; now?: Date; error: string };
  const podBound = (): string => bound({ boundObject: { kind: 'Pod', name: 'web-0', uid: 'pod-uid' }, podNode: { name: 'node-1', uid: 'node-uid' } });
  const cases: Case[] = [
    // times (one minute of leeway, as go-jose)
    { name: 'expired just past the leeway', token: () => bound(), now: at(3600 + 61), error: 'service account token has expired' },
    { name: 'not valid yet beyond the leeway', token: () => bound(), now: at(-61), error: 'service account token is not valid yet' },
    { name: 'nbf in the future beyond the leeway', token: () => bound({ now: at(120) }), now: at(0), error: 'service account token is not valid yet' },
    { name: 'issued in the future beyond the leeway', token: () => resign(bound({ now: at(120) }), (p) => ({ ...p, nbf: undefined })), now: at(0), error: 'service account token is issued in the future' },
    // the service account
    { name: 'service account deleted', token: () => bound(), world: (w) => w.remove('serviceaccounts', 'team-a', 'builder'), error: 'serviceaccounts "builder" not found' },
    { name: 'service account recreated (uid changed)', token: () => bound(), world: (w) => w.put('serviceaccounts', obj('builder', 'sa-uid-2', 'team-a')), error: 'service account UID (sa-uid-2) does not match claim (sa-uid)' },
    {
      name: 'service account being deleted for over a minute',
      token: () => bound(),
      now: at(100),
      world: (w) => w.put('serviceaccounts', obj('builder', 'sa-uid', 'team-a', { deletionTimestamp: ago(61, at(100)) })),
      error: 'service account team-a/builder has been deleted',
    },
    // bound objects
    { name: 'bound Pod deleted', token: podBound, world: (w) => w.remove('pods', 'team-a', 'web-0'), error: 'service account token has been invalidated' },
    { name: 'bound Pod recreated', token: podBound, world: (w) => w.put('pods', obj('web-0', 'pod-uid-2', 'team-a')), error: 'pod UID (pod-uid-2) does not match service account pod ref claim (pod-uid)' },
    {
      name: 'bound Pod being deleted for over a minute',
      token: podBound,
      now: at(200),
      world: (w) => w.put('pods', obj('web-0', 'pod-uid', 'team-a', { deletionTimestamp: ago(120, at(200)) })),
      error: 'service account token has been invalidated',
    },
    { name: 'bound Secret deleted', token: () => bound({ boundObject: { kind: 'Secret', name: 'bound-secret', uid: 'secret-uid' } }), world: (w) => w.remove('secrets', 'team-a', 'bound-secret'), error: 'service account token has been invalidated' },
    {
      name: 'bound Secret recreated',
      token: () => bound({ boundObject: { kind: 'Secret', name: 'bound-secret', uid: 'secret-uid' } }),
      world: (w) => w.put('secrets', obj('bound-secret', 'secret-uid-2', 'team-a')),
      error: 'secret UID (secret-uid-2) does not match service account secret ref claim (secret-uid)',
    },
    { name: 'bound Node deleted', token: () => bound({ boundObject: { kind: 'Node', name: 'node-1', uid: 'node-uid' } }), world: (w) => w.remove('nodes', undefined, 'node-1'), error: 'service account token has been invalidated' },
    {
      name: 'bound Node recreated',
      token: () => bound({ boundObject: { kind: 'Node', name: 'node-1', uid: 'node-uid' } }),
      world: (w) => w.put('nodes', obj('node-1', 'node-uid-2')),
      error: 'node UID (node-uid-2) does not match service account node ref claim (node-uid)',
    },
    // signatures
    { name: 'payload altered after signing', token: () => swapPayload(bound(), (p) => ({ ...p, sub: 'system:serviceaccount:kube-system:admin' })), error: 'go-jose/go-jose: error in cryptographic primitive' },
    { name: 'key id of no key we have', token: () => bound({}, strangerKey), error: 'invalid signature, no keys found' },
    { name: 'signed by another key under our key id', token: () => reheader(bound({}, ecKey), { alg: 'ES256', kid: rsaKey.keyId }), error: 'go-jose/go-jose: error in cryptographic primitive' },
    { name: 'alg none', token: () => unsigned(bound(), { alg: 'none', kid: rsaKey.keyId }), error: 'go-jose/go-jose: error in cryptographic primitive' },
    { name: 'HS256 keyed with our public key', token: () => hmacForgery(bound(), rsaKey), error: 'go-jose/go-jose: error in cryptographic primitive' },
    // claim types
    { name: 'exp that is not a number', token: () => resign(bound(), (p) => ({ ...p, exp: 'never' })), error: 'json: cannot unmarshal string into Go struct field Claims.exp of type jwt.NumericDate' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const world = standardWorld();
      const token = c.token();
      c.world?.(world);
      assert.equal(errorOf(await authenticator(world).authenticate(token, c.now ?? at(10))), c.error);
    });
  }

  const stillValid: Case[] = [
    { name: 'expired but within the leeway', token: () => bound(), now: at(3600 + 60), error: '' },
    { name: 'before nbf but within the leeway', token: () => bound(), now: at(-60), error: '' },
    { name: 'service account deletion started less than a minute ago', token: () => bound(), world: (w) => w.put('serviceaccounts', obj('builder', 'sa-uid', 'team-a', { deletionTimestamp: ago(30, at(10)) })), error: '' },
    { name: "a Pod-bound token whose Pod's Node is gone (not checked, as upstream)", token: podBound, world: (w) => w.remove('nodes', undefined, 'node-1'), error: '' },
  ];
  for (const c of stillValid) {
    it(`still valid: ${c.name}`, async () => {
      const world = standardWorld();
      c.world?.(world);
      const r = await authenticator(world).authenticate(c.token(), c.now ?? at(10));
      assert.ok(r && 'user' in r, JSON.stringify(r));
    });
  }
});

describe('legacy Secret tokens', () => {
  const sa = { name: 'my-service-account', uid: '12345' };
  const legacy = (key = rsaKey, secretName = 'my-rsa-secret'): string => issueLegacyToken(key, { namespace: 'test', secretName, serviceAccount: sa });
  function world(token: string, secretExtra: Record<string, unknown> = {}): World {
    return new World()
      .put('serviceaccounts', obj('my-service-account', '12345', 'test'))
      .put('secrets', { ...obj('my-rsa-secret', 'sec-uid', 'test', secretExtra), type: 'kubernetes.io/service-account-token', data: { token: Buffer.from(token).toString('base64') } });
  }

  it('authenticate while the Secret holds them, with the API audiences implied', async () => {
    const token = legacy();
    const r = await authenticator(world(token)).authenticate(token, T0);
    assert.deepEqual(r, {
      user: { name: 'system:serviceaccount:test:my-service-account', uid: '12345', groups: ['system:serviceaccounts', 'system:serviceaccounts:test', 'system:authenticated'] },
      audiences: [ISSUER],
      auditAnnotations: { 'authentication.k8s.io/legacy-token': 'system:serviceaccount:test:my-service-account', 'authentication.k8s.io/legacy-token-manual-secret': 'my-rsa-secret' },
      legacyTokenLastUsed: { namespace: 'test', name: 'my-rsa-secret', uid: 'sec-uid', date: '2026-03-01' },
    });
  });

  it('of auto-generated Secrets warn, and leave a last-used label of today alone', async () => {
    const token = legacy();
    const w = world(token, { labels: { 'kubernetes.io/legacy-token-last-used': '2026-03-01' } });
    w.put('serviceaccounts', { ...obj('my-service-account', '12345', 'test'), secrets: [{ name: 'my-rsa-secret' }] });
    const r = await authenticator(w).authenticate(token, T0);
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.deepEqual(r.warnings, ['Use tokens from the TokenRequest API or manually created secret-based tokens instead of auto-generated secret-based tokens.']);
    assert.equal(r.auditAnnotations?.['authentication.k8s.io/legacy-token-autogenerated-secret'], 'my-rsa-secret');
    assert.equal(r.legacyTokenLastUsed, undefined);
  });

  it('signed with ECDSA authenticate', async () => {
    const token = legacy(ecKey);
    assert.ok('user' in ((await authenticator(world(token)).authenticate(token, T0)) ?? {}));
  });

  const refusals: Array<{ name: string; setup: (token: string) => World; token?: () => string; error: string }> = [
    { name: 'Secret deleted', setup: () => new World().put('serviceaccounts', obj('my-service-account', '12345', 'test')), error: 'Token has been invalidated' },
    { name: 'Secret being deleted', setup: (t) => world(t, { deletionTimestamp: ago(1) }), error: 'Token has been invalidated' },
    { name: 'Secret holds another token', setup: () => world(legacy(ecKey)), error: "Token does not match server's copy" },
    { name: 'service account deleted', setup: (t) => world(t).remove('serviceaccounts', 'test', 'my-service-account'), error: 'serviceaccounts "my-service-account" not found' },
    { name: 'service account recreated', setup: (t) => world(t).put('serviceaccounts', obj('my-service-account', '67890', 'test')), error: 'ServiceAccount UID (67890) does not match claim (12345)' },
    { name: 'service account being deleted', setup: (t) => world(t).put('serviceaccounts', obj('my-service-account', '12345', 'test', { deletionTimestamp: ago(1) })), error: 'ServiceAccount test/my-service-account has been deleted' },
    {
      name: 'Secret marked invalid by the legacy token clean-up',
      setup: (t) => world(t, { labels: { 'kubernetes.io/legacy-token-invalid-since': '2022-12-20' } }),
      error:
        "the token in secret test/my-rsa-secret for service account test/my-service-account has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the 'kubernetes.io/legacy-token-invalid-since' label from the secret to temporarily allow use of this token",
    },
    { name: 'sub of another account', setup: (t) => world(t), token: () => resign(legacy(), (p) => ({ ...p, sub: 'system:serviceaccount:test:other' })), error: 'sub claim is invalid' },
    { name: 'no secret name claim', setup: (t) => world(t), token: () => resign(legacy(), (p) => ({ ...p, 'kubernetes.io/serviceaccount/secret.name': undefined })), error: 'secretName claim is missing' },
  ];
  for (const c of refusals) {
    it(`refused: ${c.name}`, async () => {
      const token = c.token ? c.token() : legacy();
      assert.equal(errorOf(await authenticator(c.setup(token)).authenticate(token, T0)), c.error);
    });
  }
});

// --- token surgery -------------------------------------------------------------------------------

function segments(token: string): [string, string, string] {
  return token.split('.') as [string, string, string];
}
function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString());
}
function enc(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}
function swapPayload(token: string, edit: (p: Record<string, unknown>) => Record<string, unknown>): string {
  const [h, p, s] = segments(token);
  return `${h}.${enc(edit(payloadOf(`${h}.${p}.${s}`)))}.${s}`;
}
function reheader(token: string, header: Record<string, unknown>): string {
  const [, p, s] = segments(token);
  return `${enc(header)}.${p}.${s}`;
}
function unsigned(token: string, header: Record<string, unknown>): string {
  return `${enc(header)}.${segments(token)[1]}.`;
}
function hmacForgery(token: string, key: TokenSigningKey): string {
  const input = `${enc({ alg: 'HS256', kid: key.keyId })}.${segments(token)[1]}`;
  return `${input}.${createHmac('sha256', key.publicKeyPem).update(input).digest('base64url')}`;
}
/** Re-sign (with the real key) a token whose payload was edited: claims problems, not signature problems. */
function resign(token: string, edit: (p: Record<string, unknown>) => Record<string, unknown>): string {
  const header = enc(JSON.parse(Buffer.from(segments(token)[0], 'base64url').toString()));
  const input = `${header}.${enc(edit(payloadOf(token)))}`;
  return `${input}.${sign('sha256', Buffer.from(input), rsaKey.privateKeyPem).toString('base64url')}`;
}
