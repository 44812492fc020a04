import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WatchHub, prefixEnd } from './watch-hub.js';
import type { StoreEvent } from './store.js';

const ev = (revision: number, key: string): StoreEvent => ({
  type: 'put',
  key,
  kv: { key, value: '', createRevision: revision, modRevision: revision },
  revision,
});

describe('prefixEnd', () => {
  it('increments the last code unit', () => {
    assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
    assert.equal(prefixEnd('a'), 'b');
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('a\uffff'), 'b');
    assert.equal(prefixEnd('\uffff\uffff'), undefined);
  });
});

describe('WatchHub', () => {
  it('replays in windows, ignores live events while replaying, then goes live', async () => {
    const history: StoreEvent[] = [];
    let rev = 0;
    const reads: Array<[number, number]> = [];
    const hub = new WatchHub({
      currentRevision: () => rev,
      readHistory: (prefix, after, upto) => {
        reads.push([after, upto]);
        return history.filter((e) => e.revision > after && e.revision <= upto && e.key.startsWith(prefix));
      },
      replayWindow: 4,
    });
    const commit = (key: string): void => {
      const e = ev(++rev, key);
      history.push(e);
      hub.deliver([e]);
    };
    for (let i = 0; i < 10; i++) commit(i % 2 ? '/a/x' : '/b/x');
    const got: number[] = [];
    const w = hub.add('/a/', 0, (e) => got.push(e.revision));
    assert.equal(hub.physicalCompactionLimit(), 0);
    commit('/a/y'); // 11, during replay
    await new Promise<void>((r) => setImmediate(r));
    commit('/a/z'); // 12
    while (hub.physicalCompactionLimit() !== Infinity) await new Promise<void>((r) => setImmediate(r));
    commit('/a/w'); // 13, live
    assert.deepEqual(got, [2, 4, 6, 8, 10, 11, 12, 13]);
    assert.deepEqual(reads[0], [0, 4]);
    w.stop();
    commit('/a/v');
    assert.equal(got.length, 8);
  });
});
