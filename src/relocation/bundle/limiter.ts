/** A counting semaphore: at most `n` tasks run at once. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly n: number) {
    if (!(n >= 1)) throw new Error(`concurrency must be at least 1, got ${n}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Runs `fn` over `items` with at most `n` at once; rejects with the first failure after all settle. */
export async function forEachLimited<T>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  const lim = new Limiter(n);
  const results = await Promise.allSettled(items.map((it, i) => lim.run(() => fn(it, i))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
