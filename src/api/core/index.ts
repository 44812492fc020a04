/** core.slipway.dev/v1alpha1 (feature gates): types, policy, the gated feature names, the check others call, kinds and install. */
export * from './types.js';
export * from './features.js';
export { STABILITY_POLICIES, policyOf, checkReference, effectiveActivation, type StabilityPolicy, type PolicyVerdict, type ReferenceIntent } from './policy.js';
export { featureActive, featureRequiredMessage, findReference, readerFeatureSource, storeFeatureSource, type FeatureSource, type ObjectReader } from './feature-active.js';
export { coreKinds } from './definitions.js';
export { featureSchema, featureGateSchema } from './schema.js';
export { installFeatureGateKinds, installBuiltinFeatures, FEATURE_GATES_FIELD_MANAGER } from './install.js';
