/** The objects that exist for a managed topology, read through the controller's cached reader (upstream current_state.go). */
import type { KubeObject } from '../../apimachinery/types.js';
import { LABELS, type CurrentState } from '../../topology/index.js';
import { getPath } from '../../topology/objects.js';
import { MACHINE_HEALTH_CHECK_KIND, type Cluster, type ObjectReference } from '../../api/cluster/types.js';
import type { Reader } from '../shared/reader.js';

export interface TopologyObjects {
  state: CurrentState;
  /** Current MachineDeployments by topology name (also those the topology no longer lists). */
  machineDeployments: Map<string, KubeObject>;
  /** Current MachinePools by topology name (also those the topology no longer lists). */
  machinePools: Map<string, KubeObject>;
  /** Current MachineHealthChecks by name. */
  healthChecks: Map<string, KubeObject>;
}

function refOf(o: KubeObject | undefined, path: string[]): ObjectReference | undefined {
  return getPath(o, path) as ObjectReference | undefined;
}

async function getRef(reader: Reader, ref: ObjectReference | undefined, namespace: string): Promise<KubeObject | undefined> {
  if (!ref?.apiVersion || !ref.kind || !ref.name) return undefined;
  return reader.get({ apiVersion: ref.apiVersion, kind: ref.kind }, ref.namespace || namespace, ref.name);
}

/** Lists a Cluster's objects of one kind (from an informer index). */
export type ClusterObjects = (namespace: string, cluster: string) => KubeObject[];

/** Read the current state of `cluster`'s topology from its MachineDeployments and MachinePools and what they refer to. */
export async function readCurrentState(reader: Reader, cluster: Cluster, machineDeploymentsOf: ClusterObjects, machinePoolsOf: ClusterObjects): Promise<TopologyObjects> {
  const namespace = cluster.metadata?.namespace ?? 'default';
  const name = cluster.metadata?.name ?? '';
  const state: CurrentState = {};
  const infra = await getRef(reader, cluster.spec?.infrastructureRef, namespace);
  if (infra) state.infrastructureCluster = infra;
  const cp = await getRef(reader, cluster.spec?.controlPlaneRef, namespace);
  if (cp) state.controlPlane = { object: cp, infrastructureMachineTemplate: await getRef(reader, refOf(cp, ['spec', 'machineTemplate', 'infrastructureRef']), namespace) };
  const machineDeployments = new Map<string, KubeObject>();
  for (const md of machineDeploymentsOf(namespace, name)) {
    const labels = md.metadata?.labels ?? {};
    const topologyName = labels[LABELS.deploymentName];
    if (labels[LABELS.topologyOwned] === undefined || !topologyName || md.metadata?.deletionTimestamp) continue;
    machineDeployments.set(topologyName, md);
    (state.machineDeployments ??= {})[topologyName] = {
      object: md,
      bootstrapTemplate: await getRef(reader, refOf(md, ['spec', 'template', 'spec', 'bootstrap', 'configRef']), namespace),
      infrastructureMachineTemplate: await getRef(reader, refOf(md, ['spec', 'template', 'spec', 'infrastructureRef']), namespace),
    };
  }
  const machinePools = new Map<string, KubeObject>();
  for (const mp of machinePoolsOf(namespace, name)) {
    const labels = mp.metadata?.labels ?? {};
    const topologyName = labels[LABELS.poolName];
    if (labels[LABELS.topologyOwned] === undefined || !topologyName || mp.metadata?.deletionTimestamp) continue;
    machinePools.set(topologyName, mp);
    (state.machinePools ??= {})[topologyName] = {
      object: mp,
      bootstrapObject: await getRef(reader, refOf(mp, ['spec', 'template', 'spec', 'bootstrap', 'configRef']), namespace),
      infrastructureMachinePool: await getRef(reader, refOf(mp, ['spec', 'template', 'spec', 'infrastructureRef']), namespace),
    };
  }
  const healthChecks = new Map<string, KubeObject>();
  const checkNames = [cp?.metadata?.name, ...[...machineDeployments.values()].map((m) => m.metadata?.name)].filter((n): n is string => !!n);
  for (const n of checkNames) {
    const mhc = await reader.get(MACHINE_HEALTH_CHECK_KIND, namespace, n);
    if (mhc && mhc.metadata?.labels?.[LABELS.topologyOwned] !== undefined) healthChecks.set(n, mhc);
  }
  return { state, machineDeployments, machinePools, healthChecks };
}
