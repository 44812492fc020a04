/** The parts of apps/v1 ReplicaSet and core/v1 Pod the ReplicaSet and Deployment controllers read and write. */
import type { KubeObject, ObjectMeta } from '../../../apimachinery/types.js';
import type { LabelSelectorObject } from '../../../apimachinery/selectors.js';

export const POD_KIND = { apiVersion: 'v1', kind: 'Pod' } as const;
export const REPLICA_SET_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

export type { PodCondition } from '../shared/pods.js';
import type { PodCondition } from '../shared/pods.js';

export interface ContainerStatus {
  name: string;
  restartCount?: number;
  ready?: boolean;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: { phase?: string; conditions?: PodCondition[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; [k: string]: unknown };
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelectorObject; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}
