/** The cluster autoscaler for workload clusters (Cluster API provider contract) and its pure cores. */
export * from './node-groups.js';
export * from './scale-up.js';
export * from './scale-down.js';
export * from './status.js';
export { setupClusterAutoscaler, ClusterAutoscaler, DEFAULT_CLUSTER_AUTOSCALER_OPTIONS, EVENT_REASONS, CONTROLLER_NAME as CLUSTER_AUTOSCALER_CONTROLLER_NAME, type ClusterAutoscalerOptions } from './controller.js';
