/** The served cluster.x-k8s.io/v1beta1 kinds: names, schemas, subresources, printer columns and strategies. */
import type { PrinterColumn } from '../../apiserver/resource-info.js';
import { AGE_COLUMN, REPLICAS_SCALE, type KindDefinition } from '../kind-definition.js';
import { clusterStrategy } from './cluster-strategy.js';
import { CLUSTER_API_GROUP } from './clusterclass.js';
import { clusterClassSchema } from './clusterclass-schema.js';
import { clusterClassStrategy } from './clusterclass-strategy.js';
import { machineStrategy } from './machine-strategy.js';
import { machineDeploymentStrategy } from './machinedeployment-strategy.js';
import { machineHealthCheckStrategy } from './machinehealthcheck-strategy.js';
import { machinePoolStrategy } from './machinepool-strategy.js';
import { machineSetStrategy } from './machineset-strategy.js';
import { clusterSchema, machineDeploymentSchema, machineHealthCheckSchema, machinePoolSchema, machineSchema, machineSetSchema } from './schema.js';

/** Labels upstream's core provider puts on its CRDs (provider name and the contract version served). */
export const CORE_CRD_LABELS = { 'cluster.x-k8s.io/provider': 'cluster-api', 'cluster.x-k8s.io/v1beta1': 'v1beta1' };

const CATEGORIES = ['cluster-api'];

const column = (name: string, type: PrinterColumn['type'], jsonPath: string, description: string, priority?: number): PrinterColumn => ({
  name,
  type,
  jsonPath,
  description,
  ...(priority ? { priority } : {}),
});

const clusterColumn = column('Cluster', 'string', '.spec.clusterName', 'Cluster the object belongs to.');

function definition(d: Omit<KindDefinition, 'group' | 'version' | 'scope' | 'categories' | 'labels' | 'singular'>): KindDefinition {
  return { group: CLUSTER_API_GROUP, version: 'v1beta1', scope: 'Namespaced', categories: CATEGORIES, labels: CORE_CRD_LABELS, singular: d.kind.toLowerCase(), ...d };
}

export function clusterKinds(): KindDefinition[] {
  return [
    definition({
      kind: 'Cluster',
      plural: 'clusters',
      shortNames: ['cl'],
      schema: clusterSchema(),
      subresources: { status: true },
      printerColumns: [
        column('ClusterClass', 'string', '.spec.topology.class', 'ClusterClass the Cluster is built from; empty without a topology.'),
        column('Phase', 'string', '.status.phase', 'Phase of the Cluster: Pending, Provisioning, Provisioned, Deleting or Failed.'),
        AGE_COLUMN,
        column('Version', 'string', '.spec.topology.version', 'Kubernetes version of the Cluster\'s topology.'),
      ],
      strategy: clusterStrategy,
    }),
    definition({
      kind: 'Machine',
      plural: 'machines',
      shortNames: ['ma'],
      schema: machineSchema(),
      subresources: { status: true },
      printerColumns: [
        clusterColumn,
        column('NodeName', 'string', '.status.nodeRef.name', 'Node of the Machine in the workload cluster.'),
        column('ProviderID', 'string', '.spec.providerID', 'Identifier of the machine at the infrastructure provider.'),
        column('Phase', 'string', '.status.phase', 'Phase of the Machine: Pending, Provisioning, Provisioned, Running, Deleting or Failed.'),
        AGE_COLUMN,
        column('Version', 'string', '.spec.version', 'Kubernetes version of the Machine.'),
      ],
      strategy: machineStrategy,
    }),
    definition({
      kind: 'MachineSet',
      plural: 'machinesets',
      shortNames: ['ms'],
      schema: machineSetSchema(),
      subresources: { status: true, scale: REPLICAS_SCALE },
      printerColumns: [
        clusterColumn,
        column('Desired', 'integer', '.spec.replicas', 'Desired number of Machines.', 10),
        column('Replicas', 'integer', '.status.replicas', 'Machines that are not being deleted.'),
        column('Ready', 'integer', '.status.readyReplicas', 'Machines whose Node is Ready.'),
        column('Available', 'integer', '.status.availableReplicas', 'Machines Ready for at least minReadySeconds.'),
        AGE_COLUMN,
        column('Version', 'string', '.spec.template.spec.version', 'Kubernetes version of the Machines.'),
      ],
      strategy: machineSetStrategy,
    }),
    definition({
      kind: 'MachineDeployment',
      plural: 'machinedeployments',
      shortNames: ['md'],
      schema: machineDeploymentSchema(),
      subresources: { status: true, scale: REPLICAS_SCALE },
      printerColumns: [
        clusterColumn,
        column('Desired', 'integer', '.spec.replicas', 'Desired number of Machines.', 10),
        column('Replicas', 'integer', '.status.replicas', 'Machines that are not being deleted.'),
        column('Ready', 'integer', '.status.readyReplicas', 'Machines whose Node is Ready.'),
        column('Updated', 'integer', '.status.updatedReplicas', 'Machines made from the current template.'),
        column('Unavailable', 'integer', '.status.unavailableReplicas', 'Machines still missing to reach the desired available count.'),
        column('Phase', 'string', '.status.phase', 'Phase: ScalingUp, ScalingDown, Running, Failed or Unknown.'),
        AGE_COLUMN,
        column('Version', 'string', '.spec.template.spec.version', 'Kubernetes version of the Machines.'),
      ],
      strategy: machineDeploymentStrategy,
    }),
    definition({
      kind: 'MachinePool',
      plural: 'machinepools',
      shortNames: ['mp'],
      schema: machinePoolSchema(),
      subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      printerColumns: [
        clusterColumn,
        column('Desired', 'integer', '.spec.replicas', 'Desired number of instances.', 10),
        column('Replicas', 'string', '.status.replicas', 'Instances the infrastructure reports.'),
        column('Phase', 'string', '.status.phase', 'Phase: Pending, Provisioning, Provisioned, Running, ScalingUp, ScalingDown, Scaling, Deleting or Failed.'),
        AGE_COLUMN,
        column('Version', 'string', '.spec.template.spec.version', 'Kubernetes version of the instances.'),
      ],
      strategy: machinePoolStrategy,
    }),
    definition({
      kind: 'MachineHealthCheck',
      plural: 'machinehealthchecks',
      shortNames: ['mhc', 'mhcs'],
      schema: machineHealthCheckSchema(),
      subresources: { status: true },
      printerColumns: [
        clusterColumn,
        column('ExpectedMachines', 'integer', '.status.expectedMachines', 'Machines the check selects.'),
        column('MaxUnhealthy', 'string', '.spec.maxUnhealthy', 'Unhealthy Machines tolerated before remediation stops.'),
        column('CurrentHealthy', 'integer', '.status.currentHealthy', 'Selected Machines that are healthy.'),
        AGE_COLUMN,
      ],
      strategy: machineHealthCheckStrategy,
    }),
    definition({
      kind: 'ClusterClass',
      plural: 'clusterclasses',
      shortNames: ['cc'],
      schema: clusterClassSchema(),
      subresources: { status: true },
      printerColumns: [AGE_COLUMN],
      strategy: clusterClassStrategy,
    }),
  ];
}
