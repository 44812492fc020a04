/**
 * `addons.cluster.x-k8s.io/v1beta1` types: ClusterResourceSet and ClusterResourceSetBinding. Field names, constants
 * and condition vocabulary are upstream Cluster API's.
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { Condition, LabelSelector } from '../cluster/types.js';

export const ADDONS_GROUP = 'addons.cluster.x-k8s.io';
export const ADDONS_VERSION = 'v1beta1';
export const ADDONS_API_VERSION = `${ADDONS_GROUP}/${ADDONS_VERSION}`;

/** Finalizer the ClusterResourceSet controller puts on every ClusterResourceSet. */
export const CLUSTER_RESOURCE_SET_FINALIZER = 'addons.cluster.x-k8s.io';
/** The only Secret type a ClusterResourceSet applies. */
export const CLUSTER_RESOURCE_SET_SECRET_TYPE = 'addons.cluster.x-k8s.io/resource-set';

export const RESOURCE_KINDS = ['ConfigMap', 'Secret'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
export const STRATEGIES = ['ApplyOnce', 'Reconcile'] as const;
export type ClusterResourceSetStrategy = (typeof STRATEGIES)[number];
export const DEFAULT_STRATEGY: ClusterResourceSetStrategy = 'ApplyOnce';

/** The v1beta1 condition type and reasons upstream sets on a ClusterResourceSet. */
export const RESOURCES_APPLIED_CONDITION = 'ResourcesApplied';
export const ADDONS_REASONS = {
  remoteClusterClientFailed: 'RemoteClusterClientFailed',
  clusterMatchFailed: 'ClusterMatchFailed',
  applyFailed: 'ApplyFailed',
  retrievingResourceFailed: 'RetrievingResourceFailed',
  wrongSecretType: 'WrongSecretType',
} as const;

export interface ResourceRef {
  name: string;
  kind: ResourceKind;
}

export interface ClusterResourceSetSpec {
  clusterSelector: LabelSelector;
  resources?: ResourceRef[];
  strategy?: ClusterResourceSetStrategy;
}

export interface ClusterResourceSetStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ClusterResourceSet extends KubeObject {
  metadata?: ObjectMeta;
  spec: ClusterResourceSetSpec;
  status?: ClusterResourceSetStatus;
}

export interface ResourceBinding extends ResourceRef {
  hash?: string;
  lastAppliedTime?: string;
  applied: boolean;
}

export interface ResourceSetBinding {
  clusterResourceSetName: string;
  resources?: ResourceBinding[];
}

export interface ClusterResourceSetBindingSpec {
  bindings?: ResourceSetBinding[];
  clusterName?: string;
}

export interface ClusterResourceSetBinding extends KubeObject {
  metadata?: ObjectMeta;
  spec?: ClusterResourceSetBindingSpec;
}

export const CLUSTER_RESOURCE_SET_KIND = { apiVersion: ADDONS_API_VERSION, kind: 'ClusterResourceSet' } as const;
export const CLUSTER_RESOURCE_SET_BINDING_KIND = { apiVersion: ADDONS_API_VERSION, kind: 'ClusterResourceSetBinding' } as const;
