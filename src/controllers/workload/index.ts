/**
 * The controllers every workload cluster runs (kube-controller-manager's and kube-scheduler's work, simulated):
 * each entry registers its controllers on the cluster's manager. Providers add their own (the sim provider's kubelet).
 */
import type { WorkloadControllerSetup } from './context.js';

export { DEFAULT_WORKLOAD_BEHAVIOUR, type WorkloadBehaviour, type WorkloadContext, type WorkloadControllerSetup } from './context.js';
export { WorkloadControllerHost, type WorkloadControllerHostOptions } from './host.js';

/** The generic workload controllers, in registration order. */
export const WORKLOAD_CONTROLLERS: readonly { name: string; setup: WorkloadControllerSetup }[] = [];
