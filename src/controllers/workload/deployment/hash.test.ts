import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash, fnv32a, safeEncodeString } from './hash.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('fnv32a matches the reference vectors of FNV-1a 32', () => {
  assert.equal(fnv32a(enc('')), 0x811c9dc5);
  assert.equal(fnv32a(enc('a')), 0xe40c292c);
  assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
});

test('safeEncodeString maps digits as rand.SafeEncodeString does (0-9 -> 4 5 6 7 8 9 b c d f)', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('computeHash: deterministic, key order does not matter, template and collisionCount change it', () => {
  const a = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
  const b = { spec: { containers: [{ image: 'nginx:1.27', name: 'web' }] }, metadata: { labels: { tier: 'fe', app: 'web' } } };
  assert.equal(computeHash(a), computeHash(b));
  assert.match(computeHash(a), /^[456789bcdf]{1,10}$/);
  assert.notEqual(computeHash(a), computeHash({ ...a, spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } }));
  assert.notEqual(computeHash(a), computeHash(a, 0));
  assert.notEqual(computeHash(a, 0), computeHash(a, 1));
});
