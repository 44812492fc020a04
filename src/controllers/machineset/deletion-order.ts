/**
 * Which Machines a MachineSet deletes when it scales down (pure), by upstream's delete priorities: Machines already
 * being deleted first, then those annotated `cluster.x-k8s.io/delete-machine`, then unhealthy ones (no Node, failed,
 * NodeHealthy or HealthCheckSucceeded False), then by deletePolicy — Random (any), Newest (youngest first) or Oldest
 * (oldest first, by an age score that saturates over about ten days). Equal priorities go by name.
 */
import { CONDITIONS, DELETE_MACHINE_ANNOTATION, type Machine, type MachineSetDeletePolicy } from '../../api/cluster/types.js';
import { getCondition } from '../../runtime/conditions.js';

export const MUST_DELETE = 100;
export const SHOULD_DELETE = 75;
export const BETTER_DELETE = 50;
export const COULD_DELETE = 20;
export const MUST_NOT_DELETE = 0;
const SECONDS_PER_TEN_DAYS = 864_000;

export type DeletePriority = (m: Machine, nowMs: number) => number;

/** Healthy: has a Node, no failure, and neither NodeHealthy nor HealthCheckSucceeded is False. */
export function isMachineHealthy(m: Machine): boolean {
  if (!m.status?.nodeRef) return false;
  if (m.status.failureReason || m.status.failureMessage) return false;
  if (getCondition(m, CONDITIONS.nodeHealthy)?.status === 'False') return false;
  if (getCondition(m, CONDITIONS.healthCheckSucceeded)?.status === 'False') return false;
  return true;
}

/** The priorities every policy shares; undefined when the policy itself decides. */
function commonPriority(m: Machine): number | undefined {
  if (m.metadata?.deletionTimestamp) return MUST_DELETE;
  if (m.metadata?.annotations?.[DELETE_MACHINE_ANNOTATION] !== undefined) return SHOULD_DELETE;
  if (!isMachineHealthy(m)) return BETTER_DELETE;
  return undefined;
}

function ageScore(m: Machine, nowMs: number): number {
  const created = m.metadata?.creationTimestamp ? Date.parse(m.metadata.creationTimestamp) : Number.NaN;
  if (!Number.isFinite(created)) return MUST_NOT_DELETE;
  const seconds = (nowMs - created) / 1000;
  if (seconds < 0) return MUST_NOT_DELETE;
  return BETTER_DELETE * (1 - Math.exp(-seconds / SECONDS_PER_TEN_DAYS));
}

export const oldestDeletePriority: DeletePriority = (m, now) => commonPriority(m) ?? ageScore(m, now);
export const newestDeletePriority: DeletePriority = (m, now) => commonPriority(m) ?? BETTER_DELETE - ageScore(m, now);
export const randomDeletePriority: DeletePriority = (m) => commonPriority(m) ?? COULD_DELETE;

/** The priority function of a deletePolicy (unset means Random); throws naming an unknown policy. */
export function deletePriorityFor(policy: MachineSetDeletePolicy | string | undefined): DeletePriority {
  switch (policy ?? '') {
    case '':
    case 'Random':
      return randomDeletePriority;
    case 'Newest':
      return newestDeletePriority;
    case 'Oldest':
      return oldestDeletePriority;
    default:
      throw new Error(`spec.deletePolicy: unsupported delete policy ${JSON.stringify(policy)}: must be one of 'Random', 'Newest', or 'Oldest'`);
  }
}

/** Machines in deletion order (highest priority first, then by name). */
export function sortForDeletion(machines: Machine[], priority: DeletePriority, nowMs: number): Machine[] {
  const scored = machines.map((m) => ({ m, p: priority(m, nowMs), name: m.metadata?.name ?? '' }));
  scored.sort((a, b) => b.p - a.p || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.map((s) => s.m);
}

/** The `count` Machines to delete (all of them when count covers every Machine, none when count ≤ 0). */
export function machinesToDelete(machines: Machine[], count: number, priority: DeletePriority, nowMs: number): Machine[] {
  if (count <= 0) return [];
  return sortForDeletion(machines, priority, nowMs).slice(0, count);
}
