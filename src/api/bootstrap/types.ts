/**
 * `bootstrap.cluster.x-k8s.io/v1beta1` types: KubeadmConfig and KubeadmConfigTemplate, with the kubeadm
 * configuration types (ClusterConfiguration, InitConfiguration, JoinConfiguration) as Cluster API embeds them.
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { Condition, TemplateMeta } from '../cluster/types.js';

export const BOOTSTRAP_GROUP = 'bootstrap.cluster.x-k8s.io';
export const BOOTSTRAP_API_VERSION = 'bootstrap.cluster.x-k8s.io/v1beta1';
export const KUBEADM_CONFIG_KIND = { apiVersion: BOOTSTRAP_API_VERSION, kind: 'KubeadmConfig' } as const;
export const KUBEADM_CONFIG_TEMPLATE_KIND = { apiVersion: BOOTSTRAP_API_VERSION, kind: 'KubeadmConfigTemplate' } as const;

/** KubeadmConfig conditions and reasons (upstream values). */
export const BOOTSTRAP_CONDITIONS = {
  dataSecretAvailable: 'DataSecretAvailable',
  certificatesAvailable: 'CertificatesAvailable',
} as const;
export const BOOTSTRAP_REASONS = {
  waitingForClusterInfrastructure: 'WaitingForClusterInfrastructure',
  waitingForControlPlaneAvailable: 'WaitingForControlPlaneAvailable',
  dataSecretGenerationFailed: 'DataSecretGenerationFailed',
  certificatesGenerationFailed: 'CertificatesGenerationFailed',
  certificatesCorrupted: 'CertificatesCorrupted',
} as const;

export type EncryptionAlgorithm = 'ECDSA-P256' | 'ECDSA-P384' | 'RSA-2048' | 'RSA-3072' | 'RSA-4096';

export interface ImageMeta {
  imageRepository?: string;
  imageTag?: string;
}

export interface HostPathMount {
  name: string;
  hostPath: string;
  mountPath: string;
  readOnly?: boolean;
  pathType?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

export interface ControlPlaneComponent {
  extraArgs?: Record<string, string>;
  extraVolumes?: HostPathMount[];
  extraEnvs?: EnvVar[];
}

export interface APIServer extends ControlPlaneComponent {
  certSANs?: string[];
  timeoutForControlPlane?: string;
}

export interface LocalEtcd extends ImageMeta {
  dataDir?: string;
  extraArgs?: Record<string, string>;
  extraEnvs?: EnvVar[];
  serverCertSANs?: string[];
  peerCertSANs?: string[];
}

export interface ExternalEtcd {
  endpoints: string[];
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface ClusterConfiguration {
  apiVersion?: string;
  kind?: string;
  etcd?: { local?: LocalEtcd; external?: ExternalEtcd };
  networking?: { serviceSubnet?: string; podSubnet?: string; dnsDomain?: string };
  kubernetesVersion?: string;
  controlPlaneEndpoint?: string;
  apiServer?: APIServer;
  controllerManager?: ControlPlaneComponent;
  scheduler?: ControlPlaneComponent;
  dns?: ImageMeta;
  certificatesDir?: string;
  imageRepository?: string;
  featureGates?: Record<string, boolean>;
  certificateValidityPeriodDays?: number;
  caCertificateValidityPeriodDays?: number;
  encryptionAlgorithm?: EncryptionAlgorithm;
  clusterName?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface NodeRegistrationOptions {
  name?: string;
  criSocket?: string;
  /** Unset: kubeadm's default (the control-plane taint on control-plane nodes); []: no taints. */
  taints?: Taint[];
  kubeletExtraArgs?: Record<string, string>;
  ignorePreflightErrors?: string[];
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSerial?: boolean;
}

export interface KubeadmAPIEndpoint {
  advertiseAddress?: string;
  bindPort?: number;
}

export interface BootstrapToken {
  /** "abcdef.0123456789abcdef" */
  token: string;
  description?: string;
  ttl?: string;
  expires?: string;
  usages?: string[];
  groups?: string[];
}

export interface InitConfiguration {
  apiVersion?: string;
  kind?: string;
  bootstrapTokens?: BootstrapToken[];
  nodeRegistration?: NodeRegistrationOptions;
  localAPIEndpoint?: KubeadmAPIEndpoint;
  skipPhases?: string[];
  patches?: { directory?: string };
}

export interface BootstrapTokenDiscovery {
  token?: string;
  apiServerEndpoint?: string;
  caCertHashes?: string[];
  unsafeSkipCAVerification?: boolean;
}

export interface JoinConfiguration {
  apiVersion?: string;
  kind?: string;
  nodeRegistration?: NodeRegistrationOptions;
  caCertPath?: string;
  discovery?: {
    bootstrapToken?: BootstrapTokenDiscovery;
    file?: { kubeConfigPath: string; kubeConfig?: Record<string, unknown> };
    tlsBootstrapToken?: string;
    timeout?: string;
  };
  controlPlane?: { localAPIEndpoint?: KubeadmAPIEndpoint };
  skipPhases?: string[];
  patches?: { directory?: string };
}

export type FileEncoding = 'base64' | 'gzip' | 'gzip+base64';

export interface File {
  path: string;
  owner?: string;
  permissions?: string;
  encoding?: FileEncoding;
  append?: boolean;
  content?: string;
  contentFrom?: { secret: { name: string; key: string } };
  contentFormat?: 'Raw' | 'Template';
}

export interface User {
  name: string;
  gecos?: string;
  groups?: string;
  homeDir?: string;
  inactive?: boolean;
  shell?: string;
  passwd?: string;
  passwdFrom?: { secret: { name: string; key: string } };
  primaryGroup?: string;
  lockPassword?: boolean;
  sudo?: string;
  sshAuthorizedKeys?: string[];
}

export interface NTP {
  servers?: string[];
  enabled?: boolean;
}

export interface DiskSetup {
  partitions?: { device: string; layout: boolean; overwrite?: boolean; tableType?: string; diskLayout?: { percentage?: number; partitionType?: string }[] }[];
  filesystems?: { device: string; filesystem: string; label?: string; partition?: string; overwrite?: boolean; replaceFS?: string; extraOpts?: string[] }[];
}

export type BootstrapFormat = 'cloud-config' | 'ignition';

export interface KubeadmConfigSpec {
  clusterConfiguration?: ClusterConfiguration;
  initConfiguration?: InitConfiguration;
  joinConfiguration?: JoinConfiguration;
  files?: File[];
  diskSetup?: DiskSetup;
  mounts?: string[][];
  bootCommands?: string[];
  preKubeadmCommands?: string[];
  postKubeadmCommands?: string[];
  users?: User[];
  ntp?: NTP;
  format?: BootstrapFormat;
  verbosity?: number;
  useExperimentalRetryJoin?: boolean;
  ignition?: { containerLinuxConfig?: { additionalConfig?: string; strict?: boolean } };
}

export interface KubeadmConfigStatus {
  ready?: boolean;
  dataSecretName?: string;
  failureReason?: string;
  failureMessage?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface KubeadmConfig extends KubeObject {
  metadata?: ObjectMeta;
  spec?: KubeadmConfigSpec;
  status?: KubeadmConfigStatus;
}

export interface KubeadmConfigTemplate extends KubeObject {
  metadata?: ObjectMeta;
  spec: { template: { metadata?: TemplateMeta; spec?: KubeadmConfigSpec } };
}
