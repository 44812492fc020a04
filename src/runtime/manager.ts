/**
 * The manager: shared informers, controllers with N workers each, an event recorder, leader
 * election, and an HTTP endpoint serving /metrics (Prometheus), /healthz and /readyz. The same
 * manager runs in-process in the management plane and as `slipway controllers --kubeconfig FILE`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { InformerFactory } from '../client/informer.js';
import type { Client } from '../client/types.js';
import { systemClock, type Clock } from './clock.js';
import { Controller, type ControllerOptions } from './controller.js';
import { EventRecorder } from './events.js';
import { LeaderElector } from './leader-election.js';
import { RuntimeMetrics } from './metrics.js';

export interface LeaderElectionConfig {
  /** Namespace of the Lease (default kube-system). */
  namespace?: string;
  /** Lease name (default slipway-controllers). */
  name?: string;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
  /** Default 15 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  client: Client;
  clock?: Clock;
  logger?: Logger;
  /** host:port for /metrics, /healthz and /readyz (port 0 picks one); no endpoint when unset. */
  metricsBindAddress?: string;
  /** Campaign for a Lease before running controllers (informers run either way). */
  leaderElection?: LeaderElectionConfig;
  /** Upper bound for stop() (default 5 s). */
  gracefulShutdownMs?: number;
  /** Event source component (default slipway-controllers). */
  component?: string;
  /** Informer reconnect backoff and watch timeout. */
  informer?: { initialBackoffMs?: number; maxBackoffMs?: number; watchTimeoutSeconds?: number };
  /** Include Node process metrics in /metrics (default true). */
  processMetrics?: boolean;
}

/** A named bundle of controllers a manager can run (e.g. `slipway controllers --controllers NAME`). */
export interface ControllerSetup {
  name: string;
  description: string;
  setup(manager: Manager): void | Promise<void>;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Manager {
  readonly client: Client;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  readonly informers: InformerFactory;
  readonly recorder: EventRecorder;
  readonly identity: string;
  private readonly controllers: Controller[] = [];
  /** Loops that run while the controllers run (started and stopped with them, leadership included). */
  private readonly runnables: { name: string; run(signal: AbortSignal): void }[] = [];
  private runnablesAbort: AbortController | undefined;
  private elector: LeaderElector | undefined;
  private server: Server | undefined;
  private state: State = 'new';
  private controllersRunning = false;
  private controllerTransition: Promise<void> = Promise.resolve();
  private url: string | undefined;

  constructor(private readonly opts: ManagerOptions) {
    this.client = opts.client;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.metrics = new RuntimeMetrics({ processMetrics: opts.processMetrics });
    this.identity = opts.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
    this.informers = new InformerFactory(this.client, {
      clock: this.clock,
      ...opts.informer,
      onObservedKind: (kind, type) => this.metrics.informerEvents.inc({ kind, type }),
      onError: (err, phase) => this.log.warn({ err, phase }, 'informer: list/watch failed; retrying'),
    });
    this.recorder = new EventRecorder(this.client, { component: opts.component ?? 'slipway-controllers', host: hostname(), clock: this.clock, onError: (err) => this.log.warn({ err }, 'cannot record event') });
  }

  /** Add a controller (before start). */
  add(opts: ControllerOptions): Controller {
    if (this.state !== 'new') throw new Error('controllers must be added before the manager starts');
    if (this.controllers.some((c) => c.name === opts.name)) throw new Error(`a controller named "${opts.name}" is already added`);
    const c = new Controller(opts, { client: this.client, informers: this.informers, clock: this.clock, log: this.log, metrics: this.metrics, recorder: this.recorder });
    this.controllers.push(c);
    return c;
  }

  /**
   * Add a loop that is not a reconciler (e.g. a scheduler's queue): `run` is called each time the controllers start,
   * with a signal aborted when they stop (shutdown or lost leadership). Before start only.
   */
  addRunnable(r: { name: string; run(signal: AbortSignal): void }): void {
    if (this.state !== 'new') throw new Error('runnables must be added before the manager starts');
    this.runnables.push(r);
  }

  /** URL of the metrics/health endpoint, once started. */
  get metricsUrl(): string | undefined {
    return this.url;
  }

  get isLeader(): boolean {
    return this.opts.leaderElection ? !!this.elector?.isLeader : this.controllersRunning;
  }

  /** True while controllers are running (this manager is the leader, or runs without election). */
  get running(): boolean {
    return this.controllersRunning;
  }

  get synced(): boolean {
    return this.informers.all().every((i) => i.hasSynced());
  }

  get controllerList(): readonly Controller[] {
    return this.controllers;
  }

  /**
   * Resolve kinds, serve /metrics and /healthz, start informers and wait for their first list, then
   * run controllers (at once, or when this manager becomes the leader).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`manager already ${this.state}`);
    this.state = 'starting';
    for (const c of this.controllers) await c.setup();
    if (this.opts.metricsBindAddress) await this.serve(this.opts.metricsBindAddress);
    this.informers.startAll();
    const abort = new AbortController();
    const synced = await this.informers.waitForSync(abort.signal);
    if (this.state !== 'starting') return;
    if (!synced) throw new Error('informers did not sync');
    this.state = 'running';
    this.log.info({ controllers: this.controllers.map((c) => c.name), informers: this.informers.all().length }, 'caches synced');
    const le = this.opts.leaderElection;
    if (le) {
      this.elector = new LeaderElector(this.client, {
        namespace: le.namespace ?? 'kube-system',
        name: le.name ?? 'slipway-controllers',
        identity: this.identity,
        leaseDurationMs: le.leaseDurationMs,
        renewDeadlineMs: le.renewDeadlineMs,
        retryPeriodMs: le.retryPeriodMs,
        clock: this.clock,
        log: this.log,
        onStartedLeading: () => {
          this.metrics.leader.set({ name: le.name ?? 'slipway-controllers' }, 1);
          this.startControllers();
        },
        onStoppedLeading: async () => {
          this.metrics.leader.set({ name: le.name ?? 'slipway-controllers' }, 0);
          await this.stopControllers();
        },
      });
      this.elector.start();
    } else {
      this.startControllers();
    }
  }

  private startControllers(): void {
    this.controllerTransition = this.controllerTransition.then(() => {
      if (this.controllersRunning || this.state !== 'running') return;
      for (const c of this.controllers) c.start();
      this.runnablesAbort = new AbortController();
      for (const r of this.runnables) r.run(this.runnablesAbort.signal);
      this.controllersRunning = true;
    });
  }

  private stopControllers(): Promise<void> {
    this.controllerTransition = this.controllerTransition.then(async () => {
      if (!this.controllersRunning) return;
      this.controllersRunning = false;
      this.runnablesAbort?.abort();
      await Promise.all(this.controllers.map((c) => c.stop()));
    });
    return this.controllerTransition;
  }

  /** Stop controllers (release the lease), informers and the endpoint; bounded by gracefulShutdownMs. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    const all = (async (): Promise<void> => {
      if (this.elector) await this.elector.stop();
      await this.stopControllers();
      await this.recorder.flush();
      await this.informers.stopAll();
    })();
    const limit = this.opts.gracefulShutdownMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(0, limit - 250))))]);
    clearTimeout(timer);
    if (timedOut) this.log.warn({ gracefulShutdownMs: limit }, 'shutdown timed out; stopping anyway');
    await this.closeServer();
    this.state = 'stopped';
  }

  private async serve(bind: string): Promise<void> {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(bind);
    if (!m) throw new Error(`metrics bind address must be HOST:PORT (e.g. 127.0.0.1:8080), got "${bind}"`);
    const host = m[1] ?? (m[2] || '127.0.0.1');
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        this.metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
            res.end(text);
          },
          (e: unknown) => {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(String(e));
          },
        );
        return;
      }
      if (path === '/healthz' || path === '/livez') {
        const ok = this.state === 'starting' || this.state === 'running';
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
        res.end(ok ? 'ok' : this.state);
        return;
      }
      if (path === '/readyz') {
        const ok = this.state === 'running' && this.synced;
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
        res.end(ok ? 'ok' : 'informers not synced');
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(m[3]), host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    this.url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }

  private async closeServer(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}
