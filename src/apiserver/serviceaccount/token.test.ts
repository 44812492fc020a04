import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair } from '../pki.js';
import { signingKeyFromPem } from './keys.js';
import { boundTokenPayload, issueBoundToken, issueLegacyToken, splitServiceAccountUsername, type BoundTokenClaims } from './token.js';
import { decodeSegment, opensslVerifies, UPSTREAM_EC_KEY_ID, UPSTREAM_EC_PRIVATE_KEY, UPSTREAM_RSA_KEY_ID, UPSTREAM_RSA_PRIVATE_KEY, UPSTREAM_RSA_PUBLIC_KEY } from './test-fixtures.js';

const rsaKey = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);
const ecKey = signingKeyFromPem(UPSTREAM_EC_PRIVATE_KEY);
const NOW = new Date('2026-03-01T10:00:00.750Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

function decode(token: string): { header: Record<string, unknown>; payloadText: string; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  const payloadText = decodeSegment(p!).toString('utf8');
  return { header: JSON.parse(decodeSegment(h!).toString('utf8')), payloadText, payload: JSON.parse(payloadText) };
}

const base: BoundTokenClaims = {
  issuer: 'https://kubernetes.default.svc.cluster.local',
  audiences: ['https://kubernetes.default.svc.cluster.local'],
  expirationSeconds: 3600,
  namespace: 'team-a',
  serviceAccount: { name: 'builder', uid: 'sa-uid-1' },
  jti: '11111111-2222-3333-4444-555555555555',
  now: NOW,
};

describe('bound token claims', () => {
  const cases: Array<{ name: string; claims: BoundTokenClaims; k8s: Record<string, unknown> }> = [
    { name: 'service account only', claims: base, k8s: { namespace: 'team-a', serviceaccount: { name: 'builder', uid: 'sa-uid-1' } } },
    {
      name: 'bound to a Pod, with its Node',
      claims: { ...base, boundObject: { kind: 'Pod', name: 'web-0', uid: 'pod-uid' }, podNode: { name: 'node-1', uid: 'node-uid' } },
      k8s: { namespace: 'team-a', node: { name: 'node-1', uid: 'node-uid' }, pod: { name: 'web-0', uid: 'pod-uid' }, serviceaccount: { name: 'builder', uid: 'sa-uid-1' } },
    },
    {
      name: 'bound to a Secret',
      claims: { ...base, boundObject: { kind: 'Secret', name: 's', uid: 'secret-uid' } },
      k8s: { namespace: 'team-a', secret: { name: 's', uid: 'secret-uid' }, serviceaccount: { name: 'builder', uid: 'sa-uid-1' } },
    },
    {
      name: 'bound to a Node',
      claims: { ...base, boundObject: { kind: 'Node', name: 'node-1', uid: 'node-uid' } },
      k8s: { namespace: 'team-a', node: { name: 'node-1', uid: 'node-uid' }, serviceaccount: { name: 'builder', uid: 'sa-uid-1' } },
    },
    {
      name: 'extended expiration with warnafter',
      claims: { ...base, expirationSeconds: 31536000, warnAfterSeconds: 3607, boundObject: { kind: 'Pod', name: 'p', uid: 'u' } },
      k8s: { namespace: 'team-a', pod: { name: 'p', uid: 'u' }, serviceaccount: { name: 'builder', uid: 'sa-uid-1' }, warnafter: NOW_S + 3607 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { token, expirationTimestamp } = issueBoundToken(rsaKey, c.claims);
      const { header, payload, payloadText } = decode(token);
      assert.deepEqual(header, { alg: 'RS256', kid: UPSTREAM_RSA_KEY_ID });
      assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'three unpadded base64url segments');
      assert.deepEqual(payload, {
        aud: ['https://kubernetes.default.svc.cluster.local'],
        exp: NOW_S + c.claims.expirationSeconds,
        iat: NOW_S,
        iss: 'https://kubernetes.default.svc.cluster.local',
        jti: '11111111-2222-3333-4444-555555555555',
        'kubernetes.io': c.k8s,
        nbf: NOW_S,
        sub: 'system:serviceaccount:team-a:builder',
      });
      // keys in Go's map order (sorted), as kube-apiserver writes them
      assert.ok(payloadText.startsWith('{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":'), payloadText);
      assert.match(payloadText, /"jti":"[^"]+","kubernetes.io":\{"namespace":/);
      assert.equal(expirationTimestamp, new Date((NOW_S + c.claims.expirationSeconds) * 1000).toISOString().replace('.000Z', 'Z'));
    });
  }

  it('aud stays a list with one audience, and keeps several in order', () => {
    assert.deepEqual(boundTokenPayload({ ...base, audiences: ['b', 'a'] }).aud, ['b', 'a']);
  });

  it('gives every token a fresh UUID jti', () => {
    const { jti: _, ...noJti } = base;
    const a = boundTokenPayload(noJti).jti as string;
    const b = boundTokenPayload(noJti).jti as string;
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
  });

  it('refuses a non-positive lifetime and a Node for a token not bound to a Pod', () => {
    assert.throws(() => boundTokenPayload({ ...base, expirationSeconds: 0 }), /positive integer/);
    assert.throws(() => boundTokenPayload({ ...base, podNode: { name: 'n', uid: 'u' } }), /only to a token bound to a Pod/);
  });
});

describe('legacy token claims', () => {
  it("has upstream's flat claims, no aud and no exp", () => {
    const token = issueLegacyToken(rsaKey, { namespace: 'test', secretName: 'my-rsa-secret', serviceAccount: { name: 'my-service-account', uid: '12345' } });
    const { header, payload, payloadText } = decode(token);
    assert.deepEqual(header, { alg: 'RS256', kid: UPSTREAM_RSA_KEY_ID });
    assert.equal(
      payloadText,
      '{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"test","kubernetes.io/serviceaccount/secret.name":"my-rsa-secret",' +
        '"kubernetes.io/serviceaccount/service-account.name":"my-service-account","kubernetes.io/serviceaccount/service-account.uid":"12345","sub":"system:serviceaccount:test:my-service-account"}',
    );
    assert.equal(payload.exp, undefined);
  });
});

describe('signatures checked by openssl', () => {
  it('RS256 over header.payload verifies with the public key, and not once the payload changes', () => {
    const { token } = issueBoundToken(rsaKey, base);
    assert.equal(opensslVerifies(token, UPSTREAM_RSA_PUBLIC_KEY), true);
    const [h, p, s] = token.split('.');
    const forged = JSON.parse(decodeSegment(p!).toString());
    forged.sub = 'system:serviceaccount:kube-system:admin';
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    assert.equal(opensslVerifies(tampered, UPSTREAM_RSA_PUBLIC_KEY), false);
  });

  it('ES256 (the default key type of workload clusters) verifies with openssl', () => {
    const { token } = issueBoundToken(ecKey, base);
    const { header } = decode(token);
    assert.deepEqual(header, { alg: 'ES256', kid: UPSTREAM_EC_KEY_ID });
    assert.equal(decodeSegment(token.split('.')[2]!).length, 64);
    assert.equal(opensslVerifies(token, ecKey.publicKeyPem), true);
  });

  it('ES384 and a generated RSA key verify with openssl', async () => {
    const p384 = signingKeyFromPem((await generateKeyPair('ECDSA-P384')).privateKeyPem);
    const t384 = issueBoundToken(p384, base).token;
    assert.equal(decode(t384).header.alg, 'ES384');
    assert.equal(opensslVerifies(t384, p384.publicKeyPem, 'sha384'), true);
    const rsa = signingKeyFromPem((await generateKeyPair('RSA-2048')).privateKeyPem);
    assert.equal(opensslVerifies(issueLegacyToken(rsa, { namespace: 'n', secretName: 's', serviceAccount: { name: 'a', uid: 'u' } }), rsa.publicKeyPem), true);
  });

  it('verifies with the jose library too, when it is installed', async (t) => {
    // jose is only a transitive dependency: load it by a computed name so that type checking never needs it
    const name = 'jose';
    const jose = (await import(name).catch(() => undefined)) as JoseSubset | undefined;
    if (!jose) return t.skip('jose is not installed');
    const { token } = issueBoundToken(rsaKey, { ...base, now: new Date() });
    const key = await jose.importSPKI(UPSTREAM_RSA_PUBLIC_KEY, 'RS256');
    const { payload, protectedHeader } = await jose.jwtVerify(token, key, { issuer: base.issuer, audience: base.audiences[0] });
    assert.equal(protectedHeader.kid, UPSTREAM_RSA_KEY_ID);
    assert.equal(payload.sub, 'system:serviceaccount:team-a:builder');
    const ecToken = issueBoundToken(ecKey, { ...base, now: new Date() }).token;
    await jose.jwtVerify(ecToken, await jose.importSPKI(ecKey.publicKeyPem, 'ES256'));
  });
});

interface JoseSubset {
  importSPKI(pem: string, alg: string): Promise<unknown>;
  jwtVerify(token: string, key: unknown, opts?: { issuer?: string; audience?: string }): Promise<{ payload: Record<string, unknown>; protectedHeader: Record<string, unknown> }>;
}

describe('service-account user names', () => {
  const cases: Array<[string, { namespace: string; name: string } | undefined]> = [
    ['system:serviceaccount:ns:name', { namespace: 'ns', name: 'name' }],
    ['system:serviceaccount:ns', undefined],
    ['system:serviceaccount::name', undefined],
    ['system:serviceaccount:ns:', undefined],
    ['system:serviceaccount:a:b:c', undefined],
    ['alice', undefined],
  ];
  for (const [input, want] of cases) {
    it(input, () => assert.deepEqual(splitServiceAccountUsername(input), want));
  }
});
