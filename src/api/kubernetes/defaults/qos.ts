/**
 * A Pod's QoS class as upstream's GetPodQOS computes it, and the status the registry writes on
 * create. Only cpu and memory count; zero quantities are ignored; init containers count, ephemeral
 * containers do not. When pod-level resources are set, they decide instead of the containers.
 */
import { parseQuantity, type NanoQuantity } from './quantity.js';
import { child, isObj, objects, type Obj } from './fields.js';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = ['cpu', 'memory'];

interface Collected {
  requests: Map<string, NanoQuantity>;
  limits: Map<string, NanoQuantity>;
  guaranteed: boolean;
}

function addPositive(into: Map<string, NanoQuantity>, list: unknown, found?: Set<string>): void {
  if (!isObj(list)) return;
  for (const [name, text] of Object.entries(list)) {
    if (!qosResources.includes(name)) continue;
    const value = parseQuantity(text);
    if (value === undefined || value <= 0n) continue;
    found?.add(name);
    into.set(name, (into.get(name) ?? 0n) + value);
  }
}

function collect(resourceSets: Obj[]): Collected {
  const collected: Collected = { requests: new Map(), limits: new Map(), guaranteed: true };
  for (const resources of resourceSets) {
    addPositive(collected.requests, resources['requests']);
    const found = new Set<string>();
    addPositive(collected.limits, resources['limits'], found);
    if (!qosResources.every((name) => found.has(name))) collected.guaranteed = false;
  }
  return collected;
}

function podLevelResources(spec: Obj): Obj | undefined {
  const resources = child(spec, 'resources');
  if (!resources) return undefined;
  // Set when either list names a resource pod-level resources support (cpu, memory, hugepages).
  const named = (list: unknown) => isObj(list)
    && Object.keys(list).some((name) => qosResources.includes(name) || name.startsWith('hugepages-'));
  return named(resources['requests']) || named(resources['limits']) ? resources : undefined;
}

export function podQOSClass(pod: Obj): PodQOSClass {
  const spec = child(pod, 'spec') ?? {};
  const podLevel = podLevelResources(spec);
  const { requests, limits, guaranteed } = podLevel
    ? collect([podLevel])
    : collect([...objects(spec, 'containers'), ...objects(spec, 'initContainers')].map((c) => child(c, 'resources') ?? {}));
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (!guaranteed || requests.size !== limits.size) return 'Burstable';
  for (const [name, request] of requests) {
    if (limits.get(name) !== request) return 'Burstable';
  }
  return 'Guaranteed';
}

/** The status a newly created Pod gets from the registry: phase Pending and its QoS class. */
export function podStatusOnCreate(pod: Obj): { phase: 'Pending'; qosClass: PodQOSClass } {
  return { phase: 'Pending', qosClass: podQOSClass(pod) };
}
