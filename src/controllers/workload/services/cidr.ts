/**
 * IP addresses and CIDRs as numbers (IPv4 and IPv6), for the Service IP allocator: parse, contain, index, and format
 * in the canonical text Kubernetes uses for IPAddress names (dotted quad; RFC 5952 compressed IPv6).
 */

export type IPFamily = 'IPv4' | 'IPv6';

export interface ParsedIP {
  family: IPFamily;
  value: bigint;
}

export interface Cidr {
  family: IPFamily;
  /** The network address. */
  base: bigint;
  prefix: number;
  /** The canonical text, e.g. 10.96.0.0/12. */
  text: string;
}

function bitsOf(family: IPFamily): number {
  return family === 'IPv4' ? 32 : 128;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    // Leading zeros are refused, as Go's netip does.
    if (p.length > 1 && p.startsWith('0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(g);
  return v;
}

/** An IP address's family and value, or undefined when the text is not an IP. */
export function parseIP(text: string): ParsedIP | undefined {
  if (text.includes(':')) {
    const v = parseIPv6(text);
    return v === undefined ? undefined : { family: 'IPv6', value: v };
  }
  const v = parseIPv4(text);
  return v === undefined ? undefined : { family: 'IPv4', value: v };
}

/** The canonical text of an address. */
export function formatIP(family: IPFamily, value: bigint): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  // IPv4-mapped addresses print their IPv4 part dotted, as Go does.
  if (value >> 32n === 0xffffn) return `::ffff:${formatIP('IPv4', value & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((value >> s) & 0xffffn));
  // Longest run of two or more zero groups (first one on a tie) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** The canonical text of an IP address given as text, or undefined when it is not one. */
export function canonicalIP(text: string): string | undefined {
  const ip = parseIP(text);
  return ip ? formatIP(ip.family, ip.value) : undefined;
}

/** A CIDR (its host bits are cleared), or undefined when the text is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = bitsOf(ip.family);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, prefix, text: `${formatIP(ip.family, base)}/${prefix}` };
}

/** How many addresses the CIDR spans. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(bitsOf(cidr.family) - cidr.prefix);
}

export function cidrContains(cidr: Cidr, ip: ParsedIP): boolean {
  return ip.family === cidr.family && ip.value >= cidr.base && ip.value < cidr.base + cidrSize(cidr);
}

/** The address at an offset from the network address. */
export function addressAt(cidr: Cidr, offset: bigint): string {
  return formatIP(cidr.family, cidr.base + offset);
}

/**
 * Offsets a Service may be given: not the network address, not IPv4's broadcast address (IPv6 ranges keep their last
 * address, as upstream's allocator does). Returns [first, last] inclusive, or undefined when the range has none.
 */
export function usableOffsets(cidr: Cidr): [bigint, bigint] | undefined {
  const size = cidrSize(cidr);
  const last = cidr.family === 'IPv4' ? size - 2n : size - 1n;
  return last >= 1n ? [1n, last] : undefined;
}
