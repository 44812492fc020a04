/**
 * What kube-controller-manager's Endpoints and EndpointSlice controllers write for a Service with a selector, as pure
 * functions of the Service, its Pods and the Nodes' zones: which Pods count, their readiness, the ports each one
 * serves (named targetPorts resolved against the Pod's containers), Endpoints subsets grouped by port set, and
 * EndpointSlices per address family and port set of at most `maxEndpointsPerSlice` endpoints.
 */
import type { KubeObject } from '../../../apimachinery/types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface ServicePortSpec {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface PodSpecLike {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  containers?: { ports?: ContainerPort[] }[];
  initContainers?: { ports?: ContainerPort[]; restartPolicy?: string }[];
}

interface PodStatusLike {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  conditions?: { type: string; status: string }[];
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface DesiredSlice {
  addressType: 'IPv4' | 'IPv6';
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

function spec(pod: KubeObject): PodSpecLike {
  return (pod.spec ?? {}) as PodSpecLike;
}

function status(pod: KubeObject): PodStatusLike {
  return (pod.status ?? {}) as PodStatusLike;
}

export function isPodReady(pod: KubeObject): boolean {
  return status(pod).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

/** A Pod counts when it has an IP and has not finished; terminating ones only when asked for. */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const st = status(pod);
  if (st.phase === 'Succeeded' || st.phase === 'Failed') return false;
  if (!st.podIP && !st.podIPs?.length) return false;
  if (!includeTerminating && isTerminating(pod)) return false;
  return true;
}

/** The Pod's port for a Service port: a number as is, a name looked up among its containers' ports (same protocol). */
export function findPort(pod: KubeObject, sp: ServicePortSpec): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const s = spec(pod);
  const containers = [...(s.containers ?? []), ...(s.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function podIPs(pod: KubeObject): string[] {
  const st = status(pod);
  const ips = st.podIPs?.map((p) => p.ip).filter(Boolean) ?? [];
  return ips.length ? ips : st.podIP ? [st.podIP] : [];
}

function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

function targetRef(pod: KubeObject): EndpointAddress['targetRef'] {
  return { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

/** A Pod's DNS hostname under a Service: when its subdomain names the Service. */
function hostnameFor(pod: KubeObject, serviceName: string): string | undefined {
  const s = spec(pod);
  return s.hostname && s.subdomain === serviceName ? s.hostname : undefined;
}

interface ServiceLike {
  name: string;
  ports: ServicePortSpec[];
  publishNotReadyAddresses: boolean;
  ipFamilies: ('IPv4' | 'IPv6')[];
}

export function serviceLike(svc: KubeObject): ServiceLike {
  const s = (svc.spec ?? {}) as { ports?: ServicePortSpec[]; publishNotReadyAddresses?: boolean; ipFamilies?: string[]; clusterIP?: string };
  const fams = (s.ipFamilies ?? []).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
  return { name: svc.metadata?.name ?? '', ports: s.ports ?? [], publishNotReadyAddresses: !!s.publishNotReadyAddresses, ipFamilies: fams.length ? fams : ['IPv4'] };
}

/** The resolved ports of a Pod for the Service, or undefined when a port cannot be resolved (the Pod is left out of that port). */
function podPorts(pod: KubeObject, svc: ServiceLike): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

function portsKey(ports: EndpointPort[]): string {
  return JSON.stringify([...ports].sort(comparePorts));
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);
}

function compareIPs(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The subsets of a Service's Endpoints. */
export function desiredEndpointSubsets(svcObj: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const svc = serviceLike(svcObj);
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, svc.publishNotReadyAddresses)) continue;
    const ip = podIPs(pod).find((i) => familyOf(i) === svc.ipFamilies[0]) ?? podIPs(pod)[0]!;
    const address: EndpointAddress = { ip, ...(hostnameFor(pod, svc.name) ? { hostname: hostnameFor(pod, svc.name) } : {}), ...(spec(pod).nodeName ? { nodeName: spec(pod).nodeName } : {}), targetRef: targetRef(pod) };
    const ports = podPorts(pod, svc);
    // A Service with ports whose Pod serves none of them adds nothing; a Service without ports lists addresses alone.
    if (svc.ports.length && !ports.length) continue;
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: [...ports].sort(comparePorts), ready: [], notReady: [] }));
    if (svc.publishNotReadyAddresses || isPodReady(pod)) g.ready.push(address);
    else g.notReady.push(address);
  }
  const subsets: EndpointSubset[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const subset: EndpointSubset = {};
    if (g.ready.length) subset.addresses = g.ready.sort((a, b) => compareIPs(a.ip, b.ip));
    if (g.notReady.length) subset.notReadyAddresses = g.notReady.sort((a, b) => compareIPs(a.ip, b.ip));
    if (g.ports.length) subset.ports = g.ports;
    subsets.push(subset);
  }
  return subsets;
}

/** The EndpointSlices of a Service: per address family and port set, at most `max` endpoints each. */
export function desiredEndpointSlices(svcObj: KubeObject, pods: KubeObject[], zoneOf: (nodeName: string) => string | undefined, max = DEFAULT_MAX_ENDPOINTS_PER_SLICE): DesiredSlice[] {
  const svc = serviceLike(svcObj);
  const groups = new Map<string, DesiredSlice>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = podPorts(pod, svc);
    if (svc.ports.length && !ports.length) continue;
    const terminating = isTerminating(pod);
    const ready = isPodReady(pod);
    const nodeName = spec(pod).nodeName;
    const zone = nodeName ? zoneOf(nodeName) : undefined;
    for (const family of svc.ipFamilies) {
      const ip = podIPs(pod).find((i) => familyOf(i) === family);
      if (!ip) continue;
      const key = `${family}|${portsKey(ports)}`;
      let g = groups.get(key);
      // Slice ports always carry a name ("" when the Service port has none), as the API defaults them.
      if (!g) groups.set(key, (g = { addressType: family, ports: [...ports].sort(comparePorts).map((p) => ({ ...p, name: p.name ?? '' })), endpoints: [] }));
      const hostname = hostnameFor(pod, svc.name);
      g.endpoints.push({
        addresses: [ip],
        conditions: { ready: svc.publishNotReadyAddresses || (ready && !terminating), serving: ready, terminating },
        ...(hostname ? { hostname } : {}),
        ...(nodeName ? { nodeName } : {}),
        ...(zone ? { zone } : {}),
        targetRef: targetRef(pod),
      });
    }
  }
  const slices: DesiredSlice[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    g.endpoints.sort((a, b) => compareIPs(a.addresses[0]!, b.addresses[0]!));
    for (let i = 0; i < g.endpoints.length; i += max) slices.push({ addressType: g.addressType, ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  // A Service with no endpoints still has one empty slice (per its primary family), as upstream keeps a placeholder.
  if (!slices.length) slices.push({ addressType: svc.ipFamilies[0]!, ports: [], endpoints: [] });
  return slices;
}

/** Most addresses an Endpoints object carries (upstream truncates beyond it). */
export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/**
 * Cut subsets down to `max` addresses, ready ones first (then not-ready ones with what room is left), each kind
 * shared across subsets in proportion to their size. Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS_ADDRESSES): { subsets: EndpointSubset[]; truncated: boolean } {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= max) return { subsets, truncated: false };
  const keepReady = Math.min(ready, max);
  const keepNotReady = max - keepReady;
  const share = (lists: (EndpointAddress[] | undefined)[], total: number, keep: number): number[] => {
    const counts = lists.map((l) => (total ? Math.floor(((l?.length ?? 0) * keep) / total) : 0));
    let left = keep - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; left > 0 && i < counts.length; i++) {
      if (counts[i]! < (lists[i]?.length ?? 0)) {
        counts[i]!++;
        left--;
      }
    }
    return counts;
  };
  const r = share(subsets.map((s) => s.addresses), ready, keepReady);
  const nr = share(subsets.map((s) => s.notReadyAddresses), notReady, keepNotReady);
  const out = subsets
    .map((s, i): EndpointSubset => {
      const next: EndpointSubset = {};
      if (r[i]) next.addresses = s.addresses!.slice(0, r[i]);
      if (nr[i]) next.notReadyAddresses = s.notReadyAddresses!.slice(0, nr[i]);
      if (s.ports) next.ports = s.ports;
      return next;
    })
    .filter((s) => s.addresses || s.notReadyAddresses);
  return { subsets: out, truncated: true };
}
