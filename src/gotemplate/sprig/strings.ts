/** sprig string functions (Masterminds/sprig v3 strings.go and its goutils / xstrings helpers). */
import { createHash } from 'node:crypto';
import { quoteGo, sprintf } from '../fmt.js';
import { GoFuncError, GoInt, type GoCallable, type GoValue, goInt, withGoType } from '../values.js';
import {
  byteSlice,
  fn,
  goToLower,
  goToUpper,
  isLetter,
  isLower,
  isNumberRune,
  isPunct,
  isSpaceRune,
  isTitle,
  isUpper,
  strval,
  toLowerRune,
  toTitleRune,
  toUpperRune,
  trimCutset,
  trimSpace,
  utf8,
} from './convert.js';

const int = (v: GoValue): number => Number((v as GoInt).v);
const str = (v: GoValue): string => v as string;

function latin1Bytes(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s : utf8(s).toString('latin1');
}

function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  // goutils works on bytes.
  if (s === '') return '';
  if (maxWidth < 4) throw new GoFuncError('stringutils illegal argument: Minimum abbreviation width is 4');
  const len = utf8(s).length;
  if (len <= maxWidth) return s;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  const marker = '...';
  if (offset <= 4) return byteSlice(s, 0, maxWidth - 3) + marker;
  if (maxWidth < 7) throw new GoFuncError('stringutils illegal argument: Minimum abbreviation width with offset is 7');
  if (offset + maxWidth - 3 < len) return marker + abbreviateFull(byteSlice(s, offset, len), 0, maxWidth - 3);
  return marker + byteSlice(s, len - (maxWidth - 3), len);
}

function abbrev(width: number, s: string): string {
  if (width < 4) return s;
  try {
    return abbreviateFull(s, 0, width);
  } catch {
    return '';
  }
}

function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  try {
    return abbreviateFull(s, left, right);
  } catch {
    return '';
  }
}

function trunc(c: number, s: string): string {
  const len = utf8(s).length;
  if (c < 0 && len + c > 0) return byteSlice(s, len + c, len);
  if (c >= 0 && len > c) return byteSlice(s, 0, c);
  return s;
}

function isTitleSeparator(r: string): boolean {
  const c = r.codePointAt(0)!;
  if (c <= 0x7f) return !((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95);
  if (isLetter(r) || /^\p{Nd}$/u.test(r)) return false;
  return isSpaceRune(r);
}

/** strings.Title. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const r of s) {
    out += isTitleSeparator(prev) ? toTitleRune(r) : r;
    prev = r;
  }
  return out;
}

/** goutils.Uncapitalize (whitespace delimiters). */
function untitle(s: string): string {
  let next = true;
  let out = '';
  for (const r of s) {
    if (isSpaceRune(r)) {
      next = true;
      out += r;
    } else if (next) {
      out += toLowerRune(r);
      next = false;
    } else out += r;
  }
  return out;
}

function substr(start: number, end: number, s: string): string {
  const len = utf8(s).length;
  if (start < 0) return byteSlice(s, 0, end);
  if (end < 0 || end > len) return byteSlice(s, start, len);
  return byteSlice(s, start, end);
}

/** goutils.DeleteWhiteSpace: byte-wise (bytes ≥ 0x80 are re-encoded as Latin-1 runes, as upstream does). */
function nospace(s: string): string {
  if (s === '') return s;
  const bytes = latin1Bytes(s);
  let out = '';
  for (const ch of bytes) if (!isSpaceRune(ch)) out += ch;
  return out.length === bytes.length ? s : out;
}

/** goutils.Initials: byte-wise, whitespace delimiters. */
function initials(s: string): string {
  let gap = true;
  let out = '';
  for (const ch of latin1Bytes(s)) {
    if (isSpaceRune(ch)) gap = true;
    else if (gap) {
      out += ch;
      gap = false;
    }
  }
  return out;
}

/** goutils.SwapCase. */
function swapcase(s: string): string {
  let ws = true;
  let out = '';
  for (const r of s) {
    if (isUpper(r) || isTitle(r)) {
      out += toLowerRune(r);
      ws = false;
    } else if (isLower(r)) {
      if (ws) {
        out += toTitleRune(r);
        ws = false;
      } else out += toUpperRune(r);
    } else {
      out += r;
      ws = isSpaceRune(r);
    }
  }
  return out;
}

// ---- xstrings case conversion

function isConnector(r: string): boolean {
  return r === '-' || r === '_' || isSpaceRune(r);
}

function isAlphabet(r: string): boolean {
  if (!isLetter(r)) return false;
  const c = r.codePointAt(0)!;
  if (c < 0x3400) return true; // minCJKCharacter
  if (c >= 0x4e00 && c <= 0x9fcc) return false;
  if (c >= 0x3400 && c <= 0x4d85) return false;
  if (c >= 0x20000 && c <= 0x2b81d) return false;
  return true;
}

/** xstrings.ToCamelCase. */
function camelcase(s: string): string {
  const runes = [...s];
  if (runes.length === 0) return '';
  let out = '';
  let i = 0;
  let r0 = '';
  while (i < runes.length) {
    r0 = runes[i++]!;
    if (!isConnector(r0)) {
      r0 = toUpperRune(r0);
      break;
    }
    out += r0;
  }
  if (i >= runes.length) return out + r0;
  while (i < runes.length) {
    const r1 = r0;
    r0 = runes[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) r0 = toUpperRune(r0);
    else {
      r0 = toLowerRune(r0);
      out += r1;
    }
  }
  return out + r0;
}

const enum W {
  Invalid,
  Number,
  Upper,
  Alphabet,
  Connector,
  Punct,
  Other,
}

function nextWord(runes: string[], at: number): [W, number] {
  // Returns the word type and the index just past the word.
  if (at >= runes.length) return [W.Invalid, at];
  let i = at;
  const r = runes[i++]!;
  if (r === '\uFFFD') return [W.Invalid, i];
  if (isConnector(r)) {
    while (i < runes.length && isConnector(runes[i]!)) i++;
    return [W.Connector, i];
  }
  if (isPunct(r)) {
    while (i < runes.length && isPunct(runes[i]!)) i++;
    return [W.Punct, i];
  }
  if (isUpper(r)) {
    if (i >= runes.length) return [W.Upper, i];
    const n = runes[i]!;
    if (isUpper(n)) {
      let prev = i;
      i++;
      while (i < runes.length && isUpper(runes[i]!)) {
        prev = i;
        i++;
      }
      if (i < runes.length && isAlphabet(runes[i]!)) i = prev;
    } else if (isAlphabet(n)) {
      i++;
      while (i < runes.length && isAlphabet(runes[i]!) && !isUpper(runes[i]!)) i++;
    }
    return [W.Upper, i];
  }
  if (isAlphabet(r)) {
    while (i < runes.length && isAlphabet(runes[i]!) && !isUpper(runes[i]!)) i++;
    return [W.Alphabet, i];
  }
  if (isNumberRune(r)) {
    while (i < runes.length && isNumberRune(runes[i]!)) i++;
    return [W.Number, i];
  }
  while (i < runes.length) {
    const c = runes[i]!;
    if (isConnector(c) || isAlphabet(c) || isNumberRune(c) || isPunct(c)) break;
    i++;
  }
  return [W.Other, i];
}

function camelToLower(s: string, connector: string): string {
  const runes = [...s];
  if (runes.length === 0) return '';
  let out = '';
  const lower = (wt: W, a: number, b: number): void => {
    const w = runes.slice(a, b);
    if (wt !== W.Upper && wt !== W.Connector) {
      out += w.join('');
      return;
    }
    for (const r of w) out += isConnector(r) ? connector : isUpper(r) ? toLowerRune(r) : r;
  };
  let start = 0;
  let [wt, end] = nextWord(runes, 0);
  while (end < runes.length) {
    if (wt !== W.Connector) lower(wt, start, end);
    const prev = wt;
    const lastStart = start;
    const lastEnd = end;
    start = end;
    [wt, end] = nextWord(runes, start);
    switch (prev) {
      case W.Number:
        while (wt === W.Alphabet || wt === W.Number) {
          lower(wt, start, end);
          start = end;
          [wt, end] = nextWord(runes, start);
        }
        if (wt !== W.Invalid && wt !== W.Punct && wt !== W.Connector) out += connector;
        break;
      case W.Connector:
        lower(prev, lastStart, lastEnd);
        break;
      case W.Punct:
        break;
      default: {
        if (wt !== W.Number) {
          if (wt !== W.Connector && wt !== W.Punct) out += connector;
          break;
        }
        if (end >= runes.length) break;
        const numStart = start;
        const numEnd = end;
        start = end;
        [wt, end] = nextWord(runes, start);
        if (wt !== W.Alphabet) {
          lower(W.Number, numStart, numEnd);
          if (wt !== W.Connector && wt !== W.Punct) out += connector;
          break;
        }
        out += connector;
        lower(W.Number, numStart, numEnd);
        while (wt === W.Alphabet || wt === W.Number) {
          lower(wt, start, end);
          start = end;
          [wt, end] = nextWord(runes, start);
        }
        if (wt !== W.Invalid && wt !== W.Connector && wt !== W.Punct) out += connector;
      }
    }
  }
  lower(wt, start, end);
  return out;
}

/** goutils.WrapCustom (byte offsets, as upstream). */
function wrapCustom(s: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (s === '') return '';
  if (newLine === '') newLine = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const b = utf8(s);
  const sub = (x: number, y: number): string => b.subarray(x, y).toString('utf8');
  const len = b.length;
  let offset = 0;
  let out = '';
  while (len - offset > wrapLength) {
    if (b[offset] === 32) {
      offset++;
      continue;
    }
    const end = Math.min(wrapLength + offset + 1, len);
    const seg = b.subarray(offset, end);
    const sp = seg.lastIndexOf(32);
    const spaceToWrapAt = sp + offset;
    if (sp >= 0) {
      out += sub(offset, spaceToWrapAt) + newLine;
      offset = spaceToWrapAt + 1;
    } else if (wrapLong) {
      out += sub(offset, wrapLength + offset) + newLine;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const idx = b.subarray(e).indexOf(32);
      if (idx === -1) {
        out += sub(offset, len);
        offset = len;
      } else {
        out += sub(offset, idx + e) + newLine;
        offset = idx + e + 1;
      }
    }
  }
  return out + sub(offset, len);
}

function quote(args: GoValue[]): string {
  const out: string[] = [];
  for (const a of args) if (a !== null && a !== undefined) out.push(quoteGo(strval(a)));
  return out.join(' ');
}

function squote(args: GoValue[]): string {
  const out: string[] = [];
  for (const a of args) if (a !== null && a !== undefined) out.push(sprintf("'%v'", [a]));
  return out.join(' ');
}

function cat(args: GoValue[]): string {
  const v = args.filter((a) => a !== null && a !== undefined);
  return sprintf(trimSpace('%v '.repeat(v.length)), v);
}

function indent(spaces: number, v: string): string {
  if (spaces < 0) throw new GoFuncError('strings: negative Repeat count');
  const pad = ' '.repeat(spaces);
  return pad + v.split('\n').join('\n' + pad);
}

function repeat(count: number, s: string): string {
  if (count < 0) throw new GoFuncError('strings: negative Repeat count');
  return s.repeat(count);
}

/** adler32 checksum as an unsigned decimal. */
function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of utf8(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

/** strings.Split. */
export function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const runes = [...s];
    if (n < 0 || n >= runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join('')];
  }
  if (n < 0) return s.split(sep);
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

function splitMap(parts: string[]): GoValue {
  const m: Record<string, GoValue> = {};
  parts.forEach((p, i) => (m['_' + i] = p));
  return withGoType(m, 'map[string]string');
}

/** strconv.Atoi (0 on error). */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return 0;
  return Number(v);
}

export const stringFuncs: Record<string, GoCallable> = {
  abbrev: fn(['int', 'string'], (w, s) => abbrev(int(w), str(s))),
  abbrevboth: fn(['int', 'int', 'string'], (l, r, s) => abbrevboth(int(l), int(r), str(s))),
  trunc: fn(['int', 'string'], (c, s) => trunc(int(c), str(s))),
  trim: fn(['string'], (s) => trimSpace(str(s))),
  upper: fn(['string'], (s) => goToUpper(str(s))),
  lower: fn(['string'], (s) => goToLower(str(s))),
  title: fn(['string'], (s) => title(str(s))),
  untitle: fn(['string'], (s) => untitle(str(s))),
  substr: fn(['int', 'int', 'string'], (a, b, s) => substr(int(a), int(b), str(s))),
  repeat: fn(['int', 'string'], (c, s) => repeat(int(c), str(s))),
  trimall: fn(['string', 'string'], (a, b) => trimCutset(str(b), str(a))),
  trimAll: fn(['string', 'string'], (a, b) => trimCutset(str(b), str(a))),
  trimSuffix: fn(['string', 'string'], (a, b) => (str(b).endsWith(str(a)) ? str(b).slice(0, str(b).length - str(a).length) : str(b))),
  trimPrefix: fn(['string', 'string'], (a, b) => (str(b).startsWith(str(a)) ? str(b).slice(str(a).length) : str(b))),
  nospace: fn(['string'], (s) => nospace(str(s))),
  initials: fn(['string'], (s) => initials(str(s))),
  swapcase: fn(['string'], (s) => swapcase(str(s))),
  snakecase: fn(['string'], (s) => camelToLower(str(s), '_')),
  camelcase: fn(['string'], (s) => camelcase(str(s))),
  kebabcase: fn(['string'], (s) => camelToLower(str(s), '-')),
  wrap: fn(['int', 'string'], (l, s) => wrapCustom(str(s), int(l), '', false)),
  wrapWith: fn(['int', 'string', 'string'], (l, sep, s) => wrapCustom(str(s), int(l), str(sep), true)),
  contains: fn(['string', 'string'], (sub, s) => str(s).includes(str(sub))),
  hasPrefix: fn(['string', 'string'], (p, s) => str(s).startsWith(str(p))),
  hasSuffix: fn(['string', 'string'], (p, s) => str(s).endsWith(str(p))),
  quote: fn(['any'], (...a) => quote(a), true),
  squote: fn(['any'], (...a) => squote(a), true),
  cat: fn(['any'], (...a) => cat(a), true),
  indent: fn(['int', 'string'], (n, s) => indent(int(n), str(s))),
  nindent: fn(['int', 'string'], (n, s) => '\n' + indent(int(n), str(s))),
  replace: fn(['string', 'string', 'string'], (o, n, s) => replaceAll(str(s), str(o), str(n))),
  plural: fn(['string', 'string', 'int'], (one, many, c) => (int(c) === 1 ? str(one) : str(many))),
  sha1sum: fn(['string'], (s) => createHash('sha1').update(str(s), 'utf8').digest('hex')),
  sha256sum: fn(['string'], (s) => createHash('sha256').update(str(s), 'utf8').digest('hex')),
  adler32sum: fn(['string'], (s) => adler32(str(s))),
  toString: fn(['any'], (v) => strval(v)),
  atoi: fn(['string'], (s) => goInt(atoi(str(s)))),
  split: fn(['string', 'string'], (sep, s) => splitMap(goSplit(str(s), str(sep)))),
  splitList: fn(['string', 'string'], (sep, s) => withGoType(goSplit(str(s), str(sep)), '[]string')),
  splitn: fn(['string', 'int', 'string'], (sep, n, s) => splitMap(goSplit(str(s), str(sep), int(n)))),
};

/** strings.Replace(s, old, new, -1), including Go's rule for an empty `old`. */
export function replaceAll(s: string, old: string, nw: string): string {
  if (old === nw) return s;
  if (old === '') {
    const runes = [...s];
    return nw + runes.map((r) => r + nw).join('');
  }
  return s.split(old).join(nw);
}

