/**
 * The pure evaluator: a pod (metadata + spec) at a level and version → allowed, or the failed
 * checks with upstream's reason and detail, and the `violates PodSecurity "L:V": ...` message.
 */
import { formatLevelVersion, type LevelVersion } from './api.js';
import { podView, type PodView } from './pod.js';
import { checksFor } from './registry.js';

export interface Violation {
  /** Upstream check id, e.g. `allowPrivilegeEscalation`. */
  check: string;
  reason: string;
  detail: string;
}

export interface EvaluationResult {
  allowed: boolean;
  violations: Violation[];
}

const ALLOWED: EvaluationResult = Object.freeze({ allowed: true, violations: Object.freeze([]) as unknown as Violation[] }) as EvaluationResult;

/** Evaluate an already-built view (the fast path for repeated evaluation of one pod). */
export function evaluateView(lv: LevelVersion, pod: PodView): EvaluationResult {
  const { checks } = checksFor(lv.level, lv.version);
  let violations: Violation[] | undefined;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    const f = c.check(pod);
    if (f) (violations ??= []).push({ check: c.id, reason: f.reason, detail: f.detail });
  }
  return violations ? { allowed: false, violations } : ALLOWED;
}

/** Evaluate a pod given its metadata and spec as plain JSON. */
export function evaluatePod(lv: LevelVersion, metadata: unknown, spec: unknown): EvaluationResult {
  return evaluateView(lv, podView(metadata, spec));
}

/** `allowPrivilegeEscalation != false (container "app" must ...), runAsNonRoot != true (...)` */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}

/** `violates PodSecurity "restricted:v1.30": ...` (enforce), or `would violate ...` (audit, warn). */
export function violationMessage(lv: LevelVersion, violations: readonly Violation[], would = false): string {
  return `${would ? 'would violate' : 'violates'} PodSecurity ${JSON.stringify(formatLevelVersion(lv))}: ${describeViolations(violations)}`;
}
