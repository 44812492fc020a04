/**
 * RBAC's data model and rule matching, as upstream's rbac/v1 evaluation helpers and RBAC authorizer do it:
 * which request a PolicyRule allows, which subjects a binding names, and how rules are printed in
 * escalation errors (CompactString).
 */
import type { AuthzAttributes, AuthzUser } from './attributes.js';
import { goQuote, goQuoteList } from './attributes.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const VERB_ALL = '*';
export const API_GROUP_ALL = '*';
export const RESOURCE_ALL = '*';
export const NON_RESOURCE_ALL = '*';
/** The group kube-apiserver trusts with everything (user.SystemPrivilegedGroup). */
export const SYSTEM_MASTERS = 'system:masters';
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface LabelSelectorRequirementJson {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementJson[];
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelectorJson[] | null;
}

export interface RbacMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A Role or ClusterRole as stored. */
export interface RoleObject {
  apiVersion?: string;
  kind?: string;
  metadata?: RbacMeta;
  rules?: PolicyRule[] | null;
  aggregationRule?: AggregationRule | null;
  [key: string]: unknown;
}

/** A RoleBinding or ClusterRoleBinding as stored. */
export interface BindingObject {
  apiVersion?: string;
  kind?: string;
  metadata?: RbacMeta;
  roleRef?: RoleRef;
  subjects?: Subject[] | null;
  [key: string]: unknown;
}

export type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

function has(list: readonly string[] | undefined, s: string): boolean {
  if (!list) return false;
  for (const x of list) if (x === s) return true;
  return false;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs ?? []) if (v === VERB_ALL || v === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups ?? []) if (g === API_GROUP_ALL || g === group) return true;
  return false;
}

/**
 * `combined` is "resource" or "resource/subresource". A rule resource matches when it is "*", equals the
 * combined name, or is "*" + "/sub" (star, slash, subresource) for the requested subresource. ("pods/*" is not a wildcard upstream.)
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === RESOURCE_ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames: any name (and none). Otherwise the request must name one of them. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames;
  if (!names || names.length === 0) return true;
  return has(names, name);
}

/** "*" matches every path, "/x/*" every path starting with "/x/", anything else exactly. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === NON_RESOURCE_ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(trimRightStars(u))) return true;
  }
  return false;
}

export function trimRightStars(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === '*') end--;
  return s.slice(0, end);
}

/** rbac.RuleAllows: whether one rule allows the request. */
export function ruleAllows(a: AuthzAttributes, rule: PolicyRule): boolean {
  return requestMatcher(a)(rule);
}

/** A test of rules against one request, with the request's parts worked out once. */
export function requestMatcher(a: AuthzAttributes): (rule: PolicyRule) => boolean {
  const verb = a.verb;
  if (a.resourceRequest) {
    const group = a.apiGroup ?? '';
    const resource = a.resource ?? '';
    const sub = a.subresource ?? '';
    const combined = sub ? `${resource}/${sub}` : resource;
    const name = a.name ?? '';
    return (rule) => verbMatches(rule, verb) && apiGroupMatches(rule, group) && resourceMatches(rule, combined, sub) && resourceNameMatches(rule, name);
  }
  const path = a.path ?? '';
  return (rule) => verbMatches(rule, verb) && nonResourceURLMatches(rule, path);
}

export function rulesAllow(a: AuthzAttributes, rules: readonly PolicyRule[]): boolean {
  const allows = requestMatcher(a);
  for (const r of rules) if (allows(r)) return true;
  return false;
}

/** The user name a ServiceAccount authenticates as. */
export function serviceAccountUserName(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/**
 * Whether a binding subject names this user. A ServiceAccount subject without a namespace means the
 * binding's own namespace (none for a ClusterRoleBinding, where it then never applies).
 */
export function subjectAppliesTo(user: AuthzUser, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return has(user.groups, subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      if (!ns) return false;
      return user.name === serviceAccountUserName(ns, subject.name);
    }
    default:
      return false;
  }
}

/** The index of the first subject naming the user, or -1 (rbac validation appliesTo). */
export function firstApplyingSubject(user: AuthzUser, subjects: readonly Subject[] | null | undefined, bindingNamespace: string): number {
  if (!subjects) return -1;
  for (let i = 0; i < subjects.length; i++) if (subjectAppliesTo(user, subjects[i]!, bindingNamespace)) return i;
  return -1;
}

/** How upstream names a subject in an "allowed by" reason. */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${goQuote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${goQuote(s.name)}`;
}

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
export function compactRuleString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups && r.apiGroups.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources && r.resources.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs && r.nonResourceURLs.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames && r.resourceNames.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs && r.verbs.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return '{' + parts.join(', ') + '}';
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** equality.Semantic.DeepEqual of two rules (an absent list equals an empty one). */
export function ruleEquals(a: PolicyRule, b: PolicyRule): boolean {
  return (
    sameList(a.verbs, b.verbs) &&
    sameList(a.apiGroups, b.apiGroups) &&
    sameList(a.resources, b.resources) &&
    sameList(a.resourceNames, b.resourceNames) &&
    sameList(a.nonResourceURLs, b.nonResourceURLs)
  );
}

export function rulesEqual(a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[] | null | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!ruleEquals(x[i]!, y[i]!)) return false;
  return true;
}

/** A copy of a rule with only its non-empty lists (the JSON form upstream writes). */
export function cleanRule(r: PolicyRule): PolicyRule {
  const out: PolicyRule = { verbs: [...(r.verbs ?? [])] };
  if (r.apiGroups && r.apiGroups.length) out.apiGroups = [...r.apiGroups];
  if (r.resources && r.resources.length) out.resources = [...r.resources];
  if (r.resourceNames && r.resourceNames.length) out.resourceNames = [...r.resourceNames];
  if (r.nonResourceURLs && r.nonResourceURLs.length) out.nonResourceURLs = [...r.nonResourceURLs];
  return out;
}

/** The RBAC kinds by their resource (plural) name in rbac.authorization.k8s.io. */
export const RBAC_KIND_BY_RESOURCE: Readonly<Record<string, RbacKind>> = {
  roles: 'Role',
  clusterroles: 'ClusterRole',
  rolebindings: 'RoleBinding',
  clusterrolebindings: 'ClusterRoleBinding',
};
