/**
 * Shared building blocks for the schemas of built-in kinds: small JSONSchemaProps constructors,
 * the meta/v1 ObjectMeta schema every kind embeds, and a registry that remembers which sub-schemas
 * stand for a named Kubernetes type (so OpenAPI publishing can emit `$ref`s to e.g.
 * `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` instead of inlining).
 *
 * Schemas stay plain, structural JSONSchemaProps (properties inline, no `$ref`/`allOf`), so the
 * validation/pruning code can treat built-in kinds exactly like custom resources.
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';

// ---------------------------------------------------------------------------------------------
// Named-type registry
// ---------------------------------------------------------------------------------------------

interface NamedEntry {
  /** OpenAPI definition name, e.g. io.k8s.api.core.v1.ObjectReference. */
  name: string;
  /** The type's own schema (with the type-level description). */
  canonical: JSONSchemaProps;
}

const named = new WeakMap<object, NamedEntry>();

/** Marks `schema` as the definition of the named Kubernetes type `name`; returns it. */
export function defineNamed(name: string, schema: JSONSchemaProps): JSONSchemaProps {
  named.set(schema, { name, canonical: schema });
  return schema;
}

/**
 * A field whose value is of a named type: a shallow copy of the type schema carrying the field's
 * own description, remembered as a use of that type.
 */
export function useNamed(type: JSONSchemaProps, description?: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  const entry = named.get(type);
  const copy: JSONSchemaProps = { ...type, ...(extra ?? {}) };
  if (description !== undefined) copy.description = description;
  else delete copy.description;
  if (entry) named.set(copy, entry);
  return copy;
}

/** When `schema` is (a use of) a named type: its definition name and canonical schema. */
export function namedTypeOf(schema: unknown): { name: string; canonical: JSONSchemaProps } | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  return named.get(schema);
}

// ---------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------

export function str(description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return { type: 'string', description, ...(extra ?? {}) };
}

export function int32(description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return { type: 'integer', format: 'int32', description, ...(extra ?? {}) };
}

export function int64(description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return { type: 'integer', format: 'int64', description, ...(extra ?? {}) };
}

export function bool(description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return { type: 'boolean', description, ...(extra ?? {}) };
}

/** A map of string to string. */
export function stringMap(description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return { type: 'object', description, additionalProperties: { type: 'string' }, ...(extra ?? {}) };
}

/** A map of string to base64-encoded bytes. */
export function bytesMap(description: string): JSONSchemaProps {
  return { type: 'object', description, additionalProperties: { type: 'string', format: 'byte' } };
}

export function arrayOf(items: JSONSchemaProps, description: string, extra?: Partial<JSONSchemaProps>): JSONSchemaProps {
  return { type: 'array', description, items, ...(extra ?? {}) };
}

export function object(
  properties: Record<string, JSONSchemaProps>,
  description?: string,
  extra?: Partial<JSONSchemaProps>,
): JSONSchemaProps {
  const s: JSONSchemaProps = { type: 'object', properties, ...(extra ?? {}) };
  if (description !== undefined) s.description = description;
  return s;
}

/** A free-form JSON value (any type, kept as-is). */
export function freeForm(description: string): JSONSchemaProps {
  return { description, 'x-kubernetes-preserve-unknown-fields': true };
}

// ---------------------------------------------------------------------------------------------
// meta/v1 types
// ---------------------------------------------------------------------------------------------

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export function timeSchema(): JSONSchemaProps {
  return defineNamed(`${META_V1}.Time`, {
    type: 'string',
    format: 'date-time',
    description: 'A point in time, serialized as an RFC 3339 timestamp with second precision (e.g. 2024-01-02T15:04:05Z).',
    // Go's zero Time serializes as null (e.g. `creationTimestamp: null` in templates kubectl sends back).
    nullable: true,
  });
}

export function microTimeSchema(): JSONSchemaProps {
  return defineNamed(`${META_V1}.MicroTime`, {
    type: 'string',
    format: 'date-time',
    description: 'A point in time with microsecond precision, serialized as an RFC 3339 timestamp.',
    nullable: true,
  });
}

export function fieldsV1Schema(): JSONSchemaProps {
  return defineNamed(`${META_V1}.FieldsV1`, {
    type: 'object',
    description:
      'The set of fields a manager owns, encoded as a JSON trie: keys are "f:<name>", "k:<key-json>", "v:<value-json>" or "i:<index>", and "." marks the field itself.',
  });
}

export function ownerReferenceSchema(): JSONSchemaProps {
  return defineNamed(
    `${META_V1}.OwnerReference`,
    object(
      {
        apiVersion: str('API version of the owner.', { default: '' }),
        kind: str('Kind of the owner.', { default: '' }),
        name: str('Name of the owner; it lives in the same namespace as the dependent (or is cluster-scoped).', { default: '' }),
        uid: str('UID of the owner.', { default: '' }),
        controller: bool('When true, this owner is the managing controller of the object. At most one owner may be the controller.'),
        blockOwnerDeletion: bool(
          'When true and the owner has the "foregroundDeletion" finalizer, the owner cannot be removed from storage until this reference is removed.',
        ),
      },
      'Identifies an object that owns this one. The owner must be in the same namespace as the dependent, or be cluster-scoped.',
      { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
    ),
  );
}

export function managedFieldsEntrySchema(): JSONSchemaProps {
  return defineNamed(
    `${META_V1}.ManagedFieldsEntry`,
    object(
      {
        apiVersion: str('Version of the resource the field set applies to; field sets are tracked per version.'),
        fieldsType: str('Format of the fieldsV1 field. The only value is "FieldsV1".'),
        fieldsV1: useNamed(fieldsV1Schema(), 'The fields owned by this manager.'),
        manager: str('Identifier of the workflow that manages these fields (the field manager).'),
        operation: str('Kind of operation that produced this entry: "Apply" or "Update".'),
        subresource: str('Subresource the fields were changed through (e.g. "status"), or empty for the main resource.'),
        time: useNamed(timeSchema(), 'When the fields were last changed by this manager.'),
      },
      'Records which fields one manager owns and through which operation it set them.',
    ),
  );
}

/** The meta/v1 ObjectMeta schema shared by every kind. */
export function objectMetaSchema(): JSONSchemaProps {
  const time = timeSchema();
  return defineNamed(
    `${META_V1}.ObjectMeta`,
    object(
      {
        annotations: stringMap(
          'Unstructured key/value data set by tools and controllers. Not used for selection. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations',
        ),
        creationTimestamp: useNamed(
          time,
          'Server-set time at which the object was created. Read-only; null for objects that have not been persisted.',
        ),
        deletionGracePeriodSeconds: int64(
          'Seconds the object is allowed to terminate gracefully before it is removed. Set together with deletionTimestamp; read-only.',
        ),
        deletionTimestamp: useNamed(
          time,
          'Server-set time after which the object will be removed, once its finalizers are gone. Set when deletion is requested; read-only.',
        ),
        finalizers: arrayOf(
          { type: 'string', default: '' },
          'Names of pending cleanup steps. The object is not removed while this list is non-empty. Entries are unique and kept in order of insertion.',
          { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
        ),
        generateName: str(
          'Prefix the server uses to generate a unique name when name is empty. A random suffix is appended. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency',
        ),
        generation: int64('Sequence number of a specific generation of the desired state. Set by the system; read-only.'),
        labels: stringMap(
          'Key/value pairs used to organize and select objects (e.g. by label selectors on controllers and services). More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels',
        ),
        managedFields: arrayOf(
          useNamed(managedFieldsEntrySchema()),
          'Internal record of which field manager owns which fields and via which operation. Normally not set or read by users.',
          { 'x-kubernetes-list-type': 'atomic' },
        ),
        name: str(
          'Name of the object, unique within its namespace (or cluster-wide for cluster-scoped kinds). Required on create unless generateName is set; cannot be changed. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
        ),
        namespace: str(
          'Namespace the object lives in. Empty for cluster-scoped objects; defaults to "default" for namespaced ones. Cannot be changed. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces',
        ),
        ownerReferences: arrayOf(
          useNamed(ownerReferenceSchema()),
          'Objects this object depends on. When every owner is deleted the object is garbage collected. At most one entry may be the managing controller.',
          {
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['uid'],
            'x-kubernetes-patch-strategy': 'merge',
            'x-kubernetes-patch-merge-key': 'uid',
          },
        ),
        resourceVersion: str(
          'Opaque version of the object, changed on every write. Used for optimistic concurrency and watches; clients must not interpret it. Read-only.',
        ),
        selfLink: str('Deprecated; not set by the server.'),
        uid: str('Unique identifier assigned by the server when the object is created; never reused. Read-only.'),
      },
      'Metadata that every persisted object has: name, namespace, labels, annotations, owners, finalizers and server-maintained bookkeeping.',
    ),
  );
}

/** meta/v1 ListMeta (published in OpenAPI for list kinds). */
export function listMetaSchema(): JSONSchemaProps {
  return defineNamed(
    `${META_V1}.ListMeta`,
    object(
      {
        continue: str('Token to pass as the "continue" parameter to fetch the next page, when the list was limited.'),
        remainingItemCount: int64('Approximate number of items left after this page, when the list was limited.'),
        resourceVersion: str('Version of the collection at the time it was read; usable as the starting point of a watch.'),
        selfLink: str('Deprecated; not set by the server.'),
      },
      'Metadata of a list response.',
    ),
  );
}

export function objectReferenceSchema(): JSONSchemaProps {
  return defineNamed(
    'io.k8s.api.core.v1.ObjectReference',
    object(
      {
        apiVersion: str('API version of the referent.'),
        fieldPath: str('Path to a part of the referent, e.g. "spec.containers{name}", when the reference is to a piece of an object.'),
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        namespace: str('Namespace of the referent.'),
        resourceVersion: str('Specific resourceVersion of the referent this reference was taken from.'),
        uid: str('UID of the referent.'),
      },
      'A reference to another object, with enough information to look it up.',
      { 'x-kubernetes-map-type': 'atomic' },
    ),
  );
}

export function localObjectReferenceSchema(): JSONSchemaProps {
  return defineNamed(
    'io.k8s.api.core.v1.LocalObjectReference',
    object(
      { name: str('Name of the referent in the same namespace.', { default: '' }) },
      'A reference to an object by name within the same namespace.',
      { 'x-kubernetes-map-type': 'atomic' },
    ),
  );
}

export const API_VERSION_DESCRIPTION =
  'Versioned schema of this object, as "group/version" (or just "version" for the core group). Servers convert known versions and reject unknown ones. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
export const KIND_DESCRIPTION =
  'The type of REST resource this object represents, in CamelCase. Servers may infer it from the endpoint; it cannot be updated. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
export const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** The schema of a whole object: apiVersion, kind and metadata followed by the kind's own fields. */
export function kindSchema(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  extra?: Partial<JSONSchemaProps>,
): JSONSchemaProps {
  return object(
    {
      apiVersion: str(API_VERSION_DESCRIPTION),
      kind: str(KIND_DESCRIPTION),
      metadata: useNamed(objectMetaSchema(), METADATA_DESCRIPTION, { default: {} }),
      ...properties,
    },
    description,
    extra,
  );
}

/** Every verb a plain built-in resource serves. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Fills the ResourceInfo fields that are the same for every built-in resource. */
export function builtinResource(
  r: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'plural' | 'namespaced' | 'schema'> & Partial<ResourceInfo>,
): ResourceInfo {
  return {
    listKind: `${r.kind}List`,
    singular: r.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: [...STANDARD_VERBS],
    printerColumns: [],
    subresources: { status: false },
    builtin: true,
    storageVersion: r.version,
    ...r,
  };
}
