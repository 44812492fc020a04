/**
 * IP addresses and CIDRs as numbers (IPv4 and IPv6), for the Service IP allocator: parse, contain, index, and format
 * in the canonical text Kubernetes uses for IPAddress names (dotted quad; RFC 5952 compressed IPv6).
 */

import { formatAddr, parseAddrResult, type IPAddr, type IPFamily } from '../../../apimachinery/net/index.js';

export type { IPFamily };
export type ParsedIP = IPAddr;

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

/** An IP address's family and value, or undefined when the text is not an IP (Go netip rules; no zone). */
export function parseIP(text: string): ParsedIP | undefined {
  const r = parseAddrResult(text);
  return r.ok && r.addr.zone === '' ? { family: r.addr.family, value: r.addr.value } : undefined;
}

/** The canonical text of an address (RFC 5952 for IPv6, IPv4-mapped printed dotted, as Go does). */
export function formatIP(family: IPFamily, value: bigint): string {
  return formatAddr({ family, value });
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
