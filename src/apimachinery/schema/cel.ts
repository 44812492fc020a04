/**
 * x-kubernetes-validations: CEL rules evaluated with @bufbuild/cel, following apiextensions-apiserver's
 * pkg/apiserver/schema/cel semantics (self/oldSelf binding, transition rules, messageExpression, reason,
 * fieldPath, ratcheting of unchanged values, error wording).
 */
import {
  celEnv,
  celFunc,
  celMethod,
  CelScalar,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  listType,
  parse,
  plan,
  type CelEnv,
  type CelInput,
  type CelList,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { StatusCause } from '../errors.js';
import { fieldError } from '../errors.js';
import { checkFormat } from './formats.js';
import { childPath, deepEqual, indexPath, isPlainObject, keyPath } from './path.js';
import type { JSONSchemaProps, ValidationRule } from './types.js';

const { DYN, BOOL, INT, STRING } = CelScalar;
const LIST_DYN = listType(DYN);

// ---------------------------------------------------------------------------------------------------------------
// Library: Kubernetes CEL extensions that are cheap to provide.
// ---------------------------------------------------------------------------------------------------------------

const OPTIONAL_MARK = '@optional';
const OPTIONAL_VALUE = '@value';

function optionalOf(v: CelInput | undefined): CelInput {
  const m = new Map<string, CelInput>([[OPTIONAL_MARK, true]]);
  if (v !== undefined) m.set(OPTIONAL_VALUE, v);
  return m;
}

function asOptional(v: CelValue): { has: boolean; value: CelValue | undefined } | undefined {
  if (!isCelMap(v) || v.get(OPTIONAL_MARK) !== true) return undefined;
  return { has: v.has(OPTIONAL_VALUE), value: v.get(OPTIONAL_VALUE) };
}

function numeric(v: CelValue): number | bigint | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (isCelUint(v)) return v.value;
  return undefined;
}

/** CEL equality across the value kinds a CRD can produce. */
function celEquals(a: CelValue, b: CelValue): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    // eslint-disable-next-line eqeqeq
    return na == nb;
  }
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (isCelList(a) && isCelList(b)) {
    if (a.size !== b.size) return false;
    for (let i = 0; i < a.size; i++) if (!celEquals(a.get(i)!, b.get(i)!)) return false;
    return true;
  }
  if (isCelMap(a) && isCelMap(b)) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w === undefined || !celEquals(v, w)) return false;
    }
    return true;
  }
  return false;
}

function compareValues(a: CelValue, b: CelValue): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  throw new Error('no such overload');
}

function listItems(l: CelList): CelValue[] {
  return [...l];
}

function checkComparable(items: CelValue[]): void {
  for (let i = 1; i < items.length; i++) compareValues(items[i - 1]!, items[i]!);
}

const rxCache = new Map<string, RegExp>();
function compileRegex(pattern: string, flags = 'u'): RegExp {
  const key = `${flags}/${pattern}`;
  let re = rxCache.get(key);
  if (!re) {
    re = new RegExp(pattern, flags);
    rxCache.set(key, re);
  }
  return re;
}

const kubeFuncs = [
  // k8s.io/apiserver/pkg/cel/library/lists.go
  celMethod('isSorted', LIST_DYN, [], BOOL, function () {
    const items = listItems(this);
    for (let i = 1; i < items.length; i++) if (compareValues(items[i - 1]!, items[i]!) > 0) return false;
    return true;
  }),
  celMethod('sum', LIST_DYN, [], DYN, function () {
    const items = listItems(this);
    if (items.length === 0) return 0n;
    let acc: number | bigint = numeric(items[0]!) ?? (() => { throw new Error('no such overload'); })();
    for (const x of items.slice(1)) {
      const n = numeric(x);
      if (n === undefined || typeof n !== typeof acc) throw new Error('no such overload');
      acc = (acc as number) + (n as number);
    }
    return acc;
  }),
  celMethod('min', LIST_DYN, [], DYN, function () {
    const items = listItems(this);
    if (items.length === 0) throw new Error('min called on empty list');
    checkComparable(items);
    return items.reduce((m, x) => (compareValues(x, m) < 0 ? x : m));
  }),
  celMethod('max', LIST_DYN, [], DYN, function () {
    const items = listItems(this);
    if (items.length === 0) throw new Error('max called on empty list');
    checkComparable(items);
    return items.reduce((m, x) => (compareValues(x, m) > 0 ? x : m));
  }),
  celMethod('indexOf', LIST_DYN, [DYN], INT, function (x) {
    const items = listItems(this);
    return BigInt(items.findIndex((e) => celEquals(e, x)));
  }),
  celMethod('lastIndexOf', LIST_DYN, [DYN], INT, function (x) {
    const items = listItems(this);
    for (let i = items.length - 1; i >= 0; i--) if (celEquals(items[i]!, x)) return BigInt(i);
    return -1n;
  }),
  // cel-go ext.Lists
  celMethod('slice', LIST_DYN, [INT, INT], LIST_DYN, function (start, end) {
    const items = listItems(this);
    if (start < 0n || end < 0n) throw new Error(`cannot slice(${start}, ${end}), negative indexes not supported`);
    if (start > end) throw new Error(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
    if (end > BigInt(items.length)) throw new Error(`cannot slice(${start}, ${end}), list is length ${items.length}`);
    return items.slice(Number(start), Number(end));
  }),
  celMethod('flatten', LIST_DYN, [], LIST_DYN, function () {
    const out: CelValue[] = [];
    for (const x of this) {
      if (isCelList(x)) out.push(...x);
      else out.push(x);
    }
    return out;
  }),
  celMethod('reverse', LIST_DYN, [], LIST_DYN, function () {
    return listItems(this).reverse();
  }),
  celMethod('distinct', LIST_DYN, [], LIST_DYN, function () {
    const out: CelValue[] = [];
    for (const x of this) if (!out.some((y) => celEquals(x, y))) out.push(x);
    return out;
  }),
  celMethod('sort', LIST_DYN, [], LIST_DYN, function () {
    return listItems(this).sort(compareValues);
  }),
  // k8s.io/apiserver/pkg/cel/library/regex.go
  celMethod('find', STRING, [STRING], STRING, function (pattern) {
    const m = compileRegex(pattern).exec(this);
    return m ? m[0] : '';
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
    return [...this.matchAll(compileRegex(pattern, 'gu'))].map((m) => m[0]);
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, n) {
    const all = [...this.matchAll(compileRegex(pattern, 'gu'))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  }),
  // cel-go ext.Strings (v2+) additions not shipped by @bufbuild/cel
  celMethod('reverse', STRING, [], STRING, function () {
    return [...this].reverse().join('');
  }),
  celFunc('strings.quote', [STRING], STRING, (s) => JSON.stringify(s)),
  // cel-go ext.Sets
  celFunc('sets.contains', [LIST_DYN, LIST_DYN], BOOL, (a, b) => {
    const as = listItems(a);
    return listItems(b).every((x) => as.some((y) => celEquals(x, y)));
  }),
  celFunc('sets.equivalent', [LIST_DYN, LIST_DYN], BOOL, (a, b) => {
    const as = listItems(a);
    const bs = listItems(b);
    return bs.every((x) => as.some((y) => celEquals(x, y))) && as.every((x) => bs.some((y) => celEquals(x, y)));
  }),
  celFunc('sets.intersects', [LIST_DYN, LIST_DYN], BOOL, (a, b) => {
    const as = listItems(a);
    return listItems(b).some((x) => as.some((y) => celEquals(x, y)));
  }),
  // Optional values (only as produced for `optionalOldSelf: true` transition rules).
  celFunc('optional.none', [], DYN, () => optionalOf(undefined)),
  celFunc('optional.of', [DYN], DYN, (v) => optionalOf(v as CelInput)),
  celMethod('hasValue', DYN, [], BOOL, function () {
    const o = asOptional(this);
    if (!o) throw new Error('no such overload');
    return o.has;
  }),
  celMethod('value', DYN, [], DYN, function () {
    const o = asOptional(this);
    if (!o) throw new Error('no such overload');
    if (!o.has) throw new Error('optional.none() dereference');
    return o.value!;
  }),
  celMethod('orValue', DYN, [DYN], DYN, function (d) {
    const o = asOptional(this);
    if (!o) throw new Error('no such overload');
    return o.has ? o.value! : d;
  }),
];

let sharedEnv: CelEnv | undefined;
function env(): CelEnv {
  sharedEnv ??= celEnv({ funcs: [...strings, ...kubeFuncs] });
  return sharedEnv;
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation (parse + light static checking + planning), cached by expression text.
// ---------------------------------------------------------------------------------------------------------------

type Program = (bindings: Record<string, CelInput>) => CelResult;

interface Compiled {
  program?: Program;
  /** cel-go style detail, e.g. `ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')`. */
  error?: string;
  usesOldSelf: boolean;
}

/** Minimal structural view of the cel.expr.Expr protobuf message produced by parse(). */
interface ExprNode {
  id: bigint;
  exprKind:
    | { case: 'identExpr'; value: { name: string } }
    | { case: 'selectExpr'; value: { operand?: ExprNode; field: string; testOnly: boolean } }
    | { case: 'callExpr'; value: { target?: ExprNode; function: string; args: ExprNode[] } }
    | { case: 'listExpr'; value: { elements: ExprNode[] } }
    | { case: 'structExpr'; value: { messageName: string; entries: { keyKind: { case?: string; value?: unknown }; value?: ExprNode }[] } }
    | {
        case: 'comprehensionExpr';
        value: {
          iterVar: string;
          iterVar2: string;
          accuVar: string;
          iterRange?: ExprNode;
          accuInit?: ExprNode;
          loopCondition?: ExprNode;
          loopStep?: ExprNode;
          result?: ExprNode;
        };
      }
    | { case: 'constExpr'; value: unknown }
    | { case: undefined; value?: undefined };
}

interface SourceInfoView {
  positions: Record<string, number>;
  lineOffsets: number[];
}

const SPECIAL_CALLS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', 'not_strictly_false']);
const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

function location(info: SourceInfoView, id: bigint): string {
  const offset = info.positions[id.toString()];
  if (offset === undefined) return '<input>:1:1';
  let line = 1;
  let lineStart = 0;
  for (const lo of info.lineOffsets) {
    if (lo <= offset) {
      line++;
      lineStart = lo;
    }
  }
  return `<input>:${line}:${offset - lineStart + 1}`;
}

function qualifiedName(e: ExprNode | undefined): string | undefined {
  if (!e) return undefined;
  if (e.exprKind.case === 'identExpr') return e.exprKind.value.name;
  if (e.exprKind.case === 'selectExpr' && !e.exprKind.value.testOnly) {
    const q = qualifiedName(e.exprKind.value.operand);
    return q === undefined ? undefined : `${q}.${e.exprKind.value.field}`;
  }
  return undefined;
}

function staticCheck(root: ExprNode, info: SourceInfoView, declared: Set<string>): { error?: string; usesOldSelf: boolean } {
  const cel = env();
  let usesOldSelf = false;
  let error: string | undefined;
  const fail = (e: ExprNode, msg: string) => {
    error ??= `ERROR: ${location(info, e.id)}: ${msg}`;
  };
  const visit = (e: ExprNode | undefined, scope: Set<string>): void => {
    if (!e || error) return;
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr': {
        const n = k.value.name;
        if (scope.has(n)) return;
        if (declared.has(n)) {
          if (n === 'oldSelf') usesOldSelf = true;
          return;
        }
        if (TYPE_IDENTS.has(n)) return;
        fail(e, `undeclared reference to '${n}' (in container '')`);
        return;
      }
      case 'selectExpr':
        visit(k.value.operand, scope);
        return;
      case 'callExpr': {
        const fn = k.value.function;
        let targetIsNamespace = false;
        if (k.value.target) {
          const q = qualifiedName(k.value.target);
          if (q !== undefined && !scope.has(q.split('.')[0]!) && !declared.has(q.split('.')[0]!) && cel.funcs.find(`${q}.${fn}`)) {
            targetIsNamespace = true;
          }
        }
        if (!targetIsNamespace) {
          if (!SPECIAL_CALLS.has(fn) && !cel.funcs.find(fn)) {
            fail(e, `undeclared reference to '${fn}' (in container '')`);
            return;
          }
          visit(k.value.target, scope);
        }
        for (const a of k.value.args) visit(a, scope);
        return;
      }
      case 'listExpr':
        for (const x of k.value.elements) visit(x, scope);
        return;
      case 'structExpr':
        if (k.value.messageName) {
          fail(e, `undeclared reference to '${k.value.messageName}' (in container '')`);
          return;
        }
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value as ExprNode, scope);
          visit(entry.value, scope);
        }
        return;
      case 'comprehensionExpr': {
        const c = k.value;
        visit(c.iterRange, scope);
        visit(c.accuInit, scope);
        const inner = new Set(scope);
        inner.add(c.iterVar);
        if (c.iterVar2) inner.add(c.iterVar2);
        inner.add(c.accuVar);
        visit(c.loopCondition, inner);
        visit(c.loopStep, inner);
        const res = new Set(scope);
        res.add(c.accuVar);
        visit(c.result, res);
        return;
      }
      default:
        return;
    }
  };
  visit(root, new Set());
  return { error, usesOldSelf };
}

const compileCache = new Map<string, Compiled>();
const DECLARED = new Set(['self', 'oldSelf']);

/** Compile a rule or messageExpression once; results are cached by source text. */
function compileExpr(src: string): Compiled {
  let c = compileCache.get(src);
  if (c) return c;
  try {
    const parsed = parse(src);
    const root = parsed.expr as unknown as ExprNode;
    const info = (parsed.sourceInfo ?? { positions: {}, lineOffsets: [] }) as unknown as SourceInfoView;
    const check = staticCheck(root, info, DECLARED);
    if (check.error) {
      c = { error: check.error, usesOldSelf: check.usesOldSelf };
    } else {
      c = { program: plan(env(), parsed) as Program, usesOldSelf: check.usesOldSelf };
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /^(<input>:\d+:\d+): (.*)$/s.exec(msg);
    c = { error: m ? `ERROR: ${m[1]}: Syntax error: ${m[2]}` : `ERROR: <input>:1:1: Syntax error: ${msg}`, usesOldSelf: /\boldSelf\b/.test(src) };
  }
  if (compileCache.size > 10000) compileCache.clear();
  compileCache.set(src, c);
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// Converting JSON values into CEL values typed by the structural schema.
// ---------------------------------------------------------------------------------------------------------------

const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let',
  'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/** Property-name escaping used by Kubernetes to expose JSON property names as CEL fields; undefined if not escapable. */
export function escapeCelName(name: string): string | undefined {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replace(/__|[.\-/]/g, (m) => (m === '__' ? '__underscores__' : m === '.' ? '__dot__' : m === '-' ? '__dash__' : '__slash__'));
}

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

function parseDurationMs(s: string): number | undefined {
  if (s === '0') return 0;
  const m = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (m) {
    let total = 0;
    for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += parseFloat(part[1]!) * GO_DURATION_UNITS[part[2]!]!;
    return m[1] === '-' ? -total : total;
  }
  const u = /^(\d+)\s*([a-zA-Zµ]+)$/.exec(s);
  if (!u) return undefined;
  const unit = u[2]!.toLowerCase();
  const table: [RegExp, number][] = [
    [/^(ns|nanoseconds?)$/, 1e-6], [/^(us|µs|microseconds?)$/, 1e-3], [/^(ms|milliseconds?)$/, 1], [/^(s|sec|seconds?)$/, 1000],
    [/^(m|mins?|minutes?)$/, 60000], [/^(h|hrs?|hours?)$/, 3600000], [/^(d|days?)$/, 86400000], [/^(w|wks?|weeks?)$/, 604800000],
  ];
  for (const [re, f] of table) if (re.test(unit)) return +u[1]! * f;
  return undefined;
}

function stringToCel(s: JSONSchemaProps | undefined, v: string): CelInput {
  if (!s || s.type !== 'string' || !s.format) return v;
  switch (s.format) {
    case 'date':
      if (checkFormat('date', v)) return timestampFromDate(new Date(`${v}T00:00:00Z`));
      return v;
    case 'date-time':
    case 'datetime':
      if (checkFormat('date-time', v)) {
        const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
        if (!Number.isNaN(d.getTime())) return timestampFromDate(d);
      }
      return v;
    case 'duration': {
      const ms = parseDurationMs(v);
      return ms === undefined ? v : durationFromMs(ms);
    }
    case 'byte':
      if (checkFormat('byte', v)) return new Uint8Array(Buffer.from(v, 'base64'));
      return v;
    default:
      return v;
  }
}

/** Convert a JSON value to a CEL input value according to its schema node. */
export function toCel(s: JSONSchemaProps | undefined, v: unknown, isResourceRoot: boolean): CelInput {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return stringToCel(s, v);
    case 'number':
      if (s && s.type === 'number') return v;
      if (Number.isInteger(v) && (!s || s.type === 'integer' || s['x-kubernetes-int-or-string'] || !s.type)) return BigInt(v);
      return v;
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(s?.items, x, !!s?.items?.['x-kubernetes-embedded-resource']));
  const obj = v as Record<string, unknown>;
  const ap = s?.additionalProperties;
  if (s && typeof ap === 'object') {
    const m = new Map<string, CelInput>();
    for (const [k, x] of Object.entries(obj)) m.set(k, toCel(ap, x, !!ap['x-kubernetes-embedded-resource']));
    return m;
  }
  const out = new Map<string, CelInput>();
  if (isResourceRoot) {
    if (typeof obj.apiVersion === 'string') out.set('apiVersion', obj.apiVersion);
    if (typeof obj.kind === 'string') out.set('kind', obj.kind);
    const md = obj.metadata;
    if (isPlainObject(md)) {
      const m = new Map<string, CelInput>();
      if (typeof md.name === 'string') m.set('name', md.name);
      if (typeof md.generateName === 'string') m.set('generateName', md.generateName);
      out.set('metadata', m);
    }
  }
  if (!s) {
    for (const [k, x] of Object.entries(obj)) out.set(k, toCel(undefined, x, false));
    return out;
  }
  if (s.properties) {
    for (const [k, ps] of Object.entries(s.properties)) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      if (isResourceRoot && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
      const name = escapeCelName(k);
      if (name === undefined) continue;
      out.set(name, toCel(ps, obj[k], !!ps['x-kubernetes-embedded-resource']));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation walk.
// ---------------------------------------------------------------------------------------------------------------

const hasRulesCache = new WeakMap<JSONSchemaProps, boolean>();

/** Whether the schema (or anything below it) carries x-kubernetes-validations. */
export function schemaHasRules(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  const cached = hasRulesCache.get(s);
  if (cached !== undefined) return cached;
  hasRulesCache.set(s, false); // guard against cycles
  let r = (s['x-kubernetes-validations']?.length ?? 0) > 0;
  if (!r && s.properties) r = Object.values(s.properties).some(schemaHasRules);
  if (!r && s.items) r = schemaHasRules(s.items);
  if (!r && typeof s.additionalProperties === 'object') r = schemaHasRules(s.additionalProperties);
  if (!r && s.allOf) r = s.allOf.some(schemaHasRules);
  hasRulesCache.set(s, r);
  return r;
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message && rule.message.length > 0 ? rule.message.trim() : rule.rule.trim();
}

function ruleMessageOrDefault(rule: ValidationRule): string {
  return rule.message && rule.message.length > 0 ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

function fieldErrorForReason(field: string, type: string, detail: string, reason: ValidationRule['reason']): StatusCause {
  switch (reason) {
    case 'FieldValueForbidden':
      return fieldError.forbidden(field, detail);
    case 'FieldValueRequired':
      return fieldError.required(field, detail);
    case 'FieldValueDuplicate':
      return fieldError.duplicate(field, type);
    default:
      return fieldError.invalid(field, type, detail);
  }
}

function unescapeSingleQuoted(s: string): string | undefined {
  let bad = false;
  const out = s.replace(/\\(.)/g, (_m, c: string) => {
    const map: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '\\': '\\' };
    if (map[c] === undefined) bad = true;
    return map[c] ?? '';
  });
  return bad ? undefined : out;
}

/**
 * Resolve a rule's fieldPath (`.spec.foo`, `.labels['app.kubernetes.io/name']`) against the schema node, returning
 * the relative field-path suffix (`spec.foo`, `labels[app.kubernetes.io/name]`) or an error.
 */
export function resolveRuleFieldPath(fp: string, schema: JSONSchemaProps): { path: string } | { error: string } {
  const tokens = fp.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]']+/g) ?? [];
  let s: JSONSchemaProps | undefined = schema;
  let path = '';
  const append = (name: string): string | undefined => {
    if (!s) return 'does not refer to a valid field';
    if (s.properties) {
      const p: JSONSchemaProps | undefined = s.properties[name];
      if (!p) return 'does not refer to a valid field';
      path = childPath(path, name);
      s = p;
      return undefined;
    }
    if (typeof s.additionalProperties === 'object') {
      path = keyPath(path, name);
      s = s.additionalProperties;
      return undefined;
    }
    return 'does not refer to a valid field';
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '.') {
      const name = tokens[++i];
      if (name === undefined || name === '.' || name === '[' || name === ']') return { error: 'unexpected end of JSON path' };
      const err = append(name);
      if (err) return { error: err };
    } else if (t === '[') {
      const q = tokens[++i];
      if (q === undefined) return { error: 'unexpected end of JSON path' };
      if (q.length < 2 || !q.startsWith("'") || !q.endsWith("'")) return { error: `expected single quoted string but got ${q}` };
      const name = unescapeSingleQuoted(q.slice(1, -1));
      if (name === undefined) return { error: 'invalid string literal' };
      const err = append(name);
      if (err) return { error: err };
      if (tokens[++i] !== ']') return { error: `expected ] but got ${tokens[i] ?? ''}` };
    } else {
      return { error: `expected [ or . but got: ${t}` };
    }
  }
  return { path };
}

function translateRuntimeError(msg: string): string {
  const m = /^field not found: (.*)$/.exec(msg);
  if (m) return `no such key: ${m[1]}`;
  if (msg === 'int divide by zero' || msg === 'divide by zero') return 'division by zero';
  if (msg === 'int modulus by zero') return 'modulus by zero';
  return msg;
}

function isOverloadError(msg: string): boolean {
  return msg.startsWith('found no matching overload') || msg.startsWith('unbound function') || msg.startsWith('no such overload');
}

/** Correlation of a node of the new object with the old object, for ratcheting (CRDValidationRatcheting). */
export interface Correlation {
  old: unknown;
}

interface Frame {
  path: string;
  value: unknown;
  /** Old value correlated for `oldSelf` (undefined when there is none). */
  celOld: unknown;
  /** Ratcheting correlation (undefined when not correlatable). */
  corr: Correlation | undefined;
  /** Whether the nearest correlatable ancestor is unchanged. */
  parentUnchanged: boolean;
  isResourceRoot: boolean;
}

export interface CelValidateOptions {
  oldValue?: unknown;
  path?: string;
}

/** For list-type=map: find the old item whose map keys equal the new item's keys. */
export function correlateListMapItem(s: JSONSchemaProps, oldList: unknown, item: unknown): unknown {
  if (s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(oldList) || !isPlainObject(item)) return undefined;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length === 0) return undefined;
  for (const o of oldList) {
    if (!isPlainObject(o)) continue;
    if (keys.every((k) => deepEqual(o[k], item[k]) && (k in o) === (k in item))) return o;
  }
  return undefined;
}

/** Evaluate every x-kubernetes-validations rule in the schema against value (and oldValue for transition rules). */
export function validateCelRules(schema: JSONSchemaProps, value: unknown, opts: CelValidateOptions, out: StatusCause[]): void {
  if (!schemaHasRules(schema)) return;
  const hasOld = opts.oldValue !== undefined && opts.oldValue !== null;
  walk(schema, schema, {
    path: opts.path ?? '',
    value,
    celOld: hasOld ? opts.oldValue : undefined,
    corr: hasOld ? { old: opts.oldValue } : undefined,
    parentUnchanged: false,
    isResourceRoot: true,
  }, out);
}

function walk(vs: JSONSchemaProps, ns: JSONSchemaProps, f: Frame, out: StatusCause[]): void {
  if (f.value === null || f.value === undefined) return;
  if (!schemaHasRules(vs)) return;
  let unchangedMemo: boolean | undefined;
  const unchanged = (): boolean => {
    if (unchangedMemo === undefined) unchangedMemo = f.corr ? deepEqual(f.corr.old, f.value) : f.parentUnchanged;
    return unchangedMemo;
  };

  const rules = vs['x-kubernetes-validations'];
  if (rules && rules.length > 0) evalRules(rules, ns, f, unchanged, out);

  for (const sub of vs.allOf ?? []) {
    walk(sub, ns, { ...f, corr: undefined, parentUnchanged: f.corr ? unchanged() : f.parentUnchanged }, out);
  }

  const childUnchanged = () => (f.corr ? unchanged() : f.parentUnchanged);
  const v = f.value;
  if (Array.isArray(v)) {
    if (!vs.items || !ns.items || !schemaHasRules(vs.items)) return;
    const pu = childUnchanged();
    const isListMap = ns['x-kubernetes-list-type'] === 'map';
    for (let i = 0; i < v.length; i++) {
      const celOld = isListMap ? correlateListMapItem(ns, f.celOld, v[i]) : undefined;
      const corrOld = f.corr && isListMap ? correlateListMapItem(ns, f.corr.old, v[i]) : undefined;
      walk(vs.items, ns.items, {
        path: indexPath(f.path, i),
        value: v[i],
        celOld,
        corr: corrOld !== undefined ? { old: corrOld } : undefined,
        parentUnchanged: pu,
        isResourceRoot: !!ns.items['x-kubernetes-embedded-resource'],
      }, out);
    }
    return;
  }
  if (!isPlainObject(v)) return;
  const correlatable = ns['x-kubernetes-map-type'] !== 'atomic';
  const oldObj = correlatable && isPlainObject(f.celOld) ? f.celOld : undefined;
  const corrObj = f.corr && isPlainObject(f.corr.old) ? f.corr.old : undefined;
  const pu = childUnchanged();
  const vap = vs.additionalProperties;
  const nap = ns.additionalProperties;
  if (typeof vap === 'object' && typeof nap === 'object' && schemaHasRules(vap)) {
    for (const [k, x] of Object.entries(v)) {
      walk(vap, nap, {
        path: keyPath(f.path, k),
        value: x,
        celOld: oldObj?.[k],
        corr: corrObj && Object.prototype.hasOwnProperty.call(corrObj, k) ? { old: corrObj[k] } : undefined,
        parentUnchanged: pu,
        isResourceRoot: !!nap['x-kubernetes-embedded-resource'],
      }, out);
    }
  }
  if (vs.properties && ns.properties) {
    for (const [k, ps] of Object.entries(vs.properties)) {
      const nps = ns.properties[k];
      if (!nps || !Object.prototype.hasOwnProperty.call(v, k) || !schemaHasRules(ps)) continue;
      const isTypeMeta = f.path === '' && (k === 'apiVersion' || k === 'kind');
      walk(ps, nps, {
        path: childPath(f.path, k),
        value: v[k],
        celOld: oldObj?.[k],
        corr: corrObj && !isTypeMeta && Object.prototype.hasOwnProperty.call(corrObj, k) ? { old: corrObj[k] } : undefined,
        parentUnchanged: isTypeMeta ? false : pu,
        isResourceRoot: !!nps['x-kubernetes-embedded-resource'],
      }, out);
    }
  }
}

function evalRules(rules: ValidationRule[], ns: JSONSchemaProps, f: Frame, unchanged: () => boolean, out: StatusCause[]): void {
  const type = ns.type ?? '';
  let self: CelInput | undefined;
  let oldSelf: CelInput | undefined;
  const hasOld = f.celOld !== undefined && f.celOld !== null;
  const getSelf = () => (self ??= toCel(ns, f.value, f.isResourceRoot));
  const getOld = () => (oldSelf ??= toCel(ns, f.celOld, f.isResourceRoot));

  for (const rule of rules) {
    if (!rule.rule || rule.rule.trim() === '') continue;
    const compiled = compileExpr(rule.rule);
    if (compiled.error) {
      out.push(fieldError.invalid(f.path, type, `rule compile error: compilation failed: ${compiled.error}`));
      continue;
    }
    const optionalOld = rule.optionalOldSelf === true;
    if (compiled.usesOldSelf && !hasOld && !optionalOld) continue;

    const bindings: Record<string, CelInput> = { self: getSelf() };
    if (compiled.usesOldSelf || optionalOld) {
      if (optionalOld) bindings.oldSelf = optionalOf(hasOld ? getOld() : undefined);
      else bindings.oldSelf = getOld();
    }

    const result = compiled.program!(bindings);
    if (isCelError(result)) {
      const msg = result.message;
      if (isOverloadError(msg)) {
        out.push(fieldError.invalid(f.path, type, `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`));
      } else {
        out.push(fieldError.invalid(f.path, type, `${translateRuntimeError(msg)} evaluating rule: ${ruleErrorString(rule)}`));
      }
      continue;
    }
    if (result === true) continue;

    // Ratcheting: failures of rules that do not use oldSelf are tolerated when the value is unchanged.
    if (!compiled.usesOldSelf && unchanged()) continue;

    let field = f.path;
    if (rule.fieldPath) {
      const r = resolveRuleFieldPath(rule.fieldPath, ns);
      if ('path' in r && r.path) field = r.path.startsWith('[') ? `${f.path}${r.path}` : childPath(f.path, r.path);
    }

    let detail = ruleMessageOrDefault(rule);
    if (rule.messageExpression) {
      const m = evalMessageExpression(rule.messageExpression, bindings);
      if (m !== undefined) detail = m;
    }
    out.push(fieldErrorForReason(field, type, detail, rule.reason));
  }
}

function evalMessageExpression(src: string, bindings: Record<string, CelInput>): string | undefined {
  const c = compileExpr(src);
  if (!c.program) return undefined;
  const b = { ...bindings };
  if (c.usesOldSelf && !('oldSelf' in b)) return undefined;
  const r = c.program(b);
  if (isCelError(r) || typeof r !== 'string') return undefined;
  const t = r.trim();
  if (t === '' || /\n/.test(t) || t.length > 5 * 1024) return undefined;
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// CRD-creation-time compilation checks.
// ---------------------------------------------------------------------------------------------------------------

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's %#v rendering of an apiextensions.ValidationRule, as it appears in CRD validation errors. */
function renderRule(r: ValidationRule): string {
  const reason = r.reason === undefined ? '(*apiextensions.FieldValueErrorReason)(nil)' : `(*apiextensions.FieldValueErrorReason)(${goQuote(r.reason)})`;
  const oos = r.optionalOldSelf === undefined ? '(*bool)(nil)' : `(*bool)(${r.optionalOldSelf})`;
  return `apiextensions.ValidationRule{Rule:${goQuote(r.rule ?? '')}, Message:${goQuote(r.message ?? '')}, MessageExpression:${goQuote(
    r.messageExpression ?? '',
  )}, Reason:${reason}, FieldPath:${goQuote(r.fieldPath ?? '')}, OptionalOldSelf:${oos}}`;
}

const KNOWN_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/**
 * Compile every x-kubernetes-validations rule in the schema and report problems the way kube-apiserver rejects a
 * CRD: `<path>.x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{...}: compilation failed: ...`.
 */
export function compileRules(schema: JSONSchemaProps, path = ''): StatusCause[] {
  const out: StatusCause[] = [];
  compileNode(schema, path, false, out);
  return out;
}

function compileNode(s: JSONSchemaProps, path: string, uncorrelatable: boolean, out: StatusCause[]): void {
  const rules = s['x-kubernetes-validations'] ?? [];
  rules.forEach((rule, i) => {
    const rp = `${childPath(path, 'x-kubernetes-validations')}[${i}]`;
    if (!rule.rule || rule.rule.trim() === '') {
      out.push(fieldError.required(childPath(rp, 'rule'), ''));
      return;
    }
    if (rule.message !== undefined) {
      if (rule.message.trim() === '') out.push(fieldError.required(childPath(rp, 'message'), 'message must be non-empty if specified'));
      else if (/\n/.test(rule.message)) out.push(fieldError.invalid(childPath(rp, 'message'), rule.message, 'message must not contain line breaks'));
    }
    const c = compileExpr(rule.rule);
    if (c.error) {
      out.push({ reason: 'FieldValueInvalid', field: childPath(rp, 'rule'), message: `Invalid value: ${renderRule(rule)}: compilation failed: ${c.error}` });
    } else if (c.usesOldSelf && uncorrelatable) {
      out.push(fieldError.invalid(childPath(rp, 'rule'), rule.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${path}`));
    }
    if (rule.optionalOldSelf === true && !c.usesOldSelf) {
      out.push(fieldError.forbidden(childPath(rp, 'optionalOldSelf'), 'may only be set when the rule references oldSelf'));
    }
    if (rule.messageExpression !== undefined) {
      if (rule.messageExpression.trim() === '') {
        out.push(fieldError.required(childPath(rp, 'messageExpression'), 'messageExpression must be non-empty if specified'));
      } else {
        const m = compileExpr(rule.messageExpression);
        if (m.error) out.push(fieldError.invalid(childPath(rp, 'messageExpression'), rule.messageExpression, `messageExpression compilation failed: ${m.error}`));
      }
    }
    if (rule.reason !== undefined && !KNOWN_REASONS.includes(rule.reason)) {
      out.push(fieldError.notSupported(childPath(rp, 'reason'), rule.reason, KNOWN_REASONS));
    }
    if (rule.fieldPath !== undefined) {
      const r = resolveRuleFieldPath(rule.fieldPath, s);
      if ('error' in r) out.push(fieldError.invalid(childPath(rp, 'fieldPath'), rule.fieldPath, `fieldPath must be a valid path: ${r.error}`));
    }
  });
  if (s.properties) {
    for (const [k, p] of Object.entries(s.properties)) compileNode(p, `${childPath(path, 'properties')}[${k}]`, uncorrelatable, out);
  }
  if (s.items) {
    const lt = s['x-kubernetes-list-type'];
    compileNode(s.items, childPath(path, 'items'), uncorrelatable || lt !== 'map', out);
  }
  if (typeof s.additionalProperties === 'object') {
    compileNode(s.additionalProperties, childPath(path, 'additionalProperties'), uncorrelatable || s['x-kubernetes-map-type'] === 'atomic', out);
  }
  s.allOf?.forEach((sub, i) => compileNode(sub, `${childPath(path, 'allOf')}[${i}]`, uncorrelatable, out));
}

/** Exposed for tests and callers that want to evaluate an ad-hoc expression with Kubernetes' library. */
export function evaluateExpression(expr: string, bindings: { self?: unknown; oldSelf?: unknown }, schema?: JSONSchemaProps): unknown {
  const c = compileExpr(expr);
  if (!c.program) throw new Error(c.error ?? 'compilation failed');
  const b: Record<string, CelInput> = {};
  if ('self' in bindings) b.self = toCel(schema, bindings.self, false);
  if ('oldSelf' in bindings) b.oldSelf = toCel(schema, bindings.oldSelf, false);
  const r = c.program(b);
  if (isCelError(r)) throw new Error(translateRuntimeError(r.message));
  return r;
}

