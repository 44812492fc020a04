/** core/v1 kinds: Namespace, ConfigMap, Secret, Event, ServiceAccount. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import {
  arrayOf,
  bool,
  builtinResource,
  bytesMap,
  defineNamed,
  int32,
  kindSchema,
  localObjectReferenceSchema,
  microTimeSchema,
  object,
  objectReferenceSchema,
  str,
  stringMap,
  timeSchema,
  useNamed,
} from './meta.js';

const CORE_V1 = 'io.k8s.api.core.v1';

function namespaceSchema(): JSONSchemaProps {
  const condition = defineNamed(
    `${CORE_V1}.NamespaceCondition`,
    object(
      {
        lastTransitionTime: useNamed(timeSchema(), 'Last time the condition changed from one status to another.'),
        message: str('Human-readable details about the last transition.'),
        reason: str('One-word CamelCase reason for the last transition.'),
        status: str('Status of the condition: True, False or Unknown.', { default: '' }),
        type: str('Type of the namespace condition.', { default: '' }),
      },
      'Describes one aspect of the state of a namespace.',
      { required: ['type', 'status'] },
    ),
  );
  const spec = defineNamed(
    `${CORE_V1}.NamespaceSpec`,
    object(
      {
        finalizers: arrayOf(
          { type: 'string', default: '' },
          'Opaque values that must be empty before the namespace is removed from storage. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
      },
      'The attributes a user sets on a namespace.',
    ),
  );
  const status = defineNamed(
    `${CORE_V1}.NamespaceStatus`,
    object(
      {
        conditions: arrayOf(useNamed(condition), 'The latest available observations of the namespace state.', {
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'type',
        }),
        phase: str(
          'Lifecycle phase of the namespace: "Active" while in use, "Terminating" while its contents are being deleted. More info: https://kubernetes.io/docs/tasks/administer-cluster/namespaces/',
          { enum: ['Active', 'Terminating'] },
        ),
      },
      'The observed state of a namespace.',
    ),
  );
  return kindSchema('Namespace provides a scope for names. Most namespaced objects must be placed in an existing namespace.', {
    spec: useNamed(spec, 'Desired behaviour of the namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', { default: {} }),
    status: useNamed(status, 'Observed state of the namespace, maintained by the system. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', { default: {} }),
  });
}

function configMapSchema(): JSONSchemaProps {
  return kindSchema('ConfigMap holds non-confidential configuration data as key/value pairs for workloads to consume.', {
    binaryData: bytesMap(
      'Binary values keyed like data, each base64-encoded in JSON/YAML. Keys may contain only alphanumerics, "-", "_" or "." and must not also appear in data.',
    ),
    data: stringMap(
      'UTF-8 configuration values. Keys may contain only alphanumerics, "-", "_" or "." and must not also appear in binaryData; non-UTF-8 content belongs in binaryData.',
    ),
    immutable: bool(
      'When true, data and binaryData cannot be changed after creation (only metadata can). The field itself can only be switched on, never off.',
    ),
  });
}

function secretSchema(): JSONSchemaProps {
  return kindSchema('Secret holds a small amount of sensitive data such as passwords, tokens or keys.', {
    data: bytesMap(
      'Secret values, base64-encoded in JSON/YAML. Keys may contain only alphanumerics, "-", "_" or "."; the total size is limited to 1 MiB. More info: https://kubernetes.io/docs/concepts/configuration/secret/',
    ),
    immutable: bool('When true, data cannot be changed after creation (only metadata can). The field itself can only be switched on, never off.'),
    stringData: stringMap(
      'Write-only convenience for giving values as plain strings. Entries are merged into data on write (overriding keys present in both) and never returned on read.',
    ),
    type: str(
      'Selects how the secret data is interpreted and validated, e.g. "Opaque" (the default), "kubernetes.io/tls" or "kubernetes.io/dockerconfigjson". More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
    ),
  });
}

/** core/v1 EventSource, also used by events.k8s.io/v1 Event.deprecatedSource. */
export function eventSourceSchema(): JSONSchemaProps {
  return defineNamed(
    `${CORE_V1}.EventSource`,
    object(
      {
        component: str('Component that generated the event.'),
        host: str('Node name on which the event was generated.'),
      },
      'The component and host that produced an event.',
    ),
  );
}

function coreEventSchema(): JSONSchemaProps {
  const micro = microTimeSchema();
  const time = timeSchema();
  const source = eventSourceSchema();
  const series = defineNamed(
    `${CORE_V1}.EventSeries`,
    object(
      {
        count: int32('Number of occurrences in this series up to the last heartbeat.'),
        lastObservedTime: useNamed(micro, 'Time of the last occurrence observed.'),
      },
      'Data about a series of recurring events.',
    ),
  );
  return kindSchema(
    'Event reports something that happened in the cluster. Events are kept for a limited time and should be treated as informational.',
    {
      action: str('What action was taken or failed regarding the involved object.'),
      count: int32('Number of times this event has occurred.'),
      eventTime: useNamed(micro, 'Time at which the event was first observed.'),
      firstTimestamp: useNamed(time, 'Time at which the event was first recorded (the server receives it).'),
      involvedObject: useNamed(objectReferenceSchema(), 'The object this event is about.', { default: {} }),
      lastTimestamp: useNamed(time, 'Time of the most recent occurrence of this event.'),
      message: str('Human-readable description of the status of this operation.'),
      reason: str('Short, machine-understandable CamelCase reason for the transition into the object\'s current status.'),
      related: useNamed(objectReferenceSchema(), 'Optional secondary object involved in the event.'),
      reportingComponent: str('Name of the controller that emitted the event, e.g. "kubernetes.io/kubelet".', { default: '' }),
      reportingInstance: str('ID of the controller instance that emitted the event, e.g. "kubelet-xyzf".', { default: '' }),
      series: useNamed(series, 'Data about the series this event belongs to, or unset for a singleton event.'),
      source: useNamed(source, 'The component reporting this event. Should be a short machine-understandable string.', { default: {} }),
      type: str('Type of the event: "Normal" or "Warning"; new types may be added.'),
    },
    { required: ['metadata', 'involvedObject'] },
  );
}

function serviceAccountSchema(): JSONSchemaProps {
  return kindSchema(
    'ServiceAccount binds together a name understood by users and peripheral systems, an identity for processes in pods, and a set of secrets.',
    {
      automountServiceAccountToken: bool(
        'Whether pods running as this service account get an API token mounted automatically. Can be overridden per pod.',
      ),
      imagePullSecrets: arrayOf(
        useNamed(localObjectReferenceSchema(), undefined, { default: {} }),
        'Secrets in the same namespace used to pull images for pods that use this service account. More info: https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod',
        { 'x-kubernetes-list-type': 'atomic' },
      ),
      secrets: arrayOf(
        useNamed(objectReferenceSchema(), undefined, { default: {} }),
        'Secrets in the same namespace that pods running as this service account may use. More info: https://kubernetes.io/docs/concepts/configuration/secret',
        { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
      ),
    },
  );
}

export function coreResources(): ResourceInfo[] {
  return [
    builtinResource({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      schema: namespaceSchema(),
      subresources: { status: true },
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'The lifecycle phase of the namespace.' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }),
    builtinResource({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
      schema: configMapSchema(),
    }),
    builtinResource({
      group: '',
      version: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      schema: secretSchema(),
      printerColumns: [
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }),
    builtinResource({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      schema: coreEventSchema(),
    }),
    builtinResource({
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      singular: 'serviceaccount',
      namespaced: true,
      shortNames: ['sa'],
      schema: serviceAccountSchema(),
    }),
  ];
}
