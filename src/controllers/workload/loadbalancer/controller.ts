/**
 * Service type LoadBalancer in a workload cluster, as kube-vip-cloud-provider (allocation into the
 * kube-vip.io/loadbalancerIPs annotation, the `implementation: kube-vip` label and spec.loadBalancerIP) and the kube-vip
 * daemon (status.loadBalancer.ingress, one entry per address in annotation order) do together, driven like the cloud
 * provider's service controller (cleanup finalizer, Ensuring/Ensured/SyncLoadBalancerFailed events).
 *
 * Beyond upstream: an address is released when its Service goes or stops being a LoadBalancer; an address the user
 * asks for (spec.loadBalancerIP or the annotation) is refused while another Service holds it (unless sharing allows);
 * a Service with no address waits and is retried whenever the ConfigMap or any Service changes; and every decision
 * that hands out an address runs under one lock per cluster, reading Services through the controller's own writes,
 * so two Services never get one unshared address.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../apimachinery/types.js';
import { isNotFound } from '../../../client/errors.js';
import type { Client } from '../../../client/types.js';
import type { EventRecorder } from '../../../runtime/events.js';
import type { Result } from '../../../runtime/reconciler.js';
import type { WorkloadContext, WorkloadControllerSetup } from '../context.js';
import { discoverVIPs, parseAddressList, preferredSharedIPv4, type AddressHolder } from './allocate.js';
import { formatAddr, type Addr } from './ip.js';
import { discoverPool, type PoolConfig } from './pool.js';

export const LOADBALANCER_IPS_ANNOTATION = 'kube-vip.io/loadbalancerIPs';
export const SERVICE_INTERFACE_ANNOTATION = 'kube-vip.io/serviceInterface';
export const IMPLEMENTATION_LABEL = 'implementation';
export const IMPLEMENTATION = 'kube-vip';
export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
export const LOADBALANCER_CONTROLLER = 'service-lb-controller';
/** The legacy label upstream drops when it adopts spec.loadBalancerIP. */
const LEGACY_IPAM_LABEL = 'ipam-address';

const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

export interface LoadBalancerOptions {
  /** Whether the cluster runs the kube-vip provider (default: always). When not, Services are left alone. */
  enabled?: (ctx: WorkloadContext) => boolean | Promise<boolean>;
  /** The pool ConfigMap (KUBEVIP_CONFIG_MAP / KUBEVIP_NAMESPACE upstream; default kube-system/kubevip). */
  configMapName?: string;
  configMapNamespace?: string;
  /** Workers (default 4); allocation is serialized per cluster whatever the number. */
  workers?: number;
  /** While disabled, how often a LoadBalancer Service checks again whether the provider was turned on (ms; default 60,000; 0 never). */
  disabledRecheckMs?: number;
  /** Objects whose change may turn the provider on or off (e.g. the kube-vip Pod): every LoadBalancer Service is looked at again. */
  enabledBy?: { type: { apiVersion: string; kind: string }; matches(obj: KubeObject): boolean };
}

interface ServicePort {
  port?: number;
  protocol?: string;
}

interface ServiceSpec {
  type?: string;
  loadBalancerClass?: string | null;
  loadBalancerIP?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: string[];
  ports?: ServicePort[];
}

function specOf(svc: KubeObject): ServiceSpec {
  return (svc.spec ?? {}) as ServiceSpec;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function rvOf(o: KubeObject): number {
  return Number(o.metadata?.resourceVersion ?? 0);
}

function wantsLoadBalancer(svc: KubeObject): boolean {
  const s = specOf(svc);
  return s.type === 'LoadBalancer' && (s.loadBalancerClass === undefined || s.loadBalancerClass === null);
}

function hasFinalizer(svc: KubeObject): boolean {
  return (svc.metadata?.finalizers ?? []).includes(LOAD_BALANCER_CLEANUP_FINALIZER);
}

function isLabelled(svc: KubeObject): boolean {
  return svc.metadata?.labels?.[IMPLEMENTATION_LABEL] === IMPLEMENTATION;
}

function annotationOf(svc: KubeObject): string {
  return svc.metadata?.annotations?.[LOADBALANCER_IPS_ANNOTATION] ?? '';
}

function portNumbers(svc: KubeObject): number[] {
  return (specOf(svc).ports ?? []).map((p) => p.port ?? 0);
}

/** status.loadBalancer.ingress as the kube-vip daemon writes it. */
export function desiredIngress(svc: KubeObject, addresses: readonly string[]): { ip: string; ports?: { port: number; protocol: string }[] }[] {
  const ports = (specOf(svc).ports ?? []).map((p) => ({ port: p.port ?? 0, protocol: p.protocol ?? 'TCP' }));
  return addresses.map((ip) => (ports.length ? { ip, ports } : { ip }));
}

/** A failure that leaves the Service waiting for an address (reported as an Event, retried on changes). */
class SyncFailure extends Error {}

/** One lock per cluster: address decisions run one at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function withoutFinalizer(svc: KubeObject): string[] | undefined {
  const rest = (svc.metadata?.finalizers ?? []).filter((f) => f !== LOAD_BALANCER_CLEANUP_FINALIZER);
  return rest.length ? rest : undefined;
}

function setFinalizers(meta: NonNullable<KubeObject['metadata']>, finalizers: string[] | undefined): void {
  if (finalizers) meta.finalizers = finalizers;
  else delete meta.finalizers;
}

/** The controller of one cluster. */
export function loadBalancerSetup(opts: LoadBalancerOptions = {}): WorkloadControllerSetup {
  return (ctx) => {
    const { manager } = ctx;
    const enabled = opts.enabled ?? (() => true);
    const cmName = opts.configMapName ?? 'kubevip';
    const cmNamespace = opts.configMapNamespace ?? 'kube-system';
    const recheckMs = opts.disabledRecheckMs ?? 60_000;
    const services = manager.informers.for(SERVICE);
    const lock = new Mutex();
    /** Services as this controller last wrote them, until the cache shows that version or a later one. */
    const written = new Map<string, KubeObject>();
    /** Services waiting for an address, with the last failure reported for each. */
    const pending = new Map<string, string>();

    const current = (namespace: string, name: string): KubeObject | undefined => {
      const key = `${namespace}/${name}`;
      const cached = services.lister.get(name, namespace);
      const mine = written.get(key);
      if (!cached) {
        written.delete(key);
        return undefined;
      }
      if (!mine) return cached;
      if (rvOf(cached) >= rvOf(mine)) {
        written.delete(key);
        return cached;
      }
      return mine;
    };

    /** Labelled Services holding addresses (other than `self`), optionally in one namespace, through our writes. */
    const holders = (self: string, namespace?: string): KubeObject[] => {
      const seen = new Map<string, KubeObject>();
      for (const o of [...services.lister.withLabel(IMPLEMENTATION_LABEL, IMPLEMENTATION), ...written.values()]) {
        const k = keyOf(o);
        if (k === self || seen.has(k) || (namespace !== undefined && o.metadata?.namespace !== namespace)) continue;
        const now = current(o.metadata?.namespace ?? '', o.metadata?.name ?? '');
        if (now && isLabelled(now) && annotationOf(now) !== '') seen.set(k, now);
      }
      return [...seen.values()];
    };

    const write = async (client: Client, obj: KubeObject): Promise<KubeObject> => {
      const updated = await client.update(obj);
      written.set(keyOf(updated), updated);
      return updated;
    };
    const writeStatus = async (client: Client, obj: KubeObject): Promise<KubeObject> => {
      const updated = await client.updateStatus(obj);
      written.set(keyOf(updated), updated);
      return updated;
    };

    /** The ConfigMap's data, read from the API at decision time as upstream does (the watch only triggers retries). */
    const poolData = async (client: Client): Promise<Record<string, string> | undefined> => {
      try {
        return (await client.get<KubeObject & { data?: Record<string, string> }>(CONFIG_MAP, { namespace: cmNamespace, name: cmName })).data ?? {};
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };

    /** Refuse requested addresses another Service holds, unless both may share the IPv4 address. */
    const checkRequested = (svc: KubeObject, requested: readonly Addr[], data: Record<string, string> | undefined): void => {
      const ns = svc.metadata?.namespace ?? '';
      let allowShare = false;
      try {
        allowShare = discoverPool(data, ns).allowShare;
      } catch {
        // No pool: requested addresses are still honoured, never shared.
      }
      const others = holders(keyOf(svc));
      const mine = portNumbers(svc);
      for (const a of requested) {
        const holding = others.filter((o) => {
          try {
            return parseAddressList(annotationOf(o)).some((b) => b.family === a.family && b.value === a.value);
          } catch {
            return false;
          }
        });
        if (!holding.length) continue;
        const shareable =
          allowShare &&
          a.family === 'IPv4' &&
          preferredSharedIPv4(
            holding.map((o) => ({ addresses: [a], ports: portNumbers(o) })),
            mine,
          ) === a.value;
        if (!shareable) throw new SyncFailure(`address ${formatAddr(a.family, a.value)} is already in use by Service ${keyOf(holding[0]!)}`);
      }
    };

    /** The addresses for a Service with none: upstream's syncLoadBalancer allocation path. */
    const allocate = (svc: KubeObject, cfg: PoolConfig): string[] => {
      const ns = svc.metadata?.namespace ?? '';
      const inScope = holders(keyOf(svc), cfg.global ? undefined : ns);
      const inUse = { IPv4: new Set<bigint>(), IPv6: new Set<bigint>() };
      const held: AddressHolder[] = [];
      for (const o of inScope) {
        const addresses = parseAddressList(annotationOf(o));
        for (const a of addresses) inUse[a.family].add(a.value);
        held.push({ addresses, ports: portNumbers(o) });
      }
      const preferredIPv4 = cfg.allowShare ? preferredSharedIPv4(held, portNumbers(svc)) : undefined;
      const s = specOf(svc);
      return discoverVIPs({ namespace: ns, policy: s.ipFamilyPolicy, families: s.ipFamilies, pool: cfg.pool, descending: cfg.descending, skipEndIPsInCIDR: cfg.skipEndIPsInCIDR, preferredIPv4, inUse });
    };

    /** Under the lock: give the Service its addresses (annotation, label, spec.loadBalancerIP, finalizer). */
    const assign = (client: Client, namespace: string, name: string): Promise<KubeObject | undefined> =>
      lock.run(async () => {
        const svc = current(namespace, name);
        if (!svc || !wantsLoadBalancer(svc) || svc.metadata?.deletionTimestamp) return undefined;
        const next: KubeObject = structuredClone(svc);
        const meta = next.metadata!;
        const annotations = { ...(meta.annotations ?? {}) };
        const labels = { ...(meta.labels ?? {}) };
        const spec = next.spec as ServiceSpec;
        const annotation = annotationOf(svc);
        let failure: unknown;
        try {
          const needsPool = annotation === '' || !isLabelled(svc);
          const data = needsPool ? await poolData(client) : undefined;
          if (annotation !== '') {
            if (!isLabelled(svc)) checkRequested(svc, parseAddressList(annotation), data);
          } else if (spec.loadBalancerIP) {
            checkRequested(svc, parseAddressList(spec.loadBalancerIP), data);
            annotations[LOADBALANCER_IPS_ANNOTATION] = spec.loadBalancerIP;
            delete labels[LEGACY_IPAM_LABEL];
          } else {
            const cfg = discoverPool(data, namespace);
            const vips = allocate(svc, cfg);
            annotations[LOADBALANCER_IPS_ANNOTATION] = vips.join(',');
            spec.loadBalancerIP = vips[0];
            if (cfg.serviceInterface !== undefined) annotations[SERVICE_INTERFACE_ANNOTATION] = cfg.serviceInterface;
          }
          labels[IMPLEMENTATION_LABEL] = IMPLEMENTATION;
        } catch (e) {
          failure = e;
        }
        if (!failure) {
          meta.annotations = annotations;
          meta.labels = labels;
        }
        if (!hasFinalizer(svc)) meta.finalizers = [...(meta.finalizers ?? []), LOAD_BALANCER_CLEANUP_FINALIZER];
        const changed = !isDeepStrictEqual(next, svc);
        const updated = changed ? await write(client, next) : svc;
        if (failure) throw failure instanceof SyncFailure ? failure : new SyncFailure(failure instanceof Error ? failure.message : String(failure));
        return updated;
      });

    const ensure = async (client: Client, recorder: EventRecorder, svc: KubeObject): Promise<void> => {
      const key = keyOf(svc);
      const ns = svc.metadata?.namespace ?? '';
      const name = svc.metadata?.name ?? '';
      const steady = (o: KubeObject): boolean => {
        if (!hasFinalizer(o) || !isLabelled(o) || annotationOf(o) === '') return false;
        const status = (o.status ?? {}) as { loadBalancer?: { ingress?: unknown } };
        return isDeepStrictEqual(status.loadBalancer?.ingress, desiredIngress(o, annotationOf(o).split(',')));
      };
      if (steady(svc)) {
        pending.delete(key);
        return;
      }
      let updated: KubeObject | undefined;
      try {
        updated = await assign(client, ns, name);
      } catch (e) {
        if (!(e instanceof SyncFailure)) throw e;
        const message = `Error syncing load balancer: failed to ensure load balancer: ${e.message}`;
        // A Service retried on every change reports each distinct reason once.
        if (pending.get(key) !== message) {
          void recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
          void recorder.event(svc, 'Warning', 'SyncLoadBalancerFailed', message);
        }
        pending.set(key, message);
        return;
      }
      if (!updated) return;
      pending.delete(key);
      void recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      const ingress = desiredIngress(updated, annotationOf(updated).split(','));
      const status = (updated.status ?? {}) as Record<string, unknown>;
      if (!isDeepStrictEqual((status.loadBalancer as { ingress?: unknown } | undefined)?.ingress, ingress)) {
        await writeStatus(client, { ...updated, status: { ...status, loadBalancer: { ingress } } });
      }
      void recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    };

    /** The Service stopped being a LoadBalancer: give its address back and drop what this controller set. */
    const release = async (client: Client, recorder: EventRecorder, svc: KubeObject): Promise<void> => {
      if (isLabelled(svc)) void recorder.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
      const next: KubeObject = structuredClone(svc);
      const meta = next.metadata!;
      const spec = next.spec as ServiceSpec;
      const annotation = annotationOf(svc);
      if (spec.loadBalancerIP && annotation.split(',').includes(spec.loadBalancerIP)) delete spec.loadBalancerIP;
      if (meta.annotations) {
        delete meta.annotations[LOADBALANCER_IPS_ANNOTATION];
        delete meta.annotations[SERVICE_INTERFACE_ANNOTATION];
        if (!Object.keys(meta.annotations).length) delete meta.annotations;
      }
      if (meta.labels && isLabelled(svc)) {
        delete meta.labels[IMPLEMENTATION_LABEL];
        if (!Object.keys(meta.labels).length) delete meta.labels;
      }
      setFinalizers(meta, withoutFinalizer(svc));
      let updated = await write(client, next);
      const status = (updated.status ?? {}) as Record<string, unknown>;
      if (status.loadBalancer && !isDeepStrictEqual(status.loadBalancer, {})) updated = await writeStatus(client, { ...updated, status: { ...status, loadBalancer: {} } });
      void recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    };

    /** A Service being deleted: drop the finalizer (its address is free once the object is gone). */
    const finish = async (client: Client, recorder: EventRecorder, svc: KubeObject): Promise<void> => {
      if (isLabelled(svc)) void recorder.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
      const next: KubeObject = structuredClone(svc);
      setFinalizers(next.metadata!, withoutFinalizer(svc));
      try {
        await write(client, next);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      void recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    };

    const controller = manager.add({
      name: LOADBALANCER_CONTROLLER,
      for: SERVICE,
      workers: opts.workers ?? 4,
      watches: [
        { type: CONFIG_MAP, map: (cm) => (cm.metadata?.name === cmName && cm.metadata?.namespace === cmNamespace ? waiting() : []) },
        ...(opts.enabledBy
          ? [{ type: opts.enabledBy.type, map: (o: KubeObject) => (opts.enabledBy!.matches(o) ? services.lister.list().filter(wantsLoadBalancer).map((x) => ({ namespace: x.metadata?.namespace ?? '', name: x.metadata!.name! })) : []) }]
          : []),
      ],
      reconciler: async (rc, req): Promise<Result | void> => {
        const ns = req.namespace ?? '';
        const key = `${ns}/${req.name}`;
        const svc = current(ns, req.name);
        if (!svc) {
          pending.delete(key);
          return;
        }
        const wants = wantsLoadBalancer(svc);
        if (!wants && !hasFinalizer(svc)) {
          pending.delete(key);
          return;
        }
        // A Service being deleted loses the finalizer even after the provider was turned off.
        if (svc.metadata?.deletionTimestamp) {
          pending.delete(key);
          if (hasFinalizer(svc)) await finish(rc.client, rc.recorder, svc);
          return;
        }
        if (!(await enabled(ctx))) return wants && recheckMs > 0 ? { requeueAfter: recheckMs } : undefined;
        if (!wants) {
          pending.delete(key);
          await release(rc.client, rc.recorder, svc);
          return;
        }
        await ensure(rc.client, rc.recorder, svc);
      },
    });

    const waiting = (): { namespace: string; name: string }[] =>
      [...pending.keys()].map((k) => {
        const slash = k.indexOf('/');
        return { namespace: k.slice(0, slash), name: k.slice(slash + 1) };
      });
    // Any Service change may free an address or make one shareable: Services waiting try again.
    const retryWaiting = (): void => {
      for (const r of waiting()) controller.enqueue(r);
    };
    services.addEventHandler({ onAdd: retryWaiting, onUpdate: retryWaiting, onDelete: retryWaiting });
  };
}
