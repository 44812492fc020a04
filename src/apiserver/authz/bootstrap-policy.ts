/**
 * The default ClusterRoles and ClusterRoleBindings a plane starts with, as upstream's bootstrappolicy
 * writes them (rule content from its testdata/cluster-roles.yaml, trimmed to what Slipway serves), plus
 * Slipway's own aggregated roles so that `view`, `edit` and `admin` cover the Cluster API and Slipway groups.
 * Aggregated roles (admin, edit, view) carry no rules here: the aggregation controller fills them.
 */
import { RBAC_GROUP, type BindingObject, type PolicyRule, type RoleObject } from './rules.js';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
export const BOOTSTRAPPING_VALUE = 'rbac-defaults';
export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

/** Slipway's aggregated roles that extend view/edit to its own API groups. */
export const SLIPWAY_AGGREGATE_TO_VIEW = 'slipway:aggregate-to-view';
export const SLIPWAY_AGGREGATE_TO_EDIT = 'slipway:aggregate-to-edit';

/**
 * What Slipway's own groups let `edit` write (group → resources). Status subresources stay the
 * controllers' (as upstream's edit leaves "<resource>/status" alone); IPAddresses are the IPAM controller's.
 */
export const SLIPWAY_EDITABLE: Readonly<Record<string, readonly string[]>> = {
  'cluster.x-k8s.io': [
    'clusterclasses', 'clusters', 'machinedeployments', 'machinedeployments/scale', 'machinehealthchecks',
    'machinepools', 'machinepools/scale', 'machines', 'machinesets', 'machinesets/scale',
  ],
  'bootstrap.cluster.x-k8s.io': ['kubeadmconfigs', 'kubeadmconfigtemplates'],
  'controlplane.cluster.x-k8s.io': ['kubeadmcontrolplanes', 'kubeadmcontrolplanes/scale', 'kubeadmcontrolplanetemplates'],
  'addons.cluster.x-k8s.io': ['clusterresourcesetbindings', 'clusterresourcesets'],
  'ipam.cluster.x-k8s.io': ['globalinclusterippools', 'inclusterippools', 'ipaddressclaims'],
  'infrastructure.slipway.dev': ['simclusters', 'simclustertemplates', 'simmachinepools', 'simmachinepooltemplates', 'simmachines', 'simmachinetemplates'],
};

/** What Slipway's own groups let `view` read: everything editable, their status, and the platform's own kinds. */
export const SLIPWAY_VIEWABLE: Readonly<Record<string, readonly string[]>> = {
  'cluster.x-k8s.io': [
    'clusterclasses', 'clusterclasses/status', 'clusters', 'clusters/status', 'machinedeployments', 'machinedeployments/scale',
    'machinedeployments/status', 'machinehealthchecks', 'machinehealthchecks/status', 'machinepools', 'machinepools/scale',
    'machinepools/status', 'machines', 'machines/status', 'machinesets', 'machinesets/scale', 'machinesets/status',
  ],
  'bootstrap.cluster.x-k8s.io': ['kubeadmconfigs', 'kubeadmconfigs/status', 'kubeadmconfigtemplates'],
  'controlplane.cluster.x-k8s.io': ['kubeadmcontrolplanes', 'kubeadmcontrolplanes/scale', 'kubeadmcontrolplanes/status', 'kubeadmcontrolplanetemplates'],
  'addons.cluster.x-k8s.io': ['clusterresourcesetbindings', 'clusterresourcesets', 'clusterresourcesets/status'],
  'ipam.cluster.x-k8s.io': ['globalinclusterippools', 'globalinclusterippools/status', 'inclusterippools', 'inclusterippools/status', 'ipaddressclaims', 'ipaddressclaims/status', 'ipaddresses'],
  'infrastructure.slipway.dev': [
    'simclusters', 'simclusters/status', 'simclustertemplates', 'simmachinepools', 'simmachinepools/status',
    'simmachinepooltemplates', 'simmachines', 'simmachines/status', 'simmachinetemplates',
  ],
  'core.slipway.dev': ['featuregates', 'featuregates/status', 'features', 'features/status'],
};

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function rule(verbs: string[], apiGroups: string[], resources: string[]): PolicyRule {
  return { apiGroups, resources, verbs };
}

function perGroup(verbs: string[], table: Readonly<Record<string, readonly string[]>>): PolicyRule[] {
  return Object.keys(table).map((g) => rule(verbs, [g], [...table[g]!]));
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { nonResourceURLs, verbs };
}

function clusterRole(name: string, rules: PolicyRule[] | null, extraLabels: Record<string, string> = {}, aggregateFrom?: string): RoleObject {
  const obj: RoleObject = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { [BOOTSTRAPPING_LABEL]: BOOTSTRAPPING_VALUE, ...extraLabels },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
  };
  if (aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: 'true' } }] };
  if (rules) obj.rules = rules;
  return obj;
}

function groupBinding(name: string, groups: string[], roleName = name): BindingObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: {
      name,
      labels: { [BOOTSTRAPPING_LABEL]: BOOTSTRAPPING_VALUE },
      annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    subjects: groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
  };
}

function aggregateToAdminRules(): PolicyRule[] {
  return [rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), rule(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles'])];
}

function aggregateToEditRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
    rule(['create'], [''], ['pods/eviction']),
    rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
    rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
    rule(WRITE, ['policy'], ['poddisruptionbudgets']),
    rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
    rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
  ];
}

function aggregateToViewRules(): PolicyRule[] {
  return [
    rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
    rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
    rule(READ, [''], ['namespaces']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
    rule(READ, ['apps'], [
      'controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
      'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status',
    ]),
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
    rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  ];
}

/** Upstream's default ClusterRoles Slipway serves, and Slipway's aggregated extensions, in name order. */
export function bootstrapClusterRoles(): RoleObject[] {
  const roles: RoleObject[] = [
    clusterRole('admin', null, {}, AGGREGATE_TO_ADMIN),
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('edit', null, { [AGGREGATE_TO_ADMIN]: 'true' }, AGGREGATE_TO_EDIT),
    clusterRole(SLIPWAY_AGGREGATE_TO_EDIT, perGroup(WRITE, SLIPWAY_EDITABLE), { [AGGREGATE_TO_EDIT]: 'true' }),
    clusterRole(SLIPWAY_AGGREGATE_TO_VIEW, perGroup(READ, SLIPWAY_VIEWABLE), { [AGGREGATE_TO_VIEW]: 'true' }),
    clusterRole('system:aggregate-to-admin', aggregateToAdminRules(), { [AGGREGATE_TO_ADMIN]: 'true' }),
    clusterRole('system:aggregate-to-edit', aggregateToEditRules(), { [AGGREGATE_TO_EDIT]: 'true' }),
    clusterRole('system:aggregate-to-view', aggregateToViewRules(), { [AGGREGATE_TO_VIEW]: 'true' }),
    clusterRole('system:auth-delegator', [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:discovery', [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
    clusterRole('system:monitoring', [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    // Service-account issuer discovery (OpenID configuration and the keys that verify the API's tokens).
    clusterRole('system:service-account-issuer-discovery', [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])]),
    clusterRole('view', null, { [AGGREGATE_TO_EDIT]: 'true' }, AGGREGATE_TO_VIEW),
  ];
  return roles;
}

/** Upstream's default ClusterRoleBindings for those roles, in name order. */
export function bootstrapClusterRoleBindings(): BindingObject[] {
  return [
    groupBinding('cluster-admin', ['system:masters']),
    groupBinding('system:basic-user', ['system:authenticated']),
    groupBinding('system:discovery', ['system:authenticated']),
    groupBinding('system:monitoring', ['system:monitoring']),
    groupBinding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
    groupBinding('system:service-account-issuer-discovery', ['system:serviceaccounts']),
  ];
}
