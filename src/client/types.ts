/** The Client contract shared by every transport: verbs, options, watch events, kind references. */
import type { KubeObject } from '../apimachinery/types.js';

/**
 * A kind, optionally carrying the TypeScript type of its objects: `kindRef<ConfigMap>('v1', 'ConfigMap')`.
 * A plain `{ apiVersion, kind }` works too and yields untyped (unstructured) objects.
 */
export interface KindRef<T extends KubeObject = KubeObject> {
  readonly apiVersion: string;
  readonly kind: string;
  /** Phantom field carrying T; never set. */
  readonly __object?: T;
}

export function kindRef<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): KindRef<T> {
  return { apiVersion, kind };
}

/** How a kind is served: its resource (plural) name, scope and status subresource. */
export interface ResourceMapping {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** True when the resource serves `/status` (status writes go there, not in the main object). */
  statusSubresource: boolean;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ObjectKey {
  name: string;
  /** For namespaced kinds; defaults to the client's namespace. */
  namespace?: string;
}

export interface ListOptions {
  /** Only this namespace; all namespaces when unset. */
  namespace?: string;
  /** Kubernetes label selector text, e.g. `app=web,tier in (a,b)`. */
  labelSelector?: string;
  /** Field selector text, e.g. `metadata.name=x`. */
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** Recorded in managedFields; defaults to the client's field manager. */
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** The four patch types of the Kubernetes API. */
export type Patch =
  | { type: 'json'; ops: JsonPatchOperation[] }
  | { type: 'merge'; body: Record<string, unknown> }
  | { type: 'strategic'; body: Record<string, unknown> }
  | { type: 'apply'; body: KubeObject; force?: boolean };

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this resourceVersion; unset or "0": the current objects as ADDED first. */
  resourceVersion?: string;
  /** Ask for BOOKMARK events (progress notifications carrying only a resourceVersion). */
  allowBookmarks?: boolean;
  /** Server-side timeout of the watch (HTTP transport). */
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface WatchHandler<T extends KubeObject = KubeObject> {
  onEvent(e: WatchEvent<T>): void;
  /**
   * Called exactly once when the watch ends: with no argument when the server closed it normally or
   * the caller stopped it, with a typed error (e.g. GoneError for 410) or a network error otherwise.
   */
  onClose(err?: Error): void;
}

export interface Watch {
  stop(): void;
}

/** One Client for every kind and both transports. Objects are plain JSON (`KubeObject`). */
export interface Client {
  /** "in-process" or "http". */
  readonly transportName: string;
  /** Namespace used when a namespaced request names none. */
  readonly defaultNamespace: string;
  mapping(type: KindRef): Promise<ResourceMapping>;
  get<T extends KubeObject>(type: KindRef<T>, key: ObjectKey | string): Promise<T>;
  list<T extends KubeObject>(type: KindRef<T>, opts?: ListOptions): Promise<ObjectList<T>>;
  create<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT; a stale metadata.resourceVersion gives ConflictError. */
  update<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T>;
  /** PUT of the status subresource: only `status` changes. */
  updateStatus<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(type: KindRef<T>, key: ObjectKey | string, patch: Patch, opts?: WriteOptions): Promise<T>;
  patchStatus<T extends KubeObject>(type: KindRef<T>, key: ObjectKey | string, patch: Patch, opts?: WriteOptions): Promise<T>;
  /** Server-side apply of a whole object (apiVersion, kind, metadata.name required). */
  apply<T extends KubeObject>(obj: T, opts?: WriteOptions & { force?: boolean }): Promise<T>;
  /** POST to an action subresource (`binding`, `eviction` of pods); returns the server's answer (a Status). */
  createSubresource(type: KindRef, key: ObjectKey | string, subresource: string, body: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  delete(type: KindRef, key: ObjectKey | string, opts?: DeleteOptions): Promise<void>;
  watch<T extends KubeObject>(type: KindRef<T>, opts: WatchOptions, handler: WatchHandler<T>): Promise<Watch>;
  close(): void;
}
