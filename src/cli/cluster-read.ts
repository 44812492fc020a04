/**
 * Reads one Cluster and the objects of its tree through the API (a Client), the way `clusterctl describe cluster`
 * discovers them: the objects the Cluster's refs name, and the Machines, MachineSets, MachineDeployments and MachinePools
 * labelled `cluster.x-k8s.io/cluster-name=<name>` in its namespace, and what each Machine references.
 */
import type { KubeObject } from '../apimachinery/types.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_POOL_KIND,
  MACHINE_KIND,
  MACHINE_SET_KIND,
  type Cluster,
  type Machine,
  type MachineDeployment,
  type MachinePool,
  type MachineSet,
} from '../api/cluster/types.js';
import { isNotFound, type Client, type KindRef } from '../client/index.js';
import { providerKey, type ClusterObjects } from './cluster-tree.js';

/** The Cluster does not exist (or the API server does not serve Clusters). */
export class ClusterNotFoundError extends Error {}

interface Ref {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** GET, or undefined when the object or its kind does not exist. */
async function getOptional(client: Client, ref: Ref | undefined, namespace: string): Promise<KubeObject | undefined> {
  if (!ref?.apiVersion || !ref.kind || !ref.name) return undefined;
  try {
    return await client.get({ apiVersion: ref.apiVersion, kind: ref.kind }, { namespace: ref.namespace || namespace, name: ref.name });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** A labelled list, empty when the server does not serve the kind. */
export async function listOptional<T extends KubeObject>(client: Client, kind: KindRef<T>, namespace: string | undefined, labelSelector: string): Promise<T[]> {
  try {
    return (await client.list(kind, { namespace, labelSelector })).items;
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/**
 * The infrastructure machines and bootstrap configs the Machines reference: one labelled list per kind, then a GET
 * for each referenced object the list did not return.
 */
async function readMachineProviders(client: Client, namespace: string, selector: string, machines: Machine[]): Promise<Map<string, KubeObject>> {
  const wanted = new Map<string, Ref>();
  for (const m of machines) {
    for (const ref of [m.spec?.infrastructureRef, m.spec?.bootstrap?.configRef]) {
      if (ref?.apiVersion && ref.kind && ref.name) wanted.set(providerKey(ref.apiVersion, ref.kind, ref.name), ref);
    }
  }
  const found = new Map<string, KubeObject>();
  const kinds = new Map<string, KindRef>();
  for (const ref of wanted.values()) kinds.set(`${ref.apiVersion}/${ref.kind}`, { apiVersion: ref.apiVersion!, kind: ref.kind! });
  await Promise.all(
    [...kinds.values()].map(async (kind) => {
      for (const o of await listOptional(client, kind, namespace, selector)) found.set(providerKey(kind.apiVersion, kind.kind, o.metadata?.name ?? ''), { ...o, apiVersion: o.apiVersion ?? kind.apiVersion, kind: o.kind ?? kind.kind });
    }),
  );
  const missing = [...wanted].filter(([key]) => !found.has(key));
  await Promise.all(
    missing.map(async ([key, ref]) => {
      const o = await getOptional(client, ref, namespace);
      if (o) found.set(key, o);
    }),
  );
  return found;
}

/** Everything `slipway cluster get` shows of the Cluster `namespace/name`. */
export async function readClusterObjects(client: Client, namespace: string, name: string): Promise<ClusterObjects> {
  let cluster: Cluster;
  try {
    cluster = await client.get(CLUSTER_KIND as KindRef<Cluster>, { namespace, name });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const unserved = /no matches for kind/.test((e as Error).message);
    throw new ClusterNotFoundError(
      unserved ? `cluster ${namespace}/${name} not found: the API server does not serve ${CLUSTER_KIND.apiVersion} Clusters (is Cluster API installed?)` : `cluster ${namespace}/${name} not found`,
    );
  }
  const selector = `${CLUSTER_NAME_LABEL}=${name}`;
  const [infrastructure, controlPlane, machines, machineSets, machineDeployments, machinePools] = await Promise.all([
    getOptional(client, cluster.spec?.infrastructureRef, namespace),
    getOptional(client, cluster.spec?.controlPlaneRef, namespace),
    listOptional(client, MACHINE_KIND as KindRef<Machine>, namespace, selector),
    listOptional(client, MACHINE_SET_KIND as KindRef<MachineSet>, namespace, selector),
    listOptional(client, MACHINE_DEPLOYMENT_KIND as KindRef<MachineDeployment>, namespace, selector),
    listOptional(client, MACHINE_POOL_KIND as KindRef<MachinePool>, namespace, selector),
  ]);
  const machineProviders = await readMachineProviders(client, namespace, selector, machines);
  return { cluster, infrastructure, controlPlane, machines, machineSets, machineDeployments, machinePools, machineProviders };
}
