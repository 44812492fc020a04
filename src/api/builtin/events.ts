/** events.k8s.io/v1 Event: the newer event API, served as its own resource. */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import {
  builtinResource,
  defineNamed,
  int32,
  kindSchema,
  microTimeSchema,
  object,
  objectReferenceSchema,
  str,
  timeSchema,
  useNamed,
} from './meta.js';
import { eventSourceSchema } from './core.js';

function eventSchema(): JSONSchemaProps {
  const micro = microTimeSchema();
  const series = defineNamed(
    'io.k8s.api.events.v1.EventSeries',
    object(
      {
        count: int32('Number of occurrences in this series up to the last heartbeat.', { default: 0 }),
        lastObservedTime: useNamed(micro, 'Time of the last occurrence observed.'),
      },
      'Data about a series of recurring events. The series is updated on a heartbeat rather than on every occurrence.',
      { required: ['count', 'lastObservedTime'] },
    ),
  );
  const source = eventSourceSchema();
  return kindSchema(
    'Event reports something that happened in the cluster, such as a state change or an error. Events are kept for a limited time and should be treated as informational.',
    {
      action: str('What action was taken or failed regarding the regarding object, in machine-readable form (at most 128 characters).'),
      deprecatedCount: int32('Occurrence count carried over from the core/v1 Event type.'),
      deprecatedFirstTimestamp: useNamed(timeSchema(), 'First-seen time carried over from the core/v1 Event type.'),
      deprecatedLastTimestamp: useNamed(timeSchema(), 'Last-seen time carried over from the core/v1 Event type.'),
      deprecatedSource: useNamed(source, 'Source carried over from the core/v1 Event type.', { default: {} }),
      eventTime: useNamed(micro, 'Time at which the event was first observed. Required.'),
      note: str('Human-readable description of the status of this operation (at most 1 kB).'),
      reason: str('Machine-readable reason for the action, in CamelCase (at most 128 characters).'),
      regarding: useNamed(objectReferenceSchema(), 'The object this event is about; usually the object a controller acted on.', {
        default: {},
      }),
      related: useNamed(objectReferenceSchema(), 'Optional secondary object for more complex actions.'),
      reportingController: str('Name of the controller that emitted the event, e.g. "kubernetes.io/kubelet".'),
      reportingInstance: str('ID of the controller instance that emitted the event, e.g. "kubelet-xyzf".'),
      series: useNamed(series, 'Data about the series this event belongs to, or unset for a singleton event.'),
      type: str('Type of the event: "Normal" or "Warning"; new types may be added.'),
    },
    { required: ['eventTime'] },
  );
}

export function eventsResources(): ResourceInfo[] {
  return [
    builtinResource({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      schema: eventSchema(),
    }),
  ];
}
