/**
 * The Go value model the template engine works on.
 *
 * Template data is JSON, decoded the way Go's encoding/json decodes into `interface{}`:
 *
 * | Go                       | here                                   |
 * | ------------------------ | -------------------------------------- |
 * | invalid reflect.Value    | `undefined` (a missing map key)        |
 * | nil interface            | `null`                                 |
 * | string / bool / float64  | `string` / `boolean` / `number`        |
 * | int, int64, uint8, …     | {@link GoInt} (a bigint with its type) |
 * | []interface{}            | `GoValue[]` (other element types via {@link withGoType}) |
 * | map[string]interface{}   | a plain object                         |
 * | *semver.Version, …       | a {@link GoObject} subclass            |
 *
 * Numbers that come from JSON are always float64, exactly as in Cluster API, so `{{ .replicas }}`
 * prints `3` and `{{ 1000000.0 }}` prints `1e+06`, while integer literals in a template are Go ints.
 */

export type GoValue = undefined | null | string | number | boolean | GoInt | GoObject | GoValue[] | GoMap;
export interface GoMap {
  [key: string]: GoValue;
}

export type IntType = 'int' | 'int64' | 'int32' | 'uint8' | 'uint' | 'uint32' | 'uint64';

/** A Go integer of a given type. Values are kept in range for their type (wrapping like Go). */
export class GoInt {
  readonly v: bigint;
  constructor(
    v: bigint,
    readonly type: IntType = 'int',
  ) {
    this.v = wrapInt(v, type);
  }
  get unsigned(): boolean {
    return this.type === 'uint8' || this.type === 'uint' || this.type === 'uint32' || this.type === 'uint64';
  }
  toNumber(): number {
    return Number(this.v);
  }
}

export function wrapInt(v: bigint, type: IntType): bigint {
  switch (type) {
    case 'int':
    case 'int64':
      return BigInt.asIntN(64, v);
    case 'int32':
      return BigInt.asIntN(32, v);
    case 'uint8':
      return BigInt.asUintN(8, v);
    case 'uint32':
      return BigInt.asUintN(32, v);
    default:
      return BigInt.asUintN(64, v);
  }
}

export function goInt(n: number | bigint, type: IntType = 'int'): GoInt {
  return new GoInt(typeof n === 'bigint' ? n : BigInt(Math.trunc(n)), type);
}

/** A Go value with methods and fields, such as `*semver.Version`. */
export abstract class GoObject {
  /** Go's `%T` of the value, e.g. `*semver.Version`. */
  abstract readonly goType: string;
  /** reflect.Kind name, e.g. `ptr` or `struct`. */
  readonly goKind: string = 'ptr';
  /** Method or field lookup for `.Name` on this value; undefined when there is none. */
  abstract member(name: string): GoCallable | undefined;
  /** fmt.Stringer, when the Go type implements it. */
  goString?(): string;
}

/** The signature of a function callable from a template: parameter types drive Go's argument checks. */
export type ParamType =
  | 'any' // interface{}
  | 'value' // reflect.Value (builtins): receives invalid values as-is
  | 'string'
  | 'int'
  | 'int64'
  | 'uint32'
  | 'float64'
  | 'bool'
  | 'map' // map[string]interface{}
  | 'strings'; // []string

export interface GoCallable {
  /** Fixed parameter types; with `variadic`, the last entry is the element type of the `...` parameter. */
  params: readonly ParamType[];
  variadic?: boolean;
  fn: (...args: GoValue[]) => GoValue;
}

/**
 * Declares a template function by its Go signature, e.g.
 * `goFunc(['string', 'int'], (s, n) => (s as string).repeat(Number((n as GoInt).v)))`.
 * With `variadic`, the last parameter type is the element type of the `...` parameter.
 */
export function goFunc(params: ParamType[], fn: GoCallable['fn'], variadic = false): GoCallable {
  return { params, fn, variadic };
}

/** A template function: a {@link GoCallable}. Throw {@link GoFuncError} (or any Error) for Go's `error` result. */
export type GoFunc = GoCallable;

/** An error returned by a template function; the engine reports it as `error calling NAME: MESSAGE`. */
export class GoFuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoFuncError';
  }
}

const GO_TYPE = Symbol('goType');

/** Tags a slice or map with a Go type other than []interface{} / map[string]interface{}. */
export function withGoType<T extends GoValue[] | GoMap>(v: T, type: string): T {
  Object.defineProperty(v, GO_TYPE, { value: type, enumerable: false });
  return v;
}

/** A nil map[string]interface{} (what a missing value becomes when a function takes a map). Writes fail. */
export const NIL_MAP: GoMap = Object.freeze({}) as GoMap;

export function isMap(v: GoValue): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt) && !(v instanceof GoObject);
}

export function mapGet(m: GoMap, key: string): GoValue {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

export function sortedKeys(m: GoMap): string[] {
  const keys = Object.keys(m);
  return keys.sort(compareGoStrings);
}

/** Go string ordering (bytewise over UTF-8), which differs from UTF-16 order only above U+FFFF. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800–DFFF) encode code points above U+FFFF, which sort after U+E000–FFFF in UTF-8.
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** Go's `%T`. */
export function goTypeOf(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoObject) return v.goType;
  const tagged = (v as { [GO_TYPE]?: string })[GO_TYPE];
  if (tagged) return tagged;
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** reflect.Kind().String(). */
export function goKindOf(v: GoValue): string {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoObject) return v.goKind;
  return Array.isArray(v) ? 'slice' : 'map';
}

/** Go's notion of truth used by if, with, and, or, not. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
  }
  if (v instanceof GoInt) return v.v !== 0n;
  if (v instanceof GoObject) return true;
  if (Array.isArray(v)) return v.length > 0;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return true;
  return false;
}

/** sprig's `empty`: the zero value of its type, or nil. */
export function isEmpty(v: GoValue): boolean {
  return !isTrue(v);
}

/** reflect.DeepEqual for JSON-shaped values. */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof GoInt) return b instanceof GoInt && a.type === b.type && a.v === b.v;
  if (a instanceof GoObject || b instanceof GoObject) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || goTypeOf(a) !== goTypeOf(b)) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof GoInt) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b as GoMap);
  if (ka.length !== kb.length || goTypeOf(a) !== goTypeOf(b)) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual(a[k], (b as GoMap)[k])) return false;
  }
  return true;
}

/** The length of a string in UTF-8 bytes, as Go's len. */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    return Buffer.byteLength(s, 'utf8');
  }
  return n;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}
