/**
 * The KubeadmConfig controller (Cluster API's kubeadm bootstrap provider): for the Machine (or MachinePool) owning a
 * KubeadmConfig, once the Cluster's infrastructure is ready, renders its bootstrap data into Secret `<config name>`
 * (keys `value` and `format`) and sets status.dataSecretName. The first control-plane Machine with an init
 * configuration takes the cluster's init lock and gets `kubeadm init` data with the cluster certificates (generated
 * here when no control-plane provider does it); every other Machine waits for ControlPlaneInitialized and joins with
 * a bootstrap token created in the workload cluster, kept alive until its Node shows up.
 */
import { isPlainObject, parseApiVersion, type KubeObject } from '../../apimachinery/types.js';
import { rfc3339 } from '../../apiserver/clock.js';
import { renderKubeconfig } from '../../apiserver/kubeconfig.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { getCondition, isTrue, markFalse, markTrue, setSummary } from '../../runtime/conditions.js';
import { getControllerOf, isBeingDeleted } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import {
  BOOTSTRAP_CONDITIONS,
  BOOTSTRAP_GROUP,
  BOOTSTRAP_REASONS,
  KUBEADM_CONFIG_KIND,
  type File,
  type KubeadmConfig,
  type KubeadmConfigSpec,
  type User,
} from '../../api/bootstrap/types.js';
import { CLUSTER_API_GROUP, CLUSTER_KIND, CLUSTER_NAME_LABEL, CLUSTER_SECRET_TYPE, CONDITIONS, CONTROL_PLANE_LABEL, MACHINE_KIND, type Cluster, type Machine } from '../../api/cluster/types.js';
import {
  caCertHashes,
  certificateFiles,
  certificateOptionsFor,
  lookupCertificates,
  lookupOrGenerateCertificates,
  missingCertificates,
  SECRET_KIND,
  type CertificateSet,
} from '../shared/certificates.js';
import { isPaused } from '../shared/cluster.js';
import type { ClusterRef } from '../shared/cluster-cache.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { createBootstrapToken, DEFAULT_TOKEN_TTL_MS, extendBootstrapToken, getBootstrapTokenSecret, tokenExpiration } from './bootstrap-token.js';
import { acquireInitLock, releaseInitLock } from './init-lock.js';
import { renderBootstrapData } from './render.js';
import type { BootstrapMode } from './userdata.js';

export const CONTROLLER_NAME = 'kubeadmconfig';
export const MACHINE_POOL_KIND = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachinePool' } as const;
/** Taint kubeadm registers workers with until Cluster API has initialized the Node (labels synced), as upstream. */
export const NODE_UNINITIALIZED_TAINT = { key: 'node.cluster.x-k8s.io/uninitialized', effect: 'NoSchedule' } as const;
const WAIT_MS = 30_000;
const ENDPOINT_WAIT_MS = 10_000;

export interface KubeadmConfigControllerOptions {
  workers?: number;
  /** Bootstrap token lifetime (default 15 minutes). */
  tokenTtlMs?: number;
  /** Requeue delay while the workload cluster cannot be reached (default 10 s). */
  workloadRetryMs?: number;
}

/** The Machine or MachinePool a KubeadmConfig bootstraps. */
interface ConfigOwner {
  kind: 'Machine' | 'MachinePool';
  obj: KubeObject;
}

interface Scope {
  config: KubeadmConfig;
  owner: ConfigOwner;
  cluster: Cluster;
  ref: ClusterRef;
}

class WorkloadUnreachable extends Error {}

function ownerSpec(o: ConfigOwner): Record<string, unknown> {
  return isPlainObject(o.obj.spec) ? o.obj.spec : {};
}

function ownerVersion(o: ConfigOwner): string | undefined {
  const spec = ownerSpec(o);
  if (o.kind === 'Machine') return typeof spec.version === 'string' ? spec.version : undefined;
  const t = spec.template as { spec?: { version?: unknown } } | undefined;
  return typeof t?.spec?.version === 'string' ? t.spec.version : undefined;
}

function ownerDataSecretName(o: ConfigOwner): string | undefined {
  const spec = ownerSpec(o);
  const bootstrap = o.kind === 'Machine' ? spec.bootstrap : (spec.template as { spec?: { bootstrap?: unknown } } | undefined)?.spec?.bootstrap;
  const name = (bootstrap as { dataSecretName?: unknown } | undefined)?.dataSecretName;
  return typeof name === 'string' && name ? name : undefined;
}

function ownerHasNodeRefs(o: ConfigOwner): boolean {
  const status = (isPlainObject(o.obj.status) ? o.obj.status : {}) as { nodeRef?: unknown; nodeRefs?: unknown[] };
  if (o.kind === 'Machine') return !!status.nodeRef;
  const replicas = typeof ownerSpec(o).replicas === 'number' ? (ownerSpec(o).replicas as number) : 1;
  return (status.nodeRefs?.length ?? 0) >= replicas;
}

function isControlPlaneMachine(o: ConfigOwner): boolean {
  return o.kind === 'Machine' && o.obj.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined;
}

/** host:port of the Cluster's control-plane endpoint (IPv6 hosts bracketed), or undefined when not set yet. */
function endpointOf(cluster: Cluster): string | undefined {
  const ep = cluster.spec?.controlPlaneEndpoint;
  if (!ep?.host || !ep.port) return undefined;
  return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class KubeadmConfigReconciler {
  private readonly tokenTtlMs: number;
  private readonly workloadRetryMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: KubeadmConfigControllerOptions = {},
  ) {
    this.tokenTtlMs = opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.workloadRetryMs = opts.workloadRetryMs ?? 10_000;
  }

  private get controller() {
    return this.ctx.manager.controllerList.find((c) => c.name === CONTROLLER_NAME);
  }

  /** Reconcile again while a token may still be consumed: three times per token lifetime. */
  private get tokenCheckMs(): number {
    return Math.floor(this.tokenTtlMs / 3);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<KubeadmConfig>(KUBEADM_CONFIG_KIND, req.namespace, req.name);
    if (!stored) return;
    const owner = await this.configOwner(stored);
    if (!owner) return; // The owner reference is set later; that update brings us back.
    const clusterName = owner.obj.metadata?.labels?.[CLUSTER_NAME_LABEL] ?? (typeof ownerSpec(owner).clusterName === 'string' ? (ownerSpec(owner).clusterName as string) : undefined);
    if (!clusterName) return;
    const cluster = await this.ctx.reader.get<Cluster>(CLUSTER_KIND, stored.metadata?.namespace, clusterName);
    if (!cluster) return; // The Cluster watch brings us back when it is created.
    if (isPaused(cluster, stored)) return;

    const config = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    const s: Scope = { config, owner, cluster, ref: { namespace: cluster.metadata!.namespace!, name: cluster.metadata!.name! } };
    let result: Result = {};
    let failure: unknown;
    if (!isBeingDeleted(config)) {
      try {
        result = await this.reconcileConfig(rc, s);
      } catch (e) {
        if (e instanceof WorkloadUnreachable) {
          rc.log.debug({ cluster: `${s.ref.namespace}/${s.ref.name}` }, 'workload cluster not reachable; requeue');
          result = { requeueAfter: this.workloadRetryMs };
        } else failure = e;
      }
    }
    const types = [BOOTSTRAP_CONDITIONS.dataSecretAvailable, BOOTSTRAP_CONDITIONS.certificatesAvailable].filter((t) => getCondition(config, t));
    setSummary(config, { conditions: types }, rc.clock);
    if (!failure && config.metadata?.generation !== undefined) (config.status ??= {}).observedGeneration = config.metadata.generation;
    try {
      await helper.patch(config);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  /** The owning Machine or MachinePool (a MachinePool owner is watched from the first time one is seen). */
  private async configOwner(config: KubeadmConfig): Promise<ConfigOwner | undefined> {
    for (const ref of config.metadata?.ownerReferences ?? []) {
      if (parseApiVersion(ref.apiVersion).group !== CLUSTER_API_GROUP) continue;
      if (ref.kind === 'Machine') {
        const obj = await this.ctx.reader.get<Machine>(MACHINE_KIND, config.metadata?.namespace, ref.name);
        return obj ? { kind: 'Machine', obj } : undefined;
      }
      if (ref.kind === 'MachinePool') {
        try {
          await this.controller?.watchKind(MACHINE_POOL_KIND, (mp) => machinePoolConfigs(mp));
          this.ctx.reader.cache(MACHINE_POOL_KIND);
          const obj = await this.ctx.reader.get(MACHINE_POOL_KIND, config.metadata?.namespace, ref.name);
          return obj ? { kind: 'MachinePool', obj } : undefined;
        } catch (e) {
          if (isNotFound(e)) return undefined; // MachinePool is not a served kind here.
          throw e;
        }
      }
    }
    return undefined;
  }

  private async workloadClient(s: Scope): Promise<Client> {
    const client = await this.ctx.clusterCache.client(s.ref);
    if (!client) throw new WorkloadUnreachable(`workload cluster ${s.ref.namespace}/${s.ref.name} is not reachable`);
    return client;
  }

  private async reconcileConfig(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { config, owner, cluster } = s;
    const status = (config.status ??= {});
    await this.ensureDataSecretOwner(rc, s);

    if (!cluster.status?.infrastructureReady) {
      markFalse(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, BOOTSTRAP_REASONS.waitingForClusterInfrastructure, 'Info', '', rc.clock);
      return {};
    }
    const ownerSecret = ownerDataSecretName(owner);
    if (ownerSecret && (!status.ready || !status.dataSecretName)) {
      // The owner already names the data (a restore or a move that lost our status): adopt it.
      status.ready = true;
      status.dataSecretName = ownerSecret;
      markTrue(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, rc.clock);
      return {};
    }
    if (status.ready) {
      markTrue(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, rc.clock);
      if (config.spec?.joinConfiguration?.discovery?.bootstrapToken) {
        if (!ownerHasNodeRefs(owner)) return this.refreshBootstrapToken(rc, s);
        if (owner.kind === 'MachinePool') return this.rotateMachinePoolToken(rc, s);
      }
      return {};
    }

    if (!isTrue(cluster, CONDITIONS.controlPlaneInitialized)) return this.handleClusterNotInitialized(rc, s);

    // Joins from here on: the init lock is no longer needed.
    await releaseInitLock(rc.client, cluster);
    const spec = (config.spec ??= {});
    spec.joinConfiguration ??= {};
    if (isControlPlaneMachine(owner)) return this.join(rc, s, 'join-control-plane');
    return this.join(rc, s, 'join-worker');
  }

  // ---- init ---------------------------------------------------------------------------------------

  private async handleClusterNotInitialized(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { config, owner, cluster } = s;
    if (getCondition(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable)?.reason !== BOOTSTRAP_REASONS.dataSecretGenerationFailed) {
      markFalse(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, BOOTSTRAP_REASONS.waitingForControlPlaneAvailable, 'Info', '', rc.clock);
    }
    // Workers and joining control-plane Machines wait for the control plane.
    if (!isControlPlaneMachine(owner)) return { requeueAfter: WAIT_MS };
    if (!config.spec?.initConfiguration && !config.spec?.clusterConfiguration) return { requeueAfter: WAIT_MS };

    const machineName = owner.obj.metadata!.name!;
    const lock = await acquireInitLock(rc.client, cluster, machineName);
    if (!lock.acquired) {
      rc.log.debug({ machine: machineName, reason: lock.reason }, 'control plane init lock not acquired');
      return { requeueAfter: WAIT_MS };
    }
    try {
      return await this.init(rc, s);
    } catch (e) {
      await releaseInitLock(rc.client, cluster).catch((err: unknown) => rc.log.warn({ err }, 'releasing the control plane init lock failed'));
      throw e;
    }
  }

  private async init(rc: ReconcileContext, s: Scope): Promise<Result> {
    const { config, cluster } = s;
    const spec = (config.spec ??= {});
    const version = this.kubernetesVersion(s);
    spec.clusterConfiguration ??= {};
    this.applyClusterSettings(s, version);
    spec.initConfiguration ??= {};

    let certificates: CertificateSet;
    try {
      if (!cluster.spec?.controlPlaneRef) {
        // No control-plane provider: this config generates the cluster's certificates (and owns them, as upstream).
        certificates = (await lookupOrGenerateCertificates(rc.client, this.ctx.reader, cluster, config, certificateOptionsFor(spec.clusterConfiguration, rc.clock.now()))).certificates;
      } else {
        certificates = await lookupCertificates(this.ctx.reader, s.ref.namespace, s.ref.name);
        const missing = missingCertificates(certificates, 'control-plane', spec.clusterConfiguration);
        if (missing.length) {
          markFalse(config, BOOTSTRAP_CONDITIONS.certificatesAvailable, 'WaitingForCertificates', 'Info', `waiting for ${cluster.spec.controlPlaneRef.kind} ${cluster.spec.controlPlaneRef.name} to create the cluster certificates: missing ${missing.join(', ')}`, rc.clock);
          return { requeueAfter: ENDPOINT_WAIT_MS };
        }
      }
    } catch (e) {
      markFalse(config, BOOTSTRAP_CONDITIONS.certificatesAvailable, BOOTSTRAP_REASONS.certificatesGenerationFailed, 'Warning', errorMessage(e), rc.clock);
      throw e;
    }
    markTrue(config, BOOTSTRAP_CONDITIONS.certificatesAvailable, rc.clock);
    const resolved = await this.resolveSpec(rc, s);
    if (!resolved) return {};
    return this.render(rc, s, 'init', version, resolved, certificateFiles(certificates, spec.clusterConfiguration));
  }

  /** Fill the ClusterConfiguration from the Cluster and Machine where the user left it empty (upstream's top-level settings). */
  private applyClusterSettings(s: Scope, version: string): void {
    const cc = s.config.spec!.clusterConfiguration!;
    const endpoint = endpointOf(s.cluster);
    if (!cc.controlPlaneEndpoint && endpoint) cc.controlPlaneEndpoint = endpoint;
    cc.clusterName ||= s.cluster.metadata!.name!;
    const net = s.cluster.spec?.clusterNetwork;
    if (net) {
      const networking = (cc.networking ??= {});
      if (!networking.dnsDomain && net.serviceDomain) networking.dnsDomain = net.serviceDomain;
      if (!networking.serviceSubnet && net.services?.cidrBlocks?.length) networking.serviceSubnet = net.services.cidrBlocks.join(',');
      if (!networking.podSubnet && net.pods?.cidrBlocks?.length) networking.podSubnet = net.pods.cidrBlocks.join(',');
      if (!Object.keys(networking).length) delete cc.networking;
    }
    if (!cc.kubernetesVersion) cc.kubernetesVersion = version;
  }

  private kubernetesVersion(s: Scope): string {
    const version = ownerVersion(s.owner);
    if (!version) throw new Error(`${s.owner.kind} ${s.owner.obj.metadata?.namespace}/${s.owner.obj.metadata?.name} has no ${s.owner.kind === 'Machine' ? 'spec.version' : 'spec.template.spec.version'}; the kubeadm bootstrap provider needs the Kubernetes version`);
    return version;
  }

  // ---- joins --------------------------------------------------------------------------------------

  private async join(rc: ReconcileContext, s: Scope, mode: 'join-control-plane' | 'join-worker'): Promise<Result> {
    const { config } = s;
    const spec = config.spec!;
    if (mode === 'join-worker' && spec.joinConfiguration!.controlPlane) {
      throw new Error(`KubeadmConfig ${config.metadata!.namespace}/${config.metadata!.name}: spec.joinConfiguration.controlPlane is set, but Machine ${s.owner.obj.metadata!.name} is a worker (no ${CONTROL_PLANE_LABEL} label)`);
    }
    if (mode === 'join-control-plane') spec.joinConfiguration!.controlPlane ??= {};
    const purposes = mode === 'join-worker' ? (['ca'] as const) : undefined;
    const certificates = await lookupCertificates(this.ctx.reader, s.ref.namespace, s.ref.name, purposes).catch((e: unknown) => {
      markFalse(config, BOOTSTRAP_CONDITIONS.certificatesAvailable, BOOTSTRAP_REASONS.certificatesCorrupted, 'Error', errorMessage(e), rc.clock);
      throw e;
    });
    const missing = missingCertificates(certificates, mode === 'join-worker' ? 'worker' : 'control-plane', spec.clusterConfiguration);
    if (missing.length) {
      const message = `cluster certificate Secrets missing or incomplete: ${missing.join(', ')}`;
      markFalse(config, BOOTSTRAP_CONDITIONS.certificatesAvailable, BOOTSTRAP_REASONS.certificatesCorrupted, 'Error', message, rc.clock);
      throw new Error(`KubeadmConfig ${config.metadata!.namespace}/${config.metadata!.name}: ${message}`);
    }
    markTrue(config, BOOTSTRAP_CONDITIONS.certificatesAvailable, rc.clock);

    const wait = await this.reconcileDiscovery(rc, s, certificates);
    if (wait) return wait;
    const version = this.kubernetesVersion(s);
    const resolved = await this.resolveSpec(rc, s);
    if (!resolved) return {};
    if (mode === 'join-worker') {
      // kubeadm registers workers with the uninitialized taint; it is not written back to the KubeadmConfig.
      const reg = (resolved.joinConfiguration!.nodeRegistration = { ...(resolved.joinConfiguration!.nodeRegistration ?? {}) });
      if (!(reg.taints ?? []).some((t) => t.key === NODE_UNINITIALIZED_TAINT.key && t.effect === NODE_UNINITIALIZED_TAINT.effect)) reg.taints = [...(reg.taints ?? []), { ...NODE_UNINITIALIZED_TAINT }];
    }
    const discoveryFile = spec.joinConfiguration!.discovery?.file;
    if (discoveryFile?.kubeConfig) resolved.files = [...(resolved.files ?? []), this.discoveryKubeconfigFile(s, discoveryFile.kubeConfigPath, discoveryFile.kubeConfig, certificates)];
    await this.render(rc, s, mode, version, resolved, mode === 'join-worker' ? [] : certificateFiles(certificates, spec.clusterConfiguration));
    // Come back to keep the token alive until the Node joins.
    return { requeueAfter: this.tokenCheckMs };
  }

  /** Discovery for the join: CA hashes, the API server endpoint and a new bootstrap token unless the user set them. */
  private async reconcileDiscovery(rc: ReconcileContext, s: Scope, certificates: CertificateSet): Promise<Result | undefined> {
    const join = s.config.spec!.joinConfiguration!;
    const discovery = (join.discovery ??= {});
    if (discovery.file) return undefined;
    const bt = (discovery.bootstrapToken ??= {});
    if (!bt.caCertHashes?.length) bt.caCertHashes = caCertHashes(certificates.ca!.cert);
    if (!bt.apiServerEndpoint) {
      const endpoint = endpointOf(s.cluster);
      if (!endpoint) return { requeueAfter: ENDPOINT_WAIT_MS }; // Waiting for Cluster.spec.controlPlaneEndpoint.
      bt.apiServerEndpoint = endpoint;
    }
    if (!bt.token) bt.token = await createBootstrapToken(await this.workloadClient(s), rc.clock.now(), this.tokenTtlMs);
    if (!bt.caCertHashes.length) bt.unsafeSkipCAVerification = true;
    return undefined;
  }

  /** A discovery kubeconfig file from joinConfiguration.discovery.file.kubeConfig (server and CA defaulted from the Cluster). */
  private discoveryKubeconfigFile(s: Scope, path: string, kubeConfig: Record<string, unknown>, certificates: CertificateSet): File {
    const cluster = (isPlainObject(kubeConfig.cluster) ? kubeConfig.cluster : {}) as Record<string, unknown>;
    const endpoint = endpointOf(s.cluster);
    const server = typeof cluster.server === 'string' && cluster.server ? cluster.server : endpoint ? `https://${endpoint}` : '';
    if (!server) throw new Error('joinConfiguration.discovery.file.kubeConfig.cluster.server is empty and the Cluster has no controlPlaneEndpoint yet');
    const caData = typeof cluster.certificateAuthorityData === 'string' && cluster.certificateAuthorityData ? Buffer.from(cluster.certificateAuthorityData, 'base64').toString('utf8') : certificates.ca!.cert;
    const text = renderKubeconfig({ server, caPem: caData, clusterName: 'default', userName: 'default', contextName: 'default', tlsServerName: typeof cluster.tlsServerName === 'string' ? cluster.tlsServerName : undefined });
    return { path, owner: 'root:root', permissions: '0640', content: text };
  }

  // ---- tokens ---------------------------------------------------------------------------------------

  /** Extend the join token while the Machine has not joined (it expires TokenTTL after the last refresh). */
  private async refreshBootstrapToken(rc: ReconcileContext, s: Scope): Promise<Result> {
    const token = s.config.spec!.joinConfiguration!.discovery!.bootstrapToken!.token;
    if (!token) return {};
    const client = await this.workloadClient(s);
    let secret: KubeObject;
    try {
      secret = await getBootstrapTokenSecret(client, token);
    } catch (e) {
      if (isNotFound(e) && s.owner.kind === 'MachinePool') return this.recreateToken(rc, s, client);
      if (isNotFound(e)) throw new Error(`bootstrap token Secret for KubeadmConfig ${s.config.metadata!.namespace}/${s.config.metadata!.name} is gone from workload cluster ${s.ref.namespace}/${s.ref.name}; cannot refresh it`);
      throw e;
    }
    const now = rc.clock.nowMs();
    const expiration = tokenExpiration(secret);
    // Still valid for more than 5/6 of its life: nothing to do yet.
    if (expiration && expiration.getTime() > now + (this.tokenTtlMs * 5) / 6) return { requeueAfter: this.tokenCheckMs };
    try {
      await extendBootstrapToken(client, secret, new Date(now + this.tokenTtlMs));
    } catch (e) {
      if (isNotFound(e) && s.owner.kind === 'MachinePool') return this.recreateToken(rc, s, client);
      throw e;
    }
    rc.log.debug({ token: token.split('.')[0], expiration: rfc3339(new Date(now + this.tokenTtlMs)) }, 'bootstrap token refreshed');
    return { requeueAfter: this.tokenCheckMs };
  }

  /** MachinePools keep scaling up with the same data: replace the token once half its life is gone. */
  private async rotateMachinePoolToken(rc: ReconcileContext, s: Scope): Promise<Result> {
    const token = s.config.spec!.joinConfiguration!.discovery!.bootstrapToken!.token;
    const client = await this.workloadClient(s);
    let rotate = !token;
    if (token) {
      try {
        const exp = tokenExpiration(await getBootstrapTokenSecret(client, token));
        rotate = !exp || exp.getTime() < rc.clock.nowMs() + this.tokenTtlMs / 2;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        rotate = true;
      }
    }
    if (rotate) return this.recreateToken(rc, s, client);
    return { requeueAfter: this.tokenCheckMs };
  }

  private async recreateToken(rc: ReconcileContext, s: Scope, client: Client): Promise<Result> {
    s.config.spec!.joinConfiguration!.discovery!.bootstrapToken!.token = await createBootstrapToken(client, rc.clock.now(), this.tokenTtlMs);
    (s.config.status ??= {}).ready = false;
    return this.join(rc, s, 'join-worker');
  }

  // ---- data ---------------------------------------------------------------------------------------

  /** The spec with files' contentFrom and users' passwdFrom read from their Secrets; undefined (condition set) on failure. */
  private async resolveSpec(rc: ReconcileContext, s: Scope): Promise<KubeadmConfigSpec | undefined> {
    const { config } = s;
    const ns = config.metadata!.namespace!;
    const spec = structuredClone(config.spec ?? {});
    const read = async (ref: { name: string; key: string }, what: string): Promise<string> => {
      const secret = await this.ctx.reader.get(SECRET_KIND, ns, ref.name);
      if (!secret) throw new Error(`${what}: Secret ${ns}/${ref.name} not found`);
      const value = (secret.data as Record<string, string> | undefined)?.[ref.key];
      if (value === undefined) throw new Error(`${what}: Secret ${ns}/${ref.name} has no key "${ref.key}"`);
      return Buffer.from(value, 'base64').toString('utf8');
    };
    try {
      spec.files = await Promise.all(
        (spec.files ?? []).map(async (f, i): Promise<File> => {
          if (!f.contentFrom) return f;
          const { contentFrom, ...rest } = f;
          return { ...rest, content: await read(contentFrom.secret, `spec.files[${i}].contentFrom`) };
        }),
      );
      spec.users = await Promise.all(
        (spec.users ?? []).map(async (u, i): Promise<User> => {
          if (!u.passwdFrom) return u;
          const { passwdFrom, ...rest } = u;
          return { ...rest, passwd: await read(passwdFrom.secret, `spec.users[${i}].passwdFrom`) };
        }),
      );
    } catch (e) {
      markFalse(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, BOOTSTRAP_REASONS.dataSecretGenerationFailed, 'Warning', errorMessage(e), rc.clock);
      rc.recorder.event(config, 'Warning', 'DataSecretGenerationFailed', errorMessage(e));
      return undefined;
    }
    return spec;
  }

  private async render(rc: ReconcileContext, s: Scope, mode: BootstrapMode, version: string, spec: KubeadmConfigSpec, certFiles: File[]): Promise<Result> {
    let rendered: ReturnType<typeof renderBootstrapData>;
    try {
      rendered = renderBootstrapData({ mode, kubernetesVersion: version, spec, certificateFiles: certFiles });
    } catch (e) {
      markFalse(s.config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, BOOTSTRAP_REASONS.dataSecretGenerationFailed, 'Warning', errorMessage(e), rc.clock);
      throw e;
    }
    for (const w of rendered.warnings) rc.recorder.event(s.config, 'Warning', 'IgnitionAdditionalConfig', w);
    await this.storeBootstrapData(rc, s, rendered.value, rendered.format);
    return {};
  }

  /** Write Secret `<config name>` (value, format) and mark the config ready. */
  private async storeBootstrapData(rc: ReconcileContext, s: Scope, value: string, format: string): Promise<void> {
    const { config } = s;
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        namespace: config.metadata!.namespace,
        name: config.metadata!.name,
        labels: { [CLUSTER_NAME_LABEL]: s.cluster.metadata!.name! },
        ownerReferences: [{ apiVersion: config.apiVersion ?? `${BOOTSTRAP_GROUP}/v1beta1`, kind: 'KubeadmConfig', name: config.metadata!.name!, uid: config.metadata!.uid!, controller: true }],
      },
      type: CLUSTER_SECRET_TYPE,
      data: { value: Buffer.from(value).toString('base64'), format: Buffer.from(format).toString('base64') },
    };
    try {
      await rc.client.create(secret);
    } catch (e) {
      if (!isAlreadyExists(e)) throw new Error(`creating bootstrap data Secret ${config.metadata!.namespace}/${config.metadata!.name}: ${errorMessage(e)}`);
      // Created by an earlier attempt whose status write was lost: replace its data.
      const current = await rc.client.get(SECRET_KIND, { namespace: config.metadata!.namespace, name: config.metadata!.name! });
      await rc.client.update({ ...current, data: secret.data, type: current.type });
    }
    const status = (config.status ??= {});
    status.dataSecretName = config.metadata!.name;
    status.ready = true;
    markTrue(config, BOOTSTRAP_CONDITIONS.dataSecretAvailable, rc.clock);
    rc.recorder.event(config, 'Normal', 'DataSecretCreated', `Bootstrap data (${format}) for ${s.owner.kind} ${s.owner.obj.metadata!.name} written to Secret ${config.metadata!.name}`);
  }

  /** The data Secret (when it exists) is controlled by this KubeadmConfig. */
  private async ensureDataSecretOwner(rc: ReconcileContext, s: Scope): Promise<void> {
    const { config } = s;
    const secret = await this.ctx.reader.get(SECRET_KIND, config.metadata!.namespace, config.metadata!.name!);
    if (!secret) return;
    const refs = secret.metadata?.ownerReferences ?? [];
    const controller = getControllerOf(secret);
    if (controller?.kind === 'KubeadmConfig' && controller.uid === config.metadata!.uid) return;
    const next = refs.filter((r) => r.uid !== config.metadata!.uid && !(r.controller && r.kind !== 'KubeadmConfig'));
    next.push({ apiVersion: config.apiVersion ?? `${BOOTSTRAP_GROUP}/v1beta1`, kind: 'KubeadmConfig', name: config.metadata!.name!, uid: config.metadata!.uid!, controller: true });
    await rc.client.patch(SECRET_KIND, { namespace: config.metadata!.namespace, name: config.metadata!.name! }, { type: 'merge', body: { metadata: { ownerReferences: next } } });
  }
}

/** A Machine → its KubeadmConfig. */
export function machineConfigs(m: KubeObject): Request[] {
  const ref = (m.spec as Machine['spec'] | undefined)?.bootstrap?.configRef;
  if (!ref?.name || ref.kind !== 'KubeadmConfig' || parseApiVersion(ref.apiVersion ?? '').group !== BOOTSTRAP_GROUP) return [];
  return [{ namespace: m.metadata?.namespace, name: ref.name }];
}

/** A MachinePool → the KubeadmConfig of its template. */
export function machinePoolConfigs(mp: KubeObject): Request[] {
  const ref = (mp.spec as { template?: { spec?: Machine['spec'] } } | undefined)?.template?.spec?.bootstrap?.configRef;
  if (!ref?.name || ref.kind !== 'KubeadmConfig' || parseApiVersion(ref.apiVersion ?? '').group !== BOOTSTRAP_GROUP) return [];
  return [{ namespace: mp.metadata?.namespace, name: ref.name }];
}

/** Register the KubeadmConfig controller: KubeadmConfigs, their Machines, and Clusters (→ the configs of their Machines). */
export function setupKubeadmConfigController(ctx: ControllerContext, opts: KubeadmConfigControllerOptions = {}): void {
  ctx.reader.cache(KUBEADM_CONFIG_KIND);
  ctx.reader.cache(CLUSTER_KIND);
  const machines = ctx.reader.cache(MACHINE_KIND);
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: KUBEADM_CONFIG_KIND,
    reconciler: new KubeadmConfigReconciler(ctx, opts),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      { type: MACHINE_KIND, map: machineConfigs },
      {
        // Infrastructure ready, control plane initialized, unpaused → the configs of the cluster's Machines.
        type: CLUSTER_KIND,
        map: (c) => machines.lister.withLabel(CLUSTER_NAME_LABEL, c.metadata!.name!).filter((m) => m.metadata?.namespace === c.metadata?.namespace).flatMap(machineConfigs),
      },
    ],
  });
}
