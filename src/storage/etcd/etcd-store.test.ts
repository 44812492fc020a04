/**
 * EtcdStore against a real one-member etcd (Debian's etcd-server) on free loopback ports: the
 * Store conformance suite (each test in a keyspace of its own), then etcd-specific behaviour.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster } from '../../../test/support/etcd.js';
import { runStoreConformance, waitFor } from '../store-conformance.js';
import { StoreCompactedError, type StoreEvent } from '../store.js';
import { EtcdStore, type EtcdStoreOptions } from './etcd-store.js';

let etcd: EtcdCluster | undefined;
let n = 0;
/** A keyspace no other test uses (zero-padded: no prefix is a prefix of another). */
const freshPrefix = (): string => `/t${process.pid}-${String(++n).padStart(4, '0')}`;
const open = (opts: Partial<EtcdStoreOptions> = {}): Promise<EtcdStore> =>
  EtcdStore.open({ endpoints: etcd!.endpoints, prefix: freshPrefix(), compactionIntervalMs: 0, onWarning: () => undefined, ...opts });

before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

runStoreConformance('EtcdStore', async (opts) => {
  const store = await open({ replayWindow: opts.replayWindow });
  return { store, baseRevision: store.currentRevision(), issueOrderIsRevisionOrder: false };
});

describe('EtcdStore on etcd', () => {
  it('two stores on one etcd see each other\'s writes through watch', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    const b = await open({ prefix });
    try {
      const seenByA: StoreEvent[] = [];
      const seenByB: StoreEvent[] = [];
      const wa = a.watch('/x/', 0, (e) => seenByA.push(e));
      const wb = b.watch('/x/', 0, (e) => seenByB.push(e));
      const c1 = await a.create('/x/one', '{"n":1}');
      const c2 = await b.create('/x/two', '{"n":2}');
      const u1 = await b.update('/x/one', '{"n":11}', { expectModRevision: c1.modRevision });
      const d2 = await a.delete('/x/two');
      await waitFor(() => seenByA.length >= 4 && seenByB.length >= 4, 5000, 'events on both stores');
      const summary = (evs: StoreEvent[]): unknown[] => evs.map((e) => [e.type, e.key, e.revision, e.kv.value, e.prev?.modRevision]);
      const want = [
        ['put', '/x/one', c1.modRevision, '{"n":1}', undefined],
        ['put', '/x/two', c2.modRevision, '{"n":2}', undefined],
        ['put', '/x/one', u1.modRevision, '{"n":11}', c1.modRevision],
        ['delete', '/x/two', u1.modRevision + 1, '{"n":2}', c2.modRevision],
      ];
      assert.deepEqual(summary(seenByA), want);
      assert.deepEqual(summary(seenByB), want);
      assert.deepEqual(d2, c2);
      assert.deepEqual(await a.get('/x/one'), u1);
      assert.deepEqual((await b.list('/x/')).items, [u1]);
      wa.stop();
      wb.stop();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a watcher from before the held history catches up from etcd, then follows live writes once', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    try {
      const base = a.currentRevision();
      for (let i = 0; i < 20; i++) await a.create(`/h/${String(i).padStart(2, '0')}`, String(i));
      // A store opened now holds no history: watching from `base` asks etcd.
      const b = await open({ prefix });
      try {
        const got: number[] = [];
        b.watch('/h/', base + 5, (e) => got.push(e.revision));
        await waitFor(() => got.length >= 15, 5000, 'history from etcd');
        const more = await a.create('/h/20', '20');
        await waitFor(() => got.length >= 16, 5000, 'live event');
        await b.create('/h/21', '21');
        await waitFor(() => got.length >= 17, 5000, 'own event');
        assert.deepEqual(got, [...Array.from({ length: 15 }, (_, i) => base + 6 + i), more.modRevision, more.modRevision + 1]);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  it('compacting does not cut short a watcher still catching up from etcd', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    try {
      const base = a.currentRevision();
      for (let i = 0; i < 300; i++) await a.create(`/k/${String(i).padStart(3, '0')}`, String(i));
      const b = await open({ prefix });
      try {
        const got: number[] = [];
        b.watch('/k/', base, (e) => got.push(e.revision));
        await b.compact(b.currentRevision());
        await waitFor(() => got.length >= 300, 5000, 'the whole history');
        assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => base + 1 + i));
        assert.throws(() => b.watch('/k/', base, () => undefined), StoreCompactedError);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  it('compaction: a new store reads the compacted revision; a stale one hears StoreCompactedError from etcd', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    // Holds the last two events only: older watches go to etcd.
    const stale = await open({ prefix, historyEvents: 2 });
    try {
      const base = a.currentRevision();
      for (let i = 0; i < 10; i++) await a.create(`/c/${i}`, String(i));
      await a.compact(base + 8);
      assert.equal(a.compactedRevision(), base + 8);

      const fresh = await open({ prefix });
      try {
        assert.equal(fresh.compactedRevision(), base + 8);
        assert.throws(
          () => fresh.watch('/c/', base + 3, () => undefined),
          (e: unknown) => e instanceof StoreCompactedError && e.compacted === base + 8,
        );
      } finally {
        await fresh.close();
      }

      // `stale` does not know of the compaction: its watch from base+3 is outside the history
      // it holds, goes to etcd, and etcd refuses it.
      assert.ok(stale.compactedRevision() < base + 3);
      const errors: Error[] = [];
      const events: StoreEvent[] = [];
      stale.watch('/c/', base + 3, (e) => events.push(e), (err) => errors.push(err));
      await waitFor(() => errors.length > 0, 5000, 'compaction error');
      assert.ok(errors[0] instanceof StoreCompactedError);
      assert.equal((errors[0] as StoreCompactedError).compacted, base + 8);
      assert.equal(events.length, 0);
      assert.equal(stale.compactedRevision(), base + 8);
    } finally {
      await a.close();
      await stale.close();
    }
  });

  it('watches resume across an etcd restart without missing or repeating events', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    const b = await open({ prefix });
    try {
      const got: number[] = [];
      const w = b.watch('/r/', 0, (e) => got.push(e.revision));
      const acked: number[] = [];
      for (let i = 0; i < 5; i++) acked.push((await a.create(`/r/${i}`, String(i))).modRevision);
      await waitFor(() => got.length >= 5, 5000, 'events before restart');
      await etcd!.members[0]!.kill();
      // A write sent while etcd is down is retried (it never reached etcd) until etcd is back.
      const during = a.create('/r/5', '5');
      await etcd!.members[0]!.start();
      acked.push((await during).modRevision);
      for (let i = 6; i < 10; i++) acked.push((await a.create(`/r/${i}`, String(i))).modRevision);
      await waitFor(() => got.length >= 10, 10_000, 'events after restart');
      w.stop();
      assert.deepEqual(got, acked);
      assert.equal((await b.list('/r/')).items.length, 10);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('periodic compaction keeps about one interval of history, one store compacting per round', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix, compactionIntervalMs: 50 });
    const b = await open({ prefix, compactionIntervalMs: 50 });
    try {
      const first = await a.create('/p/0', '0');
      await waitFor(() => a.compactedRevision() >= first.modRevision || b.compactedRevision() >= first.modRevision, 10_000, 'a periodic compaction');
      let i = 1;
      const later = await a.create(`/p/${i++}`, 'x');
      await waitFor(() => Math.max(a.compactedRevision(), b.compactedRevision()) >= later.modRevision, 10_000, 'a second compaction');
      const c = await open({ prefix });
      try {
        assert.ok(c.compactedRevision() >= later.modRevision);
      } finally {
        await c.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('EtcdStore over client TLS', () => {
  let secure: EtcdCluster | undefined;
  before(async () => {
    secure = await startEtcd({ tls: true });
  });
  after(async () => {
    await secure?.stop();
  });

  it('talks to etcd with a client certificate; without one it cannot open', async () => {
    const tls = secure!.tls!;
    assert.ok(secure!.endpoints[0]!.startsWith('https://'));
    const s = await EtcdStore.open({ endpoints: secure!.endpoints, tls, compactionIntervalMs: 0, onWarning: () => undefined });
    try {
      const got: StoreEvent[] = [];
      s.watch('/registry/', 0, (e) => got.push(e));
      const kv = await s.create('/registry/configmaps/default/a', '{"a":1}');
      assert.deepEqual(await s.get(kv.key), kv);
      assert.deepEqual(got.map((e) => e.revision), [kv.modRevision]);
    } finally {
      await s.close();
    }
    await assert.rejects(
      EtcdStore.open({ endpoints: secure!.endpoints, tls: { caFile: tls.caFile }, compactionIntervalMs: 0, retryTimeoutMs: 500, onWarning: () => undefined }),
    );
  });
});
