/**
 * RBAC's escalation and bind checks on writes of roles and bindings (upstream's policy-based storages):
 * nobody grants, through a role or a binding, a permission they do not hold themselves, unless they are in
 * system:masters, hold verb "escalate" on the role (for roles) or verb "bind" on the referenced role (for
 * bindings). An aggregationRule needs cluster-admin's authority. A write that only changes what the
 * garbage collector changes (ownerReferences, finalizers) is never refused.
 */
import { StatusError } from '../../apimachinery/errors.js';
import type { AuthzUser } from './attributes.js';
import { goQuote, goQuoteList } from './attributes.js';
import { compactRules, covers } from './covers.js';
import type { RbacIndex } from './rbac-index.js';
import { aggregateMessages } from './rbac-index.js';
import { RBAC_GROUP, SYSTEM_MASTERS, compactRuleString, type BindingObject, type PolicyRule, type RoleObject } from './rules.js';

/** `*` on everything: what setting an aggregationRule requires. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** Why a write is refused: kube's Status code, reason and message. */
export interface RbacWriteRefusal {
  code: 403 | 404;
  reason: 'Forbidden' | 'NotFound';
  message: string;
  /** The resource named in the Status details (roles, clusterroles, rolebindings, clusterrolebindings). */
  resource: string;
  name: string;
}

function isMaster(user: AuthzUser): boolean {
  return (user.groups ?? []).includes(SYSTEM_MASTERS);
}

function nameOf(obj: RoleObject | BindingObject): string {
  const n = obj.metadata?.name;
  return typeof n === 'string' ? n : '';
}

/** apierrors.NewForbidden's message for an rbac resource. */
function forbiddenText(resource: string, name: string, why: string): string {
  const qualified = `${resource}.${RBAC_GROUP}`;
  return name ? `${qualified} ${goQuote(name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
}

function refusal(resource: string, name: string, why: string): RbacWriteRefusal {
  return { code: 403, reason: 'Forbidden', message: forbiddenText(resource, name, why), resource, name };
}

/**
 * validation.ConfirmNoEscalation: undefined when the user's rules in `namespace` ('' = cluster-wide
 * bindings only) cover `rules`, else upstream's text listing what is missing.
 */
export function confirmNoEscalation(index: RbacIndex, user: AuthzUser, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const held = index.policyRulesFor(user, namespace);
  const { covered, uncovered } = covers(held.rules, rules);
  if (covered) return undefined;
  const descriptions = [...new Set(compactRules(uncovered).map(compactRuleString))].sort();
  let msg = `user ${goQuote(user.name)} (groups=${goQuoteList(user.groups ?? [])}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`;
  if (held.errors.length) msg += `; resolution errors: [${aggregateMessages(held.errors)}]`;
  return msg;
}

/** The metadata fields the garbage collector writes; a change of only these is always allowed. */
const GC_FIELDS = ['ownerReferences', 'finalizers', 'selfLink'];
/** Fields the server owns, which a client's object may carry stale or not at all. */
const SERVER_FIELDS = ['resourceVersion', 'managedFields', 'generation', 'creationTimestamp', 'uid'];

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || x === null) continue;
      if (Array.isArray(x) && x.length === 0) continue;
      if (x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) continue;
      out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** rbacregistry.IsOnlyMutatingGCFields: the objects differ at most in ownerReferences and finalizers. */
export function isOnlyMutatingGCFields(obj: RoleObject | BindingObject, old: RoleObject | BindingObject): boolean {
  const strip = (o: RoleObject | BindingObject): unknown => {
    const md: Record<string, unknown> = { ...(o.metadata ?? {}) };
    for (const f of [...GC_FIELDS, ...SERVER_FIELDS]) delete md[f];
    const copy: Record<string, unknown> = { ...o, metadata: md };
    delete copy.status;
    return canonical(copy);
  };
  return JSON.stringify(strip(obj)) === JSON.stringify(strip(old));
}

function hasAggregationRule(role: RoleObject | undefined): boolean {
  const sel = role?.aggregationRule?.clusterRoleSelectors;
  return Array.isArray(sel) && sel.length > 0;
}

/**
 * Why a create (no oldObj) or update of a Role/ClusterRole by `user` is refused, or undefined.
 * `namespace` is the request's ('' for ClusterRoles).
 */
export function roleWriteRefusal(
  index: RbacIndex,
  user: AuthzUser,
  kind: 'Role' | 'ClusterRole',
  namespace: string,
  newObj: RoleObject,
  oldObj?: RoleObject,
): RbacWriteRefusal | undefined {
  if (isMaster(user)) return undefined;
  const resource = kind === 'Role' ? 'roles' : 'clusterroles';
  const name = nameOf(newObj);
  // Explicit permission to escalate this role (the request's name: none on create).
  const escalate = index.authorize({
    user,
    verb: 'escalate',
    resourceRequest: true,
    apiGroup: RBAC_GROUP,
    apiVersion: '*',
    resource,
    name: oldObj ? name : '',
    namespace: kind === 'Role' ? namespace : '',
  });
  if (escalate.allowed) return undefined;
  if (oldObj && isOnlyMutatingGCFields(newObj, oldObj)) return undefined;
  const why = confirmNoEscalation(index, user, kind === 'Role' ? namespace : '', Array.isArray(newObj.rules) ? newObj.rules : []);
  if (why !== undefined) return refusal(resource, name, why);
  if (kind === 'ClusterRole' && (hasAggregationRule(newObj) || hasAggregationRule(oldObj))) {
    if (confirmNoEscalation(index, user, '', FULL_AUTHORITY) !== undefined) {
      return refusal(resource, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
  }
  return undefined;
}

/**
 * Why a create or update of a RoleBinding/ClusterRoleBinding by `user` is refused, or undefined. A binding
 * to a role that does not exist (and that the user may not bind by name) is a 404 NotFound of that role.
 */
export function bindingWriteRefusal(
  index: RbacIndex,
  user: AuthzUser,
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  namespace: string,
  newObj: BindingObject,
  oldObj?: BindingObject,
): RbacWriteRefusal | undefined {
  if (isMaster(user)) return undefined;
  if (oldObj && isOnlyMutatingGCFields(newObj, oldObj)) return undefined;
  const resource = kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings';
  const name = nameOf(newObj);
  const bindingNamespace = kind === 'RoleBinding' ? namespace : '';
  const ref = newObj.roleRef ?? { kind: '', name: '' };
  if (ref.kind === 'Role' || ref.kind === 'ClusterRole') {
    const bind = index.authorize({
      user,
      verb: 'bind',
      resourceRequest: true,
      apiGroup: ref.apiGroup ?? '',
      resource: ref.kind === 'Role' ? 'roles' : 'clusterroles',
      name: ref.name,
      namespace: bindingNamespace,
    });
    if (bind.allowed) return undefined;
  }
  const got = index.roleReferenceRules(ref, bindingNamespace);
  if ('notFound' in got) return { code: 404, reason: 'NotFound', message: got.notFound.message, resource: got.notFound.resource, name: got.notFound.name };
  if ('error' in got) return refusal(resource, name, got.error);
  const why = confirmNoEscalation(index, user, bindingNamespace, got.rules);
  return why === undefined ? undefined : refusal(resource, name, why);
}

/** The refusal message of a Role/ClusterRole write, or undefined when it may proceed. */
export function checkRoleWrite(index: RbacIndex, user: AuthzUser, kind: 'Role' | 'ClusterRole', namespace: string, newObj: RoleObject, oldObj?: RoleObject): string | undefined {
  return roleWriteRefusal(index, user, kind, namespace, newObj, oldObj)?.message;
}

/** The refusal message of a RoleBinding/ClusterRoleBinding write, or undefined when it may proceed. */
export function checkBindingWrite(
  index: RbacIndex,
  user: AuthzUser,
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  namespace: string,
  newObj: BindingObject,
  oldObj?: BindingObject,
): string | undefined {
  return bindingWriteRefusal(index, user, kind, namespace, newObj, oldObj)?.message;
}

/** A refusal as the Status error kube-apiserver returns (403 Forbidden or 404 NotFound). */
export function refusalError(r: RbacWriteRefusal): StatusError {
  return new StatusError(r.code, r.reason, r.message, { name: r.name || undefined, group: RBAC_GROUP, kind: r.resource });
}
