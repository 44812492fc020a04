/**
 * Whether a MachineHealthCheck may have its unhealthy Machines remediated (Cluster API's short-circuit): the number
 * of not-healthy targets (expected − healthy, so Machines still starting count too) must be at most maxUnhealthy
 * (an int, or a percentage of the expected Machines rounded down), or fall within unhealthyRange "[min-max]", which
 * takes precedence. Pure.
 */
import type { IntOrString, MachineHealthCheckSpec } from '../../api/cluster/types.js';
import { scaledValue } from '../shared/intstr.js';

/** Upstream's default for spec.maxUnhealthy. */
export const DEFAULT_MAX_UNHEALTHY = '100%';

export interface RemediationDecision {
  allowed: boolean;
  /** status.remediationsAllowed: how many more Machines may turn unhealthy and still be remediated (0 when not allowed). */
  remediationsAllowed: number;
  /** Why remediation is not allowed (the RemediationAllowed condition's message); absent when allowed. */
  message?: string;
}

/** spec.maxUnhealthy as a count of `expected` Machines: an int, or a percentage rounded down (upstream's getMaxUnhealthy). */
export function maxUnhealthyLimit(maxUnhealthy: IntOrString | undefined, expected: number): number {
  return scaledValue(maxUnhealthy ?? DEFAULT_MAX_UNHEALTHY, expected, false, 'spec.maxUnhealthy');
}

/** "[min-max]" → { min, max }. */
export function parseUnhealthyRange(text: string): { min: number; max: number } {
  const m = /^\[(\d+)-(\d+)\]$/.exec(text);
  if (!m) throw new Error(`spec.unhealthyRange: invalid value "${text}": must look like "[min-max]", e.g. "[1-3]"`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (max < min) throw new Error(`spec.unhealthyRange: invalid value "${text}": max ${max} is less than min ${min}`);
  return { min, max };
}

/** The short-circuit decision for `expected` targets of which `healthy` are healthy. Throws on an invalid spec. */
export function decideRemediation(spec: Pick<MachineHealthCheckSpec, 'maxUnhealthy' | 'unhealthyRange'>, expected: number, healthy: number): RemediationDecision {
  const unhealthy = expected - healthy;
  if (spec.unhealthyRange !== undefined && spec.unhealthyRange !== null) {
    const { min, max } = parseUnhealthyRange(spec.unhealthyRange);
    if (unhealthy >= min && unhealthy <= max) return { allowed: true, remediationsAllowed: max - unhealthy };
    return {
      allowed: false,
      remediationsAllowed: 0,
      message: `Remediation is not allowed, the number of not started or unhealthy machines does not fall within the range (total: ${expected}, unhealthy: ${unhealthy}, unhealthyRange: ${spec.unhealthyRange})`,
    };
  }
  const maxUnhealthy = spec.maxUnhealthy ?? DEFAULT_MAX_UNHEALTHY;
  const limit = maxUnhealthyLimit(maxUnhealthy, expected);
  if (unhealthy <= limit) return { allowed: true, remediationsAllowed: limit - unhealthy };
  return {
    allowed: false,
    remediationsAllowed: 0,
    message: `Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: ${expected}, unhealthy: ${unhealthy}, maxUnhealthy: ${maxUnhealthy})`,
  };
}
