/**
 * `slipway controllers` as a separate process against `slipway server` over HTTPS: convergence,
 * SIGKILL and restart, two managers with leader election and failover, SIGTERM shutdown.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeconfigClient, type Client } from '../../src/client/index.js';
import type { Lease } from '../../src/runtime/leader-election.js';
import { eventually } from '../support/plane.js';
import { THING, installThingCrd, thing } from '../support/runtime-kit.js';

const BIN = new URL('../../bin/slipway.js', import.meta.url).pathname;
const LOAD = new URL('../support/copy-controller.ts', import.meta.url).pathname;
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

interface Child {
  proc: ChildProcess;
  out: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function slipway(args: string[]): Child {
  // --import tsx lets `--load` import the TypeScript test module even when dist/ is built.
  const proc = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => out.push(c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, out, exit };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('slipway controllers (separate processes over HTTPS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-ctrl-'));
  const kubeconfig = join(dir, 'admin.kubeconfig');
  let server: Child;
  let client: Client;
  const children: Child[] = [];
  const manager = (identity: string, ns: string, extra: string[] = []): Child => {
    const c = slipway(['controllers', '--kubeconfig', kubeconfig, '--load', LOAD, '--identity', identity, '--leader-elect-namespace', ns, '--lease-duration', '2s', '--metrics-bind-address', '127.0.0.1:0', ...extra]);
    children.push(c);
    return c;
  };
  const holder = async (ns: string): Promise<string | undefined> => {
    try {
      return (await client.get<Lease>(LEASE, { namespace: ns, name: 'slipway-controllers' })).spec?.holderIdentity;
    } catch {
      return undefined;
    }
  };

  before(async () => {
    // Memory storage keeps thousands of writes fast; only the manager is killed and restarted here.
    server = slipway(['server', '--data-dir', dir, '--listen', '127.0.0.1:0', '--storage', 'memory']);
    await eventually(() => existsSync(kubeconfig), 30_000, 'slipway server wrote admin.kubeconfig');
    client = await kubeconfigClient(kubeconfig);
    await eventually(async () => (await client.list({ apiVersion: 'v1', kind: 'Namespace' })).items.length > 0, 30_000, 'API server answering');
    await installThingCrd(client);
  });
  after(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    client?.close();
    server?.proc.kill('SIGTERM');
    await server?.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help has an example; bad input fails with a one-line error naming it', async () => {
    const help = await run(['controllers', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: slipway controllers/);
    assert.match(help.stdout, /Example:\n  slipway controllers --kubeconfig/);
    const missing = await run(['controllers', '--kubeconfig', join(dir, 'nope.kubeconfig')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: cannot read kubeconfig .*nope\.kubeconfig/);
    const dur = await run(['controllers', '--kubeconfig', kubeconfig, '--lease-duration', 'soon']);
    assert.equal(dur.code, 1);
    assert.match(dur.stderr, /--lease-duration: invalid duration "soon"/);
    const unknown = await run(['controllers', '--kubeconfig', kubeconfig, '--controllers', 'bogus']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--controllers: unknown controller "bogus"/);
  });

  it('converges 1,000 objects, and again after the manager is SIGKILLed and restarted', async () => {
    const ns = 'cli-copy';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const first = manager('solo', ns);
    await eventually(() => first.out.join('').includes('controller manager started'), 30_000, 'manager started');
    const creates: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      creates.push(client.create(thing(`t-${i}`, i, ns)));
      if (creates.length === 20) await Promise.all(creates.splice(0));
    }
    await Promise.all(creates);
    const done = async (offset: number): Promise<boolean> => {
      const items = (await client.list(THING, { namespace: ns })).items;
      return items.length === 1000 && items.every((o) => o.spec?.value === Number(o.metadata!.name!.slice(2)) + offset && o.status?.value === o.spec?.value);
    };
    await eventually(() => done(0), 90_000, '1,000 converged');
    // /metrics and /healthz of the child.
    const started = first.out.join('').split('\n').find((l) => l.includes('controller manager started'))!;
    const metricsUrl = (JSON.parse(started) as { metrics: string }).metrics;
    const health = await fetch(`${metricsUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.match(await (await fetch(`${metricsUrl}/metrics`)).text(), /controller_runtime_reconcile_total\{controller="copy",result="success"\}/);

    first.proc.kill('SIGKILL');
    assert.equal((await first.exit).signal, 'SIGKILL');
    const patches: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      patches.push(client.patch(THING, { namespace: ns, name: `t-${i}` }, { type: 'merge', body: { spec: { value: i + 1, text: `v${i + 1}` } } }));
      if (patches.length === 20) await Promise.all(patches.splice(0));
    }
    await Promise.all(patches);
    const second = manager('solo', ns);
    await eventually(() => done(1), 90_000, 'converged again after restart');
    second.proc.kill('SIGTERM');
    assert.deepEqual(await second.exit, { code: 0, signal: null });
  });

  it('two managers: only the leader acts; after the leader is SIGKILLed the other takes over', async () => {
    const ns = 'cli-le';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(thing('x', 1, ns));
    const a = manager('manager-a', ns);
    await eventually(async () => (await holder(ns)) === 'manager-a', 30_000, 'a holds the lease');
    const b = manager('manager-b', ns);
    await eventually(() => b.out.join('').includes('controller manager started'), 30_000, 'b started');
    await eventually(async () => (await client.get(THING, { namespace: ns, name: 'x' })).status?.copiedBy === 'manager-a', 10_000, 'a reconciles');
    for (let v = 2; v <= 5; v++) await client.patch(THING, { namespace: ns, name: 'x' }, { type: 'merge', body: { spec: { value: v } } });
    await eventually(async () => (await client.get(THING, { namespace: ns, name: 'x' })).status?.value === 5, 10_000, 'a reconciles the changes');
    assert.equal((await client.get(THING, { namespace: ns, name: 'x' })).status?.copiedBy, 'manager-a', 'b never acted');
    assert.equal(await holder(ns), 'manager-a');

    a.proc.kill('SIGKILL');
    await a.exit;
    await client.patch(THING, { namespace: ns, name: 'x' }, { type: 'merge', body: { spec: { value: 6 } } });
    await eventually(async () => (await holder(ns)) === 'manager-b', 20_000, 'b takes the lease after it expires');
    try {
      await eventually(async () => {
        const o = await client.get(THING, { namespace: ns, name: 'x' });
        return o.status?.copiedBy === 'manager-b' && o.status.value === 6;
      }, 20_000, 'b reconciles');
    } catch (e) {
      throw new Error(`${(e as Error).message}\nmanager-b output:\n${b.out.join('')}`);
    }
    const lease = await client.get<Lease>(LEASE, { namespace: ns, name: 'slipway-controllers' });
    assert.equal(lease.spec?.leaseDurationSeconds, 2);
    assert.ok((lease.spec?.leaseTransitions ?? 0) >= 1);

    // SIGTERM: a clean stop that releases the lease.
    b.proc.kill('SIGTERM');
    assert.deepEqual(await b.exit, { code: 0, signal: null });
    assert.equal(await holder(ns), '', 'released on SIGTERM');
    assert.match(b.out.join(''), /"signal":"SIGTERM".*shutting down/);
  });
});
