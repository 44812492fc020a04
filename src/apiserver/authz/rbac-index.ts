/**
 * The RBAC authorizer over an in-memory index of Roles, ClusterRoles and their bindings, kept current by
 * the caller (put/remove as the stores change). Bindings are indexed by the subjects they name (user name,
 * group, ServiceAccount user name), so a decision looks only at bindings naming this user or one of their
 * groups, whatever the number of bindings. Semantics are upstream's DefaultRuleResolver + RBACAuthorizer:
 * ClusterRoleBindings first, then the RoleBindings of the request's namespace; a missing role is a
 * resolution error that only shows in a refusal's reason.
 */
import type { AuthzAttributes, AuthzDecision, AuthzUser, Authorizer } from './attributes.js';
import { goQuote } from './attributes.js';
import {
  RBAC_GROUP,
  SYSTEM_MASTERS,
  describeSubject,
  firstApplyingSubject,
  ruleAllows,
  serviceAccountUserName,
  type BindingObject,
  type PolicyRule,
  type RbacKind,
  type RoleObject,
  type RoleRef,
  type Subject,
} from './rules.js';

/** authorization.k8s.io ResourceRule, as SelfSubjectRulesReview reports it. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** authorization.k8s.io NonResourceRule. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface SubjectRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface RbacIndexOptions {
  /**
   * Allow members of system:masters everything before looking at bindings, as kube-apiserver's
   * privileged-group authorizer does ahead of RBAC (default true).
   */
  mastersFastPath?: boolean;
}

interface IndexedBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** '' for a ClusterRoleBinding. */
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
  /** Subject keys this binding is indexed under. */
  keys: string[];
}

/** One place a rule came from, for "allowed by" reasons. */
interface RuleSource {
  binding: IndexedBinding;
  subject: Subject | undefined;
}

const SEP = '\u0000';
const userKey = (name: string): string => 'u' + SEP + name;
const groupKey = (name: string): string => 'g' + SEP + name;

function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  if (!s || typeof s.name !== 'string') return undefined;
  switch (s.kind) {
    case 'User':
      return userKey(s.name);
    case 'Group':
      return groupKey(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? userKey(serviceAccountUserName(ns, s.name)) : undefined;
    }
    default:
      return undefined;
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several de-duplicated in brackets. */
export function aggregateMessages(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  if (messages.length === 1) return messages[0]!;
  const seen: string[] = [];
  for (const m of messages) if (!seen.includes(m)) seen.push(m);
  return seen.length === 1 ? seen[0]! : '[' + seen.join(', ') + ']';
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function deleteFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

function metaOf(obj: RoleObject | BindingObject): { name: string; namespace: string } {
  const md = obj.metadata ?? {};
  return { name: typeof md.name === 'string' ? md.name : '', namespace: typeof md.namespace === 'string' ? md.namespace : '' };
}

export class RbacIndex implements Authorizer {
  private readonly clusterRoles = new Map<string, RoleObject>();
  /** namespace SEP name → Role. */
  private readonly roles = new Map<string, RoleObject>();
  private readonly clusterBindings = new Map<string, IndexedBinding>();
  private readonly clusterBindingsBySubject = new Map<string, Set<IndexedBinding>>();
  /** namespace SEP name → RoleBinding. */
  private readonly roleBindings = new Map<string, IndexedBinding>();
  /** namespace SEP subject key → RoleBindings. */
  private readonly roleBindingsBySubject = new Map<string, Set<IndexedBinding>>();
  private readonly mastersFastPath: boolean;

  constructor(options: RbacIndexOptions = {}) {
    this.mastersFastPath = options.mastersFastPath ?? true;
  }

  /** Add or replace an object as stored. */
  put(kind: RbacKind, obj: RoleObject | BindingObject): void {
    const { name, namespace } = metaOf(obj);
    switch (kind) {
      case 'ClusterRole':
        this.clusterRoles.set(name, obj as RoleObject);
        return;
      case 'Role':
        this.roles.set(namespace + SEP + name, obj as RoleObject);
        return;
      case 'ClusterRoleBinding':
        this.remove(kind, '', name);
        this.indexBinding('ClusterRoleBinding', name, '', obj as BindingObject);
        return;
      case 'RoleBinding':
        this.remove(kind, namespace, name);
        this.indexBinding('RoleBinding', name, namespace, obj as BindingObject);
        return;
    }
  }

  /** Forget an object (namespace '' for cluster-scoped kinds). */
  remove(kind: RbacKind, namespace: string, name: string): void {
    switch (kind) {
      case 'ClusterRole':
        this.clusterRoles.delete(name);
        return;
      case 'Role':
        this.roles.delete(namespace + SEP + name);
        return;
      case 'ClusterRoleBinding': {
        const b = this.clusterBindings.get(name);
        if (!b) return;
        this.clusterBindings.delete(name);
        for (const k of b.keys) deleteFrom(this.clusterBindingsBySubject, k, b);
        return;
      }
      case 'RoleBinding': {
        const id = namespace + SEP + name;
        const b = this.roleBindings.get(id);
        if (!b) return;
        this.roleBindings.delete(id);
        for (const k of b.keys) deleteFrom(this.roleBindingsBySubject, namespace + SEP + k, b);
        return;
      }
    }
  }

  /** Every ClusterRole held (for the aggregation controller). */
  listClusterRoles(): RoleObject[] {
    return [...this.clusterRoles.values()];
  }

  getClusterRole(name: string): RoleObject | undefined {
    return this.clusterRoles.get(name);
  }

  getRole(namespace: string, name: string): RoleObject | undefined {
    return this.roles.get(namespace + SEP + name);
  }

  /** Counts of what is held, for tests and diagnostics. */
  stats(): { roles: number; clusterRoles: number; roleBindings: number; clusterRoleBindings: number } {
    return { roles: this.roles.size, clusterRoles: this.clusterRoles.size, roleBindings: this.roleBindings.size, clusterRoleBindings: this.clusterBindings.size };
  }

  private indexBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, namespace: string, obj: BindingObject): void {
    const subjects = Array.isArray(obj.subjects) ? obj.subjects : [];
    const roleRef: RoleRef = obj.roleRef ?? { kind: '', name: '' };
    const keys: string[] = [];
    for (const s of subjects) {
      const k = subjectKey(s, namespace);
      if (k !== undefined && !keys.includes(k)) keys.push(k);
    }
    const b: IndexedBinding = { kind, name, namespace, roleRef, subjects, keys };
    if (kind === 'ClusterRoleBinding') {
      this.clusterBindings.set(name, b);
      for (const k of keys) addTo(this.clusterBindingsBySubject, k, b);
    } else {
      this.roleBindings.set(namespace + SEP + name, b);
      for (const k of keys) addTo(this.roleBindingsBySubject, namespace + SEP + k, b);
    }
  }

  /** The bindings naming this user or one of their groups: cluster-wide ones, then the namespace's. */
  private candidateBindings(user: AuthzUser, namespace: string): Set<IndexedBinding> {
    const out = new Set<IndexedBinding>();
    const keys = [userKey(user.name), ...(user.groups ?? []).map(groupKey)];
    for (const k of keys) {
      const set = this.clusterBindingsBySubject.get(k);
      if (set) for (const b of set) out.add(b);
    }
    if (namespace) {
      for (const k of keys) {
        const set = this.roleBindingsBySubject.get(namespace + SEP + k);
        if (set) for (const b of set) out.add(b);
      }
    }
    return out;
  }

  /** GetRoleReferenceRules as the authorizer's listers see it; a missing role is a lister NotFound. */
  private roleRefRules(ref: RoleRef, bindingNamespace: string): { rules?: readonly PolicyRule[]; error?: string } {
    switch (ref.kind) {
      case 'Role': {
        const r = bindingNamespace ? this.roles.get(bindingNamespace + SEP + ref.name) : undefined;
        if (!r) return { error: `role.${RBAC_GROUP} ${goQuote(ref.name)} not found` };
        return { rules: Array.isArray(r.rules) ? r.rules : [] };
      }
      case 'ClusterRole': {
        const r = this.clusterRoles.get(ref.name);
        if (!r) return { error: `clusterrole.${RBAC_GROUP} ${goQuote(ref.name)} not found` };
        return { rules: Array.isArray(r.rules) ? r.rules : [] };
      }
      default:
        return { error: `unsupported role reference kind: ${goQuote(ref.kind)}` };
    }
  }

  /**
   * The rules a role reference grants, for the bind check. A missing role is the registry's NotFound
   * (`roles.rbac.authorization.k8s.io "x" not found`), as the policy-based storage returns it.
   */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): { rules: readonly PolicyRule[] } | { notFound: { resource: string; name: string; message: string } } | { error: string } {
    switch (ref.kind) {
      case 'Role': {
        const r = bindingNamespace ? this.roles.get(bindingNamespace + SEP + ref.name) : undefined;
        if (!r) return { notFound: { resource: 'roles', name: ref.name, message: `roles.${RBAC_GROUP} ${goQuote(ref.name)} not found` } };
        return { rules: Array.isArray(r.rules) ? r.rules : [] };
      }
      case 'ClusterRole': {
        const r = this.clusterRoles.get(ref.name);
        if (!r) return { notFound: { resource: 'clusterroles', name: ref.name, message: `clusterroles.${RBAC_GROUP} ${goQuote(ref.name)} not found` } };
        return { rules: Array.isArray(r.rules) ? r.rules : [] };
      }
      default:
        return { error: `unsupported role reference kind: ${goQuote(ref.kind)}` };
    }
  }

  /**
   * Visit each rule granted to the user in the namespace ('' = cluster bindings only); the visitor returns
   * false to stop. Resolution errors are passed with rule undefined.
   */
  private visitRules(user: AuthzUser, namespace: string, visit: (source: RuleSource | undefined, rule: PolicyRule | undefined, error: string | undefined) => boolean): void {
    for (const b of this.candidateBindings(user, namespace)) {
      const idx = firstApplyingSubject(user, b.subjects, b.namespace);
      if (idx < 0) continue;
      const { rules, error } = this.roleRefRules(b.roleRef, b.namespace);
      if (error !== undefined) {
        if (!visit(undefined, undefined, error)) return;
        continue;
      }
      const source: RuleSource = { binding: b, subject: b.subjects[idx] };
      for (const r of rules!) if (!visit(source, r, undefined)) return;
    }
  }

  authorize(a: AuthzAttributes): AuthzDecision {
    const user = a.user;
    if (this.mastersFastPath && (user.groups ?? []).includes(SYSTEM_MASTERS)) return { allowed: true };
    let allowedBy: RuleSource | undefined;
    const errors: string[] = [];
    this.visitRules(user, a.namespace ?? '', (source, rule, error) => {
      if (rule && ruleAllows(a, rule)) {
        allowedBy = source;
        return false;
      }
      if (error !== undefined) errors.push(error);
      return true;
    });
    if (allowedBy) return { allowed: true, reason: `RBAC: allowed by ${describeSource(allowedBy)}` };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregateMessages(errors)}` : '' };
  }

  /** Every PolicyRule granted to the user in the namespace, and the resolution errors met. */
  policyRulesFor(user: AuthzUser, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRules(user, namespace, (_s, rule, error) => {
      if (rule) rules.push(rule);
      if (error !== undefined) errors.push(error);
      return true;
    });
    return { rules, errors };
  }

  /** What SelfSubjectRulesReview reports (RBACAuthorizer.RulesFor). */
  rulesFor(user: AuthzUser, namespace: string): SubjectRules {
    const { rules, errors } = this.policyRulesFor(user, namespace);
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    for (const r of rules) {
      if (r.resources && r.resources.length > 0) {
        const rr: ResourceRule = { verbs: [...(r.verbs ?? [])] };
        if (r.apiGroups && r.apiGroups.length) rr.apiGroups = [...r.apiGroups];
        rr.resources = [...r.resources];
        if (r.resourceNames && r.resourceNames.length) rr.resourceNames = [...r.resourceNames];
        resourceRules.push(rr);
      }
      if (r.nonResourceURLs && r.nonResourceURLs.length > 0) {
        nonResourceRules.push({ verbs: [...(r.verbs ?? [])], nonResourceURLs: [...r.nonResourceURLs] });
      }
    }
    const out: SubjectRules = { resourceRules, nonResourceRules, incomplete: false };
    if (errors.length) out.evaluationError = aggregateMessages(errors);
    return out;
  }
}

/** `ClusterRoleBinding "b" of ClusterRole "r" to User "u"` / `RoleBinding "b/ns" of Role "r" to Group "g"`. */
function describeSource(s: RuleSource): string {
  const b = s.binding;
  const subject = s.subject ? describeSubject(s.subject, b.namespace) : '';
  if (b.kind === 'ClusterRoleBinding') return `ClusterRoleBinding ${goQuote(b.name)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${subject}`;
  return `RoleBinding ${goQuote(`${b.name}/${b.namespace}`)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${subject}`;
}
