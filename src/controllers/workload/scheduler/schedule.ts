/**
 * schedulePod: one scheduling cycle of kube-scheduler's default profile over a snapshot — filter
 * every node (first failing plugin wins, in upstream's plugin order), score the feasible ones with
 * the default weights, pick the best (ties: lowest node name, or an injected random source). When
 * nothing fits, the result carries per-node reasons and the exact FailedScheduling message,
 * including the preemption dry run's summary (victims are never evicted here).
 */
import { filterFit, scoreBalancedAllocation, scoreLeastAllocated, balancedAllocationSkips } from './fit.js';
import { fitErrorMessage, NO_NODES_AVAILABLE } from './fit-error.js';
import { filterInterPodAffinity, interPodAffinityScores, preFilterInterPodAffinity, type InterPodAffinityState } from './inter-pod-affinity.js';
import { filterNodeAffinity, scoreNodeAffinity } from './node-affinity.js';
import { filterNodeName, filterNodePorts, filterNodeUnschedulable } from './node-filters.js';
import { newPodInfo, type PodInfo } from './pod-info.js';
import { NodeOverlay, type NodeInfo, type SnapshotView } from './snapshot.js';
import { countIntolerablePreferNoSchedule, filterTaintToleration, normalizeTaintScores } from './taints.js';
import { filterTopologySpread, preFilterTopologySpread, topologySpreadScores, type TopologySpreadFilterState } from './topology-spread.js';
import type { FilterFailure, PodLike } from './types.js';

export const ERR_PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const ERR_NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';
export const ERR_PREEMPTION_POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';

export interface ScheduleOptions {
  /** Returns a number in [0, 1) to break score ties; default: the lowest node name wins. */
  random?: () => number;
  /** Name the taint in the reason, as kube-scheduler ≤ 1.32 did. */
  legacyTaintText?: boolean;
}

export interface ScheduleInput {
  pod: PodLike;
  snapshot: SnapshotView;
  options?: ScheduleOptions;
}

export interface Scheduled {
  node: string;
  /** Total weighted score per feasible node. */
  scores: Record<string, number>;
}

export interface Unschedulable {
  node?: undefined;
  /** Why each node was rejected. */
  reasons: Record<string, FilterFailure>;
  /** The FailedScheduling Event / PodScheduled=False message. */
  message: string;
  /**
   * Nodes on which evicting lower-priority pods would let the pod fit (upstream would nominate one
   * and preempt; this core only reports them, and then the message has no "preemption:" part).
   */
  preemptionCandidates: string[];
}

export type ScheduleResult = Scheduled | Unschedulable;

/** Per-attempt state computed once (upstream's PreFilter). */
export interface CycleState {
  pod: PodInfo;
  interPodAffinity: InterPodAffinityState;
  topologySpread: TopologySpreadFilterState | null;
}

export function preFilter(pod: PodInfo, snapshot: SnapshotView): CycleState {
  return { pod, interPodAffinity: preFilterInterPodAffinity(pod, snapshot), topologySpread: preFilterTopologySpread(pod, snapshot) };
}

/** All filter plugins in the default profile's order; the first failure is the node's status. */
export function runFilters(state: CycleState, node: NodeInfo, snapshot: SnapshotView, options: ScheduleOptions = {}): FilterFailure | null {
  const pod = state.pod;
  return filterNodeUnschedulable(pod.pod, node) ??
    filterNodeName(pod.pod, node) ??
    filterTaintToleration(node.taints, pod.pod.spec?.tolerations, options.legacyTaintText) ??
    (node.node ? filterNodeAffinity(pod.pod, node.node) : null) ??
    filterNodePorts(pod, node) ??
    filterFit(pod, node) ??
    (state.topologySpread ? filterTopologySpread(state.topologySpread, node) : null) ??
    filterInterPodAffinity(state.interPodAffinity, node, snapshot);
}

const WEIGHTS = { taintToleration: 3, nodeAffinity: 2, fit: 1, balanced: 1, topologySpread: 2, interPodAffinity: 2 };

/** Weighted sum of the default score plugins, each normalized to 0..100. */
export function scoreNodes(pod: PodInfo, feasible: readonly NodeInfo[], snapshot: SnapshotView): Map<string, number> {
  const totals = new Map<string, number>();
  const tolerations = pod.pod.spec?.tolerations;
  const taintScores = normalizeTaintScores(feasible.map((n) => countIntolerablePreferNoSchedule(n.taints, tolerations)));
  const affinityRaw = feasible.map((n) => (n.node ? scoreNodeAffinity(pod.pod, n.node) : 0));
  const maxAffinity = Math.max(0, ...affinityRaw);
  const skipBalanced = balancedAllocationSkips(pod);
  const spread = topologySpreadScores(pod, feasible, snapshot);
  const podAffinity = interPodAffinityScores(pod, feasible, snapshot);
  feasible.forEach((n, i) => {
    const taint = taintScores[i];
    const affinity = maxAffinity === 0 ? affinityRaw[i] : Math.trunc((100 * affinityRaw[i]) / maxAffinity);
    let total = WEIGHTS.taintToleration * taint + WEIGHTS.nodeAffinity * affinity + WEIGHTS.fit * scoreLeastAllocated(pod, n);
    if (!skipBalanced) total += WEIGHTS.balanced * scoreBalancedAllocation(pod, n);
    if (spread) total += WEIGHTS.topologySpread * (spread.get(n.name) ?? 0);
    if (podAffinity) total += WEIGHTS.interPodAffinity * (podAffinity.get(n.name) ?? 0);
    totals.set(n.name, total);
  });
  return totals;
}

/**
 * The preemption dry run, reduced to its message: nodes rejected as unresolvable are "not helpful";
 * a node without lower-priority pods has "no victims"; otherwise the filters are re-run with those
 * pods gone, and a node where the pod then fits is a candidate.
 */
function preemptionDryRun(pod: PodInfo, failures: Map<string, FilterFailure>, snapshot: SnapshotView, options: ScheduleOptions): { message: string; candidates: string[] } {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return { message: `preemption: ${ERR_PREEMPTION_POLICY_NEVER}`, candidates: [] };
  const statuses: FilterFailure[] = [];
  const candidates: string[] = [];
  for (const node of snapshot.nodeList()) {
    const failure = failures.get(node.name);
    if (!failure) continue;
    if (failure.code === 'UnschedulableAndUnresolvable') {
      statuses.push({ plugin: 'DefaultPreemption', code: 'UnschedulableAndUnresolvable', reasons: [ERR_PREEMPTION_NOT_HELPFUL] });
      continue;
    }
    const victims = new Set<string>();
    for (const p of node.pods.values()) if (p.priority < pod.priority) victims.add(p.key);
    if (victims.size === 0) {
      statuses.push({ plugin: 'DefaultPreemption', code: 'UnschedulableAndUnresolvable', reasons: [ERR_NO_PREEMPTION_VICTIMS] });
      continue;
    }
    const overlay = new NodeOverlay(snapshot, node.without(victims), victims);
    const replaced = overlay.nodeInfo(node.name) as NodeInfo;
    const again = runFilters(preFilter(pod, overlay), replaced, overlay, options);
    if (again) statuses.push(again);
    else candidates.push(node.name);
  }
  if (candidates.length > 0) return { message: '', candidates };
  return { message: `preemption: ${fitErrorMessage({ numAllNodes: snapshot.nodeList().length, failures: statuses })}`, candidates };
}

export function schedulePod(input: ScheduleInput): ScheduleResult {
  const { snapshot } = input;
  const options = input.options ?? {};
  const nodes = snapshot.nodeList();
  if (nodes.length === 0) return { reasons: {}, message: NO_NODES_AVAILABLE, preemptionCandidates: [] };
  const pod = newPodInfo(input.pod);
  const state = preFilter(pod, snapshot);
  const feasible: NodeInfo[] = [];
  const failures = new Map<string, FilterFailure>();
  for (const node of nodes) {
    const failure = runFilters(state, node, snapshot, options);
    if (failure) failures.set(node.name, failure);
    else feasible.push(node);
  }
  if (feasible.length === 0) {
    const post = preemptionDryRun(pod, failures, snapshot, options);
    const message = fitErrorMessage({ numAllNodes: nodes.length, failures: failures.values(), postFilterMessage: post.message });
    return { reasons: Object.fromEntries(failures), message, preemptionCandidates: post.candidates };
  }
  if (feasible.length === 1) return { node: feasible[0].name, scores: { [feasible[0].name]: 0 } };
  const scores = scoreNodes(pod, feasible, snapshot);
  let best = -Infinity;
  let top: string[] = [];
  for (const n of feasible) {
    const s = scores.get(n.name) ?? 0;
    if (s > best) { best = s; top = [n.name]; }
    else if (s === best) top.push(n.name);
  }
  const pick = options.random ? top[Math.min(top.length - 1, Math.floor(options.random() * top.length))] : top[0];
  return { node: pick, scores: Object.fromEntries(scores) };
}
