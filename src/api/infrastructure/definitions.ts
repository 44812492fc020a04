/**
 * The served infrastructure.slipway.dev/v1alpha1 kinds of the sim provider. Their rules (non-negative times, sizes of
 * at least 1, the os enum) are in the schemas; the strategies only keep metadata.generation.
 */
import type { PrinterColumn } from '../../apiserver/resource-info.js';
import type { KindStrategy } from '../../apiserver/strategy.js';
import { AGE_COLUMN, type KindDefinition } from '../kind-definition.js';
import { simClusterSchema, simClusterTemplateSchema, simMachinePoolSchema, simMachinePoolTemplateSchema, simMachineSchema, simMachineTemplateSchema } from './schema.js';
import { INFRASTRUCTURE_GROUP } from './types.js';

/** Labels of the sim CRDs: the provider name and the Cluster API contract version it implements. */
export const SIM_CRD_LABELS = { 'cluster.x-k8s.io/provider': 'infrastructure-sim', 'cluster.x-k8s.io/v1beta1': 'v1alpha1' };

const simStrategy: KindStrategy = { generation: true };

const clusterLabelColumn: PrinterColumn = {
  name: 'Cluster',
  type: 'string',
  jsonPath: ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']",
  description: 'Cluster the object belongs to.',
};
const readyColumn: PrinterColumn = { name: 'Ready', type: 'boolean', jsonPath: '.status.ready', description: 'Whether the infrastructure is ready.' };
const reasonColumn: PrinterColumn = { name: 'Reason', type: 'string', jsonPath: '.status.failureReason', description: 'Reason of a terminal failure, if any.' };
const messageColumn: PrinterColumn = { name: 'Message', type: 'string', jsonPath: '.status.failureMessage', description: 'Message of a terminal failure, if any.', priority: 1 };

export function infrastructureKinds(): KindDefinition[] {
  const base = { group: INFRASTRUCTURE_GROUP, version: 'v1alpha1', scope: 'Namespaced' as const, categories: ['cluster-api'], labels: SIM_CRD_LABELS, strategy: simStrategy };
  return [
    {
      ...base,
      kind: 'SimCluster',
      plural: 'simclusters',
      singular: 'simcluster',
      schema: simClusterSchema(),
      subresources: { status: true },
      printerColumns: [
        clusterLabelColumn,
        readyColumn,
        { name: 'Endpoint', type: 'string', jsonPath: '.spec.controlPlaneEndpoint.host', description: 'Host of the workload cluster\'s API endpoint.' },
        reasonColumn,
        AGE_COLUMN,
        messageColumn,
      ],
    },
    {
      ...base,
      kind: 'SimClusterTemplate',
      plural: 'simclustertemplates',
      singular: 'simclustertemplate',
      schema: simClusterTemplateSchema(),
      subresources: { status: false },
      printerColumns: [AGE_COLUMN],
    },
    {
      ...base,
      kind: 'SimMachine',
      plural: 'simmachines',
      singular: 'simmachine',
      schema: simMachineSchema(),
      subresources: { status: true },
      printerColumns: [
        clusterLabelColumn,
        readyColumn,
        { name: 'ProviderID', type: 'string', jsonPath: '.spec.providerID', description: 'sim://<namespace>/<name>.' },
        { name: 'Node', type: 'string', jsonPath: '.status.nodeName', description: 'Node the machine registered as.' },
        reasonColumn,
        AGE_COLUMN,
        messageColumn,
      ],
    },
    {
      ...base,
      kind: 'SimMachineTemplate',
      plural: 'simmachinetemplates',
      singular: 'simmachinetemplate',
      schema: simMachineTemplateSchema(),
      subresources: { status: false },
      printerColumns: [AGE_COLUMN],
    },
    {
      ...base,
      kind: 'SimMachinePool',
      plural: 'simmachinepools',
      singular: 'simmachinepool',
      schema: simMachinePoolSchema(),
      subresources: { status: true },
      printerColumns: [
        clusterLabelColumn,
        readyColumn,
        { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas', description: 'Instances that exist.' },
        reasonColumn,
        AGE_COLUMN,
        messageColumn,
      ],
    },
    {
      ...base,
      kind: 'SimMachinePoolTemplate',
      plural: 'simmachinepooltemplates',
      singular: 'simmachinepooltemplate',
      schema: simMachinePoolTemplateSchema(),
      subresources: { status: false },
      printerColumns: [AGE_COLUMN],
    },
  ];
}
