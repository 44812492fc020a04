/**
 * OpenAPI v3 schemas of cluster.x-k8s.io/v1beta1 Cluster, Machine, MachineSet, MachineDeployment and
 * MachineHealthCheck: upstream field names, types, enums, limits and list types; descriptions are Slipway's.
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import {
  apiEndpoint,
  arrayOf,
  availabilityGates,
  bool,
  conditions,
  failureDomains,
  healthCheckFields,
  int32,
  int64,
  kindRoot,
  labelSelector,
  machineAddresses,
  machineDeploymentStrategy,
  machineNamingStrategy,
  machineSpec,
  machineTemplateSpec,
  object,
  objectReference,
  oneOf,
  str,
  strings,
  text,
  time,
} from './schema-kit.js';
import { topologySchema } from './topology-schema.js';

const failureReason = (what: string): JSONSchemaProps => str(`Machine-readable reason of a terminal problem with the ${what}; set only when it needs a human.`);
const failureMessage = (what: string): JSONSchemaProps => text(`Human-readable description of a terminal problem with the ${what}.`, 1, 10240);
const observedGeneration = (): JSONSchemaProps => int64('The metadata.generation the controller last acted on.');

function cidrBlocks(description: string): JSONSchemaProps {
  return object({ cidrBlocks: strings('CIDR blocks, e.g. 192.168.0.0/16.', 100, { minLength: 1, maxLength: 43 }) }, description, { required: ['cidrBlocks'] });
}

export function clusterSchema(): JSONSchemaProps {
  return kindRoot('A Kubernetes cluster managed by Cluster API: its network, control plane and infrastructure.', {
    spec: object(
      {
        availabilityGates: availabilityGates('Extra conditions the Cluster needs before it counts as Available.'),
        clusterNetwork: object(
          {
            apiServerPort: int32('Port the API server listens on (default 6443).'),
            pods: cidrBlocks('Address ranges of pods.'),
            serviceDomain: text('DNS domain of services, e.g. cluster.local.', 1, 253),
            services: cidrBlocks('Address ranges of services.'),
          },
          'Networking of the workload cluster.',
        ),
        controlPlaneEndpoint: apiEndpoint('Where the workload cluster\'s API server is reached; normally copied from the infrastructure cluster.'),
        controlPlaneRef: objectReference('The control plane provider object, e.g. a KubeadmControlPlane.'),
        infrastructureRef: objectReference('The infrastructure provider object, e.g. a SimCluster.'),
        paused: bool('Stops every controller from acting on this Cluster and its objects.'),
        topology: topologySchema(),
      },
      'Desired state of the Cluster.',
    ),
    status: object(
      {
        conditions: conditions(),
        controlPlaneReady: bool('Whether the control plane provider reports the control plane ready.'),
        failureDomains: failureDomains('Failure domains the infrastructure offers, copied from the infrastructure cluster.'),
        failureMessage: failureMessage('Cluster'),
        failureReason: failureReason('Cluster'),
        infrastructureReady: bool('Whether the infrastructure provider reports the infrastructure ready.'),
        observedGeneration: observedGeneration(),
        phase: oneOf(['Pending', 'Provisioning', 'Provisioned', 'Deleting', 'Failed', 'Unknown'], 'Where the Cluster is in its life: Pending, Provisioning, Provisioned, Deleting, Failed or Unknown.'),
      },
      'Observed state of the Cluster.',
    ),
  });
}

export function machineSchema(): JSONSchemaProps {
  return kindRoot('One Kubernetes node: its bootstrap data, its infrastructure machine and the Node it becomes.', {
    spec: machineSpec('Desired state of the Machine.'),
    status: object(
      {
        addresses: machineAddresses('Addresses of the machine, copied from the infrastructure machine.'),
        bootstrapReady: bool('Whether the bootstrap provider has produced the bootstrap data.'),
        certificatesExpiryDate: time('When the machine\'s certificates expire (control-plane Machines).'),
        conditions: conditions(),
        deletion: object(
          {
            nodeDrainStartTime: time('When draining the Node started.'),
            waitForNodeVolumeDetachStartTime: time('When waiting for volumes to detach started.'),
            waitForPreDrainHookStartTime: time('When waiting for pre-drain hooks started.'),
            waitForPreTerminateHookStartTime: time('When waiting for pre-terminate hooks started.'),
          },
          'Progress of the Machine\'s deletion.',
        ),
        failureMessage: failureMessage('Machine'),
        failureReason: failureReason('Machine'),
        infrastructureReady: bool('Whether the infrastructure provider reports the machine ready.'),
        lastUpdated: time('When the phase last changed.'),
        nodeInfo: object(
          {
            architecture: str('CPU architecture.'),
            bootID: str('Boot ID of the node.'),
            containerRuntimeVersion: str('Container runtime and its version.'),
            kernelVersion: str('Kernel version.'),
            kubeProxyVersion: str('Version of kube-proxy.'),
            kubeletVersion: str('Version of the kubelet.'),
            machineID: str('Machine ID of the node.'),
            operatingSystem: str('linux or windows.'),
            osImage: str('Operating system image.'),
            swap: object({ capacity: int64('Swap size in bytes.') }, 'Swap of the node.'),
            systemUUID: str('System UUID of the node.'),
          },
          'Facts about the Node, copied from its status.',
        ),
        nodeRef: objectReference('The Node of this Machine in the workload cluster.'),
        observedGeneration: observedGeneration(),
        phase: oneOf(['Pending', 'Provisioning', 'Provisioned', 'Running', 'Deleting', 'Deleted', 'Failed', 'Unknown'], 'Where the Machine is in its life: Pending, Provisioning, Provisioned, Running, Deleting, Deleted, Failed or Unknown.'),
      },
      'Observed state of the Machine.',
    ),
  });
}

function replicaCounts(what: string): Record<string, JSONSchemaProps> {
  return {
    availableReplicas: int32(`Machines of the ${what} that have been Ready for at least minReadySeconds.`),
    readyReplicas: int32(`Machines of the ${what} whose Node is Ready.`),
    replicas: int32(`Machines of the ${what} that are not being deleted.`),
    selector: text('The label selector of the Machines, as text (what the scale subresource reports).', 1, 4096),
  };
}

export function machineSetSchema(): JSONSchemaProps {
  return kindRoot('Keeps a number of identical Machines running, made from a template.', {
    spec: object(
      {
        clusterName: text('Name of the Cluster the Machines belong to.', 1, 63),
        deletePolicy: oneOf(['Random', 'Newest', 'Oldest'], 'Which Machines are deleted first when scaling down. Default Random.'),
        machineNamingStrategy: machineNamingStrategy('How new Machines are named.'),
        minReadySeconds: int32('Seconds a new Machine must be Ready before it counts as available.'),
        replicas: int32('Desired number of Machines. Default 1 (or the autoscaler min-size annotation).'),
        selector: labelSelector('Label query the Machines of this set must match; it must match the template labels.'),
        template: machineTemplateSpec('What new Machines look like.'),
      },
      'Desired state of the MachineSet.',
      { required: ['clusterName', 'selector'] },
    ),
    status: object(
      {
        ...replicaCounts('set'),
        conditions: conditions(),
        failureMessage: failureMessage('MachineSet'),
        failureReason: failureReason('MachineSet'),
        fullyLabeledReplicas: int32('Machines whose labels match the template labels.'),
        observedGeneration: observedGeneration(),
      },
      'Observed state of the MachineSet.',
    ),
  });
}

export function machineDeploymentSchema(): JSONSchemaProps {
  return kindRoot('Declarative updates for Machines: rolls out template changes by replacing Machines through MachineSets.', {
    spec: object(
      {
        clusterName: text('Name of the Cluster the Machines belong to.', 1, 63),
        machineNamingStrategy: machineNamingStrategy('How new Machines are named.'),
        minReadySeconds: int32('Seconds a new Machine must be Ready before it counts as available. Default 0.'),
        paused: bool('Stops rollouts while true.'),
        progressDeadlineSeconds: int32('Seconds a rollout may make no progress before it is reported as failed. Default 600.'),
        replicas: int32('Desired number of Machines. Default 1 (or the autoscaler min-size annotation).'),
        revisionHistoryLimit: int32('How many old MachineSets to keep for rollback. Default 1.'),
        rolloutAfter: time('Machines created before this time are replaced once it has passed.'),
        selector: labelSelector('Label query the Machines must match; it must match the template labels.'),
        strategy: machineDeploymentStrategy('How Machines are replaced on a template change.'),
        template: machineTemplateSpec('What new Machines look like; changing it rolls out new Machines.'),
      },
      'Desired state of the MachineDeployment.',
      { required: ['clusterName', 'selector', 'template'] },
    ),
    status: object(
      {
        ...replicaCounts('deployment'),
        conditions: conditions(),
        observedGeneration: observedGeneration(),
        phase: oneOf(['ScalingUp', 'ScalingDown', 'Running', 'Failed', 'Unknown'], 'ScalingUp, ScalingDown, Running, Failed or Unknown.'),
        unavailableReplicas: int32('Machines still needed for the deployment to reach its desired available count.'),
        updatedReplicas: int32('Machines made from the current template.'),
      },
      'Observed state of the MachineDeployment.',
    ),
  });
}

export function machineHealthCheckSchema(): JSONSchemaProps {
  return kindRoot('Watches a set of Machines and remediates the ones that turn unhealthy.', {
    spec: object(
      {
        clusterName: text('Name of the Cluster the Machines belong to.', 1, 63),
        ...healthCheckFields(),
        selector: labelSelector('Label query selecting the Machines to check; must not be empty.'),
      },
      'Desired state of the MachineHealthCheck.',
      { required: ['clusterName', 'selector'] },
    ),
    status: object(
      {
        conditions: conditions(),
        currentHealthy: int32('Selected Machines that are healthy.', { minimum: 0 }),
        expectedMachines: int32('Machines the check selects.', { minimum: 0 }),
        observedGeneration: observedGeneration(),
        remediationsAllowed: int32('How many more Machines may be remediated before maxUnhealthy stops remediation.', { minimum: 0 }),
        targets: strings('Names of the selected Machines.', 10000, { minLength: 1, maxLength: 253 }),
      },
      'Observed state of the MachineHealthCheck.',
    ),
  });
}

export function machinePoolSchema(): JSONSchemaProps {
  return kindRoot('A group of identical machines that one infrastructure object (e.g. a SimMachinePool) provides and scales.', {
    spec: object(
      {
        clusterName: text('Name of the Cluster the pool belongs to.', 1, 63),
        failureDomains: strings('Failure domains the pool\'s instances may be placed in.', 100, { minLength: 1, maxLength: 256 }),
        minReadySeconds: int32('Seconds a Node must be Ready before it counts as available. Default 0.'),
        providerIDList: strings('Provider IDs of the pool\'s instances, copied from the infrastructure machine pool.', 10000, { minLength: 1, maxLength: 512 }),
        replicas: int32('Desired number of instances. Default 1 (or the autoscaler min-size annotation).'),
        template: machineTemplateSpec('What every instance of the pool is: its bootstrap config, infrastructure and version.'),
      },
      'Desired state of the MachinePool.',
      { required: ['clusterName', 'template'] },
    ),
    status: object(
      {
        availableReplicas: int32('Instances whose Node has been Ready, at the pool\'s version, for at least minReadySeconds.'),
        bootstrapReady: bool('Whether the bootstrap data is ready.'),
        conditions: conditions(),
        failureMessage: failureMessage('pool'),
        failureReason: failureReason('pool'),
        infrastructureReady: bool('Whether the infrastructure machine pool is ready.'),
        nodeRefs: arrayOf(objectReference('A Node of the pool in the workload cluster.'), 'The Nodes of the pool\'s instances.', { maxItems: 10000 }),
        observedGeneration: observedGeneration(),
        phase: oneOf(['Pending', 'Provisioning', 'Provisioned', 'Running', 'ScalingUp', 'ScalingDown', 'Scaling', 'Deleting', 'Failed', 'Unknown'], 'Pending, Provisioning, Provisioned, Running, ScalingUp, ScalingDown, Scaling, Deleting, Failed or Unknown.'),
        readyReplicas: int32('Instances whose Node is Ready.'),
        replicas: int32('Instances the infrastructure machine pool reports.'),
        unavailableReplicas: int32('Instances still needed for the pool to reach its desired available count.'),
      },
      'Observed state of the MachinePool.',
    ),
  });
}
