/**
 * Test support for the MachineHealthCheck controller: a real management plane (in memory, on a FakeClock, serving the
 * Cluster API kinds but running none of its own Cluster API controllers), one real ObjectStore per workload cluster
 * (builtin kinds + Node and Pod) reached through an in-process WorkloadConnector, and a Manager running only the
 * MachineHealthCheck controller.
 */
import type { KubeObject } from '../../src/apimachinery/types.js';
import { rfc3339 } from '../../src/apiserver/clock.js';
import { ObjectStore } from '../../src/apiserver/object-store.js';
import { ResourceRegistry } from '../../src/apiserver/registry.js';
import { builtinResources } from '../../src/api/builtin/index.js';
import { workloadClusterResources } from '../../src/api/kubernetes/index.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONTROL_PLANE_LABEL,
  MACHINE_HEALTH_CHECK_KIND,
  MACHINE_KIND,
  NODE_CLUSTER_NAMESPACE_ANNOTATION,
  NODE_MACHINE_ANNOTATION,
  type Cluster,
  type Machine,
  type MachineHealthCheck,
  type MachineHealthCheckSpec,
} from '../../src/api/cluster/types.js';
import { inProcessClient } from '../../src/client/index.js';
import type { Client } from '../../src/client/types.js';
import { ClusterCache, clusterRefKey, type ClusterRef, type WorkloadConnector } from '../../src/controllers/shared/cluster-cache.js';
import type { ControllerContext } from '../../src/controllers/shared/context.js';
import { CachedReader } from '../../src/controllers/shared/reader.js';
import { setupMachineHealthCheckController } from '../../src/controllers/machinehealthcheck/reconciler.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { inProcessManager } from '../../src/runtime/in-process.js';
import type { Manager } from '../../src/runtime/manager.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { startPlane, type TestPlane } from './plane.js';

export const NODE_KIND = { apiVersion: 'v1', kind: 'Node' } as const;
const EVENT_KIND = { apiVersion: 'v1', kind: 'Event' } as const;
export const MIN = 60_000;

export interface MhcEnv {
  clock: FakeClock;
  plane: TestPlane;
  /** Client of the management plane. */
  client: Client;
  manager: Manager;
  clusterCache: ClusterCache;
  /** A client of the workload cluster (its store is made on first use). */
  workload(ref: ClusterRef): Client;
  close(): Promise<void>;
}

/** Start the plane, the workload-cluster stores and a manager running the MachineHealthCheck controller. */
export async function startMhcEnv(): Promise<MhcEnv> {
  const clock = new FakeClock(Date.UTC(2030, 0, 1, 12, 0, 0));
  // The plane's own Cluster API controllers stay off: only the controller under test runs.
  const plane = await startPlane({ storage: 'memory', clock, clusterApi: false });
  const client = inProcessClient(plane.plane.objects);
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', workloadClusterResources());
  const stores = new Map<string, ObjectStore>();
  const storeOf = (ref: ClusterRef): ObjectStore => {
    let s = stores.get(clusterRefKey(ref));
    if (!s) {
      s = new ObjectStore(new MemoryStore(), registry, { clock });
      stores.set(clusterRefKey(ref), s);
    }
    return s;
  };
  const connector: WorkloadConnector = { connect: async (ref) => inProcessClient(storeOf(ref)) };
  const manager = inProcessManager(plane.plane.objects, { clock, processMetrics: false, component: 'mhc-test' });
  const clusterCache = new ClusterCache(connector, { clock });
  const ctx: ControllerContext = { manager, reader: new CachedReader(manager.client, manager.informers), clusterCache };
  setupMachineHealthCheckController(ctx);
  await manager.start();
  return {
    clock,
    plane,
    client,
    manager,
    clusterCache,
    workload: (ref) => inProcessClient(storeOf(ref)),
    async close() {
      await manager.stop();
      await clusterCache.stop();
      await plane.close();
    },
  };
}

/** Builders and readers for one test: its own namespace, Cluster and workload cluster. */
export class MhcScenario {
  readonly ref: ClusterRef;
  readonly workload: Client;

  constructor(
    readonly env: MhcEnv,
    readonly namespace: string,
    readonly clusterName = 'test-cluster',
  ) {
    this.ref = { namespace, name: clusterName };
    this.workload = env.workload(this.ref);
  }

  private ago(ms: number): string {
    return rfc3339(new Date(this.env.clock.nowMs() - ms));
  }

  /** The namespace and a Cluster whose infrastructure became ready and control plane initialized an hour ago. */
  async createCluster(opts: { controlPlaneInitialized?: boolean; paused?: boolean } = {}): Promise<Cluster> {
    await this.env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } });
    await this.env.client.create<Cluster>({ ...CLUSTER_KIND, metadata: { namespace: this.namespace, name: this.clusterName }, spec: opts.paused ? { paused: true } : {} });
    const conditions = [
      { type: 'InfrastructureReady', status: 'True', lastTransitionTime: this.ago(60 * MIN) },
      { type: 'ControlPlaneInitialized', status: opts.controlPlaneInitialized === false ? 'False' : 'True', lastTransitionTime: this.ago(60 * MIN) },
    ];
    return this.env.client.patchStatus<Cluster>(CLUSTER_KIND, { namespace: this.namespace, name: this.clusterName }, { type: 'merge', body: { status: { infrastructureReady: true, conditions } } });
  }

  async setClusterPaused(paused: boolean): Promise<void> {
    await this.env.client.patch(CLUSTER_KIND, { namespace: this.namespace, name: this.clusterName }, { type: 'merge', body: { spec: { paused } } });
  }

  async createMhc(name: string, spec: Partial<MachineHealthCheckSpec> = {}): Promise<MachineHealthCheck> {
    return this.env.client.create<MachineHealthCheck>({
      ...MACHINE_HEALTH_CHECK_KIND,
      metadata: { namespace: this.namespace, name },
      spec: {
        clusterName: this.clusterName,
        selector: { matchLabels: { pool: 'workers' } },
        unhealthyConditions: [
          { type: 'Ready', status: 'Unknown', timeout: '5m' },
          { type: 'Ready', status: 'False', timeout: '5m' },
        ],
        ...spec,
      },
    });
  }

  /**
   * A Machine of the Cluster (labels pool=workers unless given); with `node`, a Node named after it in the workload
   * cluster (Ready as given, since `sinceMs` ago) and the Machine's status.nodeRef naming it.
   */
  async createMachine(name: string, opts: { labels?: Record<string, string>; annotations?: Record<string, string>; controlPlane?: boolean; node?: { ready: 'True' | 'False' | 'Unknown'; sinceMs?: number; annotate?: boolean } } = {}): Promise<Machine> {
    const labels: Record<string, string> = { [CLUSTER_NAME_LABEL]: this.clusterName, ...(opts.labels ?? { pool: 'workers' }) };
    if (opts.controlPlane) labels[CONTROL_PLANE_LABEL] = '';
    let m = await this.env.client.create<Machine>({
      ...MACHINE_KIND,
      metadata: { namespace: this.namespace, name, labels, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
      spec: { clusterName: this.clusterName, bootstrap: { dataSecretName: `${name}-bootstrap` }, infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name } },
    });
    if (opts.node) {
      const nodeName = `${name}-node`;
      await this.createNode(nodeName, opts.node.ready, opts.node.sinceMs ?? 60 * MIN, opts.node.annotate ? name : undefined);
      m = await this.env.client.patchStatus<Machine>(MACHINE_KIND, { namespace: this.namespace, name }, { type: 'merge', body: { status: { nodeRef: { apiVersion: 'v1', kind: 'Node', name: nodeName }, infrastructureReady: true, bootstrapReady: true, phase: 'Running' } } });
    }
    return m;
  }

  async createNode(name: string, ready: 'True' | 'False' | 'Unknown', sinceMs: number, machine?: string): Promise<void> {
    const annotations = machine ? { [NODE_MACHINE_ANNOTATION]: machine, [NODE_CLUSTER_NAMESPACE_ANNOTATION]: this.namespace } : undefined;
    await this.workload.create({ ...NODE_KIND, metadata: { name, ...(annotations ? { annotations } : {}) }, spec: {} });
    await this.setNodeReady(name, ready, sinceMs);
  }

  /** Set the Node's Ready condition, transitioned `sinceMs` before the clock's now. */
  async setNodeReady(name: string, status: 'True' | 'False' | 'Unknown', sinceMs = 0): Promise<void> {
    const reason = status === 'True' ? 'KubeletReady' : status === 'False' ? 'KubeletNotReady' : 'NodeStatusUnknown';
    await this.workload.patchStatus(NODE_KIND, name, { type: 'merge', body: { status: { conditions: [{ type: 'Ready', status, reason, lastHeartbeatTime: this.ago(0), lastTransitionTime: this.ago(sinceMs) }] } } });
  }

  async deleteNode(name: string): Promise<void> {
    await this.workload.delete(NODE_KIND, name);
  }

  machine(name: string): Promise<Machine> {
    return this.env.client.get<Machine>(MACHINE_KIND, { namespace: this.namespace, name });
  }

  mhc(name: string): Promise<MachineHealthCheck> {
    return this.env.client.get<MachineHealthCheck>(MACHINE_HEALTH_CHECK_KIND, { namespace: this.namespace, name });
  }

  /** Events about an object of this namespace, as `reason: message`. */
  async events(kind: string, name: string): Promise<string[]> {
    const list = await this.env.client.list(EVENT_KIND, { namespace: this.namespace });
    return list.items
      .filter((e) => (e.involvedObject as { kind?: string; name?: string } | undefined)?.kind === kind && (e.involvedObject as { name?: string }).name === name)
      .map((e) => `${String(e.reason)}: ${String(e.message)}`);
  }
}

/** A condition of an object, or undefined. */
export function conditionOf(obj: KubeObject, type: string): { status: string; reason?: string; severity?: string; message?: string } | undefined {
  const list = (obj.status as { conditions?: { type: string; status: string; reason?: string; severity?: string; message?: string }[] } | undefined)?.conditions ?? [];
  return list.find((c) => c.type === type);
}

/** Total reconciles of the MachineHealthCheck controller so far (to wait for one to have happened). */
export async function mhcReconciles(manager: Manager): Promise<number> {
  const metric = await manager.metrics.reconcileTotal.get();
  return metric.values.filter((v) => v.labels.controller === 'machinehealthcheck').reduce((n, v) => n + v.value, 0);
}
