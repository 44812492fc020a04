/** Builders of MachineDeployment and MachineSet snapshots for the pure table tests. */
import type { IntOrString, MachineDeployment, MachineSet, MachineSetDeletePolicy } from '../../api/cluster/types.js';

export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
export const MIN = 60_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface MdOptions {
  name?: string;
  replicas?: number;
  type?: 'RollingUpdate' | 'OnDelete';
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
  deletePolicy?: MachineSetDeletePolicy;
  infra?: string;
  version?: string;
  rolloutAfter?: string;
  annotations?: Record<string, string>;
  generation?: number;
  statusReplicas?: number;
}

export function md(o: MdOptions = {}): MachineDeployment {
  const type = o.type ?? 'RollingUpdate';
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineDeployment',
    metadata: { namespace: 'ns', name: o.name ?? 'md', uid: 'md-uid', generation: o.generation ?? 1, annotations: o.annotations },
    spec: {
      clusterName: 'c1',
      replicas: o.replicas ?? 3,
      rolloutAfter: o.rolloutAfter,
      selector: { matchLabels: { pool: 'a' } },
      strategy: type === 'OnDelete' ? { type } : { type, rollingUpdate: { maxSurge: o.maxSurge ?? 1, maxUnavailable: o.maxUnavailable ?? 0, deletePolicy: o.deletePolicy } },
      template: {
        metadata: { labels: { pool: 'a' } },
        spec: {
          clusterName: 'c1',
          version: o.version ?? 'v1.31.2',
          bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'boot' } },
          infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: o.infra ?? 'infra-new' },
        },
      },
    },
    status: o.statusReplicas !== undefined ? { replicas: o.statusReplicas } : undefined,
  };
}

export interface MsOptions {
  replicas?: number;
  /** status.replicas (default: replicas). */
  actual?: number;
  available?: number;
  ready?: number;
  created?: number;
  infra?: string;
  annotations?: Record<string, string>;
  generation?: number;
  observedGeneration?: number;
  failureReason?: string;
}

export function ms(name: string, o: MsOptions = {}): MachineSet {
  const replicas = o.replicas ?? 0;
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineSet',
    metadata: { namespace: 'ns', name, uid: `${name}-uid`, creationTimestamp: iso(o.created ?? T0), annotations: o.annotations, generation: o.generation ?? 1 },
    spec: {
      clusterName: 'c1',
      replicas,
      selector: { matchLabels: { pool: 'a' } },
      template: {
        metadata: { labels: { pool: 'a' } },
        spec: {
          clusterName: 'c1',
          version: 'v1.31.2',
          bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'boot' } },
          infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: o.infra ?? 'infra-new' },
        },
      },
    },
    status: {
      replicas: o.actual ?? replicas,
      availableReplicas: o.available ?? 0,
      readyReplicas: o.ready ?? o.available ?? 0,
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
      ...(o.failureReason ? { failureReason: o.failureReason } : {}),
    },
  };
}
