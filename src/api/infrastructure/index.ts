/** infrastructure.slipway.dev/v1alpha1 (the sim provider): types, served kind definitions and schemas. */
export * from './types.js';
export { infrastructureKinds, SIM_CRD_LABELS } from './definitions.js';
export { simClusterSchema, simClusterTemplateSchema, simMachineSchema, simMachineTemplateSchema } from './schema.js';
