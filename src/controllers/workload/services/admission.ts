/**
 * ClusterIP and NodePort allocation for a workload cluster's Services, where kube-apiserver does it: in the write
 * path of the Service (here an admission plugin of the cluster's ObjectStore), so a Service is stored with its
 * addresses and ports already set, or refused with upstream's message. Allocations live in storage (see allocator.ts)
 * and are given back once the write that drops them is committed: a watch on the cluster's Service keys releases what
 * a deleted Service, or an update (type change, dual-stack downgrade, removed port), no longer holds.
 */
import { fieldError, internalError, invalid } from '../../../apimachinery/errors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import type { ObjectStore } from '../../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../apiserver/strategy.js';
import type { StoreEvent, Watcher } from '../../../storage/store.js';
import { AllocationError, IPAddressAllocator, NodePortAllocator, parentRefOf, SERVICE_UID_ANNOTATION, type ServiceRef } from './allocator.js';
import type { Cidr, IPFamily } from './cidr.js';
import { serviceNetworkingFromKubeadmConfig, type ServiceNetworking } from './config.js';
import {
  CLUSTER_IP_NONE,
  initIPFamilyFields,
  invalidStrings,
  isHeadless,
  needsClusterIP,
  needsHealthCheck,
  needsNodePorts,
  normalizeClusterIPs,
  patchAllocatedValues,
  shouldAllocateNodePorts,
  validateClusterIPUpdate,
  type ServiceSpec,
} from './spec.js';

export const SERVICE_ALLOCATION_PLUGIN = 'ServiceAllocation';

export interface ServiceAllocationOptions {
  /** Fixed networking (tests); by default read from kube-system/kubeadm-config on every allocation. */
  networking?: ServiceNetworking;
  /**
   * Allocations no Service holds are dropped by a repair pass once they are this old (ms; default 60 s): left by a
   * process that stopped between taking an allocation and writing the Service, or before releasing one.
   */
  repairGraceMs?: number;
  /** How often the repair pass runs once the store has seen a Service write (ms; default 3 min; 0: never by itself). */
  repairIntervalMs?: number;
}

const DEFAULT_REPAIR_GRACE_MS = 60_000;
const DEFAULT_REPAIR_INTERVAL_MS = 180_000;

/** What a stored Service holds: its cluster IPs and its node ports (incl. the health-check one). */
export function serviceHoldings(spec: ServiceSpec | undefined): { ips: string[]; ports: number[] } {
  if (!spec) return { ips: [], ports: [] };
  const ips = needsClusterIP(spec) && !isHeadless(spec) ? (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== CLUSTER_IP_NONE) : [];
  const ports = new Set<number>();
  for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
  if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  return { ips, ports: [...ports] };
}

class ServiceAllocation implements AdmissionPlugin {
  readonly name = SERVICE_ALLOCATION_PLUGIN;
  private readonly ips: IPAddressAllocator;
  private readonly nodePorts: NodePortAllocator;
  private watching = false;
  private closed = false;
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private releases: Promise<void> = Promise.resolve();

  constructor(
    private readonly objects: ObjectStore,
    private readonly opts: ServiceAllocationOptions,
  ) {
    this.ips = new IPAddressAllocator(objects);
    this.nodePorts = new NodePortAllocator(objects.store, objects.keyRoot, () => objects.clock.now().getTime());
  }

  /**
   * Drop allocations that no Service holds and that are older than the grace period. Allocations are read before the
   * Services, so one taken for a Service still being written is young and kept. Returns what was dropped.
   */
  async repair(): Promise<{ ips: string[]; ports: number[] }> {
    const grace = this.opts.repairGraceMs ?? DEFAULT_REPAIR_GRACE_MS;
    const now = this.objects.clock.now().getTime();
    const ips = await this.ips.held();
    const ports = await this.nodePorts.held();
    const info = this.objects.registry.get('', 'v1', 'services')!;
    const holders = new Map<string, { uid?: string; ips: string[]; ports: number[] }>();
    for (const svc of (await this.objects.list(info, undefined, {})).items) {
      holders.set(`${svc.metadata?.namespace}/${svc.metadata?.name}`, { uid: svc.metadata?.uid, ...serviceHoldings(svc.spec as ServiceSpec) });
    }
    const holds = (ref: ServiceRef, what: (h: { ips: string[]; ports: number[] }) => boolean): boolean => {
      const h = holders.get(`${ref.namespace}/${ref.name}`);
      return !!h && (!ref.uid || !h.uid || ref.uid === h.uid) && what(h);
    };
    const dropped = { ips: [] as string[], ports: [] as number[] };
    for (const ip of ips) {
      const created = Date.parse(ip.metadata?.creationTimestamp ?? '') || 0;
      if (now - created < grace) continue;
      const parent = parentRefOf(ip) as { namespace?: string; name?: string } | undefined;
      const ref: ServiceRef = { namespace: parent?.namespace ?? '', name: parent?.name ?? '', uid: ip.metadata?.annotations?.[SERVICE_UID_ANNOTATION] };
      const name = ip.metadata?.name ?? '';
      if (holds(ref, (h) => h.ips.includes(name))) continue;
      if (await this.ips.drop(ip)) dropped.ips.push(name);
    }
    for (const p of ports) {
      if (now - p.at < grace) continue;
      if (holds(p.holder, (h) => h.ports.includes(p.port))) continue;
      if (await this.nodePorts.drop(p)) dropped.ports.push(p.port);
    }
    return dropped;
  }

  private async networking(): Promise<ServiceNetworking> {
    if (this.opts.networking) return this.opts.networking;
    const info = this.objects.registry.get('', 'v1', 'configmaps');
    const cm = info ? await this.objects.tryGet(info, 'kube-system', 'kubeadm-config') : undefined;
    return serviceNetworkingFromKubeadmConfig(cm?.data as Record<string, string> | undefined);
  }

  private servicePrefix(): string {
    const info = this.objects.registry.get('', 'v1', 'services')!;
    return this.objects.key(info, 'x', 'x').replace(/x\/x$/, '');
  }

  /** Release what committed writes dropped (started on the first Service write this store sees), and repair. */
  private watchReleases(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    const every = this.opts.repairIntervalMs ?? DEFAULT_REPAIR_INTERVAL_MS;
    if (every > 0) {
      const run = (): void => {
        this.timer = undefined;
        this.repair()
          .catch(() => undefined)
          .finally(() => {
            if (!this.closed) this.timer = setTimeout(run, every).unref();
          });
      };
      this.timer = setTimeout(run, this.opts.repairGraceMs ?? DEFAULT_REPAIR_GRACE_MS).unref();
    }
    const store = this.objects.store;
    this.watcher = store.watch(this.servicePrefix(), store.currentRevision(), (e) => {
      this.releases = this.releases.then(() => this.onServiceEvent(e)).catch(() => undefined);
    });
  }

  private async onServiceEvent(e: StoreEvent): Promise<void> {
    const before = e.type === 'delete' ? e.kv : e.prev;
    if (!before) return;
    const old = JSON.parse(before.value) as KubeObject;
    const now = e.type === 'delete' ? undefined : (JSON.parse(e.kv.value) as KubeObject);
    if (now && now.metadata?.uid !== old.metadata?.uid) return;
    const had = serviceHoldings(old.spec as ServiceSpec);
    const has = serviceHoldings(now?.spec as ServiceSpec | undefined);
    const ref: ServiceRef = { namespace: old.metadata?.namespace ?? '', name: old.metadata?.name ?? '', uid: old.metadata?.uid };
    for (const ip of had.ips) if (!has.ips.includes(ip)) await this.ips.release(ip, ref);
    for (const port of had.ports) if (!has.ports.includes(port)) await this.nodePorts.release(port, ref);
  }

  /** The cluster is gone: stop the release watch and the repair timer. */
  close(): void {
    this.closed = true;
    this.watcher?.stop();
    this.watcher = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether the release watch or repair timer runs (tests). */
  get active(): boolean {
    return !!this.watcher || !!this.timer;
  }

  /** Wait until releases of the writes so far are done (tests). */
  async settled(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.releases;
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.info.group !== '' || attrs.info.kind !== 'Service' || attrs.subresource) return;
    // Before the write: its commit must be seen by the release watch.
    this.watchReleases();
    const obj = attrs.object;
    if (attrs.operation === 'DELETE' || !obj) return;
    if (attrs.operation === 'UPDATE' && obj.metadata?.deletionTimestamp) return;
    const spec = (obj.spec ??= {}) as ServiceSpec;
    const old = attrs.operation === 'UPDATE' ? (attrs.oldObject?.spec as ServiceSpec | undefined) : undefined;
    const svc: ServiceRef = { namespace: attrs.namespace ?? '', name: attrs.name, uid: obj.metadata?.uid };
    const net = await this.networking();
    const families = net.cidrs.map((c) => c.family);
    normalizeClusterIPs(spec, old);
    if (old) patchAllocatedValues(spec, old);
    const causes = initIPFamilyFields(spec, old, families);
    if (!causes.length && old) causes.push(...validateClusterIPUpdate(spec, old));
    if (causes.length) throw invalid('Service', '', attrs.name, causes);
    // A name that is taken fails later with AlreadyExists; take nothing for it.
    if (!old && (await this.objects.tryGet(attrs.info, attrs.namespace, attrs.name))) return;
    const taken: { ips: string[]; ports: number[] } = { ips: [], ports: [] };
    try {
      await this.allocateIPs(spec, old, net.cidrs, svc, attrs.dryRun, taken);
      await this.allocateNodePorts(spec, old, net, svc, attrs.dryRun, taken);
    } catch (e) {
      if (!attrs.dryRun) {
        for (const ip of taken.ips) await this.ips.release(ip, svc);
        for (const p of taken.ports) await this.nodePorts.release(p, svc);
      }
      throw e;
    }
  }

  private async allocateIPs(spec: ServiceSpec, old: ServiceSpec | undefined, cidrs: Cidr[], svc: ServiceRef, dryRun: boolean, taken: { ips: string[] }): Promise<void> {
    if (!needsClusterIP(spec) || spec.clusterIPs?.[0] === CLUSTER_IP_NONE) return;
    if (old && needsClusterIP(old) && old.ipFamilyPolicy === 'PreferDualStack' && spec.ipFamilyPolicy === 'PreferDualStack' && (old.clusterIPs?.length ?? 0) === (spec.clusterIPs?.length ?? 0)) return;
    const held = old && needsClusterIP(old) ? serviceHoldings(old).ips : [];
    const families = (spec.ipFamilies ?? []) as IPFamily[];
    const ips = [...(spec.clusterIPs ?? [])];
    for (let i = 0; i < families.length; i++) {
      const cidr = cidrs.find((c) => c.family === families[i])!;
      const want = ips[i];
      if (want && held.includes(want)) continue;
      try {
        const ip = want
          ? await this.ips.allocate(cidr, want, svc, { dryRun, reclaim: !old })
          : await this.ips.allocateNext(cidr, svc, { dryRun });
        if (!dryRun) taken.ips.push(ip);
        ips[i] = ip;
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        if (!want || e.reason === 'Full') throw internalError(`failed to allocate a serviceIP: ${e.message}`);
        throw invalid('Service', '', svc.name, [invalidStrings('spec.clusterIPs', spec.clusterIPs, `failed to allocate IP ${want}: ${e.message}`)]);
      }
    }
    spec.clusterIPs = ips.slice(0, families.length);
    spec.clusterIP = spec.clusterIPs[0];
  }

  private async allocateNodePorts(spec: ServiceSpec, old: ServiceSpec | undefined, net: ServiceNetworking, svc: ServiceRef, dryRun: boolean, taken: { ports: number[] }): Promise<void> {
    const held = new Set(old ? serviceHoldings(old).ports : []);
    const mine = new Set<number>();
    const take = async (port: number): Promise<number> => {
      const p = await this.nodePorts.allocate(net.nodePorts, port, svc, dryRun, !old);
      if (!dryRun) taken.ports.push(p);
      mine.add(p);
      return p;
    };
    if (needsNodePorts(spec)) {
      const byServicePort = new Map<number, number>();
      const ports = spec.ports ?? [];
      for (let i = 0; i < ports.length; i++) {
        const sp = ports[i]!;
        if (!sp.nodePort && !shouldAllocateNodePorts(spec)) continue;
        const shared = byServicePort.get(sp.port ?? 0);
        // The same service port over two protocols shares one node port.
        if (!sp.nodePort && shared) {
          sp.nodePort = shared;
          continue;
        }
        if (sp.nodePort) {
          if (!held.has(sp.nodePort) && !mine.has(sp.nodePort)) {
            try {
              await take(sp.nodePort);
            } catch (e) {
              if (!(e instanceof AllocationError)) throw e;
              throw invalid('Service', '', svc.name, [fieldError.invalid(`spec.ports[${i}].nodePort`, sp.nodePort, e.message)]);
            }
          }
        } else {
          try {
            const p = await this.nodePorts.allocateNext(net.nodePorts, svc, dryRun, mine);
            if (!dryRun) taken.ports.push(p);
            mine.add(p);
            sp.nodePort = p;
          } catch (e) {
            if (!(e instanceof AllocationError)) throw e;
            throw internalError(`failed to allocate a nodePort: ${e.message}`);
          }
        }
        byServicePort.set(sp.port ?? 0, sp.nodePort);
      }
    } else if (old && needsNodePorts(old)) {
      // ClusterIP or ExternalName now: node ports go (released once the write commits).
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
    if (needsHealthCheck(spec)) {
      const want = spec.healthCheckNodePort;
      if (want && (held.has(want) || mine.has(want))) return;
      try {
        if (want) await take(want);
        else {
          const p = await this.nodePorts.allocateNext(net.nodePorts, svc, dryRun, mine);
          if (!dryRun) taken.ports.push(p);
          spec.healthCheckNodePort = p;
        }
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        throw internalError(want ? `failed to allocate requested HealthCheck NodePort ${want}: ${e.message}` : `failed to allocate a HealthCheck NodePort: ${e.message}`);
      }
    } else if (old && needsHealthCheck(old) && spec.healthCheckNodePort === old.healthCheckNodePort) {
      delete spec.healthCheckNodePort;
    }
  }
}

/** The allocation plugin: an admission plugin that can also report when releases are done and repair leaks. */
export interface AllocationPlugin extends AdmissionPlugin {
  /** Resolves once releases for the writes so far are done. */
  settled(): Promise<void>;
  /** Drop allocations no Service holds that are older than the grace period; returns what was dropped. */
  repair(): Promise<{ ips: string[]; ports: number[] }>;
  /** Whether its release watch or repair timer runs (until close()). */
  readonly active: boolean;
}

/** The allocation plugin of one cluster's ObjectStore. */
export function serviceAllocationPlugin(objects: ObjectStore, opts: ServiceAllocationOptions = {}): AllocationPlugin {
  return new ServiceAllocation(objects, opts);
}


/** IPAddress names are addresses, and IPv6 ones hold colons. */
function allowAddressNames(objects: ObjectStore): void {
  const info = objects.registry.get('networking.k8s.io', 'v1', 'ipaddresses');
  const current = info ? objects.strategy(info) : {};
  if (current.nameRule === 'path') return;
  objects.setStrategy('networking.k8s.io', 'IPAddress', { ...current, nameRule: 'path' });
}

/** Install allocation on a cluster's ObjectStore (joins its admission chain; idempotent). */
export function installServiceAllocation(objects: ObjectStore, opts: ServiceAllocationOptions = {}): AllocationPlugin {
  const existing = objects.admission.find((p) => p.name === SERVICE_ALLOCATION_PLUGIN);
  if (existing) return existing as AllocationPlugin;
  allowAddressNames(objects);
  const plugin = serviceAllocationPlugin(objects, opts);
  objects.admission.push(plugin);
  return plugin;
}

/** For LogicalClusterHost's `admission` option: the admission plugins of one workload cluster's store. */
export function workloadServiceAdmission(_ref: { namespace: string; name: string }, objects: ObjectStore): AdmissionPlugin[] {
  allowAddressNames(objects);
  return [serviceAllocationPlugin(objects)];
}

/** Like workloadServiceAdmission, with options (e.g. repair timings). */
export function workloadServiceAdmissionWith(opts: ServiceAllocationOptions): (ref: { namespace: string; name: string }, objects: ObjectStore) => AdmissionPlugin[] {
  return (_ref, objects) => {
    allowAddressNames(objects);
    return [serviceAllocationPlugin(objects, opts)];
  };
}
