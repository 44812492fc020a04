/**
 * The KubeadmControlPlane controller (upstream KCP): cluster certificates and the admin kubeconfig, the first Machine
 * running `kubeadm init` and the rest joining, scaling one Machine at a time without losing etcd quorum, rolling
 * replacement of Machines whose version, templates or kubeadm configuration changed (or whose certificates expire
 * within rolloutBefore.certificatesExpiryDays, or that predate rolloutAfter), remediation of Machines a
 * MachineHealthCheck marked, and status and conditions read from the workload cluster.
 */
import YAML from 'yaml';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { getCondition, markFalse, markTrue, setSummary } from '../../runtime/conditions.js';
import { addFinalizer, isBeingDeleted, removeFinalizer } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { rfc3339 } from '../../apiserver/clock.js';
import { KUBEADM_CONFIG_KIND } from '../../api/bootstrap/types.js';
import {
  CERTIFICATES_EXPIRY_ANNOTATION,
  CLUSTER_KIND,
  CLUSTER_NAME_LABEL,
  CONDITIONS,
  CONTROL_PLANE_LABEL,
  MACHINE_DEPLOYMENT_KIND,
  MACHINE_KIND,
  MACHINE_SET_KIND,
  REASONS,
  TLS_SERVER_NAME_ANNOTATION,
  type Cluster,
  type Machine,
} from '../../api/cluster/types.js';
import {
  KCP_CONDITIONS,
  KCP_REASONS,
  KUBEADM_CONTROL_PLANE_FINALIZER,
  KUBEADM_CONTROL_PLANE_KIND,
  REMEDIATION_FOR_ANNOTATION,
  REMEDIATION_IN_PROGRESS_ANNOTATION,
  type KubeadmControlPlane,
} from '../../api/controlplane/types.js';
import { certificateOptionsFor, lookupOrGenerateCertificates, type CertificateSet } from '../shared/certificates.js';
import { isPaused } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { durationMs } from '../shared/duration.js';
import { getExternal } from '../shared/external.js';
import { controlPlaneServer, kubeconfigNeedsRotation, kubeconfigSecret, kubeconfigSecretName, regenerateKubeconfig, renderClusterKubeconfig, KUBECONFIG_DATA_KEY } from '../shared/kubeconfig-secret.js';
import { lowestRequeue } from '../shared/result.js';
import { inspectControlPlane, type ControlPlaneHealth } from './health.js';
import { newControlPlaneMachine, rolloutReason } from './machines.js';
import { canRemoveEtcdMember, controlPlaneDomains, domainForScaleUp, machineForScaleDown } from './scale.js';

export const CONTROLLER_NAME = 'kubeadmcontrolplane';
const NODE_KIND = { apiVersion: 'v1', kind: 'Node' } as const;
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' } as const;
const CONFIGMAP_KIND = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const SECRET_KIND = { apiVersion: 'v1', kind: 'Secret' } as const;
/** Pod annotation the sim kubelet puts on kube-apiserver with the node's certificate expiry (kubeadm certs check-expiration). */
const APISERVER_CERT_EXPIRY_ANNOTATION = 'sim.slipway.dev/certificates-expiry';
const DELETE_REQUEUE_MS = 5_000;

interface Scope {
  kcp: KubeadmControlPlane;
  cluster: Cluster;
  ref: ClusterRef;
  machines: Machine[];
  outdated: Map<string, string>;
  health?: ControlPlaneHealth;
  certificates?: CertificateSet;
}

interface RemediationData {
  machine: string;
  timestamp: string;
  retryCount: number;
}

export class KubeadmControlPlaneReconciler {
  constructor(private readonly ctx: ControllerContext) {}

  private get controller() {
    return this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<KubeadmControlPlane>(KUBEADM_CONTROL_PLANE_KIND, req.namespace, req.name);
    if (!stored) return;
    const ownerRef = (stored.metadata?.ownerReferences ?? []).find((r) => r.kind === 'Cluster' && r.apiVersion.startsWith('cluster.x-k8s.io/'));
    const cluster = ownerRef ? await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, ownerRef.name) : undefined;
    if (!cluster) {
      // Waiting for the Cluster controller to set the owner reference (or the Cluster is gone).
      if (isBeingDeleted(stored) && !this.ownedMachines(stored, undefined).length) {
        const kcp = structuredClone(stored);
        removeFinalizer(kcp, KUBEADM_CONTROL_PLANE_FINALIZER);
        await rc.client.patch(KUBEADM_CONTROL_PLANE_KIND, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { metadata: { finalizers: kcp.metadata?.finalizers ?? null } } }).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      }
      return;
    }
    if (isPaused(cluster, stored)) return;
    const kcp = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    if (!isBeingDeleted(kcp)) addFinalizer(kcp, KUBEADM_CONTROL_PLANE_FINALIZER);
    const machines = this.ownedMachines(kcp, cluster);
    const s: Scope = { kcp, cluster, ref: { namespace: req.namespace!, name: cluster.metadata!.name! }, machines, outdated: new Map() };
    for (const m of machines) {
      const infra = await getExternal(this.ctx.reader, m.spec.infrastructureRef, m.metadata?.namespace).catch(() => undefined);
      const why = rolloutReason({ kcp, machine: m, infra, nowMs: rc.clock.nowMs() });
      if (why) s.outdated.set(m.metadata!.name!, why);
    }
    let result: Result = {};
    let failure: unknown;
    try {
      result = isBeingDeleted(kcp) ? await this.reconcileDelete(rc, s) : await this.reconcileNormal(rc, s);
    } catch (e) {
      failure = e;
    }
    this.updateStatus(rc, s);
    try {
      await helper.patch(kcp);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return lowestRequeue(result, this.nextRolloutAfter(rc, s));
  }

  /** Control-plane Machines of this KCP (controlled by it), from the cache. */
  private ownedMachines(kcp: KubeadmControlPlane, cluster: Cluster | undefined): Machine[] {
    const inf = this.ctx.manager.informers.for(MACHINE_KIND) as unknown as SharedInformer<Machine>;
    const uid = kcp.metadata!.uid;
    const all = cluster ? inf.lister.withLabel(CLUSTER_NAME_LABEL, cluster.metadata!.name!) : inf.lister.list({ namespace: kcp.metadata!.namespace });
    return all.filter((m) => m.metadata?.namespace === kcp.metadata?.namespace && m.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined && (m.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.controller));
  }

  /** Come back when rolloutAfter passes, or when a Machine's certificates enter rolloutBefore.certificatesExpiryDays. */
  private nextRolloutAfter(rc: ReconcileContext, s: Scope): Result {
    const now = rc.clock.nowMs();
    const times: number[] = [];
    const at = s.kcp.spec.rolloutAfter ? Date.parse(s.kcp.spec.rolloutAfter) : NaN;
    if (Number.isFinite(at) && at > now) times.push(at);
    const days = s.kcp.spec.rolloutBefore?.certificatesExpiryDays;
    if (days) {
      for (const m of s.machines) {
        const expiry = m.status?.certificatesExpiryDate ? Date.parse(m.status.certificatesExpiryDate) - days * 86_400_000 : NaN;
        if (Number.isFinite(expiry) && expiry > now) times.push(expiry);
      }
    }
    return times.length ? { requeueAfter: Math.min(...times) - now } : {};
  }

  // ---- normal reconcile ----------------------------------------------------------------------------

  private async reconcileNormal(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { kcp, cluster } = s;
    if (!cluster.status?.infrastructureReady) return {};
    const ep = cluster.spec?.controlPlaneEndpoint;
    if (!ep?.host || !ep.port) return {};
    // Certificates and the admin kubeconfig.
    try {
      const cc = kcp.spec.kubeadmConfigSpec?.clusterConfiguration;
      const got = await lookupOrGenerateCertificates(rc.client, this.ctx.reader, cluster, kcp, certificateOptionsFor(cc, rc.clock.now()));
      s.certificates = got.certificates;
      if (got.generated.length) rc.recorder.event(kcp, 'Normal', 'CertificatesGenerated', `Generated cluster certificates: ${got.generated.join(', ')}`);
      markTrue(kcp, KCP_CONDITIONS.certificatesAvailable, rc.clock);
    } catch (e) {
      markFalse(kcp, KCP_CONDITIONS.certificatesAvailable, KCP_REASONS.certificatesGenerationFailed, 'Warning', (e as Error).message, rc.clock);
      throw e;
    }
    await this.reconcileKubeconfig(rc, s);
    s.health = await this.inspect(rc, s);
    await this.reconcileCertificateExpiries(rc, s);

    const remediation = await this.reconcileRemediation(rc, s);
    if (remediation) return remediation;

    const deleting = s.machines.filter((m) => isBeingDeleted(m));
    if (deleting.length) return {};
    const desired = kcp.spec.replicas ?? 1;
    const n = s.machines.length;
    if (n === 0) return this.scaleUp(rc, s, true);
    if (s.outdated.size) {
      const upToDate = n - s.outdated.size;
      markFalse(kcp, KCP_CONDITIONS.machinesSpecUpToDate, KCP_REASONS.rollingUpdateInProgress, 'Warning', `Rolling ${n} replicas with outdated spec (${upToDate} replicas up to date)`, rc.clock);
      const surge = Number(kcp.spec.rolloutStrategy?.rollingUpdate?.maxSurge ?? 1);
      if (n < desired + surge) return this.scaleUp(rc, s, false);
      return this.scaleDown(rc, s, desired);
    }
    markTrue(kcp, KCP_CONDITIONS.machinesSpecUpToDate, rc.clock);
    if (n < desired) return this.scaleUp(rc, s, false);
    if (n > desired) return this.scaleDown(rc, s, desired);
    return {};
  }

  private async reconcileKubeconfig(rc: ReconcileContext, s: Scope): Promise<void> {
    const { cluster, kcp } = s;
    const ca = s.certificates?.ca;
    if (!ca?.key) return;
    const ns = cluster.metadata!.namespace!;
    const name = cluster.metadata!.name!;
    const existing = await this.ctx.reader.get(SECRET_KIND, ns, kubeconfigSecretName(name));
    const algorithm = certificateOptionsFor(kcp.spec.kubeadmConfigSpec?.clusterConfiguration, rc.clock.now()).algorithm;
    if (!existing) {
      const text = await renderClusterKubeconfig({ clusterName: name, server: controlPlaneServer(cluster.spec!.controlPlaneEndpoint!), ca, tlsServerName: cluster.metadata?.annotations?.[TLS_SERVER_NAME_ANNOTATION], now: rc.clock.now(), algorithm });
      try {
        await rc.client.create(kubeconfigSecret(cluster, text, kcp));
        rc.recorder.event(kcp, 'Normal', 'KubeconfigCreated', `Admin kubeconfig of cluster ${name} written to Secret ${kubeconfigSecretName(name)}`);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return;
    }
    if (kubeconfigNeedsRotation(existing, rc.clock.now())) {
      const text = await regenerateKubeconfig(existing, name, ca, rc.clock.now(), algorithm);
      await rc.client.patch(SECRET_KIND, { namespace: ns, name: kubeconfigSecretName(name) }, { type: 'merge', body: { data: { [KUBECONFIG_DATA_KEY]: Buffer.from(text).toString('base64') } } });
      rc.recorder.event(kcp, 'Normal', 'KubeconfigRotated', `Renewed the client certificate of the admin kubeconfig of cluster ${name}`);
    }
  }

  /** The control plane as the workload cluster reports it (undefined while the cluster's API cannot be reached). */
  private async inspect(rc: ReconcileContext, s: Scope): Promise<ControlPlaneHealth | undefined> {
    const cc = this.ctx.clusterCache;
    const enqueue = (): void => this.controller?.enqueue({ namespace: s.kcp.metadata!.namespace, name: s.kcp.metadata!.name! });
    const ok = (await cc.watch(s.ref, NODE_KIND, CONTROLLER_NAME, enqueue)) && (await cc.watch(s.ref, POD_KIND, CONTROLLER_NAME, enqueue, { namespace: 'kube-system' })) && (await cc.watch(s.ref, CONFIGMAP_KIND, CONTROLLER_NAME, enqueue, { namespace: 'kube-system' }));
    if (!ok) return undefined;
    const [nodes, pods, cms] = await Promise.all([cc.informer(s.ref, NODE_KIND), cc.informer(s.ref, POD_KIND, { namespace: 'kube-system' }), cc.informer(s.ref, CONFIGMAP_KIND, { namespace: 'kube-system' })]);
    if (!nodes || !pods || !cms) return undefined;
    void rc;
    return inspectControlPlane({
      machines: s.machines,
      nodes: nodes.lister.list(),
      kubeSystemPods: pods.lister.list(),
      kubeadmConfigExists: !!cms.lister.get('kubeadm-config', 'kube-system'),
      certificatesExpiryAnnotation: APISERVER_CERT_EXPIRY_ANNOTATION,
    });
  }

  /** Record each control-plane Machine's certificate expiry on its KubeadmConfig (the Machine controller copies it). */
  private async reconcileCertificateExpiries(rc: ReconcileContext, s: Scope): Promise<void> {
    for (const h of s.health?.machines ?? []) {
      if (!h.certificatesExpiry) continue;
      const m = s.machines.find((x) => x.metadata!.name === h.machine);
      const ref = m?.spec.bootstrap.configRef;
      if (!m || !ref?.name || isBeingDeleted(m)) continue;
      const config = await this.ctx.reader.get(KUBEADM_CONFIG_KIND, m.metadata!.namespace, ref.name);
      if (!config || config.metadata?.annotations?.[CERTIFICATES_EXPIRY_ANNOTATION] === h.certificatesExpiry) continue;
      await rc.client.patch(KUBEADM_CONFIG_KIND, { namespace: m.metadata!.namespace, name: ref.name }, { type: 'merge', body: { metadata: { annotations: { [CERTIFICATES_EXPIRY_ANNOTATION]: h.certificatesExpiry } } } }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  /** Why scaling must wait (undefined when the control plane is stable), excluding `except`. */
  private preflight(s: Scope, except?: string): string | undefined {
    for (const m of s.machines) {
      if (m.metadata!.name === except) continue;
      if (isBeingDeleted(m)) return `waiting for Machine ${m.metadata!.name} to be deleted`;
      if (!m.status?.nodeRef) return `waiting for Machine ${m.metadata!.name} to have a Node (Machine.status.nodeRef not set yet)`;
      const h = s.health?.machines.find((x) => x.machine === m.metadata!.name);
      if (!s.health || !h) return 'waiting for the workload cluster to report control plane health';
      const bad = h.components.find((c) => c.status !== 'True');
      if (bad) return `Machine ${m.metadata!.name} reports ${bad.condition} condition is ${bad.status}${bad.message ? ` (${bad.message})` : ''}`;
      if (!h.etcdHealthy) return `Machine ${m.metadata!.name} reports EtcdMemberHealthy condition is False`;
    }
    return undefined;
  }

  private async scaleUp(rc: ReconcileContext, s: Scope, init: boolean): Promise<Result> {
    const { kcp, cluster } = s;
    const desired = kcp.spec.replicas ?? 1;
    if (!init) {
      if (!s.health?.initialized) {
        markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingUp, 'Info', `Waiting for the control plane to be initialized before scaling up to ${desired} replicas`, rc.clock);
        return {};
      }
      const wait = this.preflight(s);
      if (wait) {
        markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingUp, 'Info', `Scaling up control plane to ${desired} replicas (actual ${s.machines.length}): ${wait}`, rc.clock);
        return {};
      }
    }
    const template = await getExternal(this.ctx.reader, kcp.spec.machineTemplate.infrastructureRef, kcp.metadata!.namespace);
    if (!template) {
      const ref = kcp.spec.machineTemplate.infrastructureRef;
      markFalse(kcp, KCP_CONDITIONS.machinesCreated, KCP_REASONS.infrastructureTemplateCloningFailed, 'Error', `${ref.kind} "${ref.name}" not found`, rc.clock);
      return { requeueAfter: 10_000 };
    }
    const domain = domainForScaleUp(controlPlaneDomains(cluster.status?.failureDomains), s.machines.filter((m) => !s.outdated.has(m.metadata!.name!)));
    const inProgress = kcp.metadata?.annotations?.[REMEDIATION_IN_PROGRESS_ANNOTATION];
    const made = newControlPlaneMachine({ kcp, cluster, infraTemplate: template, init, failureDomain: domain, random: this.ctx.random, extraAnnotations: inProgress ? { [REMEDIATION_FOR_ANNOTATION]: inProgress } : undefined });
    if (!init) await this.syncKubeadmConfigMap(s);
    const created: KubeObject[] = [];
    try {
      created.push(await rc.client.create(made.infra));
      created.push(await rc.client.create(made.bootstrap));
      created.push(await rc.client.create(made.machine));
    } catch (e) {
      for (const o of created.reverse()) await rc.client.delete({ apiVersion: o.apiVersion!, kind: o.kind! }, { namespace: o.metadata!.namespace, name: o.metadata!.name! }).catch(() => undefined);
      markFalse(kcp, KCP_CONDITIONS.machinesCreated, created.length === 0 ? KCP_REASONS.infrastructureTemplateCloningFailed : created.length === 1 ? KCP_REASONS.bootstrapTemplateCloningFailed : KCP_REASONS.machineGenerationFailed, 'Error', (e as Error).message, rc.clock);
      throw e;
    }
    if (inProgress) delete kcp.metadata!.annotations![REMEDIATION_IN_PROGRESS_ANNOTATION];
    markTrue(kcp, KCP_CONDITIONS.machinesCreated, rc.clock);
    markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingUp, 'Info', `Scaling up control plane to ${desired} replicas (actual ${s.machines.length})`, rc.clock);
    rc.recorder.event(kcp, 'Normal', 'SuccessfulCreate', `Created control plane Machine ${made.machine.metadata!.name}${init ? ' (kubeadm init)' : ''}${domain ? ` in failure domain ${domain}` : ''}`);
    await this.waitForCache(made.machine.metadata!.name!, kcp.metadata!.namespace!, true);
    return {};
  }

  /**
   * Before Machines join, the kubeadm-config ConfigMap carries the control plane's current ClusterConfiguration —
   * version, image repository and the components' extraArgs — since `kubeadm join --control-plane` reads it from
   * there (upstream updates the same fields during rollouts).
   */
  private async syncKubeadmConfigMap(s: Scope): Promise<void> {
    const client = await this.ctx.clusterCache.client(s.ref);
    if (!client) return;
    let cm: KubeObject;
    try {
      cm = await client.get(CONFIGMAP_KIND, { namespace: 'kube-system', name: 'kubeadm-config' });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const text = (cm.data as Record<string, string> | undefined)?.ClusterConfiguration;
    if (!text) return;
    const cc = YAML.parse(text) as Record<string, unknown>;
    const before = JSON.stringify(cc);
    cc.kubernetesVersion = s.kcp.spec.version;
    const want = (s.kcp.spec.kubeadmConfigSpec?.clusterConfiguration ?? {}) as Record<string, unknown>;
    if (typeof want.imageRepository === 'string' && want.imageRepository) cc.imageRepository = want.imageRepository;
    for (const key of ['apiServer', 'controllerManager', 'scheduler'] as const) {
      const section = withExtraArgs(cc[key], (want[key] as { extraArgs?: Record<string, string> } | undefined)?.extraArgs);
      if (section) cc[key] = section;
      else delete cc[key];
    }
    const etcd = (isPlainObject(cc.etcd) ? cc.etcd : {}) as { local?: unknown };
    const etcdArgs = (want.etcd as { local?: { extraArgs?: Record<string, string> } } | undefined)?.local?.extraArgs;
    if (etcdArgs || etcd.local) cc.etcd = { ...etcd, local: withExtraArgs(etcd.local, etcdArgs) ?? {} };
    if (JSON.stringify(cc) === before) return;
    await client.patch(CONFIGMAP_KIND, { namespace: 'kube-system', name: 'kubeadm-config' }, { type: 'merge', body: { data: { ClusterConfiguration: YAML.stringify(cc) } } });
  }

  private async scaleDown(rc: ReconcileContext, s: Scope, desired: number): Promise<Result> {
    const { kcp } = s;
    const target = machineForScaleDown(s.machines, new Set(s.outdated.keys()), controlPlaneDomains(s.cluster.status?.failureDomains));
    if (!target) return {};
    const wait = this.preflight(s, target.metadata!.name);
    if (wait) {
      markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingDown, 'Info', `Scaling down control plane to ${desired} replicas (actual ${s.machines.length}): ${wait}`, rc.clock);
      return {};
    }
    const node = target.status?.nodeRef?.name;
    if (node && s.health && !canRemoveEtcdMember(s.health.members, node) && s.health.members.some((m) => m.name === node)) {
      markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingDown, 'Warning', `Cannot remove Machine ${target.metadata!.name}: etcd would lose quorum`, rc.clock);
      return {};
    }
    await this.removeEtcdMember(s, node);
    await this.deleteMachine(rc, target);
    markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingDown, 'Info', `Scaling down control plane to ${desired} replicas (actual ${s.machines.length})`, rc.clock);
    rc.recorder.event(kcp, 'Normal', 'SuccessfulDelete', `Deleting control plane Machine ${target.metadata!.name}${s.outdated.has(target.metadata!.name!) ? ` (${s.outdated.get(target.metadata!.name!)})` : ''}`);
    return {};
  }

  /** Remove a node's etcd member before its Machine goes (in the sim: the member's static Pod leaves the cluster). */
  private async removeEtcdMember(s: Scope, node: string | undefined): Promise<void> {
    if (!node) return;
    const client = await this.ctx.clusterCache.client(s.ref);
    if (!client) return;
    await client.delete(POD_KIND, { namespace: 'kube-system', name: `etcd-${node}` }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  }

  private async deleteMachine(rc: ReconcileContext, m: Machine): Promise<void> {
    try {
      await rc.client.delete(MACHINE_KIND, { namespace: m.metadata!.namespace, name: m.metadata!.name! });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.waitForCache(m.metadata!.name!, m.metadata!.namespace!, false);
  }

  /** Wait (briefly) until the Machine cache shows a create or delete, so the next count is right. */
  private async waitForCache(name: string, namespace: string, present: boolean): Promise<void> {
    const inf = this.ctx.manager.informers.for(MACHINE_KIND);
    for (let i = 0; i < 500; i++) {
      const m = inf.cache.get(`${namespace}/${name}`);
      if (present ? !!m : !m || isBeingDeleted(m)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  // ---- remediation ---------------------------------------------------------------------------------

  private async reconcileRemediation(rc: ReconcileContext, s: Scope): Promise<Result | undefined> {
    const { kcp } = s;
    const unhealthy = s.machines.filter((m) => !isBeingDeleted(m) && getCondition(m, CONDITIONS.ownerRemediated)?.status === 'False' && getCondition(m, CONDITIONS.ownerRemediated)?.reason !== KCP_REASONS_REMEDIATION_FAILED);
    if (!unhealthy.length) return undefined;
    if (s.machines.some((m) => isBeingDeleted(m))) return {};
    const target = [...unhealthy].sort((a, b) => {
      const ha = s.health?.machines.find((h) => h.machine === a.metadata!.name)?.etcdHealthy ? 1 : 0;
      const hb = s.health?.machines.find((h) => h.machine === b.metadata!.name)?.etcdHealthy ? 1 : 0;
      return ha - hb || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '');
    })[0]!;
    const fail = async (message: string): Promise<Result> => {
      await this.setOwnerRemediated(rc, target, { status: 'False', reason: KCP_REASONS_REMEDIATION_FAILED, severity: 'Warning', message });
      rc.recorder.event(kcp, 'Warning', 'RemediationFailed', `Machine ${target.metadata!.name}: ${message}`);
      return {};
    };
    const initialized = !!kcp.status?.initialized || !!s.health?.initialized;
    if (initialized && s.machines.length <= 1) return fail("KCP can't remediate if current replicas are less or equal to 1");
    const node = target.status?.nodeRef?.name;
    if (initialized && node && s.health?.members.some((m) => m.name === node) && !canRemoveEtcdMember(s.health.members, node)) {
      return fail("KCP can't remediate this machine because this could result in etcd loosing quorum");
    }
    // Retry bookkeeping: a Machine made to replace a remediated one carries remediation-for.
    const strategy = kcp.spec.remediationStrategy ?? {};
    let retryCount = 0;
    const prev = parseRemediation(target.metadata?.annotations?.[REMEDIATION_FOR_ANNOTATION]);
    if (prev) {
      const minHealthy = durationMs(strategy.minHealthyPeriod, 'spec.remediationStrategy.minHealthyPeriod') ?? 3_600_000;
      const created = Date.parse(target.metadata?.creationTimestamp ?? '');
      if (rc.clock.nowMs() - created < minHealthy) retryCount = prev.retryCount + 1;
      if (strategy.maxRetry !== undefined && retryCount > strategy.maxRetry) {
        return fail(`KCP can't remediate this machine because the operation already failed ${prev.retryCount + 1} times (MaxRetry ${strategy.maxRetry})`);
      }
      const retryPeriod = durationMs(strategy.retryPeriod, 'spec.remediationStrategy.retryPeriod') ?? 0;
      const since = rc.clock.nowMs() - Date.parse(prev.timestamp);
      if (retryCount > 0 && since < retryPeriod) return { requeueAfter: retryPeriod - since };
    }
    await this.removeEtcdMember(s, node);
    await this.setOwnerRemediated(rc, target, { status: 'False', reason: REASONS.remediationInProgress, severity: 'Warning', message: 'Remediation in progress: the Machine is being deleted and replaced' });
    const data: RemediationData = { machine: target.metadata!.name!, timestamp: rfc3339(rc.clock.now()), retryCount };
    (kcp.metadata!.annotations ??= {})[REMEDIATION_IN_PROGRESS_ANNOTATION] = JSON.stringify(data);
    (kcp.status ??= {}).lastRemediation = data;
    await this.deleteMachine(rc, target);
    rc.recorder.event(kcp, 'Normal', 'Remediation', `Deleting unhealthy control plane Machine ${target.metadata!.name} (retry ${retryCount}); a new one replaces it`);
    return {};
  }

  private async setOwnerRemediated(rc: ReconcileContext, m: Machine, c: { status: 'False'; reason: string; severity: 'Warning'; message: string }): Promise<void> {
    const copy = structuredClone(m);
    const helper = new PatchHelper(rc.client, m);
    markFalse(copy, CONDITIONS.ownerRemediated, c.reason, c.severity, c.message, rc.clock);
    try {
      await helper.patch(copy);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  // ---- deletion ------------------------------------------------------------------------------------

  private async reconcileDelete(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { kcp, cluster } = s;
    const ns = cluster.metadata!.namespace!;
    const byLabel = { requirements: [{ key: CLUSTER_NAME_LABEL, operator: '=' as const, values: [cluster.metadata!.name!] }] };
    const [machines, mds, mss] = await Promise.all([this.ctx.reader.list(MACHINE_KIND, ns, byLabel), this.ctx.reader.list(MACHINE_DEPLOYMENT_KIND, ns, byLabel), this.ctx.reader.list(MACHINE_SET_KIND, ns, byLabel)]);
    const workers = machines.filter((m) => m.metadata?.labels?.[CONTROL_PLANE_LABEL] === undefined);
    if (workers.length || mds.length || mss.length) {
      markFalse(kcp, KCP_CONDITIONS.resized, REASONS.deleting, 'Info', `Waiting for worker nodes to be deleted first (${workers.length} Machines, ${mds.length} MachineDeployments, ${mss.length} MachineSets)`, rc.clock);
      return { requeueAfter: DELETE_REQUEUE_MS };
    }
    for (const m of s.machines) {
      if (isBeingDeleted(m)) continue;
      await rc.client.delete(MACHINE_KIND, { namespace: ns, name: m.metadata!.name! }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
    if (s.machines.length) {
      markFalse(kcp, KCP_CONDITIONS.resized, REASONS.deleting, 'Info', `Waiting for ${s.machines.length} control plane Machines to be deleted`, rc.clock);
      return { requeueAfter: DELETE_REQUEUE_MS };
    }
    removeFinalizer(kcp, KUBEADM_CONTROL_PLANE_FINALIZER);
    return {};
  }

  // ---- status --------------------------------------------------------------------------------------

  private updateStatus(rc: ReconcileContext, s: Scope): void {
    const { kcp, cluster } = s;
    const status = (kcp.status ??= {});
    const machines = s.machines;
    const desired = kcp.spec.replicas ?? 1;
    status.selector = `${CLUSTER_NAME_LABEL}=${cluster.metadata!.name},${CONTROL_PLANE_LABEL}`;
    status.replicas = machines.length;
    status.updatedReplicas = machines.filter((m) => !s.outdated.has(m.metadata!.name!)).length;
    const ready = s.health ? s.health.machines.filter((h) => h.node && h.nodeReady).length : (status.readyReplicas ?? 0);
    status.readyReplicas = ready;
    status.unavailableReplicas = Math.max(0, machines.length - ready);
    if (s.health?.initialized) status.initialized = true;
    status.initialized ??= false;
    status.ready = !!status.initialized && ready > 0;
    const versions = machines.map((m) => m.spec.version).filter((v): v is string => !!v).sort(compareVersions);
    if (versions.length) status.version = versions[0];
    if (status.initialized) markTrue(kcp, KCP_CONDITIONS.available, rc.clock);
    else markFalse(kcp, KCP_CONDITIONS.available, KCP_REASONS.waitingForKubeadmInit, 'Info', 'Waiting for the first control plane Machine to run kubeadm init', rc.clock);
    if (!isBeingDeleted(kcp)) {
      if (machines.length === desired && !machines.some((m) => isBeingDeleted(m))) markTrue(kcp, KCP_CONDITIONS.resized, rc.clock);
      else if (machines.length < desired && getCondition(kcp, KCP_CONDITIONS.resized)?.reason !== KCP_REASONS.scalingUp) markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingUp, 'Info', `Scaling up control plane to ${desired} replicas (actual ${machines.length})`, rc.clock);
      else if (machines.length > desired && getCondition(kcp, KCP_CONDITIONS.resized)?.reason !== KCP_REASONS.scalingDown) markFalse(kcp, KCP_CONDITIONS.resized, KCP_REASONS.scalingDown, 'Info', `Scaling down control plane to ${desired} replicas (actual ${machines.length})`, rc.clock);
      if (!s.outdated.size) markTrue(kcp, KCP_CONDITIONS.machinesSpecUpToDate, rc.clock);
      if (!getCondition(kcp, KCP_CONDITIONS.machinesCreated) && machines.length) markTrue(kcp, KCP_CONDITIONS.machinesCreated, rc.clock);
    }
    const notReady = machines.filter((m) => getCondition(m, CONDITIONS.ready)?.status !== 'True');
    if (!machines.length) markFalse(kcp, KCP_CONDITIONS.machinesReady, REASONS.waitingForControlPlane, 'Info', 'No control plane Machines yet', rc.clock);
    else if (notReady.length) {
      const first = getCondition(notReady[0]!, CONDITIONS.ready);
      markFalse(kcp, KCP_CONDITIONS.machinesReady, first?.reason ?? REASONS.waitingForNodeRef, first?.severity === 'Error' ? 'Error' : first?.severity === 'Warning' ? 'Warning' : 'Info', `${notReady.length} of ${machines.length} Machines not ready: ${notReady.map((m) => m.metadata!.name).sort().join(', ')}`, rc.clock);
    } else markTrue(kcp, KCP_CONDITIONS.machinesReady, rc.clock);
    if (s.health) {
      if (s.health.componentsHealthy) markTrue(kcp, KCP_CONDITIONS.controlPlaneComponentsHealthy, rc.clock);
      else markFalse(kcp, KCP_CONDITIONS.controlPlaneComponentsHealthy, KCP_REASONS.controlPlaneComponentsUnhealthy, 'Error', s.health.componentsMessage || 'No control plane Machine has a Node yet', rc.clock);
      if (s.health.etcdHealthy) markTrue(kcp, KCP_CONDITIONS.etcdClusterHealthy, rc.clock);
      else markFalse(kcp, KCP_CONDITIONS.etcdClusterHealthy, KCP_REASONS.etcdClusterUnhealthy, 'Error', s.health.etcdMessage || 'No etcd member has a Node yet', rc.clock);
    } else if (!isBeingDeleted(kcp) && cluster.status?.infrastructureReady) {
      if (!getCondition(kcp, KCP_CONDITIONS.controlPlaneComponentsHealthy)) markFalse(kcp, KCP_CONDITIONS.controlPlaneComponentsHealthy, KCP_REASONS.controlPlaneComponentsInspectionFailed, 'Info', 'Waiting for the workload cluster API server', rc.clock);
      if (!getCondition(kcp, KCP_CONDITIONS.etcdClusterHealthy)) markFalse(kcp, KCP_CONDITIONS.etcdClusterHealthy, KCP_REASONS.etcdClusterInspectionFailed, 'Info', 'Waiting for the workload cluster API server', rc.clock);
    }
    setSummary(kcp, { conditions: [KCP_CONDITIONS.machinesSpecUpToDate, KCP_CONDITIONS.resized, KCP_CONDITIONS.machinesReady, KCP_CONDITIONS.available, KCP_CONDITIONS.certificatesAvailable] }, rc.clock);
    if (kcp.metadata?.generation !== undefined) status.observedGeneration = kcp.metadata.generation;
  }
}

const KCP_REASONS_REMEDIATION_FAILED = REASONS.remediationFailed;

function parseRemediation(text: string | undefined): RemediationData | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (isPlainObject(v) && typeof v.machine === 'string' && typeof v.timestamp === 'string' && typeof v.retryCount === 'number') return v as unknown as RemediationData;
  } catch {
    // Not ours.
  }
  return undefined;
}

/** Semantic order of "v1.31.2"-style versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.+-]/).map((x) => Number(x));
  const pb = b.replace(/^v/, '').split(/[.+-]/).map((x) => Number(x));
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Register the KubeadmControlPlane controller. */
export function setupKubeadmControlPlaneController(ctx: ControllerContext, opts: { workers?: number } = {}): void {
  ctx.reader.cache(KUBEADM_CONTROL_PLANE_KIND);
  ctx.reader.cache(CLUSTER_KIND);
  ctx.reader.cache(MACHINE_KIND);
  ctx.reader.cache(MACHINE_DEPLOYMENT_KIND);
  ctx.reader.cache(MACHINE_SET_KIND);
  ctx.reader.cache(KUBEADM_CONFIG_KIND);
  ctx.reader.cache(SECRET_KIND);
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: KUBEADM_CONTROL_PLANE_KIND,
    owns: [MACHINE_KIND],
    reconciler: new KubeadmControlPlaneReconciler(ctx),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      {
        type: CLUSTER_KIND,
        map: (c) => {
          const ref = (c as Cluster).spec?.controlPlaneRef;
          return ref?.kind === KUBEADM_CONTROL_PLANE_KIND.kind && ref.name ? [{ namespace: c.metadata?.namespace, name: ref.name }] : [];
        },
      },
    ],
  });
}

/** A ClusterConfiguration section with `extraArgs` set to `args` (removed when there are none); undefined when left empty. */
function withExtraArgs(section: unknown, args: Record<string, string> | undefined): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { ...(isPlainObject(section) ? section : {}) };
  if (args && Object.keys(args).length) out.extraArgs = { ...args };
  else delete out.extraArgs;
  return Object.keys(out).length ? out : undefined;
}
