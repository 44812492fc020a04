import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeySpace, keyAfter, rangeEndOf } from './keys.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('etcd key ranges', () => {
  const cases: Array<[string, number[], number[]]> = [
    ['last byte incremented', [0x2f, 0x61], [0x2f, 0x62]],
    ['trailing 0xff dropped', [0x61, 0xff, 0xff], [0x62]],
    ['all 0xff: to the end', [0xff, 0xff], [0x00]],
    ['empty: to the end', [], [0x00]],
    ['slash prefix', [0x2f], [0x30]],
  ];
  for (const [name, prefix, end] of cases) it(`rangeEndOf: ${name}`, () => assert.deepEqual([...rangeEndOf(Buffer.from(prefix))], end));

  it('keyAfter appends a zero byte', () => assert.equal(hex(keyAfter(Buffer.from('ab'))), '616200'));

  it('KeySpace maps keys under a prefix and back', () => {
    const ks = new KeySpace('/plane-a');
    assert.equal(ks.encode('/registry/pods/x').toString(), '/plane-a/registry/pods/x');
    assert.equal(ks.decode(Buffer.from('/plane-a/registry/pods/x')), '/registry/pods/x');
    assert.equal(ks.decode(Buffer.from('/plane-b/registry/pods/x')), undefined);
    assert.equal(ks.decode(Buffer.from('/plane')), undefined);
    assert.deepEqual(
      Object.fromEntries(Object.entries(ks.range('/registry/')).map(([k, v]) => [k, v.toString()])),
      { start: '/plane-a/registry/', end: '/plane-a/registry0' },
    );
  });

  it('KeySpace without prefix: keys as given; the whole keyspace is ["\\0", "\\0")', () => {
    const ks = new KeySpace('');
    assert.equal(ks.decode(Buffer.from('/registry/a')), '/registry/a');
    const all = ks.range('');
    assert.deepEqual([[...all.start], [...all.end]], [[0], [0]]);
  });

  it('UTF-8 keys round-trip', () => {
    const ks = new KeySpace('/p');
    assert.equal(ks.decode(ks.encode('/ns/ünï/𝄞')), '/ns/ünï/𝄞');
  });
});
