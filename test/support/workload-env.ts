/**
 * Test support for workload-cluster controllers: one workload cluster's API as the plane serves it (a real ObjectStore
 * with the workload kinds, Kubernetes' defaults and the plane's built-in strategies, plus its garbage collector and
 * namespace controller) and a Manager on it running the controllers under test. Nodes are registered the way the sim
 * provider's kubelets register them (capacity, pod CIDR, Ready), without any Cluster API objects around.
 */
import type { KubeObject } from '../../src/apimachinery/types.js';
import { GarbageCollector } from '../../src/apiserver/garbage-collector.js';
import { NamespaceController } from '../../src/apiserver/namespace-controller.js';
import { ObjectStore } from '../../src/apiserver/object-store.js';
import type { AdmissionPlugin } from '../../src/apiserver/strategy.js';
import { ResourceRegistry } from '../../src/apiserver/registry.js';
import { workloadClusterResources, workloadClusterStrategies } from '../../src/api/kubernetes/index.js';
import { inProcessClient } from '../../src/client/index.js';
import type { Client } from '../../src/client/types.js';
import { DEFAULT_WORKLOAD_BEHAVIOUR, type WorkloadBehaviour, type WorkloadContext, type WorkloadControllerSetup } from '../../src/controllers/workload/index.js';
import { systemClock, type Clock } from '../../src/runtime/clock.js';
import { inProcessManager } from '../../src/runtime/in-process.js';
import type { Manager } from '../../src/runtime/manager.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import pino from 'pino';

export const NODE = { apiVersion: 'v1', kind: 'Node' } as const;
export const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

export interface TestNodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  /** Index of the node's pod CIDR (10.244.<index>.0/24); default: order of creation. */
  podCIDRIndex?: number;
  ready?: boolean;
  /** `sim://...` by default (the sim provider's kubelet runs such nodes). */
  providerID?: string;
}

export interface WorkloadEnv {
  objects: ObjectStore;
  /** A client of the cluster's API (as a user or another component). */
  client: Client;
  manager: Manager;
  ctx: WorkloadContext;
  /** Register a Node as a kubelet does: capacity, allocatable, pod CIDR, Ready. */
  addNode(name: string, o?: TestNodeOptions): Promise<KubeObject>;
  close(): Promise<void>;
}

export interface WorkloadEnvOptions {
  behaviour?: Partial<WorkloadBehaviour>;
  clock?: Clock;
  /** Admission plugins of the cluster's store, as LogicalClusterHost's `admission` option makes them. */
  admission?: (ref: { namespace: string; name: string }, objects: ObjectStore) => AdmissionPlugin[];
}

export async function startWorkloadEnv(setups: WorkloadControllerSetup[], opts: WorkloadEnvOptions = {}): Promise<WorkloadEnv> {
  const clock = opts.clock ?? systemClock;
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', workloadClusterResources());
  const objects = new ObjectStore(new MemoryStore(), registry, { clock, strategies: workloadClusterStrategies() });
  if (opts.admission) objects.admission.push(...opts.admission({ namespace: 'test', name: 'wl' }, objects));
  const client = inProcessClient(objects, { fieldManager: 'kubectl' });
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const log = pino({ level: 'silent' });
  const gc = new GarbageCollector(objects, log);
  const namespaces = new NamespaceController(objects, log);
  await gc.start();
  await namespaces.start();
  const manager = inProcessManager(objects, { clock, processMetrics: false, component: 'kube-controller-manager' });
  const ctx: WorkloadContext = { manager, cluster: 'test/wl', behaviour: { ...DEFAULT_WORKLOAD_BEHAVIOUR, containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0, ...(opts.behaviour ?? {}) } };
  for (const s of setups) s(ctx);
  await manager.start();
  let nodes = 0;
  return {
    objects,
    client,
    manager,
    ctx,
    async addNode(name, o = {}) {
      const index = o.podCIDRIndex ?? nodes++;
      const now = new Date(clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const resources = { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: String(o.pods ?? 110), 'ephemeral-storage': '20Gi' };
      const node: KubeObject = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...(o.labels ?? {}) } },
        spec: { providerID: o.providerID ?? `sim://test/${name}`, podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`], ...(o.taints ? { taints: o.taints } : {}) },
        status: {
          capacity: resources,
          allocatable: resources,
          conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
          addresses: [{ type: 'InternalIP', address: `10.0.0.${10 + index}` }, { type: 'Hostname', address: name }],
          nodeInfo: { kubeletVersion: 'v1.31.2', operatingSystem: 'linux', architecture: 'amd64', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0', containerRuntimeVersion: 'containerd://1.7.13', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: 'v1.31.2' },
        },
      };
      return client.create(node);
    },
    async close() {
      await manager.stop();
      gc.stop();
      namespaces.stop();
    },
  };
}
