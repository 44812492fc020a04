/** Pod Security Admission inside workload clusters, configured from the cluster's kube-apiserver admission configuration. */
export * from './apiserver-files.js';
export * from './admission-config.js';
export * from './admission.js';
