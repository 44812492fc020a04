/**
 * `slipway server` (what `npm start` runs) logs JSON when its output is piped and readable lines with
 * --log-format text. Runs the server from the sources as a child process on a loopback port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const RUNNER = new URL('../support/slipway-source.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

/** Start the server, collect stdout until the "ready" line (or the deadline), stop it with SIGTERM. */
async function serverOutput(args: string[], dataDir: string): Promise<{ lines: string[]; code: number | null }> {
  const env = { ...process.env };
  delete env.NO_COLOR;
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--storage', 'memory', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no "ready" line within 120 s; stdout: ${out}; stderr: ${err}`)), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/management plane ready/.test(out) && out.endsWith('\n')) {
        clearTimeout(deadline);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before it was ready; stderr: ${err}`)));
  });
  try {
    await ready;
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  return { lines: out.split('\n').filter(Boolean), code };
}

describe('slipway server log format', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'slipway-logs-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('piped: one JSON object a line', async () => {
    const { lines, code } = await serverOutput([], dataDir());
    assert.equal(code, 0);
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
    const ready = records.find((r) => r.msg === 'slipway management plane ready');
    assert.ok(ready, lines.join('\n'));
    assert.equal(ready.level, 30);
    assert.match(ready.url ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('--log-format text: readable lines, no JSON, no colour codes when piped', async () => {
    const { lines, code } = await serverOutput(['--log-format', 'text'], dataDir());
    assert.equal(code, 0);
    const ready = lines.find((l) => l.includes('slipway management plane ready'));
    assert.ok(ready, lines.join('\n'));
    assert.match(ready, /^\d\d:\d\d:\d\d\.\d{3} INFO  slipway management plane ready url=https:\/\/127\.0\.0\.1:\d+ kubeconfig=\S+ /);
    for (const l of lines) assert.doesNotMatch(l, /^\{|\x1b/);
  });

  it('--log-format with an unknown value is a usage error', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, 'server', '--log-format', 'xml'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(err, /--log-format <format>' argument 'xml' is invalid/);
  });
});
