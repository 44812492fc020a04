/**
 * Periodic compaction as kube-apiserver does it (--etcd-compaction-interval): every interval,
 * compact etcd at the revision seen one interval earlier, so about one interval of history stays.
 * Several stores on one etcd take turns through a compare-and-swap on the version of a shared key
 * ("compact_rev_key", the key kube-apiserver uses): only the store whose swap succeeds compacts,
 * the others learn the key's version and try again next interval.
 */

export interface CompactionRound {
  /** The CAS on the shared key succeeded (this store compacts this round). */
  succeeded: boolean;
  /** The key's version after the round. */
  version: number;
  /** etcd's revision at the round (the header revision of the CAS). */
  revision: number;
}

export interface CompactorIo {
  /** If the shared key's version is `expectVersion`, write `revision` into it. */
  swapCompactKey(expectVersion: number, revision: number): Promise<CompactionRound>;
  compact(revision: number): Promise<void>;
}

export interface CompactorState {
  /** The shared key's version this store last saw. */
  version: number;
  /** The revision seen at the previous round: the next compaction target. */
  revision: number;
}

/** The state after a round, and the revision to compact now (0: none). Pure. */
export function afterRound(state: CompactorState, round: CompactionRound): { state: CompactorState; compactAt: number } {
  if (!round.succeeded) return { state: { version: round.version, revision: round.revision }, compactAt: 0 };
  return { state: { version: state.version + 1, revision: round.revision }, compactAt: state.revision };
}

export class PeriodicCompactor {
  private state: CompactorState = { version: 0, revision: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly io: CompactorIo,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.round().catch(this.onError).finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round (the timer runs these; exposed for tests). */
  async round(): Promise<void> {
    const res = await this.io.swapCompactKey(this.state.version, this.state.revision);
    const next = afterRound(this.state, res);
    this.state = next.state;
    if (next.compactAt > 0) await this.io.compact(next.compactAt);
  }
}
