/**
 * Revisions that stay monotonic across a storage migration. etcd's revision cannot be set, so a
 * plane moved from SQLite (revision S) to etcd keeps S in one key, REVISION_OFFSET_KEY, and
 * RevisionOffsetStore shifts every revision by it: revisions reported to the API server are etcd's
 * plus S (so always above anything clients saw before), revisions handed in are shifted back.
 *
 * History from before the migration is gone: a watch from a revision at or below the offset is
 * answered with StoreCompactedError (a client relists, as after a compaction), never from etcd's
 * own early revisions, and a precondition on such a revision is a conflict.
 */
import {
  StoreCompactedError,
  StoreConflictError,
  StoreKeyNotFoundError,
  type GetOptions,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type TxnCompare,
  type Watcher,
} from './store.js';
import { freezeEvent } from './watch-hub.js';

/** Store key of the offset (outside the /registry/ and /clusters/ trees the API server uses). */
export const REVISION_OFFSET_KEY = '/slipway/revision-offset';

/** The value kept in REVISION_OFFSET_KEY (JSON). */
export interface RevisionOffsetRecord {
  /** The source store's revision when it was copied: added to every revision of the target. */
  offset: number;
  /** Where the data came from, e.g. "sqlite:/var/lib/slipway/state.db" (informational). */
  source?: string;
  /** When the migration ran (RFC 3339, informational). */
  migratedAt?: string;
}

export function encodeRevisionOffset(rec: RevisionOffsetRecord): string {
  return JSON.stringify(rec);
}

/** The offset in a REVISION_OFFSET_KEY value; throws on anything but a whole number ≥ 0. */
export function decodeRevisionOffset(value: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`${REVISION_OFFSET_KEY} is not JSON: ${value.slice(0, 80)}`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new Error(`${REVISION_OFFSET_KEY} holds no valid offset: ${value.slice(0, 80)}`);
  }
  return offset;
}

/** The store itself, or the store wrapped in its offset if it holds REVISION_OFFSET_KEY (read once). */
export async function applyRevisionOffset(store: Store): Promise<Store> {
  const kv = await store.get(REVISION_OFFSET_KEY);
  if (!kv) return store;
  const offset = decodeRevisionOffset(kv.value);
  return offset > 0 ? new RevisionOffsetStore(store, offset) : store;
}

export class RevisionOffsetStore implements Store {
  private readonly shifted = new WeakMap<StoreEvent, StoreEvent>();

  constructor(
    readonly inner: Store,
    readonly offset: number,
  ) {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`invalid revision offset ${offset}`);
  }

  currentRevision(): number {
    return this.inner.currentRevision() + this.offset;
  }

  compactedRevision(): number {
    return this.inner.compactedRevision() + this.offset;
  }

  async get(key: string, opts?: GetOptions): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key, opts);
    return kv && this.out(kv);
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const r = await this.inner.list(prefix, opts);
    return { items: r.items.map((kv) => this.out(kv)), revision: r.revision + this.offset, more: r.more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.out(await this.inner.create(key, value));
  }

  async update(key: string, value: string, cmp?: TxnCompare): Promise<KeyValue> {
    const inner = await this.innerCompare(key, cmp);
    return this.out(await this.mapErrors(() => this.inner.update(key, value, inner)));
  }

  async delete(key: string, cmp?: TxnCompare): Promise<KeyValue> {
    const inner = await this.innerCompare(key, cmp);
    return this.out(await this.mapErrors(() => this.inner.delete(key, inner)));
  }

  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void, onError?: (err: Error) => void): Watcher {
    // 0 means "from now" for every store; anything else at or below the offset predates the migration.
    if (fromRevision !== 0 && fromRevision <= this.offset) {
      throw new StoreCompactedError(fromRevision, Math.max(this.offset, this.compactedRevision()));
    }
    const from = fromRevision === 0 ? 0 : fromRevision - this.offset;
    try {
      return this.inner.watch(
        prefix,
        from,
        (e) => onEvent(this.outEvent(e)),
        onError && ((err) => onError(this.outError(err))),
      );
    } catch (err) {
      throw this.outError(err);
    }
  }

  async compact(revision: number): Promise<void> {
    const inner = revision - this.offset;
    if (inner <= 0) return;
    await this.inner.compact(inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The precondition in the inner store's revisions; one on a pre-migration revision can only conflict. */
  private async innerCompare(key: string, cmp: TxnCompare | undefined): Promise<TxnCompare | undefined> {
    const expected = cmp?.expectModRevision;
    if (expected === undefined || expected === 0) return cmp;
    if (expected > this.offset) return { ...cmp, expectModRevision: expected - this.offset };
    const current = await this.inner.get(key, { includePending: true });
    if (!current) throw new StoreKeyNotFoundError(key);
    throw new StoreConflictError(key, current.modRevision + this.offset);
  }

  private async mapErrors<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.outError(err);
    }
  }

  private out(kv: KeyValue): KeyValue {
    return { key: kv.key, value: kv.value, createRevision: kv.createRevision + this.offset, modRevision: kv.modRevision + this.offset };
  }

  /** One shifted event per inner event, shared by every watcher (the API server shares decoding by event identity). */
  private outEvent(e: StoreEvent): StoreEvent {
    let ev = this.shifted.get(e);
    if (!ev) {
      const shifted: StoreEvent = { type: e.type, key: e.key, kv: this.out(e.kv), revision: e.revision + this.offset };
      if (e.prev) shifted.prev = this.out(e.prev);
      ev = freezeEvent(shifted);
      this.shifted.set(e, ev);
    }
    return ev;
  }

  private outError(err: unknown): Error {
    if (err instanceof StoreConflictError) return new StoreConflictError(err.key, err.actual > 0 ? err.actual + this.offset : err.actual);
    if (err instanceof StoreCompactedError) {
      return new StoreCompactedError(err.requested + this.offset, err.compacted + this.offset);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
