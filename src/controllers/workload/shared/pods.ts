/**
 * The slice of core/v1 Pod that the workload controllers (DaemonSet, StatefulSet, Job) read, and upstream's pod
 * predicates (podutil.IsPodReady / IsPodAvailable, controller.IsPodActive).
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import type { Affinity, Toleration } from '../scheduler/types.js';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  restartPolicy?: string;
  hostname?: string;
  subdomain?: string;
  containers?: { name: string; env?: { name: string; value?: string; valueFrom?: unknown }[]; [k: string]: unknown }[];
  initContainers?: { name: string; env?: { name: string; value?: string; valueFrom?: unknown }[]; [k: string]: unknown }[];
  volumes?: { name: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  startTime?: string;
  [k: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: PodSpec;
}

export const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
export const NODE = { apiVersion: 'v1', kind: 'Node' } as const;
export const CONTROLLER_REVISION = { apiVersion: 'apps/v1', kind: 'ControllerRevision' } as const;

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds at `nowMs` (upstream IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** Milliseconds until a Ready Pod becomes available (undefined when it is not Ready or already available). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True' || !minReadySeconds || !c.lastTransitionTime) return undefined;
  const left = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - nowMs;
  return left > 0 ? left : undefined;
}

export function isTerminated(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Not terminated and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return !isTerminated(pod) && !pod.metadata?.deletionTimestamp;
}

/** The uid of the controller that owns obj, if any. */
export function controllerUid(obj: KubeObject): string | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;
}

export function creationMs(obj: KubeObject): number {
  const t = obj.metadata?.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** RFC 3339 without fractional seconds, as the API writes timestamps. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export { errorText } from '../../shared/errors.js';
