/** Rate limiters of the work queue: per-item exponential backoff and an overall token bucket. */
import type { Clock } from './clock.js';

export interface RateLimiter {
  /** Delay before the item may be retried (and counts the retry). */
  when(item: string): number;
  /** Stop tracking the item (after it succeeded). */
  forget(item: string): void;
  /** How many times the item has been retried since it was last forgotten. */
  retries(item: string): number;
}

/** base * 2^failures, capped at max: 5 ms, 10 ms, 20 ms … up to 16 min 40 s by default (client-go's values). */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}

  when(item: string): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const d = this.baseMs * 2 ** n;
    return !Number.isFinite(d) || d > this.maxMs ? this.maxMs : d;
  }

  forget(item: string): void {
    this.failures.delete(item);
  }

  retries(item: string): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket: `qps` tokens a second, at most `burst` saved up; each retry takes one. */
export class TokenBucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly clock: Clock,
    readonly qps = 10,
    readonly burst = 100,
  ) {
    this.tokens = burst;
    this.last = clock.nowMs();
  }

  when(): number {
    const now = this.clock.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(): void {}

  retries(): number {
    return 0;
  }
}

/** The larger delay of several limiters (client-go's DefaultControllerRateLimiter shape). */
export class MaxOfRateLimiter implements RateLimiter {
  constructor(private readonly limiters: RateLimiter[]) {}

  when(item: string): number {
    let d = 0;
    for (const l of this.limiters) d = Math.max(d, l.when(item));
    return d;
  }

  forget(item: string): void {
    for (const l of this.limiters) l.forget(item);
  }

  retries(item: string): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.retries(item));
    return n;
  }
}

export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter([new ItemExponentialRateLimiter(5, 1_000_000), new TokenBucketRateLimiter(clock, 10, 100)]);
}
