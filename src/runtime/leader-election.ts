/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-go's algorithm): a candidate takes the
 * lease when it is free or has not been renewed for leaseDuration, the leader renews it every
 * retryPeriod and steps down when it could not renew for renewDeadline; on a clean stop the leader
 * releases the lease so another candidate takes over at once.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../apimachinery/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import type { Client } from '../client/types.js';
import { systemClock, type Clock } from './clock.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a lease stays valid without renewal (default 15 s). */
  leaseDurationMs?: number;
  /** The leader steps down when renewals fail for this long (default 2/3 of the lease duration). */
  renewDeadlineMs?: number;
  /** Interval between acquire/renew attempts (default leaseDuration / 7.5, i.e. 2 s for 15 s). */
  retryPeriodMs?: number;
  clock?: Clock;
  log?: Logger;
  /** Release the lease on a clean stop (default true). */
  releaseOnStop?: boolean;
  onStartedLeading(signal: AbortSignal): void;
  /** Awaited before the lease is released, so the old leader is quiet before a new one starts. */
  onStoppedLeading(): void | Promise<void>;
  onNewLeader?(identity: string): void;
}

const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private observed: { holder: string; renewTime: string; at: number } | undefined;
  private leading = false;
  private lastLeader = '';
  private stopController = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? Math.round((this.leaseMs * 2) / 3);
    this.retryMs = opts.retryPeriodMs ?? Math.max(50, Math.round(this.leaseMs / 7.5));
    if (this.renewDeadlineMs >= this.leaseMs) throw new Error('renewDeadline must be shorter than leaseDuration');
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Identity of the holder last seen on the lease. */
  get leader(): string {
    return this.lastLeader;
  }

  start(): void {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.loop = this.run(this.stopController.signal);
  }

  /** Stop campaigning; a leader steps down (and releases the lease unless releaseOnStop is false). */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    this.loop = undefined;
  }

  private jitter(ms: number): number {
    return Math.round(ms * (1 + Math.random() * 0.2));
  }

  private async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      while (!stop.aborted && !(await this.tryAcquireOrRenew())) await this.clock.sleep(this.jitter(this.retryMs), stop);
      if (stop.aborted) {
        // Stopped while (or right after) acquiring: give back a lease we may just have taken.
        if (this.opts.releaseOnStop !== false) await this.release();
        break;
      }
      this.leading = true;
      const leaderAbort = new AbortController();
      this.opts.log?.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'became leader');
      this.opts.onStartedLeading(leaderAbort.signal);
      let lastRenew = this.clock.nowMs();
      while (!stop.aborted) {
        await this.clock.sleep(this.retryMs, stop);
        if (stop.aborted) break;
        if (await this.tryAcquireOrRenew()) lastRenew = this.clock.nowMs();
        else if (this.clock.nowMs() - lastRenew >= this.renewDeadlineMs || (this.lastLeader && this.lastLeader !== this.opts.identity)) break;
      }
      this.leading = false;
      leaderAbort.abort();
      this.opts.log?.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'stopped leading');
      try {
        await this.opts.onStoppedLeading();
      } catch (e) {
        this.opts.log?.error({ err: e }, 'leader election: onStoppedLeading failed');
      }
      if (stop.aborted && this.opts.releaseOnStop !== false) await this.release();
    }
  }

  private seen(spec: LeaseSpec, now: number): void {
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ?? '';
    if (this.observed && this.observed.holder === holder && this.observed.renewTime === renewTime) return;
    let at = now;
    if (!this.observed) {
      // First sight: trust the record's renewTime (when it is in the past), so a stale lease of a
      // dead leader is taken over without waiting a whole lease duration from now.
      const t = Date.parse(renewTime);
      if (Number.isFinite(t) && t <= now) at = t;
    }
    this.observed = { holder, renewTime, at };
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      if (holder) this.opts.onNewLeader?.(holder);
    }
  }

  /** One attempt; true when this candidate holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    const key = { namespace: this.opts.namespace, name: this.opts.name };
    const leaseSeconds = Math.max(1, Math.ceil(this.leaseMs / 1000));
    try {
      let lease: Lease;
      try {
        lease = await this.client.get<Lease>(LEASE, key);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        const spec: LeaseSpec = { holderIdentity: this.opts.identity, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
        await this.client.create<Lease>({ ...LEASE, metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec });
        this.seen(spec, nowMs);
        return true;
      }
      const spec = lease.spec ?? {};
      this.seen(spec, nowMs);
      const holder = spec.holderIdentity ?? '';
      const duration = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
      if (holder && holder !== this.opts.identity && this.observed!.at + duration > nowMs) return false;
      const mine = holder === this.opts.identity;
      const next: LeaseSpec = {
        ...spec,
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: leaseSeconds,
        renewTime: microTime(now),
        acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
      };
      const updated = await this.client.update<Lease>({ ...lease, spec: next });
      this.seen(updated.spec ?? next, nowMs);
      return true;
    } catch (e) {
      if (!isConflict(e) && !isAlreadyExists(e)) this.opts.log?.warn({ err: e }, 'leader election: cannot read or write the lease');
      return false;
    }
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.client.get<Lease>(LEASE, { namespace: this.opts.namespace, name: this.opts.name });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      const now = microTime(this.clock.now());
      await this.client.update<Lease>({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } });
    } catch (e) {
      this.opts.log?.warn({ err: e }, 'leader election: cannot release the lease');
    }
  }
}
