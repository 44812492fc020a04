/** Structural schemas of the addons.cluster.x-k8s.io/v1beta1 kinds, with the upstream CRDs' limits and enums. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import { arrayOf, bool, conditions, int64, kindRoot, labelSelector, object, oneOf, text, time } from '../cluster/schema-kit.js';
import { RESOURCE_KINDS, STRATEGIES } from './types.js';

const resourceRefFields = (): Record<string, JSONSchemaProps> => ({
  kind: oneOf(RESOURCE_KINDS, 'Kind of the resource: ConfigMap or Secret.'),
  name: text('Name of the ConfigMap or Secret, in the namespace of the ClusterResourceSet.', 1, 253),
});

export function clusterResourceSetSchema(): JSONSchemaProps {
  return kindRoot('Applies a set of ConfigMap and Secret manifests to the workload clusters it selects.', {
    spec: object(
      {
        clusterSelector: labelSelector('Label query selecting the Clusters (in the same namespace) to apply to; an empty selector selects none.'),
        resources: arrayOf(object(resourceRefFields(), 'A ConfigMap or Secret holding manifests.', { required: ['kind', 'name'] }), 'Resources to apply.', { maxItems: 100 }),
        strategy: oneOf(STRATEGIES, 'How the resources are applied: ApplyOnce (default) or Reconcile (re-applied when they change).'),
      },
      'Desired state of the ClusterResourceSet.',
      { required: ['clusterSelector'] },
    ),
    status: object(
      {
        conditions: conditions(),
        observedGeneration: int64('The metadata.generation the controller last acted on.'),
      },
      'Observed state of the ClusterResourceSet.',
    ),
  });
}

export function clusterResourceSetBindingSchema(): JSONSchemaProps {
  return kindRoot('Records which resources of which ClusterResourceSets were applied to one Cluster.', {
    spec: object(
      {
        bindings: arrayOf(
          object(
            {
              clusterResourceSetName: text('Name of the ClusterResourceSet.', 1, 253),
              resources: arrayOf(
                object(
                  {
                    ...resourceRefFields(),
                    applied: bool('Whether the resource was applied successfully.'),
                    hash: text('Hash of the resource\'s data when it was applied.', 1, 256),
                    lastAppliedTime: time('When the resource was last applied.'),
                  },
                  'The application of one resource.',
                  { required: ['applied', 'kind', 'name'] },
                ),
                'The resources of the ClusterResourceSet and whether they were applied.',
                { maxItems: 100 },
              ),
            },
            'The resources one ClusterResourceSet applied to the Cluster.',
            { required: ['clusterResourceSetName'] },
          ),
          'One entry per ClusterResourceSet that selects the Cluster.',
          { maxItems: 100 },
        ),
        clusterName: text('Name of the Cluster the binding is for.', 1, 63),
      },
      'Desired state of the ClusterResourceSetBinding.',
    ),
  });
}
