/** The Deployment controller of a workload cluster and its pure cores (template hash, deployment arithmetic and status). */
export { DEPLOYMENT_CONTROLLER_NAME, DeploymentReconciler, setupDeploymentController, type DeploymentControllerOptions } from './reconciler.js';
export * from './hash.js';
export * from './types.js';
export * from './util.js';
