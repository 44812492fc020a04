/**
 * EtcdStore on a three-member etcd: the leader is killed with SIGKILL while 16 writers on two
 * stores create objects. Every acknowledged write must be there afterwards, and each store's
 * watch must have seen every object exactly once, in revision order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster, type EtcdMember } from '../../../test/support/etcd.js';
import { waitFor } from '../store-conformance.js';
import type { StoreEvent } from '../store.js';
import { EtcdStore } from './etcd-store.js';

let etcd: EtcdCluster | undefined;

before(async () => {
  etcd = await startEtcd({ members: 3 });
});
after(async () => {
  await etcd?.stop();
});

describe('EtcdStore on a three-member etcd', () => {
  it('a killed leader loses no acknowledged write and no watch event', async (t) => {
    const cluster = etcd!;
    const prefix = `/cluster-${process.pid}`;
    const open = (): Promise<EtcdStore> => EtcdStore.open({ endpoints: cluster.endpoints, prefix, compactionIntervalMs: 0, onWarning: () => undefined });
    const stores = [await open(), await open()];
    const seen: StoreEvent[][] = stores.map(() => []);
    const watchers = stores.map((s, i) => s.watch('/e/', 0, (e) => seen[i]!.push(e)));
    const acked = new Map<string, number>();
    const failures: string[] = [];
    let killed = false;
    let afterKill = 0;
    let stop = false;

    const writer = async (w: number): Promise<void> => {
      const store = stores[w % stores.length]!;
      for (let n = 0; !stop; n++) {
        const key = `/e/w${String(w).padStart(2, '0')}/${String(n).padStart(5, '0')}`;
        try {
          const kv = await store.create(key, JSON.stringify({ w, n }));
          acked.set(key, kv.modRevision);
          if (killed) afterKill++;
        } catch (err) {
          failures.push(`${key}: ${err instanceof Error ? err.name : String(err)}`);
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, w) => writer(w));
    let victim: EtcdMember | undefined;
    try {
      await waitFor(() => acked.size >= 200, 30_000, 'writes before the kill');
      victim = await cluster.leader();
      assert.ok(victim, 'a leader');
      await victim.kill();
      killed = true;
      await waitFor(() => afterKill >= 300, 60_000, 'writes after the kill');
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    await victim!.start();

    // Every acknowledged write is stored, at the revision it was acknowledged with.
    const listed = new Map((await stores[1]!.list('/e/')).items.map((kv) => [kv.key, kv.modRevision]));
    for (const [key, rev] of acked) assert.equal(listed.get(key), rev, `acknowledged ${key}@${rev}`);
    // Every stored object (acknowledged or not) reached both watches once, in revision order.
    for (const [i, events] of seen.entries()) {
      await waitFor(() => events.length >= listed.size, 10_000, `store ${i} events`);
      const revs = events.map((e) => e.revision);
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b), `store ${i}: revision order`);
      assert.equal(new Set(revs).size, revs.length, `store ${i}: no duplicates`);
      assert.deepEqual(new Map(events.map((e) => [e.key, e.revision])), listed, `store ${i}: every object once`);
    }
    t.diagnostic(`killed ${victim!.clientUrl}; acknowledged ${acked.size} (${afterKill} after the kill); failed ${failures.length}: ${failures.slice(0, 3).join(', ')}`);
    // Only writes whose outcome etcd could not tell may have failed.
    for (const f of failures) assert.match(f, /EtcdWriteOutcomeUnknownError/);
    for (const w of watchers) w.stop();
    for (const s of stores) await s.close();
  });
});
