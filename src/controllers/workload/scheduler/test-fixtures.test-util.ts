/** Builders shared by the scheduler's tests (not a test file itself). */
import { ClusterSnapshot } from './snapshot.js';
import type { Container, NodeLike, PodLike, PodSpec, ResourceList, Taint } from './types.js';

let uid = 0;

export function container(requests: ResourceList = {}): Container {
  return { name: 'c', resources: { requests } };
}

export function pod(name: string, spec: PodSpec = {}, labels: Record<string, string> = {}, namespace = 'default'): PodLike {
  return { metadata: { name, namespace, uid: `uid-${name}-${++uid}`, labels }, spec: { containers: [container()], ...spec } };
}

export function node(name: string, allocatable: ResourceList = { cpu: '4', memory: '8Gi', pods: '110' }, labels: Record<string, string> = {}, taints: Taint[] = []): NodeLike {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints }, status: { allocatable } };
}

export function snapshotOf(nodes: NodeLike[], pods: PodLike[] = []): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (const n of nodes) s.setNode(n);
  for (const p of pods) s.setPod(p);
  return s;
}
