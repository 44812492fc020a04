/**
 * Test support for the MachineDeployment and MachineSet controllers: a real management plane (in memory, on a
 * FakeClock, without its own Cluster API controllers; it serves the Cluster API kinds with their defaults) and a
 * Manager running only these two controllers. The test plays the Machine controller: it makes Machines ready
 * (status.nodeRef, NodeHealthy and Ready True) and lets deleted ones go (drops the Machine finalizer) when it says so.
 */
import type { KubeObject } from '../../src/apimachinery/types.js';
import { rfc3339 } from '../../src/apiserver/clock.js';
import {
  CLUSTER_KIND,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_FINALIZER,
  MACHINE_KIND,
  MACHINE_SET_KIND,
  type Cluster,
  type Machine,
  type MachineDeployment,
  type MachineDeploymentSpec,
  type MachineSet,
} from '../../src/api/cluster/types.js';
import { inProcessClient } from '../../src/client/index.js';
import type { Client, KindRef, WatchEvent, WatchHandler } from '../../src/client/types.js';
import { ClusterCache } from '../../src/controllers/shared/cluster-cache.js';
import type { ControllerContext } from '../../src/controllers/shared/context.js';
import { CachedReader } from '../../src/controllers/shared/reader.js';
import { setupMachineDeploymentController } from '../../src/controllers/machinedeployment/reconciler.js';
import { setupMachineSetController } from '../../src/controllers/machineset/reconciler.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Manager } from '../../src/runtime/manager.js';
import { seededRandom } from '../../src/topology/random.js';
import { ensureClusterApiKinds } from './cluster-api-crds.js';
import { eventually, startPlane, type TestPlane } from './plane.js';

export const SIM_MACHINE_TEMPLATE = { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate' } as const;
export const SIM_MACHINE = { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine' } as const;
export const KUBEADM_CONFIG_TEMPLATE = { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate' } as const;
export const KUBEADM_CONFIG = { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfig' } as const;
export const EVENT = { apiVersion: 'v1', kind: 'Event' } as const;

export interface MachineDeploymentEnv {
  clock: FakeClock;
  plane: TestPlane;
  client: Client;
  manager: Manager;
  /** Hold back watch events of a kind from the controllers' informers (their cache goes stale) until released. */
  holdWatch(kind: KindRef): void;
  releaseWatch(kind: KindRef): void;
  close(): Promise<void>;
}

/** A client whose watch events of held kinds are queued until released (everything else goes to the real client). */
function gatedClient(inner: Client): { client: Client; hold(kind: string): void; release(kind: string): void } {
  const held = new Map<string, (() => void)[]>();
  const client: Client = Object.create(inner) as Client;
  client.watch = async (type, opts, handler) => {
    const id = type.kind;
    const gated: WatchHandler<never> = {
      onEvent: (e: WatchEvent<never>) => {
        const queue = held.get(id);
        if (queue) queue.push(() => handler.onEvent(e));
        else handler.onEvent(e);
      },
      onClose: (err) => handler.onClose(err),
    };
    return inner.watch(type, opts, gated as unknown as WatchHandler);
  };
  return {
    client,
    hold: (kind) => void (held.has(kind) || held.set(kind, [])),
    release: (kind) => {
      const queue = held.get(kind) ?? [];
      held.delete(kind);
      for (const deliver of queue) deliver();
    },
  };
}

export async function startMachineDeploymentEnv(): Promise<MachineDeploymentEnv> {
  const clock = new FakeClock(Date.UTC(2030, 0, 1, 12, 0, 0));
  const plane = await startPlane({ storage: 'memory', clock, clusterApi: false });
  const client = inProcessClient(plane.plane.objects);
  await ensureClusterApiKinds(client);
  const gate = gatedClient(inProcessClient(plane.plane.objects, { fieldManager: 'machinedeployment-test' }));
  const manager = new Manager({ client: gate.client, clock, processMetrics: false, component: 'machinedeployment-test' });
  const clusterCache = new ClusterCache({ connect: async () => undefined }, { clock });
  const ctx: ControllerContext = { manager, reader: new CachedReader(manager.client, manager.informers), clusterCache, random: seededRandom(7) };
  setupMachineSetController(ctx);
  setupMachineDeploymentController(ctx);
  await manager.start();
  return {
    clock,
    plane,
    client,
    manager,
    holdWatch: (kind) => gate.hold(kind.kind),
    releaseWatch: (kind) => gate.release(kind.kind),
    async close() {
      await manager.stop();
      await clusterCache.stop();
      await plane.close();
    },
  };
}

/** Machines of one MachineSet, by state. */
export interface SetCounts {
  name: string;
  machines: number;
  deleting: number;
}

/** One test's namespace, Cluster, templates and MachineDeployment, and the Machine controller's part. */
export class DeploymentScenario {
  constructor(
    readonly env: MachineDeploymentEnv,
    readonly namespace: string,
    readonly clusterName = 'wl',
  ) {}

  get client(): Client {
    return this.env.client;
  }

  async createCluster(): Promise<Cluster> {
    await this.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } });
    return this.client.create<Cluster>({ ...CLUSTER_KIND, metadata: { namespace: this.namespace, name: this.clusterName }, spec: {} });
  }

  async setClusterPaused(paused: boolean): Promise<void> {
    await this.client.patch(CLUSTER_KIND, { namespace: this.namespace, name: this.clusterName }, { type: 'merge', body: { spec: { paused } } });
  }

  /** A SimMachineTemplate and a KubeadmConfigTemplate named `name`. */
  async createTemplates(name: string, cpus = 2): Promise<void> {
    await this.client.create({ ...SIM_MACHINE_TEMPLATE, metadata: { namespace: this.namespace, name }, spec: { template: { spec: { numCPUs: cpus, memoryMiB: 4096, diskGiB: 20 } } } });
    await this.client.create({ ...KUBEADM_CONFIG_TEMPLATE, metadata: { namespace: this.namespace, name }, spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': `pool=${name}` } } } } } } });
  }

  deploymentObject(name: string, spec: Partial<MachineDeploymentSpec> & { templateName?: string } = {}): MachineDeployment {
    const { templateName = 'tpl-a', ...rest } = spec;
    return {
      ...MACHINE_DEPLOYMENT_KIND,
      metadata: { namespace: this.namespace, name },
      spec: {
        clusterName: this.clusterName,
        replicas: 3,
        selector: { matchLabels: { pool: name } },
        ...rest,
        template: {
          metadata: { labels: { pool: name } },
          spec: {
            clusterName: this.clusterName,
            version: 'v1.31.2',
            bootstrap: { configRef: { ...KUBEADM_CONFIG_TEMPLATE, name: templateName } },
            infrastructureRef: { ...SIM_MACHINE_TEMPLATE, name: templateName },
          },
        },
      },
    };
  }

  async createDeployment(name: string, spec: Partial<MachineDeploymentSpec> & { templateName?: string } = {}): Promise<MachineDeployment> {
    return this.client.create(this.deploymentObject(name, spec));
  }

  async getDeployment(name: string): Promise<MachineDeployment> {
    return this.client.get<MachineDeployment>(MACHINE_DEPLOYMENT_KIND, { namespace: this.namespace, name });
  }

  async patchDeployment(name: string, body: Record<string, unknown>): Promise<MachineDeployment> {
    return this.client.patch<MachineDeployment>(MACHINE_DEPLOYMENT_KIND, { namespace: this.namespace, name }, { type: 'merge', body });
  }

  async machines(): Promise<Machine[]> {
    return (await this.client.list<Machine>(MACHINE_KIND, { namespace: this.namespace })).items;
  }

  async machineSets(): Promise<MachineSet[]> {
    return (await this.client.list<MachineSet>(MACHINE_SET_KIND, { namespace: this.namespace })).items;
  }

  /** MachineSets oldest first (by revision), with their Machines. */
  async counts(): Promise<SetCounts[]> {
    const sets = (await this.machineSets()).sort((a, b) => Number(a.metadata?.annotations?.['machinedeployment.clusters.x-k8s.io/revision'] ?? 0) - Number(b.metadata?.annotations?.['machinedeployment.clusters.x-k8s.io/revision'] ?? 0));
    const machines = await this.machines();
    return sets.map((s) => {
      const mine = machines.filter((m) => m.metadata?.ownerReferences?.some((r) => r.uid === s.metadata?.uid));
      return { name: s.metadata!.name!, machines: mine.length, deleting: mine.filter((m) => m.metadata?.deletionTimestamp).length };
    });
  }

  /** The Machine controller's part: Node found, NodeHealthy and Ready True (since now). */
  async makeReady(machines: Machine[]): Promise<void> {
    const now = rfc3339(this.env.clock.now());
    for (const m of machines) {
      if (m.metadata?.deletionTimestamp) continue;
      const conditions = [
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'NodeHealthy', status: 'True', lastTransitionTime: now },
      ];
      await this.client.patchStatus(MACHINE_KIND, { namespace: this.namespace, name: m.metadata!.name! }, {
        type: 'merge',
        body: { status: { nodeRef: { apiVersion: 'v1', kind: 'Node', name: m.metadata!.name! }, phase: 'Running', conditions } },
      });
    }
  }

  /** Ready every Machine that is not yet. */
  async makeAllReady(): Promise<number> {
    const pending = (await this.machines()).filter((m) => !m.metadata?.deletionTimestamp && !m.status?.nodeRef);
    await this.makeReady(pending);
    return pending.length;
  }

  /** The Machine controller's part of deletion: deleted Machines drop their finalizer and go. */
  async finishDeletions(): Promise<number> {
    const deleting = (await this.machines()).filter((m) => m.metadata?.deletionTimestamp);
    for (const m of deleting) await this.dropFinalizer(m);
    return deleting.length;
  }

  async dropFinalizer(m: Machine): Promise<void> {
    const finalizers = (m.metadata?.finalizers ?? []).filter((f) => f !== MACHINE_FINALIZER);
    await this.client.patch(MACHINE_KIND, { namespace: this.namespace, name: m.metadata!.name! }, { type: 'merge', body: { metadata: { finalizers: finalizers.length ? finalizers : null } } }).catch(() => undefined);
  }

  async deleteMachine(name: string): Promise<void> {
    await this.client.delete(MACHINE_KIND, { namespace: this.namespace, name });
  }

  /**
   * Wait until both controllers have seen every object of the namespace at its current version and have nothing queued
   * or running: whatever they do next needs a new event (or the clock).
   */
  async settled(timeoutMs = 15_000): Promise<void> {
    const controllers = this.env.manager.controllerList.filter((c) => c.name === 'machineset' || c.name === 'machinedeployment');
    const kinds: KindRef[] = [MACHINE_DEPLOYMENT_KIND, MACHINE_SET_KIND, MACHINE_KIND];
    let stableRounds = 0;
    await eventually(async () => {
      const idle = controllers.every((c) => c.workQueue && c.workQueue.length === 0 && c.workQueue.processingCount === 0);
      let inSync = idle;
      for (const kind of kinds) {
        if (!inSync) break;
        const stored = (await this.client.list(kind, { namespace: this.namespace })).items;
        const cache = this.env.manager.informers.for(kind).lister.list({ namespace: this.namespace });
        if (stored.length !== cache.length) inSync = false;
        const byName = new Map(cache.map((o) => [o.metadata!.name!, o.metadata?.resourceVersion]));
        for (const o of stored) if (byName.get(o.metadata!.name!) !== o.metadata?.resourceVersion) inSync = false;
      }
      stableRounds = inSync ? stableRounds + 1 : 0;
      return stableRounds >= 2;
    }, timeoutMs, 'controllers settled');
  }

  async events(reason?: string): Promise<KubeObject[]> {
    const items = (await this.client.list(EVENT, { namespace: this.namespace })).items;
    return reason ? items.filter((e) => e.reason === reason) : items;
  }
}
