/**
 * Custom-resource validation as kube-apiserver performs it (customResourceStrategy.Validate/ValidateUpdate):
 *
 *  1. OpenAPI v3 schema validation (kube-openapi's SchemaValidator, errors converted by
 *     kubeOpenAPIResultToFieldErrors), with CRDValidationRatcheting on update;
 *  2. embedded resources (x-kubernetes-embedded-resource: apiVersion/kind/metadata);
 *  3. x-kubernetes-list-type set/map uniqueness (skipped on update if the old object already violated it);
 *  4. x-kubernetes-validations CEL rules, unless an earlier error is "blocking".
 */
import type { StatusCause } from '../errors.js';
import { fieldError } from '../errors.js';
import { dns1123LabelErrors, labelValueErrors, pathSegmentErrors, qualifiedNameErrors } from '../validation.js';
import { correlateListMapItem, schemaHasRules, validateCelRules } from './cel.js';
import { checkFormat, isKnownFormat } from './formats.js';
import { canonicalJSON, childPath, deepEqual, goBadValue, indexPath, isPlainObject, keyPath } from './path.js';
import type { JSONSchemaProps } from './types.js';

export interface ValidateOptions {
  /** The previous version of the object (update): enables transition rules and ratcheting. */
  oldValue?: unknown;
  /** Field-path prefix for every cause (empty for the resource root). */
  path?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Phase 1: OpenAPI schema validation (kube-openapi semantics and wording).
// ---------------------------------------------------------------------------------------------------------------

type JSONKind = 'null' | 'boolean' | 'string' | 'integer' | 'number' | 'array' | 'object';

function jsonKind(v: unknown): JSONKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

/** %v rendering of a float64 bound in kube-openapi messages. */
function fmtNum(n: number): string {
  return String(n);
}

const regexCache = new Map<string, RegExp | null>();
function compilePattern(p: string): RegExp | null {
  let re = regexCache.get(p);
  if (re === undefined) {
    try {
      re = new RegExp(p, 'u');
    } catch {
      try {
        re = new RegExp(p);
      } catch {
        re = null;
      }
    }
    regexCache.set(p, re);
  }
  return re;
}

/** go-openapi's swag.IsFloat64AJSONInteger. */
function isFloatAJSONInteger(f: number): boolean {
  if (!Number.isFinite(f)) return false;
  if (Number.isInteger(f)) return true;
  const g = Math.round(f);
  const diff = Math.abs(f - g);
  return diff / Math.min(Math.abs(f) + Math.abs(g), Number.MAX_VALUE) < 1e-9;
}

function isMultipleOf(v: number, factor: number): boolean {
  if (Number.isInteger(v) && Number.isInteger(factor)) return v % factor === 0;
  return isFloatAJSONInteger(v / factor);
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Enum values as kubeOpenAPIResultToFieldErrors lists them: strings verbatim, everything else JSON-encoded. */
function enumStrings(values: unknown[]): string[] {
  return values.map((v) => (typeof v === 'string' ? v : canonicalJSON(v)));
}

function enumContains(values: unknown[], v: unknown): boolean {
  if (v === null || v === undefined) return false; // a nil data value never matches (reflect.ValueOf(nil) is invalid)
  return values.some((e) => e !== null && deepEqual(e, v));
}

interface SchemaCtx {
  out: StatusCause[];
  /** When validating with an old object (update), enables ratcheting. */
  ratcheting: boolean;
}

/** The name kube-openapi uses in messages ("spec.replicas"); the field is the same path. */
function node(ctx: SchemaCtx, s: JSONSchemaProps, v: unknown, name: string, corr: { old: unknown } | undefined, root: boolean): void {
  // Ratcheting (CRDValidationRatcheting): errors in a correlatable subtree that is unchanged are dropped.
  if (corr && deepEqual(corr.old, v)) return;
  const out = ctx.out;
  const types: string[] = s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : s.type ? [s.type] : [];
  const format = isKnownFormat(s.format) ? s.format : '';
  const inBody = `${name} in body`;

  // --- type validator ---
  if (v === null || v === undefined) {
    if (types.length > 0 && !s.nullable) {
      out.push(fieldError.typeInvalid(name, 'null', `${inBody} must be of type ${types.join(',')}: "null"`));
    }
    if (s.enum && s.enum.length > 0 && !enumContains(s.enum, v)) {
      out.push(fieldError.notSupported(name, null, enumStrings(s.enum)));
    }
    return;
  }
  const kind = jsonKind(v);
  if (types.length > 0 || format) {
    const dataFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'float64' : '';
    const isFloatInt = kind === 'number' && isFloatAJSONInteger(v as number) && types.includes('integer');
    const isIntFloat = kind === 'integer' && types.includes('number');
    if (kind !== 'string' && kind !== 'array' && format && !(types.includes(kind) || dataFormat === format || isFloatInt || isIntFloat)) {
      out.push(fieldError.typeInvalid(name, v, `${inBody} must be of type ${format}: ${JSON.stringify(dataFormat)}`));
    } else if (!(types.includes('number') || types.includes('integer')) && format && (kind === 'string' || kind === 'array')) {
      // formatted strings skip the type check (the format validator covers them)
    } else if (types.length > 0 && !(types.includes(kind) || isFloatInt || isIntFloat)) {
      out.push(fieldError.typeInvalid(name, v, `${inBody} must be of type ${types.join(',')}: ${JSON.stringify(kind)}`));
    }
  }

  // --- schema props validator (allOf/anyOf/oneOf/not): errors carry no field (errors.New in go-openapi) ---
  if (s.anyOf && s.anyOf.length > 0 && !s['x-kubernetes-int-or-string']) {
    let best: StatusCause[] | undefined;
    let ok = false;
    for (const alt of s.anyOf) {
      const sub = subValidate(ctx, alt, v, name);
      if (sub.length === 0) {
        ok = true;
        best = undefined;
        break;
      }
      if (!best || sub.length < best.length) best = sub;
    }
    if (!ok) out.push(fieldError.invalid('', '', `${JSON.stringify(name)} must validate at least one schema (anyOf)`));
    if (best) out.push(...best);
  }
  if (s.oneOf && s.oneOf.length > 0) {
    let validated = 0;
    let best: StatusCause[] | undefined;
    for (const alt of s.oneOf) {
      const sub = subValidate(ctx, alt, v, name);
      if (sub.length === 0) {
        validated++;
        best = undefined;
        continue;
      }
      if (validated === 0 && (!best || sub.length < best.length)) best = sub;
    }
    if (validated !== 1) {
      const more = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      out.push(fieldError.invalid('', '', `${JSON.stringify(name)} must validate one and only one schema (oneOf). ${more}`));
      if (best) out.push(...best);
    }
  }
  if (s.allOf && s.allOf.length > 0) {
    let validated = 0;
    for (const alt of s.allOf) {
      const sub = subValidate(ctx, alt, v, name);
      if (sub.length === 0) validated++;
      out.push(...sub);
    }
    if (validated !== s.allOf.length) {
      out.push(fieldError.invalid('', '', `${JSON.stringify(name)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`));
    }
  }
  if (s.not) {
    if (subValidate(ctx, s.not, v, name).length === 0) {
      out.push(fieldError.invalid('', '', `${JSON.stringify(name)} must not validate the schema (not)`));
    }
  }

  // --- string validator (first failure only) ---
  if (kind === 'string') {
    const str = v as string;
    if (s.maxLength !== undefined && runeLength(str) > s.maxLength) {
      out.push(fieldError.tooLong(name, s.maxLength));
    } else if (s.minLength !== undefined && runeLength(str) < s.minLength) {
      out.push(fieldError.invalid(name, str, `${inBody} should be at least ${s.minLength} chars long`));
    } else if (s.pattern) {
      const re = compilePattern(s.pattern);
      if (re && !re.test(str)) out.push(fieldError.invalid(name, str, `${inBody} should match '${s.pattern}'`));
    }
    // --- format validator ---
    if (format && !checkFormat(format, str)) {
      out.push(fieldError.typeInvalid(name, str, `${inBody} must be of type ${format}: ${JSON.stringify(str)}`));
    }
  }

  // --- number validator ---
  if (kind === 'integer' || kind === 'number') {
    const n = v as number;
    if (s.multipleOf !== undefined && s.multipleOf > 0 && !isMultipleOf(n, s.multipleOf)) {
      out.push(fieldError.invalid(name, n, `${inBody} should be a multiple of ${fmtNum(s.multipleOf)}`));
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? n >= s.maximum : n > s.maximum)) {
      out.push(fieldError.invalid(name, n, `${inBody} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${fmtNum(s.maximum)}`));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? n <= s.minimum : n < s.minimum)) {
      out.push(fieldError.invalid(name, n, `${inBody} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${fmtNum(s.minimum)}`));
    }
  }

  // --- slice validator ---
  if (kind === 'array') {
    const arr = v as unknown[];
    if (s.items) {
      const isListMap = s['x-kubernetes-list-type'] === 'map';
      for (let i = 0; i < arr.length; i++) {
        let c: { old: unknown } | undefined;
        if (corr && isListMap) {
          const o = correlateListMapItem(s, corr.old, arr[i]);
          if (o !== undefined) c = { old: o };
        }
        node(ctx, s.items, arr[i], indexPath(name, i), c, false);
      }
    }
    if (s.minItems !== undefined && arr.length < s.minItems) {
      out.push(fieldError.invalid(name, arr.length, `${inBody} should have at least ${s.minItems} items`));
    }
    if (s.maxItems !== undefined && arr.length > s.maxItems) {
      out.push(fieldError.tooMany(name, arr.length, s.maxItems));
    }
    if (s.uniqueItems) {
      const seen = new Set<string>();
      let dup = false;
      for (const x of arr) {
        const k = canonicalJSON(x);
        if (seen.has(k)) {
          dup = true;
          break;
        }
        seen.add(k);
      }
      if (dup) out.push(fieldError.invalid(name, '', `${inBody} shouldn't contain duplicates`));
    }
  }

  // --- common validator (enum) ---
  if (s.enum && s.enum.length > 0 && !enumContains(s.enum, v)) {
    out.push(fieldError.notSupported(name, v, enumStrings(s.enum)));
  }

  // --- object validator ---
  if (kind === 'object') objectNode(ctx, s, v as Record<string, unknown>, name, corr, root);
}

function objectNode(ctx: SchemaCtx, s: JSONSchemaProps, obj: Record<string, unknown>, name: string, corr: { old: unknown } | undefined, root: boolean): void {
  const out = ctx.out;
  const inBody = `${name} in body`;
  const keys = Object.keys(obj);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push(fieldError.invalid(name, keys.length, `${inBody} should have at least ${s.minProperties} properties`));
    return;
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    out.push(fieldError.tooMany(name, keys.length, s.maxProperties));
    return;
  }
  const props = s.properties;
  const oldObj = corr && isPlainObject(corr.old) ? corr.old : undefined;
  const childCorr = (k: string): { old: unknown } | undefined => {
    if (!oldObj || !Object.prototype.hasOwnProperty.call(oldObj, k)) return undefined;
    if (root && (k === 'apiVersion' || k === 'kind')) return undefined;
    return { old: oldObj[k] };
  };
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!props || !Object.prototype.hasOwnProperty.call(props, k)) {
        out.push(fieldError.invalid(name, k, `${name}.${k} in body is a forbidden property`));
      }
    }
  } else if (typeof ap === 'object') {
    for (const k of keys) {
      if (props && Object.prototype.hasOwnProperty.call(props, k)) continue;
      node(ctx, ap, obj[k], childPath(name, k), childCorr(k), false);
    }
  }
  if (props) {
    for (const [k, ps] of Object.entries(props)) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      node(ctx, ps, obj[k], childPath(name, k), childCorr(k), false);
    }
  }
  if (s.required) {
    for (const k of s.required) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) out.push(fieldError.required(childPath(name, k)));
    }
  }
}

/** Validate against a nested (allOf/anyOf/oneOf/not) schema at the same location; no ratcheting at this level. */
function subValidate(ctx: SchemaCtx, s: JSONSchemaProps, v: unknown, name: string): StatusCause[] {
  const sub: SchemaCtx = { out: [], ratcheting: ctx.ratcheting };
  node(sub, s, v, name, undefined, false);
  return sub.out;
}

// ---------------------------------------------------------------------------------------------------------------
// Phase 2: embedded resources (apiextensions-apiserver schema/objectmeta).
// ---------------------------------------------------------------------------------------------------------------

const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";




function validateEmbeddedMetadata(path: string, md: unknown, out: StatusCause[]): void {
  if (!isPlainObject(md)) {
    out.push(fieldError.invalid(path, md, 'must be an object'));
    return;
  }
  const stringField = (k: string): string | undefined => {
    const x = md[k];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'string') {
      out.push(fieldError.invalid(childPath(path, k), x, 'must be a string'));
      return undefined;
    }
    return x;
  };
  const name = stringField('name');
  const generateName = stringField('generateName');
  if (generateName) for (const e of pathSegmentErrors(generateName)) out.push(fieldError.invalid(childPath(path, 'generateName'), generateName, e));
  if (name) for (const e of pathSegmentErrors(name)) out.push(fieldError.invalid(childPath(path, 'name'), name, e));
  const ns = stringField('namespace');
  if (ns) for (const e of dns1123LabelErrors(ns)) out.push(fieldError.invalid(childPath(path, 'namespace'), ns, e));
  const labels = md.labels;
  if (isPlainObject(labels)) {
    for (const [k, lv] of Object.entries(labels)) {
      for (const e of qualifiedNameErrors(k)) out.push(fieldError.invalid(childPath(path, 'labels'), k, e));
      if (typeof lv === 'string') for (const e of labelValueErrors(lv)) out.push(fieldError.invalid(childPath(path, 'labels'), lv, e));
    }
  }
  const annotations = md.annotations;
  if (isPlainObject(annotations)) {
    for (const k of Object.keys(annotations)) {
      for (const e of qualifiedNameErrors(k.toLowerCase())) out.push(fieldError.invalid(childPath(path, 'annotations'), k, e));
    }
  }
}

function validateEmbeddedResource(path: string, x: Record<string, unknown>, out: StatusCause[]): void {
  if (!('apiVersion' in x)) out.push(fieldError.required(childPath(path, 'apiVersion'), 'must not be empty'));
  if (!('kind' in x)) out.push(fieldError.required(childPath(path, 'kind'), 'must not be empty'));
  for (const [k, v] of Object.entries(x)) {
    const p = childPath(path, k);
    if (k === 'apiVersion') {
      if (typeof v !== 'string') out.push(fieldError.invalid(p, v, 'must be a string'));
      else if (v.length === 0) out.push(fieldError.invalid(p, v, 'must not be empty'));
      else if (v.split('/').length > 2) out.push(fieldError.invalid(p, v, `unexpected GroupVersion string: ${v}`));
    } else if (k === 'kind') {
      if (typeof v !== 'string') out.push(fieldError.invalid(p, v, 'must be a string'));
      else if (v.length === 0) out.push(fieldError.invalid(p, v, 'must not be empty'));
      else if (v.length > 63 || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v.toLowerCase())) {
        out.push(fieldError.invalid(p, v, `may have mixed case, but should otherwise match: ${DNS1035_MSG}`));
      }
    } else if (k === 'metadata') {
      validateEmbeddedMetadata(p, v, out);
    }
  }
}

const reachCache = {
  'x-kubernetes-embedded-resource': new WeakMap<JSONSchemaProps, boolean>(),
  'x-kubernetes-list-type': new WeakMap<JSONSchemaProps, boolean>(),
};

/**
 * Whether `ext` is set on the schema or on any schema the walks below descend to (properties, items,
 * additionalProperties); cached per schema object. When it is not, the walk has nothing to report.
 */
function schemaReaches(s: JSONSchemaProps | undefined, ext: keyof typeof reachCache): boolean {
  if (!s) return false;
  const cache = reachCache[ext];
  const cached = cache.get(s);
  if (cached !== undefined) return cached;
  cache.set(s, false); // guard against cycles
  let r = s[ext] !== undefined && s[ext] !== false;
  if (!r && s.properties) r = Object.values(s.properties).some((p) => schemaReaches(p, ext));
  if (!r && s.items) r = schemaReaches(s.items, ext);
  if (!r && typeof s.additionalProperties === 'object') r = schemaReaches(s.additionalProperties, ext);
  cache.set(s, r);
  return r;
}

function embeddedWalk(path: string, x: unknown, s: JSONSchemaProps | undefined, out: StatusCause[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) embeddedWalk(indexPath(path, i), x[i], s.items, out);
    return;
  }
  if (!isPlainObject(x)) return;
  if (s['x-kubernetes-embedded-resource']) validateEmbeddedResource(path, x, out);
  if (s.properties) {
    for (const [k, ps] of Object.entries(s.properties)) {
      if (Object.prototype.hasOwnProperty.call(x, k)) embeddedWalk(childPath(path, k), x[k], ps, out);
    }
  }
  const ap = s.additionalProperties;
  if (typeof ap === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, k)) continue;
      embeddedWalk(keyPath(path, k), v, ap, out);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Phase 3: x-kubernetes-list-type set/map uniqueness (apiextensions-apiserver schema/listtype).
// ---------------------------------------------------------------------------------------------------------------

/** Indices of the second occurrence of each duplicated element (reported once per distinct value). */
function nonUniqueIndices(items: unknown[], keyOf: (x: unknown) => string): number[] {
  const seen = new Map<string, number>();
  const res: number[] = [];
  items.forEach((x, i) => {
    const k = keyOf(x);
    const n = seen.get(k);
    if (n === undefined) seen.set(k, 1);
    else {
      if (n === 1) res.push(i);
      seen.set(k, n + 1);
    }
  });
  return res;
}

/**
 * Duplicate items of list-type set/map lists. With `old` (the same place in the old object), a subtree that is the
 * old one itself (shared, as a status write shares the unchanged spec) is skipped: its findings would be the old
 * object's too, and those suppress every finding (see validateValue).
 */
function listTypeWalk(path: string, x: unknown, s: JSONSchemaProps | undefined, out: StatusCause[], old?: unknown): void {
  if (!s || x === null || x === undefined || (old !== undefined && x === old) || !schemaReaches(s, 'x-kubernetes-list-type')) return;
  if (Array.isArray(x)) {
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') {
      for (const i of nonUniqueIndices(x, canonicalJSON)) out.push(duplicate(indexPath(path, i), x[i]));
    } else if (lt === 'map') {
      validateListMap(path, s, x, out);
    }
    if (s.items) for (let i = 0; i < x.length; i++) listTypeWalk(indexPath(path, i), x[i], s.items, out);
    return;
  }
  if (!isPlainObject(x)) return;
  const oldObj = isPlainObject(old) ? old : undefined;
  const ap = s.additionalProperties;
  if (typeof ap === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, k)) continue;
      listTypeWalk(keyPath(path, k), v, ap, out, oldObj?.[k]);
    }
  }
  if (s.properties) {
    for (const [k, ps] of Object.entries(s.properties)) {
      if (Object.prototype.hasOwnProperty.call(x, k)) listTypeWalk(childPath(path, k), x[k], ps, out, oldObj?.[k]);
    }
  }
}

function duplicate(field: string, v: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${goBadValue(v)}` };
}

function validateListMap(path: string, s: JSONSchemaProps, x: unknown[], out: StatusCause[]): void {
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== null && !isPlainObject(x[i])) {
      out.push(fieldError.invalid(indexPath(path, i), x[i], 'must be an object for an array of list-type map'));
      return;
    }
  }
  if (x.length <= 1) return;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const keyObjs = x.map((item) => {
    const k: Record<string, unknown> = {};
    if (isPlainObject(item)) for (const f of keys) if (Object.prototype.hasOwnProperty.call(item, f)) k[f] = item[f];
    return k;
  });
  for (const i of nonUniqueIndices(keyObjs, canonicalJSON)) out.push(duplicate(indexPath(path, i), keyObjs[i]));
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point.
// ---------------------------------------------------------------------------------------------------------------

const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/**
 * Validate a whole custom resource (or any value) against its structural schema, returning the causes in traversal
 * order and with kube-apiserver's wording. With `oldValue` (update), transition rules run and unchanged,
 * correlatable parts of the object are ratcheted.
 */
export function validateValue(schema: JSONSchemaProps, value: unknown, opts: ValidateOptions = {}): StatusCause[] {
  const path = opts.path ?? '';
  const isUpdate = opts.oldValue !== undefined;
  const out: StatusCause[] = [];

  node({ out, ratcheting: isUpdate }, schema, value, path, isUpdate && opts.oldValue !== null ? { old: opts.oldValue } : undefined, true);
  if (schemaReaches(schema, 'x-kubernetes-embedded-resource')) embeddedWalk(path, value, schema, out);
  if (!schemaReaches(schema, 'x-kubernetes-list-type')) {
    // nothing to check
  } else if (!isUpdate) {
    listTypeWalk(path, value, schema, out);
  } else {
    // Ratcheting: duplicates are reported only when the old object had none (the old walk runs only when needed).
    const newErrs: StatusCause[] = [];
    listTypeWalk(path, value, schema, newErrs, opts.oldValue);
    if (newErrs.length) {
      const oldErrs: StatusCause[] = [];
      listTypeWalk(path, opts.oldValue, schema, oldErrs);
      if (oldErrs.length === 0) out.push(...newErrs);
    }
  }

  if (schemaHasRules(schema)) {
    if (out.some((c) => BLOCKING.has(c.reason))) {
      out.push(
        fieldError.invalid('', 'null', 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'),
      );
    } else {
      validateCelRules(schema, value, { oldValue: opts.oldValue, path }, out);
    }
  }
  return out;
}
