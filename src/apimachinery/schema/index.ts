/** CRD structural-schema processing with kube-apiserver (apiextensions-apiserver) semantics. */
export type { JSONSchemaProps, ValidationRule } from './types.js';
export { validateValue, type ValidateOptions } from './validate.js';
export { applyDefaults } from './defaults.js';
export { pruneUnknownFields, type PruneOptions } from './prune.js';
export { compileRules, escapeCelName, evaluateExpression } from './cel.js';
export { checkStructural } from './structural.js';
