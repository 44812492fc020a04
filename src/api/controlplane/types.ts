/** `controlplane.cluster.x-k8s.io/v1beta1` types: KubeadmControlPlane and KubeadmControlPlaneTemplate. */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { KubeadmConfigSpec } from '../bootstrap/types.js';
import type { Condition, IntOrString, MachineNamingStrategy, MachineReadinessGate, MachineTaint, ObjectReference, TemplateMeta } from '../cluster/types.js';

export const CONTROL_PLANE_GROUP = 'controlplane.cluster.x-k8s.io';
export const CONTROL_PLANE_API_VERSION = 'controlplane.cluster.x-k8s.io/v1beta1';
export const KUBEADM_CONTROL_PLANE_KIND = { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'KubeadmControlPlane' } as const;
export const KUBEADM_CONTROL_PLANE_TEMPLATE_KIND = { apiVersion: CONTROL_PLANE_API_VERSION, kind: 'KubeadmControlPlaneTemplate' } as const;

export const KUBEADM_CONTROL_PLANE_FINALIZER = 'kubeadm.controlplane.cluster.x-k8s.io';
export const KUBEADM_CLUSTER_CONFIGURATION_ANNOTATION = 'controlplane.cluster.x-k8s.io/kubeadm-cluster-configuration';
export const REMEDIATION_IN_PROGRESS_ANNOTATION = 'controlplane.cluster.x-k8s.io/remediation-in-progress';
export const REMEDIATION_FOR_ANNOTATION = 'controlplane.cluster.x-k8s.io/remediation-for';
export const SKIP_COREDNS_ANNOTATION = 'controlplane.cluster.x-k8s.io/skip-coredns';
export const SKIP_KUBE_PROXY_ANNOTATION = 'controlplane.cluster.x-k8s.io/skip-kube-proxy';

/** KubeadmControlPlane conditions (upstream v1beta1 values). */
export const KCP_CONDITIONS = {
  available: 'Available',
  certificatesAvailable: 'CertificatesAvailable',
  machinesCreated: 'MachinesCreated',
  machinesReady: 'MachinesReady',
  machinesSpecUpToDate: 'MachinesSpecUpToDate',
  resized: 'Resized',
  controlPlaneComponentsHealthy: 'ControlPlaneComponentsHealthy',
  etcdClusterHealthy: 'EtcdClusterHealthy',
  /** Per control-plane Machine. */
  apiServerPodHealthy: 'APIServerPodHealthy',
  controllerManagerPodHealthy: 'ControllerManagerPodHealthy',
  schedulerPodHealthy: 'SchedulerPodHealthy',
  etcdPodHealthy: 'EtcdPodHealthy',
  etcdMemberHealthy: 'EtcdMemberHealthy',
} as const;

export const KCP_REASONS = {
  certificatesGenerationFailed: 'CertificatesGenerationFailed',
  waitingForKubeadmInit: 'WaitingForKubeadmInit',
  rollingUpdateInProgress: 'RollingUpdateInProgress',
  scalingUp: 'ScalingUp',
  scalingDown: 'ScalingDown',
  controlPlaneComponentsUnhealthy: 'ControlPlaneComponentsUnhealthy',
  controlPlaneComponentsUnknown: 'ControlPlaneComponentsUnknown',
  controlPlaneComponentsInspectionFailed: 'ControlPlaneComponentsInspectionFailed',
  podProvisioning: 'PodProvisioning',
  podMissing: 'PodMissing',
  podFailed: 'PodFailed',
  podInspectionFailed: 'PodInspectionFailed',
  etcdClusterInspectionFailed: 'EtcdClusterInspectionFailed',
  etcdClusterUnknown: 'EtcdClusterUnknown',
  etcdClusterUnhealthy: 'EtcdClusterUnhealthy',
  etcdMemberInspectionFailed: 'MemberInspectionFailed',
  etcdMemberUnhealthy: 'EtcdMemberUnhealthy',
  infrastructureTemplateCloningFailed: 'InfrastructureTemplateCloningFailed',
  bootstrapTemplateCloningFailed: 'BootstrapTemplateCloningFailed',
  machineGenerationFailed: 'MachineGenerationFailed',
} as const;

export interface KubeadmControlPlaneMachineTemplate {
  metadata?: TemplateMeta;
  infrastructureRef: ObjectReference;
  readinessGates?: MachineReadinessGate[];
  nodeDrainTimeout?: string;
  nodeVolumeDetachTimeout?: string;
  nodeDeletionTimeout?: string;
  taints?: MachineTaint[];
}

export interface KubeadmControlPlaneSpec {
  replicas?: number;
  version: string;
  machineTemplate: KubeadmControlPlaneMachineTemplate;
  kubeadmConfigSpec: KubeadmConfigSpec;
  rolloutBefore?: { certificatesExpiryDays?: number };
  rolloutAfter?: string;
  rolloutStrategy?: { type?: 'RollingUpdate'; rollingUpdate?: { maxSurge?: IntOrString } };
  remediationStrategy?: { maxRetry?: number; retryPeriod?: string; minHealthyPeriod?: string };
  machineNamingStrategy?: MachineNamingStrategy;
}

export interface KubeadmControlPlaneStatus {
  selector?: string;
  replicas?: number;
  version?: string;
  updatedReplicas?: number;
  readyReplicas?: number;
  unavailableReplicas?: number;
  initialized?: boolean;
  ready?: boolean;
  failureReason?: string;
  failureMessage?: string;
  observedGeneration?: number;
  conditions?: Condition[];
  lastRemediation?: { machine: string; timestamp: string; retryCount: number };
}

export interface KubeadmControlPlane extends KubeObject {
  metadata?: ObjectMeta;
  spec: KubeadmControlPlaneSpec;
  status?: KubeadmControlPlaneStatus;
}

export interface KubeadmControlPlaneTemplate extends KubeObject {
  metadata?: ObjectMeta;
  spec: {
    template: {
      metadata?: TemplateMeta;
      spec: Omit<KubeadmControlPlaneSpec, 'replicas' | 'version' | 'machineTemplate'> & { machineTemplate?: Omit<KubeadmControlPlaneMachineTemplate, 'infrastructureRef'> };
    };
  };
}
