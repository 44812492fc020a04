import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { signingKeyFromPem } from './keys.js';
import { reconcileLegacyTokenSecret } from './legacy-token-secret.js';
import { tokenLookupFrom, type CoreResource } from './lookups.js';
import { decodeSegment, opensslVerifies, UPSTREAM_RSA_PRIVATE_KEY, UPSTREAM_RSA_PUBLIC_KEY } from './test-fixtures.js';

const key = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: 'ci', uid: 'sa-uid' } };
function secret(annotations: Record<string, string>, data?: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'deployer-token', namespace: 'ci', uid: 'sec-uid', annotations, ...extra }, type: 'kubernetes.io/service-account-token', ...(data ? { data } : {}) };
}

describe('reconcileLegacyTokenSecret', () => {
  it('fills in token, namespace, ca.crt and both annotations', async () => {
    const r = reconcileLegacyTokenSecret(secret({ 'kubernetes.io/service-account.name': 'deployer' }), sa, { key, rootCAPem: CA });
    assert.equal(r.action, 'update');
    const s = (r as { secret: KubeObject }).secret;
    const data = s.data as Record<string, string>;
    assert.equal(data['ca.crt'], b64(CA));
    assert.equal(data.namespace, b64('ci'));
    assert.deepEqual(s.metadata?.annotations, { 'kubernetes.io/service-account.name': 'deployer', 'kubernetes.io/service-account.uid': 'sa-uid' });
    const token = Buffer.from(data.token!, 'base64').toString();
    assert.equal(opensslVerifies(token, UPSTREAM_RSA_PUBLIC_KEY), true);
    assert.deepEqual(JSON.parse(decodeSegment(token.split('.')[1]!).toString()), {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'ci',
      'kubernetes.io/serviceaccount/secret.name': 'deployer-token',
      'kubernetes.io/serviceaccount/service-account.name': 'deployer',
      'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
      sub: 'system:serviceaccount:ci:deployer',
    });
    // and the authenticator takes the token while the Secret holds it
    const objects = new Map<string, KubeObject>([['serviceaccounts/ci/deployer', sa], ['secrets/ci/deployer-token', s]]);
    const get = async (r: CoreResource, ns: string | undefined, n: string) => objects.get(`${r}/${ns}/${n}`);
    const authn = new ServiceAccountTokenAuthenticator({ keys: [key], issuers: [], apiAudiences: ['api'], lookup: tokenLookupFrom(get) });
    const res = await authn.authenticate(token, new Date());
    assert.ok(res && 'user' in res, JSON.stringify(res));
  });

  it('keeps an existing token and only adds what is missing', () => {
    const r = reconcileLegacyTokenSecret(secret({ 'kubernetes.io/service-account.name': 'deployer', 'kubernetes.io/service-account.uid': 'sa-uid' }, { token: b64('kept') }), sa, { key });
    assert.equal(r.action, 'update');
    assert.deepEqual((r as { secret: KubeObject }).secret.data, { token: b64('kept'), namespace: b64('ci') });
  });

  it('refreshes a stale ca.crt', () => {
    const r = reconcileLegacyTokenSecret(secret({ 'kubernetes.io/service-account.name': 'deployer' }, { token: b64('t'), namespace: b64('ci'), 'ca.crt': b64('old') }), sa, { key, rootCAPem: CA });
    assert.equal(r.action, 'update');
    assert.equal(((r as { secret: KubeObject }).secret.data as Record<string, string>)['ca.crt'], b64(CA));
  });

  const table: Array<{ name: string; secret: KubeObject; sa: KubeObject | undefined; want: unknown; noKey?: boolean }> = [
    { name: 'complete: nothing to do', secret: secret({ 'kubernetes.io/service-account.name': 'deployer' }, { token: b64('t'), namespace: b64('ci'), 'ca.crt': b64(CA) }), sa, want: { action: 'none' } },
    { name: 'ServiceAccount gone: delete', secret: secret({ 'kubernetes.io/service-account.name': 'deployer' }), sa: undefined, want: { action: 'delete', uid: 'sec-uid' } },
    { name: 'ServiceAccount recreated: delete', secret: secret({ 'kubernetes.io/service-account.name': 'deployer', 'kubernetes.io/service-account.uid': 'old-uid' }), sa, want: { action: 'delete', uid: 'sec-uid' } },
    { name: 'another Secret type', secret: { ...secret({ 'kubernetes.io/service-account.name': 'deployer' }), type: 'Opaque' }, sa, want: { action: 'none' } },
    { name: 'no name annotation', secret: secret({}), sa, want: { action: 'none' } },
    { name: 'being deleted', secret: secret({ 'kubernetes.io/service-account.name': 'deployer' }, undefined, { deletionTimestamp: '2026-01-01T00:00:00Z' }), sa, want: { action: 'none' } },
    { name: 'a token is due but there is no key yet: wait', secret: secret({ 'kubernetes.io/service-account.name': 'deployer' }), sa, want: { action: 'waitForKey' }, noKey: true },
    { name: 'no key, ServiceAccount gone: delete all the same', secret: secret({ 'kubernetes.io/service-account.name': 'deployer' }), sa: undefined, want: { action: 'delete', uid: 'sec-uid' }, noKey: true },
    { name: 'no key, token present: namespace and ca.crt filled', secret: secret({ 'kubernetes.io/service-account.name': 'deployer' }, { token: b64('t') }), sa, noKey: true, want: { action: 'update', secret: { ...secret({ 'kubernetes.io/service-account.name': 'deployer', 'kubernetes.io/service-account.uid': 'sa-uid' }), data: { token: b64('t'), 'ca.crt': b64(CA), namespace: b64('ci') } } } },
  ];
  for (const c of table) {
    it(c.name, () => assert.deepEqual(reconcileLegacyTokenSecret(c.secret, c.sa, { key: c.noKey ? undefined : key, rootCAPem: CA }), c.want));
  }
});
