/** The ClusterResourceSet controller: applies ConfigMap/Secret manifests to the workload clusters a set selects. */
export { setupClusterResourceSetController, applyObjects, clusterSelectorOf, setsOfResource, setsSelectingCluster, type ClusterResourceSetControllerOptions } from './reconciler.js';
export { computeHash, normalizeData, objectsOfValue, objectsOfValues, sortForCreate } from './manifests.js';
export { getOrCreateBinding, getResource, isApplied, needsApply, removeBinding, setResource } from './binding.js';
