/**
 * A workload cluster's Service networking as kubeadm records it: `ClusterConfiguration.networking.serviceSubnet` in
 * the kube-system/kubeadm-config ConfigMap (one CIDR, or two separated by a comma for dual-stack), and the NodePort
 * range from kube-apiserver's `service-node-port-range` extra argument.
 */
import { parse as parseYaml } from 'yaml';
import { parseCidr, type Cidr } from './cidr.js';

export const DEFAULT_SERVICE_SUBNET = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { first: 30000, last: 32767 };

export interface NodePortRange {
  first: number;
  last: number;
}

export interface ServiceNetworking {
  /** Service CIDRs, the primary (default family) first; at most one per family. */
  cidrs: Cidr[];
  nodePorts: NodePortRange;
}

function parseSubnets(text: string): Cidr[] | undefined {
  const cidrs: Cidr[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const c = parseCidr(part);
    if (!c || cidrs.some((o) => o.family === c.family)) return undefined;
    cidrs.push(c);
  }
  return cidrs.length ? cidrs : undefined;
}

function parsePortRange(text: string): NodePortRange | undefined {
  const m = /^(\d+)(?:-(\d+)|\+(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? first + Number(m[3]) : first;
  return first > 0 && last >= first && last <= 65535 ? { first, last } : undefined;
}

/** kube-apiserver's extra argument from either kubeadm schema (v1beta3 map, v1beta4 list of name/value). */
function extraArg(apiServer: unknown, name: string): string | undefined {
  const args = (apiServer as { extraArgs?: unknown } | undefined)?.extraArgs;
  if (Array.isArray(args)) {
    const hit = args.find((a) => (a as { name?: unknown }).name === name) as { value?: unknown } | undefined;
    return typeof hit?.value === 'string' ? hit.value : undefined;
  }
  const v = (args as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** The networking of a cluster from its kubeadm-config ConfigMap's data (defaults where absent or unreadable). */
export function serviceNetworkingFromKubeadmConfig(data: Record<string, string> | undefined): ServiceNetworking {
  let config: { networking?: { serviceSubnet?: unknown }; apiServer?: unknown } | undefined;
  try {
    config = data?.ClusterConfiguration ? (parseYaml(data.ClusterConfiguration) as typeof config) : undefined;
  } catch {
    config = undefined;
  }
  const subnet = config?.networking?.serviceSubnet;
  const cidrs = (typeof subnet === 'string' ? parseSubnets(subnet) : undefined) ?? parseSubnets(DEFAULT_SERVICE_SUBNET)!;
  const range = extraArg(config?.apiServer, 'service-node-port-range');
  return { cidrs, nodePorts: (range ? parsePortRange(range) : undefined) ?? DEFAULT_NODE_PORT_RANGE };
}
