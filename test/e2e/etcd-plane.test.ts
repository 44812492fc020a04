/**
 * The management plane on etcd (`--storage etcd`), with the real kubectl and a real etcd from Debian's etcd-server:
 * objects and revisions survive a plane restart, a second plane on the same etcd serves the same objects and its
 * watches see the first plane's writes, and a plane on another prefix sees none of them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

describe('management plane on etcd', () => {
  let etcd: EtcdCluster;
  let a: TestPlane;
  let b: TestPlane | undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-etcd-plane-'));

  before(async () => {
    etcd = await startEtcd();
    a = await startPlane({ clusterApi: false, storage: 'etcd', etcd: { servers: etcd.endpoints, prefix: '/slipway-e2e' } });
  });

  after(async () => {
    await b?.close();
    await a?.close();
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('serves kubectl from etcd and keeps everything across a restart', async () => {
    assert.equal((await a.kubectl(['create', 'namespace', 'team-a'])).code, 0);
    const created = await a.kubectl(['create', 'configmap', 'kept', '--from-literal=k=v', '-n', 'team-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal(created.code, 0, created.stderr);
    const rv = Number(created.stdout);
    assert.ok(rv > 0);
    // The default roles are there (written at start, in etcd).
    assert.equal((await a.kubectl(['get', 'clusterrole', 'edit'])).code, 0);
    await a.restart();
    const got = await a.kubectl(['get', 'configmap', 'kept', '-n', 'team-a', '-o', 'jsonpath={.data.k}/{.metadata.resourceVersion}']);
    assert.equal(got.stdout, `v/${rv}`);
    const next = await a.kubectl(['create', 'configmap', 'after-restart', '-n', 'team-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.ok(Number(next.stdout) > rv, 'revisions keep growing across a restart');
  });

  it('lets a second plane on the same etcd serve the same objects and see the first plane\'s writes by watch', async () => {
    // A fresh data dir: the second plane takes the CA and ServiceAccount key the first one put into etcd.
    const dataDir = join(tmp, 'plane-b');
    b = await startPlane({ clusterApi: false, storage: 'etcd', etcd: { servers: etcd.endpoints, prefix: '/slipway-e2e' }, dataDir });
    assert.equal(b.plane.pki.caFingerprint, a.plane.pki.caFingerprint);
    const seen = await b.kubectl(['get', 'configmap', 'kept', '-n', 'team-a', '-o', 'jsonpath={.data.k}']);
    assert.equal(seen.stdout, 'v');
    const list = await b.kubectl(['get', '--raw', '/api/v1/namespaces/team-a/configmaps']);
    const from = (JSON.parse(list.stdout) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    assert.match(from, /^\d+$/);
    const watcher = b.kubectl(['get', '--raw', `/api/v1/namespaces/team-a/configmaps?watch=true&resourceVersion=${from}&timeoutSeconds=8`], { timeoutMs: 30_000 });
    // Writes on plane a while b watches.
    for (let i = 0; i < 5; i++) assert.equal((await a.kubectl(['create', 'configmap', `from-a-${i}`, '-n', 'team-a'])).code, 0);
    const out = await watcher;
    assert.equal(out.code, 0, out.stderr);
    const events = out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), [0, 1, 2, 3, 4].map((i) => `ADDED from-a-${i}`));
    // A write on b is read on a.
    assert.equal((await b.kubectl(['create', 'configmap', 'from-b', '-n', 'team-a'])).code, 0);
    await eventually(async () => (await a.kubectl(['get', 'configmap', 'from-b', '-n', 'team-a'])).code === 0, 10_000, 'plane a reading plane b\'s write');
  });

  it('keeps planes on other prefixes apart', async () => {
    const other = await startPlane({ clusterApi: false, storage: 'etcd', etcd: { servers: etcd.endpoints, prefix: '/another-plane' } });
    try {
      const r = await other.kubectl(['get', 'namespace', 'team-a']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /not found/);
    } finally {
      await other.close();
    }
  });

  it('refuses --storage etcd without servers, naming the flag', async () => {
    await assert.rejects(startPlane({ clusterApi: false, storage: 'etcd' }), /--storage etcd needs --etcd-servers/);
  });
});
