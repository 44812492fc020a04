/**
 * kube-vip-cloud-provider's ConfigMap, read as upstream reads it: which pool a namespace uses (cidr-<ns> →
 * cidr-global → range-<ns> → range-global; the first key present wins), whether IPv4 addresses may be shared, the
 * global search order and CIDR end skipping, and the pool text parsed into per-family address sets. Whether a value is
 * CIDRs or ranges is decided by its content ('/' anywhere means CIDRs), not by its key.
 */
import { familyBits, formatAddr, mergeSpans, parseAddr, parsePrefixSpan, spanPrefixes, type IPFamily, type Span } from './ip.js';

/** The pool value that puts kube-vip in DHCP mode: every Service gets 0.0.0.0. */
export const DHCP_POOL = '0.0.0.0/32';

/** What the ConfigMap says for one namespace. */
export interface PoolConfig {
  /** The pool value as written (comma-separated CIDRs or ranges). */
  pool: string;
  /** The pool came from a *-global key: addresses in use are counted across all namespaces. */
  global: boolean;
  /** allow-share-<ns>, else allow-share-global (Go ParseBool; invalid is false). */
  allowShare: boolean;
  /** search-order is exactly "desc". */
  descending: boolean;
  /** skip-end-ips-in-cidr is exactly "true". */
  skipEndIPsInCIDR: boolean;
  /** interface-<ns>, else interface-global, for the kube-vip.io/serviceInterface annotation. */
  serviceInterface?: string;
}

export class NoPoolError extends Error {
  constructor() {
    super('no address pools could be found');
  }
}

function parseGoBool(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

/** The pool settings for a Service in `namespace` (upstream's discoverPool and getConfig); throws NoPoolError. */
export function discoverPool(data: Readonly<Record<string, string>> | undefined, namespace: string): PoolConfig {
  const d = data ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(d, k);
  const share = has(`allow-share-${namespace}`) ? d[`allow-share-${namespace}`] : d['allow-share-global'];
  const keys: [string, boolean][] = [
    [`cidr-${namespace}`, false],
    ['cidr-global', true],
    [`range-${namespace}`, false],
    ['range-global', true],
  ];
  const found = keys.find(([k]) => has(k));
  if (!found) throw new NoPoolError();
  const iface = d[`interface-${namespace}`] ?? d['interface-global'];
  return {
    pool: d[found[0]] ?? '',
    global: found[1],
    allowShare: parseGoBool(share),
    descending: d['search-order'] === 'desc',
    skipEndIPsInCIDR: d['skip-end-ips-in-cidr'] === 'true',
    ...(iface !== undefined ? { serviceInterface: iface } : {}),
  };
}

/** One family of a pool: its normalised text (for messages) and the addresses it may hand out. */
export interface FamilyPool {
  family: IPFamily;
  kind: 'cidr' | 'range';
  /** Merged and sorted, joined with ',' (prefixes for CIDR pools, "a-b" for range pools). */
  text: string;
  /** Sorted disjoint spans of candidate addresses (after skip-end-ips-in-cidr). */
  hosts: Span[];
}

export interface ParsedPool {
  IPv4?: FamilyPool;
  IPv6?: FamilyPool;
}

export const POOL_NOT_SPECIFIED = 'could not discover address: pool is not specified';

function parsePieces(value: string): { kind: 'cidr' | 'range'; byFamily: Map<IPFamily, Span[]> } {
  const kind = value.includes('/') ? 'cidr' : 'range';
  const byFamily = new Map<IPFamily, Span[]>();
  const add = (f: IPFamily, s: Span): void => {
    const list = byFamily.get(f) ?? [];
    list.push(s);
    byFamily.set(f, list);
  };
  for (const piece of value.split(',')) {
    if (kind === 'cidr') {
      const p = parsePrefixSpan(piece);
      add(p.family, p.span);
      continue;
    }
    const ends = piece.split('-');
    if (ends.length !== 2) throw new Error(`unable to parse IP range [${piece}]`);
    const start = parseAddr(ends[0]!);
    const end = parseAddr(ends[1]!);
    if (start.family !== end.family || start.value > end.value) throw new Error(`invalid IP range [${piece}]`);
    add(start.family, { first: start.value, last: end.value });
  }
  return { kind, byFamily };
}

/** Parse a pool value into its IPv4 and IPv6 parts; throws with upstream's texts. */
export function parsePool(value: string, opts: { skipEndIPsInCIDR?: boolean } = {}): ParsedPool {
  if (value === '') throw new Error(POOL_NOT_SPECIFIED);
  const { kind, byFamily } = parsePieces(value);
  const out: ParsedPool = {};
  for (const family of ['IPv4', 'IPv6'] as const) {
    const spans = byFamily.get(family);
    if (!spans) continue;
    const merged = mergeSpans(spans);
    let text: string;
    let hosts: Span[] = merged;
    if (kind === 'range') {
      text = merged.map((s) => `${formatAddr(family, s.first)}-${formatAddr(family, s.last)}`).join(',');
    } else {
      const prefixes = merged.flatMap((s) => spanPrefixes(family, s));
      text = prefixes.map((p) => `${formatAddr(family, p.first)}/${p.length}`).join(',');
      // A /31 or /32 keeps its addresses; bigger IPv4 prefixes lose their network and broadcast addresses.
      if (opts.skipEndIPsInCIDR && family === 'IPv4') {
        hosts = mergeSpans(prefixes.map((p) => (p.length >= familyBits(family) - 1 ? { first: p.first, last: p.last } : { first: p.first + 1n, last: p.last - 1n })));
      }
    }
    out[family] = { family, kind, text, hosts };
  }
  return out;
}
