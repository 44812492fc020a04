/**
 * Which Machines a MachineHealthCheck targets, and the reverse lookups its watches need: the MachineHealthChecks of a
 * Machine, of a Cluster, and the Machine of a workload-cluster Node.
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../apimachinery/selectors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import type { IndexFunc } from '../../client/cache.js';
import type { Lister } from '../../client/lister.js';
import type { Request } from '../../runtime/reconciler.js';
import { CLUSTER_NAME_LABEL, NODE_CLUSTER_NAMESPACE_ANNOTATION, NODE_MACHINE_ANNOTATION, type Machine, type MachineHealthCheck } from '../../api/cluster/types.js';
import { clusterNameOf } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';

/** Index of MachineHealthChecks by `namespace/spec.clusterName`. */
export const MHC_BY_CLUSTER_INDEX = 'machinehealthcheck/cluster';
/** Index of Machines by `namespace/cluster/status.nodeRef.name` (Node names are unique within one workload cluster). */
export const MACHINE_BY_NODE_INDEX = 'machine/cluster-node';

export const mhcByClusterIndex: IndexFunc = (o) => {
  const name = (o.spec as { clusterName?: unknown } | undefined)?.clusterName;
  return typeof name === 'string' && name ? [`${o.metadata?.namespace ?? ''}/${name}`] : [];
};

export const machineByNodeIndex: IndexFunc = (o) => {
  const node = (o as Machine).status?.nodeRef?.name;
  const cluster = clusterNameOf(o);
  return node && cluster ? [`${o.metadata?.namespace ?? ''}/${cluster}/${node}`] : [];
};

/** spec.selector parsed; throws an error naming the field when it is invalid. */
export function selectorOf(mhc: MachineHealthCheck): LabelSelector {
  try {
    return labelSelectorFromObject(mhc.spec?.selector ?? {});
  } catch (e) {
    throw new Error(`MachineHealthCheck ${mhc.metadata?.namespace}/${mhc.metadata?.name}: spec.selector ${JSON.stringify(mhc.spec?.selector)} is invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * True when the MachineHealthCheck selects the Machine: same namespace, the Machine carries the cluster-name label of
 * spec.clusterName (as upstream, which adds that label to the selector) and its labels match the (parsed) spec.selector.
 */
export function selectsMachine(mhc: MachineHealthCheck, selector: LabelSelector, machine: KubeObject): boolean {
  if (machine.metadata?.namespace !== mhc.metadata?.namespace) return false;
  if (!mhc.spec?.clusterName || machine.metadata?.labels?.[CLUSTER_NAME_LABEL] !== mhc.spec.clusterName) return false;
  return matchesLabels(selector, machine.metadata?.labels);
}

function requestOf(o: KubeObject): Request {
  return { namespace: o.metadata?.namespace, name: o.metadata!.name! };
}

/** MachineHealthChecks of the Machine's cluster that select it (an invalid selector selects nothing). */
export function healthChecksOfMachine(mhcs: Lister, machine: KubeObject): Request[] {
  const cluster = machine.metadata?.labels?.[CLUSTER_NAME_LABEL];
  if (!cluster) return [];
  return mhcs
    .byIndex(MHC_BY_CLUSTER_INDEX, `${machine.metadata?.namespace ?? ''}/${cluster}`)
    .filter((mhc) => {
      try {
        return selectsMachine(mhc as MachineHealthCheck, selectorOf(mhc as MachineHealthCheck), machine);
      } catch {
        return false;
      }
    })
    .map(requestOf);
}

/** MachineHealthChecks whose spec.clusterName names the Cluster. */
export function healthChecksOfCluster(mhcs: Lister, cluster: KubeObject): Request[] {
  return mhcs.byIndex(MHC_BY_CLUSTER_INDEX, `${cluster.metadata?.namespace ?? ''}/${cluster.metadata?.name ?? ''}`).map(requestOf);
}

/**
 * The Machines of a workload-cluster Node: the one its `cluster.x-k8s.io/machine` annotation names (put there by the
 * Machine controller), else those whose status.nodeRef names it.
 */
export function machinesOfNode(machines: Lister, cluster: ClusterRef, node: KubeObject): Machine[] {
  const a = node.metadata?.annotations ?? {};
  const named = a[NODE_MACHINE_ANNOTATION];
  if (named) {
    const m = machines.get(named, a[NODE_CLUSTER_NAMESPACE_ANNOTATION] || cluster.namespace);
    if (m) return [m as Machine];
  }
  return machines.byIndex(MACHINE_BY_NODE_INDEX, `${cluster.namespace}/${cluster.name}/${node.metadata?.name ?? ''}`) as Machine[];
}
