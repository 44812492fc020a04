/** cluster.x-k8s.io/v1beta1: types, served kind definitions, schemas and admission (defaulting and validation). */
export * from './types.js';
export * from './clusterclass.js';
export { clusterKinds, CORE_CRD_LABELS } from './definitions.js';
export { clusterSchema, machineSchema, machineSetSchema, machineDeploymentSchema, machineHealthCheckSchema } from './schema.js';
export { clusterClassSchema } from './clusterclass-schema.js';
export { clusterStrategy, defaultCluster, validateCluster, UPGRADE_CONCURRENCY_ANNOTATION, UNSAFE_UPDATE_CLASS_NAME_ANNOTATION, UNSAFE_UPDATE_VERSION_ANNOTATION } from './cluster-strategy.js';
export { clusterClassStrategy, defaultClusterClass, validateClusterClass } from './clusterclass-strategy.js';
export { machineStrategy, defaultMachine, validateMachine, DEFAULT_NODE_DELETION_TIMEOUT, MACHINE_POOL_NAME_LABEL } from './machine-strategy.js';
export { machineSetStrategy, defaultMachineSet, validateMachineSet } from './machineset-strategy.js';
export { machineDeploymentStrategy, defaultMachineDeployment, validateMachineDeployment, MACHINE_DEPLOYMENT_DEFAULTS } from './machinedeployment-strategy.js';
export { machineHealthCheckStrategy, defaultMachineHealthCheck, validateMachineHealthCheck, DEFAULT_MAX_UNHEALTHY, DEFAULT_NODE_STARTUP_TIMEOUT } from './machinehealthcheck-strategy.js';
export { defaultReplicas, AUTOSCALER_MIN_SIZE_ANNOTATION, AUTOSCALER_MAX_SIZE_ANNOTATION } from './replicas.js';
