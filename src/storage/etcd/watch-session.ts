/**
 * etcd watches multiplexed on one gRPC Watch stream, resumed after the stream breaks (member
 * restart, leader loss, network): each watch is created again on a fresh stream (the next endpoint)
 * from the revision after the last event it received, so nothing is missed or repeated.
 *
 * A watch only advances on its own events: the header revision of a response is not used, since
 * etcd stamps a catching-up watcher's responses with the current revision, not its progress.
 */
import type { EtcdClient, WatchStream } from './etcd-client.js';
import type { EventMsg, WatchResponseMsg } from './proto.js';

export interface EtcdWatchHandler {
  /** The events of one response, in revision order (never one already delivered). */
  onEvents(events: EventMsg[]): void;
  /** etcd ended the watch: its next revision is compacted away (events were lost). */
  onCompacted(compactRevision: number): void;
  /** etcd ended the watch for another reason (permissions, bad range). */
  onCanceled(reason: string): void;
}

export interface EtcdWatchSpec {
  start: Buffer;
  end: Buffer;
  /** First revision to deliver. */
  startRevision: number;
  prevKv: boolean;
}

export interface EtcdWatchHandle {
  /** Resolves once etcd confirmed the watch the first time. */
  readonly ready: Promise<void>;
  /** The revision after the last event delivered. */
  nextRevision(): number;
  cancel(): void;
}

interface Entry {
  readonly id: number;
  readonly spec: EtcdWatchSpec;
  readonly handler: EtcdWatchHandler;
  nextRev: number;
  /** Created on the current stream. */
  created: boolean;
  confirmed: () => void;
}

export interface EtcdWatchSessionOptions {
  /** Reconnect backoff bounds (default 50 ms .. 2 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told of each stream failure (for logs and tests). */
  onStreamError?: (err: Error) => void;
}

export class EtcdWatchSession {
  private readonly entries = new Map<number, Entry>();
  private stream: WatchStream | undefined;
  private nextId = 1;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Stream failures so far. */
  private failures = 0;

  constructor(
    private readonly client: EtcdClient,
    private readonly opts: EtcdWatchSessionOptions = {},
  ) {
    this.backoffMs = opts.minBackoffMs ?? 50;
  }

  /** Stream failures since the session started. */
  streamFailures(): number {
    return this.failures;
  }

  add(spec: EtcdWatchSpec, handler: EtcdWatchHandler): EtcdWatchHandle {
    if (this.closed) throw new Error('etcd watch session is closed');
    let confirmed!: () => void;
    const ready = new Promise<void>((r) => (confirmed = r));
    const entry: Entry = { id: this.nextId++, spec, handler, nextRev: spec.startRevision, created: false, confirmed };
    this.entries.set(entry.id, entry);
    if (this.stream) this.sendCreate(this.stream, entry);
    else this.connect();
    return {
      ready,
      nextRevision: () => entry.nextRev,
      cancel: () => this.cancel(entry),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.entries.clear();
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.cancel();
    }
  }

  private cancel(entry: Entry): void {
    if (!this.entries.delete(entry.id)) return;
    if (this.stream && entry.created) this.stream.write({ cancel: { watchId: entry.id } });
    // Not created yet: the created response finds no entry and cancels it then.
  }

  private connect(): void {
    if (this.closed || this.stream || this.reconnectTimer) return;
    let s: WatchStream;
    try {
      s = this.client.watch();
    } catch (err) {
      this.broken(undefined, err);
      return;
    }
    this.stream = s;
    s.on('data', (res: WatchResponseMsg) => this.onResponse(s, res));
    s.on('error', (err: Error) => this.broken(s, err));
    s.on('end', () => this.broken(s, new Error('etcd watch stream ended')));
    for (const e of this.entries.values()) this.sendCreate(s, e);
  }

  private sendCreate(s: WatchStream, e: Entry): void {
    e.created = false;
    s.write({
      create: {
        key: e.spec.start,
        rangeEnd: e.spec.end,
        startRevision: e.nextRev,
        prevKv: e.spec.prevKv,
        watchId: e.id,
      },
    });
  }

  private broken(s: WatchStream | undefined, err: unknown): void {
    if (this.closed || (s && s !== this.stream)) return;
    this.failures++;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.cancel();
    }
    this.stream = undefined;
    for (const e of this.entries.values()) e.created = false;
    this.opts.onStreamError?.(err instanceof Error ? err : new Error(String(err)));
    this.client.rotate();
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 2_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.entries.size > 0) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private onResponse(s: WatchStream, res: WatchResponseMsg): void {
    if (s !== this.stream) return;
    const entry = this.entries.get(res.watchId);
    if (!entry) {
      // A watch cancelled before etcd confirmed it.
      if (res.created && !res.canceled) s.write({ cancel: { watchId: res.watchId } });
      return;
    }
    if (res.canceled) {
      this.entries.delete(entry.id);
      entry.confirmed();
      if (res.compactRevision > 0) entry.handler.onCompacted(res.compactRevision);
      else entry.handler.onCanceled(res.cancelReason || 'watch canceled by etcd');
      return;
    }
    if (res.created) {
      entry.created = true;
      this.backoffMs = this.opts.minBackoffMs ?? 50;
      entry.confirmed();
    }
    if (res.events.length === 0) return;
    let events = res.events;
    if (events[0]!.kv.modRevision < entry.nextRev) events = events.filter((ev) => ev.kv.modRevision >= entry.nextRev);
    if (events.length === 0) return;
    entry.nextRev = events[events.length - 1]!.kv.modRevision + 1;
    entry.handler.onEvents(events);
  }
}
