/** The `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap in every namespace of a workload cluster. */
export { setupServiceAccountControllers, DEFAULT_SERVICE_ACCOUNT, type ServiceAccountControllersOptions } from './controller.js';
export * from './root-ca.js';
