/** Field-path helpers mirroring k8s.io/apimachinery field.Path rendering. */

/** `spec` + `replicas` -> `spec.replicas`; an empty base yields just the name. */
export function childPath(base: string, name: string): string {
  return base === '' ? name : `${base}.${name}`;
}

/** `spec.items` + 2 -> `spec.items[2]`. */
export function indexPath(base: string, i: number): string {
  return `${base}[${i}]`;
}

/** `spec.labels` + `app` -> `spec.labels[app]` (field.Path.Key renders keys unquoted). */
export function keyPath(base: string, key: string): string {
  return `${base}[${key}]`;
}

export { isPlainObject } from '../types.js';

/** JSON deep equality (object key order is irrelevant). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  }
  return true;
}

/** Deep clone of a JSON value (runtime.DeepCopyJSONValue). */
export function deepCopyJSON<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => deepCopyJSON(x)) as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = deepCopyJSON(x);
  return out as T;
}

/** Stable JSON encoding with sorted keys (Go's json.Marshal of map[string]interface{} sorts keys). */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

/** Go's %#v rendering of a decoded JSON value (used where kube-apiserver prints non-scalar bad values). */
export function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const o = v as Record<string, unknown>;
  return `map[string]interface {}{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goSyntax(o[k])}`).join(', ')}}`;
}

/** field.Error rendering of a bad value: scalars as %v/%q, nil as "null", compound values as %#v. */
export function goBadValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return goSyntax(v);
}
