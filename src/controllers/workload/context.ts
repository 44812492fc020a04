/**
 * What every workload-cluster controller (the simulated kube-controller-manager, scheduler and kubelet of a workload
 * cluster) is set up with: a Manager whose client is that cluster's own API, and the simulation's timings. The same
 * setup functions run against any Kubernetes API a Manager can reach.
 */
import type { Manager } from '../../runtime/manager.js';

/** How long simulated things take, in seconds (0 is instant, for tests and benchmarks). */
export interface WorkloadBehaviour {
  /** From a Pod bound to a Node to its containers running (ContainerCreating meanwhile; default 1). */
  containerStartSeconds: number;
  /** From running to Ready (when a container has a readiness probe: its initialDelaySeconds if larger; default 1). */
  readinessSeconds: number;
  /** How long a Job's Pod runs before it succeeds (annotation sim.slipway.dev/run-seconds overrides; default 5). */
  jobRunSeconds: number;
}

export const DEFAULT_WORKLOAD_BEHAVIOUR: WorkloadBehaviour = { containerStartSeconds: 1, readinessSeconds: 1, jobRunSeconds: 5 };

export interface WorkloadContext {
  /** The workload cluster's manager: its client, informers, clock, recorder and log. */
  manager: Manager;
  /** `namespace/name` of the Cluster (for logs and events). */
  cluster: string;
  behaviour: WorkloadBehaviour;
}

/** Registers one or more controllers on a workload cluster's manager (before it starts). */
export type WorkloadControllerSetup = (ctx: WorkloadContext) => void;
