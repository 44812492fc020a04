/**
 * In-memory Store for unit tests: a Map of key-values plus a sorted key array (for list), and the
 * history as an array of events in revision order. Writes commit synchronously; watchers are
 * notified synchronously before the returned promise settles.
 */
import {
  StoreCompactedError,
  StoreConflictError,
  StoreKeyExistsError,
  StoreKeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type TxnCompare,
  type Watcher,
} from '../store.js';
import { freezeEvent, WatchHub } from '../watch-hub.js';

export interface MemoryStoreOptions {
  /** Revisions covered per watch replay step (default 2,000). */
  replayWindow?: number;
}

export class MemoryStore implements Store {
  private readonly data = new Map<string, KeyValue>();
  /** Keys in ascending (UTF-16 code unit) order. */
  private readonly keys: string[] = [];
  /** Events in ascending revision order; may still hold events <= compacted while a watcher replays. */
  private readonly history: StoreEvent[] = [];
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private readonly hub: WatchHub;

  constructor(opts: MemoryStoreOptions = {}) {
    this.hub = new WatchHub({
      currentRevision: () => this.rev,
      readHistory: (prefix, after, upto) => this.readHistory(prefix, after, upto),
      replayWindow: opts.replayWindow,
      onReplayDone: () => this.prune(),
    });
  }

  currentRevision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  /** Number of events held in history (for tests). */
  historySize(): number {
    return this.history.length;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const kv = this.data.get(key);
    return kv ? { ...kv } : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
    let i = lowerBound(this.keys, prefix);
    if (opts.startAfter !== undefined && opts.startAfter >= prefix) {
      i = Math.max(i, upperBound(this.keys, opts.startAfter));
    }
    const items: KeyValue[] = [];
    let more = false;
    for (; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (!k.startsWith(prefix)) break;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push({ ...this.data.get(k)! });
    }
    return { items, revision: this.rev, more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkWrite(key, value);
    if (this.data.has(key)) throw new StoreKeyExistsError(key);
    const rev = ++this.rev;
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
    this.data.set(key, kv);
    this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.commit({ type: 'put', key, kv: { ...kv }, revision: rev });
    return { ...kv };
  }

  async update(key: string, value: string, cmp?: TxnCompare): Promise<KeyValue> {
    this.checkWrite(key, value);
    const old = this.checkExisting(key, cmp);
    const rev = ++this.rev;
    const kv: KeyValue = { key, value, createRevision: old.createRevision, modRevision: rev };
    this.data.set(key, kv);
    this.commit({ type: 'put', key, kv: { ...kv }, prev: { ...old }, revision: rev });
    return { ...kv };
  }

  async delete(key: string, cmp?: TxnCompare): Promise<KeyValue> {
    this.checkOpen();
    const old = this.checkExisting(key, cmp);
    const rev = ++this.rev;
    this.data.delete(key);
    this.keys.splice(lowerBound(this.keys, key), 1);
    this.commit({ type: 'delete', key, kv: { ...old }, prev: { ...old }, revision: rev });
    return { ...old };
  }

  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): Watcher {
    this.checkOpen();
    if (fromRevision < this.compacted) throw new StoreCompactedError(fromRevision, this.compacted);
    return this.hub.add(prefix, fromRevision === 0 ? this.rev : fromRevision, onEvent);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const target = Math.min(revision, this.rev);
    if (target > this.compacted) this.compacted = target;
    this.prune();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.stopAll();
  }

  private commit(e: StoreEvent): void {
    freezeEvent(e);
    this.history.push(e);
    this.hub.deliver([e]);
  }

  /** Physically drop compacted history that no replaying watcher still needs. */
  private prune(): void {
    const limit = Math.min(this.compacted, this.hub.physicalCompactionLimit());
    const n = upperBoundRev(this.history, limit);
    if (n > 0) this.history.splice(0, n);
  }

  private readHistory(prefix: string, after: number, upto: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let i = upperBoundRev(this.history, after); i < this.history.length; i++) {
      const e = this.history[i]!;
      if (e.revision > upto) break;
      if (e.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }

  private checkExisting(key: string, cmp: TxnCompare | undefined): KeyValue {
    const old = this.data.get(key);
    if (!old) throw new StoreKeyNotFoundError(key);
    if (cmp?.expectModRevision !== undefined && cmp.expectModRevision !== old.modRevision) {
      throw new StoreConflictError(key, old.modRevision);
    }
    return old;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  private checkWrite(key: string, value: string): void {
    this.checkOpen();
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    if (typeof value !== 'string') throw new TypeError('value must be a string');
  }
}

/** First index whose key is >= k. */
function lowerBound(a: readonly string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > k. */
function upperBound(a: readonly string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose event revision is > rev. */
function upperBoundRev(a: readonly StoreEvent[], rev: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.revision <= rev) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
