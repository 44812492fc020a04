/** The small per-node filters: NodeUnschedulable, NodeName and NodePorts. */
import type { PodInfo } from './pod-info.js';
import type { NodeInfo } from './snapshot.js';
import { tolerationsTolerateTaint } from './taints.js';
import type { FilterFailure, PodLike } from './types.js';

export const ERR_NODE_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_NODE_NAME = "node(s) didn't match the requested node name";
export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** A cordoned node admits only pods tolerating node.kubernetes.io/unschedulable:NoSchedule. */
export function filterNodeUnschedulable(pod: PodLike, node: NodeInfo): FilterFailure | null {
  if (!node.node?.spec?.unschedulable) return null;
  if (tolerationsTolerateTaint(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return null;
  return { plugin: 'NodeUnschedulable', code: 'UnschedulableAndUnresolvable', reasons: [ERR_NODE_UNSCHEDULABLE] };
}

export function filterNodeName(pod: PodLike, node: NodeInfo): FilterFailure | null {
  const want = pod.spec?.nodeName;
  if (!want || want === node.name) return null;
  return { plugin: 'NodeName', code: 'UnschedulableAndUnresolvable', reasons: [ERR_NODE_NAME] };
}

/** A host port conflicts when protocol and port agree and either IP is the wildcard or both are equal. */
export function filterNodePorts(pod: PodInfo, node: NodeInfo): FilterFailure | null {
  if (pod.hostPorts.length === 0 || node.usedPorts.size === 0) return null;
  for (const want of pod.hostPorts) {
    for (const used of node.usedPorts.keys()) {
      const [protocol, port, ip] = used.split('/');
      if (protocol !== want.protocol || Number(port) !== want.port) continue;
      if (ip === '0.0.0.0' || want.ip === '0.0.0.0' || ip === want.ip) {
        return { plugin: 'NodePorts', code: 'Unschedulable', reasons: [ERR_NODE_PORTS] };
      }
    }
  }
  return null;
}
