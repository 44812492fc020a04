/**
 * serviceAccountTokens over a real ObjectStore: issuer discovery documents that verify the API's own tokens (the JWT
 * signature checked with node:crypto from the served JWK), and a legacy Secret token authenticating.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { workloadClusterResources, workloadClusterStrategies } from '../api/kubernetes/index.js';
import type { KubeObject } from '../apimachinery/types.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { ObjectStore } from './object-store.js';
import { ResourceRegistry } from './registry.js';
import { serviceAccountTokens } from './service-account-tokens.js';
import { signingKeyFromPem, type TokenSigningKey } from './serviceaccount/keys.js';
import { reconcileLegacyTokenSecret } from './serviceaccount/legacy-token-secret.js';
import { UPSTREAM_RSA_PRIVATE_KEY } from './serviceaccount/test-fixtures.js';

const rsaKey = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);

/** Verifies a compact JWS with a public JWK as a relying party would (RS256 or ES256). */
function verifiesWithJwk(jwt: string, jwk: { kty: string; alg: string }): boolean {
  const [h, p, sig] = jwt.split('.') as [string, string, string];
  const key = createPublicKey({ key: jwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  if (jwk.alg === 'RS256') return verify('sha256', data, key, Buffer.from(sig, 'base64url'));
  return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

describe('serviceAccountTokens', () => {
  let objects: ObjectStore;
  const info = (plural: string) => objects.registry.get('', 'v1', plural)!;
  let sa: KubeObject;

  before(async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    objects = new ObjectStore(new MemoryStore(), registry, { strategies: workloadClusterStrategies() });
    await objects.create(info('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } }, {});
    sa = (await objects.create(info('serviceaccounts'), 'ci', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer' } }, {})).object;
  });

  it('serves no discovery documents without an external address or a key', async () => {
    assert.equal(await serviceAccountTokens({ objects, key: rsaKey, now: () => new Date() }).openIdDocuments(), undefined);
    assert.equal(await serviceAccountTokens({ objects, key: async () => undefined, now: () => new Date(), externalAddress: () => '127.0.0.1:6443' }).openIdDocuments(), undefined);
    // An issuer that is not an https URL: not served (kube-apiserver does not install the endpoints either).
    assert.equal(await serviceAccountTokens({ objects, key: rsaKey, now: () => new Date(), externalAddress: () => '127.0.0.1:6443', issuer: 'kubernetes/serviceaccount' }).openIdDocuments(), undefined);
  });

  for (const [name, key] of [['RSA', rsaKey], ['ECDSA P-256', undefined]] as const) {
    it(`discovery documents verify a TokenRequest token (${name} key)`, async () => {
      let signing: TokenSigningKey = key ?? rsaKey;
      if (!key) {
        const { generateKeyPairSync } = await import('node:crypto');
        const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        signing = signingKeyFromPem(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      }
      let address: string | undefined;
      const tokens = serviceAccountTokens({ objects, key: signing, now: () => new Date(), externalAddress: () => address });
      assert.equal(await tokens.openIdDocuments(), undefined, 'not before the address is known');
      address = '127.0.0.1:41234';
      const docs = (await tokens.openIdDocuments())!;
      const config = JSON.parse(docs.configuration) as Record<string, unknown>;
      assert.deepEqual(config, {
        issuer: 'https://kubernetes.default.svc.cluster.local',
        jwks_uri: 'https://127.0.0.1:41234/openid/v1/jwks',
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [key ? 'RS256' : 'ES256'],
      });
      const set = JSON.parse(docs.jwks) as { keys: { kid: string; kty: string; alg: string; use: string }[] };
      assert.equal(set.keys.length, 1);
      assert.equal(set.keys[0]!.kid, signing.keyId);
      assert.equal(set.keys[0]!.use, 'sig');
      assert.equal(await tokens.openIdDocuments(), docs, 'kept while key and address stay');

      const tr = await tokens.tokenRequest('ci', 'deployer', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } as KubeObject);
      const jwt = (tr.status as { token: string }).token;
      const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string; alg: string };
      const jwk = set.keys.find((k) => k.kid === header.kid)!;
      assert.equal(jwk.alg, header.alg);
      assert.equal(verifiesWithJwk(jwt, jwk), true);
      const tampered = `${jwt.split('.')[0]}.${Buffer.from('{"sub":"system:serviceaccount:ci:root"}').toString('base64url')}.${jwt.split('.')[2]}`;
      assert.equal(verifiesWithJwk(tampered, jwk), false);
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { iss: string };
      assert.equal(claims.iss, config.issuer);
    });
  }

  it('a legacy token Secret filled by the tokens controller\'s decision authenticates, until the Secret goes', async () => {
    const tokens = serviceAccountTokens({ objects, key: rsaKey, now: () => new Date() });
    assert.equal(await tokens.signingKey(), rsaKey);
    const created = (await objects.create(info('secrets'), 'ci', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'deployer-token', annotations: { 'kubernetes.io/service-account.name': 'deployer' } }, type: 'kubernetes.io/service-account-token' }, {})).object;
    const decision = reconcileLegacyTokenSecret(created, sa, { key: rsaKey });
    assert.equal(decision.action, 'update');
    const filled = (await objects.update(info('secrets'), 'ci', 'deployer-token', (decision as { secret: KubeObject }).secret, {})).object;
    const token = Buffer.from((filled.data as Record<string, string>).token!, 'base64').toString();
    const r = await tokens.authenticateToken(token);
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.equal(r.user.name, 'system:serviceaccount:ci:deployer');
    assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']);
    // kube-apiserver's audit annotations of a legacy token, and its last-used label on the Secret (UTC day).
    assert.deepEqual(r.auditAnnotations, { 'authentication.k8s.io/legacy-token': 'system:serviceaccount:ci:deployer', 'authentication.k8s.io/legacy-token-manual-secret': 'deployer-token' });
    const today = new Date().toISOString().slice(0, 10);
    const labelled = async (): Promise<string | undefined> => (await objects.get(info('secrets'), 'ci', 'deployer-token')).metadata?.labels?.['kubernetes.io/legacy-token-last-used'];
    for (let i = 0; i < 200 && (await labelled()) !== today; i++) await new Promise((res) => setImmediate(res));
    assert.equal(await labelled(), today);
    const rv = (await objects.get(info('secrets'), 'ci', 'deployer-token')).metadata?.resourceVersion;
    assert.ok(await tokens.authenticateToken(token));
    assert.equal((await objects.get(info('secrets'), 'ci', 'deployer-token')).metadata?.resourceVersion, rv, 'labelled at most once a day');
    await objects.delete(info('secrets'), 'ci', 'deployer-token');
    assert.deepEqual(await tokens.authenticateToken(token), { error: 'Token has been invalidated', auditAnnotations: { 'authentication.k8s.io/legacy-token': 'system:serviceaccount:ci:deployer' } });
  });
});
