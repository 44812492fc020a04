/**
 * Service IPs and NodePorts held in storage, so two API servers (or two concurrent requests, or a restarted plane)
 * never hand out the same one:
 * - a ClusterIP is a networking.k8s.io/v1 IPAddress named after the address, with the Service as its parentRef (as
 *   kube-apiserver 1.33+ does); whoever creates it owns it, and a create that fails with AlreadyExists means taken;
 * - a NodePort is a key `<root>ranges/servicenodeports/<port>` in the store (where kube-apiserver kept its port
 *   bitmap), created or failing the same way. It is not an API object, so `kubectl get` stays clean.
 * Dynamic picks start at a random place (most of a range is free, so one or two creates usually suffice) and fall back
 * to a scan of what is held.
 */
import { randomInt } from 'node:crypto';
import { StatusError } from '../../../apimachinery/errors.js';
import { labelSelectorFromSet } from '../../../apimachinery/selectors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import type { ObjectStore } from '../../../apiserver/object-store.js';
import type { ResourceInfo } from '../../../apiserver/resource-info.js';
import { StoreConflictError, StoreKeyExistsError, StoreKeyNotFoundError, type Store } from '../../../storage/store.js';
import { addressAt, canonicalIP, formatIP, parseIP, type Cidr, usableOffsets } from './cidr.js';
import type { NodePortRange } from './config.js';

export const IP_FAMILY_LABEL = 'ipaddress.kubernetes.io/ip-family';
export const IP_MANAGED_BY_LABEL = 'ipaddress.kubernetes.io/managed-by';
export const IP_MANAGED_BY = 'ipallocator.k8s.io';

export interface ServiceRef {
  namespace: string;
  name: string;
  /** The Service's uid: a release by an older Service of the same name leaves a newer one's holdings alone. */
  uid?: string;
}

/** Annotation of an IPAddress naming the uid of the Service that holds it. */
export const SERVICE_UID_ANNOTATION = 'services.slipway.dev/uid';

/** Why an allocation failed (upstream's allocator errors). */
export class AllocationError extends Error {
  constructor(
    readonly reason: 'Allocated' | 'NotInRange' | 'Full',
    message: string,
  ) {
    super(message);
  }
}

const RANDOM_TRIES = 8;

function sameParent(ref: unknown, svc: ServiceRef): boolean {
  const p = ref as { group?: string; resource?: string; namespace?: string; name?: string } | undefined;
  return !!p && (p.group ?? '') === '' && p.resource === 'services' && p.namespace === svc.namespace && p.name === svc.name;
}

export function parentRefOf(o: KubeObject): unknown {
  return (o.spec as { parentRef?: unknown } | undefined)?.parentRef;
}

function isAlreadyExists(e: unknown): boolean {
  return e instanceof StatusError && e.reason === 'AlreadyExists';
}

/** ClusterIPs as IPAddress objects of one cluster's API. */
export class IPAddressAllocator {
  constructor(private readonly objects: ObjectStore) {}

  private info(): ResourceInfo {
    const info = this.objects.registry.get('networking.k8s.io', 'v1', 'ipaddresses');
    if (!info) throw new Error('networking.k8s.io/v1 ipaddresses is not served');
    return info;
  }

  /** The IPAddress holding an address, if any. */
  async holder(ip: string): Promise<KubeObject | undefined> {
    return this.objects.tryGet(this.info(), undefined, canonicalIP(ip) ?? ip);
  }

  /**
   * Take a given address for a Service. `reclaim` also accepts an IPAddress already naming this Service (left by a
   * Service of the same name whose release did not happen).
   */
  async allocate(cidr: Cidr, ip: string, svc: ServiceRef, opts: { dryRun?: boolean; reclaim?: boolean } = {}): Promise<string> {
    const parsed = parseIP(ip);
    const offsets = usableOffsets(cidr);
    const off = parsed && parsed.family === cidr.family ? parsed.value - cidr.base : -1n;
    if (!parsed || !offsets || off < offsets[0] || off > offsets[1]) {
      throw new AllocationError('NotInRange', `provided IP is not in the valid range. The range of valid IPs is ${cidr.text}`);
    }
    const name = formatIP(parsed.family, parsed.value);
    if (await this.tryTake(cidr, name, svc, opts)) return name;
    throw new AllocationError('Allocated', 'provided IP is already allocated');
  }

  private async tryTake(cidr: Cidr, name: string, svc: ServiceRef, opts: { dryRun?: boolean; reclaim?: boolean }): Promise<boolean> {
    const info = this.info();
    if (opts.dryRun) {
      const held = await this.objects.tryGet(info, undefined, name);
      return !held || (!!opts.reclaim && sameParent(parentRefOf(held), svc));
    }
    const obj: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: { name, labels: { [IP_FAMILY_LABEL]: cidr.family, [IP_MANAGED_BY_LABEL]: IP_MANAGED_BY }, ...(svc.uid ? { annotations: { [SERVICE_UID_ANNOTATION]: svc.uid } } : {}) },
      spec: { parentRef: { group: '', resource: 'services', namespace: svc.namespace, name: svc.name } },
    };
    try {
      await this.objects.create(info, undefined, obj, { fieldManager: 'kube-apiserver' });
      return true;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      if (!opts.reclaim) return false;
      const held = await this.objects.tryGet(info, undefined, name);
      if (!held || !sameParent(parentRefOf(held), svc)) return false;
      if (!svc.uid || held.metadata?.annotations?.[SERVICE_UID_ANNOTATION] === svc.uid) return true;
      // Left by an earlier Service of this name: hand it over (a conflict means someone else moved first).
      held.metadata = { ...held.metadata, annotations: { ...held.metadata?.annotations, [SERVICE_UID_ANNOTATION]: svc.uid } };
      try {
        await this.objects.update(info, undefined, name, held, { fieldManager: 'kube-apiserver' });
        return true;
      } catch (u) {
        if (u instanceof StatusError && (u.reason === 'Conflict' || u.reason === 'NotFound')) return false;
        throw u;
      }
    }
  }

  /** Take a free address of the range (never the first usable one, which the `kubernetes` Service holds). */
  async allocateNext(cidr: Cidr, svc: ServiceRef, opts: { dryRun?: boolean } = {}): Promise<string> {
    const offsets = usableOffsets(cidr);
    if (!offsets || offsets[1] < 2n) throw new AllocationError('Full', 'range is full');
    const [first, last] = [2n, offsets[1]];
    const span = last - first + 1n;
    for (let i = 0; i < RANDOM_TRIES; i++) {
      const name = addressAt(cidr, first + randomBig(span));
      if (await this.tryTake(cidr, name, svc, opts)) return name;
    }
    // Crowded: pick among what is not held.
    const held = new Set((await this.objects.list(this.info(), undefined, {})).items.map((o) => o.metadata?.name ?? ''));
    const start = randomBig(span);
    for (let k = 0n; k < span; k++) {
      const name = addressAt(cidr, first + ((start + k) % span));
      if (held.has(name)) continue;
      if (await this.tryTake(cidr, name, svc, opts)) return name;
    }
    throw new AllocationError('Full', 'range is full');
  }

  /** Every IPAddress this allocator manages. */
  async held(): Promise<KubeObject[]> {
    const { items } = await this.objects.list(this.info(), undefined, { labelSelector: labelSelectorFromSet({ [IP_MANAGED_BY_LABEL]: IP_MANAGED_BY }) });
    return items;
  }

  /** Drop an IPAddress if it has not changed since it was read (repair). */
  async drop(ip: KubeObject): Promise<boolean> {
    try {
      await this.objects.delete(this.info(), undefined, ip.metadata?.name ?? '', { preconditions: { resourceVersion: ip.metadata?.resourceVersion } });
      return true;
    } catch (e) {
      if (e instanceof StatusError && (e.reason === 'NotFound' || e.reason === 'Conflict')) return false;
      throw e;
    }
  }

  /** Give an address back (only if this Service holds it). */
  async release(ip: string, svc: ServiceRef): Promise<void> {
    const info = this.info();
    const name = canonicalIP(ip) ?? ip;
    const held = await this.objects.tryGet(info, undefined, name);
    if (!held || !sameParent(parentRefOf(held), svc)) return;
    const uid = held.metadata?.annotations?.[SERVICE_UID_ANNOTATION];
    if (svc.uid && uid && uid !== svc.uid) return;
    try {
      await this.objects.delete(info, undefined, name, { preconditions: { uid: held.metadata?.uid } });
    } catch (e) {
      if (!(e instanceof StatusError && (e.reason === 'NotFound' || e.reason === 'Conflict'))) throw e;
    }
  }
}

function sameHolder(value: string, svc: ServiceRef): boolean {
  const h = JSON.parse(value) as ServiceRef;
  return h.namespace === svc.namespace && h.name === svc.name;
}

function randomBig(n: bigint): bigint {
  if (n <= 0n) return 0n;
  if (n <= 281474976710655n) return BigInt(randomInt(Number(n)));
  // Wide IPv6 ranges: 48 random bits are plenty of spread.
  return BigInt(randomInt(281474976710655)) % n;
}

/** NodePorts as created-or-fail keys of the store under the cluster's root. */
export interface HeldPort {
  port: number;
  holder: ServiceRef;
  /** When it was taken (ms since the epoch; 0 when unknown). */
  at: number;
  revision: number;
}

export class NodePortAllocator {
  constructor(
    private readonly store: Store,
    private readonly keyRoot: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Every held port. */
  async held(): Promise<HeldPort[]> {
    const prefix = `${this.keyRoot}ranges/servicenodeports/`;
    const out: HeldPort[] = [];
    for (let after: string | undefined; ; ) {
      const page = await this.store.list(prefix, { limit: 1000, ...(after ? { startAfter: after } : {}) });
      for (const kv of page.items) {
        const v = JSON.parse(kv.value) as ServiceRef & { at?: number };
        out.push({ port: Number(kv.key.slice(prefix.length)), holder: { namespace: v.namespace, name: v.name, uid: v.uid }, at: v.at ?? 0, revision: kv.modRevision });
      }
      if (!page.more || !page.items.length) break;
      after = page.items[page.items.length - 1]!.key;
    }
    return out;
  }

  /** Drop a held port if it has not changed since it was read (repair). */
  async drop(h: HeldPort): Promise<boolean> {
    try {
      await this.store.delete(this.key(h.port), { expectModRevision: h.revision });
      return true;
    } catch (e) {
      if (e instanceof StoreKeyNotFoundError || e instanceof StoreConflictError) return false;
      throw e;
    }
  }

  private key(port: number): string {
    return `${this.keyRoot}ranges/servicenodeports/${port}`;
  }

  private async tryTake(port: number, svc: ServiceRef, dryRun: boolean, reclaim = false): Promise<boolean> {
    const key = this.key(port);
    const value = JSON.stringify({ namespace: svc.namespace, name: svc.name, uid: svc.uid, at: this.nowMs() });
    if (dryRun) {
      const kv = await this.store.get(key, { includePending: true });
      return !kv || (reclaim && sameHolder(kv.value, svc));
    }
    try {
      await this.store.create(key, value);
      return true;
    } catch (e) {
      if (!(e instanceof StoreKeyExistsError)) throw e;
    }
    if (!reclaim) return false;
    const kv = await this.store.get(key, { includePending: true });
    if (!kv || !sameHolder(kv.value, svc)) return false;
    try {
      await this.store.update(key, value, { expectModRevision: kv.modRevision });
      return true;
    } catch (e) {
      if (e instanceof StoreConflictError || e instanceof StoreKeyNotFoundError) return false;
      throw e;
    }
  }

  /** Take a given port; `reclaim` also accepts one left by an earlier Service of the same name. */
  async allocate(range: NodePortRange, port: number, svc: ServiceRef, dryRun = false, reclaim = false): Promise<number> {
    if (port < range.first || port > range.last) throw new AllocationError('NotInRange', `provided port is not in the valid range. The range of valid ports is ${range.first}-${range.last}`);
    if (await this.tryTake(port, svc, dryRun, reclaim)) return port;
    throw new AllocationError('Allocated', 'provided port is already allocated');
  }

  async allocateNext(range: NodePortRange, svc: ServiceRef, dryRun = false, avoid: ReadonlySet<number> = new Set()): Promise<number> {
    const span = range.last - range.first + 1;
    for (let i = 0; i < RANDOM_TRIES; i++) {
      const port = range.first + randomInt(span);
      if (avoid.has(port)) continue;
      if (await this.tryTake(port, svc, dryRun)) return port;
    }
    const prefix = `${this.keyRoot}ranges/servicenodeports/`;
    const held = new Set<number>();
    for (let after: string | undefined; ; ) {
      const page = await this.store.list(prefix, { limit: 1000, ...(after ? { startAfter: after } : {}) });
      for (const kv of page.items) held.add(Number(kv.key.slice(prefix.length)));
      if (!page.more || !page.items.length) break;
      after = page.items[page.items.length - 1]!.key;
    }
    const start = randomInt(span);
    for (let k = 0; k < span; k++) {
      const port = range.first + ((start + k) % span);
      if (held.has(port) || avoid.has(port)) continue;
      if (await this.tryTake(port, svc, dryRun)) return port;
    }
    throw new AllocationError('Full', 'range is full');
  }

  /** Give a port back (only if this Service holds it). */
  async release(port: number, svc: ServiceRef): Promise<void> {
    const kv = await this.store.get(this.key(port), { includePending: true });
    if (!kv) return;
    const holder = JSON.parse(kv.value) as ServiceRef;
    if (holder.namespace !== svc.namespace || holder.name !== svc.name) return;
    if (svc.uid && holder.uid && holder.uid !== svc.uid) return;
    try {
      await this.store.delete(kv.key, { expectModRevision: kv.modRevision });
    } catch (e) {
      if (!(e instanceof StoreKeyNotFoundError || e instanceof StoreConflictError)) throw e;
    }
  }

  /** Who holds a port. */
  async holder(port: number): Promise<ServiceRef | undefined> {
    const kv = await this.store.get(this.key(port), { includePending: true });
    return kv ? (JSON.parse(kv.value) as ServiceRef) : undefined;
  }
}
