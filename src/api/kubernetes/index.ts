/** What a workload cluster serves: Kubernetes' built-in kinds (upstream schemas) plus events.k8s.io Events and Leases. */
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { coordinationResources, eventsResources } from '../builtin/index.js';
import { kubernetesResources } from './resources.js';

export { kubernetesStrategies, workloadClusterStrategies } from './strategy.js';
export { authorizationResources, definitionName, kubernetesKinds, kubernetesResources } from './resources.js';
export { kindOfDefinition, kubernetesDefinitions, OpenAPISchemaConverter, type OpenAPIDefinition, type OpenAPIDocument } from './openapi-schema.js';

/** Every kind of a workload cluster's API (a fresh list). */
export function workloadClusterResources(): ResourceInfo[] {
  return [...kubernetesResources(), ...eventsResources(), ...coordinationResources()];
}
