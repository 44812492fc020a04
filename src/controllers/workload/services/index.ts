/**
 * Services in a workload cluster, as kube-apiserver does them: ClusterIP and NodePort allocation in the Service write
 * path (an admission plugin of the cluster's store) and the `kubernetes` Service with its endpoints.
 */
export {
  installServiceAllocation,
  serviceAllocationPlugin,
  serviceHoldings,
  workloadServiceAdmission,
  workloadServiceAdmissionWith,
  type AllocationPlugin,
  SERVICE_ALLOCATION_PLUGIN,
  type ServiceAllocationOptions,
} from './admission.js';
export { AllocationError, IPAddressAllocator, NodePortAllocator, type HeldPort, IP_FAMILY_LABEL, IP_MANAGED_BY, IP_MANAGED_BY_LABEL, SERVICE_UID_ANNOTATION, type ServiceRef } from './allocator.js';
export * from './cidr.js';
export * from './config.js';
export { setupKubernetesService, KUBERNETES_SERVICE_CONTROLLER, CONTROL_PLANE_LABEL, DEFAULT_API_SERVER_PORT, type KubernetesServiceOptions } from './kubernetes-service.js';
export * from './spec.js';
