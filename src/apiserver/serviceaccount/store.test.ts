/**
 * The token flow over a real ObjectStore (memory storage, the built-in core/v1 kinds): TokenRequest for a Pod,
 * authentication, then the Pod and the ServiceAccount deleted and recreated.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { workloadClusterResources, workloadClusterStrategies } from '../../api/kubernetes/index.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { MemoryStore } from '../../storage/memory/memory-store.js';
import { ObjectStore } from '../object-store.js';
import { ResourceRegistry } from '../registry.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { signingKeyFromPem } from './keys.js';
import { boundObjectLookupFrom, coreGetterFrom, tokenLookupFrom } from './lookups.js';
import { UPSTREAM_RSA_PRIVATE_KEY } from './test-fixtures.js';
import { issueLegacyToken } from './token.js';
import { tokenRequestFor } from './token-request.js';
import { tokenReviewFor } from './token-review.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const key = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);

describe('service-account tokens over an ObjectStore', () => {
  let objects: ObjectStore;
  const info = (plural: string) => objects.registry.get('', 'v1', plural)!;
  const create = async (plural: string, ns: string | undefined, obj: KubeObject): Promise<KubeObject> => (await objects.create(info(plural), ns, obj, {})).object;
  let authn: ServiceAccountTokenAuthenticator;

  before(async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    objects = new ObjectStore(new MemoryStore(), registry, { strategies: workloadClusterStrategies() });
    await create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    authn = new ServiceAccountTokenAuthenticator({ keys: [key], issuers: [ISSUER], apiAudiences: [ISSUER], lookup: tokenLookupFrom(coreGetterFrom(objects)) });
  });

  it('a Pod-bound token works until the Pod is replaced, and until the ServiceAccount is', async () => {
    const sa = await create('serviceaccounts', 'team-a', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    await create('nodes', undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
    const pod = await create('pods', 'team-a', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0' },
      spec: { serviceAccountName: 'builder', nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27' }] },
    });
    const now = new Date();
    const body = { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: pod.metadata?.uid } } };
    const tr = await tokenRequestFor(body, sa, { key, issuer: ISSUER, defaultAudiences: [ISSUER], now }, boundObjectLookupFrom(coreGetterFrom(objects)));

    const review = await tokenReviewFor({ spec: { token: tr.status.token } }, (t, a) => authn.authenticate(t, now, a), { apiAudiences: [ISSUER] });
    assert.equal(review.status.authenticated, true);
    assert.equal(review.status.user.uid, sa.metadata?.uid);
    assert.ok(review.status.user.extra?.['authentication.kubernetes.io/node-uid']?.[0]);

    await objects.delete(info('pods'), 'team-a', 'web-0');
    assert.deepEqual(await authn.authenticate(tr.status.token, now), { error: 'service account token has been invalidated' });

    await create('pods', 'team-a', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0' }, spec: { serviceAccountName: 'builder', containers: [{ name: 'web', image: 'nginx:1.27' }] } });
    const r = await authn.authenticate(tr.status.token, now);
    assert.match(r && 'error' in r ? r.error : '', /^pod UID \(.+\) does not match service account pod ref claim \(.+\)$/);

    const plain = await tokenRequestFor({}, sa, { key, issuer: ISSUER, defaultAudiences: [ISSUER], now }, boundObjectLookupFrom(coreGetterFrom(objects)));
    assert.ok('user' in ((await authn.authenticate(plain.status.token, now)) ?? {}));
    await objects.delete(info('serviceaccounts'), 'team-a', 'builder');
    assert.deepEqual(await authn.authenticate(plain.status.token, now), { error: 'serviceaccounts "builder" not found' });
    const again = await create('serviceaccounts', 'team-a', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
    assert.deepEqual(await authn.authenticate(plain.status.token, now), { error: `service account UID (${again.metadata?.uid}) does not match claim (${sa.metadata?.uid})` });
  });

  it('a legacy token is valid while its Secret holds it', async () => {
    const sa = await create('serviceaccounts', 'team-a', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'legacy' } });
    const token = issueLegacyToken(key, { namespace: 'team-a', secretName: 'legacy-token', serviceAccount: { name: 'legacy', uid: sa.metadata?.uid ?? '' } });
    await create('secrets', 'team-a', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } },
      type: 'kubernetes.io/service-account-token',
      data: { token: Buffer.from(token).toString('base64') },
    });
    const r = await authn.authenticate(token, new Date());
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.equal(r.user.name, 'system:serviceaccount:team-a:legacy');
    await objects.delete(info('secrets'), 'team-a', 'legacy-token');
    assert.deepEqual((await authn.authenticate(token, new Date()) as { error: string }).error, 'Token has been invalidated');
  });
});
