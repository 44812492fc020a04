/**
 * The recent events of a store's keyspace, kept in memory (in revision order) so that watchers
 * replay from memory instead of asking etcd again. Holds every keyspace event with revision
 * > coveredFrom(); the oldest are dropped beyond a count and a size budget.
 */
import type { StoreEvent } from '../store.js';

export interface EventHistoryLimits {
  /** Keep at most this many events (default 10,000). */
  maxEvents?: number;
  /** Keep at most about this many bytes of keys and values (default 64 MiB). */
  maxBytes?: number;
}

export class EventHistory {
  private events: StoreEvent[] = [];
  /** Index of the oldest kept event in `events` (dropped ones are sliced off in bulk). */
  private head = 0;
  private bytes = 0;
  private covered: number;
  private readonly maxEvents: number;
  private readonly maxBytes: number;

  constructor(coveredFrom: number, limits: EventHistoryLimits = {}) {
    this.covered = coveredFrom;
    this.maxEvents = Math.max(1, limits.maxEvents ?? 10_000);
    this.maxBytes = Math.max(1, limits.maxBytes ?? 64 * 1024 * 1024);
  }

  /** Every event with a revision above this is held (up to the newest appended). */
  coveredFrom(): number {
    return this.covered;
  }

  get size(): number {
    return this.events.length - this.head;
  }

  append(e: StoreEvent): void {
    this.events.push(e);
    this.bytes += eventBytes(e);
  }

  /**
   * Drop the oldest events while over budget, but none above `keepAbove` (a replaying watcher
   * still reads them).
   */
  trim(keepAbove: number): void {
    while (this.size > 0 && (this.size > this.maxEvents || this.bytes > this.maxBytes)) {
      const oldest = this.events[this.head]!;
      if (oldest.revision > keepAbove) break;
      this.bytes -= eventBytes(oldest);
      this.covered = oldest.revision;
      this.events[this.head] = undefined as unknown as StoreEvent;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /** Forget everything: events after `revision` are not known (yet). */
  reset(revision: number): void {
    this.events = [];
    this.head = 0;
    this.bytes = 0;
    this.covered = revision;
  }

  /** Events on keys under prefix with after < revision <= upto, in revision order. */
  read(prefix: string, after: number, upto: number): StoreEvent[] {
    if (after < this.covered) throw new Error(`history before revision ${this.covered + 1} is no longer held (asked from ${after + 1})`);
    const out: StoreEvent[] = [];
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.revision <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.revision > upto) break;
      if (e.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }
}

function eventBytes(e: StoreEvent): number {
  // Key and values (UTF-16 in memory), plus a fixed overhead per object.
  return 2 * (e.key.length + e.kv.value.length + (e.prev && e.prev !== e.kv ? e.prev.value.length : 0)) + 200;
}
