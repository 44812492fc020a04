/**
 * Schema-aware walks over JSON values, following structured-merge-diff's
 * typed package: ToFieldSet, Compare, Merge (apply) and the removal step of
 * apply's prune. Values are plain JSON; `undefined` means "absent".
 */
import type { JSONSchemaProps } from '../schema/types.js';
import { deepClone, isPlainObject } from '../types.js';
import { FieldSet, fieldPE, indexPE, keyPE, valuePE } from './fieldset.js';
import { childOf, itemsOf, shapeOf, type Shape } from './schema-nav.js';

type Obj = Record<string, unknown>;
type ListShape = Extract<Shape, { kind: 'list' }>;

/** Deep JSON equality. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Path element of a list item (key, value or index), as structured-merge-diff computes it. */
export function listItemPE(shape: ListShape, itemSchema: JSONSchemaProps | undefined, item: unknown, index: number): string {
  if (shape.listType === 'set') return valuePE(item);
  if (shape.listType === 'map' && shape.keys.length > 0 && isPlainObject(item)) {
    const key: Obj = {};
    let found = 0;
    for (const k of shape.keys) {
      let v = item[k];
      if (v === undefined) v = itemSchema?.properties?.[k]?.default;
      if (v !== undefined) {
        key[k] = v;
        found++;
      }
    }
    if (found > 0) return keyPE(key);
  }
  return indexPE(index);
}

/** Index list items by path element, keeping only the first occurrence of duplicates. */
function indexItems(shape: ListShape, itemSchema: JSONSchemaProps | undefined, list: unknown[] | undefined): { order: string[]; items: Map<string, unknown> } {
  const order: string[] = [];
  const items = new Map<string, unknown>();
  (list ?? []).forEach((item, i) => {
    const pe = listItemPE(shape, itemSchema, item, i);
    if (items.has(pe)) return;
    items.set(pe, item);
    order.push(pe);
  });
  return { order, items };
}

// ---------------------------------------------------------------------------
// ToFieldSet

/**
 * The set of fields an object (typically an applied configuration) specifies:
 * every scalar leaf, every atomic map/list as a whole, every list item, and
 * every map entry that is not a declared property.
 */
export function toFieldSet(value: unknown, schema: JSONSchemaProps | undefined): FieldSet {
  const set = new FieldSet();
  if (isPlainObject(value)) visitMapToSet(value, schema, [], set);
  return set;
}

function toSetNode(value: unknown, schema: JSONSchemaProps | undefined, path: string[], set: FieldSet): void {
  const shape = shapeOf(schema, value);
  if (shape.kind === 'scalar') {
    set.insert(path);
    return;
  }
  if (shape.kind === 'map') {
    if (shape.atomic) {
      set.insert(path);
      return;
    }
    if (isPlainObject(value)) visitMapToSet(value, schema, path, set);
    return;
  }
  if (shape.listType === 'atomic') {
    set.insert(path);
    return;
  }
  if (!Array.isArray(value)) return;
  const itemSchema = itemsOf(schema);
  value.forEach((item, i) => {
    const p = [...path, listItemPE(shape, itemSchema, item, i)];
    toSetNode(item, itemSchema, p, set);
    set.insert(p);
  });
}

function visitMapToSet(value: Obj, schema: JSONSchemaProps | undefined, path: string[], set: FieldSet): void {
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const c = childOf(schema, k);
    const p = [...path, fieldPE(k)];
    toSetNode(v, c.schema, p, set);
    if (!c.named) set.insert(p);
  }
}

// ---------------------------------------------------------------------------
// Compare

/** Result of comparing two objects: paths added, modified (leaves only) and removed by the right-hand side. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** structured-merge-diff's TypedValue.Compare. */
export function compareObjects(lhs: unknown, rhs: unknown, schema: JSONSchemaProps | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareMapItems(isPlainObject(lhs) ? lhs : {}, isPlainObject(rhs) ? rhs : {}, schema, [], c);
  return c;
}

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * Every path of a subtree that only one side has, as compareNode would record it one insert at a time: members at
 * `node` (the subtree's own path) and below, without building paths.
 */
function markSubtree(v: unknown, schema: JSONSchemaProps | undefined, node: FieldSet): void {
  const shape = shapeOf(schema, v);
  node.member = true;
  if (shape.kind === 'scalar') return;
  if (shape.kind === 'map') {
    if (shape.atomic || !isPlainObject(v) || isEmptyish(v)) return;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x !== undefined) markSubtree(x, childOf(schema, k).schema, node.child(fieldPE(k)));
    }
    return;
  }
  if (shape.listType === 'atomic' || !Array.isArray(v) || isEmptyish(v)) return;
  const itemSchema = itemsOf(schema);
  const items = indexItems(shape, itemSchema, v);
  for (const pe of items.order) {
    const x = items.items.get(pe);
    if (x !== undefined) markSubtree(x, itemSchema, node.child(pe));
  }
}

function compareNode(lhs: unknown, rhs: unknown, schema: JSONSchemaProps | undefined, path: string[], c: Comparison): void {
  // The same value (a subtree shared by the old and new object, or equal scalars): nothing changed below.
  if (lhs === rhs) return;
  // A subtree on one side only: all of it is added (or removed).
  if (lhs === undefined) return markSubtree(rhs, schema, c.added.ensure(path));
  if (rhs === undefined) return markSubtree(lhs, schema, c.removed.ensure(path));
  const leaf = () => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!jsonEqual(lhs, rhs)) c.modified.insert(path);
  };
  const shape = shapeOf(schema, rhs !== undefined ? rhs : lhs);
  if (shape.kind === 'scalar') return leaf();
  if (shape.kind === 'map') {
    const okL = lhs === undefined || lhs === null || isPlainObject(lhs);
    const okR = rhs === undefined || rhs === null || isPlainObject(rhs);
    if (shape.atomic || !okL || !okR || (isEmptyish(lhs) && isEmptyish(rhs))) return leaf();
    compareMapItems(isPlainObject(lhs) ? lhs : {}, isPlainObject(rhs) ? rhs : {}, schema, path, c);
  } else {
    const okL = lhs === undefined || lhs === null || Array.isArray(lhs);
    const okR = rhs === undefined || rhs === null || Array.isArray(rhs);
    if (shape.listType === 'atomic' || !okL || !okR || (isEmptyish(lhs) && isEmptyish(rhs))) return leaf();
    const itemSchema = itemsOf(schema);
    const l = indexItems(shape, itemSchema, lhs as unknown[] | undefined);
    const r = indexItems(shape, itemSchema, rhs as unknown[] | undefined);
    const seen = new Set<string>();
    for (const pe of [...r.order, ...l.order]) {
      if (seen.has(pe)) continue;
      seen.add(pe);
      compareNode(l.items.get(pe), r.items.get(pe), itemSchema, [...path, pe], c);
    }
  }
  // Non-leaf nodes: record their own appearance/disappearance.
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

function compareMapItems(lhs: Obj, rhs: Obj, schema: JSONSchemaProps | undefined, path: string[], c: Comparison): void {
  const keys = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
  for (const k of keys) {
    const l = lhs[k];
    const r = rhs[k];
    if (l === undefined && r === undefined) continue;
    compareNode(l, r, childOf(schema, k).schema, [...path, fieldPE(k)], c);
  }
}

// ---------------------------------------------------------------------------
// Merge (apply)

/**
 * Merge an applied configuration into a live object (structured-merge-diff's
 * Merge with "keep RHS" for leaves): maps merge per key, associative lists
 * merge per item, set lists union, atomic values are replaced. Non-nullable
 * fields applied as `null` are dropped from the result.
 */
export function mergeApplied(live: unknown, config: unknown, schema: JSONSchemaProps | undefined): unknown {
  return mergeNode(live, config, schema);
}

function mergeNode(lhs: unknown, rhs: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (rhs === undefined) return lhs;
  const shape = shapeOf(schema, rhs);
  if (shape.kind === 'map' && !shape.atomic && isPlainObject(rhs)) {
    const base: Obj = isPlainObject(lhs) ? { ...lhs } : {};
    for (const [k, v] of Object.entries(rhs)) {
      if (v === undefined) continue;
      const cs = childOf(schema, k).schema;
      if (v === null && !cs?.nullable) {
        delete base[k];
        continue;
      }
      base[k] = mergeNode(base[k], v, cs);
    }
    return base;
  }
  if (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(rhs) && Array.isArray(lhs)) {
    return mergeList(lhs, rhs, shape, itemsOf(schema));
  }
  if (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(rhs)) {
    return mergeList([], rhs, shape, itemsOf(schema));
  }
  return deepClone(rhs);
}

/**
 * Merge two associative lists: items present on both sides are merged and
 * take the right-hand order; items only on the left keep their relative
 * position (structured-merge-diff's visitListItems ordering).
 */
function mergeList(lhs: unknown[], rhs: unknown[], shape: ListShape, itemSchema: JSONSchemaProps | undefined): unknown[] {
  const l = indexItems(shape, itemSchema, lhs);
  const r = indexItems(shape, itemSchema, rhs);
  const shared = r.order.filter((pe) => l.items.has(pe));
  let sharedIdx = 0;
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  const emit = (pe: string) => {
    const merged = r.items.has(pe) ? mergeNode(l.items.get(pe), r.items.get(pe), itemSchema) : l.items.get(pe);
    out.push(merged);
  };
  let guard = 0;
  while ((li < l.order.length || ri < r.order.length) && guard++ < 1e7) {
    const nextShared = shared[sharedIdx];
    if (li < l.order.length && ri < r.order.length) {
      const pe = l.order[li]!;
      if (pe === r.order[ri]) {
        emit(pe);
        li++;
        ri++;
        sharedIdx++;
        continue;
      }
      if (r.items.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < l.order.length) {
      const pe = l.order[li]!;
      if (!r.items.has(pe)) {
        emit(pe);
        li++;
        continue;
      }
    }
    if (ri < r.order.length) {
      const pe = r.order[ri]!;
      emit(pe);
      ri++;
      if (nextShared === pe) sharedIdx++;
      continue;
    }
    li++; // only already-emitted shared items remain on the left
  }
  return out;
}

// ---------------------------------------------------------------------------
// Prune

function ensuredMember(node: FieldSet | undefined, named: boolean): boolean {
  if (!node) return false;
  return node.member || (named && node.hasMemberDescendants());
}

/**
 * Remove from `value` every field, map entry or list item that is in
 * `lastApplied` but owned by nobody in `managed` (named struct fields count as
 * owned when something below them is). Returns a new value.
 */
export function pruneUnowned(value: unknown, schema: JSONSchemaProps | undefined, lastApplied: FieldSet, managed: FieldSet): unknown {
  if (!isPlainObject(value)) return value;
  return pruneMap(value, schema, lastApplied, managed);
}

function pruneMap(value: Obj, schema: JSONSchemaProps | undefined, last: FieldSet, managed: FieldSet | undefined): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const pe = fieldPE(k);
    const lc = last.children.get(pe);
    if (!lc) {
      out[k] = v;
      continue;
    }
    const c = childOf(schema, k);
    const mc = managed?.children.get(pe);
    if (ensuredMember(lc, c.named) && !ensuredMember(mc, c.named)) continue;
    out[k] = pruneChild(v, c.schema, lc, mc);
  }
  return out;
}

function pruneChild(v: unknown, schema: JSONSchemaProps | undefined, last: FieldSet, managed: FieldSet | undefined): unknown {
  if (last.children.size === 0) return v;
  const shape = shapeOf(schema, v);
  if (shape.kind === 'map' && !shape.atomic && isPlainObject(v)) return pruneMap(v, schema, last, managed);
  if (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(v)) {
    const itemSchema = itemsOf(schema);
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const pe = listItemPE(shape, itemSchema, item, i);
      const lc = last.children.get(pe);
      if (!lc) {
        out.push(item);
        return;
      }
      const mc = managed?.children.get(pe);
      if (ensuredMember(lc, false) && !ensuredMember(mc, false)) return;
      out.push(pruneChild(item, itemSchema, lc, mc));
    });
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------
// Removal of whole subtrees by path (used for reset fields)

/** Remove the subtrees at member paths of `paths` (field paths only) from a JSON object. */
export function removePaths(value: unknown, paths: FieldSet): unknown {
  if (!isPlainObject(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const n = paths.children.get(fieldPE(k));
    if (!n) out[k] = v;
    else if (n.member) continue;
    else out[k] = removePaths(v, n);
  }
  return out;
}

/** Value at a path of encoded path elements, or undefined. */
export function valueAt(value: unknown, path: readonly string[], schema: JSONSchemaProps | undefined): unknown {
  let cur: unknown = value;
  let s = schema;
  for (const pe of path) {
    if (pe.startsWith('f:')) {
      if (!isPlainObject(cur)) return undefined;
      const name = pe.slice(2);
      s = childOf(s, name).schema;
      cur = cur[name];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const shape = shapeOf(s, cur);
      if (shape.kind !== 'list') return undefined;
      const itemSchema = itemsOf(s);
      const { items } = indexItems(shape, itemSchema, cur);
      cur = items.get(pe);
      s = itemSchema;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}
