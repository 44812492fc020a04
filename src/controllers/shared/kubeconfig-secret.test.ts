import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { startPlane, type TestPlane } from '../../../test/support/plane.js';
import { clusterServerName } from '../../apiserver/logical-clusters.js';
import { describeCert, isSignedBy } from '../../apiserver/pki.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { inProcessClient } from '../../client/index.js';
import type { Client } from '../../client/types.js';
import { lookupOrGenerateCertificates, type CertificateSet } from './certificates.js';
import {
  controlPlaneServer,
  kubeconfigFromSecret,
  kubeconfigNeedsRotation,
  kubeconfigSecret,
  regenerateKubeconfig,
  renderClusterKubeconfig,
} from './kubeconfig-secret.js';
import { directReader } from './reader.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const DAY = 86_400_000;

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000, env: { ...process.env, HOME: tmpdir() } }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('cluster kubeconfig Secret', () => {
  let t: TestPlane;
  let client: Client;
  let owner: KubeObject;
  let certs: CertificateSet;
  const cluster = { metadata: { namespace: 'default', name: 'wl' } };
  const dir = mkdtempSync(join(tmpdir(), 'slipway-kubeconfig-test-'));
  before(async () => {
    t = await startPlane({ storage: 'memory' });
    client = inProcessClient(t.plane.objects);
    owner = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kcp', namespace: 'default' } });
    // Certificates as of the real time: kubectl checks validity against the wall clock.
    certs = (await lookupOrGenerateCertificates(client, directReader(client), cluster, owner, { now: new Date() })).certificates;
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('controlPlaneServer joins host and port (IPv6 in brackets)', () => {
    assert.equal(controlPlaneServer({ host: '10.0.0.1', port: 6443 }), 'https://10.0.0.1:6443');
    assert.equal(controlPlaneServer({ host: 'fd00::1', port: 443 }), 'https://[fd00::1]:443');
    assert.equal(controlPlaneServer({ host: 'api.example' }), 'https://api.example:6443');
    assert.throws(() => controlPlaneServer({ port: 1 }), /controlPlaneEndpoint.host is empty/);
  });

  test('the kubeconfig has upstream names, the cluster CA, and an admin client certificate signed by it', async () => {
    const text = await renderClusterKubeconfig({ clusterName: 'wl', server: 'https://10.0.0.1:6443', ca: certs.ca!, tlsServerName: 'wl.default.example', now: NOW });
    const doc = YAML.parse(text) as Record<string, any>;
    assert.equal(doc['current-context'], 'wl-admin@wl');
    assert.deepEqual(doc.contexts, [{ name: 'wl-admin@wl', context: { cluster: 'wl', user: 'wl-admin' } }]);
    assert.equal(doc.clusters[0].name, 'wl');
    assert.equal(doc.clusters[0].cluster.server, 'https://10.0.0.1:6443');
    assert.equal(doc.clusters[0].cluster['tls-server-name'], 'wl.default.example');
    assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), certs.ca!.cert);
    assert.equal(doc.users[0].name, 'wl-admin');
    const clientCert = Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString();
    const info = describeCert(clientCert);
    assert.equal(info.commonName, 'kubernetes-admin');
    assert.deepEqual(info.organizations, ['system:masters']);
    assert.ok(info.extKeyUsages.length === 1);
    assert.ok(isSignedBy(clientCert, certs.ca!.cert));
    assert.ok(Math.abs(info.notAfter.getTime() - (NOW.getTime() + 365 * DAY)) < 2000);
  });

  test('the Secret: name, key value, type, label, controller owner', async () => {
    const secret = kubeconfigSecret(cluster, 'apiVersion: v1\n', owner);
    assert.equal(secret.metadata?.name, 'wl-kubeconfig');
    assert.equal(secret.type, 'cluster.x-k8s.io/secret');
    assert.equal(secret.metadata?.labels?.['cluster.x-k8s.io/cluster-name'], 'wl');
    assert.deepEqual(secret.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'kcp', uid: owner.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(kubeconfigFromSecret(secret), 'apiVersion: v1\n');
    assert.throws(() => kubeconfigFromSecret({ metadata: { namespace: 'a', name: 'b' }, data: {} }), /Secret a\/b has no data key "value"/);
  });

  test('renewal: needed once less than half a year is left; regenerate keeps server and TLS name', async () => {
    const text = await renderClusterKubeconfig({ clusterName: 'wl', server: 'https://h:1', ca: certs.ca!, tlsServerName: 'sni.example', now: NOW });
    const secret = kubeconfigSecret(cluster, text, owner);
    assert.equal(kubeconfigNeedsRotation(secret, NOW), false);
    assert.equal(kubeconfigNeedsRotation(secret, new Date(NOW.getTime() + 180 * DAY)), false);
    assert.equal(kubeconfigNeedsRotation(secret, new Date(NOW.getTime() + 184 * DAY)), true);
    const later = new Date(NOW.getTime() + 200 * DAY);
    const renewed = await regenerateKubeconfig(secret, 'wl', certs.ca!, later);
    const doc = YAML.parse(renewed) as Record<string, any>;
    assert.equal(doc.clusters[0].cluster.server, 'https://h:1');
    assert.equal(doc.clusters[0].cluster['tls-server-name'], 'sni.example');
    assert.equal(kubeconfigNeedsRotation(kubeconfigSecret(cluster, renewed, owner), later), false);
  });

  test('real kubectl reaches the workload cluster with it (TLS verified against the cluster CA)', async () => {
    const ref = { namespace: 'default', name: 'wl' };
    const wl = inProcessClient(t.plane.workloadClusters.objects(ref));
    for (const name of ['kube-system', 'default']) await wl.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(() => undefined);
    const url = new URL(t.plane.url);
    const text = await renderClusterKubeconfig({ clusterName: 'wl', server: controlPlaneServer({ host: url.hostname, port: Number(url.port) }), tlsServerName: clusterServerName(ref), ca: certs.ca!, now: new Date() });
    const path = join(dir, 'wl.kubeconfig');
    writeFileSync(path, text, { mode: 0o600 });
    const res = await kubectl(path, ['get', 'namespaces', '-o', 'name']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /namespace\/kube-system/);
  });
});
