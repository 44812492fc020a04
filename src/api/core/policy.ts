/**
 * The activation policy of each stability level (TKG 2.1's stability policies), as a pure table and the one
 * function admission, the controller and the CLI ask: may this FeatureGate entry say this?
 *
 * - Work In Progress, Experimental: deactivated by default; activating needs permanentlyVoidAllSupportGuarantees.
 * - Technical Preview: deactivated by default; may be toggled freely, support is unaffected.
 * - Stable: activated and immutable: it cannot be deactivated.
 * - Deprecated: activated by default (existing users keep working); may be deactivated, to check nothing uses it
 *   before upgrading to a release that removes it.
 * - permanentlyVoidAllSupportGuarantees, once true, can never be set back to false.
 */
import type { FeatureReference, Stability } from './types.js';

export interface StabilityPolicy {
  /** Activation when no FeatureGate entry says otherwise. */
  defaultActivation: boolean;
  /** The activation cannot differ from the default. */
  immutable: boolean;
  /** Activating the feature voids all support guarantees of the environment, so it needs the explicit flag. */
  voidsSupport: boolean;
  /** Whether operators are meant to see it (`slipway feature list` also hides Experimental ones unless asked). */
  discoverable: boolean;
}

export const STABILITY_POLICIES: Readonly<Record<Stability, StabilityPolicy>> = {
  'Work In Progress': { defaultActivation: false, immutable: false, voidsSupport: true, discoverable: false },
  Experimental: { defaultActivation: false, immutable: false, voidsSupport: true, discoverable: true },
  'Technical Preview': { defaultActivation: false, immutable: false, voidsSupport: false, discoverable: true },
  Stable: { defaultActivation: true, immutable: true, voidsSupport: false, discoverable: true },
  Deprecated: { defaultActivation: true, immutable: false, voidsSupport: false, discoverable: true },
};

export function policyOf(stability: Stability): StabilityPolicy {
  return STABILITY_POLICIES[stability];
}

/** The intent of one entry, with the flags defaulted to false. */
export interface ReferenceIntent {
  activate: boolean;
  permanentlyVoidAllSupportGuarantees: boolean;
}

export function intentOf(ref: FeatureReference | undefined): ReferenceIntent | undefined {
  if (!ref) return undefined;
  return { activate: ref.activate === true, permanentlyVoidAllSupportGuarantees: ref.permanentlyVoidAllSupportGuarantees === true };
}

export type PolicyVerdict =
  | { allowed: true }
  /** `field` is the entry's field at fault (relative to the entry). */
  | { allowed: false; field: 'activate' | 'permanentlyVoidAllSupportGuarantees'; message: string };

/**
 * Whether a FeatureGate entry may hold `want` for a feature of `stability`; `old` is the same entry before the
 * write (undefined on create or for a new entry).
 */
export function checkReference(feature: string, stability: Stability, want: ReferenceIntent, old?: ReferenceIntent): PolicyVerdict {
  if (old?.permanentlyVoidAllSupportGuarantees && !want.permanentlyVoidAllSupportGuarantees) {
    return {
      allowed: false,
      field: 'permanentlyVoidAllSupportGuarantees',
      message: `feature ${feature}: support guarantees of this environment were permanently voided; permanentlyVoidAllSupportGuarantees cannot be set back to false`,
    };
  }
  const policy = policyOf(stability);
  if (policy.immutable && want.activate !== policy.defaultActivation) {
    return {
      allowed: false,
      field: 'activate',
      message: `feature ${feature} is ${stability}: ${stability} features are always ${policy.defaultActivation ? 'activated' : 'deactivated'} and cannot be ${policy.defaultActivation ? 'deactivated' : 'activated'}`,
    };
  }
  if (policy.voidsSupport && want.activate && !want.permanentlyVoidAllSupportGuarantees) {
    return {
      allowed: false,
      field: 'activate',
      message: `feature ${feature} is ${stability}: activating it permanently voids all support guarantees of this environment; set permanentlyVoidAllSupportGuarantees: true to agree (it can never be undone)`,
    };
  }
  return { allowed: true };
}

/** Whether the feature is in effect given its stability and the gate's entry (an entry the policy refuses counts as absent). */
export function effectiveActivation(feature: string, stability: Stability, ref: FeatureReference | undefined): boolean {
  const want = intentOf(ref);
  if (!want) return policyOf(stability).defaultActivation;
  return checkReference(feature, stability, want).allowed ? want.activate : policyOf(stability).defaultActivation;
}

/** Whether this entry, as written, voids support guarantees: the flag is set (whatever the feature's stability). */
export function voidsSupport(ref: FeatureReference): boolean {
  return ref.permanentlyVoidAllSupportGuarantees === true;
}

/** A warning for writes that activate a Deprecated feature. */
export function deprecationWarning(feature: string, stability: Stability, want: ReferenceIntent): string | undefined {
  if (stability !== 'Deprecated' || !want.activate) return undefined;
  return `feature ${feature} is Deprecated and will be removed in a later release; deactivate it to check that nothing depends on it`;
}

/** The warning every write to a voided gate carries (and `slipway feature list` prints). */
export function voidedWarning(features: readonly string[]): string {
  return `support guarantees of this environment are permanently void: permanentlyVoidAllSupportGuarantees was set for ${features.join(', ')}`;
}
