/**
 * Event recorder: writes core/v1 Events about objects, correlated as client-go's EventCorrelator does: the same
 * (object, type, reason, message) from one recorder bumps `count` and `lastTimestamp` of the existing Event instead of
 * creating another; a source's events about one object are rate limited (25 at once, then one per 5 minutes) and
 * many distinct messages of one reason are combined into one Event (see EventCorrelator). `correlate: false` turns
 * the last two off (the events.k8s.io recorder of kube-scheduler has neither).
 */
import { rfc3339 } from '../apiserver/clock.js';
import type { KubeObject } from '../apimachinery/types.js';
import { isNotFound } from '../client/errors.js';
import type { Client } from '../client/types.js';
import { systemClock, type Clock } from './clock.js';
import { EventCorrelator, type EventCorrelatorOptions } from './event-correlator.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component / reportingComponent, e.g. "slipway-topology-controller". */
  component: string;
  /** source.host / reportingInstance. */
  host?: string;
  clock?: Clock;
  /** How many distinct events to remember for aggregation (default 4096). */
  cacheSize?: number;
  /** Spam filter and aggregation settings, or false for neither (default: client-go's). */
  correlate?: EventCorrelatorOptions | false;
  onError?(err: unknown): void;
}

interface Known {
  name: string;
  namespace: string;
  count: number;
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly known = new Map<string, Known>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly correlator: EventCorrelator | undefined;
  private seq = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: EventRecorderOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.correlator = opts.correlate === false ? undefined : new EventCorrelator({ cacheSize: opts.cacheSize, ...opts.correlate });
  }

  /**
   * Record an event about obj; resolves when written or dropped by the spam filter (never rejects: failures go to
   * onError).
   */
  event(obj: KubeObject, type: EventType, reason: string, rawMessage: string): Promise<void> {
    const meta = obj.metadata ?? {};
    const objectKey = [obj.apiVersion, obj.kind, meta.namespace ?? '', meta.name ?? '', meta.uid ?? ''].join('\u0000');
    let key = `${objectKey}\u0000${type}\u0000${reason}\u0000${rawMessage}`;
    let message = rawMessage;
    if (this.correlator) {
      const c = this.correlator.correlate({ objectKey, type, reason, message: rawMessage }, this.clock.nowMs());
      if (c.skip) return Promise.resolve();
      ({ key, message } = c);
    }
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.write(key, obj, type, reason, message)).catch((e: unknown) => this.opts.onError?.(e));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Resolves when every event recorded so far has been written. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async write(key: string, obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = rfc3339(this.clock.now());
    const known = this.known.get(key);
    if (known) {
      try {
        await this.client.patch({ apiVersion: 'v1', kind: 'Event' }, { name: known.name, namespace: known.namespace }, { type: 'merge', body: { count: known.count + 1, lastTimestamp: now, message } });
        known.count++;
        this.known.delete(key);
        this.known.set(key, known);
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.known.delete(key);
      }
    }
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace || 'default';
    const nanos = BigInt(this.clock.nowMs()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${meta.name ?? 'unknown'}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: meta.name,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        ...(meta.uid ? { uid: meta.uid } : {}),
        ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
    const created = await this.client.create(event);
    this.known.set(key, { name: created.metadata!.name!, namespace, count: 1 });
    const max = this.opts.cacheSize ?? 4096;
    while (this.known.size > max) this.known.delete(this.known.keys().next().value as string);
  }
}
