import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventHistory } from './event-history.js';
import type { StoreEvent } from '../store.js';

const ev = (revision: number, key: string, value = 'v'): StoreEvent => ({
  type: 'put',
  key,
  kv: { key, value, createRevision: revision, modRevision: revision },
  revision,
});

describe('EventHistory', () => {
  it('reads (after, upto] under a prefix, in order', () => {
    const h = new EventHistory(10);
    for (let r = 11; r <= 20; r++) h.append(ev(r, r % 2 ? `/a/${r}` : `/b/${r}`));
    assert.deepEqual(h.read('/a/', 12, 17).map((e) => e.revision), [13, 15, 17]);
    assert.deepEqual(h.read('', 18, 100).map((e) => e.revision), [19, 20]);
    assert.deepEqual(h.read('/a/', 10, 10), []);
    assert.deepEqual(h.read('/c/', 10, 20), []);
  });

  it('refuses reads from before what it covers', () => {
    const h = new EventHistory(10);
    assert.throws(() => h.read('', 9, 20), /no longer held/);
  });

  it('trims the oldest beyond the count budget, never above keepAbove', () => {
    const h = new EventHistory(0, { maxEvents: 3 });
    for (let r = 1; r <= 6; r++) h.append(ev(r, `/k/${r}`));
    h.trim(2);
    assert.equal(h.coveredFrom(), 2);
    assert.equal(h.size, 4);
    h.trim(Infinity);
    assert.equal(h.coveredFrom(), 3);
    assert.deepEqual(h.read('', 3, 6).map((e) => e.revision), [4, 5, 6]);
  });

  it('trims by size', () => {
    const h = new EventHistory(0, { maxBytes: 5_000 });
    for (let r = 1; r <= 10; r++) h.append(ev(r, `/k/${r}`, 'x'.repeat(1_000)));
    h.trim(Infinity);
    assert.ok(h.size <= 2 && h.size >= 1, `kept ${h.size}`);
    assert.equal(h.coveredFrom(), 10 - h.size);
  });

  it('compacts its array after many trims and keeps reading correctly', () => {
    const h = new EventHistory(0, { maxEvents: 10 });
    for (let r = 1; r <= 5_000; r++) {
      h.append(ev(r, '/k'));
      h.trim(Infinity);
    }
    assert.equal(h.size, 10);
    assert.deepEqual(h.read('/', 4_995, 5_000).map((e) => e.revision), [4_996, 4_997, 4_998, 4_999, 5_000]);
  });

  it('reset forgets everything', () => {
    const h = new EventHistory(0);
    h.append(ev(1, '/a'));
    h.reset(50);
    assert.equal(h.size, 0);
    assert.equal(h.coveredFrom(), 50);
    assert.deepEqual(h.read('', 50, 60), []);
  });
});
