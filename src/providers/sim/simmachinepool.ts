/**
 * SimMachinePool controller: the infrastructure of a MachinePool on the sim provider. It keeps as many simulated
 * instances as the MachinePool wants; each boots for the configured time, runs the pool's bootstrap data (kubeadm
 * join) and registers its Node, whose kubelet then keeps it Ready. A version change replaces instances one at a time
 * (one extra instance first, an outdated one removed only once the pool has enough Ready instances without it); a
 * scale-down removes outdated, then not-yet-booted, then the newest instances. The instances' provider IDs go to
 * spec.providerIDList, from where the MachinePool controller finds their Nodes (and deletes those of removed ones).
 */
import { isPlainObject } from '../../apimachinery/types.js';
import { rfc3339 } from '../../apiserver/clock.js';
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import { isNotFound } from '../../client/errors.js';
import { markFalse, markTrue } from '../../runtime/conditions.js';
import { addFinalizer, isBeingDeleted, removeFinalizer } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, CONDITIONS, MACHINE_POOL_KIND, type Cluster, type MachinePool } from '../../api/cluster/types.js';
import {
  SIM_CONDITIONS,
  SIM_MACHINE_POOL_FINALIZER,
  SIM_MACHINE_POOL_KIND,
  SIM_REASONS,
  type SimMachinePool,
  type SimMachinePoolInstance,
} from '../../api/infrastructure/types.js';
import { isPaused } from '../../controllers/shared/cluster.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../../controllers/shared/context.js';
import { cryptoRandom } from '../../topology/random.js';
import type { BootFacts } from './boot-facts.js';
import { readBootFacts } from './bootstrap-reader.js';
import type { KeyedMutex } from './keyed-mutex.js';
import type { KubeletFleet } from './kubelet-fleet.js';
import { nodeConditions } from './node.js';
import { bootDueMs, deleteIfPresent, joinBlocker, registerNode } from './node-registration.js';

export const CONTROLLER_NAME = 'simmachinepool';
const PROVIDER_ID_PREFIX = 'sim://';
const JOIN_RETRY_MS = 2_000;

export interface SimMachinePoolDeps {
  host: LogicalClusterHost;
  fleet: KubeletFleet;
  nodeLock: KeyedMutex;
}

interface Scope {
  smp: SimMachinePool;
  mp: MachinePool;
  cluster: Cluster;
  ref: LogicalClusterRef;
}

export class SimMachinePoolReconciler {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly deps: SimMachinePoolDeps,
  ) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<SimMachinePool>(SIM_MACHINE_POOL_KIND, req.namespace, req.name);
    if (!stored) return; // Its finalizer stopped the instances before it went.
    const ownerRef = (stored.metadata?.ownerReferences ?? []).find((r) => r.kind === 'MachinePool' && r.apiVersion.startsWith('cluster.x-k8s.io/'));
    const mp = ownerRef ? await this.ctx.reader.get<MachinePool>(MACHINE_POOL_KIND, req.namespace, ownerRef.name) : undefined;
    const cluster = mp ? await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, mp.spec.clusterName) : undefined;
    if (!mp || !cluster) {
      // Waiting for the MachinePool controller to set the owner; a pool being deleted without one just goes.
      if (isBeingDeleted(stored)) await this.deleteInstances(rc, stored, undefined);
      return;
    }
    if (isPaused(cluster, stored)) return;
    const smp = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    const s: Scope = { smp, mp, cluster, ref: { namespace: req.namespace!, name: cluster.metadata!.name! } };
    let result: Result = {};
    let failure: unknown;
    try {
      if (isBeingDeleted(smp)) {
        await this.deleteInstances(rc, smp, s.ref);
        removeFinalizer(smp, SIM_MACHINE_POOL_FINALIZER);
      } else {
        addFinalizer(smp, SIM_MACHINE_POOL_FINALIZER);
        (smp.metadata!.labels ??= {})[CLUSTER_NAME_LABEL] = cluster.metadata!.name!;
        result = await this.reconcileNormal(rc, s);
      }
    } catch (e) {
      failure = e;
    }
    if (!isBeingDeleted(smp) && !failure) smp.status!.observedGeneration = smp.metadata?.generation;
    try {
      await helper.patch(smp);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  private instanceKey(smp: SimMachinePool, instance: string): string {
    return `${smp.metadata!.namespace}/${smp.metadata!.name}/${instance}`;
  }

  // ---- provisioning --------------------------------------------------------------------------------

  private async reconcileNormal(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { smp, mp, cluster } = s;
    const status = (smp.status ??= {});
    const instances = (status.instances ??= []);
    if (status.failureReason) return {};
    const waiting = (reason: string, message: string): Result => {
      markFalse(smp, SIM_CONDITIONS.replicasReady, reason, 'Info', message, rc.clock);
      markFalse(smp, CONDITIONS.ready, reason, 'Info', message, rc.clock);
      this.publish(smp);
      return {};
    };
    if (!cluster.status?.infrastructureReady) return waiting(SIM_REASONS.waitingForClusterInfrastructure, 'Waiting for the cluster infrastructure to be ready');
    if (!cluster.status?.conditions?.some((c) => c.type === CONDITIONS.controlPlaneInitialized && c.status === 'True')) {
      return waiting(SIM_REASONS.waitingForControlPlaneAvailable, 'Waiting for the control plane to be initialized');
    }
    const secretName = mp.spec.template.spec.bootstrap?.dataSecretName;
    if (!secretName) return waiting(SIM_REASONS.waitingForBootstrapData, 'Waiting for the bootstrap data secret');
    const injected = smp.spec?.template?.failure?.provisioning;
    if (injected !== undefined) {
      status.failureReason = 'CreateError';
      status.failureMessage = injected || 'provisioning failed (injected)';
      markFalse(smp, SIM_CONDITIONS.replicasReady, SIM_REASONS.provisioningFailed, 'Error', status.failureMessage, rc.clock);
      rc.recorder.event(smp, 'Warning', 'ProvisioningFailed', status.failureMessage);
      return {};
    }

    const desired = mp.spec.replicas ?? 1;
    const version = mp.spec.template.spec.version;
    this.scale(rc, s, desired, version);

    // Boot what is due; keep the booted instances' kubelets running.
    const facts = instances.some((i) => !i.ready) ? await this.bootFacts(secretName, smp.metadata!.namespace!) : 'not needed';
    let requeue: number | undefined;
    const later = (ms: number): void => {
      requeue = Math.min(requeue ?? ms, ms);
    };
    for (const inst of instances) {
      const r = inst.ready ? await this.runInstance(rc, s, inst) : await this.bootInstance(rc, s, inst, facts);
      if (r.requeueAfter !== undefined) later(r.requeueAfter);
    }
    // Removing outdated or surplus instances may be possible now that more have booted.
    if (this.scale(rc, s, desired, version)) later(0);

    const upToDate = instances.filter((i) => i.version === version);
    const bootedUpToDate = upToDate.filter((i) => i.ready).length;
    if (!status.ready && (instances.some((i) => i.ready) || desired === 0)) {
      status.ready = true;
      rc.recorder.event(smp, 'Normal', 'Ready', `SimMachinePool ${smp.metadata!.name} has its first instance booted`);
    }
    if (bootedUpToDate === desired && instances.length === desired) {
      markTrue(smp, SIM_CONDITIONS.replicasReady, rc.clock);
      markTrue(smp, CONDITIONS.ready, rc.clock);
    } else {
      const reason = instances.length > desired ? 'ScalingDown' : upToDate.length < instances.length ? 'RollingUpdateInProgress' : 'ScalingUp';
      const message = `${bootedUpToDate} of ${desired} instances booted${version ? ` at ${version}` : ''}${instances.length !== desired ? ` (${instances.length} exist)` : ''}`;
      markFalse(smp, SIM_CONDITIONS.replicasReady, reason, 'Info', message, rc.clock);
      if (status.ready) markTrue(smp, CONDITIONS.ready, rc.clock);
      else markFalse(smp, CONDITIONS.ready, reason, 'Info', message, rc.clock);
    }
    this.publish(smp);
    return requeue !== undefined ? { requeueAfter: requeue } : {};
  }

  /** spec.providerIDList and status.replicas from the instances. */
  private publish(smp: SimMachinePool): void {
    const instances = smp.status?.instances ?? [];
    (smp.spec ??= {}).providerIDList = instances.map((i) => i.providerID);
    if (!smp.spec.providerIDList.length) delete smp.spec.providerIDList;
    smp.status!.replicas = instances.length;
  }

  /**
   * Add and remove instances towards `desired` at `version` (max surge 1 during a version rollout, never fewer booted
   * instances than desired while removing a booted one). Returns whether anything changed.
   */
  private scale(rc: ReconcileContext, s: Scope, desired: number, version: string | undefined): boolean {
    const { smp } = s;
    const instances = smp.status!.instances!;
    let changed = false;
    const outdated = (i: SimMachinePoolInstance): boolean => i.version !== version;
    // Remove, in order: outdated not booted, outdated booted, not booted, then booted (newest first in each group);
    // a booted instance only while as many booted instances as desired remain without it.
    const order = (i: SimMachinePoolInstance): number => (outdated(i) ? 0 : 2) + (i.ready ? 1 : 0);
    while (instances.length > desired) {
      const victim = [...instances].sort((a, b) => order(a) - order(b) || (b.provisioningStartedAt ?? '').localeCompare(a.provisioningStartedAt ?? ''))[0]!;
      const booted = instances.filter((i) => i.ready).length;
      if (victim.ready && booted - 1 < desired) break;
      this.removeInstance(rc, smp, victim);
      changed = true;
    }
    const upToDate = instances.filter((i) => !outdated(i)).length;
    const surge = instances.some(outdated) ? 1 : 0;
    const create = Math.max(0, Math.min(desired - upToDate, desired + surge - instances.length));
    const fds = s.mp.spec.failureDomains ?? [];
    for (let n = 0; n < create; n++) {
      const name = `${smp.metadata!.name}-${(this.ctx.random ?? cryptoRandom)(5)}`;
      const failureDomain = fds.length ? fds[instances.length % fds.length] : undefined;
      instances.push({
        instanceName: name,
        providerID: `${PROVIDER_ID_PREFIX}${smp.metadata!.namespace}/${name}`,
        ...(version ? { version } : {}),
        ...(failureDomain ? { failureDomain } : {}),
        ready: false,
        provisioningStartedAt: rfc3339(rc.clock.now()),
      });
      changed = true;
    }
    if (changed) this.publish(smp);
    return changed;
  }

  private removeInstance(rc: ReconcileContext, smp: SimMachinePool, inst: SimMachinePoolInstance): void {
    const instances = smp.status!.instances!;
    instances.splice(instances.indexOf(inst), 1);
    this.deps.fleet.halt(this.instanceKey(smp, inst.instanceName));
    rc.recorder.event(smp, 'Normal', 'InstanceDeleted', `Deleted instance ${inst.instanceName}${inst.version ? ` (${inst.version})` : ''}`);
  }

  private async bootFacts(secretName: string, namespace: string): Promise<BootFacts | string> {
    const secret = await this.ctx.reader.get({ apiVersion: 'v1', kind: 'Secret' }, namespace, secretName);
    const data = (secret?.data ?? {}) as Record<string, string>;
    if (!data.value) return `Bootstrap data Secret ${secretName} not found or empty`;
    try {
      return readBootFacts(Buffer.from(data.value, 'base64').toString('utf8'), data.format ? Buffer.from(data.format, 'base64').toString('utf8') : undefined);
    } catch (e) {
      return `cannot run bootstrap data from Secret ${secretName}: ${(e as Error).message}`;
    }
  }

  private async bootInstance(rc: ReconcileContext, s: Scope, inst: SimMachinePoolInstance, facts: BootFacts | string): Promise<Result> {
    const { smp } = s;
    const now = rc.clock.nowMs();
    const started = inst.provisioningStartedAt ? Date.parse(inst.provisioningStartedAt) : now;
    const b = smp.spec?.template?.behaviour ?? {};
    const due = bootDueMs(started, b, inst.providerID);
    if (due > now) return { requeueAfter: due - now };
    if (typeof facts === 'string') {
      markFalse(smp, SIM_CONDITIONS.bootstrapExecSucceeded, SIM_REASONS.bootstrapFailed, 'Warning', facts, rc.clock);
      return { requeueAfter: JOIN_RETRY_MS };
    }
    const blocker = facts.mode === 'join' ? await joinBlocker(this.deps.host, s.ref, facts, now) : (await this.deps.host.isRunning(s.ref)) ? undefined : 'the workload cluster has no API server yet';
    if (blocker) {
      markFalse(smp, SIM_CONDITIONS.bootstrapExecSucceeded, SIM_REASONS.bootstrapFailed, 'Warning', blocker, rc.clock);
      return { requeueAfter: JOIN_RETRY_MS };
    }
    const t = smp.spec?.template ?? {};
    const ready = (b.nodeReadySeconds ?? 2) === 0 && !t.failure?.nodeNotReady;
    const { node, ip } = await registerNode(this.deps.host, this.deps.nodeLock, {
      ref: s.ref,
      name: inst.instanceName,
      providerID: inst.providerID,
      os: t.os,
      image: t.image,
      numCPUs: t.numCPUs,
      memoryMiB: t.memoryMiB,
      diskGiB: t.diskGiB,
      failureDomain: inst.failureDomain,
      kubeletVersion: inst.version ?? facts.kubernetesVersion ?? 'v1.32.0',
      podNetwork: s.cluster.spec?.clusterNetwork?.pods?.cidrBlocks?.[0],
      facts,
      ready,
      now: rfc3339(rc.clock.now()),
    });
    inst.ready = true;
    inst.bootedAt = rfc3339(rc.clock.now());
    inst.nodeName = node.metadata!.name!;
    inst.addresses = [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: inst.nodeName },
    ];
    markTrue(smp, SIM_CONDITIONS.bootstrapExecSucceeded, rc.clock);
    rc.recorder.event(smp, 'Normal', 'InstanceBooted', `Instance ${inst.instanceName} booted in ${Math.round((now - started) / 100) / 10}s and ran kubeadm ${facts.mode}; node ${inst.nodeName} registered`);
    return this.runInstance(rc, s, inst);
  }

  /** A booted instance: its kubelet keeps the Node (Ready after nodeReadySeconds unless NotReady is injected). */
  private async runInstance(rc: ReconcileContext, s: Scope, inst: SimMachinePoolInstance): Promise<Result> {
    const { smp } = s;
    const objects = this.deps.host.objects(s.ref);
    const nodes = objects.registry.get('', 'v1', 'nodes')!;
    const name = inst.nodeName ?? inst.instanceName;
    const node = await objects.tryGet(nodes, undefined, name);
    if (!node) return {};
    const key = this.instanceKey(smp, inst.instanceName);
    if (smp.spec?.template?.failure?.nodeNotReady) return {};
    const now = rfc3339(rc.clock.now());
    const readyAt = Date.parse(inst.bootedAt ?? now) + (smp.spec?.template?.behaviour?.nodeReadySeconds ?? 2) * 1000;
    const wait = readyAt - rc.clock.nowMs();
    this.deps.fleet.run(key, s.ref, name, node.metadata!.uid!);
    if (wait > 0) return { requeueAfter: wait };
    const conditions = (isPlainObject(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions : []) as Record<string, unknown>[];
    if (conditions.find((c) => c.type === 'Ready')?.status !== 'True') {
      await objects.patch(nodes, undefined, name, 'merge', { status: { conditions: nodeConditions(true, now, now) } }, { fieldManager: 'kubelet' }, 'status');
    }
    return {};
  }

  // ---- deletion ------------------------------------------------------------------------------------

  /** The VMs go: their kubelets stop and their Leases go (the MachinePool controller deletes the Nodes). */
  private async deleteInstances(rc: ReconcileContext, smp: SimMachinePool, ref: LogicalClusterRef | undefined): Promise<void> {
    for (const inst of smp.status?.instances ?? []) {
      this.deps.fleet.halt(this.instanceKey(smp, inst.instanceName));
      if (!ref || !(await this.deps.host.isRunning(ref))) continue;
      const objects = this.deps.host.objects(ref);
      await deleteIfPresent(objects, objects.registry.get('coordination.k8s.io', 'v1', 'leases')!, 'kube-node-lease', inst.nodeName ?? inst.instanceName);
    }
    if (ref) return;
    // No owner to patch through: drop the finalizer directly.
    if (!smp.metadata?.finalizers?.includes(SIM_MACHINE_POOL_FINALIZER)) return;
    const rest = smp.metadata.finalizers.filter((f) => f !== SIM_MACHINE_POOL_FINALIZER);
    await rc.client.patch(SIM_MACHINE_POOL_KIND, { namespace: smp.metadata.namespace, name: smp.metadata.name! }, { type: 'merge', body: { metadata: { finalizers: rest.length ? rest : null } } }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  }
}


/** SimMachinePools are reconciled when their MachinePool (replicas, version, bootstrap data) or their Cluster changes. */
export function setupSimMachinePoolController(ctx: ControllerContext, deps: SimMachinePoolDeps, opts: { workers?: number } = {}): void {
  const pools = ctx.reader.cache(SIM_MACHINE_POOL_KIND);
  ctx.reader.cache(MACHINE_POOL_KIND);
  ctx.reader.cache(CLUSTER_KIND);
  ctx.reader.cache({ apiVersion: 'v1', kind: 'Secret' });
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: SIM_MACHINE_POOL_KIND,
    reconciler: new SimMachinePoolReconciler(ctx, deps),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      {
        type: MACHINE_POOL_KIND,
        map: (m) => {
          const ref = (m as MachinePool).spec?.template?.spec?.infrastructureRef;
          return ref?.kind === SIM_MACHINE_POOL_KIND.kind && ref.name ? [{ namespace: m.metadata?.namespace, name: ref.name }] : [];
        },
      },
      {
        type: CLUSTER_KIND,
        map: (c) => pools.lister.withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!).filter((x) => x.metadata?.namespace === c.metadata?.namespace).map((x) => ({ namespace: x.metadata?.namespace, name: x.metadata!.name! })),
      },
    ],
  });
}
