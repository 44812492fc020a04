/**
 * Runs the workload controllers of the clusters the plane hosts: for each logical cluster, a Manager on the cluster's
 * own API (in process) with the workload controllers, plus the cluster's garbage collector and namespace controller.
 *
 * A cluster's controllers start on its first workload: the first write to anything but what kubeadm and the kubelets
 * write themselves (Nodes, Leases, Events, the default namespaces, core objects in kube-system and kube-public). Until then
 * a cluster costs nothing here, so a fleet of idle clusters stays cheap. One watch on the plane's store sees every
 * cluster's writes; at start, existing clusters with workloads are found by a key scan that skips through each
 * resource. Deleting a cluster (its kube-system namespace goes with all its data) stops its controllers.
 */
import type { Logger } from 'pino';
import { GarbageCollector } from '../../apiserver/garbage-collector.js';
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import { NamespaceController } from '../../apiserver/namespace-controller.js';
import type { Clock } from '../../runtime/clock.js';
import { inProcessManager } from '../../runtime/in-process.js';
import type { Manager } from '../../runtime/manager.js';
import type { Store, Watcher } from '../../storage/store.js';
import { DEFAULT_WORKLOAD_BEHAVIOUR, type WorkloadBehaviour, type WorkloadControllerSetup } from './context.js';

export interface WorkloadControllerHostOptions {
  /** The plane's store (every logical cluster's objects live under `/clusters/<namespace>/<name>/registry/`). */
  store: Store;
  host: LogicalClusterHost;
  clock?: Clock;
  log: Logger;
  /** Controllers each cluster runs, in order. */
  setups: readonly WorkloadControllerSetup[];
  behaviour?: Partial<WorkloadBehaviour>;
}

const ROOT = '/clusters/';
/** Resources kubeadm, the kubelets and the control plane write on their own: they do not start a cluster's controllers. */
// RBAC objects (the default roles and bindings every cluster gets at kubeadm init, and users' own) need no controller.
const QUIET_RESOURCES = new Set(['core/nodes', 'coordination.k8s.io/leases', 'core/events', 'events.k8s.io/events', 'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/clusterrolebindings', 'rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/rolebindings']);
const QUIET_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
const DEFAULT_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

interface ParsedKey {
  ref: LogicalClusterRef;
  /** `group/plural` (`core/...` for the core group). */
  resource: string;
  /** The rest of the key: `namespace/name` or `name`. */
  rest: string[];
}

/** `/clusters/<ns>/<name>/registry/<group>/<plural>/<...>` → its parts. */
export function parseClusterKey(key: string): ParsedKey | undefined {
  if (!key.startsWith(ROOT)) return undefined;
  const parts = key.slice(ROOT.length).split('/');
  if (parts.length < 6 || parts[2] !== 'registry') return undefined;
  return { ref: { namespace: parts[0]!, name: parts[1]! }, resource: `${parts[3]}/${parts[4]}`, rest: parts.slice(5) };
}

/** Whether a write to this key means the cluster now runs workloads (see the module comment). */
export function startsControllers(k: ParsedKey): boolean {
  if (QUIET_RESOURCES.has(k.resource)) return false;
  if (k.resource === 'core/namespaces') return !DEFAULT_NAMESPACES.has(k.rest[0] ?? '');
  // kubeadm's and the kubelets' own core objects there (static Pods, kubeadm-config, bootstrap tokens); a DaemonSet
  // or Deployment there is a workload like any other.
  if (k.rest.length >= 2 && QUIET_NAMESPACES.has(k.rest[0]!) && k.resource.startsWith('core/')) return false;
  return true;
}

interface Running {
  manager: Manager;
  gc: GarbageCollector;
  namespaces: NamespaceController;
  started: Promise<void>;
}

export class WorkloadControllerHost {
  private readonly running = new Map<string, Running>();
  private watcher: Watcher | undefined;
  private stopped = false;
  private readonly behaviour: WorkloadBehaviour;

  constructor(private readonly opts: WorkloadControllerHostOptions) {
    this.behaviour = { ...DEFAULT_WORKLOAD_BEHAVIOUR, ...(opts.behaviour ?? {}) };
  }

  /** Clusters whose controllers run (`namespace/name`). */
  get active(): string[] {
    return [...this.running.keys()];
  }

  /** Find clusters that already run workloads, then watch for new ones. */
  async start(): Promise<void> {
    const revision = await this.scan();
    this.watcher = this.opts.store.watch(ROOT, revision, (e) => {
      const k = parseClusterKey(e.key);
      if (!k) return;
      if (e.type === 'delete' && k.resource === 'core/namespaces' && k.rest[0] === 'kube-system') {
        void this.deactivate(k.ref);
        return;
      }
      if (e.type !== 'delete' && !this.running.has(refKey(k.ref)) && startsControllers(k)) this.activate(k.ref);
    });
  }

  /** Page through the keys, jumping past each resource once it has been classified. Returns the revision seen. */
  private async scan(): Promise<number> {
    let startAfter: string | undefined;
    let revision = 0;
    for (;;) {
      const page = await this.opts.store.list(ROOT, { startAfter, limit: 1 });
      revision ||= page.revision;
      const kv = page.items[0];
      if (!kv) break;
      const k = parseClusterKey(kv.key);
      if (!k) {
        startAfter = kv.key;
      } else if (this.running.has(refKey(k.ref))) {
        startAfter = `${ROOT}${k.ref.namespace}/${k.ref.name}/\uffff`;
      } else if (startsControllers(k)) {
        this.activate(k.ref);
        startAfter = `${ROOT}${k.ref.namespace}/${k.ref.name}/\uffff`;
      } else {
        // Quiet: skip this namespace of the resource (or the whole resource for cluster-scoped ones).
        const base = `${ROOT}${k.ref.namespace}/${k.ref.name}/registry/${k.resource}/`;
        if (QUIET_RESOURCES.has(k.resource)) startAfter = `${base}\uffff`;
        else startAfter = k.rest.length >= 2 ? `${base}${k.rest[0]}/\uffff` : kv.key;
      }
      if (!page.more) break;
    }
    return revision;
  }

  /** Start a cluster's controllers (idempotent). */
  activate(ref: LogicalClusterRef): void {
    const key = refKey(ref);
    if (this.stopped || this.running.has(key)) return;
    const objects = this.opts.host.objects(ref);
    const log = this.opts.log.child({ cluster: key });
    const manager = inProcessManager(objects, { clock: this.opts.clock, logger: log, processMetrics: false, component: 'kube-controller-manager' });
    for (const setup of this.opts.setups) setup({ manager, cluster: key, behaviour: this.behaviour });
    const gc = new GarbageCollector(objects, log.child({ controller: 'garbage-collector' }));
    const namespaces = new NamespaceController(objects, log.child({ controller: 'namespace' }));
    const started = (async () => {
      await Promise.all([gc.start(), namespaces.start(), manager.start()]);
      log.info('workload controllers started');
    })().catch((err: unknown) => log.error({ err }, 'workload controllers failed to start'));
    this.running.set(key, { manager, gc, namespaces, started });
  }

  private async deactivate(ref: LogicalClusterRef): Promise<void> {
    const key = refKey(ref);
    const r = this.running.get(key);
    if (!r) return;
    this.running.delete(key);
    await r.started;
    await Promise.all([r.manager.stop(), r.gc.stop(), r.namespaces.stop()]);
  }

  /** The manager of a cluster whose controllers run (for tests and diagnostics). */
  managerOf(ref: LogicalClusterRef): Manager | undefined {
    return this.running.get(refKey(ref))?.manager;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.stop();
    await Promise.all([...this.running.values()].map(async (r) => {
      await r.started;
      await Promise.all([r.manager.stop(), r.gc.stop(), r.namespaces.stop()]);
    }));
    this.running.clear();
  }
}

function refKey(ref: LogicalClusterRef): string {
  return `${ref.namespace}/${ref.name}`;
}
