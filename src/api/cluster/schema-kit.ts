/**
 * Schema building blocks shared by the Cluster API groups (cluster, controlplane, bootstrap, infrastructure): the
 * constructors of src/api/builtin/meta.ts plus the v1beta1 shapes several kinds embed (object references, label
 * selectors, template metadata, v1beta1 conditions, the Machine spec, MachineHealthCheck fields, taints).
 *
 * Every schema here is a plain structural JSONSchemaProps, as a CustomResourceDefinition carries it: no `$ref`, a
 * type on every node (int-or-string and preserve-unknown nodes excepted), and the upstream CRD's limits, enums,
 * list types and map types.
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import { arrayOf, bool, int32, int64, object, str, stringMap } from '../builtin/meta.js';

export { arrayOf, bool, int32, int64, object, str, stringMap };

/** A string limited to `min`..`max` characters. */
export function text(description: string, min: number, max: number, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return str(description, { minLength: min, maxLength: max, ...(extra ?? {}) });
}

/** A string taking one of `values`. */
export function oneOf(values: readonly string[], description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return str(description, { enum: [...values], ...(extra ?? {}) });
}

/** An RFC 3339 timestamp (metav1.Time). */
export function time(description: string): JSONSchemaProps {
  return str(description, { format: 'date-time' });
}

/** A Go duration as text (metav1.Duration), e.g. "10m" or "1h30m0s". */
export function duration(description: string): JSONSchemaProps {
  return str(description);
}

/** An integer or a string such as "25%" (intstr.IntOrString). */
export function intOrString(description: string): JSONSchemaProps {
  return { description, anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
}

/** Any JSON value, kept as sent. */
export function anyValue(description: string): JSONSchemaProps {
  return { description, 'x-kubernetes-preserve-unknown-fields': true };
}

/** A list of strings with at most `max` items. */
export function strings(description: string, max?: number, itemExtra?: Partial<JSONSchemaProps>, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return arrayOf({ type: 'string', ...(itemExtra ?? {}) }, description, { ...(max !== undefined ? { maxItems: max } : {}), ...(extra ?? {}) });
}

// ---- patterns upstream uses ------------------------------------------------------------------------

/** A condition type: a qualified name with an optional DNS prefix. */
const CONDITION_TYPE_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';
const TAINT_KEY_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';
const TAINT_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

// ---- references and selectors -------------------------------------------------------------------------

/** core/v1 ObjectReference as Cluster API embeds it (replaced as a whole on merge). */
export function objectReference(description: string): JSONSchemaProps {
  return object(
    {
      apiVersion: str('API version of the referenced object.'),
      fieldPath: str('A part of the referenced object, when the reference points inside it.'),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
      namespace: str('Namespace of the referenced object.'),
      resourceVersion: str('The resourceVersion the reference was taken at.'),
      uid: str('UID of the referenced object.'),
    },
    description,
    { 'x-kubernetes-map-type': 'atomic' },
  );
}

/** meta/v1 LabelSelector. */
export function labelSelector(description: string): JSONSchemaProps {
  return object(
    {
      matchExpressions: arrayOf(
        object(
          {
            key: str('Label key the requirement applies to.'),
            operator: str('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
            values: strings('Values for In and NotIn; empty for Exists and DoesNotExist.', undefined, undefined, { 'x-kubernetes-list-type': 'atomic' }),
          },
          'One label requirement.',
          { required: ['key', 'operator'] },
        ),
        'Label requirements, all of which must hold.',
        { 'x-kubernetes-list-type': 'atomic' },
      ),
      matchLabels: stringMap('Labels an object must carry, each with exactly this value.'),
    },
    description,
    { 'x-kubernetes-map-type': 'atomic' },
  );
}

/** The labels and annotations a template copies onto the objects made from it. */
export function templateMeta(description: string): JSONSchemaProps {
  return object(
    {
      annotations: stringMap('Annotations put on the generated object.'),
      labels: stringMap('Labels put on the generated object.'),
    },
    description,
  );
}

// ---- status shapes ------------------------------------------------------------------------------------

/** The v1beta1 condition list (type, status, severity, reason, message, lastTransitionTime). */
export function conditions(description = 'Observations of the current state, one per condition type.'): JSONSchemaProps {
  return arrayOf(
    object(
      {
        lastTransitionTime: time('When the condition last changed status.'),
        message: text('Human-readable details of the last transition.', 1, 10240),
        reason: text('One-word CamelCase reason for the condition\'s last transition.', 1, 256),
        severity: str('How bad a False condition is: Error, Warning or Info; empty when True.', { maxLength: 32 }),
        status: str('True, False or Unknown.'),
        type: text('Type of the condition, e.g. Ready.', 1, 256),
      },
      'The state of one aspect of the object.',
      { required: ['lastTransitionTime', 'status', 'type'] },
    ),
    description,
  );
}

/** Machine addresses (as infrastructure providers report them). */
export function machineAddresses(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        address: text('The address.', 1, 256),
        type: oneOf(['Hostname', 'ExternalIP', 'InternalIP', 'ExternalDNS', 'InternalDNS'], 'Kind of address.'),
      },
      'One address of a machine.',
      { required: ['address', 'type'] },
    ),
    description,
  );
}

/** Failure domains by name (Cluster and infrastructure cluster status). */
export function failureDomains(description: string): JSONSchemaProps {
  return {
    type: 'object',
    description,
    additionalProperties: object(
      {
        attributes: stringMap('Free-form facts about the failure domain, for providers.'),
        controlPlane: bool('Whether control-plane machines may be placed in this failure domain.'),
      },
      'One failure domain.',
    ),
  };
}

/** host and port of an API server. */
export function apiEndpoint(description: string, requireBoth = false): JSONSchemaProps {
  return object(
    {
      host: str('Host name or IP address of the endpoint.', { maxLength: 512 }),
      port: int32('Port of the endpoint.'),
    },
    description,
    requireBoth ? { required: ['host', 'port'] } : undefined,
  );
}

// ---- Machine building blocks ------------------------------------------------------------------------

export function readinessGates(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        conditionType: text('Condition type on the Machine that must be True (or False, with Negative polarity) for the Machine to be Ready.', 1, 316, { pattern: CONDITION_TYPE_PATTERN }),
        polarity: oneOf(['Positive', 'Negative'], 'Positive: the gate passes when the condition is True; Negative: when it is False.'),
      },
      'One extra condition the Machine needs before it counts as Ready.',
      { required: ['conditionType'] },
    ),
    description,
    { maxItems: 32, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['conditionType'] },
  );
}

export function machineTaints(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        effect: oneOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'What the taint does to pods that do not tolerate it.'),
        key: text('Taint key.', 1, 317, { pattern: TAINT_KEY_PATTERN }),
        propagation: oneOf(['Always', 'OnInitialization'], 'Always: kept on the Node for its lifetime; OnInitialization: set once when the Node joins.'),
        value: text('Taint value.', 1, 63, { pattern: TAINT_VALUE_PATTERN }),
      },
      'A taint put on the Node of the Machine.',
      { required: ['effect', 'key', 'propagation'] },
    ),
    description,
    { maxItems: 64, minItems: 1, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['key', 'effect'] },
  );
}

export function machineNamingStrategy(description: string, maxLength = 256): JSONSchemaProps {
  return object(
    {
      template: text(
        'Go template for the names of new Machines; must contain {{ .random }}. Also available: {{ .cluster }} and the owner name ({{ .machineSet }} or {{ .kubeadmControlPlane }}).',
        1,
        maxLength,
      ),
    },
    description,
  );
}

/** Timeouts that govern Machine deletion (Machine, templates, control planes). */
export function machineDeletionTimeouts(): Record<string, JSONSchemaProps> {
  return {
    nodeDeletionTimeout: duration('How long to keep retrying to delete the Node after the Machine is gone from the infrastructure; 0 retries forever.'),
    nodeDrainTimeout: duration('How long to keep draining the Node; unset or 0 drains without a limit.'),
    nodeVolumeDetachTimeout: duration('How long to wait for volumes to detach from the Node; unset or 0 waits without a limit.'),
  };
}

/** cluster.x-k8s.io/v1beta1 MachineSpec. */
export function machineSpec(description: string): JSONSchemaProps {
  return object(
    {
      bootstrap: object(
        {
          configRef: objectReference('The bootstrap provider object (e.g. a KubeadmConfig) that produces the bootstrap data.'),
          dataSecretName: str('Name of a Secret holding ready bootstrap data, when no bootstrap provider is used.', { minLength: 0, maxLength: 253 }),
        },
        'Where the Machine\'s bootstrap data comes from: a bootstrap provider object or a ready Secret.',
      ),
      clusterName: text('Name of the Cluster this Machine belongs to.', 1, 63),
      failureDomain: text('Failure domain to place the Machine in.', 1, 256),
      infrastructureRef: objectReference('The infrastructure provider object (e.g. a SimMachine) that is the Machine\'s VM.'),
      ...machineDeletionTimeouts(),
      providerID: text('Identifier of the machine at the infrastructure provider, copied from the infrastructure object; it matches the Node\'s spec.providerID.', 1, 512),
      readinessGates: readinessGates('Extra conditions the Machine needs before it counts as Ready.'),
      taints: machineTaints('Taints put on the Machine\'s Node.'),
      version: text('Kubernetes version of the Machine\'s kubelet, e.g. v1.30.2.', 1, 256),
    },
    description,
    { required: ['bootstrap', 'clusterName', 'infrastructureRef'] },
  );
}

/** A Machine template (MachineSet, MachineDeployment). */
export function machineTemplateSpec(description: string): JSONSchemaProps {
  return object(
    {
      metadata: templateMeta('Labels and annotations of the Machines made from this template.'),
      spec: machineSpec('The spec of the Machines made from this template.'),
    },
    description,
  );
}

// ---- MachineHealthCheck fields (MachineHealthCheck, ClusterClass, Cluster topology) ---------------------

/** The fields a MachineHealthCheck shares with its ClusterClass and topology forms. */
export function healthCheckFields(): Record<string, JSONSchemaProps> {
  return {
    maxUnhealthy: intOrString('Remediation stops when more than this many (or this percentage) of the selected Machines are unhealthy. Default 100%.'),
    nodeStartupTimeout: duration('How long a Machine may go without a Node before it is unhealthy. Default 10m; 0 disables the check; otherwise at least 30s.'),
    remediationTemplate: objectReference('Template of an external remediation object; when set, remediation is delegated to it instead of deleting the Machine.'),
    unhealthyConditions: arrayOf(
      object(
        {
          status: str('Condition status that counts as unhealthy: True, False or Unknown.', { minLength: 1 }),
          timeout: duration('How long the Node condition must hold before the Machine is unhealthy.'),
          type: str('Node condition type, e.g. Ready.', { minLength: 1 }),
        },
        'A Node condition that, held long enough, makes the Machine unhealthy.',
        { required: ['status', 'timeout', 'type'] },
      ),
      'Node conditions that make a Machine unhealthy.',
      { maxItems: 100 },
    ),
    unhealthyMachineConditions: arrayOf(
      object(
        {
          status: oneOf(['True', 'False', 'Unknown'], 'Condition status that counts as unhealthy.'),
          timeout: duration('How long the Machine condition must hold before the Machine is unhealthy.'),
          type: text('Machine condition type.', 1, 316, {
            pattern: CONDITION_TYPE_PATTERN,
            'x-kubernetes-validations': [
              {
                rule: "!(self in ['Ready','Available','HealthCheckSucceeded','OwnerRemediated','ExternallyRemediated'])",
                message: 'type must not be one of: Ready, Available, HealthCheckSucceeded, OwnerRemediated, ExternallyRemediated',
              },
            ],
          }),
        },
        'A Machine condition that, held long enough, makes the Machine unhealthy.',
        { required: ['status', 'timeout', 'type'] },
      ),
      'Machine conditions that make a Machine unhealthy.',
      { maxItems: 100, minItems: 1, 'x-kubernetes-list-type': 'atomic' },
    ),
    unhealthyRange: text('Remediation runs only while the number of unhealthy Machines is in this range, written "[min-max]", e.g. "[3-5]". Takes precedence over maxUnhealthy.', 1, 32, {
      pattern: '^\\[[0-9]+-[0-9]+\\]$',
    }),
  };
}

/** Names and values of ClusterClass variables as a Cluster sets them. */
export function clusterVariables(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        definitionFrom: str('Deprecated; must be empty.', { maxLength: 256 }),
        name: text('Name of the variable, as the ClusterClass defines it.', 1, 256),
        value: anyValue('Value of the variable; checked against the variable\'s schema in the ClusterClass.'),
      },
      'The value of one ClusterClass variable.',
      { required: ['name', 'value'] },
    ),
    description,
    { maxItems: 1000, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
  );
}

/** Condition types a Cluster (or ClusterClass) requires on top of its own for Available. */
export function availabilityGates(description: string): JSONSchemaProps {
  return arrayOf(
    object(
      {
        conditionType: text('Condition type on the Cluster that must be True (or False, with Negative polarity).', 1, 316, { pattern: CONDITION_TYPE_PATTERN }),
        polarity: oneOf(['Positive', 'Negative'], 'Positive: passes when the condition is True; Negative: when it is False.'),
      },
      'One extra condition the Cluster needs before it counts as Available.',
      { required: ['conditionType'] },
    ),
    description,
    { maxItems: 32, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['conditionType'] },
  );
}

/** Rollout strategy of MachineDeployments (MachineDeployment, ClusterClass, topology). */
export function machineDeploymentStrategy(description: string): JSONSchemaProps {
  return object(
    {
      remediation: object(
        {
          maxInFlight: intOrString('How many unhealthy Machines may be remediated at once (a number or a percentage of replicas); unset means no limit.'),
        },
        'How MachineHealthCheck remediation of this MachineDeployment\'s Machines proceeds.',
      ),
      rollingUpdate: object(
        {
          deletePolicy: oneOf(['Random', 'Newest', 'Oldest'], 'Which Machines go first when scaling down: Random, Newest or Oldest.'),
          maxSurge: intOrString('How many Machines may exist above the desired replicas during a rollout (number or percentage, rounded up). Default 1.'),
          maxUnavailable: intOrString('How many Machines may be unavailable during a rollout (number or percentage, rounded down). Default 0.'),
        },
        'Parameters of a RollingUpdate; only used when type is RollingUpdate.',
      ),
      type: oneOf(['RollingUpdate', 'OnDelete'], 'RollingUpdate replaces Machines gradually; OnDelete replaces a Machine only when it is deleted. Default RollingUpdate.'),
    },
    description,
  );
}

/** The root of a kind's schema: apiVersion, kind, metadata and the kind's own fields. */
export function kindRoot(description: string, properties: Record<string, JSONSchemaProps>, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return object(
    {
      apiVersion: str('Versioned schema of this object, as group/version.'),
      kind: str('Kind of this object.'),
      metadata: { type: 'object' },
      ...properties,
    },
    description,
    extra,
  );
}
