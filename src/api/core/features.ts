/**
 * The features Slipway gates, named in TKG's style (kebab-case, what the feature is). Code that a gate guards imports
 * the name from here and asks `featureActive` (feature-active.ts) before doing the gated thing.
 */
import type { FeatureSpec } from './types.js';

/** Machines running Windows: a MachineDeployment or Machine on a Windows SimMachineTemplate/SimMachine, or a Cluster topology worker of class `windows`. */
export const WINDOWS_WORKERS = 'windows-workers';
/** kube-vip serving Services of type LoadBalancer in workload clusters. */
export const KUBE_VIP_LOAD_BALANCER = 'kube-vip-load-balancer';
/** Static node addresses from IP pools the management plane allocates (ipam.cluster.x-k8s.io claims). */
export const MANAGEMENT_PLANE_IPAM = 'management-plane-ipam';

/** The Features the plane installs at start; descriptions and stabilities are re-applied on upgrade. */
export const BUILTIN_FEATURES: Readonly<Record<string, FeatureSpec>> = {
  [WINDOWS_WORKERS]: {
    description: 'Windows worker machines: MachineDeployments, Machines and topology workers on Windows images',
    stability: 'Technical Preview',
  },
  [KUBE_VIP_LOAD_BALANCER]: {
    description: 'kube-vip as the provider of Services of type LoadBalancer in workload clusters',
    stability: 'Experimental',
  },
  [MANAGEMENT_PLANE_IPAM]: {
    description: 'Node IP addresses allocated by the management plane from InClusterIPPools',
    stability: 'Technical Preview',
  },
};

/** The worker class name that a Cluster topology uses for Windows workers. */
export const WINDOWS_WORKER_CLASS = 'windows';
