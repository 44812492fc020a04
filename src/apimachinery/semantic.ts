/**
 * Semantic JSON of an API object, for hashing and comparing what Go's types would see: object keys sorted, and
 * members that are undefined, null or empty objects dropped — kube-apiserver decodes a JSON null as the field's zero
 * value and omits empty maps and structs, so `creationTimestamp: null`, `resources: {}` and an absent field are the
 * same object there. Arrays keep their elements (null included) in order.
 */
import { isPlainObject } from './types.js';

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : prune(x)));
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = prune(v[k]);
    if (x === undefined || x === null) continue;
    if (isPlainObject(x) && Object.keys(x).length === 0) continue;
    out[k] = x;
  }
  return out;
}

export function semanticJson(v: unknown): string {
  return JSON.stringify(prune(v) ?? null);
}

/** Whether two objects are the same for Go's types (see semanticJson). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return semanticJson(a) === semanticJson(b);
}
