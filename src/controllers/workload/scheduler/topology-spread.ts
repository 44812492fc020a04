/**
 * PodTopologySpread: DoNotSchedule constraints filter (skew against the least-loaded domain, with
 * minDomains, nodeAffinityPolicy and nodeTaintsPolicy); ScheduleAnyway constraints score.
 * Matching pods come from the snapshot's label index, grouped by node, once per attempt.
 */
import { labelSelectorFromObject, type LabelSelector } from '../../../apimachinery/selectors.js';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import { selectorMatches, type PodInfo } from './pod-info.js';
import type { NodeInfo, SnapshotView } from './snapshot.js';
import { findUntoleratedTaint } from './taints.js';
import type { FilterFailure, TopologySpreadConstraint } from './types.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_TOPOLOGY_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_TOPOLOGY_SPREAD_MISSING_LABEL = `${ERR_TOPOLOGY_SPREAD} (missing required label)`;
const HOSTNAME = 'kubernetes.io/hostname';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys folded into the selector. */
export function spreadConstraints(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of (pod.pod.spec?.topologySpreadConstraints ?? []) as TopologySpreadConstraint[]) {
    if (c.whenUnsatisfiable !== when) continue;
    const base = labelSelectorFromObject(c.labelSelector ?? null);
    const extra = (c.matchLabelKeys ?? [])
      .filter((k) => Object.prototype.hasOwnProperty.call(pod.labels, k))
      .map((k) => ({ key: k, operator: 'in' as const, values: [pod.labels[k]] }));
    const selector: LabelSelector = extra.length && !base.nothing ? { requirements: [...base.requirements, ...extra] } : base;
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

function labelOf(node: NodeInfo, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(node.labels, key) ? node.labels[key] : undefined;
}

function includesNode(c: SpreadConstraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.honorNodeAffinity && node.node && !podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations)) return false;
  return true;
}

/** Matching, non-terminating pods per node name for one constraint. */
function matchCountsByNode(pod: PodInfo, c: SpreadConstraint, snapshot: SnapshotView): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of snapshot.candidatePods(pod.namespace, c.selector)) {
    if (p.terminating || !selectorMatches(c.selector, p.labels)) continue;
    counts.set(p.nodeName, (counts.get(p.nodeName) ?? 0) + 1);
  }
  return counts;
}

export interface TopologySpreadFilterState {
  pod: PodInfo;
  constraints: SpreadConstraint[];
  /** Per constraint: domain value → matching pods. */
  domainCounts: Map<string, number>[];
  /** Per constraint: the global minimum used for skew. */
  minMatch: number[];
}

export function preFilterTopologySpread(pod: PodInfo, snapshot: SnapshotView): TopologySpreadFilterState | null {
  const constraints = spreadConstraints(pod, 'DoNotSchedule');
  if (constraints.length === 0) return null;
  const perNode = constraints.map((c) => matchCountsByNode(pod, c, snapshot));
  const domainCounts = constraints.map(() => new Map<string, number>());
  for (const node of snapshot.nodeList()) {
    if (!constraints.every((c) => labelOf(node, c.topologyKey) !== undefined)) continue;
    constraints.forEach((c, i) => {
      if (!includesNode(c, pod, node)) return;
      const v = labelOf(node, c.topologyKey) as string;
      domainCounts[i].set(v, (domainCounts[i].get(v) ?? 0) + (perNode[i].get(node.name) ?? 0));
    });
  }
  const minMatch = constraints.map((c, i) => {
    const counts = domainCounts[i];
    if (counts.size < c.minDomains) return 0;
    let min = Infinity;
    for (const n of counts.values()) min = Math.min(min, n);
    return Number.isFinite(min) ? min : 0;
  });
  return { pod, constraints, domainCounts, minMatch };
}

export function filterTopologySpread(state: TopologySpreadFilterState, node: NodeInfo): FilterFailure | null {
  for (const c of state.constraints) {
    if (labelOf(node, c.topologyKey) === undefined) {
      return { plugin: POD_TOPOLOGY_SPREAD, code: 'UnschedulableAndUnresolvable', reasons: [ERR_TOPOLOGY_SPREAD_MISSING_LABEL] };
    }
  }
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i];
    const v = labelOf(node, c.topologyKey) as string;
    const self = selectorMatches(c.selector, state.pod.labels) ? 1 : 0;
    const skew = (state.domainCounts[i].get(v) ?? 0) + self - state.minMatch[i];
    if (skew > c.maxSkew) return { plugin: POD_TOPOLOGY_SPREAD, code: 'Unschedulable', reasons: [ERR_TOPOLOGY_SPREAD] };
  }
  return null;
}

/**
 * ScheduleAnyway scoring over the nodes that passed filtering, normalized so the emptiest domain
 * scores 100. Returns null when the pod has no ScheduleAnyway constraints.
 */
export function topologySpreadScores(pod: PodInfo, feasible: readonly NodeInfo[], snapshot: SnapshotView): Map<string, number> | null {
  const constraints = spreadConstraints(pod, 'ScheduleAnyway');
  if (constraints.length === 0) return null;
  const hasAllKeys = (n: NodeInfo): boolean => constraints.every((c) => labelOf(n, c.topologyKey) !== undefined);
  const scored = feasible.filter(hasAllKeys);
  const perNode = constraints.map((c) => matchCountsByNode(pod, c, snapshot));
  const pairCounts = constraints.map(() => new Map<string, number>());
  constraints.forEach((c, i) => {
    for (const n of scored) pairCounts[i].set(labelOf(n, c.topologyKey) as string, 0);
  });
  const domainKeyed = constraints.some((c) => c.topologyKey !== HOSTNAME);
  for (const node of domainKeyed ? snapshot.nodeList() : []) {
    if (!hasAllKeys(node)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME || !includesNode(c, pod, node)) return;
      const v = labelOf(node, c.topologyKey) as string;
      if (!pairCounts[i].has(v)) return;
      pairCounts[i].set(v, (pairCounts[i].get(v) ?? 0) + (perNode[i].get(node.name) ?? 0));
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? scored.length : pairCounts[i].size) + 2));
  const raw = new Map<string, number>();
  for (const node of scored) {
    let s = 0;
    constraints.forEach((c, i) => {
      const cnt = c.topologyKey === HOSTNAME ? (perNode[i].get(node.name) ?? 0) : (pairCounts[i].get(labelOf(node, c.topologyKey) as string) ?? 0);
      s += cnt * weights[i] + (c.maxSkew - 1);
    });
    raw.set(node.name, Math.round(s));
  }
  let min = Infinity;
  let max = -Infinity;
  for (const s of raw.values()) { min = Math.min(min, s); max = Math.max(max, s); }
  const out = new Map<string, number>();
  for (const node of feasible) {
    const s = raw.get(node.name);
    if (s === undefined) out.set(node.name, 0);
    else if (max === 0) out.set(node.name, 100);
    else out.set(node.name, Math.trunc((100 * (max + min - s)) / max));
  }
  return out;
}
