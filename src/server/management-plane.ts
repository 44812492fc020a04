/** Process wiring of the management plane: storage + API server + its built-in controllers. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { builtinResources } from '../api/builtin/index.js';
import { authorizationResources, kubernetesStrategies, workloadClusterResources, workloadClusterStrategies } from '../api/kubernetes/index.js';
import { installClusterApi } from '../api/install.js';
import { installDefaultClass } from '../classes/index.js';
import { installBuiltinFeatures, installFeatureGateKinds } from '../api/core/install.js';
import { StatusError } from '../apimachinery/errors.js';
import { loadTokenFile, type UserInfo } from '../apiserver/authn.js';
import { configMapStrategy, eventStrategy, leaseStrategy, namespaceStrategy, secretStrategy, serviceAccountStrategy } from '../apiserver/builtin-strategies.js';
import { crdStrategy } from '../apiserver/crd.js';
import { CrdController } from '../apiserver/crd-controller.js';
import { GarbageCollector } from '../apiserver/garbage-collector.js';
import { ApiHandler } from '../apiserver/handler.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { NamespaceController } from '../apiserver/namespace-controller.js';
import { LogicalClusterHost, type LogicalClusterHostOptions, type LogicalClusterRef } from '../apiserver/logical-clusters.js';
import { ObjectStore, strategyKey } from '../apiserver/object-store.js';
import type { ServerPki } from '../apiserver/pki.js';
import { ensurePlanePki } from '../apiserver/shared-pki.js';
import { createAuditLog, type AuditFlags } from '../apiserver/audit/index.js';
import { RbacStore } from '../apiserver/rbac-store.js';
import { ResourceRegistry } from '../apiserver/registry.js';
import { reviewHandlers } from '../apiserver/reviews.js';
import { serviceAccountTokens } from '../apiserver/service-account-tokens.js';
import { serviceAccountKeySecretName, signingKeyFromSecret, type TokenSigningKey } from '../apiserver/serviceaccount/keys.js';
import type { AdmissionPlugin, KindStrategy } from '../apiserver/strategy.js';
import type { AuthzAttributes, AuthzDecision } from '../apiserver/authz/attributes.js';
import { loadPodSecurityConfiguration, PodSecurityAdmission } from '../psa/index.js';
import { inProcessManager } from '../runtime/in-process.js';
import type { Clock } from '../runtime/clock.js';
import type { Manager } from '../runtime/manager.js';
import { setupClusterApiControllers } from '../controllers/index.js';
import type { ClusterAutoscalerOptions } from '../controllers/autoscaler/index.js';
import { TopologyAdmission } from '../controllers/clusterclass/admission.js';
import { ClusterClassAccessAdmission, ensureDefaultClassSharing } from '../controllers/clusterclass/class-access-admission.js';
import { CONTROLLER_USER, ensureControllerIdentity } from './controller-identity.js';
import { objectStoreReader } from '../controllers/clusterclass/store-reader.js';
import { setupFeatureGateControllers } from '../controllers/featuregate/reconciler.js';
import { setupLegacyTokenController, workloadLegacyTokenSetup } from '../controllers/serviceaccounttoken/index.js';
import { CachedReader } from '../controllers/shared/reader.js';
import { ClusterCache } from '../controllers/shared/cluster-cache.js';
import { planeConnector } from '../controllers/shared/plane-connector.js';
import { setupSimProvider, type SimProvider } from '../providers/sim/index.js';
import { WORKLOAD_CONTROLLERS, workloadClusterAdmission, WorkloadControllerHost, type WorkloadBehaviour } from '../controllers/workload/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { EtcdStore } from '../storage/etcd/etcd-store.js';
import { SqliteStore } from '../storage/sqlite/sqlite-store.js';
import { applyRevisionOffset } from '../storage/revision-offset.js';
import type { Store } from '../storage/store.js';

export interface ManagementPlaneOptions {
  dataDir: string;
  /** host:port, default 127.0.0.1:6443; port 0 picks a free one. */
  listen?: string;
  /** 'sqlite' (default, DIR/state.db), 'memory' (nothing survives a restart) or 'etcd' (the `etcd` servers). */
  storage?: 'sqlite' | 'memory' | 'etcd';
  /** With storage 'etcd': the members' client URLs, a key prefix, and client TLS files. */
  etcd?: { servers: string[]; prefix?: string; caFile?: string; certFile?: string; keyFile?: string; compactionIntervalMs?: number };
  tokenFile?: string;
  logger?: Logger;
  /** Time for the API server and every controller (tests jump it to expire certificates). */
  clock?: Clock;
  /** Run the Cluster API controllers and the sim provider (default true). */
  clusterApi?: boolean;
  /** Node lease renewal period of sim machines' kubelets (default 10 s). */
  simLeaseRenewMs?: number;
  /** Timings of simulated Pods in workload clusters (seconds; defaults in DEFAULT_WORKLOAD_BEHAVIOUR). */
  workloadBehaviour?: Partial<WorkloadBehaviour>;
  /** Options of the cluster autoscaler of workload clusters (scan interval, scale-down timings). */
  clusterAutoscaler?: ClusterAutoscalerOptions;
  admission?: AdmissionPlugin[];
  /** Seconds between watch bookmarks. */
  bookmarkIntervalSeconds?: number;
  /** A PodSecurityConfiguration file: enables Pod Security Admission with its defaults and exemptions. */
  podSecurityConfig?: string;
  /**
   * Run the plane's controllers (namespace deletion, garbage collection, Cluster API, sim, workload clusters) only
   * while holding the Lease kube-system/slipway-plane, so several planes can share one etcd. Default: on with
   * storage 'etcd', off otherwise.
   */
  leaderElection?: boolean | { leaseDurationMs?: number; identity?: string };
  /** Audit log: --audit-policy-file and --audit-log-path (both needed), rotation by size. */
  audit?: Omit<AuditFlags, 'clock'>;
  /** 'RBAC' (default): requests are authorized by the plane's roles and bindings; 'AlwaysAllow': any authenticated user may do anything. */
  authorization?: 'RBAC' | 'AlwaysAllow';
  /** ServiceAccount token issuer (`iss`, default audience) and the jwks_uri its discovery document names. */
  serviceAccountIssuer?: string;
  serviceAccountJwksUri?: string;
  /** Override the event-history retention of the SQLite store. */
  historyRetentionEvents?: number;
  historyRetentionMs?: number;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ManagementPlane {
  private constructor(
    readonly store: Store,
    readonly registry: ResourceRegistry,
    readonly objects: ObjectStore,
    readonly handler: ApiHandler,
    readonly server: Server,
    readonly pki: ServerPki,
    readonly url: string,
    readonly kubeconfigPath: string,
    readonly log: Logger,
    private readonly controllers: { stop(): void | Promise<void> }[],
    private readonly sockets: Set<Socket>,
    /** The workload clusters this plane hosts (sim provider). */
    readonly workloadClusters: LogicalClusterHost,
    /** The controllers inside those clusters (absent when the plane runs no Cluster API controllers or does not lead). */
    private readonly currentWorkloadControllers: () => WorkloadControllerHost | undefined,
  ) {}

  get workloadControllers(): WorkloadControllerHost | undefined {
    return this.currentWorkloadControllers();
  }

  static async start(opts: ManagementPlaneOptions): Promise<ManagementPlane> {
    const log = opts.logger ?? pino({ name: 'slipway' });
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const host = osHostname();
    // A bad audit policy stops the start before anything runs.
    const auditLog = opts.audit ? createAuditLog({ ...opts.audit, clock: opts.clock }) : undefined;
    const store = await openStore(opts, log);
    // On etcd every replica shares one CA and ServiceAccount key, kept in etcd; each issues its own leaf certificates.
    const { pki, serviceAccountKey, shared } = await ensurePlanePki(opts.dataDir, { hostname: host }, opts.storage === 'etcd' ? store : undefined).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
    if (shared) log.info({ sharedPki: shared.action, caFingerprint: shared.caFingerprint, serviceAccountKeyId: shared.serviceAccountKeyId }, shared.action === 'uploaded' ? 'uploaded this plane\'s CA and ServiceAccount key to etcd for the other replicas' : 'using the CA and ServiceAccount key the replicas share in etcd');
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', builtinResources());
    // RBAC and the access reviews, as on every kube-apiserver.
    const authInfos = authorizationResources();
    registry.setOwned('authorization', authInfos);
    const objects = new ObjectStore(store, registry, { clock: opts.clock, admission: opts.admission });
    for (const [key, strategy] of kubernetesStrategies()) {
      const info = authInfos.find((i) => strategyKey(i.group, i.kind) === key);
      if (info) objects.setStrategy(info.group, info.kind, strategy);
    }
    if (opts.podSecurityConfig) {
      const config = loadPodSecurityConfiguration(readFileSync(opts.podSecurityConfig, 'utf8'));
      const nsInfo = registry.get('', 'v1', 'namespaces')!;
      objects.admission.push(new PodSecurityAdmission({ config, namespaces: { getNamespace: (name) => objects.tryGet(nsInfo, undefined, name) } }));
    }
    objects.setStrategy('', 'Namespace', namespaceStrategy);
    objects.setStrategy('', 'ConfigMap', configMapStrategy);
    objects.setStrategy('', 'Secret', secretStrategy);
    objects.setStrategy('', 'Event', eventStrategy);
    objects.setStrategy('events.k8s.io', 'Event', eventStrategy);
    objects.setStrategy('', 'ServiceAccount', serviceAccountStrategy);
    objects.setStrategy('coordination.k8s.io', 'Lease', leaseStrategy);
    objects.setStrategy('apiextensions.k8s.io', 'CustomResourceDefinition', crdStrategy);
    await installClusterApi(objects, log.child({ component: 'cluster-api' }));
    // Cluster and ClusterClass checks that read other objects (the class, Clusters using it, rollout state).
    const topologyAdmission = new TopologyAdmission({ reader: objectStoreReader(objects) });
    objects.admission.push(topologyAdmission);
    await installFeatureGateKinds(objects, log.child({ component: 'feature-gates' }));

    await ensureDefaultNamespaces(objects);
    const crds = new CrdController(objects, log.child({ controller: 'crd' }));
    await crds.start();
    if (registry.byKind('cluster.x-k8s.io', 'v1beta1', 'ClusterClass')) {
      // The shipped default class, re-applied on every start so an upgrade rolls it forward.
      await installDefaultClass(objects, log.child({ component: 'default-class' })).catch((e: unknown) => log.error({ err: e }, 'installing the default ClusterClass slipway-default failed'));
    }
    await installBuiltinFeatures(objects, log.child({ component: 'feature-gates' }));
    const election = opts.leaderElection ?? opts.storage === 'etcd';
    // Controllers that write on behalf of the whole API: with election, one plane at a time runs them (see below).
    const apiControllers: StartableController[] = [
      { name: 'namespace-controller', make: async () => { const c = new NamespaceController(objects, log.child({ controller: 'namespace' })); await c.start(); return c; } },
      { name: 'garbage-collector', make: async () => { const c = new GarbageCollector(objects, log.child({ controller: 'garbage-collector' })); await c.start(); return c; } },
    ];
    const alwaysRunning: Stoppable[] = [];
    if (!election) for (const c of apiControllers) alwaysRunning.push(await c.make());
    // The address clients reach this plane (and its workload clusters) at, known once the server listens.
    let externalAddress: string | undefined;
    const workloadClusters = newWorkloadClusterHost(store, objects, log, opts.clock, { audit: auditLog?.recorder, externalAddress: () => externalAddress });
    const rbac = await RbacStore.start(objects, { logger: log.child({ component: 'rbac' }) });
    objects.admission.push(rbac.admission);
    await ensureControllerIdentity(objects);
    if (registry.byKind('cluster.x-k8s.io', 'v1beta1', 'ClusterClass')) {
      await ensureDefaultClassSharing(objects);
      if (opts.authorization !== 'AlwaysAllow') objects.admission.push(new ClusterClassAccessAdmission((a) => rbac.authorize(a)));
    }

    const tokens: Map<string, UserInfo> = opts.tokenFile ? loadTokenFile(opts.tokenFile) : new Map();
    const authorize = opts.authorization === 'AlwaysAllow' ? undefined : (a: AuthzAttributes): AuthzDecision => rbac.authorize(a);
    const now = (): Date => opts.clock?.now() ?? new Date();
    const saTokens = serviceAccountTokens({ objects, key: serviceAccountKey, staticTokens: tokens, now, externalAddress: () => externalAddress, issuer: opts.serviceAccountIssuer, jwksUri: opts.serviceAccountJwksUri });
    const reviews = reviewHandlers({ authorize: authorize ?? (() => ({ allowed: true })), rulesFor: (user, namespace) => rbac.rulesFor(user, namespace), tokenReview: (body) => saTokens.tokenReview(body) });
    const handler = new ApiHandler({ objects, registry, tokens, logger: log, bookmarkIntervalSeconds: opts.bookmarkIntervalSeconds, authorize, reviews, audit: auditLog?.recorder, authenticateToken: (token) => saTokens.authenticateToken(token), tokenRequest: (ns, name, body) => saTokens.tokenRequest(ns, name, body), openIdDiscovery: () => saTokens.openIdDocuments() });
    // Requests whose TLS server name names a workload cluster go to that cluster's API; the rest to the plane's.
    const server = createServer(
      { key: pki.server.keyPem, cert: pki.server.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false, keepAlive: true, SNICallback: workloadClusters.sniCallback },
      (req, res) => {
        const ref = LogicalClusterHost.requestCluster(req);
        if (ref) workloadClusters.serve(ref, req, res);
        else handler.listener(req, res);
      },
    );
    // Track raw sockets: a connection still in its TLS handshake when stop() runs is unknown to
    // closeAllConnections() and would hold server.close() open until its keep-alive timeout.
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 125_000;
    server.requestTimeout = 0;
    const { hostPart, port } = parseListen(opts.listen ?? '127.0.0.1:6443');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, hostPart, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const urlHost = hostPart === '0.0.0.0' || hostPart === '::' ? '127.0.0.1' : hostPart;
    externalAddress = `${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${addr.port}`;
    // The controller manager runs in-process on the same Client code that `slipway controllers` uses.
    const le = typeof opts.leaderElection === 'object' ? opts.leaderElection : {};
    // The controllers act as their ServiceAccount, with only their role's permissions.
    const manager = inProcessManager(objects, {
      logger: log.child({ component: 'controllers' }),
      clock: opts.clock,
      transport: { user: CONTROLLER_USER, ...(authorize ? { authorize } : {}) },
      ...(election ? { leaderElection: { namespace: 'kube-system', name: 'slipway-plane', leaseDurationMs: le.leaseDurationMs, identity: le.identity } } : {}),
    });
    const servesClusterApi = !!registry.byKind('cluster.x-k8s.io', 'v1beta1', 'Cluster');
    const clusterApi = opts.clusterApi === false || !servesClusterApi ? undefined : setupClusterApi(store, manager, workloadClusters, { host: urlHost, port: addr.port }, log, opts, topologyAdmission);
    setupFeatureGateControllers({ manager, reader: new CachedReader(manager.client, manager.informers) });
    // kube-controller-manager's tokens controller (leader-only with election, as every controller of this manager).
    setupLegacyTokenController({ manager, signingKey: () => saTokens.signingKey(), rootCA: async () => pki.ca.certPem });
    if (election) {
      const workloads: StartableController[] = clusterApi ? [{ name: 'workload-controllers', make: () => clusterApi.startWorkloads() }] : [];
      for (const c of [...apiControllers, ...workloads]) manager.addRunnable(leaderTerm(c, log));
    }
    await manager.start();
    if (!election && clusterApi) alwaysRunning.push(await clusterApi.startWorkloads());
    const url = `https://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${addr.port}`;
    const kubeconfigPath = join(opts.dataDir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem, clusterName: 'slipway', userName: 'slipway-admin' });
    log.info({ url, kubeconfig: kubeconfigPath, dataDir: opts.dataDir, storage: opts.storage ?? 'sqlite', revision: store.currentRevision() }, 'slipway management plane ready');
    const plane = new ManagementPlane(store, registry, objects, handler, server, pki, url, kubeconfigPath, log, [crds, ...alwaysRunning, rbac, manager, ...(clusterApi ? [clusterApi] : [])], sockets, workloadClusters, () => clusterApi?.workloads());
    if (auditLog) plane.closeAuditLog = () => auditLog.writer.close();
    return plane;
  }

  /** Writes what the audit log still buffers (after the server stopped answering). */
  private closeAuditLog: (() => Promise<void>) | undefined;

  async stop(): Promise<void> {
    this.handler.setReady(false);
    await Promise.all(this.controllers.map((c) => c.stop()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
    await this.closeAuditLog?.();
    await this.store.close();
  }
}

/** Cluster API controllers and the sim provider on the plane's manager; returns what stops them. */
function setupClusterApi(store: Store, manager: Manager, host: LogicalClusterHost, endpoint: { host: string; port: number }, log: Logger, opts: ManagementPlaneOptions, topologyAdmission: TopologyAdmission): { workloads(): WorkloadControllerHost | undefined; startWorkloads(): Promise<{ stop(): Promise<void> }>; stop(): Promise<void> } {
  const reader = new CachedReader(manager.client, manager.informers);
  topologyAdmission.useRolloutReader(reader);
  const clusterCache = new ClusterCache(planeConnector(host, reader), { clock: manager.clock, logger: log.child({ component: 'cluster-cache' }) });
  const ctx = { manager, reader, clusterCache };
  setupClusterApiControllers(ctx, { autoscaler: opts.clusterAutoscaler });
  const sim: SimProvider = setupSimProvider(ctx, { host, endpoint, log: log.child({ component: 'sim' }), leaseRenewMs: opts.simLeaseRenewMs });
  // Inside the hosted workload clusters: kube-controller-manager's, the scheduler's and the kubelets' work (a new
  // host for each term of leadership).
  let workloads: WorkloadControllerHost | undefined;
  return {
    workloads: () => workloads,
    async startWorkloads() {
      const w = new WorkloadControllerHost({
        store,
        host,
        clock: manager.clock,
        log: log.child({ component: 'workload-controllers' }),
        setups: [...WORKLOAD_CONTROLLERS.map((c) => c.setup), workloadLegacyTokenSetup(host), ...sim.workloadSetups],
        behaviour: opts.workloadBehaviour,
      });
      workloads = w;
      await w.start();
      return {
        async stop() {
          await w.stop();
          if (workloads === w) workloads = undefined;
        },
      };
    },
    async stop() {
      await workloads?.stop();
      sim.stop();
      await clusterCache.stop();
    },
  };
}

/** The host of workload clusters: their kinds, strategies, and CAs read from the plane's `<cluster>-ca` Secrets. */
function newWorkloadClusterHost(store: Store, objects: ObjectStore, log: Logger, clock: Clock | undefined, extra: Pick<LogicalClusterHostOptions, 'audit' | 'externalAddress'>): LogicalClusterHost {
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', workloadClusterResources());
  const strategies = workloadClusterStrategies();
  const secrets = objects.registry.get('', 'v1', 'secrets')!;
  const caLookup = async (ref: LogicalClusterRef): Promise<{ certPem: string; keyPem: string } | undefined> => {
    const secret = await objects.tryGet(secrets, ref.namespace, `${ref.name}-ca`);
    const data = secret?.data as Record<string, string> | undefined;
    if (!data?.['tls.crt'] || !data['tls.key']) return undefined;
    return { certPem: Buffer.from(data['tls.crt'], 'base64').toString('utf8'), keyPem: Buffer.from(data['tls.key'], 'base64').toString('utf8') };
  };
  // Signing keys parsed once per Secret revision.
  const saKeys = new Map<string, { rv: string; key: TokenSigningKey }>();
  const serviceAccountKeyLookup = async (ref: LogicalClusterRef): Promise<TokenSigningKey | undefined> => {
    const secret = await objects.tryGet(secrets, ref.namespace, serviceAccountKeySecretName(ref.name));
    const cacheKey = `${ref.namespace}/${ref.name}`;
    if (!secret) {
      saKeys.delete(cacheKey);
      return undefined;
    }
    const rv = secret.metadata?.resourceVersion ?? '';
    const known = saKeys.get(cacheKey);
    if (known?.rv === rv) return known.key;
    const key = signingKeyFromSecret(secret);
    saKeys.set(cacheKey, { rv, key });
    return key;
  };
  return new LogicalClusterHost({ store, registry, strategies, caLookup, serviceAccountKeyLookup, admission: workloadClusterAdmission, logger: log.child({ component: 'workload-clusters' }), clock, ...extra });
}

interface Stoppable {
  stop(): void | Promise<void>;
}

interface StartableController {
  name: string;
  make(): Promise<Stoppable>;
}

/** A controller made fresh for each term of leadership and stopped when the term ends. */
function leaderTerm(c: StartableController, log: Logger): { name: string; run(signal: AbortSignal): void } {
  return {
    name: c.name,
    run(signal) {
      const made = c.make().catch((err: unknown) => {
        log.error({ err, controller: c.name }, 'starting a controller failed');
        return undefined;
      });
      signal.addEventListener('abort', () => void made.then((inst) => inst?.stop()), { once: true });
    },
  };
}

async function openStore(opts: ManagementPlaneOptions, log: Logger): Promise<Store> {
  if (opts.storage === 'memory') return new MemoryStore();
  if (opts.storage === 'etcd') {
    const etcd = opts.etcd;
    if (!etcd?.servers.length) throw new Error('--storage etcd needs --etcd-servers URL[,URL...]');
    if ((etcd.certFile || etcd.keyFile) && !etcd.caFile) throw new Error('--etcd-certfile and --etcd-keyfile need --etcd-cafile');
    const tls = etcd.caFile ? { caFile: etcd.caFile, certFile: etcd.certFile, keyFile: etcd.keyFile } : undefined;
    const etcdLog = log.child({ component: 'etcd' });
    const etcdStore = await EtcdStore.open({ endpoints: etcd.servers, prefix: etcd.prefix, tls, compactionIntervalMs: etcd.compactionIntervalMs, onWarning: (message) => etcdLog.warn(message) });
    // A plane moved here by `slipway migrate` keeps counting from its old revision.
    return applyRevisionOffset(etcdStore).catch(async (err: unknown) => {
      await etcdStore.close();
      throw err;
    });
  }
  return SqliteStore.open(join(opts.dataDir, 'state.db'), { historyRetentionEvents: opts.historyRetentionEvents, historyRetentionMs: opts.historyRetentionMs });
}

function parseListen(listen: string): { hostPart: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be HOST:PORT (e.g. 127.0.0.1:6443), got "${listen}"`);
  return { hostPart: m[1] ?? m[2]!, port: Number(m[3]) };
}

async function ensureDefaultNamespaces(objects: ObjectStore): Promise<void> {
  const info = objects.registry.get('', 'v1', 'namespaces')!;
  for (const name of DEFAULT_NAMESPACES) {
    try {
      await objects.create(info, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'slipway-apiserver' });
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}
