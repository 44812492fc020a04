/**
 * IPAM under concurrency and crashes (issue 13): a management plane in a child process on a data dir, a /23
 * InClusterIPPool (510 allocatable addresses) and 16 concurrent HTTPS clients creating 500 IPAddressClaims. The
 * plane is killed with SIGKILL twice mid-way and restarted on the same data dir; POSTs that fail while it is down
 * are retried once it is back (a POST that reached storage before the kill answers 409 on retry). At the end every
 * claim has exactly one IPAddress (named as the claim, referenced by status.addressRef), the 500 addresses are
 * distinct, inside the pool and the 500 lowest of it (no address leaked by a reservation lost in a crash), addresses
 * seen before each kill are unchanged, and the pool's status counts 500 used.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { expect, httpsAgent, request, type Target } from '../../bench/support/http.js';
import { cleanup, removeDir, startServer, tempDir, type ServerChild } from '../../bench/support/procs.js';
import { eventually } from '../support/plane.js';

const NS = 'crash';
const POOL = 'p23';
const CLAIMS = 500;
const CLIENTS = 16;
const KILL_AFTER = [150, 320];
const IPAM = '/apis/ipam.cluster.x-k8s.io';
const CLAIMS_PATH = `${IPAM}/v1beta1/namespaces/${NS}/ipaddressclaims`;
const ADDRESSES_PATH = `${IPAM}/v1beta1/namespaces/${NS}/ipaddresses`;
const POOL_PATH = `${IPAM}/v1alpha2/namespaces/${NS}/inclusterippools/${POOL}`;

interface Claim {
  metadata: { name: string; uid: string };
  status?: { addressRef?: { name?: string } };
}
interface Address {
  metadata: { name: string; ownerReferences?: { kind: string; uid: string; controller?: boolean }[] };
  spec: { address: string; claimRef: { name?: string }; poolRef: { kind: string; name: string }; prefix: number };
}
interface Pool {
  status?: { ipAddresses?: { total: number; used: number; free: number; outOfRange: number } };
}

/** 10.30.0.0/23 without its network and broadcast addresses, in order. */
function allocatable(): string[] {
  const out: string[] = [];
  for (let i = 1; i < 511; i++) out.push(`10.30.${i >> 8}.${i & 255}`);
  return out;
}

/** The plane child, restartable on its data dir; `target()` waits while it is down. */
class Plane {
  private srv: ServerChild | undefined;
  private t: Target | undefined;
  private up: Promise<void> = Promise.resolve();
  restarts = 0;

  constructor(readonly dir: string) {}

  async start(): Promise<void> {
    this.srv = await startServer(this.dir);
    this.t = { url: new URL(this.srv.url), agent: httpsAgent({ ca: this.srv.ca, cert: this.srv.cert, key: this.srv.key, maxSockets: CLIENTS + 4 }) };
  }

  async target(): Promise<Target> {
    await this.up;
    return this.t!;
  }

  /** SIGKILL, then a new plane on the same data dir; clients calling target() meanwhile wait for it. */
  async killAndRestart(): Promise<void> {
    let done!: () => void;
    this.up = new Promise((r) => (done = r));
    const { proc } = this.srv!;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await exited;
    this.t!.agent.destroy();
    await this.start();
    this.restarts++;
    done();
  }

  async stop(): Promise<void> {
    await this.srv?.stop();
  }
}

const dir = tempDir('slipway-ipam-crash-');
const plane = new Plane(dir);
after(async () => {
  await plane.stop();
  await cleanup();
  removeDir(dir);
});

async function get<T>(path: string): Promise<T> {
  return JSON.parse((await expect(await plane.target(), 'GET', path, undefined, [200])).body) as T;
}

async function addressesByClaim(): Promise<Map<string, string>> {
  const list = await get<{ items: Address[] }>(ADDRESSES_PATH);
  return new Map(list.items.map((a) => [a.metadata.name, a.spec.address]));
}

/** POSTs until the claim exists: 201, or 409 when an earlier attempt reached storage before a kill. */
async function createClaim(i: number): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'ipam.cluster.x-k8s.io/v1beta1', kind: 'IPAddressClaim', metadata: { name: `c-${i}` }, spec: { poolRef: { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: POOL } } });
  for (let attempt = 0; ; attempt++) {
    const t = await plane.target();
    try {
      const r = await request(t, 'POST', CLAIMS_PATH, body, 30_000);
      if (r.status === 201 || r.status === 409) return;
      if (r.status < 500 && r.status !== 429) throw new Error(`POST claim c-${i}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    } catch (e) {
      // A connection cut by the kill (or refused before target() knew of it) is retried; anything else fails.
      if (!(e instanceof Error) || !/ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed|timed out/.test(`${(e as { code?: string }).code ?? ''} ${e.message}`)) throw e;
    }
    if (attempt >= 100) throw new Error(`POST claim c-${i}: still failing after ${attempt} attempts`);
    // Back off a little before the next attempt (the plane may be between its kill and target() seeing it).
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('500 claims from 16 clients through two SIGKILLs of the plane: one distinct, stable address each', { timeout: 120_000 }, async () => {
  await plane.start();
  const t = await plane.target();
  await expect(t, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), [201]);
  await expect(t, 'POST', `${IPAM}/v1alpha2/namespaces/${NS}/inclusterippools`, JSON.stringify({ apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2', kind: 'InClusterIPPool', metadata: { name: POOL }, spec: { addresses: ['10.30.0.0/23'], prefix: 23 } }), [201]);

  const snapshots: Map<string, string>[] = [];
  let created = 0;
  let next = 0;
  let killing: Promise<void> | undefined;
  const kills = [...KILL_AFTER];
  const onCreated = (): void => {
    created++;
    if (kills.length && created >= kills[0]! && !killing) {
      kills.shift();
      killing = (async () => {
        // Addresses seen before the kill must survive it (and the next one) unchanged.
        snapshots.push(await addressesByClaim());
        await plane.killAndRestart();
      })().finally(() => (killing = undefined));
    }
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < CLAIMS) {
        await createClaim(next++);
        onCreated();
      }
    }),
  );
  while (killing) await killing;
  assert.equal(plane.restarts, 2, 'the plane was killed and restarted twice');
  assert.ok(snapshots[1]!.size > 0, 'some claims had addresses before the second kill');

  // The pool's status counts every claim's address (written by the pool controller, throttled).
  const counts = await eventually(async () => {
    const c = (await get<Pool>(POOL_PATH)).status?.ipAddresses;
    return c?.used === CLAIMS && c;
  }, 45_000, `pool status used=${CLAIMS}`);
  assert.deepEqual(counts, { total: 510, used: CLAIMS, free: 510 - CLAIMS, outOfRange: 0 });

  const claims = await eventually(async () => {
    const list = await get<{ items: Claim[] }>(CLAIMS_PATH);
    return list.items.length === CLAIMS && list.items.every((c) => c.status?.addressRef?.name) && list.items;
  }, 30_000, 'every claim addressed');
  const addresses = (await get<{ items: Address[] }>(ADDRESSES_PATH)).items;

  // Exactly one IPAddress per claim, named as the claim, controlled by it, of this pool.
  assert.equal(addresses.length, CLAIMS);
  const byName = new Map(addresses.map((a) => [a.metadata.name, a]));
  for (const c of claims) {
    assert.equal(c.status!.addressRef!.name, c.metadata.name);
    const a = byName.get(c.metadata.name);
    assert.ok(a, `IPAddress of claim ${c.metadata.name}`);
    assert.equal(a.spec.claimRef.name, c.metadata.name);
    assert.deepEqual([a.spec.poolRef.kind, a.spec.poolRef.name, a.spec.prefix], ['InClusterIPPool', POOL, 23]);
    assert.deepEqual(a.metadata.ownerReferences?.filter((o) => o.controller).map((o) => [o.kind, o.uid]), [['IPAddressClaim', c.metadata.uid]]);
  }

  // Distinct, inside the pool, and the pool's 500 lowest (no reservation lost in a crash leaked its address).
  const held = addresses.map((a) => a.spec.address);
  assert.equal(new Set(held).size, CLAIMS, 'addresses are distinct');
  const inPool = new Set(allocatable());
  assert.deepEqual(held.filter((a) => !inPool.has(a)), [], 'addresses inside the pool');
  assert.deepEqual(new Set(held), new Set(allocatable().slice(0, CLAIMS)), 'the lowest addresses, no holes');

  // Stable across the restarts.
  const final = new Map(addresses.map((a) => [a.metadata.name, a.spec.address]));
  for (const [i, snap] of snapshots.entries()) {
    for (const [name, address] of snap) assert.equal(final.get(name), address, `claim ${name}'s address before kill ${i + 1}`);
  }
});
