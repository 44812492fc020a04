/**
 * The MachinePool controller (Cluster API's experimental machine pool reconciler): the pool's bootstrap config becomes
 * ready → its data Secret goes into the template; the infrastructure machine pool (e.g. a SimMachinePool) boots the
 * instances and reports their provider IDs, which are copied to spec.providerIDList; the Nodes with those provider IDs
 * become status.nodeRefs, and Nodes of instances that left the list are deleted. On deletion the infrastructure and the
 * bootstrap config go first, then the Nodes, then the pool.
 */
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { markFalse, markTrue, setSummary } from '../../runtime/conditions.js';
import { addFinalizer, isBeingDeleted, removeFinalizer, setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  MACHINE_POOL_FINALIZER,
  MACHINE_POOL_KIND,
  NODE_CLUSTER_NAME_ANNOTATION,
  NODE_CLUSTER_NAMESPACE_ANNOTATION,
  NODE_OWNER_KIND_ANNOTATION,
  NODE_OWNER_NAME_ANNOTATION,
  REASONS,
  type Cluster,
  type MachinePool,
  type MachinePoolPhase,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { AUTOSCALER_MAX_SIZE_ANNOTATION, AUTOSCALER_MIN_SIZE_ANNOTATION } from '../../api/cluster/replicas.js';
import { getClusterOf, isPaused } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';
import { mirrorReady } from '../shared/conditions.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { externalFailure, getExternal, isExternalReady } from '../shared/external.js';
import { lowestRequeue } from '../shared/result.js';
import { NODE_KIND, summarizeNodeConditions } from '../machine/reconciler.js';

export const CONTROLLER_NAME = 'machinepool';
/** Index of a workload cluster's Nodes by spec.providerID (this controller's own informer index). */
const NODE_PROVIDER_ID_INDEX = 'machinepool.providerID';
const EXTERNAL_WAIT_MS = 30_000;
const REPLICAS_WAIT_MS = 30_000;
export const WAITING_FOR_REPLICAS_READY_REASON = 'WaitingForReplicasReady';

interface Scope {
  cluster: Cluster;
  mp: MachinePool;
  bootstrap?: KubeObject;
  infra?: KubeObject;
}

export class MachinePoolReconciler {
  constructor(private readonly ctx: ControllerContext) {}

  private get controller() {
    return this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<MachinePool>(MACHINE_POOL_KIND, req.namespace, req.name);
    if (!stored) return;
    const cluster = await getClusterOf(this.ctx.reader, stored);
    if (!cluster) {
      if (isBeingDeleted(stored) && stored.metadata?.finalizers?.includes(MACHINE_POOL_FINALIZER)) {
        // The Cluster is gone already: its Nodes went with it.
        await this.releaseFinalizer(rc, stored);
        return;
      }
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    if (isPaused(cluster, stored)) return;
    const mp = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    (mp.metadata!.labels ??= {})[CLUSTER_NAME_LABEL] = mp.spec.clusterName;
    if (!(mp.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Cluster')) setOwnerReference(mp, cluster);
    if (!isBeingDeleted(mp)) addFinalizer(mp, MACHINE_POOL_FINALIZER);
    const s: Scope = { cluster, mp };
    let result: Result = {};
    let failure: unknown;
    try {
      const boot = await this.reconcileBootstrap(rc, s);
      const infra = await this.reconcileInfrastructure(rc, s);
      if (isBeingDeleted(mp)) result = lowestRequeue(boot, infra, await this.reconcileDelete(rc, s));
      else result = lowestRequeue(boot, infra, await this.reconcileNodeRefs(rc, s));
    } catch (e) {
      failure = e;
    }
    const status = (mp.status ??= {});
    status.phase = machinePoolPhase(mp);
    if (!failure) status.observedGeneration = mp.metadata?.generation;
    setSummary(mp, { conditions: [CONDITIONS.bootstrapReady, CONDITIONS.infrastructureReady, CONDITIONS.replicasReady] }, rc.clock);
    try {
      await helper.patch(mp);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  private async releaseFinalizer(rc: ReconcileContext, mp: MachinePool): Promise<void> {
    const rest = (mp.metadata?.finalizers ?? []).filter((f) => f !== MACHINE_POOL_FINALIZER);
    await rc.client.patch(MACHINE_POOL_KIND, { namespace: mp.metadata?.namespace, name: mp.metadata!.name! }, { type: 'merge', body: { metadata: { finalizers: rest.length ? rest : null } } }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  }

  // ---- provider objects -----------------------------------------------------------------------------

  /** A provider object of the pool, owned by it and labelled with its cluster (watched from the first time its kind is seen). */
  private async external(rc: ReconcileContext, s: Scope, ref: ObjectReference): Promise<KubeObject | undefined> {
    if (ref.apiVersion && ref.kind) {
      await this.controller?.watchKind({ apiVersion: ref.apiVersion, kind: ref.kind }, ownerMachinePoolRequests);
      this.ctx.reader.cache({ apiVersion: ref.apiVersion, kind: ref.kind });
    }
    const obj = await getExternal(this.ctx.reader, ref, s.mp.metadata?.namespace);
    if (!obj || isBeingDeleted(s.mp)) return obj;
    const copy = structuredClone(obj);
    let changed = setOwnerReference(copy, s.mp);
    const labels = (copy.metadata!.labels ??= {});
    if (labels[CLUSTER_NAME_LABEL] !== s.cluster.metadata!.name) {
      labels[CLUSTER_NAME_LABEL] = s.cluster.metadata!.name!;
      changed = true;
    }
    if (!changed) return obj;
    try {
      return await rc.client.patch({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! }, {
        type: 'merge',
        body: { metadata: { ownerReferences: copy.metadata!.ownerReferences, labels: { [CLUSTER_NAME_LABEL]: s.cluster.metadata!.name } } },
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async reconcileBootstrap(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { mp } = s;
    const status = (mp.status ??= {});
    const bootstrap = mp.spec.template.spec.bootstrap;
    const ref = bootstrap?.configRef;
    if (!ref) {
      if (bootstrap?.dataSecretName) {
        status.bootstrapReady = true;
        markTrue(mp, CONDITIONS.bootstrapReady, rc.clock);
      }
      return {};
    }
    const obj = await this.external(rc, s, ref);
    if (!obj) {
      if (isBeingDeleted(mp)) return {};
      markFalse(mp, CONDITIONS.bootstrapReady, REASONS.waitingForDataSecret, 'Info', `${ref.kind} "${ref.name}" does not exist yet`, rc.clock);
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    s.bootstrap = obj;
    const ready = isExternalReady(obj);
    mirrorReady(mp, CONDITIONS.bootstrapReady, obj, isBeingDeleted(mp) ? { ok: false, reason: REASONS.deleting } : { ok: ready, reason: REASONS.waitingForDataSecret }, rc.clock);
    if (!ready) return {};
    const secretName = isPlainObject(obj.status) && typeof obj.status.dataSecretName === 'string' ? obj.status.dataSecretName : undefined;
    if (!secretName) throw new Error(`${ref.kind} "${ref.name}" is ready but has no status.dataSecretName`);
    mp.spec.template.spec.bootstrap.dataSecretName = secretName;
    if (!status.bootstrapReady) rc.recorder.event(mp, 'Normal', 'BootstrapReady', `Bootstrap data for MachinePool ${mp.metadata!.name} is ready in Secret ${secretName}`);
    status.bootstrapReady = true;
    return {};
  }

  private async reconcileInfrastructure(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { mp } = s;
    const status = (mp.status ??= {});
    const ref = mp.spec.template.spec.infrastructureRef;
    const obj = await this.external(rc, s, ref);
    if (!obj) {
      if (isBeingDeleted(mp)) return {};
      if (status.infrastructureReady) {
        status.failureReason = 'InvalidConfiguration';
        status.failureMessage = `MachinePool infrastructure resource ${ref.apiVersion}, Kind=${ref.kind} with name "${ref.name}" has been deleted after being ready`;
        markFalse(mp, CONDITIONS.infrastructureReady, REASONS.incorrectExternalRef, 'Error', status.failureMessage, rc.clock);
        return {};
      }
      markFalse(mp, CONDITIONS.infrastructureReady, REASONS.waitingForInfrastructure, 'Info', `${ref.kind} "${ref.name}" does not exist yet`, rc.clock);
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    s.infra = obj;
    const ready = isExternalReady(obj);
    mirrorReady(mp, CONDITIONS.infrastructureReady, obj, isBeingDeleted(mp) ? { ok: false, reason: REASONS.deleting } : { ok: ready, reason: REASONS.waitingForInfrastructure }, rc.clock);
    const failure = externalFailure(obj);
    if (failure) {
      status.failureReason = failure.reason ?? status.failureReason;
      if (failure.message) status.failureMessage = `Failure detected from referenced resource ${obj.apiVersion}, Kind=${obj.kind} with name "${obj.metadata?.name}": ${failure.message}`;
    } else {
      delete status.failureReason;
      delete status.failureMessage;
    }
    const infraSpec = isPlainObject(obj.spec) ? obj.spec : {};
    const infraStatus = isPlainObject(obj.status) ? obj.status : {};
    if (Array.isArray(infraSpec.providerIDList)) {
      const list = infraSpec.providerIDList.filter((x): x is string => typeof x === 'string');
      if (list.length) mp.spec.providerIDList = list;
      else delete mp.spec.providerIDList;
    }
    if (typeof infraStatus.replicas === 'number') status.replicas = infraStatus.replicas;
    if (!ready) return {};
    if (!status.infrastructureReady) rc.recorder.event(mp, 'Normal', 'InfrastructureReady', `Infrastructure of MachinePool ${mp.metadata!.name} is ready`);
    status.infrastructureReady = true;
    return {};
  }

  // ---- Nodes ---------------------------------------------------------------------------------------

  private clusterRef(s: Scope): ClusterRef {
    return { namespace: s.cluster.metadata!.namespace!, name: s.cluster.metadata!.name! };
  }

  /** The workload cluster's Nodes by provider ID (undefined while its API server is not reachable). */
  private async nodesByProviderID(s: Scope): Promise<Map<string, KubeObject> | undefined> {
    const ref = this.clusterRef(s);
    const watched = await this.ctx.clusterCache.watch(ref, NODE_KIND, CONTROLLER_NAME, (node) => {
      const a = node.metadata?.annotations ?? {};
      if (a[NODE_OWNER_KIND_ANNOTATION] === 'MachinePool' && a[NODE_OWNER_NAME_ANNOTATION]) {
        this.controller?.enqueue({ namespace: a[NODE_CLUSTER_NAMESPACE_ANNOTATION] || ref.namespace, name: a[NODE_OWNER_NAME_ANNOTATION] });
        return;
      }
      // A Node not claimed yet: the pools of its cluster whose provider ID list names it.
      const pid = providerIDOf(node);
      if (!pid) return;
      for (const mp of this.ctx.manager.informers.for(MACHINE_POOL_KIND).lister.withLabel(CLUSTER_NAME_LABEL, ref.name)) {
        if (mp.metadata?.namespace !== ref.namespace) continue;
        if ((mp as MachinePool).spec?.providerIDList?.includes(pid)) this.controller?.enqueue({ namespace: ref.namespace, name: mp.metadata!.name! });
      }
    });
    if (!watched) return undefined;
    const inf = await this.ctx.clusterCache.informer(ref, NODE_KIND);
    if (!inf) return undefined;
    if (!inf.cache.hasIndex(NODE_PROVIDER_ID_INDEX)) inf.addIndexers({ [NODE_PROVIDER_ID_INDEX]: (n) => (providerIDOf(n) ? [providerIDOf(n)!] : []) });
    const out = new Map<string, KubeObject>();
    for (const pid of s.mp.spec.providerIDList ?? []) {
      const node = inf.cache.byIndex(NODE_PROVIDER_ID_INDEX, pid)[0];
      if (node) out.set(pid, node);
    }
    // Nodes the pool referenced before (to find retired ones).
    for (const r of s.mp.status?.nodeRefs ?? []) {
      const node = r.name ? inf.cache.get(r.name) : undefined;
      const pid = node ? providerIDOf(node) : undefined;
      if (node && pid && !out.has(pid)) out.set(pid, node);
    }
    return out;
  }

  private async reconcileNodeRefs(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { mp } = s;
    const status = (mp.status ??= {});
    const want = mp.spec.replicas ?? 1;
    const providerIDs = mp.spec.providerIDList ?? [];
    if (!providerIDs.length && want !== 0 && !(status.nodeRefs ?? []).length) {
      markFalse(mp, CONDITIONS.replicasReady, WAITING_FOR_REPLICAS_READY_REASON, 'Info', 'Waiting for the infrastructure to report provider IDs', rc.clock);
      return {};
    }
    const nodes = await this.nodesByProviderID(s);
    if (!nodes) {
      markFalse(mp, CONDITIONS.replicasReady, REASONS.nodeInspectionFailed, 'Info', 'Waiting for the workload cluster API server to be reachable', rc.clock);
      return { requeueAfter: 10_000 };
    }
    const client = await this.ctx.clusterCache.client(this.clusterRef(s));
    // Nodes of instances the infrastructure retired go (as upstream's deleteRetiredNodes).
    const listed = new Set(providerIDs);
    for (const [pid, node] of nodes) {
      if (listed.has(pid)) continue;
      nodes.delete(pid);
      if (!client) continue;
      try {
        await client.delete(NODE_KIND, { name: node.metadata!.name! });
        rc.recorder.event(mp, 'Normal', 'SuccessfulDeleteNode', `Deleted Node ${node.metadata!.name} of a retired instance (${pid})`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const version = mp.spec.template.spec.version;
    const minReadyMs = (mp.spec.minReadySeconds ?? 0) * 1000;
    const refs: ObjectReference[] = [];
    let ready = 0;
    let available = 0;
    let nextAvailableIn: number | undefined;
    for (const pid of providerIDs) {
      const node = nodes.get(pid);
      if (!node) continue;
      refs.push({ apiVersion: 'v1', kind: 'Node', name: node.metadata!.name!, uid: node.metadata!.uid });
      if (!summarizeNodeConditions(node).ok) continue;
      ready++;
      // Available: Ready for minReadySeconds and running the pool's version (so a version rollout reads as in progress).
      const kubeletVersion = (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion;
      if (version && kubeletVersion && kubeletVersion !== version) continue;
      const since = readySince(node);
      const left = since === undefined ? 0 : since + minReadyMs - rc.clock.nowMs();
      if (left > 0) {
        nextAvailableIn = Math.min(nextAvailableIn ?? left, left);
        continue;
      }
      available++;
    }
    const before = (status.nodeRefs ?? []).map((r) => r.name).join(',');
    status.nodeRefs = refs.length ? refs : undefined;
    if (before !== refs.map((r) => r.name).join(',') && refs.length) rc.recorder.event(mp, 'Normal', 'SuccessfulSetNodeRefs', refs.map((r) => r.name).join(', '));
    if (!status.nodeRefs) delete status.nodeRefs;
    status.readyReplicas = ready;
    status.availableReplicas = available;
    status.unavailableReplicas = Math.max(0, (status.replicas ?? 0) - available);
    if (client) await this.syncNodeAnnotations(s, client, nodes);
    if ((status.replicas ?? 0) !== ready || refs.length !== ready || ready !== want) {
      markFalse(mp, CONDITIONS.replicasReady, WAITING_FOR_REPLICAS_READY_REASON, 'Info', `${ready} of ${want} Nodes Ready`, rc.clock);
      return { requeueAfter: nextAvailableIn ?? REPLICAS_WAIT_MS };
    }
    markTrue(mp, CONDITIONS.replicasReady, rc.clock);
    return nextAvailableIn !== undefined ? { requeueAfter: nextAvailableIn } : {};
  }

  /** The annotations Cluster API puts on a pool's Nodes (cluster, namespace, owner kind and name). */
  private async syncNodeAnnotations(s: Scope, client: Client, nodes: Map<string, KubeObject>): Promise<void> {
    const want: Record<string, string> = {
      [NODE_CLUSTER_NAME_ANNOTATION]: s.cluster.metadata!.name!,
      [NODE_CLUSTER_NAMESPACE_ANNOTATION]: s.mp.metadata!.namespace!,
      [NODE_OWNER_KIND_ANNOTATION]: 'MachinePool',
      [NODE_OWNER_NAME_ANNOTATION]: s.mp.metadata!.name!,
    };
    for (const node of nodes.values()) {
      const have = node.metadata?.annotations ?? {};
      const missing = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
      if (!Object.keys(missing).length) continue;
      try {
        await client.patch(NODE_KIND, { name: node.metadata!.name! }, { type: 'merge', body: { metadata: { annotations: missing } } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // ---- deletion ------------------------------------------------------------------------------------

  private async reconcileDelete(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { mp } = s;
    for (const obj of [s.infra, s.bootstrap]) {
      if (!obj) continue;
      if (!isBeingDeleted(obj)) {
        try {
          await rc.client.delete({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      const condition = obj === s.infra ? CONDITIONS.infrastructureReady : CONDITIONS.bootstrapReady;
      markFalse(mp, condition, REASONS.deleting, 'Info', `Waiting for ${obj.kind} ${obj.metadata?.name} to be deleted`, rc.clock);
      return {};
    }
    // The Nodes go unless the whole cluster is going.
    if (!isBeingDeleted(s.cluster) && mp.status?.nodeRefs?.length) {
      const client = await this.ctx.clusterCache.client(this.clusterRef(s));
      for (const r of client ? mp.status.nodeRefs : []) {
        try {
          await client!.delete(NODE_KIND, { name: r.name! });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
    removeFinalizer(mp, MACHINE_POOL_FINALIZER);
    return {};
  }
}

function providerIDOf(node: KubeObject): string | undefined {
  const pid = (node.spec as { providerID?: unknown } | undefined)?.providerID;
  return typeof pid === 'string' && pid ? pid : undefined;
}

/** When the Node's Ready condition last turned True (ms), if it says. */
function readySince(node: KubeObject): number | undefined {
  const conditions = (node.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions ?? [];
  const t = conditions.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Upstream's phase: Pending → Provisioning → Provisioned → Running, ScalingUp/ScalingDown (Scaling under an autoscaler), Deleting; Failed wins. */
export function machinePoolPhase(mp: MachinePool): MachinePoolPhase {
  const status = mp.status ?? {};
  let phase: MachinePoolPhase = status.phase && status.phase !== 'Deleting' && status.phase !== 'Failed' ? status.phase : 'Pending';
  if (status.bootstrapReady && !status.infrastructureReady) phase = 'Provisioning';
  if (status.nodeRefs?.length) phase = 'Provisioned';
  const want = mp.spec.replicas;
  const ready = status.readyReplicas ?? 0;
  const autoscaled = mp.metadata?.annotations?.[AUTOSCALER_MIN_SIZE_ANNOTATION] !== undefined && mp.metadata?.annotations?.[AUTOSCALER_MAX_SIZE_ANNOTATION] !== undefined;
  if (status.infrastructureReady && want !== undefined) {
    if (want === ready) phase = 'Running';
    else if (want > ready) phase = autoscaled ? 'Scaling' : 'ScalingUp';
    else phase = autoscaled ? 'Scaling' : 'ScalingDown';
  }
  if (status.failureReason || status.failureMessage) phase = 'Failed';
  if (isBeingDeleted(mp)) phase = 'Deleting';
  return phase;
}

/** A provider object owned by a MachinePool → that MachinePool. */
export function ownerMachinePoolRequests(o: KubeObject): Request[] {
  const out: Request[] = [];
  for (const r of o.metadata?.ownerReferences ?? []) if (r.kind === 'MachinePool' && r.apiVersion.startsWith('cluster.x-k8s.io/')) out.push({ namespace: o.metadata?.namespace, name: r.name });
  return out;
}

/** Register the MachinePool controller. */
export function setupMachinePoolController(ctx: ControllerContext, opts: { workers?: number } = {}): void {
  ctx.reader.cache(CLUSTER_KIND);
  const pools = ctx.reader.cache(MACHINE_POOL_KIND);
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: MACHINE_POOL_KIND,
    reconciler: new MachinePoolReconciler(ctx),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      {
        type: CLUSTER_KIND,
        map: (c) => pools.lister.withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!).filter((m) => m.metadata?.namespace === c.metadata?.namespace).map((m) => ({ namespace: m.metadata?.namespace, name: m.metadata!.name! })),
      },
    ],
  });
}
