/**
 * The simulated kube-scheduler of a workload cluster: informers on Nodes, Pods and Namespaces keep one
 * ClusterSnapshot current; pending Pods of "default-scheduler" go through a SchedulingQueue; one loop pops
 * a Pod, decides synchronously with schedulePod, assumes it in the snapshot and starts the bind write,
 * with at most `maxInFlightWrites` writes outstanding while the next Pod is decided. A Pod that fits
 * nowhere gets PodScheduled=False (Unschedulable) and a FailedScheduling Event, and waits for a cluster
 * change or its timeout; a failed bind forgets the assumption and retries with backoff.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { Client, KindRef } from '../../../client/types.js';
import { rfc3339 } from '../../../apiserver/clock.js';
import { EventRecorder } from '../../../runtime/events.js';
import type { Manager } from '../../../runtime/manager.js';
import type { Timer } from '../../../runtime/clock.js';
import type { WorkloadContext } from '../context.js';
import { podKey } from './pod-info.js';
import { schedulePod } from './schedule.js';
import { DEFAULT_QUEUE_TIMINGS, SchedulingQueue, type QueueTimings } from './scheduling-queue.js';
import { ClusterSnapshot } from './snapshot.js';
import type { NodeLike, PodLike } from './types.js';

export const SCHEDULER_NAME = 'default-scheduler';

const POD: KindRef = { apiVersion: 'v1', kind: 'Pod' };
const NODE: KindRef = { apiVersion: 'v1', kind: 'Node' };
const NAMESPACE: KindRef = { apiVersion: 'v1', kind: 'Namespace' };

export interface SchedulerOptions extends QueueTimings {
  /** Bind/status writes outstanding at once while the loop goes on deciding (default 64). */
  maxInFlightWrites: number;
  /** Pods decided between two yields to the event loop (so informer events get in; default 64). */
  batch: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = { ...DEFAULT_QUEUE_TIMINGS, maxInFlightWrites: 64, batch: 64 };

type Pod = KubeObject & PodLike & { status?: { phase?: string; conditions?: PodCondition[] } };

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

function isTerminal(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function isOurs(p: Pod): boolean {
  return (p.spec as { schedulerName?: string } | undefined)?.schedulerName === SCHEDULER_NAME || (p.spec as { schedulerName?: string } | undefined)?.schedulerName === undefined;
}

/** Node fields that change what fits (a heartbeat does not). */
function nodeFitFacts(n: KubeObject): string {
  const spec = (n.spec ?? {}) as { unschedulable?: boolean; taints?: unknown };
  const status = (n.status ?? {}) as { allocatable?: unknown };
  return JSON.stringify([n.metadata?.labels ?? {}, spec.unschedulable ?? false, spec.taints ?? [], status.allocatable ?? {}]);
}

function podSchedulingFacts(p: Pod): string {
  return JSON.stringify([p.metadata?.labels ?? {}, p.spec ?? {}]);
}

export class Scheduler {
  readonly snapshot = new ClusterSnapshot();
  readonly queue: SchedulingQueue<Pod>;
  /** Pods bound by this scheduler that the informer has not yet shown bound. */
  private readonly assumed = new Set<string>();
  private readonly recorder: EventRecorder;
  private readonly opts: SchedulerOptions;
  private readonly client: Client;
  private signal: AbortSignal | undefined;
  private looping = false;
  private wake: (() => void) | undefined;
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];
  private flushTimer: { at: number; timer: Timer } | undefined;
  /** Counters for reports and tests. */
  readonly stats = { scheduled: 0, unschedulable: 0, bindErrors: 0 };

  constructor(private readonly manager: Manager, opts: Partial<SchedulerOptions> = {}) {
    this.opts = { ...DEFAULT_SCHEDULER_OPTIONS, ...opts };
    this.queue = new SchedulingQueue<Pod>(this.opts);
    this.client = manager.client;
    this.recorder = new EventRecorder(manager.client, { component: SCHEDULER_NAME, clock: manager.clock, correlate: false, onError: (err) => manager.log.warn({ err }, 'scheduler: cannot record event') });
  }

  /** Registers the informer handlers (before the manager starts). */
  register(): void {
    const inf = this.manager.informers;
    inf.for(NODE).addEventHandler({
      onAdd: (n) => {
        this.snapshot.setNode(n as NodeLike);
        this.clusterChanged();
      },
      onUpdate: (old, n) => {
        this.snapshot.setNode(n as NodeLike);
        if (nodeFitFacts(old) !== nodeFitFacts(n)) this.clusterChanged();
      },
      onDelete: (n) => this.snapshot.removeNode(n.metadata?.name ?? ''),
    });
    inf.for(NAMESPACE).addEventHandler({
      onAdd: (ns) => this.snapshot.setNamespace(ns.metadata?.name ?? '', ns.metadata?.labels),
      onUpdate: (_o, ns) => this.snapshot.setNamespace(ns.metadata?.name ?? '', ns.metadata?.labels),
      onDelete: (ns) => this.snapshot.removeNamespace(ns.metadata?.name ?? ''),
    });
    inf.for(POD).addEventHandler({
      onAdd: (p) => this.podChanged(undefined, p as Pod),
      onUpdate: (old, p) => this.podChanged(old as Pod, p as Pod),
      onDelete: (p) => this.podDeleted(p as Pod),
    });
  }

  /** Runs the loop while `signal` is not aborted (called again after a restart with a new signal). */
  activate(signal: AbortSignal): void {
    if (this.signal === signal) return;
    this.signal = signal;
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
    if (!this.looping) void this.loop(signal);
  }

  private get now(): number {
    return this.manager.clock.nowMs();
  }

  private podChanged(old: Pod | undefined, p: Pod): void {
    const key = podKey(p);
    const nodeName = p.spec?.nodeName;
    if (nodeName) {
      this.assumed.delete(key);
      this.queue.delete(key);
      if (isTerminal(p)) {
        if (this.snapshot.pod(key)) {
          this.snapshot.removePod(key);
          this.clusterChanged();
        }
        return;
      }
      this.snapshot.setPod(p);
      if (old?.spec?.nodeName && JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(p.metadata?.labels ?? {})) this.clusterChanged();
      return;
    }
    // An unbound view of a pod this scheduler has just bound is older than the bind: ignore it.
    if (this.assumed.has(key)) return;
    if (isTerminal(p) || p.metadata?.deletionTimestamp || !isOurs(p)) {
      this.queue.delete(key);
      return;
    }
    const priority = p.spec?.priority ?? 0;
    const known = this.queue.has(key);
    this.queue.add(key, p, priority);
    if (known && old && podSchedulingFacts(old) !== podSchedulingFacts(p)) this.queue.requeue(key, this.now);
    this.kick();
  }

  private podDeleted(p: Pod): void {
    const key = podKey(p);
    this.queue.delete(key);
    this.assumed.delete(key);
    if (this.snapshot.pod(key)) {
      this.snapshot.removePod(key);
      this.clusterChanged();
    }
  }

  private clusterChanged(): void {
    this.queue.moveAll(this.now);
    this.armFlush();
    this.kick();
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private armFlush(): void {
    const at = this.queue.nextFlushAt();
    if (at === undefined) return;
    if (this.flushTimer && this.flushTimer.at <= at) return;
    this.flushTimer?.timer.cancel();
    const timer = this.manager.clock.setTimer(Math.max(0, at - this.now), () => {
      this.flushTimer = undefined;
      this.queue.flush(this.now);
      this.armFlush();
      this.kick();
    });
    this.flushTimer = { at, timer };
  }

  private async loop(signal: AbortSignal): Promise<void> {
    this.looping = true;
    try {
      let decided = 0;
      while (!signal.aborted && this.signal === signal) {
        const qp = this.queue.pop();
        if (!qp) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        this.scheduleOne(qp.key, qp.item);
        if (this.inFlight >= this.opts.maxInFlightWrites) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        if (++decided >= this.opts.batch) {
          decided = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      this.looping = false;
      // A new activation may have come while this loop was winding down.
      if (this.signal && this.signal !== signal && !this.signal.aborted) void this.loop(this.signal);
    }
  }

  private scheduleOne(key: string, pod: Pod): void {
    const result = schedulePod({ pod, snapshot: this.snapshot });
    if (result.node !== undefined) {
      this.stats.scheduled++;
      this.snapshot.assume(pod, result.node);
      this.assumed.add(key);
      this.queue.done(key);
      this.write(() => this.bind(key, pod, result.node));
      return;
    }
    this.stats.unschedulable++;
    this.queue.failed(key, this.now, 'unschedulable');
    this.armFlush();
    this.write(() => this.reportUnschedulable(pod, result.message));
  }

  private write(fn: () => Promise<void>): void {
    this.inFlight++;
    fn()
      .catch((err: unknown) => this.manager.log.warn({ err }, 'scheduler: write failed'))
      .finally(() => {
        this.inFlight--;
        this.slotWaiters.shift()?.();
      });
  }

  private async bind(key: string, pod: Pod, nodeName: string): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.createSubresource(POD, { namespace, name }, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    } catch (err) {
      this.stats.bindErrors++;
      if (this.assumed.delete(key)) this.snapshot.removePod(key);
      if (isNotFound(err)) return;
      this.manager.log.info({ err, pod: `${namespace}/${name}`, node: nodeName }, 'scheduler: binding failed; retrying');
      const current = this.manager.informers.for(POD).lister.get(name, namespace) as Pod | undefined;
      if (current && !current.spec?.nodeName && podKey(current) === key) {
        this.queue.backoff(key, current, current.spec?.priority ?? 0, this.now);
        this.armFlush();
      }
      return;
    }
    void this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  private async reportUnschedulable(pod: Pod, message: string): Promise<void> {
    void this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const conditions = pod.status?.conditions ?? [];
    const prev = conditions.find((c) => c.type === 'PodScheduled');
    if (prev && prev.status === 'False' && prev.reason === 'Unschedulable' && prev.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: prev && prev.status === 'False' && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(this.manager.clock.now()),
    };
    const next = [...conditions.filter((c) => c.type !== 'PodScheduled'), cond];
    try {
      await this.client.patchStatus(POD, { namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? '' }, { type: 'merge', body: { metadata: { uid: pod.metadata?.uid }, status: { conditions: next } } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
