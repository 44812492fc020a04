/**
 * MachineSet remediation planning (pure), as upstream: a Machine a MachineHealthCheck found unhealthy
 * (HealthCheckSucceeded False) and handed to its owner (OwnerRemediated False) is deleted and replaced. A MachineSet
 * that is not its MachineDeployment's current one leaves them to the rollout; the MachineDeployment's
 * strategy.remediation.maxInFlight bounds how many remediations run at once (Machines already being deleted for
 * remediation count); Machines annotated `cluster.x-k8s.io/remediate-machine` go first, then the newest.
 */
import { CONDITIONS, REMEDIATE_MACHINE_ANNOTATION, type IntOrString, type Machine } from '../../api/cluster/types.js';
import { getCondition } from '../../runtime/conditions.js';
import { scaledValue } from '../shared/intstr.js';

export interface RemediationInput {
  machines: Machine[];
  /** False when the MachineSet belongs to a MachineDeployment whose current revision is another MachineSet. */
  isCurrent: boolean;
  /** The owning MachineDeployment's spec.strategy.remediation.maxInFlight and spec.replicas. */
  maxInFlight?: IntOrString;
  deploymentReplicas?: number;
}

export interface RemediationPlan {
  /** Healthy again (HealthCheckSucceeded True) but still marked OwnerRemediated False: clear the mark. */
  clear: Machine[];
  /** Delete now (after marking OwnerRemediated True). */
  remediate: Machine[];
  /** Waiting: over maxInFlight, or the MachineSet is not current. */
  deferred: Machine[];
  /** Why the deferred ones wait. */
  deferredReason?: string;
}

function isFalse(m: Machine, type: string): boolean {
  return getCondition(m, type)?.status === 'False';
}

function isTrue(m: Machine, type: string): boolean {
  return getCondition(m, type)?.status === 'True';
}

/** Unhealthy per its health check and handed to its owner. */
export function needsRemediation(m: Machine): boolean {
  return !m.metadata?.deletionTimestamp && isFalse(m, CONDITIONS.healthCheckSucceeded) && isFalse(m, CONDITIONS.ownerRemediated);
}

function created(m: Machine): number {
  const t = m.metadata?.creationTimestamp ? Date.parse(m.metadata.creationTimestamp) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Annotated first, then newest first, then by name. */
export function remediationOrder(a: Machine, b: Machine): number {
  const ax = a.metadata?.annotations?.[REMEDIATE_MACHINE_ANNOTATION] !== undefined;
  const bx = b.metadata?.annotations?.[REMEDIATE_MACHINE_ANNOTATION] !== undefined;
  if (ax !== bx) return ax ? -1 : 1;
  const d = created(b) - created(a);
  if (d) return d;
  const an = a.metadata?.name ?? '';
  const bn = b.metadata?.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

export function planRemediation(input: RemediationInput): RemediationPlan {
  const clear = input.machines.filter((m) => !m.metadata?.deletionTimestamp && isTrue(m, CONDITIONS.healthCheckSucceeded) && isFalse(m, CONDITIONS.ownerRemediated));
  const candidates = input.machines.filter(needsRemediation).sort(remediationOrder);
  if (!candidates.length) return { clear, remediate: [], deferred: [] };
  if (!input.isCurrent) return { clear, remediate: [], deferred: candidates, deferredReason: "Machine won't be remediated because it is pending removal due to rollout" };
  let maxInFlight = Number.POSITIVE_INFINITY;
  if (input.maxInFlight !== undefined) maxInFlight = scaledValue(input.maxInFlight, input.deploymentReplicas ?? 1, true, 'spec.strategy.remediation.maxInFlight');
  for (const m of input.machines) if (m.metadata?.deletionTimestamp && isTrue(m, CONDITIONS.ownerRemediated)) maxInFlight--;
  const reason = `Waiting because there are already too many remediations in progress (spec.strategy.remediation.maxInFlight is ${input.maxInFlight})`;
  if (maxInFlight <= 0) return { clear, remediate: [], deferred: candidates, deferredReason: reason };
  if (candidates.length > maxInFlight) return { clear, remediate: candidates.slice(0, maxInFlight), deferred: candidates.slice(maxInFlight), deferredReason: reason };
  return { clear, remediate: candidates, deferred: [] };
}
