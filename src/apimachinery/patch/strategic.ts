/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) as
 * k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server, driven
 * by x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key in the schema.
 */
import type { JSONSchemaProps } from '../schema/types.js';
import { StatusError, badRequest } from '../errors.js';
import { deepClone, isPlainObject } from '../types.js';
import { childOf, itemsOf, rootSchema, smpListStrategy } from './schema-nav.js';
import { jsonEqual } from './typed.js';
import { canonicalJson } from './fieldset.js';

type Obj = Record<string, unknown>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

function goMap(v: unknown): string {
  if (isPlainObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goMap(v[k])}`)
      .join(' ')}]`;
  }
  if (Array.isArray(v)) return `[${v.map(goMap).join(' ')}]`;
  return v === null ? '<nil>' : String(v);
}

function unprocessable(message: string): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  Object.defineProperty(err, 'cause', { value: message, enumerable: false, configurable: true });
  return err;
}

function internal(message: string): StatusError {
  return new StatusError(500, 'InternalError', message);
}

/**
 * Apply a strategic merge patch to `doc` (not mutated) using `schema` for the
 * whole object. Lists whose schema says patch strategy "merge" are merged by
 * x-kubernetes-patch-merge-key (or as sets for primitive items); all other
 * lists are replaced; maps are merged and `null` deletes a key. Supports the
 * directives `$patch: replace|delete|merge`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`.
 * metadata.finalizers and metadata.ownerReferences (merge key uid) merge as
 * ObjectMeta's patch tags say even if the schema omits them.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: JSONSchemaProps): unknown {
  if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch');
  const original = isPlainObject(doc) ? (deepClone(doc) as Obj) : {};
  const out = mergeMap(original, deepClone(patch) as Obj, rootSchema(schema));
  return out === undefined ? {} : out;
}

/** Returns undefined when the map itself is deleted by `$patch: delete`. */
function mergeMap(original: Obj, patch: Obj, schema: JSONSchemaProps | undefined): Obj | undefined {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === 'replace') {
      const out = { ...patch };
      delete out[PATCH];
      return stripDirectives(out) as Obj;
    }
    if (directive === 'delete') return undefined;
    if (directive !== 'merge') throw badRequest(`Unknown patch type: ${String(directive)} in map: ${goMap(patch)}`);
  }

  let result: Obj = { ...original };
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest('invalid patch: $retainKeys must be a list of strings');
    for (const k of Object.keys(patch)) {
      if (k.startsWith('$')) continue;
      if (!retain.includes(k)) throw unprocessable('doesn\'t match the content of the patch: patch contains fields not present in $retainKeys');
    }
    const kept: Obj = {};
    for (const k of Object.keys(result)) if (retain.includes(k)) kept[k] = result[k];
    result = kept;
  }

  const orders = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k === PATCH || k === RETAIN_KEYS) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = k.slice(DELETE_FROM_PRIMITIVE.length);
      if (!Array.isArray(v)) throw badRequest('invalid patch: $deleteFromPrimitiveList must be a list');
      const cur = result[field];
      if (Array.isArray(cur)) result[field] = cur.filter((x) => !v.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (k.startsWith(SET_ELEMENT_ORDER)) {
      if (!Array.isArray(v)) throw badRequest('invalid patch: $setElementOrder must be a list');
      orders.set(k.slice(SET_ELEMENT_ORDER.length), v);
      continue;
    }
  }

  for (const [k, pv] of Object.entries(patch)) {
    if (k === PATCH || k === RETAIN_KEYS || k.startsWith(DELETE_FROM_PRIMITIVE) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (pv === null) {
      delete result[k];
      continue;
    }
    const cs = childOf(schema, k).schema;
    const ov = result[k];
    if (isPlainObject(pv)) {
      const merged = mergeMap(isPlainObject(ov) ? ov : {}, pv, cs);
      if (merged === undefined) delete result[k];
      else result[k] = merged;
      continue;
    }
    if (Array.isArray(pv)) {
      const strat = smpListStrategy(cs);
      if (strat.merge) result[k] = mergeList(Array.isArray(ov) ? ov : [], pv, itemsOf(cs), strat.mergeKey, orders.get(k));
      else result[k] = replaceList(pv);
      continue;
    }
    result[k] = pv;
  }

  // $setElementOrder for lists the patch did not otherwise touch.
  for (const [k, order] of orders) {
    if (k in patch) continue;
    const cur = result[k];
    if (!Array.isArray(cur)) continue;
    const cs = childOf(schema, k).schema;
    const mk = smpListStrategy(cs).mergeKey;
    result[k] = orderList(cur, order, cur, mk);
  }
  return result;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isPlainObject(x) && PATCH in x && Object.keys(x).length === 1)).map(stripDirectives);
  if (isPlainObject(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === PATCH || k === RETAIN_KEYS || k.startsWith(DELETE_FROM_PRIMITIVE) || k.startsWith(SET_ELEMENT_ORDER)) continue;
      if (x === null) continue;
      out[k] = stripDirectives(x);
    }
    return out;
  }
  return v;
}

function replaceList(patch: unknown[]): unknown[] {
  return patch.filter((x) => !(isPlainObject(x) && x[PATCH] === 'replace' && Object.keys(x).length === 1));
}

function keyOf(item: unknown, mergeKey: string | undefined): unknown {
  return mergeKey && isPlainObject(item) ? item[mergeKey] : item;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string | undefined): number {
  const key = keyOf(item, mergeKey);
  return list.findIndex((x) => jsonEqual(keyOf(x, mergeKey), key));
}

function mergeList(original: unknown[], patch: unknown[], itemSchema: JSONSchemaProps | undefined, mergeKey: string | undefined, setOrder: unknown[] | undefined): unknown[] {
  // `{$patch: replace}` anywhere in the list replaces the whole list.
  if (patch.some((x) => isPlainObject(x) && x[PATCH] === 'replace')) {
    const items = patch.filter((x) => !(isPlainObject(x) && x[PATCH] === 'replace'));
    return items.map((x) => (isPlainObject(x) ? stripDirectives(x) : x));
  }
  const isMapList = patch.some(isPlainObject) || original.some(isPlainObject);
  let merged: unknown[];
  const patchItems: unknown[] = [];
  if (!isMapList) {
    merged = [...original];
    for (const p of patch) if (!merged.some((x) => jsonEqual(x, p))) merged.push(p);
    patchItems.push(...patch);
  } else {
    if (!mergeKey) throw internal('cannot merge lists without merge key');
    merged = [...original];
    for (const p of patch) {
      if (!isPlainObject(p)) throw internal(`invalid list element ${goMap(p)}: expected a map`);
      const directive = p[PATCH];
      if (!(mergeKey in p)) {
        if (directive === 'delete') throw internal(`map: ${goMap(p)} does not contain declared merge key: ${mergeKey}`);
        throw internal(`map: ${goMap(p)} does not contain declared merge key: ${mergeKey}`);
      }
      const idx = indexIn(merged, p, mergeKey);
      if (directive === 'delete') {
        if (idx >= 0) merged = merged.filter((x) => !jsonEqual(keyOf(x, mergeKey), p[mergeKey]));
        continue;
      }
      if (directive !== undefined && directive !== 'merge' && directive !== 'replace') {
        throw badRequest(`Unknown patch type: ${String(directive)} in map: ${goMap(p)}`);
      }
      if (idx >= 0) {
        const cur = merged[idx];
        const m = mergeMap(isPlainObject(cur) ? cur : {}, p, itemSchema);
        if (m === undefined) merged.splice(idx, 1);
        else merged[idx] = m;
      } else {
        const m = mergeMap({}, p, itemSchema);
        if (m !== undefined) merged.push(m);
      }
      patchItems.push(p);
    }
  }
  return orderList(merged, setOrder ?? patchItems, original, mergeKey);
}

/**
 * normalizeElementOrder: items named by `order` come first in that order,
 * server-only items keep their relative order and are interleaved using their
 * positions in `serverOrder`.
 */
function orderList(merged: unknown[], order: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  const positions = (list: unknown[]) => {
    const m = new Map<string, number>();
    list.forEach((x, i) => {
      const k = canonicalJson(keyOf(x, mergeKey));
      if (!m.has(k)) m.set(k, i);
    });
    return m;
  };
  const orderPos = positions(order);
  const serverPos = positions(serverOrder);
  const pos = (m: Map<string, number>, item: unknown) => m.get(canonicalJson(keyOf(item, mergeKey))) ?? -1;
  const inOrder: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (pos(orderPos, item) >= 0 ? inOrder : serverOnly).push(item);
  inOrder.sort((a, b) => pos(orderPos, a) - pos(orderPos, b));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < inOrder.length) {
    if (i >= serverOnly.length) out.push(inOrder[j++]);
    else if (j >= inOrder.length) out.push(serverOnly[i++]);
    else {
      const li = pos(serverPos, serverOnly[i]);
      const ri = pos(serverPos, inOrder[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(inOrder[j++]);
    }
  }
  return out;
}
