/**
 * The generic registry of kube-apiserver: create, get, list, update, patch, delete and watch of any
 * served resource over the revisioned Store, with metadata bookkeeping, schema pruning, defaulting
 * and validation, admission, managed fields, finalizers and dry-run.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  StatusError,
  internalError,
  alreadyExists,
  badRequest,
  conflict,
  fieldError,
  invalid,
  notFound,
  type StatusCause,
} from '../apimachinery/errors.js';
import { applyDefaults, pruneUnknownFields, validateValue } from '../apimachinery/schema/index.js';
import type { JSONSchemaProps } from '../apimachinery/schema/types.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyMergePatchShared,
  applyStrategicMergePatch,
  jsonEqual,
  serverSideApply,
  updateManagedFields,
} from '../apimachinery/patch/index.js';
import { fieldSelectorAllowedFields, fieldSelectorRulesFor, matchesFields, matchesLabels, objectFieldSet, type FieldSelector, type LabelSelector } from '../apimachinery/selectors.js';
import { apiVersionOf, deepClone, isPlainObject, type KubeObject, type ManagedFieldsEntry, type ObjectMeta } from '../apimachinery/types.js';
import { validateObjectMeta } from '../apimachinery/validation.js';
import {
  StoreCompactedError,
  StoreConflictError,
  StoreKeyExistsError,
  StoreKeyNotFoundError,
  type KeyValue,
  type Store,
  type StoreEvent,
  type Watcher,
} from '../storage/store.js';
import { rfc3339, systemClock, type Clock } from './clock.js';
import { EPHEMERAL_CONTAINERS_SUBRESOURCE, validateEphemeralContainersUpdate, withEphemeralContainers } from './pod-ephemeral-containers.js';
import { postPodSubresource, postSubresourcesOf } from './pod-subresources.js';
import { DEFAULT_KEY_ROOT, objectKey, resourcePrefix, type ResourceRegistry } from './registry.js';
import type { ResourceInfo } from './resource-info.js';
import type { AdmissionPlugin, KindStrategy, Operation } from './strategy.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** A list's items as JSON texts, encoded on demand (see ObjectStore.listText). */
export interface ListItemsText {
  length: number;
  text(index: number): string;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** The caller hands the input object over (e.g. a freshly decoded request body): no defensive copy. */
  inputOwned?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  user?: { name: string; groups: string[] };
  /** Adds an annotation to the request's audit event (admission plugins' audit annotations). */
  annotate?: (key: string, value: string) => void;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** The object's JSON text as served, when the write produced it anyway (saves serialising twice). */
  json?: string;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** The object as it is now: being deleted (finalizers pending) or gone. */
  object: KubeObject;
  /** True when the object was removed from storage. */
  deleted: boolean;
}

export interface WatchOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  /** "" or "0": start with the current state as ADDED events; otherwise events after it. */
  resourceVersion?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: WatchEventType;
  /** Shared between watchers of the same event: do not mutate. */
  object: KubeObject;
  /** The object's JSON text, computed once per event for all watchers. */
  json(): string;
}

/** Per store event and served version: the decoded object and its JSON text, shared by watchers. */
/**
 * Stored values of watched revisions parsed once for every in-process reader (decode and the garbage collector): the
 * first decode takes the parsed object as its own; later readers share it read-only.
 */
const parsedValues = new WeakMap<KeyValue, { object: KubeObject; taken: boolean }>();

/** The parsed value of a watched KeyValue, shared: never mutate it. */
export function parsedWatchValue(kv: KeyValue): KubeObject {
  let p = parsedValues.get(kv);
  if (!p) parsedValues.set(kv, (p = { object: JSON.parse(kv.value) as KubeObject, taken: false }));
  return p.object;
}

/** A parsed value to own (the shared parse when nobody has taken it yet, else a fresh one). */
function ownParsedWatchValue(kv: KeyValue): KubeObject {
  const p = parsedValues.get(kv);
  if (p && !p.taken) {
    p.taken = true;
    return p.object;
  }
  const object = JSON.parse(kv.value) as KubeObject;
  if (!p) parsedValues.set(kv, { object, taken: true });
  return object;
}

interface SharedEvent {
  object: KubeObject;
  text?: string;
  prev?: KubeObject;
}

/** Read-modify-write paths may read committed writes whose fsync is still running (see Store.get). */
const PENDING = { includePending: true } as const;
const FINALIZER_ORPHAN = 'orphan';
/** How every stored object begins (see encodeForStorage): metadata first, its uid first. */
const STORED_PREFIX = /^\{"apiVersion":"[^"\\]*","kind":"[^"\\]*","metadata":\{/;
const STORED_UID = /^\{"apiVersion":"[^"\\]*","kind":"[^"\\]*","metadata":\{"uid":"([^"\\]+)"/;

/** The uid of a stored object, read from its text without parsing it (undefined if not in the stored layout). */
export function storedUid(text: string): string | undefined {
  const uid = STORED_UID.exec(text)?.[1];
  // A fresh string: a match is a slice of `text` in V8, and a uid kept in a map would keep the whole object's text.
  // (The pattern admits neither quote nor backslash, so the uid is a valid JSON string body.)
  return uid === undefined ? undefined : (JSON.parse(`"${uid}"`) as string);
}
const FINALIZER_FOREGROUND = 'foregroundDeletion';

export interface ObjectStoreOptions {
  clock?: Clock;
  /** Key prefix of every object (default "/registry/"); a workload cluster's objects live under their own root. */
  keyRoot?: string;
  strategies?: Map<string, KindStrategy>;
  admission?: AdmissionPlugin[];
}

/** `group/Kind` key for strategies. */
export function strategyKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

export class ObjectStore {
  readonly clock: Clock;
  /** Key prefix of every object this store holds. */
  readonly keyRoot: string;
  private readonly strategies: Map<string, KindStrategy>;
  readonly admission: AdmissionPlugin[];
  private readonly schemaCache = new WeakMap<JSONSchemaProps, JSONSchemaProps>();
  private readonly watchShare = new WeakMap<StoreEvent, Map<ResourceInfo, SharedEvent>>();
  private readonly namespaceView = new Map<string, boolean>();
  private namespaceViewReady: Promise<void> | undefined;

  constructor(
    readonly store: Store,
    readonly registry: ResourceRegistry,
    opts: ObjectStoreOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.keyRoot = opts.keyRoot ?? DEFAULT_KEY_ROOT;
    this.strategies = opts.strategies ?? new Map();
    this.admission = opts.admission ?? [];
  }

  setStrategy(group: string, kind: string, s: KindStrategy): void {
    this.strategies.set(strategyKey(group, kind), s);
  }

  strategy(info: ResourceInfo): KindStrategy {
    return this.strategies.get(strategyKey(info.group, info.kind)) ?? { generation: !info.builtin };
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Decode a stored value into the version `info` serves. */
  decode(kv: KeyValue, info: ResourceInfo, watched = false): KubeObject {
    let obj = watched ? ownParsedWatchValue(kv) : (JSON.parse(kv.value) as KubeObject);
    const convert = this.strategy(info).convert;
    if (convert && obj.apiVersion !== apiVersionOf(info.group, info.version)) obj = convert(obj, info.version);
    obj.apiVersion = apiVersionOf(info.group, info.version);
    obj.kind = info.kind;
    (obj.metadata ??= {}).resourceVersion = String(kv.modRevision);
    return obj;
  }

  key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return objectKey(info.group, info.plural, info.namespaced ? namespace : undefined, name, this.keyRoot);
  }

  async get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(info, namespace, name));
    if (!kv) throw notFound(info.plural, info.group, name);
    return this.decode(kv, info);
  }

  async tryGet(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.store.get(this.key(info, namespace, name));
    return kv ? this.decode(kv, info) : undefined;
  }

  listPrefix(info: ResourceInfo, namespace: string | undefined): string {
    const base = resourcePrefix(info.group, info.plural, this.keyRoot);
    return info.namespaced && namespace ? `${base}${namespace}/` : base;
  }

  /** Refuse field selectors on labels the resource does not support (400). */
  checkFieldSelector(info: ResourceInfo, sel: FieldSelector | undefined): void {
    if (sel) fieldSelectorAllowedFields(sel, fieldSelectorRulesFor(info));
  }

  matches(info: ResourceInfo, obj: KubeObject, labelSelector?: LabelSelector, fieldSelector?: FieldSelector): boolean {
    if (labelSelector && !matchesLabels(labelSelector, obj.metadata?.labels)) return false;
    if (fieldSelector && !matchesFields(fieldSelector, objectFieldSet(info, obj))) return false;
    return true;
  }

  /** Like list, with each item as JSON text (no parse/serialise round trip when nothing filters). */
  async listText(info: ResourceInfo, namespace: string | undefined, opts: ListOptions = {}): Promise<Omit<ListResult, 'items'> & { items: ListItemsText }> {
    if (opts.labelSelector || opts.fieldSelector || opts.limit || opts.continue) {
      const r = await this.list(info, namespace, opts);
      return { ...r, items: { length: r.items.length, text: (i) => JSON.stringify(r.items[i]) } };
    }
    const page = await this.store.list(this.listPrefix(info, namespace));
    // Encoded item by item as the response is written, so its first bytes leave sooner.
    return { items: { length: page.items.length, text: (i) => this.encodeServed(page.items[i]!, info) }, resourceVersion: String(page.revision) };
  }

  async list(info: ResourceInfo, namespace: string | undefined, opts: ListOptions = {}): Promise<ListResult> {
    this.checkFieldSelector(info, opts.fieldSelector);
    const prefix = this.listPrefix(info, namespace);
    let startAfter: string | undefined;
    let atRevision: number | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      startAfter = prefix + token.start;
      atRevision = token.rv;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const items: KubeObject[] = [];
    let revision = 0;
    let more = false;
    let lastKey: string | undefined;
    const filtering = !!(opts.labelSelector || opts.fieldSelector);
    const mayMatch = opts.labelSelector ? labelTextPrefilter(opts.labelSelector) : undefined;
    // Page through storage until we have `limit` matching items (or everything).
    for (;;) {
      const page = await this.store.list(prefix, { startAfter, limit: limit ? Math.max(limit - items.length, filtering ? 500 : 0) : undefined });
      revision ||= page.revision;
      for (const kv of page.items) {
        lastKey = kv.key;
        if (mayMatch && !mayMatch(kv.value)) continue;
        const obj = this.decode(kv, info);
        if (!filtering || this.matches(info, obj, opts.labelSelector, opts.fieldSelector)) {
          items.push(obj);
          if (limit && items.length >= limit) break;
        }
      }
      const filledUp = limit !== undefined && items.length >= limit;
      if (filledUp) {
        more = page.more || lastKey !== page.items[page.items.length - 1]?.key;
        break;
      }
      if (!page.more) break;
      startAfter = page.items[page.items.length - 1]!.key;
    }
    const rv = String(atRevision ?? revision);
    const result: ListResult = { items, resourceVersion: rv };
    if (more && lastKey) result.continue = encodeContinue({ rv: atRevision ?? revision, start: lastKey.slice(prefix.length) });
    return result;
  }

  // ---- writing -------------------------------------------------------------------------------

  private async checkNamespace(info: ResourceInfo, namespace: string | undefined): Promise<void> {
    if (!info.namespaced) return;
    if (!namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
    const nsInfo = this.registry.get('', 'v1', 'namespaces');
    if (!nsInfo) return;
    const terminating = await this.namespaceTerminating(nsInfo, namespace);
    if (terminating === undefined) throw notFound('namespaces', '', namespace);
    if (terminating) {
      throw new StatusError(403, 'Forbidden', `${info.plural}${info.group ? '.' + info.group : ''} "${'<name>'}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: info.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  /**
   * Whether a namespace is terminating (undefined: it does not exist), from an in-memory view kept
   * by a watch on the namespaces — every namespaced create asks. A namespace not in the view (e.g.
   * created an instant ago by a write whose fsync is still running) is read from storage.
   */
  private async namespaceTerminating(nsInfo: ResourceInfo, name: string): Promise<boolean | undefined> {
    this.namespaceViewReady ??= this.startNamespaceView(nsInfo);
    await this.namespaceViewReady;
    const known = this.namespaceView.get(name);
    if (known !== undefined) return known;
    const kv = await this.store.get(this.key(nsInfo, undefined, name), PENDING);
    return kv ? isTerminating(JSON.parse(kv.value) as KubeObject) : undefined;
  }

  private async startNamespaceView(nsInfo: ResourceInfo): Promise<void> {
    const prefix = this.listPrefix(nsInfo, undefined);
    const page = await this.store.list(prefix);
    for (const kv of page.items) this.namespaceView.set(kv.key.slice(prefix.length), isTerminating(JSON.parse(kv.value) as KubeObject));
    this.store.watch(prefix, page.revision, (e) => {
      const name = e.key.slice(prefix.length);
      if (e.type === 'delete') this.namespaceView.delete(name);
      else this.namespaceView.set(name, isTerminating(JSON.parse(e.kv.value) as KubeObject));
    });
  }

  /** Schema of the object without `metadata` (validated separately) — cached per schema. */
  private bodySchema(info: ResourceInfo): JSONSchemaProps {
    let s = this.schemaCache.get(info.schema);
    if (!s) {
      const props = { ...(info.schema.properties ?? {}) };
      delete props.metadata;
      delete props.apiVersion;
      delete props.kind;
      s = { ...info.schema, properties: props };
      if (s.required) s.required = s.required.filter((r) => r !== 'metadata' && r !== 'apiVersion' && r !== 'kind');
      this.schemaCache.set(info.schema, s);
    }
    return s;
  }

  /** Prune, default and report unknown fields according to fieldValidation. Returns warnings. */
  private normalise(info: ResourceInfo, obj: KubeObject, fieldValidation: FieldValidation): string[] {
    const warnings: string[] = [];
    const schema = this.bodySchema(info);
    const metadata = obj.metadata;
    const apiVersion = obj.apiVersion;
    const kind = obj.kind;
    // Built-in kinds are reported on but never pruned (their schemas describe, they do not restrict).
    const unknown = pruneUnknownFields(schema, obj, { isResourceRoot: true, reportOnly: info.builtin });
    obj.metadata = metadata;
    obj.apiVersion = apiVersion;
    obj.kind = kind;
    const metaUnknown = unknownMetadataFields(metadata);
    const all = [...metaUnknown, ...unknown.filter((p) => !p.startsWith('metadata') && p !== 'apiVersion' && p !== 'kind')];
    if (all.length && fieldValidation !== 'Ignore') {
      if (fieldValidation === 'Strict') {
        const detail = all.map((p) => `unknown field "${p}"`).join(', ');
        throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${detail}`, all.map((p) => ({ reason: 'FieldValueUnknown', field: p, message: `unknown field "${p}"` })));
      }
      for (const p of all) warnings.push(`unknown field "${p}"`);
    }
    if (!info.builtin) {
      const defaulted = applyDefaults(schema, obj) as KubeObject;
      if (defaulted !== obj) Object.assign(obj, defaulted);
    }
    return warnings;
  }

  private validate(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
    const strategy = this.strategy(info);
    const meta = (obj.metadata ?? {}) as ObjectMeta;
    const causes = validateObjectMeta(meta, { namespaced: info.namespaced, nameRule: strategy.nameRule ?? 'subdomain' });
    if (info.builtin) {
      // Built-in metadata is checked above; the schema covers the kind's own fields.
      const strip = (o: KubeObject): Record<string, unknown> => {
        const b: Record<string, unknown> = { ...o };
        delete b.metadata;
        delete b.apiVersion;
        delete b.kind;
        return b;
      };
      causes.push(...validateValue(this.bodySchema(info), strip(obj), old ? { oldValue: strip(old) } : {}));
    } else {
      // Custom resources: the whole object, so root CEL rules can read self.metadata.name.
      causes.push(...validateValue(info.schema, obj, old ? { oldValue: old } : {}));
    }
    if (strategy.validate) causes.push(...strategy.validate(obj, old, info));
    return causes;
  }

  private async admit(op: Operation, info: ResourceInfo, namespace: string | undefined, name: string, obj: KubeObject | undefined, old: KubeObject | undefined, opts: WriteOptions, subresource?: string): Promise<string[]> {
    const warnings: string[] = [];
    for (const plugin of this.admission) {
      const w = await plugin.admit({ operation: op, info, namespace, name, subresource, object: obj, oldObject: old, dryRun: !!opts.dryRun, user: opts.user, annotate: opts.annotate });
      if (w) warnings.push(...w);
    }
    return warnings;
  }

  private checkTypeMeta(info: ResourceInfo, obj: KubeObject): void {
    const want = apiVersionOf(info.group, info.version);
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
      // Accept any served version of the same group/resource: convert by relabelling (or the kind's conversion).
      const other = this.registry.versionsOf(info.group, info.plural).some((i) => apiVersionOf(i.group, i.version) === obj.apiVersion);
      if (!other) throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`);
      const convert = this.strategy(info).convert;
      if (convert && (obj.kind === undefined || obj.kind === info.kind)) replaceContents(obj, convert(obj, info.version));
    }
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${info.kind})`);
    }
    obj.apiVersion = want;
    obj.kind = info.kind;
    if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) {
      throw invalid(info.kind, info.group, '', [fieldError.typeInvalid('metadata', obj.metadata, 'must be an object')]);
    }
  }

  /** Stored layout: apiVersion, kind, metadata (uid first, no resourceVersion) first, then the rest. */
  private encodeForStorage(info: ResourceInfo, obj: KubeObject): string {
    const convert = this.strategy(info).convert;
    if (convert && info.version !== info.storageVersion) obj = convert({ ...obj, apiVersion: apiVersionOf(info.group, info.version) }, info.storageVersion);
    // uid first: readers such as the garbage collector take it from the text without parsing.
    const metadata = { uid: obj.metadata?.uid, ...obj.metadata };
    delete metadata.resourceVersion;
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
    return JSON.stringify({ apiVersion: apiVersionOf(info.group, info.storageVersion), kind: info.kind, metadata, ...rest });
  }

  /**
   * The JSON text of a stored object as `info` serves it, without parsing it: the stored text starts
   * with apiVersion, kind and metadata, so the served apiVersion and the resourceVersion are spliced in.
   */
  encodeServed(kv: KeyValue, info: ResourceInfo, resourceVersion = kv.modRevision): string {
    const v = kv.value;
    const m = STORED_PREFIX.exec(v);
    if (!m || (info.version !== info.storageVersion && this.strategy(info).convert)) {
      const obj = this.decode(kv, info);
      obj.metadata!.resourceVersion = String(resourceVersion);
      return JSON.stringify(obj);
    }
    const rest = v.slice(m[0].length);
    return `{"apiVersion":${JSON.stringify(apiVersionOf(info.group, info.version))},"kind":${JSON.stringify(info.kind)},"metadata":{"resourceVersion":"${resourceVersion}"${rest[0] === '}' ? '' : ','}${rest}`;
  }

  private now(): string {
    return rfc3339(this.clock.now());
  }

  async create(info: ResourceInfo, namespace: string | undefined, input: KubeObject, opts: WriteOptions = {}, appliedManagedFields?: ManagedFieldsEntry[]): Promise<WriteResult> {
    if (!isPlainObject(input)) throw badRequest('the body of the request must be a JSON or YAML object');
    const obj = opts.inputOwned ? input : deepClone(input);
    this.checkTypeMeta(info, obj);
    const meta = (obj.metadata ??= {});
    if (info.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name) throw invalid(info.kind, info.group, '', [fieldError.required('metadata.name', 'name or generateName is required')]);
    const warnings = this.normalise(info, obj, opts.fieldValidation ?? 'Warn');
    await this.checkNamespace(info, meta.namespace);
    const strategy = this.strategy(info);
    // System-owned metadata.
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (strategy.generation) meta.generation = 1;
    else delete meta.generation;
    if (info.subresources.status && !info.builtin) delete obj.status;
    strategy.prepareForCreate?.(obj, info);
    const causes = this.validate(info, obj, undefined);
    if (causes.length) throw invalid(info.kind, info.group, meta.name, causes);
    warnings.push(...(await this.admit('CREATE', info, meta.namespace, meta.name, obj, undefined, opts)));
    meta.managedFields = appliedManagedFields ?? updateManagedFields({ oldObj: undefined, newObj: obj, manager: opts.fieldManager ?? 'unknown', operation: 'Update', schema: info.schema, apiVersion: apiVersionOf(info.group, info.version), now: meta.creationTimestamp });
    if (!meta.managedFields.length) delete meta.managedFields;
    const key = this.key(info, meta.namespace, meta.name);
    if (opts.dryRun) {
      if (await this.store.get(key, PENDING)) throw alreadyExists(info.plural, info.group, meta.name);
      return { object: obj, warnings };
    }
    let kv: KeyValue;
    try {
      kv = await this.store.create(key, this.encodeForStorage(info, obj));
      meta.resourceVersion = String(kv.modRevision);
    } catch (e) {
      if (e instanceof StoreKeyExistsError) throw alreadyExists(info.plural, info.group, meta.name);
      throw e;
    }
    return { object: obj, warnings, json: this.encodeServed(kv, info) };
  }

  /**
   * Replace an object (PUT). With subresource "status" only the status is taken from the input.
   * A stale metadata.resourceVersion gives 409 Conflict.
   */
  async update(info: ResourceInfo, namespace: string | undefined, name: string, input: KubeObject, opts: WriteOptions = {}, subresource?: string): Promise<WriteResult> {
    if (!isPlainObject(input)) throw badRequest('the body of the request must be a JSON or YAML object');
    const obj = opts.inputOwned ? input : deepClone(input);
    this.checkTypeMeta(info, obj);
    const meta = (obj.metadata ??= {});
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (info.namespaced && meta.namespace && namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const kv = await this.store.get(this.key(info, namespace, name), PENDING);
    if (!kv) throw notFound(info.plural, info.group, name);
    const old = this.decode(kv, info);
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata!.resourceVersion) {
      throw conflict(info.plural, info.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.commitUpdate(info, old, kv.modRevision, obj, opts, subresource);
  }

  /** Shared tail of update and patch: system fields, validation, admission, write. */
  private async commitUpdate(info: ResourceInfo, old: KubeObject, oldRevision: number, obj: KubeObject, opts: WriteOptions, subresource: string | undefined, appliedManagedFields?: ManagedFieldsEntry[]): Promise<WriteResult> {
    const strategy = this.strategy(info);
    const oldMeta = old.metadata!;
    let meta = (obj.metadata ??= {});
    let warnings: string[] = [];
    if (subresource === 'status') {
      // Only status changes; everything else stays as stored. The rest is shared with `old` (this request's own
      // decode, never mutated below), so comparisons skip it by identity; metadata is written to, so it is copied.
      const status = obj.status;
      const next: KubeObject = { ...old, metadata: deepClone(old.metadata) };
      if (status === undefined) delete next.status;
      else next.status = status;
      obj = next;
      meta = obj.metadata!;
    } else if (subresource === EPHEMERAL_CONTAINERS_SUBRESOURCE && info.group === '' && info.plural === 'pods') {
      // pods/ephemeralcontainers: only spec.ephemeralContainers changes, and only by additions.
      obj = withEphemeralContainers(old, obj);
      meta = obj.metadata!;
      strategy.prepareForUpdate?.(obj, old, info);
      const causes = validateEphemeralContainersUpdate(obj, old);
      if (causes.length) throw invalid(info.kind, info.group, oldMeta.name ?? '', causes);
    } else if (subresource === 'finalize') {
      // Namespace finalize: only spec.finalizers changes.
      const finalizers = (obj.spec as { finalizers?: unknown } | undefined)?.finalizers;
      const next: KubeObject = deepClone(old);
      const spec = ((next.spec as Record<string, unknown> | undefined) ?? {});
      if (finalizers === undefined) delete spec.finalizers;
      else spec.finalizers = finalizers;
      next.spec = spec;
      obj = next;
      meta = obj.metadata!;
    } else {
      warnings = this.normalise(info, obj, opts.fieldValidation ?? 'Warn');
      if (info.subresources.status) {
        if (old.status === undefined) delete obj.status;
        else obj.status = deepClone(old.status);
      }
      // System fields come from storage.
      meta.name = oldMeta.name;
      if (info.namespaced) meta.namespace = oldMeta.namespace;
      else delete meta.namespace;
      meta.uid = oldMeta.uid;
      meta.creationTimestamp = oldMeta.creationTimestamp;
      if (oldMeta.deletionTimestamp) {
        meta.deletionTimestamp = oldMeta.deletionTimestamp;
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      if (strategy.generation) meta.generation = oldMeta.generation ?? 1;
      else delete meta.generation;
      strategy.prepareForUpdate?.(obj, old, info);
    }
    meta.resourceVersion = oldMeta.resourceVersion;
    if (oldMeta.deletionTimestamp && !subresource) {
      // New finalizers may not be added to an object that is being deleted.
      const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
      if (added.length) throw invalid(info.kind, info.group, oldMeta.name ?? '', [fieldError.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`)]);
    }
    if (strategy.generation && !subresource && specChanged(old, obj)) meta.generation = (oldMeta.generation ?? 1) + 1;
    const causes = this.validate(info, obj, old);
    if (causes.length) throw invalid(info.kind, info.group, oldMeta.name ?? '', causes);
    warnings.push(...(await this.admit('UPDATE', info, oldMeta.namespace, oldMeta.name ?? '', obj, old, opts, subresource)));
    const now = this.now();
    if (appliedManagedFields) {
      meta.managedFields = appliedManagedFields;
    } else {
      meta.managedFields = updateManagedFields({ oldObj: old, newObj: obj, manager: opts.fieldManager ?? 'unknown', operation: 'Update', schema: info.schema, apiVersion: apiVersionOf(info.group, info.version), now, subresource });
    }
    if (!meta.managedFields?.length) delete meta.managedFields;
    // No change: no write, same resourceVersion (kubectl apply relies on this).
    if (sameObject(old, obj)) {
      // Nothing to write; answer only once the state we read is durable (a durable read waits for it).
      await this.store.get(this.key(info, oldMeta.namespace, oldMeta.name!));
      return { object: old, warnings };
    }
    const key = this.key(info, oldMeta.namespace, oldMeta.name!);
    // Removing the last finalizer of an object being deleted deletes it.
    if (meta.deletionTimestamp && !(meta.finalizers?.length) && !strategy.holdsDeletion?.(obj)) {
      if (opts.dryRun) return { object: obj, warnings };
      try {
        await this.store.delete(key, { expectModRevision: oldRevision });
      } catch (e) {
        throw this.mapStoreError(e, info, oldMeta.name!);
      }
      return { object: obj, warnings };
    }
    if (opts.dryRun) return { object: obj, warnings };
    let kv: KeyValue;
    try {
      kv = await this.store.update(key, this.encodeForStorage(info, obj), { expectModRevision: oldRevision });
      meta.resourceVersion = String(kv.modRevision);
    } catch (e) {
      throw this.mapStoreError(e, info, oldMeta.name!);
    }
    return { object: obj, warnings, json: this.encodeServed(kv, info) };
  }

  private mapStoreError(e: unknown, info: ResourceInfo, name: string): unknown {
    if (e instanceof StoreConflictError) return conflict(info.plural, info.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
    if (e instanceof StoreKeyNotFoundError) return notFound(info.plural, info.group, name);
    if (e instanceof StoreKeyExistsError) return alreadyExists(info.plural, info.group, name);
    return e;
  }

  /** PATCH in any of the four patch types; server-side apply creates the object when missing. */
  async patch(info: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { force?: boolean } = {}, subresource?: string): Promise<WriteResult> {
    if (type === 'strategic' && !info.builtin) {
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    }
    if (type === 'apply' && !opts.fieldManager) {
      throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    }
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(this.key(info, namespace, name), PENDING);
      try {
        if (!kv) {
          if (type !== 'apply' || subresource) throw notFound(info.plural, info.group, name);
          return await this.applyCreate(info, namespace, name, patch, opts);
        }
        const old = this.decode(kv, info);
        let next: KubeObject;
        let managed: ManagedFieldsEntry[] | undefined;
        switch (type) {
          case 'json':
            next = applyJsonPatch(old, patch) as KubeObject;
            break;
          case 'merge':
            // A status write keeps only the patched status (see commitUpdate): no need to copy what the patch leaves.
            next = (subresource === 'status' ? applyMergePatchShared(old, patch) : applyMergePatch(old, patch)) as KubeObject;
            break;
          case 'strategic':
            next = applyStrategicMergePatch(old, patch, info.schema) as KubeObject;
            break;
          case 'apply': {
            const applied = this.checkApplied(info, namespace, name, patch);
            const r = serverSideApply({ live: old, applied, manager: opts.fieldManager!, force: !!opts.force, schema: info.schema, apiVersion: apiVersionOf(info.group, info.version), now: this.now(), subresource });
            next = r.object;
            managed = r.managedFields;
            break;
          }
        }
        if (!isPlainObject(next)) throw badRequest('the patch did not produce an object');
        const nextMeta = (next.metadata ??= {});
        const preconditionRv = patchResourceVersion(patch, type);
        if (preconditionRv && preconditionRv !== old.metadata!.resourceVersion) {
          throw conflict(info.plural, info.group, name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        if (nextMeta.name !== name) throw badRequest(`the name of the object (${String(nextMeta.name)}) does not match the name on the URL (${name})`);
        this.checkTypeMeta(info, next);
        return await this.commitUpdate(info, old, kv.modRevision, next, opts, subresource, managed);
      } catch (e) {
        const retriable = e instanceof StatusError && e.reason === 'Conflict' && e.code === 409 && !patchResourceVersion(patch, type) && !(e.details?.causes?.some((c) => c.reason === 'FieldManagerConflict'));
        if (retriable && attempt < 5) continue;
        throw e;
      }
    }
  }

  private checkApplied(info: ResourceInfo, namespace: string | undefined, name: string, patch: unknown): KubeObject {
    if (!isPlainObject(patch)) throw badRequest('the apply patch must be an object');
    const applied = deepClone(patch) as KubeObject;
    if (!applied.apiVersion || !applied.kind) {
      throw badRequest('invalid object type: /, Kind=');
    }
    const m = (applied.metadata ??= {});
    if (m.name !== undefined && m.name !== name) throw badRequest(`the name of the object (${m.name}) does not match the name on the URL (${name})`);
    m.name = name;
    if (info.namespaced) {
      if (m.namespace && namespace && m.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      m.namespace = namespace;
    }
    return applied;
  }

  private async applyCreate(info: ResourceInfo, namespace: string | undefined, name: string, patch: unknown, opts: WriteOptions & { force?: boolean }): Promise<WriteResult> {
    const applied = this.checkApplied(info, namespace, name, patch);
    this.checkTypeMeta(info, applied);
    const r = serverSideApply({ live: undefined, applied, manager: opts.fieldManager!, force: !!opts.force, schema: info.schema, apiVersion: apiVersionOf(info.group, info.version), now: this.now() });
    // Ownership is the applier's (an Apply entry), not an Update entry.
    return this.create(info, namespace, r.object, opts, r.managedFields);
  }

  /**
   * DELETE: with finalizers (or Foreground/Orphan propagation) the object gets a deletionTimestamp
   * and stays until they are removed; otherwise it is removed now.
   */
  /** POST to a subresource that acts on the object (pods/binding, pods/eviction); returns what the server answers. */
  async createSubresource(info: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    if (!postSubresourcesOf(info).some((s) => s.name === subresource)) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    return postPodSubresource(this, info, namespace, name, subresource, body, opts);
  }

  async delete(info: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(this.key(info, namespace, name), PENDING);
      if (!kv) throw notFound(info.plural, info.group, name);
      const obj = this.decode(kv, info);
      const meta = obj.metadata!;
      if (opts.preconditions?.uid && opts.preconditions.uid !== meta.uid) {
        throw conflict(info.plural, info.group, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${meta.uid}`);
      }
      if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== meta.resourceVersion) {
        throw conflict(info.plural, info.group, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const policy = opts.propagationPolicy ?? this.strategy(info).defaultPropagation ?? 'Background';
      const finalizers = [...(meta.finalizers ?? [])];
      const want = (f: string, on: boolean): void => {
        const i = finalizers.indexOf(f);
        if (on && i < 0) finalizers.push(f);
        if (!on && i >= 0 && opts.propagationPolicy) finalizers.splice(i, 1);
      };
      want(FINALIZER_ORPHAN, policy === 'Orphan');
      want(FINALIZER_FOREGROUND, policy === 'Foreground');
      await this.admit('DELETE', info, meta.namespace, name, undefined, obj, opts);
      try {
        const strategy = this.strategy(info);
        const next = deepClone(obj);
        strategy.prepareForDelete?.(next);
        if (finalizers.length || strategy.holdsDeletion?.(next)) {
          const nm = next.metadata!;
          nm.finalizers = finalizers;
          if (!finalizers.length) delete nm.finalizers;
          if (!nm.deletionTimestamp) {
            nm.deletionTimestamp = this.now();
            nm.deletionGracePeriodSeconds = 0;
          }
          if (this.strategy(info).generation) nm.generation = (nm.generation ?? 1) + (meta.deletionTimestamp ? 0 : 1);
          if (isDeepStrictEqual(next, obj)) return { object: obj, deleted: false };
          if (opts.dryRun) return { object: next, deleted: false };
          const w = await this.store.update(kv.key, this.encodeForStorage(info, next), { expectModRevision: kv.modRevision });
          nm.resourceVersion = String(w.modRevision);
          return { object: next, deleted: false };
        }
        if (opts.dryRun) return { object: obj, deleted: true };
        await this.store.delete(kv.key, { expectModRevision: kv.modRevision });
        return { object: obj, deleted: true };
      } catch (e) {
        if ((e instanceof StoreConflictError || e instanceof StoreKeyNotFoundError) && attempt < 5) continue;
        throw this.mapStoreError(e, info, name);
      }
    }
  }

  async deleteCollection(info: ResourceInfo, namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions = {}): Promise<KubeObject[]> {
    const { items } = await this.list(info, namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push((await this.delete(info, item.metadata!.namespace, item.metadata!.name!, opts)).object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return out;
  }

  /** Remove one finalizer (no write when it is absent), for the server's own controllers. */
  async removeFinalizer(info: ResourceInfo, namespace: string | undefined, name: string, finalizer: string): Promise<void> {
    await this.guaranteedUpdate(info, namespace, name, (o) => {
      const f = o.metadata!.finalizers ?? [];
      if (!f.includes(finalizer)) return undefined;
      o.metadata!.finalizers = f.filter((x) => x !== finalizer);
      return o;
    });
  }

  /**
   * Read-modify-write with retries on conflict, for the server's own controllers.
   * `mutate` returns the new object, or undefined for no change.
   */
  /**
   * A write straight to storage, as kube-apiserver's Storage.GuaranteedUpdate used by some subresources (pods/binding):
   * `mutate` gets a private copy of the stored object and returns the object to store (or throws a StatusError);
   * no defaulting, validation, admission or managed-fields bookkeeping. Retries on a concurrent write; `preconditions`
   * (uid, resourceVersion) are checked against the stored object each time.
   */
  async updateStored(info: ResourceInfo, namespace: string | undefined, name: string, mutate: (obj: KubeObject) => KubeObject, opts: { dryRun?: boolean; preconditions?: { uid?: string; resourceVersion?: string } } = {}): Promise<KubeObject> {
    const key = this.key(info, namespace, name);
    for (let attempt = 0; attempt < 20; attempt++) {
      const kv = await this.store.get(key, PENDING);
      if (!kv) throw notFound(info.plural, info.group, name);
      const obj = this.decode(kv, info);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata?.uid) {
        throw conflict(info.plural, info.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata?.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata?.resourceVersion) {
        throw conflict(info.plural, info.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata?.resourceVersion ?? ''}`);
      }
      const next = mutate(obj);
      if (opts.dryRun) return next;
      try {
        const w = await this.store.update(key, this.encodeForStorage(info, next), { expectModRevision: kv.modRevision });
        (next.metadata ??= {}).resourceVersion = String(w.modRevision);
        return next;
      } catch (e) {
        if (e instanceof StoreConflictError) continue;
        throw this.mapStoreError(e, info, name);
      }
    }
    throw conflict(info.plural, info.group, name, 'too many conflicts');
  }

  async guaranteedUpdate(info: ResourceInfo, namespace: string | undefined, name: string, mutate: (obj: KubeObject) => KubeObject | undefined, subresource?: string): Promise<KubeObject | undefined> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const kv = await this.store.get(this.key(info, namespace, name), PENDING);
      if (!kv) return undefined;
      const old = this.decode(kv, info);
      const next = mutate(deepClone(old));
      if (!next) return old;
      try {
        return (await this.commitUpdate(info, old, kv.modRevision, next, { fieldManager: 'slipway-apiserver' }, subresource)).object;
      } catch (e) {
        if (e instanceof StatusError && e.reason === 'Conflict') continue;
        if (e instanceof StatusError && e.code === 404) return undefined;
        throw e;
      }
    }
    throw conflict(info.plural, info.group, name, 'too many conflicts');
  }

  // ---- watching ------------------------------------------------------------------------------

  /**
   * Stream changes. Objects moving into / out of the selectors appear as ADDED / DELETED, as
   * kube-apiserver's watch cache does. Throws a 410 Expired StatusError for a compacted revision.
   */
  /**
   * Events of the objects in scope from opts.resourceVersion on. `onError` hears of a watch the storage ended (etcd
   * compacted past it: a 410 StatusError), after which no more events come.
   */
  async watch(info: ResourceInfo, namespace: string | undefined, opts: WatchOptions, onEvent: (e: WatchEvent) => void, onError?: (e: StatusError) => void): Promise<Watcher> {
    this.checkFieldSelector(info, opts.fieldSelector);
    const prefix = this.listPrefix(info, namespace);
    const rv = opts.resourceVersion;
    let from: number;
    if (!rv || rv === '0') {
      const snapshot = await this.list(info, namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      for (const obj of snapshot.items) onEvent({ type: 'ADDED', object: obj, json: () => JSON.stringify(obj) });
      from = Number(snapshot.resourceVersion);
    } else {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${rv}`);
    }
    const filtering = !!(opts.labelSelector || opts.fieldSelector);
    const shared = (e: StoreEvent): SharedEvent => {
      let byInfo = this.watchShare.get(e);
      if (!byInfo) this.watchShare.set(e, (byInfo = new Map()));
      let sh = byInfo.get(info);
      if (!sh) {
        const object = this.decode(e.kv, info, true);
        if (e.type === 'delete') object.metadata!.resourceVersion = String(e.revision);
        byInfo.set(info, (sh = { object }));
      }
      return sh;
    };
    const emit = (type: WatchEventType, sh: SharedEvent): void => {
      onEvent({ type, object: sh.object, json: () => (sh.text ??= JSON.stringify(sh.object)) });
    };
    try {
      return this.store.watch(prefix, from, (e: StoreEvent) => {
        const sh = shared(e);
        const cur = sh.object;
        if (e.type === 'delete') {
          if (!filtering || this.matches(info, cur, opts.labelSelector, opts.fieldSelector)) emit('DELETED', sh);
          return;
        }
        if (!filtering) {
          emit(e.prev ? 'MODIFIED' : 'ADDED', sh);
          return;
        }
        const nowMatches = this.matches(info, cur, opts.labelSelector, opts.fieldSelector);
        const prevMatched = e.prev ? this.matches(info, (sh.prev ??= this.decode(e.prev, info)), opts.labelSelector, opts.fieldSelector) : false;
        if (nowMatches) emit(prevMatched ? 'MODIFIED' : 'ADDED', sh);
        else if (prevMatched) emit('DELETED', sh);
      }, onError ? (err: Error) => onError(err instanceof StoreCompactedError ? new StatusError(410, 'Expired', `too old resource version: ${err.requested} (${err.compacted + 1})`) : internalError(err.message)) : undefined);
    } catch (e) {
      if (e instanceof StoreCompactedError) {
        throw new StatusError(410, 'Expired', `too old resource version: ${from} (${e.compacted + 1})`);
      }
      throw e;
    }
  }
}

/** Label keys and values that JSON writes verbatim (label syntax allows no other characters). */
const PLAIN_LABEL_TEXT = /^[A-Za-z0-9._/-]+$/;

/**
 * A cheap test on an object's stored JSON that rules out objects a label selector cannot match (its required keys and
 * values must appear in the text), so a selective list parses only candidates. Undefined when it cannot help.
 */
function labelTextPrefilter(sel: LabelSelector): ((text: string) => boolean) | undefined {
  const needles: string[][] = [];
  for (const r of sel.requirements) {
    if (!PLAIN_LABEL_TEXT.test(r.key)) continue;
    if (r.operator === '=' || r.operator === '==' || r.operator === 'in') {
      if (!r.values.length || !r.values.every((v) => PLAIN_LABEL_TEXT.test(v) || v === '')) continue;
      needles.push([`"${r.key}"`]);
      needles.push(r.values.map((v) => `"${v}"`));
    } else if (r.operator === 'exists') {
      needles.push([`"${r.key}"`]);
    }
  }
  if (!needles.length) return undefined;
  return (text) => needles.every((any) => any.some((n) => text.includes(n)));
}

function isTerminating(ns: KubeObject): boolean {
  return !!ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating';
}

/** Fields of metadata that ObjectMeta does not have (reported as unknown). */
const KNOWN_META = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);
function unknownMetadataFields(meta: ObjectMeta | undefined): string[] {
  if (!meta) return [];
  return Object.keys(meta).filter((k) => !KNOWN_META.has(k)).map((k) => `metadata.${k}`);
}

function specChanged(old: KubeObject, next: KubeObject): boolean {
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!isDeepStrictEqual(old[k], next[k])) return true;
  }
  return false;
}

/** Equal apart from managedFields timestamps and resourceVersion. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  // Shallow views (nothing copied deeply); jsonEqual treats undefined members as absent, as JSON does.
  const strip = (o: KubeObject): KubeObject => {
    const c = { ...o, metadata: { ...o.metadata } };
    delete c.metadata.resourceVersion;
    c.metadata.managedFields = (c.metadata.managedFields ?? []).map((m) => ({ ...m, time: undefined }));
    return c;
  };
  return jsonEqual(strip(a), strip(b));
}

function patchResourceVersion(patch: unknown, type: PatchType): string | undefined {
  if (type === 'json' || !isPlainObject(patch)) return undefined;
  const m = patch.metadata;
  if (isPlainObject(m) && typeof m.resourceVersion === 'string' && m.resourceVersion) return m.resourceVersion;
  return undefined;
}

function randomSuffix(): string {
  const chars = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

interface ContinueToken {
  rv: number;
  start: string;
}
function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}
/** Makes `target` hold exactly `source`'s fields (an in-place conversion of a caller's object). */
function replaceContents(target: KubeObject, source: KubeObject): void {
  if (target === source) return;
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, source);
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest(`invalid continue token: ${s}`);
  }
}
