/** Prometheus metrics of one manager (its own prom-client Registry, so managers never collide). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from './queue.js';

export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly queueDepth: Gauge<'name'>;
  readonly queueAdds: Counter<'name'>;
  readonly queueLatency: Histogram<'name'>;
  readonly queueWorkDuration: Histogram<'name'>;
  readonly queueRetries: Counter<'name'>;
  readonly informerEvents: Counter<'kind' | 'type'>;
  readonly leader: Gauge<'name'>;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const buckets = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller and result', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets, registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });
    this.queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.queueLatency = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets, registers });
    this.queueWorkDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], buckets, registers });
    this.queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    this.informerEvents = new Counter({ name: 'slipway_informer_events_total', help: 'Changes applied to informer caches per kind and event type', labelNames: ['kind', 'type'], registers });
    this.leader = new Gauge({ name: 'leader_election_master_status', help: 'Whether this manager currently holds the leader lease (1) or not (0)', labelNames: ['name'], registers });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  queue(name: string): QueueMetrics {
    // Label children resolved once: every add and every item would otherwise hash the labels again.
    const adds = this.queueAdds.labels({ name });
    const depth = this.queueDepth.labels({ name });
    const latency = this.queueLatency.labels({ name });
    const work = this.queueWorkDuration.labels({ name });
    let retries: { inc(): void } | undefined;
    return {
      added: () => adds.inc(),
      depth: (n) => depth.set(n),
      latency: (s) => latency.observe(s),
      workDuration: (s) => work.observe(s),
      retried: () => (retries ??= this.queueRetries.labels({ name })).inc(),
    };
  }
}
