/**
 * The control plane as the workload cluster shows it: per control-plane Machine, the health of its static Pods
 * (kube-apiserver, kube-controller-manager, kube-scheduler, etcd) and of its etcd member; whether kubeadm init has run
 * (the kubeadm-config ConfigMap exists); which Nodes are Ready. Pure: it reads objects the caller listed.
 */
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import type { Machine } from '../../api/cluster/types.js';

export const COMPONENTS = [
  { name: 'kube-apiserver', condition: 'APIServerPodHealthy' },
  { name: 'kube-controller-manager', condition: 'ControllerManagerPodHealthy' },
  { name: 'kube-scheduler', condition: 'SchedulerPodHealthy' },
  { name: 'etcd', condition: 'EtcdPodHealthy' },
] as const;

export interface ComponentHealth {
  condition: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface MachineHealth {
  machine: string;
  node?: string;
  nodeReady: boolean;
  components: ComponentHealth[];
  /** The machine runs an etcd member that is up. */
  etcdMember: boolean;
  etcdHealthy: boolean;
  /** When the machine's certificates expire (from its kube-apiserver), if known. */
  certificatesExpiry?: string;
}

export interface ControlPlaneHealth {
  initialized: boolean;
  machines: MachineHealth[];
  /** etcd members (one per etcd Pod) and whether each is healthy. */
  members: { name: string; healthy: boolean }[];
  componentsHealthy: boolean;
  etcdHealthy: boolean;
  componentsMessage: string;
  etcdMessage: string;
}

function ready(obj: KubeObject | undefined, type = 'Ready'): boolean {
  const conds = isPlainObject(obj?.status) && Array.isArray(obj!.status.conditions) ? (obj!.status.conditions as { type: string; status: string }[]) : [];
  return conds.some((c) => c.type === type && c.status === 'True');
}

export function inspectControlPlane(input: { machines: Machine[]; nodes: KubeObject[]; kubeSystemPods: KubeObject[]; kubeadmConfigExists: boolean; certificatesExpiryAnnotation: string }): ControlPlaneHealth {
  const nodes = new Map(input.nodes.map((n) => [n.metadata!.name!, n]));
  const pods = new Map(input.kubeSystemPods.map((p) => [p.metadata!.name!, p]));
  const machines: MachineHealth[] = [];
  for (const m of input.machines) {
    const nodeName = m.status?.nodeRef?.name;
    const node = nodeName ? nodes.get(nodeName) : undefined;
    const nodeReady = ready(node);
    const h: MachineHealth = { machine: m.metadata!.name!, node: nodeName, nodeReady, components: [], etcdMember: false, etcdHealthy: false };
    if (nodeName) {
      for (const c of COMPONENTS) {
        const pod = pods.get(`${c.name}-${nodeName}`);
        if (!node) h.components.push({ condition: c.condition, status: 'Unknown', reason: 'PodInspectionFailed', message: `Node ${nodeName} does not exist` });
        else if (!nodeReady) h.components.push({ condition: c.condition, status: 'Unknown', reason: 'PodInspectionFailed', message: 'Node is unreachable' });
        else if (!pod) h.components.push({ condition: c.condition, status: 'False', reason: 'PodMissing', message: `Pod ${c.name}-${nodeName} is missing` });
        else if ((pod.status as { phase?: string } | undefined)?.phase === 'Failed') h.components.push({ condition: c.condition, status: 'False', reason: 'PodFailed', message: `Pod ${c.name}-${nodeName} has failed` });
        else if (!ready(pod)) h.components.push({ condition: c.condition, status: 'False', reason: 'PodProvisioning', message: `Pod ${c.name}-${nodeName} is not ready yet` });
        else h.components.push({ condition: c.condition, status: 'True' });
        if (c.name === 'kube-apiserver' && pod) h.certificatesExpiry = pod.metadata?.annotations?.[input.certificatesExpiryAnnotation];
      }
      const etcd = pods.get(`etcd-${nodeName}`);
      h.etcdMember = !!etcd;
      h.etcdHealthy = !!etcd && nodeReady && ready(etcd);
    }
    machines.push(h);
  }
  const members = input.kubeSystemPods
    .filter((p) => p.metadata?.labels?.component === 'etcd')
    .map((p) => {
      const nodeName = (p.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
      return { name: nodeName, healthy: ready(p) && ready(nodes.get(nodeName)) };
    });
  const withNodes = machines.filter((h) => h.node);
  const badComponents = withNodes.filter((h) => h.components.some((c) => c.status !== 'True'));
  const badEtcd = withNodes.filter((h) => !h.etcdHealthy);
  return {
    initialized: input.kubeadmConfigExists,
    machines,
    members,
    componentsHealthy: withNodes.length > 0 && badComponents.length === 0,
    etcdHealthy: withNodes.length > 0 && badEtcd.length === 0 && members.every((m) => m.healthy),
    componentsMessage: badComponents.length ? `Following machines are reporting control plane errors: ${badComponents.map((h) => h.machine).sort().join(', ')}` : '',
    etcdMessage: badEtcd.length ? `Following machines are reporting etcd member errors: ${badEtcd.map((h) => h.machine).sort().join(', ')}` : members.some((m) => !m.healthy) ? `etcd members without a healthy machine: ${members.filter((m) => !m.healthy).map((m) => m.name).join(', ')}` : '',
  };
}
