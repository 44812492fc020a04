/**
 * SimMachine controller: a simulated VM. It waits for the cluster infrastructure and the bootstrap data, "boots" for
 * the configured time, then runs what the bootstrap data says — kubeadm init starts the workload cluster's API server,
 * joins register — and its kubelet registers the Node (labels, taints, capacity from the machine size), mirrors the
 * control-plane static Pods and keeps the node Lease fresh. Failures can be injected by spec or annotation.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { StatusError } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { rfc3339 } from '../../apiserver/clock.js';
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import { isNotFound } from '../../client/errors.js';
import { markFalse, markTrue, setSummary } from '../../runtime/conditions.js';
import { addFinalizer, isBeingDeleted, removeFinalizer } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, CONDITIONS, CONTROL_PLANE_LABEL, MACHINE_KIND, type Cluster, type Machine } from '../../api/cluster/types.js';
import { SIM_ANNOTATIONS, SIM_CONDITIONS, SIM_MACHINE_FINALIZER, SIM_MACHINE_KIND, SIM_REASONS, type SimMachine } from '../../api/infrastructure/types.js';
import { isPaused } from '../../controllers/shared/cluster.js';
import { buildApiServerFilesConfigMap } from '../../controllers/workload/psa/apiserver-files.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../../controllers/shared/context.js';
import type { BootFacts } from './boot-facts.js';
import { readBootFacts } from './bootstrap-reader.js';
import { argsToMap } from '../../controllers/kubeadmconfig/kubeadm-api.js';
import YAML from 'yaml';
import type { KeyedMutex } from './keyed-mutex.js';
import { bootDueMs, deleteIfPresent, joinBlocker, registerNode } from './node-registration.js';
import type { KubeletFleet } from './kubelet-fleet.js';
import { addonObjects, extraStaticPods } from './extra-manifests.js';
import { claimedMachineAddresses, claimSlots, IP_ADDRESS_CLAIM_KIND, IP_ADDRESS_KIND, ownerOfClaim, primaryAddress, reconcileClaims, releaseClaims, type ClaimedAddress } from './ip-claims.js';
import { buildClusterInfo, buildKubeadmConfigMap, buildStaticPod, CONTROL_PLANE_COMPONENTS, nodeConditions, unknownNodeConditions } from './node.js';

export const CONTROLLER_NAME = 'simmachine';
const PROVIDER_ID_PREFIX = 'sim://';
const JOIN_RETRY_MS = 2_000;
const CLAIM_RELEASE_RETRY_MS = 1_000;

export interface SimMachineDeps {
  host: LogicalClusterHost;
  fleet: KubeletFleet;
  /** The plane's address as workload clusters' endpoint host:port. */
  endpoint: { host: string; port: number };
  log: Logger;
  /** Serializes Node registration per workload cluster (node indexes are allocated under it), shared with SimMachinePools. */
  nodeLock: KeyedMutex;
}

interface Scope {
  sm: SimMachine;
  machine: Machine;
  cluster: Cluster;
  ref: LogicalClusterRef;
  /** Addresses claimed from the machine's IP pools (set once every claim has its address). */
  claimed?: ClaimedAddress[];
}

export class SimMachineReconciler {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly deps: SimMachineDeps,
  ) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = `${req.namespace}/${req.name}`;
    const stored = await this.ctx.reader.get<SimMachine>(SIM_MACHINE_KIND, req.namespace, req.name);
    if (!stored) {
      this.deps.fleet.halt(key);
      return;
    }
    const ownerRef = (stored.metadata?.ownerReferences ?? []).find((r) => r.kind === 'Machine' && r.apiVersion.startsWith('cluster.x-k8s.io/'));
    const machine = ownerRef ? await this.ctx.reader.get<Machine>(MACHINE_KIND, req.namespace, ownerRef.name) : undefined;
    if (!machine) {
      // Waiting for the Machine controller to set the owner reference; a machine being deleted without one just goes.
      return isBeingDeleted(stored) ? this.releaseFinalizer(rc, stored) : undefined;
    }
    const clusterName = machine.spec.clusterName;
    const cluster = await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, clusterName);
    if (!cluster) return isBeingDeleted(stored) ? this.releaseFinalizer(rc, stored) : undefined;
    if (isPaused(cluster, stored)) return;
    const sm = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    const s: Scope = { sm, machine, cluster, ref: { namespace: req.namespace!, name: clusterName } };
    let result: Result = {};
    let failure: unknown;
    try {
      if (isBeingDeleted(sm)) result = await this.reconcileDelete(rc, s);
      else {
        addFinalizer(sm, SIM_MACHINE_FINALIZER);
        (sm.metadata!.labels ??= {})[CLUSTER_NAME_LABEL] = clusterName;
        result = await this.reconcileNormal(rc, s);
      }
    } catch (e) {
      failure = e;
    }
    const summarized = claimSlots(sm).length ? [SIM_CONDITIONS.ipAddressClaimed, SIM_CONDITIONS.vmProvisioned, SIM_CONDITIONS.bootstrapExecSucceeded] : [SIM_CONDITIONS.vmProvisioned, SIM_CONDITIONS.bootstrapExecSucceeded];
    if (!isBeingDeleted(sm)) setSummary(sm, { conditions: summarized }, rc.clock);
    try {
      await helper.patch(sm);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  /** Lets a deleted SimMachine go (its IP claims first: until they are gone it asks to be looked at again). */
  private async releaseFinalizer(rc: ReconcileContext, sm: SimMachine): Promise<Result | undefined> {
    if (!sm.metadata?.finalizers?.includes(SIM_MACHINE_FINALIZER)) return undefined;
    if (claimSlots(sm).length && (await releaseClaims(rc.client, sm)) > 0) return { requeueAfter: CLAIM_RELEASE_RETRY_MS };
    const rest = sm.metadata.finalizers.filter((f) => f !== SIM_MACHINE_FINALIZER);
    await rc.client.patch(SIM_MACHINE_KIND, { namespace: sm.metadata.namespace, name: sm.metadata.name! }, { type: 'merge', body: { metadata: { finalizers: rest.length ? rest : null } } }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  }

  private machineKey(s: Scope): string {
    return `${s.sm.metadata!.namespace}/${s.sm.metadata!.name}`;
  }

  private nodeName(s: Scope): string {
    return s.machine.metadata!.name!;
  }

  // ---- provisioning --------------------------------------------------------------------------------

  private async reconcileNormal(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { sm, machine, cluster } = s;
    const spec = (sm.spec ??= {});
    const status = (sm.status ??= {});
    spec.providerID ??= `${PROVIDER_ID_PREFIX}${sm.metadata!.namespace}/${sm.metadata!.name}`;
    if (machine.spec.failureDomain && !spec.failureDomain) spec.failureDomain = machine.spec.failureDomain;
    if (status.failureReason) return {};
    if (!cluster.status?.infrastructureReady) {
      markFalse(sm, SIM_CONDITIONS.vmProvisioned, SIM_REASONS.waitingForClusterInfrastructure, 'Info', 'Waiting for the cluster infrastructure to be ready', rc.clock);
      return {};
    }
    // Addresses from IP pools are claimed before the machine boots; it waits until each claim has its address.
    if (!status.ready && !(await this.claimAddresses(rc, s))) return {};
    const controlPlane = machine.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined;
    const initialized = cluster.status?.conditions?.some((c) => c.type === CONDITIONS.controlPlaneInitialized && c.status === 'True');
    if (!controlPlane && !initialized && !status.ready) {
      markFalse(sm, SIM_CONDITIONS.vmProvisioned, SIM_REASONS.waitingForControlPlaneAvailable, 'Info', 'Waiting for the control plane to be initialized', rc.clock);
      return {};
    }
    if (!machine.spec.bootstrap?.dataSecretName && !status.ready) {
      markFalse(sm, SIM_CONDITIONS.vmProvisioned, SIM_REASONS.waitingForBootstrapData, 'Info', 'Waiting for the bootstrap data secret', rc.clock);
      return {};
    }
    if (!status.ready) return this.provision(rc, s);
    return this.runningMachine(rc, s);
  }

  /** Whether the machine has every address it claims from IP pools (true when it claims none). */
  private async claimAddresses(rc: ReconcileContext, s: Scope): Promise<boolean> {
    const slots = claimSlots(s.sm);
    if (!slots.length) return true;
    const state = await reconcileClaims(rc.client, this.ctx.reader, s.sm, s.cluster.metadata!.name!, slots);
    if (state.phase === 'waiting') {
      markFalse(s.sm, SIM_CONDITIONS.ipAddressClaimed, state.reason, 'Info', state.message, rc.clock);
      return false;
    }
    markTrue(s.sm, SIM_CONDITIONS.ipAddressClaimed, rc.clock);
    s.claimed = state.addresses;
    return true;
  }

  /** The machine's InternalIP when it has pool addresses: the claimed primary, or (once booted) the one it booted with. */
  private poolAddress(s: Scope): string | undefined {
    if (s.claimed) return primaryAddress(s.claimed);
    if (!claimSlots(s.sm).length) return undefined;
    return s.sm.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  }

  private async provision(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { sm } = s;
    const status = sm.status!;
    const injected = sm.metadata?.annotations?.[SIM_ANNOTATIONS.failProvisioning] ?? sm.spec?.failure?.provisioning;
    if (injected !== undefined) {
      const message = injected || 'provisioning failed (injected)';
      status.failureReason = 'CreateError';
      status.failureMessage = message;
      markFalse(sm, SIM_CONDITIONS.vmProvisioned, SIM_REASONS.provisioningFailed, 'Error', message, rc.clock);
      rc.recorder.event(sm, 'Warning', 'ProvisioningFailed', message);
      return {};
    }
    const now = rc.clock.nowMs();
    const started = status.provisioningStartedAt ? Date.parse(status.provisioningStartedAt) : now;
    if (!status.provisioningStartedAt) status.provisioningStartedAt = rfc3339(new Date(now));
    const due = bootDueMs(started, sm.spec?.behaviour, sm.metadata!.uid ?? sm.metadata!.name!);
    if (due > now) {
      markFalse(sm, SIM_CONDITIONS.vmProvisioned, SIM_REASONS.provisioning, 'Info', `Booting (ready in ${Math.ceil((due - now) / 1000)}s)`, rc.clock);
      return { requeueAfter: due - now };
    }
    markTrue(sm, SIM_CONDITIONS.vmProvisioned, rc.clock);
    // The VM is up: run the bootstrap data.
    const secretName = s.machine.spec.bootstrap.dataSecretName!;
    const secret = await this.ctx.reader.get({ apiVersion: 'v1', kind: 'Secret' }, sm.metadata!.namespace, secretName);
    const data = (secret?.data ?? {}) as Record<string, string>;
    if (!data.value) {
      markFalse(sm, SIM_CONDITIONS.bootstrapExecSucceeded, SIM_REASONS.waitingForBootstrapData, 'Info', `Bootstrap data Secret ${secretName} not found or empty`, rc.clock);
      return { requeueAfter: JOIN_RETRY_MS };
    }
    let facts: BootFacts;
    try {
      facts = readBootFacts(Buffer.from(data.value, 'base64').toString('utf8'), data.format ? Buffer.from(data.format, 'base64').toString('utf8') : undefined);
    } catch (e) {
      const message = `cannot run bootstrap data from Secret ${secretName}: ${(e as Error).message}`;
      status.failureReason = 'CreateError';
      status.failureMessage = message;
      markFalse(sm, SIM_CONDITIONS.bootstrapExecSucceeded, SIM_REASONS.bootstrapFailed, 'Error', message, rc.clock);
      rc.recorder.event(sm, 'Warning', 'BootstrapFailed', message);
      return {};
    }
    const ran = await this.runKubeadm(rc, s, facts);
    if (ran.retry) {
      markFalse(sm, SIM_CONDITIONS.bootstrapExecSucceeded, SIM_REASONS.bootstrapFailed, 'Warning', ran.retry, rc.clock);
      return { requeueAfter: JOIN_RETRY_MS };
    }
    const node = ran.node!;
    const ip = ran.ip!;
    status.ready = true;
    status.bootedAt = rfc3339(rc.clock.now());
    status.nodeName = node.metadata!.name!;
    status.addresses = s.claimed?.length
      ? claimedMachineAddresses(s.claimed, node.metadata!.name!)
      : [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: node.metadata!.name! },
        ];
    status.bootstrap = { format: facts.format, kubeadm: facts.mode, commands: facts.commands.length };
    status.files = facts.files.map((f) => ({ path: f.path, sha256: createHash('sha256').update(f.content).digest('hex'), size: f.content.length, ...(f.owner ? { owner: f.owner } : {}), ...(f.permissions ? { permissions: f.permissions } : {}) }));
    markTrue(sm, SIM_CONDITIONS.bootstrapExecSucceeded, rc.clock);
    rc.recorder.event(sm, 'Normal', 'Booted', `Machine booted in ${Math.round((rc.clock.nowMs() - started) / 100) / 10}s and ran kubeadm ${facts.mode}; node ${node.metadata!.name} registered`);
    return this.runningMachine(rc, s);
  }

  /** kubeadm init / join, then the kubelet registers the Node. */
  private async runKubeadm(rc: ReconcileContext, s: Scope, facts: BootFacts): Promise<{ retry?: string; node?: KubeObject; ip?: string }> {
    const { host } = this.deps;
    const ref = s.ref;
    if (facts.mode === 'init') {
      await host.start(ref);
      const objects = host.objects(ref);
      const endpoint = s.cluster.spec?.controlPlaneEndpoint;
      const endpointText = endpoint?.host ? `${endpoint.host}:${endpoint.port ?? 6443}` : `${this.deps.endpoint.host}:${this.deps.endpoint.port}`;
      await createIfMissing(objects, buildKubeadmConfigMap(facts, versionOf(s, facts), endpointText));
      const ca = await this.ctx.reader.get({ apiVersion: 'v1', kind: 'Secret' }, ref.namespace, `${ref.name}-ca`);
      const caPem = (ca?.data as Record<string, string> | undefined)?.['tls.crt'];
      if (caPem) await createIfMissing(objects, buildClusterInfo(Buffer.from(caPem, 'base64').toString('utf8'), `https://${endpointText}`));
      for (const obj of addonObjects(facts)) await createIfMissing(objects, obj, true);
    } else if (facts.mode === 'join') {
      const blocker = await joinBlocker(host, ref, facts, rc.clock.nowMs());
      if (blocker) return { retry: blocker };
    } else if (!(await host.isRunning(ref))) {
      return { retry: 'the bootstrap data runs no kubeadm command and the cluster has no API server yet' };
    }
    if (facts.mode === 'join' && facts.controlPlane && !facts.clusterConfiguration) facts = await this.withClusterConfiguration(s, facts);
    const ready = (s.sm.spec?.behaviour?.nodeReadySeconds ?? 2) === 0 && !this.notReadyInjected(s);
    const { node, ip } = await this.registerNode(rc, s, facts, ready);
    if (facts.controlPlane) await this.writeStaticPods(rc, s, facts, node, ip);
    for (const pod of extraStaticPods(facts, node, ip, rfc3339(rc.clock.now()))) await createIfMissing(this.deps.host.objects(s.ref), pod, true);
    return { node, ip };
  }

  /** `kubeadm join --control-plane` takes the ClusterConfiguration (components' extraArgs) from the kubeadm-config ConfigMap. */
  private async withClusterConfiguration(s: Scope, facts: BootFacts): Promise<BootFacts> {
    const objects = this.deps.host.objects(s.ref);
    const cm = await objects.tryGet(objects.registry.get('', 'v1', 'configmaps')!, 'kube-system', 'kubeadm-config');
    const text = (cm?.data as Record<string, string> | undefined)?.ClusterConfiguration;
    if (!text) return facts;
    const cc = YAML.parse(text) as Record<string, unknown> | null;
    if (!isPlainObject(cc)) return facts;
    const args = (v: unknown): Record<string, string> => (isPlainObject(v) ? (argsToMap(v.extraArgs) ?? {}) : {});
    return {
      ...facts,
      apiServerArgs: args(cc.apiServer),
      controllerManagerArgs: args(cc.controllerManager),
      schedulerArgs: args(cc.scheduler),
      etcdArgs: isPlainObject(cc.etcd) ? args(cc.etcd.local) : {},
      clusterConfiguration: cc,
    };
  }

  /** The kubelet registers the Node; the machine takes the lowest free node index of its cluster (address, pod CIDR). */
  private async registerNode(rc: ReconcileContext, s: Scope, facts: BootFacts, ready: boolean): Promise<{ node: KubeObject; ip: string }> {
    const spec = s.sm.spec ?? {};
    return registerNode(this.deps.host, this.deps.nodeLock, {
      ref: s.ref,
      name: this.nodeName(s),
      providerID: spec.providerID!,
      os: spec.os,
      image: spec.image,
      numCPUs: spec.numCPUs,
      memoryMiB: spec.memoryMiB,
      diskGiB: spec.diskGiB,
      failureDomain: spec.failureDomain,
      kubeletVersion: versionOf(s, facts),
      podNetwork: s.cluster.spec?.clusterNetwork?.pods?.cidrBlocks?.[0],
      facts,
      ready,
      now: rfc3339(rc.clock.now()),
      internalIP: this.poolAddress(s),
    });
  }

  private async writeStaticPods(rc: ReconcileContext, s: Scope, facts: BootFacts, node: KubeObject, ip: string): Promise<void> {
    const objects = this.deps.host.objects(s.ref);
    const now = rc.clock.now();
    const expiry = rfc3339(new Date(now.getTime() + facts.certificateValidityDays * 86_400_000));
    const cc = (facts.clusterConfiguration ?? {}) as { imageRepository?: string };
    for (const component of CONTROL_PLANE_COMPONENTS) {
      const pod = buildStaticPod({ component, node, internalIP: ip, kubernetesVersion: versionOf(s, facts), imageRepository: cc.imageRepository || 'registry.k8s.io', facts, now: rfc3339(now), certificatesExpiry: expiry });
      await createIfMissing(objects, pod);
    }
    // The node's admission configuration files, as its kube-apiserver reads them (the workload cluster's PodSecurity admission reads them back).
    const files = buildApiServerFilesConfigMap(node, facts.apiServerArgs, facts.files.map((f) => ({ path: f.path, content: f.content.toString('utf8') })));
    if (files) await createIfMissing(objects, files);
  }

  private notReadyInjected(s: Scope): boolean {
    const a = s.sm.metadata?.annotations?.[SIM_ANNOTATIONS.nodeNotReady];
    return a !== undefined ? a !== 'false' : !!s.sm.spec?.failure?.nodeNotReady;
  }

  private vanishInjected(s: Scope): boolean {
    const a = s.sm.metadata?.annotations?.[SIM_ANNOTATIONS.vanish];
    return a !== undefined ? a !== 'false' : !!s.sm.spec?.failure?.vanish;
  }

  /** A booted machine: keep its Node as its kubelet would (Ready after nodeReadySeconds, or NotReady / gone when injected). */
  private async runningMachine(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { sm } = s;
    const status = sm.status!;
    const key = this.machineKey(s);
    const objects = this.deps.host.objects(s.ref);
    const nodes = objects.registry.get('', 'v1', 'nodes')!;
    const name = status.nodeName ?? this.nodeName(s);
    if (this.vanishInjected(s)) {
      this.deps.fleet.halt(key);
      await deleteIfPresent(objects, nodes, undefined, name);
      status.ready = false;
      status.failureReason = 'UpdateError';
      status.failureMessage = `machine ${sm.spec?.providerID} vanished: the VM no longer exists`;
      markFalse(sm, SIM_CONDITIONS.vmProvisioned, SIM_REASONS.vmNotFound, 'Error', status.failureMessage, rc.clock);
      rc.recorder.event(sm, 'Warning', 'VMNotFound', status.failureMessage);
      return {};
    }
    let node = await objects.tryGet(nodes, undefined, name);
    if (!node) {
      // A deleted Node re-registers while its kubelet runs.
      if (!(await this.deps.host.isRunning(s.ref))) return {};
      const secretName = s.machine.spec.bootstrap.dataSecretName;
      const secret = secretName ? await this.ctx.reader.get({ apiVersion: 'v1', kind: 'Secret' }, sm.metadata!.namespace, secretName) : undefined;
      const value = (secret?.data as Record<string, string> | undefined)?.value;
      if (!value) return {};
      const facts = readBootFacts(Buffer.from(value, 'base64').toString('utf8'));
      node = (await this.registerNode(rc, s, facts, false)).node;
    }
    const now = rfc3339(rc.clock.now());
    const conditions = (isPlainObject(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions : []) as Record<string, unknown>[];
    const readyNow = conditions.find((c) => c.type === 'Ready')?.status;
    if (this.notReadyInjected(s)) {
      this.deps.fleet.halt(key);
      if (readyNow !== 'Unknown') await objects.patch(nodes, undefined, name, 'merge', { status: { conditions: unknownNodeConditions(conditions, now) } }, { fieldManager: 'kube-controller-manager' }, 'status');
      return {};
    }
    const readyAt = Date.parse(status.bootedAt ?? now) + (sm.spec?.behaviour?.nodeReadySeconds ?? 2) * 1000;
    const wait = readyAt - rc.clock.nowMs();
    if (wait > 0) {
      this.deps.fleet.run(key, s.ref, name, node.metadata!.uid!);
      return { requeueAfter: wait };
    }
    if (readyNow !== 'True') {
      await objects.patch(nodes, undefined, name, 'merge', { status: { conditions: nodeConditions(true, now, now) } }, { fieldManager: 'kubelet' }, 'status');
    }
    this.deps.fleet.run(key, s.ref, name, node.metadata!.uid!);
    return {};
  }

  // ---- deletion ------------------------------------------------------------------------------------

  private async reconcileDelete(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { sm } = s;
    this.deps.fleet.halt(this.machineKey(s));
    // The VM is gone: its mirror Pods and Lease go with it, its Node stops reporting (the Machine controller deletes it).
    if (!isBeingDeleted(s.cluster) && (await this.deps.host.isRunning(s.ref))) {
      const objects = this.deps.host.objects(s.ref);
      const name = sm.status?.nodeName ?? this.nodeName(s);
      const pods = objects.registry.get('', 'v1', 'pods')!;
      for (const c of CONTROL_PLANE_COMPONENTS) await deleteIfPresent(objects, pods, 'kube-system', `${c}-${name}`);
      const leases = objects.registry.get('coordination.k8s.io', 'v1', 'leases')!;
      await deleteIfPresent(objects, leases, 'kube-node-lease', name);
      const nodes = objects.registry.get('', 'v1', 'nodes')!;
      const node = await objects.tryGet(nodes, undefined, name);
      if (node) {
        const conditions = (isPlainObject(node.status) && Array.isArray(node.status.conditions) ? node.status.conditions : []) as Record<string, unknown>[];
        if (conditions.find((c) => c.type === 'Ready')?.status !== 'Unknown') {
          await objects.patch(nodes, undefined, name, 'merge', { status: { conditions: unknownNodeConditions(conditions, rfc3339(rc.clock.now())) } }, { fieldManager: 'kube-controller-manager' }, 'status').catch(() => undefined);
        }
      }
    }
    // The machine's claims go before it does (their addresses return to the pools).
    if (claimSlots(sm).length && (await releaseClaims(rc.client, sm)) > 0) return { requeueAfter: CLAIM_RELEASE_RETRY_MS };
    removeFinalizer(sm, SIM_MACHINE_FINALIZER);
    return {};
  }
}

function versionOf(s: Scope, facts: BootFacts): string {
  return s.machine.spec.version ?? facts.kubernetesVersion ?? 'v1.32.0';
}


/** Creates `obj` unless it exists. `fromUserFile`: an object of a user's manifest, skipped when its kind is not served or it is invalid. */
async function createIfMissing(objects: ObjectStore, obj: KubeObject, fromUserFile = false): Promise<void> {
  const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
  const info = objects.registry.byKind(group!, version!, obj.kind!);
  if (!info) {
    if (fromUserFile) return;
    throw new Error(`workload clusters do not serve ${obj.kind}`);
  }
  try {
    await objects.create(info, obj.metadata?.namespace, obj, { fieldManager: 'kubelet' });
  } catch (e) {
    if (e instanceof StatusError && e.reason === 'AlreadyExists') return;
    if (fromUserFile && e instanceof StatusError && e.code < 500) return;
    throw e;
  }
}


/** SimMachines of a Cluster (by label) and of a Machine (by infrastructureRef) are reconciled when those change. */
export function setupSimMachineController(ctx: ControllerContext, deps: SimMachineDeps, opts: { workers?: number } = {}): void {
  const sims = ctx.reader.cache(SIM_MACHINE_KIND);
  ctx.reader.cache(MACHINE_KIND);
  ctx.reader.cache(CLUSTER_KIND);
  ctx.reader.cache({ apiVersion: 'v1', kind: 'Secret' });
  ctx.reader.cache(IP_ADDRESS_CLAIM_KIND);
  ctx.reader.cache(IP_ADDRESS_KIND);
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: SIM_MACHINE_KIND,
    reconciler: new SimMachineReconciler(ctx, deps),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      // A claim getting its address (or going away on deletion) moves its machine on.
      { type: IP_ADDRESS_CLAIM_KIND, map: ownerOfClaim },
      {
        type: MACHINE_KIND,
        map: (m) => {
          const ref = (m as Machine).spec?.infrastructureRef;
          return ref?.kind === SIM_MACHINE_KIND.kind && ref.name ? [{ namespace: m.metadata?.namespace, name: ref.name }] : [];
        },
      },
      {
        type: CLUSTER_KIND,
        map: (c) => sims.lister.withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!).filter((x) => x.metadata?.namespace === c.metadata?.namespace).map((x) => ({ namespace: x.metadata?.namespace, name: x.metadata!.name! })),
      },
    ],
  });
}
