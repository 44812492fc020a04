/**
 * Workload clusters as logical clusters of the management plane's process and storage (in the spirit of kcp and
 * vcluster): each Cluster the plane hosts gets a Kubernetes API of its own, with its own objects under the storage
 * root `/clusters/<namespace>/<name>/registry/`, isolated from the plane and from every other cluster.
 *
 * Routing is by TLS server name (SNI): a cluster's kubeconfig points at the plane's address with
 * `tls-server-name: <name>.<namespace>.clusters.slipway.internal`. For that name the plane answers with a serving
 * certificate issued by the cluster's own CA (from Secret `<cluster>-ca`) and verifies client certificates against
 * that CA only, so the kubeconfig works with kubectl unchanged, and a certificate of the plane or of another cluster is
 * refused. Contexts are made on first use and kept in a bounded cache, so 10,000 clusters cost nothing until used.
 */
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { StatusError, alreadyExists } from '../apimachinery/errors.js';
import type { Store } from '../storage/store.js';
import type { Clock } from './clock.js';
import { ApiHandler, type CachedDocument } from './handler.js';
import { ObjectStore } from './object-store.js';
import { certFingerprint, issueServingCert, type CertKeyPair } from './pki.js';
import type { ResourceRegistry } from './registry.js';
import type { AuthzAttributes, AuthzDecision } from './authz/attributes.js';
import { SYSTEM_MASTERS } from './authz/rules.js';
import { RbacStore, writeBootstrapPolicy } from './rbac-store.js';
import { reviewHandlers } from './reviews.js';
import { serviceAccountTokens } from './service-account-tokens.js';
import type { TokenSigningKey } from './serviceaccount/keys.js';
import type { AuditRecorder } from './audit/recorder.js';
import { CLUSTER_ANNOTATION } from './audit/index.js';
import type { AdmissionPlugin, KindStrategy } from './strategy.js';

export interface LogicalClusterRef {
  namespace: string;
  name: string;
}

/** DNS suffix of every workload cluster's TLS server name. */
export const CLUSTER_SERVER_NAME_SUFFIX = '.clusters.slipway.internal';

/** Namespaces kubeadm leaves in a new cluster. */
export const WORKLOAD_DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface LogicalClusterHostOptions {
  store: Store;
  /** Kinds served inside every workload cluster (shared by all of them). */
  registry: ResourceRegistry;
  /** Per-kind strategies inside workload clusters (shared). */
  strategies: Map<string, KindStrategy>;
  /** The cluster's CA (cert and key) from the management plane, or undefined when it has none yet. */
  caLookup(ref: LogicalClusterRef): Promise<CertKeyPair | undefined>;
  logger: Logger;
  clock?: Clock;
  /** IP addresses the serving certificates carry besides the server name (the plane's listen address). */
  servingIps?: string[];
  /** Most TLS contexts kept (default 2,048; older ones are made again on use). */
  maxContexts?: number;
  /** Admission plugins of one cluster's store (e.g. Service IP and NodePort allocation), made with the store. */
  admission?: (ref: LogicalClusterRef, objects: ObjectStore) => AdmissionPlugin[];
  /**
   * Authorize requests with each cluster's own RBAC (default true): its default roles and bindings are written when
   * its API server starts; its roles are loaded on the first request of a user outside system:masters.
   */
  rbac?: boolean;
  /** The cluster's ServiceAccount token signing key (Cluster API's `<cluster>-sa` Secret), when it has one. */
  serviceAccountKeyLookup?(ref: LogicalClusterRef): Promise<TokenSigningKey | undefined>;
  /**
   * The plane's audit log: each cluster's requests are audited by the plane's policy, every event annotated
   * `slipway.dev/cluster: <namespace>/<name>`. Absent: nothing is audited (and nothing is paid for it).
   */
  audit?: AuditRecorder;
  /** host:port clients reach the clusters at (the plane's address), for the issuer discovery document's jwks_uri. */
  externalAddress?: () => string | undefined;
}

interface ServingContext {
  fingerprint: string;
  context: SecureContext;
}

/** `<name>.<namespace>.clusters.slipway.internal` — namespaces have no dots, so the name parses back. */
export function clusterServerName(ref: LogicalClusterRef): string {
  return `${ref.name}.${ref.namespace}${CLUSTER_SERVER_NAME_SUFFIX}`;
}

export function parseClusterServerName(serverName: string | undefined | false | null): LogicalClusterRef | undefined {
  if (!serverName) return undefined;
  const s = serverName.toLowerCase();
  if (!s.endsWith(CLUSTER_SERVER_NAME_SUFFIX)) return undefined;
  const rest = s.slice(0, -CLUSTER_SERVER_NAME_SUFFIX.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  return { name: rest.slice(0, dot), namespace: rest.slice(dot + 1) };
}

export function logicalClusterKeyRoot(ref: LogicalClusterRef): string {
  return `/clusters/${ref.namespace}/${ref.name}/registry/`;
}

function refKey(ref: LogicalClusterRef): string {
  return `${ref.namespace}/${ref.name}`;
}

export class LogicalClusterHost {
  private readonly stores = new Map<string, ObjectStore>();
  private readonly handlers = new Map<string, ApiHandler>();
  private readonly contexts = new Map<string, ServingContext>();
  private readonly pendingContexts = new Map<string, Promise<ServingContext | undefined>>();
  private readonly running = new Set<string>();
  private readonly documentCache = new Map<string, CachedDocument>();
  private readonly maxContexts: number;
  private readonly verifiedSockets = new WeakMap<object, boolean>();
  private readonly rbacStores = new Map<string, Promise<RbacStore>>();
  private readonly policies = new Map<string, Promise<void>>();
  /**
   * Per object store: whether its cluster was destroyed. A destroyed cluster's store refuses new objects, so a
   * controller still holding it cannot recreate what is being (or was) deleted; a cluster made again later gets a
   * new store.
   */
  private readonly lifecycles = new Map<string, { destroyed: boolean }>();

  constructor(private readonly opts: LogicalClusterHostOptions) {
    this.maxContexts = opts.maxContexts ?? 2048;
    opts.registry.on('changed', () => this.documentCache.clear());
  }

  get registry(): ResourceRegistry {
    return this.opts.registry;
  }

  /** The object store of a workload cluster (made on first use). */
  objects(ref: LogicalClusterRef): ObjectStore {
    const key = refKey(ref);
    let objects = this.stores.get(key);
    if (!objects) {
      objects = new ObjectStore(this.opts.store, this.opts.registry, { clock: this.opts.clock, strategies: this.opts.strategies, keyRoot: logicalClusterKeyRoot(ref) });
      const lifecycle = { destroyed: false };
      this.lifecycles.set(key, lifecycle);
      objects.admission.push({
        name: 'ClusterLifecycle',
        admit: (attrs) => {
          if (attrs.operation === 'CREATE' && lifecycle.destroyed) {
            throw new StatusError(409, 'Conflict', `workload cluster ${key} is being deleted: no new objects are accepted`);
          }
        },
      });
      if (this.opts.admission) objects.admission.push(...this.opts.admission(ref, objects));
      if (this.opts.rbac !== false) {
        objects.admission.push({
          name: 'RBACEscalation',
          admit: async (attrs) => {
            if (attrs.info.group !== 'rbac.authorization.k8s.io' || !attrs.user || attrs.user.groups.includes(SYSTEM_MASTERS)) return;
            return (await this.rbac(ref)).admission.admit(attrs);
          },
        });
      }
      this.stores.set(key, objects);
    }
    return objects;
  }

  /** Whether the cluster's API server is up: its `kube-system` namespace exists (written at `kubeadm init`). */
  async isRunning(ref: LogicalClusterRef): Promise<boolean> {
    const key = refKey(ref);
    if (this.running.has(key)) return true;
    const objects = this.objects(ref);
    const nsInfo = this.opts.registry.get('', 'v1', 'namespaces');
    if (!nsInfo) return false;
    const ns = await objects.tryGet(nsInfo, undefined, 'kube-system');
    if (ns) this.running.add(key);
    return !!ns;
  }

  /** Start the cluster's API server: create the namespaces kubeadm leaves (idempotent). */
  async start(ref: LogicalClusterRef): Promise<ObjectStore> {
    const objects = this.objects(ref);
    const nsInfo = this.opts.registry.get('', 'v1', 'namespaces')!;
    for (const name of WORKLOAD_DEFAULT_NAMESPACES) {
      try {
        await objects.create(nsInfo, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === alreadyExists('', '', '').reason)) throw e;
      }
    }
    this.running.add(refKey(ref));
    return objects;
  }

  /**
   * The cluster's default roles and bindings, written (or brought up to date) before its API first answers a client:
   * clusters only the controllers use in-process never pay for them.
   */
  private defaultPolicy(ref: LogicalClusterRef): Promise<void> {
    const key = refKey(ref);
    let done = this.policies.get(key);
    if (!done) {
      done = writeBootstrapPolicy(this.objects(ref));
      done.catch(() => this.policies.delete(key));
      this.policies.set(key, done);
    }
    return done;
  }

  /** The cluster's RBAC, loaded on first use. */
  private rbac(ref: LogicalClusterRef): Promise<RbacStore> {
    const key = refKey(ref);
    let pending = this.rbacStores.get(key);
    if (!pending) {
      pending = RbacStore.start(this.objects(ref), { logger: this.opts.logger.child({ workloadCluster: key, component: 'rbac' }), bootstrap: false });
      pending.catch(() => this.rbacStores.delete(key));
      this.rbacStores.set(key, pending);
    }
    return pending;
  }

  private async authorize(ref: LogicalClusterRef, a: AuthzAttributes): Promise<AuthzDecision> {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true };
    return (await this.rbac(ref)).authorize(a);
  }

  /** The cluster's ServiceAccount token signing key (from its `<cluster>-sa` Secret), if it has one. */
  async serviceAccountKey(ref: LogicalClusterRef): Promise<TokenSigningKey | undefined> {
    return this.opts.serviceAccountKeyLookup?.(ref);
  }

  /** The cluster's CA certificate (PEM), if it has one. */
  async caCertificate(ref: LogicalClusterRef): Promise<string | undefined> {
    return (await this.opts.caLookup(ref))?.certPem;
  }

  /** Delete every object of a workload cluster (the cluster is gone) and forget it. Returns how many were deleted. */
  async destroy(ref: LogicalClusterRef): Promise<number> {
    const key = refKey(ref);
    this.objects(ref);
    this.lifecycles.get(key)!.destroyed = true; // its store refuses new objects from here on
    this.lifecycles.delete(key);
    this.running.delete(key);
    this.handlers.delete(key);
    this.contexts.delete(key);
    const rbac = this.rbacStores.get(key);
    this.rbacStores.delete(key);
    await this.policies.get(key)?.catch(() => undefined);
    this.policies.delete(key);
    if (rbac) await rbac.then((r) => r.stop(), () => undefined);
    // Admission plugins' background work (e.g. Service allocation's release watch) ends with the cluster.
    for (const plugin of this.stores.get(key)?.admission ?? []) plugin.close?.();
    const prefix = `/clusters/${ref.namespace}/${ref.name}/`;
    let deleted = 0;
    for (;;) {
      const page = await this.opts.store.list(prefix, { limit: 500 });
      if (!page.items.length) break;
      for (const kv of page.items) {
        try {
          await this.opts.store.delete(kv.key);
          deleted++;
        } catch {
          // Deleted meanwhile.
        }
      }
      if (!page.more) break;
    }
    this.stores.delete(key);
    return deleted;
  }

  /**
   * The address that reaches this cluster's API (its TLS server name on the plane's port), for its issuer discovery:
   * the plane's own address would answer with the plane's keys.
   */
  private clusterAddress(ref: LogicalClusterRef): string | undefined {
    const plane = this.opts.externalAddress?.();
    if (!plane) return undefined;
    return `${clusterServerName(ref)}:${plane.slice(plane.lastIndexOf(':') + 1)}`;
  }

  private handler(ref: LogicalClusterRef): ApiHandler {
    const key = refKey(ref);
    let h = this.handlers.get(key);
    if (!h) {
      const authorize = this.opts.rbac === false ? undefined : (a: AuthzAttributes): Promise<AuthzDecision> => this.authorize(ref, a);
      const keyLookup = this.opts.serviceAccountKeyLookup;
      const tokens = keyLookup
        ? serviceAccountTokens({ objects: this.objects(ref), key: () => keyLookup(ref), now: () => this.opts.clock?.now() ?? new Date(), externalAddress: () => this.clusterAddress(ref) })
        : undefined;
      const reviews = reviewHandlers({
        authorize: authorize ?? (() => ({ allowed: true })),
        rulesFor: async (user, namespace) => (await this.rbac(ref)).rulesFor(user, namespace),
        tokenReview: tokens ? (body) => tokens.tokenReview(body) : undefined,
      });
      h = new ApiHandler({
        objects: this.objects(ref),
        registry: this.opts.registry,
        tokens: new Map(),
        logger: this.opts.logger.child({ workloadCluster: key }),
        documentCache: this.documentCache,
        authorize,
        reviews,
        authenticateToken: tokens ? (token) => tokens.authenticateToken(token) : undefined,
        tokenRequest: tokens ? (ns, name, body) => tokens.tokenRequest(ns, name, body) : undefined,
        openIdDiscovery: tokens ? () => tokens.openIdDocuments() : undefined,
        ...(this.opts.audit ? { audit: this.opts.audit, auditAnnotations: { [CLUSTER_ANNOTATION]: key } } : {}),
      });
      this.handlers.set(key, h);
    }
    return h;
  }

  /** The TLS context for a server name, made from the cluster's CA on first use; undefined for other names. */
  async secureContext(serverName: string): Promise<SecureContext | undefined> {
    const ref = parseClusterServerName(serverName);
    if (!ref) return undefined;
    const key = refKey(ref);
    const ca = await this.opts.caLookup(ref);
    if (!ca) return undefined;
    const fingerprint = certFingerprint(ca.certPem);
    const known = this.contexts.get(key);
    if (known && known.fingerprint === fingerprint) {
      // Most recently used last.
      this.contexts.delete(key);
      this.contexts.set(key, known);
      return known.context;
    }
    let pending = this.pendingContexts.get(key);
    if (!pending) {
      pending = (async () => {
        const serving = await issueServingCert(ca, {
          commonName: 'kube-apiserver',
          dnsNames: [clusterServerName(ref), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'localhost'],
          ips: this.opts.servingIps ?? ['127.0.0.1'],
          now: this.opts.clock?.now(),
        });
        const entry: ServingContext = { fingerprint, context: createSecureContext({ key: serving.keyPem, cert: serving.certPem, ca: ca.certPem }) };
        this.contexts.set(key, entry);
        while (this.contexts.size > this.maxContexts) this.contexts.delete(this.contexts.keys().next().value as string);
        return entry;
      })().finally(() => this.pendingContexts.delete(key));
      this.pendingContexts.set(key, pending);
    }
    return (await pending)?.context;
  }

  /** For `tls.createServer({ SNICallback })`: the cluster's context, or the default one for other names. */
  readonly sniCallback = (serverName: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    this.secureContext(serverName).then(
      (ctx) => cb(null, ctx),
      (err: unknown) => {
        this.opts.logger.warn({ err, serverName }, 'cannot make the TLS context of a workload cluster');
        cb(null, undefined);
      },
    );
  };

  /** The workload cluster a request was sent to (by its TLS server name), if any. */
  static requestCluster(req: IncomingMessage): LogicalClusterRef | undefined {
    return parseClusterServerName((req.socket as Partial<TLSSocket>).servername);
  }

  /**
   * Whether a connection was set up with the cluster's own TLS context (its CA verified the client). A connection that
   * named the cluster before it had a CA got the plane's context instead and must not reach the cluster.
   */
  private async connectedWithClusterContext(ref: LogicalClusterRef, req: IncomingMessage): Promise<boolean> {
    const socket = req.socket as object;
    const known = this.verifiedSockets.get(socket);
    if (known !== undefined) return known;
    const ca = await this.opts.caLookup(ref);
    const entry = this.contexts.get(refKey(ref));
    const ok = !!ca && !!entry && entry.fingerprint === certFingerprint(ca.certPem);
    this.verifiedSockets.set(socket, ok);
    return ok;
  }

  /** Serve a request for a workload cluster. */
  serve(ref: LogicalClusterRef, req: IncomingMessage, res: ServerResponse): void {
    Promise.all([this.isRunning(ref), this.connectedWithClusterContext(ref, req)]).then(
      ([up, verified]) => {
        if (up && verified) {
          if (this.opts.rbac === false) return this.handler(ref).listener(req, res);
          return this.defaultPolicy(ref).then(
            () => this.handler(ref).listener(req, res),
            (err: unknown) => {
              req.resume();
              this.opts.logger.error({ err, workloadCluster: refKey(ref) }, 'writing the default RBAC policy failed');
              const body = JSON.stringify(new StatusError(500, 'InternalError', `workload cluster ${refKey(ref)}: writing its default roles failed: ${err instanceof Error ? err.message : String(err)}`).toStatus());
              res.writeHead(500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
              res.end(body);
            },
          );
        }
        req.resume();
        const why = !verified
          ? `workload cluster ${refKey(ref)} is not served here (it does not exist or has no certificate authority yet)`
          : `the API server of workload cluster ${refKey(ref)} is not running yet (its first control-plane machine has not booted)`;
        const status = new StatusError(503, 'ServiceUnavailable', why).toStatus();
        const body = JSON.stringify(status);
        res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err: unknown) => {
        req.resume();
        this.opts.logger.error({ err }, 'workload cluster request failed');
        res.writeHead(500);
        res.end();
      },
    );
  }
}
