/**
 * Store on etcd v3: the distributed engine. Revisions are etcd's revisions (one etcd, one
 * revision sequence, shared by every store on it), so several stores (several planes) on one
 * etcd serve the same data and see each other's writes through their watches.
 *
 * Keys: etcd key = prefix + Store key. The API server's keys already start with "/registry/",
 * kube-apiserver's layout, so the default prefix is empty; a prefix (e.g. "/slipway-a") keeps
 * independent planes apart on one etcd, like kube-apiserver's --etcd-prefix.
 *
 * Writes are single transactions: create = "create_revision == 0 → put", update/delete = "the key
 * exists (or mod_revision == expected) → put/delete", and the failure branch reads the key so a
 * refusal is told apart (StoreKeyExistsError / StoreKeyNotFoundError / StoreConflictError with the
 * actual revision). A write resolves only once etcd acknowledged it and this store's watchers have
 * been handed its event. Connection failures: reads are retried (on the next member) until
 * `retryTimeoutMs`; a write is retried only when it cannot have been applied (never sent, or
 * refused by a member without leader), or when it is conditional (create, or update/delete with
 * an expected revision), where a second copy cannot apply twice; otherwise, and when a retried
 * conditional write finds its condition gone, EtcdWriteOutcomeUnknownError — success is never
 * reported for a write etcd did not commit.
 *
 * Watches: one etcd watch over the store's whole keyspace (the feed, with previous values) fills an
 * in-memory event history and the watch hub. Store watchers starting inside the held history replay
 * from memory; older ones get an etcd watch of their own from their revision, and join the feed
 * once they reach the held history. The feed resumes from its last event after a member restart or
 * a leader change; if that revision was compacted meanwhile, every watcher ends with
 * StoreCompactedError (through its onError callback).
 *
 * currentRevision() is the highest revision seen in any response or event; compactedRevision() is
 * read from etcd at open (probing which revisions can still be read) and raised by compact() and by
 * compaction reported on watches. Periodic compaction (default every 5 minutes, keeping about one
 * interval of history) is coordinated between stores as kube-apiserver does (see compactor.ts).
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
import { PeriodicCompactor, type CompactionRound } from './compactor.js';
import { EtcdClient, toRequestError, type EtcdTlsOptions } from './etcd-client.js';
import { EtcdRequestError, EtcdWriteOutcomeUnknownError } from './errors.js';
import { EventHistory } from './event-history.js';
import { KeySpace, keyAfter } from './keys.js';
import { CompareResult, CompareTarget, type EventMsg, type KeyValueMsg, type TxnRequestMsg, type TxnResponseMsg } from './proto.js';
import { EtcdWatchSession, type EtcdWatchHandle } from './watch-session.js';

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members (http:// or https://). */
  endpoints: string[];
  /** Prepended to every key (default ''; the Store keys already start with /registry/). */
  prefix?: string;
  /** Client TLS: the CA that signed the members' certificates, and a client certificate if required. */
  tls?: EtcdTlsOptions;
  /** Periodic compaction interval (default 5 minutes; 0 disables). */
  compactionIntervalMs?: number;
  /** Deadline of one etcd call (default 15 s). */
  callTimeoutMs?: number;
  /** How long reads and safely retryable writes are retried across failures (default 30 s). */
  retryTimeoutMs?: number;
  /** Events held in memory for watch replays (default 10,000 events, 64 MiB). */
  historyEvents?: number;
  historyBytes?: number;
  /** Revisions covered per in-memory watch replay step (default 2,000). */
  replayWindow?: number;
  /** Told of watch-stream failures and background errors (default: process warnings). */
  onWarning?: (message: string) => void;
}

/** The key kube-apiserver's compactors coordinate on (outside every prefix: compaction is cluster-wide). */
export const COMPACT_REV_KEY = 'compact_rev_key';

type WatchErrorCallback = (err: Error) => void;

interface LocalWatcher {
  readonly prefix: string;
  readonly onEvent: (e: StoreEvent) => void;
  readonly onError?: WatchErrorCallback;
  /** Served by the hub (from memory) … */
  hub?: Watcher;
  /** … or, while it catches up from before the held history, by an etcd watch of its own. */
  own?: EtcdWatchHandle;
  /** Last revision delivered (own watch) or known (hub). */
  lastRev: number;
  stopped: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EtcdStore implements Store {
  private readonly client: EtcdClient;
  private readonly keys: KeySpace;
  private readonly keyspace: { start: Buffer; end: Buffer };
  private readonly session: EtcdWatchSession;
  private readonly hub: WatchHub;
  private readonly history: EventHistory;
  private readonly watchers = new Set<LocalWatcher>();
  private readonly retryTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private readonly warn: (message: string) => void;
  private readonly compactor: PeriodicCompactor;
  /** Highest revision seen in any response. */
  private knownRev: number;
  /** Revision of the last keyspace event the feed delivered (what the hub has). */
  private feedRev: number;
  private compacted: number;
  private feed: EtcdWatchHandle | undefined;
  private feedWaiters: { rev: number; resolve: () => void }[] = [];
  private closed = false;

  /** Connects, reads the current and compacted revisions, and starts the keyspace watch. */
  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const client = new EtcdClient({ endpoints: opts.endpoints, tls: opts.tls, callTimeoutMs: opts.callTimeoutMs });
    try {
      const keys = new KeySpace(opts.prefix ?? '');
      const keyspace = keys.range('');
      const retryTimeoutMs = opts.retryTimeoutMs ?? 30_000;
      const head = await retryRead(retryTimeoutMs, () => client.range({ key: keyspace.start, rangeEnd: keyspace.end, countOnly: true }));
      const rev = head.header.revision;
      const compacted = await findCompactedRevision(client, retryTimeoutMs, keyspace.start, rev);
      const store = new EtcdStore(client, keys, opts, rev, compacted);
      try {
        await store.startFeed(rev);
      } catch (err) {
        await store.close();
        throw err;
      }
      return store;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  private constructor(client: EtcdClient, keys: KeySpace, opts: EtcdStoreOptions, rev: number, compacted: number) {
    this.client = client;
    this.keys = keys;
    this.keyspace = keys.range('');
    this.retryTimeoutMs = opts.retryTimeoutMs ?? 30_000;
    this.callTimeoutMs = opts.callTimeoutMs ?? 15_000;
    this.warn = opts.onWarning ?? ((m) => process.emitWarning(`slipway storage (etcd): ${m}`));
    this.knownRev = rev;
    this.feedRev = rev;
    this.compacted = compacted;
    this.history = new EventHistory(rev, { maxEvents: opts.historyEvents, maxBytes: opts.historyBytes });
    this.session = new EtcdWatchSession(client, { onStreamError: (e) => this.warn(`watch stream failed, resuming: ${e.message}`) });
    this.hub = new WatchHub({
      currentRevision: () => this.feedRev,
      readHistory: (prefix, after, upto) => this.history.read(prefix, after, upto),
      replayWindow: opts.replayWindow,
      onReplayDone: () => this.history.trim(this.hub.physicalCompactionLimit()),
    });
    this.compactor = new PeriodicCompactor(
      {
        swapCompactKey: (version, revision) => this.swapCompactKey(version, revision),
        compact: (revision) => this.compact(revision),
      },
      opts.compactionIntervalMs ?? 5 * 60_000,
      (err) => this.warn(`periodic compaction failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.compactor.start();
  }

  currentRevision(): number {
    return this.knownRev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  /** The endpoint requests currently go to (for logs). */
  endpoint(): string {
    return this.client.endpoint();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const res = await this.read(() => this.client.range({ key: this.keys.encode(key) }));
    const kv = res.kvs[0];
    return kv ? this.toKeyValue(key, kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const range = this.keys.range(prefix);
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? keyAfter(this.keys.encode(opts.startAfter)) : range.start;
    const limit = opts.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : undefined;
    const res = await this.read(() => this.client.range({ key: start, rangeEnd: range.end, limit }));
    const items: KeyValue[] = [];
    for (const kv of res.kvs) {
      const key = this.decodeKey(kv.key);
      if (key !== undefined) items.push(this.toKeyValue(key, kv));
    }
    return { items, revision: res.header.revision, more: res.more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkWrite(key, value);
    const k = this.keys.encode(key);
    const v = Buffer.from(value, 'utf8');
    const res = await this.write(key, true, {
      compare: [{ result: CompareResult.EQUAL, target: CompareTarget.CREATE, key: k, operand: 0 }],
      success: [{ put: { key: k, value: v } }],
      failure: [],
    });
    if (!res.succeeded) throw new StoreKeyExistsError(key);
    const rev = res.header.revision;
    await this.feedReached(rev);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, cmp?: TxnCompare): Promise<KeyValue> {
    checkWrite(key, value);
    const k = this.keys.encode(key);
    const res = await this.write(key, cmp?.expectModRevision !== undefined, {
      compare: conditions(k, cmp),
      // The read after the put (same transaction) returns the key's create_revision.
      success: [{ put: { key: k, value: Buffer.from(value, 'utf8') } }, { range: { key: k, keysOnly: true } }],
      failure: [{ range: { key: k, keysOnly: true } }],
    });
    if (!res.succeeded) throw refusal(key, res);
    const rev = res.header.revision;
    const after = res.responses[1]?.range?.kvs[0];
    await this.feedReached(rev);
    return { key, value, createRevision: after?.createRevision ?? rev, modRevision: rev };
  }

  async delete(key: string, cmp?: TxnCompare): Promise<KeyValue> {
    checkWrite(key, '');
    const k = this.keys.encode(key);
    const res = await this.write(key, cmp?.expectModRevision !== undefined, {
      compare: conditions(k, cmp),
      success: [{ deleteRange: { key: k, prevKv: true } }],
      failure: [{ range: { key: k, keysOnly: true } }],
    });
    if (!res.succeeded) throw refusal(key, res);
    const prev = res.responses[0]?.deleteRange?.prevKvs[0];
    if (!prev) throw new Error(`etcd: delete of ${key} succeeded without its previous value`);
    await this.feedReached(res.header.revision);
    return this.toKeyValue(key, prev);
  }

  /**
   * As Store.watch. `onError` hears once why a watch ended on its own (StoreCompactedError when
   * the history it needed was compacted while it was catching up or disconnected); the watcher is
   * stopped by then.
   */
  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void, onError?: WatchErrorCallback): Watcher {
    this.checkOpen();
    const from = fromRevision === 0 ? this.knownRev : fromRevision;
    if (from < this.compacted) throw new StoreCompactedError(from, this.compacted);
    const w: LocalWatcher = { prefix, onEvent, onError, lastRev: from, stopped: false };
    this.watchers.add(w);
    if (from >= this.history.coveredFrom()) w.hub = this.hub.add(prefix, from, onEvent);
    else this.catchUp(w);
    return {
      stop: () => this.stopWatcher(w),
    };
  }

  /**
   * Compact etcd's history at `revision` (clamped to the current revision). The compacted revision
   * is raised at once; etcd compacts once every watcher catching up from etcd got past it.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const target = Math.min(Math.floor(revision), this.knownRev);
    if (target <= this.compacted) return;
    this.compacted = target;
    await this.catchUpsPast(target);
    try {
      await this.read(() => this.client.compact({ revision: target }));
    } catch (err) {
      // Someone compacted as far or further already.
      if (!(err instanceof EtcdRequestError && err.kind === 'compacted')) throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compactor.stop();
    this.session.close();
    for (const w of this.feedWaiters) w.resolve();
    this.feedWaiters = [];
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
    this.hub.stopAll();
    this.client.close();
  }

  // ---- feed ----

  private async startFeed(from: number): Promise<void> {
    this.feed = this.session.add(
      { ...this.keyspace, startRevision: from + 1, prevKv: true },
      {
        onEvents: (events) => this.onFeedEvents(events),
        onCompacted: (rev) => this.onFeedLost(new StoreCompactedError(this.feedRev, rev), rev),
        onCanceled: (reason) => this.onFeedLost(new Error(`etcd ended the store's watch: ${reason}`), 0),
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`etcd watch not confirmed within ${this.retryTimeoutMs} ms (${this.client.endpoint()})`)), this.retryTimeoutMs);
    });
    try {
      await Promise.race([this.feed.ready, timeout]);
    } catch (err) {
      this.feed.cancel();
      this.feed = undefined;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private onFeedEvents(events: EventMsg[]): void {
    const out: StoreEvent[] = [];
    for (const ev of events) {
      const e = this.toStoreEvent(ev);
      if (!e) continue;
      this.history.append(e);
      out.push(e);
    }
    const last = events[events.length - 1]!.kv.modRevision;
    if (last > this.feedRev) this.feedRev = last;
    if (last > this.knownRev) this.knownRev = last;
    this.hub.deliver(out);
    this.history.trim(this.hub.physicalCompactionLimit());
    if (this.feedWaiters.length) {
      const still: typeof this.feedWaiters = [];
      for (const w of this.feedWaiters) (w.rev <= this.feedRev ? w.resolve() : still.push(w));
      this.feedWaiters = still;
    }
  }

  /**
   * The feed cannot go on from where it was (its next revision was compacted while it was
   * disconnected): the events in between are lost to every watcher. End them all, then start
   * over from etcd's current revision.
   */
  private onFeedLost(err: Error, compactRev: number): void {
    if (this.closed) return;
    if (compactRev > this.compacted) this.compacted = compactRev;
    this.warn(`keyspace watch lost: ${err.message}`);
    for (const w of [...this.watchers]) this.failWatcher(w, err);
    this.feed = undefined;
    void (async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          const res = await this.read(() => this.client.range({ key: this.keyspace.start, rangeEnd: this.keyspace.end, countOnly: true }));
          if (this.closed) return;
          const rev = res.header.revision;
          this.history.reset(rev);
          this.feedRev = Math.max(this.feedRev, rev);
          if (this.compacted > rev) this.compacted = rev;
          for (const w of this.feedWaiters) w.resolve();
          this.feedWaiters = [];
          await this.startFeed(rev);
          return;
        } catch (e) {
          if (this.closed) return;
          this.warn(`keyspace watch could not restart: ${e instanceof Error ? e.message : String(e)}`);
          await sleep(backoff(attempt));
        }
      }
    })();
  }

  /** Resolves once the feed delivered revision `rev` (bounded: a write's success never waits on a broken stream for long). */
  private feedReached(rev: number): Promise<void> {
    if (rev <= this.feedRev || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.feedWaiters = this.feedWaiters.filter((w) => w.resolve !== done);
        resolve();
      }, this.callTimeoutMs);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.feedWaiters.push({ rev, resolve: done });
    });
  }

  // ---- watchers catching up from before the held history ----

  private catchUp(w: LocalWatcher): void {
    w.own = this.session.add(
      { ...this.keyspace, startRevision: w.lastRev + 1, prevKv: true },
      {
        onEvents: (events) => this.onCatchUpEvents(w, events),
        onCompacted: (rev) => {
          if (rev > this.compacted) this.compacted = rev;
          this.failWatcher(w, new StoreCompactedError(w.lastRev, rev));
        },
        onCanceled: (reason) => this.failWatcher(w, new Error(`etcd ended the watch: ${reason}`)),
      },
    );
  }

  /** Deliver in order; once the watcher reaches the held history, hand it to the hub. */
  private onCatchUpEvents(w: LocalWatcher, events: EventMsg[]): void {
    for (const ev of events) {
      if (w.stopped) return;
      const e = this.toStoreEvent(ev);
      const rev = ev.kv.modRevision;
      if (rev > this.knownRev) this.knownRev = rev;
      if (e && e.key.startsWith(w.prefix)) callWatcher(w.onEvent, e);
      w.lastRev = rev;
      if (rev >= this.history.coveredFrom()) {
        w.own?.cancel();
        w.own = undefined;
        if (!w.stopped) w.hub = this.hub.add(w.prefix, rev, w.onEvent);
        return;
      }
    }
  }

  /** Resolves once every watcher catching up from etcd is past `rev` (or gone), or after callTimeoutMs. */
  private async catchUpsPast(rev: number): Promise<void> {
    const deadline = Date.now() + this.callTimeoutMs;
    while (!this.closed && Date.now() < deadline) {
      let behind = false;
      for (const w of this.watchers) if (w.own && w.lastRev < rev) behind = true;
      if (!behind) return;
      await sleep(10);
    }
  }

  private stopWatcher(w: LocalWatcher): void {
    if (w.stopped) return;
    w.stopped = true;
    this.watchers.delete(w);
    w.hub?.stop();
    w.own?.cancel();
  }

  private failWatcher(w: LocalWatcher, err: Error): void {
    if (w.stopped) return;
    this.stopWatcher(w);
    if (w.onError) {
      try {
        w.onError(err);
      } catch (cbErr) {
        this.warn(`watch error callback threw: ${cbErr instanceof Error ? cbErr.message : String(cbErr)}`);
      }
    } else {
      this.warn(`watch on ${w.prefix} ended: ${err.message}`);
    }
  }

  // ---- requests ----

  private observe(rev: number): void {
    if (rev > this.knownRev) this.knownRev = rev;
  }

  private async read<T extends { header: { revision: number } }>(call: () => Promise<T>): Promise<T> {
    const res = await retryRead(this.retryTimeoutMs, call, () => this.closed);
    this.observe(res.header.revision);
    return res;
  }

  /**
   * Send a write transaction. Retried while it surely was not applied; after an ambiguous
   * failure only if `conditional` (the comparison stops a second copy from applying), and then a
   * refusal no longer tells whether the first copy applied: EtcdWriteOutcomeUnknownError.
   */
  private async write(key: string, conditional: boolean, req: TxnRequestMsg): Promise<TxnResponseMsg> {
    this.checkOpen();
    const deadline = Date.now() + this.retryTimeoutMs;
    let ambiguous: EtcdRequestError | undefined;
    for (let attempt = 0; ; attempt++) {
      let res: TxnResponseMsg;
      try {
        res = await this.client.txn(req);
      } catch (e) {
        const err = toRequestError(e);
        const retry = err.kind === 'not-sent' || err.kind === 'rejected' || (err.kind === 'ambiguous' && conditional);
        if (err.kind === 'ambiguous') ambiguous = err;
        if (!retry || this.closed || Date.now() >= deadline) throw ambiguous ? new EtcdWriteOutcomeUnknownError(key, ambiguous) : err;
        await sleep(backoff(attempt));
        continue;
      }
      this.observe(res.header.revision);
      if (!res.succeeded && ambiguous) throw new EtcdWriteOutcomeUnknownError(key, ambiguous);
      return res;
    }
  }

  private async swapCompactKey(expectVersion: number, revision: number): Promise<CompactionRound> {
    const k = Buffer.from(COMPACT_REV_KEY, 'utf8');
    const res = await this.read(() =>
      this.client.txn({
        compare: [{ result: CompareResult.EQUAL, target: CompareTarget.VERSION, key: k, operand: expectVersion }],
        success: [{ put: { key: k, value: Buffer.from(String(revision), 'utf8') } }],
        failure: [{ range: { key: k } }],
      }),
    );
    if (res.succeeded) return { succeeded: true, version: expectVersion + 1, revision: res.header.revision };
    const kv = res.responses[0]?.range?.kvs[0];
    return { succeeded: false, version: kv?.version ?? 0, revision: res.header.revision };
  }

  // ---- conversions ----

  private toKeyValue(key: string, kv: KeyValueMsg): KeyValue {
    return { key, value: kv.value.toString('utf8'), createRevision: kv.createRevision, modRevision: kv.modRevision };
  }

  /** The Store key of an etcd key (undefined outside the keyspace, and for the compaction key). */
  private decodeKey(raw: Buffer): string | undefined {
    const key = this.keys.decode(raw);
    return key === COMPACT_REV_KEY && this.keys.prefix === '' ? undefined : key;
  }

  private toStoreEvent(ev: EventMsg): StoreEvent | undefined {
    const key = this.decodeKey(ev.kv.key);
    if (key === undefined) return undefined;
    const prev = ev.prevKv ? this.toKeyValue(key, ev.prevKv) : undefined;
    if (ev.type === 'delete') {
      // The deleted value is the previous one; without it (compacted) only the key is known.
      const last = prev ?? { key, value: '', createRevision: 0, modRevision: ev.kv.modRevision };
      return freezeEvent({ type: 'delete', key, kv: last, prev: { ...last }, revision: ev.kv.modRevision });
    }
    const kv = this.toKeyValue(key, ev.kv);
    return freezeEvent(prev ? { type: 'put', key, kv, prev, revision: kv.modRevision } : { type: 'put', key, kv, revision: kv.modRevision });
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

/** An update's or delete's condition: the key exists, and has the expected mod revision if one is given. */
function conditions(key: Buffer, cmp: TxnCompare | undefined): TxnRequestMsg['compare'] {
  const exists = { result: CompareResult.GREATER, target: CompareTarget.CREATE, key, operand: 0 } as const;
  if (cmp?.expectModRevision === undefined) return [exists];
  return [exists, { result: CompareResult.EQUAL, target: CompareTarget.MOD, key, operand: cmp.expectModRevision }];
}

/** Why an update/delete transaction took its failure branch (which read the key). */
function refusal(key: string, res: TxnResponseMsg): Error {
  const current = res.responses[0]?.range?.kvs[0];
  return current ? new StoreConflictError(key, current.modRevision) : new StoreKeyNotFoundError(key);
}

function checkWrite(key: string, value: string): void {
  if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
  if (typeof value !== 'string') throw new TypeError('value must be a string');
}

function backoff(attempt: number): number {
  return Math.min(1_000, 25 * 2 ** attempt);
}

function callWatcher(onEvent: (e: StoreEvent) => void, e: StoreEvent): void {
  try {
    onEvent(e);
  } catch (err) {
    process.emitWarning(`slipway storage: watch callback threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}

/** A read, retried on transient failures (moving to the next member) until the deadline. */
async function retryRead<T>(timeoutMs: number, call: () => Promise<T>, closed: () => boolean = () => false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const err = toRequestError(e);
      const transient = err.kind === 'not-sent' || err.kind === 'rejected' || err.kind === 'ambiguous';
      if (!transient || closed() || Date.now() >= deadline) throw err;
      await sleep(backoff(attempt));
    }
  }
}

/**
 * etcd's compacted revision: the oldest revision a read can still ask for. Probed with reads at
 * past revisions (one read when nothing was compacted, a binary search otherwise).
 */
async function findCompactedRevision(client: EtcdClient, timeoutMs: number, key: Buffer, current: number): Promise<number> {
  const readable = async (rev: number): Promise<boolean> => {
    try {
      await retryRead(timeoutMs, () => client.range({ key, revision: rev, countOnly: true }));
      return true;
    } catch (e) {
      if (e instanceof EtcdRequestError && e.kind === 'compacted') return false;
      throw e;
    }
  };
  if (current <= 1 || (await readable(1))) return 0;
  // Smallest readable revision in (1, current]: that is the compacted revision.
  let lo = 2;
  let hi = current;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (await readable(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

