import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { KubeObject } from '../../../apimachinery/types.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv } from '../../../../test/support/workload-env.js';
import { caFromClusterInfo, ROOT_CA_DESCRIPTION, rootCAConfigMapUpdate, setupServiceAccountControllers } from './index.js';

const SA = { apiVersion: 'v1', kind: 'ServiceAccount' } as const;
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function clusterInfo(pem: string | undefined): KubeObject {
  const cluster = { server: 'https://10.0.0.1:6443', ...(pem ? { 'certificate-authority-data': Buffer.from(pem).toString('base64') } : {}) };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig: YAML.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster }] }) } } as KubeObject;
}

test('caFromClusterInfo: the first cluster CA, or nothing', () => {
  assert.equal(caFromClusterInfo(clusterInfo(PEM)), PEM);
  assert.equal(caFromClusterInfo(clusterInfo(undefined)), undefined);
  assert.equal(caFromClusterInfo(undefined), undefined);
  assert.equal(caFromClusterInfo({ apiVersion: 'v1', kind: 'ConfigMap', data: { kubeconfig: ': : not yaml [' } } as KubeObject), undefined);
});

test('rootCAConfigMapUpdate: exact data and the description annotation', () => {
  const good = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'x' } }, data: { 'ca.crt': PEM } } as KubeObject;
  assert.equal(rootCAConfigMapUpdate(good, PEM), undefined);
  const extra = rootCAConfigMapUpdate({ ...good, data: { 'ca.crt': PEM, other: '1' } } as KubeObject, PEM) as KubeObject & { data: Record<string, string> };
  assert.deepEqual(extra.data, { 'ca.crt': PEM });
  const bare = rootCAConfigMapUpdate({ ...good, metadata: { name: 'kube-root-ca.crt' } }, PEM);
  assert.equal(bare?.metadata?.annotations?.['kubernetes.io/description'], ROOT_CA_DESCRIPTION);
});

test('serviceaccount and root CA controllers: every namespace, recreated, CA from cluster-info', async () => {
  const env = await startWorkloadEnv([(ctx) => setupServiceAccountControllers(ctx)]);
  try {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await eventually(() => env.client.get(SA, { namespace: ns, name: 'default' }), 5_000, `default SA in ${ns}`);
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await eventually(() => env.client.get(SA, { namespace: 'shop', name: 'default' }), 5_000, 'default SA in shop');
    // No CA published yet: no ConfigMap.
    await assert.rejects(env.client.get(CM, { namespace: 'shop', name: 'kube-root-ca.crt' }));

    await env.client.delete(SA, { namespace: 'shop', name: 'default' });
    const again = await eventually(() => env.client.get(SA, { namespace: 'shop', name: 'default' }), 5_000, 'recreated SA');
    assert.ok(again.metadata?.uid);

    await env.client.create(clusterInfo(PEM));
    const cm = await eventually(() => env.client.get(CM, { namespace: 'shop', name: 'kube-root-ca.crt' }), 5_000, 'root CA in shop');
    assert.deepEqual((cm as { data?: unknown }).data, { 'ca.crt': PEM });
    assert.equal(cm.metadata?.annotations?.['kubernetes.io/description'], ROOT_CA_DESCRIPTION);
    await eventually(() => env.client.get(CM, { namespace: 'kube-system', name: 'kube-root-ca.crt' }), 5_000, 'root CA in kube-system');

    // Edits are put back; a deleted one comes back.
    await env.client.patch(CM, { namespace: 'shop', name: 'kube-root-ca.crt' }, { type: 'merge', body: { data: { 'ca.crt': 'tampered' } } });
    await eventually(async () => ((await env.client.get(CM, { namespace: 'shop', name: 'kube-root-ca.crt' })) as { data?: Record<string, string> }).data?.['ca.crt'] === PEM, 5_000, 'restored');
    await env.client.delete(CM, { namespace: 'shop', name: 'kube-root-ca.crt' });
    await eventually(() => env.client.get(CM, { namespace: 'shop', name: 'kube-root-ca.crt' }), 5_000, 'recreated CM');
  } finally {
    await env.close();
  }
});
