/**
 * An event's sourceIPs as kube-apiserver lists them: the X-Forwarded-For chain, then X-Real-Ip
 * unless already in that chain, then the connection's remote address unless it is the chain's
 * last address. Entries that are not IP addresses are skipped; addresses are written as Go
 * prints them (IPv6 compressed, IPv4-mapped IPv6 as IPv4).
 */
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** The request header carrying a client-chosen audit ID; the response's Audit-Id echoes the one used. */
export const AUDIT_ID_HEADER = 'audit-id';

/** The address as Go prints a parsed net.IP, or undefined when `text` is not one. */
export function canonicalIP(text: string): string | undefined {
  const s = text.trim();
  const kind = isIP(s);
  if (kind === 4) return s;
  if (kind !== 6 || s.includes('%')) return undefined;
  // The URL parser writes IPv6 compressed and lower-cased, as Go does (longest zero run, first on ties).
  const v6 = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** A connection's remote address, "host:port", "[v6]:port" or a bare address. */
function remoteIP(addr: string): string | undefined {
  const m = /^\[([^\]]+)\]:\d+$/.exec(addr) ?? /^([^:]+):\d+$/.exec(addr);
  return (m ? canonicalIP(m[1]!) : undefined) ?? canonicalIP(addr);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function sourceIPs(headers: IncomingHttpHeaders, remoteAddress: string | undefined): string[] {
  const ips: string[] = [];
  const forwarded = header(headers, 'x-forwarded-for');
  if (forwarded) {
    for (const part of forwarded.split(',')) {
      const ip = canonicalIP(part);
      if (ip) ips.push(ip);
    }
  }
  const realIp = header(headers, 'x-real-ip');
  if (realIp) {
    const ip = canonicalIP(realIp);
    if (ip && !ips.includes(ip)) ips.push(ip);
  }
  const remote = remoteAddress ? remoteIP(remoteAddress) : undefined;
  if (remote && (ips.length === 0 || ips[ips.length - 1] !== remote)) ips.push(remote);
  return ips;
}
