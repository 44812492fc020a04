/**
 * Conformance suite for Store implementations: registers node:test cases.
 *
 *   runStoreConformance('MemoryStore', async (opts) => ({ store: new MemoryStore(opts) }));
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  StoreCompactedError,
  StoreConflictError,
  StoreKeyExistsError,
  StoreKeyNotFoundError,
  type Store,
  type StoreEvent,
} from './store.js';

export interface ConformanceStoreOptions {
  /** Revisions per watch replay step; the suite uses a small one to exercise multi-step replay. */
  replayWindow?: number;
}

export interface ConformanceHandle {
  store: Store;
  /**
   * The store's revision when handed to the suite (default 0). Revisions the suite expects are
   * counted from it: an etcd starts at revision 1, and tests may share one etcd.
   */
  baseRevision?: number;
  /**
   * Concurrent writes get revisions in the order they were issued (default true). A store that
   * sends writes concurrently to a server (etcd) only guarantees unique, increasing revisions.
   */
  issueOrderIsRevisionOrder?: boolean;
  /** Called after the store was closed. */
  cleanup?: () => Promise<void>;
}

export type StoreFactory = (opts: ConformanceStoreOptions) => Promise<ConformanceHandle>;

/** Resolves once cond() holds (polling each event-loop turn); rejects after timeoutMs. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

export function runStoreConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    async function withStore(fn: (s: Store, b: number, h: ConformanceHandle) => Promise<void>, opts: ConformanceStoreOptions = {}): Promise<void> {
      const h = await factory(opts);
      try {
        await fn(h.store, h.baseRevision ?? 0, h);
      } finally {
        await h.store.close();
        await h.cleanup?.();
      }
    }

    it('starts empty', () =>
      withStore(async (s, b) => {
        assert.equal(s.currentRevision(), b);
        assert.ok(s.compactedRevision() <= b);
        assert.equal(await s.get('/a'), undefined);
        assert.deepEqual(await s.list('/'), { items: [], revision: b, more: false });
      }));

    it('create / get', () =>
      withStore(async (s, b) => {
        const kv = await s.create('/registry/cm/default/a', '{"a":1}');
        assert.deepEqual(kv, { key: '/registry/cm/default/a', value: '{"a":1}', createRevision: b + 1, modRevision: b + 1 });
        assert.equal(s.currentRevision(), b + 1);
        assert.deepEqual(await s.get('/registry/cm/default/a'), kv);
        const kv2 = await s.create('/registry/cm/default/b', '{"b":1}');
        assert.equal(kv2.createRevision, b + 2);
        assert.equal(s.currentRevision(), b + 2);
      }));

    it('create on an existing key throws StoreKeyExistsError and does not bump the revision', () =>
      withStore(async (s, b) => {
        await s.create('/k', '1');
        await assert.rejects(s.create('/k', '2'), (e: unknown) => e instanceof StoreKeyExistsError && e.key === '/k');
        assert.equal(s.currentRevision(), b + 1);
        assert.equal((await s.get('/k'))?.value, '1');
      }));

    it('update keeps createRevision and bumps modRevision', () =>
      withStore(async (s, b) => {
        await s.create('/x', 'x');
        await s.create('/k', 'v1');
        const u = await s.update('/k', 'v2');
        assert.deepEqual(u, { key: '/k', value: 'v2', createRevision: b + 2, modRevision: b + 3 });
        assert.deepEqual(await s.get('/k'), u);
        await assert.rejects(s.update('/missing', 'v'), StoreKeyNotFoundError);
        assert.equal(s.currentRevision(), b + 3);
      }));

    it('conditional update: match succeeds, mismatch throws StoreConflictError', () =>
      withStore(async (s, b) => {
        const c = await s.create('/k', 'v1');
        const u = await s.update('/k', 'v2', { expectModRevision: c.modRevision });
        await assert.rejects(
          s.update('/k', 'v3', { expectModRevision: c.modRevision }),
          (e: unknown) => e instanceof StoreConflictError && e.key === '/k' && e.actual === u.modRevision,
        );
        await assert.rejects(s.update('/k', 'v3', { expectModRevision: 0 }), StoreConflictError);
        assert.equal((await s.get('/k'))?.value, 'v2');
        assert.equal(s.currentRevision(), b + 2);
      }));

    it('delete returns the last value; conditional delete; delete of a missing key', () =>
      withStore(async (s, b) => {
        const c = await s.create('/k', 'v1');
        await assert.rejects(s.delete('/k', { expectModRevision: c.modRevision + 5 }), StoreConflictError);
        const d = await s.delete('/k', { expectModRevision: c.modRevision });
        assert.deepEqual(d, c);
        assert.equal(s.currentRevision(), b + 2);
        assert.equal(await s.get('/k'), undefined);
        await assert.rejects(s.delete('/k'), StoreKeyNotFoundError);
        const again = await s.create('/k', 'v2');
        assert.deepEqual(again, { key: '/k', value: 'v2', createRevision: b + 3, modRevision: b + 3 });
      }));

    it('revisions are strictly increasing and unique under concurrent writes', () =>
      withStore(async (s, b, h) => {
        const writes: Array<Promise<{ modRevision: number }>> = [];
        for (let i = 0; i < 60; i++) writes.push(s.create(`/c/${String(i).padStart(3, '0')}`, `{"i":${i}}`));
        const created = await Promise.all(writes);
        const revs = created.map((kv) => kv.modRevision);
        assert.equal(new Set(revs).size, 60);
        assert.deepEqual([...revs].sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => b + i + 1));
        // Issue order is revision order.
        if (h.issueOrderIsRevisionOrder !== false) assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
        let last = s.currentRevision();
        for (let i = 0; i < 10; i++) {
          const kv = await s.update('/c/000', String(i));
          assert.ok(kv.modRevision > last);
          last = kv.modRevision;
        }
        assert.equal(s.currentRevision(), last);
      }));

    it('list: prefix isolation, key order, revision', () =>
      withStore(async (s, b) => {
        for (const k of ['/r/ns/b', '/r/ns/a', '/r/ns2/a', '/r/n', '/r/ns/c', '/q/x']) await s.create(k, k);
        const res = await s.list('/r/ns/');
        assert.deepEqual(res.items.map((kv) => kv.key), ['/r/ns/a', '/r/ns/b', '/r/ns/c']);
        assert.equal(res.revision, s.currentRevision());
        assert.equal(res.more, false);
        assert.deepEqual(res.items[0], { key: '/r/ns/a', value: '/r/ns/a', createRevision: b + 2, modRevision: b + 2 });
        assert.deepEqual((await s.list('/r/')).items.map((kv) => kv.key), ['/r/n', '/r/ns/a', '/r/ns/b', '/r/ns/c', '/r/ns2/a']);
        assert.equal((await s.list('')).items.length, 6);
        assert.equal((await s.list('/zzz/')).items.length, 0);
      }));

    it('list paging with startAfter / limit visits every key exactly once', () =>
      withStore(async (s) => {
        const keys: string[] = [];
        for (let i = 0; i < 53; i++) keys.push(`/p/item-${String(i).padStart(3, '0')}`);
        await Promise.all([...keys].reverse().map((k) => s.create(k, '{}')));
        await s.create('/pz', '{}');
        await s.create('/o', '{}');
        const seen: string[] = [];
        let startAfter: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await s.list('/p/', { startAfter, limit: 10 });
          pages++;
          seen.push(...page.items.map((kv) => kv.key));
          assert.ok(page.items.length <= 10);
          if (!page.more) break;
          assert.equal(page.items.length, 10);
          startAfter = page.items[page.items.length - 1]!.key;
        }
        assert.equal(pages, 6);
        assert.deepEqual(seen, keys);
        const exact = await s.list('/p/', { limit: 53 });
        assert.equal(exact.items.length, 53);
        assert.equal(exact.more, false);
        const unlimited = await s.list('/p/', { limit: 0 });
        assert.equal(unlimited.items.length, 53);
        // startAfter before the prefix is the same as no startAfter.
        assert.equal((await s.list('/p/', { startAfter: '/a' })).items.length, 53);
        assert.deepEqual((await s.list('/p/', { startAfter: keys[51] })).items.map((kv) => kv.key), [keys[52]]);
      }));

    it('watch replays history with prev values and delete semantics', () =>
      withStore(async (s, b) => {
        await s.create('/w/a', 'a1'); // 1
        await s.create('/other/x', 'x'); // 2
        await s.update('/w/a', 'a2'); // 3
        await s.create('/w/b', 'b1'); // 4
        await s.delete('/w/a'); // 5
        const events: StoreEvent[] = [];
        const w = s.watch('/w/', b + 1, (e) => events.push(e));
        await waitFor(() => events.length >= 3, 5000, 'replay');
        await tick();
        w.stop();
        assert.deepEqual(
          events.map((e) => [e.type, e.key, e.revision]),
          [
            ['put', '/w/a', b + 3],
            ['put', '/w/b', b + 4],
            ['delete', '/w/a', b + 5],
          ],
        );
        assert.deepEqual(events[0]!.kv, { key: '/w/a', value: 'a2', createRevision: b + 1, modRevision: b + 3 });
        assert.deepEqual(events[0]!.prev, { key: '/w/a', value: 'a1', createRevision: b + 1, modRevision: b + 1 });
        assert.equal(events[1]!.prev, undefined);
        assert.deepEqual(events[2]!.kv, { key: '/w/a', value: 'a2', createRevision: b + 1, modRevision: b + 3 });
        assert.deepEqual(events[2]!.prev, { key: '/w/a', value: 'a2', createRevision: b + 1, modRevision: b + 3 });
      }));

    it('watch delivers live events synchronously after the commit (before the write resolves)', () =>
      withStore(async (s) => {
        const events: StoreEvent[] = [];
        const w = s.watch('/live/', s.currentRevision(), (e) => events.push(e));
        const c = await s.create('/live/a', '1');
        assert.equal(events.length, 1);
        assert.equal(events[0]!.revision, c.modRevision);
        assert.deepEqual(events[0]!.kv, c);
        await s.create('/dead/a', '1');
        const u = await s.update('/live/a', '2');
        assert.equal(events.length, 2);
        assert.deepEqual(events[1]!.prev, c);
        assert.deepEqual(events[1]!.kv, u);
        w.stop();
        await s.delete('/live/a');
        assert.equal(events.length, 2);
      }));

    it('watch from revision 0 means "from now"; from a future revision skips until then', () =>
      withStore(async (s, b) => {
        await s.create('/n/a', '1');
        const now: number[] = [];
        const future: number[] = [];
        const w1 = s.watch('/n/', 0, (e) => now.push(e.revision));
        const w2 = s.watch('/n/', b + 3, (e) => future.push(e.revision));
        for (let i = 0; i < 4; i++) await s.update('/n/a', String(i)); // 2..5
        w1.stop();
        w2.stop();
        assert.deepEqual(now, [b + 2, b + 3, b + 4, b + 5]);
        assert.deepEqual(future, [b + 4, b + 5]);
      }));

    it('watch replay + live without gaps or duplicates while writes happen during replay', () =>
      withStore(
        async (s, b) => {
          for (let i = 0; i < 200; i++) await s.create(`/g/${i % 3}/${i}`, String(i)); // 1..200
          const expected: number[] = [];
          const seen: number[] = [];
          const w = s.watch('/g/1/', b + 10, (e) => seen.push(e.revision));
          const w2seen: number[] = [];
          const w2 = s.watch('', 0, (e) => w2seen.push(e.revision));
          // Keep writing (and awaiting) while the replay advances in small windows.
          for (let i = 200; i < 400; i++) {
            const kv = await s.create(`/g/${i % 3}/${i}`, String(i));
            if (i % 3 === 1) expected.push(kv.modRevision);
            if (i % 50 === 0) await tick();
          }
          await waitFor(() => seen.length >= 130, 5000, 'all events');
          for (let i = 0; i < 5; i++) await tick();
          w.stop();
          w2.stop();
          const want: number[] = [];
          for (let i = 0; i < 200; i++) if (i % 3 === 1 && i + 1 > 10) want.push(b + i + 1);
          want.push(...expected);
          assert.deepEqual(seen, want);
          assert.deepEqual(w2seen, Array.from({ length: 200 }, (_, i) => b + 201 + i));
        },
        { replayWindow: 7 },
      ));

    it('many concurrent watchers see the same ordered stream', () =>
      withStore(async (s, b) => {
        await s.create('/m/seed', '0');
        const streams: number[][] = [];
        const watchers = [];
        for (let i = 0; i < 5; i++) {
          const mine: number[] = [];
          streams.push(mine);
          watchers.push(s.watch('/m/', 0, (e) => mine.push(e.revision)));
        }
        await Promise.all(Array.from({ length: 40 }, (_, i) => s.create(`/m/${i}`, '{}')));
        for (const w of watchers) w.stop();
        for (const st of streams) assert.deepEqual(st, Array.from({ length: 40 }, (_, i) => b + i + 2));
      }));

    it('a throwing watch callback breaks neither the write nor other watchers', () =>
      withStore(async (s) => {
        const got: number[] = [];
        const warnings: string[] = [];
        const onWarning = (w: Error): void => {
          warnings.push(w.message);
        };
        const orig = process.listeners('warning');
        process.removeAllListeners('warning');
        process.on('warning', onWarning);
        try {
          const w1 = s.watch('/t/', 0, () => {
            throw new Error('boom');
          });
          const w2 = s.watch('/t/', 0, (e) => got.push(e.revision));
          const kv = await s.create('/t/a', '1');
          await s.update('/t/a', '2');
          assert.deepEqual(got, [kv.modRevision, kv.modRevision + 1]);
          w1.stop();
          w2.stop();
          await tick();
          assert.ok(warnings.some((m) => m.includes('boom')));
        } finally {
          process.removeListener('warning', onWarning);
          for (const l of orig) process.on('warning', l);
        }
      }));

    it('compaction: watch below the compacted revision throws StoreCompactedError', () =>
      withStore(async (s, b) => {
        for (let i = 0; i < 10; i++) await s.create(`/c/${i}`, String(i));
        await s.compact(b + 6);
        assert.equal(s.compactedRevision(), b + 6);
        assert.throws(
          () => s.watch('/c/', b + 5, () => undefined),
          (e: unknown) => e instanceof StoreCompactedError && e.requested === b + 5 && e.compacted === b + 6,
        );
        const got: number[] = [];
        const w = s.watch('/c/', b + 6, (e) => got.push(e.revision));
        await waitFor(() => got.length >= 4, 5000, 'replay after compaction');
        w.stop();
        assert.deepEqual(got, [b + 7, b + 8, b + 9, b + 10]);
        // Compacting backwards is a no-op; beyond the current revision is clamped.
        await s.compact(b + 3);
        assert.equal(s.compactedRevision(), b + 6);
        await s.compact(b + 1000);
        assert.equal(s.compactedRevision(), b + 10);
        assert.throws(() => s.watch('/c/', b + 9, () => undefined), StoreCompactedError);
        // Data is unaffected by compaction.
        assert.equal((await s.list('/c/')).items.length, 10);
        const live: number[] = [];
        const w2 = s.watch('/c/', b + 10, (e) => live.push(e.revision));
        await s.update('/c/0', 'x');
        w2.stop();
        assert.deepEqual(live, [b + 11]);
      }));

    it('compaction during a replay does not cut the replaying watcher short', () =>
      withStore(
        async (s, b) => {
          for (let i = 0; i < 100; i++) await s.create(`/cr/${i}`, String(i));
          const got: number[] = [];
          const w = s.watch('/cr/', b + 1, (e) => got.push(e.revision));
          await s.compact(b + 100);
          assert.equal(s.compactedRevision(), b + 100);
          await waitFor(() => got.length >= 99, 5000, 'replay');
          w.stop();
          assert.deepEqual(got, Array.from({ length: 99 }, (_, i) => b + i + 2));
          assert.throws(() => s.watch('/cr/', b + 50, () => undefined), StoreCompactedError);
        },
        { replayWindow: 5 },
      ));

    it('conditional writes on a missing key throw StoreKeyNotFoundError', () =>
      withStore(async (s, b) => {
        await assert.rejects(s.update('/gone', 'v', { expectModRevision: 5 }), (e: unknown) => e instanceof StoreKeyNotFoundError && e.key === '/gone');
        await assert.rejects(s.update('/gone', 'v', { expectModRevision: 0 }), StoreKeyNotFoundError);
        await assert.rejects(s.delete('/gone', { expectModRevision: 5 }), StoreKeyNotFoundError);
        assert.equal(s.currentRevision(), b);
        assert.equal(await s.get('/gone'), undefined);
      }));

    it('refused writes neither bump the revision nor reach watchers', () =>
      withStore(async (s, b) => {
        const seen: StoreEvent[] = [];
        const w = s.watch('/f/', 0, (e) => seen.push(e));
        const c = await s.create('/f/a', '1');
        await assert.rejects(s.create('/f/a', '2'), StoreKeyExistsError);
        await assert.rejects(s.update('/f/a', '3', { expectModRevision: c.modRevision + 1 }), StoreConflictError);
        await assert.rejects(s.delete('/f/a', { expectModRevision: c.modRevision + 1 }), StoreConflictError);
        await assert.rejects(s.delete('/f/b'), StoreKeyNotFoundError);
        const u = await s.update('/f/a', '4', { expectModRevision: c.modRevision });
        w.stop();
        assert.equal(u.modRevision, b + 2);
        assert.deepEqual(
          seen.map((e) => [e.type, e.revision, e.kv.value]),
          [
            ['put', b + 1, '1'],
            ['put', b + 2, '4'],
          ],
        );
      }));

    it('a watcher stopped inside its callback gets nothing more', () =>
      withStore(async (s, b) => {
        for (let i = 0; i < 5; i++) await s.create(`/s/${i}`, String(i));
        const got: number[] = [];
        const w = s.watch('/s/', b + 1, (e) => {
          got.push(e.revision);
          if (got.length === 2) w.stop();
        });
        await waitFor(() => got.length >= 2, 5000, 'two events');
        await s.create('/s/5', '5');
        for (let i = 0; i < 5; i++) await tick();
        assert.deepEqual(got, [b + 2, b + 3]);
      }));

    it('values round-trip unchanged (unicode, large, empty JSON)', () =>
      withStore(async (s) => {
        const big = JSON.stringify({ data: 'x'.repeat(200_000), u: 'ünïcødé ✓ 𝄞' });
        await s.create('/v/big', big);
        await s.create('/v/empty', '');
        assert.equal((await s.get('/v/big'))?.value, big);
        assert.equal((await s.get('/v/empty'))?.value, '');
        assert.equal((await s.list('/v/')).items[0]?.value, big);
      }));
  });
}
