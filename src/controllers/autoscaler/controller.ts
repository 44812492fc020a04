/**
 * The cluster autoscaler (kubernetes/autoscaler's cluster-autoscaler with its Cluster API provider), run in the
 * management plane once per workload Cluster: each pass reads the Cluster's node groups (annotated MachineDeployments
 * and MachineSets), its Machines, and the workload cluster's Nodes, Pods and PodDisruptionBudgets; grows a group when
 * unschedulable Pods would fit a new Node of it (Events TriggeredScaleUp / NotTriggerScaleUp on the Pods); removes
 * Nodes that stayed unneeded long enough (taint, evict through pods/eviction, annotate the Machine
 * `cluster.x-k8s.io/delete-machine`, lower the group's replicas); and writes the `cluster-autoscaler-status`
 * ConfigMap. Passes repeat every scan interval and on changes of the groups and the workload cluster.
 */
import { rfc3339 } from '../../apiserver/clock.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../apimachinery/selectors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { isNotFound, TooManyRequestsError } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  DELETE_MACHINE_ANNOTATION,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_DEPLOYMENT_NAME_LABEL,
  MACHINE_KIND,
  MACHINE_SET_KIND,
  MACHINE_SET_NAME_LABEL,
  type Cluster,
  type Machine,
} from '../../api/cluster/types.js';
import { isTrue } from '../../runtime/conditions.js';
import type { Controller } from '../../runtime/controller.js';
import { EventRecorder } from '../../runtime/events.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { isPaused, tryGet } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';
import type { ControllerContext } from '../shared/context.js';
import type { NodeLike, PodLike } from '../workload/scheduler/index.js';
import { NODE, POD } from '../workload/shared/pods.js';
import { errorText } from '../shared/errors.js';
import { infraTemplateFacts, nodeGroupOf, templateNode, TO_BE_DELETED_TAINT, type NodeGroup } from './node-groups.js';
import { decideScaleDown, type Budget, type FullNode, type FullPod, type NodeVerdict } from './scale-down.js';
import { decideScaleUp, type GroupForScaleUp } from './scale-up.js';
import { LAST_UPDATED_ANNOTATION, STATUS_CONFIGMAP_NAME, STATUS_NAMESPACE, statusDocument, type NodeCounts } from './status.js';

export const CONTROLLER_NAME = 'cluster-autoscaler';
const PDB_KIND = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' } as const;
const CONFIGMAP_KIND = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

export interface ClusterAutoscalerOptions {
  /** Time between passes over a cluster (default 10 s, upstream's --scan-interval). */
  scanIntervalMs?: number;
  /** How long a Node must stay unneeded before it is removed (default 10 min; per group: the autoscaling-options annotation). */
  scaleDownUnneededTimeMs?: number;
  /** Utilization below which a Node may be removed (default 0.5). */
  scaleDownUtilizationThreshold?: number;
  /** No scale-down for this long after a scale-up (default 10 min). */
  scaleDownDelayAfterAddMs?: number;
  /** Turn scale-down off (default on). */
  scaleDownEnabled?: boolean;
  /** [0, 1) to choose among equally good groups (default Math.random). */
  random?: () => number;
}

export const DEFAULT_CLUSTER_AUTOSCALER_OPTIONS: Required<Omit<ClusterAutoscalerOptions, 'random'>> = {
  scanIntervalMs: 10_000,
  scaleDownUnneededTimeMs: 600_000,
  scaleDownUtilizationThreshold: 0.5,
  scaleDownDelayAfterAddMs: 600_000,
  scaleDownEnabled: true,
};

export const EVENT_REASONS = {
  triggeredScaleUp: 'TriggeredScaleUp',
  notTriggerScaleUp: 'NotTriggerScaleUp',
  scaleDown: 'ScaleDown',
  scaleDownFailed: 'ScaleDownFailed',
} as const;

interface ClusterState {
  unneededSince: Map<string, number>;
  lastScaleUpMs?: number;
  recorder?: EventRecorder;
}

interface WorkloadView {
  client: Client;
  nodes: FullNode[];
  pods: FullPod[];
  budgets: Budget[];
}

function readyNode(n: FullNode): boolean {
  const conds = (n as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function unschedulable(p: FullPod): boolean {
  const pod = p as FullPod & { status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] } };
  if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

function groupsInfo(list: { group: NodeGroup; from: number; to: number }[]): string {
  return list.map((g) => `{${g.group.id} ${g.from}->${g.to} (max: ${g.group.maxSize})}`).join(' ');
}

export class ClusterAutoscaler {
  private readonly opts: Required<Omit<ClusterAutoscalerOptions, 'random'>> & Pick<ClusterAutoscalerOptions, 'random'>;
  private readonly state = new Map<string, ClusterState>();
  enqueue: (req: Request) => void = () => {};

  constructor(private readonly ctx: ControllerContext, opts: ClusterAutoscalerOptions = {}) {
    this.opts = { ...DEFAULT_CLUSTER_AUTOSCALER_OPTIONS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = `${req.namespace}/${req.name}`;
    const cluster = await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, req.name);
    if (!cluster || cluster.metadata?.deletionTimestamp) {
      this.state.delete(key);
      return;
    }
    if (isPaused(cluster)) return;
    const groups = this.nodeGroups(cluster, rc);
    if (!groups.length) {
      this.state.delete(key);
      return;
    }
    if (!isTrue(cluster, CONDITIONS.controlPlaneInitialized)) return { requeueAfter: this.opts.scanIntervalMs };
    const ref: ClusterRef = { namespace: req.namespace!, name: req.name };
    const view = await this.workloadView(ref, req);
    if (!view) return { requeueAfter: this.opts.scanIntervalMs };
    let st = this.state.get(key);
    if (!st) this.state.set(key, (st = { unneededSince: new Map() }));
    st.recorder ??= new EventRecorder(view.client, { component: CONTROLLER_NAME, clock: rc.clock, onError: (e) => rc.log.debug({ err: e }, 'cluster-autoscaler: event not written') });
    await this.pass(rc, cluster, groups, view, st);
    return { requeueAfter: this.opts.scanIntervalMs };
  }

  /** Annotated MachineDeployments of the Cluster, and annotated MachineSets no MachineDeployment owns. */
  private nodeGroups(cluster: Cluster, rc: ReconcileContext): NodeGroup[] {
    const ns = cluster.metadata!.namespace!;
    const name = cluster.metadata!.name!;
    const out: NodeGroup[] = [];
    const kinds = [MACHINE_DEPLOYMENT_KIND, MACHINE_SET_KIND];
    for (const kind of kinds) {
      for (const obj of this.ctx.manager.informers.for(kind).lister.list({ namespace: ns })) {
        const spec = (obj as { spec?: { clusterName?: string } }).spec;
        if (spec?.clusterName !== name || obj.metadata?.deletionTimestamp) continue;
        if (kind === MACHINE_SET_KIND && (obj.metadata?.ownerReferences ?? []).some((o) => o.kind === 'MachineDeployment')) continue;
        const r = nodeGroupOf(obj);
        if (!r) continue;
        if ('error' in r) rc.log.info({ cluster: `${ns}/${name}` }, `cluster-autoscaler: ${r.error}`);
        else out.push(r.group);
      }
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  private async workloadView(ref: ClusterRef, req: Request): Promise<WorkloadView | undefined> {
    const cache = this.ctx.clusterCache;
    const wake = (): void => this.enqueue({ namespace: req.namespace, name: req.name });
    for (const kind of [NODE, POD]) if (!(await cache.watch(ref, kind, CONTROLLER_NAME, (_o, type, old) => {
      // Pods: only those that change scheduling state matter; Nodes always.
      if (kind === POD && type === 'MODIFIED' && old && unschedulable(old) === unschedulable(_o) && (old as PodLike).spec?.nodeName === (_o as PodLike).spec?.nodeName) return;
      wake();
    }))) return undefined;
    const [nodes, pods, pdbs, client] = await Promise.all([cache.informer(ref, NODE), cache.informer(ref, POD), cache.informer(ref, PDB_KIND), cache.client(ref)]);
    if (!nodes || !pods || !pdbs || !client) return undefined;
    const budgets: Budget[] = pdbs.lister.list().map((b) => {
      const o = b as KubeObject & { spec?: { selector?: LabelSelectorObject }; status?: { disruptionsAllowed?: number } };
      return { namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '', selector: labelSelectorFromObject(o.spec?.selector ?? {}), disruptionsAllowed: o.status?.disruptionsAllowed ?? 0 };
    });
    return { client, nodes: nodes.lister.list() as FullNode[], pods: pods.lister.list() as FullPod[], budgets };
  }

  private async pass(rc: ReconcileContext, cluster: Cluster, groups: NodeGroup[], view: WorkloadView, st: ClusterState): Promise<void> {
    const now = rc.clock.nowMs();
    const machines = this.ctx.manager.informers.for(MACHINE_KIND).lister.withLabel(CLUSTER_NAME_LABEL, cluster.metadata!.name!) as Machine[];
    const machineOfNode = new Map<string, Machine>();
    const groupOfNode = new Map<string, NodeGroup>();
    for (const m of machines) {
      if (m.metadata?.namespace !== cluster.metadata!.namespace) continue;
      const nodeName = m.status?.nodeRef?.name;
      if (!nodeName) continue;
      machineOfNode.set(nodeName, m);
      const labels = m.metadata?.labels ?? {};
      const g = groups.find((x) => (x.kind === 'MachineDeployment' ? labels[MACHINE_DEPLOYMENT_NAME_LABEL] === x.name : labels[MACHINE_SET_NAME_LABEL] === x.name));
      if (g) groupOfNode.set(nodeName, g);
    }
    const ready = new Set(view.nodes.filter(readyNode).map((n) => n.metadata!.name!));
    const counts = new Map<string, NodeCounts>(groups.map((g) => [g.id, { total: 0, ready: 0, notStarted: 0 }]));
    const member = new Map<string, FullNode>();
    for (const n of view.nodes) {
      const g = groupOfNode.get(n.metadata!.name!);
      if (!g) continue;
      const c = counts.get(g.id)!;
      c.total++;
      if (ready.has(n.metadata!.name!)) {
        c.ready++;
        if (!member.has(g.id)) member.set(g.id, n);
      } else c.notStarted++;
    }

    // ---- scale up
    const forScaleUp: GroupForScaleUp[] = [];
    for (const g of groups) {
      const infra = member.has(g.id) ? undefined : infraTemplateFacts(await this.infraTemplate(rc, g));
      forScaleUp.push({ group: g, template: templateNode(g, 0, { member: member.get(g.id), infra }), upcoming: Math.max(0, g.replicas - counts.get(g.id)!.ready) });
    }
    // Not-ready members are counted as upcoming (their template stands in for them).
    const liveNodes = view.nodes.filter((n) => ready.has(n.metadata!.name!) || !groupOfNode.has(n.metadata!.name!));
    const pending = view.pods.filter(unschedulable);
    const bound = view.pods.filter((p) => p.spec?.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    let scaledUp = false;
    if (pending.length) {
      const d = decideScaleUp({ nodes: liveNodes as NodeLike[], boundPods: bound, pending, groups: forScaleUp, random: this.opts.random });
      if (d.best) {
        const b = d.best;
        await this.setReplicas(rc, b.group, b.to);
        scaledUp = true;
        st.lastScaleUpMs = now;
        rc.log.info({ group: b.group.id, from: b.from, to: b.to, pods: b.pods.length }, 'cluster-autoscaler: scale-up');
        const info = groupsInfo([b]);
        for (const p of b.pods) void st.recorder!.event(p as KubeObject, 'Normal', EVENT_REASONS.triggeredScaleUp, `pod triggered scale-up: [${info}]`);
        b.group.replicas = b.to;
      }
      const helped = new Set(d.best?.pods ?? []);
      for (const { pod, reasons } of d.noScaleUp) {
        if (helped.has(pod)) continue;
        // Upstream's shape: each reason with the number of node groups it came from.
        const tally = new Map<string, number>();
        for (const r of reasons) tally.set(r.reason, (tally.get(r.reason) ?? 0) + 1);
        const why = tally.size ? [...tally].map(([r, n]) => `${n} ${r}`).join(', ') : 'no node group can take it';
        void st.recorder!.event(pod as KubeObject, 'Normal', EVENT_REASONS.notTriggerScaleUp, `pod didn't trigger scale-up: ${why}`);
      }
    }

    // ---- scale down
    const sd = decideScaleDown({
      nodes: view.nodes,
      pods: view.pods,
      groupOf: groupOfNode,
      ready,
      budgets: view.budgets,
      unneededSince: st.unneededSince,
      now,
      utilizationThreshold: this.opts.scaleDownUtilizationThreshold,
      unneededTimeMs: this.opts.scaleDownUnneededTimeMs,
    });
    st.unneededSince = sd.unneeded;
    const inCooldown = scaledUp || (st.lastScaleUpMs !== undefined && now - st.lastScaleUpMs < this.opts.scaleDownDelayAfterAddMs);
    const removed = new Map<string, number>();
    if (this.opts.scaleDownEnabled && !inCooldown) {
      for (const v of sd.remove) {
        const node = view.nodes.find((n) => n.metadata?.name === v.node)!;
        const machine = machineOfNode.get(v.node);
        const group = groupOfNode.get(v.node)!;
        if (!machine) continue;
        if (await this.removeNode(rc, view, st, node, v, machine, group)) {
          removed.set(group.id, (removed.get(group.id) ?? 0) + 1);
          st.unneededSince.delete(v.node);
        }
      }
    }

    // ---- status
    const groupStatus = groups.map((g) => ({
      id: g.id,
      minSize: g.minSize,
      maxSize: g.maxSize,
      target: g.replicas - (removed.get(g.id) ?? 0),
      registered: counts.get(g.id)!,
      scaleUpInProgress: g.replicas > counts.get(g.id)!.ready,
      scaleDownCandidates: [...sd.unneeded.keys()].filter((n) => groupOfNode.get(n)?.id === g.id).length,
    }));
    await this.writeStatus(rc, view.client, {
      now: rfc3339(rc.clock.now()),
      registered: { total: view.nodes.length, ready: ready.size, notStarted: view.nodes.length - ready.size },
      scaleUpInProgress: groupStatus.some((g) => g.scaleUpInProgress),
      scaleDownCandidates: sd.unneeded.size,
      groups: groupStatus,
    });
  }

  private async infraTemplate(rc: ReconcileContext, g: NodeGroup): Promise<KubeObject | undefined> {
    const ref = (g.object as { spec?: { template?: { spec?: { infrastructureRef?: { apiVersion?: string; kind?: string; name?: string; namespace?: string } } } } }).spec?.template?.spec?.infrastructureRef;
    if (!ref?.apiVersion || !ref.kind || !ref.name) return undefined;
    return tryGet(rc.client, { apiVersion: ref.apiVersion, kind: ref.kind }, ref.namespace ?? g.namespace, ref.name);
  }

  private async setReplicas(rc: ReconcileContext, g: NodeGroup, replicas: number): Promise<void> {
    const kind = g.kind === 'MachineDeployment' ? MACHINE_DEPLOYMENT_KIND : MACHINE_SET_KIND;
    await rc.client.patch(kind, { namespace: g.namespace, name: g.name }, { type: 'merge', body: { spec: { replicas } } });
  }

  /** Taint, evict, mark the Machine and lower the group: the provider's DeleteNodes after upstream's drain. */
  private async removeNode(rc: ReconcileContext, view: WorkloadView, st: ClusterState, node: FullNode, v: NodeVerdict, machine: Machine, group: NodeGroup): Promise<boolean> {
    const rec = st.recorder!;
    const name = v.node;
    const kind = group.kind === 'MachineDeployment' ? MACHINE_DEPLOYMENT_KIND : MACHINE_SET_KIND;
    // The size as stored now (the cache may lag behind our own last change).
    const fresh = await rc.client.get<KubeObject & { spec?: { replicas?: number } }>(kind, { namespace: group.namespace, name: group.name });
    const size = fresh.spec?.replicas ?? 1;
    if (size - 1 < group.minSize) return false;
    const taints = [...(node.spec?.taints ?? []).filter((t) => t.key !== TO_BE_DELETED_TAINT), { key: TO_BE_DELETED_TAINT, value: String(Math.floor(rc.clock.nowMs() / 1000)), effect: 'NoSchedule' }];
    await view.client.patch(NODE, { name }, { type: 'merge', body: { spec: { taints } } });
    void rec.event(node as KubeObject, 'Normal', EVENT_REASONS.scaleDown, 'marked the node as toBeDeleted/unschedulable');
    for (const p of v.podsToMove) {
      const key = { namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '' };
      try {
        void rec.event(p as KubeObject, 'Normal', EVENT_REASONS.scaleDown, `deleting pod for node scale down`);
        await view.client.createSubresource(POD, key, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: key });
      } catch (e) {
        if (isNotFound(e)) continue;
        // A PodDisruptionBudget (429) or any other refusal: give the Node back.
        const why = e instanceof TooManyRequestsError ? `not allowed by a PodDisruptionBudget: ${e.message}` : errorText(e);
        await view.client.patch(NODE, { name }, { type: 'merge', body: { spec: { taints: (node.spec?.taints ?? []).filter((t) => t.key !== TO_BE_DELETED_TAINT) } } });
        void rec.event(node as KubeObject, 'Warning', EVENT_REASONS.scaleDownFailed, `failed to drain the node: cannot evict pod ${key.namespace}/${key.name}: ${why}`);
        return false;
      }
    }
    await rc.client.patch(MACHINE_KIND, { namespace: machine.metadata!.namespace!, name: machine.metadata!.name! }, { type: 'merge', body: { metadata: { annotations: { [DELETE_MACHINE_ANNOTATION]: rfc3339(rc.clock.now()) } } } });
    await this.setReplicas(rc, group, size - 1);
    void rec.event(node as KubeObject, 'Normal', EVENT_REASONS.scaleDown, 'node removed by cluster autoscaler');
    rc.log.info({ group: group.id, node: name, machine: machine.metadata!.name, to: size - 1 }, 'cluster-autoscaler: scale-down');
    return true;
  }

  private async writeStatus(rc: ReconcileContext, client: Client, input: Parameters<typeof statusDocument>[0]): Promise<void> {
    const key = { namespace: STATUS_NAMESPACE, name: STATUS_CONFIGMAP_NAME };
    const existing = await tryGet<KubeObject & { data?: Record<string, string> }>(client, CONFIGMAP_KIND, key.namespace, key.name);
    const status = statusDocument(input, existing?.data?.status);
    const annotations = { [LAST_UPDATED_ANNOTATION]: input.now };
    try {
      if (existing) await client.patch(CONFIGMAP_KIND, key, { type: 'merge', body: { metadata: { annotations }, data: { status } } });
      else await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...key, annotations }, data: { status } } as KubeObject);
    } catch (e) {
      rc.log.debug({ err: e }, 'cluster-autoscaler: status ConfigMap not written');
    }
  }
}

function clusterOf(obj: KubeObject): Request[] {
  const name = (obj as { spec?: { clusterName?: string } }).spec?.clusterName;
  return name ? [{ namespace: obj.metadata?.namespace, name }] : [];
}

/**
 * Register the cluster autoscaler: one pass per Cluster with node groups, every scan interval and whenever its
 * MachineDeployments, MachineSets, Machines or the workload cluster's Nodes and Pods change.
 */
export function setupClusterAutoscaler(ctx: ControllerContext, opts: ClusterAutoscalerOptions = {}): Controller {
  ctx.reader.cache(CLUSTER_KIND);
  ctx.reader.cache(MACHINE_DEPLOYMENT_KIND);
  ctx.reader.cache(MACHINE_SET_KIND);
  ctx.reader.cache(MACHINE_KIND);
  const reconciler = new ClusterAutoscaler(ctx, opts);
  const controller = ctx.manager.add({
    name: CONTROLLER_NAME,
    for: CLUSTER_KIND,
    reconciler,
    workers: 4,
    watches: [
      { type: MACHINE_DEPLOYMENT_KIND, map: clusterOf },
      { type: MACHINE_SET_KIND, map: clusterOf },
      { type: MACHINE_KIND, map: clusterOf },
    ],
  });
  reconciler.enqueue = (r) => controller.enqueue(r);
  return controller;
}
