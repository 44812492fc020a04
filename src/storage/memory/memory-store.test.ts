import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from './memory-store.js';
import { runStoreConformance, waitFor } from '../store-conformance.js';

runStoreConformance('MemoryStore', async (opts) => ({ store: new MemoryStore(opts) }));

describe('MemoryStore', () => {
  it('drops compacted history, but only once no watcher still replays it', async () => {
    const s = new MemoryStore({ replayWindow: 3 });
    for (let i = 0; i < 20; i++) await s.create(`/h/${i}`, String(i));
    const got: number[] = [];
    const w = s.watch('/h/', 0 + 2, (e) => got.push(e.revision));
    await s.compact(15);
    assert.ok(s.historySize() > 5, 'history kept for the replaying watcher');
    await waitFor(() => got.length >= 18);
    assert.equal(s.historySize(), 5);
    w.stop();
    await s.close();
  });

  it('rejects use after close', async () => {
    const s = new MemoryStore();
    await s.close();
    await assert.rejects(s.create('/a', '1'), /closed/);
    await assert.rejects(s.get('/a'), /closed/);
  });
});
