/**
 * Revisioned key-value storage with etcd's model: one global revision that every write bumps,
 * values kept as JSON text, history kept until compacted, watches that resume from a revision.
 * The API server maps revision to resourceVersion.
 */

export interface KeyValue {
  key: string;
  /** JSON text of the object (without metadata.resourceVersion; the API layer fills it from modRevision). */
  value: string;
  createRevision: number;
  modRevision: number;
}

export type StoreEventType = 'put' | 'delete';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** For put: the new value; for delete: the last value before deletion. */
  kv: KeyValue;
  /** The value before this event, if there was one. */
  prev?: KeyValue;
  /** Revision of this event (== kv.modRevision for put; the deletion's own revision for delete). */
  revision: number;
}

export interface GetOptions {
  includePending?: boolean;
}

export interface ListOptions {
  /** Only keys strictly greater than this (for paging). */
  startAfter?: string;
  /** At most this many items; `more` tells whether more follow. */
  limit?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The store revision the list reflects. */
  revision: number;
  more: boolean;
}

/** Outcome of a conditional write. */
export interface TxnCompare {
  /** Write only if the key's current modRevision equals this (0 means: the key must not exist). */
  expectModRevision?: number;
}

export class StoreKeyExistsError extends Error {
  constructor(readonly key: string) { super(`key exists: ${key}`); this.name = 'StoreKeyExistsError'; }
}
export class StoreKeyNotFoundError extends Error {
  constructor(readonly key: string) { super(`key not found: ${key}`); this.name = 'StoreKeyNotFoundError'; }
}
export class StoreConflictError extends Error {
  constructor(readonly key: string, readonly actual: number) { super(`revision mismatch on ${key} (now ${actual})`); this.name = 'StoreConflictError'; }
}
/** Asked to watch from a revision older than the compacted history. */
export class StoreCompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (oldest kept ${compacted + 1})`);
    this.name = 'StoreCompactedError';
  }
}

export interface Watcher {
  stop(): void;
}

export interface Store {
  /** The revision of the last write (0 for an empty store). */
  currentRevision(): number;
  /** The highest revision removed from history (events at or below it are gone). */
  compactedRevision(): number;
  /**
   * The current value. By default only durable state is returned; `includePending` also sees a
   * write that is committed but whose fsync is still running — for read-modify-write paths, whose
   * own write is acknowledged only after everything before it is durable.
   */
  get(key: string, opts?: GetOptions): Promise<KeyValue | undefined>;
  /** Keys starting with prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Create; throws StoreKeyExistsError if the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replace; throws StoreKeyNotFoundError / StoreConflictError. */
  update(key: string, value: string, cmp?: TxnCompare): Promise<KeyValue>;
  /** Delete; returns the deleted value; throws StoreKeyNotFoundError / StoreConflictError. */
  delete(key: string, cmp?: TxnCompare): Promise<KeyValue>;
  /**
   * Deliver every event on keys under prefix with revision > fromRevision, in revision order, then
   * live events as they happen. Throws StoreCompactedError if fromRevision < compactedRevision().
   * Callbacks are invoked synchronously after the write is durable.
   * `onError` (optional; stores that never end a watch on their own ignore it) hears once why the
   * store ended the watch: a StoreCompactedError when history it still needed was compacted (an
   * etcd store learns of another store's compaction only then); the watcher is stopped by then.
   */
  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void, onError?: (err: Error) => void): Watcher;
  /** Drop history at or below revision. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
