/**
 * The simulated kubelet of every sim machine in a workload cluster: one controller over Pods bound to Nodes whose
 * providerID starts with sim://. It gives each Pod an address from its Node's pod CIDR (the Node's InternalIP for
 * hostNetwork Pods), writes the status a kubelet would report at this moment (simulatedPodStatus) through the
 * status subresource when it differs from what is stored, requeues itself for the next transition by the clock,
 * and completes graceful deletion (delete with grace period 0) after `terminationSeconds`.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { DeleteOptions, KindRef } from '../../../client/types.js';
import type { WorkloadContext } from '../../../controllers/workload/context.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import YAML from 'yaml';
import { containerID, reportedImage, reportedImageID } from './image.js';
import { CachedManifestCheck, ImagePullTracker, imageRegistryHost, imageRepositoryHost, lazyRegistryManifestCheck, registryManifestCheck, type ImageManifestCheck, type ImagePullState, type RegistryAccess } from './image-pull.js';
import { NodeIPAllocator } from './ip-allocator.js';
import { withEphemeralContainerStatuses } from './ephemeral.js';
import { nominalContainerStarts, simulatedPodStatus, type SimPod } from './pod-status.js';

const POD: KindRef = { apiVersion: 'v1', kind: 'Pod' };
const NODE: KindRef = { apiVersion: 'v1', kind: 'Node' };
const CONFIG_MAP: KindRef = { apiVersion: 'v1', kind: 'ConfigMap' };
/** kubeadm's default image repositories: public, never gated. */
const PUBLIC_IMAGE_REPOSITORIES = new Set(['registry.k8s.io', 'k8s.gcr.io']);
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const POD_NODE_INDEX = 'sim-kubelet/spec.nodeName';
const NAMING = { image: reportedImage, imageID: reportedImageID, containerID };

export interface SimKubeletOptions {
  /** How long a deleted Pod's containers take to stop before the kubelet removes it (default 0). */
  terminationSeconds: number;
  /** Concurrent reconciles (default 8). */
  workers: number;
  /** Retry delay when a node's pod CIDR is exhausted or missing (default 5 s). */
  retrySeconds: number;
  /**
   * Check images on the cluster's private registry (kube-system/kubeadm-config ClusterConfiguration.imageRepository)
   * before starting containers whose image names that registry host (default true).
   */
  privateRegistryPulls?: boolean;
  /**
   * How to reach that registry (default: HTTPS with the system's CAs); a function is called once, on the first
   * lookup (e.g. registryAccessFromClusterVariables of the Cluster's topology variables).
   */
  registryAccess?: RegistryAccess | (() => Promise<RegistryAccess>);
  /** Replaces the registry lookup (tests). */
  imageManifestCheck?: ImageManifestCheck;
  /** How long ErrImagePull shows before ImagePullBackOff (default 1 s). */
  imagePullErrorSeconds?: number;
  /** How long a registry's "absent" answer is reused (default 5 s; "present" is kept). */
  imageAbsentCacheSeconds?: number;
  /** How often the kubeadm-config ConfigMap is read again (default 30 s). */
  imageRepositoryRefreshSeconds?: number;
}

export const DEFAULT_SIM_KUBELET_OPTIONS: SimKubeletOptions = { terminationSeconds: 0, workers: 8, retrySeconds: 5 };

type Pod = KubeObject & SimPod & {
  spec?: SimPod['spec'] & { nodeName?: string; hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; startTime?: string; conditions?: { type: string; status: string; lastTransitionTime?: string | null }[] } & Record<string, unknown>;
};

interface NodeObj extends KubeObject {
  spec?: { providerID?: string; podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: { type: string; address: string }[] };
}

interface PodMemory {
  uid: string;
  node: string;
  startMs: number;
}

function isSimNode(n: NodeObj | undefined): n is NodeObj {
  return !!n?.spec?.providerID?.startsWith('sim://');
}

function internalIP(n: NodeObj): string {
  const a = n.status?.addresses ?? [];
  return (a.find((x) => x.type === 'InternalIP') ?? a.find((x) => x.type === 'ExternalIP'))?.address ?? '';
}

function managedView(status: Record<string, unknown> | undefined, keys: readonly string[]): string {
  const s = status ?? {};
  return JSON.stringify(keys.map((k) => s[k] ?? null));
}

export class SimKubelet {
  private readonly opts: SimKubeletOptions;
  private readonly allocators = new Map<string, NodeIPAllocator>();
  private readonly pods = new Map<string, PodMemory>();
  private readonly pulls: ImagePullTracker;
  private repository: { host: string | undefined; readAtMs: number } | undefined;
  private repositoryRead: Promise<string | undefined> | undefined;

  constructor(private readonly ctx: WorkloadContext, opts: Partial<SimKubeletOptions> = {}) {
    this.opts = { ...DEFAULT_SIM_KUBELET_OPTIONS, ...opts };
    const access = this.opts.registryAccess;
    const check = this.opts.imageManifestCheck ?? (typeof access === 'function' ? lazyRegistryManifestCheck(access) : registryManifestCheck(access));
    this.pulls = new ImagePullTracker(new CachedManifestCheck(check, (this.opts.imageAbsentCacheSeconds ?? 5) * 1000), (this.opts.imagePullErrorSeconds ?? 1) * 1000);
  }

  /** The private registry host the cluster pulls from (kubeadm-config's imageRepository), read again now and then. */
  private async privateRegistryHost(rc: ReconcileContext, nowMs: number): Promise<string | undefined> {
    if (this.opts.privateRegistryPulls === false) return undefined;
    const refreshMs = (this.opts.imageRepositoryRefreshSeconds ?? 30) * 1000;
    if (this.repository && nowMs - this.repository.readAtMs < refreshMs) return this.repository.host;
    this.repositoryRead ??= (async () => {
      let host: string | undefined;
      try {
        const cm = await rc.client.get(CONFIG_MAP, { namespace: 'kube-system', name: 'kubeadm-config' });
        const text = (cm as { data?: Record<string, string> }).data?.ClusterConfiguration ?? '';
        const cc = YAML.parse(text) as { imageRepository?: unknown } | null;
        host = imageRepositoryHost(typeof cc?.imageRepository === 'string' ? cc.imageRepository : undefined);
      } catch (err) {
        if (!isNotFound(err)) rc.log.debug({ err }, 'sim kubelet: kubeadm-config not readable; images not checked');
      }
      if (host && PUBLIC_IMAGE_REPOSITORIES.has(host)) host = undefined;
      this.repository = { host, readAtMs: nowMs };
      return host;
    })().finally(() => (this.repositoryRead = undefined));
    return this.repositoryRead;
  }

  /** Pull states of the Pod's containers whose images are on the private registry (undefined: none gated). */
  private async imagePulls(rc: ReconcileContext, pod: Pod, startMs: number, nowMs: number): Promise<{ states: Record<string, ImagePullState>; nextMs: number | undefined } | undefined> {
    if (pod.metadata?.annotations?.[MIRROR_ANNOTATION]) return undefined;
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    if (!containers.some((c) => c.image)) return undefined;
    const host = await this.privateRegistryHost(rc, nowMs);
    if (!host) return undefined;
    const gated = containers.filter((c) => c.image && imageRegistryHost(c.image) === host);
    if (!gated.length) return undefined;
    const due = nominalContainerStarts(pod, startMs, this.ctx.behaviour);
    const states: Record<string, ImagePullState> = {};
    let nextMs: number | undefined;
    for (const c of gated) {
      const step = await this.pulls.step(pod.metadata?.uid ?? '', c.name, c.image!, due[c.name] ?? startMs, nowMs);
      if (step.state) states[c.name] = step.state;
      if (step.nextMs !== undefined) nextMs = nextMs === undefined ? step.nextMs : Math.min(nextMs, step.nextMs);
      for (const e of step.events) void rc.recorder.event(pod, e.type, e.reason, `${e.message}`);
    }
    return { states, nextMs };
  }

  register(): void {
    const { manager } = this.ctx;
    manager.informers.for(POD).addIndexers({ [POD_NODE_INDEX]: (o) => [((o.spec ?? {}) as { nodeName?: string }).nodeName ?? ''] });
    manager.add({
      name: 'sim-kubelet',
      for: POD,
      workers: this.opts.workers,
      watches: [{ type: NODE, map: (n) => this.podsOn(n.metadata?.name ?? '').map((p) => ({ namespace: p.metadata?.namespace, name: p.metadata?.name ?? '' })) }],
      reconciler: (rc, req) => this.reconcile(rc, req),
    });
  }

  private podsOn(node: string): Pod[] {
    if (!node) return [];
    return this.ctx.manager.informers.for(POD).lister.byIndex(POD_NODE_INDEX, node) as Pod[];
  }

  private forget(key: string): void {
    const mem = this.pods.get(key);
    if (!mem) return;
    this.pods.delete(key);
    this.pulls.forget(mem.uid);
    this.allocators.get(mem.node)?.release(key);
  }

  /** The node's allocator, seeded from the addresses its pods already report (after a restart). */
  private allocatorFor(node: NodeObj): NodeIPAllocator | undefined {
    const name = node.metadata?.name ?? '';
    const cidr = node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0];
    if (!cidr) return undefined;
    let a = this.allocators.get(name);
    if (a && a.cidr === cidr) return a;
    try {
      a = new NodeIPAllocator(cidr);
    } catch {
      return undefined;
    }
    this.allocators.set(name, a);
    for (const p of this.podsOn(name)) {
      if (p.spec?.hostNetwork || !p.status?.podIP || p.status.phase === 'Succeeded' || p.status.phase === 'Failed') continue;
      a.claim(`${p.metadata?.namespace}/${p.metadata?.name}`, p.status.podIP);
    }
    return a;
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = `${req.namespace}/${req.name}`;
    const { manager, behaviour } = this.ctx;
    const pod = manager.informers.for(POD).lister.get(req.name, req.namespace) as Pod | undefined;
    const mem0 = this.pods.get(key);
    if (!pod || (mem0 && mem0.uid !== pod.metadata?.uid)) this.forget(key);
    if (!pod) return;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const node = manager.informers.for(NODE).lister.get(nodeName) as NodeObj | undefined;
    if (!isSimNode(node)) return;
    const nowMs = rc.clock.nowMs();

    if (pod.metadata?.deletionTimestamp) return this.finishDeletion(rc, pod, key, nowMs);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.forget(key);
      return;
    }

    let mem = this.pods.get(key);
    if (!mem) {
      const stored = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
      mem = { uid: pod.metadata?.uid ?? '', node: nodeName, startMs: Number.isFinite(stored) ? stored : Math.floor(nowMs / 1000) * 1000 };
      this.pods.set(key, mem);
    }
    const hostIP = internalIP(node);
    let podIP = hostIP;
    if (!pod.spec?.hostNetwork) {
      const alloc = this.allocatorFor(node);
      const claimed = pod.status?.podIP && alloc?.claim(key, pod.status.podIP) ? pod.status.podIP : undefined;
      const ip = claimed ?? alloc?.allocate(key);
      if (!ip) {
        rc.log.warn({ node: nodeName, cidr: node.spec?.podCIDR }, 'sim kubelet: no pod address free on the node');
        return { requeueAfter: this.opts.retrySeconds * 1000 };
      }
      podIP = ip;
    }

    const pulls = await this.imagePulls(rc, pod, mem.startMs, nowMs);
    const { status: simulated, nextChangeMs: statusChangeMs } = simulatedPodStatus(pod, { startMs: mem.startMs, nowMs, podIP, hostIP, ...(pulls ? { imagePulls: pulls.states } : {}) }, behaviour, NAMING);
    const status = withEphemeralContainerStatuses(simulated, pod, nowMs, NAMING);
    const nextChangeMs = pulls?.nextMs === undefined ? statusChangeMs : statusChangeMs === undefined ? pulls.nextMs : Math.min(statusChangeMs, pulls.nextMs);
    const keys = Object.keys(status);
    const desired = status as unknown as Record<string, unknown>;
    if (managedView(pod.status, keys) !== managedView(desired, keys)) {
      try {
        await rc.client.patchStatus(POD, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { metadata: { uid: pod.metadata?.uid }, status: { ...desired, ...(status.initContainerStatuses ? {} : { initContainerStatuses: null }) } } });
      } catch (err) {
        if (isNotFound(err)) return this.forget(key);
        throw err;
      }
    }
    if (status.phase === 'Succeeded' || status.phase === 'Failed') this.forget(key);
    if (nextChangeMs !== undefined) return { requeueAfter: Math.max(1, nextChangeMs - nowMs) };
  }

  private async finishDeletion(rc: ReconcileContext, pod: Pod, key: string, nowMs: number): Promise<Result | void> {
    const meta = pod.metadata!;
    const grace = meta.deletionGracePeriodSeconds ?? 0;
    const requestedMs = Date.parse(meta.deletionTimestamp!) - grace * 1000;
    const dueMs = (Number.isFinite(requestedMs) ? requestedMs : nowMs) + this.opts.terminationSeconds * 1000;
    if (nowMs < dueMs) return { requeueAfter: dueMs - nowMs };
    this.forget(key);
    if ((meta.finalizers ?? []).length > 0 && grace === 0) return;
    const opts: DeleteOptions & { gracePeriodSeconds: number } = { gracePeriodSeconds: 0, preconditions: { uid: meta.uid } };
    try {
      await rc.client.delete(POD, { namespace: meta.namespace, name: meta.name ?? '' }, opts);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function setupSimKubeletWith(ctx: WorkloadContext, opts: Partial<SimKubeletOptions> = {}): SimKubelet {
  const k = new SimKubelet(ctx, opts);
  k.register();
  return k;
}
