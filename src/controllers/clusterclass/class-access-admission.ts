/**
 * Namespaced self-service: a Cluster may use a ClusterClass of another namespace (`spec.topology.classNamespace`) only
 * when its writer may read that class — RBAC decides, so a platform team shares a class by granting `get` on it. The
 * plane shares the classes of `default` (where the shipped class lives) with every authenticated user through the
 * RoleBinding default/slipway:clusterclass-readers (made only when missing: a team that wants otherwise edits its
 * subjects).
 */
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import type { AuthzAttributes, AuthzDecision } from '../../apiserver/authz/attributes.js';
import { SYSTEM_MASTERS } from '../../apiserver/authz/rules.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';

const GROUP = 'cluster.x-k8s.io';
const RBAC = 'rbac.authorization.k8s.io';
export const CLASS_READER_ROLE = 'slipway:clusterclass-reader';
export const CLASS_READERS_BINDING = 'slipway:clusterclass-readers';

interface Topology {
  class?: string;
  classNamespace?: string;
}

function topologyOf(obj: KubeObject | undefined): Topology | undefined {
  return (obj?.spec as { topology?: Topology } | undefined)?.topology;
}

export class ClusterClassAccessAdmission implements AdmissionPlugin {
  readonly name = 'ClusterClassAccess';

  constructor(private readonly authorize: (a: AuthzAttributes) => AuthzDecision | Promise<AuthzDecision>) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.info.group !== GROUP || attrs.info.kind !== 'Cluster' || attrs.subresource) return;
    if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
    const topology = topologyOf(attrs.object);
    const classNamespace = topology?.classNamespace;
    if (!topology?.class || !classNamespace || classNamespace === attrs.namespace) return;
    const old = topologyOf(attrs.oldObject);
    if (old && old.class === topology.class && old.classNamespace === classNamespace) return;
    const user = attrs.user;
    if (!user || user.groups.includes(SYSTEM_MASTERS)) return;
    const a: AuthzAttributes = { user, verb: 'get', resourceRequest: true, apiGroup: GROUP, apiVersion: 'v1beta1', resource: 'clusterclasses', namespace: classNamespace, name: topology.class };
    const d = await this.authorize(a);
    if (d.allowed) return;
    throw new StatusError(
      403,
      'Forbidden',
      `clusters.${GROUP} "${attrs.name}" is forbidden: User "${user.name}" cannot use ClusterClass "${classNamespace}/${topology.class}": it may not get clusterclasses.${GROUP} in the namespace "${classNamespace}" (spec.topology.classNamespace)`,
      { name: attrs.name, group: GROUP, kind: 'clusters' },
    );
  }
}

/** The role and binding that share the ClusterClasses of `default` with every authenticated user (made when missing). */
export async function ensureDefaultClassSharing(objects: ObjectStore): Promise<void> {
  const roles = objects.registry.get(RBAC, 'v1', 'clusterroles');
  const bindings = objects.registry.get(RBAC, 'v1', 'rolebindings');
  if (!roles || !bindings) return;
  const labels = { 'app.kubernetes.io/managed-by': 'slipway' };
  const create = async (info: typeof roles, namespace: string | undefined, obj: KubeObject): Promise<void> => {
    if (await objects.tryGet(info, namespace, obj.metadata!.name!)) return;
    try {
      await objects.create(info, namespace, obj, { fieldManager: 'slipway-apiserver' });
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  };
  await create(roles, undefined, {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: { name: CLASS_READER_ROLE, labels },
    rules: [{ apiGroups: [GROUP], resources: ['clusterclasses'], verbs: ['get', 'list', 'watch'] }],
  } as KubeObject);
  await create(bindings, 'default', {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: CLASS_READERS_BINDING, namespace: 'default', labels },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: CLASS_READER_ROLE },
    subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:authenticated' }],
  } as KubeObject);
}
