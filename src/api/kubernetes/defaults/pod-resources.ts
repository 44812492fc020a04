/**
 * Pod-level resource defaults (upstream SetDefaults_Pod with the PodLevelResources gate, beta and on
 * by default since 1.34): when spec.resources is partly given, hugepage limits, requests and limits
 * at pod level are filled from the containers' aggregate, as kube-apiserver does.
 */
import { formatQuantity, parseQuantityWithFormat, type Quantity } from './quantity.js';
import { child, isObj, objects, type Obj } from './fields.js';

type QuantityList = Map<string, Quantity>;

const isHugePages = (name: string) => name.startsWith('hugepages-');
const isSupported = (name: string) => name === 'cpu' || name === 'memory' || isHugePages(name);
/** Hugepages cannot be overcommitted; cpu and memory can. */
const overcommitAllowed = (name: string) => !isHugePages(name);

function quantities(list: unknown): QuantityList {
  const out: QuantityList = new Map();
  if (!isObj(list)) return out;
  for (const [name, text] of Object.entries(list)) {
    const quantity = parseQuantityWithFormat(text);
    if (quantity) out.set(name, quantity);
  }
  return out;
}

/** Sum into `into`; a new entry keeps the notation of the first operand, as upstream's Add does. */
function add(into: QuantityList, from: QuantityList): void {
  for (const [name, q] of from) {
    const current = into.get(name);
    into.set(name, current ? { nanos: current.nanos + q.nanos, format: current.format } : { ...q });
  }
}

function takeMax(into: QuantityList, from: QuantityList): void {
  for (const [name, q] of from) {
    const current = into.get(name);
    if (!current || q.nanos > current.nanos) into.set(name, { ...q });
  }
}

/**
 * The containers' aggregate of requests or limits: regular containers and sidecars (restartable init
 * containers) add up; each other init container counts with the sidecars started before it; the
 * larger of the two wins.
 */
function aggregate(spec: Obj, field: 'requests' | 'limits'): QuantityList {
  const listOf = (c: Obj) => quantities(child(child(c, 'resources') ?? {}, field));
  const result: QuantityList = new Map();
  for (const c of objects(spec, 'containers')) add(result, listOf(c));
  const sidecars: QuantityList = new Map();
  const initPeak: QuantityList = new Map();
  for (const c of objects(spec, 'initContainers')) {
    const own = listOf(c);
    if (c['restartPolicy'] === 'Always') {
      add(result, own);
      add(sidecars, own);
      takeMax(initPeak, sidecars);
    } else {
      const combined: QuantityList = new Map();
      add(combined, own);
      add(combined, sidecars);
      takeMax(initPeak, combined);
    }
  }
  takeMax(result, initPeak);
  return result;
}

function allContainersHaveLimit(spec: Obj, name: string): boolean {
  return [...objects(spec, 'containers'), ...objects(spec, 'initContainers')].every((c) => {
    const limits = child(child(c, 'resources') ?? {}, 'limits');
    return limits !== undefined && name in limits;
  });
}

const hasSupported = (list: unknown) => isObj(list) && Object.keys(list).some(isSupported);
const nonEmpty = (list: unknown) => isObj(list) && Object.keys(list).length > 0;

export function defaultPodLevelResources(spec: Obj): void {
  const resources = child(spec, 'resources');
  if (!resources) return;
  // Hugepage limits from the containers, unless a pod-level request names the hugepage size.
  if (nonEmpty(resources['limits']) || nonEmpty(resources['requests'])) {
    const limits: Obj = { ...(child(resources, 'limits') ?? {}) };
    const requests = child(resources, 'requests') ?? {};
    for (const [name, q] of aggregate(spec, 'limits')) {
      if (!isHugePages(name) || name in requests || name in limits) continue;
      limits[name] = formatQuantity(q);
    }
    if (Object.keys(limits).length > 0) resources['limits'] = limits;
  }
  // Requests from the containers' requests, else from the pod-level limits.
  if (nonEmpty(resources['limits'])) {
    const requests: Obj = { ...(child(resources, 'requests') ?? {}) };
    for (const [name, q] of aggregate(spec, 'requests')) {
      if (!(name in requests) && isSupported(name) && overcommitAllowed(name)) requests[name] = formatQuantity(q);
    }
    for (const [name, value] of Object.entries(child(resources, 'limits') ?? {})) {
      if (!(name in requests) && isSupported(name)) requests[name] = value;
    }
    if (Object.keys(requests).length > 0) resources['requests'] = requests;
  }
  // Limits from the containers' limits when only requests are given and every container has one.
  if (!hasSupported(resources['limits']) && hasSupported(resources['requests'])) {
    const limits: Obj = { ...(child(resources, 'limits') ?? {}) };
    for (const [name, q] of aggregate(spec, 'limits')) {
      if (name in limits || !isSupported(name) || !overcommitAllowed(name) || !allContainersHaveLimit(spec, name)) continue;
      limits[name] = formatQuantity(q);
    }
    if (Object.keys(limits).length > 0) resources['limits'] = limits;
  }
}
