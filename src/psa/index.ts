/** Pod Security Standards: the pure evaluator, namespace-label and configuration parsing, and the admission plugin. */
export * from './api.js';
export { checkIds, checksFor, effectiveMinor, MAX_VERSION } from './registry.js';
export { describeViolations, evaluatePod, evaluateView, violationMessage, type EvaluationResult, type Violation } from './evaluator.js';
export { podView, shapeErrors, type PodView } from './pod.js';
export { policyFromLabels, type NamespacePolicy } from './labels.js';
export * from './config.js';
export * from './workloads.js';
export * from './admission.js';
