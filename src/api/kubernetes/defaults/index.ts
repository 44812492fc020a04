/**
 * The defaulting kube-apiserver applies to built-in kinds on create and update, as a pure core:
 * `applyKubernetesDefaults` mutates an unstructured object in place; unknown kinds are left alone.
 */
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.js';
import { defaultHorizontalPodAutoscaler, defaultHorizontalPodAutoscalerV1 } from './autoscaling.js';
import { defaultCronJob, defaultJob } from './batch.js';
import {
  defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume,
  defaultPersistentVolumeClaim, defaultPod, defaultPodTemplate, defaultReplicationController, defaultSecret,
  defaultService,
} from './core.js';
import { defaultEndpointSlice } from './discovery.js';
import { defaultIngressClass, defaultNetworkPolicy } from './networking.js';
import { defaultBinding } from './rbac.js';
import { defaultPriorityClass } from './scheduling.js';
import { defaultStorageClass } from './storage.js';

export { defaultPodSpec, defaultPodTemplateSpec } from './pod.js';
export { podQOSClass, podStatusOnCreate, type PodQOSClass } from './qos.js';
export { parseQuantity } from './quantity.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

type Defaulter = (obj: Record<string, unknown>) => void;

const defaulters: { gvk: GroupVersionKind; apply: Defaulter }[] = [
  { gvk: { group: '', version: 'v1', kind: 'Pod' }, apply: defaultPod },
  { gvk: { group: '', version: 'v1', kind: 'PodTemplate' }, apply: defaultPodTemplate },
  { gvk: { group: '', version: 'v1', kind: 'ReplicationController' }, apply: defaultReplicationController },
  { gvk: { group: '', version: 'v1', kind: 'Service' }, apply: defaultService },
  { gvk: { group: '', version: 'v1', kind: 'Endpoints' }, apply: defaultEndpoints },
  { gvk: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' }, apply: defaultPersistentVolumeClaim },
  { gvk: { group: '', version: 'v1', kind: 'PersistentVolume' }, apply: defaultPersistentVolume },
  { gvk: { group: '', version: 'v1', kind: 'Secret' }, apply: defaultSecret },
  { gvk: { group: '', version: 'v1', kind: 'Namespace' }, apply: defaultNamespace },
  { gvk: { group: '', version: 'v1', kind: 'Node' }, apply: defaultNode },
  { gvk: { group: '', version: 'v1', kind: 'LimitRange' }, apply: defaultLimitRange },
  { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, apply: defaultDeployment },
  { gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' }, apply: defaultReplicaSet },
  { gvk: { group: 'apps', version: 'v1', kind: 'StatefulSet' }, apply: defaultStatefulSet },
  { gvk: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, apply: defaultDaemonSet },
  { gvk: { group: 'batch', version: 'v1', kind: 'Job' }, apply: defaultJob },
  { gvk: { group: 'batch', version: 'v1', kind: 'CronJob' }, apply: defaultCronJob },
  { gvk: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }, apply: defaultEndpointSlice },
  { gvk: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' }, apply: defaultNetworkPolicy },
  { gvk: { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass' }, apply: defaultIngressClass },
  { gvk: { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' }, apply: defaultPriorityClass },
  { gvk: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' }, apply: defaultStorageClass },
  { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' }, apply: defaultBinding },
  { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' }, apply: defaultBinding },
  { gvk: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }, apply: defaultHorizontalPodAutoscaler },
  { gvk: { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }, apply: defaultHorizontalPodAutoscalerV1 },
];

const byKey = new Map(defaulters.map(({ gvk, apply }) => [`${gvk.group}/${gvk.version}/${gvk.kind}`, apply]));

/** Applies upstream's defaults for the kind to `obj` in place; kinds without defaults are left alone. */
export function applyKubernetesDefaults(group: string, version: string, kind: string, obj: Record<string, unknown>): void {
  byKey.get(`${group}/${version}/${kind}`)?.(obj);
}

/** The kinds `applyKubernetesDefaults` changes (group '' is core). */
export function defaultedKinds(): GroupVersionKind[] {
  return defaulters.map(({ gvk }) => ({ ...gvk }));
}
