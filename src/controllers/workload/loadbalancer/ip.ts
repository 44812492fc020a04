/**
 * The few IP operations the load-balancer core needs, on bigint values, over the shared address library: parsing
 * that throws Go's error texts (upstream reports them), spans, merging, and prefix decomposition of a range.
 */
import { familyBits, formatAddr as formatIPAddr, parseAddrResult, parsePrefix, prefixRange, type IPAddr, type IPFamily } from '../../../apimachinery/net/index.js';

export { familyBits, type IPFamily };

export type Addr = IPAddr;

/** An inclusive run of addresses of one family. */
export interface Span {
  first: bigint;
  last: bigint;
}

/** Go's netip.ParseAddr: the address, or an error with Go's text. */
export function parseAddr(text: string): Addr {
  const r = parseAddrResult(text);
  if (!r.ok) throw new Error(r.error);
  return { family: r.addr.family, value: r.addr.value };
}

export function formatAddr(family: IPFamily, value: bigint): string {
  return formatIPAddr({ family, value });
}

/** Go's netip.ParsePrefix, masked (as netipx's IPSetBuilder.AddPrefix masks): the span it covers. */
export function parsePrefixSpan(text: string): { family: IPFamily; span: Span } {
  const p = parsePrefix(text);
  if (!p) throw new Error(`netip.ParsePrefix(${JSON.stringify(text)}): ${prefixError(text)}`);
  const r = prefixRange(p);
  return { family: r.family, span: { first: r.first, last: r.last } };
}

/** Why Go's ParsePrefix refuses a text (the part after its `netip.ParsePrefix("…"): `). */
function prefixError(text: string): string {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return "no '/'";
  const r = parseAddrResult(text.slice(0, slash));
  if (!r.ok) return r.error;
  const bits = text.slice(slash + 1);
  return /^(0|[1-9][0-9]*)$/.test(bits) ? 'prefix length out of range' : `bad bits after slash: ${JSON.stringify(bits)}`;
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
