/**
 * The MachineDeployment controller (Cluster API's machinedeployment reconciler): finds or makes the MachineSet of
 * the current template (a new one on a template change or once rolloutAfter passes), adopts matching orphans, keeps
 * revisions on the MachineSets, rolls out by its strategy (RollingUpdate within maxSurge/maxUnavailable, OnDelete as
 * the user deletes old Machines), scales proportionally while paused, removes old empty MachineSets beyond
 * revisionHistoryLimit, and reports replica counts, phase and the Available and MachineSetReady conditions.
 * Deleting a MachineDeployment deletes its MachineSets first.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import type { Controller } from '../../runtime/controller.js';
import { getCondition, markFalse, markTrue, setCondition, summary } from '../../runtime/conditions.js';
import { addFinalizer, getControllerOf, isBeingDeleted, removeFinalizer, setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { cryptoRandom } from '../../topology/random.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  DESIRED_REPLICAS_ANNOTATION,
  DISABLE_MACHINE_CREATE_ANNOTATION,
  MACHINE_DEPLOYMENT_FINALIZER,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_DEPLOYMENT_NAME_LABEL,
  MACHINE_KIND,
  MACHINE_SET_KIND,
  MAX_REPLICAS_ANNOTATION,
  REASONS,
  REVISION_ANNOTATION,
  type Cluster,
  type Machine,
  type MachineDeployment,
  type MachineSet,
} from '../../api/cluster/types.js';
import { getClusterOf, isPaused, onClusterUnpaused } from '../shared/cluster.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { CacheExpectations } from '../shared/expectations.js';
import { adoptOrphan } from '../shared/adopt.js';
import { getExternal } from '../shared/external.js';
import { mutable } from '../shared/reader.js';
import { selectorMatches } from '../shared/selector.js';
import { desiredMachineSet, machineSetUpdatePatch } from './machinesets.js';
import { byCreation, deploymentComplete, desiredReplicas, findNewMachineSet, findOldMachineSets, maxSurge, msReplicas } from './mdutil.js';
import { planOnDelete, planProportionalScale, planRollingUpdate, type MachineCount, type RolloutAction, type RolloutPlan } from './rollout.js';
import { availability, calculateStatus } from './status.js';
import { errorText } from '../shared/errors.js';

export const CONTROLLER_NAME = 'machinedeployment';
const CACHE_WAIT_MS = 1_000;

export interface MachineDeploymentControllerOptions {
  /** Concurrent reconciles (default DEFAULT_CONTROLLER_WORKERS). */
  workers?: number;
}

interface Scope {
  rc: ReconcileContext;
  md: MachineDeployment;
  key: string;
  machineSets: MachineSet[];
}

function nsName(obj: KubeObject): string {
  return `${obj.metadata?.namespace}/${obj.metadata?.name}`;
}

export class MachineDeploymentReconciler {
  private readonly expectations: CacheExpectations;
  private readonly machineSetInformer: SharedInformer;
  private readonly machineInformer: SharedInformer;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new CacheExpectations(ctx.manager.clock);
    this.machineSetInformer = ctx.reader.cache(MACHINE_SET_KIND);
    this.machineInformer = ctx.reader.cache(MACHINE_KIND);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = `${req.namespace ?? ''}/${req.name}`;
    const stored = await this.ctx.reader.get<MachineDeployment>(MACHINE_DEPLOYMENT_KIND, req.namespace, req.name);
    if (!stored) {
      this.expectations.forget(key);
      return;
    }
    const cluster = await getClusterOf(this.ctx.reader, stored);
    if (!cluster && !isBeingDeleted(stored)) throw new Error(`MachineDeployment ${key}: Cluster ${req.namespace}/${stored.spec?.clusterName} not found (spec.clusterName)`);
    if (cluster && isPaused(cluster, stored)) return;
    // Plan nothing until the cache shows this controller's last writes to MachineSets.
    if (!this.expectations.satisfied(key)) return { requeueAfter: CACHE_WAIT_MS };

    const md = mutable(stored);
    const helper = new PatchHelper(rc.client, stored);
    const s: Scope = { rc, md, key, machineSets: [] };
    let result: Result = {};
    let failure: unknown;
    try {
      if (isBeingDeleted(md)) await this.reconcileDelete(s);
      else {
        addFinalizer(md, MACHINE_DEPLOYMENT_FINALIZER);
        result = await this.reconcileNormal(s, cluster!);
      }
    } catch (e) {
      failure = e;
    }
    const types = [CONDITIONS.available].filter((t) => getCondition(md, t));
    if (types.length) setCondition(md, summary(md, { conditions: types }), rc.clock);
    try {
      await helper.patch(md);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) {
      if (!isBeingDeleted(md)) rc.recorder.event(stored, 'Warning', 'ReconcileError', errorText(failure));
      throw failure;
    }
    return result;
  }

  private async reconcileNormal(s: Scope, cluster: Cluster): Promise<Result> {
    const md = s.md;
    (md.metadata!.labels ??= {})[CLUSTER_NAME_LABEL] = md.spec.clusterName;
    md.spec.selector ??= {};
    md.spec.selector.matchLabels ??= {};
    ((md.spec.template.metadata ??= {}).labels ??= {});
    setOwnerReference(md, cluster);
    const templatesExist = await this.templatesExist(md);
    await this.getAndAdoptMachineSets(s);
    await this.ensureDeploymentNameLabel(s);
    if (md.spec.paused) {
      await this.sync(s, templatesExist);
      return {};
    }
    const type = md.spec.strategy?.type ?? 'RollingUpdate';
    if (type !== 'RollingUpdate' && type !== 'OnDelete') throw new Error(`MachineDeployment ${s.key}: spec.strategy.type: unexpected deployment strategy type ${JSON.stringify(type)} (RollingUpdate or OnDelete)`);
    await this.rollout(s, templatesExist);
    return this.rolloutAfterRequeue(s);
  }

  /** Until spec.rolloutAfter passes, come back exactly then. */
  private rolloutAfterRequeue(s: Scope): Result {
    const text = s.md.spec.rolloutAfter;
    if (!text) return {};
    const at = Date.parse(text);
    const now = s.rc.clock.nowMs();
    return Number.isFinite(at) && at > now ? { requeueAfter: at - now } : {};
  }

  /** The bootstrap and infrastructure templates exist (a new MachineSet is made only then). */
  private async templatesExist(md: MachineDeployment): Promise<boolean> {
    const ns = md.metadata!.namespace;
    const tpl = md.spec.template.spec;
    const infra = tpl.infrastructureRef ? await getExternal(this.ctx.reader, tpl.infrastructureRef, ns) : undefined;
    if (!infra) return false;
    if (tpl.bootstrap?.configRef) return !!(await getExternal(this.ctx.reader, tpl.bootstrap.configRef, ns));
    return true;
  }

  /** MachineSets this deployment controls, after adopting orphans its selector matches. */
  private async getAndAdoptMachineSets(s: Scope): Promise<void> {
    const md = s.md;
    const ns = md.metadata!.namespace;
    const uid = md.metadata!.uid!;
    const seen = new Set<string>();
    const candidates: MachineSet[] = [];
    const lister = this.machineSetInformer.lister;
    for (const ms of [...lister.ownedBy(uid), ...lister.withLabel(CLUSTER_NAME_LABEL, md.spec.clusterName)] as MachineSet[]) {
      const name = ms.metadata!.name!;
      if (ms.metadata?.namespace !== ns || seen.has(name)) continue;
      seen.add(name);
      candidates.push(ms);
    }
    const out: MachineSet[] = [];
    for (const ms of candidates) {
      const controller = getControllerOf(ms);
      const mine = controller?.uid === uid;
      if (!mine && !selectorMatches(md.spec.selector, ms.metadata?.labels)) continue;
      if (!controller) {
        if (isBeingDeleted(md)) continue;
        try {
          const adopted = await adoptOrphan(s.rc.client, ms, md);
          if (adopted) {
            this.expectations.expectWrite(s.key, this.machineSetInformer, adopted);
            s.rc.recorder.event(md, 'Normal', 'SuccessfulAdopt', `Adopted MachineSet "${ms.metadata!.name}"`);
            out.push(adopted);
          }
        } catch (e) {
          s.rc.recorder.event(md, 'Warning', 'FailedAdopt', `Failed to adopt MachineSet "${ms.metadata!.name}": ${errorText(e)}`);
        }
        continue;
      }
      if (mine) out.push(ms);
    }
    s.machineSets = out;
  }

  /** Every MachineSet of the deployment carries the deployment-name label. */
  private async ensureDeploymentNameLabel(s: Scope): Promise<void> {
    const name = s.md.metadata!.name!;
    for (let i = 0; i < s.machineSets.length; i++) {
      const ms = s.machineSets[i]!;
      if (ms.metadata?.labels?.[MACHINE_DEPLOYMENT_NAME_LABEL] === name) continue;
      s.machineSets[i] = await this.patchMachineSet(s, ms, { metadata: { labels: { [MACHINE_DEPLOYMENT_NAME_LABEL]: name } } }, `failed to apply ${MACHINE_DEPLOYMENT_NAME_LABEL} label to MachineSet "${ms.metadata!.name}"`);
    }
  }

  private async patchMachineSet(s: Scope, ms: MachineSet, body: Record<string, unknown>, what: string): Promise<MachineSet> {
    try {
      const updated = await s.rc.client.patch<MachineSet>(MACHINE_SET_KIND, { namespace: ms.metadata!.namespace, name: ms.metadata!.name! }, { type: 'merge', body });
      this.expectations.expectWrite(s.key, this.machineSetInformer, updated);
      return updated;
    } catch (e) {
      throw new Error(`${what}: ${errorText(e)}`);
    }
  }

  // ---- new and old MachineSets --------------------------------------------------------------------------

  /**
   * The new MachineSet (its in-place fields and revision brought up to date) and the old ones; with `create`, the
   * new one is made when none matches. The deployment's revision annotation follows the new MachineSet's.
   */
  private async newAndOld(s: Scope, create: boolean, templatesExist: boolean): Promise<{ newMS?: MachineSet; oldMSs: MachineSet[] }> {
    const md = s.md;
    const now = s.rc.clock.nowMs();
    const oldMSs = findOldMachineSets(md, s.machineSets, now);
    const found = findNewMachineSet(md, s.machineSets, now);
    let newMS: MachineSet | undefined;
    if (found.machineSet) {
      const desired = desiredMachineSet(md, oldMSs, { existing: found.machineSet });
      const body = machineSetUpdatePatch(found.machineSet, desired);
      newMS = body ? await this.patchMachineSet(s, found.machineSet, body, `failed to update MachineSet ${nsName(found.machineSet)}`) : found.machineSet;
    } else if (create) {
      if (!templatesExist) throw new Error(`MachineDeployment ${s.key}: cannot create a new MachineSet when templates do not exist (spec.template.spec.infrastructureRef / bootstrap.configRef)`);
      newMS = await this.createMachineSet(s, oldMSs, found.reason);
    }
    if (newMS) {
      const revision = newMS.metadata?.annotations?.[REVISION_ANNOTATION];
      if (revision !== undefined) (md.metadata!.annotations ??= {})[REVISION_ANNOTATION] = revision;
    }
    return { newMS, oldMSs };
  }

  private async createMachineSet(s: Scope, oldMSs: MachineSet[], reason: string): Promise<MachineSet> {
    const random = this.ctx.random ?? cryptoRandom;
    const desired = desiredMachineSet(s.md, oldMSs, { suffix: random(5) });
    try {
      const created = await s.rc.client.create(desired);
      this.expectations.expectWrite(s.key, this.machineSetInformer, created);
      s.rc.recorder.event(s.md, 'Normal', 'SuccessfulCreate', `Created MachineSet ${nsName(created)} (${reason})`);
      return created;
    } catch (e) {
      s.rc.recorder.event(s.md, 'Warning', 'FailedCreate', `Failed to create MachineSet ${nsName(desired)}: ${errorText(e)}`);
      throw new Error(`failed to create new MachineSet ${nsName(desired)}: ${errorText(e)}`);
    }
  }

  // ---- strategies ---------------------------------------------------------------------------------------------

  private async rollout(s: Scope, templatesExist: boolean): Promise<void> {
    const { newMS, oldMSs } = await this.newAndOld(s, true, templatesExist);
    if (!newMS) return;
    const plan = s.md.spec.strategy?.type === 'OnDelete' ? planOnDelete(s.md, newMS, oldMSs, (ms) => this.machineCount(ms)) : planRollingUpdate(s.md, newMS, oldMSs);
    const written = await this.apply(s, plan, [newMS, ...oldMSs]);
    this.syncStatus(s, plan);
    // Cleanup looks at what was written (a MachineSet scaled just now has a generation its status has not seen).
    if (deploymentComplete(s.md, s.md.status ?? {})) await this.cleanupOldMachineSets(s, plan.oldMSs.map((ms) => written.get(ms.metadata!.name!) ?? ms));
  }

  /** A paused deployment: no new MachineSet, replica changes spread proportionally. */
  private async sync(s: Scope, templatesExist: boolean): Promise<void> {
    const { newMS, oldMSs } = await this.newAndOld(s, false, templatesExist);
    const plan = planProportionalScale(s.md, newMS, oldMSs);
    await this.apply(s, plan, newMS ? [newMS, ...oldMSs] : oldMSs);
    this.syncStatus(s, plan);
  }

  /** Machines of an old MachineSet (by its selector): how many, and how many are being deleted. */
  private machineCount(ms: MachineSet): MachineCount {
    const ns = ms.metadata?.namespace;
    const machines = (this.machineInformer.lister.withLabel(CLUSTER_NAME_LABEL, ms.spec.clusterName) as Machine[]).filter((m) => m.metadata?.namespace === ns && selectorMatches(ms.spec.selector, m.metadata?.labels));
    return { total: machines.length, deleting: machines.filter((m) => isBeingDeleted(m)).length };
  }

  /**
   * Write the plan's steps in order; the first failure stops the rest (the next reconcile plans again). Returns the
   * MachineSets as written, by name.
   */
  private async apply(s: Scope, plan: RolloutPlan, sets: MachineSet[]): Promise<Map<string, MachineSet>> {
    const byName = new Map(sets.map((ms) => [ms.metadata!.name!, ms]));
    const written = new Map<string, MachineSet>();
    for (const a of plan.actions) {
      const ms = byName.get(a.machineSet);
      if (!ms) throw new Error(`rollout plan names unknown MachineSet ${a.machineSet}`);
      const updated = await this.applyAction(s, s.md, ms, a);
      byName.set(a.machineSet, updated);
      written.set(a.machineSet, updated);
    }
    return written;
  }

  private async applyAction(s: Scope, md: MachineDeployment, ms: MachineSet, a: RolloutAction): Promise<MachineSet> {
    if (a.type === 'machineCreation') {
      return this.patchMachineSet(s, ms, { metadata: { annotations: { [DISABLE_MACHINE_CREATE_ANNOTATION]: a.disable ? 'true' : null } } }, `failed to ${a.disable ? 'disable' : 'enable'} machine creation on MachineSet ${nsName(ms)}`);
    }
    const desired = desiredReplicas(md);
    const body = { spec: { replicas: a.to }, metadata: { annotations: { [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(desired + maxSurge(md)) } } };
    try {
      const updated = await this.patchMachineSet(s, ms, body, `failed to scale MachineSet ${nsName(ms)}`);
      s.rc.recorder.event(md, 'Normal', 'SuccessfulScale', `Scaled MachineSet ${nsName(ms)}: ${a.from} -> ${a.to}`);
      return updated;
    } catch (e) {
      s.rc.recorder.event(md, 'Warning', 'FailedScale', `Failed to scale MachineSet ${nsName(ms)}: ${errorText(e)}`);
      throw e;
    }
  }

  /** Status from the MachineSets as planned, the Available and MachineSetReady conditions. */
  private syncStatus(s: Scope, plan: RolloutPlan): void {
    const md = s.md;
    const clock = s.rc.clock;
    const all = plan.newMS ? [...plan.oldMSs, plan.newMS] : plan.oldMSs;
    md.status = calculateStatus(all, plan.newMS, md);
    const a = availability(md, md.status);
    if (a.available) markTrue(md, CONDITIONS.available, clock);
    else markFalse(md, CONDITIONS.available, REASONS.waitingForAvailableMachines, 'Warning', a.message, clock);
    const ready = plan.newMS ? getCondition(plan.newMS, CONDITIONS.ready) : undefined;
    if (ready) setCondition(md, { type: CONDITIONS.machineSetReady, status: ready.status, severity: ready.severity || undefined, reason: ready.reason, message: ready.message }, clock);
    else markFalse(md, CONDITIONS.machineSetReady, REASONS.waitingForMachineSet, 'Info', plan.newMS ? '' : 'MachineSet not found', clock);
  }

  /** Old MachineSets beyond spec.revisionHistoryLimit that are empty and settled are deleted, oldest first. */
  private async cleanupOldMachineSets(s: Scope, oldMSs: MachineSet[]): Promise<void> {
    const limit = s.md.spec.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldMSs.filter((ms) => !isBeingDeleted(ms)).sort(byCreation);
    const excess = cleanable.length - limit;
    for (let i = 0; i < excess; i++) {
      const ms = cleanable[i]!;
      if ((ms.status?.replicas ?? 0) !== 0 || msReplicas(ms) !== 0 || (ms.metadata?.generation ?? 0) > (ms.status?.observedGeneration ?? 0)) continue;
      try {
        await s.rc.client.delete(MACHINE_SET_KIND, { namespace: ms.metadata!.namespace, name: ms.metadata!.name! });
      } catch (e) {
        if (isNotFound(e)) continue;
        s.rc.recorder.event(s.md, 'Warning', 'FailedDelete', `Failed to delete MachineSet "${ms.metadata!.name}": ${errorText(e)}`);
        throw new Error(`failed to delete old MachineSet ${nsName(ms)}: ${errorText(e)}`);
      }
      this.expectations.expectDeletion(s.key, this.machineSetInformer, ms);
      s.rc.recorder.event(s.md, 'Normal', 'SuccessfulDelete', `Deleted MachineSet "${ms.metadata!.name}"`);
    }
  }

  /** Deleting the deployment: its MachineSets go first (they delete their Machines), the finalizer last. */
  private async reconcileDelete(s: Scope): Promise<void> {
    await this.getAndAdoptMachineSets(s);
    if (!s.machineSets.length) {
      removeFinalizer(s.md, MACHINE_DEPLOYMENT_FINALIZER);
      return;
    }
    for (const ms of s.machineSets) {
      if (isBeingDeleted(ms)) continue;
      try {
        await s.rc.client.delete(MACHINE_SET_KIND, { namespace: ms.metadata!.namespace, name: ms.metadata!.name! });
      } catch (e) {
        if (!isNotFound(e)) throw new Error(`failed to delete MachineSet ${nsName(ms)}: ${errorText(e)}`);
      }
      this.expectations.expectDeletion(s.key, this.machineSetInformer, ms);
    }
  }
}

/** Deployments whose selector matches an orphan MachineSet (one without a controller), to adopt it. */
function deploymentsForOrphan(deployments: SharedInformer, ms: KubeObject): Request[] {
  if (getControllerOf(ms)) return [];
  const labels = ms.metadata?.labels;
  if (!labels || !Object.keys(labels).length) return [];
  return (deployments.lister.list({ namespace: ms.metadata?.namespace ?? '' }) as MachineDeployment[])
    .filter((md) => selectorMatches(md.spec?.selector, labels))
    .map((md) => ({ namespace: md.metadata?.namespace, name: md.metadata!.name! }));
}

/** A Machine of a deployment being deleted → its deployment (OnDelete rollouts move as old Machines go). */
function deploymentOfDeletingMachine(m: KubeObject): Request[] {
  const name = m.metadata?.labels?.[MACHINE_DEPLOYMENT_NAME_LABEL];
  return name && m.metadata?.deletionTimestamp ? [{ namespace: m.metadata?.namespace, name }] : [];
}

/** Register the MachineDeployment controller: deployments, their MachineSets (and orphans), Clusters unpausing. */
export function setupMachineDeploymentController(ctx: ControllerContext, opts: MachineDeploymentControllerOptions = {}): Controller {
  ctx.reader.cache(CLUSTER_KIND);
  const deployments = ctx.reader.cache(MACHINE_DEPLOYMENT_KIND);
  const reconciler = new MachineDeploymentReconciler(ctx);
  return ctx.manager.add({
    name: CONTROLLER_NAME,
    for: MACHINE_DEPLOYMENT_KIND,
    owns: [MACHINE_SET_KIND],
    reconciler,
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      { type: MACHINE_SET_KIND, map: (ms) => deploymentsForOrphan(deployments, ms) },
      { type: MACHINE_KIND, map: deploymentOfDeletingMachine },
      {
        type: CLUSTER_KIND,
        map: onClusterUnpaused((c) =>
          (deployments.lister.withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!) as MachineDeployment[])
            .filter((md) => md.metadata?.namespace === c.metadata?.namespace)
            .map((md) => ({ namespace: md.metadata?.namespace, name: md.metadata!.name! })),
        ),
      },
    ],
  });
}
