/** Small helpers for defaulting unstructured JSON objects in place. */

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `key`, or undefined when the field is absent or not an object. */
export function child(parent: Obj, key: string): Obj | undefined {
  const value = parent[key];
  return isObj(value) ? value : undefined;
}

/** The object at `key`, created empty when the field is absent (null counts as absent). */
export function ensureChild(parent: Obj, key: string): Obj {
  const value = parent[key];
  if (isObj(value)) return value;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

/** The object elements of the array at `key` (non-objects are skipped). */
export function objects(parent: Obj | undefined, key: string): Obj[] {
  if (!parent) return [];
  const value = parent[key];
  return Array.isArray(value) ? value.filter(isObj) : [];
}

/** True when the field is absent or null (Go's nil pointer / zero value for the field). */
export function unset(parent: Obj, key: string): boolean {
  return parent[key] === undefined || parent[key] === null;
}

/** Sets `key` when it is absent or null: Go's `if obj.X == nil`. */
export function defaultValue(parent: Obj, key: string, value: unknown): void {
  if (unset(parent, key)) parent[key] = value;
}

/** Sets `key` when it is absent, null or the empty string: Go's `if obj.X == ""`. */
export function defaultString(parent: Obj, key: string, value: string): void {
  if (unset(parent, key) || parent[key] === '') parent[key] = value;
}

/** Sets `key` when it is absent, null or 0: Go's `if obj.X == 0` for a plain integer. */
export function defaultNumber(parent: Obj, key: string, value: number): void {
  if (unset(parent, key) || parent[key] === 0) parent[key] = value;
}

/** True when the field holds a non-empty array. */
export function hasItems(parent: Obj, key: string): boolean {
  const value = parent[key];
  return Array.isArray(value) && value.length > 0;
}

/** True when the field holds an object with at least one key (a non-empty Go map). */
export function hasKeys(parent: Obj, key: string): boolean {
  const value = parent[key];
  return isObj(value) && Object.keys(value).length > 0;
}
