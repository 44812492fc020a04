/**
 * Resource arithmetic as kube-scheduler does it: a pod's effective requests (max of init containers
 * vs. the sum of app containers and sidecars, plus overhead), the non-zero variant used only for
 * scoring, and a node's allocatable. CPU in millicores, everything else in whole units.
 */
import { milliValue, wholeValue } from './quantity.js';
import type { Container, NodeLike, PodLike, ResourceList } from './types.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Only meaningful for allocatable (the node's `pods`). */
  allowedPodNumber: number;
  /** Extended, hugepages and other scalar resources by name. */
  scalar: Record<string, number>;
}

/** The scheduler's defaults for containers that request no CPU or memory (scoring only). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} };
}

export function cloneResources(r: Resources): Resources {
  return { ...r, scalar: { ...r.scalar } };
}

/** schedutil.IsScalarResourceName: extended resources, hugepages, attachable volumes, kubernetes.io/ natives. */
export function isScalarResourceName(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** framework.NewResource: a ResourceList read into numbers. */
export function resourcesFromList(list: ResourceList | null | undefined): Resources {
  const r = emptyResources();
  for (const [name, q] of Object.entries(list ?? {})) {
    switch (name) {
      case 'cpu': r.milliCPU += milliValue(q); break;
      case 'memory': r.memory += wholeValue(q); break;
      case 'ephemeral-storage': r.ephemeralStorage += wholeValue(q); break;
      case 'pods': r.allowedPodNumber += wholeValue(q); break;
      default:
        if (isScalarResourceName(name)) r.scalar[name] = (r.scalar[name] ?? 0) + wholeValue(q);
    }
  }
  return r;
}

/** Adds b into a (sign -1 subtracts). */
export function addResources(a: Resources, b: Resources, sign = 1): void {
  a.milliCPU += sign * b.milliCPU;
  a.memory += sign * b.memory;
  a.ephemeralStorage += sign * b.ephemeralStorage;
  a.allowedPodNumber += sign * b.allowedPodNumber;
  for (const [k, v] of Object.entries(b.scalar)) {
    const next = (a.scalar[k] ?? 0) + sign * v;
    if (next === 0) delete a.scalar[k];
    else a.scalar[k] = next;
  }
}

function maxInto(a: Resources, b: Resources): void {
  a.milliCPU = Math.max(a.milliCPU, b.milliCPU);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  for (const [k, v] of Object.entries(b.scalar)) a.scalar[k] = Math.max(a.scalar[k] ?? 0, v);
}

/**
 * A container's requests. A resource with a limit but no request counts the limit, as the API
 * server's defaulting would have set it. With `nonZero`, missing CPU/memory get the scheduler's
 * defaults (an explicit 0 stays 0, as upstream).
 */
function containerRequests(c: Container, nonZero: boolean): Resources {
  const requests: ResourceList = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
  const r = resourcesFromList(requests);
  if (nonZero) {
    if (!Object.prototype.hasOwnProperty.call(requests, 'cpu')) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!Object.prototype.hasOwnProperty.call(requests, 'memory')) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * resourcehelper.PodRequests: sum of app containers and restartable init containers (sidecars),
 * max'ed against each classic init container (which runs alongside the sidecars started before it),
 * pod-level requests taking precedence for cpu/memory/hugepages, plus overhead.
 */
export function podRequests(pod: PodLike, options: { nonZero?: boolean } = {}): Resources {
  const nonZero = options.nonZero ?? false;
  const spec = pod.spec ?? {};
  const reqs = emptyResources();
  for (const c of spec.containers ?? []) addResources(reqs, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    let effective: Resources;
    if (c.restartPolicy === 'Always') {
      addResources(reqs, own);
      addResources(sidecars, own);
      effective = sidecars;
    } else {
      effective = cloneResources(own);
      addResources(effective, sidecars);
    }
    maxInto(initMax, effective);
  }
  maxInto(reqs, initMax);
  const podLevel = spec.resources?.requests;
  if (podLevel) {
    const pl = resourcesFromList(podLevel);
    if (Object.prototype.hasOwnProperty.call(podLevel, 'cpu')) reqs.milliCPU = pl.milliCPU;
    if (Object.prototype.hasOwnProperty.call(podLevel, 'memory')) reqs.memory = pl.memory;
    for (const [k, v] of Object.entries(pl.scalar)) if (k.startsWith('hugepages-')) reqs.scalar[k] = v;
  }
  if (spec.overhead) addResources(reqs, resourcesFromList(spec.overhead));
  reqs.allowedPodNumber = 0;
  return reqs;
}

/** NodeInfo.Allocatable: status.allocatable (falling back to capacity when a node reports none). */
export function nodeAllocatable(node: NodeLike): Resources {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  return resourcesFromList(list);
}
