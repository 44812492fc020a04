/**
 * Workload clusters as logical clusters: real kubectl reaches a cluster's own API through the plane's port with the
 * cluster's kubeconfig (tls-server-name + the cluster CA), and nothing crosses between clusters and the plane.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterServerName } from '../../src/apiserver/logical-clusters.js';
import { renderKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { createCA, issueClientCert, type CertKeyPair } from '../../src/apiserver/pki.js';
import { startPlane, type TestPlane } from '../support/plane.js';

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('workload cluster endpoints', () => {
  let t: TestPlane;
  const cas: Record<string, CertKeyPair> = {};
  const kubeconfigs: Record<string, string> = {};

  async function makeCluster(namespace: string, name: string): Promise<void> {
    const ca = await createCA('kubernetes');
    cas[`${namespace}/${name}`] = ca;
    if (namespace !== 'default') await t.kubectl(['create', 'namespace', namespace]);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-ca`, namespace }, type: 'cluster.x-k8s.io/secret', data: { 'tls.crt': b64(ca.certPem), 'tls.key': b64(ca.keyPem) } };
    const r = await t.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) });
    assert.equal(r.code, 0, r.stderr);
    const admin = await issueClientCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    const path = join(t.dataDir, `${namespace}-${name}.kubeconfig`);
    writeFileSync(path, renderKubeconfig({ server: t.plane.url, caPem: ca.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem, clusterName: name, userName: `${name}-admin`, tlsServerName: clusterServerName({ namespace, name }) }));
    kubeconfigs[`${namespace}/${name}`] = path;
  }

  before(async () => {
    t = await startPlane();
    await makeCluster('default', 'alpha');
    await makeCluster('team-b', 'beta');
  });
  after(async () => {
    await t?.close();
  });

  it('answers 503 with a clear message before the cluster API server runs', async () => {
    const r = await kubectl(kubeconfigs['default/alpha']!, ['get', 'namespaces']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ServiceUnavailable/);
  });

  it('serves each cluster its own objects, verified by its own CA', async () => {
    await t.plane.workloadClusters.start({ namespace: 'default', name: 'alpha' });
    await t.plane.workloadClusters.start({ namespace: 'team-b', name: 'beta' });
    const ns = await kubectl(kubeconfigs['default/alpha']!, ['get', 'namespaces', '-o', 'name']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.deepEqual(ns.stdout.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    const created = await kubectl(kubeconfigs['default/alpha']!, ['create', 'configmap', 'only-in-alpha', '-n', 'kube-system', '--from-literal=a=b']);
    assert.equal(created.code, 0, created.stderr);
    const inBeta = await kubectl(kubeconfigs['team-b/beta']!, ['get', 'configmap', 'only-in-alpha', '-n', 'kube-system']);
    assert.notEqual(inBeta.code, 0);
    assert.match(inBeta.stderr, /not found/);
    const inPlane = await t.kubectl(['get', 'configmap', 'only-in-alpha', '-n', 'kube-system']);
    assert.notEqual(inPlane.code, 0);
    const nodes = await kubectl(kubeconfigs['default/alpha']!, ['get', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stderr + nodes.stdout, /No resources found/);
    const res = await kubectl(kubeconfigs['default/alpha']!, ['api-resources', '-o', 'name']);
    assert.match(res.stdout, /^nodes$/m);
    assert.match(res.stdout, /^pods$/m);
    assert.doesNotMatch(res.stdout, /customresourcedefinitions/);
  });

  it('refuses a client certificate of another cluster or of the plane', async () => {
    // beta's admin certificate against alpha's server name.
    const beta = cas['team-b/beta']!;
    const stranger = await issueClientCert(beta, { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    const path = join(t.dataDir, 'cross.kubeconfig');
    writeFileSync(path, renderKubeconfig({ server: t.plane.url, caPem: cas['default/alpha']!.certPem, clientCertPem: stranger.certPem, clientKeyPem: stranger.keyPem, tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
    const r = await kubectl(path, ['get', 'namespaces']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized|must be logged in/);
    // The plane's admin certificate, sent to alpha.
    const plane = t.plane.pki.admin;
    writeFileSync(path, renderKubeconfig({ server: t.plane.url, caPem: cas['default/alpha']!.certPem, clientCertPem: plane.certPem, clientKeyPem: plane.keyPem, tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
    const r2 = await kubectl(path, ['get', 'namespaces']);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /Unauthorized|must be logged in/);
    // Alpha's kubeconfig verified against the plane's CA fails the TLS check (the server answers as alpha).
    writeFileSync(path, renderKubeconfig({ server: t.plane.url, caPem: t.plane.pki.ca.certPem, clientCertPem: plane.certPem, clientKeyPem: plane.keyPem, tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
    const r3 = await kubectl(path, ['get', 'namespaces']);
    assert.notEqual(r3.code, 0);
    assert.match(r3.stderr, /certificate/);
  });

  it('keeps workload data across a plane restart and deletes it with the cluster', async () => {
    await t.restart();
    const cm = await kubectl(kubeconfigs['default/alpha']!, ['get', 'configmap', 'only-in-alpha', '-n', 'kube-system', '-o', 'jsonpath={.data.a}']);
    assert.equal(cm.code, 0, cm.stderr);
    assert.equal(cm.stdout, 'b');
    const n = await t.plane.workloadClusters.destroy({ namespace: 'default', name: 'alpha' });
    assert.ok(n >= 5, `deleted ${n} objects`);
    const r = await kubectl(kubeconfigs['default/alpha']!, ['get', 'namespaces']);
    assert.notEqual(r.code, 0);
    const left = await t.plane.store.list('/clusters/default/alpha/');
    assert.equal(left.items.length, 0);
    const beta = await kubectl(kubeconfigs['team-b/beta']!, ['get', 'namespaces', '-o', 'name']);
    assert.equal(beta.code, 0, beta.stderr);
  });
});
