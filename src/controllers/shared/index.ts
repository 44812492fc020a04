/** Helpers shared by the Cluster API controllers (src/controllers/<kind>/). */
export * from './cluster.js';
export * from './cluster-cache.js';
export * from './context.js';
export * from './duration.js';
export * from './external.js';
export * from './names.js';
export * from './reader.js';
export * from './result.js';
export * from './connectors.js';
export * from './conditions.js';
export * from './certificates.js';
export * from './kubeconfig-secret.js';
export * from './plane-connector.js';
