import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdCluster } from '../../../test/support/etcd.js';
import { EtcdStore } from '../etcd/etcd-store.js';
import { applyRevisionOffset, REVISION_OFFSET_KEY, RevisionOffsetStore } from '../revision-offset.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { KeyValueDigest } from './digest.js';
import { parseProcLocks, splitDevice } from './file-locks.js';
import { MigrationError, migrateSqliteToEtcd, type MigrationProgress } from './index.js';

describe('parseProcLocks', () => {
  it('reads POSIX, OFD and FLOCK lines, and blocked waiters', () => {
    const text = [
      '1: POSIX  ADVISORY  READ 6087 fe:00:2205718 128 128',
      '2: POSIX  ADVISORY  READ 6087 fe:00:2205170 1073741826 1073742335',
      '3: OFDLCK ADVISORY  WRITE -1 08:11:99 0 EOF',
      '4: FLOCK  ADVISORY  WRITE 77 00:1a:5 0 EOF',
      '4: -> FLOCK  ADVISORY  WRITE 78 00:1a:5 0 EOF',
      'garbage',
      '',
    ].join('\n');
    assert.deepEqual(parseProcLocks(text), [
      { pid: 6087, major: 0xfe, minor: 0, inode: 2205718 },
      { pid: 6087, major: 0xfe, minor: 0, inode: 2205170 },
      { pid: -1, major: 8, minor: 0x11, inode: 99 },
      { pid: 77, major: 0, minor: 0x1a, inode: 5 },
      { pid: 78, major: 0, minor: 0x1a, inode: 5 },
    ]);
  });

  it('splits device numbers as glibc encodes them', () => {
    const cases: Array<[number, number, number]> = [
      [0xfe00, 0xfe, 0],
      [0x0811, 8, 0x11],
      [0x10300, 0x103, 0],
      [0x1_0000_0801, 8, 0x100001],
    ];
    for (const [dev, major, minor] of cases) assert.deepEqual(splitDevice(dev), { major, minor }, dev.toString(16));
  });
});

describe('KeyValueDigest', () => {
  it('tells keys and values apart and depends on order', () => {
    const d = (pairs: Array<[string, string]>): string => {
      const k = new KeyValueDigest();
      for (const [a, b] of pairs) k.add(a, b);
      return k.result().sha256;
    };
    assert.equal(d([['/a', '1']]), d([['/a', '1']]));
    assert.notEqual(d([['/a', '1']]), d([['/a1', '']]));
    assert.notEqual(d([['/a', '1'], ['/b', '2']]), d([['/b', '2'], ['/a', '1']]));
    const k = new KeyValueDigest();
    k.add('/ä', '{}');
    assert.deepEqual({ keys: k.result().keys, bytes: k.result().bytes }, { keys: 1, bytes: 5 });
  });
});

describe('migrateSqliteToEtcd (real etcd)', () => {
  let etcd: EtcdCluster;
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-migrate-'));
  let n = 0;

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A stopped plane's data dir with `count` objects (some updated, some deleted). */
  async function sourceDir(count: number): Promise<{ dir: string; revision: number; values: Map<string, string> }> {
    const dir = join(tmp, `plane-${n++}`);
    const s = await SqliteStore.open(join(dir, 'state.db'));
    const values = new Map<string, string>();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const key = `/registry/configmaps/ns-${i % 7}/cm-${String(i).padStart(5, '0')}`;
      const value = JSON.stringify({ kind: 'ConfigMap', data: { i: String(i), pad: 'x'.repeat(i % 300) } });
      values.set(key, value);
      writes.push(s.create(key, value));
    }
    await Promise.all(writes);
    await s.update('/registry/configmaps/ns-0/cm-00000', '{"updated":true}');
    values.set('/registry/configmaps/ns-0/cm-00000', '{"updated":true}');
    await s.delete('/registry/configmaps/ns-1/cm-00001');
    values.delete('/registry/configmaps/ns-1/cm-00001');
    await s.create('/clusters/c1/registry/pods/default/p', '{"ü":"ß"}');
    values.set('/clusters/c1/registry/pods/default/p', '{"ü":"ß"}');
    const revision = s.currentRevision();
    await s.close();
    return { dir, revision, values };
  }

  it('copies every key, verifies, and writes the offset; the store on etcd continues above the source revision', async () => {
    const src = await sourceDir(1500);
    const progress: MigrationProgress[] = [];
    const summary = await migrateSqliteToEtcd({
      from: src.dir,
      to: { endpoints: etcd.endpoints, prefix: '/m1' },
      batchKeys: 50,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
    });
    assert.equal(summary.keys, src.values.size);
    assert.equal(summary.sourceRevision, src.revision);
    assert.equal(summary.offset, src.revision);
    assert.ok(progress.length >= 2);
    assert.deepEqual(progress[progress.length - 1], { copiedKeys: src.values.size, totalKeys: src.values.size, copiedBytes: summary.bytes });

    const raw = await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/m1', compactionIntervalMs: 0 });
    const store = await applyRevisionOffset(raw);
    try {
      assert.ok(store instanceof RevisionOffsetStore);
      assert.equal(store.offset, src.revision);
      const all = await store.list('/registry/');
      const clusters = await store.list('/clusters/');
      const got = new Map([...all.items, ...clusters.items].map((kv) => [kv.key, kv.value]));
      assert.deepEqual(got, src.values);
      for (const kv of all.items) assert.ok(kv.modRevision > src.revision);
      const fresh = await store.create('/registry/configmaps/ns-0/new', '{}');
      assert.ok(fresh.modRevision > src.revision && fresh.modRevision > all.revision);
      assert.ok((await raw.get(REVISION_OFFSET_KEY)) !== undefined);
    } finally {
      await store.close();
    }
  });

  it('refuses a target prefix that holds keys, naming the key, and writes nothing', async () => {
    const src = await sourceDir(10);
    const other = await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/m2', compactionIntervalMs: 0 });
    await other.create('/registry/namespaces/taken', '{}');
    await other.close();
    await assert.rejects(
      migrateSqliteToEtcd({ from: src.dir, to: { endpoints: etcd.endpoints, prefix: '/m2' } }),
      (e: unknown) => e instanceof MigrationError && /already holds keys \(first: \/m2\/registry\/namespaces\/taken\)/.test(e.message),
    );
    const check = await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/m2', compactionIntervalMs: 0 });
    assert.equal((await check.list('/')).items.length, 1);
    await check.close();
  });

  it('ignores keys of a neighbouring prefix that shares the target prefix\'s text', async () => {
    const src = await sourceDir(20);
    const neighbour = await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/m42', compactionIntervalMs: 0 });
    await neighbour.create('/registry/namespaces/other-plane', '{}');
    await neighbour.close();
    const summary = await migrateSqliteToEtcd({ from: src.dir, to: { endpoints: etcd.endpoints, prefix: '/m4' } });
    assert.equal(summary.keys, src.values.size);
  });

  it('refuses a source that is not a Slipway data dir', async () => {
    const to = { endpoints: etcd.endpoints, prefix: '/m3' };
    await assert.rejects(migrateSqliteToEtcd({ from: join(tmp, 'missing'), to }), /--from: .*missing does not exist/);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await assert.rejects(migrateSqliteToEtcd({ from: empty, to }), /--from: .*empty is not a Slipway data dir \(no state.db in it\)/);
    const junk = join(tmp, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'state.db'), 'not a database at all, just text that is long enough to fill a header'.repeat(10));
    await assert.rejects(migrateSqliteToEtcd({ from: junk, to }), /--from: .*state.db is not a SQLite database/);
  });
});
