/**
 * text/template's predefined functions: and, or, not, len, index, slice, print, printf, println,
 * html, js, urlquery, call, eq, ne, lt, le, gt, ge — with Go's comparison rules and error texts.
 * (`and`, `or` and `call` are special-cased by the executor, which short-circuits them.)
 */
import { isPrintRune, sprint, sprintf, sprintln } from './fmt.js';
import { GoFuncError, GoInt, GoObject, type GoCallable, type GoMap, type GoValue, byteLength, goInt, goTypeOf, isAscii, isTrue, mapGet, withGoType } from './values.js';

export interface BuiltinFunc extends GoCallable {
  builtin: true;
}

function b(params: GoCallable['params'], fn: GoCallable['fn'], variadic = false): BuiltinFunc {
  return { params, fn, variadic, builtin: true };
}

// ---- comparison

const enum Kind {
  Invalid,
  Bool,
  Int,
  Float,
  String,
  Uint,
}

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean':
      return Kind.Bool;
    case 'number':
      return Kind.Float;
    case 'string':
      return Kind.String;
  }
  if (v instanceof GoInt) return v.unsigned ? Kind.Uint : Kind.Int;
  return Kind.Invalid;
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

function kindName(v: GoValue): string {
  if (v === undefined) return 'invalid';
  if (v === null) return 'interface';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object' && !(v instanceof GoInt)) return v instanceof GoObject ? v.goKind : 'map';
  return 'basic';
}

/** Go's eq(arg1, arg2...): arg1 == arg2 || arg1 == arg3 ... with text/template's comparison rules. */
export function eq(first: GoValue, ...rest: GoValue[]): boolean {
  if (rest.length === 0) throw new GoFuncError(errNoComparison);
  const a = first ?? undefined; // a nil interface is an invalid value after indirection
  const k1 = basicKind(a);
  for (const r of rest) {
    const x = r ?? undefined;
    const k2 = basicKind(x);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === Kind.Int && k2 === Kind.Uint) truth = (a as GoInt).v >= 0n && (a as GoInt).v === (x as GoInt).v;
      else if (k1 === Kind.Uint && k2 === Kind.Int) truth = (x as GoInt).v >= 0n && (a as GoInt).v === (x as GoInt).v;
      else if (a !== undefined && x !== undefined) throw new GoFuncError(errBadComparison);
    } else {
      switch (k1) {
        case Kind.Bool:
        case Kind.Float:
        case Kind.String:
          truth = a === x;
          break;
        case Kind.Int:
        case Kind.Uint:
          truth = (a as GoInt).v === (x as GoInt).v;
          break;
        default: {
          const ka = kindName(a);
          const kx = kindName(x);
          if (ka !== kx && ka !== 'invalid' && kx !== 'invalid') {
            throw new GoFuncError(`non-comparable types ${sprintf('%s', [a ?? null])}: ${goTypeOf(a)}, ${goTypeOf(x)}: ${sprintf('%v', [x ?? null])}`);
          }
          if (a === undefined || x === undefined) truth = a === x;
          else if (kx === 'slice' || kx === 'map') throw new GoFuncError(`non-comparable type ${sprintf('%s', [x])}: ${goTypeOf(x)}`);
          else truth = a === x;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

export function lt(a: GoValue, x: GoValue): boolean {
  const k1 = basicKind(a);
  if (k1 === Kind.Invalid) throw new GoFuncError(errBadComparisonType);
  const k2 = basicKind(x);
  if (k2 === Kind.Invalid) throw new GoFuncError(errBadComparisonType);
  if (k1 !== k2) {
    if (k1 === Kind.Int && k2 === Kind.Uint) return (a as GoInt).v < 0n || (a as GoInt).v < (x as GoInt).v;
    if (k1 === Kind.Uint && k2 === Kind.Int) return (x as GoInt).v >= 0n && (a as GoInt).v < (x as GoInt).v;
    throw new GoFuncError(errBadComparison);
  }
  switch (k1) {
    case Kind.Bool:
      throw new GoFuncError(errBadComparisonType);
    case Kind.Float:
      return (a as number) < (x as number);
    case Kind.String:
      return compareBytes(a as string, x as string) < 0;
    default:
      return (a as GoInt).v < (x as GoInt).v;
  }
}

function compareBytes(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function le(a: GoValue, x: GoValue): boolean {
  return lt(a, x) || eq(a, x);
}

// ---- indexing

/** Resolves an index argument as Go's indexArg does. */
function indexArg(index: GoValue, cap: number): number {
  let x: bigint;
  if (index instanceof GoInt) x = index.v;
  else if (index === undefined || index === null) throw new GoFuncError('cannot index slice/array with nil');
  else throw new GoFuncError(`cannot index slice/array with type ${goTypeOf(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new GoFuncError(`index out of range: ${x}`);
  return Number(x);
}

function utf8Bytes(s: string): Buffer | null {
  return isAscii(s) ? null : Buffer.from(s, 'utf8');
}

export function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new GoFuncError('index of untyped nil');
  for (const ix of indexes) {
    if (item === null || item === undefined) throw new GoFuncError('index of nil pointer');
    if (typeof item === 'string') {
      const bytes = utf8Bytes(item);
      const len = bytes ? bytes.length : item.length;
      const x = indexArg(ix, len);
      if (x === len) throw new GoFuncError('reflect: string index out of range');
      item = goInt(bytes ? bytes[x]! : item.charCodeAt(x), 'uint8');
    } else if (Array.isArray(item)) {
      const x = indexArg(ix, item.length);
      if (x === item.length) throw new GoFuncError('reflect: slice index out of range');
      item = item[x] ?? null;
    } else if (typeof item === 'object' && !(item instanceof GoInt) && !(item instanceof GoObject)) {
      if (ix === undefined || ix === null) throw new GoFuncError('value is nil; should be of type string');
      if (typeof ix !== 'string') throw new GoFuncError(`value has type ${goTypeOf(ix)}; should be string`);
      const v = mapGet(item, ix);
      item = v !== undefined ? v : goTypeOf(item) === 'map[string]string' ? '' : null;
    } else {
      throw new GoFuncError(`can't index item of type ${goTypeOf(item)}`);
    }
  }
  return item;
}

export function sliceBuiltin(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (item === undefined || item === null) throw new GoFuncError('slice of untyped nil');
  if (indexes.length > 3) throw new GoFuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Buffer | null = null;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new GoFuncError('cannot 3-index slice a string');
    bytes = utf8Bytes(item);
    len = bytes ? bytes.length : item.length;
  } else if (Array.isArray(item)) len = item.length;
  else throw new GoFuncError(`can't slice item of type ${goTypeOf(item)}`);
  const idx = [0, len, len];
  for (let i = 0; i < indexes.length; i++) idx[i] = indexArg(indexes[i], len);
  if (idx[0]! > idx[1]!) throw new GoFuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new GoFuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return bytes ? bytes.subarray(idx[0], idx[1]).toString('utf8') : item.slice(idx[0], idx[1]);
  const out = item.slice(idx[0], idx[1]);
  const tag = goTypeOf(item);
  return tag === '[]interface {}' ? out : withGoType(out, tag);
}

export function length(item: GoValue): GoValue {
  if (item === null) throw new GoFuncError('len of nil pointer');
  if (item === undefined) throw new GoFuncError('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return goInt(byteLength(item));
  if (Array.isArray(item)) return goInt(item.length);
  if (typeof item === 'object' && !(item instanceof GoInt) && !(item instanceof GoObject)) return goInt(Object.keys(item as GoMap).length);
  throw new GoFuncError(`len of type ${goTypeOf(item)}`);
}

// ---- escaping

/** Go's evalArgs for html/js/urlquery: a single string as is, else fmt.Sprint with <no value> for invalid. */
export function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

export function htmlEscape(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    let rep: string;
    switch (s.charCodeAt(i)) {
      case 0:
        rep = '\uFFFD';
        break;
      case 34:
        rep = '&#34;';
        break;
      case 39:
        rep = '&#39;';
        break;
      case 38:
        rep = '&amp;';
        break;
      case 60:
        rep = '&lt;';
        break;
      case 62:
        rep = '&gt;';
        break;
      default:
        continue;
    }
    out += s.slice(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

export function jsEscape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      switch (c) {
        case 92:
          out += '\\\\';
          continue;
        case 39:
          out += "\\'";
          continue;
        case 34:
          out += '\\"';
          continue;
        case 60:
          out += '\\u003C';
          continue;
        case 62:
          out += '\\u003E';
          continue;
        case 38:
          out += '\\u0026';
          continue;
        case 61:
          out += '\\u003D';
          continue;
      }
      if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
      else out += s[i];
      continue;
    }
    const cp = s.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    if (isPrintRune(cp)) out += s.slice(i, i + w);
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    i += w - 1;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (byte === 32) out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// ---- the table

export const builtins: Record<string, BuiltinFunc> = {
  and: b(['value', 'value'], () => null, true),
  or: b(['value', 'value'], () => null, true),
  not: b(['value'], (v) => !isTrue(v)),
  call: b(['value', 'value'], () => null, true),
  html: b(['any'], (...args) => htmlEscape(evalArgs(args)), true),
  index: b(['value', 'value'], (item, ...ix) => index(item, ...ix), true),
  slice: b(['value', 'value'], (item, ...ix) => sliceBuiltin(item, ...ix), true),
  js: b(['any'], (...args) => jsEscape(evalArgs(args)), true),
  len: b(['value'], length),
  print: b(['any'], (...args) => sprint(args.map((a) => a ?? null)), true),
  printf: b(['string', 'any'], (f, ...args) => sprintf(f as string, args.map((a) => a ?? null)), true),
  println: b(['any'], (...args) => sprintln(args.map((a) => a ?? null)), true),
  urlquery: b(['any'], (...args) => queryEscape(evalArgs(args)), true),
  eq: b(['value', 'value'], eq, true),
  ge: b(['value', 'value'], (a, x) => !lt(a, x)),
  gt: b(['value', 'value'], (a, x) => {
    return !le(a, x);
  }),
  le: b(['value', 'value'], le),
  lt: b(['value', 'value'], lt),
  ne: b(['value', 'value'], (a, x) => !eq(a, x)),
};
