/**
 * `cluster.x-k8s.io/v1beta1` types: Cluster, Machine, MachineSet, MachineDeployment, MachineHealthCheck (ClusterClass
 * and the managed-topology types live in ./clusterclass.ts). Field names, constants and condition vocabulary are
 * upstream Cluster API's, so YAML written for Cluster API applies unchanged and scripts read the same status.
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { ObjectReference, Topology } from './clusterclass.js';

export { CLUSTER_API_GROUP, CLUSTER_API_VERSION } from './clusterclass.js';
export type { ObjectReference } from './clusterclass.js';

// ---- labels, annotations, finalizers (upstream values) --------------------------------------------

export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';
export const CONTROL_PLANE_NAME_LABEL = 'cluster.x-k8s.io/control-plane-name';
export const MACHINE_SET_NAME_LABEL = 'cluster.x-k8s.io/set-name';
export const MACHINE_DEPLOYMENT_NAME_LABEL = 'cluster.x-k8s.io/deployment-name';
export const MACHINE_TEMPLATE_HASH_LABEL = 'machine-template-hash';
export const PROVIDER_NAME_LABEL = 'cluster.x-k8s.io/provider';
export const WATCH_FILTER_LABEL = 'cluster.x-k8s.io/watch-filter';
export const INTERRUPTIBLE_LABEL = 'cluster.x-k8s.io/interruptible';

export const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';
export const DELETE_MACHINE_ANNOTATION = 'cluster.x-k8s.io/delete-machine';
export const CLONED_FROM_NAME_ANNOTATION = 'cluster.x-k8s.io/cloned-from-name';
export const CLONED_FROM_GROUPKIND_ANNOTATION = 'cluster.x-k8s.io/cloned-from-groupkind';
export const SKIP_REMEDIATION_ANNOTATION = 'cluster.x-k8s.io/skip-remediation';
export const REMEDIATE_MACHINE_ANNOTATION = 'cluster.x-k8s.io/remediate-machine';
export const DISABLE_MACHINE_CREATE_ANNOTATION = 'cluster.x-k8s.io/disable-machine-create';
export const MANAGED_BY_ANNOTATION = 'cluster.x-k8s.io/managed-by';
export const EXCLUDE_NODE_DRAINING_ANNOTATION = 'machine.cluster.x-k8s.io/exclude-node-draining';
export const CERTIFICATES_EXPIRY_ANNOTATION = 'machine.cluster.x-k8s.io/certificates-expiry';
export const PRE_DRAIN_HOOK_PREFIX = 'pre-drain.delete.hook.machine.cluster.x-k8s.io';
export const PRE_TERMINATE_HOOK_PREFIX = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io';
/** Annotations the Machine controller puts on the Node it finds. */
export const NODE_CLUSTER_NAME_ANNOTATION = 'cluster.x-k8s.io/cluster-name';
export const NODE_CLUSTER_NAMESPACE_ANNOTATION = 'cluster.x-k8s.io/cluster-namespace';
export const NODE_MACHINE_ANNOTATION = 'cluster.x-k8s.io/machine';
export const NODE_OWNER_KIND_ANNOTATION = 'cluster.x-k8s.io/owner-kind';
export const NODE_OWNER_NAME_ANNOTATION = 'cluster.x-k8s.io/owner-name';
export const LABELS_FROM_MACHINE_ANNOTATION = 'cluster.x-k8s.io/labels-from-machine';
/** MachineDeployment revision bookkeeping on MachineSets. */
export const REVISION_ANNOTATION = 'machinedeployment.clusters.x-k8s.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'machinedeployment.clusters.x-k8s.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'machinedeployment.clusters.x-k8s.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'machinedeployment.clusters.x-k8s.io/max-replicas';

export const CLUSTER_FINALIZER = 'cluster.cluster.x-k8s.io';
export const MACHINE_FINALIZER = 'machine.cluster.x-k8s.io';
export const MACHINE_SET_FINALIZER = 'cluster.x-k8s.io/machineset';
export const MACHINE_DEPLOYMENT_FINALIZER = 'cluster.x-k8s.io/machinedeployment';
export const MACHINE_POOL_FINALIZER = 'machinepool.cluster.x-k8s.io';

/** Secret type of every Cluster API-owned Secret (certificates, kubeconfig, bootstrap data). */
export const CLUSTER_SECRET_TYPE = 'cluster.x-k8s.io/secret';

// ---- conditions (v1beta1 shape: type, status, severity, reason, message, lastTransitionTime) ---------

export const CONDITIONS = {
  ready: 'Ready',
  infrastructureReady: 'InfrastructureReady',
  controlPlaneInitialized: 'ControlPlaneInitialized',
  controlPlaneReady: 'ControlPlaneReady',
  bootstrapReady: 'BootstrapReady',
  nodeHealthy: 'NodeHealthy',
  drainingSucceeded: 'DrainingSucceeded',
  preDrainDeleteHookSucceeded: 'PreDrainDeleteHookSucceeded',
  preTerminateDeleteHookSucceeded: 'PreTerminateDeleteHookSucceeded',
  volumeDetachSucceeded: 'VolumeDetachSucceeded',
  healthCheckSucceeded: 'HealthCheckSucceeded',
  ownerRemediated: 'OwnerRemediated',
  remediationAllowed: 'RemediationAllowed',
  available: 'Available',
  machineSetReady: 'MachineSetReady',
  machinesCreated: 'MachinesCreated',
  machinesReady: 'MachinesReady',
  resized: 'Resized',
  topologyReconciled: 'TopologyReconciled',
  /** MachinePool: every desired replica has a Ready Node. */
  replicasReady: 'ReplicasReady',
} as const;

export const REASONS = {
  deleting: 'Deleting',
  deletionFailed: 'DeletionFailed',
  deleted: 'Deleted',
  incorrectExternalRef: 'IncorrectExternalRef',
  waitingForInfrastructure: 'WaitingForInfrastructure',
  waitingForControlPlane: 'WaitingForControlPlane',
  waitingForControlPlaneProviderInitialized: 'WaitingForControlPlaneProviderInitialized',
  waitingForControlPlaneAvailable: 'WaitingForControlPlaneAvailable',
  missingNodeRef: 'MissingNodeRef',
  waitingForDataSecret: 'WaitingForDataSecret',
  waitingForClusterInfrastructure: 'WaitingForClusterInfrastructure',
  draining: 'Draining',
  drainingFailed: 'DrainingFailed',
  waitingExternalHook: 'WaitingExternalHook',
  waitingForVolumeDetach: 'WaitingForVolumeDetach',
  machineHasFailure: 'MachineHasFailure',
  hasRemediateMachineAnnotation: 'HasRemediateMachineAnnotation',
  nodeStartupTimeout: 'NodeStartupTimeout',
  unhealthyNodeCondition: 'UnhealthyNode',
  waitingForRemediation: 'WaitingForRemediation',
  remediationFailed: 'RemediationFailed',
  remediationInProgress: 'RemediationInProgress',
  waitingForNodeRef: 'WaitingForNodeRef',
  nodeProvisioning: 'NodeProvisioning',
  nodeNotFound: 'NodeNotFound',
  nodeConditionsFailed: 'NodeConditionsFailed',
  nodeInspectionFailed: 'NodeInspectionFailed',
  tooManyUnhealthy: 'TooManyUnhealthy',
  waitingForMachineSet: 'WaitingForMachineSet',
  waitingForAvailableMachines: 'WaitingForAvailableMachines',
  preflightCheckFailed: 'PreflightCheckFailed',
  bootstrapTemplateCloningFailed: 'BootstrapTemplateCloningFailed',
  infrastructureTemplateCloningFailed: 'InfrastructureTemplateCloningFailed',
  machineCreationFailed: 'MachineCreationFailed',
  scalingUp: 'ScalingUp',
  scalingDown: 'ScalingDown',
  paused: 'Paused',
} as const;

// ---- phases ---------------------------------------------------------------------------------------

export type ClusterPhase = 'Pending' | 'Provisioning' | 'Provisioned' | 'Deleting' | 'Failed' | 'Unknown';
export type MachinePhase = 'Pending' | 'Provisioning' | 'Provisioned' | 'Running' | 'Deleting' | 'Deleted' | 'Failed' | 'Unknown';
export type MachineDeploymentPhase = 'ScalingUp' | 'ScalingDown' | 'Running' | 'Failed' | 'Unknown';
export type MachinePoolPhase = 'Pending' | 'Provisioning' | 'Provisioned' | 'Running' | 'ScalingUp' | 'ScalingDown' | 'Scaling' | 'Deleting' | 'Failed' | 'Unknown';

// ---- shared shapes --------------------------------------------------------------------------------

/** A v1beta1 condition (runtime/conditions.ts reads and writes this shape). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: 'Error' | 'Warning' | 'Info' | '';
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

/** Labels and annotations only (cluster.x-k8s.io ObjectMeta). */
export interface TemplateMeta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface APIEndpoint {
  host: string;
  port: number;
}

export type MachineAddressType = 'Hostname' | 'ExternalIP' | 'InternalIP' | 'ExternalDNS' | 'InternalDNS';
export interface MachineAddress {
  type: MachineAddressType;
  address: string;
}

export interface FailureDomainSpec {
  controlPlane?: boolean;
  attributes?: Record<string, string>;
}

/** int or percentage string ("25%"), as intstr.IntOrString. */
export type IntOrString = number | string;

export interface MachineTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  propagation?: 'Always' | 'OnInitialization';
}

export interface MachineReadinessGate {
  conditionType: string;
  polarity?: 'Positive' | 'Negative';
}

export interface MachineNamingStrategy {
  template?: string;
}

// ---- Cluster --------------------------------------------------------------------------------------

export interface ClusterNetwork {
  apiServerPort?: number;
  services?: { cidrBlocks?: string[] };
  pods?: { cidrBlocks?: string[] };
  serviceDomain?: string;
}

export interface ClusterSpec {
  paused?: boolean;
  clusterNetwork?: ClusterNetwork;
  controlPlaneEndpoint?: { host?: string; port?: number };
  controlPlaneRef?: ObjectReference;
  infrastructureRef?: ObjectReference;
  topology?: Topology;
  availabilityGates?: { conditionType: string; polarity?: 'Positive' | 'Negative' }[];
}

export interface ClusterStatus {
  failureDomains?: Record<string, FailureDomainSpec>;
  failureReason?: string;
  failureMessage?: string;
  phase?: ClusterPhase;
  infrastructureReady?: boolean;
  controlPlaneReady?: boolean;
  conditions?: Condition[];
  observedGeneration?: number;
}

export interface Cluster extends KubeObject {
  metadata?: ObjectMeta;
  spec?: ClusterSpec;
  status?: ClusterStatus;
}

// ---- Machine --------------------------------------------------------------------------------------

export interface Bootstrap {
  configRef?: ObjectReference;
  dataSecretName?: string;
}

export interface MachineSpec {
  clusterName: string;
  bootstrap: Bootstrap;
  infrastructureRef: ObjectReference;
  version?: string;
  providerID?: string;
  failureDomain?: string;
  readinessGates?: MachineReadinessGate[];
  /** Go duration text, e.g. "10m0s"; 0 or unset waits forever. */
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  taints?: MachineTaint[];
}

export interface NodeSystemInfo {
  machineID?: string;
  systemUUID?: string;
  bootID?: string;
  kernelVersion?: string;
  osImage?: string;
  containerRuntimeVersion?: string;
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  operatingSystem?: string;
  architecture?: string;
}

export interface MachineDeletionStatus {
  nodeDrainStartTime?: string;
  waitForNodeVolumeDetachStartTime?: string;
}

export interface MachineStatus {
  nodeRef?: ObjectReference;
  nodeInfo?: NodeSystemInfo;
  lastUpdated?: string;
  failureReason?: string;
  failureMessage?: string;
  addresses?: MachineAddress[];
  phase?: MachinePhase;
  certificatesExpiryDate?: string;
  bootstrapReady?: boolean;
  infrastructureReady?: boolean;
  observedGeneration?: number;
  conditions?: Condition[];
  deletion?: MachineDeletionStatus;
}

export interface Machine extends KubeObject {
  metadata?: ObjectMeta;
  spec: MachineSpec;
  status?: MachineStatus;
}

export interface MachineTemplateSpec {
  metadata?: TemplateMeta;
  spec: MachineSpec;
}

// ---- MachineSet -----------------------------------------------------------------------------------

export type MachineSetDeletePolicy = 'Random' | 'Newest' | 'Oldest';

export interface MachineSetSpec {
  clusterName: string;
  replicas?: number;
  minReadySeconds?: number;
  deletePolicy?: MachineSetDeletePolicy;
  selector: LabelSelector;
  template: MachineTemplateSpec;
  machineNamingStrategy?: MachineNamingStrategy;
}

export interface MachineSetStatus {
  selector?: string;
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  failureReason?: string;
  failureMessage?: string;
  conditions?: Condition[];
}

export interface MachineSet extends KubeObject {
  metadata?: ObjectMeta;
  spec: MachineSetSpec;
  status?: MachineSetStatus;
}

// ---- MachineDeployment ----------------------------------------------------------------------------

export interface MachineRollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
  deletePolicy?: MachineSetDeletePolicy;
}

export interface MachineDeploymentStrategy {
  type?: 'RollingUpdate' | 'OnDelete';
  rollingUpdate?: MachineRollingUpdateDeployment;
  remediation?: { maxInFlight?: IntOrString };
}

export interface MachineDeploymentSpec {
  clusterName: string;
  replicas?: number;
  rolloutAfter?: string;
  selector: LabelSelector;
  template: MachineTemplateSpec;
  strategy?: MachineDeploymentStrategy;
  machineNamingStrategy?: MachineNamingStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

export interface MachineDeploymentStatus {
  observedGeneration?: number;
  selector?: string;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  phase?: MachineDeploymentPhase;
  conditions?: Condition[];
}

export interface MachineDeployment extends KubeObject {
  metadata?: ObjectMeta;
  spec: MachineDeploymentSpec;
  status?: MachineDeploymentStatus;
}

// ---- MachinePool (upstream's experimental kind: one infrastructure object for many instances) -------

export interface MachinePoolSpec {
  clusterName: string;
  replicas?: number;
  template: MachineTemplateSpec;
  minReadySeconds?: number;
  /** Provider IDs of the pool's instances, copied from the infrastructure machine pool. */
  providerIDList?: string[];
  failureDomains?: string[];
}

export interface MachinePoolStatus {
  nodeRefs?: ObjectReference[];
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  failureReason?: string;
  failureMessage?: string;
  phase?: MachinePoolPhase;
  bootstrapReady?: boolean;
  infrastructureReady?: boolean;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface MachinePool extends KubeObject {
  metadata?: ObjectMeta;
  spec: MachinePoolSpec;
  status?: MachinePoolStatus;
}

// ---- MachineHealthCheck ---------------------------------------------------------------------------

export interface UnhealthyNodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  /** Go duration text. */
  timeout: string;
}

export interface MachineHealthCheckSpec {
  clusterName: string;
  selector: LabelSelector;
  unhealthyConditions?: UnhealthyNodeCondition[];
  maxUnhealthy?: IntOrString;
  /** "[min-max]", e.g. "[3-5]". */
  unhealthyRange?: string;
  nodeStartupTimeout?: string;
  remediationTemplate?: ObjectReference;
}

export interface MachineHealthCheckStatus {
  expectedMachines?: number;
  currentHealthy?: number;
  remediationsAllowed?: number;
  observedGeneration?: number;
  targets?: string[];
  conditions?: Condition[];
}

export interface MachineHealthCheck extends KubeObject {
  metadata?: ObjectMeta;
  spec: MachineHealthCheckSpec;
  status?: MachineHealthCheckStatus;
}

// ---- kind references ------------------------------------------------------------------------------

export const CLUSTER_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' } as const;
export const MACHINE_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine' } as const;
export const MACHINE_SET_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet' } as const;
export const MACHINE_DEPLOYMENT_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment' } as const;
export const MACHINE_POOL_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachinePool' } as const;
export const MACHINE_HEALTH_CHECK_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck' } as const;
export const CLUSTER_CLASS_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterClass' } as const;

// ---- Slipway extensions of the provider contract --------------------------------------------------

/**
 * TLS server name of the workload cluster's API endpoint, when it differs from `controlPlaneEndpoint.host` (clusters
 * the plane hosts itself are told apart by SNI). An infrastructure cluster sets it on itself; the Cluster controller
 * copies it onto the Cluster, and kubeconfigs carry it as `tls-server-name`.
 */
export const TLS_SERVER_NAME_ANNOTATION = 'cluster.slipway.dev/tls-server-name';
