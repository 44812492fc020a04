/**
 * Scale-down candidate selection (pure): a Node of a node group is unneeded when its utilization (the larger of
 * requested/allocatable CPU and memory) is below the threshold and every Pod on it that must move (not DaemonSet or
 * mirror Pods) can be placed on the other Nodes by the scheduler's filters; Nodes stay unneeded for the unneeded time
 * before they are removed, never taking a group below its min size. Empty Nodes go together; at most one Node with
 * Pods to move goes per pass.
 */
import { ClusterSnapshot, nodeAllocatable, podRequests, schedulePod, type NodeLike, type PodLike } from '../workload/scheduler/index.js';
import { matchesLabels, type LabelSelector } from '../../apimachinery/selectors.js';
import { TO_BE_DELETED_TAINT, type NodeGroup } from './node-groups.js';

export const SCALE_DOWN_DISABLED_ANNOTATION = 'cluster-autoscaler.kubernetes.io/scale-down-disabled';
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface FullPod extends PodLike {
  metadata?: PodLike['metadata'] & { annotations?: Record<string, string> | null; ownerReferences?: { kind: string; name: string; controller?: boolean | null }[] | null };
  status?: { phase?: string };
}

export interface FullNode extends NodeLike {
  metadata?: NodeLike['metadata'] & { annotations?: Record<string, string> | null };
}

export interface Budget {
  namespace: string;
  selector: LabelSelector;
  disruptionsAllowed: number;
  name: string;
}

export interface ScaleDownInput {
  nodes: readonly FullNode[];
  pods: readonly FullPod[];
  /** Node name → its group (Nodes of no group are never removed). */
  groupOf: ReadonlyMap<string, NodeGroup>;
  /** Node names that are Ready. */
  ready: ReadonlySet<string>;
  budgets: readonly Budget[];
  /** Node name → since when (ms) it has been unneeded (from earlier passes). */
  unneededSince: ReadonlyMap<string, number>;
  now: number;
  utilizationThreshold: number;
  unneededTimeMs: number;
}

export interface NodeVerdict {
  node: string;
  group?: string;
  utilization: number;
  /** Why it is not unneeded (undefined when unneeded). */
  reason?: string;
  /** Pods to evict (DaemonSet and mirror Pods excluded). */
  podsToMove: FullPod[];
}

export interface ScaleDownDecision {
  verdicts: NodeVerdict[];
  /** Unneeded Nodes and since when (carry to the next pass). */
  unneeded: Map<string, number>;
  /** Nodes to remove now. */
  remove: NodeVerdict[];
}

function isDaemonSetPod(p: FullPod): boolean {
  return (p.metadata?.ownerReferences ?? []).some((o) => o.controller && o.kind === 'DaemonSet');
}

function isMirrorPod(p: FullPod): boolean {
  return p.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}

function finished(p: FullPod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** Sum of the Pods' CPU (milli) and memory requests. */
export function requestsOf(pods: readonly PodLike[]): { milliCPU: number; memory: number } {
  let milliCPU = 0;
  let memory = 0;
  for (const p of pods) {
    const r = podRequests(p);
    milliCPU += r.milliCPU;
    memory += r.memory;
  }
  return { milliCPU, memory };
}

/** Requested/allocatable, the larger of CPU and memory (upstream's node utilization). */
export function utilization(node: NodeLike, pods: readonly PodLike[]): number {
  const alloc = nodeAllocatable(node);
  const { milliCPU: cpu, memory: mem } = requestsOf(pods);
  return Math.max(alloc.milliCPU > 0 ? cpu / alloc.milliCPU : 0, alloc.memory > 0 ? mem / alloc.memory : 0);
}

/** Why a Pod stops its Node from being removed, or undefined. */
/** The PodDisruptionBudgets that select a Pod. */
function matchingBudgets(p: FullPod, budgets: readonly Budget[]): Budget[] {
  return budgets.filter((b) => b.namespace === (p.metadata?.namespace ?? 'default') && matchesLabels(b.selector, p.metadata?.labels ?? {}));
}

export function blockingReason(p: FullPod, budgets: readonly Budget[], used: ReadonlyMap<string, number>): string | undefined {
  const safe = p.metadata?.annotations?.[SAFE_TO_EVICT_ANNOTATION];
  const name = `${p.metadata?.namespace}/${p.metadata?.name}`;
  if (safe === 'false') return `pod ${name} has annotation ${SAFE_TO_EVICT_ANNOTATION}=false`;
  const matching = matchingBudgets(p, budgets);
  for (const b of matching) {
    const key = `${b.namespace}/${b.name}`;
    if (b.disruptionsAllowed - (used.get(key) ?? 0) < 1) return `not enough pod disruption budget to move ${name} (${key})`;
  }
  if (safe === 'true') return undefined;
  const controlled = (p.metadata?.ownerReferences ?? []).some((o) => o.controller);
  if (!controlled) return `pod ${name} is not replicated`;
  if (p.metadata?.namespace === 'kube-system' && !matching.length) return `non-daemonset, non-mirrored, kube-system pod ${name} without a PodDisruptionBudget`;
  return undefined;
}

function beingDeleted(n: FullNode): boolean {
  return (n.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}

export function decideScaleDown(input: ScaleDownInput): ScaleDownDecision {
  const byNode = new Map<string, FullPod[]>();
  for (const p of input.pods) {
    const n = p.spec?.nodeName;
    if (!n || finished(p)) continue;
    (byNode.get(n) ?? byNode.set(n, []).get(n)!).push(p);
  }
  const snapshot = new ClusterSnapshot();
  for (const n of input.nodes) snapshot.setNode(n);
  for (const p of input.pods) if (p.spec?.nodeName && !finished(p)) snapshot.setPod(p);

  const verdicts: NodeVerdict[] = [];
  const candidates: { v: NodeVerdict; node: FullNode }[] = [];
  for (const node of input.nodes) {
    const name = node.metadata?.name ?? '';
    const pods = byNode.get(name) ?? [];
    const group = input.groupOf.get(name);
    const v: NodeVerdict = { node: name, group: group?.id, utilization: utilization(node, pods), podsToMove: pods.filter((p) => !isDaemonSetPod(p) && !isMirrorPod(p)) };
    verdicts.push(v);
    if (!group) v.reason = 'not in an autoscaled node group';
    else if (node.metadata?.annotations?.[SCALE_DOWN_DISABLED_ANNOTATION] === 'true') v.reason = `node has annotation ${SCALE_DOWN_DISABLED_ANNOTATION}=true`;
    else if (beingDeleted(node)) v.reason = 'node is being deleted';
    else if (!input.ready.has(name)) v.reason = 'node is not ready';
    else if (v.utilization >= (group.options.scaleDownUtilizationThreshold ?? input.utilizationThreshold)) v.reason = `utilization ${v.utilization.toFixed(3)} is not below the threshold`;
    else candidates.push({ v, node });
  }
  // Least utilized first; each accepted Node's Pods are placed on the rest, which later Nodes then see.
  candidates.sort((a, b) => a.v.utilization - b.v.utilization || a.v.node.localeCompare(b.v.node));
  const budgetUse = new Map<string, number>();
  const accepted: NodeVerdict[] = [];
  const cordoned = new Set<string>();
  for (const { v, node } of candidates) {
    const block = v.podsToMove.map((p) => blockingReason(p, input.budgets, budgetUse)).find((r) => r !== undefined);
    if (block) {
      v.reason = block;
      continue;
    }
    snapshot.setNode({ ...node, spec: { ...node.spec, unschedulable: true } });
    const moved: FullPod[] = [];
    let failed: string | undefined;
    for (const p of v.podsToMove) {
      // As a new Pod: the one being moved is bound to the Node going away.
      const r = schedulePod({ pod: { ...p, spec: { ...p.spec, nodeName: undefined } }, snapshot });
      if (!r.node || cordoned.has(r.node)) {
        failed = `no place to move pod ${p.metadata?.namespace}/${p.metadata?.name}`;
        break;
      }
      snapshot.assume(p, r.node);
      moved.push(p);
    }
    if (failed) {
      for (const p of moved) snapshot.setPod(p);
      snapshot.setNode(node);
      v.reason = failed;
      continue;
    }
    for (const p of v.podsToMove) {
      for (const b of matchingBudgets(p, input.budgets)) budgetUse.set(`${b.namespace}/${b.name}`, (budgetUse.get(`${b.namespace}/${b.name}`) ?? 0) + 1);
    }
    cordoned.add(v.node);
    accepted.push(v);
  }

  const unneeded = new Map<string, number>();
  for (const v of accepted) unneeded.set(v.node, input.unneededSince.get(v.node) ?? input.now);
  const left = new Map<string, number>();
  const remove: NodeVerdict[] = [];
  let withPods = 0;
  for (const v of accepted) {
    const group = input.groupOf.get(v.node)!;
    const wait = group.options.scaleDownUnneededTimeMs ?? input.unneededTimeMs;
    if (input.now - unneeded.get(v.node)! < wait) continue;
    const size = left.get(group.id) ?? group.replicas;
    if (size <= group.minSize) {
      v.reason = `node group ${group.id} is at its min size ${group.minSize}`;
      continue;
    }
    if (v.podsToMove.length && withPods >= 1) continue;
    if (v.podsToMove.length) withPods++;
    left.set(group.id, size - 1);
    remove.push(v);
  }
  return { verdicts, unneeded, remove };
}
