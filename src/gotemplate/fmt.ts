/**
 * Go's fmt package for template values: Sprint, Sprintln, Sprintf with the verbs
 * %v %+v %#v %T %s %q %x %X %d %b %o %O %c %U %t %e %E %f %F %g %G, widths, precisions, `*`,
 * flags `+ - # 0 space`, and Go's error forms (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA …)`).
 * Also strconv.FormatFloat and strconv.Quote, which the rest of the engine reuses.
 */
import { GoInt, GoObject, type GoMap, type GoValue, goTypeOf, sortedKeys } from './values.js';

// ---------------------------------------------------------------- strconv

/** Decimal digits of a finite non-negative double: value = 0.d × 10^dp. Zero has d === ''. */
interface Digits {
  d: string;
  dp: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The exact decimal expansion of |x| (finite). */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  f64[0] = Math.abs(x);
  const bits = u64[0]!;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  let m: bigint;
  let e: number;
  if (expBits === 0) {
    m = frac;
    e = -1074;
  } else {
    m = frac | 0x10000000000000n;
    e = expBits - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (m << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (m * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return { d: s.slice(0, end), dp };
}

/** Shortest digits that round-trip (the same digits Go's strconv picks with precision -1). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const s = Math.abs(x).toExponential();
  const ei = s.indexOf('e');
  const mant = s.slice(0, ei).replace('.', '');
  const exp = Number(s.slice(ei + 1));
  let end = mant.length;
  while (end > 0 && mant.charCodeAt(end - 1) === 48) end--;
  return { d: mant.slice(0, end), dp: exp + 1 };
}

/** Rounds to nd digits, half to even on exact ties (strconv's decimal rounding). */
function roundDigits(x: Digits, nd: number): Digits {
  const { d, dp } = x;
  if (nd < 0 || nd >= d.length) return nd < 0 ? { d: '', dp: 0 } : x;
  const c = d.charCodeAt(nd);
  let up: boolean;
  if (c === 53 /* 5 */ && nd + 1 === d.length) up = nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 53;
  if (!up) {
    let end = nd;
    while (end > 0 && d.charCodeAt(end - 1) === 48) end--;
    return { d: d.slice(0, end), dp: end === 0 ? 0 : dp };
  }
  let i = nd - 1;
  while (i >= 0 && d.charCodeAt(i) === 57) i--;
  if (i < 0) return { d: '1', dp: dp + 1 };
  return { d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp };
}

function fmtE(neg: boolean, x: Digits, prec: number, e: string): string {
  let out = neg ? '-' : '';
  out += x.d.length ? x.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const frac = x.d.slice(1, 1 + prec);
    out += frac + '0'.repeat(prec - frac.length);
  }
  out += e;
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  out += exp < 10 ? '0' + exp : String(exp);
  return out;
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (x.dp > 0) {
    const ip = x.d.slice(0, x.dp);
    out += ip + '0'.repeat(x.dp - ip.length);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

function fmtHexFloat(x: number, prec: number, upper: boolean): string {
  const neg = x < 0 || Object.is(x, -0);
  let out = neg ? '-' : '';
  x = Math.abs(x);
  let mant: bigint;
  let exp: number;
  if (x === 0) {
    mant = 0n;
    exp = 0;
  } else {
    f64[0] = x;
    const bits = u64[0]!;
    const eb = Number((bits >> 52n) & 0x7ffn);
    mant = bits & 0xfffffffffffffn;
    if (eb === 0) {
      // Normalise a subnormal.
      exp = -1022;
      while ((mant & 0x10000000000000n) === 0n) {
        mant <<= 1n;
        exp--;
      }
      mant &= 0xfffffffffffffn;
    } else exp = eb - 1023;
  }
  let lead = x === 0 ? 0n : 1n;
  let hex = mant.toString(16).padStart(13, '0');
  if (prec >= 0 && prec < 13) {
    // Round the 52-bit fraction to prec hex digits, half to even.
    const shift = BigInt((13 - prec) * 4);
    const full = (lead << 52n) | mant;
    const q = full >> shift;
    const r = full & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    let rounded = q;
    if (r > half || (r === half && (q & 1n) === 1n)) rounded = q + 1n;
    let total = rounded << shift;
    if (total >> 53n) {
      total >>= 1n;
      exp++;
    }
    lead = total >> 52n;
    hex = (total & 0xfffffffffffffn).toString(16).padStart(13, '0').slice(0, prec);
  } else {
    hex = hex.replace(/0+$/, '');
    if (prec > 13) hex = hex.padEnd(prec, '0');
  }
  out += '0x' + lead.toString() + (hex.length ? '.' + hex : '') + 'p' + (exp < 0 ? '-' : '+');
  const ae = Math.abs(exp);
  out += ae < 10 ? '0' + ae : String(ae);
  return upper ? out.toUpperCase() : out;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt e, E, f, g, G, x, X. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (fmt === 'x' || fmt === 'X') return fmtHexFloat(x, prec, fmt === 'X');
  const neg = x < 0 || Object.is(x, -0);
  let digs: Digits;
  const shortest = prec < 0;
  if (shortest) {
    digs = shortestDigits(x);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      default:
        prec = digs.d.length;
    }
  } else {
    const exact = exactDigits(x);
    switch (fmt) {
      case 'e':
      case 'E':
        digs = roundDigits(exact, prec + 1);
        break;
      case 'f':
        digs = roundDigits(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDigits(exact, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, digs, prec, fmt);
    case 'f':
      return fmtF(neg, digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (digs.d.length > 0 && (exp < -4 || exp >= eprec)) {
        if (prec > digs.d.length) prec = digs.d.length;
        return fmtE(neg, digs, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > digs.dp) prec = digs.d.length;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}

/** Go's `%v` of a float64: strconv.FormatFloat(x, 'g', -1, 64). */
export function formatFloatV(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return Object.is(x, -0) ? '-0' : String(x);
  return formatFloat(x, 'g', -1);
}

const printableRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint. */
export function isPrintRune(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return printableRe.test(String.fromCodePoint(cp));
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** strconv.Quote (or QuoteToASCII / QuoteRune with the options). */
export function quoteGo(s: string, asciiOnly = false, q = '"'): string {
  let out = q;
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x5c && c !== q.charCodeAt(0)) continue;
    out += s.slice(plainFrom, i);
    let cp = c;
    let w = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        w = 2;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate: invalid UTF-8 in Go terms
    out += escapeRune(cp, asciiOnly, q);
    i += w - 1;
    plainFrom = i + 1;
  }
  return out + s.slice(plainFrom) + q;
}

function escapeRune(cp: number, asciiOnly: boolean, q: string): string {
  if (cp === q.charCodeAt(0) || cp === 0x5c) return '\\' + String.fromCharCode(cp);
  if (asciiOnly ? cp < 0x80 && isPrintRune(cp) : isPrintRune(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + hex4(cp);
  return '\\U' + cp.toString(16).padStart(8, '0');
}

function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x60 || c === 0xfeff) return false;
    if (c < 0x20 && c !== 9) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

// ---------------------------------------------------------------- printer

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

class Printer {
  buf = '';
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  widPresent = false;
  precPresent = false;
  wid = 0;
  prec = 0;

  clearFlags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = this.widPresent = this.precPresent = false;
    this.wid = this.prec = 0;
  }

  private padding(n: number): string {
    return n > 0 ? (this.zero ? '0' : ' ').repeat(n) : '';
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) this.buf += this.padding(width) + s;
    else this.buf += s + this.padding(width);
  }

  /** pad with zero padding forced off (as fmtInteger, fmtUnicode do). */
  private padNoZero(s: string): void {
    const z = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = z;
  }

  // --- basic formatters

  fmtInteger(u: bigint, negativeAllowed: boolean, base: number, verb: string, digits: string): void {
    const negative = negativeAllowed && u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const z = this.zero;
        this.zero = false;
        this.buf += this.padding(this.wid);
        this.zero = z;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8) {
        if (s[0] !== '0') s = '0' + s;
      } else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    this.padNoZero(s);
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    if (this.sharp && u <= 0x10ffffn && isPrintRune(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    this.padNoZero(s);
  }

  fmtC(u: bigint): void {
    const cp = u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u);
    this.pad(String.fromCodePoint(cp));
  }

  fmtQc(u: bigint): void {
    const cp = u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u);
    const s = String.fromCodePoint(cp);
    this.pad(cp === 0x27 ? "'\\''" : quoteGo(s, this.plus, "'"));
  }

  fmtFloatNum(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === '-' || num[0] === '+') {
      /* keep */
    } else num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const z = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = z;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let body = num;
      let hasDecimalPoint = false;
      let sawNonzero = false;
      for (let i = 1; i < body.length; i++) {
        const ch = body[i]!;
        if (ch === '.') {
          hasDecimalPoint = true;
          continue;
        }
        if (ch === 'p' || ch === 'P' || ((ch === 'e' || ch === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if (ch !== '0') sawNonzero = true;
        if (sawNonzero) digits--;
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === '0') digits--;
        body += '.';
      }
      while (digits > 0) {
        body += '0';
        digits--;
      }
      num = body + tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.buf += num[0] + '0'.repeat(this.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    for (let i = 0; i < s.length; i++) {
      if (--n < 0) return s.slice(0, i);
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtSx(s: string, digits: string): void {
    const bytes = Buffer.from(s, 'utf8');
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.buf += this.padding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.buf += this.padding(this.wid - width);
    let out = '';
    if (this.sharp) out += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += '0' + digits[16];
      }
      const c = bytes[i]!;
      out += digits[c >> 4]! + digits[c & 15]!;
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.buf += this.padding(this.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(quoteGo(s, this.plus));
  }

  // --- dispatch

  badVerb(verb: string, v: GoValue): void {
    this.buf += '%!' + verb + '(';
    if (v === undefined || v === null) this.buf += '<nil>';
    else {
      this.buf += goTypeOf(v) + '=';
      this.printArg(v, 'v', 1, true);
    }
    this.buf += ')';
  }

  fmtString(s: string, verb: string, orig: GoValue): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
        this.fmtSx(s, LDIGITS);
        return;
      case 'X':
        this.fmtSx(s, UDIGITS);
        return;
      case 'q':
        this.fmtQ(s);
        return;
      default:
        this.badVerb(verb, orig);
    }
  }

  fmtIntValue(n: GoInt, verb: string): void {
    const signed = !n.unsigned;
    switch (verb) {
      case 'v':
        if (this.sharpV && !signed) {
          const sh = this.sharp;
          this.sharp = true;
          this.fmtInteger(n.v, false, 16, 'v', LDIGITS);
          this.sharp = sh;
        } else this.fmtInteger(n.v, signed, 10, verb, LDIGITS);
        return;
      case 'd':
        this.fmtInteger(n.v, signed, 10, verb, LDIGITS);
        return;
      case 'b':
        this.fmtInteger(n.v, signed, 2, verb, LDIGITS);
        return;
      case 'o':
      case 'O':
        this.fmtInteger(n.v, signed, 8, verb, LDIGITS);
        return;
      case 'x':
        this.fmtInteger(n.v, signed, 16, verb, LDIGITS);
        return;
      case 'X':
        this.fmtInteger(n.v, signed, 16, verb, UDIGITS);
        return;
      case 'c':
        this.fmtC(n.v);
        return;
      case 'q':
        this.fmtQc(n.v);
        return;
      case 'U':
        this.fmtUnicode(n.v);
        return;
      default:
        this.badVerb(verb, n);
    }
  }

  fmtFloatValue(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloatNum(v, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloatNum(v, verb === 'b' ? 'e' : verb, -1);
        return;
      case 'f':
      case 'e':
      case 'E':
        this.fmtFloatNum(v, verb, 6);
        return;
      case 'F':
        this.fmtFloatNum(v, 'f', 6);
        return;
      default:
        this.badVerb(verb, v);
    }
  }

  /** printArg at depth 0, printValue below; `erroring` suppresses Stringer handling as Go does. */
  printArg(v: GoValue, verb: string, depth = 0, erroring = false): void {
    if (v === undefined || v === null) {
      if (depth > 0) {
        if (this.sharpV) this.buf += 'interface {}(nil)';
        else if (verb === 'v' || depth > 0) this.buf += '<nil>';
        return;
      }
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, v);
      return;
    }
    if (verb === 'T' && depth === 0) {
      this.fmtS(goTypeOf(v));
      return;
    }
    switch (typeof v) {
      case 'string':
        this.fmtString(v, verb, v);
        return;
      case 'number':
        this.fmtFloatValue(v, verb);
        return;
      case 'boolean':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v);
        return;
    }
    if (v instanceof GoInt) {
      this.fmtIntValue(v, verb);
      return;
    }
    if (v instanceof GoObject) {
      if (!erroring && !this.sharpV && v.goString && (verb === 'v' || verb === 's' || verb === 'x' || verb === 'X' || verb === 'q')) {
        this.fmtString(v.goString(), verb, v);
        return;
      }
      this.buf += (this.sharpV ? v.goType : '&') + '{}';
      return;
    }
    if (Array.isArray(v)) {
      if (this.sharpV) {
        this.buf += goTypeOf(v) + '{';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) this.buf += ', ';
          this.printArg(v[i], verb, depth + 1);
        }
        this.buf += '}';
      } else {
        this.buf += '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) this.buf += ' ';
          this.printArg(v[i], verb, depth + 1);
        }
        this.buf += ']';
      }
      return;
    }
    const m = v as GoMap;
    const keys = sortedKeys(m);
    this.buf += this.sharpV ? goTypeOf(m) + '{' : 'map[';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
      const k = keys[i]!;
      this.fmtString(k, verb, k);
      this.buf += ':';
      this.printArg(m[k], verb, depth + 1);
    }
    this.buf += this.sharpV ? '}' : ']';
  }
}

function isStringArg(v: GoValue): boolean {
  return typeof v === 'string';
}

/** fmt.Sprint. */
export function sprint(args: readonly GoValue[]): string {
  if (args.length === 1) {
    const a = args[0];
    if (typeof a === 'string') return a;
    if (typeof a === 'number') return formatFloatV(a);
    if (typeof a === 'boolean') return a ? 'true' : 'false';
  }
  const p = new Printer();
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isStr = isStringArg(a);
    if (i > 0 && !isStr && !prevString) p.buf += ' ';
    p.printArg(a ?? null, 'v');
    prevString = isStr;
  }
  return p.buf;
}

/** fmt.Sprintln. */
export function sprintln(args: readonly GoValue[]): string {
  const p = new Printer();
  for (let i = 0; i < args.length; i++) {
    if (i > 0) p.buf += ' ';
    p.printArg(args[i] ?? null, 'v');
  }
  return p.buf + '\n';
}

/** fmt.Sprint of one value, the way a template prints an action's result (`%v`). */
export function formatValue(v: GoValue): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloatV(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof GoInt) return v.v.toString();
  const p = new Printer();
  p.printArg(v ?? null, 'v');
  return p.buf;
}

function parseNum(s: string, i: number): [number, boolean, number] {
  let n = 0;
  let ok = false;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (n > 1e6) return [0, false, s.length]; // Go: "%!(BADWIDTH)"-style overflow guard
    n = n * 10 + (c - 48);
    ok = true;
    i++;
  }
  return [n, ok, i];
}

function intFromArg(args: readonly GoValue[], argNum: number): [number, boolean, number] {
  if (argNum >= args.length) return [0, false, argNum];
  const a = args[argNum];
  let n = 0;
  let ok = false;
  if (a instanceof GoInt) {
    n = Number(a.v);
    ok = true;
    if (n > 1e6 || n < -1e6) {
      n = 0;
      ok = false;
    }
  }
  return [n, ok, argNum + 1];
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let i = 0;
  const argNumber = (at: number): void => {
    // Parses an explicit argument index like [3].
    if (at >= end || format[at] !== '[') return;
    reordered = true;
    const close = format.indexOf(']', at + 1);
    if (close < 0) {
      goodArgNum = false;
      i = at;
      return;
    }
    const [n, ok, j] = parseNum(format, at + 1);
    if (!ok || j !== close) {
      goodArgNum = false;
      i = close + 1;
      afterIndex = false;
      return;
    }
    const idx = n - 1;
    if (idx >= 0 && idx <= args.length) {
      argNum = idx;
      i = close + 1;
      afterIndex = true;
    } else {
      goodArgNum = false;
      i = close + 1;
      afterIndex = false;
    }
  };
  let goodArgNum = true;
  formatLoop: while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) p.buf += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    p.clearFlags();
    simple: for (; i < end; i++) {
      const c = format[i]!;
      switch (c) {
        case '#':
          p.sharp = true;
          break;
        case '0':
          p.zero = !p.minus;
          break;
        case '+':
          p.plus = true;
          break;
        case '-':
          p.minus = true;
          p.zero = false;
          break;
        case ' ':
          p.space = true;
          break;
        default:
          if (c >= 'a' && c <= 'z' && argNum < args.length) {
            if (c === 'v') {
              p.sharpV = p.sharp;
              p.sharp = false;
              p.plusV = p.plus;
              p.plus = false;
            }
            p.printArg(args[argNum] ?? null, c);
            argNum++;
            i++;
            continue formatLoop;
          }
          break simple;
      }
    }
    afterIndex = false;
    argNumber(i);
    if (i < end && format[i] === '*') {
      i++;
      [p.wid, p.widPresent, argNum] = intFromArg(args, argNum);
      if (!p.widPresent) p.buf += '%!(BADWIDTH)';
      if (p.wid < 0) {
        p.wid = -p.wid;
        p.minus = true;
        p.zero = false;
      }
      afterIndex = false;
    } else {
      [p.wid, p.widPresent, i] = parseNum(format, i);
      if (afterIndex && p.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = false;
      argNumber(i);
      if (i < end && format[i] === '*') {
        i++;
        [p.prec, p.precPresent, argNum] = intFromArg(args, argNum);
        if (p.prec < 0) {
          p.prec = 0;
          p.precPresent = false;
        }
        if (!p.precPresent) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        [p.prec, p.precPresent, i] = parseNum(format, i);
        if (!p.precPresent) {
          p.prec = 0;
          p.precPresent = true;
        }
      }
    }
    if (!afterIndex) argNumber(i);
    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') p.buf += '%';
    else if (!goodArgNum) p.buf += '%!' + verb + '(BADINDEX)';
    else if (argNum >= args.length) p.buf += '%!' + verb + '(MISSING)';
    else {
      if (verb === 'v') {
        p.sharpV = p.sharp;
        p.sharp = false;
        p.plusV = p.plus;
        p.plus = false;
      }
      p.printArg(args[argNum] ?? null, verb);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    p.clearFlags();
    p.buf += '%!(EXTRA ';
    for (let k = argNum; k < args.length; k++) {
      if (k > argNum) p.buf += ', ';
      const a = args[k];
      if (a === undefined || a === null) p.buf += '<nil>';
      else {
        p.buf += goTypeOf(a) + '=';
        p.printArg(a, 'v');
      }
    }
    p.buf += ')';
  }
  return p.buf;
}

