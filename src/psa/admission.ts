/**
 * The PodSecurity admission plugin (a thin shell over the evaluator), as upstream's:
 *  - Pods (CREATE, significant UPDATE, the ephemeralcontainers subresource): enforce denies with
 *    403 Forbidden `pods "x" is forbidden: violates PodSecurity "L:V": ...`; warn adds
 *    `would violate PodSecurity ...` warnings (the API server sends them as `Warning: 299` headers);
 *    audit records `pod-security.kubernetes.io/audit-violations` on the request's audit annotations.
 *  - Workloads with pod templates: warn and audit only, never enforce.
 *  - Namespaces: invalid `pod-security.kubernetes.io/*` labels are refused (422); tightening the
 *    enforce level warns about existing pods that would violate it (when the reader can list pods).
 *  - Exemptions by namespace, username and runtime class from the PodSecurityConfiguration.
 * Audit annotations are returned in a structured decision (`review`) and passed to `onAudit`.
 */
import { invalid, qualifiedResource, StatusError } from '../apimachinery/errors.js';
import { deepEqual } from '../apimachinery/schema/path.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../apiserver/strategy.js';
import { compareLevels, formatLevelVersion, formatVersion, fullyPrivileged, sameLevelVersion, type LevelVersion, type Policy } from './api.js';
import { defaultPodSecurityConfig, type PodSecurityConfig } from './config.js';
import { evaluatePod, violationMessage, type EvaluationResult } from './evaluator.js';
import { policyFromLabels } from './labels.js';
import { map, str } from './pod.js';
import { DEFAULT_POD_KINDS, DEFAULT_TEMPLATE_KINDS, matchesKind, podParts, type KindMatcher } from './workloads.js';

/** Read access the plugin needs; the server wires it to its object store. */
export interface NamespaceReader {
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** Pods of a namespace (optional): to warn about existing pods when enforce is tightened. */
  listPods?(namespace: string): Promise<KubeObject[]>;
}

export interface PodSecurityAdmissionOptions {
  /** The configuration, or a per-request choice (e.g. per workload cluster); undefined disables PSA. */
  config?: PodSecurityConfig | ((attrs: AdmissionAttributes) => PodSecurityConfig | undefined);
  namespaces: NamespaceReader;
  /** Kinds evaluated as pods (default: core Pod). A matcher without group matches any group. */
  podKinds?: readonly KindMatcher[];
  /** Kinds whose pod template is evaluated for warn/audit (default: the built-in workload kinds). */
  templateKinds?: readonly KindMatcher[];
  /** Validate the PodSecurity labels of Namespaces (default true). */
  validateNamespaces?: boolean;
  /** Receives every decision that carries audit annotations, allowed or denied. */
  onAudit?: (record: PsaAuditRecord) => void;
}

/** Audit annotation keys, as on a kube-apiserver audit event. */
export const AUDIT_ENFORCE_POLICY = 'pod-security.kubernetes.io/enforce-policy';
export const AUDIT_VIOLATIONS = 'pod-security.kubernetes.io/audit-violations';
export const AUDIT_EXEMPT = 'pod-security.kubernetes.io/exempt';
export const AUDIT_ERROR = 'pod-security.kubernetes.io/error';

export interface PsaDecision {
  allowed: boolean;
  /** The refusal (403 for pods, 422 for namespaces with invalid labels). */
  error?: StatusError;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

export interface PsaAuditRecord {
  operation: AdmissionAttributes['operation'];
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name: string;
  user?: string;
  dryRun: boolean;
  allowed: boolean;
  annotations: Record<string, string>;
}

/** Upstream stops checking existing pods after this many when a namespace's enforce tightens. */
export const NAMESPACE_MAX_PODS_TO_CHECK = 3000;

const ALLOW: PsaDecision = Object.freeze({ allowed: true, warnings: [], auditAnnotations: {} }) as PsaDecision;

function allow(annotations: Record<string, string> = {}, warnings: string[] = []): PsaDecision {
  return { allowed: true, warnings, auditAnnotations: annotations };
}

export class PodSecurityAdmission implements AdmissionPlugin {
  readonly name = 'PodSecurity';
  private readonly podKinds: readonly KindMatcher[];
  private readonly templateKinds: readonly KindMatcher[];

  constructor(private readonly opts: PodSecurityAdmissionOptions) {
    this.podKinds = opts.podKinds ?? DEFAULT_POD_KINDS;
    this.templateKinds = opts.templateKinds ?? DEFAULT_TEMPLATE_KINDS;
  }

  async admit(attrs: AdmissionAttributes): Promise<string[] | void> {
    const d = await this.review(attrs);
    if (attrs.annotate) for (const [k, v] of Object.entries(d.auditAnnotations)) attrs.annotate(k, v);
    if (this.opts.onAudit && Object.keys(d.auditAnnotations).length) {
      this.opts.onAudit({
        operation: attrs.operation,
        group: attrs.info.group,
        resource: attrs.info.plural,
        subresource: attrs.subresource,
        namespace: attrs.namespace,
        name: attrs.name,
        user: attrs.user?.name,
        dryRun: attrs.dryRun,
        allowed: d.allowed,
        annotations: d.auditAnnotations,
      });
    }
    if (d.error) throw d.error;
    return d.warnings.length ? d.warnings : undefined;
  }

  /** The decision for one request, without side effects. */
  async review(attrs: AdmissionAttributes): Promise<PsaDecision> {
    const config = this.configFor(attrs);
    if (!config) return ALLOW;
    if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return ALLOW;
    const { group, kind } = attrs.info;
    if (group === '' && kind === 'Namespace') return this.opts.validateNamespaces === false ? ALLOW : this.reviewNamespace(attrs, config);
    if (!attrs.namespace || !attrs.object) return ALLOW;
    if (matchesKind(this.podKinds, group, kind)) return this.reviewPod(attrs, config);
    if (matchesKind(this.templateKinds, group, kind)) return this.reviewTemplate(attrs, config);
    return ALLOW;
  }

  private configFor(attrs: AdmissionAttributes): PodSecurityConfig | undefined {
    const c = this.opts.config;
    if (typeof c === 'function') return c(attrs);
    return c ?? defaultPodSecurityConfig();
  }

  private exemption(config: PodSecurityConfig, attrs: AdmissionAttributes, spec: unknown): string | undefined {
    if (attrs.namespace && config.exemptions.namespaces.includes(attrs.namespace)) return 'namespace';
    if (attrs.user && config.exemptions.usernames.includes(attrs.user.name)) return 'user';
    const rc = str(map(spec).runtimeClassName);
    if (rc && config.exemptions.runtimeClasses.includes(rc)) return 'runtimeClass';
    return undefined;
  }

  private async reviewPod(attrs: AdmissionAttributes, config: PodSecurityConfig): Promise<PsaDecision> {
    if (attrs.subresource && attrs.subresource !== 'ephemeralcontainers') return ALLOW;
    const obj = attrs.object!;
    const parts = podParts(obj, false, attrs.info.kind)!;
    const exempt = this.exemption(config, attrs, parts.spec);
    if (exempt) return allow({ [AUDIT_EXEMPT]: exempt });
    if (attrs.operation === 'UPDATE' && !attrs.subresource && attrs.oldObject && !significantPodUpdate(obj, attrs.oldObject)) return ALLOW;
    return this.evaluate(attrs, config, parts.metadata, parts.spec, true);
  }

  private async reviewTemplate(attrs: AdmissionAttributes, config: PodSecurityConfig): Promise<PsaDecision> {
    if (attrs.subresource) return ALLOW;
    const parts = podParts(attrs.object!, true, attrs.info.kind);
    if (!parts) return ALLOW;
    const exempt = this.exemption(config, attrs, parts.spec);
    if (exempt) return allow({ [AUDIT_EXEMPT]: exempt });
    return this.evaluate(attrs, config, parts.metadata, parts.spec, false);
  }

  private async evaluate(attrs: AdmissionAttributes, config: PodSecurityConfig, metadata: unknown, spec: unknown, enforce: boolean): Promise<PsaDecision> {
    let ns: KubeObject | undefined;
    try {
      ns = await this.opts.namespaces.getNamespace(attrs.namespace!);
    } catch (e) {
      return allow({ [AUDIT_ERROR]: `failed to lookup namespace ${JSON.stringify(attrs.namespace)}: ${(e as Error).message}` });
    }
    if (!ns) return allow({ [AUDIT_ERROR]: `failed to lookup namespace ${JSON.stringify(attrs.namespace)}: not found` });
    const { policy, errors } = policyFromLabels(ns.metadata?.labels, config.defaults);
    const annotations: Record<string, string> = {};
    if (errors.length) annotations[AUDIT_ERROR] = `Failed to parse policy: ${errors.map((c) => `${c.field}: ${c.message}`).join(', ')}`;
    if (!errors.length && fullyPrivileged(policy)) return allow({ [AUDIT_ENFORCE_POLICY]: formatLevelVersion(policy.enforce) });
    if (!enforce && policy.audit.level === 'privileged' && policy.warn.level === 'privileged') return allow(annotations);

    const cache: { lv: LevelVersion; r: EvaluationResult }[] = [];
    const run = (lv: LevelVersion): EvaluationResult => {
      for (const c of cache) if (sameLevelVersion(c.lv, lv)) return c.r;
      const r = evaluatePod(lv, metadata, spec);
      cache.push({ lv, r });
      return r;
    };

    let error: StatusError | undefined;
    if (enforce) {
      annotations[AUDIT_ENFORCE_POLICY] = formatLevelVersion(policy.enforce);
      const r = run(policy.enforce);
      if (!r.allowed) error = forbidden(attrs, violationMessage(policy.enforce, r.violations));
    }
    const audit = run(policy.audit);
    if (!audit.allowed) annotations[AUDIT_VIOLATIONS] = violationMessage(policy.audit, audit.violations, true);
    const warnings: string[] = [];
    if (!error) {
      const w = run(policy.warn);
      if (!w.allowed) warnings.push(violationMessage(policy.warn, w.violations, true));
    }
    return { allowed: !error, error, warnings, auditAnnotations: annotations };
  }

  private async reviewNamespace(attrs: AdmissionAttributes, config: PodSecurityConfig): Promise<PsaDecision> {
    if (attrs.subresource || !attrs.object) return ALLOW;
    const name = attrs.name;
    const next = policyFromLabels(attrs.object.metadata?.labels, config.defaults);
    if (next.errors.length) return { allowed: false, error: invalid('Namespace', '', name, next.errors), warnings: [], auditAnnotations: {} };
    if (attrs.operation === 'CREATE' || !attrs.oldObject) return ALLOW;
    const prev = policyFromLabels(attrs.oldObject.metadata?.labels, config.defaults);
    const ne = next.policy.enforce;
    const oe = prev.policy.enforce;
    if (sameLevelVersion(ne, oe) || ne.level === 'privileged') return ALLOW;
    // Same version and not stricter: nothing that was admitted can newly violate it.
    if (formatVersion(ne.version) === formatVersion(oe.version) && compareLevels(ne.level, oe.level) <= 0) return ALLOW;
    if (config.exemptions.namespaces.includes(name)) return allow({ [AUDIT_EXEMPT]: 'namespace' });
    if (!this.opts.namespaces.listPods) return ALLOW;
    return allow({}, await this.existingPodWarnings(name, ne, config));
  }

  private async existingPodWarnings(namespace: string, enforce: LevelVersion, config: PodSecurityConfig): Promise<string[]> {
    let pods: KubeObject[];
    try {
      pods = await this.opts.namespaces.listPods!(namespace);
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    const total = pods.length;
    const checked = pods.filter((p) => !config.exemptions.runtimeClasses.includes(str(map(p.spec).runtimeClassName))).slice(0, NAMESPACE_MAX_PODS_TO_CHECK);
    const byReason = new Map<string, { first: string; count: number }>();
    for (const pod of checked) {
      const r = evaluatePod(enforce, pod.metadata, pod.spec);
      if (r.allowed) continue;
      const reasons = r.violations.map((v) => v.reason).join(', ');
      const podName = pod.metadata?.name ?? '';
      const c = byReason.get(reasons);
      if (!c) byReason.set(reasons, { first: podName, count: 1 });
      else {
        c.count++;
        if (podName < c.first) c.first = podName;
      }
    }
    const warnings: string[] = [];
    if (checked.length < total && total > NAMESPACE_MAX_PODS_TO_CHECK) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${total} existing pods`);
    if (byReason.size) warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(formatLevelVersion(enforce))}`);
    const podWarnings = [...byReason].map(([reasons, c]) => {
      const who = c.count === 1 ? c.first : c.count === 2 ? `${c.first} (and 1 other pod)` : `${c.first} (and ${c.count - 1} other pods)`;
      return `${who}: ${reasons}`;
    });
    podWarnings.sort();
    return [...warnings, ...podWarnings];
  }
}

function forbidden(attrs: AdmissionAttributes, message: string): StatusError {
  const { plural, group } = attrs.info;
  return new StatusError(403, 'Forbidden', `${qualifiedResource(plural, group)} ${JSON.stringify(attrs.name)} is forbidden: ${message}`, {
    name: attrs.name,
    group: group || undefined,
    kind: plural,
  });
}

const SIGNIFICANT_ANNOTATION_PREFIXES = ['seccomp.security.alpha.kubernetes.io/', 'container.seccomp.security.alpha.kubernetes.io/', 'container.apparmor.security.beta.kubernetes.io/'];

/** An update that changes the spec or a security annotation; others (labels, status) are not re-checked. */
export function significantPodUpdate(obj: KubeObject, old: KubeObject): boolean {
  if (!deepEqual(obj.spec, old.spec)) return true;
  const a = map(obj.metadata?.annotations);
  const b = map(old.metadata?.annotations);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (SIGNIFICANT_ANNOTATION_PREFIXES.some((p) => k.startsWith(p)) && a[k] !== b[k]) return true;
  }
  return false;
}

/** A namespace's effective policy, for callers (and tests) that want to show it. */
export function namespacePolicy(ns: KubeObject | undefined, config: PodSecurityConfig = defaultPodSecurityConfig()): Policy {
  return policyFromLabels(ns?.metadata?.labels, config.defaults).policy;
}
