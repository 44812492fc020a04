/**
 * The IP address management kinds: Cluster API's contract (`ipam.cluster.x-k8s.io/v1beta1` IPAddressClaim and
 * IPAddress) and the in-cluster provider's pools (`ipam.cluster.x-k8s.io/v1alpha2` InClusterIPPool, namespaced, and
 * GlobalInClusterIPPool, cluster scoped). Field names, finalizers and annotations are upstream's.
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { Condition } from '../cluster/types.js';

export const IPAM_GROUP = 'ipam.cluster.x-k8s.io';
export const IPAM_CONTRACT_VERSION = 'v1beta1';
export const IPAM_CONTRACT_API_VERSION = `${IPAM_GROUP}/${IPAM_CONTRACT_VERSION}`;
export const IPAM_POOL_VERSION = 'v1alpha2';
export const IPAM_POOL_API_VERSION = `${IPAM_GROUP}/${IPAM_POOL_VERSION}`;

/** Kind references of the served IPAM kinds (for clients and informers). */
export const IP_ADDRESS_CLAIM_KIND = { apiVersion: `${IPAM_GROUP}/${IPAM_CONTRACT_VERSION}`, kind: 'IPAddressClaim' } as const;
export const IP_ADDRESS_KIND = { apiVersion: `${IPAM_GROUP}/${IPAM_CONTRACT_VERSION}`, kind: 'IPAddress' } as const;
export const IN_CLUSTER_IP_POOL_KIND = { apiVersion: `${IPAM_GROUP}/${IPAM_POOL_VERSION}`, kind: 'InClusterIPPool' } as const;
export const GLOBAL_IN_CLUSTER_IP_POOL_KIND = { apiVersion: `${IPAM_GROUP}/${IPAM_POOL_VERSION}`, kind: 'GlobalInClusterIPPool' } as const;

export const IN_CLUSTER_IP_POOL = 'InClusterIPPool';
export const GLOBAL_IN_CLUSTER_IP_POOL = 'GlobalInClusterIPPool';
export const POOL_KINDS = [IN_CLUSTER_IP_POOL, GLOBAL_IN_CLUSTER_IP_POOL] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

/** On a claim while it holds an address: the address is released before the claim goes. */
export const RELEASE_ADDRESS_FINALIZER = 'ipam.cluster.x-k8s.io/ReleaseAddress';
/** On an IPAddress: it goes only when its claim goes. */
export const PROTECT_ADDRESS_FINALIZER = 'ipam.cluster.x-k8s.io/ProtectAddress';
/** On a pool: it goes only when no IPAddress uses it. */
export const PROTECT_POOL_FINALIZER = 'ipam.cluster.x-k8s.io/ProtectPool';
/** A pool with this annotation may be deleted while addresses use it (clusterctl move). */
export const SKIP_DELETE_VALIDATION_ANNOTATION = 'ipam.cluster.x-k8s.io/skip-validate-delete-webhook';

/** The claim condition Slipway sets (upstream defines its reasons; the in-cluster provider sets none). */
export const CLAIM_READY_CONDITION = 'Ready';
export const CLAIM_REASONS = {
  allocationFailed: 'AllocationFailed',
  poolNotReady: 'PoolNotReady',
  poolExhausted: 'PoolExhausted',
} as const;

export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface IPAddressClaimSpec {
  clusterName?: string;
  poolRef: TypedLocalObjectReference;
}

export interface IPAddressClaimStatus {
  addressRef?: { name?: string };
  conditions?: Condition[];
}

export interface IPAddressClaim extends KubeObject {
  metadata?: ObjectMeta;
  spec: IPAddressClaimSpec;
  status?: IPAddressClaimStatus;
}

export interface IPAddressSpec {
  claimRef: { name?: string };
  poolRef: TypedLocalObjectReference;
  address: string;
  prefix: number;
  gateway?: string;
}

export interface IPAddress extends KubeObject {
  metadata?: ObjectMeta;
  spec: IPAddressSpec;
}

export interface InClusterIPPoolSpec {
  addresses: string[];
  prefix: number;
  gateway?: string;
  excludedAddresses?: string[];
  allocateReservedIPAddresses?: boolean;
  addressReuseGracePeriodSeconds?: number;
}

export interface InClusterIPPoolStatus {
  ipAddresses?: { total: number; used: number; free: number; outOfRange: number };
}

/** An InClusterIPPool or GlobalInClusterIPPool (the same shape; the kind tells the scope). */
export interface InClusterIPPool extends KubeObject {
  metadata?: ObjectMeta;
  spec: InClusterIPPoolSpec;
  status?: InClusterIPPoolStatus;
}

/** Whether `ref` names a pool kind of the in-cluster provider. */
export function isInClusterPoolRef(ref: Partial<TypedLocalObjectReference> | undefined): ref is TypedLocalObjectReference & { kind: PoolKind } {
  return !!ref && ref.apiGroup === IPAM_GROUP && (POOL_KINDS as readonly string[]).includes(ref.kind ?? '') && !!ref.name;
}
