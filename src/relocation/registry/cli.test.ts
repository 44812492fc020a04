/**
 * `slipway registry serve` as a user runs it: option errors, a 128 MiB blob streamed through
 * without the process growing with it, a kill -9 in the middle of a chunk, and SIGTERM.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, digestOfStream, generatedBytes } from './test-support.js';

const BIN = new URL('../../../bin/slipway.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'slipway-registry-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'registry', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    const m = /"url":"([^"]+)".*"msg":"registry ready"/.exec(out);
    if (m) return { child, url: m[1]!, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`registry did not start: ${out}`);
}

/** Peak resident memory of a process (Linux VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

describe('slipway registry serve', () => {
  it('explains bad options in one line and exits 1', async () => {
    const help = await run(['registry', 'serve', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: slipway registry serve/);
    assert.match(help.stdout, /Examples:\n\s+slipway registry serve --storage/);
    const storage = join(root, 'unused');
    const cases: [string[], RegExp][] = [
      [['--storage', storage, '--listen', 'nonsense'], /^error: --listen must be HOST:PORT \(e\.g\. 127\.0\.0\.1:5000\), got "nonsense"\n$/],
      [['--storage', storage, '--tls-cert', join(root, 'x.crt')], /^error: --tls-key is required with --tls-cert\n$/],
      [['--storage', storage, '--tls-cert', join(root, 'x.crt'), '--tls-key', join(root, 'x.key')], /^error: --tls-cert .*x\.crt: no such file\n$/],
      [['--storage', storage, '--htpasswd', join(root, 'missing')], /^error: htpasswd file .*missing: no such file\n$/],
    ];
    writeFileSync(join(root, 'md5.htpasswd'), 'ann:$apr1$salt$hash\n');
    cases.push([['--storage', storage, '--htpasswd', join(root, 'md5.htpasswd')], /md5\.htpasswd line 1: user "ann" has a apr1 hash; supported: bcrypt/]);
    cases.push([[], /required option '--storage <dir>'/]);
    // each is a separate process; run them side by side
    const results = await Promise.all(cases.map(([args]) => run(['registry', 'serve', ...args])));
    results.forEach((r, i) => {
      assert.equal(r.code, 1, cases[i]![0].join(' '));
      assert.match(r.stderr, cases[i]![1]);
    });
  });

  it('refuses an address in use, naming it', async () => {
    const first = await serve(['--storage', join(root, 'busy'), '--listen', '127.0.0.1:0']);
    try {
      const port = new URL(first.url).port;
      const r = await run(['registry', 'serve', '--storage', join(root, 'busy2'), '--listen', `127.0.0.1:${port}`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^error: listen 127\\.0\\.0\\.1:${port}: address already in use\\n$`));
    } finally {
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, 'SIGTERM stops it cleanly');
    }
  });

  it('streams a 128 MiB blob in and out without growing with it', async () => {
    const s = await serve(['--storage', join(root, 'big'), '--listen', '127.0.0.1:0']);
    try {
      const size = 128 << 20;
      const digest = await digestOfStream(generatedBytes(size));
      const start = await call(s.url, 'POST', '/v2/big/blobs/uploads/');
      const half = size / 2;
      async function* slice(from: number, to: number): AsyncGenerator<Buffer> {
        let pos = 0;
        for await (const c of generatedBytes(size)) {
          const a = Math.max(from - pos, 0);
          const b = Math.min(to - pos, c.length);
          if (b > a) yield c.subarray(a, b);
          pos += c.length;
          if (pos >= to) return;
        }
      }
      const p1 = await call(s.url, 'PATCH', start.header('location')!, { body: slice(0, half), headers: { 'content-range': `0-${half - 1}`, 'content-length': half } });
      assert.equal(p1.status, 202, p1.text);
      const fin = await call(s.url, 'PUT', `${p1.header('location')}?digest=${digest}`, { body: slice(half, size), headers: { 'content-range': `${half}-${size - 1}`, 'content-length': half } });
      assert.equal(fin.status, 201, fin.text);
      // download it streaming, hashing as it arrives
      const got = await new Promise<{ digest: string; length: number }>((resolve, reject) => {
        request(`${s.url}/v2/big/blobs/${digest}`, (res) => {
          let length = 0;
          async function* counted(): AsyncGenerator<Buffer> {
            for await (const c of res) {
              length += (c as Buffer).length;
              yield c as Buffer;
            }
          }
          digestOfStream(counted()).then((d) => resolve({ digest: d, length }), reject);
        }).on('error', reject).end();
      });
      assert.deepEqual(got, { digest, length: size });
      const peak = peakRssMiB(s.child.pid!);
      assert.ok(peak < 160, `peak RSS ${peak.toFixed(0)} MiB while moving a 128 MiB blob twice`);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });

  it('after kill -9 in the middle of a chunk, resumes from the last acknowledged byte', async () => {
    const storage = join(root, 'crash');
    let s = await serve(['--storage', storage, '--listen', '127.0.0.1:0']);
    const first = Buffer.alloc(1000, 'a');
    const start = await call(s.url, 'POST', '/v2/crash/blobs/uploads/');
    const p1 = await call(s.url, 'PATCH', start.header('location')!, { body: first, headers: { 'content-range': '0-999' } });
    assert.equal(p1.status, 202);
    const loc = p1.header('location')!;
    const id = readdirSync(join(storage, 'uploads'))[0]!;
    // a second chunk that announces 4 MiB, sends 1.5 MiB and then hangs; the registry dies under it
    const req = request(`${s.url}${loc}`, { method: 'PATCH', headers: { 'content-range': `1000-${1000 + (4 << 20) - 1}`, 'content-length': 4 << 20 } });
    req.on('error', () => undefined);
    try {
      req.write(Buffer.alloc(3 << 19, 'b'));
      const dataFile = join(storage, 'uploads', id, 'data');
      for (let i = 0; i < 200 && statSync(dataFile).size <= 1000; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(statSync(dataFile).size > 1000, 'part of the chunk reached the disk');
    } finally {
      s.child.kill('SIGKILL');
      await s.exited;
      req.destroy();
    }

    s = await serve(['--storage', storage, '--listen', '127.0.0.1:0']);
    try {
      const st = await call(s.url, 'GET', loc);
      assert.equal(st.status, 204);
      assert.equal(st.header('range'), '0-999', 'the unacknowledged bytes are gone');
      assert.equal(statSync(join(storage, 'uploads', id, 'data')).size, 1000);
      const rest = Buffer.alloc(500, 'c');
      const whole = Buffer.concat([first, rest]);
      const { createHash } = await import('node:crypto');
      const digest = `sha256:${createHash('sha256').update(whole).digest('hex')}`;
      const fin = await call(s.url, 'PUT', `${loc}?digest=${digest}`, { body: rest, headers: { 'content-range': '1000-1499' } });
      assert.equal(fin.status, 201, fin.text);
      assert.ok((await call(s.url, 'GET', `/v2/crash/blobs/${digest}`)).body.equals(whole));
    } finally {
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    }
  });
});
