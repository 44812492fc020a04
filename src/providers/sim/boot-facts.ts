/** What a sim machine takes from its bootstrap data when it "boots": the facts that show up in the workload cluster. */
import type { Taint } from '../../api/bootstrap/types.js';

export interface BootFile {
  path: string;
  content: Buffer;
  owner?: string;
  permissions?: string;
}

export interface BootFacts {
  format: 'cloud-config' | 'ignition';
  /** What kubeadm ran: init (first control plane), join, or nothing (no kubeadm command found). */
  mode: 'init' | 'join' | 'none';
  /** A control-plane node (init, or join with a controlPlane section). */
  controlPlane: boolean;
  kubernetesVersion?: string;
  /** Labels the kubelet registers the Node with (`--node-labels`). */
  nodeLabels: Record<string, string>;
  /** Taints the Node registers with (`--register-with-taints` and nodeRegistration.taints, kubeadm defaults applied). */
  taints: Taint[];
  /** extraArgs of the control-plane components (ClusterConfiguration), for the static Pods' commands. */
  apiServerArgs: Record<string, string>;
  controllerManagerArgs: Record<string, string>;
  schedulerArgs: Record<string, string>;
  etcdArgs: Record<string, string>;
  /** The ClusterConfiguration of an init (kept in the kubeadm-config ConfigMap). */
  clusterConfiguration?: Record<string, unknown>;
  /** kubeadm's certificate validity for the node's certificates, days (default 365). */
  certificateValidityDays: number;
  files: BootFile[];
  /** Commands run (pre-kubeadm, kubeadm, post-kubeadm). */
  commands: string[];
  /** The bootstrap token a join authenticates with ("abcdef.0123456789abcdef"). */
  joinToken?: string;
}
