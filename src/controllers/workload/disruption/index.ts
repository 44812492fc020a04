/** The PodDisruptionBudget controller of workload clusters and its pure core. */
export { setupDisruptionController, podsForBudget, PDB, type DisruptionControllerOptions } from './controller.js';
export * from './budget.js';
