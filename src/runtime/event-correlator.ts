/**
 * client-go's EventCorrelator (tools/record/events_cache.go), the part that decides before anything is written:
 *  - spam filter: a token bucket per (source, involved object) — 25 events at once, then one per 5 minutes; events
 *    beyond it are dropped;
 *  - aggregation: when one (source, object, type, reason) has had 10 distinct messages within 10 minutes, further
 *    events become one aggregate Event, "(combined from similar events): <message>", whose count goes up.
 * Identical events (same object, type, reason and message) are counted by the recorder (the "logger" part).
 * Pure: the clock is a parameter, state is two bounded LRU maps.
 */

export interface EventCorrelatorOptions {
  /** Events a source may burst about one object (client-go defaultSpamBurst, 25). */
  spamBurst?: number;
  /** Refill rate of that bucket, events per second (client-go defaultSpamQPS, 1/300). */
  spamQps?: number;
  /** Distinct messages of one reason before aggregation (client-go defaultAggregateMaxEvents, 10). */
  aggregateMaxEvents?: number;
  /** Seconds after which a quiet reason starts afresh (client-go defaultAggregateIntervalInSeconds, 600). */
  aggregateIntervalSeconds?: number;
  /** Entries kept per cache (client-go maxLruCacheEntries, 4096). */
  cacheSize?: number;
}

/** What a recorded event is about (the parts of the correlation keys). */
export interface CorrelatedEvent {
  /** Source component and host, involved object apiVersion/kind/namespace/name/uid, joined. */
  objectKey: string;
  type: string;
  reason: string;
  message: string;
}

export type Correlation =
  /** Dropped by the spam filter. */
  | { skip: true }
  /** Write (or count) the event under `key`, with `message` (the aggregate's message when aggregated). */
  | { skip: false; key: string; message: string; aggregated: boolean };

export const AGGREGATE_MESSAGE_PREFIX = '(combined from similar events): ';

interface Bucket {
  tokens: number;
  atMs: number;
}

interface Aggregate {
  messages: Set<string>;
  lastMs: number;
}

function touch<V>(m: Map<string, V>, k: string, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  while (m.size > max) m.delete(m.keys().next().value as string);
}

export class EventCorrelator {
  private readonly buckets = new Map<string, Bucket>();
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly intervalMs: number;
  private readonly size: number;

  constructor(opts: EventCorrelatorOptions = {}) {
    this.burst = opts.spamBurst ?? 25;
    this.qps = opts.spamQps ?? 1 / 300;
    this.maxEvents = opts.aggregateMaxEvents ?? 10;
    this.intervalMs = (opts.aggregateIntervalSeconds ?? 600) * 1000;
    this.size = opts.cacheSize ?? 4096;
  }

  correlate(e: CorrelatedEvent, nowMs: number): Correlation {
    if (!this.accept(e.objectKey, nowMs)) return { skip: true };
    const aggregateKey = `${e.objectKey}\u0000${e.type}\u0000${e.reason}`;
    const fullKey = `${aggregateKey}\u0000${e.message}`;
    let rec = this.aggregates.get(aggregateKey);
    if (!rec || nowMs - rec.lastMs > this.intervalMs) rec = { messages: new Set(), lastMs: nowMs };
    rec.messages.add(e.message);
    rec.lastMs = nowMs;
    touch(this.aggregates, aggregateKey, rec, this.size);
    if (rec.messages.size < this.maxEvents) return { skip: false, key: fullKey, message: e.message, aggregated: false };
    // Keep the set from growing past the threshold (client-go pops any one).
    rec.messages.delete(rec.messages.values().next().value as string);
    return { skip: false, key: aggregateKey, message: AGGREGATE_MESSAGE_PREFIX + e.message, aggregated: true };
  }

  /** Token bucket of the source+object: take one token if there is one. */
  private accept(key: string, nowMs: number): boolean {
    let b = this.buckets.get(key);
    if (!b) b = { tokens: this.burst, atMs: nowMs };
    else b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, nowMs - b.atMs) / 1000) * this.qps);
    b.atMs = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    touch(this.buckets, key, b, this.size);
    return ok;
  }
}
