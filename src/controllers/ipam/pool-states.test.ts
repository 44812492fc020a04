/**
 * PoolStates: states built from a storage list (only the pool's own IPAddresses), one load at a time per pool even
 * when many reconciles ask at once or the spec changes during a load, watch events that arrive during the list
 * replayed when newer than it, uid-guarded releases, and the pool keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InClusterIPPool, IPAddress } from '../../api/ipam/types.js';
import type { Client, ListOptions, ObjectList } from '../../client/types.js';
import { PoolStates, poolKey, poolKeyOfRef } from './pool-states.js';

function pool(spec: Partial<InClusterIPPool['spec']> = {}, kind = 'InClusterIPPool', namespace: string | undefined = 'ns'): InClusterIPPool {
  return {
    apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2',
    kind,
    metadata: { name: 'p', ...(namespace ? { namespace } : {}), uid: 'pool-uid' },
    spec: { addresses: ['10.0.0.10-10.0.0.20'], prefix: 24, ...spec },
  };
}

function ipAddress(name: string, address: string, opts: { ns?: string; pool?: string; kind?: string; uid?: string; rv?: number } = {}): IPAddress {
  return {
    apiVersion: 'ipam.cluster.x-k8s.io/v1beta1',
    kind: 'IPAddress',
    metadata: { name, namespace: opts.ns ?? 'ns', uid: opts.uid ?? `uid-${name}`, resourceVersion: String(opts.rv ?? 1) },
    spec: { claimRef: { name }, poolRef: { apiGroup: 'ipam.cluster.x-k8s.io', kind: opts.kind ?? 'InClusterIPPool', name: opts.pool ?? 'p' }, address, prefix: 24 },
  };
}

/** A client whose list answers from `items` (filtered by namespace) at revision `rev`, when `release()` is called if gated. */
class FakeClient {
  items: IPAddress[] = [];
  rev = 10;
  lists: ListOptions[] = [];
  gated = false;
  private waiting: (() => void)[] = [];

  async list(_type: unknown, opts: ListOptions = {}): Promise<ObjectList<IPAddress>> {
    this.lists.push(opts);
    if (this.gated) await new Promise<void>((r) => this.waiting.push(r));
    const items = this.items.filter((a) => !opts.namespace || a.metadata?.namespace === opts.namespace);
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rev) }, items: structuredClone(items) };
  }

  /** Lets the lists in flight answer. */
  release(): void {
    this.gated = false;
    for (const r of this.waiting.splice(0)) r();
  }

  /** Resolves once `n` lists have been asked for. */
  async listsAsked(n: number): Promise<void> {
    while (this.lists.length < n) await new Promise((r) => setImmediate(r));
  }
}

function setup(): { fake: FakeClient; states: PoolStates } {
  const fake = new FakeClient();
  return { fake, states: new PoolStates(fake as unknown as Client) };
}

describe('pool keys', () => {
  const cases: { kind: string; ns: string | undefined; want: string }[] = [
    { kind: 'InClusterIPPool', ns: 'ns', want: 'InClusterIPPool/ns/p' },
    { kind: 'InClusterIPPool', ns: undefined, want: 'InClusterIPPool//p' },
    { kind: 'GlobalInClusterIPPool', ns: 'ns', want: 'GlobalInClusterIPPool//p' },
  ];
  for (const c of cases) test(`${c.kind} in ${c.ns}`, () => assert.equal(poolKey(c.kind, c.ns, 'p'), c.want));

  test('refs', () => {
    assert.equal(poolKeyOfRef({ kind: 'InClusterIPPool', name: 'p' }, 'ns'), 'InClusterIPPool/ns/p');
    assert.equal(poolKeyOfRef({ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'GlobalInClusterIPPool', name: 'p' }, 'ns'), 'GlobalInClusterIPPool//p');
    assert.equal(poolKeyOfRef({ apiGroup: 'other.io', kind: 'InClusterIPPool', name: 'p' }, 'ns'), undefined);
    assert.equal(poolKeyOfRef({ kind: 'InClusterIPPool' }, 'ns'), undefined);
    assert.equal(poolKeyOfRef(undefined, 'ns'), undefined);
  });
});

describe('PoolStates', () => {
  test('a state holds the IPAddresses of its pool only', async () => {
    const { fake, states } = setup();
    fake.items = [
      ipAddress('a', '10.0.0.10'),
      ipAddress('b', '10.0.0.12'),
      ipAddress('other-pool', '10.0.0.11', { pool: 'q' }),
      ipAddress('other-kind', '10.0.0.11', { kind: 'GlobalInClusterIPPool' }),
      ipAddress('other-ns', '10.0.0.11', { ns: 'elsewhere' }),
    ];
    const s = await states.of(pool());
    assert.deepEqual(fake.lists, [{ namespace: 'ns' }]);
    assert.deepEqual(s.counts(), { total: 11, used: 2, free: 9, outOfRange: 0 });
    assert.equal(s.reserve('ns/c'), '10.0.0.11');
    assert.equal(states.peek('InClusterIPPool/ns/p'), s);
  });

  test('a GlobalInClusterIPPool state holds its IPAddresses of every namespace', async () => {
    const { fake, states } = setup();
    fake.items = [ipAddress('a', '10.0.0.10', { kind: 'GlobalInClusterIPPool', ns: 'x' }), ipAddress('b', '10.0.0.11', { kind: 'GlobalInClusterIPPool', ns: 'y' }), ipAddress('c', '10.0.0.12', { ns: 'y' })];
    const s = await states.of(pool({}, 'GlobalInClusterIPPool', undefined));
    assert.deepEqual(fake.lists, [{}]);
    assert.equal(s.counts().used, 2);
    assert.equal(s.holds('x/a') && s.holds('y/b'), true);
  });

  test('concurrent callers share one load; the same spec reuses the state; a changed spec rebuilds it; forget drops it', async () => {
    const { fake, states } = setup();
    fake.gated = true;
    const pending = Array.from({ length: 5 }, () => states.of(pool()));
    await fake.listsAsked(1);
    fake.release();
    const got = await Promise.all(pending);
    assert.equal(fake.lists.length, 1);
    assert.ok(got.every((s) => s === got[0]));
    assert.equal(await states.of(pool()), got[0]);
    assert.equal(fake.lists.length, 1);
    const changed = await states.of(pool({ gateway: '10.0.0.10' }));
    assert.notEqual(changed, got[0]);
    assert.equal(changed.counts().total, 10);
    assert.equal(fake.lists.length, 2);
    states.forget('InClusterIPPool/ns/p');
    assert.equal(states.peek('InClusterIPPool/ns/p'), undefined);
  });

  test('a spec change during a load gives every caller of the new spec one shared state (no two states to allocate from)', async () => {
    const { fake, states } = setup();
    fake.gated = true;
    const old = states.of(pool());
    await fake.listsAsked(1);
    const next = pool({ gateway: '10.0.0.10' });
    const callers = Array.from({ length: 4 }, () => states.of(next));
    fake.release();
    await old;
    // The callers of the new spec start one load after the old one.
    await fake.listsAsked(2);
    const got = await Promise.all(callers);
    assert.equal(fake.lists.length, 2, 'one load for the new spec');
    assert.ok(got.every((s) => s === got[0]), 'every caller got the same state');
    assert.equal(states.peek('InClusterIPPool/ns/p'), got[0]);
    // So two reservations never take the same address.
    assert.deepEqual([got[0]!.reserve('ns/x'), got[1]!.reserve('ns/y')], ['10.0.0.11', '10.0.0.12']);
  });

  test('a state rebuilt for a changed spec keeps the reservations still in flight; a failed create releases in the current state', async () => {
    const { fake, states } = setup();
    const old = await states.of(pool());
    assert.equal(old.reserve('ns/a'), '10.0.0.10');
    assert.equal(old.reserve('ns/b'), '10.0.0.11');
    const next = pool({ excludedAddresses: ['10.0.0.20'] });
    const rebuilt = await states.of(next);
    assert.notEqual(rebuilt, old);
    assert.deepEqual(rebuilt.inFlight(), [['ns/a', '10.0.0.10'], ['ns/b', '10.0.0.11']]);
    assert.equal(rebuilt.reserve('ns/c'), '10.0.0.12');
    // ns/a's create failed (its reconcile still has the old state): the rebuilt state lets the address go too.
    old.release('ns/a');
    states.releaseReservation(next, 'ns/a');
    assert.equal(rebuilt.holds('ns/a'), false);
    // ns/b's object is known to the current state (its watch event): a late failure report does not free it.
    states.observe(ipAddress('b', '10.0.0.11', { rv: fake.rev + 1 }));
    states.releaseReservation(next, 'ns/b');
    assert.equal(rebuilt.addressOf('ns/b'), '10.0.0.11');
    assert.equal(rebuilt.reserve('ns/d'), '10.0.0.10');
  });

  test('watch events during the list are replayed when newer than it', async () => {
    const { fake, states } = setup();
    fake.items = [ipAddress('listed', '10.0.0.10', { rv: 5 }), ipAddress('deleted-later', '10.0.0.11', { rv: 6 }), ipAddress('recreated', '10.0.0.12', { uid: 'old', rv: 7 })];
    fake.rev = 10;
    fake.gated = true;
    const loading = states.of(pool());
    await fake.listsAsked(1);
    // Older than the list: already reflected by it.
    states.observe(ipAddress('gone-before-list', '10.0.0.15', { rv: 3 }));
    states.forgetAddress(ipAddress('listed', '10.0.0.10', { rv: 9 }));
    // Newer than the list.
    states.observe(ipAddress('created-later', '10.0.0.13', { rv: 11 }));
    states.forgetAddress(ipAddress('deleted-later', '10.0.0.11', { rv: 12 }));
    // A late delete of an earlier object of a listed name never frees its successor's address.
    states.forgetAddress(ipAddress('recreated', '10.0.0.12', { uid: 'older', rv: 13 }));
    fake.release();
    const s = await loading;
    assert.equal(s.holds('ns/listed'), true);
    assert.equal(s.holds('ns/gone-before-list'), false);
    assert.equal(s.addressOf('ns/created-later'), '10.0.0.13');
    assert.equal(s.holds('ns/deleted-later'), false);
    assert.equal(s.addressOf('ns/recreated'), '10.0.0.12');
    assert.deepEqual(s.counts(), { total: 11, used: 3, free: 8, outOfRange: 0 });
    assert.equal(s.reserve('ns/new'), '10.0.0.11');
  });

  test('watch events after the load keep the state current (uid-guarded)', async () => {
    const { fake, states } = setup();
    fake.items = [ipAddress('a', '10.0.0.10', { uid: 'a1' })];
    const s = await states.of(pool());
    states.observe(ipAddress('b', '10.0.0.11', { rv: 20 }));
    states.observe(ipAddress('b', '10.0.0.11', { rv: 21 }));
    states.observe(ipAddress('elsewhere', '10.0.0.12', { pool: 'q', rv: 22 }));
    assert.deepEqual(s.counts(), { total: 11, used: 2, free: 9, outOfRange: 0 });
    states.forgetAddress(ipAddress('a', '10.0.0.10', { uid: 'stale', rv: 23 }));
    assert.equal(s.holds('ns/a'), true);
    states.forgetAddress(ipAddress('a', '10.0.0.10', { uid: 'a1', rv: 24 }));
    assert.equal(s.holds('ns/a'), false);
    assert.equal(s.reserve('ns/c'), '10.0.0.10');
  });

  test('events older than the list, delivered after the load (a lagging informer), change nothing', async () => {
    const { fake, states } = setup();
    fake.rev = 10;
    const s = await states.of(pool());
    // The claim "c" was deleted and made again before the list: its new reservation is in flight.
    assert.equal(s.reserve('ns/c'), '10.0.0.10');
    states.observe(ipAddress('c', '10.0.0.14', { uid: 'earlier', rv: 5 }));
    states.forgetAddress(ipAddress('c', '10.0.0.14', { uid: 'earlier', rv: 6 }));
    states.observe(ipAddress('gone', '10.0.0.11', { rv: 7 }));
    assert.equal(s.addressOf('ns/c'), '10.0.0.10');
    assert.equal(s.holds('ns/gone'), false);
    assert.equal(s.reserve('ns/d'), '10.0.0.11');
    // Newer events apply.
    states.observe(ipAddress('c', '10.0.0.10', { uid: 'now', rv: 11 }));
    states.forgetAddress(ipAddress('c', '10.0.0.10', { uid: 'now', rv: 12 }));
    assert.equal(s.holds('ns/c'), false);
  });

  test('a failed list fails the callers and the next call loads again', async () => {
    const { fake, states } = setup();
    let fail = true;
    const list = fake.list.bind(fake);
    fake.list = async (type, opts) => {
      if (fail) {
        fake.lists.push(opts ?? {});
        throw new Error('storage unavailable');
      }
      return list(type, opts);
    };
    await assert.rejects(states.of(pool()), /storage unavailable/);
    fail = false;
    const s = await states.of(pool());
    assert.equal(s.valid, true);
    assert.equal(fake.lists.length, 2);
  });
});
