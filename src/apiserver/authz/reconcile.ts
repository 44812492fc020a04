/**
 * Bringing stored bootstrap roles and bindings up to date at start-up, as upstream's RBAC reconciliation
 * does (union mode): missing rules, aggregation selectors, subjects, labels and annotations are added,
 * nothing is taken away; an object annotated rbac.authorization.kubernetes.io/autoupdate=false is left
 * alone; a binding whose roleRef changed is recreated (roleRef is immutable).
 */
import { AUTOUPDATE_ANNOTATION } from './bootstrap-policy.js';
import { covers } from './covers.js';
import type { BindingObject, LabelSelectorJson, PolicyRule, RoleObject, Subject } from './rules.js';

export type ReconcileOperation = 'none' | 'create' | 'update' | 'recreate';

export interface ReconcileResult<T> {
  /** What to do with `object`; 'none' also when the stored object is protected. */
  operation: ReconcileOperation;
  object: T;
  /** The stored object opted out (autoupdate "false"). */
  protected: boolean;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Go's merge(expected, existing): existing values win; undefined when both are absent. */
function mergeMaps(expected: Record<string, string> | undefined, existing: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!expected && !existing) return undefined;
  return { ...(expected ?? {}), ...(existing ?? {}) };
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  for (const k of ka) if ((a ?? {})[k] !== (b ?? {})[k]) return false;
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || x === null || (Array.isArray(x) && x.length === 0)) continue;
      out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

function isProtected(obj: RoleObject | BindingObject): boolean {
  return obj.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';
}

/** Merge expected labels and annotations into `out`; whether anything changed. */
function mergeMeta(out: RoleObject | BindingObject, existing: RoleObject | BindingObject, expected: RoleObject | BindingObject): boolean {
  const md = (out.metadata ??= {});
  const annotations = mergeMaps(expected.metadata?.annotations, existing.metadata?.annotations);
  const labels = mergeMaps(expected.metadata?.labels, existing.metadata?.labels);
  if (annotations) md.annotations = annotations;
  if (labels) md.labels = labels;
  return !sameMap(annotations, existing.metadata?.annotations) || !sameMap(labels, existing.metadata?.labels);
}

/** The selectors of `wanted` no selector of `have` equals. */
function missingSelectors(have: readonly LabelSelectorJson[], wanted: readonly LabelSelectorJson[]): LabelSelectorJson[] {
  return wanted.filter((w) => !have.some((h) => sameJson(h, w)));
}

/** computeReconciledRole in union mode, for a Role or ClusterRole. */
export function reconcileRole(existing: RoleObject | undefined, expected: RoleObject): ReconcileResult<RoleObject> {
  if (!existing) return { operation: 'create', object: clone(expected), protected: false };
  const out = clone(existing);
  let changed = mergeMeta(out, existing, expected);
  const existingRules: PolicyRule[] = Array.isArray(existing.rules) ? existing.rules : [];
  const expectedRules: PolicyRule[] = Array.isArray(expected.rules) ? expected.rules : [];
  const { uncovered } = covers(existingRules, expectedRules);
  if (uncovered.length > 0) {
    out.rules = [...clone(existingRules), ...uncovered];
    changed = true;
  }
  const expectedAgg = expected.aggregationRule ?? undefined;
  const existingAgg = existing.aggregationRule ?? undefined;
  if (!expectedAgg && existingAgg) {
    delete out.aggregationRule;
    changed = true;
  } else if (expectedAgg) {
    const missing = missingSelectors(existingAgg?.clusterRoleSelectors ?? [], expectedAgg.clusterRoleSelectors ?? []);
    if (missing.length > 0 || !existingAgg) {
      out.aggregationRule = { clusterRoleSelectors: [...clone(existingAgg?.clusterRoleSelectors ?? []), ...clone(missing)] };
      changed = true;
    }
  }
  if (isProtected(existing)) return { operation: 'none', object: existing, protected: true };
  return { operation: changed ? 'update' : 'none', object: changed ? out : existing, protected: false };
}

function sameSubject(a: Subject, b: Subject): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && (a.apiGroup ?? '') === (b.apiGroup ?? '');
}

/** computeReconciledRoleBinding in union mode, for a RoleBinding or ClusterRoleBinding. */
export function reconcileBinding(existing: BindingObject | undefined, expected: BindingObject): ReconcileResult<BindingObject> {
  if (!existing) return { operation: 'create', object: clone(expected), protected: false };
  const out = clone(existing);
  let changed = mergeMeta(out, existing, expected);
  let operation: ReconcileOperation = 'none';
  if (!sameJson(existing.roleRef, expected.roleRef)) {
    out.roleRef = clone(expected.roleRef);
    operation = 'recreate';
  }
  const have: Subject[] = Array.isArray(existing.subjects) ? existing.subjects : [];
  const missing = (expected.subjects ?? []).filter((w) => !have.some((h) => sameSubject(h, w)));
  if (missing.length > 0) {
    out.subjects = [...clone(have), ...clone(missing)];
    changed = true;
  }
  if (isProtected(existing)) return { operation: 'none', object: existing, protected: true };
  if (operation === 'recreate') return { operation, object: out, protected: false };
  return { operation: changed ? 'update' : 'none', object: changed ? out : existing, protected: false };
}
