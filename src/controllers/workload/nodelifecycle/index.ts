/** The node lifecycle controller of workload clusters (condition taints, taint-based eviction) and its pure cores. */
export { setupNodeLifecycleController, REASON_TAINT_MANAGER_EVICTION, REASON_DELETION_BY_TAINT_MANAGER, type NodeLifecycleControllerOptions } from './controller.js';
export * from './taints.js';
export * from './eviction.js';
export * from './default-toleration-seconds.js';
