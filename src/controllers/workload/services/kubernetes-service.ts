/**
 * The `kubernetes` Service of a workload cluster, as kube-apiserver keeps it: in `default`, ClusterIP the first
 * address of the service CIDR, port 443 (https) to the API servers' port, with an Endpoints and an EndpointSlice
 * (both named `kubernetes`) listing the control-plane Nodes' InternalIPs. Ensured from the controllers' start on and
 * again whenever one of the three is changed or deleted, or a control-plane Node comes or goes.
 */
import { isDeepStrictEqual } from 'node:util';
import { StatusError } from '../../../apimachinery/errors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import type { Client } from '../../../client/types.js';
import type { WorkloadContext } from '../context.js';
import { addressAt } from './cidr.js';
import { serviceNetworkingFromKubeadmConfig } from './config.js';

export const KUBERNETES_SERVICE_CONTROLLER = 'kubernetes-service';
export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
export const DEFAULT_API_SERVER_PORT = 6443;

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace' } as const;
const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;
const ENDPOINTS = { apiVersion: 'v1', kind: 'Endpoints' } as const;
const ENDPOINT_SLICE = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' } as const;
const NODE = { apiVersion: 'v1', kind: 'Node' } as const;
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const SERVICE_CIDR = { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR' } as const;

export interface KubernetesServiceOptions {
  /** The API servers' addresses (default: the InternalIPs of the control-plane Nodes). */
  apiServerIPs?: () => string[];
  /** The API servers' port (default 6443, kubeadm's). */
  apiServerPort?: number;
}

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === 'AlreadyExists';
}

function internalIP(node: KubeObject): string | undefined {
  const addresses = (node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

async function ensure(client: Client, want: KubeObject, same: (current: KubeObject) => boolean, merge: (current: KubeObject) => KubeObject): Promise<void> {
  const type = { apiVersion: want.apiVersion!, kind: want.kind! };
  let current: KubeObject | undefined;
  try {
    current = await client.get(type, { namespace: want.metadata?.namespace, name: want.metadata?.name ?? '' });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!current) {
    try {
      await client.create(want);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    return;
  }
  if (!same(current)) await client.update(merge(current));
}

export function setupKubernetesService(ctx: WorkloadContext, opts: KubernetesServiceOptions = {}): void {
  const { manager } = ctx;
  const nodes = manager.informers.for(NODE);
  const port = opts.apiServerPort ?? DEFAULT_API_SERVER_PORT;
  const toDefault = (o: KubeObject): { name: string }[] => (o.metadata?.namespace === 'default' && o.metadata?.name === 'kubernetes' ? [{ name: 'default' }] : []);
  manager.add({
    name: KUBERNETES_SERVICE_CONTROLLER,
    for: NAMESPACE,
    watches: [
      { type: SERVICE, map: toDefault },
      { type: ENDPOINTS, map: toDefault },
      { type: ENDPOINT_SLICE, map: toDefault },
      { type: NODE, map: (n) => (n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined ? [{ name: 'default' }] : []) },
      { type: SERVICE_CIDR, map: (c) => (c.metadata?.name === 'kubernetes' ? [{ name: 'default' }] : []) },
    ],
    reconciler: async (rc, req) => {
      if (req.name !== 'default') return;
      let data: Record<string, string> | undefined;
      try {
        data = (await rc.client.get(CONFIG_MAP, { namespace: 'kube-system', name: 'kubeadm-config' })).data as Record<string, string> | undefined;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      const net = serviceNetworkingFromKubeadmConfig(data);
      await ensureServiceCIDR(rc.client, net.cidrs.map((c) => c.text), manager.clock.now());
      const clusterIP = addressAt(net.cidrs[0]!, 1n);
      const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }];
      const service: KubeObject = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports, sessionAffinity: 'None' },
      };
      const portsOf = (o: KubeObject): unknown => (o.spec as { ports?: { name?: string; port?: number; protocol?: string; targetPort?: unknown }[] } | undefined)?.ports?.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort }));
      await ensure(rc.client, service, (c) => isDeepStrictEqual(portsOf(c), ports), (c) => ({ ...c, spec: { ...(c.spec as object), ports } }));

      const ips = (opts.apiServerIPs?.() ?? nodes.lister.list().filter((n) => n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined && !n.metadata?.deletionTimestamp).map(internalIP).filter((ip): ip is string => !!ip)).sort();
      const epPorts = [{ name: 'https', port, protocol: 'TCP' }];
      const subsets = ips.length ? [{ addresses: ips.map((ip) => ({ ip })), ports: epPorts }] : [];
      const endpoints: KubeObject = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
        ...(subsets.length ? { subsets } : {}),
      };
      await ensure(rc.client, endpoints, (c) => isDeepStrictEqual((c as { subsets?: unknown }).subsets ?? [], subsets), (c) => {
        const next: KubeObject = { ...c };
        if (subsets.length) (next as { subsets?: unknown }).subsets = subsets;
        else delete (next as { subsets?: unknown }).subsets;
        return next;
      });

      const family = ips.some((ip) => ip.includes(':')) && !ips.some((ip) => !ip.includes(':')) ? 'IPv6' : 'IPv4';
      const sliceEndpoints = ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } }));
      const slice: KubeObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
        addressType: family,
        endpoints: sliceEndpoints,
        ports: epPorts,
      };
      const slimEndpoints = (c: KubeObject): unknown => ((c.endpoints as { addresses: string[]; conditions?: { ready?: boolean } }[] | undefined) ?? []).map((e) => ({ addresses: e.addresses, conditions: { ready: e.conditions?.ready } }));
      await ensure(rc.client, slice, (c) => isDeepStrictEqual(slimEndpoints(c), sliceEndpoints), (c) => ({ ...c, endpoints: sliceEndpoints }));
    },
  });
}

/**
 * The default ServiceCIDR `kubernetes` with the configured ranges, Ready once they match (as kube-apiserver's
 * kubernetes-service-cidr-controller keeps it; it only ever adds a second family, never rewrites a range).
 */
async function ensureServiceCIDR(client: Client, cidrs: string[], now: Date): Promise<void> {
  let current: KubeObject | undefined;
  try {
    current = await client.get(SERVICE_CIDR, 'kubernetes');
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!current) {
    try {
      current = await client.create({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'kubernetes' }, spec: { cidrs } });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      return;
    }
  }
  const have = ((current.spec as { cidrs?: string[] } | undefined)?.cidrs ?? []);
  if (cidrs.length === 2 && have.length === 1 && have[0] === cidrs[0]) {
    current = await client.update({ ...current, spec: { ...(current.spec as object), cidrs } });
    return;
  }
  if (!isDeepStrictEqual(have, cidrs) || current.metadata?.deletionTimestamp) return;
  const conditions = ((current.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'Unknown') return;
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = { type: 'Ready', status: 'True', reason: '', message: 'Kubernetes default Service CIDR is ready', lastTransitionTime: stamp };
  await client.updateStatus({ ...current, status: { ...(current.status as object), conditions: [...conditions.filter((c) => c.type !== 'Ready'), condition] } });
}
