/** The MachineDeployment controller and its pure planning cores. */
export { CONTROLLER_NAME, MachineDeploymentReconciler, setupMachineDeploymentController, type MachineDeploymentControllerOptions } from './reconciler.js';
export { planOnDelete, planProportionalScale, planRollingUpdate, type MachineCount, type RolloutAction, type RolloutPlan } from './rollout.js';
export * from './mdutil.js';
export { availability, calculateStatus } from './status.js';
export { desiredMachineSet, machineSetUpdatePatch, newMachineSetName, IN_PLACE_MACHINE_SPEC_FIELDS } from './machinesets.js';
