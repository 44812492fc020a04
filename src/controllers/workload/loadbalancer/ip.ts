/**
 * The few IP operations the load-balancer core needs, on bigint values. Parsing and formatting come from the shared
 * address code; this module adds Go's ParsePrefix error texts and prefix decomposition of a range.
 */
import { formatIP, parseIP, type IPFamily } from '../services/cidr.js';

export type { IPFamily };

export interface Addr {
  family: IPFamily;
  value: bigint;
}

/** An inclusive run of addresses of one family. */
export interface Span {
  first: bigint;
  last: bigint;
}

export function familyBits(f: IPFamily): number {
  return f === 'IPv4' ? 32 : 128;
}

/** Go's netip.ParseAddr: the address, or an error with Go's text. */
export function parseAddr(text: string): Addr {
  const ip = parseIP(text);
  if (!ip) throw new Error(`ParseAddr(${JSON.stringify(text)}): unable to parse IP`);
  return ip;
}

export function formatAddr(family: IPFamily, value: bigint): string {
  return formatIP(family, value);
}

/** Go's netip.ParsePrefix, masked (as netipx's IPSetBuilder.AddPrefix masks): the span it covers. */
export function parsePrefixSpan(text: string): { family: IPFamily; span: Span } {
  const slash = text.lastIndexOf('/');
  if (slash < 0) throw new Error(`netip.ParsePrefix(${JSON.stringify(text)}): no '/'`);
  const ip = parseIP(text.slice(0, slash));
  if (!ip) throw new Error(`netip.ParsePrefix(${JSON.stringify(text)}): ParseAddr(${JSON.stringify(text.slice(0, slash))}): unable to parse IP`);
  const bitsText = text.slice(slash + 1);
  const bits = familyBits(ip.family);
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText)) throw new Error(`netip.ParsePrefix(${JSON.stringify(text)}): bad bits after slash: ${JSON.stringify(bitsText)}`);
  const n = Number(bitsText);
  if (n > bits) throw new Error(`netip.ParsePrefix(${JSON.stringify(text)}): prefix length out of range`);
  const host = BigInt(bits - n);
  const first = (ip.value >> host) << host;
  return { family: ip.family, span: { first, last: first + (1n << host) - 1n } };
}

/** Sorted, with overlapping and touching spans joined. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Span[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && s.first <= prev.last + 1n) {
      if (s.last > prev.last) prev.last = s.last;
    } else out.push({ ...s });
  }
  return out;
}

/** The fewest aligned prefixes covering a span exactly (as netipx's IPRange.Prefixes), as [first, prefix length]. */
export function spanPrefixes(family: IPFamily, span: Span): { first: bigint; last: bigint; length: number }[] {
  const bits = familyBits(family);
  const out: { first: bigint; last: bigint; length: number }[] = [];
  let at = span.first;
  while (at <= span.last) {
    let host = 0;
    while (host < bits) {
      const size = 1n << BigInt(host + 1);
      if (at % size !== 0n || at + size - 1n > span.last) break;
      host++;
    }
    const last = at + (1n << BigInt(host)) - 1n;
    out.push({ first: at, last, length: bits - host });
    at = last + 1n;
  }
  return out;
}
