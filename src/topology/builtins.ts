/**
 * Builtin variables (`builtin.*`) as Cluster API computes them for patches: one global set from the Cluster, plus
 * per-template sets for the control plane, each MachineDeployment and each MachinePool. A field is present only
 * where upstream sets it (e.g. `controlPlane.replicas` only when the topology sets replicas).
 */
import type { KubeObject } from '../apimachinery/types.js';
import type { Cluster, ControlPlaneTopology, MachineDeploymentTopology, MachinePoolTopology } from './types.js';

export type Builtins = Record<string, unknown>;

/** Upstream Cluster.GetIPFamily: "IPv4", "IPv6", "DualStack" or "Invalid". */
export function ipFamily(cluster: Cluster): string {
  const pods = cluster.spec?.clusterNetwork?.pods?.cidrBlocks ?? [];
  const services = cluster.spec?.clusterNetwork?.services?.cidrBlocks ?? [];
  if (pods.length === 0 && services.length === 0) return 'IPv4';
  const fam = (cidrs: string[]): string => {
    if (cidrs.length > 2) return 'Invalid';
    let v4 = false;
    let v6 = false;
    for (const c of cidrs) {
      const m = /^([^/]+)\/(\d+)$/.exec(c.trim());
      if (!m) return 'Invalid';
      if (/^\d{1,3}(\.\d{1,3}){3}$/.test(m[1]!)) v4 = true;
      else if (m[1]!.includes(':')) v6 = true;
      else return 'Invalid';
    }
    return v4 && v6 ? 'DualStack' : v4 ? 'IPv4' : v6 ? 'IPv6' : 'Invalid';
  };
  const podFam = fam(pods);
  if (podFam === 'Invalid') return 'Invalid';
  if (services.length === 0) return podFam;
  const svcFam = fam(services);
  if (pods.length === 0) return svcFam;
  if (podFam === 'DualStack') return 'DualStack';
  return podFam === svcFam ? podFam : 'Invalid';
}

function metadataOf(o: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined): Record<string, unknown> | undefined {
  const labels = o?.metadata?.labels;
  const annotations = o?.metadata?.annotations;
  if (!labels && !annotations) return undefined;
  const m: Record<string, unknown> = {};
  if (labels) m.labels = { ...labels };
  if (annotations) m.annotations = { ...annotations };
  return m;
}

/** `builtin.cluster.*`, shared by every template. */
export function clusterBuiltins(cluster: Cluster): Builtins {
  const md = cluster.metadata ?? {};
  const topo = cluster.spec?.topology;
  const c: Record<string, unknown> = { name: md.name ?? '', namespace: md.namespace ?? '' };
  if (md.uid) c.uid = md.uid;
  const meta = metadataOf(cluster);
  if (meta) c.metadata = meta;
  const t: Record<string, unknown> = {};
  if (topo?.version) t.version = topo.version;
  if (topo?.class) t.class = topo.class;
  const classNs = topo?.classNamespace || md.namespace;
  if (classNs) t.classNamespace = classNs;
  c.topology = t;
  const net = cluster.spec?.clusterNetwork;
  if (net) {
    const n: Record<string, unknown> = {};
    if (net.serviceDomain) n.serviceDomain = net.serviceDomain;
    if (net.services?.cidrBlocks) n.services = [...net.services.cidrBlocks];
    if (net.pods?.cidrBlocks) n.pods = [...net.pods.cidrBlocks];
    n.ipFamily = ipFamily(cluster);
    c.network = n;
  }
  return { cluster: c };
}

/** `builtin.controlPlane.*` for the control plane template and its machine infrastructure template. */
export function controlPlaneBuiltins(topology: ControlPlaneTopology | undefined, controlPlane: KubeObject, infrastructureMachineTemplate?: KubeObject): Builtins {
  const spec = (controlPlane.spec ?? {}) as Record<string, unknown>;
  const cp: Record<string, unknown> = {};
  if (typeof spec.version === 'string' && spec.version) cp.version = spec.version;
  if (controlPlane.metadata?.name) cp.name = controlPlane.metadata.name;
  if (topology?.replicas !== undefined && typeof spec.replicas === 'number') cp.replicas = spec.replicas;
  const meta = metadataOf(controlPlane);
  if (meta) cp.metadata = meta;
  if (infrastructureMachineTemplate?.metadata?.name) cp.machineTemplate = { infrastructureRef: { name: infrastructureMachineTemplate.metadata.name } };
  return { controlPlane: cp };
}

function workerBuiltins(topology: MachineDeploymentTopology | MachinePoolTopology, object: KubeObject, bootstrap?: KubeObject, infrastructure?: KubeObject): Record<string, unknown> {
  const spec = (object.spec ?? {}) as { replicas?: number; template?: { spec?: { version?: string } } };
  const w: Record<string, unknown> = {};
  if (spec.template?.spec?.version) w.version = spec.template.spec.version;
  w.class = topology.class;
  if (object.metadata?.name) w.name = object.metadata.name;
  w.topologyName = topology.name;
  if (typeof spec.replicas === 'number') w.replicas = spec.replicas;
  const meta = metadataOf(object);
  if (meta) w.metadata = meta;
  if (bootstrap?.metadata?.name) w.bootstrap = { configRef: { name: bootstrap.metadata.name } };
  if (infrastructure?.metadata?.name) w.infrastructureRef = { name: infrastructure.metadata.name };
  return w;
}

/** `builtin.machineDeployment.*` for one MachineDeployment's bootstrap and infrastructure templates. */
export function machineDeploymentBuiltins(topology: MachineDeploymentTopology, md: KubeObject, bootstrapTemplate?: KubeObject, infrastructureMachineTemplate?: KubeObject): Builtins {
  return { machineDeployment: workerBuiltins(topology, md, bootstrapTemplate, infrastructureMachineTemplate) };
}

/** `builtin.machinePool.*` for one MachinePool's bootstrap config and infrastructure machine pool. */
export function machinePoolBuiltins(topology: MachinePoolTopology, mp: KubeObject, bootstrapObject?: KubeObject, infrastructureMachinePool?: KubeObject): Builtins {
  return { machinePool: workerBuiltins(topology, mp, bootstrapObject, infrastructureMachinePool) };
}

/**
 * Merge variable maps: later maps win, except `builtin`, whose top-level sections (cluster, controlPlane, ...)
 * accumulate as upstream's mergeVariableMaps does.
 */
export function mergeVariables(...maps: Readonly<Record<string, unknown>>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of maps) {
    for (const [k, v] of Object.entries(m)) {
      if (k === 'builtin' && out.builtin && typeof out.builtin === 'object' && v && typeof v === 'object') {
        out.builtin = { ...(out.builtin as Record<string, unknown>), ...(v as Record<string, unknown>) };
      } else out[k] = v;
    }
  }
  return out;
}
