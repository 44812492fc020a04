/** addons.cluster.x-k8s.io/v1beta1: ClusterResourceSet and ClusterResourceSetBinding types, definitions and admission. */
export * from './types.js';
export { addonsKinds } from './definitions.js';
export { clusterResourceSetSchema, clusterResourceSetBindingSchema } from './schema.js';
export { clusterResourceSetStrategy, clusterResourceSetBindingStrategy, defaultClusterResourceSet, validateClusterResourceSet } from './strategy.js';
