/**
 * audit.k8s.io/v1 Policy: parsing, validation and evaluation, as kube-apiserver's
 * --audit-policy-file loader and policy rule evaluator behave.
 *
 * Evaluation: rules are tried in order and the first that matches decides the level;
 * no match means level None. A rule's omitStages are the union of its own and the policy's;
 * its omitManagedFields, when set, overrides the policy's.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { dns1123SubdomainErrors } from '../../apimachinery/validation.js';
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];

export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

/** Orders levels: None < Metadata < Request < RequestResponse. */
export function levelAtLeast(level: Level, min: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}

export interface GroupResources {
  /** "" (or absent) is the core group. */
  group?: string;
  /** "pods", "pods/log", "*", "pods/*", "*\/scale". Empty: every resource of the group. */
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  /** "" selects cluster-scoped resources. */
  namespaces?: string[];
  /** Exact paths, "*", or a prefix ending in "*". */
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  apiVersion: typeof AUDIT_API_VERSION;
  kind: 'Policy';
  metadata?: Record<string, unknown>;
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What a request looks like to the policy (authorizer attributes). */
export interface PolicyAttributes {
  user?: { readonly name: string; readonly groups?: readonly string[] };
  verb: string;
  resourceRequest: boolean;
  /** URL path, matched against nonResourceURLs. */
  path: string;
  /** "" or absent for cluster-scoped resources. */
  namespace?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** The outcome of evaluating a policy for one request. Shared: never mutate. */
export interface AuditConfig {
  readonly level: Level;
  /** Stages for which no event is written (deduplicated, in stage order). */
  readonly omitStages: readonly Stage[];
  readonly omitManagedFields: boolean;
}

/** A policy file or document that cannot be used; `errors` lists each problem. */
export class AuditPolicyError extends Error {
  constructor(readonly errors: string[]) {
    // As upstream's error aggregate prints: one error alone, several in brackets.
    super(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
    this.name = 'AuditPolicyError';
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses and validates a Policy document (YAML or JSON). Throws AuditPolicyError. */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AuditPolicyError([`failed decoding: ${(e as Error).message.split('\n')[0]}`]);
  }
  const policy = policyFromObject(doc);
  if (policy.rules.length === 0) throw new AuditPolicyError(['loaded illegal policy with 0 rules']);
  return policy;
}

/** Reads, parses and validates --audit-policy-file. Throws AuditPolicyError naming the file. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AuditPolicyError([`failed to read file path ${JSON.stringify(path)}: ${(e as Error).message}`]);
  }
  try {
    return parsePolicy(text);
  } catch (e) {
    if (e instanceof AuditPolicyError) throw new AuditPolicyError(e.errors.map((m) => `${m}: from file ${path}`));
    throw e;
  }
}

function render(c: StatusCause): string {
  return `${c.field}: ${c.message}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the types of a decoded document and builds a Policy, then validates it.
 * Unknown fields are ignored (as upstream's non-strict decoder does). Throws AuditPolicyError.
 */
export function policyFromObject(doc: unknown): Policy {
  const errs: StatusCause[] = [];
  if (!isObject(doc)) throw new AuditPolicyError(['failed decoding: a Policy must be a YAML or JSON object']);
  if (doc.apiVersion === undefined || doc.apiVersion === '') errs.push(fieldError.required('apiVersion'));
  else if (doc.apiVersion !== AUDIT_API_VERSION) errs.push(fieldError.notSupported('apiVersion', doc.apiVersion, [AUDIT_API_VERSION]));
  if (doc.kind === undefined || doc.kind === '') errs.push(fieldError.required('kind'));
  else if (doc.kind !== 'Policy') errs.push(fieldError.notSupported('kind', doc.kind, ['Policy']));
  if (errs.length > 0) throw new AuditPolicyError(errs.map(render));

  const policy: Policy = { apiVersion: AUDIT_API_VERSION, kind: 'Policy', rules: [] };
  if (isObject(doc.metadata)) policy.metadata = doc.metadata;
  const omitStages = stringList(doc.omitStages, 'omitStages', errs);
  if (omitStages) policy.omitStages = omitStages as Stage[];
  const omf = optionalBool(doc.omitManagedFields, 'omitManagedFields', errs);
  if (omf !== undefined) policy.omitManagedFields = omf;
  if (doc.rules !== undefined && doc.rules !== null) {
    if (!Array.isArray(doc.rules)) errs.push(fieldError.typeInvalid('rules', doc.rules, 'must be a list of rules'));
    else doc.rules.forEach((r, i) => {
      const rule = ruleFromObject(r, `rules[${i}]`, errs);
      if (rule) policy.rules.push(rule);
    });
  }
  if (errs.length > 0) throw new AuditPolicyError(errs.map(render));
  const invalid = validatePolicy(policy);
  if (invalid.length > 0) throw new AuditPolicyError(invalid);
  return policy;
}

function stringList(v: unknown, path: string, errs: StatusCause[]): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    errs.push(fieldError.typeInvalid(path, v, 'must be a list of strings'));
    return undefined;
  }
  let ok = true;
  v.forEach((s, i) => {
    if (typeof s !== 'string') {
      errs.push(fieldError.typeInvalid(`${path}[${i}]`, s, 'must be a string'));
      ok = false;
    }
  });
  return ok ? (v as string[]) : undefined;
}

function optionalBool(v: unknown, path: string, errs: StatusCause[]): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    errs.push(fieldError.typeInvalid(path, v, 'must be a boolean'));
    return undefined;
  }
  return v;
}

function ruleFromObject(r: unknown, path: string, errs: StatusCause[]): PolicyRule | undefined {
  if (!isObject(r)) {
    errs.push(fieldError.typeInvalid(path, r, 'must be an object'));
    return undefined;
  }
  let level: string = '';
  if (r.level !== undefined && r.level !== null) {
    if (typeof r.level === 'string') level = r.level;
    else errs.push(fieldError.typeInvalid(`${path}.level`, r.level, 'must be a string'));
  }
  const rule: PolicyRule = { level: level as Level };
  const lists = ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs', 'omitStages'] as const;
  for (const key of lists) {
    const list = stringList(r[key], `${path}.${key}`, errs);
    if (list) (rule as unknown as Record<string, string[]>)[key] = list;
  }
  if (r.resources !== undefined && r.resources !== null) {
    if (!Array.isArray(r.resources)) errs.push(fieldError.typeInvalid(`${path}.resources`, r.resources, 'must be a list of group resources'));
    else {
      rule.resources = [];
      r.resources.forEach((g, i) => {
        const gp = `${path}.resources[${i}]`;
        if (!isObject(g)) {
          errs.push(fieldError.typeInvalid(gp, g, 'must be an object'));
          return;
        }
        const gr: GroupResources = {};
        if (g.group !== undefined && g.group !== null) {
          if (typeof g.group === 'string') gr.group = g.group;
          else errs.push(fieldError.typeInvalid(`${gp}.group`, g.group, 'must be a string'));
        }
        const resources = stringList(g.resources, `${gp}.resources`, errs);
        if (resources) gr.resources = resources;
        const names = stringList(g.resourceNames, `${gp}.resourceNames`, errs);
        if (names) gr.resourceNames = names;
        rule.resources!.push(gr);
      });
    }
  }
  const omf = optionalBool(r.omitManagedFields, `${path}.omitManagedFields`, errs);
  if (omf !== undefined) rule.omitManagedFields = omf;
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Validation (upstream's ValidatePolicy, with the field named in each message)

/** Problems with a policy, each as "field: message"; empty when valid. An empty policy is valid. */
export function validatePolicy(policy: Policy): string[] {
  const errs: StatusCause[] = [];
  validateOmitStages(policy.omitStages, 'omitStages', errs);
  (policy.rules ?? []).forEach((rule, i) => validateRule(rule, `rules[${i}]`, errs));
  return errs.map(render);
}

function validateRule(rule: PolicyRule, path: string, errs: StatusCause[]): void {
  const level = rule.level as string;
  if (level === '' || level === undefined) errs.push(fieldError.required(`${path}.level`));
  else if (!(LEVELS as readonly string[]).includes(level)) errs.push(fieldError.notSupported(`${path}.level`, level, [...LEVELS]));

  (rule.nonResourceURLs ?? []).forEach((url, i) => {
    if (url === '*') return;
    const p = `${path}.nonResourceURLs[${i}]`;
    if (!url.startsWith('/')) errs.push(fieldError.invalid(p, url, "non-resource URL rules must begin with a '/' character"));
    if (url !== '' && url.slice(0, -1).includes('*')) {
      errs.push(fieldError.invalid(p, url, "non-resource URL wildcards '*' must be the final character of the rule"));
    }
  });

  (rule.resources ?? []).forEach((gr, i) => {
    const p = `${path}.resources[${i}]`;
    if (gr.group) {
      const msgs = dns1123SubdomainErrors(gr.group);
      if (msgs.length > 0) errs.push(fieldError.invalid(`${p}.group`, gr.group, msgs.join(',')));
    }
    if ((gr.resourceNames?.length ?? 0) > 0 && (gr.resources?.length ?? 0) === 0) {
      errs.push(fieldError.invalid(`${p}.resourceNames`, gr.resourceNames, 'using resourceNames requires at least one resource'));
    }
  });

  validateOmitStages(rule.omitStages, `${path}.omitStages`, errs);

  if ((rule.nonResourceURLs?.length ?? 0) > 0 && ((rule.resources?.length ?? 0) > 0 || (rule.namespaces?.length ?? 0) > 0)) {
    errs.push(fieldError.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
  }
}

function validateOmitStages(stages: readonly string[] | undefined, path: string, errs: StatusCause[]): void {
  (stages ?? []).forEach((s, i) => {
    if (!(STAGES as readonly string[]).includes(s)) {
      errs.push(fieldError.invalid(`${path}[${i}]`, s, `allowed stages are ${STAGES.join(',')}`));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** A policy prepared for evaluation: each rule's outcome is built once and shared. */
export class PolicyEvaluator {
  private readonly rules: readonly PolicyRule[];
  private readonly outcomes: readonly AuditConfig[];
  private readonly noMatch: AuditConfig;

  constructor(policy: Policy) {
    this.rules = policy.rules;
    const policyOmitManaged = policy.omitManagedFields === true;
    this.outcomes = policy.rules.map((rule) =>
      Object.freeze({
        level: rule.level,
        omitStages: unionStages(policy.omitStages, rule.omitStages),
        omitManagedFields: rule.omitManagedFields ?? policyOmitManaged,
      }),
    );
    this.noMatch = Object.freeze({ level: 'None', omitStages: unionStages(policy.omitStages), omitManagedFields: policyOmitManaged });
  }

  /** The first matching rule's outcome, or level None. Allocates nothing. */
  evaluate(attrs: PolicyAttributes): AuditConfig {
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      if (ruleMatches(rules[i]!, attrs)) return this.outcomes[i]!;
    }
    return this.noMatch;
  }
}

const evaluators = new WeakMap<Policy, PolicyEvaluator>();

/** Upstream's EvaluatePolicyRule. The prepared form of `policy` is cached; do not mutate it afterwards. */
export function evaluatePolicy(policy: Policy, attrs: PolicyAttributes): AuditConfig {
  let ev = evaluators.get(policy);
  if (!ev) {
    ev = new PolicyEvaluator(policy);
    evaluators.set(policy, ev);
  }
  return ev.evaluate(attrs);
}

/** The union of stage lists, deduplicated and in stage order. */
export function unionStages(...lists: (readonly string[] | undefined)[]): Stage[] {
  return STAGES.filter((s) => lists.some((l) => l?.includes(s)));
}

function has(list: readonly string[], value: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}

/** Whether one rule applies to a request (every field the rule sets must match). */
export function ruleMatches(rule: PolicyRule, attrs: PolicyAttributes): boolean {
  const user = attrs.user;
  if (rule.users && rule.users.length > 0) {
    if (!user || !has(rule.users, user.name)) return false;
  }
  if (rule.userGroups && rule.userGroups.length > 0) {
    if (!user || !user.groups) return false;
    let matched = false;
    for (const g of user.groups) {
      if (has(rule.userGroups, g)) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  if (rule.verbs && rule.verbs.length > 0 && !has(rule.verbs, attrs.verb)) return false;
  if ((rule.namespaces && rule.namespaces.length > 0) || (rule.resources && rule.resources.length > 0)) {
    return resourceMatches(rule, attrs);
  }
  if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0) {
    if (attrs.resourceRequest) return false;
    for (const spec of rule.nonResourceURLs) if (pathMatches(attrs.path, spec)) return true;
    return false;
  }
  return true;
}

/** nonResourceURLs: "*", an exact path, or a prefix with a trailing "*". */
export function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  if (!spec.endsWith('*')) return false;
  let end = spec.length;
  while (end > 0 && spec[end - 1] === '*') end--;
  return path.startsWith(spec.slice(0, end));
}

function resourceMatches(rule: PolicyRule, attrs: PolicyAttributes): boolean {
  if (!attrs.resourceRequest) return false;
  if (rule.namespaces && rule.namespaces.length > 0 && !has(rule.namespaces, attrs.namespace ?? '')) return false;
  if (!rule.resources || rule.resources.length === 0) return true;
  const group = attrs.apiGroup ?? '';
  const resource = attrs.resource ?? '';
  const sub = attrs.subresource ?? '';
  const name = attrs.name ?? '';
  for (const gr of rule.resources) {
    if ((gr.group ?? '') !== group) continue;
    if (!gr.resources || gr.resources.length === 0) return true;
    if (gr.resourceNames && gr.resourceNames.length > 0 && !has(gr.resourceNames, name)) continue;
    for (const res of gr.resources) {
      if (res === '*') return true;
      if (sub === '') {
        if (res === resource) return true;
      } else {
        // "pods/log", "*/log"
        const slash = res.indexOf('/');
        if (slash >= 0 && res.length === slash + 1 + sub.length && res.endsWith(sub)) {
          if (slash === resource.length && res.startsWith(resource)) return true;
          if (slash === 1 && res[0] === '*') return true;
        }
      }
      // "pods/*" (upstream matches it whether or not a subresource is asked for)
      if (res.length === resource.length + 2 && res.endsWith('/*') && res.startsWith(resource)) return true;
    }
  }
  return false;
}
