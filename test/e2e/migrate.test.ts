/**
 * `slipway migrate` as a user runs it: a plane on SQLite with objects, stopped, copied into a real etcd by the
 * `slipway` executable, then served from etcd by a plane on the same data dir — checked with the real kubectl:
 * the objects are there, new resourceVersions are above every old one, and a watch from an old resourceVersion
 * is answered with a 410 ERROR event (history from before the migration is gone; clients relist).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { startPlane, type TestPlane } from '../support/plane.js';

const BIN = new URL('../../bin/slipway.js', import.meta.url).pathname;

function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('slipway migrate (SQLite → etcd)', () => {
  let etcd: EtcdCluster;
  let sqlitePlane: TestPlane | undefined;
  let etcdPlane: TestPlane | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-migrate-e2e-'));
  const prefix = '/migrated';
  const oldVersions: number[] = [];
  let lastOldRevision = 0;

  before(async () => {
    etcd = await startEtcd();
    sqlitePlane = await startPlane({ clusterApi: false, dataDir });
    const p = sqlitePlane;
    assert.equal((await p.kubectl(['create', 'namespace', 'team-a'])).code, 0);
    for (let i = 0; i < 5; i++) {
      const r = await p.kubectl(['create', 'configmap', `cm-${i}`, `--from-literal=i=${i}`, '-n', 'team-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
      assert.equal(r.code, 0, r.stderr);
      oldVersions.push(Number(r.stdout));
    }
    const updated = await p.kubectl(['label', 'configmap', 'cm-0', 'tier=gold', '-n', 'team-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal(updated.code, 0, updated.stderr);
    oldVersions.push(Number(updated.stdout));
    const list = await p.kubectl(['get', '--raw', '/api/v1/namespaces/team-a/configmaps']);
    lastOldRevision = Number((JSON.parse(list.stdout) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  });

  after(async () => {
    await etcdPlane?.close();
    await sqlitePlane?.close();
    await etcd?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses while the plane still runs on the data dir', async () => {
    const r = await slipway(['migrate', '--from', `sqlite:${dataDir}`, '--to', `etcd:${etcd.endpoints.join(',')}`, '--etcd-prefix', prefix]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is open in another process \(pid \d+/);
    assert.match(r.stderr, /stop the plane/);
  });

  it('names the bad flag value', async () => {
    const from = await slipway(['migrate', '--from', `postgres:${dataDir}`, '--to', `etcd:${etcd.endpoints[0]}`]);
    assert.notEqual(from.code, 0);
    assert.match(from.stderr, /--from <source>.*"postgres:.*" is not a source: use sqlite:DIR/s);
    const to = await slipway(['migrate', '--from', `sqlite:${dataDir}`, '--to', 'etcd:ftp://x']);
    assert.notEqual(to.code, 0);
    assert.match(to.stderr, /"ftp:\/\/x" is not an etcd client URL/);
    const help = await slipway(['migrate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example:\n {2}slipway migrate --from sqlite:/);
  });

  it('copies the stopped plane into etcd, and the plane on etcd serves it with larger resourceVersions', async () => {
    await sqlitePlane!.close();
    sqlitePlane = undefined;
    const r = await slipway(['migrate', '--from', `sqlite:${dataDir}`, '--to', `etcd:${etcd.endpoints.join(',')}`, '--etcd-prefix', prefix]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^migrated \d+ keys \([\d.]+ MiB\) in [\d.]+ s from .*state\.db; verified/m);
    assert.match(r.stdout, new RegExp(`the source was at ${lastOldRevision}; revisions on etcd are offset by ${lastOldRevision}`));
    assert.match(r.stderr, /copied (\d+)\/\1 keys/);

    // Again into the same prefix: refused, naming a key that is there.
    const again = await slipway(['migrate', '--from', `sqlite:${dataDir}`, '--to', `etcd:${etcd.endpoints[0]}`, '--etcd-prefix', prefix]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already holds keys \(first: \/migrated\//);

    // The CA and ServiceAccount key went with the objects: a replica started first, with an empty data dir, takes
    // them, so the plane's old admin kubeconfig works against it and the plane itself is not refused afterwards.
    assert.match(r.stdout, /^shared PKI: the CA \(SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\) and ServiceAccount key of .*pki are on etcd now/m);
    const replica = await startPlane({ clusterApi: false, storage: 'etcd', etcd: { servers: etcd.endpoints, prefix } });
    try {
      const viaOld = await replica.kubectl(['--kubeconfig', join(dataDir, 'admin.kubeconfig'), '--server', replica.plane.url, 'get', 'configmap', 'cm-1', '-n', 'team-a', '-o', 'jsonpath={.data.i}']);
      assert.equal(viaOld.code, 0, viaOld.stderr);
      assert.equal(viaOld.stdout, '1');
    } finally {
      await replica.close();
    }

    etcdPlane = await startPlane({ clusterApi: false, dataDir, storage: 'etcd', etcd: { servers: etcd.endpoints, prefix } });
    const p = etcdPlane;
    const got = await p.kubectl(['get', 'configmaps', '-n', 'team-a', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.i}/{.metadata.labels.tier} {end}']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim(), 'cm-0=0/gold cm-1=1/ cm-2=2/ cm-3=3/ cm-4=4/');

    const created = await p.kubectl(['create', 'configmap', 'after', '-n', 'team-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal(created.code, 0, created.stderr);
    const fresh = Number(created.stdout);
    for (const old of [...oldVersions, lastOldRevision]) assert.ok(fresh > old, `new resourceVersion ${fresh} > old ${old}`);
    const listed = await p.kubectl(['get', 'configmaps', '-n', 'team-a', '-o', 'jsonpath={range .items[*]}{.metadata.resourceVersion} {end}']);
    for (const rv of listed.stdout.trim().split(' ').map(Number)) assert.ok(rv > lastOldRevision, `migrated objects carry resourceVersions above ${lastOldRevision}, got ${rv}`);

    // A watch from before the migration: 410 Gone (the client relists), not events from the past.
    const watched = await p.kubectl(['get', '--raw', `/api/v1/namespaces/team-a/configmaps?watch=true&resourceVersion=${oldVersions[2]}&timeoutSeconds=5`], { timeoutMs: 30_000 });
    assert.equal(watched.code, 0, watched.stderr);
    const events = watched.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { code?: number; reason?: string } });
    assert.deepEqual(events.map((e) => [e.type, e.object.code, e.object.reason]), [['ERROR', 410, 'Expired']]);

    // A watch from a resourceVersion seen on etcd works as usual.
    const watcher = p.kubectl(['get', '--raw', `/api/v1/namespaces/team-a/configmaps?watch=true&resourceVersion=${fresh}&timeoutSeconds=5`], { timeoutMs: 30_000 });
    assert.equal((await p.kubectl(['create', 'configmap', 'watched', '-n', 'team-a'])).code, 0);
    const live = (await watcher).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    assert.deepEqual(live.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED watched']);
  });
});
