/**
 * Access to workload clusters for the management plane's controllers (Cluster API's ClusterCache): one Client per
 * workload cluster and shared informers on kinds inside it (Nodes, Pods), whose changes are handed to controllers.
 * How a cluster is reached is the connector's business: in-process for the clusters the plane hosts itself (sim),
 * over HTTPS with the `<cluster>-kubeconfig` Secret otherwise.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeObject } from '../../apimachinery/types.js';
import { SharedInformer, type InformerOptions } from '../../client/informer.js';
import type { Client, KindRef } from '../../client/types.js';
import type { Clock } from '../../runtime/clock.js';
import { systemClock } from '../../runtime/clock.js';

export interface ClusterRef {
  namespace: string;
  name: string;
}

export interface WorkloadConnector {
  /**
   * A client of the workload cluster's API, or undefined while it cannot be reached (its API server is not up yet,
   * or the cluster is gone). Called again later; should be cheap when it answers undefined.
   */
  connect(cluster: ClusterRef): Promise<Client | undefined>;
}

export type WorkloadEventHandler<T extends KubeObject = KubeObject> = (obj: T, type: 'ADDED' | 'MODIFIED' | 'DELETED', old?: T) => void;

interface Connection {
  client: Client;
  informers: Map<string, SharedInformer>;
  handlers: Map<string, { informer: SharedInformer; remove(): void }>;
}

export interface ClusterCacheOptions {
  clock?: Clock;
  logger?: Logger;
  informer?: Pick<InformerOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'watchTimeoutSeconds'>;
}

export function clusterRefKey(ref: ClusterRef): string {
  return `${ref.namespace}/${ref.name}`;
}

export class ClusterCache {
  private readonly connections = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection | undefined>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private stopped = false;

  constructor(
    private readonly connector: WorkloadConnector,
    private readonly opts: ClusterCacheOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  /** Clusters with an open connection. */
  get size(): number {
    return this.connections.size;
  }

  private async connection(cluster: ClusterRef): Promise<Connection | undefined> {
    if (this.stopped) return undefined;
    const key = clusterRefKey(cluster);
    const known = this.connections.get(key);
    if (known) return known;
    let pending = this.connecting.get(key);
    if (!pending) {
      pending = (async () => {
        const client = await this.connector.connect(cluster);
        if (!client || this.stopped) return undefined;
        const conn: Connection = { client, informers: new Map(), handlers: new Map() };
        this.connections.set(key, conn);
        return conn;
      })().finally(() => this.connecting.delete(key));
      this.connecting.set(key, pending);
    }
    return pending;
  }

  /** A client of the workload cluster, or undefined while it cannot be reached. */
  async client(cluster: ClusterRef): Promise<Client | undefined> {
    return (await this.connection(cluster))?.client;
  }

  /**
   * A started, synced informer on a kind inside the workload cluster (shared by every caller), or undefined while the
   * cluster cannot be reached.
   */
  async informer<T extends KubeObject>(cluster: ClusterRef, kind: KindRef<T>, opts: { namespace?: string } = {}): Promise<SharedInformer<T> | undefined> {
    const conn = await this.connection(cluster);
    if (!conn) return undefined;
    const id = `${kind.apiVersion}|${kind.kind}|${opts.namespace ?? ''}`;
    let inf = conn.informers.get(id);
    if (!inf) {
      inf = new SharedInformer(conn.client, { apiVersion: kind.apiVersion, kind: kind.kind }, {
        namespace: opts.namespace,
        clock: this.clock,
        ...this.opts.informer,
        onError: (err, phase) => this.log.debug({ err, phase, cluster: clusterRefKey(cluster), kind: kind.kind }, 'workload cluster informer: list/watch failed; retrying'),
      });
      conn.informers.set(id, inf);
      inf.start();
    }
    await inf.waitForSync();
    return inf as unknown as SharedInformer<T>;
  }

  /**
   * Call `handler` for every change of `kind` in the workload cluster. Registered once per `id` (e.g. the
   * controller's name); returns false while the cluster cannot be reached (call again on a later reconcile).
   */
  async watch<T extends KubeObject>(cluster: ClusterRef, kind: KindRef<T>, id: string, handler: WorkloadEventHandler<T>, opts: { namespace?: string } = {}): Promise<boolean> {
    const conn = await this.connection(cluster);
    if (!conn) return false;
    const hid = `${id}|${kind.apiVersion}|${kind.kind}|${opts.namespace ?? ''}`;
    if (conn.handlers.has(hid)) return true;
    const inf = await this.informer(cluster, kind, opts);
    if (!inf) return false;
    if (conn.handlers.has(hid)) return true;
    const reg = inf.addEventHandler({
      onAdd: (o) => handler(o, 'ADDED'),
      onUpdate: (old, o) => handler(o, 'MODIFIED', old),
      onDelete: (o) => handler(o, 'DELETED'),
    });
    conn.handlers.set(hid, { informer: inf as unknown as SharedInformer, remove: reg.remove });
    return true;
  }

  /** Drop the connection to a cluster (it was deleted, or its endpoint changed): informers stop. */
  async disconnect(cluster: ClusterRef): Promise<void> {
    const key = clusterRefKey(cluster);
    const conn = this.connections.get(key);
    if (!conn) return;
    this.connections.delete(key);
    for (const h of conn.handlers.values()) h.remove();
    await Promise.all([...conn.informers.values()].map((i) => i.stop()));
    conn.client.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.connections.values()].map(async (conn) => {
      for (const h of conn.handlers.values()) h.remove();
      await Promise.all([...conn.informers.values()].map((i) => i.stop()));
      conn.client.close();
    }));
    this.connections.clear();
  }
}
