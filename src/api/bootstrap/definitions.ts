/** The served bootstrap.cluster.x-k8s.io/v1beta1 kinds: KubeadmConfig and KubeadmConfigTemplate. */
import { AGE_COLUMN, type KindDefinition } from '../kind-definition.js';
import { kubeadmConfigSchema, kubeadmConfigTemplateSchema } from './schema.js';
import { kubeadmConfigStrategy, kubeadmConfigTemplateStrategy } from './strategy.js';
import { BOOTSTRAP_GROUP } from './types.js';

export const BOOTSTRAP_CRD_LABELS = { 'cluster.x-k8s.io/provider': 'bootstrap-kubeadm', 'cluster.x-k8s.io/v1beta1': 'v1beta1' };

export function bootstrapKinds(): KindDefinition[] {
  const base = { group: BOOTSTRAP_GROUP, version: 'v1beta1', scope: 'Namespaced' as const, categories: ['cluster-api'], labels: BOOTSTRAP_CRD_LABELS };
  return [
    {
      ...base,
      kind: 'KubeadmConfig',
      plural: 'kubeadmconfigs',
      singular: 'kubeadmconfig',
      schema: kubeadmConfigSchema(),
      subresources: { status: true },
      printerColumns: [
        { name: 'Cluster', type: 'string', jsonPath: ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']", description: 'Cluster the config belongs to.' },
        AGE_COLUMN,
      ],
      strategy: kubeadmConfigStrategy,
    },
    {
      ...base,
      kind: 'KubeadmConfigTemplate',
      plural: 'kubeadmconfigtemplates',
      singular: 'kubeadmconfigtemplate',
      schema: kubeadmConfigTemplateSchema(),
      subresources: { status: false },
      printerColumns: [AGE_COLUMN],
      strategy: kubeadmConfigTemplateStrategy,
    },
  ];
}
