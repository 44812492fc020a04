import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from './memory/memory-store.js';
import { runStoreConformance, waitFor } from './store-conformance.js';
import { StoreCompactedError, StoreConflictError, StoreKeyNotFoundError, type StoreEvent } from './store.js';
import {
  applyRevisionOffset,
  decodeRevisionOffset,
  encodeRevisionOffset,
  REVISION_OFFSET_KEY,
  RevisionOffsetStore,
} from './revision-offset.js';

const OFFSET = 1_000_000;

/** An inner store as after a migration: a few revisions of its own already spent (etcd starts at 1, the copy). */
async function migratedStore(replayWindow?: number): Promise<RevisionOffsetStore> {
  const inner = new MemoryStore({ replayWindow });
  await inner.create('/scratch', '{}');
  await inner.delete('/scratch');
  return new RevisionOffsetStore(inner, OFFSET);
}

runStoreConformance('RevisionOffsetStore over MemoryStore', async (opts) => {
  const store = await migratedStore(opts.replayWindow);
  return { store, baseRevision: store.currentRevision() };
});

describe('RevisionOffsetStore', () => {
  it('reports every revision shifted by the offset', async () => {
    const s = await migratedStore();
    assert.equal(s.currentRevision(), OFFSET + 2);
    assert.equal(s.compactedRevision(), OFFSET);
    const kv = await s.create('/a', '1');
    assert.deepEqual(kv, { key: '/a', value: '1', createRevision: OFFSET + 3, modRevision: OFFSET + 3 });
    assert.deepEqual(await s.get('/a'), kv);
    const list = await s.list('/');
    assert.equal(list.revision, OFFSET + 3);
    assert.deepEqual(list.items, [kv]);
    await s.close();
  });

  it('takes revisions back in the inner numbering (preconditions, watch, compact)', async () => {
    const s = await migratedStore();
    const a = await s.create('/a', '1');
    const b = await s.update('/a', '2', { expectModRevision: a.modRevision });
    assert.equal(b.modRevision, OFFSET + 4);
    assert.equal(b.createRevision, a.createRevision);
    await assert.rejects(s.update('/a', '3', { expectModRevision: a.modRevision }), (e: unknown) => e instanceof StoreConflictError && e.actual === b.modRevision);
    const events: StoreEvent[] = [];
    const w = s.watch('/', a.modRevision, (e) => events.push(e));
    const c = await s.delete('/a', { expectModRevision: b.modRevision });
    assert.equal(c.modRevision, b.modRevision);
    await waitFor(() => events.length >= 2, 5000, 'two events');
    assert.deepEqual(events.map((e) => [e.type, e.revision, e.kv.modRevision, e.prev?.modRevision]), [
      ['put', OFFSET + 4, OFFSET + 4, OFFSET + 3],
      ['delete', OFFSET + 5, OFFSET + 4, OFFSET + 4],
    ]);
    w.stop();
    await s.compact(OFFSET + 4);
    assert.equal(s.compactedRevision(), OFFSET + 4);
    assert.equal((s.inner as MemoryStore).compactedRevision(), 4);
    // Compacting at or below the offset has nothing to drop.
    await s.compact(OFFSET);
    await s.compact(5);
    assert.equal(s.compactedRevision(), OFFSET + 4);
    assert.throws(() => s.watch('/', OFFSET + 3, () => {}), (e: unknown) => e instanceof StoreCompactedError && e.requested === OFFSET + 3 && e.compacted === OFFSET + 4);
    await s.close();
  });

  it('answers a watch from before the migration (at or below the offset) as compacted, and 0 as "from now"', async () => {
    const s = await migratedStore();
    for (const from of [1, OFFSET - 1, OFFSET]) {
      assert.throws(() => s.watch('/', from, () => {}), (e: unknown) => e instanceof StoreCompactedError && e.requested === from && e.compacted === OFFSET);
    }
    const events: StoreEvent[] = [];
    const w = s.watch('/', 0, (e) => events.push(e));
    await s.create('/n', '1');
    await waitFor(() => events.length >= 1, 5000, 'one event');
    assert.deepEqual(events.map((e) => e.revision), [OFFSET + 3]);
    w.stop();
    await s.close();
  });

  it('treats a precondition on a pre-migration revision as a conflict (or not found)', async () => {
    const s = await migratedStore();
    const a = await s.create('/a', '1');
    await assert.rejects(s.update('/a', '2', { expectModRevision: 17 }), (e: unknown) => e instanceof StoreConflictError && e.actual === a.modRevision);
    await assert.rejects(s.delete('/a', { expectModRevision: OFFSET }), (e: unknown) => e instanceof StoreConflictError && e.actual === a.modRevision);
    await assert.rejects(s.delete('/missing', { expectModRevision: 17 }), StoreKeyNotFoundError);
    // "Must not exist" (0) keeps its meaning.
    await assert.rejects(s.update('/a', '2', { expectModRevision: 0 }), StoreConflictError);
    await s.close();
  });

  it('is applied when the store holds the offset key, and not otherwise', async () => {
    const plain = new MemoryStore();
    assert.equal(await applyRevisionOffset(plain), plain);
    await plain.create(REVISION_OFFSET_KEY, encodeRevisionOffset({ offset: 42, source: 'sqlite:/x/state.db' }));
    const wrapped = await applyRevisionOffset(plain);
    assert.ok(wrapped instanceof RevisionOffsetStore);
    assert.equal(wrapped.offset, 42);
    assert.equal(wrapped.currentRevision(), 43);
    await wrapped.close();
  });

  it('decodes only whole, non-negative offsets', () => {
    const cases: Array<[string, number | RegExp]> = [
      ['{"offset":0}', 0],
      ['{"offset":12345,"source":"sqlite:/d/state.db","migratedAt":"2026-12-07T13:00:00Z"}', 12345],
      ['{"offset":-1}', /no valid offset/],
      ['{"offset":1.5}', /no valid offset/],
      ['{"offset":"7"}', /no valid offset/],
      ['{}', /no valid offset/],
      ['null', /no valid offset/],
      ['7', /no valid offset/],
      ['not json', /not JSON/],
    ];
    for (const [value, want] of cases) {
      if (typeof want === 'number') assert.equal(decodeRevisionOffset(value), want, value);
      else assert.throws(() => decodeRevisionOffset(value), want, value);
    }
  });
});
