import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterRound, PeriodicCompactor, type CompactionRound, type CompactorState } from './compactor.js';

describe('afterRound (kube-apiserver compaction rounds)', () => {
  const cases: Array<[string, CompactorState, CompactionRound, CompactorState, number]> = [
    ['first round records the revision, compacts nothing', { version: 0, revision: 0 }, { succeeded: true, version: 1, revision: 100 }, { version: 1, revision: 100 }, 0],
    ['won round compacts the revision of the previous round', { version: 1, revision: 100 }, { succeeded: true, version: 2, revision: 250 }, { version: 2, revision: 250 }, 100],
    ['lost round learns the version, compacts nothing', { version: 1, revision: 100 }, { succeeded: false, version: 4, revision: 300 }, { version: 4, revision: 300 }, 0],
  ];
  for (const [name, state, round, next, compactAt] of cases) {
    it(name, () => assert.deepEqual(afterRound(state, round), { state: next, compactAt }));
  }
});

describe('PeriodicCompactor', () => {
  it('two compactors on one key take turns; each compaction is one round old', async () => {
    // A shared key and revision counter standing in for etcd (the real one is tested in etcd-store.test.ts).
    let keyVersion = 0;
    let rev = 10;
    const compactions: Array<[string, number]> = [];
    const make = (name: string): PeriodicCompactor =>
      new PeriodicCompactor(
        {
          swapCompactKey: async (expect) => {
            rev += 5;
            if (expect !== keyVersion) return { succeeded: false, version: keyVersion, revision: rev };
            keyVersion++;
            return { succeeded: true, version: keyVersion, revision: rev };
          },
          compact: async (r) => {
            compactions.push([name, r]);
          },
        },
        0,
      );
    const a = make('a');
    const b = make('b');
    await a.round(); // a wins (v0→1) at rev 15, nothing to compact
    await b.round(); // b loses, learns v1, rev 20
    await a.round(); // a wins (v1→2) at 25, compacts 15
    await b.round(); // b loses (expects 1), learns v2 at 30
    await b.round(); // b wins (v2→3) at 35, compacts 30
    assert.deepEqual(compactions, [
      ['a', 15],
      ['b', 30],
    ]);
  });
});
