/**
 * Test support for the KubeadmConfig controller: a real management plane (in memory, on a FakeClock, without its own
 * Cluster API controllers) serving Cluster, Machine and KubeadmConfig (minimal CRDs when the plane does not serve
 * them itself), one real ObjectStore per workload cluster reached through an in-process WorkloadConnector that a test
 * can switch off (an unreachable API server), and a Manager running only the KubeadmConfig controller.
 */
import type { KubeObject } from '../../src/apimachinery/types.js';
import { ObjectStore } from '../../src/apiserver/object-store.js';
import { ResourceRegistry } from '../../src/apiserver/registry.js';
import { builtinResources } from '../../src/api/builtin/index.js';
import { workloadClusterResources } from '../../src/api/kubernetes/index.js';
import { KUBEADM_CONFIG_KIND, type KubeadmConfig, type KubeadmConfigSpec } from '../../src/api/bootstrap/types.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, CONTROL_PLANE_LABEL, MACHINE_KIND, type Cluster, type ClusterSpec, type Machine } from '../../src/api/cluster/types.js';
import { rfc3339 } from '../../src/apiserver/clock.js';
import { inProcessClient } from '../../src/client/index.js';
import type { Client } from '../../src/client/types.js';
import { ClusterCache, clusterRefKey, type ClusterRef, type WorkloadConnector } from '../../src/controllers/shared/cluster-cache.js';
import type { ControllerContext } from '../../src/controllers/shared/context.js';
import { CachedReader } from '../../src/controllers/shared/reader.js';
import { setupKubeadmConfigController, type KubeadmConfigControllerOptions } from '../../src/controllers/kubeadmconfig/reconciler.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { inProcessManager } from '../../src/runtime/in-process.js';
import type { Manager } from '../../src/runtime/manager.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { ensureClusterApiKinds } from './cluster-api-crds.js';
import { eventually, startPlane, type TestPlane } from './plane.js';

export const SECRET = { apiVersion: 'v1', kind: 'Secret' } as const;
export const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

export interface KubeadmConfigEnv {
  clock: FakeClock;
  plane: TestPlane;
  client: Client;
  manager: Manager;
  /** A client of a workload cluster (its store is made on first use, with kube-system). */
  workload(ref: ClusterRef): Promise<Client>;
  /** Whether the controller can reach a workload cluster (default true). */
  setReachable(ref: ClusterRef, reachable: boolean): void;
  /**
   * Wait until the controller has seen the current versions of these objects and has nothing queued or running, so a
   * test can assert what it did NOT do.
   */
  quiesce(objects: { kind: { apiVersion: string; kind: string }; namespace: string; name: string }[]): Promise<void>;
  close(): Promise<void>;
}

export async function startKubeadmConfigEnv(opts: KubeadmConfigControllerOptions = {}): Promise<KubeadmConfigEnv> {
  const clock = new FakeClock(Date.UTC(2030, 0, 1, 12, 0, 0));
  const plane = await startPlane({ storage: 'memory', clock, clusterApi: false });
  const client = inProcessClient(plane.plane.objects);
  await ensureClusterApiKinds(client);
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', workloadClusterResources());
  const stores = new Map<string, ObjectStore>();
  const unreachable = new Set<string>();
  const storeOf = async (ref: ClusterRef): Promise<ObjectStore> => {
    let s = stores.get(clusterRefKey(ref));
    if (!s) {
      s = new ObjectStore(new MemoryStore(), registry, { clock });
      stores.set(clusterRefKey(ref), s);
      await inProcessClient(s).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    }
    return s;
  };
  const connector: WorkloadConnector = {
    connect: async (ref) => (unreachable.has(clusterRefKey(ref)) ? undefined : inProcessClient(await storeOf(ref))),
  };
  const manager = inProcessManager(plane.plane.objects, { clock, processMetrics: false, component: 'kubeadmconfig-test' });
  const clusterCache = new ClusterCache(connector, { clock });
  const ctx: ControllerContext = { manager, reader: new CachedReader(manager.client, manager.informers), clusterCache };
  setupKubeadmConfigController(ctx, opts);
  await manager.start();
  return {
    clock,
    plane,
    client,
    manager,
    workload: async (ref) => inProcessClient(await storeOf(ref)),
    async quiesce(objects) {
      const controller = manager.controllerList.find((c) => c.name === 'kubeadmconfig')!;
      await eventually(async () => {
        for (const o of objects) {
          const stored = await client.get(o.kind, { namespace: o.namespace, name: o.name });
          const cached = manager.informers.for(o.kind).cache.get(`${o.namespace}/${o.name}`);
          if (cached?.metadata?.resourceVersion !== stored.metadata?.resourceVersion) return false;
        }
        const q = controller.workQueue;
        return !!q && q.length === 0 && q.processingCount === 0;
      }, 10_000, 'controller idle');
    },
    setReachable: (ref, reachable) => {
      if (reachable) unreachable.delete(clusterRefKey(ref));
      else unreachable.add(clusterRefKey(ref));
    },
    async close() {
      await manager.stop();
      await clusterCache.stop();
      await plane.close();
    },
  };
}

/** One test's namespace, Cluster, Machines and KubeadmConfigs. */
export class BootstrapScenario {
  readonly ref: ClusterRef;

  constructor(
    readonly env: KubeadmConfigEnv,
    readonly namespace: string,
    readonly clusterName = 'wl',
  ) {
    this.ref = { namespace, name: clusterName };
  }

  async createCluster(spec: Partial<ClusterSpec> = {}): Promise<Cluster> {
    await this.env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } });
    return this.env.client.create<Cluster>({
      ...CLUSTER_KIND,
      metadata: { namespace: this.namespace, name: this.clusterName },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] }, serviceDomain: 'cluster.test' },
        controlPlaneEndpoint: { host: '10.0.0.10', port: 6443 },
        infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', name: this.clusterName },
        ...spec,
      },
    });
  }

  /** Set status.infrastructureReady and the ControlPlaneInitialized condition. */
  async setClusterStatus(s: { infrastructureReady?: boolean; controlPlaneInitialized?: boolean }): Promise<void> {
    const conditions = [
      { type: 'InfrastructureReady', status: s.infrastructureReady ? 'True' : 'False', lastTransitionTime: rfc3339(this.env.clock.now()) },
      { type: 'ControlPlaneInitialized', status: s.controlPlaneInitialized ? 'True' : 'False', lastTransitionTime: rfc3339(this.env.clock.now()) },
    ];
    await this.env.client.patchStatus(CLUSTER_KIND, { namespace: this.namespace, name: this.clusterName }, { type: 'merge', body: { status: { infrastructureReady: !!s.infrastructureReady, conditions } } });
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.env.client.patch(CLUSTER_KIND, { namespace: this.namespace, name: this.clusterName }, { type: 'merge', body: { spec: { paused } } });
  }

  /** A KubeadmConfig and its Machine, the Machine owning the config (as the Machine controller sets it). */
  async createMachine(name: string, spec: KubeadmConfigSpec, opts: { controlPlane?: boolean; version?: string; owned?: boolean } = {}): Promise<{ machine: Machine; config: KubeadmConfig }> {
    let config = await this.env.client.create<KubeadmConfig>({ ...KUBEADM_CONFIG_KIND, metadata: { namespace: this.namespace, name }, spec });
    const labels: Record<string, string> = { [CLUSTER_NAME_LABEL]: this.clusterName };
    if (opts.controlPlane) labels[CONTROL_PLANE_LABEL] = '';
    const machine = await this.env.client.create<Machine>({
      ...MACHINE_KIND,
      metadata: { namespace: this.namespace, name, labels },
      spec: {
        clusterName: this.clusterName,
        version: opts.version ?? 'v1.30.4',
        bootstrap: { configRef: { apiVersion: KUBEADM_CONFIG_KIND.apiVersion, kind: 'KubeadmConfig', name } },
        infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name },
      },
    });
    if (opts.owned !== false) config = await this.own(name);
    return { machine, config };
  }

  /** Make the Machine the controller owner of its KubeadmConfig. */
  async own(name: string): Promise<KubeadmConfig> {
    const machine = await this.env.client.get<Machine>(MACHINE_KIND, { namespace: this.namespace, name });
    return this.env.client.patch<KubeadmConfig>(KUBEADM_CONFIG_KIND, { namespace: this.namespace, name }, {
      type: 'merge',
      body: { metadata: { ownerReferences: [{ apiVersion: MACHINE_KIND.apiVersion, kind: 'Machine', name, uid: machine.metadata!.uid!, controller: true, blockOwnerDeletion: true }] } },
    });
  }

  async setNodeRef(name: string): Promise<void> {
    await this.env.client.patchStatus(MACHINE_KIND, { namespace: this.namespace, name }, { type: 'merge', body: { status: { nodeRef: { apiVersion: 'v1', kind: 'Node', name: `${name}-node` } } } });
  }

  config(name: string): Promise<KubeadmConfig> {
    return this.env.client.get<KubeadmConfig>(KUBEADM_CONFIG_KIND, { namespace: this.namespace, name });
  }

  async secret(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.env.client.get(SECRET, { namespace: this.namespace, name });
    } catch {
      return undefined;
    }
  }

  /** The bootstrap data of a config's Secret: value and format, decoded. */
  async data(name: string): Promise<{ value: string; format: string } | undefined> {
    const s = await this.secret(name);
    const d = s?.data as Record<string, string> | undefined;
    if (!d?.value) return undefined;
    return { value: Buffer.from(d.value, 'base64').toString('utf8'), format: Buffer.from(d.format ?? '', 'base64').toString('utf8') };
  }
}

export function conditionOf(obj: KubeObject, type: string): { status: string; reason?: string; severity?: string; message?: string } | undefined {
  const list = (obj.status as { conditions?: { type: string; status: string; reason?: string; severity?: string; message?: string }[] } | undefined)?.conditions ?? [];
  return list.find((c) => c.type === type);
}
