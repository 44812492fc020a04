/**
 * Replicas of one plane on one etcd, each with a fresh data dir, with the real kubectl and Debian's etcd: they share
 * one CA and ServiceAccount key through etcd, so one replica's admin kubeconfig works against the other's address and
 * a token made on one authenticates on the other; a data dir holding another CA is refused with both fingerprints; a
 * plane moved from SQLite uploads its own CA and key, so its old kubeconfig and tokens work on every replica; and a
 * workload cluster's endpoint answers on every replica.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { ensureServerPki } from '../../src/apiserver/pki.js';
import { formatFingerprint } from '../../src/apiserver/shared-pki.js';
import { migrateSqliteToEtcd } from '../../src/storage/migrate/index.js';
import { kube, quickStartYaml } from '../support/capi.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { eventually, startPlane, type KubectlResult, type TestPlane } from '../support/plane.js';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-etcd-replicas-'));

function kubectl(kubeconfig: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: tmp } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A kubeconfig that trusts the plane's CA and carries no credentials (the token comes with --token). */
async function anonymousKubeconfig(t: TestPlane, name: string): Promise<string> {
  const path = join(tmp, `${name}.kubeconfig`);
  await writeKubeconfig(path, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, userName: 'nobody' });
  return path;
}

describe('replicas on one etcd share one PKI', () => {
  let etcd: EtcdCluster;
  let a: TestPlane;
  let b: TestPlane;
  const etcdOpts = (prefix: string) => ({ servers: etcd.endpoints, prefix });
  const workloadBehaviour = { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 };

  before(async () => {
    etcd = await startEtcd();
    // Both start at once on an empty prefix: one uploads the CA, the other takes it.
    [a, b] = await Promise.all([
      startPlane({ storage: 'etcd', etcd: etcdOpts('/replicas'), workloadBehaviour }),
      startPlane({ storage: 'etcd', etcd: etcdOpts('/replicas'), workloadBehaviour }),
    ]);
  });

  after(async () => {
    await b?.close();
    await a?.close();
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('one CA on both replicas; each has its own serving and admin certificates; each admin kubeconfig works against the other', async () => {
    assert.notEqual(a.dataDir, b.dataDir);
    assert.equal(a.plane.pki.caFingerprint, b.plane.pki.caFingerprint);
    assert.equal(a.plane.pki.ca.certPem, b.plane.pki.ca.certPem);
    assert.notEqual(a.plane.pki.server.certPem, b.plane.pki.server.certPem);
    assert.notEqual(a.plane.pki.admin.certPem, b.plane.pki.admin.certPem);
    const aOnB = await kubectl(a.plane.kubeconfigPath, ['--server', b.plane.url, 'create', 'namespace', 'made-with-a-kubeconfig-on-b']);
    assert.equal(aOnB.code, 0, aOnB.stderr);
    const bOnA = await kubectl(b.plane.kubeconfigPath, ['--server', a.plane.url, 'get', 'namespace', 'made-with-a-kubeconfig-on-b', '-o', 'name']);
    assert.equal(bOnA.code, 0, bOnA.stderr);
    assert.equal(bOnA.stdout.trim(), 'namespace/made-with-a-kubeconfig-on-b');
    const who = await kubectl(b.plane.kubeconfigPath, ['--server', a.plane.url, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.stdout, 'slipway-admin', who.stderr);
  });

  it('a token made on one replica (kubectl create token) authenticates on the other', async () => {
    assert.equal((await a.kubectl(['create', 'serviceaccount', 'robot', '-n', 'default'])).code, 0);
    const made = await a.kubectl(['create', 'token', 'robot', '-n', 'default', '--duration=10m']);
    assert.equal(made.code, 0, made.stderr);
    const token = made.stdout.trim();
    for (const [name, t] of [['a', a], ['b', b]] as const) {
      const who = await kubectl(await anonymousKubeconfig(t, `anon-${name}`), ['auth', 'whoami', '--token', token, '-o', 'jsonpath={.status.userInfo.username}']);
      assert.equal(who.code, 0, `${name}: ${who.stderr}`);
      assert.equal(who.stdout, 'system:serviceaccount:default:robot', name);
    }
    // And it is bound to its ServiceAccount on every replica: deleted through b, refused on a.
    assert.equal((await b.kubectl(['delete', 'serviceaccount', 'robot', '-n', 'default'])).code, 0);
    const anonA = await anonymousKubeconfig(a, 'anon-a');
    await eventually(async () => (await kubectl(anonA, ['auth', 'whoami', '--token', token])).code !== 0, 10_000, 'the token refused once its ServiceAccount is gone');
  });

  it('serves a workload cluster\'s endpoint on every replica', async () => {
    const kb = kube(a);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'shared', workerReplicas: 0 }));
    const b64 = await eventually(async () => {
      const r = await a.kubectl(['get', 'secret', 'shared-kubeconfig', '-o', 'jsonpath={.data.value}']);
      return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
    }, 60_000, 'the kubeconfig Secret of workload cluster shared');
    const original = join(tmp, 'shared.kubeconfig');
    writeFileSync(original, Buffer.from(b64, 'base64'), { mode: 0o600 });
    const clusterName = (await kubectl(original, ['config', 'view', '-o', 'jsonpath={.clusters[0].name}'])).stdout.trim();
    const serverName = (await kubectl(original, ['config', 'view', '-o', 'jsonpath={.clusters[0].cluster.tls-server-name}'])).stdout.trim();
    assert.equal(serverName, 'shared.default.clusters.slipway.internal');
    for (const [name, t] of [['a', a], ['b', b]] as const) {
      // The same kubeconfig pointed at this replica's address (tls-server-name kept).
      const path = join(tmp, `shared-on-${name}.kubeconfig`);
      copyFileSync(original, path);
      // (`config set-cluster --server` would drop tls-server-name; the generic setter changes only the one field.)
      const set = await kubectl(path, ['config', 'set', `clusters.${clusterName}.server`, t.plane.url]);
      assert.equal(set.code, 0, set.stderr);
      assert.equal((await kubectl(path, ['config', 'view', '-o', 'jsonpath={.clusters[0].cluster.tls-server-name}'])).stdout.trim(), serverName);
      const nodes = await eventually(async () => {
        const r = await kubectl(path, ['get', 'nodes', '-o', 'name']);
        if (r.code !== 0) throw new Error(r.stderr.trim());
        return r.stdout.trim() || undefined;
      }, 60_000, `a Node of workload cluster shared through replica ${name}`);
      assert.match(nodes, /^node\/shared-control-plane-/m);
      const ns = await kubectl(path, ['get', 'ns', 'kube-system', '-o', 'name']);
      assert.equal(ns.stdout.trim(), 'namespace/kube-system', `${name}: ${ns.stderr}`);
    }
    // A write through one replica is read through the other.
    const onA = join(tmp, 'shared-on-a.kubeconfig');
    const onB = join(tmp, 'shared-on-b.kubeconfig');
    assert.equal((await kubectl(onA, ['create', 'configmap', 'via-a', '-n', 'default'])).code, 0);
    assert.equal((await kubectl(onB, ['get', 'configmap', 'via-a', '-n', 'default', '-o', 'name'])).stdout.trim(), 'configmap/via-a');
  });

  it('refuses a data dir that holds another CA, naming both fingerprints and the way out', async () => {
    const dataDir = join(tmp, 'foreign');
    const foreign = await ensureServerPki(dataDir, { hostname: 'elsewhere' });
    await assert.rejects(startPlane({ clusterApi: false, storage: 'etcd', etcd: etcdOpts('/replicas'), dataDir }), (err: Error) => {
      assert.match(err.message, /is not the CA the planes on this etcd share/);
      assert.ok(err.message.includes(formatFingerprint(foreign.caFingerprint)), err.message);
      assert.ok(err.message.includes(formatFingerprint(a.plane.pki.caFingerprint)), err.message);
      assert.match(err.message, /out of the way \(or start with an empty --data-dir\)/);
      return true;
    });
  });

  it('a plane moved from SQLite uploads its CA and key: its old kubeconfig and tokens work on a new replica', async () => {
    const dataDir = join(tmp, 'moved');
    const old = await startPlane({ clusterApi: false, dataDir });
    let token: string;
    try {
      assert.equal((await old.kubectl(['create', 'serviceaccount', 'ci', '-n', 'default'])).code, 0);
      const made = await old.kubectl(['create', 'token', 'ci', '-n', 'default']);
      assert.equal(made.code, 0, made.stderr);
      token = made.stdout.trim();
    } finally {
      await old.close();
    }
    const oldKubeconfig = join(tmp, 'moved-admin.kubeconfig');
    copyFileSync(old.plane.kubeconfigPath, oldKubeconfig);
    await migrateSqliteToEtcd({ from: dataDir, to: { endpoints: etcd.endpoints, prefix: '/moved' } });
    const moved = await startPlane({ clusterApi: false, storage: 'etcd', etcd: etcdOpts('/moved'), dataDir });
    const fresh = await startPlane({ clusterApi: false, storage: 'etcd', etcd: etcdOpts('/moved') });
    try {
      assert.equal(moved.plane.pki.caFingerprint, old.plane.pki.caFingerprint);
      assert.equal(fresh.plane.pki.caFingerprint, old.plane.pki.caFingerprint);
      const sa = await kubectl(oldKubeconfig, ['--server', fresh.plane.url, 'get', 'serviceaccount', 'ci', '-n', 'default', '-o', 'name']);
      assert.equal(sa.code, 0, sa.stderr);
      assert.equal(sa.stdout.trim(), 'serviceaccount/ci');
      const who = await kubectl(await anonymousKubeconfig(fresh, 'anon-fresh'), ['auth', 'whoami', '--token', token, '-o', 'jsonpath={.status.userInfo.username}']);
      assert.equal(who.stdout, 'system:serviceaccount:default:ci', who.stderr);
    } finally {
      await fresh.close();
      await moved.close();
    }
  });
});
