/**
 * What a sim machine's kubeadm join and kubelet do in the workload cluster, shared by SimMachines and the instances of
 * SimMachinePools: the join's checks (API server up, bootstrap token known and unexpired) and the Node registration,
 * which takes the lowest free node index of the cluster (its address and pod CIDR) under a per-cluster lock.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import type { BootFacts } from './boot-facts.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { buildNode, machineAddress, podCIDR } from './node.js';

export const NODE_INDEX_ANNOTATION = 'sim.slipway.dev/node-index';

/** Why `kubeadm join` cannot run yet (the caller retries), or undefined when it can. */
export async function joinBlocker(host: LogicalClusterHost, ref: LogicalClusterRef, facts: BootFacts, nowMs: number): Promise<string | undefined> {
  if (!(await host.isRunning(ref))) return 'kubeadm join: the control plane is not reachable yet; retrying';
  if (!facts.joinToken) return undefined;
  const id = facts.joinToken.split('.')[0]!;
  const objects = host.objects(ref);
  const secrets = objects.registry.get('', 'v1', 'secrets')!;
  const token = await objects.tryGet(secrets, 'kube-system', `bootstrap-token-${id}`);
  if (!token) return `kubeadm join: bootstrap token "${id}" is not known to the cluster (Secret kube-system/bootstrap-token-${id} not found); retrying`;
  const expiration = (token.data as Record<string, string> | undefined)?.expiration;
  if (expiration) {
    const at = Date.parse(Buffer.from(expiration, 'base64').toString('utf8'));
    if (Number.isFinite(at) && at < nowMs) return `kubeadm join: bootstrap token "${id}" expired at ${new Date(at).toISOString()}; retrying`;
  }
  return undefined;
}

export interface NodeRegistration {
  ref: LogicalClusterRef;
  name: string;
  providerID: string;
  os?: 'linux' | 'windows';
  image?: string;
  numCPUs?: number;
  memoryMiB?: number;
  diskGiB?: number;
  failureDomain?: string;
  kubeletVersion: string;
  /** The Cluster's pod network (spec.clusterNetwork.pods.cidrBlocks[0]). */
  podNetwork?: string;
  facts: BootFacts;
  ready: boolean;
  now: string;
}

/** The kubelet registers the Node (or finds it registered); returns it with its InternalIP. */
export async function registerNode(host: LogicalClusterHost, mutex: KeyedMutex, r: NodeRegistration): Promise<{ node: KubeObject; ip: string }> {
  const objects = host.objects(r.ref);
  const nodes = objects.registry.get('', 'v1', 'nodes')!;
  return mutex.run(`${r.ref.namespace}/${r.ref.name}`, async () => {
    const existing = await objects.tryGet(nodes, undefined, r.name);
    let index = existing ? Number(existing.metadata?.annotations?.[NODE_INDEX_ANNOTATION]) : NaN;
    if (!Number.isInteger(index)) {
      const all = (await objects.list(nodes, undefined)).items;
      const used = new Set(all.map((n) => Number(n.metadata?.annotations?.[NODE_INDEX_ANNOTATION])).filter(Number.isInteger));
      index = 0;
      while (used.has(index)) index++;
    }
    const ip = machineAddress(`${r.ref.namespace}/${r.ref.name}`, index);
    if (existing) return { node: existing, ip };
    const node = buildNode({
      name: r.name,
      providerID: r.providerID,
      os: r.os ?? 'linux',
      image: r.image,
      numCPUs: r.numCPUs ?? 2,
      memoryMiB: r.memoryMiB ?? 4096,
      diskGiB: r.diskGiB ?? 20,
      kubeletVersion: r.kubeletVersion,
      internalIP: ip,
      podCIDR: podCIDR(r.podNetwork, index),
      failureDomain: r.failureDomain,
      facts: r.facts,
      ready: r.ready,
      now: r.now,
    });
    node.metadata!.annotations![NODE_INDEX_ANNOTATION] = String(index);
    const created = await objects.create(nodes, undefined, node, { fieldManager: 'kubelet' });
    return { node: created.object, ip };
  });
}
