/**
 * The ClusterClass engine reads ClusterClasses and Clusters through the `cluster.x-k8s.io/v1beta1` types of
 * src/api/cluster (one home for each kind's type); this module re-exports them under their engine-facing names.
 */
export * from '../api/cluster/clusterclass.js';
export type { Cluster, ClusterSpec, ClusterNetwork } from '../api/cluster/types.js';
