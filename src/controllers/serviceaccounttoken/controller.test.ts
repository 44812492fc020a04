/**
 * The tokens controller on a real workload-cluster API (in process): token Secrets filled in, tokens that
 * authenticate, Secrets deleted with their ServiceAccount, and waiting for a signing key that is not there yet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { serviceAccountTokens } from '../../apiserver/service-account-tokens.js';
import { signingKeyFromPem, type TokenSigningKey } from '../../apiserver/serviceaccount/keys.js';
import { UPSTREAM_RSA_PRIVATE_KEY } from '../../apiserver/serviceaccount/test-fixtures.js';
import { eventually } from '../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../test/support/workload-env.js';
import { setupLegacyTokenController } from './controller.js';

const SECRET = { apiVersion: 'v1', kind: 'Secret' } as const;
const SA = { apiVersion: 'v1', kind: 'ServiceAccount' } as const;
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function tokenSecret(name: string, namespace: string, sa: string, extra: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, annotations: { 'kubernetes.io/service-account.name': sa, ...extra } }, type: 'kubernetes.io/service-account-token' };
}

describe('legacy token Secret controller', () => {
  let env: WorkloadEnv;
  let key: TokenSigningKey | undefined;

  before(async () => {
    env = await startWorkloadEnv([(ctx) => setupLegacyTokenController({ manager: ctx.manager, signingKey: async () => key, rootCA: async () => CA, noKeyRetryMs: 50 })]);
  });
  after(async () => {
    await env?.close();
  });

  const data = async (namespace: string, name: string): Promise<Record<string, string> | undefined> => {
    const s = await env.client.get(SECRET, { namespace, name }).catch(() => undefined);
    return (s as { data?: Record<string, string> } | undefined)?.data;
  };

  it('waits for a signing key, then fills token, namespace and ca.crt; the token authenticates', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: 'default' } });
    await env.client.create(tokenSecret('deployer-token', 'default', 'deployer'));
    // No key yet: nothing is written (the Secret is kept, not deleted).
    await new Promise((r) => setImmediate(r));
    assert.equal((await data('default', 'deployer-token'))?.token, undefined);
    key = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY);
    const filled = await eventually(async () => ((await data('default', 'deployer-token'))?.token ? data('default', 'deployer-token') : undefined), 15_000, 'the token');
    assert.equal(filled['ca.crt'], b64(CA));
    assert.equal(filled.namespace, b64('default'));
    const secret = await env.client.get(SECRET, { namespace: 'default', name: 'deployer-token' });
    const sa = await env.client.get(SA, { namespace: 'default', name: 'deployer' });
    assert.equal(secret.metadata?.annotations?.['kubernetes.io/service-account.uid'], sa.metadata?.uid);
    const tokens = serviceAccountTokens({ objects: env.objects, key: key, now: () => new Date() });
    const r = await tokens.authenticateToken(Buffer.from(filled.token!, 'base64').toString());
    assert.ok(r && 'user' in r, JSON.stringify(r));
    assert.equal(r.user.name, 'system:serviceaccount:default:deployer');
  });

  it('keeps a token it did not write, and puts back a changed ca.crt', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci', namespace: 'default' } });
    await env.client.create({ ...tokenSecret('ci-token', 'default', 'ci'), data: { token: b64('given') } } as KubeObject);
    const d = await eventually(async () => ((await data('default', 'ci-token'))?.['ca.crt'] ? data('default', 'ci-token') : undefined), 10_000, 'ca.crt');
    assert.equal(d.token, b64('given'));
    await env.client.patch(SECRET, { namespace: 'default', name: 'ci-token' }, { type: 'merge', body: { data: { 'ca.crt': b64('tampered') } } });
    await eventually(async () => (await data('default', 'ci-token'))?.['ca.crt'] === b64(CA), 10_000, 'ca.crt restored');
  });

  it('deletes the token Secrets of a deleted ServiceAccount, and those naming an unknown one', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gone', namespace: 'default' } });
    await env.client.create(tokenSecret('gone-token', 'default', 'gone'));
    await eventually(async () => (await data('default', 'gone-token'))?.token, 10_000, 'the token');
    await env.client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'default', annotations: { 'kubernetes.io/service-account.name': 'gone' } }, type: 'Opaque' });
    await env.client.delete(SA, { namespace: 'default', name: 'gone' });
    await eventually(async () => !(await env.client.get(SECRET, { namespace: 'default', name: 'gone-token' }).catch(() => undefined)), 10_000, 'the token Secret deleted');
    // Only token Secrets are the controller's business.
    assert.ok(await env.client.get(SECRET, { namespace: 'default', name: 'plain' }));

    await env.client.create(tokenSecret('nobody-token', 'default', 'nobody'));
    await eventually(async () => !(await env.client.get(SECRET, { namespace: 'default', name: 'nobody-token' }).catch(() => undefined)), 10_000, 'the Secret of an unknown ServiceAccount deleted');
  });

  it('deletes a token Secret bound to an older ServiceAccount of the same name', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reborn', namespace: 'default' } });
    await env.client.create(tokenSecret('reborn-token', 'default', 'reborn', { 'kubernetes.io/service-account.uid': 'an-older-uid' }));
    await eventually(async () => !(await env.client.get(SECRET, { namespace: 'default', name: 'reborn-token' }).catch(() => undefined)), 10_000, 'deleted');
  });
});
