/**
 * The MachineSet controller (Cluster API's machineset reconciler): keeps spec.replicas Machines matching the
 * selector. New Machines get their bootstrap config and infrastructure machine cloned from the template's templates
 * (owned by the MachineSet until the Machine controller takes them over), and nothing is left behind when a step
 * fails; scaling down deletes by deletePolicy and delete priority; orphans matching the selector are adopted;
 * Machines a MachineHealthCheck handed over are deleted and replaced (honouring the MachineDeployment's
 * remediation.maxInFlight). Deleting a MachineSet deletes its Machines first. After creating or deleting Machines the
 * controller counts again only once its cache has seen those writes.
 */
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { matchesLabels } from '../../apimachinery/selectors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import { getCondition, setCondition, deleteCondition, summary } from '../../runtime/conditions.js';
import { addFinalizer, getControllerOf, isBeingDeleted, removeFinalizer, setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { Controller } from '../../runtime/controller.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  DISABLE_MACHINE_CREATE_ANNOTATION,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_DEPLOYMENT_NAME_LABEL,
  MACHINE_KIND,
  MACHINE_SET_FINALIZER,
  MACHINE_SET_KIND,
  REASONS,
  REVISION_ANNOTATION,
  type Cluster,
  type Machine,
  type MachineDeployment,
  type MachineSet,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { getClusterOf, isPaused, onClusterUnpaused } from '../shared/cluster.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { CacheExpectations } from '../shared/expectations.js';
import { adoptOrphan } from '../shared/adopt.js';
import { cloneFromTemplate, ownerReferenceTo } from '../shared/external.js';
import { mutable } from '../shared/reader.js';
import { lowestRequeue } from '../shared/result.js';
import { nonEmptySelector, selectorMatches } from '../shared/selector.js';
import { deletePriorityFor, machinesToDelete } from './deletion-order.js';
import { inPlaceMachinePatch, machineAnnotations, machineLabels, machineName, newMachine } from './machines.js';
import { planRemediation } from './remediation.js';
import { countMachines, machinesReadyCondition, sizeConditions, type ConditionChange } from './status.js';
import { errorText } from '../shared/errors.js';

export const CONTROLLER_NAME = 'machineset';
/** While the cache has not caught up with this controller's writes, look again after this long (events usually come first). */
const CACHE_WAIT_MS = 1_000;

export interface MachineSetControllerOptions {
  /** Concurrent reconciles (default DEFAULT_CONTROLLER_WORKERS). */
  workers?: number;
}

interface Scope {
  rc: ReconcileContext;
  cluster?: Cluster;
  ms: MachineSet;
  key: string;
  machines: Machine[];
  /** The Machines were listed (status is written only then). */
  listed: boolean;
}

function describe(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`;
}

export class MachineSetReconciler {
  private readonly expectations: CacheExpectations;
  private readonly machineInformer: SharedInformer;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new CacheExpectations(ctx.manager.clock);
    this.machineInformer = ctx.reader.cache(MACHINE_KIND);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<MachineSet>(MACHINE_SET_KIND, req.namespace, req.name);
    const key = `${req.namespace ?? ''}/${req.name}`;
    if (!stored) {
      this.expectations.forget(key);
      return;
    }
    const cluster = await getClusterOf(this.ctx.reader, stored);
    if (!cluster && !isBeingDeleted(stored)) throw new Error(`MachineSet ${key}: Cluster ${req.namespace}/${stored.spec?.clusterName} not found (spec.clusterName)`);
    if (cluster && isPaused(cluster, stored)) return;
    // Count nothing until the cache shows this controller's last creations and deletions (no duplicates).
    if (!this.expectations.satisfied(key)) return { requeueAfter: CACHE_WAIT_MS };

    const ms = mutable(stored);
    const helper = new PatchHelper(rc.client, stored);
    const s: Scope = { rc, cluster, ms, key, machines: [], listed: false };
    let result: Result = {};
    let failure: unknown;
    try {
      if (cluster) this.reconcileOwnerAndLabels(s, cluster);
      if (!isBeingDeleted(ms)) addFinalizer(ms, MACHINE_SET_FINALIZER);
      await this.getAndAdoptMachines(s);
      if (isBeingDeleted(ms)) {
        await this.reconcileDelete(s);
      } else {
        await this.reconcileUnhealthyMachines(s);
        await this.syncMachines(s);
        result = lowestRequeue(result, await this.syncReplicas(s));
      }
    } catch (e) {
      failure = e;
    }
    const next = s.listed ? this.updateStatus(s) : {};
    try {
      await helper.patch(ms);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) {
      if (!isBeingDeleted(ms)) rc.recorder.event(stored, 'Warning', 'ReconcileError', errorText(failure));
      throw failure;
    }
    if (!isBeingDeleted(ms)) result = lowestRequeue(result, next);
    return result;
  }

  /** Cluster label on the MachineSet, its selector and its template; a Cluster owner when nothing else owns it. */
  private reconcileOwnerAndLabels(s: Scope, cluster: Cluster): void {
    const ms = s.ms;
    const clusterName = ms.spec.clusterName;
    (ms.metadata!.labels ??= {})[CLUSTER_NAME_LABEL] = clusterName;
    const owned = (ms.metadata?.ownerReferences ?? []).some((r) => r.apiVersion.startsWith('cluster.x-k8s.io/') && (r.kind === 'MachineDeployment' || r.kind === 'Cluster'));
    if (!owned && ms.metadata?.labels?.[MACHINE_DEPLOYMENT_NAME_LABEL] === undefined) setOwnerReference(ms, cluster);
    const selector = (ms.spec.selector ??= {});
    (selector.matchLabels ??= {})[CLUSTER_NAME_LABEL] = clusterName;
    const template = (ms.spec.template ??= { spec: {} as MachineSet['spec']['template']['spec'] });
    ((template.metadata ??= {}).labels ??= {})[CLUSTER_NAME_LABEL] = clusterName;
  }

  /** The Machines the selector matches that nothing else controls; orphans among them are adopted. */
  private async getAndAdoptMachines(s: Scope): Promise<void> {
    const ms = s.ms;
    const ns = ms.metadata!.namespace;
    const selector = nonEmptySelector(ms.spec.selector);
    if (!selector) throw new Error(`MachineSet ${s.key}: spec.selector ${JSON.stringify(ms.spec.selector ?? null)} is invalid or empty; it must select the template's labels`);
    const candidates = (this.machineInformer.lister.withLabel(CLUSTER_NAME_LABEL, ms.spec.clusterName) as Machine[]).filter((m) => m.metadata?.namespace === ns);
    const out: Machine[] = [];
    for (const m of candidates) {
      if (!matchesLabels(selector, m.metadata?.labels)) continue;
      const controller = getControllerOf(m);
      if (controller && controller.uid !== ms.metadata!.uid) continue;
      if (!controller) {
        if (isBeingDeleted(ms)) continue;
        try {
          const adopted = await adoptOrphan(s.rc.client, m, ms);
          if (adopted) {
            this.expectations.expectWrite(s.key, this.machineInformer, adopted);
            s.rc.recorder.event(ms, 'Normal', 'SuccessfulAdopt', `Adopted Machine "${m.metadata!.name}"`);
            out.push(adopted);
          }
        } catch (e) {
          s.rc.recorder.event(ms, 'Warning', 'FailedAdopt', `Failed to adopt Machine "${m.metadata!.name}": ${errorText(e)}`);
        }
        continue;
      }
      out.push(m);
    }
    s.machines = out;
    s.listed = true;
  }

  /** Deleting the MachineSet: its Machines go first, the finalizer last. */
  private async reconcileDelete(s: Scope): Promise<void> {
    if (!s.machines.length) {
      removeFinalizer(s.ms, MACHINE_SET_FINALIZER);
      return;
    }
    for (const m of s.machines) {
      if (isBeingDeleted(m)) continue;
      await this.deleteMachine(s, m);
    }
  }

  private async deleteMachine(s: Scope, m: Machine): Promise<void> {
    try {
      await s.rc.client.delete(MACHINE_KIND, { namespace: m.metadata!.namespace, name: m.metadata!.name! });
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`failed to delete Machine ${m.metadata!.namespace}/${m.metadata!.name}: ${errorText(e)}`);
    }
    this.expectations.expectDeletion(s.key, this.machineInformer, m);
  }

  /** The owning MachineDeployment (by the deployment-name label), when there is one. */
  private async owner(s: Scope): Promise<MachineDeployment | undefined> {
    const name = s.ms.metadata?.labels?.[MACHINE_DEPLOYMENT_NAME_LABEL];
    if (!name) return undefined;
    return this.ctx.reader.get<MachineDeployment>(MACHINE_DEPLOYMENT_KIND, s.ms.metadata?.namespace, name);
  }

  /** Replace the Machines a MachineHealthCheck handed over (OwnerRemediated False). */
  private async reconcileUnhealthyMachines(s: Scope): Promise<void> {
    const md = await this.owner(s);
    const plan = planRemediation({
      machines: s.machines,
      isCurrent: !md || md.metadata?.annotations?.[REVISION_ANNOTATION] === s.ms.metadata?.annotations?.[REVISION_ANNOTATION],
      maxInFlight: md?.spec.strategy?.remediation?.maxInFlight,
      deploymentReplicas: md?.spec.replicas,
    });
    const errors: string[] = [];
    for (const m of plan.clear) {
      await this.patchMachineConditions(s, m, (copy) => deleteCondition(copy, CONDITIONS.ownerRemediated)).catch((e: unknown) => errors.push(errorText(e)));
    }
    for (const m of plan.remediate) {
      try {
        await this.patchMachineConditions(s, m, (copy) => setCondition(copy, { type: CONDITIONS.ownerRemediated, status: 'True' }, s.rc.clock));
        await this.deleteMachine(s, m);
        s.rc.recorder.event(s.ms, 'Normal', 'MachineRemediated', `Deleted unhealthy Machine "${m.metadata!.name}" to replace it (remediation)`);
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    if (errors.length) throw new Error(`remediation of unhealthy Machines of MachineSet ${s.key} failed: ${errors.join('; ')}`);
  }

  private async patchMachineConditions(s: Scope, m: Machine, change: (copy: Machine) => boolean): Promise<void> {
    const copy = mutable(m);
    if (!change(copy)) return;
    try {
      await new PatchHelper(s.rc.client, m).patch(copy);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Labels, annotations and in-place spec fields flow from the template to existing Machines. */
  private async syncMachines(s: Scope): Promise<void> {
    for (let i = 0; i < s.machines.length; i++) {
      const m = s.machines[i]!;
      const body = inPlaceMachinePatch(s.ms, m);
      if (!body) continue;
      try {
        const updated = await s.rc.client.patch<Machine>(MACHINE_KIND, { namespace: m.metadata!.namespace, name: m.metadata!.name! }, { type: 'merge', body });
        this.expectations.expectWrite(s.key, this.machineInformer, updated);
        s.machines[i] = updated;
      } catch (e) {
        if (!isNotFound(e)) throw new Error(`failed to update Machine ${m.metadata!.namespace}/${m.metadata!.name}: ${errorText(e)}`);
      }
    }
  }

  private async syncReplicas(s: Scope): Promise<Result> {
    const ms = s.ms;
    const want = ms.spec.replicas ?? 1;
    const diff = s.machines.length - want;
    if (diff < 0) {
      if (ms.metadata?.annotations?.[DISABLE_MACHINE_CREATE_ANNOTATION] !== undefined) return {};
      // New Machines must be selected, or every reconcile would make more.
      if (!selectorMatches(ms.spec.selector, machineLabels(ms))) throw new Error(`MachineSet ${s.key}: spec.template.metadata.labels ${JSON.stringify(ms.spec.template?.metadata?.labels ?? {})} do not match spec.selector`);
      await this.createMachines(s, -diff);
      return {};
    }
    if (diff > 0) {
      const victims = machinesToDelete(s.machines, diff, deletePriorityFor(ms.spec.deletePolicy), s.rc.clock.nowMs());
      const errors: string[] = [];
      for (const m of victims) {
        if (isBeingDeleted(m)) continue;
        try {
          await this.deleteMachine(s, m);
          s.rc.recorder.event(ms, 'Normal', 'SuccessfulDelete', `Deleted machine "${m.metadata!.name}"`);
        } catch (e) {
          s.rc.recorder.event(ms, 'Warning', 'FailedDelete', `Failed to delete machine "${m.metadata!.name}": ${errorText(e)}`);
          errors.push(errorText(e));
        }
      }
      if (errors.length) throw new Error(`MachineSet ${s.key}: scaling down to ${want} failed: ${errors.join('; ')}`);
    }
    return {};
  }

  /** Create `count` Machines, each with its bootstrap config and infrastructure machine; a failed step leaves nothing behind. */
  private async createMachines(s: Scope, count: number): Promise<void> {
    const ms = s.ms;
    const rc = s.rc;
    const ns = ms.metadata!.namespace!;
    const tpl = ms.spec.template.spec;
    const errors: string[] = [];
    const clone = (templateRef: ObjectReference, name: string): Promise<KubeObject> =>
      cloneFromTemplate(rc.client, this.ctx.reader, {
        templateRef,
        namespace: ns,
        clusterName: ms.spec.clusterName,
        name,
        ownerRef: ownerReferenceTo(ms, false),
        labels: machineLabels(ms),
        annotations: machineAnnotations(ms),
      });
    for (let i = 0; i < count; i++) {
      const name = machineName(ms, this.ctx.random);
      let bootstrap: KubeObject | undefined;
      if (tpl.bootstrap?.configRef) {
        try {
          bootstrap = await clone(tpl.bootstrap.configRef, name);
        } catch (e) {
          const message = `failed to clone bootstrap configuration from ${tpl.bootstrap.configRef.kind} ${tpl.bootstrap.configRef.namespace || ns}/${tpl.bootstrap.configRef.name} while creating a machine: ${errorText(e)}`;
          setCondition(ms, { type: CONDITIONS.machinesCreated, status: 'False', reason: REASONS.bootstrapTemplateCloningFailed, severity: 'Error', message }, rc.clock);
          throw new Error(message);
        }
      }
      let infra: KubeObject;
      try {
        infra = await clone(tpl.infrastructureRef, name);
      } catch (e) {
        const message = `failed to clone infrastructure machine from ${tpl.infrastructureRef?.kind} ${tpl.infrastructureRef?.namespace || ns}/${tpl.infrastructureRef?.name} while creating a machine: ${errorText(e)}`;
        setCondition(ms, { type: CONDITIONS.machinesCreated, status: 'False', reason: REASONS.infrastructureTemplateCloningFailed, severity: 'Error', message }, rc.clock);
        if (bootstrap) await this.cleanup(rc, bootstrap, errors);
        throw new Error([message, ...errors].join('; '));
      }
      const machine = newMachine(ms, name, { bootstrap: bootstrap && objectRef(bootstrap), infrastructure: objectRef(infra) });
      try {
        const created = await rc.client.create(machine);
        this.expectations.expectWrite(s.key, this.machineInformer, created);
        rc.recorder.event(ms, 'Normal', 'SuccessfulCreate', `Created machine "${name}"`);
      } catch (e) {
        const message = `failed to create Machine ${ns}/${name}: ${errorText(e)}`;
        rc.recorder.event(ms, 'Warning', 'FailedCreate', `Failed to create machine: ${errorText(e)}`);
        setCondition(ms, { type: CONDITIONS.machinesCreated, status: 'False', reason: REASONS.machineCreationFailed, severity: 'Error', message }, rc.clock);
        errors.push(message);
        await this.cleanup(rc, infra, errors);
        if (bootstrap) await this.cleanup(rc, bootstrap, errors);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  private async cleanup(rc: ReconcileContext, obj: KubeObject, errors: string[]): Promise<void> {
    try {
      await rc.client.delete({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! });
    } catch (e) {
      if (!isNotFound(e)) errors.push(`failed to clean up ${describe(obj)} after a failed Machine creation: ${errorText(e)}`);
    }
  }

  /** Counts, conditions and the Ready summary; returns when to look again for minReadySeconds. */
  private updateStatus(s: Scope): Result {
    const ms = s.ms;
    const clock = s.rc.clock;
    const counts = countMachines(ms, s.machines, clock.nowMs());
    const status = (ms.status ??= {});
    status.selector = counts.selector;
    status.replicas = counts.replicas;
    status.fullyLabeledReplicas = counts.fullyLabeledReplicas;
    status.readyReplicas = counts.readyReplicas;
    status.availableReplicas = counts.availableReplicas;
    if (ms.metadata?.generation !== undefined) status.observedGeneration = ms.metadata.generation;
    const changes: ConditionChange[] = [...sizeConditions(ms.spec.replicas ?? 1, counts)];
    const ready = machinesReadyCondition(s.machines);
    if (ready) changes.push(ready);
    for (const c of changes) setCondition(ms, c, clock);
    const types = [CONDITIONS.machinesCreated, CONDITIONS.resized, CONDITIONS.machinesReady].filter((t) => getCondition(ms, t));
    if (types.length) setCondition(ms, summary(ms, { conditions: types }), clock);
    return counts.nextAvailableInMs !== undefined ? { requeueAfter: Math.max(1, counts.nextAvailableInMs) } : {};
  }
}

function objectRef(obj: KubeObject): ObjectReference {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, namespace: obj.metadata?.namespace };
}

/** MachineSets whose selector matches an orphan Machine (one without a controller), to adopt it. */
function machineSetsForOrphan(machineSets: SharedInformer<MachineSet>, m: KubeObject): Request[] {
  if (getControllerOf(m)) return [];
  const labels = m.metadata?.labels;
  if (!labels || !Object.keys(labels).length) return [];
  return machineSets.lister
    .list({ namespace: m.metadata?.namespace ?? '' })
    .filter((ms) => selectorMatches(ms.spec?.selector, labels))
    .map((ms) => ({ namespace: ms.metadata?.namespace, name: ms.metadata!.name! }));
}

/** Register the MachineSet controller: MachineSets, the Machines they own (and orphans), Clusters unpausing. */
export function setupMachineSetController(ctx: ControllerContext, opts: MachineSetControllerOptions = {}): Controller {
  ctx.reader.cache(CLUSTER_KIND);
  ctx.reader.cache(MACHINE_DEPLOYMENT_KIND);
  const machineSets = ctx.reader.cache(MACHINE_SET_KIND) as unknown as SharedInformer<MachineSet>;
  const reconciler = new MachineSetReconciler(ctx);
  return ctx.manager.add({
    name: CONTROLLER_NAME,
    for: MACHINE_SET_KIND,
    owns: [MACHINE_KIND],
    reconciler,
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      { type: MACHINE_KIND, map: (m) => machineSetsForOrphan(machineSets, m) },
      {
        type: CLUSTER_KIND,
        map: onClusterUnpaused((c) =>
          machineSets.lister
            .withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!)
            .filter((ms) => ms.metadata?.namespace === c.metadata?.namespace)
            .map((ms) => ({ namespace: ms.metadata?.namespace, name: ms.metadata!.name! })),
        ),
      },
    ],
  });
}
