/** OpenAPI v3 schemas of core.slipway.dev/v1alpha1 Feature and FeatureGate (the fields of TKG 2.1's kinds). */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import { arrayOf, bool, conditions, int64, kindRoot, object, oneOf, str, strings, text } from '../cluster/schema-kit.js';
import { STABILITY_LEVELS } from './types.js';

export function featureSchema(): JSONSchemaProps {
  return kindRoot('A piece of functionality that a FeatureGate activates or deactivates, within its stability level\'s policy.', {
    spec: object(
      {
        description: str('What the feature does.'),
        stability: oneOf(
          STABILITY_LEVELS,
          'Work In Progress and Experimental: activating needs permanentlyVoidAllSupportGuarantees; Technical Preview: may be toggled; Stable: cannot be deactivated; Deprecated: activated by default, may be deactivated.',
        ),
      },
      'The feature and its stability level.',
      { required: ['description', 'stability'] },
    ),
    status: object(
      {
        activated: bool('Whether the feature is in effect.'),
        featureGate: str('The FeatureGate that gates this feature.'),
      },
      'Observed activation of the feature.',
    ),
  });
}

export function featureGateSchema(): JSONSchemaProps {
  return kindRoot('The intended activation of a set of Features.', {
    spec: object(
      {
        features: arrayOf(
          object(
            {
              activate: bool('The intended activation of the feature.'),
              name: text('Name of the Feature.', 1, 253),
              permanentlyVoidAllSupportGuarantees: bool(
                'Agree to permanently void all support guarantees of this environment, needed to activate a Work In Progress or Experimental feature. Once true it cannot be set back to false.',
              ),
            },
            'The intended state of one Feature.',
            { required: ['name'] },
          ),
          'Features gated by this FeatureGate, at most one entry per feature.',
          { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
        ),
      },
      'The features this gate controls.',
    ),
    status: object(
      {
        conditions: conditions(),
        featureReferences: arrayOf(
          object(
            {
              activated: bool('Whether the feature is in effect.'),
              message: str('Why the entry is Invalid.'),
              name: text('Name of the feature.', 1, 253),
              status: oneOf(['Applied', 'Invalid'], 'Applied: the intent is in effect; Invalid: the Feature is missing or the policy refuses the intent.'),
            },
            'The outcome of one spec.features entry.',
            { required: ['name', 'status'] },
          ),
          'The outcome of every spec.features entry.',
          { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
        ),
        observedGeneration: int64('The generation last reconciled.'),
        voidedFeatures: strings('Features for which support guarantees were voided; names are never removed.'),
      },
      'Observed state of the gate.',
    ),
  });
}
