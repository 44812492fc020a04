/**
 * Structural defaulting (apiextensions-apiserver schema/defaulting): first non-nullable nulls without a default are
 * dropped, then missing (or non-nullable null) properties receive deep copies of their `default`, recursively through
 * properties, additionalProperties and array items, so defaults of nested objects get their own nested defaults.
 */
import { deepCopyJSON, isPlainObject } from './path.js';
import type { JSONSchemaProps } from './types.js';

function schemaForField(field: string, s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  if (!s) return undefined;
  const p = s.properties?.[field];
  if (p && Object.prototype.hasOwnProperty.call(s.properties, field)) return p;
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** PruneNonNullableNullsWithoutDefaults: removes `null` object fields whose schema is neither nullable nor defaulted. */
export function pruneNonNullableNullsWithoutDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (Array.isArray(x)) {
    const items = s?.items;
    for (const v of x) pruneNonNullableNullsWithoutDefaults(v, items);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const k of Object.keys(x)) {
    const fs = schemaForField(k, s);
    const v = x[k];
    if (v === null && fs && !fs.nullable && !hasDefault(fs)) delete x[k];
    else pruneNonNullableNullsWithoutDefaults(v, fs);
  }
}

function hasDefault(s: JSONSchemaProps | undefined): s is JSONSchemaProps & { default: unknown } {
  return !!s && s.default !== undefined && s.default !== null;
}

function isNonNullableNull(x: unknown, s: JSONSchemaProps | undefined): boolean {
  return x === null && !!s && !s.nullable;
}

function defaultValue(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = s.items;
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && hasDefault(items)) x[i] = deepCopyJSON(items.default);
      defaultValue(x[i], items);
    }
    return;
  }
  if (!isPlainObject(x)) return;
  if (s.properties) {
    for (const [k, prop] of Object.entries(s.properties)) {
      if (!hasDefault(prop)) continue;
      if (!Object.prototype.hasOwnProperty.call(x, k) || isNonNullableNull(x[k], prop)) x[k] = deepCopyJSON(prop.default);
    }
  }
  const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const k of Object.keys(x)) {
    const prop = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
    if (prop) defaultValue(x[k], prop);
    else if (ap) {
      if (isNonNullableNull(x[k], ap) && hasDefault(ap)) x[k] = deepCopyJSON(ap.default);
      defaultValue(x[k], ap);
    }
  }
}

/**
 * Apply structural defaults to value in place (as kube-apiserver does when decoding a request or reading from
 * storage) and return it. Non-nullable nulls without a default are removed; with a default they are replaced.
 */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): unknown {
  pruneNonNullableNullsWithoutDefaults(value, schema);
  defaultValue(value, schema);
  return value;
}
