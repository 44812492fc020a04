/**
 * What a sim machine's kubeadm join and kubelet do in the workload cluster, shared by SimMachines and the instances of
 * SimMachinePools: the join's checks (API server up, bootstrap token known and unexpired) and the Node registration,
 * which takes the lowest free node index of the cluster (its address and pod CIDR) under a per-cluster lock.
 */
import { createHash } from 'node:crypto';
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { SimBehaviour } from '../../api/infrastructure/types.js';
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
  /** The machine's address when it has one of its own (claimed from an IP pool); otherwise one from the node index. */
  internalIP?: string;
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
    const ip = r.internalIP ?? machineAddress(`${r.ref.namespace}/${r.ref.name}`, index);
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

/**
 * When a sim machine that started booting at `startedMs` has booted: its provisioningSeconds (default 8) plus up to
 * provisioningJitterSeconds (default 4), the jitter fixed by `seed` (the machine's identity) so it is stable.
 */
export function bootDueMs(startedMs: number, behaviour: SimBehaviour | undefined, seed: string): number {
  const b = behaviour ?? {};
  const jitter = (b.provisioningJitterSeconds ?? 4) * (createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32);
  return startedMs + Math.round(((b.provisioningSeconds ?? 8) + jitter) * 1000);
}

/** Delete an object of a workload cluster unless it is already gone. */
export async function deleteIfPresent(objects: ObjectStore, info: NonNullable<ReturnType<ObjectStore['registry']['get']>>, namespace: string | undefined, name: string): Promise<void> {
  try {
    await objects.delete(info, namespace, name, {});
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
}
