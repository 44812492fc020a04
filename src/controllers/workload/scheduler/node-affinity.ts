/** NodeAffinity: spec.nodeSelector plus required/preferred node affinity terms. */
import type { FilterFailure, NodeLike, NodeSelectorRequirement, NodeSelectorTerm, PodLike } from './types.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

function parseInteger(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** One NodeSelectorRequirement against a label (or field) value. Malformed requirements match nothing. */
export function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = parseInteger(value);
      const want = parseInteger(values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default: return false;
  }
}

/** A term is an AND of its expressions and fields; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeLike): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) {
    const v = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
    if (!requirementMatches(r, v)) return false;
  }
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, node.metadata?.name ?? '')) return false;
  }
  return true;
}

/** nodeSelector (all pairs) and required node affinity (any term) both hold for the node. */
export function podMatchesNodeSelectorAndAffinity(pod: PodLike, node: NodeLike): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const terms = required.nodeSelectorTerms ?? [];
    if (!terms.some((t) => nodeSelectorTermMatches(t, node))) return false;
  }
  return true;
}

export function filterNodeAffinity(pod: PodLike, node: NodeLike): FilterFailure | null {
  if (podMatchesNodeSelectorAndAffinity(pod, node)) return null;
  return { plugin: NODE_AFFINITY, code: 'UnschedulableAndUnresolvable', reasons: [ERR_NODE_AFFINITY] };
}

/** Raw score: the summed weights of the preferred terms the node matches. */
export function scoreNodeAffinity(pod: PodLike, node: NodeLike): number {
  let score = 0;
  for (const t of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, node)) score += t.weight;
  }
  return score;
}
