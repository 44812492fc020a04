/**
 * One pool's allocation state, the in-memory authority the claim controller allocates from: the pool's allocatable
 * set (pool.ts), the free part of it as an interval set (so the lowest free address is found by one lookup, not a
 * scan of used addresses), and which IPAddress holds which address. Built from a full list of the pool's IPAddresses
 * in storage, then kept current by the claim controller's own reservations and by IPAddress watch events (both
 * idempotent). Reserving is synchronous, so two reconciles of one process never take the same address.
 */
import { formatAddr, parseAddr, type IPAddr, type IPRangeSet } from '../../apimachinery/net/index.js';
import { poolAllocatableSet, saturatedCount, type PoolSpec } from '../../api/ipam/pool.js';

export interface AddressCounts {
  total: number;
  used: number;
  free: number;
  outOfRange: number;
}


export class PoolAllocation {
  private readonly allocatable: IPRangeSet | undefined;
  private readonly free: IPRangeSet | undefined;
  /** Address value → keys (namespace/name) of the IPAddresses holding it (more than one only if a user made duplicates). */
  private readonly holders = new Map<bigint, Set<string>>();
  /** IPAddress key → its address value (undefined: unparseable or of the other family). */
  private readonly byKey = new Map<string, bigint | undefined>();
  /** IPAddress key → uid of the object holding it (absent while a reservation's create is in flight). */
  private readonly uids = new Map<string, string>();
  /** IPAddresses whose (parseable) address the pool does not contain. */
  private readonly outside = new Set<string>();

  constructor(
    readonly spec: PoolSpec,
    /** Identity of the spec this state was built for (a changed spec rebuilds it). */
    readonly specKey: string,
  ) {
    this.allocatable = poolAllocatableSet(spec);
    this.free = this.allocatable?.clone();
  }

  /** The pool's spec is valid (it can allocate). */
  get valid(): boolean {
    return !!this.allocatable;
  }

  /** The address IPAddress `key` holds, if this state knows it. */
  addressOf(key: string): string | undefined {
    const v = this.byKey.get(key);
    return v === undefined || !this.allocatable ? undefined : formatAddr({ family: this.family()!, value: v });
  }

  holds(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Whether IPAddress `key`'s object is known (not only reserved). */
  hasUid(key: string): boolean {
    return this.uids.has(key);
  }

  private family(): IPAddr['family'] | undefined {
    return this.allocatable?.ranges()[0]?.family ?? this.familyOfSpec();
  }

  private familyOfSpec(): IPAddr['family'] | undefined {
    const first = Array.isArray(this.spec.addresses) ? this.spec.addresses[0] : undefined;
    return typeof first === 'string' ? parseAddr(first.split(/[-/]/)[0] ?? '')?.family : undefined;
  }

  /** Records that IPAddress `key` holds `address` (an existing object with `uid`, or one about to be created). */
  hold(key: string, address: string, uid?: string): void {
    if (this.byKey.has(key)) {
      if (uid && !this.uids.has(key)) this.uids.set(key, uid);
      return;
    }
    if (uid) this.uids.set(key, uid);
    const parsed = parseAddr(address);
    const value = parsed && parsed.family === this.family() ? parsed.value : undefined;
    this.byKey.set(key, value);
    if (value === undefined) {
      if (parsed) this.outside.add(key);
      return;
    }
    let set = this.holders.get(value);
    if (!set) this.holders.set(value, (set = new Set()));
    set.add(key);
    if (this.allocatable?.has(value)) this.free!.remove(value, value);
    else this.outside.add(key);
  }

  /**
   * IPAddress `key` no longer exists (or its creation failed): its address is free unless another holds it too. With
   * `uid` (a watch event), only the object with that uid is released: a late event of an earlier object of the same
   * name never frees the address of its successor.
   */
  release(key: string, uid?: string): void {
    if (!this.byKey.has(key)) return;
    if (uid !== undefined && this.uids.get(key) !== uid) return;
    const value = this.byKey.get(key);
    this.byKey.delete(key);
    this.uids.delete(key);
    this.outside.delete(key);
    if (value === undefined) return;
    const set = this.holders.get(value);
    set?.delete(key);
    if (set && set.size) return;
    this.holders.delete(value);
    if (this.allocatable?.has(value)) this.free!.add(value, value);
  }

  /** Takes the lowest free address for IPAddress `key`; undefined when the pool is exhausted or invalid. */
  reserve(key: string): string | undefined {
    const value = this.free?.lowest();
    if (value === undefined) return undefined;
    const address = formatAddr({ family: this.family()!, value });
    this.hold(key, address);
    return address;
  }

  /** Reservations whose IPAddress is still being created (no uid yet): key and address. */
  inFlight(): [string, string][] {
    const out: [string, string][] = [];
    for (const [key, value] of this.byKey) if (value !== undefined && !this.uids.has(key)) out.push([key, formatAddr({ family: this.family()!, value })]);
    return out;
  }

  counts(): AddressCounts {
    const t = saturatedCount(this.allocatable ? this.allocatable.count() : 0n);
    const used = this.byKey.size;
    return { total: t, used, free: t - used, outOfRange: this.outside.size };
  }
}
