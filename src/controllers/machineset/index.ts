/** The MachineSet controller and its pure cores (deletion order, readiness and status, remediation, new Machines). */
export { CONTROLLER_NAME, MachineSetReconciler, setupMachineSetController, type MachineSetControllerOptions } from './reconciler.js';
export * from './deletion-order.js';
export * from './status.js';
export * from './remediation.js';
export * from './machines.js';
