/** Conversions sprig relies on: strval, spf13/cast's ToInt64/ToFloat64, Go string/rune helpers. */
import { parseGoFloat, parseGoInt } from '../parser.js';
import { sprint } from '../fmt.js';
import { GoFuncError, GoInt, GoObject, type GoCallable, type GoValue, type ParamType, goKindOf } from '../values.js';

/** Builds a template function from its Go signature. */
export function fn(params: ParamType[], f: GoCallable['fn'], variadic = false): GoCallable {
  return { params, fn: f, variadic };
}

/** sprig's strval: strings as is, Stringers via String(), anything else with %v. */
export function strval(v: GoValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof GoObject && v.goString) return v.goString();
  return sprint([v ?? null]);
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** Go's int64(float64) conversion (amd64 semantics for out-of-range values). */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

/** cast.ToInt64 (errors become 0, as sprig ignores them). */
export function toInt64(v: GoValue): bigint {
  if (v instanceof GoInt) return BigInt.asIntN(64, v.v);
  switch (typeof v) {
    case 'number':
      return floatToInt64(v);
    case 'string': {
      const r = parseGoInt(trimZeroDecimal(v), false);
      return r ?? 0n;
    }
    case 'boolean':
      return v ? 1n : 0n;
  }
  return 0n;
}

/** cast.ToFloat64. */
export function toFloat64(v: GoValue): number {
  if (v instanceof GoInt) return Number(v.v);
  switch (typeof v) {
    case 'number':
      return v;
    case 'string': {
      const lower = v.toLowerCase();
      if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
      if (lower === 'nan') return NaN;
      return parseGoFloat(v) ?? 0;
    }
    case 'boolean':
      return v ? 1 : 0;
  }
  return 0;
}

/** Requires a slice; else sprig's "Cannot X on type KIND" error. */
export function asList(v: GoValue, what: string): GoValue[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) throw new GoFuncError(`reflect: call of reflect.Value.Kind on zero Value`);
  throw new GoFuncError(`Cannot ${what} type ${goKindOf(v)}`);
}

export function kindOfForError(v: GoValue): string {
  return goKindOf(v);
}


// ---- Go string semantics on UTF-8 bytes

export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** s[a:b] on UTF-8 bytes, with Go's runtime bounds panic. */
export function byteSlice(s: string, a: number, b: number): string {
  const ascii = /^[\x00-\x7f]*$/.test(s);
  const len = ascii ? s.length : Buffer.byteLength(s, 'utf8');
  if (b > len) throw new GoFuncError(`runtime error: slice bounds out of range [:${b}] with length ${len}`);
  if (a > b || a < 0) throw new GoFuncError(`runtime error: slice bounds out of range [${a}:${b}]`);
  return ascii ? s.slice(a, b) : utf8(s).subarray(a, b).toString('utf8');
}

const spaceRe = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
/** unicode.IsSpace. */
export function isSpaceRune(ch: string): boolean {
  return spaceRe.test(ch);
}

/** strings.TrimSpace. */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceRune(s[a]!)) a++;
  while (b > a && isSpaceRune(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** strings.Trim(s, cutset): trims runes in cutset from both ends. */
export function trimCutset(s: string, cutset: string): string {
  if (!s || !cutset) return s;
  const set = new Set([...cutset]);
  const runes = [...s];
  let a = 0;
  let b = runes.length;
  while (a < b && set.has(runes[a]!)) a++;
  while (b > a && set.has(runes[b - 1]!)) b--;
  return runes.slice(a, b).join('');
}

const upperRe = /^\p{Lu}$/u;
const lowerRe = /^\p{Ll}$/u;
const titleRe = /^\p{Lt}$/u;
const letterRe = /^\p{L}$/u;
const numberRe = /^\p{N}$/u;
const punctRe = /^\p{P}$/u;
export const isUpper = (r: string): boolean => upperRe.test(r);
export const isLower = (r: string): boolean => lowerRe.test(r);
export const isTitle = (r: string): boolean => titleRe.test(r);
export const isLetter = (r: string): boolean => letterRe.test(r);
export const isNumberRune = (r: string): boolean => numberRe.test(r);
export const isPunct = (r: string): boolean => punctRe.test(r);

/** unicode.ToUpper / ToLower on a single rune (one rune in, one rune out). */
export function toUpperRune(r: string): string {
  const u = r.toUpperCase();
  return [...u].length === 1 ? u : r;
}
export function toLowerRune(r: string): string {
  const l = r.toLowerCase();
  return [...l].length === 1 ? l : r;
}
export function toTitleRune(r: string): string {
  // Title case equals upper case outside a few digraphs (ǆ → ǅ …).
  const special: Record<string, string> = { ǆ: 'ǅ', Ǆ: 'ǅ', ǉ: 'ǈ', Ǉ: 'ǈ', ǌ: 'ǋ', Ǌ: 'ǋ', ǳ: 'ǲ', Ǳ: 'ǲ' };
  return special[r] ?? toUpperRune(r);
}

/** strings.ToUpper / ToLower: rune-by-rune mapping (no length-changing special casing). */
export function goToUpper(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) ascii = false;
  if (ascii) return s.toUpperCase();
  return [...s].map(toUpperRune).join('');
}
export function goToLower(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) ascii = false;
  if (ascii) return s.toLowerCase();
  return [...s].map(toLowerRune).join('');
}
