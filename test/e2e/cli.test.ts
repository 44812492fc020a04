/** The `slipway` executable: help on every command, and `slipway server` as a user runs it. */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const BIN = new URL('../../bin/slipway.js', import.meta.url).pathname;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

describe('slipway CLI', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('prints help for the program and every command', async () => {
    const top = await run(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: slipway/);
    const commands = [...top.stdout.matchAll(/^\s{2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    assert.ok(commands.includes('server'), top.stdout);
    for (const c of commands) {
      const r = await run([c, '--help']);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Usage: slipway ${c}`));
    }
    const bad = await run(['server', '--listen', 'nonsense', '--data-dir', join(tmpdir(), 'slipway-never')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--listen must be HOST:PORT/);
  });

  it('`slipway server` starts, writes admin.kubeconfig that kubectl uses, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
    dirs.push(dir);
    const child = spawn(process.execPath, [BIN, 'server', '--data-dir', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/management plane ready/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const ready = out.split('\n').filter((l) => l.includes('management plane ready'));
      assert.equal(ready.length, 1, out);
      const line = JSON.parse(ready[0]!) as { url: string; kubeconfig: string };
      assert.equal(line.kubeconfig, join(dir, 'admin.kubeconfig'));
      for (const f of ['admin.kubeconfig', 'state.db', 'pki/ca.crt', 'pki/ca.key']) assert.ok(existsSync(join(dir, f)), f);
      assert.equal(statSync(join(dir, 'pki/ca.key')).mode & 0o077, 0, 'private keys are not readable by others');
      assert.match(readFileSync(join(dir, 'admin.kubeconfig'), 'utf8'), new RegExp(line.url.replace(/[.[\]]/g, '\\$&')));
      const ns = await kubectl(line.kubeconfig, ['get', 'namespaces', '-o', 'name']);
      assert.equal(ns.code, 0, ns.stderr);
      assert.match(ns.stdout, /namespace\/default/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, out);
  });

  it('prints its version', async () => {
    const r = await run(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^slipway \d+\.\d+\.\d+/);
  });
});
