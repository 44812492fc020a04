/**
 * What every bootstrap format renders (upstream's BaseUserData): the files to write, the commands around kubeadm,
 * users, NTP, disks and mounts, and which kubeadm command runs with which config. Built once from a KubeadmConfig
 * (files and users already resolved from their Secrets) and handed to the cloud-init or Ignition renderer.
 */
import type { DiskSetup, File, NTP, User } from '../../api/bootstrap/types.js';

/** Init: the first control-plane node. Join: a further control-plane node or a worker. */
export type BootstrapMode = 'init' | 'join-control-plane' | 'join-worker';

/** Written by the kubeadm command line when it succeeds (both formats); tells infrastructure providers the node bootstrapped. */
export const SENTINEL_FILE = '/run/cluster-api/bootstrap-success.complete';
export const SENTINEL_COMMAND = `echo success > ${SENTINEL_FILE}`;
/** Makes cloud-init create /run/cluster-api in a way that also works on Windows. */
export const PLACEHOLDER_FILE = '/run/cluster-api/placeholder';
export const CLOUD_INIT_INIT_CONFIG = '/run/kubeadm/kubeadm.yaml';
export const CLOUD_INIT_JOIN_CONFIG = '/run/kubeadm/kubeadm-join-config.yaml';
/** The join script `useExperimentalRetryJoin` runs instead of a bare `kubeadm join`. */
export const RETRY_JOIN_SCRIPT = '/usr/local/bin/kubeadm-bootstrap-script';
export const IGNITION_KUBEADM_CONFIG = '/etc/kubeadm.yml';
export const IGNITION_KUBEADM_SCRIPT = '/etc/kubeadm.sh';

export interface UserData {
  mode: BootstrapMode;
  /**
   * The kubeadm config documents: for init the ClusterConfiguration and InitConfiguration, for a join the
   * JoinConfiguration (each a YAML document as kubeadm writes it).
   */
  kubeadmDocuments: string[];
  /** Files before the kubeadm config: certificates (control-plane nodes), then spec.files (resolved). */
  writeFiles: File[];
  bootCommands: string[];
  preKubeadmCommands: string[];
  postKubeadmCommands: string[];
  users: User[];
  ntp?: NTP;
  diskSetup?: DiskSetup;
  mounts?: string[][];
  /** kubeadm's `--v` level. */
  verbosity?: number;
  useExperimentalRetryJoin?: boolean;
}

/** ` --v N` or ''. */
export function verbosityFlag(verbosity: number | undefined): string {
  return verbosity === undefined || verbosity === null ? '' : ` --v ${Math.trunc(verbosity)}`;
}

/** The kubeadm subcommand of a mode. */
export function kubeadmSubcommand(mode: BootstrapMode): 'init' | 'join' {
  return mode === 'init' ? 'init' : 'join';
}

/** cloud-init's numeric partition type of a disk layout's partitionType name (raw values pass through). */
export function cloudInitPartitionType(partitionType: string): string {
  const known: Record<string, string> = { Linux: '83', LinuxSwap: '82', LinuxRAID: 'fd', LVM: '8e', Fat32: '0c', NTFS: '07', LinuxExtended: '85' };
  return known[partitionType] ?? partitionType;
}
