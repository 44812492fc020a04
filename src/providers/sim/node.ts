/**
 * What a booted sim machine looks like inside its workload cluster, as a kubeadm node shows it: the Node (labels,
 * taints, capacity, conditions, addresses, nodeInfo), the control-plane static Pods with the ClusterConfiguration's
 * extraArgs in their commands, and the kubeadm-config ConfigMap. Pure builders; the machine controller writes them.
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import type { KubeObject } from '../../apimachinery/types.js';
import type { BootFacts } from './boot-facts.js';

export const CERTIFICATES_EXPIRY_POD_ANNOTATION = 'sim.slipway.dev/certificates-expiry';
export const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;
export type ControlPlaneComponent = (typeof CONTROL_PLANE_COMPONENTS)[number];

export interface NodeSpecInput {
  name: string;
  providerID: string;
  os: 'linux' | 'windows';
  image?: string;
  numCPUs: number;
  memoryMiB: number;
  diskGiB: number;
  kubeletVersion: string;
  internalIP: string;
  podCIDR?: string;
  failureDomain?: string;
  facts: BootFacts;
  ready: boolean;
  now: string;
}

/** `ip:port`, the IPv6 address in brackets (as in URLs and kubeadm's endpoints). */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function stableHex(text: string, n = 32): string {
  return createHash('sha256').update(text).digest('hex').slice(0, n);
}

/** The Node a kubelet registers (status included: the kubelet writes both). */
export function buildNode(input: NodeSpecInput): KubeObject {
  const windows = input.os === 'windows';
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': input.os,
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': input.name,
    'kubernetes.io/os': input.os,
    'node.kubernetes.io/instance-type': `sim.${input.numCPUs}c${Math.round(input.memoryMiB / 1024)}g`,
  };
  if (input.failureDomain) labels['topology.kubernetes.io/zone'] = input.failureDomain;
  if (input.facts.controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  Object.assign(labels, input.facts.nodeLabels);
  if (windows) labels['node.kubernetes.io/windows-build'] = '10.0.17763';
  const memKi = input.memoryMiB * 1024;
  const capacity = { cpu: String(input.numCPUs), memory: `${memKi}Ki`, 'ephemeral-storage': `${input.diskGiB * 1024 * 1024}Ki`, pods: '110', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  const allocatable = { cpu: String(input.numCPUs), memory: `${Math.max(0, memKi - 102400)}Ki`, 'ephemeral-storage': `${Math.floor(input.diskGiB * 1024 * 1024 * 0.9)}Ki`, pods: '110', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  const spec: Record<string, unknown> = { providerID: input.providerID };
  if (input.podCIDR) {
    spec.podCIDR = input.podCIDR;
    spec.podCIDRs = [input.podCIDR];
  }
  if (input.facts.taints.length) spec.taints = input.facts.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': windows ? 'npipe:////./pipe/containerd-containerd' : 'unix:///var/run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: {
      capacity,
      allocatable,
      conditions: nodeConditions(input.ready, input.now, input.now),
      addresses: [
        { type: 'InternalIP', address: input.internalIP },
        { type: 'Hostname', address: input.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: stableHex(`machine/${input.providerID}`),
        systemUUID: uuidFrom(`system/${input.providerID}`),
        bootID: uuidFrom(`boot/${input.providerID}/${input.now}`),
        kernelVersion: windows ? '10.0.17763.5458' : '5.15.0-107-generic',
        osImage: input.image ?? (windows ? 'Windows Server 2019 Datacenter' : 'Ubuntu 22.04.4 LTS'),
        containerRuntimeVersion: 'containerd://1.7.13',
        kubeletVersion: input.kubeletVersion,
        kubeProxyVersion: input.kubeletVersion,
        operatingSystem: input.os,
        architecture: 'amd64',
      },
    },
  };
}

function uuidFrom(text: string): string {
  const h = stableHex(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The kubelet's Node conditions: Ready (or not yet), no pressure. */
export function nodeConditions(ready: boolean, heartbeat: string, transition: string): Record<string, unknown>[] {
  const ok = (type: string, reason: string, message: string): Record<string, unknown> => ({ type, status: 'False', reason, message, lastHeartbeatTime: heartbeat, lastTransitionTime: transition });
  return [
    ok('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    ok('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    ok('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: heartbeat, lastTransitionTime: transition }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized', lastHeartbeatTime: heartbeat, lastTransitionTime: transition },
  ];
}

/** The conditions of a Node whose kubelet stopped posting status (the node lifecycle controller's view). */
export function unknownNodeConditions(previous: Record<string, unknown>[], now: string): Record<string, unknown>[] {
  return previous.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : now }));
}

/** kubeadm's default flags of each control-plane component, before extraArgs override them. */
function defaultArgs(component: ControlPlaneComponent, ip: string, nodeName: string, facts: BootFacts): Record<string, string> {
  const cc = (facts.clusterConfiguration ?? {}) as { networking?: { serviceSubnet?: string; podSubnet?: string } };
  const serviceSubnet = cc.networking?.serviceSubnet ?? '10.96.0.0/12';
  switch (component) {
    case 'kube-apiserver':
      return {
        'advertise-address': ip,
        'allow-privileged': 'true',
        'authorization-mode': 'Node,RBAC',
        'client-ca-file': '/etc/kubernetes/pki/ca.crt',
        'enable-admission-plugins': 'NodeRestriction',
        'enable-bootstrap-token-auth': 'true',
        'etcd-servers': 'https://127.0.0.1:2379',
        'secure-port': '6443',
        'service-account-issuer': 'https://kubernetes.default.svc.cluster.local',
        'service-account-key-file': '/etc/kubernetes/pki/sa.pub',
        'service-account-signing-key-file': '/etc/kubernetes/pki/sa.key',
        'service-cluster-ip-range': serviceSubnet,
        'tls-cert-file': '/etc/kubernetes/pki/apiserver.crt',
        'tls-private-key-file': '/etc/kubernetes/pki/apiserver.key',
      };
    case 'kube-controller-manager':
      return {
        'allocate-node-cidrs': cc.networking?.podSubnet ? 'true' : 'false',
        ...(cc.networking?.podSubnet ? { 'cluster-cidr': cc.networking.podSubnet } : {}),
        'authentication-kubeconfig': '/etc/kubernetes/controller-manager.conf',
        'authorization-kubeconfig': '/etc/kubernetes/controller-manager.conf',
        'bind-address': '127.0.0.1',
        'cluster-signing-cert-file': '/etc/kubernetes/pki/ca.crt',
        'cluster-signing-key-file': '/etc/kubernetes/pki/ca.key',
        kubeconfig: '/etc/kubernetes/controller-manager.conf',
        'leader-elect': 'true',
        'service-cluster-ip-range': serviceSubnet,
        'use-service-account-credentials': 'true',
      };
    case 'kube-scheduler':
      return { 'authentication-kubeconfig': '/etc/kubernetes/scheduler.conf', 'authorization-kubeconfig': '/etc/kubernetes/scheduler.conf', 'bind-address': '127.0.0.1', kubeconfig: '/etc/kubernetes/scheduler.conf', 'leader-elect': 'true' };
    case 'etcd':
      return {
        'advertise-client-urls': `https://${joinHostPort(ip, 2379)}`,
        'cert-file': '/etc/kubernetes/pki/etcd/server.crt',
        'client-cert-auth': 'true',
        'data-dir': '/var/lib/etcd',
        'initial-advertise-peer-urls': `https://${joinHostPort(ip, 2380)}`,
        'key-file': '/etc/kubernetes/pki/etcd/server.key',
        'listen-client-urls': `https://127.0.0.1:2379,https://${joinHostPort(ip, 2379)}`,
        'listen-peer-urls': `https://${joinHostPort(ip, 2380)}`,
        name: nodeName,
        'peer-client-cert-auth': 'true',
        'trusted-ca-file': '/etc/kubernetes/pki/etcd/ca.crt',
      };
  }
}

function extraArgsOf(component: ControlPlaneComponent, facts: BootFacts): Record<string, string> {
  switch (component) {
    case 'kube-apiserver':
      return facts.apiServerArgs;
    case 'kube-controller-manager':
      return facts.controllerManagerArgs;
    case 'kube-scheduler':
      return facts.schedulerArgs;
    case 'etcd':
      return facts.etcdArgs;
  }
}

export interface StaticPodInput {
  component: ControlPlaneComponent;
  node: KubeObject;
  internalIP: string;
  kubernetesVersion: string;
  imageRepository: string;
  facts: BootFacts;
  now: string;
  /** When the node's certificates expire (kube-apiserver only). */
  certificatesExpiry?: string;
}

/** A control-plane static Pod as the kubelet mirrors it into the API: its command carries kubeadm's flags and the extraArgs. */
export function buildStaticPod(input: StaticPodInput): KubeObject {
  const nodeName = input.node.metadata!.name!;
  const args = { ...defaultArgs(input.component, input.internalIP, nodeName, input.facts), ...extraArgsOf(input.component, input.facts) };
  const command = [input.component, ...Object.keys(args).sort().map((k) => `--${k}=${args[k]}`)];
  const etcdTag = '3.5.12-0';
  const image = input.component === 'etcd' ? `${input.imageRepository}/etcd:${etcdTag}` : `${input.imageRepository}/${input.component}:${input.kubernetesVersion}`;
  const spec = { containers: [{ name: input.component, image, command, imagePullPolicy: 'IfNotPresent' }], hostNetwork: true, nodeName, priority: 2000001000, priorityClassName: 'system-node-critical', restartPolicy: 'Always', tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] };
  const hash = stableHex(JSON.stringify(spec), 32);
  const annotations: Record<string, string> = { 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash, 'kubernetes.io/config.seen': input.now, 'kubernetes.io/config.source': 'file' };
  if (input.component === 'kube-apiserver') annotations['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint'] = joinHostPort(input.internalIP, 6443);
  if (input.component === 'etcd') annotations['kubeadm.kubernetes.io/etcd.advertise-client-urls'] = `https://${joinHostPort(input.internalIP, 2379)}`;
  if (input.certificatesExpiry && input.component === 'kube-apiserver') annotations[CERTIFICATES_EXPIRY_POD_ANNOTATION] = input.certificatesExpiry;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${input.component}-${nodeName}`,
      namespace: 'kube-system',
      labels: { component: input.component, tier: 'control-plane' },
      annotations,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: input.node.metadata!.uid!, controller: true }],
    },
    spec,
    status: {
      phase: 'Running',
      hostIP: input.internalIP,
      podIP: input.internalIP,
      podIPs: [{ ip: input.internalIP }],
      startTime: input.now,
      qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: input.now })),
      containerStatuses: [{ name: input.component, image, imageID: `${image}@sha256:${stableHex(image, 64)}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: input.now } }, containerID: `containerd://${stableHex(`${nodeName}/${input.component}/${input.now}`, 64)}` }],
    },
  };
}

/** The kubeadm-config ConfigMap `kubeadm init` leaves in kube-system. */
export function buildKubeadmConfigMap(facts: BootFacts, kubernetesVersion: string, controlPlaneEndpoint: string): KubeObject {
  const cc: Record<string, unknown> = { apiVersion: 'kubeadm.k8s.io/v1beta3', kind: 'ClusterConfiguration', ...(facts.clusterConfiguration ?? {}) };
  cc.kubernetesVersion = kubernetesVersion;
  cc.controlPlaneEndpoint ??= controlPlaneEndpoint;
  cc.certificatesDir ??= '/etc/kubernetes/pki';
  cc.imageRepository ??= 'registry.k8s.io';
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config', namespace: 'kube-system' }, data: { ClusterConfiguration: YAML.stringify(cc) } };
}

/** The cluster-info ConfigMap in kube-public (the CA and endpoint joining nodes discover). */
export function buildClusterInfo(caPem: string, server: string): KubeObject {
  const kubeconfig = YAML.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster: { 'certificate-authority-data': Buffer.from(caPem).toString('base64'), server } }], contexts: null, 'current-context': '', preferences: {}, users: null });
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig } };
}

/** The node's Lease in kube-node-lease (the kubelet's heartbeat). */
export function buildNodeLease(node: KubeObject, renewTime: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node.metadata!.name, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata!.name!, uid: node.metadata!.uid! }] },
    spec: { holderIdentity: node.metadata!.name, leaseDurationSeconds: 40, renewTime },
  };
}

/** A machine's addresses in its cluster's machine network: 10.<a>.<b>.0/20 chosen by the cluster, host by index. */
export function machineAddress(clusterKey: string, index: number): string {
  const h = createHash('sha256').update(clusterKey).digest();
  const a = h[0]!;
  const b = (h[1]! & 0x0f) << 4;
  const host = index + 10;
  return `10.${a}.${b + (host >> 8)}.${host & 0xff}`;
}

/** The index-th /24 of the cluster's pod network (default 192.168.0.0/16). */
export function podCIDR(podNetwork: string | undefined, index: number): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(podNetwork ?? '192.168.0.0/16');
  if (!m) return undefined;
  const prefix = Number(m[5]);
  if (prefix > 24) return undefined;
  const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const slots = 2 ** (24 - prefix);
  if (index >= slots) return undefined;
  const net = (base + index * 256) >>> 0;
  return `${net >>> 24}.${(net >> 16) & 0xff}.${(net >> 8) & 0xff}.0/24`;
}
