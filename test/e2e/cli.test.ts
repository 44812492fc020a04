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

  it('prints help for the program and every command and subcommand', async () => {
    const commandsIn = (help: string): string[] => {
      const section = (help.split(/^Commands:$/m)[1] ?? '').split(/\n\s*\n/)[0]!;
      return [...section.matchAll(/^\s{2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    };
    const top = await run(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: slipway/);
    const pending = commandsIn(top.stdout).map((c) => [c]);
    const seen: string[] = [];
    for (const expected of ['server', 'version', 'controllers', 'psa', 'topology', 'class', 'isolated-cluster', 'registry']) {
      assert.ok(pending.some((p) => p[0] === expected), `top-level help lists ${expected}`);
    }
    while (pending.length) {
      const path = pending.shift()!;
      const r = await run([...path, '--help']);
      assert.equal(r.code, 0, `${path.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Usage: slipway ${path.join(' ')}`));
      seen.push(path.join(' '));
      for (const sub of commandsIn(r.stdout)) pending.push([...path, sub]);
    }
    for (const nested of ['psa check', 'topology plan', 'class explain', 'isolated-cluster download-bundle', 'isolated-cluster upload-bundle', 'isolated-cluster verify-bundle', 'registry serve']) {
      assert.ok(seen.includes(nested), `help reached "${nested}"`);
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
