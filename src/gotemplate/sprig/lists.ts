/** sprig list, dict, default and reflection functions (list.go, dict.go, defaults.go, reflect.go). */
import { NIL_MAP, GoFuncError, GoInt, type GoCallable, type GoMap, type GoValue, deepEqual, goInt, goKindOf, goTypeOf, isEmpty, isMap, sortedKeys, compareGoStrings, withGoType } from '../values.js';
import { fn, strval, toInt64 } from './convert.js';

const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';

function kindOfList(v: GoValue): string {
  if (v === null || v === undefined) throw new GoFuncError(NIL_DEREF);
  return goKindOf(v);
}

/** Returns the elements of a slice, or throws sprig's "Cannot WHAT type KIND" error. */
function listOf(v: GoValue, what: string): GoValue[] {
  const kind = kindOfList(v);
  if (!Array.isArray(v)) throw new GoFuncError(`Cannot ${what} type ${kind}`);
  return v;
}

/** sprig's strslice. */
export function strslice(v: GoValue): string[] {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const s of v) if (s !== null && s !== undefined) out.push(strval(s));
    return out;
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

function toInt(v: GoValue): number {
  return Number(toInt64(v));
}

function untilStep(start: number, stop: number, step: number): GoValue[] {
  const v: GoValue[] = [];
  if (stop < start) {
    if (step >= 0) return withGoType(v, '[]int');
    for (let i = start; i > stop; i += step) v.push(goInt(i));
    return withGoType(v, '[]int');
  }
  if (step <= 0) return withGoType(v, '[]int');
  for (let i = start; i < stop; i += step) v.push(goInt(i));
  return withGoType(v, '[]int');
}

function seq(params: number[]): string {
  let inc = 1;
  let list: GoValue[];
  switch (params.length) {
    case 0:
      return '';
    case 1: {
      const end = params[0]!;
      if (end < 1) inc = -1;
      list = untilStep(1, end + inc, inc);
      break;
    }
    case 2: {
      const [start, end] = params as [number, number];
      const step = end < start ? -1 : 1;
      list = untilStep(start, end + step, step);
      break;
    }
    case 3: {
      const [start, step, end] = params as [number, number, number];
      if (end < start) {
        inc = -1;
        if (step > 0) return '';
      }
      list = untilStep(start, end + inc, step);
      break;
    }
    default:
      return '';
  }
  return list.map((x) => (x as GoInt).v.toString()).join(' ');
}

function chunk(size: number, list: GoValue): GoValue[] {
  const l = listOf(list, 'chunk');
  if (size <= 0) throw new GoFuncError('runtime error: makeslice: len out of range');
  const out: GoValue[] = [];
  for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
  return withGoType(out, '[][]interface {}');
}

function sliceList(list: GoValue, indices: GoValue[]): GoValue {
  const kind = kindOfList(list);
  if (!Array.isArray(list)) throw new GoFuncError(`list should be type of slice or array but ${kind}`);
  if (list.length === 0) return null;
  const start = indices.length > 0 ? toInt(indices[0]!) : 0;
  const end = indices.length < 2 ? list.length : toInt(indices[1]!);
  if (start < 0 || end > list.length || start > end) throw new GoFuncError('reflect.Value.Slice: slice index out of bounds');
  const out = list.slice(start, end);
  const t = goTypeOf(list);
  return t === '[]interface {}' ? out : withGoType(out, t);
}

function dig(ps: GoValue[]): GoValue {
  if (ps.length < 3) throw new GoFuncError('dig needs at least three arguments');
  const last = ps[ps.length - 1];
  if (!isMap(last) || goTypeOf(last) !== 'map[string]interface {}') throw new GoFuncError(`interface conversion: interface {} is ${goTypeOf(last ?? null)}, not map[string]interface {}`);
  const def = ps[ps.length - 2];
  const keys = ps.slice(0, -2).map((k) => {
    if (typeof k !== 'string') throw new GoFuncError(`interface conversion: interface {} is ${goTypeOf(k ?? null)}, not string`);
    return k;
  });
  let dict: GoMap = last;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (!Object.prototype.hasOwnProperty.call(dict, k)) return def ?? null;
    const step = dict[k];
    if (i === keys.length - 1) return step ?? null;
    if (!isMap(step ?? null) || goTypeOf(step) !== 'map[string]interface {}') {
      throw new GoFuncError(`interface conversion: interface {} is ${goTypeOf(step ?? null)}, not map[string]interface {}`);
    }
    dict = step as GoMap;
  }
  return def ?? null;
}

// ---- mergo (map[string]interface{} only), as sprig's merge / mergeOverwrite use it

function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const key of Object.keys(src)) {
    const s = src[key];
    const hasDst = Object.prototype.hasOwnProperty.call(dst, key);
    const d = hasDst ? dst[key] : undefined;
    if (s === null || s === undefined) {
      if (overwrite) dst[key] = null;
      continue;
    }
    const sIsMap = isMap(s);
    const sIsSlice = Array.isArray(s);
    if (sIsMap && hasDst && isMap(d ?? null)) mergeInto(d as GoMap, s, overwrite);
    if (sIsSlice && overwrite) dst[key] = s;
    if (hasDst && d !== null && !isEmpty(d ?? null) && (sIsMap || sIsSlice)) {
      if (sIsSlice && !overwrite) dst[key] = d;
      continue;
    }
    if (overwrite || !hasDst || isEmpty(d ?? null)) dst[key] = s;
  }
}

function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) {
    const out = v.map(deepCopy);
    const t = goTypeOf(v);
    return t === '[]interface {}' ? out : withGoType(out, t);
  }
  if (isMap(v)) {
    const out: GoMap = {};
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k]);
    const t = goTypeOf(v);
    return t === 'map[string]interface {}' ? out : withGoType(out, t);
  }
  return v === undefined ? null : v;
}

const asMap = (v: GoValue): GoMap => v as GoMap;

const append = fn(['any', 'any'], (l, v) => [...listOf(l, 'push on'), v]);
const prepend = fn(['any', 'any'], (l, v) => [v, ...listOf(l, 'prepend on')]);
const first = fn(['any'], (l) => listOf(l, 'find first on')[0] ?? null);
const last = fn(['any'], (l) => {
  const a = listOf(l, 'find last on');
  return a.length ? (a[a.length - 1] ?? null) : null;
});
const rest = fn(['any'], (l) => listOf(l, 'find rest on').slice(1));
const initial = fn(['any'], (l) => listOf(l, 'find initial on').slice(0, -1));
const reverse = fn(['any'], (l) => [...listOf(l, 'find reverse on')].reverse());
const compact = fn(['any'], (l) => listOf(l, 'compact on').filter((x) => !isEmpty(x ?? null)));
const uniq = fn(['any'], (l) => {
  const out: GoValue[] = [];
  for (const x of listOf(l, 'find uniq on')) if (!out.some((y) => deepEqual(x ?? null, y ?? null))) out.push(x);
  return out;
});
const without = fn(['any', 'any'], (l, ...omit) => listOf(l, 'find without on').filter((x) => !omit.some((o) => deepEqual(x ?? null, o ?? null))), true);
const has = fn(['any', 'any'], (needle, hay) => (hay === null || hay === undefined ? false : listOf(hay, 'find has on').some((x) => deepEqual(x ?? null, needle ?? null))));

// Each must* variant shares its plain function: the same checks and the same errors here.
export const listFuncs: Record<string, GoCallable> = {
  list: fn(['any'], (...v) => v, true),
  tuple: fn(['any'], (...v) => v, true),
  append,
  push: append,
  mustAppend: append,
  mustPush: append,
  prepend,
  mustPrepend: prepend,
  first,
  mustFirst: first,
  last,
  mustLast: last,
  rest,
  mustRest: rest,
  initial,
  mustInitial: initial,
  reverse,
  mustReverse: reverse,
  compact,
  mustCompact: compact,
  uniq,
  mustUniq: uniq,
  without,
  mustWithout: without,
  has,
  mustHas: has,
  slice: fn(['any', 'any'], (l, ...ix) => sliceList(l, ix), true),
  mustSlice: fn(['any', 'any'], (l, ...ix) => sliceList(l, ix), true),
  concat: fn(
    ['any'],
    (...lists) => {
      const out: GoValue[] = [];
      for (const l of lists) {
        const kind = kindOfList(l);
        if (!Array.isArray(l)) throw new GoFuncError(`Cannot concat type ${kind} as list`);
        out.push(...l);
      }
      return out;
    },
    true,
  ),
  chunk: fn(['int', 'any'], (n, l) => chunk(Number((n as GoInt).v), l)),
  mustChunk: fn(['int', 'any'], (n, l) => chunk(Number((n as GoInt).v), l)),
  join: fn(['string', 'any'], (sep, v) => strslice(v).join(sep as string)),
  sortAlpha: fn(['any'], (l) => withGoType(Array.isArray(l) ? strslice(l).sort(compareGoStrings) : [strval(l)], '[]string')),
  toStrings: fn(['any'], (v) => withGoType(strslice(v), '[]string')),
  until: fn(['int'], (n) => {
    const c = Number((n as GoInt).v);
    return untilStep(0, c, c < 0 ? -1 : 1);
  }),
  untilStep: fn(['int', 'int', 'int'], (a, b, c) => untilStep(Number((a as GoInt).v), Number((b as GoInt).v), Number((c as GoInt).v))),
  seq: fn(['int'], (...p) => seq(p.map((x) => Number((x as GoInt).v))), true),

  // dicts
  dict: fn(
    ['any'],
    (...v) => {
      const d: GoMap = {};
      for (let i = 0; i < v.length; i += 2) {
        const key = strval(v[i] ?? null);
        d[key] = i + 1 >= v.length ? '' : (v[i + 1] ?? null);
      }
      return d;
    },
    true,
  ),
  get: fn(['map', 'string'], (d, k) => (Object.prototype.hasOwnProperty.call(d, k as string) ? (asMap(d)[k as string] ?? null) : '')),
  set: fn(['map', 'string', 'any'], (d, k, v) => {
    if (d === NIL_MAP) throw new GoFuncError('assignment to entry in nil map');
    asMap(d)[k as string] = v ?? null;
    return d;
  }),
  unset: fn(['map', 'string'], (d, k) => {
    delete asMap(d)[k as string];
    return d;
  }),
  hasKey: fn(['map', 'string'], (d, k) => Object.prototype.hasOwnProperty.call(d, k as string)),
  pluck: fn(
    ['string', 'map'],
    (k, ...ds) => {
      const out: GoValue[] = [];
      for (const d of ds) if (Object.prototype.hasOwnProperty.call(d, k as string)) out.push(asMap(d)[k as string] ?? null);
      return out;
    },
    true,
  ),
  keys: fn(['map'], (...ds) => withGoType(ds.flatMap((d) => sortedKeys(asMap(d))), '[]string'), true),
  values: fn(['map'], (d) => sortedKeys(asMap(d)).map((k) => asMap(d)[k] ?? null)),
  pick: fn(
    ['map', 'string'],
    (d, ...ks) => {
      const out: GoMap = {};
      for (const k of ks) if (Object.prototype.hasOwnProperty.call(d, k as string)) out[k as string] = asMap(d)[k as string] ?? null;
      return out;
    },
    true,
  ),
  omit: fn(
    ['map', 'string'],
    (d, ...ks) => {
      const skip = new Set(ks as string[]);
      const out: GoMap = {};
      for (const k of Object.keys(asMap(d))) if (!skip.has(k)) out[k] = asMap(d)[k] ?? null;
      return out;
    },
    true,
  ),
  merge: fn(['map', 'map'], (dst, ...srcs) => mergeAll(dst, srcs, false), true),
  mustMerge: fn(['map', 'map'], (dst, ...srcs) => mergeAll(dst, srcs, false), true),
  mergeOverwrite: fn(['map', 'map'], (dst, ...srcs) => mergeAll(dst, srcs, true), true),
  mustMergeOverwrite: fn(['map', 'map'], (dst, ...srcs) => mergeAll(dst, srcs, true), true),
  dig: fn(['any'], (...ps) => dig(ps), true),
  deepCopy: fn(['any'], (v) => deepCopy(v)),
  mustDeepCopy: fn(['any'], (v) => deepCopy(v)),

  // defaults
  default: fn(['any', 'any'], (d, ...given) => (given.length === 0 || isEmpty(given[0] ?? null) ? (d ?? null) : (given[0] ?? null)), true),
  empty: fn(['any'], (v) => isEmpty(v ?? null)),
  coalesce: fn(['any'], (...v) => v.find((x) => !isEmpty(x ?? null)) ?? null, true),
  all: fn(['any'], (...v) => v.every((x) => !isEmpty(x ?? null)), true),
  any: fn(['any'], (...v) => v.some((x) => !isEmpty(x ?? null)), true),
  ternary: fn(['any', 'any', 'bool'], (vt, vf, c) => (c ? (vt ?? null) : (vf ?? null))),

  // reflection
  typeOf: fn(['any'], (v) => goTypeOf(v ?? null)),
  typeIs: fn(['string', 'any'], (t, v) => t === goTypeOf(v ?? null)),
  typeIsLike: fn(['string', 'any'], (t, v) => {
    const ty = goTypeOf(v ?? null);
    return t === ty || '*' + (t as string) === ty;
  }),
  kindOf: fn(['any'], (v) => goKindOf(v ?? null)),
  kindIs: fn(['string', 'any'], (t, v) => t === goKindOf(v ?? null)),
  deepEqual: fn(['any', 'any'], (a, b) => deepEqual(a ?? null, b ?? null)),
};

function mergeAll(dst: GoValue, srcs: GoValue[], overwrite: boolean): GoValue {
  if (dst === NIL_MAP) dst = {}; // mergo allocates a map for a nil destination
  for (const s of srcs) mergeInto(dst as GoMap, s as GoMap, overwrite);
  return dst;
}

