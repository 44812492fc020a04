import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tar from 'tar-stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { indexTar, packTar } from './tar.js';
import { openBundle } from './source.js';

describe('bundle tar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tar-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('packs files in order and reads any entry back by byte range without extracting', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'blobs', 'sha256'), { recursive: true });
    const big = Buffer.alloc(70_001, 7);
    big[69_999] = 1;
    writeFileSync(join(src, 'a.json'), '{"a":1}');
    writeFileSync(join(src, 'blobs', 'sha256', 'f'.repeat(64)), big);
    writeFileSync(join(src, 'empty'), '');
    const out = join(dir, 'b.tar');
    await packTar(src, ['a.json', `blobs/sha256/${'f'.repeat(64)}`, 'empty'], out);
    const idx = await indexTar(out);
    assert.deepEqual([...idx.keys()], ['a.json', `blobs/sha256/${'f'.repeat(64)}`, 'empty']);
    const raw = readFileSync(out);
    const e = idx.get(`blobs/sha256/${'f'.repeat(64)}`)!;
    assert.equal(e.size, big.length);
    assert.ok(raw.subarray(e.offset, e.offset + e.size).equals(big));
    const b = await openBundle(out);
    const chunks: Buffer[] = [];
    for await (const c of b.open(`blobs/sha256/${'f'.repeat(64)}`, 69_998, 70_000) as AsyncIterable<Buffer>) chunks.push(c);
    assert.deepEqual([...Buffer.concat(chunks)], [7, 1, 7]);
    assert.equal((await b.read('a.json')).toString(), '{"a":1}');
    assert.equal(await b.size('empty'), 0);
    truncateSync(out, statSync(out).size - 2048 - 600);
    await assert.rejects(indexTar(out), /truncated tar \(entry blobs\/sha256\/f+\): entry needs 70001 bytes/);
  });

  it('reads long names written as pax headers by other tools', async () => {
    const out = join(dir, 'pax.tar');
    const pack = tar.pack();
    const name = `${'d'.repeat(120)}/file.txt`;
    pack.entry({ name, size: 3 }, 'abc');
    pack.finalize();
    await pipeline(pack, createWriteStream(out));
    const idx = await indexTar(out);
    assert.equal(idx.get(name)?.size, 3);
  });
});
