/**
 * Who the plane's controllers are: the ServiceAccount kube-system/slipway-controller-manager, bound by the
 * ClusterRoleBinding slipway:controller-manager to the ClusterRole of the same name — what the Cluster API, sim,
 * IPAM and feature-gate controllers read and write, and nothing else (no RBAC, no CustomResourceDefinition writes,
 * no impersonation). The in-process controllers act as it (every call authorized by RBAC); `slipway controllers`
 * runs under it with a token from `kubectl create token slipway-controller-manager -n kube-system`.
 */
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { reconcileBinding, reconcileRole } from '../apiserver/authz/reconcile.js';
import type { BindingObject, PolicyRule, RoleObject } from '../apiserver/authz/rules.js';
import type { ObjectStore } from '../apiserver/object-store.js';

export const CONTROLLER_NAMESPACE = 'kube-system';
export const CONTROLLER_SERVICE_ACCOUNT = 'slipway-controller-manager';
export const CONTROLLER_ROLE = 'slipway:controller-manager';

/** The controllers' user, as a ServiceAccount token authenticates it. */
export const CONTROLLER_USER = {
  name: `system:serviceaccount:${CONTROLLER_NAMESPACE}:${CONTROLLER_SERVICE_ACCOUNT}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${CONTROLLER_NAMESPACE}`, 'system:authenticated'],
};

const RBAC = 'rbac.authorization.k8s.io';
const ALL = ['*'];
const READ = ['get', 'list', 'watch'];

/** Every group of the objects the controllers own, in full; the rest read, or written only where they must. */
export function controllerManagerRules(): PolicyRule[] {
  return [
    {
      apiGroups: [
        'cluster.x-k8s.io',
        'addons.cluster.x-k8s.io',
        'bootstrap.cluster.x-k8s.io',
        'controlplane.cluster.x-k8s.io',
        'infrastructure.cluster.x-k8s.io',
        'ipam.cluster.x-k8s.io',
        'infrastructure.slipway.dev',
      ],
      resources: ALL,
      verbs: ALL,
    },
    { apiGroups: ['core.slipway.dev'], resources: ['features', 'featuregates', 'features/status', 'featuregates/status'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    { apiGroups: [''], resources: ['secrets', 'configmaps', 'events'], verbs: ALL },
    { apiGroups: [''], resources: ['namespaces', 'serviceaccounts'], verbs: READ },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ALL },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ALL },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
  ];
}

const labels = { 'kubernetes.io/bootstrapping': 'rbac-defaults', 'app.kubernetes.io/managed-by': 'slipway' };
const annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

/** The ServiceAccount, ClusterRole and ClusterRoleBinding (made when missing; the role and binding reconciled). */
export async function ensureControllerIdentity(objects: ObjectStore): Promise<void> {
  const sa = objects.registry.get('', 'v1', 'serviceaccounts')!;
  const roles = objects.registry.get(RBAC, 'v1', 'clusterroles')!;
  const bindings = objects.registry.get(RBAC, 'v1', 'clusterrolebindings')!;
  const tolerant = async (write: () => Promise<unknown>): Promise<void> => {
    try {
      await write();
    } catch (e) {
      // Another plane on the same store wrote it first.
      if (!(e instanceof StatusError && (e.reason === 'AlreadyExists' || e.reason === 'Conflict'))) throw e;
    }
  };
  if (!(await objects.tryGet(sa, CONTROLLER_NAMESPACE, CONTROLLER_SERVICE_ACCOUNT))) {
    await tolerant(() => objects.create(sa, CONTROLLER_NAMESPACE, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: CONTROLLER_SERVICE_ACCOUNT, namespace: CONTROLLER_NAMESPACE, labels } }, { fieldManager: 'slipway-apiserver' }));
  }
  const role: RoleObject = { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: CONTROLLER_ROLE, labels, annotations }, rules: controllerManagerRules() };
  const binding: BindingObject = {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: CONTROLLER_ROLE, labels, annotations },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: CONTROLLER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: CONTROLLER_SERVICE_ACCOUNT, namespace: CONTROLLER_NAMESPACE }],
  };
  const r = reconcileRole((await objects.tryGet(roles, undefined, CONTROLLER_ROLE)) as RoleObject | undefined, role);
  if (r.operation === 'create') await tolerant(() => objects.create(roles, undefined, r.object as KubeObject, { fieldManager: 'slipway-apiserver' }));
  else if (r.operation !== 'none') await tolerant(() => objects.update(roles, undefined, CONTROLLER_ROLE, r.object as KubeObject, { fieldManager: 'slipway-apiserver' }));
  const b = reconcileBinding((await objects.tryGet(bindings, undefined, CONTROLLER_ROLE)) as BindingObject | undefined, binding);
  if (b.operation === 'recreate') await tolerant(() => objects.delete(bindings, undefined, CONTROLLER_ROLE));
  if (b.operation === 'create' || b.operation === 'recreate') await tolerant(() => objects.create(bindings, undefined, b.object as KubeObject, { fieldManager: 'slipway-apiserver' }));
  else if (b.operation === 'update') await tolerant(() => objects.update(bindings, undefined, CONTROLLER_ROLE, b.object as KubeObject, { fieldManager: 'slipway-apiserver' }));
}
