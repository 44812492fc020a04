/**
 * A controller: a primary kind, optionally owned and mapped kinds, a work queue of object keys and
 * N workers calling the reconciler. Errors retry with per-key exponential backoff; `requeueAfter`
 * schedules the next reconcile.
 */
import type { Logger } from 'pino';
import { parseApiVersion, type KubeObject } from '../apimachinery/types.js';
import { objectKeyOf, splitKey } from '../client/cache.js';
import type { InformerFactory, InformerKeep, SharedInformer } from '../client/informer.js';
import type { Client, KindRef, ResourceMapping } from '../client/types.js';
import type { Clock } from './clock.js';
import type { EventRecorder } from './events.js';
import type { RuntimeMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import type { RateLimiter } from './rate-limiter.js';
import { requestKey, type Reconciler, type ReconcileFunc, type Request } from './reconciler.js';

export interface WatchSpec {
  type: KindRef;
  /** Requests to enqueue for a changed object of this kind. */
  map: (obj: KubeObject) => Request[];
  /**
   * What the watch's shared informer keeps (default 'objects'): 'metadata' (map sees apiVersion, kind and metadata)
   * or 'nothing' (events only; on an update map sees the new object twice) — for kinds with many objects.
   */
  keep?: InformerKeep;
}

export interface ControllerOptions {
  /** Unique name: metrics label, queue name, log field. */
  name: string;
  /** The primary kind: each of its objects is one key. */
  for: KindRef;
  /** Kinds whose controller ownerReference points at a primary object: the owner is enqueued. */
  owns?: KindRef[];
  /** Other kinds, mapped to requests by a function. */
  watches?: WatchSpec[];
  reconciler: Reconciler | ReconcileFunc;
  /** Concurrent workers (default 1). A key is never processed by two workers at once. */
  workers?: number;
  /** Restrict the primary informer to one namespace. */
  namespace?: string;
  rateLimiter?: RateLimiter;
}

export interface ControllerDeps {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  log: Logger;
  metrics: RuntimeMetrics;
  recorder: EventRecorder;
}

export class Controller {
  readonly name: string;
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private abort = new AbortController();
  private readonly reconcileFn: ReconcileFunc;
  private primary: ResourceMapping | undefined;
  private informerList: SharedInformer[] = [];
  private readonly watchedKinds = new Set<string>();
  private started = false;

  constructor(
    readonly opts: ControllerOptions,
    private readonly deps: ControllerDeps,
  ) {
    this.name = opts.name;
    const r = opts.reconciler;
    this.reconcileFn = typeof r === 'function' ? r : (ctx, req) => r.reconcile(ctx, req);
  }

  /** The informers this controller reads (the manager starts them). */
  get informers(): SharedInformer[] {
    return this.informerList;
  }

  /** Current work queue (undefined while stopped). */
  get workQueue(): WorkQueue | undefined {
    return this.queue;
  }

  /** Resolve kinds and register event handlers on the shared informers. */
  async setup(): Promise<void> {
    const { informers, client } = this.deps;
    this.primary = await client.mapping(this.opts.for);
    const enqueue = (req: Request): void => this.queue?.add(requestKey(req));
    // Primary objects: their own cache key is the request key.
    const enqueueObject = (o: KubeObject): void => this.queue?.add(objectKeyOf(o));
    const primary = informers.for(this.opts.for, { namespace: this.opts.namespace });
    primary.addEventHandler({
      onAdd: enqueueObject,
      onUpdate: (_old, o) => enqueueObject(o),
      onDelete: enqueueObject,
    });
    this.informerList.push(primary);
    const primaryGroup = this.primary.group;
    const ownerRequests = (o: KubeObject): Request[] => {
      const out: Request[] = [];
      for (const ref of o.metadata?.ownerReferences ?? []) {
        if (ref.controller !== true || ref.kind !== this.opts.for.kind || parseApiVersion(ref.apiVersion).group !== primaryGroup) continue;
        out.push(this.primary!.namespaced ? { namespace: o.metadata?.namespace, name: ref.name } : { name: ref.name });
      }
      return out;
    };
    for (const type of this.opts.owns ?? []) this.watchMapped(type, ownerRequests, enqueue);
    for (const w of this.opts.watches ?? []) this.watchMapped(w.type, w.map, enqueue, w.keep);
  }

  /** Enqueue a request (from any event source, e.g. a watch on a workload cluster). Ignored while stopped. */
  enqueue(req: Request): void {
    this.queue?.add(requestKey(req));
  }

  /** Enqueue a request after a delay. */
  enqueueAfter(req: Request, ms: number): void {
    this.queue?.addAfter(requestKey(req), ms);
  }

  /**
   * Watch another kind, also after start (e.g. an infrastructure kind first seen in a reference): its changed
   * objects are mapped to requests. Idempotent per kind; the informer is shared through the manager's factory.
   */
  async watchKind(type: KindRef, map: (o: KubeObject) => Request[]): Promise<void> {
    const id = `${type.apiVersion}|${type.kind}`;
    if (this.watchedKinds.has(id)) return;
    this.watchedKinds.add(id);
    try {
      await this.deps.client.mapping(type);
    } catch (e) {
      this.watchedKinds.delete(id);
      throw e;
    }
    const inf = this.watchMapped(type, map, (r) => this.enqueue(r));
    if (this.started) {
      inf.start();
      await inf.waitForSync(this.abort.signal);
    }
  }

  private watchMapped(type: KindRef, map: (o: KubeObject) => Request[], enqueue: (r: Request) => void, keep: InformerKeep = 'objects'): SharedInformer {
    this.watchedKinds.add(`${type.apiVersion}|${type.kind}`);
    const inf = this.deps.informers.for(type, { keep });
    const run = (o: KubeObject): void => {
      for (const r of map(o)) enqueue(r);
    };
    inf.addEventHandler({ onAdd: run, onUpdate: (old, o) => (run(old), run(o)), onDelete: run });
    this.informerList.push(inf);
    return inf;
  }

  /** Start the workers; every cached primary object is enqueued. */
  start(): void {
    if (this.queue) return;
    this.started = true;
    this.abort = new AbortController();
    this.queue = new WorkQueue({ clock: this.deps.clock, rateLimiter: this.opts.rateLimiter, metrics: this.deps.metrics.queue(this.name) });
    const primary = this.deps.informers.for(this.opts.for, { namespace: this.opts.namespace });
    for (const o of primary.lister.list()) this.queue.add(objectKeyOf(o));
    const n = Math.max(1, this.opts.workers ?? 1);
    for (let i = 0; i < n; i++) this.workers.push(this.work(this.queue));
  }

  /** Stop handing out keys and wait for running reconciles (they see an aborted signal). */
  async stop(): Promise<void> {
    const q = this.queue;
    if (!q) return;
    this.queue = undefined;
    this.started = false;
    this.abort.abort();
    await q.shutDownWithDrain();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(queue: WorkQueue): Promise<void> {
    const { metrics, clock, log, client, recorder } = this.deps;
    const controller = this.name;
    // Label children resolved once per worker (prom-client hashes labels on every call otherwise), each on first use
    // (a series exists only once something happened: thousands of workload clusters each run these controllers).
    const activeWorkers = metrics.activeWorkers.labels({ controller });
    const reconcileTime = metrics.reconcileTime.labels({ controller });
    const totals = new Map<string, { inc(): void }>();
    const count = (result: string): void => {
      let c = totals.get(result);
      if (!c) totals.set(result, (c = metrics.reconcileTotal.labels({ controller, result })));
      c.inc();
    };
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const req = splitKey(key);
      const started = clock.nowMs();
      activeWorkers.inc();
      try {
        const result = await this.reconcileFn({ signal: this.abort.signal, client, clock, log: log.child({ controller, key }), recorder, retries: queue.numRequeues(key) }, req);
        if (result?.requeueAfter && result.requeueAfter > 0) {
          queue.forget(key);
          queue.addAfter(key, result.requeueAfter);
          count('requeue_after');
        } else if (result?.requeue) {
          queue.addRateLimited(key);
          count('requeue');
        } else {
          queue.forget(key);
          count('success');
        }
      } catch (e) {
        count('error');
        metrics.reconcileErrors.inc({ controller });
        if (!this.abort.signal.aborted) log.warn({ controller, key, err: e, retries: queue.numRequeues(key) }, 'reconcile failed');
        queue.addRateLimited(key);
      } finally {
        reconcileTime.observe((clock.nowMs() - started) / 1000);
        activeWorkers.dec();
        queue.done(key);
      }
    }
  }
}
