/** Evaluate one manifest object (a Pod or a workload with a pod template) at a level and version. */
import type { LevelVersion } from './api.js';
import { evaluatePod, type Violation } from './evaluator.js';
import { isMap, shapeErrors, str } from './pod.js';
import { DEFAULT_POD_KINDS, DEFAULT_TEMPLATE_KINDS, groupOf, matchesKind, podParts, templatePath, type KindMatcher } from './workloads.js';

export interface ObjectReport {
  kind: string;
  namespace: string | null;
  name: string;
  allowed: boolean;
  violations: Violation[];
}

export interface ManifestKinds {
  podKinds?: readonly KindMatcher[];
  templateKinds?: readonly KindMatcher[];
}

/** Thrown for an object the evaluator cannot read (wrong JSON types in the fields it checks). */
export class MalformedObjectError extends Error {
  override name = 'MalformedObjectError';
}

/**
 * The report for a Pod or workload object; undefined for other kinds (and for workloads without a
 * template spec). Throws MalformedObjectError naming the field when the pod spec is malformed.
 */
export function evaluateObject(obj: Record<string, unknown>, lv: LevelVersion, kinds: ManifestKinds = {}): ObjectReport | undefined {
  const kind = str(obj.kind);
  const group = groupOf(obj.apiVersion);
  const isPod = matchesKind(kinds.podKinds ?? DEFAULT_POD_KINDS, group, kind);
  const isTemplate = !isPod && matchesKind(kinds.templateKinds ?? DEFAULT_TEMPLATE_KINDS, group, kind);
  if (!isPod && !isTemplate) return undefined;
  const meta = isMap(obj.metadata) ? obj.metadata : {};
  const parts = podParts(obj, isTemplate, kind);
  if (!parts) return undefined;
  const base = isTemplate ? templatePath(kind).join('.') + '.spec' : 'spec';
  const errs = shapeErrors(parts.spec, base);
  if (errs.length) throw new MalformedObjectError(errs.join('; '));
  const r = evaluatePod(lv, parts.metadata, parts.spec);
  return {
    kind,
    namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : null,
    name: str(meta.name) || str(meta.generateName),
    allowed: r.allowed,
    violations: r.violations,
  };
}
