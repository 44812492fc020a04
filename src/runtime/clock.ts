/**
 * The injectable clock every runtime timer uses (work-queue delays, backoff, leader election,
 * informer reconnects, condition and event timestamps). `FakeClock` lets a test move time forward
 * by any amount — a second or a year — and fires the timers that fall due, in order.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Compatible with the API server's Clock. */
  now(): Date;
  nowMs(): number;
  /** Call fn after ms (timers of the system clock do not keep the process alive). */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolve after ms, or at once (without rejecting) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      t.cancel();
      resolve();
    };
    const t = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
  setTimer(ms, fn) {
    // setTimeout's limit is 2^31-1 ms (~24.8 days); longer delays are chained.
    const MAX = 2_147_483_647;
    let handle: NodeJS.Timeout;
    const due = Date.now() + Math.max(0, ms);
    const arm = (): void => {
      const left = due - Date.now();
      handle = setTimeout(left > MAX ? arm : fn, Math.min(Math.max(0, left), MAX));
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
  sleep(ms, signal) {
    return sleepWith(systemClock, ms, signal);
  },
};

interface FakeTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A manually driven clock for tests. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start: Date | number = Date.UTC(2030, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  nowMs(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: FakeTimer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((x) => x !== timer);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.timers.length;
  }

  /** Milliseconds until the next timer fires (undefined when none is armed). */
  nextTimerIn(): number | undefined {
    const next = this.next();
    return next ? next.due - this.t : undefined;
  }

  private next(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const x of this.timers) if (!best || x.due < best.due || (x.due === best.due && x.seq < best.seq)) best = x;
    return best;
  }

  /**
   * Move time forward by ms, firing due timers in order (time stands at each timer's due time while
   * it runs). Between timers, pending promise callbacks settle, so chains of timers fire too.
   */
  async advance(ms: number): Promise<void> {
    const end = this.t + Math.max(0, ms);
    for (;;) {
      await settle();
      const next = this.next();
      if (!next || next.due > end) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
    await settle();
  }

  /** Jump to an absolute time (never backwards), firing what falls due. */
  async setTime(to: Date | number): Promise<void> {
    const target = typeof to === 'number' ? to : to.getTime();
    await this.advance(Math.max(0, target - this.t));
  }
}

/** Let queued promise callbacks (and one macrotask turn) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Real time plus an offset that only grows: timers run on the system clock, and `jump(ms)` moves every clock reader
 * forward at once, firing the timers that fall due. For end-to-end tests that need a year to pass (certificate
 * expiry) while everything else keeps running in real time.
 */
export class JumpClock implements Clock {
  private offset = 0;
  private readonly timers = new Set<{ due: number; fn: () => void; handle?: NodeJS.Timeout }>();

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return Date.now() + this.offset;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const t: { due: number; fn: () => void; handle?: NodeJS.Timeout } = { due: this.nowMs() + Math.max(0, ms), fn };
    this.timers.add(t);
    this.arm(t);
    return {
      cancel: () => {
        if (t.handle) clearTimeout(t.handle);
        this.timers.delete(t);
      },
    };
  }

  private arm(t: { due: number; fn: () => void; handle?: NodeJS.Timeout }): void {
    if (t.handle) clearTimeout(t.handle);
    const left = Math.min(2_147_483_647, Math.max(0, t.due - this.nowMs()));
    t.handle = setTimeout(() => {
      if (t.due > this.nowMs()) return this.arm(t);
      this.timers.delete(t);
      t.fn();
    }, left);
    t.handle.unref();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Move time forward by ms; timers now due fire on the next turn of the event loop. */
  jump(ms: number): void {
    this.offset += Math.max(0, ms);
    for (const t of this.timers) this.arm(t);
  }
}
