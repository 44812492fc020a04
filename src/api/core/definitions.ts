/**
 * The served core.slipway.dev/v1alpha1 kinds: Feature and FeatureGate, cluster-scoped as upstream's. The policy is
 * enforced by an admission plugin (feature-gate-admission.ts), since it reads other objects; the strategies only keep
 * metadata.generation.
 */
import { AGE_COLUMN, type KindDefinition } from '../kind-definition.js';
import { featureGateSchema, featureSchema } from './schema.js';
import { CORE_GROUP, CORE_VERSION } from './types.js';

export function coreKinds(): KindDefinition[] {
  const base = { group: CORE_GROUP, version: CORE_VERSION, scope: 'Cluster' as const, categories: ['slipway'], strategy: { generation: true } };
  return [
    {
      ...base,
      kind: 'Feature',
      plural: 'features',
      singular: 'feature',
      schema: featureSchema(),
      subresources: { status: true },
      printerColumns: [
        { name: 'Description', type: 'string', jsonPath: '.spec.description', description: 'What the feature does.' },
        { name: 'Stability', type: 'string', jsonPath: '.spec.stability', description: 'Stability level of the feature.' },
        { name: 'Activated?', type: 'string', jsonPath: '.status.activated', description: 'Whether the feature is in effect.' },
      ],
    },
    {
      ...base,
      kind: 'FeatureGate',
      plural: 'featuregates',
      singular: 'featuregate',
      schema: featureGateSchema(),
      subresources: { status: true },
      printerColumns: [
        { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status", description: 'Whether every entry is applied.' },
        { name: 'Voided', type: 'string', jsonPath: ".status.conditions[?(@.type=='SupportGuaranteesVoided')].status", description: 'Whether support guarantees were permanently voided.' },
        AGE_COLUMN,
      ],
    },
  ];
}
