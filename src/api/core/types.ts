/**
 * `core.slipway.dev/v1alpha1` Feature and FeatureGate: the feature gates of TKG 2.1 (core.tanzu.vmware.com/v1alpha2)
 * under Slipway's group. A Feature says what a gated piece of the product is and how stable it is; the FeatureGate
 * (one per plane, `slipway-system`, as TKG's `tkg-system`) holds the operator's intent for each Feature. Both kinds
 * are cluster-scoped, as upstream's.
 */
import type { KubeObject, ObjectMeta } from '../../apimachinery/types.js';
import type { Condition } from '../cluster/types.js';

export const CORE_GROUP = 'core.slipway.dev';
export const CORE_VERSION = 'v1alpha1';
export const CORE_API_VERSION = `${CORE_GROUP}/${CORE_VERSION}`;
export const FEATURE_KIND = { apiVersion: CORE_API_VERSION, kind: 'Feature' } as const;
export const FEATURE_GATE_KIND = { apiVersion: CORE_API_VERSION, kind: 'FeatureGate' } as const;

/** The FeatureGate the plane installs and the CLI acts on by default. */
export const DEFAULT_FEATURE_GATE = 'slipway-system';

/** Stability levels, spelled as upstream spells them (with spaces). */
export const STABILITY = {
  workInProgress: 'Work In Progress',
  experimental: 'Experimental',
  technicalPreview: 'Technical Preview',
  stable: 'Stable',
  deprecated: 'Deprecated',
} as const;
export type Stability = (typeof STABILITY)[keyof typeof STABILITY];
export const STABILITY_LEVELS: readonly Stability[] = Object.values(STABILITY);

export interface FeatureSpec {
  description: string;
  stability: Stability;
}

export interface FeatureStatus {
  /** Whether the feature is in effect (the FeatureGate's intent when the policy allows it, else the stability's default). */
  activated?: boolean;
  /** The FeatureGate that gates this feature, if any. */
  featureGate?: string;
}

export interface Feature extends KubeObject {
  metadata?: ObjectMeta;
  spec: FeatureSpec;
  status?: FeatureStatus;
}

/** One entry of FeatureGate.spec.features: the intended state of a Feature. */
export interface FeatureReference {
  name: string;
  activate?: boolean;
  /** Required to activate a Work In Progress or Experimental feature; once true it can never be set back to false. */
  permanentlyVoidAllSupportGuarantees?: boolean;
}

export type FeatureReferenceOutcome = 'Applied' | 'Invalid';

/** What the controller made of one spec.features entry. */
export interface FeatureReferenceResult {
  name: string;
  status: FeatureReferenceOutcome;
  /** Whether the feature is in effect. */
  activated: boolean;
  message?: string;
}

export interface FeatureGateSpec {
  features?: FeatureReference[];
}

export interface FeatureGateStatus {
  /** One result per spec.features entry (upstream calls this list featureReferenceResults). */
  featureReferences?: FeatureReferenceResult[];
  /** Every feature for which support guarantees were voided; names are only ever added. */
  voidedFeatures?: string[];
  conditions?: Condition[];
  observedGeneration?: number;
}

export interface FeatureGate extends KubeObject {
  metadata?: ObjectMeta;
  spec: FeatureGateSpec;
  status?: FeatureGateStatus;
}

export const FEATURE_GATE_CONDITIONS = {
  /** True when every spec.features entry names an existing Feature and satisfies its policy. */
  ready: 'Ready',
  /** True, forever, once any feature was activated with permanentlyVoidAllSupportGuarantees. */
  supportGuaranteesVoided: 'SupportGuaranteesVoided',
} as const;

export const FEATURE_GATE_REASONS = {
  invalidFeatureReferences: 'InvalidFeatureReferences',
  permanentlyVoided: 'PermanentlyVoided',
} as const;
