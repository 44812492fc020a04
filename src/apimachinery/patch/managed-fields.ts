/**
 * Managed fields and server-side apply, after kube-apiserver's fieldmanager
 * package on top of sigs.k8s.io/structured-merge-diff/v4.
 */
import type { JSONSchemaProps } from '../schema/types.js';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from '../types.js';
import { StatusError, type StatusCause } from '../errors.js';
import { deepClone, isPlainObject } from '../types.js';
import { FieldSet, fieldSetToFieldsV1, fieldsV1ToFieldSet, fieldPE, pathToString } from './fieldset.js';
import { rootSchema } from './schema-nav.js';
import { compareObjects, jsonEqual, mergeApplied, pruneUnowned, removePaths, toFieldSet, valueAt } from './typed.js';

/** Annotation kubectl's client-side apply stores its last applied configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Manager that inherits every field of an object that had no managed fields when first server-side applied. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';
/** Manager that absorbs the oldest Update entries beyond MAX_UPDATE_MANAGERS. */
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';
/** kube-apiserver keeps at most this many Update entries. */
export const MAX_UPDATE_MANAGERS = 10;

/** Metadata fields never tracked in managed fields (stripMetaManager), removed as exact paths. */
const STRIP_SET = new FieldSet().insert([fieldPE('apiVersion')]).insert([fieldPE('kind')]).insert([fieldPE('metadata')]);
for (const f of ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']) {
  STRIP_SET.insert([fieldPE('metadata'), fieldPE(f)]);
}

/** Server-populated metadata that an apply configuration cannot set. */
const APPLY_IGNORED_META = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** In-memory form of one managedFields entry. */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Identity of an entry: Apply entries ignore apiVersion, Update entries do not (BuildManagerIdentifier). */
export function managerKey(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([e.manager, e.operation, e.operation === 'Apply' ? '' : e.apiVersion, e.subresource ?? '']);
}

/**
 * The fieldsV1 a decoded set came from. Sets are never changed in place (union and difference make new ones), so a
 * set that is still the decoded one encodes to the same JSON: an entry a write does not touch is not encoded again.
 */
const decodedFrom = new WeakMap<FieldSet, JsonObject>();

/** Decode metadata.managedFields; malformed entries are skipped, duplicates unioned. */
export function decodeManagedFields(entries: unknown, opts: { stored?: boolean } = {}): Map<string, ManagerEntry> {
  const out = new Map<string, ManagerEntry>();
  if (!Array.isArray(entries)) return out;
  for (const raw of entries) {
    if (!isPlainObject(raw)) continue;
    const operation = raw.operation === 'Apply' ? 'Apply' : raw.operation === 'Update' ? 'Update' : undefined;
    if (!operation || typeof raw.manager !== 'string') continue;
    let set: FieldSet;
    try {
      set = fieldsV1ToFieldSet(raw.fieldsV1 ?? {});
    } catch {
      continue;
    }
    // Only what the server encoded itself (stored objects) is canonical enough to be written back as it is.
    if (opts.stored && isPlainObject(raw.fieldsV1)) decodedFrom.set(set, raw.fieldsV1 as JsonObject);
    const e: ManagerEntry = {
      manager: raw.manager,
      operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      subresource: typeof raw.subresource === 'string' && raw.subresource ? raw.subresource : undefined,
      time: typeof raw.time === 'string' ? raw.time : undefined,
      set,
    };
    const key = managerKey(e);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(set);
    else out.set(key, e);
  }
  return out;
}

/** RFC 3339 at second precision, as metav1.Time serialises (fractional seconds dropped). */
function rfc3339Seconds(t: string): string {
  return t.replace(/\.\d+(?=(Z|[+-]\d\d:\d\d)$)/, '');
}

function timeSeconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Encode entries the way kube-apiserver stores them: empty sets dropped, sorted by operation, time, manager, apiVersion, subresource. */
export function encodeManagedFields(entries: Iterable<ManagerEntry>): ManagedFieldsEntry[] {
  const list = [...entries].filter((e) => !e.set.isEmpty());
  list.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = timeSeconds(p.time);
    const qs = timeSeconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    const pr = p.subresource ?? '';
    const qr = q.subresource ?? '';
    return pr < qr ? -1 : pr > qr ? 1 : 0;
  });
  return list.map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = decodedFrom.get(e.set) ?? fieldSetToFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Copy of an object without metadata.managedFields (the shape compared and merged by the field manager). */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const copy = deepClone(obj);
  if (isPlainObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/**
 * The object as the field manager compares it, without metadata.managedFields: a shallow view that
 * shares everything else with `obj` (for read-only use; cheaper than withoutManagedFields's copy).
 */
function viewWithoutManagedFields(obj: KubeObject): KubeObject {
  const meta = obj.metadata;
  if (!isPlainObject(meta) || !('managedFields' in meta)) return obj;
  const { managedFields: _mf, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * Apply configuration as the merge sees it: a deep copy without the
 * server-populated metadata (managedFields, resourceVersion, uid,
 * creationTimestamp, generation, selfLink, deletion fields).
 */
export function stripManagedFieldsForApply(applied: KubeObject): KubeObject {
  const copy = deepClone(applied);
  if (isPlainObject(copy.metadata)) for (const f of APPLY_IGNORED_META) delete copy.metadata[f];
  return copy;
}

function resetSet(resetFields: readonly (readonly string[])[] | undefined): FieldSet | undefined {
  if (!resetFields || resetFields.length === 0) return undefined;
  const s = new FieldSet();
  for (const p of resetFields) s.insert(p.map(fieldPE));
  return s;
}

function cleanSet(set: FieldSet, reset: FieldSet | undefined): FieldSet {
  let s = set.difference(STRIP_SET);
  if (reset) s = s.recursiveDifference(reset);
  return s;
}

/** `conflict with "mgr" using v1` / `conflict with "mgr" with subresource "status"` as kube prints managers. */
function printManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

interface Conflict {
  entry: ManagerEntry;
  path: string[];
}

/** 409 Conflict as fieldmanager's NewConflictError builds it. */
export function applyConflictError(conflicts: readonly { manager: string; path: string }[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${conflicts[0]!.manager}: ${conflicts[0]!.path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const l = byManager.get(c.manager) ?? [];
      l.push(c.path);
      byManager.set(c.manager, l);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

function toConflictError(conflicts: Conflict[]): StatusError {
  const printed = conflicts.map((c) => ({ manager: printManager(c.entry), path: pathToString(c.path) }));
  // Managers in sorted order, paths in set order within each manager.
  const order = [...new Set(printed.map((p) => p.manager))].sort();
  const sorted = order.flatMap((m) => printed.filter((p) => p.manager === m));
  return applyConflictError(sorted);
}

/** Merge the oldest Update entries into "ancient-changes" buckets while more than MAX_UPDATE_MANAGERS exist (capManagersManager). */
function capUpdateManagers(managers: Map<string, ManagerEntry>): void {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort(([ka, a], [kb, b]) => timeSeconds(a.time) - timeSeconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  let length = updaters.length;
  const firstByVersion = new Map<string, string>();
  for (const [key, e] of updaters) {
    if (length <= MAX_UPDATE_MANAGERS) break;
    const bucketKey = managerKey({ manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: e.apiVersion });
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, key);
      continue;
    }
    let bucket = managers.get(bucketKey);
    if (!bucket) {
      const f = managers.get(first)!;
      managers.delete(first);
      bucket = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: e.apiVersion, time: f.time, set: f.set };
      managers.set(bucketKey, bucket);
    }
    bucket.set = bucket.set.union(e.set);
    bucket.time = e.time;
    managers.delete(key);
    length--;
  }
}

/** Arguments of updateManagedFields. */
export interface UpdateManagedFieldsArgs {
  /** Object before the write; undefined on create. */
  oldObj: KubeObject | undefined;
  /** Object about to be stored (after the patch/update was applied). */
  newObj: KubeObject;
  manager: string;
  operation: 'Update';
  /** Schema of the whole object. */
  schema: JSONSchemaProps;
  apiVersion: string;
  /** RFC 3339, second precision. */
  now: string;
  subresource?: string;
  /** Field paths (by field name) whose changes are not tracked for this endpoint, e.g. [['status']] on the main resource. */
  resetFields?: string[][];
}

/**
 * Managed fields after a create, update or (non-apply) patch: `manager`
 * gains every field it added or changed (entry time set to `now` when it did),
 * other managers lose fields that were changed or removed, empty entries are
 * dropped and more than 10 Update entries are folded into "ancient-changes".
 * managedFields sent in newObj replace the stored ones (unless writing a
 * subresource); `[{}]` clears them entirely.
 */
export function updateManagedFields(args: UpdateManagedFieldsArgs): ManagedFieldsEntry[] {
  const sent = args.newObj.metadata?.managedFields;
  if (Array.isArray(sent) && sent.length === 1 && isPlainObject(sent[0]) && Object.keys(sent[0]).length === 0) return [];
  let managers = !args.subresource && Array.isArray(sent) && sent.length > 0 ? decodeManagedFields(sent) : new Map<string, ManagerEntry>();
  if (managers.size === 0) managers = decodeManagedFields(args.oldObj?.metadata?.managedFields, { stored: true });

  const schema = rootSchema(args.schema);
  const reset = resetSet(args.resetFields);
  const oldClean = viewWithoutManagedFields(args.oldObj ?? {});
  const newClean = viewWithoutManagedFields(args.newObj);
  const cmp = compareObjects(oldClean, newClean, schema);
  const changed = cleanSet(cmp.added.union(cmp.modified), reset);
  const removed = reset ? cmp.removed.recursiveDifference(reset) : cmp.removed;

  for (const e of managers.values()) if (e.set.sharesMemberWith(changed) || e.set.sharesMemberWith(removed)) e.set = e.set.difference(changed).difference(removed);

  if (!changed.isEmpty()) {
    const key = managerKey({ manager: args.manager, operation: 'Update', apiVersion: args.apiVersion, subresource: args.subresource });
    const prev = managers.get(key);
    managers.set(key, {
      manager: args.manager,
      operation: 'Update',
      apiVersion: args.apiVersion,
      subresource: args.subresource,
      time: rfc3339Seconds(args.now),
      set: prev ? prev.set.union(changed) : changed,
    });
  }
  for (const [k, e] of managers) if (e.set.isEmpty()) managers.delete(k);
  capUpdateManagers(managers);
  return encodeManagedFields(managers.values());
}

/** Arguments of serverSideApply. */
export interface ServerSideApplyArgs {
  /** Stored object; undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The apply configuration (application/apply-patch+yaml body). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** Schema of the whole object. */
  schema: JSONSchemaProps;
  apiVersion: string;
  /** RFC 3339, second precision. */
  now: string;
  subresource?: string;
  /** Field paths (by field name) the endpoint ignores in the configuration, e.g. [['status']] on the main resource. */
  resetFields?: string[][];
}

/** Result of serverSideApply; `object.metadata.managedFields` is set to `managedFields`. */
export interface ServerSideApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
  /** False when the apply was a no-op (object and ownership unchanged). */
  changed: boolean;
}

/** Fields of the last-applied annotation whose values still match the live object (lastAppliedManager). */
function allowedFromLastApplied(live: KubeObject, schema: JSONSchemaProps): FieldSet | undefined {
  const raw = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isPlainObject(last)) return undefined;
  const set = toFieldSet(last, schema);
  for (const p of set.paths()) {
    const a = valueAt(last, p, schema);
    const b = valueAt(live, p, schema);
    if (b === undefined) return undefined;
    const n = set.get(p)!;
    if (n.children.size === 0 && !jsonEqual(a, b)) return undefined;
  }
  return set;
}

/**
 * Server-side apply: merge `applied` into `live` for `manager`. Fields the
 * manager applied before but omits now are removed unless someone else owns
 * them; fields owned by another manager whose value would change raise a 409
 * Conflict (unless `force`, which transfers ownership); equal values become
 * shared. Returns the merged object with its new managed fields.
 */
export function serverSideApply(args: ServerSideApplyArgs): ServerSideApplyResult {
  const schema = rootSchema(args.schema);
  const reset = resetSet(args.resetFields);
  const liveClean = withoutManagedFields(args.live ?? {});
  const managers = decodeManagedFields(args.live?.metadata?.managedFields);

  if (args.live && managers.size === 0) {
    const cmp = compareObjects({}, liveClean, schema);
    const set = cleanSet(cmp.added.union(cmp.modified), reset);
    if (!set.isEmpty()) {
      const e: ManagerEntry = { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: args.apiVersion, time: rfc3339Seconds(args.now), set };
      managers.set(managerKey(e), e);
    }
  }

  let config: unknown = stripManagedFieldsForApply(args.applied);
  if (reset) config = removePaths(config, reset);
  const configSet = cleanSet(toFieldSet(config, schema), reset);
  let merged = mergeApplied(liveClean, config, schema) as KubeObject;

  const key = managerKey({ manager: args.manager, operation: 'Apply', apiVersion: args.apiVersion, subresource: args.subresource });
  const previous = managers.get(key);
  const entry: ManagerEntry = { manager: args.manager, operation: 'Apply', apiVersion: args.apiVersion, subresource: args.subresource, time: previous?.time, set: configSet };
  managers.set(key, entry);

  if (previous && !previous.set.isEmpty()) {
    let all = new FieldSet();
    for (const e of managers.values()) all = all.union(e.set);
    merged = pruneUnowned(merged, schema, previous.set, all) as KubeObject;
  }

  const cmp = compareObjects(liveClean, merged, schema);
  const touched = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  const conflictSets = new Map<string, FieldSet>();
  for (const [k, e] of managers) {
    if (k === key) continue;
    const c = e.set.intersection(touched);
    if (c.isEmpty()) continue;
    conflictSets.set(k, c);
    for (const p of c.paths()) conflicts.push({ entry: e, path: p });
  }
  let force = args.force;
  if (!force && conflicts.length > 0 && args.manager === 'kubectl' && args.live) {
    const allowed = allowedFromLastApplied(liveClean, schema);
    if (allowed && conflicts.every((c) => allowed.has(c.path))) force = true;
  }
  if (!force && conflicts.length > 0) throw toConflictError(conflicts);

  let othersChanged = false;
  for (const [k, e] of managers) {
    if (k === key) continue;
    const c = conflictSets.get(k);
    const next = (c ? e.set.difference(c) : e.set).difference(cmp.removed);
    if (!next.equals(e.set)) othersChanged = true;
    e.set = next;
  }
  for (const [k, e] of managers) if (e.set.isEmpty()) managers.delete(k);

  // kubectl --server-side keeps a client-side-apply annotation in sync (lastAppliedUpdater).
  if (args.manager === 'kubectl' && merged.metadata?.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
    const last = deepClone(args.applied);
    if (last.metadata?.annotations) delete last.metadata.annotations[LAST_APPLIED_ANNOTATION];
    merged.metadata!.annotations = { ...merged.metadata!.annotations, [LAST_APPLIED_ANNOTATION]: JSON.stringify(last) };
  }

  const objectChanged = !jsonEqual(liveClean, merged);
  const setChanged = !previous || !previous.set.equals(entry.set) || previous.apiVersion !== args.apiVersion;
  if (objectChanged || setChanged || !entry.time) entry.time = rfc3339Seconds(args.now);
  const changed = objectChanged || setChanged || othersChanged;
  capUpdateManagers(managers);
  const managedFields = encodeManagedFields(managers.values());
  const object = merged;
  if (!isPlainObject(object.metadata)) object.metadata = {};
  if (managedFields.length > 0) object.metadata.managedFields = managedFields;
  else delete object.metadata.managedFields;
  return { object, managedFields, changed };
}

/** Convenience: the field set an object specifies, as server-side apply would record it for its applier. */
export function fieldSetFromObject(obj: unknown, schema: JSONSchemaProps): FieldSet {
  return toFieldSet(isPlainObject(obj) ? viewWithoutManagedFields(obj as KubeObject) : obj, rootSchema(schema)).difference(STRIP_SET);
}


