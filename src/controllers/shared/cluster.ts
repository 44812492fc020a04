/** Finding the Cluster an object belongs to, and whether reconciliation is paused for it (as Cluster API's util). */
import type { KubeObject } from '../../apimachinery/types.js';
import { isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, PAUSED_ANNOTATION, type Cluster } from '../../api/cluster/types.js';
import type { Reader } from './reader.js';

/** The cluster name an object names: `spec.clusterName`, else the `cluster.x-k8s.io/cluster-name` label. */
export function clusterNameOf(obj: KubeObject): string | undefined {
  const spec = obj.spec as { clusterName?: unknown } | undefined;
  if (spec && typeof spec.clusterName === 'string' && spec.clusterName) return spec.clusterName;
  return obj.metadata?.labels?.[CLUSTER_NAME_LABEL] || undefined;
}

/** The Cluster an object belongs to (same namespace), or undefined when it names none or it does not exist. */
export async function getClusterOf(reader: Reader, obj: KubeObject): Promise<Cluster | undefined> {
  const name = clusterNameOf(obj);
  if (!name) return undefined;
  return reader.get<Cluster>(CLUSTER_KIND, obj.metadata?.namespace, name);
}

/** True when the object carries the paused annotation. */
export function hasPausedAnnotation(obj: KubeObject | undefined): boolean {
  return !!obj?.metadata?.annotations && PAUSED_ANNOTATION in obj.metadata.annotations;
}

/** Reconciliation stops when the Cluster has spec.paused or either object has the `cluster.x-k8s.io/paused` annotation. */
export function isPaused(cluster: Cluster | undefined, obj?: KubeObject): boolean {
  return !!cluster?.spec?.paused || hasPausedAnnotation(cluster) || hasPausedAnnotation(obj);
}

/** `namespace/name` of a Cluster. */
export function clusterKey(cluster: { metadata?: { namespace?: string; name?: string } }): string {
  return `${cluster.metadata?.namespace ?? ''}/${cluster.metadata?.name ?? ''}`;
}

/** Get through the client, undefined when not found. */
export async function tryGet<T extends KubeObject>(client: Client, kind: { apiVersion: string; kind: string }, namespace: string | undefined, name: string): Promise<T | undefined> {
  try {
    return (await client.get(kind, { namespace, name })) as T;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * A watch mapper for Clusters that fires only when a Cluster is first seen unpaused or goes from paused to unpaused
 * (upstream's ClusterUnpaused predicate), so a Cluster's status churn does not wake every object of the cluster.
 */
export function onClusterUnpaused<R>(map: (cluster: Cluster) => R[]): (cluster: KubeObject) => R[] {
  const wasPaused = new Map<string, boolean>();
  return (obj) => {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (obj.metadata?.deletionTimestamp) {
      // Forget a Cluster on its way out (a new one of the same name starts afresh).
      wasPaused.delete(key);
      return [];
    }
    const paused = isPaused(obj as Cluster);
    const before = wasPaused.get(key);
    wasPaused.set(key, paused);
    return !paused && before !== false ? map(obj as Cluster) : [];
  };
}
