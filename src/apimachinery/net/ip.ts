/**
 * IP addresses as bigints, parsed and printed the way Go's net/netip does (ParseAddr, Addr.String),
 * so that addresses written by Slipway read the same as those written by upstream Go controllers.
 */
import { goQuote } from '../go-quote.js';

export { goQuote };

export type IPFamily = 'IPv4' | 'IPv6';

/** One address. `value` is the address as an unsigned integer of familyBits(family) bits. */
export interface IPAddr {
  family: IPFamily;
  value: bigint;
}

export function familyBits(f: IPFamily): 32 | 128 {
  return f === 'IPv4' ? 32 : 128;
}

/** The highest address of a family (all bits set). */
export function familyMax(f: IPFamily): bigint {
  return (1n << BigInt(familyBits(f))) - 1n;
}

/** A parsed address with its IPv6 zone (empty when none). */
export interface ZonedAddr extends IPAddr {
  zone: string;
}

export type AddrParseResult = { ok: true; addr: ZonedAddr } | { ok: false; error: string };

/** Go's parseAddrError text: `ParseAddr("in"): msg` plus ` (at "rest")` when it points at a spot. */
function failure(input: string, msg: string, at = ''): AddrParseResult {
  const text = `ParseAddr(${goQuote(input)}): ${msg}` + (at ? ` (at ${goQuote(at)})` : '');
  return { ok: false, error: text };
}

/** Parse like netip.ParseAddr, keeping Go's error text for callers that report it. */
export function parseAddrResult(text: string): AddrParseResult {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '.') return parseV4(text);
    if (c === ':') return parseV6(text);
    if (c === '%') return failure(text, 'missing IPv6 address');
  }
  return failure(text, 'unable to parse IP');
}

/** netip.ParseAddr: undefined when the text is not an address. A zone (`%eth0`) is dropped. */
export function parseAddr(text: string): IPAddr | undefined {
  const r = parseAddrResult(text);
  return r.ok ? { family: r.addr.family, value: r.addr.value } : undefined;
}

/** Go's error text for a text that does not parse as an address; undefined when it parses. */
export function addrParseError(text: string): string | undefined {
  const r = parseAddrResult(text);
  return r.ok ? undefined : r.error;
}

function parseV4(text: string): AddrParseResult {
  const octets: number[] = [];
  const err = parseV4Octets(text, 0, text.length, octets);
  if (err) return err;
  let v = 0n;
  for (const o of octets) v = (v << 8n) | BigInt(o);
  return { ok: true, addr: { family: 'IPv4', value: v, zone: '' } };
}

/** Four dotted decimal octets in input[start,end): no leading zeros, each ≤ 255. */
function parseV4Octets(input: string, start: number, end: number, out: number[]): AddrParseResult | undefined {
  const s = input.slice(start, end);
  let val = 0;
  let digits = 0;
  let fields = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && val === 0) return failure(input, 'IPv4 field has octet with leading zero');
      val = val * 10 + (c - 48);
      digits++;
      if (val > 255) return failure(input, 'IPv4 field has value >255');
    } else if (s[i] === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return failure(input, 'IPv4 field must have at least one digit', s.slice(i));
      if (fields === 3) return failure(input, 'IPv4 address too long');
      out.push(val);
      fields++;
      val = 0;
      digits = 0;
    } else {
      return failure(input, 'unexpected character', s.slice(i));
    }
  }
  if (fields < 3) return failure(input, 'IPv4 address too short');
  out.push(val);
  return undefined;
}

function hexDigit(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

function parseV6(input: string): AddrParseResult {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct !== -1) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return failure(input, 'zone must be a non-empty string');
  }
  const bytes = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { ok: true, addr: { family: 'IPv6', value: 0n, zone } };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const d = hexDigit(s[off]);
      if (d < 0) break;
      acc = acc * 16 + d;
      if (off > 3) return failure(input, 'each group must have 4 or less digits', s);
    }
    if (off === 0) return failure(input, 'each colon-separated field must have at least one digit', s);
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) return failure(input, 'embedded IPv4 address must replace the final 2 fields of the address', s);
      if (i + 4 > 16) return failure(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s);
      const end = input.length - (zone ? zone.length + 1 : 0);
      const octets: number[] = [];
      const err = parseV4Octets(input, end - s.length, end, octets);
      if (err) return err;
      for (let k = 0; k < 4; k++) bytes[i + k] = octets[k];
      s = '';
      i += 4;
      break;
    }
    bytes[i] = acc >> 8;
    bytes[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') return failure(input, 'unexpected character, want colon', s);
    if (s.length === 1) return failure(input, 'colon must be followed by more characters', s);
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return failure(input, 'multiple :: in address', s);
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return failure(input, 'trailing garbage after address', s);
  if (i < 16) {
    if (ellipsis < 0) return failure(input, 'address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) bytes[j + n] = bytes[j];
    for (let j = ellipsis; j < ellipsis + n; j++) bytes[j] = 0;
  } else if (ellipsis >= 0) {
    return failure(input, 'the :: must expand to at least one field of zeros');
  }
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return { ok: true, addr: { family: 'IPv6', value: v, zone } };
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

/** Addr.String(): dotted IPv4; IPv6 per RFC 5952 (lowercase, longest zero run of ≥2 groups as `::`), `::ffff:a.b.c.d` for v4-mapped. */
export function formatAddr(a: IPAddr): string {
  if (a.family === 'IPv4') return formatV4(a.value);
  if (a.value >> 32n === 0xffffn) return '::ffff:' + formatV4(a.value - V4_MAPPED_PREFIX);
  const groups: number[] = [];
  for (let k = 7; k >= 0; k--) groups.push(Number((a.value >> BigInt(k * 16)) & 0xffffn));
  let zeroStart = -1;
  let zeroLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > zeroLen) {
      zeroStart = i;
      zeroLen = j - i;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += '::';
      i += zeroLen - 1;
      continue;
    }
    if (i > 0 && i !== zeroStart + zeroLen) out += ':';
    out += groups[i].toString(16);
  }
  return out;
}

