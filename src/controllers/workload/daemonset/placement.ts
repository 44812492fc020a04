/**
 * Where a DaemonSet's Pods belong (upstream's NodeShouldRunDaemonPod and the daemon Pod tolerations): a Node should
 * run a daemon Pod when the Pod's nodeName (if any), nodeSelector and required node affinity match it and it has no
 * NoSchedule/NoExecute taint the Pod does not tolerate; a Pod already there keeps running unless the node no longer
 * matches or has an untolerated NoExecute taint. Pure.
 */
import type { Affinity, Taint, Toleration } from '../scheduler/types.js';
import { podMatchesNodeSelectorAndAffinity } from '../scheduler/node-affinity.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../scheduler/taints.js';
import type { PodSpec } from '../shared/pods.js';

export interface NodeForPlacement {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { taints?: Taint[] | null; unschedulable?: boolean | null };
}

export interface Placement {
  /** A daemon Pod should be created here. */
  shouldRun: boolean;
  /** A daemon Pod already here may stay. */
  shouldContinueRunning: boolean;
}

/** Tolerations every daemon Pod gets (no tolerationSeconds: never evicted for these). */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator || 'Equal') === (b.operator || 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** The template's tolerations with the daemon ones added (an equal toleration is replaced, as AddOrUpdateTolerationInPodSpec). */
export function withDaemonTolerations(tolerations: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const t of daemonPodTolerations(hostNetwork)) {
    const i = out.findIndex((x) => sameToleration(x, t));
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** Required node affinity pinned to one node by name (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function pinnedAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  return {
    ...(affinity ?? {}),
    nodeAffinity: {
      ...(affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
    },
  };
}

/** The node a daemon Pod is meant for: its nodeName, else the metadata.name its required affinity pins. */
export function targetNodeOf(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export function placement(templateSpec: PodSpec | undefined, node: NodeForPlacement): Placement {
  const name = node.metadata?.name ?? '';
  if (templateSpec?.nodeName && templateSpec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(templateSpec?.tolerations, !!templateSpec?.hostNetwork);
  const pod = { spec: { nodeSelector: templateSpec?.nodeSelector, affinity: templateSpec?.affinity } };
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  if (findUntoleratedTaint(taints, tolerations)) {
    const noExecute = taints.some((t) => t.effect === 'NoExecute' && !tolerationsTolerateTaint(tolerations, t));
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
