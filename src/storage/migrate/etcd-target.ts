/**
 * The target of a migration: a key prefix on etcd. Keys are copied with transactions of many
 * puts, each put guarded by "the key does not exist yet" so nothing already there is overwritten.
 */
import { EtcdClient, type EtcdTlsOptions } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/errors.js';
import { KeySpace, keyAfter } from '../etcd/keys.js';
import { CompareResult, CompareTarget, type TxnRequestMsg, type TxnResponseMsg } from '../etcd/proto.js';
import { MigrationError } from './errors.js';
import { KeyValueDigest, type DigestResult } from './digest.js';

export interface EtcdTargetOptions {
  endpoints: string[];
  prefix?: string;
  tls?: EtcdTlsOptions;
  /** How long a request that cannot have been applied is retried (default 30 s). */
  retryTimeoutMs?: number;
}

export interface TargetKeyValue {
  key: string;
  value: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EtcdTarget {
  private readonly client: EtcdClient;
  private readonly keys: KeySpace;
  private readonly retryTimeoutMs: number;

  constructor(opts: EtcdTargetOptions) {
    this.client = new EtcdClient({ endpoints: opts.endpoints, tls: opts.tls });
    this.keys = new KeySpace(opts.prefix ?? '');
    this.retryTimeoutMs = opts.retryTimeoutMs ?? 30_000;
  }

  get prefix(): string {
    return this.keys.prefix;
  }

  /**
   * The first Store key under the prefix, if any. Store keys start with "/": etcd keys that merely
   * share the prefix's text (another plane's "/p2/..." next to "/p", kube-apiserver's
   * compact_rev_key under the empty prefix) are not the plane's.
   */
  async firstKey(pageSize = 1000): Promise<string | undefined> {
    const range = this.keys.range('');
    let start = range.start;
    for (;;) {
      const from = start;
      const res = await this.call('reading the target', () => this.client.range({ key: from, rangeEnd: range.end, limit: pageSize, keysOnly: true }));
      for (const kv of res.kvs) {
        const key = this.keys.decode(kv.key);
        if (isStoreKey(key)) return key;
      }
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) return undefined;
      start = keyAfter(last.key);
    }
  }

  /** etcd's current revision. */
  async revision(): Promise<number> {
    const range = this.keys.range('');
    const res = await this.call('reading the target', () => this.client.range({ key: range.start, rangeEnd: range.end, countOnly: true }));
    return res.header.revision;
  }

  /** Creates every key of the batch in one transaction; refuses (names a key) if any exists. */
  async createAll(batch: TargetKeyValue[]): Promise<number> {
    const encoded = batch.map((kv) => ({ key: this.keys.encode(kv.key), value: Buffer.from(kv.value, 'utf8') }));
    const req: TxnRequestMsg = {
      compare: encoded.map((kv) => ({ result: CompareResult.EQUAL, target: CompareTarget.CREATE, key: kv.key, operand: 0 })),
      success: encoded.map((kv) => ({ put: { key: kv.key, value: kv.value } })),
      failure: [],
    };
    const res: TxnResponseMsg = await this.call(`writing keys from ${batch[0]?.key ?? "(none)"}`, () => this.client.txn(req));
    if (!res.succeeded) {
      const existing = await this.firstExisting(batch);
      throw new MigrationError(`the target already holds ${this.prefix}${existing ?? batch[0]?.key}: is another migration or plane writing to this prefix?`);
    }
    return res.header.revision;
  }

  /** Count and checksum of every Store key under the prefix but `skip`, in key order (paged reads). */
  async digest(skip: Set<string>, pageSize = 1000): Promise<DigestResult> {
    const range = this.keys.range('');
    const d = new KeyValueDigest();
    let start = range.start;
    let revision: number | undefined;
    for (;;) {
      const from = start;
      const res = await this.call('reading back the target', () => this.client.range({ key: from, rangeEnd: range.end, limit: pageSize, revision }));
      revision ??= res.header.revision;
      for (const kv of res.kvs) {
        const key = this.keys.decode(kv.key);
        if (isStoreKey(key) && !skip.has(key)) d.add(key, kv.value);
      }
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) break;
      start = keyAfter(last.key);
    }
    return d.result();
  }

  close(): void {
    this.client.close();
  }

  private async firstExisting(batch: TargetKeyValue[]): Promise<string | undefined> {
    for (const kv of batch) {
      const res = await this.call('reading the target', () => this.client.range({ key: this.keys.encode(kv.key), keysOnly: true }));
      if (res.kvs.length) return kv.key;
    }
    return undefined;
  }

  /** Runs an etcd call, retrying while it cannot have taken effect; errors say what was being done. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryTimeoutMs;
    let delay = 100;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        const retry = err instanceof EtcdRequestError && (err.kind === 'not-sent' || err.kind === 'rejected');
        if (!retry || Date.now() + delay > deadline) {
          throw new MigrationError(`--to: etcd failed ${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  }
}

function isStoreKey(key: string | undefined): key is string {
  return key !== undefined && key.startsWith('/');
}
