/**
 * The structural-schema checks kube-apiserver applies to a CRD's openAPIV3Schema (apiextensions-apiserver
 * schema.ValidateStructural plus the main rules of validateCustomResourceDefinitionOpenAPISchema).
 */
import type { StatusCause } from '../errors.js';
import { fieldError } from '../errors.js';
import { childPath, deepCopyJSON } from './path.js';
import { pruneUnknownFields } from './prune.js';
import type { JSONSchemaProps } from './types.js';
import { validateValue } from './validate.js';

type Level = 'root' | 'item' | 'field';

const KNOWN_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

function prop(path: string, k: string): string {
  return `${childPath(path, 'properties')}[${k}]`;
}

function idx(path: string, name: string, i: number): string {
  return `${childPath(path, name)}[${i}]`;
}

function isIntOrStringAnyOf(list: JSONSchemaProps[] | undefined): boolean {
  if (!list || list.length !== 2) return false;
  const only = (s: JSONSchemaProps, t: string) => Object.keys(s).length === 1 && s.type === t;
  return only(list[0]!, 'integer') && only(list[1]!, 'string');
}

function invariants(s: JSONSchemaProps, lvl: Level, path: string, out: StatusCause[]): void {
  if (s.type === 'array' && !s.items) out.push(fieldError.required(childPath(path, 'items'), 'must be specified'));
  if (s.items) invariants(s.items, 'item', childPath(path, 'items'), out);
  for (const [k, p] of Object.entries(s.properties ?? {})) invariants(p, 'field', prop(path, k), out);
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') out.push(fieldError.forbidden(childPath(path, 'additionalProperties'), 'must not be used at the root'));
    if (typeof s.additionalProperties === 'object') invariants(s.additionalProperties, 'field', childPath(path, 'additionalProperties'), out);
  }

  const xios = !!s['x-kubernetes-int-or-string'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  if (xios && preserve) out.push(fieldError.invalid(childPath(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (xios && embedded) out.push(fieldError.invalid(childPath(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));

  // value validations (logical junctors)
  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = !!s.allOf && s.allOf.length >= 1 && isIntOrStringAnyOf(s.allOf[0]!.anyOf);
  valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, path, out);

  const checkMetadata = lvl === 'root' || embedded;
  if (embedded && s.type !== 'object') {
    if (!s.type) out.push(fieldError.required(childPath(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'));
    else out.push(fieldError.invalid(childPath(path, 'type'), s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !xios && !preserve) {
    const detail = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    out.push(fieldError.required(childPath(path, 'type'), detail));
  }
  if (embedded && s.additionalProperties !== undefined) {
    out.push(fieldError.forbidden(childPath(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && s.type && s.type !== 'object') out.push(fieldError.invalid(childPath(path, 'type'), s.type, 'must be object at the root'));

  const props = s.properties ?? {};
  if (checkMetadata) {
    for (const k of ['kind', 'apiVersion']) {
      const p = props[k];
      if (p && p.type !== 'string') out.push(fieldError.invalid(childPath(prop(path, k), 'type'), p.type ?? '', 'must be string'));
    }
  }
  const md = props.metadata;
  if (md) {
    const mp = prop(path, 'metadata');
    if (checkMetadata && md.type !== 'object') out.push(fieldError.invalid(childPath(mp, 'type'), md.type ?? '', 'must be object'));
    if (lvl === 'root') {
      const rest: Record<string, unknown> = { ...md };
      delete rest.type;
      delete rest.default;
      const mprops = Object.keys(md.properties ?? {});
      if (mprops.every((k) => k === 'name' || k === 'generateName')) delete rest.properties;
      if (Object.keys(rest).length > 0) {
        out.push(fieldError.forbidden(mp, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      }
    }
  }
  if (embedded && !preserve && Object.keys(props).length === 0) {
    out.push(fieldError.required(childPath(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }

  crdRules(s, lvl, path, out);
}

function valueValidation(v: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string, out: StatusCause[]): void {
  if (!skipAnyOf) v.anyOf?.forEach((n, i) => nested(n, false, false, lvl, idx(path, 'anyOf', i), false, out));
  v.allOf?.forEach((n, i) => nested(n, skipFirstAllOfAnyOf && i === 0, false, lvl, idx(path, 'allOf', i), false, out));
  v.oneOf?.forEach((n, i) => nested(n, false, false, lvl, idx(path, 'oneOf', i), false, out));
  if (v.not) nested(v.not, false, false, lvl, childPath(path, 'not'), false, out);
  if (v.pattern) {
    try {
      new RegExp(v.pattern, 'u');
    } catch (e) {
      out.push(fieldError.invalid(childPath(path, 'pattern'), v.pattern, `must be a valid regular expression, but isn't: ${(e as Error).message}`));
    }
  }
}

function nested(v: JSONSchemaProps, skipAnyOf: boolean, skipAllOfAnyOf: boolean, lvl: Level, path: string, allowXValidations: boolean, out: StatusCause[]): void {
  valueValidation(v, skipAnyOf, skipAllOfAnyOf, lvl, path, out);
  if (v.items) nested(v.items, false, false, lvl, childPath(path, 'items'), allowXValidations, out);
  for (const [k, p] of Object.entries(v.properties ?? {})) nested(p, false, false, 'field', prop(path, k), allowXValidations, out);
  const forbid = (name: string, detail: string) => out.push(fieldError.forbidden(childPath(path, name), detail));
  if (v.type) forbid('type', 'must be empty to be structural');
  if (v.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined) forbid('default', 'must be undefined to be structural');
  if (v.title) forbid('title', 'must be empty to be structural');
  if (v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable) forbid('nullable', 'must be false to be structural');
  if (v['x-kubernetes-preserve-unknown-fields']) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (v['x-kubernetes-list-map-keys']?.length) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if (v['x-kubernetes-validations']?.length && !allowXValidations) forbid('x-kubernetes-validations', 'must be empty to be structural');
  if (v.properties && Object.prototype.hasOwnProperty.call(v.properties, 'metadata')) {
    out.push(fieldError.forbidden(prop(path, 'metadata'), 'must not be specified in a nested context'));
  }
}

/** Every property or items specified in a logical junctor must also be specified in the structural part. */
function completeness(s: JSONSchemaProps | undefined, v: JSONSchemaProps, sPath: string, vPath: string, out: StatusCause[]): void {
  const junctors = (x: JSONSchemaProps, vp: string) => {
    if (x.not) nestedCompleteness(s, x.not, sPath, childPath(vp, 'not'), out);
    x.allOf?.forEach((n, i) => nestedCompleteness(s, n, sPath, idx(vp, 'allOf', i), out));
    x.anyOf?.forEach((n, i) => nestedCompleteness(s, n, sPath, idx(vp, 'anyOf', i), out));
    x.oneOf?.forEach((n, i) => nestedCompleteness(s, n, sPath, idx(vp, 'oneOf', i), out));
  };
  junctors(v, vPath);
}

function nestedCompleteness(s: JSONSchemaProps | undefined, v: JSONSchemaProps, sPath: string, vPath: string, out: StatusCause[]): void {
  if (!s) {
    out.push(fieldError.required(sPath, `because it is defined in ${vPath}`));
    return;
  }
  completeness(s, v, sPath, vPath, out);
  if (v.items) nestedCompleteness(s.items, v.items, childPath(sPath, 'items'), childPath(vPath, 'items'), out);
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    const sp = s.properties?.[k];
    if (!sp) out.push(fieldError.required(prop(sPath, k), `because it is defined in ${prop(vPath, k)}`));
    else nestedCompleteness(sp, p, prop(sPath, k), prop(vPath, k), out);
  }
}

function structuralCompleteness(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  // Like kube-apiserver, only the root's logical junctors are checked for completeness.
  completeness(s, s, path, path, out);
}

/** Rules from apiextensions validation of JSONSchemaProps for v1 CRDs. */
function crdRules(s: JSONSchemaProps, lvl: Level, path: string, out: StatusCause[]): void {
  if (s.type !== undefined && !KNOWN_TYPES.includes(s.type)) out.push(fieldError.notSupported(childPath(path, 'type'), s.type, KNOWN_TYPES));
  if (s.properties && Object.keys(s.properties).length > 0 && s.additionalProperties !== undefined) {
    out.push(fieldError.forbidden(childPath(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (s.additionalProperties === false) out.push(fieldError.forbidden(childPath(path, 'additionalProperties'), 'additionalProperties cannot be set to false'));
  if (s.uniqueItems === true) out.push(fieldError.forbidden(childPath(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    out.push(fieldError.invalid(childPath(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }

  const lt = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  if (lt !== undefined) {
    if (!['atomic', 'set', 'map'].includes(lt)) out.push(fieldError.notSupported(childPath(path, 'x-kubernetes-list-type'), lt, ['atomic', 'set', 'map']));
    if (s.type !== 'array') {
      if (!s.type) out.push(fieldError.required(childPath(path, 'type'), 'must be array if x-kubernetes-list-type is specified'));
      else out.push(fieldError.invalid(childPath(path, 'x-kubernetes-list-type'), lt, 'must only be used on array types'));
    }
  }
  if (keys && keys.length > 0) {
    if (lt === undefined) out.push(fieldError.required(childPath(path, 'x-kubernetes-list-type'), 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (lt !== 'map') out.push(fieldError.invalid(childPath(path, 'x-kubernetes-list-map-keys'), keys, 'must be empty if x-kubernetes-list-type is not map'));
    if (new Set(keys).size !== keys.length) out.push(fieldError.invalid(childPath(path, 'x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'));
  }
  if (lt === 'map') {
    if (!keys || keys.length === 0) out.push(fieldError.required(childPath(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (!s.items) out.push(fieldError.required(childPath(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    else {
      if (s.items.type !== 'object') {
        out.push(fieldError.invalid(childPath(childPath(path, 'items'), 'type'), s.items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
      } else {
        const required = new Set(s.items.required ?? []);
        for (const k of keys ?? []) {
          const kp = s.items.properties?.[k];
          const kpath = prop(childPath(path, 'items'), k);
          if (!kp) {
            out.push(fieldError.invalid(childPath(path, 'x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
            continue;
          }
          if (!kp['x-kubernetes-int-or-string'] && !SCALAR_TYPES.has(kp.type ?? '')) {
            out.push(fieldError.invalid(childPath(kpath, 'type'), kp.type ?? '', "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
          if (!required.has(k) && kp.default === undefined) {
            out.push(fieldError.required(kpath, 'must either have a default value or be required if it is a key of a list of x-kubernetes-list-type map'));
          }
        }
      }
    }
  }
  if (lt === 'set' && s.items) {
    const it = s.items;
    if (it.type === 'object' && it['x-kubernetes-map-type'] !== 'atomic') {
      out.push(fieldError.invalid(childPath(childPath(path, 'items'), 'x-kubernetes-map-type'), it['x-kubernetes-map-type'] ?? '', 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (it.type === 'array' && it['x-kubernetes-list-type'] !== 'atomic') {
      out.push(fieldError.invalid(childPath(childPath(path, 'items'), 'x-kubernetes-list-type'), it['x-kubernetes-list-type'] ?? '', 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  const mt = s['x-kubernetes-map-type'];
  if (mt !== undefined) {
    if (!['atomic', 'granular'].includes(mt)) out.push(fieldError.notSupported(childPath(path, 'x-kubernetes-map-type'), mt, ['atomic', 'granular']));
    if (s.type !== 'object') {
      if (!s.type) out.push(fieldError.required(childPath(path, 'type'), 'must be object if x-kubernetes-map-type is specified'));
      else out.push(fieldError.invalid(childPath(path, 'x-kubernetes-map-type'), mt, 'must only be used on object types'));
    }
  }

  if (s.default !== undefined) {
    if (lvl === 'root') out.push(fieldError.forbidden(childPath(path, 'default'), 'must not be set at the root'));
    else validateDefault(s, path, out);
  }
}

function validateDefault(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const dp = childPath(path, 'default');
  const value = deepCopyJSON(s.default);
  if (value === null) {
    if (!s.nullable) out.push(fieldError.invalid(dp, null, 'must not be null for a non-nullable field'));
    return;
  }
  const pruned = pruneUnknownFields(s, value, { isResourceRoot: false });
  if (pruned.length > 0) out.push(fieldError.invalid(dp, s.default, `must not have unknown fields, got: ${pruned.join(', ')}`));
  for (const c of validateValue(s, value)) {
    out.push({ ...c, field: c.field ? `${dp}.${c.field}` : dp });
  }
}

/**
 * Structural-schema checks for a CRD version's openAPIV3Schema rooted at fieldPath
 * (e.g. `spec.versions[0].schema.openAPIV3Schema`). Causes are returned in traversal order.
 */
export function checkStructural(schema: JSONSchemaProps, fieldPath: string): StatusCause[] {
  const out: StatusCause[] = [];
  invariants(schema, 'root', fieldPath, out);
  structuralCompleteness(schema, fieldPath, out);
  return out;
}
