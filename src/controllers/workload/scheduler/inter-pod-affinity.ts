/**
 * InterPodAffinity: required affinity / anti-affinity of the incoming pod, the required
 * anti-affinity of pods already bound (symmetry), and the preferred terms for scoring.
 * Counts are keyed by topology pair ("key=value") and computed once per scheduling attempt.
 */
import { termMatches, type AffinityTerm, type PodInfo } from './pod-info.js';
import type { NodeInfo, SnapshotView } from './snapshot.js';
import type { FilterFailure } from './types.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
/** Weight of an existing pod's required affinity term when scoring (HardPodAffinityWeight default). */
export const HARD_POD_AFFINITY_WEIGHT = 1;

type PairCounts = Map<string, number>;

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

function bump(counts: PairCounts, key: string, value: string, by: number): void {
  counts.set(pairKey(key, value), (counts.get(pairKey(key, value)) ?? 0) + by);
}

function labelOf(node: NodeInfo, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(node.labels, key) ? node.labels[key] : undefined;
}

export interface InterPodAffinityState {
  pod: PodInfo;
  existingAntiAffinityCounts: PairCounts;
  affinityCounts: PairCounts;
  antiAffinityCounts: PairCounts;
}

/** Pods that may match `term` (index lookup per namespace; all pods for namespace selectors). */
function candidatesFor(term: AffinityTerm, snapshot: SnapshotView): Iterable<PodInfo> {
  if (term.namespaceSelector !== null) return snapshot.allPods();
  const lists: Iterable<PodInfo>[] = [...term.namespaces].map((ns) => snapshot.candidatePods(ns, term.selector));
  return (function* () { for (const l of lists) yield* l; })();
}

export function preFilterInterPodAffinity(pod: PodInfo, snapshot: SnapshotView): InterPodAffinityState {
  const nsLabels = (ns: string): Readonly<Record<string, string>> | undefined => snapshot.namespaceLabels(ns);
  const state: InterPodAffinityState = { pod, existingAntiAffinityCounts: new Map(), affinityCounts: new Map(), antiAffinityCounts: new Map() };
  if (snapshot.podsWithAffinityCount() > 0) {
    for (const node of snapshot.nodeList()) {
      for (const existing of node.podsWithRequiredAntiAffinity) {
        for (const term of existing.requiredAntiAffinityTerms) {
          const v = labelOf(node, term.topologyKey);
          if (v !== undefined && termMatches(term, pod, nsLabels)) bump(state.existingAntiAffinityCounts, term.topologyKey, v, 1);
        }
      }
    }
  }
  const affinity = pod.requiredAffinityTerms;
  if (affinity.length > 0) {
    for (const existing of candidatesFor(affinity[0], snapshot)) {
      if (!affinity.every((t) => termMatches(t, existing, nsLabels))) continue;
      const node = snapshot.nodeInfo(existing.nodeName);
      if (!node) continue;
      for (const t of affinity) {
        const v = labelOf(node, t.topologyKey);
        if (v !== undefined) bump(state.affinityCounts, t.topologyKey, v, 1);
      }
    }
  }
  for (const t of pod.requiredAntiAffinityTerms) {
    for (const existing of candidatesFor(t, snapshot)) {
      if (!termMatches(t, existing, nsLabels)) continue;
      const node = snapshot.nodeInfo(existing.nodeName);
      const v = node && labelOf(node, t.topologyKey);
      if (v !== undefined) bump(state.antiAffinityCounts, t.topologyKey, v, 1);
    }
  }
  return state;
}

function satisfiesExistingAntiAffinity(state: InterPodAffinityState, node: NodeInfo): boolean {
  for (const [pair, n] of state.existingAntiAffinityCounts) {
    if (n <= 0) continue;
    const [k, v] = pair.split('\u0000');
    if (labelOf(node, k) === v) return false;
  }
  return true;
}

function satisfiesAffinity(state: InterPodAffinityState, node: NodeInfo, nsLabels: (ns: string) => Readonly<Record<string, string>> | undefined): boolean {
  let podsExist = true;
  for (const t of state.pod.requiredAffinityTerms) {
    const v = labelOf(node, t.topologyKey);
    if (v === undefined) return false;
    if ((state.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere the topology keys exist.
  return state.affinityCounts.size === 0 && state.pod.requiredAffinityTerms.every((t) => termMatches(t, state.pod, nsLabels));
}

function satisfiesAntiAffinity(state: InterPodAffinityState, node: NodeInfo): boolean {
  for (const t of state.pod.requiredAntiAffinityTerms) {
    const v = labelOf(node, t.topologyKey);
    if (v !== undefined && (state.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

export function filterInterPodAffinity(state: InterPodAffinityState, node: NodeInfo, snapshot: SnapshotView): FilterFailure | null {
  if (!satisfiesExistingAntiAffinity(state, node)) {
    return { plugin: INTER_POD_AFFINITY, code: 'Unschedulable', reasons: [ERR_EXISTING_ANTI_AFFINITY] };
  }
  if (!satisfiesAffinity(state, node, (ns) => snapshot.namespaceLabels(ns))) {
    return { plugin: INTER_POD_AFFINITY, code: 'UnschedulableAndUnresolvable', reasons: [ERR_AFFINITY] };
  }
  if (!satisfiesAntiAffinity(state, node)) {
    return { plugin: INTER_POD_AFFINITY, code: 'Unschedulable', reasons: [ERR_ANTI_AFFINITY] };
  }
  return null;
}

/**
 * PreScore + Score: per topology pair, the weights of the incoming pod's preferred terms that
 * existing pods match, and of existing pods' terms (required affinity at weight 1, preferred
 * affinity and anti-affinity) that the incoming pod matches. Returns null when scoring is skipped.
 */
export function interPodAffinityScores(pod: PodInfo, nodes: readonly NodeInfo[], snapshot: SnapshotView): Map<string, number> | null {
  const hasPreferred = pod.preferredAffinityTerms.length + pod.preferredAntiAffinityTerms.length > 0;
  if (!hasPreferred && snapshot.podsWithAffinityCount() === 0) return null;
  const nsLabels = (ns: string): Readonly<Record<string, string>> | undefined => snapshot.namespaceLabels(ns);
  // What an existing pod contributes depends only on its labels (for the incoming pod's terms) and
  // on its own terms (for symmetry), not on where it runs: memoize both per attempt.
  const byIdentity = new Map<string, Contribution[]>();
  const byAffinity = new Map<string, Contribution[]>();
  const incomingTerms = (existing: PodInfo): Contribution[] => {
    let c = byIdentity.get(existing.identityKey);
    if (!c) {
      c = [];
      for (const t of pod.preferredAffinityTerms) if (termMatches(t, existing, nsLabels)) c.push([t.topologyKey, t.weight]);
      for (const t of pod.preferredAntiAffinityTerms) if (termMatches(t, existing, nsLabels)) c.push([t.topologyKey, -t.weight]);
      byIdentity.set(existing.identityKey, c);
    }
    return c;
  };
  const existingTerms = (existing: PodInfo): Contribution[] => {
    let c = byAffinity.get(existing.affinityKey);
    if (!c) {
      c = [];
      for (const t of existing.requiredAffinityTerms) if (termMatches(t, pod, nsLabels)) c.push([t.topologyKey, HARD_POD_AFFINITY_WEIGHT]);
      for (const t of existing.preferredAffinityTerms) if (termMatches(t, pod, nsLabels)) c.push([t.topologyKey, t.weight]);
      for (const t of existing.preferredAntiAffinityTerms) if (termMatches(t, pod, nsLabels)) c.push([t.topologyKey, -t.weight]);
      byAffinity.set(existing.affinityKey, c);
    }
    return c;
  };
  const topo = new Map<string, Map<string, number>>();
  const apply = (node: NodeInfo, contributions: Contribution[]): void => {
    for (const [key, by] of contributions) {
      const value = labelOf(node, key);
      if (value === undefined || by === 0) continue;
      let m = topo.get(key);
      if (!m) topo.set(key, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + by);
    }
  };
  if (hasPreferred) {
    // Only pods the incoming pod's preferred terms can match: the label index narrows them.
    const seen = new Set<PodInfo>();
    for (const t of [...pod.preferredAffinityTerms, ...pod.preferredAntiAffinityTerms]) {
      for (const existing of candidatesFor(t, snapshot)) {
        if (seen.has(existing)) continue;
        seen.add(existing);
        const c = incomingTerms(existing);
        const node = c.length > 0 ? snapshot.nodeInfo(existing.nodeName) : undefined;
        if (node) apply(node, c);
      }
    }
  }
  if (snapshot.podsWithAffinityCount() > 0) {
    for (const node of snapshot.nodeList()) {
      for (const existing of node.podsWithAffinity) {
        const c = existingTerms(existing);
        if (c.length > 0) apply(node, c);
      }
    }
  }
  const raw = nodes.map((node) => {
    let s = 0;
    for (const [key, values] of topo) {
      const v = labelOf(node, key);
      if (v !== undefined) s += values.get(v) ?? 0;
    }
    return s;
  });
  // NormalizeScore: min-max onto 0..100.
  let min = Infinity;
  let max = -Infinity;
  for (const s of raw) { min = Math.min(min, s); max = Math.max(max, s); }
  const out = new Map<string, number>();
  nodes.forEach((node, i) => out.set(node.name, max - min > 0 ? Math.trunc((100 * (raw[i] - min)) / (max - min)) : 0));
  return out;
}

type Contribution = [topologyKey: string, weight: number];
