/**
 * RBAC of one API (the management plane or one workload cluster): keeps an RbacIndex in step with the stored Roles,
 * ClusterRoles and bindings (list, then watch), writes the default roles and bindings (kube-apiserver's bootstrap
 * policy: missing ones are created, ones marked `rbac.authorization.kubernetes.io/autoupdate: "true"` get missing
 * permissions back), keeps aggregated ClusterRoles' rules in step with the roles they select, and refuses role and
 * binding writes that would grant more than the writer holds (escalation and bind checks, as admission).
 */
import type { Logger } from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { UserInfo } from './authn.js';
import { aggregatedRules, isAggregated } from './authz/aggregation.js';
import type { AuthzAttributes, AuthzDecision } from './authz/attributes.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './authz/bootstrap-policy.js';
import { reconcileBinding, reconcileRole, type ReconcileResult } from './authz/reconcile.js';
import { bindingWriteRefusal, refusalError, roleWriteRefusal } from './authz/escalation.js';
import { RbacIndex } from './authz/rbac-index.js';
import { rulesEqual, SYSTEM_MASTERS, type BindingObject, type RbacKind, type RoleObject } from './authz/rules.js';
import { KeyWorker } from './key-worker.js';
import type { ObjectStore } from './object-store.js';
import type { SubjectRules } from './reviews.js';
import type { ResourceInfo } from './resource-info.js';
import type { AdmissionAttributes, AdmissionPlugin } from './strategy.js';

const GROUP = 'rbac.authorization.k8s.io';
const KINDS: { kind: RbacKind; plural: string }[] = [
  { kind: 'ClusterRole', plural: 'clusterroles' },
  { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings' },
  { kind: 'Role', plural: 'roles' },
  { kind: 'RoleBinding', plural: 'rolebindings' },
];

export interface RbacStoreOptions {
  logger: Logger;
  /** Write the default roles and bindings (default true). */
  bootstrap?: boolean;
}

export class RbacStore {
  readonly index = new RbacIndex();
  private readonly watchers: { stop(): void }[] = [];
  private readonly aggregation: KeyWorker;
  private stopped = false;

  private constructor(
    private readonly objects: ObjectStore,
    private readonly log: Logger,
  ) {
    this.aggregation = new KeyWorker((name) => this.aggregate(name), (name, err) => log.warn({ err, clusterRole: name }, 'aggregating a ClusterRole failed; retrying'));
  }

  /** Loads the RBAC objects, writes the bootstrap policy, and follows changes. */
  static async start(objects: ObjectStore, opts: RbacStoreOptions): Promise<RbacStore> {
    const s = new RbacStore(objects, opts.logger);
    for (const { kind, plural } of KINDS) {
      const info = s.info(plural);
      const w = await objects.watch(info, undefined, { resourceVersion: '0' }, (e) => {
        const meta = e.object.metadata ?? {};
        if (e.type === 'DELETED') s.index.remove(kind, meta.namespace ?? '', meta.name ?? '');
        else s.index.put(kind, e.object as RoleObject | BindingObject);
        if (kind === 'ClusterRole') s.onClusterRoleChange();
      });
      s.watchers.push(w);
    }
    if (opts.bootstrap !== false) await writeBootstrapPolicy(objects);
    return s;
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.stop();
    this.watchers.length = 0;
    this.aggregation.stop();
  }

  /** RBAC's decision (system:masters is allowed before any binding is looked at, by the index). */
  authorize(a: AuthzAttributes): AuthzDecision {
    return this.index.authorize(a);
  }

  rulesFor(user: UserInfo, namespace: string): SubjectRules {
    return this.index.rulesFor(user, namespace);
  }

  /** The escalation and bind checks on writes of roles and bindings. */
  readonly admission: AdmissionPlugin = {
    name: 'RBACEscalation',
    admit: (attrs: AdmissionAttributes) => {
      if (attrs.info.group !== GROUP || attrs.operation === 'DELETE' || !attrs.object || attrs.subresource) return;
      const user = attrs.user;
      if (!user || user.groups.includes(SYSTEM_MASTERS)) return;
      const kind = attrs.info.kind as RbacKind;
      const ns = attrs.namespace ?? '';
      const refusal = kind === 'Role' || kind === 'ClusterRole'
        ? roleWriteRefusal(this.index, user, kind, ns, attrs.object as RoleObject, attrs.oldObject as RoleObject | undefined)
        : bindingWriteRefusal(this.index, user, kind, ns, attrs.object as BindingObject, attrs.oldObject as BindingObject | undefined);
      if (refusal) throw refusalError(refusal);
    },
  };

  private info(plural: string): ResourceInfo {
    const info = this.objects.registry.get(GROUP, 'v1', plural);
    if (!info) throw new Error(`${plural}.${GROUP} is not served here`);
    return info;
  }

  /** A ClusterRole changed: every aggregated role (the changed one among them, if it is one) is recomputed. */
  private onClusterRoleChange(): void {
    if (this.stopped) return;
    for (const r of this.index.listClusterRoles()) if (isAggregated(r) && r.metadata?.name) this.aggregation.enqueue(r.metadata.name);
  }

  private async aggregate(name: string): Promise<void> {
    const info = this.info('clusterroles');
    const role = this.index.getClusterRole(name);
    if (!role || !isAggregated(role)) return;
    const rules = aggregatedRules(role, this.index.listClusterRoles());
    if (rulesEqual(rules, role.rules)) return;
    await this.objects.guaranteedUpdate(info, undefined, name, (o) => {
      (o as { rules?: unknown }).rules = rules;
      return o;
    });
  }
}

/** Creates the missing default roles and bindings, and restores what autoupdate-marked ones lost (upstream's reconciliation). */
export async function writeBootstrapPolicy(objects: ObjectStore): Promise<void> {
  const write = async <T extends RoleObject | BindingObject>(plural: string, wanted: T[], reconcile: (existing: T | undefined, expected: T) => ReconcileResult<T>): Promise<void> => {
    const info = objects.registry.get(GROUP, 'v1', plural);
    if (!info) throw new Error(`${plural}.${GROUP} is not served here`);
    for (const expected of wanted) {
      const name = expected.metadata!.name!;
      const existing = (await objects.tryGet(info, undefined, name)) as T | undefined;
      const r = reconcile(existing, expected);
      try {
        if (r.operation === 'create') await objects.create(info, undefined, r.object as KubeObject, { fieldManager: 'kube-apiserver' });
        else if (r.operation === 'update') await objects.update(info, undefined, name, r.object as KubeObject, { fieldManager: 'kube-apiserver' });
        else if (r.operation === 'recreate') {
          await objects.delete(info, undefined, name);
          await objects.create(info, undefined, r.object as KubeObject, { fieldManager: 'kube-apiserver' });
        }
      } catch (e) {
        // Another replica wrote it first: its write is as good as ours.
        if (!(e instanceof StatusError && (e.reason === 'AlreadyExists' || e.reason === 'Conflict'))) throw e;
      }
    }
  };
  await write('clusterroles', bootstrapClusterRoles(), reconcileRole);
  await write('clusterrolebindings', bootstrapClusterRoleBindings(), reconcileBinding);
}
