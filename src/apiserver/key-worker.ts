/** A tiny serial work loop for the API server's own controllers: deduplicated keys, retry on error. */
export class KeyWorker {
  private dirty = new Set<string>();
  private running = false;
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly retryMs = 200,
  ) {}

  enqueue(key: string): void {
    if (this.stopped) return;
    this.dirty.add(key);
    if (!this.running) void this.drain();
  }

  enqueueAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(key);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Resolves when no work is pending (for tests and orderly shutdown). */
  get idle(): boolean {
    return !this.running && this.dirty.size === 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty.size && !this.stopped) {
        const key = this.dirty.values().next().value as string;
        this.dirty.delete(key);
        try {
          await this.process(key);
        } catch (e) {
          this.onError(key, e);
          this.enqueueAfter(key, this.retryMs);
        }
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dirty.clear();
  }
}
