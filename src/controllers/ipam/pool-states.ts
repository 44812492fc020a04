/**
 * The allocation state of every pool the claim controller has allocated from, keyed by pool. A state is built once
 * from storage (a full list of the pool's IPAddresses, not the informer cache, so a restarted plane never misses an
 * address written just before it stopped) and rebuilt when the pool's spec changes; IPAddress watch events keep it
 * current (hold on add, release on delete: both idempotent).
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { GLOBAL_IN_CLUSTER_IP_POOL, IP_ADDRESS_KIND, IPAM_GROUP, type InClusterIPPool, type IPAddress, type TypedLocalObjectReference } from '../../api/ipam/types.js';
import type { PoolSpec } from '../../api/ipam/pool.js';
import type { Client } from '../../client/types.js';
import { PoolAllocation } from './pool-allocation.js';

export const IPADDRESS_KIND = IP_ADDRESS_KIND;

/** `kind/namespace/name` of a pool (namespace empty for a GlobalInClusterIPPool). */
export function poolKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${kind === GLOBAL_IN_CLUSTER_IP_POOL ? '' : (namespace ?? '')}/${name}`;
}

/** The pool key an IPAddress or claim in `namespace` refers to through `ref`, if it names an in-cluster pool kind. */
export function poolKeyOfRef(ref: Partial<TypedLocalObjectReference> | undefined, namespace: string | undefined): string | undefined {
  if (!ref?.name || !ref.kind || (ref.apiGroup ?? IPAM_GROUP) !== IPAM_GROUP) return undefined;
  return poolKey(ref.kind, namespace, ref.name);
}

export function objectKey(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function keyOfPool(pool: InClusterIPPool): string {
  return poolKey(pool.kind!, pool.metadata?.namespace, pool.metadata!.name!);
}

/** Identity of a pool's spec for the allocation state (any change rebuilds it). */
function specKey(pool: InClusterIPPool): string {
  return `${pool.metadata?.uid ?? ''}:${JSON.stringify(pool.spec ?? {})}`;
}

export class PoolStates {
  private readonly states = new Map<string, PoolAllocation>();
  private readonly loading = new Map<string, Promise<PoolAllocation>>();
  /** Watch events that arrive while a pool's state is being listed, replayed on the new state when newer than the list. */
  private readonly buffered = new Map<string, { release: boolean; address: IPAddress }[]>();
  /** The revision of the list each state was built from: older watch events (a lagging informer) are already in it. */
  private readonly listedAt = new Map<string, number>();
  /**
   * Per pool, addresses reserved for IPAddresses not yet seen on the watch (IPAddress key → address): a state built
   * meanwhile may have listed before their create was written, so every new state holds them too. An entry goes when
   * the watch shows the object (any later list includes it) or its create failed.
   */
  private readonly unconfirmed = new Map<string, Map<string, string>>();

  constructor(private readonly client: Client) {}

  /** The state of `pool`, loading it from storage on first use or after a spec change (one load at a time per pool). */
  async of(pool: InClusterIPPool): Promise<PoolAllocation> {
    const key = poolKey(pool.kind!, pool.metadata?.namespace, pool.metadata!.name!);
    const want = specKey(pool);
    // Look again after every wait: callers that waited on a load of another spec must share one new load, never
    // start one each (two states of one pool would hand out the same address).
    for (;;) {
      const have = this.states.get(key);
      if (have?.specKey === want) return have;
      const pending = this.loading.get(key);
      if (!pending) break;
      const s = await pending;
      if (s.specKey === want) return s;
    }
    const load = this.load(key, pool, want);
    this.loading.set(key, load);
    try {
      return await load;
    } finally {
      if (this.loading.get(key) === load) this.loading.delete(key);
    }
  }

  /** Whether IPAddress `addressKey` holds an address of the pool's current state. */
  holds(pool: InClusterIPPool, addressKey: string): boolean {
    return !!this.states.get(keyOfPool(pool))?.holds(addressKey);
  }

  /**
   * Takes the lowest free address of the pool's current state (synchronously: no other reservation can interleave)
   * for IPAddress `addressKey`; undefined when the pool is exhausted or has no state.
   */
  reserve(pool: InClusterIPPool, addressKey: string): string | undefined {
    const key = keyOfPool(pool);
    const address = this.states.get(key)?.reserve(addressKey);
    if (address === undefined) return undefined;
    let entries = this.unconfirmed.get(key);
    if (!entries) this.unconfirmed.set(key, (entries = new Map()));
    entries.set(addressKey, address);
    return address;
  }

  /** The reserved IPAddress was created with `uid`. */
  created(pool: InClusterIPPool, addressKey: string, address: string, uid: string | undefined): void {
    this.states.get(keyOfPool(pool))?.hold(addressKey, address, uid);
  }

  /** A reservation whose create failed (the object does not exist): its address is free again. */
  releaseReservation(pool: InClusterIPPool, addressKey: string): void {
    const key = keyOfPool(pool);
    this.unconfirmed.get(key)?.delete(addressKey);
    const state = this.states.get(key);
    if (state && !state.hasUid(addressKey)) state.release(addressKey);
  }

  /** The loaded state of a pool, if any (for status counts). */
  peek(key: string): PoolAllocation | undefined {
    return this.states.get(key);
  }

  forget(key: string): void {
    this.states.delete(key);
    this.listedAt.delete(key);
    this.unconfirmed.delete(key);
  }

  /** The loaded state of a pool, if the event `a` is newer than the list it was built from. */
  private stateFor(key: string, a: IPAddress): PoolAllocation | undefined {
    return Number(a.metadata?.resourceVersion ?? 0) > (this.listedAt.get(key) ?? 0) ? this.states.get(key) : undefined;
  }

  private async load(key: string, pool: InClusterIPPool, want: string): Promise<PoolAllocation> {
    const state = new PoolAllocation((pool.spec ?? {}) as PoolSpec, want);
    const global = pool.kind === GLOBAL_IN_CLUSTER_IP_POOL;
    const events: { release: boolean; address: IPAddress }[] = [];
    this.buffered.set(key, events);
    try {
      const list = await this.client.list<IPAddress>(IPADDRESS_KIND, global ? {} : { namespace: pool.metadata?.namespace });
      for (const a of list.items) if (poolKeyOfRef(a.spec?.poolRef, a.metadata?.namespace) === key) state.hold(objectKey(a), a.spec?.address ?? '', a.metadata?.uid);
      const listed = Number(list.metadata?.resourceVersion ?? 0);
      for (const e of events) {
        if (!(Number(e.address.metadata?.resourceVersion ?? 0) > listed)) continue;
        if (e.release) state.release(objectKey(e.address), e.address.metadata?.uid ?? '');
        else state.hold(objectKey(e.address), e.address.spec?.address ?? '', e.address.metadata?.uid);
      }
      // Reservations whose object the watch has not shown yet may be missing from the list: keep them.
      for (const [k, address] of this.states.get(key)?.inFlight() ?? []) state.hold(k, address);
      for (const [k, address] of this.unconfirmed.get(key) ?? []) state.hold(k, address);
      this.states.set(key, state);
      this.listedAt.set(key, listed);
      return state;
    } finally {
      if (this.buffered.get(key) === events) this.buffered.delete(key);
    }
  }

  /** An IPAddress exists (watch add/update). */
  observe(a: IPAddress): void {
    const key = poolKeyOfRef(a.spec?.poolRef, a.metadata?.namespace);
    if (!key) return;
    this.buffered.get(key)?.push({ release: false, address: a });
    this.unconfirmed.get(key)?.delete(objectKey(a));
    this.stateFor(key, a)?.hold(objectKey(a), a.spec?.address ?? '', a.metadata?.uid);
  }

  /** An IPAddress is gone (watch delete). */
  forgetAddress(a: IPAddress): void {
    const key = poolKeyOfRef(a.spec?.poolRef, a.metadata?.namespace);
    if (!key) return;
    this.buffered.get(key)?.push({ release: true, address: a });
    this.unconfirmed.get(key)?.delete(objectKey(a));
    this.stateFor(key, a)?.release(objectKey(a), a.metadata?.uid ?? '');
  }
}
