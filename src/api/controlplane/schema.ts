/** OpenAPI v3 schemas of controlplane.cluster.x-k8s.io/v1beta1 KubeadmControlPlane and KubeadmControlPlaneTemplate. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import { kubeadmConfigSpecSchema } from '../bootstrap/schema.js';
import {
  bool,
  conditions,
  duration,
  int32,
  int64,
  intOrString,
  kindRoot,
  machineDeletionTimeouts,
  machineNamingStrategy,
  machineTaints,
  object,
  objectReference,
  oneOf,
  readinessGates,
  str,
  templateMeta,
  text,
  time,
} from '../cluster/schema-kit.js';

/** Spec fields KubeadmControlPlane and its template share. */
function sharedSpec(): Record<string, JSONSchemaProps> {
  return {
    kubeadmConfigSpec: kubeadmConfigSpecSchema('Kubeadm configuration of the control-plane Machines.'),
    machineNamingStrategy: machineNamingStrategy('How control-plane Machines are named.'),
    remediationStrategy: object(
      {
        maxRetry: int32('How many times a Machine that keeps failing is remediated before giving up; unset retries forever.'),
        minHealthyPeriod: duration('A Machine healthy for this long resets the retry count. Default 1h.'),
        retryPeriod: duration('Minimum time between remediations of the same Machine.'),
      },
      'How unhealthy control-plane Machines are remediated.',
    ),
    rolloutAfter: time('Machines created before this time are replaced once it has passed.'),
    rolloutBefore: object(
      { certificatesExpiryDays: int32('Replace Machines whose certificates expire within this many days (at least 7).') },
      'Conditions that trigger replacing Machines ahead of time.',
    ),
    rolloutStrategy: object(
      {
        rollingUpdate: object(
          { maxSurge: intOrString('Machines created above the desired replicas during a rollout: 1 (scale up first) or 0 (scale down first, needs 3 or more replicas). Default 1.') },
          'Parameters of a RollingUpdate.',
        ),
        type: oneOf(['RollingUpdate'], 'Only RollingUpdate is supported.'),
      },
      'How Machines are replaced on a change.',
      { default: { rollingUpdate: { maxSurge: 1 }, type: 'RollingUpdate' } },
    ),
  };
}

export function kubeadmControlPlaneSchema(): JSONSchemaProps {
  return kindRoot('A Kubernetes control plane run by kubeadm on a set of Machines, with stacked or external etcd.', {
    spec: object(
      {
        ...sharedSpec(),
        machineTemplate: object(
          {
            infrastructureRef: objectReference('The infrastructure machine template cloned for each control-plane Machine, e.g. a SimMachineTemplate.'),
            metadata: templateMeta('Labels and annotations of the control-plane Machines.'),
            ...machineDeletionTimeouts(),
            readinessGates: readinessGates('Extra conditions control-plane Machines need before they count as Ready.'),
            taints: machineTaints('Taints put on control-plane Nodes.'),
          },
          'What the control-plane Machines look like.',
          { required: ['infrastructureRef'] },
        ),
        replicas: int32('Number of control-plane Machines: odd with stacked etcd. Default 1.'),
        version: text('Kubernetes version of the control plane, e.g. v1.30.2; changing it upgrades the Machines one at a time.', 1, 256),
      },
      'Desired state of the KubeadmControlPlane.',
      { required: ['kubeadmConfigSpec', 'machineTemplate', 'version'] },
    ),
    status: object(
      {
        conditions: conditions(),
        failureMessage: text('Human-readable description of a terminal problem.', 1, 10240),
        failureReason: str('Machine-readable reason of a terminal problem.'),
        initialized: bool('Whether the first control-plane Machine has run kubeadm init (the kubeadm-config ConfigMap exists).'),
        lastRemediation: object(
          {
            machine: text('The Machine that was remediated.', 1, 253),
            retryCount: int32('How many times in a row Machines were remediated.'),
            timestamp: time('When the remediation happened.'),
          },
          'The last remediation of a control-plane Machine.',
          { required: ['machine', 'retryCount', 'timestamp'] },
        ),
        observedGeneration: int64('The metadata.generation the controller last acted on.'),
        ready: bool('Whether the API server answers.'),
        readyReplicas: int32('Control-plane Machines whose Node is Ready.'),
        replicas: int32('Control-plane Machines that are not being deleted.'),
        selector: text('Label selector of the control-plane Machines, as text (what the scale subresource reports).', 1, 4096),
        unavailableReplicas: int32('Control-plane Machines that are not Ready.'),
        updatedReplicas: int32('Control-plane Machines with the current spec.'),
        version: text('Lowest Kubernetes version among the control-plane Machines.', 1, 256),
      },
      'Observed state of the KubeadmControlPlane.',
    ),
  });
}

export function kubeadmControlPlaneTemplateSchema(): JSONSchemaProps {
  return kindRoot('A template of KubeadmControlPlanes, used by ClusterClasses.', {
    spec: object(
      {
        template: object(
          {
            metadata: templateMeta('Labels and annotations of the KubeadmControlPlanes made from the template.'),
            spec: object(
              {
                ...sharedSpec(),
                machineTemplate: object(
                  {
                    metadata: templateMeta('Labels and annotations of the control-plane Machines.'),
                    ...machineDeletionTimeouts(),
                    taints: machineTaints('Taints put on control-plane Nodes.'),
                  },
                  'What the control-plane Machines look like (the infrastructure template comes from the ClusterClass).',
                ),
              },
              'The spec of the KubeadmControlPlanes made from the template.',
              { required: ['kubeadmConfigSpec'] },
            ),
          },
          'The KubeadmControlPlane to create.',
          { required: ['spec'] },
        ),
      },
      'Desired state of the KubeadmControlPlaneTemplate.',
      { required: ['template'] },
    ),
  });
}
