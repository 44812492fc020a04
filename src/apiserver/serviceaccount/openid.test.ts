import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { signingKeyFromPem, verificationKeyFromPem } from './keys.js';
import { jwks, openIdConfiguration } from './openid.js';
import { decodeSegment, UPSTREAM_EC_KEY_ID, UPSTREAM_EC_PUBLIC_KEY, UPSTREAM_RSA_KEY_ID, UPSTREAM_RSA_PRIVATE_KEY, UPSTREAM_RSA_PUBLIC_KEY } from './test-fixtures.js';
import { issueBoundToken } from './token.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const rsa = verificationKeyFromPem(UPSTREAM_RSA_PUBLIC_KEY);
const ec = verificationKeyFromPem(UPSTREAM_EC_PUBLIC_KEY);

describe('issuer discovery', () => {
  it('publishes the keys as a JWK set a relying party can verify tokens with', () => {
    const set = jwks([rsa, ec]);
    assert.deepEqual(
      set.keys.map((k) => [k.kty, k.kid, k.alg, k.crv ?? '', k.e ?? '']),
      [
        ['RSA', UPSTREAM_RSA_KEY_ID, 'RS256', '', 'AQAB'],
        ['EC', UPSTREAM_EC_KEY_ID, 'ES256', 'P-256', ''],
      ],
    );
    assert.deepEqual(Object.keys(set.keys[0]!), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
    // a token verifies with the key rebuilt from its JWK
    const { token } = issueBoundToken(signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY), { issuer: ISSUER, audiences: ['x'], expirationSeconds: 600, namespace: 'n', serviceAccount: { name: 'a', uid: 'u' }, now: new Date() });
    const [h, p, s] = token.split('.');
    const key = createPublicKey({ key: set.keys[0] as unknown as import('node:crypto').JsonWebKey, format: 'jwk' });
    assert.equal(verify('sha256', Buffer.from(`${h}.${p}`), key, decodeSegment(s!)), true);
  });

  it('describes the issuer', () => {
    assert.deepEqual(openIdConfiguration(ISSUER, [ec, rsa], { externalAddress: '10.0.0.1:6443' }), {
      issuer: ISSUER,
      jwks_uri: 'https://10.0.0.1:6443/openid/v1/jwks',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    });
    assert.equal(openIdConfiguration(ISSUER, [rsa], { jwksUri: 'https://keys.example/jwks' }).jwks_uri, 'https://keys.example/jwks');
  });

  const refusals: Array<[string, string, { jwksUri?: string; externalAddress?: string }, RegExp]> = [
    ['http issuer', 'http://issuer.example', { externalAddress: 'a:1' }, /issuer URL must use https scheme/],
    ['issuer with a query', 'https://issuer.example/?a=b', { externalAddress: 'a:1' }, /may not include a query/],
    ['issuer with a fragment', 'https://issuer.example/#x', { externalAddress: 'a:1' }, /may not include a fragment/],
    ['neither jwks URI nor address', ISSUER, {}, /either the JWKS URI or the default external address/],
    ['http jwks URI', ISSUER, { jwksUri: 'http://keys.example/jwks' }, /jwksURI requires https scheme/],
    ['address with a path', ISSUER, { externalAddress: 'host/path' }, /could not construct a valid URL/],
  ];
  for (const [name, issuer, opts, message] of refusals) {
    it(`refuses: ${name}`, () => assert.throws(() => openIdConfiguration(issuer, [rsa], opts), message));
  }
});
