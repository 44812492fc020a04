/**
 * Field sets as in sigs.k8s.io/structured-merge-diff/v4/fieldpath, stored as a
 * tree keyed by the FieldsV1 path-element encoding:
 *   `f:<name>`            a field of a map/struct
 *   `k:{"key":"value"}`   an item of an associative (map) list, key fields sorted
 *   `v:<json>`            an item of a set list
 *   `i:<n>`               an item of a non-keyed associative list (rare)
 * A node is a member of the set when `member` is true; FieldsV1 renders a
 * member that also has children with the `".": {}` marker.
 */
import type { JsonObject } from '../types.js';
import { isPlainObject } from '../types.js';

/** One node of a field-set tree. */
const NO_CHILDREN: ReadonlyMap<string, FieldSet> = new Map();

export class FieldSet {
  member = false;
  /** Created with the first child: most nodes are leaves. */
  private kids: Map<string, FieldSet> | undefined;

  get children(): ReadonlyMap<string, FieldSet> {
    return this.kids ?? NO_CHILDREN;
  }

  /** Put `c` under path element `pe`. */
  setChild(pe: string, c: FieldSet): void {
    (this.kids ??= new Map()).set(pe, c);
  }

  /** Add a path (list of encoded path elements) as a member. */
  insert(path: readonly string[]): this {
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) {
        c = new FieldSet();
        n.setChild(pe, c);
      }
      n = c;
    }
    n.member = true;
    return this;
  }

  /** The child node under path element `pe`, created when missing (not a member by itself). */
  child(pe: string): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.setChild(pe, c);
    }
    return c;
  }

  /** The node at `path`, created (with its ancestors) when missing. */
  ensure(path: readonly string[]): FieldSet {
    let n: FieldSet = this;
    for (const pe of path) n = n.child(pe);
    return n;
  }

  /** The node at `path`, if any. */
  get(path: readonly string[]): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) {
      n = n.children.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  /** Whether `path` is a member. */
  has(path: readonly string[]): boolean {
    return this.get(path)?.member ?? false;
  }

  /** True when no path (at any depth) is a member. */
  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** True when some strict descendant is a member. */
  hasMemberDescendants(): boolean {
    for (const c of this.children.values()) if (c.member || c.hasMemberDescendants()) return true;
    return false;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) out.setChild(k, c.clone());
    return out;
  }

  /** Members of either set. */
  union(other: FieldSet): FieldSet {
    const out = this.clone();
    mergeInto(out, other);
    return out;
  }

  /** Whether some path is a member of both sets (cheap: walks only the paths both have). */
  sharesMemberWith(other: FieldSet): boolean {
    if (this.member && other.member) return true;
    const [small, large] = this.children.size <= other.children.size ? [this, other] : [other, this];
    for (const [k, c] of small.children) {
      const o = large.children.get(k);
      if (o && c.sharesMemberWith(o)) return true;
    }
    return false;
  }

  /** Members of this set that are not members of `other` (exact paths; children are kept). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const d = o ? c.difference(o) : c.clone();
      if (!d.isEmpty()) out.setChild(k, d);
    }
    return out;
  }

  /** Members of both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const d = c.intersection(o);
      if (!d.isEmpty()) out.setChild(k, d);
    }
    return out;
  }

  /** Members of this set that are neither members of `other` nor below one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.member) return new FieldSet();
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const d = o ? c.recursiveDifference(o) : c.clone();
      if (!d.isEmpty()) out.setChild(k, d);
    }
    return out;
  }

  /** Structural equality of membership. */
  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /**
   * Every member path, in structured-merge-diff's iteration order: at each
   * level the members first (sorted), then the subtrees (sorted).
   */
  paths(): string[][] {
    const out: string[][] = [];
    walkPaths(this, [], out);
    return out;
  }
}

function mergeInto(dst: FieldSet, src: FieldSet): void {
  if (src.member) dst.member = true;
  for (const [k, c] of src.children) {
    let d = dst.children.get(k);
    if (!d) {
      d = new FieldSet();
      dst.setChild(k, d);
    }
    mergeInto(d, c);
  }
}

function walkPaths(n: FieldSet, prefix: string[], out: string[][]): void {
  const keys = sortedKeys(n);
  for (const k of keys) if (n.children.get(k)!.member) out.push([...prefix, k]);
  for (const k of keys) {
    const c = n.children.get(k)!;
    if (c.children.size) walkPaths(c, [...prefix, k], out);
  }
}

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Order of path elements: fields, then keys, then values, then indexes. */
export function comparePathElements(a: string, b: string): number {
  const ra = RANK[a[0]!] ?? 9;
  const rb = RANK[b[0]!] ?? 9;
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(n: FieldSet): string[] {
  return [...n.children.keys()].sort(comparePathElements);
}

/** JSON with object keys sorted, as structured-merge-diff renders keys and values. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Path element for a map field. */
export function fieldPE(name: string): string {
  return `f:${name}`;
}

/** Path element for a keyed list item. */
export function keyPE(fields: Record<string, unknown>): string {
  return `k:${canonicalJson(fields)}`;
}

/** Path element for a set-list item. */
export function valuePE(value: unknown): string {
  return `v:${canonicalJson(value)}`;
}

/** Path element for an item addressed by index. */
export function indexPE(i: number): string {
  return `i:${i}`;
}

/** Normalise an encoded path element read from FieldsV1 (re-sorting key JSON); undefined when malformed. */
export function normalizePE(pe: string): string | undefined {
  const kind = pe.slice(0, 2);
  const rest = pe.slice(2);
  try {
    switch (kind) {
      case 'f:':
        return pe;
      case 'k:': {
        const v = JSON.parse(rest) as unknown;
        return isPlainObject(v) ? keyPE(v) : undefined;
      }
      case 'v:':
        return valuePE(JSON.parse(rest));
      case 'i:':
        return /^-?\d+$/.test(rest) ? pe : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Go's value.ToString rendering used inside conflict paths. */
function renderScalar(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return canonicalJson(v);
}

/** Human form of a path, e.g. `.spec.containers[name="nginx"].image`, as in conflict messages. */
export function pathToString(path: readonly string[]): string {
  let out = '';
  for (const pe of path) {
    const rest = pe.slice(2);
    switch (pe.slice(0, 2)) {
      case 'f:':
        out += `.${rest}`;
        break;
      case 'k:': {
        const obj = JSON.parse(rest) as Record<string, unknown>;
        out += `[${Object.keys(obj)
          .sort()
          .map((k) => `${k}=${renderScalar(obj[k])}`)
          .join(',')}]`;
        break;
      }
      case 'v:':
        out += `[=${renderScalar(JSON.parse(rest))}]`;
        break;
      case 'i:':
        out += `[${rest}]`;
        break;
      default:
        out += '{{invalid path element}}';
    }
  }
  return out;
}

/** Encode a field set as the `fieldsV1` JSON object of a managedFields entry. */
export function fieldSetToFieldsV1(set: FieldSet): JsonObject {
  const out: JsonObject = {};
  for (const k of sortedKeys(set)) {
    const c = set.children.get(k)!;
    if (c.isEmpty()) continue;
    const child = fieldSetToFieldsV1(c);
    if (c.member && Object.keys(child).length > 0) out[k] = { '.': {}, ...child };
    else out[k] = child;
  }
  return out;
}

/** Decode a `fieldsV1` JSON object; throws a plain Error on malformed input. */
export function fieldsV1ToFieldSet(json: unknown): FieldSet {
  const root = new FieldSet();
  decodeInto(root, json, true);
  return root;
}

function decodeInto(node: FieldSet, json: unknown, isRoot: boolean): void {
  if (!isPlainObject(json)) throw new Error('fieldsV1: expected an object');
  const keys = Object.keys(json);
  if (!isRoot && keys.length === 0) {
    node.member = true;
    return;
  }
  for (const k of keys) {
    if (k === '.') {
      if (!isRoot) node.member = true;
      continue;
    }
    const pe = normalizePE(k);
    if (!pe) throw new Error(`fieldsV1: invalid path element ${JSON.stringify(k)}`);
    let c = node.children.get(pe);
    if (!c) {
      c = new FieldSet();
      node.setChild(pe, c);
    }
    decodeInto(c, json[k], false);
  }
}

/** Build a set from paths given as lists of field names (convenience for callers and tests). */
export function fieldSetFromPaths(paths: readonly (readonly string[])[]): FieldSet {
  const s = new FieldSet();
  for (const p of paths) s.insert(p.map((x) => (/^[fkvi]:/.test(x) ? x : fieldPE(x))));
  return s;
}
