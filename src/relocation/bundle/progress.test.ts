import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { formatBytes, formatDuration, Progress } from './progress.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  let out = '';
  const w = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.toString();
      cb();
    },
  }) as Writable & { isTTY: boolean; columns: number; text: () => string };
  w.isTTY = isTTY;
  w.columns = 120;
  w.text = () => out;
  return w;
}

describe('progress output', () => {
  it('prints one plain line per blob and image when not a terminal', () => {
    const out = sink(false);
    const p = new Progress({ out, verb: 'upload' });
    p.start({ bytes: 3072, images: 1, blobs: 2 });
    p.bytes(1024);
    p.blob('pushed', `sha256:${'a'.repeat(64)}`, 1024, 'to site/pause');
    p.blob('mounted', `sha256:${'b'.repeat(64)}`, 2048, 'into site/etcd from site/pause');
    p.image('uploaded', 'reg/site/pause:3.7');
    p.stop();
    assert.deepEqual(out.text().trim().split('\n'), [
      `pushed blob sha256:aaaaaaaaaaaa 1.0 KiB to site/pause [1/2 blobs]`,
      `mounted blob sha256:bbbbbbbbbbbb 2.0 KiB into site/etcd from site/pause [2/2 blobs]`,
      'uploaded image reg/site/pause:3.7 [1/1 images]',
    ]);
  });

  it('draws one bar (bytes, rate, images) on a terminal, with notes above it', () => {
    const out = sink(true);
    const p = new Progress({ out, verb: 'download' });
    p.start({ bytes: 4 * 1048576, images: 2, blobs: 3 });
    p.bytes(2 * 1048576);
    p.image('downloaded', 'a:1');
    p.blob('downloaded', `sha256:${'c'.repeat(64)}`, 5, 'from x');
    p.note('retrying GET /v2/ in 200 ms');
    p.stop();
    const t = out.text();
    assert.ok(!t.includes('downloaded blob'), 'no per-blob lines on a terminal');
    assert.match(t, /retrying GET \/v2\/ in 200 ms\n/);
    assert.match(t, /\r\x1b\[2Kdownload \[=+> +\] 2\.0 MiB\/4\.0 MiB [\d.]+ \w+\/s {2}images 1\/2\n$/);
  });

  it('formats sizes and durations', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(1024 ** 3), '1.0 GiB');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(125_000), '2m5s');
  });
});
