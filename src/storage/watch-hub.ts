/**
 * Watch fan-out shared by the stores.
 *
 * A watcher starts in "replay" mode: history events with revision in (lastRev, currentRevision]
 * are read from the store's history in bounded revision windows, one window per event-loop turn.
 * Live events committed meanwhile are ignored by a replaying watcher (they are in the history and
 * the next window picks them up). When a window reaches the current revision the watcher turns
 * "live" in the same synchronous step, so no commit can slip in between: no gaps, no duplicates.
 *
 * While a watcher replays, the store must not physically delete history above `lastRev`
 * (see {@link WatchHub.physicalCompactionLimit}); the logical compacted revision may still advance.
 */
import type { StoreEvent, Watcher } from './store.js';

/** Reads history events for keys under prefix with afterRev < revision <= uptoRev, in revision order. */
export type HistoryReader = (prefix: string, afterRev: number, uptoRev: number) => StoreEvent[];

interface WatchState {
  readonly prefix: string;
  readonly onEvent: (e: StoreEvent) => void;
  /** Highest revision this watcher has seen (delivered or skipped as not matching). */
  lastRev: number;
  live: boolean;
  stopped: boolean;
}

export interface WatchHubOptions {
  /** The store's committed revision. */
  currentRevision: () => number;
  readHistory: HistoryReader;
  /** Revisions covered per replay step (default 2,000). */
  replayWindow?: number;
  /** Called whenever a watcher leaves replay mode (finished or stopped). */
  onReplayDone?: () => void;
}

export class WatchHub {
  private readonly watchers = new Set<WatchState>();
  /**
   * Live delivery looks watchers up by the key's prefixes at each "/" (every list/watch prefix ends with one), so an
   * event costs O(key segments), not O(watchers): thousands of workload clusters each keep watches of their own.
   */
  private readonly byPrefix = new Map<string, Set<WatchState>>();
  /** Watchers whose prefix does not end in "/" (checked one by one). */
  private readonly unindexed = new Set<WatchState>();
  private readonly replaying = new Set<WatchState>();
  private readonly window: number;

  constructor(private readonly opts: WatchHubOptions) {
    this.window = Math.max(1, opts.replayWindow ?? 2000);
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Register a watcher for events with revision > fromRevision (caller has validated fromRevision). */
  add(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): Watcher {
    const w: WatchState = { prefix, onEvent, lastRev: fromRevision, live: false, stopped: false };
    this.watchers.add(w);
    if (prefix.endsWith('/')) {
      let set = this.byPrefix.get(prefix);
      if (!set) this.byPrefix.set(prefix, (set = new Set()));
      set.add(w);
    } else this.unindexed.add(w);
    if (fromRevision >= this.opts.currentRevision()) {
      w.live = true;
    } else {
      this.replaying.add(w);
      setImmediate(() => this.replayStep(w));
    }
    return {
      stop: () => {
        if (w.stopped) return;
        w.stopped = true;
        this.forget(w);
        if (this.replaying.delete(w)) this.opts.onReplayDone?.();
      },
    };
  }

  private forget(w: WatchState): void {
    this.watchers.delete(w);
    this.unindexed.delete(w);
    const set = this.byPrefix.get(w.prefix);
    if (set?.delete(w) && set.size === 0) this.byPrefix.delete(w.prefix);
  }

  /** Deliver freshly committed events (ascending revisions) to live watchers. */
  deliver(events: readonly StoreEvent[]): void {
    if (this.watchers.size === 0 || events.length === 0) return;
    const unindexed = this.unindexed.size ? [...this.unindexed] : undefined;
    for (const e of events) {
      const key = e.key;
      for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
        const set = this.byPrefix.get(key.slice(0, i + 1));
        if (set) for (const w of [...set]) this.offer(w, e);
      }
      if (unindexed) for (const w of unindexed) if (key.startsWith(w.prefix)) this.offer(w, e);
    }
  }

  private offer(w: WatchState, e: StoreEvent): void {
    if (!w.live || w.stopped || e.revision <= w.lastRev) return;
    w.lastRev = e.revision;
    call(w, e);
  }

  /**
   * History above this revision is still needed by a replaying watcher; the store may physically
   * drop events only at or below it. Infinity when nothing replays.
   */
  physicalCompactionLimit(): number {
    let min = Infinity;
    for (const w of this.replaying) if (w.lastRev < min) min = w.lastRev;
    return min;
  }

  stopAll(): void {
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
    this.byPrefix.clear();
    this.unindexed.clear();
    this.replaying.clear();
  }

  private replayStep(w: WatchState): void {
    if (w.stopped) return;
    const current = this.opts.currentRevision();
    const upto = Math.min(current, w.lastRev + this.window);
    let events: StoreEvent[];
    try {
      events = upto > w.lastRev ? this.opts.readHistory(w.prefix, w.lastRev, upto) : [];
    } catch (err) {
      // The store is unusable (closed / I/O error): end the watch rather than skip history.
      process.emitWarning(`slipway storage: watch replay failed: ${String(err)}`);
      this.forget(w);
      this.replaying.delete(w);
      w.stopped = true;
      this.opts.onReplayDone?.();
      return;
    }
    for (const e of events) {
      if (w.stopped) return;
      call(w, e);
    }
    if (w.stopped) return;
    w.lastRev = upto;
    if (upto >= current) {
      w.live = true;
      this.replaying.delete(w);
      this.opts.onReplayDone?.();
    } else {
      setImmediate(() => this.replayStep(w));
    }
  }
}

function call(w: WatchState, e: StoreEvent): void {
  try {
    w.onEvent(e);
  } catch (err) {
    process.emitWarning(`slipway storage: watch callback threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}

/** Smallest string greater than every string starting with prefix (undefined: no upper bound). */
/** Events are shared by every watcher (and a store's history): make one immutable, and return it. */
export function freezeEvent(e: StoreEvent): StoreEvent {
  Object.freeze(e.kv);
  if (e.prev) Object.freeze(e.prev);
  return Object.freeze(e);
}

export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}
