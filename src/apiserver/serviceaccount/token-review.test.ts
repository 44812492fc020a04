import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { signingKeyFromPem } from './keys.js';
import { tokenLookupFrom, type CoreResource } from './lookups.js';
import { UPSTREAM_RSA_PRIVATE_KEY } from './test-fixtures.js';
import { issueBoundToken } from './token.js';
import { tokenReviewFor, type TokenAuthenticate } from './token-review.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const key = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);
const NOW = new Date('2026-03-01T10:00:00Z');
const objects = new Map<string, KubeObject>([
  ['serviceaccounts/team-a/builder', { metadata: { name: 'builder', namespace: 'team-a', uid: 'sa-uid' } }],
  ['pods/team-a/web-0', { metadata: { name: 'web-0', namespace: 'team-a', uid: 'pod-uid' } }],
]);
const get = async (r: CoreResource, ns: string | undefined, name: string): Promise<KubeObject | undefined> => objects.get(`${r}/${ns ?? ''}/${name}`);
const saAuthn = new ServiceAccountTokenAuthenticator({ keys: [key], issuers: [ISSUER], apiAudiences: [ISSUER], lookup: tokenLookupFrom(get) });

/** The chain a plane would build: service-account tokens, then one static token (audience-agnostic). */
const authenticate: TokenAuthenticate = async (token, audiences) => {
  const sa = await saAuthn.authenticate(token, NOW, audiences);
  if (sa) return sa;
  if (token === 'static-admin') return { user: { name: 'admin', uid: '1', groups: ['system:masters', 'system:authenticated'] } };
  return undefined;
};
const opts = { apiAudiences: [ISSUER] };

function token(audiences = [ISSUER], extra: object = {}): string {
  return issueBoundToken(key, { issuer: ISSUER, audiences, expirationSeconds: 3600, namespace: 'team-a', serviceAccount: { name: 'builder', uid: 'sa-uid' }, jti: 'j1', now: NOW, ...extra }).token;
}

describe('TokenReview', () => {
  it('reviews a valid service-account token as upstream answers', async () => {
    const t = token([ISSUER], { boundObject: { kind: 'Pod', name: 'web-0', uid: 'pod-uid' } });
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec: { token: t }, status: { user: {} } };
    assert.deepEqual(await tokenReviewFor(body, authenticate, opts), {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      spec: { token: t },
      status: {
        authenticated: true,
        user: {
          username: 'system:serviceaccount:team-a:builder',
          uid: 'sa-uid',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
          extra: {
            'authentication.kubernetes.io/pod-name': ['web-0'],
            'authentication.kubernetes.io/pod-uid': ['pod-uid'],
            'authentication.kubernetes.io/credential-id': ['JTI=j1'],
          },
        },
        audiences: [ISSUER],
      },
    });
  });

  it('checks the audiences asked for', async () => {
    const t = token(['vault']);
    const ok = await tokenReviewFor({ spec: { token: t, audiences: ['vault'] } }, authenticate, opts);
    assert.equal(ok.status.authenticated, true);
    assert.deepEqual(ok.status.audiences, ['vault']);
    assert.deepEqual(ok.spec.audiences, ['vault']);
    const wrong = await tokenReviewFor({ spec: { token: t } }, authenticate, opts);
    assert.deepEqual(wrong.status, { user: {}, error: `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]` });
  });

  it('reports why a token is refused', async () => {
    const expired = await tokenReviewFor({ spec: { token: token() } }, (t, a) => saAuthn.authenticate(t, new Date(NOW.getTime() + 2 * 3600_000), a), opts);
    assert.deepEqual(expired.status, { user: {}, error: 'service account token has expired' });
  });

  it('says "invalid bearer token" when no authenticator knows the token', async () => {
    const r = await tokenReviewFor({ spec: { token: 'garbage' } }, authenticate, opts);
    assert.deepEqual(r.status, { user: {}, error: 'invalid bearer token' });
  });

  it('accepts audience-agnostic tokens only for the API audiences', async () => {
    const api = await tokenReviewFor({ spec: { token: 'static-admin' } }, authenticate, opts);
    assert.deepEqual(api.status, { authenticated: true, user: { username: 'admin', uid: '1', groups: ['system:masters', 'system:authenticated'] }, audiences: [ISSUER] });
    const vault = await tokenReviewFor({ spec: { token: 'static-admin', audiences: ['vault'] } }, authenticate, opts);
    assert.deepEqual(vault.status, { user: {}, error: 'invalid bearer token' });
  });

  it('needs a token', async () => {
    for (const body of [{}, { spec: {} }, { spec: { token: '' } }]) {
      await assert.rejects(tokenReviewFor(body, authenticate, opts), (err: unknown) => err instanceof StatusError && err.code === 400 && err.message === 'token is required for TokenReview in authentication');
    }
  });

  it('is a 500 when an authenticator grants none of the audiences asked for', async () => {
    const liar: TokenAuthenticate = async () => ({ user: { name: 'x', groups: [] }, audiences: ['elsewhere'] });
    await assert.rejects(tokenReviewFor({ spec: { token: 't' } }, liar, opts), (err: unknown) => err instanceof StatusError && err.code === 500 && err.message === 'Internal error occurred: error validating audiences');
  });
});
