/**
 * ClusterClass and Cluster (managed topology) types, `cluster.x-k8s.io/v1beta1` field names as upstream Cluster API
 * serves them. The engine reads ClusterClasses and Clusters only through these types, so serving `v1beta2` later
 * means converting v1beta2 objects into this shape at the edge (the API conversion layer), not changing the engine.
 * The one v1beta2 concept already accepted is `ClusterClass.spec.kubernetesVersions` (chained upgrades).
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { JSONSchemaProps } from '../../apimachinery/schema/index.js';
import type { Cluster, Condition } from './types.js';

export const CLUSTER_API_GROUP = 'cluster.x-k8s.io';
export const CLUSTER_API_VERSION = 'cluster.x-k8s.io/v1beta1';

/** Well-known labels and annotations (upstream constant values). */
export const LABELS = {
  clusterName: 'cluster.x-k8s.io/cluster-name',
  topologyOwned: 'topology.cluster.x-k8s.io/owned',
  deploymentName: 'topology.cluster.x-k8s.io/deployment-name',
  poolName: 'topology.cluster.x-k8s.io/pool-name',
  controlPlane: 'cluster.x-k8s.io/control-plane',
} as const;

export const ANNOTATIONS = {
  clonedFromName: 'cluster.x-k8s.io/cloned-from-name',
  clonedFromGroupKind: 'cluster.x-k8s.io/cloned-from-groupkind',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
  upgradeConcurrency: 'topology.cluster.x-k8s.io/upgrade-concurrency',
  deferUpgrade: 'topology.cluster.x-k8s.io/defer-upgrade',
  holdUpgradeSequence: 'topology.cluster.x-k8s.io/hold-upgrade-sequence',
} as const;

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
}

export interface LocalObjectTemplate {
  ref?: ObjectReference;
}

export interface ClassMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface NamingStrategy {
  template?: string;
}

export interface UnhealthyCondition {
  type: string;
  status: string;
  timeout: string;
}

export interface MachineHealthCheckClass {
  unhealthyConditions?: UnhealthyCondition[];
  maxUnhealthy?: number | string;
  unhealthyRange?: string;
  nodeStartupTimeout?: string;
  remediationTemplate?: ObjectReference;
}

export interface MachineHealthCheckTopology extends MachineHealthCheckClass {
  enable?: boolean;
}

/** The variable schema: the OpenAPI subset Cluster API accepts, plus `example` and `x-metadata`. */
export interface VariableSchemaProps extends Omit<JSONSchemaProps, 'properties' | 'additionalProperties' | 'items' | 'allOf' | 'anyOf' | 'oneOf' | 'not'> {
  example?: unknown;
  'x-metadata'?: ClassMetadata;
  properties?: Record<string, VariableSchemaProps>;
  additionalProperties?: VariableSchemaProps;
  items?: VariableSchemaProps;
  allOf?: VariableSchemaProps[];
  anyOf?: VariableSchemaProps[];
  oneOf?: VariableSchemaProps[];
  not?: VariableSchemaProps;
}

export interface ClusterClassVariable {
  name: string;
  required?: boolean;
  metadata?: ClassMetadata;
  schema?: { openAPIV3Schema?: VariableSchemaProps };
}

export interface PatchSelector {
  apiVersion?: string;
  kind?: string;
  matchResources?: {
    controlPlane?: boolean;
    infrastructureCluster?: boolean;
    machineDeploymentClass?: { names?: string[] };
    machinePoolClass?: { names?: string[] };
  };
}

export interface JSONPatch {
  op?: string;
  path?: string;
  value?: unknown;
  valueFrom?: { variable?: string; template?: string };
}

export interface PatchDefinition {
  selector?: PatchSelector;
  jsonPatches?: JSONPatch[];
}

export interface ClusterClassPatch {
  name: string;
  description?: string;
  enabledIf?: string;
  definitions?: PatchDefinition[];
  external?: Record<string, unknown>;
}

export interface ControlPlaneClass extends LocalObjectTemplate {
  metadata?: ClassMetadata;
  machineInfrastructure?: LocalObjectTemplate;
  machineHealthCheck?: MachineHealthCheckClass;
  namingStrategy?: NamingStrategy;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
}

export interface MachineDeploymentClass {
  class: string;
  template?: { metadata?: ClassMetadata; bootstrap?: LocalObjectTemplate; infrastructure?: LocalObjectTemplate };
  machineHealthCheck?: MachineHealthCheckClass;
  failureDomain?: string;
  namingStrategy?: NamingStrategy;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  minReadySeconds?: number;
  strategy?: Record<string, unknown>;
}

export interface MachinePoolClass {
  class: string;
  template?: { metadata?: ClassMetadata; bootstrap?: LocalObjectTemplate; infrastructure?: LocalObjectTemplate };
  failureDomains?: string[];
  namingStrategy?: NamingStrategy;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  minReadySeconds?: number;
}

export interface ClusterClassSpec {
  infrastructure?: LocalObjectTemplate;
  infrastructureNamingStrategy?: NamingStrategy;
  controlPlane?: ControlPlaneClass;
  workers?: { machineDeployments?: MachineDeploymentClass[]; machinePools?: MachinePoolClass[] };
  variables?: ClusterClassVariable[];
  patches?: ClusterClassPatch[];
  /** v1beta2 concept accepted here: the versions an upgrade may step through (one per minor is picked). */
  kubernetesVersions?: string[];
}

/** One definition of a variable in `status.variables` (v1beta1 shape; "inline" for the class's own variables). */
export interface ClusterClassStatusVariableDefinition {
  from: string;
  required: boolean;
  metadata?: ClassMetadata;
  schema: { openAPIV3Schema?: VariableSchemaProps };
}

export interface ClusterClassStatusVariable {
  name: string;
  definitionsConflict?: boolean;
  definitions: ClusterClassStatusVariableDefinition[];
}

export interface ClusterClassStatus {
  variables?: ClusterClassStatusVariable[];
  conditions?: Condition[];
  observedGeneration?: number;
}

export interface ClusterClass extends KubeObject {
  metadata?: ObjectMeta;
  spec?: ClusterClassSpec;
  status?: ClusterClassStatus;
}

export interface ClusterVariable {
  name: string;
  /** Deprecated upstream; must stay empty. */
  definitionFrom?: string;
  value?: unknown;
}

export interface VariableOverrides {
  overrides?: ClusterVariable[];
}

export interface ControlPlaneTopology {
  metadata?: ClassMetadata;
  replicas?: number;
  machineHealthCheck?: MachineHealthCheckTopology;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  variables?: VariableOverrides;
}

export interface MachineDeploymentTopology {
  metadata?: ClassMetadata;
  class: string;
  name: string;
  failureDomain?: string;
  replicas?: number;
  machineHealthCheck?: MachineHealthCheckTopology;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  minReadySeconds?: number;
  strategy?: Record<string, unknown>;
  variables?: VariableOverrides;
}

export interface MachinePoolTopology {
  metadata?: ClassMetadata;
  class: string;
  name: string;
  failureDomains?: string[];
  replicas?: number;
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  minReadySeconds?: number;
  variables?: VariableOverrides;
}

export interface Topology {
  class: string;
  classNamespace?: string;
  version: string;
  rolloutAfter?: string;
  controlPlane?: ControlPlaneTopology;
  workers?: { machineDeployments?: MachineDeploymentTopology[]; machinePools?: MachinePoolTopology[] };
  variables?: ClusterVariable[];
}

/** A template or generated object: any Kubernetes object. */
export type Unstructured = KubeObject;

export function isClusterClass(o: KubeObject): o is ClusterClass {
  return o.kind === 'ClusterClass' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith(`${CLUSTER_API_GROUP}/`);
}

export function isCluster(o: KubeObject): o is Cluster {
  return o.kind === 'Cluster' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith(`${CLUSTER_API_GROUP}/`);
}

/** "controlplane.cluster.x-k8s.io/v1beta1" -> "controlplane.cluster.x-k8s.io"; "v1" -> "". */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** GroupKind string as Go's schema.GroupKind.String(): `Kind.group` (or `Kind` for the core group). */
export function groupKindString(apiVersion: string | undefined, kind: string | undefined): string {
  const g = groupOf(apiVersion);
  return g ? `${kind ?? ''}.${g}` : (kind ?? '');
}
