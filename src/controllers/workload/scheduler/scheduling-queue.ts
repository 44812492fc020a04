/**
 * kube-scheduler's scheduling queue, reduced to what the simulation needs: an active heap ordered by
 * priority (higher first) then by when the pod entered the queue (FIFO); a backoff set for pods that
 * failed recently (1 s doubling to 10 s per attempt by default); and an unschedulable set whose pods
 * wait for a cluster change (moveAll) or, at the latest, maxInUnschedulable before they are retried.
 * Time comes from the caller (`nowMs`), so the queue is pure and driven by the controller's clock.
 */

export interface QueueTimings {
  /** First retry delay after a failed attempt (default 1 s; 0 retries at once). */
  initialBackoffMs: number;
  /** Backoff cap (default 10 s). */
  maxBackoffMs: number;
  /** Longest stay in the unschedulable set without a cluster change (default 5 min). */
  maxInUnschedulableMs: number;
}

export const DEFAULT_QUEUE_TIMINGS: QueueTimings = { initialBackoffMs: 1000, maxBackoffMs: 10_000, maxInUnschedulableMs: 300_000 };

export interface QueuedPod<T> {
  key: string;
  item: T;
  priority: number;
  /** Order of entry into the active heap (FIFO among equal priorities). */
  seq: number;
  /** Failed scheduling attempts so far. */
  attempts: number;
  /** When the last attempt failed (ms). */
  failedAt: number;
}

type Where = 'active' | 'backoff' | 'unschedulable' | 'popped';

export class SchedulingQueue<T> {
  private readonly heap: QueuedPod<T>[] = [];
  private readonly where = new Map<string, { qp: QueuedPod<T>; at: Where }>();
  private seq = 0;

  constructor(private readonly timings: QueueTimings = DEFAULT_QUEUE_TIMINGS) {}

  get activeCount(): number {
    return this.heap.length;
  }

  get size(): number {
    return this.where.size;
  }

  has(key: string): boolean {
    return this.where.has(key);
  }

  /** Where a pod is (for tests and metrics). */
  state(key: string): Where | undefined {
    return this.where.get(key)?.at;
  }

  /** A new pending pod, or an update of one already queued (its item and priority are replaced). */
  add(key: string, item: T, priority: number): void {
    const cur = this.where.get(key);
    if (!cur) {
      const qp: QueuedPod<T> = { key, item, priority, seq: 0, attempts: 0, failedAt: 0 };
      this.where.set(key, { qp, at: 'active' });
      this.push(qp);
      return;
    }
    cur.qp.item = item;
    if (cur.qp.priority !== priority) {
      cur.qp.priority = priority;
      if (cur.at === 'active') this.rebuild();
    }
  }

  /** An update that may make a waiting pod schedulable (its spec changed): retried after its backoff. */
  requeue(key: string, nowMs: number): void {
    const cur = this.where.get(key);
    if (cur?.at === 'unschedulable') this.release(cur.qp, nowMs);
  }

  delete(key: string): void {
    const cur = this.where.get(key);
    if (!cur) return;
    this.where.delete(key);
    if (cur.at === 'active') this.rebuild();
  }

  /** The next pod to schedule (highest priority, then oldest), or undefined. */
  pop(): QueuedPod<T> | undefined {
    const qp = this.heap.length ? this.shift() : undefined;
    if (qp) this.where.set(qp.key, { qp, at: 'popped' });
    return qp;
  }

  /** The popped pod was bound (or needs no scheduling any more): forget it. */
  done(key: string): void {
    if (this.where.get(key)?.at === 'popped') this.where.delete(key);
  }

  /**
   * The popped pod did not fit: it waits in the unschedulable set (or, for an error such as a failed
   * bind, in backoff) until moveAll or its timeout.
   */
  failed(key: string, nowMs: number, kind: 'unschedulable' | 'error'): void {
    const cur = this.where.get(key);
    if (!cur || cur.at !== 'popped') return;
    cur.qp.attempts++;
    cur.qp.failedAt = nowMs;
    cur.at = kind === 'error' ? 'backoff' : 'unschedulable';
  }

  /** A pod not in the queue whose attempt failed after it left it (a failed bind): retried after backoff. */
  backoff(key: string, item: T, priority: number, nowMs: number): void {
    if (this.where.has(key)) return;
    const qp: QueuedPod<T> = { key, item, priority, seq: 0, attempts: 1, failedAt: nowMs };
    this.where.set(key, { qp, at: 'backoff' });
  }

  /** A cluster change (a Node added or changed, a Pod gone): every unschedulable pod is retried after its backoff. */
  moveAll(nowMs: number): void {
    for (const { qp, at } of this.where.values()) if (at === 'unschedulable') this.release(qp, nowMs);
  }

  /** Moves pods whose backoff or unschedulable timeout has passed into the active heap. */
  flush(nowMs: number): void {
    for (const e of this.where.values()) {
      if (e.at === 'backoff' && nowMs >= this.backoffExpiry(e.qp)) this.activate(e);
      else if (e.at === 'unschedulable' && nowMs >= e.qp.failedAt + this.timings.maxInUnschedulableMs) this.release(e.qp, nowMs);
    }
  }

  /** When flush next has something to do (ms), or undefined. */
  nextFlushAt(): number | undefined {
    let next: number | undefined;
    for (const { qp, at } of this.where.values()) {
      const t = at === 'backoff' ? this.backoffExpiry(qp) : at === 'unschedulable' ? qp.failedAt + this.timings.maxInUnschedulableMs : undefined;
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  backoffExpiry(qp: QueuedPod<T>): number {
    if (qp.attempts === 0) return qp.failedAt;
    const d = Math.min(this.timings.maxBackoffMs, this.timings.initialBackoffMs * 2 ** Math.min(qp.attempts - 1, 30));
    return qp.failedAt + d;
  }

  private release(qp: QueuedPod<T>, nowMs: number): void {
    const e = this.where.get(qp.key)!;
    if (nowMs >= this.backoffExpiry(qp)) this.activate(e);
    else e.at = 'backoff';
  }

  private activate(e: { qp: QueuedPod<T>; at: Where }): void {
    e.at = 'active';
    this.push(e.qp);
  }

  private less(a: QueuedPod<T>, b: QueuedPod<T>): boolean {
    return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq;
  }

  private push(qp: QueuedPod<T>): void {
    qp.seq = this.seq++;
    const h = this.heap;
    h.push(qp);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private shift(): QueuedPod<T> {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  /** Rebuilds the heap from the entries marked active (after a delete or a priority change). */
  private rebuild(): void {
    const keep = this.heap.filter((qp) => this.where.get(qp.key)?.at === 'active' && this.where.get(qp.key)?.qp === qp);
    this.heap.length = 0;
    for (const qp of keep) this.heap.push(qp);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }
}
