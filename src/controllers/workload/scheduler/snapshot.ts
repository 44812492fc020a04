/**
 * The scheduler's cache: one NodeInfo per node with running totals of what its bound pods request,
 * updated incrementally as informers report Nodes and Pods (add/update/remove), plus indexes of pods
 * by namespace and by label so selector scans touch only candidates.
 */
import type { LabelSelector } from '../../../apimachinery/selectors.js';
import { hasAffinity, newPodInfo, podKey, type PodInfo } from './pod-info.js';
import { addResources, emptyResources, nodeAllocatable, type Resources } from './resources.js';
import type { NodeLike, PodLike, Taint } from './types.js';

export class NodeInfo {
  node: NodeLike | undefined;
  labels: Readonly<Record<string, string>> = {};
  taints: readonly Taint[] = [];
  allocatable: Resources = emptyResources();
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested: Resources = emptyResources();
  readonly pods = new Map<string, PodInfo>();
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** "protocol/port/ip" → number of pods holding it. */
  readonly usedPorts = new Map<string, number>();

  constructor(readonly name: string) {}

  setNode(node: NodeLike | undefined): void {
    this.node = node;
    this.labels = node?.metadata?.labels ?? {};
    this.taints = node?.spec?.taints ?? [];
    this.allocatable = node ? nodeAllocatable(node) : emptyResources();
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.key, p);
    this.account(p, 1);
  }

  removePod(p: PodInfo): void {
    if (!this.pods.delete(p.key)) return;
    this.account(p, -1);
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, p.requests, sign);
    addResources(this.nonZeroRequested, p.nonZeroRequests, sign);
    if (sign > 0) {
      if (hasAffinity(p)) this.podsWithAffinity.add(p);
      if (p.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity.add(p);
    } else {
      this.podsWithAffinity.delete(p);
      this.podsWithRequiredAntiAffinity.delete(p);
    }
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}/${hp.ip}`;
      const n = (this.usedPorts.get(k) ?? 0) + sign;
      if (n <= 0) this.usedPorts.delete(k);
      else this.usedPorts.set(k, n);
    }
  }

  /** A copy with the given pods taken off (for the preemption dry run). */
  without(keys: ReadonlySet<string>): NodeInfo {
    const copy = new NodeInfo(this.name);
    copy.setNode(this.node);
    for (const p of this.pods.values()) if (!keys.has(p.key)) copy.addPod(p);
    return copy;
  }
}

/** Read access the filters and scores need; implemented by ClusterSnapshot and its overlays. */
export interface SnapshotView {
  /** Nodes that exist, sorted by name. */
  nodeList(): readonly NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  /** Bound pods in `namespace` whose labels may match `selector` (a superset; callers re-check). */
  candidatePods(namespace: string, selector: LabelSelector): Iterable<PodInfo>;
  /** Every bound pod (used for namespaceSelector terms, which the index cannot narrow). */
  allPods(): Iterable<PodInfo>;
  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined;
  /** Number of bound pods that carry any affinity/anti-affinity terms. */
  podsWithAffinityCount(): number;
}

export class ClusterSnapshot implements SnapshotView {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodInfo>();
  private readonly byNamespace = new Map<string, Set<PodInfo>>();
  private readonly byLabel = new Map<string, Set<PodInfo>>();
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();
  private sorted: NodeInfo[] | undefined;
  private affinityPods = 0;

  /** Adds or replaces a Node. Pods already bound to it stay accounted. */
  setNode(node: NodeLike): void {
    const name = node.metadata?.name ?? '';
    let ni = this.nodes.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.nodes.set(name, ni);
    }
    if (!ni.node) this.sorted = undefined;
    ni.setNode(node);
  }

  /** Removes a Node; its pods' accounting is kept until they are removed (as upstream's cache). */
  removeNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.sorted = undefined;
    if (ni.pods.size === 0) this.nodes.delete(name);
    else ni.setNode(undefined);
  }

  setNamespace(name: string, labels: Readonly<Record<string, string>> | null | undefined): void {
    this.nsLabels.set(name, labels ?? {});
  }

  removeNamespace(name: string): void {
    this.nsLabels.delete(name);
  }

  /**
   * Adds or updates a pod. Pods without spec.nodeName are not bound and are dropped from the
   * snapshot (an update that unbinds removes it). Returns the stored PodInfo, if bound.
   */
  setPod(pod: PodLike): PodInfo | undefined {
    this.removePod(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return undefined;
    const p = newPodInfo(pod);
    this.pods.set(p.key, p);
    let ni = this.nodes.get(nodeName);
    if (!ni) {
      ni = new NodeInfo(nodeName);
      this.nodes.set(nodeName, ni);
    }
    ni.addPod(p);
    if (hasAffinity(p)) this.affinityPods++;
    indexAdd(this.byNamespace, p.namespace, p);
    for (const [k, v] of Object.entries(p.labels)) indexAdd(this.byLabel, labelKey(p.namespace, k, v), p);
    return p;
  }

  /** Binds `pod` to `nodeName` in the snapshot ("assume"), before the informer reports it. */
  assume(pod: PodLike, nodeName: string): PodInfo | undefined {
    return this.setPod({ ...pod, spec: { ...(pod.spec ?? {}), nodeName } });
  }

  removePod(pod: PodLike | string): void {
    const key = typeof pod === 'string' ? pod : podKey(pod);
    const p = this.pods.get(key);
    if (!p) return;
    this.pods.delete(key);
    const ni = this.nodes.get(p.nodeName);
    if (ni) {
      ni.removePod(p);
      if (!ni.node && ni.pods.size === 0) this.nodes.delete(p.nodeName);
    }
    if (hasAffinity(p)) this.affinityPods--;
    indexDelete(this.byNamespace, p.namespace, p);
    for (const [k, v] of Object.entries(p.labels)) indexDelete(this.byLabel, labelKey(p.namespace, k, v), p);
  }

  pod(key: string): PodInfo | undefined {
    return this.pods.get(key);
  }

  nodeList(): readonly NodeInfo[] {
    if (!this.sorted) {
      this.sorted = [...this.nodes.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    return this.sorted;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const ni = this.nodes.get(name);
    return ni?.node ? ni : undefined;
  }

  candidatePods(namespace: string, selector: LabelSelector): Iterable<PodInfo> {
    if (selector.nothing) return [];
    let best: Set<PodInfo> | undefined = this.byNamespace.get(namespace);
    if (!best) return [];
    for (const r of selector.requirements) {
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) {
        const s = this.byLabel.get(labelKey(namespace, r.key, r.values[0]));
        if (!s) return [];
        if (s.size < best.size) best = s;
      }
    }
    return best;
  }

  allPods(): Iterable<PodInfo> {
    return this.pods.values();
  }

  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined {
    return this.nsLabels.get(ns);
  }

  podsWithAffinityCount(): number {
    return this.affinityPods;
  }
}

/**
 * A view of a snapshot in which one node is replaced by another NodeInfo (the preemption dry run
 * takes lower-priority pods off a node and re-runs the filters).
 */
export class NodeOverlay implements SnapshotView {
  private readonly removed: ReadonlySet<string>;
  constructor(private readonly base: SnapshotView, private readonly replacement: NodeInfo, removedKeys: ReadonlySet<string>) {
    this.removed = removedKeys;
  }
  nodeList(): readonly NodeInfo[] {
    return this.base.nodeList().map((n) => (n.name === this.replacement.name ? this.replacement : n));
  }
  nodeInfo(name: string): NodeInfo | undefined {
    return name === this.replacement.name ? this.replacement : this.base.nodeInfo(name);
  }
  *candidatePods(namespace: string, selector: LabelSelector): Iterable<PodInfo> {
    for (const p of this.base.candidatePods(namespace, selector)) if (!this.removed.has(p.key)) yield p;
  }
  *allPods(): Iterable<PodInfo> {
    for (const p of this.base.allPods()) if (!this.removed.has(p.key)) yield p;
  }
  namespaceLabels(ns: string): Readonly<Record<string, string>> | undefined {
    return this.base.namespaceLabels(ns);
  }
  podsWithAffinityCount(): number {
    return this.base.podsWithAffinityCount();
  }
}

function labelKey(ns: string, k: string, v: string): string {
  return `${ns}\u0000${k}\u0000${v}`;
}

function indexAdd(index: Map<string, Set<PodInfo>>, key: string, p: PodInfo): void {
  let s = index.get(key);
  if (!s) {
    s = new Set();
    index.set(key, s);
  }
  s.add(p);
}

function indexDelete(index: Map<string, Set<PodInfo>>, key: string, p: PodInfo): void {
  const s = index.get(key);
  if (!s) return;
  s.delete(p);
  if (s.size === 0) index.delete(key);
}
