/**
 * The MachineHealthCheck controller (Cluster API's machinehealthcheck reconciler, v1beta1 semantics): checks the
 * Machines a MachineHealthCheck selects against their Nodes in the workload cluster, marks each Machine
 * HealthCheckSucceeded True or False, and — unless too many are unhealthy (maxUnhealthy / unhealthyRange) — asks the
 * Machine's owner (MachineSet, KubeadmControlPlane) to replace the unhealthy ones by setting OwnerRemediated=False.
 * It never deletes a Machine itself. It is requeued when the soonest timeout of a target runs out, and otherwise woken
 * by changes of the MachineHealthCheck, its Cluster, the Machines and the workload cluster's Nodes.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { getCondition, isTrue, markTrue, setCondition, setSummary } from '../../runtime/conditions.js';
import type { Controller } from '../../runtime/controller.js';
import { setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  MACHINE_HEALTH_CHECK_KIND,
  MACHINE_KIND,
  REASONS,
  SKIP_REMEDIATION_ANNOTATION,
  type Cluster,
  type Machine,
  type MachineHealthCheck,
} from '../../api/cluster/types.js';
import { hasPausedAnnotation, isPaused } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { mutable } from '../shared/reader.js';
import { checkTargets, nodeStartupTimeoutMs, type HealthCheckTarget } from './health.js';
import { decideRemediation } from './remediation-allowed.js';
import {
  healthChecksOfCluster,
  healthChecksOfMachine,
  MACHINE_BY_NODE_INDEX,
  machineByNodeIndex,
  machinesOfNode,
  MHC_BY_CLUSTER_INDEX,
  mhcByClusterIndex,
  selectorOf,
  selectsMachine,
} from './targets.js';

export const CONTROLLER_NAME = 'machinehealthcheck';
export const NODE_KIND = { apiVersion: 'v1', kind: 'Node' } as const;

/** Event reasons (upstream's). */
export const EVENT_REASONS = {
  machineMarkedUnhealthy: 'MachineMarkedUnhealthy',
  remediationRestricted: 'RemediationRestricted',
  reconcileError: 'ReconcileError',
} as const;

interface Target extends HealthCheckTarget {
  /** The Machine as read (the patch base); `machine` is the copy being changed. */
  stored: Machine;
}

type NodeLookup = (name: string) => Promise<KubeObject | undefined>;

export class MachineHealthCheckReconciler {
  /** Set by the setup function once the controller exists: wakes a MachineHealthCheck. */
  enqueue: (req: Request) => void = () => {};

  constructor(private readonly ctx: ControllerContext) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<MachineHealthCheck>(MACHINE_HEALTH_CHECK_KIND, req.namespace, req.name);
    if (!stored) return;
    const clusterName = stored.spec?.clusterName;
    // Without its Cluster there is nothing to check; the Cluster watch brings the MachineHealthCheck back.
    const cluster = clusterName ? await this.ctx.reader.get<Cluster>(CLUSTER_KIND, stored.metadata?.namespace, clusterName) : undefined;
    if (!cluster) return;
    if (isPaused(cluster, stored)) return;
    const mhc = mutable(stored);
    const helper = new PatchHelper(rc.client, stored);
    (mhc.metadata!.labels ??= {})[CLUSTER_NAME_LABEL] = clusterName!;
    setOwnerReference(mhc, cluster);
    let result: Result = {};
    let failure: unknown;
    try {
      result = await this.reconcileHealth(rc, cluster, mhc);
    } catch (e) {
      failure = e;
      rc.recorder.event(mhc, 'Warning', EVENT_REASONS.reconcileError, e instanceof Error ? e.message : String(e));
    }
    const status = (mhc.status ??= {});
    if (!failure && mhc.metadata?.generation !== undefined) status.observedGeneration = mhc.metadata.generation;
    setSummary(mhc, { conditions: [CONDITIONS.remediationAllowed] }, rc.clock);
    try {
      await helper.patch(mhc);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  private async reconcileHealth(rc: ReconcileContext, cluster: Cluster, mhc: MachineHealthCheck): Promise<Result> {
    const status = (mhc.status ??= {});
    const targets = await this.targets(cluster, mhc);
    status.expectedMachines = targets.length;
    const names = targets.map((t) => t.machine.metadata!.name!).sort();
    if (names.length) status.targets = names;
    else delete status.targets;

    const now = rc.clock.nowMs();
    const health = checkTargets(targets, { unhealthyConditions: mhc.spec.unhealthyConditions ?? [], nodeStartupTimeoutMs: nodeStartupTimeoutMs(mhc.spec.nodeStartupTimeout) }, now);
    status.currentHealthy = health.healthy.length;
    for (const t of health.healthy) markTrue(t.machine, CONDITIONS.healthCheckSucceeded, rc.clock);
    const newlyUnhealthy = new Set<Target>();
    for (const u of health.unhealthy) {
      if (setCondition(u.target.machine, { type: CONDITIONS.healthCheckSucceeded, status: 'False', reason: u.reason, severity: 'Warning', message: u.message }, rc.clock)) newlyUnhealthy.add(u.target);
    }

    const decision = decideRemediation(mhc.spec, targets.length, health.healthy.length);
    status.remediationsAllowed = decision.remediationsAllowed;
    const errors: string[] = [];
    if (!decision.allowed) {
      const message = decision.message!;
      if (setCondition(mhc, { type: CONDITIONS.remediationAllowed, status: 'False', severity: 'Warning', reason: REASONS.tooManyUnhealthy, message }, rc.clock)) {
        rc.recorder.event(mhc, 'Warning', EVENT_REASONS.remediationRestricted, message);
      }
      // The checks are still recorded on the Machines; none is handed to its owner.
      for (const t of [...health.healthy, ...health.unhealthy.map((u) => u.target)]) await this.patchMachine(rc, t, errors);
    } else {
      markTrue(mhc, CONDITIONS.remediationAllowed, rc.clock);
      for (const u of health.unhealthy) {
        const t = u.target;
        // The owner runs a remediation once OwnerRemediated is False; one already in progress is left alone.
        const owner = getCondition(t.machine, CONDITIONS.ownerRemediated);
        let asked = false;
        if (!owner || owner.status === 'True') asked = setCondition(t.machine, { type: CONDITIONS.ownerRemediated, status: 'False', reason: REASONS.waitingForRemediation, severity: 'Warning' }, rc.clock);
        if (!(await this.patchMachine(rc, t, errors))) continue;
        if (asked || newlyUnhealthy.has(t)) {
          const node = t.machine.status?.nodeRef?.name ?? '';
          const message = `Machine ${mhc.metadata!.namespace}/${mhc.metadata!.name}/${t.machine.metadata!.name}/${node} has been marked as unhealthy (${u.reason}${u.message ? `: ${u.message}` : ''})`;
          rc.recorder.event(t.machine, 'Normal', EVENT_REASONS.machineMarkedUnhealthy, message);
          rc.recorder.event(mhc, 'Normal', EVENT_REASONS.machineMarkedUnhealthy, message);
        }
      }
      for (const t of health.healthy) await this.patchMachine(rc, t, errors);
    }
    if (errors.length) throw new Error(`MachineHealthCheck ${mhc.metadata!.namespace}/${mhc.metadata!.name}: ${errors.join('; ')}`);
    return health.recheckInMs !== undefined ? { requeueAfter: health.recheckInMs } : {};
  }

  /** Write a target's conditions; false (with the error noted) when that failed. A Machine gone meanwhile is fine. */
  private async patchMachine(rc: ReconcileContext, t: Target, errors: string[]): Promise<boolean> {
    try {
      // The helper applies only this check's condition changes to the latest Machine (no lost updates, no conflicts).
      await new PatchHelper(rc.client, t.stored).patch(t.machine);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      errors.push(`cannot update the health check conditions of Machine ${t.machine.metadata!.namespace}/${t.machine.metadata!.name}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  /** The selected Machines (but those with the paused or skip-remediation annotation) with their Nodes. */
  private async targets(cluster: Cluster, mhc: MachineHealthCheck): Promise<Target[]> {
    const selector = selectorOf(mhc);
    // Candidates from the Machine cache's label index (every Machine of the cluster carries the cluster-name label).
    const candidates = this.ctx.manager.informers.for(MACHINE_KIND).lister.withLabel(CLUSTER_NAME_LABEL, mhc.spec.clusterName) as Machine[];
    const machines = candidates.filter(
      (m) => selectsMachine(mhc, selector, m) && !hasPausedAnnotation(m) && m.metadata?.annotations?.[SKIP_REMEDIATION_ANNOTATION] === undefined,
    );
    if (!machines.length) return [];
    const lookup = await this.nodeLookup(cluster);
    const out: Target[] = [];
    for (const stored of machines) {
      const target: Target = { stored, machine: mutable(stored), cluster };
      const nodeName = stored.status?.nodeRef?.name;
      if (lookup && nodeName) {
        target.node = await lookup(nodeName);
        target.nodeMissing = !target.node;
      }
      out.push(target);
    }
    return out;
  }

  /**
   * Reads Nodes of the workload cluster once its control plane is initialized (undefined before: Nodes are not looked
   * at then), and makes sure Node changes wake the MachineHealthChecks of their Machines.
   */
  private async nodeLookup(cluster: Cluster): Promise<NodeLookup | undefined> {
    if (!isTrue(cluster, CONDITIONS.controlPlaneInitialized)) return undefined;
    const ref: ClusterRef = { namespace: cluster.metadata!.namespace!, name: cluster.metadata!.name! };
    const cache = this.ctx.clusterCache;
    const watching = await cache.watch(ref, NODE_KIND, CONTROLLER_NAME, (node) => this.onNodeChange(ref, node));
    const informer: SharedInformer | undefined = watching ? await cache.informer(ref, NODE_KIND) : undefined;
    if (!informer) throw new Error(`cannot read the Nodes of Cluster ${ref.namespace}/${ref.name}: its API server cannot be reached`);
    return async (name) => {
      const cached = informer.cache.get(name);
      if (cached) return cached;
      // Not in the cache: ask the API before calling the Node gone (the cache may lag behind the Machine's nodeRef).
      const client = await cache.client(ref);
      if (!client) throw new Error(`cannot read Node ${name} of Cluster ${ref.namespace}/${ref.name}: its API server cannot be reached`);
      try {
        return await client.get(NODE_KIND, { name });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
  }

  private onNodeChange(cluster: ClusterRef, node: KubeObject): void {
    const machines = this.ctx.manager.informers.for(MACHINE_KIND).lister;
    const mhcs = this.ctx.manager.informers.for(MACHINE_HEALTH_CHECK_KIND).lister;
    for (const m of machinesOfNode(machines, cluster, node)) for (const r of healthChecksOfMachine(mhcs, m)) this.enqueue(r);
  }
}

export interface MachineHealthCheckControllerOptions {
  /** Concurrent reconciles (default DEFAULT_CONTROLLER_WORKERS). */
  workers?: number;
}

/**
 * Register the MachineHealthCheck controller: MachineHealthChecks, woken by their Machines (current and former
 * selector matches), their Cluster, and (through ctx.clusterCache) the Nodes of the workload cluster.
 */
export function setupMachineHealthCheckController(ctx: ControllerContext, opts: MachineHealthCheckControllerOptions = {}): Controller {
  ctx.reader.cache(CLUSTER_KIND);
  const machines = ctx.reader.cache(MACHINE_KIND);
  if (!machines.cache.hasIndex(MACHINE_BY_NODE_INDEX)) machines.addIndexers({ [MACHINE_BY_NODE_INDEX]: machineByNodeIndex });
  const mhcs = ctx.reader.cache(MACHINE_HEALTH_CHECK_KIND);
  if (!mhcs.cache.hasIndex(MHC_BY_CLUSTER_INDEX)) mhcs.addIndexers({ [MHC_BY_CLUSTER_INDEX]: mhcByClusterIndex });
  const reconciler = new MachineHealthCheckReconciler(ctx);
  const controller = ctx.manager.add({
    name: CONTROLLER_NAME,
    for: MACHINE_HEALTH_CHECK_KIND,
    reconciler,
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      { type: MACHINE_KIND, map: (m) => healthChecksOfMachine(mhcs.lister, m) },
      { type: CLUSTER_KIND, map: (c) => healthChecksOfCluster(mhcs.lister, c) },
    ],
  });
  reconciler.enqueue = (r) => controller.enqueue(r);
  return controller;
}
