/**
 * `infrastructure.slipway.dev/v1alpha1` types of the embedded `sim` provider: SimCluster, SimClusterTemplate,
 * SimMachine and SimMachineTemplate. They follow Cluster API's infrastructure provider contract (spec.providerID,
 * spec.controlPlaneEndpoint, status.ready, status.addresses, status.failureReason/failureMessage, conditions) and add
 * simulation knobs: how long a machine takes to boot, and failures to inject.
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { APIEndpoint, Condition, FailureDomainSpec, MachineAddress, TemplateMeta } from '../cluster/types.js';

export const INFRASTRUCTURE_GROUP = 'infrastructure.slipway.dev';
export const INFRASTRUCTURE_API_VERSION = 'infrastructure.slipway.dev/v1alpha1';
export const SIM_CLUSTER_KIND = { apiVersion: INFRASTRUCTURE_API_VERSION, kind: 'SimCluster' } as const;
export const SIM_CLUSTER_TEMPLATE_KIND = { apiVersion: INFRASTRUCTURE_API_VERSION, kind: 'SimClusterTemplate' } as const;
export const SIM_MACHINE_KIND = { apiVersion: INFRASTRUCTURE_API_VERSION, kind: 'SimMachine' } as const;
export const SIM_MACHINE_TEMPLATE_KIND = { apiVersion: INFRASTRUCTURE_API_VERSION, kind: 'SimMachineTemplate' } as const;

export const SIM_MACHINE_POOL_KIND = { apiVersion: INFRASTRUCTURE_API_VERSION, kind: 'SimMachinePool' } as const;
export const SIM_MACHINE_POOL_TEMPLATE_KIND = { apiVersion: INFRASTRUCTURE_API_VERSION, kind: 'SimMachinePoolTemplate' } as const;

export const SIM_CLUSTER_FINALIZER = 'simcluster.infrastructure.slipway.dev';
export const SIM_MACHINE_FINALIZER = 'simmachine.infrastructure.slipway.dev';
export const SIM_MACHINE_POOL_FINALIZER = 'simmachinepool.infrastructure.slipway.dev';
/** On the IPAddressClaims a SimMachine makes: they go only when the SimMachine lets them go (on its deletion). */
export const SIM_IP_CLAIM_FINALIZER = 'infrastructure.slipway.dev/ip-claim-protection';

/** Chaos annotations on a SimMachine (they win over spec.failure). */
export const SIM_ANNOTATIONS = {
  /** Value: the failure message; provisioning fails with reason CreateError. */
  failProvisioning: 'sim.slipway.dev/fail-provisioning',
  /** "true": the kubelet stops posting status; the Node turns NotReady (Ready=Unknown). */
  nodeNotReady: 'sim.slipway.dev/node-not-ready',
  /** "true": the machine disappears: its Node goes away and the SimMachine reports the VM missing. */
  vanish: 'sim.slipway.dev/vanish',
} as const;

export const SIM_CONDITIONS = {
  vmProvisioned: 'VMProvisioned',
  bootstrapExecSucceeded: 'BootstrapExecSucceeded',
  loadBalancerAvailable: 'LoadBalancerAvailable',
  /** SimMachinePool: every desired instance has booted at the pool's version. */
  replicasReady: 'ReplicasReady',
  /** Every IPAddressClaim of the machine's network devices has its address (CAPV's condition). */
  ipAddressClaimed: 'IPAddressClaimed',
} as const;

export const SIM_REASONS = {
  waitingForBootstrapData: 'WaitingForBootstrapData',
  waitingForClusterInfrastructure: 'WaitingForClusterInfrastructure',
  waitingForControlPlaneAvailable: 'WaitingForControlPlaneAvailable',
  provisioning: 'Provisioning',
  provisioningFailed: 'ProvisioningFailed',
  bootstrapFailed: 'BootstrapFailed',
  vmNotFound: 'VMNotFound',
  /** IPAddressClaimed False: some of the machine's claims were only just created. */
  ipAddressClaimsBeingCreated: 'IPAddressClaimsBeingCreated',
  /** IPAddressClaimed False: the claims exist but not all have an address yet. */
  waitingForIPAddress: 'WaitingForIPAddress',
  /** IPAddressClaimed False: a claim points at an IPAddress that does not exist. */
  ipAddressClaimNotFound: 'IPAddressClaimNotFound',
} as const;

/** How long things take and what goes wrong (all times in seconds; 0 is instant, for tests and benchmarks). */
export interface SimBehaviour {
  /** Boot time of the machine (default 8). */
  provisioningSeconds?: number;
  /** Up to this many seconds are added at random to the boot time (default 4). */
  provisioningJitterSeconds?: number;
  /** Time from boot to the kubelet registering a Ready Node (default 2). */
  nodeReadySeconds?: number;
}

export interface SimFailure {
  /** Provisioning fails with this message (reason CreateError). */
  provisioning?: string;
  /** The Node reports NotReady after boot. */
  nodeNotReady?: boolean;
  /** The machine vanishes after boot. */
  vanish?: boolean;
}

export interface SimClusterSpec {
  /** Set by the provider to the workload cluster's API endpoint. */
  controlPlaneEndpoint?: APIEndpoint;
  /** Failure domains offered to Cluster API (default: zone-a, zone-b, zone-c, all for control planes). */
  failureDomains?: Record<string, FailureDomainSpec>;
  /** Seconds until the cluster infrastructure is ready (default 1). */
  provisioningSeconds?: number;
}

export interface SimClusterStatus {
  ready?: boolean;
  failureDomains?: Record<string, FailureDomainSpec>;
  failureReason?: string;
  failureMessage?: string;
  conditions?: Condition[];
}

export interface SimCluster extends KubeObject {
  metadata?: ObjectMeta;
  spec?: SimClusterSpec;
  status?: SimClusterStatus;
}

export interface SimClusterTemplate extends KubeObject {
  metadata?: ObjectMeta;
  spec: { template: { metadata?: TemplateMeta; spec?: SimClusterSpec } };
}

/** An IP pool a network device takes an address from (CAPV's IPPoolReference). */
export interface SimIPPoolReference {
  apiGroup: string;
  kind: string;
  name: string;
}

/** One network device of a machine (a subset of CAPV's NetworkDeviceSpec). */
export interface SimNetworkDevice {
  networkName?: string;
  dhcp4?: boolean;
  dhcp6?: boolean;
  /** One IPAddressClaim per pool; the device gets the claimed addresses. */
  addressesFromPools?: SimIPPoolReference[];
}

export interface SimNetworkSpec {
  devices: SimNetworkDevice[];
}

export interface SimMachineSpec {
  /** `sim://<namespace>/<name>`; set by the provider. */
  providerID?: string;
  /** Machine size: the Node's capacity. Defaults 2 CPUs, 4096 MiB, 20 GiB. */
  numCPUs?: number;
  memoryMiB?: number;
  diskGiB?: number;
  /** Operating system of the image (default linux). */
  os?: 'linux' | 'windows';
  /** Image name shown as the Node's osImage (default "Ubuntu 22.04.4 LTS" / "Windows Server 2019 Datacenter"). */
  image?: string;
  /** Failure domain the machine landed in (copied from the Machine). */
  failureDomain?: string;
  /** Network devices; addresses from IP pools are claimed before the machine boots. */
  network?: SimNetworkSpec;
  behaviour?: SimBehaviour;
  failure?: SimFailure;
}

/** A file the machine's bootstrap data wrote. */
export interface SimMachineFile {
  path: string;
  sha256: string;
  owner?: string;
  permissions?: string;
  size: number;
}

export interface SimMachineStatus {
  ready?: boolean;
  addresses?: MachineAddress[];
  failureReason?: string;
  failureMessage?: string;
  conditions?: Condition[];
  /** The bootstrap data format the machine booted with, and what kubeadm ran. */
  bootstrap?: { format: 'cloud-config' | 'ignition'; kubeadm: 'init' | 'join' | 'none'; commands?: number };
  files?: SimMachineFile[];
  /** The Node this machine registered as. */
  nodeName?: string;
  /** RFC 3339 time the VM started booting. */
  provisioningStartedAt?: string;
  /** RFC 3339 time the VM finished booting. */
  bootedAt?: string;
}

export interface SimMachine extends KubeObject {
  metadata?: ObjectMeta;
  spec?: SimMachineSpec;
  status?: SimMachineStatus;
}

export interface SimMachineTemplate extends KubeObject {
  metadata?: ObjectMeta;
  spec: { template: { metadata?: TemplateMeta; spec?: SimMachineSpec } };
}

/** What every instance of a SimMachinePool is (a SimMachine spec without the per-machine fields). */
export interface SimMachinePoolInstanceTemplate {
  numCPUs?: number;
  memoryMiB?: number;
  diskGiB?: number;
  os?: 'linux' | 'windows';
  image?: string;
  behaviour?: SimBehaviour;
  failure?: SimFailure;
}

export interface SimMachinePoolSpec {
  /** Provider IDs of the instances (`sim://<namespace>/<instance>`); set by the provider. */
  providerIDList?: string[];
  template?: SimMachinePoolInstanceTemplate;
}

/** One instance (VM) of a SimMachinePool. */
export interface SimMachinePoolInstance {
  instanceName: string;
  providerID: string;
  /** Kubernetes version the instance boots (the MachinePool's version when it was made). */
  version?: string;
  /** Failure domain the instance landed in. */
  failureDomain?: string;
  /** Whether it has booted and its Node registered. */
  ready: boolean;
  nodeName?: string;
  addresses?: MachineAddress[];
  provisioningStartedAt?: string;
  bootedAt?: string;
}

export interface SimMachinePoolStatus {
  ready?: boolean;
  /** Instances that exist (booting, running or outdated). */
  replicas?: number;
  instances?: SimMachinePoolInstance[];
  failureReason?: string;
  failureMessage?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface SimMachinePool extends KubeObject {
  metadata?: ObjectMeta;
  spec?: SimMachinePoolSpec;
  status?: SimMachinePoolStatus;
}

export interface SimMachinePoolTemplate extends KubeObject {
  metadata?: ObjectMeta;
  spec: { template: { metadata?: TemplateMeta; spec?: SimMachinePoolSpec } };
}
