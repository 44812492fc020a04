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

  it('authorizes each cluster with its own RBAC, independent of the plane\'s', async () => {
    await t.plane.workloadClusters.start({ namespace: 'default', name: 'alpha' });
    const ca = cas['default/alpha']!;
    const dev = await issueClientCert(ca, { commonName: 'dev', organizations: ['devs'] });
    const path = join(t.dataDir, 'alpha-dev.kubeconfig');
    writeFileSync(path, renderKubeconfig({ server: t.plane.url, caPem: ca.certPem, clientCertPem: dev.certPem, clientKeyPem: dev.keyPem, clusterName: 'alpha', userName: 'dev', tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
    // The cluster has the default roles of a kubeadm cluster.
    const roles = await kubectl(kubeconfigs['default/alpha']!, ['get', 'clusterroles', '-o', 'name']);
    assert.match(roles.stdout, /^clusterrole\.rbac\.authorization\.k8s\.io\/edit$/m);
    assert.match(roles.stdout, /^clusterrole\.rbac\.authorization\.k8s\.io\/cluster-admin$/m);
    const refused = await kubectl(path, ['get', 'pods', '-n', 'default']);
    assert.match(refused.stderr, /pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "default"/);
    // A binding in the plane means nothing inside the cluster.
    const planeBinding = await t.kubectl(['create', 'clusterrolebinding', 'devs-admin', '--clusterrole=cluster-admin', '--group=devs']);
    assert.equal(planeBinding.code, 0, planeBinding.stderr);
    assert.equal((await kubectl(path, ['auth', 'can-i', 'list', 'pods', '-n', 'default'])).stdout.trim(), 'no');
    // A binding inside the cluster does.
    const bind = await kubectl(kubeconfigs['default/alpha']!, ['create', 'rolebinding', 'devs-edit', '--clusterrole=edit', '--group=devs', '-n', 'default']);
    assert.equal(bind.code, 0, bind.stderr);
    let allowed = '';
    for (let i = 0; i < 100 && allowed !== 'yes'; i++) allowed = (await kubectl(path, ['auth', 'can-i', 'create', 'deployments.apps', '-n', 'default'])).stdout.trim();
    assert.equal(allowed, 'yes');
    const created = await kubectl(path, ['create', 'configmap', 'by-dev', '-n', 'default']);
    assert.equal(created.code, 0, created.stderr);
    const elsewhere = await kubectl(path, ['create', 'configmap', 'by-dev', '-n', 'kube-system']);
    assert.match(elsewhere.stderr, /configmaps is forbidden: User "dev" cannot create resource "configmaps" in API group "" in the namespace "kube-system"/);
    const who = await kubectl(path, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout, 'dev');
    // The plane's own binding did not leak the other way either: dev is nobody in the plane.
    assert.equal((await t.kubectl(['get', 'rolebinding', 'devs-edit', '-n', 'default'])).code !== 0, true);
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
    assert.deepEqual(left.items.map((kv) => kv.key), []);
    const beta = await kubectl(kubeconfigs['team-b/beta']!, ['get', 'namespaces', '-o', 'name']);
    assert.equal(beta.code, 0, beta.stderr);
  });
});
