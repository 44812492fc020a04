import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { formatProgress, formatSummary, parseMigrateSource, parseMigrateTarget } from './migrate.js';

describe('slipway migrate flags', () => {
  it('parses --from', () => {
    const cases: Array<[string, string | RegExp]> = [
      ['sqlite:/var/lib/slipway', '/var/lib/slipway'],
      ['sqlite:rel/dir', resolve('rel/dir')],
      [' sqlite:/d/state.db ', '/d/state.db'],
      ['sqlite:', /"sqlite:" is not a source: use sqlite:DIR/],
      ['/var/lib/slipway', /is not a source: use sqlite:DIR/],
      ['etcd:http://x:2379', /is not a source/],
    ];
    for (const [text, want] of cases) {
      if (typeof want === 'string') assert.deepEqual(parseMigrateSource(text), { engine: 'sqlite', path: want }, text);
      else assert.throws(() => parseMigrateSource(text), want, text);
    }
  });

  it('parses --to', () => {
    const cases: Array<[string, string[] | RegExp]> = [
      ['etcd:http://127.0.0.1:2379', ['http://127.0.0.1:2379']],
      ['etcd:https://a:2379, https://b:2379,', ['https://a:2379', 'https://b:2379']],
      ['etcd:', /names no etcd URL/],
      ['etcd:,', /names no etcd URL/],
      ['http://127.0.0.1:2379', /is not a target: use etcd:URL/],
      ['etcd:127.0.0.1:2379', /"127.0.0.1:2379" is not an etcd client URL/],
      ['etcd:ftp://a:1', /"ftp:\/\/a:1" is not an etcd client URL/],
    ];
    for (const [text, want] of cases) {
      if (Array.isArray(want)) assert.deepEqual(parseMigrateTarget(text), { engine: 'etcd', endpoints: want }, text);
      else assert.throws(() => parseMigrateTarget(text), want, text);
    }
  });

  it('prints progress and the summary', () => {
    assert.equal(formatProgress({ copiedKeys: 1200, totalKeys: 5000, copiedBytes: 3 * 1024 * 1024 + 200_000 }), 'copied 1200/5000 keys (3.2 MiB)\n');
    const text = formatSummary({ source: '/d/state.db', keys: 5000, bytes: 12 * 1024 * 1024, seconds: 2.345, sourceRevision: 9876, offset: 9876, sha256: 'ab'.repeat(32) });
    assert.match(text, /^migrated 5000 keys \(12\.0 MiB\) in 2\.3 s from \/d\/state\.db; verified \(sha256 abababababababab…\)\n/);
    assert.match(text, /the source was at 9876; revisions on etcd are offset by 9876/);
  });
});
