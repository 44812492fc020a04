/**
 * spec.podFailurePolicy (upstream matchPodFailurePolicy): the first rule matching a failed Pod — by a container's
 * non-zero exit code (In/NotIn, optionally one container) or by a Pod condition — decides: FailJob fails the Job with
 * a message naming the container or condition, Ignore does not count the failure towards backoffLimit, Count counts it.
 * FailIndex (with backoffLimitPerIndex) counts and marks the Pod's index failed. Pure.
 */
export interface PodFailurePolicyRule {
  action: string;
  onExitCodes?: { containerName?: string; operator: string; values: number[] } | null;
  onPodConditions?: { type: string; status?: string }[] | null;
}

export interface PodFailurePolicy {
  rules?: PodFailurePolicyRule[];
}

interface ContainerStatus {
  name: string;
  state?: { terminated?: { exitCode?: number } | null } | null;
}

export interface FailedPod {
  metadata?: { name?: string; namespace?: string };
  status?: { conditions?: { type: string; status: string }[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

export interface PolicyDecision {
  /** The failure counts towards backoffLimit. */
  count: boolean;
  /** Set when a FailJob rule matched: the FailureTarget/Failed message. */
  failJobMessage?: string;
  action?: string;
}

function matchingContainer(list: ContainerStatus[] | undefined, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): { name: string; code: number } | undefined {
  for (const cs of list ?? []) {
    const code = cs.state?.terminated?.exitCode;
    if (code === undefined || code === null) continue;
    if (req.containerName && req.containerName !== cs.name) continue;
    if (code === 0) continue;
    const listed = req.values.includes(code);
    if ((req.operator === 'In' && listed) || (req.operator === 'NotIn' && !listed)) return { name: cs.name, code };
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined | null, pod: FailedPod): PolicyDecision {
  if (!policy) return { count: true };
  const where = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (const [i, rule] of (policy.rules ?? []).entries()) {
    let subject: string | undefined;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (c) subject = `Container ${c.name} for pod ${where} failed with exit code ${c.code}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((pc) => rule.onPodConditions!.some((p) => p.type === pc.type && (p.status ?? 'True') === pc.status));
      if (cond) subject = `Pod ${where} has condition ${cond.type}`;
    }
    if (subject === undefined) continue;
    switch (rule.action) {
      case 'Ignore':
        return { count: false, action: 'Ignore' };
      case 'FailJob':
        return { count: true, action: 'FailJob', failJobMessage: `${subject} matching FailJob rule at index ${i}` };
      default:
        return { count: true, action: rule.action };
    }
  }
  return { count: true };
}
