/** Schema of Cluster `spec.topology` (cluster.x-k8s.io/v1beta1 Topology): the class, version and per-pool overrides. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import {
  arrayOf,
  clusterVariables,
  DNS_LABEL_PATTERN,
  duration,
  healthCheckFields,
  int32,
  machineDeploymentStrategy,
  machineTaints,
  object,
  readinessGates,
  strings,
  templateMeta,
  text,
  time,
  bool,
} from './schema-kit.js';

function topologyHealthCheck(description: string): JSONSchemaProps {
  return object(
    {
      enable: bool('Whether a MachineHealthCheck is created; defaults to true when the class (or these fields) define health checks.'),
      ...healthCheckFields(),
    },
    description,
  );
}

function variableOverrides(description: string): JSONSchemaProps {
  return object({ overrides: clusterVariables('Values that replace the Cluster-level values for this pool.') }, description);
}

function rollout(description: string): JSONSchemaProps {
  return object({ after: time('Machines created before this time are replaced once it has passed.') }, description, { minProperties: 1 });
}

function nodeTimeouts(): Record<string, JSONSchemaProps> {
  return {
    nodeDeletionTimeout: duration('How long to keep retrying Node deletion once the machine is gone.'),
    nodeDrainTimeout: duration('How long to keep draining a Node; unset or 0 has no limit.'),
    nodeVolumeDetachTimeout: duration('How long to wait for volumes to detach; unset or 0 has no limit.'),
  };
}

function machineDeploymentTopology(): JSONSchemaProps {
  return object(
    {
      class: text('Name of the MachineDeployment class in the ClusterClass this pool uses.', 1, 256),
      failureDomain: text('Failure domain the pool\'s Machines are placed in.', 1, 256),
      machineHealthCheck: topologyHealthCheck('Health check of this pool, overriding the class.'),
      metadata: templateMeta('Labels and annotations for the MachineDeployment and its Machines.'),
      minReadySeconds: int32('Seconds a new Machine must be Ready before it counts as available.'),
      name: text('Name of the pool, unique within the Cluster; part of the MachineDeployment name.', 1, 63),
      ...nodeTimeouts(),
      readinessGates: readinessGates('Extra conditions the pool\'s Machines need before they count as Ready.'),
      replicas: int32('Number of Machines; leave unset to let an autoscaler own it.'),
      rollout: rollout('Rollout options of the pool.'),
      strategy: machineDeploymentStrategy('How the pool replaces Machines.'),
      taints: machineTaints('Taints put on the pool\'s Nodes.'),
      variables: variableOverrides('Variable values for this pool only.'),
    },
    'One MachineDeployment of the Cluster.',
    { required: ['class', 'name'] },
  );
}

function machinePoolTopology(): JSONSchemaProps {
  return object(
    {
      class: text('Name of the MachinePool class in the ClusterClass this pool uses.', 1, 256),
      failureDomains: strings('Failure domains the pool\'s machines are spread over.', 100, { minLength: 1, maxLength: 256 }),
      metadata: templateMeta('Labels and annotations for the MachinePool.'),
      minReadySeconds: int32('Seconds a new machine must be Ready before it counts as available.'),
      name: text('Name of the pool, unique within the Cluster.', 1, 63),
      ...nodeTimeouts(),
      replicas: int32('Number of machines; leave unset to let an autoscaler own it.'),
      taints: machineTaints('Taints put on the pool\'s Nodes.'),
      variables: variableOverrides('Variable values for this pool only.'),
    },
    'One MachinePool of the Cluster.',
    { required: ['class', 'name'] },
  );
}

/** Cluster spec.topology. */
export function topologySchema(): JSONSchemaProps {
  return object(
    {
      class: text('Name of the ClusterClass the Cluster is built from.', 1, 253),
      classNamespace: text('Namespace of the ClusterClass; defaults to the Cluster\'s namespace.', 1, 63, { pattern: DNS_LABEL_PATTERN }),
      controlPlane: object(
        {
          machineHealthCheck: topologyHealthCheck('Health check of the control-plane Machines, overriding the class.'),
          metadata: templateMeta('Labels and annotations for the control plane object and its Machines.'),
          ...nodeTimeouts(),
          readinessGates: readinessGates('Extra conditions control-plane Machines need before they count as Ready.'),
          replicas: int32('Number of control-plane Machines; unset for control planes without Machines.'),
          rollout: rollout('Rollout options of the control plane.'),
          taints: machineTaints('Taints put on control-plane Nodes.'),
          variables: variableOverrides('Variable values for the control plane only.'),
        },
        'The control plane of the Cluster.',
      ),
      rolloutAfter: time('Machines created before this time are replaced once it has passed.'),
      variables: clusterVariables('Values of the ClusterClass variables for this Cluster.'),
      version: text('Kubernetes version of the Cluster, e.g. v1.30.2; changing it upgrades the Cluster.', 1, 256),
      workers: object(
        {
          machineDeployments: arrayOf(machineDeploymentTopology(), 'MachineDeployments of the Cluster.', {
            maxItems: 2000,
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
          }),
          machinePools: arrayOf(machinePoolTopology(), 'MachinePools of the Cluster.', {
            maxItems: 2000,
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
          }),
        },
        'The worker pools of the Cluster.',
      ),
    },
    'A Cluster managed from a ClusterClass: the class, the Kubernetes version and per-pool settings; the topology controller creates and updates every other object.',
    { required: ['class', 'version'] },
  );
}
