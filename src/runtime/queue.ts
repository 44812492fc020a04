/**
 * The controller work queue (client-go's rate-limited delaying queue): keys are deduplicated while
 * waiting, a key being processed is never handed to a second worker (re-adds wait until `done`),
 * delayed adds (`addAfter`), rate-limited retries (`addRateLimited`), and an orderly shutdown.
 */
import { systemClock, type Clock, type Timer } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/** Hooks for queue metrics (the manager wires them to prom-client). */
export interface QueueMetrics {
  added?(): void;
  depth?(n: number): void;
  /** Seconds a key waited in the queue before a worker took it. */
  latency?(seconds: number): void;
  /** Seconds between get and done. */
  workDuration?(seconds: number): void;
  retried?(): void;
}

export interface WorkQueueOptions {
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: QueueMetrics;
}

export class WorkQueue {
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  private readonly metrics: QueueMetrics;
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly waiting = new Map<string, { due: number; timer: Timer }>();
  private getters: ((key: string | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.metrics = opts.metrics ?? {};
  }

  /** Keys waiting to be handed out (not counting delayed or in-process keys). */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys waiting for their delay to pass. */
  get delayed(): number {
    return this.waiting.size;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.added?.();
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  private push(key: string): void {
    this.addedAt.set(key, this.clock.nowMs());
    const getter = this.getters.shift();
    if (getter) {
      this.handOut(key);
      getter(key);
      return;
    }
    this.queue.push(key);
    this.metrics.depth?.(this.length);
  }

  private handOut(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
    const now = this.clock.nowMs();
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.latency?.((now - added) / 1000);
    this.startedAt.set(key, now);
  }

  /** Add after a delay; a key already waiting keeps the earlier of the two times. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = this.clock.nowMs() + delayMs;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.due <= due) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimer(delayMs, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { due, timer });
  }

  /** Retry later, after the rate limiter's delay (per-item backoff, overall token bucket). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics.retried?.();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clear the key's failure history (call after it was processed successfully). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** The next key, waiting if none is ready; undefined once the queue is shut down and empty. */
  get(): Promise<string | undefined> {
    if (this.length > 0) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.handOut(key);
      this.metrics.depth?.(this.length);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Mark the key processed; a key added meanwhile goes back in the queue now. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics.workDuration?.((this.clock.nowMs() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
    if (!this.processing.size) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Stop handing out keys: waiting getters get undefined, delayed adds are dropped. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    this.metrics.depth?.(0);
    for (const g of this.getters.splice(0)) g(undefined);
  }

  /** Shut down, then resolve once every key handed out has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (!this.processing.size) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }
}
