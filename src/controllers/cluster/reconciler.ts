/**
 * The Cluster controller (Cluster API's cluster reconciler): mirrors the infrastructure cluster and the control plane
 * into the Cluster (readiness, endpoint, failure domains, conditions, phase) and, on deletion, removes the workers,
 * then the control plane, then the infrastructure, and lets the Cluster go last.
 */
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { isNotFound } from '../../client/errors.js';
import { markFalse, markTrue, setSummary } from '../../runtime/conditions.js';
import { addFinalizer, isBeingDeleted, removeFinalizer, setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  CLUSTER_FINALIZER,
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  CONTROL_PLANE_LABEL,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_POOL_KIND,
  MACHINE_KIND,
  MACHINE_SET_KIND,
  REASONS,
  TLS_SERVER_NAME_ANNOTATION,
  type Cluster,
  type ClusterPhase,
  type FailureDomainSpec,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { isPaused } from '../shared/cluster.js';
import { mirrorReady } from '../shared/conditions.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { externalFailure, getExternal, isExternalReady } from '../shared/external.js';
import { lowestRequeue } from '../shared/result.js';

/** How often a deleting Cluster looks again while its descendants go (events usually come first). */
const DELETE_REQUEUE_MS = 5_000;
/** How long to wait for a referenced object that does not exist yet. */
const EXTERNAL_WAIT_MS = 30_000;

interface Scope {
  cluster: Cluster;
  infraCluster?: KubeObject;
  infraNotFound: boolean;
  controlPlane?: KubeObject;
  controlPlaneNotFound: boolean;
}

export class ClusterReconciler {
  constructor(private readonly ctx: ControllerContext) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, req.name);
    if (!stored) return;
    if (isPaused(stored)) return;
    const cluster = structuredClone(stored);
    if (!isBeingDeleted(cluster) && addFinalizer(cluster, CLUSTER_FINALIZER)) {
      await rc.client.patch(CLUSTER_KIND, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { metadata: { finalizers: cluster.metadata!.finalizers!, resourceVersion: stored.metadata!.resourceVersion! } } });
      return { requeue: true };
    }
    const helper = new PatchHelper(rc.client, stored);
    const scope: Scope = { cluster, infraNotFound: false, controlPlaneNotFound: false };
    let result: Result = {};
    let failure: unknown;
    try {
      const infra = await this.reconcileInfrastructure(rc, scope);
      const cp = await this.reconcileControlPlane(rc, scope);
      if (isBeingDeleted(cluster)) result = lowestRequeue(infra, cp, await this.reconcileDelete(rc, scope));
      else result = lowestRequeue(infra, cp);
    } catch (e) {
      failure = e;
    }
    this.summarize(scope, rc);
    try {
      await helper.patch(cluster);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  // ---- phases ---------------------------------------------------------------------------------------

  private async reconcileExternal(rc: ReconcileContext, cluster: Cluster, ref: ObjectReference): Promise<KubeObject | undefined> {
    await this.watchKind(ref);
    const obj = await getExternal(this.ctx.reader, ref, cluster.metadata?.namespace);
    if (!obj) return undefined;
    // The Cluster owns its infrastructure cluster and control plane (not as controller unless it has a topology).
    const copy = structuredClone(obj);
    const changedOwner = setOwnerReference(copy, cluster, { blockOwnerDeletion: true });
    const labels = (copy.metadata!.labels ??= {});
    const changedLabel = labels[CLUSTER_NAME_LABEL] !== cluster.metadata!.name;
    labels[CLUSTER_NAME_LABEL] = cluster.metadata!.name!;
    if (changedOwner || changedLabel) {
      const body = { metadata: { ownerReferences: copy.metadata!.ownerReferences, labels: { [CLUSTER_NAME_LABEL]: cluster.metadata!.name } } };
      try {
        return await rc.client.patch({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! }, { type: 'merge', body });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    }
    const failure = externalFailure(obj);
    if (failure) {
      const status = (cluster.status ??= {});
      if (failure.reason) status.failureReason = failure.reason;
      if (failure.message) status.failureMessage = `Failure detected from referenced resource ${obj.apiVersion}, Kind=${obj.kind} with name "${obj.metadata?.name}": ${failure.message}`;
    }
    return obj;
  }

  private async watchKind(ref: ObjectReference): Promise<void> {
    if (!ref.apiVersion || !ref.kind) return;
    const controller = this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
    const clusters = this.ctx.manager.informers.for(CLUSTER_KIND);
    // Owned objects map to their owner; a referenced object that does not name its Cluster yet, to the Clusters naming it.
    await controller?.watchKind({ apiVersion: ref.apiVersion, kind: ref.kind }, (o) => {
      const owners = ownerClusterRequests(o);
      if (owners.length) return owners;
      return clusters.cache.byIndex(REFS_INDEX, `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`).map((c) => ({ namespace: c.metadata?.namespace, name: c.metadata!.name! }));
    });
    this.ctx.reader.cache({ apiVersion: ref.apiVersion, kind: ref.kind });
  }

  private async reconcileInfrastructure(rc: ReconcileContext, s: Scope): Promise<Result> {
    const cluster = s.cluster;
    const status = (cluster.status ??= {});
    const ref = cluster.spec?.infrastructureRef;
    if (!ref) {
      if (!isBeingDeleted(cluster)) {
        status.infrastructureReady = true;
        markTrue(cluster, CONDITIONS.infrastructureReady, rc.clock);
      }
      return {};
    }
    const obj = await this.reconcileExternal(rc, cluster, ref);
    if (!obj) {
      s.infraNotFound = true;
      if (isBeingDeleted(cluster)) return {};
      if (status.infrastructureReady) throw new Error(`${ref.kind} "${ref.name}" has been deleted after being ready`);
      markFalse(cluster, CONDITIONS.infrastructureReady, REASONS.waitingForInfrastructure, 'Info', `${ref.kind} "${ref.name}" does not exist yet`, rc.clock);
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    s.infraCluster = obj;
    const ready = isExternalReady(obj);
    mirrorReady(cluster, CONDITIONS.infrastructureReady, obj, isBeingDeleted(cluster) ? { ok: false, reason: REASONS.deleting } : { ok: ready, reason: REASONS.waitingForInfrastructure }, rc.clock);
    if (isBeingDeleted(obj) || (!ready && !status.infrastructureReady)) return {};
    const spec = (cluster.spec ??= {});
    const endpoint = (obj.spec as { controlPlaneEndpoint?: { host?: string; port?: number } } | undefined)?.controlPlaneEndpoint;
    if (!spec.controlPlaneEndpoint?.host || !spec.controlPlaneEndpoint.port) {
      if (endpoint?.host && endpoint.port) spec.controlPlaneEndpoint = { host: endpoint.host, port: endpoint.port };
    }
    const serverName = obj.metadata?.annotations?.[TLS_SERVER_NAME_ANNOTATION];
    if (serverName && cluster.metadata?.annotations?.[TLS_SERVER_NAME_ANNOTATION] !== serverName) {
      (cluster.metadata!.annotations ??= {})[TLS_SERVER_NAME_ANNOTATION] = serverName;
    }
    const domains = isPlainObject(obj.status) ? (obj.status.failureDomains as Record<string, FailureDomainSpec> | undefined) : undefined;
    if (domains) status.failureDomains = domains;
    if (!status.infrastructureReady) rc.recorder.event(cluster, 'Normal', 'InfrastructureReady', `Cluster ${cluster.metadata!.name} InfrastructureReady is now true`);
    status.infrastructureReady = true;
    return {};
  }

  private async reconcileControlPlane(rc: ReconcileContext, s: Scope): Promise<Result> {
    const cluster = s.cluster;
    const status = (cluster.status ??= {});
    const ref = cluster.spec?.controlPlaneRef;
    if (!ref) return {};
    const obj = await this.reconcileExternal(rc, cluster, ref);
    if (!obj) {
      s.controlPlaneNotFound = true;
      if (isBeingDeleted(cluster)) return {};
      markFalse(cluster, CONDITIONS.controlPlaneReady, REASONS.waitingForControlPlane, 'Info', `${ref.kind} "${ref.name}" does not exist yet`, rc.clock);
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    s.controlPlane = obj;
    const cpStatus = isPlainObject(obj.status) ? obj.status : {};
    const ready = cpStatus.ready === true;
    const initialized = cpStatus.initialized === true;
    mirrorReady(cluster, CONDITIONS.controlPlaneReady, obj, isBeingDeleted(cluster) ? { ok: false, reason: REASONS.deleting } : { ok: ready, reason: REASONS.waitingForControlPlane }, rc.clock);
    if (isBeingDeleted(obj)) return {};
    if (initialized) {
      if (!cluster.status?.conditions?.some((c) => c.type === CONDITIONS.controlPlaneInitialized && c.status === 'True')) {
        rc.recorder.event(cluster, 'Normal', 'ControlPlaneInitialized', `Cluster ${cluster.metadata!.name} ControlPlaneInitialized is now true`);
      }
      markTrue(cluster, CONDITIONS.controlPlaneInitialized, rc.clock);
    } else {
      markFalse(cluster, CONDITIONS.controlPlaneInitialized, REASONS.waitingForControlPlaneProviderInitialized, 'Info', 'Waiting for control plane provider to indicate the control plane has been initialized', rc.clock);
    }
    if (ready !== !!status.controlPlaneReady && ready) rc.recorder.event(cluster, 'Normal', 'ControlPlaneReady', `Cluster ${cluster.metadata!.name} ControlPlaneReady is now true`);
    status.controlPlaneReady = ready;
    const endpoint = (obj.spec as { controlPlaneEndpoint?: { host?: string; port?: number } } | undefined)?.controlPlaneEndpoint;
    const spec = (cluster.spec ??= {});
    if ((!spec.controlPlaneEndpoint?.host || !spec.controlPlaneEndpoint.port) && endpoint?.host && endpoint.port) spec.controlPlaneEndpoint = { host: endpoint.host, port: endpoint.port };
    return {};
  }

  private async reconcileDelete(rc: ReconcileContext, s: Scope): Promise<Result> {
    const cluster = s.cluster;
    const ns = cluster.metadata!.namespace!;
    const name = cluster.metadata!.name!;
    const uid = cluster.metadata!.uid!;
    const byLabel = { requirements: [{ key: CLUSTER_NAME_LABEL, operator: '=' as const, values: [name] }] };
    const [pools, mds, mss, machines] = await Promise.all([
      this.ctx.reader.list(MACHINE_POOL_KIND, ns, byLabel),
      this.ctx.reader.list(MACHINE_DEPLOYMENT_KIND, ns, byLabel),
      this.ctx.reader.list(MACHINE_SET_KIND, ns, byLabel),
      this.ctx.reader.list(MACHINE_KIND, ns, byLabel),
    ]);
    // Control-plane Machines belong to the control plane provider when there is one.
    const workers = machines.filter((m) => !(cluster.spec?.controlPlaneRef && m.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined));
    const descendants = [...pools, ...mds, ...mss, ...workers];
    const owned = descendants.filter((o) => (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid));
    for (const child of owned) {
      if (isBeingDeleted(child)) continue;
      try {
        await rc.client.delete({ apiVersion: child.apiVersion!, kind: child.kind! }, { namespace: ns, name: child.metadata!.name! });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (descendants.length) {
      const names = descendants.map((d) => `${d.kind} ${d.metadata?.name}`);
      markFalse(cluster, CONDITIONS.ready, REASONS.deleting, 'Info', `Waiting for workers to be deleted: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ` and ${names.length - 10} more` : ''}`, rc.clock);
      return { requeueAfter: DELETE_REQUEUE_MS };
    }
    if (cluster.spec?.controlPlaneRef && s.controlPlane) {
      if (!isBeingDeleted(s.controlPlane)) await this.deleteExternal(rc, s.controlPlane);
      markFalse(cluster, CONDITIONS.controlPlaneReady, REASONS.deleting, 'Info', `Waiting for ${cluster.spec.controlPlaneRef.kind} to be deleted`, rc.clock);
      return { requeueAfter: DELETE_REQUEUE_MS };
    }
    if (cluster.spec?.infrastructureRef && s.infraCluster) {
      if (!isBeingDeleted(s.infraCluster)) await this.deleteExternal(rc, s.infraCluster);
      markFalse(cluster, CONDITIONS.infrastructureReady, REASONS.deleting, 'Info', `Waiting for ${cluster.spec.infrastructureRef.kind} to be deleted`, rc.clock);
      return { requeueAfter: DELETE_REQUEUE_MS };
    }
    removeFinalizer(cluster, CLUSTER_FINALIZER);
    rc.recorder.event(cluster, 'Normal', 'Deleted', `Cluster ${name} has been deleted`);
    return {};
  }

  private async deleteExternal(rc: ReconcileContext, obj: KubeObject): Promise<void> {
    try {
      await rc.client.delete({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  // ---- status ---------------------------------------------------------------------------------------

  private summarize(s: Scope, rc: ReconcileContext): void {
    const cluster = s.cluster;
    const status = (cluster.status ??= {});
    status.phase = phaseOf(cluster);
    if (!isBeingDeleted(cluster) || !cluster.status?.conditions?.some((c) => c.type === CONDITIONS.ready && c.reason === REASONS.deleting)) {
      const types: string[] = [CONDITIONS.controlPlaneReady, CONDITIONS.infrastructureReady];
      if (!cluster.spec?.controlPlaneRef) types.shift();
      setSummary(cluster, { conditions: types }, rc.clock);
    }
    if (cluster.metadata?.generation !== undefined) status.observedGeneration = cluster.metadata.generation;
  }
}

/** Upstream's phase order: Pending → Provisioning → Provisioned; Failed and Deleting win. */
export function phaseOf(cluster: Cluster): ClusterPhase {
  const status = cluster.status ?? {};
  let phase: ClusterPhase = status.phase && status.phase !== 'Deleting' && status.phase !== 'Failed' ? status.phase : 'Pending';
  if (cluster.spec?.infrastructureRef) phase = 'Provisioning';
  const ep = cluster.spec?.controlPlaneEndpoint;
  if (status.infrastructureReady && ep?.host && ep.port) phase = 'Provisioned';
  if (status.failureReason || status.failureMessage) phase = 'Failed';
  if (isBeingDeleted(cluster)) phase = 'Deleting';
  return phase;
}

export const CONTROLLER_NAME = 'cluster';
/** Index of Clusters by the objects they reference: `Kind/namespace/name`. */
export const REFS_INDEX = 'cluster.refs';

/** An object owned by a Cluster (or labelled with one) → that Cluster. */
export function ownerClusterRequests(o: KubeObject): Request[] {
  const ns = o.metadata?.namespace;
  for (const r of o.metadata?.ownerReferences ?? []) {
    if (r.kind === 'Cluster' && r.apiVersion.startsWith('cluster.x-k8s.io/')) return [{ namespace: ns, name: r.name }];
  }
  return [];
}

/** A descendant labelled with its cluster → that Cluster (only matters while the Cluster is being deleted). */
export function labelledClusterRequests(o: KubeObject): Request[] {
  const name = o.metadata?.labels?.[CLUSTER_NAME_LABEL];
  return name ? [{ namespace: o.metadata?.namespace, name }] : [];
}

/** Register the Cluster controller. */
export function setupClusterController(ctx: ControllerContext, opts: { workers?: number } = {}): void {
  const r = new ClusterReconciler(ctx);
  ctx.reader.cache(CLUSTER_KIND).addIndexers({
    [REFS_INDEX]: (c) => {
      const spec = (c as Cluster).spec;
      return [spec?.infrastructureRef, spec?.controlPlaneRef].filter((x): x is ObjectReference => !!x?.kind && !!x.name).map((x) => `${x.kind}/${x.namespace || c.metadata?.namespace}/${x.name}`);
    },
  });
  ctx.reader.cache(MACHINE_POOL_KIND);
  ctx.reader.cache(MACHINE_DEPLOYMENT_KIND);
  ctx.reader.cache(MACHINE_SET_KIND);
  ctx.reader.cache(MACHINE_KIND);
  const clusters = ctx.manager.informers.for(CLUSTER_KIND);
  // Descendants matter to a Cluster only while it is being deleted (it waits for them to go).
  const deletingOnly = (o: KubeObject): Request[] =>
    labelledClusterRequests(o).filter((r) => isBeingDeleted(clusters.cache.get(`${r.namespace}/${r.name}`) ?? {}));
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: CLUSTER_KIND,
    reconciler: r,
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      { type: MACHINE_POOL_KIND, map: deletingOnly },
      { type: MACHINE_DEPLOYMENT_KIND, map: deletingOnly },
      { type: MACHINE_SET_KIND, map: deletingOnly },
      { type: MACHINE_KIND, map: deletingOnly },
    ],
  });
}
