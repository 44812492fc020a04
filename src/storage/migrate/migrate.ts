/**
 * `slipway migrate`: copy a stopped plane's SQLite state into an etcd prefix, so that
 * `slipway server --storage etcd` serves the same objects. Steps: refuse a non-empty target; copy
 * every key in key order with transactions of up to `batchKeys` puts (several in flight); compare
 * count and checksum of both sides; only then write the revision offset (the source's revision,
 * see revision-offset.ts) — so its presence marks a complete, verified copy.
 */
import type { EtcdTlsOptions } from '../etcd/etcd-client.js';
import { encodeRevisionOffset, REVISION_OFFSET_KEY } from '../revision-offset.js';
import { KeyValueDigest, type DigestResult } from './digest.js';
import { MigrationError } from './errors.js';
import { EtcdTarget, type TargetKeyValue } from './etcd-target.js';
import { SqliteSource } from './sqlite-source.js';

export interface MigrateSqliteToEtcdOptions {
  /** A Slipway data dir (with state.db) or the state.db file. */
  from: string;
  to: { endpoints: string[]; prefix?: string; tls?: EtcdTlsOptions };
  /** Puts per transaction (default 100; etcd allows 128 by default). */
  batchKeys?: number;
  /** Bytes per transaction at most (default 1 MiB; etcd takes requests up to 1.5 MiB by default). */
  batchBytes?: number;
  /** Transactions in flight (default 4). */
  parallel?: number;
  /** Called at most once per `progressIntervalMs` (default 2 s) while copying. */
  onProgress?: (p: MigrationProgress) => void;
  progressIntervalMs?: number;
  /** Clock for progress and the summary (default Date.now). */
  now?: () => number;
}

export interface MigrationProgress {
  copiedKeys: number;
  totalKeys: number;
  copiedBytes: number;
}

export interface MigrationSummary {
  source: string;
  keys: number;
  bytes: number;
  seconds: number;
  /** The source's revision, which became the offset of every revision on the target. */
  sourceRevision: number;
  offset: number;
  /** Both sides' checksum (SHA-256 over keys and values in key order). */
  sha256: string;
}

/** Copies, verifies, then marks the target with the revision offset. Throws MigrationError on refusal or mismatch. */
export async function migrateSqliteToEtcd(opts: MigrateSqliteToEtcdOptions): Promise<MigrationSummary> {
  const now = opts.now ?? Date.now;
  const started = now();
  const batchKeys = clamp(opts.batchKeys ?? 100, 1, 128);
  const batchBytes = Math.max(1, opts.batchBytes ?? 1024 * 1024);
  const parallel = clamp(opts.parallel ?? 4, 1, 64);
  const interval = opts.progressIntervalMs ?? 2000;

  const source = SqliteSource.open(opts.from);
  const target = new EtcdTarget(opts.to);
  try {
    const existing = await target.firstKey();
    if (existing !== undefined) {
      throw new MigrationError(
        `--to: the target prefix "${target.prefix}" already holds keys (first: ${target.prefix}${existing}); migrate into an empty prefix (--etcd-prefix) or delete those keys first`,
      );
    }
    const sourceDigest = new KeyValueDigest();
    const progress: MigrationProgress = { copiedKeys: 0, totalKeys: source.keys, copiedBytes: 0 };
    let lastReport = now();
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const send = (batch: TargetKeyValue[], bytes: number): void => {
      const p = target.createAll(batch).then(
        () => {
          progress.copiedKeys += batch.length;
          progress.copiedBytes += bytes;
          if (opts.onProgress && now() - lastReport >= interval) {
            lastReport = now();
            opts.onProgress({ ...progress });
          }
        },
        (err: unknown) => {
          failure ??= err;
        },
      );
      const tracked = p.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };

    let after = '';
    let batch: TargetKeyValue[] = [];
    let bytes = 0;
    for (;;) {
      const page = source.page(after, 1000);
      for (const kv of page) {
        sourceDigest.add(kv.key, kv.value);
        const size = Buffer.byteLength(kv.key) + Buffer.byteLength(kv.value);
        if (batch.length && (batch.length >= batchKeys || bytes + size > batchBytes)) {
          send(batch, bytes);
          batch = [];
          bytes = 0;
          while (inFlight.size >= parallel) await Promise.race(inFlight);
          if (failure) throw failure;
        }
        batch.push(kv);
        bytes += size;
      }
      const last = page[page.length - 1];
      if (!last) break;
      after = last.key;
    }
    if (batch.length) send(batch, bytes);
    await Promise.all(inFlight);
    if (failure) throw failure;
    opts.onProgress?.({ ...progress });

    const want = sourceDigest.result();
    const got = await target.digest(new Set([REVISION_OFFSET_KEY]));
    if (!sameDigest(want, got)) {
      throw new MigrationError(
        `verification failed: the source has ${want.keys} keys (${want.bytes} bytes, sha256 ${want.sha256}), the target ${got.keys} keys (${got.bytes} bytes, sha256 ${got.sha256}); the target prefix "${target.prefix}" is not usable (no revision offset was written)`,
      );
    }
    await target.createAll([
      {
        key: REVISION_OFFSET_KEY,
        value: encodeRevisionOffset({ offset: source.revision, source: `sqlite:${source.path}`, migratedAt: new Date(now()).toISOString() }),
      },
    ]);
    return {
      source: source.path,
      keys: want.keys,
      bytes: want.bytes,
      seconds: (now() - started) / 1000,
      sourceRevision: source.revision,
      offset: source.revision,
      sha256: want.sha256,
    };
  } finally {
    source.close();
    target.close();
  }
}

function sameDigest(a: DigestResult, b: DigestResult): boolean {
  return a.keys === b.keys && a.bytes === b.bytes && a.sha256 === b.sha256;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(n)));
}
