/**
 * The scale-up decision (pure): which unschedulable Pods a new Node of some node group would take, how many new Nodes
 * each group would need for them (binpacking on its template Node with the scheduler's own filters), and which group
 * to grow (the least-waste expander, random among equals). Nodes a group is already bringing up count as template
 * Nodes in the snapshot, so a Pod they will take does not ask for more.
 */
import { ClusterSnapshot, podKey, podRequests, nodeAllocatable, schedulePod, type NodeLike, type PodLike } from '../workload/scheduler/index.js';
import { templateNodeName, type NodeGroup } from './node-groups.js';
import { requestsOf } from './scale-down.js';

export interface GroupForScaleUp {
  group: NodeGroup;
  /** A Node of the group with a placeholder name (renamed per copy). */
  template: NodeLike;
  /** Members asked for but not registered yet (target size minus registered Nodes, at least 0). */
  upcoming: number;
}

export interface ScaleUpInput {
  /** Registered Nodes of the workload cluster. */
  nodes: readonly NodeLike[];
  /** Pods bound to Nodes. */
  boundPods: readonly PodLike[];
  /** Pods the scheduler marked unschedulable. */
  pending: readonly PodLike[];
  groups: readonly GroupForScaleUp[];
  /** [0, 1) for ties among equally good groups; default: the first by id. */
  random?: () => number;
}

export interface ScaleUpOption {
  group: NodeGroup;
  /** New Nodes needed. */
  nodeCount: number;
  /** Pods the new Nodes would take. */
  pods: PodLike[];
  /** Least-waste score: unused fraction of CPU plus that of memory on the new Nodes (lower is better). */
  waste: number;
}

export interface ScaleUpDecision {
  /** The chosen expansion, when any group helps. */
  best?: ScaleUpOption & { from: number; to: number };
  /** Every group that would help some Pod. */
  options: ScaleUpOption[];
  /** Pending Pods that fit the existing or upcoming Nodes (they need no new Node). */
  fitsExisting: PodLike[];
  /** Pending Pods no group can take, with why per group. */
  noScaleUp: { pod: PodLike; reasons: { group: string; reason: string }[] }[];
}

function keyOf(p: PodLike): string {
  return `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
}

function renamed(template: NodeLike, name: string): NodeLike {
  return { ...template, metadata: { ...template.metadata, name, labels: { ...(template.metadata?.labels ?? {}), 'kubernetes.io/hostname': name } } };
}

function baseSnapshot(input: ScaleUpInput): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (const n of input.nodes) s.setNode(n);
  for (const p of input.boundPods) s.setPod(p);
  for (const g of input.groups) for (let i = 0; i < g.upcoming; i++) s.setNode(renamed(g.template, `upcoming-${templateNodeName(g.group, i)}`));
  return s;
}

/** Larger Pods first (by CPU, then memory), so binpacking fills Nodes the way upstream's estimator does. */
function byRequestsDescending(a: PodLike, b: PodLike): number {
  const ra = podRequests(a);
  const rb = podRequests(b);
  return rb.milliCPU - ra.milliCPU || rb.memory - ra.memory || keyOf(a).localeCompare(keyOf(b));
}

/** Binpack `pods` onto at most `maxNodes` new copies of the group's template. */
export function estimate(input: ScaleUpInput, g: GroupForScaleUp, pods: readonly PodLike[], maxNodes: number): { nodeCount: number; helped: PodLike[]; rejected: Map<string, string> } {
  const s = baseSnapshot(input);
  const helped: PodLike[] = [];
  const rejected = new Map<string, string>();
  let nodeCount = 0;
  for (const pod of [...pods].sort(byRequestsDescending)) {
    let r = schedulePod({ pod, snapshot: s });
    if (!r.node && nodeCount < maxNodes) {
      const name = templateNodeName(g.group, nodeCount);
      s.setNode(renamed(g.template, name));
      r = schedulePod({ pod, snapshot: s });
      if (r.node) nodeCount++;
      else {
        s.removeNode(name);
        rejected.set(keyOf(pod), templateReasons((r as { message: string }).message));
        continue;
      }
    }
    if (r.node) {
      s.assume(pod, r.node);
      helped.push(pod);
    } else rejected.set(keyOf(pod), 'max node group size reached');
  }
  return { nodeCount, helped, rejected };
}

/** The scheduler's reasons for the template Node, without the counts ("Insufficient cpu; node(s) didn't match ..."). */
export function templateReasons(message: string): string {
  const body = message.replace(/^0\/\d+ nodes are available: /, '').replace(/\.? preemption:[\s\S]*$/, '').replace(/\.$/, '');
  return body.split(', ').map((x) => x.replace(/^\d+ /, '')).join('; ');
}

/** upstream least-waste: unused share of CPU plus unused share of memory over the new Nodes. */
export function wasteScore(template: NodeLike, nodeCount: number, pods: readonly PodLike[]): number {
  const alloc = nodeAllocatable(template);
  const { milliCPU: cpu, memory: mem } = requestsOf(pods);
  const frac = (used: number, per: number): number => (per > 0 ? (per * nodeCount - used) / (per * nodeCount) : 0);
  return frac(cpu, alloc.milliCPU) + frac(mem, alloc.memory);
}

export function decideScaleUp(input: ScaleUpInput): ScaleUpDecision {
  const s = baseSnapshot(input);
  const fitsExisting: PodLike[] = [];
  const waiting: PodLike[] = [];
  for (const pod of [...input.pending].sort(byRequestsDescending)) {
    const r = schedulePod({ pod, snapshot: s });
    if (r.node) {
      s.assume(pod, r.node);
      fitsExisting.push(pod);
    } else waiting.push(pod);
  }
  // Later estimates start from the Pods placed above, as bound ones.
  const placed: ScaleUpInput = { ...input, boundPods: [...input.boundPods, ...fitsExisting.map((p) => ({ ...p, spec: { ...p.spec, nodeName: s.pod(podKey(p))?.nodeName } }))] };
  const options: ScaleUpOption[] = [];
  const reasons = new Map<string, { group: string; reason: string }[]>();
  for (const g of [...input.groups].sort((a, b) => a.group.id.localeCompare(b.group.id))) {
    const room = Math.max(0, g.group.maxSize - g.group.replicas);
    const est = estimate(placed, g, waiting, room);
    for (const [k, why] of est.rejected) {
      const list = reasons.get(k) ?? [];
      for (const reason of (room === 0 ? 'max node group size reached' : why).split('; ')) list.push({ group: g.group.id, reason });
      reasons.set(k, list);
    }
    if (est.helped.length && est.nodeCount > 0) options.push({ group: g.group, nodeCount: est.nodeCount, pods: est.helped, waste: wasteScore(g.template, est.nodeCount, est.helped) });
  }
  const noScaleUp = waiting.filter((p) => !options.some((o) => o.pods.includes(p))).map((pod) => ({ pod, reasons: reasons.get(keyOf(pod)) ?? [] }));
  if (!options.length) return { options, fitsExisting, noScaleUp };
  const least = Math.min(...options.map((o) => o.waste));
  const equals = options.filter((o) => Math.abs(o.waste - least) < 1e-9);
  const pick = equals[input.random ? Math.min(equals.length - 1, Math.floor(input.random() * equals.length)) : 0]!;
  return { best: { ...pick, from: pick.group.replicas, to: pick.group.replicas + pick.nodeCount }, options, fitsExisting, noScaleUp };
}
