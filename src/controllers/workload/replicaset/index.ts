/** The ReplicaSet controller of a workload cluster and its pure cores (deletion order, status, Pods from the template). */
export { REPLICA_SET_CONTROLLER_NAME, ReplicaSetReconciler, setupReplicaSetController, type ReplicaSetControllerOptions } from './reconciler.js';
export * from './deletion-order.js';
export * from './pods.js';
export * from './status.js';
export * from './types.js';
