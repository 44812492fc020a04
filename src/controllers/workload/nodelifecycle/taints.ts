/**
 * Which taints the node lifecycle controller keeps on a Node, from its conditions and spec (upstream's
 * TaintNodesByCondition for NoSchedule, plus the NoExecute taints of taint-based eviction). Pure.
 *
 * - Ready False → node.kubernetes.io/not-ready, Ready Unknown → node.kubernetes.io/unreachable, each as
 *   NoSchedule and as NoExecute (the NoExecute one carries timeAdded; when Ready flips between False and
 *   Unknown the NoExecute taint is swapped for the other key).
 * - MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable True → the matching NoSchedule taint.
 * - spec.unschedulable → node.kubernetes.io/unschedulable:NoSchedule.
 * Taints with other keys are left alone; managed taints already present keep their timeAdded.
 */
import type { Taint } from '../scheduler/types.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** A Node taint as stored (timeAdded is set on NoExecute taints only). */
export interface NodeTaint extends Taint {
  timeAdded?: string | null;
}

export interface NodeCondition {
  type: string;
  status: string;
  [k: string]: unknown;
}

/** The parts of a Node the lifecycle controller reads. */
export interface NodeLike {
  metadata?: { name?: string; [k: string]: unknown };
  spec?: { unschedulable?: boolean | null; taints?: NodeTaint[] | null; [k: string]: unknown };
  status?: { conditions?: NodeCondition[] | null; [k: string]: unknown };
}

/** Condition type → status → taint key (upstream's nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};

/** Keys whose NoSchedule taint this controller owns. */
export const MANAGED_NO_SCHEDULE_KEYS: readonly string[] = [TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_PID_PRESSURE, TAINT_UNSCHEDULABLE];
/** Keys whose NoExecute taint this controller owns. */
export const MANAGED_NO_EXECUTE_KEYS: readonly string[] = [TAINT_NOT_READY, TAINT_UNREACHABLE];

function isManaged(t: Taint): boolean {
  return (t.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE_KEYS.includes(t.key)) || (t.effect === 'NoExecute' && MANAGED_NO_EXECUTE_KEYS.includes(t.key));
}

function conditionStatus(node: NodeLike, type: string): string | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type)?.status;
}

/** The NoSchedule taint keys the Node's conditions and spec call for, in upstream's order. */
export function noScheduleTaintKeys(node: NodeLike): string[] {
  const keys: string[] = [];
  for (const [type, byStatus] of Object.entries(CONDITION_TAINTS)) {
    const status = conditionStatus(node, type);
    const key = status === undefined ? undefined : byStatus[status];
    if (key) keys.push(key);
  }
  if (node.spec?.unschedulable) keys.push(TAINT_UNSCHEDULABLE);
  return keys;
}

/** The NoExecute taint key the Node's Ready condition calls for (none while Ready is True or absent). */
export function noExecuteTaintKey(node: NodeLike): string | undefined {
  const ready = conditionStatus(node, 'Ready');
  if (ready === 'False') return TAINT_NOT_READY;
  if (ready === 'Unknown') return TAINT_UNREACHABLE;
  return undefined;
}

function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');
}

/**
 * The Node's taints as they should be: unmanaged taints unchanged and in place, then the managed ones
 * (existing ones kept as they are, new NoExecute ones stamped with `nowRfc3339`).
 */
export function desiredNodeTaints(node: NodeLike, nowRfc3339: string): NodeTaint[] {
  const current = node.spec?.taints ?? [];
  const wanted: NodeTaint[] = noScheduleTaintKeys(node).map((key) => ({ key, effect: 'NoSchedule' }));
  const exec = noExecuteTaintKey(node);
  if (exec) wanted.push({ key: exec, effect: 'NoExecute', timeAdded: nowRfc3339 });
  const out: NodeTaint[] = current.filter((t) => !isManaged(t));
  for (const w of wanted) out.push(current.find((t) => isManaged(t) && sameTaint(t, w)) ?? w);
  return out;
}

/** Whether two taint lists hold the same taints (order ignored; timeAdded compared too). */
export function sameTaints(a: readonly NodeTaint[], b: readonly NodeTaint[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => sameTaint(x, y) && (x.timeAdded ?? '') === (y.timeAdded ?? '')));
}
