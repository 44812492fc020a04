/**
 * The built-in kinds every workload cluster serves, with kube-apiserver's resource names, short names, categories,
 * scope and subresources, and schemas taken from upstream's OpenAPI definitions (so `kubectl explain`, client-side
 * validation, strategic merge patch and server-side apply see what they see on a kubeadm cluster).
 */
import type { ResourceInfo, ScaleSubresource } from '../../apiserver/resource-info.js';
import { builtinResource } from '../builtin/meta.js';
import { OpenAPISchemaConverter } from './openapi-schema.js';

interface KindRow {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  /** `all` for what `kubectl get all` lists. */
  categories?: string[];
  status?: boolean;
  scale?: boolean;
  /** The version objects are stored in, when the kind is served in several (default: this row's). */
  storageVersion?: string;
  /** Create-only kinds answered without storage (access and token reviews). */
  review?: boolean;
}

/** The OpenAPI definition prefix of a group's types: `io.k8s.api.<first label of the group>.<version>` (core for ""). */
function definitionPrefix(group: string, version: string): string {
  const pkg = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').split('.')[0]!;
  return `io.k8s.api.${pkg}.${version}`;
}

const ROWS: KindRow[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], status: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], status: true },
  { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], status: true },
  { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, scale: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, scale: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'], status: true, scale: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'], status: true },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], status: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], status: true },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], status: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'IPAddress', plural: 'ipaddresses', namespaced: false, shortNames: ['ip'] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDR', plural: 'servicecidrs', namespaced: false, status: true },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true },
  { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'] },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, review: true },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, review: true },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, review: true },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, review: true },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, review: true },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, review: true },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'], status: true },
  { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'], status: true, storageVersion: 'v2' },
];

/** Replicas as the scale subresource reads them (the selector is the workload's own, not a status field). */
const SCALE: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

/** The OpenAPI definition name of a served kind, e.g. `io.k8s.api.apps.v1.Deployment`. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${definitionPrefix(group, version)}.${kind}`;
}

/** Every built-in kind of a workload cluster, as ResourceInfos (a fresh list; callers may change it). */
export function kubernetesResources(converter = new OpenAPISchemaConverter()): ResourceInfo[] {
  return ROWS.map((r) => resourceOf(r, converter));
}

function resourceOf(r: KindRow, converter: OpenAPISchemaConverter): ResourceInfo {
  return builtinResource({
    group: r.group,
    version: r.version,
    kind: r.kind,
    plural: r.plural,
    namespaced: r.namespaced,
    shortNames: r.shortNames ?? [],
    categories: r.categories ?? [],
    schema: converter.named(definitionName(r.group, r.version, r.kind)),
    subresources: { status: !!r.status, ...(r.scale ? { scale: SCALE } : {}) },
    ...(r.storageVersion ? { storageVersion: r.storageVersion } : {}),
    ...(r.review ? { verbs: ['create'] } : {}),
  });
}

/** Groups of the authorization kinds the management plane serves too (RBAC and the reviews). */
const AUTH_GROUPS = new Set(['rbac.authorization.k8s.io', 'authorization.k8s.io', 'authentication.k8s.io']);

/** RBAC and the access/token reviews, as the management plane serves them beside its own kinds. */
export function authorizationResources(converter = new OpenAPISchemaConverter()): ResourceInfo[] {
  return ROWS.filter((r) => AUTH_GROUPS.has(r.group)).map((r) => resourceOf(r, converter));
}

/** `group/Kind` of every kind kubernetesResources serves. */
export function kubernetesKinds(): { group: string; version: string; kind: string; plural: string }[] {
  return ROWS.map((r) => ({ group: r.group, version: r.version, kind: r.kind, plural: r.plural }));
}
