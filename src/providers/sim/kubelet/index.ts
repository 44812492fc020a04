/**
 * The sim provider's kubelet inside a workload cluster: makes Pods bound to sim:// Nodes run (addresses,
 * container states, conditions, phases, completion, failure and restarts, graceful deletion).
 */
import type { WorkloadContext } from '../../../controllers/workload/context.js';
import { setupSimKubeletWith, type SimKubeletOptions } from './controller.js';

export function setupSimKubelet(ctx: WorkloadContext, opts: Partial<SimKubeletOptions> = {}): void {
  setupSimKubeletWith(ctx, opts);
}

export { SimKubelet, setupSimKubeletWith, DEFAULT_SIM_KUBELET_OPTIONS, type SimKubeletOptions } from './controller.js';
export { simulatedPodStatus, runPlan, crashLoopBackoffMs, RUN_SECONDS_ANNOTATION, EXIT_CODE_ANNOTATION, type SimPodStatus, type SimTimings, type PodFacts } from './pod-status.js';
export { NodeIPAllocator } from './ip-allocator.js';
export { reportedImage, reportedImageID, containerID } from './image.js';
export { registryManifestCheck, lazyRegistryManifestCheck, registryAccessFromClusterVariables, imagePullBackoffMs, imageRegistryHost, imageRepositoryHost, pullErrorMessage, type RegistryAccess, type ClusterVariable, type ImageManifestCheck, type ImagePullState } from './image-pull.js';
