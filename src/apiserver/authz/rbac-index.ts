/**
 * The RBAC authorizer over an in-memory index of Roles, ClusterRoles and their bindings, kept current by
 * the caller (put/remove as the stores change). Bindings are indexed by the subjects they name (user name,
 * group, ServiceAccount user name), so a decision looks only at bindings naming this user or one of their
 * groups, whatever the number of bindings. Semantics are upstream's DefaultRuleResolver + RBACAuthorizer:
 * ClusterRoleBindings first, then the RoleBindings of the request's namespace; a missing role is a
 * resolution error that only shows in a refusal's reason.
 *
 * put() keeps references to the objects (and their rules and subjects): pass stored objects that are not
 * mutated afterwards, and put() again on every change.
 */
import type { AuthzAttributes, AuthzDecision, AuthzUser, Authorizer } from './attributes.js';
import { goQuote } from './attributes.js';
import {
  RBAC_GROUP,
  SYSTEM_MASTERS,
  describeSubject,
  firstApplyingSubject,
  requestMatcher,
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
  /** User names (ServiceAccounts as their user names) and groups this binding is indexed under. */
  users: string[];
  groups: string[];
  /** The visit during which this binding was last collected (de-duplication without allocation). */
  seen: number;
}

/** Bindings by the user names and groups they name. */
class SubjectIndex {
  readonly users = new Map<string, Set<IndexedBinding>>();
  readonly groups = new Map<string, Set<IndexedBinding>>();
  size = 0;

  add(b: IndexedBinding): void {
    for (const u of b.users) addTo(this.users, u, b);
    for (const g of b.groups) addTo(this.groups, g, b);
    this.size++;
  }

  delete(b: IndexedBinding): void {
    for (const u of b.users) deleteFrom(this.users, u, b);
    for (const g of b.groups) deleteFrom(this.groups, g, b);
    this.size--;
  }

  /** Append the bindings naming the user or one of their groups, each once per visit. */
  collect(user: AuthzUser, visit: number, out: IndexedBinding[]): void {
    const own = this.users.get(user.name);
    if (own) {
      for (const b of own) {
        if (b.seen !== visit) {
          b.seen = visit;
          out.push(b);
        }
      }
    }
    const groups = user.groups;
    if (!groups) return;
    for (let i = 0; i < groups.length; i++) {
      const set = this.groups.get(groups[i]!);
      if (!set) continue;
      for (const b of set) {
        if (b.seen !== visit) {
          b.seen = visit;
          out.push(b);
        }
      }
    }
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

function rulesOf(r: RoleObject): readonly PolicyRule[] {
  return Array.isArray(r.rules) ? r.rules : [];
}

export class RbacIndex implements Authorizer {
  private readonly clusterRoles = new Map<string, RoleObject>();
  /** namespace → name → Role. */
  private readonly roles = new Map<string, Map<string, RoleObject>>();
  private readonly clusterBindings = new Map<string, IndexedBinding>();
  private readonly clusterBindingsBySubject = new SubjectIndex();
  /** namespace → name → RoleBinding. */
  private readonly roleBindings = new Map<string, Map<string, IndexedBinding>>();
  /** namespace → its RoleBindings by subject. */
  private readonly roleBindingsBySubject = new Map<string, SubjectIndex>();
  private readonly mastersFastPath: boolean;
  private visits = 0;

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
      case 'Role': {
        let m = this.roles.get(namespace);
        if (!m) this.roles.set(namespace, (m = new Map()));
        m.set(name, obj as RoleObject);
        return;
      }
      case 'ClusterRoleBinding':
      case 'RoleBinding':
        this.remove(kind, namespace, name);
        this.indexBinding(kind, name, kind === 'RoleBinding' ? namespace : '', obj as BindingObject);
        return;
    }
  }

  /** Forget an object (namespace '' for cluster-scoped kinds). */
  remove(kind: RbacKind, namespace: string, name: string): void {
    switch (kind) {
      case 'ClusterRole':
        this.clusterRoles.delete(name);
        return;
      case 'Role': {
        const m = this.roles.get(namespace);
        if (!m) return;
        m.delete(name);
        if (m.size === 0) this.roles.delete(namespace);
        return;
      }
      case 'ClusterRoleBinding': {
        const b = this.clusterBindings.get(name);
        if (!b) return;
        this.clusterBindings.delete(name);
        this.clusterBindingsBySubject.delete(b);
        return;
      }
      case 'RoleBinding': {
        const m = this.roleBindings.get(namespace);
        const b = m?.get(name);
        if (!m || !b) return;
        m.delete(name);
        if (m.size === 0) this.roleBindings.delete(namespace);
        const idx = this.roleBindingsBySubject.get(namespace);
        if (idx) {
          idx.delete(b);
          if (idx.size === 0) this.roleBindingsBySubject.delete(namespace);
        }
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
    return this.roles.get(namespace)?.get(name);
  }

  /** Counts of what is held, for tests and diagnostics. */
  stats(): { roles: number; clusterRoles: number; roleBindings: number; clusterRoleBindings: number } {
    let roles = 0;
    for (const m of this.roles.values()) roles += m.size;
    let roleBindings = 0;
    for (const m of this.roleBindings.values()) roleBindings += m.size;
    return { roles, clusterRoles: this.clusterRoles.size, roleBindings, clusterRoleBindings: this.clusterBindings.size };
  }

  private indexBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, namespace: string, obj: BindingObject): void {
    const subjects = Array.isArray(obj.subjects) ? obj.subjects : [];
    const roleRef: RoleRef = obj.roleRef ?? { kind: '', name: '' };
    const users: string[] = [];
    const groups: string[] = [];
    for (const s of subjects) {
      if (!s || typeof s.name !== 'string') continue;
      if (s.kind === 'User') {
        if (!users.includes(s.name)) users.push(s.name);
      } else if (s.kind === 'Group') {
        if (!groups.includes(s.name)) groups.push(s.name);
      } else if (s.kind === 'ServiceAccount') {
        // Without a namespace the binding's own; a ClusterRoleBinding has none, so it names nobody.
        const ns = s.namespace || namespace;
        const u = ns ? serviceAccountUserName(ns, s.name) : undefined;
        if (u !== undefined && !users.includes(u)) users.push(u);
      }
    }
    const b: IndexedBinding = { kind, name, namespace, roleRef, subjects, users, groups, seen: 0 };
    if (kind === 'ClusterRoleBinding') {
      this.clusterBindings.set(name, b);
      this.clusterBindingsBySubject.add(b);
    } else {
      let m = this.roleBindings.get(namespace);
      if (!m) this.roleBindings.set(namespace, (m = new Map()));
      m.set(name, b);
      let idx = this.roleBindingsBySubject.get(namespace);
      if (!idx) this.roleBindingsBySubject.set(namespace, (idx = new SubjectIndex()));
      idx.add(b);
    }
  }

  /** The bindings naming this user or one of their groups: cluster-wide ones, then the namespace's. */
  private candidateBindings(user: AuthzUser, namespace: string): IndexedBinding[] {
    const out: IndexedBinding[] = [];
    const visit = ++this.visits;
    this.clusterBindingsBySubject.collect(user, visit, out);
    if (namespace) this.roleBindingsBySubject.get(namespace)?.collect(user, visit, out);
    return out;
  }

  /** GetRoleReferenceRules as the authorizer's listers see it: the rules, or a lister NotFound message. */
  private roleRefRules(ref: RoleRef, bindingNamespace: string): readonly PolicyRule[] | string {
    if (ref.kind === 'ClusterRole') {
      const r = this.clusterRoles.get(ref.name);
      return r ? rulesOf(r) : `clusterrole.${RBAC_GROUP} ${goQuote(ref.name)} not found`;
    }
    if (ref.kind === 'Role') {
      const r = bindingNamespace ? this.roles.get(bindingNamespace)?.get(ref.name) : undefined;
      return r ? rulesOf(r) : `role.${RBAC_GROUP} ${goQuote(ref.name)} not found`;
    }
    return `unsupported role reference kind: ${goQuote(ref.kind)}`;
  }

  /**
   * The rules a role reference grants, for the bind check. A missing role is the registry's NotFound
   * (`roles.rbac.authorization.k8s.io "x" not found`), as the policy-based storage returns it.
   */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): { rules: readonly PolicyRule[] } | { notFound: { resource: string; name: string; message: string } } | { error: string } {
    switch (ref.kind) {
      case 'Role': {
        const r = bindingNamespace ? this.roles.get(bindingNamespace)?.get(ref.name) : undefined;
        if (!r) return { notFound: { resource: 'roles', name: ref.name, message: `roles.${RBAC_GROUP} ${goQuote(ref.name)} not found` } };
        return { rules: rulesOf(r) };
      }
      case 'ClusterRole': {
        const r = this.clusterRoles.get(ref.name);
        if (!r) return { notFound: { resource: 'clusterroles', name: ref.name, message: `clusterroles.${RBAC_GROUP} ${goQuote(ref.name)} not found` } };
        return { rules: rulesOf(r) };
      }
      default:
        return { error: `unsupported role reference kind: ${goQuote(ref.kind)}` };
    }
  }

  authorize(a: AuthzAttributes): AuthzDecision {
    const user = a.user;
    if (this.mastersFastPath && user.groups && user.groups.includes(SYSTEM_MASTERS)) return { allowed: true };
    let errors: string[] | undefined;
    const allows = requestMatcher(a);
    for (const b of this.candidateBindings(user, a.namespace ?? '')) {
      const rules = this.roleRefRules(b.roleRef, b.namespace);
      if (typeof rules === 'string') {
        (errors ??= []).push(rules);
        continue;
      }
      for (let i = 0; i < rules.length; i++) {
        if (allows(rules[i]!)) return { allowed: true, reason: `RBAC: allowed by ${describeSource(b, user)}` };
      }
    }
    return { allowed: false, reason: errors ? `RBAC: ${aggregateMessages(errors)}` : '' };
  }

  /** Every PolicyRule granted to the user in the namespace ('' = cluster bindings only), and the resolution errors met. */
  policyRulesFor(user: AuthzUser, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    for (const b of this.candidateBindings(user, namespace)) {
      const got = this.roleRefRules(b.roleRef, b.namespace);
      if (typeof got === 'string') errors.push(got);
      else for (const r of got) rules.push(r);
    }
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
function describeSource(b: IndexedBinding, user: AuthzUser): string {
  const idx = firstApplyingSubject(user, b.subjects, b.namespace);
  const subject = idx >= 0 ? describeSubject(b.subjects[idx]!, b.namespace) : '';
  if (b.kind === 'ClusterRoleBinding') return `ClusterRoleBinding ${goQuote(b.name)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${subject}`;
  return `RoleBinding ${goQuote(`${b.name}/${b.namespace}`)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${subject}`;
}
