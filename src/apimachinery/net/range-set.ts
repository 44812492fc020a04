/**
 * Address ranges, prefixes and sets of addresses of one family, with Go netip / netipx parsing rules.
 * A set is kept as sorted, disjoint, non-adjacent inclusive ranges, searched by bisection.
 */
import { familyBits, familyMax, formatAddr, parseAddrResult, type IPFamily } from './ip.js';

/** Inclusive range of addresses of one family. */
export interface IPRange {
  family: IPFamily;
  first: bigint;
  last: bigint;
}

export interface IPPrefix {
  family: IPFamily;
  /** The address as written (host bits kept); prefixRange masks them. */
  addr: bigint;
  bits: number;
}

/** netipx.ParseIPRange: `a-b` split at the first '-', both sides addresses of one family, a ≤ b; zones are dropped. */
export function parseRange(text: string): IPRange | undefined {
  const h = text.indexOf('-');
  if (h === -1) return undefined;
  const from = parseAddrResult(text.slice(0, h));
  const to = parseAddrResult(text.slice(h + 1));
  if (!from.ok || !to.ok) return undefined;
  if (from.addr.family !== to.addr.family) return undefined;
  if (to.addr.value < from.addr.value) return undefined;
  return { family: from.addr.family, first: from.addr.value, last: to.addr.value };
}

/** netip.ParsePrefix: `addr/bits`, bits decimal without sign or leading zero, within the family; no zone. */
export function parsePrefix(text: string): IPPrefix | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const a = parseAddrResult(text.slice(0, slash));
  if (!a.ok || a.addr.zone !== '') return undefined;
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText) || bitsText.length > 4) return undefined;
  const bits = Number(bitsText);
  if (bits > familyBits(a.addr.family)) return undefined;
  return { family: a.addr.family, addr: a.addr.value, bits };
}

/** All addresses of a prefix (host bits masked away). */
export function prefixRange(p: IPPrefix): IPRange {
  const hostBits = BigInt(familyBits(p.family) - p.bits);
  const hostMask = (1n << hostBits) - 1n;
  const first = p.addr & (familyMax(p.family) ^ hostMask);
  return { family: p.family, first, last: first | hostMask };
}

/** One pool-style address item: `a-b` range, `a/n` prefix (masked), or a single address (zone dropped). */
export function parseAddressItem(text: string): IPRange | undefined {
  if (text.includes('-')) return parseRange(text);
  if (text.includes('/')) {
    const p = parsePrefix(text);
    return p && prefixRange(p);
  }
  const a = parseAddrResult(text);
  return a.ok ? { family: a.addr.family, first: a.addr.value, last: a.addr.value } : undefined;
}

/** `first-last`, as netipx.IPRange.String() prints (also for a single address). */
export function formatRange(r: IPRange): string {
  return `${formatAddr({ family: r.family, value: r.first })}-${formatAddr({ family: r.family, value: r.last })}`;
}

/** A set of addresses of one family. */
export class IPRangeSet {
  // firsts[i]..lasts[i] inclusive; firsts ascending; lasts[i] + 1 < firsts[i + 1].
  private firsts: bigint[] = [];
  private lasts: bigint[] = [];

  constructor(readonly family: IPFamily) {}

  /** A set holding the given ranges (which must be of the set's family). */
  static of(family: IPFamily, ranges: Iterable<IPRange>): IPRangeSet {
    const s = new IPRangeSet(family);
    for (const r of ranges) s.addRange(r);
    return s;
  }

  /** Index of the first range whose last ≥ v (firsts.length when none). */
  private seek(v: bigint): number {
    let lo = 0;
    let hi = this.lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lasts[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  addRange(r: IPRange): void {
    if (r.family !== this.family) throw new Error(`IPRangeSet: ${r.family} range added to an ${this.family} set`);
    this.add(r.first, r.last);
  }

  /** Add first..last inclusive, merging with overlapping and adjacent ranges. */
  add(first: bigint, last: bigint): void {
    if (last < first) return;
    // First range that overlaps or touches from the left: its last ≥ first − 1.
    const i = this.seek(first === 0n ? 0n : first - 1n);
    let j = i;
    let lo = first;
    let hi = last;
    while (j < this.firsts.length && this.firsts[j] <= last + 1n) {
      if (this.firsts[j] < lo) lo = this.firsts[j];
      if (this.lasts[j] > hi) hi = this.lasts[j];
      j++;
    }
    this.firsts.splice(i, j - i, lo);
    this.lasts.splice(i, j - i, hi);
  }

  /** Remove first..last inclusive, splitting a range that straddles either end. */
  remove(first: bigint, last: bigint): void {
    if (last < first) return;
    const i = this.seek(first);
    let j = i;
    const keepF: bigint[] = [];
    const keepL: bigint[] = [];
    while (j < this.firsts.length && this.firsts[j] <= last) {
      if (this.firsts[j] < first) {
        keepF.push(this.firsts[j]);
        keepL.push(first - 1n);
      }
      if (this.lasts[j] > last) {
        keepF.push(last + 1n);
        keepL.push(this.lasts[j]);
      }
      j++;
    }
    if (j === i) return;
    this.firsts.splice(i, j - i, ...keepF);
    this.lasts.splice(i, j - i, ...keepL);
  }

  removeRange(r: IPRange): void {
    if (r.family === this.family) this.remove(r.first, r.last);
  }

  has(v: bigint): boolean {
    const i = this.seek(v);
    return i < this.firsts.length && this.firsts[i] <= v;
  }

  /** Whether every address of first..last is in the set. */
  hasRange(first: bigint, last: bigint): boolean {
    const i = this.seek(first);
    return i < this.firsts.length && this.firsts[i] <= first && this.lasts[i] >= last;
  }

  lowest(): bigint | undefined {
    return this.firsts[0];
  }

  highest(): bigint | undefined {
    return this.lasts[this.lasts.length - 1];
  }

  /** The lowest member ≥ v. */
  lowestAtOrAfter(v: bigint): bigint | undefined {
    const i = this.seek(v);
    if (i >= this.firsts.length) return undefined;
    return this.firsts[i] > v ? this.firsts[i] : v;
  }

  /** Number of addresses (exact; an IPv6 set may hold up to 2^128). */
  count(): bigint {
    let n = 0n;
    for (let i = 0; i < this.firsts.length; i++) n += this.lasts[i] - this.firsts[i] + 1n;
    return n;
  }

  isEmpty(): boolean {
    return this.firsts.length === 0;
  }

  ranges(): readonly IPRange[] {
    return this.firsts.map((first, i) => ({ family: this.family, first, last: this.lasts[i] }));
  }

  clone(): IPRangeSet {
    const s = new IPRangeSet(this.family);
    s.firsts = this.firsts.slice();
    s.lasts = this.lasts.slice();
    return s;
  }

  /** A new set: this ∪ o (o must be of the same family). */
  union(o: IPRangeSet): IPRangeSet {
    if (o.family !== this.family) throw new Error(`IPRangeSet: union of ${this.family} and ${o.family} sets`);
    const s = this.clone();
    for (let i = 0; i < o.firsts.length; i++) s.add(o.firsts[i], o.lasts[i]);
    return s;
  }

  /** A new set: this − o (a set of the other family removes nothing). */
  difference(o: IPRangeSet): IPRangeSet {
    const s = this.clone();
    if (o.family !== this.family) return s;
    for (let i = 0; i < o.firsts.length; i++) s.remove(o.firsts[i], o.lasts[i]);
    return s;
  }
}
