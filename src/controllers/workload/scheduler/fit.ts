/**
 * NodeResourcesFit (filter + LeastAllocated score) and NodeResourcesBalancedAllocation, over the
 * NodeInfo running totals — no per-attempt scan of the node's pods.
 */
import type { PodInfo } from './pod-info.js';
import type { Resources } from './resources.js';
import type { NodeInfo } from './snapshot.js';
import type { FilterFailure } from './types.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
export const ERR_TOO_MANY_PODS = 'Too many pods';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

function isZero(r: Resources): boolean {
  if (r.milliCPU !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0) return false;
  for (const k in r.scalar) if (r.scalar[k] !== 0) return false;
  return true;
}

/** fitsRequest: every resource the pod asks for, in upstream's order (pods, cpu, memory, ephemeral-storage, scalars). */
export function insufficientResources(pod: Resources, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: ERR_TOO_MANY_PODS, requested: 1, used: node.pods.size, capacity: alloc.allowedPodNumber });
  }
  if (isZero(pod)) return out;
  check(out, 'cpu', pod.milliCPU, alloc.milliCPU, used.milliCPU);
  check(out, 'memory', pod.memory, alloc.memory, used.memory);
  check(out, 'ephemeral-storage', pod.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const name of Object.keys(pod.scalar).sort()) {
    check(out, name, pod.scalar[name], alloc.scalar[name] ?? 0, used.scalar[name] ?? 0);
  }
  return out;
}

function check(out: InsufficientResource[], name: string, want: number, have: number, inUse: number): void {
  if (want > 0 && want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have });
}

export function filterFit(pod: PodInfo, node: NodeInfo): FilterFailure | null {
  const missing = insufficientResources(pod.requests, node);
  if (missing.length === 0) return null;
  return { plugin: NODE_RESOURCES_FIT, code: 'Unschedulable', reasons: missing.map((m) => m.reason) };
}

const MAX_NODE_SCORE = 100;

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated with cpu and memory weighted 1:1, on non-zero requests (pod + node). */
export function scoreLeastAllocated(pod: PodInfo, node: NodeInfo): number {
  const cpu = leastRequested(node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU, node.allocatable.milliCPU);
  const mem = leastRequested(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, node.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

/** True when BalancedAllocation skips the pod (it requests no cpu or memory at all). */
export function balancedAllocationSkips(pod: PodInfo): boolean {
  return pod.requests.milliCPU === 0 && pod.requests.memory === 0;
}

function fraction(requested: number, capacity: number): number {
  return capacity === 0 ? 0 : Math.min(1, requested / capacity);
}

/** BalancedAllocation: 100 × (1 − standard deviation of the cpu and memory fractions). */
export function scoreBalancedAllocation(pod: PodInfo, node: NodeInfo): number {
  const fractions: number[] = [];
  if (node.allocatable.milliCPU > 0) fractions.push(fraction(node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU));
  if (node.allocatable.memory > 0) fractions.push(fraction(node.requested.memory + pod.requests.memory, node.allocatable.memory));
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0] - fractions[1]) / 2);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
