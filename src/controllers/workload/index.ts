/**
 * The controllers every workload cluster runs (kube-controller-manager's and kube-scheduler's work, simulated):
 * each entry registers its controllers on the cluster's manager. Providers add their own (the sim provider's kubelet).
 */
import type { WorkloadControllerSetup } from './context.js';
import { setupDeploymentController } from './deployment/index.js';
import { setupReplicaSetController } from './replicaset/index.js';
import { setupScheduler } from './scheduler/index.js';

export { DEFAULT_WORKLOAD_BEHAVIOUR, type WorkloadBehaviour, type WorkloadContext, type WorkloadControllerSetup } from './context.js';
export { WorkloadControllerHost, type WorkloadControllerHostOptions } from './host.js';

/** The generic workload controllers, in registration order. */
export const WORKLOAD_CONTROLLERS: readonly { name: string; setup: WorkloadControllerSetup }[] = [
  { name: 'default-scheduler', setup: (ctx) => void setupScheduler(ctx) },
  { name: 'deployment', setup: (ctx) => void setupDeploymentController(ctx) },
  { name: 'replicaset', setup: (ctx) => void setupReplicaSetController(ctx) },
];
