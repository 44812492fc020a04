/**
 * The Machine controller (Cluster API's machine reconciler): bootstrap ready → infrastructure ready → the Node found in
 * the workload cluster; phase, conditions and addresses mirrored from the provider objects and the Node; on deletion
 * the Node is cordoned and drained (honouring nodeDrainTimeout), then the infrastructure, the bootstrap config and the
 * Node are deleted, and the Machine goes last.
 */
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { isNotFound, TooManyRequestsError } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { getCondition, markFalse, markTrue, setCondition, setSummary } from '../../runtime/conditions.js';
import { addFinalizer, getControllerOf, isBeingDeleted, removeFinalizer, setControllerReference, setOwnerReference } from '../../runtime/meta.js';
import { rfc3339 } from '../../apiserver/clock.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  CERTIFICATES_EXPIRY_ANNOTATION,
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  CONTROL_PLANE_LABEL,
  EXCLUDE_NODE_DRAINING_ANNOTATION,
  MACHINE_FINALIZER,
  MACHINE_KIND,
  NODE_CLUSTER_NAME_ANNOTATION,
  NODE_CLUSTER_NAMESPACE_ANNOTATION,
  NODE_MACHINE_ANNOTATION,
  NODE_OWNER_KIND_ANNOTATION,
  NODE_OWNER_NAME_ANNOTATION,
  PRE_DRAIN_HOOK_PREFIX,
  PRE_TERMINATE_HOOK_PREFIX,
  REASONS,
  type Cluster,
  type Machine,
  type MachineAddress,
  type MachinePhase,
  type NodeSystemInfo,
  type ObjectReference,
} from '../../api/cluster/types.js';
import { getClusterOf, isPaused } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';
import { mirrorReady } from '../shared/conditions.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { durationMs } from '../shared/duration.js';
import { externalFailure, getExternal, isExternalReady } from '../shared/external.js';
import { lowestRequeue } from '../shared/result.js';

export const CONTROLLER_NAME = 'machine';
export const NODE_KIND = { apiVersion: 'v1', kind: 'Node' } as const;
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' } as const;
/** Index of Machines by spec.providerID (to find the Machine of a Node). */
export const PROVIDER_ID_INDEX = 'spec.providerID';
/** Index of Machines by their bootstrap config and infrastructure machine: `Kind/namespace/name`. */
export const REFS_INDEX = 'machine.refs';
/** Node label domains a Machine's labels are synced to its Node from (upstream's managed label domains). */
const NODE_LABEL_PREFIXES = ['node-role.kubernetes.io/', 'node-restriction.kubernetes.io/', 'node.cluster.x-k8s.io/'];
const NODE_LABEL_DOMAIN_SUFFIXES = ['.node-restriction.kubernetes.io/', '.node.cluster.x-k8s.io/'];
const DRAIN_POLL_MS = 2_000;
/** Taint the kubeadm bootstrap provider registers worker Nodes with, until Cluster API has initialized them. */
const UNINITIALIZED_TAINT_KEY = 'node.cluster.x-k8s.io/uninitialized';
const EXTERNAL_WAIT_MS = 30_000;

interface Scope {
  cluster: Cluster;
  machine: Machine;
  bootstrap?: KubeObject;
  bootstrapNotFound: boolean;
  infra?: KubeObject;
  infraNotFound: boolean;
  node?: KubeObject;
}

export class MachineReconciler {
  constructor(private readonly ctx: ControllerContext) {}

  private get controller() {
    return this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<Machine>(MACHINE_KIND, req.namespace, req.name);
    if (!stored) return;
    const cluster = await getClusterOf(this.ctx.reader, stored);
    if (!cluster) {
      if (isBeingDeleted(stored) && stored.metadata?.finalizers?.includes(MACHINE_FINALIZER)) {
        // The Cluster is gone already: nothing left to drain or to wait for.
        const m = structuredClone(stored);
        removeFinalizer(m, MACHINE_FINALIZER);
        await rc.client.patch(MACHINE_KIND, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { metadata: { finalizers: m.metadata?.finalizers ?? null } } }).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        return;
      }
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    if (isPaused(cluster, stored)) return;
    const machine = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    // Label, owner and finalizer first.
    const labels = (machine.metadata!.labels ??= {});
    labels[CLUSTER_NAME_LABEL] = machine.spec.clusterName;
    if (!getControllerOf(machine) && !(machine.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Cluster')) setOwnerReference(machine, cluster);
    if (!isBeingDeleted(machine)) addFinalizer(machine, MACHINE_FINALIZER);
    const s: Scope = { cluster, machine, bootstrapNotFound: false, infraNotFound: false };
    let result: Result = {};
    let failure: unknown;
    try {
      const boot = await this.reconcileBootstrap(rc, s);
      const infra = await this.reconcileInfrastructure(rc, s);
      if (isBeingDeleted(machine)) result = lowestRequeue(boot, infra, await this.reconcileDelete(rc, s));
      else result = lowestRequeue(boot, infra, await this.reconcileNode(rc, s));
      this.reconcileCertificateExpiry(s);
    } catch (e) {
      failure = e;
    }
    this.summarize(rc, s);
    try {
      await helper.patch(machine);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  // ---- provider objects -----------------------------------------------------------------------------

  private async external(rc: ReconcileContext, s: Scope, ref: ObjectReference): Promise<KubeObject | undefined> {
    if (ref.apiVersion && ref.kind) {
      const machines = this.ctx.manager.informers.for(MACHINE_KIND);
      await this.controller?.watchKind({ apiVersion: ref.apiVersion, kind: ref.kind }, (o) => {
        const owners = ownerMachineRequests(o);
        if (owners.length) return owners;
        return machines.cache.byIndex(REFS_INDEX, `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`).map((m) => ({ namespace: m.metadata?.namespace, name: m.metadata!.name! }));
      });
      this.ctx.reader.cache({ apiVersion: ref.apiVersion, kind: ref.kind });
    }
    const obj = await getExternal(this.ctx.reader, ref, s.machine.metadata?.namespace);
    if (!obj || isBeingDeleted(s.machine)) return obj;
    // The Machine controls its provider objects; they carry the cluster label.
    const copy = structuredClone(obj);
    let changed = false;
    try {
      changed = setControllerReference(copy, s.machine);
    } catch {
      // Controlled by something else (e.g. a MachineSet before handing over): add a plain reference.
      changed = setOwnerReference(copy, s.machine, { blockOwnerDeletion: true });
    }
    const l = (copy.metadata!.labels ??= {});
    if (l[CLUSTER_NAME_LABEL] !== s.cluster.metadata!.name) {
      l[CLUSTER_NAME_LABEL] = s.cluster.metadata!.name!;
      changed = true;
    }
    if (!changed) return obj;
    // Hand control over from the MachineSet (it created the clone) to the Machine.
    const refs = (copy.metadata!.ownerReferences ?? []).map((r) => (r.uid === s.machine.metadata!.uid ? r : { ...r, controller: r.controller && r.kind === 'Machine' ? true : undefined }));
    const mine = refs.find((r) => r.uid === s.machine.metadata!.uid);
    if (mine) {
      mine.controller = true;
      mine.blockOwnerDeletion = true;
    }
    try {
      return await rc.client.patch({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! }, {
        type: 'merge',
        body: { metadata: { ownerReferences: refs.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))), labels: { [CLUSTER_NAME_LABEL]: s.cluster.metadata!.name } } },
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async reconcileBootstrap(rc: ReconcileContext, s: Scope): Promise<Result> {
    const m = s.machine;
    const status = (m.status ??= {});
    const ref = m.spec.bootstrap?.configRef;
    if (!ref) {
      if (m.spec.bootstrap?.dataSecretName) {
        status.bootstrapReady = true;
        markTrue(m, CONDITIONS.bootstrapReady, rc.clock);
      }
      return {};
    }
    const obj = await this.external(rc, s, ref);
    if (!obj) {
      s.bootstrapNotFound = true;
      if (isBeingDeleted(m) || status.bootstrapReady) return {};
      markFalse(m, CONDITIONS.bootstrapReady, REASONS.waitingForDataSecret, 'Info', `${ref.kind} "${ref.name}" does not exist yet`, rc.clock);
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    s.bootstrap = obj;
    const ready = isExternalReady(obj);
    mirrorReady(m, CONDITIONS.bootstrapReady, obj, isBeingDeleted(m) ? { ok: false, reason: REASONS.deleting } : { ok: ready, reason: REASONS.waitingForDataSecret }, rc.clock);
    const failure = externalFailure(obj);
    if (failure) {
      status.failureReason = failure.reason ?? status.failureReason;
      if (failure.message) status.failureMessage = `Failure detected from referenced resource ${obj.apiVersion}, Kind=${obj.kind} with name "${obj.metadata?.name}": ${failure.message}`;
    }
    if (!ready) return {};
    const secretName = isPlainObject(obj.status) && typeof obj.status.dataSecretName === 'string' ? obj.status.dataSecretName : undefined;
    if (!secretName) throw new Error(`${ref.kind} "${ref.name}" is ready but has no status.dataSecretName`);
    m.spec.bootstrap.dataSecretName = secretName;
    if (!status.bootstrapReady) rc.recorder.event(m, 'Normal', 'BootstrapReady', `Bootstrap data for Machine ${m.metadata!.name} is ready in Secret ${secretName}`);
    status.bootstrapReady = true;
    return {};
  }

  private async reconcileInfrastructure(rc: ReconcileContext, s: Scope): Promise<Result> {
    const m = s.machine;
    const status = (m.status ??= {});
    const ref = m.spec.infrastructureRef;
    const obj = await this.external(rc, s, ref);
    if (!obj) {
      s.infraNotFound = true;
      if (isBeingDeleted(m)) return {};
      if (status.infrastructureReady) {
        status.failureReason = 'InvalidConfiguration';
        status.failureMessage = `Machine infrastructure resource ${ref.apiVersion}, Kind=${ref.kind} with name "${ref.name}" has been deleted after being ready`;
        markFalse(m, CONDITIONS.infrastructureReady, REASONS.incorrectExternalRef, 'Error', status.failureMessage, rc.clock);
        return {};
      }
      markFalse(m, CONDITIONS.infrastructureReady, REASONS.waitingForInfrastructure, 'Info', `${ref.kind} "${ref.name}" does not exist yet`, rc.clock);
      return { requeueAfter: EXTERNAL_WAIT_MS };
    }
    s.infra = obj;
    const ready = isExternalReady(obj);
    mirrorReady(m, CONDITIONS.infrastructureReady, obj, isBeingDeleted(m) ? { ok: false, reason: REASONS.deleting } : { ok: ready, reason: REASONS.waitingForInfrastructure }, rc.clock);
    const failure = externalFailure(obj);
    if (failure) {
      status.failureReason = failure.reason ?? status.failureReason;
      if (failure.message) status.failureMessage = `Failure detected from referenced resource ${obj.apiVersion}, Kind=${obj.kind} with name "${obj.metadata?.name}": ${failure.message}`;
      else delete status.failureMessage;
    }
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    if (typeof spec.providerID === 'string' && spec.providerID && !m.spec.providerID) m.spec.providerID = spec.providerID;
    if (typeof spec.failureDomain === 'string' && spec.failureDomain && !m.spec.failureDomain) m.spec.failureDomain = spec.failureDomain;
    const addresses = isPlainObject(obj.status) ? obj.status.addresses : undefined;
    if (Array.isArray(addresses)) status.addresses = addresses as MachineAddress[];
    if (!ready) return {};
    if (!status.infrastructureReady) rc.recorder.event(m, 'Normal', 'InfrastructureReady', `Infrastructure of Machine ${m.metadata!.name} is ready`);
    status.infrastructureReady = true;
    return {};
  }

  // ---- the Node ------------------------------------------------------------------------------------

  private clusterRef(s: Scope): ClusterRef {
    return { namespace: s.cluster.metadata!.namespace!, name: s.cluster.metadata!.name! };
  }

  /** The Node of a provider ID, from the workload cluster's Node informer (undefined when not there). */
  private async findNode(s: Scope, providerID: string): Promise<{ found?: KubeObject; reachable: boolean }> {
    const ref = this.clusterRef(s);
    const watched = await this.ctx.clusterCache.watch(ref, NODE_KIND, CONTROLLER_NAME, (node) => {
      for (const r of this.machinesOfNode(ref, node)) this.controller?.enqueue(r);
    });
    if (!watched) return { reachable: false };
    const inf = await this.ctx.clusterCache.informer(ref, NODE_KIND);
    if (!inf) return { reachable: false };
    if (!inf.cache.hasIndex(PROVIDER_ID_INDEX)) inf.addIndexers({ [PROVIDER_ID_INDEX]: (n) => (typeof (n.spec as { providerID?: unknown } | undefined)?.providerID === 'string' ? [(n.spec as { providerID: string }).providerID] : []) });
    const nodes = inf.cache.byIndex(PROVIDER_ID_INDEX, providerID);
    return { found: nodes[0], reachable: true };
  }

  /** Machines a Node belongs to: by its machine annotation, else by provider ID. */
  private machinesOfNode(ref: ClusterRef, node: KubeObject): Request[] {
    const a = node.metadata?.annotations ?? {};
    if (a[NODE_MACHINE_ANNOTATION]) return [{ namespace: a[NODE_CLUSTER_NAMESPACE_ANNOTATION] || ref.namespace, name: a[NODE_MACHINE_ANNOTATION] }];
    const pid = (node.spec as { providerID?: unknown } | undefined)?.providerID;
    if (typeof pid !== 'string') return [];
    const machines = this.ctx.manager.informers.for(MACHINE_KIND);
    return machines.cache.byIndex(PROVIDER_ID_INDEX, pid).map((m) => ({ namespace: m.metadata?.namespace, name: m.metadata!.name! }));
  }

  private async reconcileNode(rc: ReconcileContext, s: Scope): Promise<Result> {
    const m = s.machine;
    const status = (m.status ??= {});
    const providerID = m.spec.providerID;
    if (!providerID) {
      markFalse(m, CONDITIONS.nodeHealthy, REASONS.waitingForNodeRef, 'Info', '', rc.clock);
      return {};
    }
    const { found, reachable } = await this.findNode(s, providerID);
    if (!reachable) {
      markFalse(m, CONDITIONS.nodeHealthy, REASONS.nodeInspectionFailed, 'Info', 'Waiting for the workload cluster API server to be reachable', rc.clock);
      return { requeueAfter: 10_000 };
    }
    if (!found) {
      if (status.nodeRef) {
        markFalse(m, CONDITIONS.nodeHealthy, REASONS.nodeNotFound, 'Error', `Node ${status.nodeRef.name} has been deleted`, rc.clock);
      } else {
        markFalse(m, CONDITIONS.nodeHealthy, REASONS.nodeProvisioning, 'Warning', 'Waiting for a node with matching ProviderID to exist', rc.clock);
      }
      return {};
    }
    s.node = found;
    const nodeName = found.metadata!.name!;
    if (!status.nodeRef || status.nodeRef.name !== nodeName) {
      rc.recorder.event(m, 'Normal', 'SuccessfulSetNodeRef', nodeName);
    }
    status.nodeRef = { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: found.metadata!.uid };
    const nodeStatus = isPlainObject(found.status) ? found.status : {};
    if (isPlainObject(nodeStatus.nodeInfo)) status.nodeInfo = nodeStatus.nodeInfo as NodeSystemInfo;
    if (!status.addresses?.length && Array.isArray(nodeStatus.addresses)) status.addresses = nodeStatus.addresses as MachineAddress[];
    await this.syncNodeMetadata(rc, s, found);
    const health = summarizeNodeConditions(found);
    if (health.ok) markTrue(m, CONDITIONS.nodeHealthy, rc.clock);
    else markFalse(m, CONDITIONS.nodeHealthy, REASONS.nodeConditionsFailed, health.severity, health.message, rc.clock);
    return {};
  }

  /** Put the annotations Cluster API manages and the Machine's node-role labels on the Node. */
  private async syncNodeMetadata(rc: ReconcileContext, s: Scope, node: KubeObject): Promise<void> {
    const m = s.machine;
    const owner = getControllerOf(m);
    const wantAnnotations: Record<string, string> = {
      [NODE_CLUSTER_NAME_ANNOTATION]: s.cluster.metadata!.name!,
      [NODE_CLUSTER_NAMESPACE_ANNOTATION]: m.metadata!.namespace!,
      [NODE_MACHINE_ANNOTATION]: m.metadata!.name!,
    };
    if (owner) {
      wantAnnotations[NODE_OWNER_KIND_ANNOTATION] = owner.kind;
      wantAnnotations[NODE_OWNER_NAME_ANNOTATION] = owner.name;
    }
    const wantLabels: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.metadata?.labels ?? {})) {
      if (NODE_LABEL_PREFIXES.some((p) => k.startsWith(p)) || NODE_LABEL_DOMAIN_SUFFIXES.some((p) => k.includes(p))) wantLabels[k] = v;
    }
    const have = node.metadata ?? {};
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(wantAnnotations)) if (have.annotations?.[k] !== v) annotations[k] = v;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(wantLabels)) if (have.labels?.[k] !== v) labels[k] = v;
    // The bootstrap provider registers workers with the uninitialized taint; it goes once the Node has its Machine.
    const taints = ((node.spec as { taints?: { key: string }[] } | undefined)?.taints ?? []);
    const initialized = taints.some((t) => t.key === UNINITIALIZED_TAINT_KEY);
    if (!Object.keys(annotations).length && !Object.keys(labels).length && !initialized) return;
    const client = await this.ctx.clusterCache.client(this.clusterRef(s));
    if (!client) return;
    const metadata: Record<string, unknown> = {};
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    if (Object.keys(labels).length) metadata.labels = labels;
    const body: Record<string, unknown> = { metadata };
    if (initialized) {
      const rest = taints.filter((t) => t.key !== UNINITIALIZED_TAINT_KEY);
      body.spec = { taints: rest.length ? rest : null };
    }
    try {
      await client.patch(NODE_KIND, { name: node.metadata!.name! }, { type: 'merge', body });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Control-plane Machines report when their certificates expire (from the Machine or its bootstrap config). */
  private reconcileCertificateExpiry(s: Scope): void {
    const m = s.machine;
    if (m.metadata?.labels?.[CONTROL_PLANE_LABEL] === undefined) return;
    const fromMachine = m.metadata?.annotations?.[CERTIFICATES_EXPIRY_ANNOTATION];
    const fromBootstrap = s.bootstrap?.metadata?.annotations?.[CERTIFICATES_EXPIRY_ANNOTATION];
    const text = fromMachine ?? fromBootstrap;
    if (!text) return;
    const t = Date.parse(text);
    if (Number.isFinite(t)) (m.status ??= {}).certificatesExpiryDate = rfc3339(new Date(t));
  }

  // ---- deletion ------------------------------------------------------------------------------------

  private async reconcileDelete(rc: ReconcileContext, s: Scope): Promise<Result> {
    const m = s.machine;
    const status = (m.status ??= {});
    const deleteNodeAllowed = await this.isDeleteNodeAllowed(s);
    const annotations = m.metadata?.annotations ?? {};
    if (deleteNodeAllowed) {
      const preDrain = Object.keys(annotations).filter((k) => k.startsWith(PRE_DRAIN_HOOK_PREFIX)).sort();
      if (preDrain.length) {
        markFalse(m, CONDITIONS.preDrainDeleteHookSucceeded, REASONS.waitingExternalHook, 'Info', `Waiting for pre-drain hooks to succeed (hooks: ${preDrain.join(',')})`, rc.clock);
        return {};
      }
      markTrue(m, CONDITIONS.preDrainDeleteHookSucceeded, rc.clock);
      if (this.isNodeDrainAllowed(rc, m)) {
        const deletion = (status.deletion ??= {});
        deletion.nodeDrainStartTime ??= rfc3339(rc.clock.now());
        if (!getCondition(m, CONDITIONS.drainingSucceeded)) markFalse(m, CONDITIONS.drainingSucceeded, REASONS.draining, 'Info', 'Draining the node before deletion', rc.clock);
        const drained = await this.drainNode(rc, s);
        if (!drained.done) {
          markFalse(m, CONDITIONS.drainingSucceeded, REASONS.draining, 'Info', drained.message, rc.clock);
          return { requeueAfter: DRAIN_POLL_MS };
        }
        if (getCondition(m, CONDITIONS.drainingSucceeded)?.status !== 'True') rc.recorder.event(m, 'Normal', 'SuccessfulDrainNode', `success draining Machine's node "${status.nodeRef!.name}"`);
        markTrue(m, CONDITIONS.drainingSucceeded, rc.clock);
      }
    }
    const preTerminate = Object.keys(annotations).filter((k) => k.startsWith(PRE_TERMINATE_HOOK_PREFIX)).sort();
    if (preTerminate.length) {
      markFalse(m, CONDITIONS.preTerminateDeleteHookSucceeded, REASONS.waitingExternalHook, 'Info', `Waiting for pre-terminate hooks to succeed (hooks: ${preTerminate.join(',')})`, rc.clock);
      return {};
    }
    markTrue(m, CONDITIONS.preTerminateDeleteHookSucceeded, rc.clock);
    // Infrastructure first, then the bootstrap config.
    if (s.infra) {
      if (!isBeingDeleted(s.infra)) await this.deleteObject(rc.client, s.infra);
      markFalse(m, CONDITIONS.infrastructureReady, REASONS.deleting, 'Info', `Waiting for ${m.spec.infrastructureRef.kind} to be deleted`, rc.clock);
      return {};
    }
    markFalse(m, CONDITIONS.infrastructureReady, REASONS.deleted, 'Info', '', rc.clock);
    if (s.bootstrap) {
      if (!isBeingDeleted(s.bootstrap)) await this.deleteObject(rc.client, s.bootstrap);
      markFalse(m, CONDITIONS.bootstrapReady, REASONS.deleting, 'Info', `Waiting for ${m.spec.bootstrap.configRef?.kind} to be deleted`, rc.clock);
      return {};
    }
    if (m.spec.bootstrap.configRef) markFalse(m, CONDITIONS.bootstrapReady, REASONS.deleted, 'Info', '', rc.clock);
    if (deleteNodeAllowed && status.nodeRef) {
      const client = await this.ctx.clusterCache.client(this.clusterRef(s));
      try {
        if (client) await client.delete(NODE_KIND, { name: status.nodeRef.name! });
      } catch (e) {
        if (!isNotFound(e)) {
          const timeout = durationMs(m.spec.nodeDeletionTimeout, 'spec.nodeDeletionTimeout') ?? 10_000;
          const since = Date.parse(m.metadata!.deletionTimestamp!);
          if (timeout === 0 || rc.clock.nowMs() - since < timeout) throw e;
          rc.recorder.event(m, 'Warning', 'FailedDeleteNode', `error deleting Machine's node: ${(e as Error).message}; node deletion timeout expired, continuing`);
        }
      }
    }
    removeFinalizer(m, MACHINE_FINALIZER);
    return {};
  }

  private async deleteObject(client: Client, obj: KubeObject): Promise<void> {
    try {
      await client.delete({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Upstream's rules: not while the whole cluster or its control plane goes, not without a Node. */
  private async isDeleteNodeAllowed(s: Scope): Promise<boolean> {
    if (isBeingDeleted(s.cluster)) return false;
    const m = s.machine;
    if (!m.status?.nodeRef && m.spec.providerID) {
      const { found } = await this.findNode(s, m.spec.providerID);
      if (found) (m.status ??= {}).nodeRef = { apiVersion: 'v1', kind: 'Node', name: found.metadata!.name!, uid: found.metadata!.uid };
    }
    if (!m.status?.nodeRef) return false;
    const cpRef = s.cluster.spec?.controlPlaneRef;
    if (cpRef) {
      const cp = await getExternal(this.ctx.reader, cpRef, s.cluster.metadata?.namespace);
      if (cp && isBeingDeleted(cp)) return false;
    }
    const machines = this.ctx.manager.informers.for(MACHINE_KIND).lister.withLabel(CLUSTER_NAME_LABEL, s.cluster.metadata!.name!).filter((x) => x.metadata?.namespace === s.cluster.metadata?.namespace && !isBeingDeleted(x));
    const cpMachines = machines.filter((x) => x.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined);
    if (cpMachines.length === 0) return false;
    return true;
  }

  private isNodeDrainAllowed(rc: ReconcileContext, m: Machine): boolean {
    if (m.metadata?.annotations?.[EXCLUDE_NODE_DRAINING_ANNOTATION] !== undefined) return false;
    const timeout = durationMs(m.spec.nodeDrainTimeout, 'spec.nodeDrainTimeout');
    const started = m.status?.deletion?.nodeDrainStartTime;
    if (timeout && timeout > 0 && started) {
      if (rc.clock.nowMs() - Date.parse(started) > timeout) {
        if (getCondition(m, CONDITIONS.drainingSucceeded)?.status !== 'True') {
          setCondition(m, { type: CONDITIONS.drainingSucceeded, status: 'False', severity: 'Warning', reason: REASONS.drainingFailed, message: `Drain timed out after ${m.spec.nodeDrainTimeout} (nodeDrainTimeout); the node is deleted without a complete drain` }, rc.clock);
          rc.recorder.event(m, 'Warning', 'DrainTimeout', `Node drain of Machine ${m.metadata!.name} exceeded nodeDrainTimeout ${m.spec.nodeDrainTimeout}; continuing with deletion`);
        }
        return false;
      }
    }
    return true;
  }

  /** Cordon the Node and evict every Pod but mirror (static) Pods and DaemonSet Pods, as kubectl drain does. */
  private async drainNode(rc: ReconcileContext, s: Scope): Promise<{ done: boolean; message: string }> {
    const nodeName = s.machine.status!.nodeRef!.name!;
    const client = await this.ctx.clusterCache.client(this.clusterRef(s));
    if (!client) return { done: true, message: '' };
    let node: KubeObject;
    try {
      node = await client.get(NODE_KIND, { name: nodeName });
    } catch (e) {
      if (isNotFound(e)) return { done: true, message: '' };
      throw e;
    }
    if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable !== true) {
      await client.patch(NODE_KIND, { name: nodeName }, { type: 'merge', body: { spec: { unschedulable: true } } });
      rc.recorder.event(s.machine, 'Normal', 'CordonedNode', `Cordoned node "${nodeName}"`);
    }
    const pods = (await client.list(POD_KIND, { fieldSelector: `spec.nodeName=${nodeName}` })).items;
    const evictable = pods.filter((p) => !p.metadata?.annotations?.['kubernetes.io/config.mirror'] && !(p.metadata?.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet') && !isTerminal(p));
    // Evicted through pods/eviction, so PodDisruptionBudgets hold the drain back (as upstream's drain does).
    const blocked: string[] = [];
    for (const p of evictable) {
      if (isBeingDeleted(p)) continue;
      const key = { namespace: p.metadata!.namespace, name: p.metadata!.name! };
      try {
        await client.createSubresource(POD_KIND, key, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: key });
      } catch (e) {
        if (e instanceof TooManyRequestsError) blocked.push(`${key.namespace}/${key.name}`);
        else if (isNotFound(e) && (e as Error).message.includes('could not find the requested resource')) await client.delete(POD_KIND, key).catch(() => undefined);
        else if (!isNotFound(e)) throw e;
      }
    }
    if (evictable.length) {
      const names = evictable.slice(0, 5).map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`).join(', ');
      const budget = blocked.length ? `; ${blocked.length} blocked by a PodDisruptionBudget (${blocked.slice(0, 5).join(', ')}): Cannot evict pod as it would violate the pod's disruption budget.` : '';
      return { done: false, message: `Drain not completed yet: waiting for ${evictable.length} Pod(s) to be evicted from Node ${nodeName}: ${names}${budget}` };
    }
    return { done: true, message: '' };
  }

  // ---- status ---------------------------------------------------------------------------------------

  private summarize(rc: ReconcileContext, s: Scope): void {
    const m = s.machine;
    const status = (m.status ??= {});
    const phase = machinePhase(m);
    if (phase !== status.phase) status.lastUpdated = rfc3339(rc.clock.now());
    status.phase = phase;
    const types: string[] = [CONDITIONS.bootstrapReady, CONDITIONS.infrastructureReady, CONDITIONS.nodeHealthy];
    if (!m.spec.bootstrap?.configRef) types.shift();
    for (const t of [CONDITIONS.healthCheckSucceeded, CONDITIONS.ownerRemediated, CONDITIONS.drainingSucceeded]) if (getCondition(m, t)) types.push(t);
    setSummary(m, { conditions: types }, rc.clock);
    if (m.metadata?.generation !== undefined) status.observedGeneration = m.metadata.generation;
  }
}

function isTerminal(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Node conditions → NodeHealthy, as upstream's summary: Ready must be True, the pressure conditions False. */
export function summarizeNodeConditions(node: KubeObject): { ok: boolean; severity: 'Error' | 'Warning' | 'Info'; message: string } {
  const conditions = Array.isArray((node.status as { conditions?: unknown } | undefined)?.conditions) ? ((node.status as { conditions: { type: string; status: string }[] }).conditions) : [];
  const messages: string[] = [];
  let readyFound = false;
  for (const c of conditions) {
    if (c.type === 'Ready') {
      readyFound = true;
      if (c.status !== 'True') messages.push(`Node condition Ready is ${c.status === 'False' ? 'False' : 'Unknown'}`);
    } else if (c.type === 'MemoryPressure' || c.type === 'DiskPressure' || c.type === 'PIDPressure') {
      if (c.status !== 'False') messages.push(`Node condition ${c.type} is ${c.status === 'True' ? 'True' : 'Unknown'}`);
    }
  }
  if (!readyFound) messages.push('Node condition Ready is Unknown');
  if (!messages.length) return { ok: true, severity: 'Info', message: '' };
  return { ok: false, severity: 'Warning', message: messages.join('. ') + '.' };
}

/** Upstream's phase order: Pending → Provisioning → Provisioned → Running; Failed and Deleting win. */
export function machinePhase(m: Machine): MachinePhase {
  const status = m.status ?? {};
  let phase: MachinePhase = status.phase && status.phase !== 'Deleting' && status.phase !== 'Failed' ? status.phase : 'Pending';
  if (status.bootstrapReady && !status.infrastructureReady) phase = 'Provisioning';
  if (m.spec.providerID) phase = 'Provisioned';
  if (status.nodeRef && status.infrastructureReady) phase = 'Running';
  if (status.failureReason || status.failureMessage) phase = 'Failed';
  if (isBeingDeleted(m)) phase = 'Deleting';
  return phase;
}

/** A provider object controlled by a Machine → that Machine. */
export function ownerMachineRequests(o: KubeObject): Request[] {
  const out: Request[] = [];
  for (const r of o.metadata?.ownerReferences ?? []) if (r.kind === 'Machine' && r.apiVersion.startsWith('cluster.x-k8s.io/')) out.push({ namespace: o.metadata?.namespace, name: r.name });
  return out;
}

/** Register the Machine controller. */
export function setupMachineController(ctx: ControllerContext, opts: { workers?: number } = {}): void {
  ctx.reader.cache(CLUSTER_KIND);
  const machines = ctx.reader.cache(MACHINE_KIND);
  machines.addIndexers({
    [REFS_INDEX]: (m) => {
      const spec = (m as Machine).spec;
      return [spec?.bootstrap?.configRef, spec?.infrastructureRef].filter((x): x is ObjectReference => !!x?.kind && !!x.name).map((x) => `${x.kind}/${x.namespace || m.metadata?.namespace}/${x.name}`);
    },
  });
  machines.addIndexers({ [PROVIDER_ID_INDEX]: (m) => (typeof (m.spec as { providerID?: unknown } | undefined)?.providerID === 'string' ? [(m.spec as { providerID: string }).providerID] : []) });
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: MACHINE_KIND,
    reconciler: new MachineReconciler(ctx),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      {
        // A Cluster changing (unpaused, infrastructure ready, deleted) → its Machines.
        type: CLUSTER_KIND,
        map: (c) => machines.lister.withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!).filter((m) => m.metadata?.namespace === c.metadata?.namespace).map((m) => ({ namespace: m.metadata?.namespace, name: m.metadata!.name! })),
      },
    ],
  });
}

