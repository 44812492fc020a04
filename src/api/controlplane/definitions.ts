/** The served controlplane.cluster.x-k8s.io/v1beta1 kinds: KubeadmControlPlane and KubeadmControlPlaneTemplate. */
import { AGE_COLUMN, REPLICAS_SCALE, type KindDefinition } from '../kind-definition.js';
import { kubeadmControlPlaneSchema, kubeadmControlPlaneTemplateSchema } from './schema.js';
import { kubeadmControlPlaneStrategy, kubeadmControlPlaneTemplateStrategy } from './strategy.js';
import { CONTROL_PLANE_GROUP } from './types.js';

export const CONTROL_PLANE_CRD_LABELS = { 'cluster.x-k8s.io/provider': 'control-plane-kubeadm', 'cluster.x-k8s.io/v1beta1': 'v1beta1' };

export function controlPlaneKinds(): KindDefinition[] {
  const base = { group: CONTROL_PLANE_GROUP, version: 'v1beta1', scope: 'Namespaced' as const, categories: ['cluster-api'], labels: CONTROL_PLANE_CRD_LABELS };
  return [
    {
      ...base,
      kind: 'KubeadmControlPlane',
      plural: 'kubeadmcontrolplanes',
      singular: 'kubeadmcontrolplane',
      shortNames: ['kcp'],
      schema: kubeadmControlPlaneSchema(),
      subresources: { status: true, scale: REPLICAS_SCALE },
      printerColumns: [
        { name: 'Cluster', type: 'string', jsonPath: ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']", description: 'Cluster the control plane belongs to.' },
        { name: 'Initialized', type: 'boolean', jsonPath: '.status.initialized', description: 'Whether kubeadm init has run on the first Machine.' },
        { name: 'API Server Available', type: 'boolean', jsonPath: '.status.ready', description: 'Whether the API server answers.' },
        { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired number of control-plane Machines.', priority: 10 },
        { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas', description: 'Control-plane Machines that are not being deleted.' },
        { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Control-plane Machines whose Node is Ready.' },
        { name: 'Updated', type: 'integer', jsonPath: '.status.updatedReplicas', description: 'Control-plane Machines with the current spec.' },
        { name: 'Unavailable', type: 'integer', jsonPath: '.status.unavailableReplicas', description: 'Control-plane Machines that are not Ready.' },
        AGE_COLUMN,
        { name: 'Version', type: 'string', jsonPath: '.spec.version', description: 'Kubernetes version of the control plane.' },
      ],
      strategy: kubeadmControlPlaneStrategy,
    },
    {
      ...base,
      kind: 'KubeadmControlPlaneTemplate',
      plural: 'kubeadmcontrolplanetemplates',
      singular: 'kubeadmcontrolplanetemplate',
      schema: kubeadmControlPlaneTemplateSchema(),
      subresources: { status: false },
      printerColumns: [AGE_COLUMN],
      strategy: kubeadmControlPlaneTemplateStrategy,
    },
  ];
}
