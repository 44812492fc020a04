/**
 * Shared informer: list, then watch from the list's resourceVersion; resume the watch from the last
 * resourceVersion seen when it ends, relist on 410 Gone, and reconnect with exponential backoff
 * while the server is unreachable. Keeps a local indexed cache and calls event handlers.
 */
import type { KubeObject } from '../apimachinery/types.js';
import { Indexer, objectKeyOf, type IndexFunc } from './cache.js';
import { isGone } from './errors.js';
import { Lister } from './lister.js';
import type { Client, KindRef, Watch, WatchEvent } from './types.js';

/** The part of the runtime Clock an informer uses (src/runtime/clock.ts satisfies it). */
export interface SleepClock {
  nowMs(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const defaultClock: SleepClock = {
  nowMs: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = (): void => (clearTimeout(t), resolve());
      const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
      t.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface EventHandler<T extends KubeObject = KubeObject> {
  /** `initial` is true for objects delivered by a list (first sync or relist). */
  onAdd?(obj: T, initial: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  /** Watch one namespace only. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: SleepClock;
  /** Reconnect backoff: first delay (default 100 ms), doubling to maxBackoffMs (default 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Server-side watch timeout; default a random 5–10 minutes, so watches are renewed regularly. */
  watchTimeoutSeconds?: number;
  /** Page size of lists (default 500). */
  pageSize?: number;
  indexers?: Record<string, IndexFunc>;
  /** Called for every change the informer applies (for metrics). */
  onObserved?(type: 'ADDED' | 'MODIFIED' | 'DELETED'): void;
  /** Called when list or watch fails (before the backoff). */
  onError?(err: unknown, phase: 'list' | 'watch'): void;
  /** Applied to every object before it is cached and handed to handlers (client-go's SetTransform). */
  transform?: (obj: KubeObject) => KubeObject;
  /**
   * false: keep no objects, only tell handlers (the lister stays empty; an update's old object is the new one, and a
   * relist reports every object as added and none as deleted). For watches that only map events to requests.
   */
  keepObjects?: boolean;
}

/** What a shared informer keeps: whole objects, their metadata only, or nothing (events for handlers only). */
export type InformerKeep = 'objects' | 'metadata' | 'nothing';

/**
 * An object reduced to its type and metadata, without managed fields (as a metadata-only informer keeps it,
 * like controller-runtime's PartialObjectMetadata): enough to map events, a fraction of the memory.
 */
export function metadataOnly<T extends KubeObject>(obj: T): T {
  const { managedFields: _managed, ...metadata } = obj.metadata ?? {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata } as T;
}

export interface InformerStats {
  lists: number;
  watches: number;
  events: number;
  errors: number;
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly cache: Indexer<T>;
  readonly lister: Lister<T>;
  readonly stats: InformerStats = { lists: 0, watches: 0, events: 0, errors: 0 };
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly clock: SleepClock;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running = false;
  private abort = new AbortController();
  private watch: Watch | undefined;
  private loop: Promise<void> | undefined;
  /** resourceVersion of the last list or event seen. */
  lastResourceVersion = '';

  constructor(
    readonly client: Client,
    readonly type: KindRef<T>,
    private readonly opts: InformerOptions = {},
  ) {
    this.clock = opts.clock ?? defaultClock;
    this.cache = new Indexer<T>(opts.indexers as Record<string, IndexFunc<T>> | undefined);
    this.lister = new Lister(this.cache);
  }

  /** Register handlers; when already synced, the cached objects are replayed as adds. */
  addEventHandler(h: EventHandler<T>): { remove(): void } {
    this.handlers.add(h);
    if (this.synced) for (const o of this.cache.list()) h.onAdd?.(o, true);
    return { remove: () => this.handlers.delete(h) };
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.cache.addIndexers(indexers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache (or when the informer is stopped). */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => resolve(this.synced);
      this.syncWaiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.watch?.stop();
    this.watch = undefined;
    for (const w of this.syncWaiters.splice(0)) w();
    await this.loop;
  }

  private backoff(attempt: number): number {
    const first = this.opts.initialBackoffMs ?? 100;
    const max = this.opts.maxBackoffMs ?? 10_000;
    const base = Math.min(max, first * 2 ** Math.min(attempt, 30));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private async run(): Promise<void> {
    let needList = true;
    let failures = 0;
    while (this.running) {
      if (needList) {
        try {
          await this.list();
          needList = false;
          failures = 0;
        } catch (e) {
          this.stats.errors++;
          this.opts.onError?.(e, 'list');
          await this.clock.sleep(this.backoff(failures++), this.abort.signal);
          continue;
        }
      }
      const outcome = await this.watchOnce();
      if (!this.running) break;
      if (outcome.gone) {
        needList = true;
        continue;
      }
      if (outcome.error) {
        this.stats.errors++;
        this.opts.onError?.(outcome.error, 'watch');
      }
      if (outcome.progressed) failures = 0;
      // A watch that ended at once without delivering anything backs off too (no busy loop).
      if (outcome.error || !outcome.progressed) await this.clock.sleep(this.backoff(failures++), this.abort.signal);
    }
  }

  /** List every page, then replace the cache, emitting the differences as events. */
  private async list(): Promise<void> {
    this.stats.lists++;
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list(this.type, {
        namespace: this.opts.namespace,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        limit: this.opts.pageSize ?? 500,
        continue: cont,
      });
      if (!this.running) return;
      // Transformed page by page: a metadata-only informer never holds a whole list of full objects.
      const transform = this.opts.transform;
      for (const item of page.items) items.push(transform ? (transform(item) as T) : item);
      rv ||= page.metadata.resourceVersion;
      cont = page.metadata.continue;
    } while (cont);
    this.replace(items, rv);
  }

  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    if (this.opts.keepObjects === false) {
      for (const obj of items) this.emit('ADDED', obj, undefined, true);
      items = [];
    }
    for (const obj of items) {
      const key = objectKeyOf(obj);
      seen.add(key);
      const old = this.cache.set(obj);
      if (!old) this.emit('ADDED', obj, undefined, true);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('MODIFIED', obj, old, true);
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.cache.delete(key)!;
      this.emit('DELETED', old, undefined, true);
    }
    this.lastResourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T, old: T | undefined, initial: boolean): void {
    this.stats.events++;
    this.opts.onObserved?.(type);
    for (const h of this.handlers) {
      try {
        if (type === 'ADDED') h.onAdd?.(obj, initial);
        else if (type === 'MODIFIED') h.onUpdate?.(old!, obj);
        else h.onDelete?.(obj);
      } catch {
        // A handler's failure must not stop the informer.
      }
    }
  }

  private onWatchEvent(e: WatchEvent<T>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (e.type === 'BOOKMARK') {
      if (rv) this.lastResourceVersion = rv;
      return;
    }
    const obj = this.opts.transform ? (this.opts.transform(e.object) as T) : e.object;
    if (this.opts.keepObjects === false) {
      this.emit(e.type, obj, e.type === 'MODIFIED' ? obj : undefined, false);
    } else if (e.type === 'DELETED') {
      this.cache.delete(objectKeyOf(obj));
      this.emit('DELETED', obj, undefined, false);
    } else {
      const old = this.cache.set(obj);
      if (old) this.emit('MODIFIED', obj, old, false);
      else this.emit('ADDED', obj, undefined, false);
    }
    if (rv) this.lastResourceVersion = rv;
  }

  /** One watch from lastResourceVersion until it ends. */
  private watchOnce(): Promise<{ gone?: boolean; error?: unknown; progressed?: boolean }> {
    return new Promise((resolve) => {
      let progressed = false;
      this.stats.watches++;
      const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
      this.client
        .watch(
          this.type,
          {
            namespace: this.opts.namespace,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
            resourceVersion: this.lastResourceVersion,
            allowBookmarks: true,
            timeoutSeconds,
          },
          {
            onEvent: (e) => {
              progressed = true;
              this.onWatchEvent(e);
            },
            onClose: (err) => {
              this.watch = undefined;
              if (err && isGone(err)) resolve({ gone: true });
              else resolve({ error: err, progressed });
            },
          },
        )
        .then(
          (w) => {
            if (!this.running) w.stop();
            else this.watch = w;
          },
          (err: unknown) => resolve(isGone(err) ? { gone: true } : { error: err }),
        );
    });
  }
}

/** One informer per kind (and namespace/selector), shared by every controller of a manager. */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer>();

  constructor(
    readonly client: Client,
    private readonly defaults: Omit<InformerOptions, 'indexers' | 'namespace' | 'labelSelector' | 'fieldSelector'> & {
      onObservedKind?(kind: string, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void;
    } = {},
  ) {}

  /**
   * The shared informer of a kind (and selection). `keep: 'metadata'` gives a separate one that keeps only metadata,
   * `keep: 'nothing'` one that only tells its handlers (see InformerOptions.keepObjects).
   */
  for<T extends KubeObject>(type: KindRef<T>, opts: Pick<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> & { keep?: InformerKeep } = {}): SharedInformer<T> {
    const { keep = 'objects', ...selection } = opts;
    const key = [type.apiVersion, type.kind, selection.namespace ?? '', selection.labelSelector ?? '', selection.fieldSelector ?? '', keep].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      const { onObservedKind, ...rest } = this.defaults;
      inf = new SharedInformer(this.client, { apiVersion: type.apiVersion, kind: type.kind }, {
        ...rest,
        ...selection,
        ...(keep !== 'objects' ? { transform: metadataOnly } : {}),
        ...(keep === 'nothing' ? { keepObjects: false } : {}),
        onObserved: onObservedKind ? (t) => onObservedKind(type.kind, t) : rest.onObserved,
      });
      this.informers.set(key, inf);
    }
    return inf as unknown as SharedInformer<T>;
  }

  all(): SharedInformer[] {
    return [...this.informers.values()];
  }

  startAll(): void {
    for (const i of this.informers.values()) i.start();
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const r = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return r.every(Boolean);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
