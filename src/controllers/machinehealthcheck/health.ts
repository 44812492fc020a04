/**
 * The health verdict of one MachineHealthCheck target (a Machine and its Node), as Cluster API v1beta1's
 * healthCheckTarget.needsRemediation decides it. Pure: the caller passes the objects and the time.
 *
 * Order of the checks (the first that applies wins):
 *  1. `cluster.x-k8s.io/remediate-machine` annotation → unhealthy (HasRemediateMachineAnnotation);
 *  2. status.failureReason, then status.failureMessage → unhealthy (MachineHasFailure);
 *  3. the Machine had a nodeRef but the Node is gone → unhealthy (NodeNotFound);
 *  4. a worker while the control plane is not initialized, or any Machine while the cluster infrastructure is not
 *     ready → undecided (the Cluster changing triggers the next check);
 *  5. no Node yet → unhealthy once nodeStartupTimeout has passed since the latest of the Machine's creation and the
 *     Cluster's ControlPlaneInitialized / InfrastructureReady transitions (NodeStartupTimeout), else undecided until then;
 *  6. a Node condition matching an unhealthyConditions entry (type and status) for longer than its timeout →
 *     unhealthy (UnhealthyNode); a match still within its timeout → undecided until it runs out;
 *  7. otherwise healthy — unless the Machine is being deleted.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { getCondition } from '../../runtime/conditions.js';
import { CONDITIONS, CONTROL_PLANE_LABEL, REASONS, REMEDIATE_MACHINE_ANNOTATION, type Cluster, type Machine, type UnhealthyNodeCondition } from '../../api/cluster/types.js';
import { durationMs, formatDuration } from '../shared/duration.js';

/** Upstream's default for spec.nodeStartupTimeout (10 minutes). */
export const DEFAULT_NODE_STARTUP_TIMEOUT_MS = 10 * 60_000;

/** Targets are checked again one second after a timeout would run out, so the check finds it strictly passed. */
const RECHECK_MARGIN_MS = 1_000;

export interface HealthCheckTarget {
  machine: Machine;
  cluster: Cluster;
  /** The Node named by the Machine's status.nodeRef, when it was found in the workload cluster. */
  node?: KubeObject;
  /** The Machine has a nodeRef, but that Node does not exist (any more). */
  nodeMissing?: boolean;
}

export interface HealthCheckSettings {
  unhealthyConditions: UnhealthyNodeCondition[];
  /** Milliseconds a Machine may go without a Node; 0 turns the check off. */
  nodeStartupTimeoutMs: number;
}

export type TargetVerdict =
  /** Needs remediation: reason and message of the Machine's HealthCheckSucceeded=False condition. */
  | { health: 'unhealthy'; reason: string; message: string }
  | { health: 'healthy' }
  /** Neither (yet): counted as not healthy; check again after recheckInMs, when set. */
  | { health: 'undecided'; recheckInMs?: number };

interface NodeCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
}

function nodeConditions(node: KubeObject): NodeCondition[] {
  const conditions = (node.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(conditions) ? (conditions as NodeCondition[]) : [];
}

/** A timestamp in ms; a missing or unreadable one counts as long ago (Go's zero time). */
function timeMs(text: string | undefined): number {
  const t = text ? Date.parse(text) : NaN;
  return Number.isFinite(t) ? t : Number.MIN_SAFE_INTEGER;
}

export function isControlPlaneMachine(machine: Machine): boolean {
  return machine.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined;
}

function isTrueCondition(obj: KubeObject, type: string): boolean {
  return getCondition(obj, type)?.status === 'True';
}

/** When a Machine without a Node started waiting for one: the latest of its creation and the Cluster's readiness. */
export function nodeStartupSince(machine: Machine, cluster: Cluster): number {
  let since = timeMs(machine.metadata?.creationTimestamp);
  for (const type of [CONDITIONS.controlPlaneInitialized, CONDITIONS.infrastructureReady]) {
    const c = getCondition(cluster, type);
    if (c?.status === 'True' && c.lastTransitionTime) since = Math.max(since, timeMs(c.lastTransitionTime));
  }
  return since;
}

/** The verdict on one target at `nowMs`. Throws when an unhealthyConditions timeout is not a Go duration. */
export function checkTarget(target: HealthCheckTarget, settings: HealthCheckSettings, nowMs: number): TargetVerdict {
  const { machine, cluster, node } = target;
  const status = machine.status ?? {};
  if (machine.metadata?.annotations?.[REMEDIATE_MACHINE_ANNOTATION] !== undefined) {
    return { health: 'unhealthy', reason: REASONS.hasRemediateMachineAnnotation, message: 'Marked for remediation via remediate-machine annotation' };
  }
  if (status.failureReason) return { health: 'unhealthy', reason: REASONS.machineHasFailure, message: `FailureReason: ${status.failureReason}` };
  if (status.failureMessage) return { health: 'unhealthy', reason: REASONS.machineHasFailure, message: `FailureMessage: ${status.failureMessage}` };
  if (target.nodeMissing) return { health: 'unhealthy', reason: REASONS.nodeNotFound, message: '' };
  // Nothing is held against a Machine before its cluster could have given it a Node (the first control-plane Machine
  // is checked as soon as the infrastructure is ready, so it can be remediated).
  if (!isTrueCondition(cluster, CONDITIONS.controlPlaneInitialized) && !isControlPlaneMachine(machine)) return { health: 'undecided' };
  if (!isTrueCondition(cluster, CONDITIONS.infrastructureReady)) return { health: 'undecided' };

  if (!node) {
    const timeout = settings.nodeStartupTimeoutMs;
    if (timeout === 0) return { health: 'undecided' };
    const since = nodeStartupSince(machine, cluster);
    if (since + timeout < nowMs) return { health: 'unhealthy', reason: REASONS.nodeStartupTimeout, message: `Node failed to report startup in ${formatDuration(timeout)}` };
    return { health: 'undecided', recheckInMs: timeout - (nowMs - since) + RECHECK_MARGIN_MS };
  }

  let recheck: number | undefined;
  const conditions = nodeConditions(node);
  for (const [i, u] of settings.unhealthyConditions.entries()) {
    const c = conditions.find((x) => x.type === u.type);
    if (!c || c.status !== u.status) continue;
    const timeout = durationMs(u.timeout, `spec.unhealthyConditions[${i}].timeout`) ?? 0;
    const since = timeMs(c.lastTransitionTime);
    if (since + timeout < nowMs) {
      return { health: 'unhealthy', reason: REASONS.unhealthyNodeCondition, message: `Condition ${u.type} on node is reporting status ${u.status} for more than ${formatDuration(timeout)}` };
    }
    const next = timeout - (nowMs - since) + RECHECK_MARGIN_MS;
    if (next > 0 && (recheck === undefined || next < recheck)) recheck = next;
  }
  if (recheck !== undefined) return { health: 'undecided', recheckInMs: recheck };
  if (machine.metadata?.deletionTimestamp) return { health: 'undecided' };
  return { health: 'healthy' };
}

export interface TargetsHealth<T extends HealthCheckTarget = HealthCheckTarget> {
  healthy: T[];
  unhealthy: { target: T; reason: string; message: string }[];
  /** Targets neither healthy nor unhealthy (no Node yet, a condition within its timeout, being deleted, ...). */
  undecided: T[];
  /** The soonest a target could turn unhealthy, in ms from now (undefined when none could by time alone). */
  recheckInMs?: number;
}

/** Check every target; the next check is due when the soonest timeout runs out. */
export function checkTargets<T extends HealthCheckTarget>(targets: T[], settings: HealthCheckSettings, nowMs: number): TargetsHealth<T> {
  const out: TargetsHealth<T> = { healthy: [], unhealthy: [], undecided: [] };
  for (const t of targets) {
    const v = checkTarget(t, settings, nowMs);
    if (v.health === 'healthy') out.healthy.push(t);
    else if (v.health === 'unhealthy') out.unhealthy.push({ target: t, reason: v.reason, message: v.message });
    else {
      out.undecided.push(t);
      if (v.recheckInMs !== undefined && v.recheckInMs > 0 && (out.recheckInMs === undefined || v.recheckInMs < out.recheckInMs)) out.recheckInMs = v.recheckInMs;
    }
  }
  return out;
}

/** spec.nodeStartupTimeout in ms (unset: upstream's 10 minutes; "0s" turns the check off). */
export function nodeStartupTimeoutMs(text: string | undefined): number {
  return durationMs(text, 'spec.nodeStartupTimeout') ?? DEFAULT_NODE_STARTUP_TIMEOUT_MS;
}
