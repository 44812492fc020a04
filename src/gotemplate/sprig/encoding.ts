/** sprig encoding, JSON, path, URL and deterministic crypto functions. */
import { createDecipheriv, createHmac, scryptSync } from 'node:crypto';
import { formatFloat } from '../fmt.js';
import { GoFuncError, GoInt, GoObject, type GoCallable, type GoMap, type GoValue, sortedKeys } from '../values.js';
import { fn } from './convert.js';

// ---------------------------------------------------------------- base64 / base32 (Go's strict StdEncoding)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Decodes with Go's StdEncoding rules (padding required, \r and \n skipped, trailing bits ignored);
 * returns Go's `illegal baseNN data at input byte N` text on failure.
 */
function decodeStrict(input: string, alphabet: string, bitsPerChar: number, quantum: number): Buffer | string {
  const src = Buffer.from(input, 'utf8');
  const name = `illegal base${alphabet.length} data at input byte `;
  const lookup = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;
  // Valid counts of data characters in a final, padded quantum.
  const validPartial = alphabet.length === 64 ? [2, 3] : [2, 4, 5, 7];
  const out: number[] = [];
  let si = 0;
  const skipNL = (): void => {
    while (si < src.length && (src[si] === 10 || src[si] === 13)) si++;
  };
  for (;;) {
    let acc = 0n;
    let j = 0;
    let done = false;
    for (; j < quantum; ) {
      skipNL();
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        return name + (si - j);
      }
      const c = src[si++]!;
      if (c === 61) {
        if (!validPartial.includes(j)) return name + (si - 1);
        // The rest of the quantum must be padding.
        for (let k = j + 1; k < quantum; k++) {
          skipNL();
          if (si === src.length) return name + src.length;
          if (src[si] !== 61) return name + si;
          si++;
        }
        skipNL();
        if (si < src.length) return name + si;
        done = true;
        break;
      }
      const v = lookup[c]!;
      if (v < 0) return name + (si - 1);
      acc = (acc << BigInt(bitsPerChar)) | BigInt(v);
      j++;
    }
    const bytes = Math.floor((j * bitsPerChar) / 8);
    acc >>= BigInt(j * bitsPerChar - bytes * 8);
    for (let k = bytes - 1; k >= 0; k--) out.push(Number((acc >> BigInt(k * 8)) & 0xffn));
    if (done) return Buffer.from(out);
  }
}

function b64enc(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function b64dec(s: string): string {
  const r = decodeStrict(s, B64, 6, 4);
  return typeof r === 'string' ? r : r.toString('utf8');
}

function b32enc(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = bytes.subarray(i, i + 5);
    let acc = 0n;
    for (const b of chunk) acc = (acc << 8n) | BigInt(b);
    const bits = chunk.length * 8;
    const chars = Math.ceil(bits / 5);
    acc <<= BigInt(chars * 5 - bits);
    let part = '';
    for (let k = chars - 1; k >= 0; k--) part += B32[Number((acc >> BigInt(k * 5)) & 31n)];
    out += part.padEnd(8, '=');
  }
  return out;
}

function b32dec(s: string): string {
  const r = decodeStrict(s, B32, 5, 8);
  return typeof r === 'string' ? r : r.toString('utf8');
}

// ---------------------------------------------------------------- JSON (encoding/json)

function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c < 0x20) {
      switch (c) {
        case 8:
          rep = '\\b';
          break;
        case 12:
          rep = '\\f';
          break;
        case 10:
          rep = '\\n';
          break;
        case 13:
          rep = '\\r';
          break;
        case 9:
          rep = '\\t';
          break;
        default:
          rep = '\\u00' + c.toString(16).padStart(2, '0');
      }
    } else if (c === 34) rep = '\\"';
    else if (c === 92) rep = '\\\\';
    else if (escapeHTML && (c === 60 || c === 62 || c === 38)) rep = '\\u00' + c.toString(16);
    else if (c === 0x2028 || c === 0x2029) rep = '\\u' + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const hi = c <= 0xdbff;
      const next = s.charCodeAt(i + 1);
      if (hi && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      rep = '\\ufffd';
    }
    if (rep !== null) {
      out += s.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return out + s.slice(last) + '"';
}

function jsonNumber(f: number): string {
  if (!Number.isFinite(f)) throw new GoFuncError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  if (Object.is(f, -0)) return '-0';
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    let s = formatFloat(f, 'e', -1);
    s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
    return s;
  }
  return formatFloat(f, 'f', -1);
}

/** json.Marshal / MarshalIndent of a Go value. */
export function marshalJSON(v: GoValue, escapeHTML: boolean, indent = '', prefix = ''): string {
  if (v === undefined || v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return jsonString(v, escapeHTML);
    case 'number':
      return jsonNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof GoInt) return v.v.toString();
  if (v instanceof GoObject) return v.goString ? jsonString(v.goString(), escapeHTML) : '{}';
  const nl = indent ? '\n' + prefix + indent : '';
  const end = indent ? '\n' + prefix : '';
  const sep = indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + nl + v.map((x) => marshalJSON(x, escapeHTML, indent, prefix + indent)).join(',' + nl) + end + ']';
  }
  const keys = sortedKeys(v as GoMap);
  if (keys.length === 0) return '{}';
  return (
    '{' +
    nl +
    keys.map((k) => jsonString(k, escapeHTML) + sep + marshalJSON((v as GoMap)[k], escapeHTML, indent, prefix + indent)).join(',' + nl) +
    end +
    '}'
  );
}

function tryMarshal(v: GoValue, escapeHTML: boolean, indent = ''): string {
  try {
    return marshalJSON(v, escapeHTML, indent);
  } catch {
    return '';
  }
}

/** json.Unmarshal into interface{}; throws Go-like syntax errors. */
export function unmarshalJSON(s: string): GoValue {
  try {
    return JSON.parse(s) as GoValue;
  } catch (e) {
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    const pos = m ? Number(m[1]) : -1;
    if (s.trim() === '' || pos >= s.length || /Unexpected end/i.test(String(e))) throw new GoFuncError('unexpected end of JSON input');
    const ch = pos >= 0 ? s[pos]! : s.trim()[0]!;
    throw new GoFuncError(`invalid character ${quoteChar(ch)} looking for beginning of value`);
  }
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  return `'${c}'`;
}

// ---------------------------------------------------------------- path (Go's path package)

/** path.Clean. */
export function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const out = (rooted ? '/' : '') + parts.join('/');
  return out === '' ? '.' : out;
}

function pathBase(p: string): string {
  if (p === '') return '.';
  while (p.length > 0 && p[p.length - 1] === '/') p = p.slice(0, -1);
  const i = p.lastIndexOf('/');
  if (i >= 0) p = p.slice(i + 1);
  return p === '' ? '/' : p;
}

function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return pathClean(p.slice(0, i + 1));
}

function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

// ---------------------------------------------------------------- URL (net/url subset)

function unescapePath(s: string): string {
  try {
    return decodeURIComponent(s.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
  } catch {
    return s;
  }
}

function urlParse(raw: string): GoMap {
  let rest = raw;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = unescapePath(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = sm[1]!.toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[^/?]*:/.test(rest) && !rest.startsWith('/')) {
    throw new GoFuncError(`unable to parse url: parse ${JSON.stringify(raw)}: missing protocol scheme`);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let opaque = '';
  let userinfo = '';
  let host = '';
  let path = '';
  if (scheme && !rest.startsWith('/')) opaque = rest;
  else {
    if (rest.startsWith('//')) {
      rest = rest.slice(2);
      const slash = rest.indexOf('/');
      const authority = slash >= 0 ? rest.slice(0, slash) : rest;
      rest = slash >= 0 ? rest.slice(slash) : '';
      const at = authority.lastIndexOf('@');
      if (at >= 0) {
        userinfo = authority.slice(0, at);
        host = authority.slice(at + 1);
      } else host = authority;
    }
    path = unescapePath(rest);
  }
  let hostname = host;
  if (hostname.startsWith('[')) {
    const close = hostname.indexOf(']');
    hostname = close >= 0 ? hostname.slice(1, close) : hostname.slice(1);
  } else {
    const colon = hostname.lastIndexOf(':');
    if (colon >= 0) hostname = hostname.slice(0, colon);
  }
  return { scheme, host, hostname, path, query, opaque, fragment, userinfo };
}

function escapePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

function urlJoin(d: GoMap): string {
  const get = (k: string): string => {
    if (!Object.prototype.hasOwnProperty.call(d, k)) return '';
    const v = d[k];
    if (typeof v !== 'string') throw new GoFuncError(`unable to parse ${k} key, must be of type string, but ${v === null || v === undefined ? 'invalid' : typeof v === 'number' ? 'float64' : Array.isArray(v) ? 'slice' : typeof v === 'boolean' ? 'bool' : 'map'} found`);
    return v;
  };
  const scheme = get('scheme');
  const host = get('host');
  const path = get('path');
  const query = get('query');
  const opaque = get('opaque');
  const fragment = get('fragment');
  const userinfo = get('userinfo');
  let out = '';
  if (scheme) out += scheme + ':';
  if (opaque) out += opaque;
  else {
    if (scheme || host || userinfo) {
      if (host || path || userinfo) out += '//';
      if (userinfo) out += userinfo + '@';
      if (host) out += host;
    }
    const ep = escapePath(path);
    if (ep && ep[0] !== '/' && host) out += '/';
    if (out === '' && /^[^/]*:/.test(ep)) out += './';
    out += ep;
  }
  if (query) out += '?' + query;
  if (fragment) out += '#' + escapePath(fragment).replace(/%2F/g, '/');
  return out;
}

// ---------------------------------------------------------------- deterministic crypto

const masterPasswordSeed = 'com.lyndir.masterpassword';
const passwordTypeTemplates: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv', 'CvcvCvcvnoCvcv', 'CvcvCvcvCvcvno', 'CvccnoCvcvCvcv', 'CvccCvcvnoCvcv', 'CvccCvcvCvcvno', 'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv', 'CvcvCvccCvcvno', 'CvcvnoCvcvCvcc', 'CvcvCvcvnoCvcc', 'CvcvCvcvCvccno', 'CvccnoCvccCvcv', 'CvccCvccnoCvcv',
    'CvccCvccCvcvno', 'CvcvnoCvccCvcc', 'CvcvCvccnoCvcc', 'CvcvCvccCvccno', 'CvccnoCvcvCvcc', 'CvccCvcvnoCvcc', 'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};
const templateCharacters: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The Master Password algorithm, as sprig's derivePassword. */
function derivePassword(counter: number, passwordType: string, password: string, user: string, site: string): string {
  const templates = passwordTypeTemplates[passwordType];
  if (!templates) return `cannot find password template ${passwordType}`;
  const userB = Buffer.from(user, 'utf8');
  const siteB = Buffer.from(site, 'utf8');
  const salt = Buffer.concat([Buffer.from(masterPasswordSeed), u32(userB.length), userB]);
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 256 * 1024 * 1024 });
  const seed = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(masterPasswordSeed), u32(siteB.length), siteB, u32(counter)]))
    .digest();
  const temp = templates[seed[0]! % templates.length]!;
  let out = '';
  for (let i = 0; i < temp.length; i++) {
    const chars = templateCharacters[temp[i]!]!;
    out += chars[seed[i + 1]! % chars.length];
  }
  return out;
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  const key = Buffer.alloc(32);
  Buffer.from(password, 'utf8').copy(key, 0, 0, 32);
  const crypt = decodeStrict(crypt64, B64, 6, 4);
  if (typeof crypt === 'string') throw new GoFuncError(crypt);
  if (crypt.length < 16) throw new GoFuncError('runtime error: slice bounds out of range [:16] with capacity ' + crypt.length);
  const iv = crypt.subarray(0, 16);
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new GoFuncError('crypto/cipher: input not full blocks');
  const d = createDecipheriv('aes-256-cbc', key, iv);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(body), d.final()]);
  if (plain.length === 0) throw new GoFuncError('runtime error: index out of range [-1]');
  const pad = plain[plain.length - 1]!;
  if (pad > plain.length) throw new GoFuncError(`runtime error: slice bounds out of range [:${plain.length - pad}]`);
  return plain.subarray(0, plain.length - pad).toString('utf8');
}

// ---------------------------------------------------------------- time.Duration

/** time.Duration.String() of a nanosecond count. */
export function durationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1000000000n) {
    let unit: string;
    let div: bigint;
    if (u < 1000n) return (neg ? '-' : '') + u + 'ns';
    if (u < 1000000n) {
      unit = 'µs';
      div = 1000n;
    } else {
      unit = 'ms';
      div = 1000000n;
    }
    out = fracString(u, div) + unit;
  } else {
    const secs = u / 1000000000n;
    const frac = u % 1000000000n;
    let s = (secs % 60n).toString();
    if (frac) s += ('.' + frac.toString().padStart(9, '0')).replace(/0+$/, '');
    s += 's';
    u = secs / 60n;
    if (u > 0n) {
      s = (u % 60n).toString() + 'm' + s;
      u /= 60n;
      if (u > 0n) s = u.toString() + 'h' + s;
    }
    out = s;
  }
  return (neg ? '-' : '') + out;
}

function fracString(v: bigint, div: bigint): string {
  const whole = v / div;
  const frac = v % div;
  if (!frac) return whole.toString();
  const width = div.toString().length - 1;
  return whole + ('.' + frac.toString().padStart(width, '0')).replace(/0+$/, '');
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };

/** time.ParseDuration; null on error. */
export function parseDuration(s: string): bigint | null {
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return null;
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return null;
    total += Number(m[1]) * Number(UNITS[m[2]!]);
    s = s.slice(m[0].length);
  }
  if (total > 9223372036854775807) return null;
  const v = BigInt(Math.round(total));
  return neg ? -v : v;
}

function durationRound(v: GoValue): string {
  let d = 0n;
  if (typeof v === 'string') d = parseDuration(v) ?? 0n;
  else if (v instanceof GoInt && v.type === 'int64') d = v.v;
  let u = d < 0n ? -d : d;
  const second = 1000000000n;
  const minute = 60n * second;
  const hour = 60n * minute;
  const day = 24n * hour;
  const month = 30n * day;
  const year = 365n * day;
  if (u > year) return u / year + 'y';
  if (u > month) return u / month + 'mo';
  if (u > day) return u / day + 'd';
  if (u > hour) return u / hour + 'h';
  if (u > minute) return u / minute + 'm';
  if (u > second) return u / second + 's';
  u = 0n;
  return '0s';
}

function duration(v: GoValue): string {
  let n = 0n;
  if (typeof v === 'string') n = /^[+-]?[0-9]+$/.test(v) && BigInt(v) <= 9223372036854775807n && BigInt(v) >= -9223372036854775808n ? BigInt(v) : 0n;
  else if (v instanceof GoInt && v.type === 'int64') n = v.v;
  return durationString(BigInt.asIntN(64, n * 1000000000n));
}

export const encodingFuncs: Record<string, GoCallable> = {
  b64enc: fn(['string'], (s) => b64enc(s as string)),
  b64dec: fn(['string'], (s) => b64dec(s as string)),
  b32enc: fn(['string'], (s) => b32enc(s as string)),
  b32dec: fn(['string'], (s) => b32dec(s as string)),
  fromJson: fn(['string'], (s) => {
    try {
      return unmarshalJSON(s as string);
    } catch {
      return null;
    }
  }),
  mustFromJson: fn(['string'], (s) => unmarshalJSON(s as string)),
  toJson: fn(['any'], (v) => tryMarshal(v, true)),
  mustToJson: fn(['any'], (v) => marshalJSON(v, true)),
  toPrettyJson: fn(['any'], (v) => tryMarshal(v, true, '  ')),
  mustToPrettyJson: fn(['any'], (v) => marshalJSON(v, true, '  ')),
  toRawJson: fn(['any'], (v) => marshalJSON(v, false)),
  mustToRawJson: fn(['any'], (v) => marshalJSON(v, false)),
  base: fn(['string'], (s) => pathBase(s as string)),
  dir: fn(['string'], (s) => pathDir(s as string)),
  clean: fn(['string'], (s) => pathClean(s as string)),
  ext: fn(['string'], (s) => pathExt(s as string)),
  isAbs: fn(['string'], (s) => (s as string).startsWith('/')),
  osBase: fn(['string'], (s) => pathBase(s as string)),
  osClean: fn(['string'], (s) => pathClean(s as string)),
  osDir: fn(['string'], (s) => pathDir(s as string)),
  osExt: fn(['string'], (s) => pathExt(s as string)),
  osIsAbs: fn(['string'], (s) => (s as string).startsWith('/')),
  urlParse: fn(['string'], (s) => urlParse(s as string)),
  urlJoin: fn(['map'], (d) => urlJoin(d as GoMap)),
  derivePassword: fn(['uint32', 'string', 'string', 'string', 'string'], (c, t, p, u, s) =>
    derivePassword(Number((c as GoInt).v), t as string, p as string, u as string, s as string),
  ),
  decryptAES: fn(['string', 'string'], (p, c) => decryptAES(p as string, c as string)),
  duration: fn(['any'], duration),
  durationRound: fn(['any'], durationRound),
  fail: fn(['string'], (msg) => {
    throw new GoFuncError(msg as string);
  }),
};

