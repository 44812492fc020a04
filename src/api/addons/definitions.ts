/** The served addons.cluster.x-k8s.io/v1beta1 kinds: ClusterResourceSet and ClusterResourceSetBinding. */
import { AGE_COLUMN, type KindDefinition } from '../kind-definition.js';
import { CORE_CRD_LABELS } from '../cluster/definitions.js';
import { clusterResourceSetBindingSchema, clusterResourceSetSchema } from './schema.js';
import { clusterResourceSetBindingStrategy, clusterResourceSetStrategy } from './strategy.js';
import { ADDONS_GROUP, ADDONS_VERSION } from './types.js';

export function addonsKinds(): KindDefinition[] {
  const base = { group: ADDONS_GROUP, version: ADDONS_VERSION, scope: 'Namespaced' as const, categories: ['cluster-api'], labels: CORE_CRD_LABELS };
  return [
    {
      ...base,
      kind: 'ClusterResourceSet',
      plural: 'clusterresourcesets',
      singular: 'clusterresourceset',
      schema: clusterResourceSetSchema(),
      subresources: { status: true },
      printerColumns: [AGE_COLUMN],
      strategy: clusterResourceSetStrategy,
    },
    {
      ...base,
      kind: 'ClusterResourceSetBinding',
      plural: 'clusterresourcesetbindings',
      singular: 'clusterresourcesetbinding',
      schema: clusterResourceSetBindingSchema(),
      subresources: { status: true },
      printerColumns: [AGE_COLUMN],
      strategy: clusterResourceSetBindingStrategy,
    },
  ];
}
