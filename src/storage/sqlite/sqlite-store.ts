/**
 * Durable Store on SQLite (better-sqlite3, WAL; every commit is synced to disk before it is acknowledged).
 *
 * Tables (schema 2)
 *   kv     — current objects: key (primary key, WITHOUT ROWID), create_rev, mod_rev. The value is
 *            the events row of revision mod_rev: each value is written once, to the append-only
 *            events table, so a commit dirties few pages (a write costs WAL pages and syscalls).
 *   events — the history, one row per revision: rev (primary key), key, type (0 put / 1 delete),
 *            value (put: new value; delete: last value), create_rev, mod_rev (of `value`),
 *            prev_value / prev_mod_rev (put over an existing key), ts (commit time, ms, monotonic).
 *            Compaction never deletes the row that holds a current value.
 *   meta   — 'rev' (revision when events were last pruned; the current revision is the larger of
 *            it and the newest event), 'compacted' (compacted revision), 'pruned' (events at or
 *            below it are deleted, except current values), 'schema'
 * Schema 1 (values in kv) is migrated to 2 when opened.
 *
 * Group commit: create/update/delete only queue the write; the queue is committed by one
 * transaction (flushed from setImmediate, or when the running WAL sync ends), each write with its
 * own revision and its own outcome — a failed precondition rejects that write only.
 *
 * Durability off the main thread: transactions commit with synchronous=NORMAL (no fsync inside
 * SQLite), then the WAL file is fdatasync'ed on libuv's thread pool, so request handling goes on
 * while the disk works. Only then do promises settle and watchers hear of the writes, in revision
 * order. Syncs are grouped: while one runs, new writes queue up, and when it ends (or once a
 * full batch waits; at most two syncs run at once) they are committed as one transaction and
 * synced together. Reads return data only once everything they saw is durable, and
 * currentRevision() is the durable revision, so a client never learns of a write that a power loss
 * could take back.
 *
 * Checkpoints off the main thread too: SQLite's automatic checkpoint is off on this connection;
 * every 100 commits a worker thread with its own connection copies the WAL into the database (and
 * syncs both), see WalCheckpointer and maybeCheckpoint.
 *
 * Compaction is logical first (meta 'compacted' is raised and persisted at once) and physical
 * afterwards (events deleted in chunks, never above what a replaying watcher still needs).
 * Automatic compaction keeps at least `historyRetentionEvents` events and at least the events of
 * the last `historyRetentionMs` milliseconds.
 */
import Database from 'better-sqlite3';
import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  StoreCompactedError,
  StoreConflictError,
  StoreKeyExistsError,
  StoreKeyNotFoundError,
  type GetOptions,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type TxnCompare,
  type Watcher,
} from '../store.js';
import { freezeEvent, WatchHub, prefixEnd } from '../watch-hub.js';
import { CurrentValueCache } from './current-value-cache.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteStoreOptions {
  /** Keep at least this many history events (default 100,000). */
  historyRetentionEvents?: number;
  /** Keep at least the events of this many last milliseconds (default 10 minutes). */
  historyRetentionMs?: number;
  /** Clock for event timestamps and retention (default Date.now). */
  now?: () => number;
  /** How often automatic compaction runs (default 60 s; 0 disables the timer). */
  compactionIntervalMs?: number;
  /** At most this many writes per transaction (default 2,000); the rest go in the next one. */
  maxBatch?: number;
  /** Revisions covered per watch replay step (default 2,000). */
  replayWindow?: number;
  /** A WAL checkpoint (on a worker thread) starts after this many commits (default 100). */
  checkpointEveryCommits?: number;
  /**
   * When a checkpoint finds more WAL frames than this (default 4,000: 32 MiB), commits wait
   * (writes queue) until a checkpoint has copied every frame, so that the WAL starts over.
   */
  walHoldFrames?: number;
  /** Current values of recently used keys kept in memory for reads and write checks (default 8 MiB; 0: none). */
  currentValueCacheBytes?: number;
}

export interface SqliteStoreStats {
  /** Committed transactions that carried writes. */
  batches: number;
  /** Writes processed (successful or rejected by a precondition). */
  writes: number;
  /** Largest number of writes in one transaction. */
  maxBatch: number;
  /** WAL checkpoints run (on the worker thread, or on the main thread after a worker failure). */
  checkpoints: number;
  /** Times commits waited for a checkpoint to catch up with the WAL (see walHoldFrames). */
  checkpointHolds: number;
}

type KvRow = [value: string, createRev: number, modRev: number];
type ListRow = [key: string, value: string, createRev: number, modRev: number];
type EventRow = [
  rev: number,
  key: string,
  type: number,
  value: string,
  createRev: number,
  modRev: number,
  prevValue: string | null,
  prevModRev: number | null,
];

interface OpBase {
  key: string;
  resolve: (kv: KeyValue) => void;
  reject: (err: Error) => void;
}
type Op =
  | (OpBase & { kind: 'create'; value: string })
  | (OpBase & { kind: 'update'; value: string; cmp?: TxnCompare })
  | (OpBase & { kind: 'delete'; cmp?: TxnCompare });

interface BatchOutcome {
  results: Array<KeyValue | Error>;
  events: StoreEvent[];
  rev: number;
  /** Rows the batch wrote (null: deleted), for the current-value cache once the transaction has committed. */
  touched: Map<string, KvRow | null>;
}

const SCHEMA_VERSION = 2;
const PRUNE_CHUNK = 5000;
/**
 * WAL syncs running at once, and how many queued writes it takes to start a second while one runs.
 * Measured on a 2-core VM with 16 writers (syncs take ~2 ms under load): a write that arrives
 * during a sync waits for it, then for its own. Starting a second sync only once a full-sized
 * batch (~6 writes) is waiting beat both one sync at a time (+10% creates/s over 8 paired runs)
 * and overlapping for any batch (more, smaller commits cost more CPU than they save in waiting).
 */
const MAX_SYNCS_IN_FLIGHT = 2;
const OVERLAP_MIN_BATCH = 6;
const EVENT_COLS = 'rev, key, type, value, create_rev, mod_rev, prev_value, prev_mod_rev';

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly hub: WatchHub;
  /** Revision of the last committed batch (maybe not yet on disk). */
  private rev: number;
  /** Revision of the last batch known to be on disk: what readers and watchers see. */
  private durableRev: number;
  /** Committed batches waiting for their fsync, oldest first. */
  private pendingDurable: { rev: number; events: StoreEvent[]; batch: Op[]; results: Array<KeyValue | Error> }[] = [];
  /** fsyncs in flight, and the revision the newest of them covers (see flushDurable). */
  private syncsInFlight = 0;
  private syncedUpTo = 0;
  private durableWaiters: { rev: number; resolve: () => void }[] = [];
  /** The WAL file to fsync (undefined for an in-memory database). */
  private readonly walPath: string | undefined;
  private walFd: number | undefined;
  private compacted: number;
  /** Events at or below this revision have been physically deleted. */
  private prunedTo: number;
  private lastTs = 0;
  private closed = false;

  private queue: Op[] = [];
  private flushHandle: NodeJS.Immediate | undefined;
  private pruning: Promise<void> | undefined;
  private autoCompacting = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly counters: SqliteStoreStats = { batches: 0, writes: 0, maxBatch: 0, checkpoints: 0, checkpointHolds: 0 };
  /** Checkpoints off the main thread (undefined for an in-memory database, or after the worker failed). */
  private checkpointer: WalCheckpointer | undefined;
  private checkpointing: Promise<void> | undefined;
  private commitsSinceCheckpoint = 0;
  /** Commits wait until a checkpoint has caught up with the WAL. */
  private holdCommits = false;
  private readonly checkpointEvery: number;
  private readonly walHoldFrames: number;

  private readonly retentionEvents: number;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly maxBatch: number;

  private readonly stGet: Database.Statement<[string], KvRow>;
  private readonly current: CurrentValueCache;
  private readonly stInsertKv: Database.Statement<[string, number, number]>;
  private readonly stUpdateKv: Database.Statement<[number, string]>;
  private readonly stDeleteKv: Database.Statement<[string]>;
  private readonly stInsertEvent: Database.Statement<
    [number, string, number, string, number, number, string | null, number | null, number]
  >;
  private readonly stSetMeta: Database.Statement<[number, string]>;
  private readonly stDeleteEvents: Database.Statement<[number, number]>;
  private readonly pruneChunk: (lo: number, hi: number) => void;
  private readonly stTsAtOrAfter: Database.Statement<[number], number>;
  private readonly listStatements = new Map<string, Database.Statement<unknown[], ListRow>>();
  private readonly historyStatements = new Map<string, Database.Statement<unknown[], EventRow>>();
  private readonly commitBatch: (ops: Op[], ts: number) => BatchOutcome;

  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      return new SqliteStore(db, opts, path === ':memory:' || path.startsWith('file:') ? undefined : `${path}-wal`);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(db: Database.Database, opts: SqliteStoreOptions, walPath: string | undefined) {
    this.db = db;
    this.walPath = walPath;
    this.retentionEvents = Math.max(0, opts.historyRetentionEvents ?? 100_000);
    this.retentionMs = Math.max(0, opts.historyRetentionMs ?? 10 * 60_000);
    this.now = opts.now ?? Date.now;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 2000);
    this.current = new CurrentValueCache(opts.currentValueCacheBytes ?? 8 * 1024 * 1024);
    this.checkpointEvery = Math.max(1, opts.checkpointEveryCommits ?? 100);
    this.walHoldFrames = Math.max(1, opts.walHoldFrames ?? 4000);

    // 8 KiB pages: ~1 KiB JSON values pack well and a 10k-object list touches half the pages.
    // (Only takes effect when the database file is new.)
    db.pragma('page_size = 8192');
    db.pragma('journal_mode = WAL');
    // The commit's fsync is done by flushDurable() on the thread pool (see the header).
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32768');
    db.pragma('temp_store = MEMORY');
    db.pragma('journal_size_limit = 67108864');
    if (walPath) {
      // Checkpoints run on a worker thread (see maybeCheckpoint), not inside our commits.
      db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new WalCheckpointer(walPath.slice(0, -'-wal'.length));
    }
    db.exec(`
      CREATE TABLE IF NOT EXISTS kv (
        key TEXT PRIMARY KEY,
        create_rev INTEGER NOT NULL,
        mod_rev INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS events (
        rev INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        type INTEGER NOT NULL,
        value TEXT NOT NULL,
        create_rev INTEGER NOT NULL,
        mod_rev INTEGER NOT NULL,
        prev_value TEXT,
        prev_mod_rev INTEGER,
        ts INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (k, v) VALUES ('rev', 0), ('compacted', 0), ('pruned', 0), ('schema', ${SCHEMA_VERSION});
    `);
    const meta = new Map(
      (db.prepare('SELECT k, v FROM meta').all() as Array<{ k: string; v: number }>).map((r) => [r.k, r.v]),
    );
    const schema = meta.get('schema') ?? SCHEMA_VERSION;
    if (schema > SCHEMA_VERSION) throw new Error(`storage schema ${schema} is newer than supported ${SCHEMA_VERSION}`);
    if (schema < 2) migrateToSchema2(db, meta);
    const evRange = db.prepare('SELECT max(rev) AS hi, max(ts) AS ts FROM events').get() as { hi: number | null; ts: number | null };
    this.rev = Math.max(meta.get('rev') ?? 0, evRange.hi ?? 0);
    this.durableRev = this.rev;
    this.syncedUpTo = this.rev;
    this.compacted = Math.min(meta.get('compacted') ?? 0, this.rev);
    this.prunedTo = Math.min(meta.get('pruned') ?? 0, this.compacted);
    this.lastTs = evRange.ts ?? 0;

    this.stGet = db
      .prepare<[string], KvRow>('SELECT e.value, kv.create_rev, kv.mod_rev FROM kv JOIN events e ON e.rev = kv.mod_rev WHERE kv.key = ?')
      .raw(true);
    this.stInsertKv = db.prepare('INSERT INTO kv (key, create_rev, mod_rev) VALUES (?, ?, ?)');
    this.stUpdateKv = db.prepare('UPDATE kv SET mod_rev = ? WHERE key = ?');
    this.stDeleteKv = db.prepare('DELETE FROM kv WHERE key = ?');
    this.stInsertEvent = db.prepare(
      `INSERT INTO events (${EVENT_COLS}, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.stSetMeta = db.prepare('UPDATE meta SET v = ? WHERE k = ?');
    // Chunk (lo, hi] of the history, keeping rows that hold a current value.
    this.stDeleteEvents = db.prepare(
      'DELETE FROM events WHERE rev > ? AND rev <= ? AND NOT EXISTS (SELECT 1 FROM kv WHERE kv.key = events.key AND kv.mod_rev = events.rev)',
    );
    this.stTsAtOrAfter = db.prepare<[number], number>('SELECT ts FROM events WHERE rev >= ? ORDER BY rev LIMIT 1').pluck(true);
    this.commitBatch = db.transaction((ops: Op[], ts: number) => this.applyBatch(ops, ts));
    this.pruneChunk = db.transaction((lo: number, hi: number) => {
      // meta 'rev' keeps the revision known when the newest events may all be gone.
      this.stSetMeta.run(this.rev, 'rev');
      this.stDeleteEvents.run(lo, hi);
      this.stSetMeta.run(hi, 'pruned');
    });

    this.hub = new WatchHub({
      currentRevision: () => this.durableRev,
      readHistory: (prefix, after, upto) => this.readHistory(prefix, after, upto),
      replayWindow: opts.replayWindow,
      onReplayDone: () => {
        if (this.prunedTo < this.compacted) this.prune().catch(warn);
      },
    });

    const interval = opts.compactionIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.compactExpired().catch(warn);
      }, interval);
      this.timer.unref();
    }
  }

  currentRevision(): number {
    return this.durableRev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  /** Group-commit counters (for benchmarks and tests). */
  stats(): SqliteStoreStats {
    return { ...this.counters };
  }

  async get(key: string, opts?: GetOptions): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.currentRow(key);
    if (this.rev > this.durableRev && !opts?.includePending) await this.waitDurable(this.rev);
    return row ? { key, value: row[0], createRevision: row[1], modRevision: row[2] } : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : undefined;
    const end = prefixEnd(prefix);
    const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const params: unknown[] = [after ?? prefix];
    if (end !== undefined) params.push(end);
    if (limit !== undefined) params.push(limit + 1);
    const shape = `${after !== undefined ? '>' : '>='}|${end !== undefined ? 'end' : ''}|${limit !== undefined ? 'limit' : ''}`;
    let st = this.listStatements.get(shape);
    if (!st) {
      st = this.db
        .prepare<unknown[], ListRow>(
          `SELECT kv.key, e.value, kv.create_rev, kv.mod_rev FROM kv JOIN events e ON e.rev = kv.mod_rev WHERE kv.key ${after !== undefined ? '>' : '>='} ?` +
            (end !== undefined ? ' AND kv.key < ?' : '') +
            ' ORDER BY kv.key' +
            (limit !== undefined ? ' LIMIT ?' : ''),
        )
        .raw(true);
      this.listStatements.set(shape, st);
    }
    const rows = st.all(...params);
    const seen = this.rev;
    if (seen > this.durableRev) await this.waitDurable(seen);
    const more = limit !== undefined && rows.length > limit;
    const n = more ? limit : rows.length;
    const items = new Array<KeyValue>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      items[i] = { key: r[0], value: r[1], createRevision: r[2], modRevision: r[3] };
    }
    return { items, revision: seen, more };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue((resolve, reject) => ({ kind: 'create', key, value, resolve, reject }), key, value);
  }

  update(key: string, value: string, cmp?: TxnCompare): Promise<KeyValue> {
    return this.enqueue((resolve, reject) => ({ kind: 'update', key, value, cmp, resolve, reject }), key, value);
  }

  delete(key: string, cmp?: TxnCompare): Promise<KeyValue> {
    return this.enqueue((resolve, reject) => ({ kind: 'delete', key, cmp, resolve, reject }), key, '');
  }

  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): Watcher {
    this.checkOpen();
    if (fromRevision < this.compacted) throw new StoreCompactedError(fromRevision, this.compacted);
    return this.hub.add(prefix, fromRevision === 0 ? this.durableRev : fromRevision, onEvent);
  }

  /**
   * Raise the compacted revision to `revision` (clamped to the current revision) durably, then
   * delete the history at or below it. Resolves when the deletion is done, except for events a
   * replaying watcher still needs: those go once the replay has passed them.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const target = Math.min(Math.floor(revision), this.durableRev);
    if (target > this.compacted) {
      this.stSetMeta.run(target, 'compacted');
      this.compacted = target;
    }
    await this.prune();
  }

  /**
   * Automatic compaction (also run by the timer): compact everything older than both the last
   * `historyRetentionEvents` events and the last `historyRetentionMs` milliseconds.
   * Returns the compacted revision.
   */
  async compactExpired(): Promise<number> {
    if (this.closed || this.autoCompacting) return this.compacted;
    this.autoCompacting = true;
    try {
      const byCount = this.durableRev - this.retentionEvents;
      if (byCount <= this.compacted) return this.compacted;
      const cutoff = this.now() - this.retentionMs;
      // Event timestamps are monotonic in revision: binary-search the first revision in
      // (compacted, byCount] committed at or after the cutoff; compact everything before it.
      let lo = this.compacted + 1;
      let hi = byCount + 1;
      while (lo < hi) {
        const mid = lo + Math.floor((hi - lo) / 2);
        const ts = this.stTsAtOrAfter.get(mid);
        if (ts === undefined || ts >= cutoff) hi = mid;
        else lo = mid + 1;
      }
      const target = lo - 1;
      if (target > this.compacted) await this.compact(target);
      return this.compacted;
    } finally {
      this.autoCompacting = false;
    }
  }

  /** Commits queued writes, stops watchers and the compaction timer, and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushHandle) {
      clearImmediate(this.flushHandle);
      this.flushHandle = undefined;
    }
    while (this.queue.length) this.flush(true);
    if (this.flushHandle) {
      clearImmediate(this.flushHandle);
      this.flushHandle = undefined;
    }
    await this.waitDurable(this.rev);
    this.closed = true;
    if (this.checkpointing) await this.checkpointing;
    await this.checkpointer?.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
    if (this.timer) clearInterval(this.timer);
    this.hub.stopAll();
    if (this.pruning) await this.pruning.catch(() => undefined);
    this.db.close();
  }

  // ---- writes ----

  private enqueue(
    make: (resolve: (kv: KeyValue) => void, reject: (err: Error) => void) => Op,
    key: string,
    value: string,
  ): Promise<KeyValue> {
    return new Promise<KeyValue>((resolve, reject) => {
      if (this.closed) return reject(new Error('store is closed'));
      if (typeof key !== 'string' || key === '') return reject(new TypeError('key must be a non-empty string'));
      if (typeof value !== 'string') return reject(new TypeError('value must be a string'));
      this.queue.push(make(resolve, reject));
      if (!this.flushHandle) this.flushHandle = setImmediate(() => this.flush());
    });
  }

  /**
   * Commit the queued writes as one transaction, then start their sync. While a sync runs the
   * queue is left to grow until OVERLAP_MIN_BATCH writes wait (then a second sync starts) or the
   * sync ends (then the next sync to finish flushes it): under load, batches get bigger and each
   * write costs fewer WAL pages. `force` commits regardless (close()).
   */
  private flush(force = false): void {
    this.flushHandle = undefined;
    if (this.queue.length === 0) return;
    if (!force && this.holdCommits) return;
    if (!force && this.walPath && this.syncsInFlight > 0) {
      if (this.syncsInFlight >= MAX_SYNCS_IN_FLIGHT || this.queue.length < OVERLAP_MIN_BATCH) return;
    }
    let batch: Op[];
    if (this.queue.length > this.maxBatch) {
      batch = this.queue.splice(0, this.maxBatch);
      this.flushHandle = setImmediate(() => this.flush());
    } else {
      batch = this.queue;
      this.queue = [];
    }
    const ts = Math.max(this.now(), this.lastTs);
    let outcome: BatchOutcome;
    try {
      outcome = this.commitBatch(batch, ts);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      for (const op of batch) op.reject(e);
      return;
    }
    for (const [key, row] of outcome.touched) (row ? this.current.set(key, row) : this.current.delete(key));
    this.lastTs = ts;
    this.rev = outcome.rev;
    this.counters.batches++;
    this.counters.writes += batch.length;
    if (batch.length > this.counters.maxBatch) this.counters.maxBatch = batch.length;
    this.pendingDurable.push({ rev: outcome.rev, events: outcome.events, batch, results: outcome.results });
    this.flushDurable();
    if (++this.commitsSinceCheckpoint >= this.checkpointEvery) this.maybeCheckpoint();
  }

  /**
   * fdatasync the WAL on the thread pool. One sync covers every batch committed before it started,
   * so whichever sync finishes settles every batch it covers (two may finish out of order).
   */
  private flushDurable(): void {
    if (this.syncsInFlight >= MAX_SYNCS_IN_FLIGHT || this.pendingDurable.length === 0) return;
    const upTo = this.pendingDurable[this.pendingDurable.length - 1]!.rev;
    if (upTo <= this.syncedUpTo) {
      // Nothing new to sync (a batch whose writes all failed): settle it once what it follows is.
      if (upTo <= this.durableRev) this.settleDurable(upTo, undefined);
      return;
    }
    if (!this.walPath) {
      this.settleDurable(upTo, undefined);
      return;
    }
    let fd: number;
    try {
      fd = this.walFd ??= this.openWal();
    } catch (err) {
      this.settleDurable(upTo, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.syncsInFlight++;
    this.syncedUpTo = upTo;
    fdatasync(fd, (err) => {
      this.syncsInFlight--;
      this.settleDurable(upTo, err ?? undefined);
      if (this.queue.length && !this.closed) this.flush();
      this.flushDurable();
    });
  }

  /**
   * Start a WAL checkpoint on the worker thread unless one runs. Commits go on meanwhile (the
   * checkpoint copies what was committed when it started), so under steady writes the WAL never
   * empties: once it holds more than walHoldFrames frames, commits wait (writes queue) until a
   * checkpoint has copied everything; the next commit then starts the WAL over.
   */
  private maybeCheckpoint(): void {
    if (this.checkpointing || this.closed) return;
    this.commitsSinceCheckpoint = 0;
    const cp = this.checkpointer;
    if (!cp) {
      // No worker (it failed): checkpoint here, as SQLite's automatic checkpoint would.
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.counters.checkpoints++;
      return;
    }
    const commitsBefore = this.counters.batches;
    this.checkpointing = cp.run().then(
      (r) => {
        this.checkpointing = undefined;
        this.counters.checkpoints++;
        // Complete only if it copied every frame and nothing was committed meanwhile (frames
        // appended during it are in the WAL but not in r.walFrames).
        const complete = !r.busy && r.checkpointed >= r.walFrames && this.counters.batches === commitsBefore;
        if (complete) {
          if (this.holdCommits) {
            this.holdCommits = false;
            this.flush();
          }
        } else if (r.walFrames > this.walHoldFrames && !this.closed) {
          if (!this.holdCommits) this.counters.checkpointHolds++;
          this.holdCommits = true;
          this.maybeCheckpoint();
        } else if (this.holdCommits) {
          this.maybeCheckpoint();
        }
      },
      (err: unknown) => {
        this.checkpointing = undefined;
        warn(err);
        // Fall back to checkpoints on this thread.
        this.checkpointer = undefined;
        void cp.close();
        if (this.holdCommits) {
          this.holdCommits = false;
          if (!this.closed) this.flush();
        }
      },
    );
  }

  private openWal(): number {
    const fd = openSync(this.walPath!, 'r');
    // The WAL file's directory entry must be durable too (once, when the file is first used).
    const dir = openSync(dirname(this.walPath!), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return fd;
  }

  /** Pending batches up to revision `upTo` are on disk (or failed to get there): tell watchers and writers. */
  private settleDurable(upTo: number, err: Error | undefined): void {
    let n = 0;
    while (n < this.pendingDurable.length && this.pendingDurable[n]!.rev <= upTo) n++;
    if (n === 0) return;
    const done = this.pendingDurable.splice(0, n);
    for (const p of done) {
      this.durableRev = p.rev;
      this.hub.deliver(p.events);
      for (let i = 0; i < p.batch.length; i++) {
        const r = p.results[i]!;
        if (err) p.batch[i]!.reject(new Error(`write committed but not confirmed on disk: ${err.message}`));
        else if (r instanceof Error) p.batch[i]!.reject(r);
        else p.batch[i]!.resolve(r);
      }
    }
    if (err) warn(err);
    if (this.durableWaiters.length) {
      const still: { rev: number; resolve: () => void }[] = [];
      for (const w of this.durableWaiters) (w.rev <= this.durableRev ? w.resolve() : still.push(w));
      this.durableWaiters = still;
    }
  }

  /** Resolves once every batch up to `rev` is on disk. */
  private waitDurable(rev: number): Promise<void> {
    if (rev <= this.durableRev) return Promise.resolve();
    return new Promise<void>((resolve) => this.durableWaiters.push({ rev, resolve }));
  }

  /** The committed row of a key (from the cache, else SQLite, then cached). Not for use inside a transaction. */
  private currentRow(key: string): KvRow | undefined {
    const cached = this.current.get(key);
    if (cached) return cached;
    const row = this.stGet.get(key);
    if (row) this.current.set(key, row);
    return row;
  }

  /** Runs inside the transaction; throwing rolls the whole batch back. */
  private applyBatch(ops: Op[], ts: number): BatchOutcome {
    let rev = this.rev;
    const results: Array<KeyValue | Error> = [];
    const events: StoreEvent[] = [];
    // Rows this batch wrote: later ops of the batch see them; the cache learns them only after the commit.
    const touched = new Map<string, KvRow | null>();
    for (const op of ops) {
      const key = op.key;
      const mine = touched.get(key);
      const row = mine !== undefined ? (mine ?? undefined) : (this.current.get(key) ?? this.stGet.get(key));
      if (op.kind === 'create') {
        if (row) {
          results.push(new StoreKeyExistsError(key));
          continue;
        }
        rev++;
        this.stInsertKv.run(key, rev, rev);
        this.stInsertEvent.run(rev, key, 0, op.value, rev, rev, null, null, ts);
        touched.set(key, [op.value, rev, rev]);
        results.push({ key, value: op.value, createRevision: rev, modRevision: rev });
        events.push(freezeEvent({ type: 'put', key, kv: { key, value: op.value, createRevision: rev, modRevision: rev }, revision: rev }));
        continue;
      }
      if (!row) {
        results.push(new StoreKeyNotFoundError(key));
        continue;
      }
      const [oldValue, createRev, oldMod] = row;
      if (op.cmp?.expectModRevision !== undefined && op.cmp.expectModRevision !== oldMod) {
        results.push(new StoreConflictError(key, oldMod));
        continue;
      }
      rev++;
      const old: KeyValue = { key, value: oldValue, createRevision: createRev, modRevision: oldMod };
      if (op.kind === 'update') {
        this.stUpdateKv.run(rev, key);
        this.stInsertEvent.run(rev, key, 0, op.value, createRev, rev, oldValue, oldMod, ts);
        touched.set(key, [op.value, createRev, rev]);
        results.push({ key, value: op.value, createRevision: createRev, modRevision: rev });
        events.push(
          freezeEvent({ type: 'put', key, kv: { key, value: op.value, createRevision: createRev, modRevision: rev }, prev: old, revision: rev }),
        );
      } else {
        this.stDeleteKv.run(key);
        this.stInsertEvent.run(rev, key, 1, oldValue, createRev, oldMod, null, null, ts);
        touched.set(key, null);
        results.push({ ...old });
        events.push(freezeEvent({ type: 'delete', key, kv: old, prev: { ...old }, revision: rev }));
      }
    }
    return { results, events, rev, touched };
  }

  // ---- history ----

  private readHistory(prefix: string, after: number, upto: number): StoreEvent[] {
    this.checkOpen();
    const end = prefixEnd(prefix);
    const shape = `${prefix === '' ? '' : 'lo'}|${end !== undefined ? 'end' : ''}`;
    let st = this.historyStatements.get(shape);
    if (!st) {
      st = this.db
        .prepare<unknown[], EventRow>(
          `SELECT ${EVENT_COLS} FROM events WHERE rev > ? AND rev <= ?` +
            (prefix === '' ? '' : ' AND key >= ?') +
            (end !== undefined ? ' AND key < ?' : '') +
            ' ORDER BY rev',
        )
        .raw(true);
      this.historyStatements.set(shape, st);
    }
    const params: unknown[] = [after, upto];
    if (prefix !== '') params.push(prefix);
    if (end !== undefined) params.push(end);
    return st.all(...params).map(rowToEvent);
  }

  /** Physically delete compacted events, in chunks, never above what a replaying watcher needs. */
  private prune(): Promise<void> {
    if (this.pruning) return this.pruning;
    const run = async (): Promise<void> => {
      for (;;) {
        if (this.closed) return;
        const limit = Math.min(this.compacted, this.hub.physicalCompactionLimit());
        if (this.prunedTo >= limit) return;
        const upto = Math.min(limit, this.prunedTo + PRUNE_CHUNK);
        this.pruneChunk(this.prunedTo, upto);
        this.prunedTo = upto;
        if (upto < limit) await new Promise<void>((r) => setImmediate(r));
      }
    };
    this.pruning = run().finally(() => {
      this.pruning = undefined;
    });
    return this.pruning;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

/**
 * Schema 1 kept each current value in kv as well as in events. Give every current value an events
 * row (compaction may have deleted the one it came from), then drop kv's value column.
 */
function migrateToSchema2(db: Database.Database, meta: Map<string, number>): void {
  db.transaction(() => {
    const lo = db.prepare('SELECT min(rev) FROM events').pluck().get() as number | null;
    const rev = Math.max(meta.get('rev') ?? 0, (db.prepare('SELECT max(rev) FROM events').pluck().get() as number | null) ?? 0);
    db.exec(`
      INSERT INTO events (rev, key, type, value, create_rev, mod_rev, prev_value, prev_mod_rev, ts)
        SELECT kv.mod_rev, kv.key, 0, kv.value, kv.create_rev, kv.mod_rev, NULL, NULL, 0 FROM kv
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.rev = kv.mod_rev);
      CREATE TABLE kv2 (key TEXT PRIMARY KEY, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO kv2 (key, create_rev, mod_rev) SELECT key, create_rev, mod_rev FROM kv;
      DROP TABLE kv;
      ALTER TABLE kv2 RENAME TO kv;
    `);
    const pruned = lo === null ? rev : lo - 1;
    const setMeta = db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)');
    setMeta.run('rev', rev);
    setMeta.run('pruned', pruned);
    setMeta.run('schema', 2);
    meta.set('rev', rev);
    meta.set('pruned', pruned);
    meta.set('schema', 2);
  })();
}

function rowToEvent(r: EventRow): StoreEvent {
  const [rev, key, type, value, createRev, modRev, prevValue, prevModRev] = r;
  const kv: KeyValue = { key, value, createRevision: createRev, modRevision: modRev };
  if (type === 1) return freezeEvent({ type: 'delete', key, kv, prev: { ...kv }, revision: rev });
  const prev: KeyValue | undefined =
    prevModRev !== null && prevValue !== null
      ? { key, value: prevValue, createRevision: createRev, modRevision: prevModRev }
      : undefined;
  return freezeEvent(prev ? { type: 'put', key, kv, prev, revision: rev } : { type: 'put', key, kv, revision: rev });
}


function warn(err: unknown): void {
  process.emitWarning(`slipway storage: ${err instanceof Error ? err.message : String(err)}`);
}
