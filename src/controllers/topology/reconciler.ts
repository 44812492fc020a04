/**
 * The topology controller (Cluster API's ClusterTopology reconciler): for every Cluster with `spec.topology`, compute
 * the desired state with the ClusterClass engine and write the difference — infrastructure cluster, control plane and
 * its machine template, MachineDeployments with their templates, MachineHealthChecks — by server-side apply under one
 * field manager. Templates rotate on spec change (a new name) and go once nothing refers to them; the control plane
 * upgrades first and workers follow (the engine's version plan). The Cluster's TopologyReconciled condition says
 * what the rollout waits for.
 */
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { isNotFound } from '../../client/errors.js';
import { setCondition } from '../../runtime/conditions.js';
import { isBeingDeleted } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  ANNOTATIONS,
  LABELS,
  PatchError,
  TopologyError,
  VersionPlanError,
  computeDesiredState,
  type ClusterClass,
  type DesiredState,
  type ObjectReference as TopologyRef,
} from '../../topology/index.js';
import {
  CLUSTER_CLASS_KIND,
  CLUSTER_KIND,
  CONDITIONS,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_HEALTH_CHECK_KIND,
  MACHINE_POOL_KIND,
  MACHINE_SET_KIND,
  type Cluster,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { isPaused } from '../shared/cluster.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { CacheExpectations } from '../shared/expectations.js';
import { mutable } from '../shared/reader.js';
import { applyObject, sameTemplateSpec, stampHash, upToDate } from './apply.js';
import { readCurrentState, type TopologyObjects } from './current-state.js';
import { TOPOLOGY_REASONS, topologyCondition } from './status.js';

export const CONTROLLER_NAME = 'topology';
/** Clusters by the ClusterClass they use: `namespace/class`. */
export const CLASS_INDEX = 'topology.class';
/** MachineDeployments and MachineSets by their Cluster: `namespace/cluster`. */
export const BY_CLUSTER_INDEX = 'topology.by-cluster';
/** A class or variable error is retried this late (a change of the Cluster or class comes first, by watch). */
const CONFIG_ERROR_REQUEUE_MS = 5 * 60_000;
/** While the cache has not seen this controller's own writes yet. */
const CACHE_WAIT_MS = 500;

/** A problem of the Cluster or ClusterClass the user must fix: reported in the condition, not retried in a loop. */
function isConfigError(e: unknown): boolean {
  return e instanceof TopologyError || e instanceof VersionPlanError || e instanceof PatchError || (e instanceof StatusError && (e.code === 422 || e.code === 404)) || e instanceof ClassNotFoundError;
}

class ClassNotFoundError extends Error {
  constructor(namespace: string, name: string) {
    super(`ClusterClass ${namespace}/${name} not found: create it or change spec.topology.class`);
    this.name = 'ClassNotFoundError';
  }
}

function errorText(e: unknown): string {
  if (e instanceof StatusError) {
    const causes = e.details?.causes ?? [];
    if (causes.length) return causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`.replace(/^: /, '')).join('; ');
  }
  if (e instanceof TopologyError) return `${e.object}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function kindOf(o: { apiVersion?: string; kind?: string }): { apiVersion: string; kind: string } {
  return { apiVersion: o.apiVersion ?? '', kind: o.kind ?? '' };
}

function describe(o: KubeObject): string {
  return `${o.kind} "${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}"`;
}

function versionOf(o: KubeObject | undefined, path: 'cp' | 'md'): string | undefined {
  const spec = o?.spec as Record<string, unknown> | undefined;
  const v = path === 'cp' ? spec?.version : (spec?.template as { spec?: { version?: unknown } } | undefined)?.spec?.version;
  return typeof v === 'string' ? v : undefined;
}

export class TopologyReconciler {
  readonly expectations: CacheExpectations;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new CacheExpectations(ctx.manager.clock);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, req.name);
    if (!stored) {
      this.expectations.forget(`${req.namespace}/${req.name}`);
      return;
    }
    // Deletion of the topology's objects is the Cluster controller's (workers, then control plane, then infrastructure).
    if (!stored.spec?.topology || isBeingDeleted(stored)) return;
    const owner = `${req.namespace}/${req.name}`;
    if (!this.expectations.satisfied(owner)) return { requeueAfter: CACHE_WAIT_MS };
    const cluster = mutable(stored);
    const helper = new PatchHelper(rc.client, stored);
    let result: Result = {};
    let failure: unknown;
    if (isPaused(stored)) {
      setCondition(cluster, { type: CONDITIONS.topologyReconciled, status: 'False', reason: TOPOLOGY_REASONS.paused, severity: 'Info', message: 'Cluster is paused: the topology is not reconciled until it is unpaused' }, rc.clock);
    } else {
      try {
        result = await this.reconcileTopology(rc, cluster, owner);
      } catch (e) {
        if (isConfigError(e)) {
          const message = errorText(e);
          setCondition(cluster, { type: CONDITIONS.topologyReconciled, status: 'False', reason: TOPOLOGY_REASONS.failed, severity: 'Error', message }, rc.clock);
          void rc.recorder.event(stored, 'Warning', TOPOLOGY_REASONS.failed, message);
          result = { requeueAfter: CONFIG_ERROR_REQUEUE_MS };
        } else {
          setCondition(cluster, { type: CONDITIONS.topologyReconciled, status: 'False', reason: TOPOLOGY_REASONS.failed, severity: 'Error', message: errorText(e) }, rc.clock);
          failure = e;
        }
      }
    }
    try {
      const out = await helper.patch(cluster);
      if (out.object) this.expectations.expectWrite(owner, this.ctx.manager.informers.for(CLUSTER_KIND), out.object);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  private async reconcileTopology(rc: ReconcileContext, cluster: Cluster, owner: string): Promise<Result> {
    const topology = cluster.spec!.topology!;
    const namespace = cluster.metadata!.namespace ?? 'default';
    const classNamespace = (topology as { classNamespace?: string }).classNamespace || namespace;
    const clusterClass = await this.ctx.reader.get<ClusterClass>(CLUSTER_CLASS_KIND, classNamespace, topology.class);
    if (!clusterClass) throw new ClassNotFoundError(classNamespace, topology.class);
    const observed = (clusterClass.status as { observedGeneration?: number } | undefined)?.observedGeneration;
    if (clusterClass.metadata?.generation !== undefined && observed !== clusterClass.metadata.generation) {
      setCondition(
        cluster,
        {
          type: CONDITIONS.topologyReconciled,
          status: 'False',
          reason: TOPOLOGY_REASONS.classNotReconciled,
          severity: 'Info',
          message: `ClusterClass ${classNamespace}/${topology.class} not reconciled. If this condition persists please check ClusterClass status. A ClusterClass is reconciled if .status.observedGeneration == .metadata.generation is true.`,
        },
        rc.clock,
      );
      return {};
    }

    const templates = await this.classTemplates(clusterClass, classNamespace);
    const current = await readCurrentState(
      this.ctx.reader,
      cluster,
      (ns, name) => this.byCluster(MACHINE_DEPLOYMENT_KIND, ns, name),
      (ns, name) => this.byCluster(MACHINE_POOL_KIND, ns, name),
    );
    await this.watchControlPlaneKind(clusterClass);
    const desired = computeDesiredState(clusterClass, cluster, (ref, ns) => templates.get(refKey(ref, ns)), current.state, {
      random: this.ctx.random,
      sameTemplateSpec,
    });

    await this.write(rc, cluster, current.state.infrastructureCluster, desired.infrastructureCluster);
    await this.writeControlPlane(rc, cluster, owner, desired, current);
    // The Cluster points at what the topology made (patched with the condition at the end).
    cluster.spec!.infrastructureRef = desired.cluster.spec!.infrastructureRef;
    cluster.spec!.controlPlaneRef = desired.cluster.spec!.controlPlaneRef;
    await this.writeMachineDeployments(rc, cluster, owner, desired, current);
    await this.writeMachinePools(rc, cluster, owner, desired, current);
    await this.collectTemplates(rc, cluster, desired, current);

    const deferredBy = (t: { metadata?: { annotations?: Record<string, string> } }): boolean =>
      t.metadata?.annotations?.[ANNOTATIONS.deferUpgrade] !== undefined || t.metadata?.annotations?.[ANNOTATIONS.holdUpgradeSequence] !== undefined;
    const deferred = new Set([
      ...(topology.workers?.machineDeployments ?? []).filter(deferredBy).map((t) => t.name),
      ...(topology.workers?.machinePools ?? []).filter(deferredBy).map((t) => `pool/${t.name}`),
    ]);
    const cond = topologyCondition({
      version: topology.version,
      controlPlane: current.state.controlPlane?.object ?? desired.controlPlane.object,
      versions: desired.versions,
      machineDeploymentNames: Object.fromEntries(desired.machineDeployments.map((m) => [m.topologyName, m.object.metadata?.name ?? m.topologyName])),
      machinePoolNames: Object.fromEntries(desired.machinePools.map((m) => [m.topologyName, m.object.metadata?.name ?? m.topologyName])),
      deferred,
    });
    if (cond.status === 'True') setCondition(cluster, { type: CONDITIONS.topologyReconciled, status: 'True' }, rc.clock);
    else setCondition(cluster, { type: CONDITIONS.topologyReconciled, status: 'False', reason: cond.reason!, severity: 'Info', message: cond.message! }, rc.clock);
    return {};
  }

  // ---- reads -------------------------------------------------------------------------------------------

  /** The class's templates, from the cache (every template kind the class uses is cached). */
  private async classTemplates(cc: ClusterClass, classNamespace: string): Promise<Map<string, KubeObject>> {
    const refs: TopologyRef[] = [];
    const spec = cc.spec ?? {};
    if (spec.infrastructure?.ref) refs.push(spec.infrastructure.ref);
    if (spec.controlPlane?.ref) refs.push(spec.controlPlane.ref);
    if (spec.controlPlane?.machineInfrastructure?.ref) refs.push(spec.controlPlane.machineInfrastructure.ref);
    for (const md of spec.workers?.machineDeployments ?? []) {
      if (md.template?.bootstrap?.ref) refs.push(md.template.bootstrap.ref);
      if (md.template?.infrastructure?.ref) refs.push(md.template.infrastructure.ref);
    }
    for (const mp of spec.workers?.machinePools ?? []) {
      if (mp.template?.bootstrap?.ref) refs.push(mp.template.bootstrap.ref);
      if (mp.template?.infrastructure?.ref) refs.push(mp.template.infrastructure.ref);
    }
    const out = new Map<string, KubeObject>();
    for (const ref of refs) {
      if (!ref.apiVersion || !ref.kind || !ref.name) continue;
      const kind = { apiVersion: ref.apiVersion, kind: ref.kind };
      this.ctx.reader.cache(kind);
      const ns = ref.namespace || classNamespace;
      const t = await this.ctx.reader.get(kind, ns, ref.name);
      if (t) out.set(refKey(ref, classNamespace), t);
    }
    return out;
  }

  private byCluster(kind: { apiVersion: string; kind: string }, namespace: string, cluster: string): KubeObject[] {
    return this.ctx.manager.informers.for(kind).cache.byIndex(BY_CLUSTER_INDEX, `${namespace}/${cluster}`);
  }

  /** Control-plane objects' status changes move upgrades on: watch the class's control-plane kind. */
  private async watchControlPlaneKind(cc: ClusterClass): Promise<void> {
    const ref = cc.spec?.controlPlane?.ref;
    if (!ref?.apiVersion || !ref.kind) return;
    const kind = { apiVersion: ref.apiVersion, kind: ref.kind.replace(/Template$/, '') };
    // Controller.watchKind and reader.cache do nothing for a kind they already have.
    const controller = this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
    await controller?.watchKind(kind, topologyOwnedToCluster);
    this.ctx.reader.cache(kind);
  }

  // ---- writes ------------------------------------------------------------------------------------------

  /** Apply `desired` unless `current` already holds it; an Event on the Cluster for every write. */
  private async write(rc: ReconcileContext, cluster: Cluster, current: KubeObject | undefined, desired: KubeObject, opts: { template?: boolean; versionPath?: 'cp' | 'md' } = {}): Promise<KubeObject | undefined> {
    stampHash(desired, !!opts.template);
    if (upToDate(current, desired)) return undefined;
    const written = await applyObject(rc.client, desired);
    if (!current) void rc.recorder.event(cluster, 'Normal', 'TopologyCreate', `Created ${describe(desired)}`);
    else {
      const from = opts.versionPath ? versionOf(current, opts.versionPath) : undefined;
      const to = opts.versionPath ? versionOf(desired, opts.versionPath) : undefined;
      void rc.recorder.event(cluster, 'Normal', 'TopologyUpdate', `Updated ${describe(desired)}${from && to && from !== to ? ` with version change from ${from} to ${to}` : ''}`);
    }
    return written;
  }

  private async remove(rc: ReconcileContext, cluster: Cluster, obj: KubeObject): Promise<void> {
    try {
      await rc.client.delete(kindOf(obj), { namespace: obj.metadata?.namespace, name: obj.metadata!.name! });
      void rc.recorder.event(cluster, 'Normal', 'TopologyDelete', `Deleted ${describe(obj)}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async writeControlPlane(rc: ReconcileContext, cluster: Cluster, owner: string, desired: DesiredState, current: TopologyObjects): Promise<void> {
    const cp = desired.controlPlane;
    const currentCP = current.state.controlPlane;
    if (cp.infrastructureMachineTemplate) {
      const decision = desired.templates.find((t) => t.role === 'controlPlaneMachineInfrastructure');
      const cur = decision?.change === 'rotate' || decision?.change === 'create' ? undefined : currentCP?.infrastructureMachineTemplate;
      await this.write(rc, cluster, cur, cp.infrastructureMachineTemplate, { template: true });
    }
    const written = await this.write(rc, cluster, currentCP?.object, cp.object, { versionPath: 'cp' });
    if (written) this.expectations.expectWrite(owner, this.ctx.manager.informers.for(kindOf(written)), written);
    const checkName = cp.object.metadata?.name ?? '';
    if (cp.machineHealthCheck) await this.write(rc, cluster, current.healthChecks.get(checkName), this.ownedByCluster(cp.machineHealthCheck, cluster));
    else if (current.healthChecks.has(checkName)) await this.remove(rc, cluster, current.healthChecks.get(checkName)!);
  }

  private async writeMachineDeployments(rc: ReconcileContext, cluster: Cluster, owner: string, desired: DesiredState, current: TopologyObjects): Promise<void> {
    const mdInformer = this.ctx.manager.informers.for(MACHINE_DEPLOYMENT_KIND);
    const wanted = new Set<string>();
    for (const md of desired.machineDeployments) {
      wanted.add(md.topologyName);
      const cur = current.state.machineDeployments?.[md.topologyName];
      if (!cur && md.version.pendingCreate) continue;
      const decisions = desired.templates.filter((t) => t.topologyName === md.topologyName);
      const fresh = (role: string): boolean => ['rotate', 'create'].includes(decisions.find((d) => d.role === role)?.change ?? 'create');
      await this.write(rc, cluster, fresh('machineDeploymentBootstrap') ? undefined : cur?.bootstrapTemplate, md.bootstrapTemplate, { template: true });
      await this.write(rc, cluster, fresh('machineDeploymentInfrastructure') ? undefined : cur?.infrastructureMachineTemplate, md.infrastructureMachineTemplate, { template: true });
      const written = await this.write(rc, cluster, cur?.object, md.object, { versionPath: 'md' });
      if (written) this.expectations.expectWrite(owner, mdInformer, written);
      const checkName = md.object.metadata?.name ?? '';
      if (md.machineHealthCheck) await this.write(rc, cluster, current.healthChecks.get(checkName), this.ownedByCluster(md.machineHealthCheck, cluster));
      else if (current.healthChecks.has(checkName)) await this.remove(rc, cluster, current.healthChecks.get(checkName)!);
    }
    // MachineDeployments dropped from the topology go, with their health checks (their templates follow once unused).
    for (const [topologyName, md] of current.machineDeployments) {
      if (wanted.has(topologyName)) continue;
      const check = current.healthChecks.get(md.metadata?.name ?? '');
      if (check) await this.remove(rc, cluster, check);
      await this.remove(rc, cluster, md);
      this.expectations.expectDeletion(owner, mdInformer, md);
    }
  }

  /**
   * MachinePools with their bootstrap config and infrastructure machine pool: created before the pool, updated in
   * place (they are objects, not templates); a pool dropped from the topology is deleted (its controller deletes
   * its bootstrap config and infrastructure).
   */
  private async writeMachinePools(rc: ReconcileContext, cluster: Cluster, owner: string, desired: DesiredState, current: TopologyObjects): Promise<void> {
    const mpInformer = this.ctx.manager.informers.for(MACHINE_POOL_KIND);
    const wanted = new Set<string>();
    for (const mp of desired.machinePools) {
      wanted.add(mp.topologyName);
      const cur = current.state.machinePools?.[mp.topologyName];
      if (!cur && mp.version.pendingCreate) continue;
      await this.write(rc, cluster, cur?.bootstrapObject, mp.bootstrapObject);
      await this.write(rc, cluster, cur?.infrastructureMachinePool, mp.infrastructureMachinePool);
      const written = await this.write(rc, cluster, cur?.object, mp.object, { versionPath: 'md' });
      if (written) this.expectations.expectWrite(owner, mpInformer, written);
    }
    for (const [topologyName, mp] of current.machinePools) {
      if (wanted.has(topologyName)) continue;
      await this.remove(rc, cluster, mp);
      this.expectations.expectDeletion(owner, mpInformer, mp);
    }
  }

  private ownedByCluster(obj: KubeObject, cluster: Cluster): KubeObject {
    if (!cluster.metadata?.uid) return obj;
    obj.metadata ??= {};
    obj.metadata.ownerReferences = [{ apiVersion: cluster.apiVersion ?? CLUSTER_KIND.apiVersion, kind: 'Cluster', name: cluster.metadata.name!, uid: cluster.metadata.uid }];
    return obj;
  }

  /**
   * Delete the topology's templates nothing refers to any more: not the control plane, no MachineDeployment and no
   * MachineSet of the Cluster (old MachineSets keep the templates of earlier revisions alive).
   */
  private async collectTemplates(rc: ReconcileContext, cluster: Cluster, desired: DesiredState, current: TopologyObjects): Promise<void> {
    const namespace = cluster.metadata!.namespace ?? 'default';
    const name = cluster.metadata!.name!;
    const referenced = new Set<string>();
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    const note = (ref: ObjectReference | undefined): void => {
      if (!ref?.kind || !ref.name) return;
      referenced.add(`${ref.kind}/${ref.name}`);
      if (ref.apiVersion) kinds.set(`${ref.apiVersion}|${ref.kind}`, { apiVersion: ref.apiVersion, kind: ref.kind });
    };
    const machineRefs = (o: KubeObject | undefined): void => {
      const spec = (o?.spec as { template?: { spec?: { bootstrap?: { configRef?: ObjectReference }; infrastructureRef?: ObjectReference } } } | undefined)?.template?.spec;
      note(spec?.bootstrap?.configRef);
      note(spec?.infrastructureRef);
    };
    const cpInfraRef = (o: KubeObject | undefined): ObjectReference | undefined => (o?.spec as { machineTemplate?: { infrastructureRef?: ObjectReference } } | undefined)?.machineTemplate?.infrastructureRef;
    note(cpInfraRef(desired.controlPlane.object));
    note(cpInfraRef(current.state.controlPlane?.object));
    for (const md of desired.machineDeployments) machineRefs(md.object);
    for (const md of current.machineDeployments.values()) machineRefs(md);
    const machineSets = this.ctx.manager.informers.for(MACHINE_SET_KIND).cache.byIndex(BY_CLUSTER_INDEX, `${namespace}/${name}`);
    for (const ms of machineSets) machineRefs(ms);

    const unused: KubeObject[] = [];
    const ofCluster = { requirements: [{ key: LABELS.clusterName, operator: '=' as const, values: [name] }] };
    for (const kind of kinds.values()) {
      this.ctx.reader.cache(kind);
      const items = await this.ctx.reader.list(kind, namespace, ofCluster);
      for (const t of items) {
        const labels = t.metadata?.labels ?? {};
        if (labels[LABELS.clusterName] !== name || labels[LABELS.topologyOwned] === undefined || t.metadata?.deletionTimestamp) continue;
        if (!referenced.has(`${t.kind}/${t.metadata?.name}`)) unused.push(t);
      }
    }
    if (!unused.length) return;
    // The cache may lag behind a MachineSet just created from an older template: confirm with a fresh list.
    const fresh = await rc.client.list(MACHINE_SET_KIND, { namespace, labelSelector: `${LABELS.clusterName}=${name}` });
    for (const ms of fresh.items) machineRefs(ms);
    for (const t of unused) if (!referenced.has(`${t.kind}/${t.metadata?.name}`)) await this.remove(rc, cluster, t);
  }
}

function refKey(ref: TopologyRef, namespace: string): string {
  return `${ref.kind}|${ref.namespace || namespace}|${ref.name}`;
}

/** An object the topology owns → its Cluster. */
function topologyOwnedToCluster(o: KubeObject): Request[] {
  const name = o.metadata?.labels?.[LABELS.clusterName];
  return name && o.metadata?.labels?.[LABELS.topologyOwned] !== undefined ? [{ namespace: o.metadata?.namespace, name }] : [];
}

function byClusterIndex(o: KubeObject): string[] {
  const name = o.metadata?.labels?.[LABELS.clusterName];
  return name ? [`${o.metadata?.namespace ?? ''}/${name}`] : [];
}

/** Register the topology controller. */
export function setupTopologyController(ctx: ControllerContext, opts: { workers?: number } = {}): TopologyReconciler {
  const r = new TopologyReconciler(ctx);
  const clusters = ctx.reader.cache(CLUSTER_KIND);
  if (!clusters.cache.hasIndex(CLASS_INDEX)) {
    clusters.addIndexers({
      [CLASS_INDEX]: (c) => {
        const t = (c as Cluster).spec?.topology;
        if (!t?.class) return [];
        return [`${(t as { classNamespace?: string }).classNamespace || c.metadata?.namespace || ''}/${t.class}`];
      },
    });
  }
  ctx.reader.cache(CLUSTER_CLASS_KIND);
  ctx.reader.cache(MACHINE_HEALTH_CHECK_KIND);
  for (const kind of [MACHINE_DEPLOYMENT_KIND, MACHINE_SET_KIND, MACHINE_POOL_KIND]) {
    const inf = ctx.reader.cache(kind);
    if (!inf.cache.hasIndex(BY_CLUSTER_INDEX)) inf.addIndexers({ [BY_CLUSTER_INDEX]: byClusterIndex });
  }
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: CLUSTER_KIND,
    reconciler: r,
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      {
        type: CLUSTER_CLASS_KIND,
        map: (cc) => clusters.cache.byIndex(CLASS_INDEX, `${cc.metadata?.namespace ?? ''}/${cc.metadata?.name ?? ''}`).map((c) => ({ namespace: c.metadata?.namespace, name: c.metadata!.name! })),
      },
      { type: MACHINE_DEPLOYMENT_KIND, map: topologyOwnedToCluster },
      { type: MACHINE_POOL_KIND, map: topologyOwnedToCluster },
      // MachineSets hold old templates: their removal lets the topology's template collection go on.
      { type: MACHINE_SET_KIND, map: (o) => (o.metadata?.deletionTimestamp ? topologyOwnedToCluster(o) : []) },
    ],
  });
  return r;
}
