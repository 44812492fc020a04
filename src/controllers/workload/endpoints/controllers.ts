/**
 * The Endpoints and EndpointSlice controllers of a workload cluster (kube-controller-manager's): for every Service
 * with a selector, read the Service, its Pods and the Nodes' zones from the informers, compute what upstream writes
 * (desired.ts) and write the difference. Services without a selector are left to whoever manages their endpoints.
 * Endpoints have no owner (they are deleted with their Service here); EndpointSlices are owned by their Service, so
 * the garbage collector removes them.
 */
import { isDeepStrictEqual as deepEqual } from 'node:util';
import { StatusError } from '../../../apimachinery/errors.js';
import { labelSelectorFromSet, matchesLabels } from '../../../apimachinery/selectors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import { keyFor } from '../../../client/cache.js';
import type { Client } from '../../../client/types.js';
import type { Request, Result } from '../../../runtime/reconciler.js';
import type { WorkloadContext } from '../context.js';
import {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  desiredEndpointSlices,
  desiredEndpointSubsets,
  HEADLESS_LABEL,
  MANAGED_BY,
  MAX_ENDPOINTS_ADDRESSES,
  OVER_CAPACITY_ANNOTATION,
  truncateSubsets,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  ZONE_LABEL,
  type DesiredSlice,
  type EndpointPort,
} from './desired.js';

const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const NODE = { apiVersion: 'v1', kind: 'Node' } as const;
const ENDPOINTS = { apiVersion: 'v1', kind: 'Endpoints' } as const;
const ENDPOINT_SLICE = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' } as const;

export const ENDPOINTS_CONTROLLER = 'endpoint-controller';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller';

export interface EndpointsControllerOptions {
  /** Most endpoints in one EndpointSlice (kube-controller-manager's --max-endpoints-per-slice; default 100). */
  maxEndpointsPerSlice?: number;
  /** Most addresses in one Endpoints object before it is truncated and annotated over-capacity (default 1000). */
  maxEndpointsAddresses?: number;
  /** Workers per controller (default 4). */
  workers?: number;
  /** How long to wait for the cache to show the controller's own writes before acting again (ms; default 20). */
  staleRequeueMs?: number;
}

interface ServiceSpecLike {
  type?: string;
  selector?: Record<string, string>;
  clusterIP?: string;
}

function serviceSpec(svc: KubeObject): ServiceSpecLike {
  return (svc.spec ?? {}) as ServiceSpecLike;
}

/** Whether the controllers manage this Service's endpoints. */
function managed(svc: KubeObject): boolean {
  const s = serviceSpec(svc);
  return s.type !== 'ExternalName' && !!s.selector && Object.keys(s.selector).length > 0;
}

function isNotFound(e: unknown): boolean {
  return e instanceof StatusError && e.code === 404;
}

/** Labels of what the controllers write: the Service's own, plus headless. */
function endpointLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (serviceSpec(svc).clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** Which Services a Pod belonged to at the last reconcile, so a Pod that lost its labels still enqueues them. */
class Membership {
  private readonly byPod = new Map<string, Set<string>>();
  private readonly byService = new Map<string, Set<string>>();

  set(serviceKey: string, podKeys: string[]): void {
    for (const p of this.byService.get(serviceKey) ?? []) this.byPod.get(p)?.delete(serviceKey);
    const next = new Set(podKeys);
    if (next.size) this.byService.set(serviceKey, next);
    else this.byService.delete(serviceKey);
    for (const p of next) {
      let s = this.byPod.get(p);
      if (!s) this.byPod.set(p, (s = new Set()));
      s.add(serviceKey);
    }
  }

  servicesOf(podKey: string): string[] {
    return [...(this.byPod.get(podKey) ?? [])];
  }
}

function requestOf(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function setupEndpointsControllers(ctx: WorkloadContext, opts: EndpointsControllerOptions = {}): void {
  const { manager } = ctx;
  const services = manager.informers.for(SERVICE);
  const pods = manager.informers.for(POD);
  const nodes = manager.informers.for(NODE);
  const endpoints = manager.informers.for(ENDPOINTS);
  const slices = manager.informers.for(ENDPOINT_SLICE);
  const max = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  const maxAddresses = opts.maxEndpointsAddresses ?? MAX_ENDPOINTS_ADDRESSES;
  const staleMs = opts.staleRequeueMs ?? 20;
  const membership = new Membership();

  // The smallest label-index bucket of the selector's pairs, narrowed to the namespace and the whole selector.
  const selectedPods = (svc: KubeObject): KubeObject[] => {
    const selector = serviceSpec(svc).selector ?? {};
    const ns = svc.metadata?.namespace ?? '';
    let bucket: KubeObject[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const b = pods.lister.withLabel(k, v);
      if (!bucket || b.length < bucket.length) bucket = b;
    }
    if (!bucket) return [];
    const sel = labelSelectorFromSet(selector);
    return bucket.filter((p) => p.metadata?.namespace === ns && matchesLabels(sel, p.metadata?.labels));
  };

  // A Pod change enqueues the Services selecting it now and those that selected it before.
  const servicesForPod = (pod: KubeObject): Request[] => {
    const ns = pod.metadata?.namespace ?? '';
    const keys = new Set(membership.servicesOf(keyFor(ns, pod.metadata?.name ?? '')));
    for (const svc of services.lister.list({ namespace: ns })) {
      if (managed(svc) && matchesLabels(labelSelectorFromSet(serviceSpec(svc).selector), pod.metadata?.labels)) keys.add(keyFor(ns, svc.metadata?.name ?? ''));
    }
    return [...keys].map(requestOf);
  };

  manager.add({
    name: ENDPOINTS_CONTROLLER,
    for: SERVICE,
    workers: opts.workers ?? 4,
    watches: [
      { type: POD, map: servicesForPod },
      { type: ENDPOINTS, map: (ep) => [{ namespace: ep.metadata?.namespace, name: ep.metadata?.name ?? '' }] },
    ],
    reconciler: async (rc, req) => {
      const svc = services.lister.get(req.name, req.namespace);
      if (!svc) {
        try {
          await rc.client.delete(ENDPOINTS, { namespace: req.namespace, name: req.name });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        return;
      }
      if (!managed(svc)) return;
      const selected = selectedPods(svc);
      membership.set(keyFor(req.namespace, req.name), selected.map((p) => keyFor(p.metadata?.namespace, p.metadata?.name ?? '')));
      const { subsets, truncated } = truncateSubsets(desiredEndpointSubsets(svc, selected), maxAddresses);
      const labels = endpointLabels(svc);
      const current = endpoints.lister.get(req.name, req.namespace);
      const annotations = (a: Record<string, string> | undefined): Record<string, string> | undefined => {
        const out = { ...(a ?? {}) };
        if (truncated) out[OVER_CAPACITY_ANNOTATION] = 'truncated';
        else delete out[OVER_CAPACITY_ANNOTATION];
        return Object.keys(out).length ? out : undefined;
      };
      if (!current) {
        const ann = annotations(undefined);
        await rc.client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: req.name, namespace: req.namespace, labels, ...(ann ? { annotations: ann } : {}) }, ...(subsets.length ? { subsets } : {}) });
        return;
      }
      const currentSubsets = (current as { subsets?: unknown }).subsets ?? [];
      const ann = annotations(current.metadata?.annotations);
      if (deepEqual(currentSubsets, subsets) && deepEqual(current.metadata?.labels ?? {}, labels) && deepEqual(current.metadata?.annotations, ann)) return;
      const next: KubeObject = { ...current, metadata: { ...current.metadata, labels, annotations: ann } };
      if (!ann) delete next.metadata!.annotations;
      if (subsets.length) (next as { subsets?: unknown }).subsets = subsets;
      else delete (next as { subsets?: unknown }).subsets;
      await rc.client.update(next);
    },
  });

  // Writes not yet seen by the slice cache: name → resourceVersion written, or undefined when deleted.
  const written = new Map<string, Map<string, string | undefined>>();
  const cacheIsBehind = (svcKey: string, namespace: string): boolean => {
    const mine = written.get(svcKey);
    if (!mine) return false;
    for (const [name, rv] of mine) {
      const seen = slices.lister.get(name, namespace);
      const caughtUp = rv === undefined ? !seen : !!seen && Number(seen.metadata?.resourceVersion ?? 0) >= Number(rv);
      if (caughtUp) mine.delete(name);
    }
    if (!mine.size) written.delete(svcKey);
    return mine.size > 0;
  };
  const remember = (svcKey: string, name: string, rv: string | undefined): void => {
    let m = written.get(svcKey);
    if (!m) written.set(svcKey, (m = new Map()));
    m.set(name, rv);
  };

  manager.add({
    name: ENDPOINTSLICE_CONTROLLER,
    for: SERVICE,
    owns: [ENDPOINT_SLICE],
    workers: opts.workers ?? 4,
    watches: [{ type: POD, map: servicesForPod }],
    reconciler: async (rc, req): Promise<Result | void> => {
      const svc = services.lister.get(req.name, req.namespace);
      if (!svc || !managed(svc)) return;
      const svcKey = keyFor(req.namespace, req.name);
      if (cacheIsBehind(svcKey, req.namespace ?? '')) return { requeueAfter: staleMs };
      const zoneOf = (nodeName: string): string | undefined => nodes.lister.get(nodeName)?.metadata?.labels?.[ZONE_LABEL];
      const desired = desiredEndpointSlices(svc, selectedPods(svc), zoneOf, max);
      const existing = slices.lister
        .withLabel(SERVICE_NAME_LABEL, req.name)
        .filter((s) => s.metadata?.namespace === req.namespace && s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY)
        .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
      await reconcileSlices(rc.client, svc, desired, existing, (name, rv) => remember(svcKey, name, rv));
    },
  });
}

function sliceKey(addressType: string, ports: EndpointPort[] | undefined): string {
  return `${addressType}|${JSON.stringify(ports ?? [])}`;
}

function sliceLabels(svc: KubeObject): Record<string, string> {
  return { ...endpointLabels(svc), [SERVICE_NAME_LABEL]: svc.metadata?.name ?? '', [MANAGED_BY_LABEL]: MANAGED_BY };
}

interface SliceBody {
  addressType: string;
  endpoints: DesiredSlice['endpoints'];
  ports?: EndpointPort[];
}

function sliceBody(d: DesiredSlice): SliceBody {
  return { addressType: d.addressType, endpoints: d.endpoints, ...(d.ports.length ? { ports: d.ports } : {}) };
}

/** Pair desired slices with existing ones of the same family and ports; update, create and delete the rest. */
async function reconcileSlices(client: Client, svc: KubeObject, desired: DesiredSlice[], existing: KubeObject[], remember: (name: string, rv: string | undefined) => void): Promise<void> {
  const labels = sliceLabels(svc);
  const pool = new Map<string, KubeObject[]>();
  for (const s of existing) {
    const k = sliceKey(String(s.addressType), s.ports as EndpointPort[] | undefined);
    const list = pool.get(k) ?? [];
    list.push(s);
    pool.set(k, list);
  }
  const ns = svc.metadata?.namespace ?? '';
  const owner = { apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
  const creates: DesiredSlice[] = [];
  for (const d of desired) {
    const match = pool.get(sliceKey(d.addressType, d.ports.length ? d.ports : undefined))?.shift();
    if (!match) {
      creates.push(d);
      continue;
    }
    const body = sliceBody(d);
    if (deepEqual(match.endpoints ?? [], body.endpoints) && deepEqual(match.metadata?.labels ?? {}, labels)) continue;
    const next: KubeObject = { ...match, metadata: { ...match.metadata, labels }, endpoints: body.endpoints };
    const updated = await client.update(next);
    remember(updated.metadata?.name ?? '', updated.metadata?.resourceVersion);
  }
  // Leftovers of another family or port set are reused before anything is created, as upstream prefers updates.
  const spare = [...pool.values()].flat();
  for (const d of creates) {
    const reuse = spare.shift();
    const body = sliceBody(d);
    if (reuse) {
      const next: KubeObject = { ...reuse, metadata: { ...reuse.metadata, labels }, ...body };
      if (!body.ports) delete next.ports;
      const updated = await client.update(next);
      remember(updated.metadata?.name ?? '', updated.metadata?.resourceVersion);
      continue;
    }
    const created: KubeObject = await client.create<KubeObject>({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { generateName: `${svc.metadata?.name ?? ''}-`, namespace: ns, labels, ownerReferences: [owner] }, ...body });
    remember(created.metadata?.name ?? '', created.metadata?.resourceVersion);
  }
  for (const s of spare) {
    try {
      await client.delete(ENDPOINT_SLICE, { namespace: ns, name: s.metadata?.name ?? '' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    remember(s.metadata?.name ?? '', undefined);
  }
}
