/** Service type LoadBalancer in workload clusters, with kube-vip cloud provider semantics, and its pure core. */
export {
  loadBalancerSetup,
  desiredIngress,
  IMPLEMENTATION,
  IMPLEMENTATION_LABEL,
  LOAD_BALANCER_CLEANUP_FINALIZER,
  LOADBALANCER_CONTROLLER,
  LOADBALANCER_IPS_ANNOTATION,
  SERVICE_INTERFACE_ANNOTATION,
  type LoadBalancerOptions,
} from './controller.js';
export * from './pool.js';
export * from './allocate.js';
