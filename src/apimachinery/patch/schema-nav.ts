/**
 * Schema navigation shared by strategic merge patch and server-side apply.
 *
 * Turns JSONSchemaProps (CRD structural schemas, or built-in schemas carrying
 * strategic-merge-patch metadata) into the small set of shapes the merge
 * algorithms care about: scalar leaves, maps (granular or atomic) and lists
 * (atomic, set, or map keyed by some fields). Nodes without a schema are
 * "deduced" the way structured-merge-diff does it: objects are granular maps,
 * arrays are atomic, everything else a scalar.
 */
import type { JSONSchemaProps } from '../schema/types.js';
import { isPlainObject } from '../types.js';

export type Shape =
  | { kind: 'scalar' }
  | { kind: 'map'; atomic: boolean }
  | { kind: 'list'; listType: 'atomic' | 'set' | 'map'; keys: string[] };

const str: JSONSchemaProps = { type: 'string' };

/** ObjectMeta as structured-merge-diff sees it (labels/annotations granular, finalizers a set, ownerReferences keyed by uid). */
export const OBJECT_META_SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    selfLink: str,
    uid: str,
    resourceVersion: str,
    generation: { type: 'integer' },
    creationTimestamp: str,
    deletionTimestamp: str,
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: { type: 'object', additionalProperties: str },
    annotations: { type: 'object', additionalProperties: str },
    finalizers: {
      type: 'array',
      items: str,
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    ownerReferences: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'uid',
      items: {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: {
          apiVersion: str,
          kind: str,
          name: str,
          uid: str,
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
    managedFields: { type: 'array', items: { type: 'object' } },
  },
};

function withMetaDefaults(given: JSONSchemaProps | undefined): JSONSchemaProps {
  if (!given || !given.properties) return OBJECT_META_SCHEMA;
  return { ...given, type: 'object', properties: { ...OBJECT_META_SCHEMA.properties, ...given.properties, ...pickMeta() } };
}

function pickMeta(): Record<string, JSONSchemaProps> {
  const p = OBJECT_META_SCHEMA.properties!;
  return { labels: p.labels!, annotations: p.annotations!, finalizers: p.finalizers!, ownerReferences: p.ownerReferences! };
}

/** Schema of the whole object, with `metadata` completed by OBJECT_META_SCHEMA. */
export function rootSchema(schema: JSONSchemaProps | undefined): JSONSchemaProps {
  const s = schema ?? {};
  return { ...s, type: 'object', properties: { ...(s.properties ?? {}), metadata: withMetaDefaults(s.properties?.metadata) } };
}

/** Child schema of a map entry and whether the key is a named field (a declared property). */
export function childOf(schema: JSONSchemaProps | undefined, key: string): { schema: JSONSchemaProps | undefined; named: boolean } {
  if (!schema) return { schema: undefined, named: false };
  const prop = schema.properties?.[key];
  if (prop) {
    if (key === 'metadata' && schema['x-kubernetes-embedded-resource']) return { schema: withMetaDefaults(prop), named: true };
    return { schema: prop, named: true };
  }
  if (key === 'metadata' && schema['x-kubernetes-embedded-resource']) return { schema: OBJECT_META_SCHEMA, named: true };
  if (isPlainObject(schema.additionalProperties)) return { schema: schema.additionalProperties as JSONSchemaProps, named: false };
  return { schema: undefined, named: false };
}

/** Item schema of a list. */
export function itemsOf(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  return schema?.items;
}

function patchStrategies(schema: JSONSchemaProps | undefined): string[] {
  const s = schema?.['x-kubernetes-patch-strategy'];
  return s ? s.split(',').map((x) => x.trim()) : [];
}

/** List semantics for SSA: explicit x-kubernetes-list-type wins, then strategic-merge metadata, else atomic. */
export function listSemantics(schema: JSONSchemaProps | undefined): { listType: 'atomic' | 'set' | 'map'; keys: string[] } {
  const lt = schema?.['x-kubernetes-list-type'];
  if (lt === 'map') {
    const keys = schema?.['x-kubernetes-list-map-keys'] ?? (schema?.['x-kubernetes-patch-merge-key'] ? [schema['x-kubernetes-patch-merge-key']] : []);
    return { listType: 'map', keys };
  }
  if (lt === 'set') return { listType: 'set', keys: [] };
  if (lt === 'atomic') return { listType: 'atomic', keys: [] };
  if (patchStrategies(schema).includes('merge')) {
    const mk = schema?.['x-kubernetes-patch-merge-key'];
    if (mk) return { listType: 'map', keys: [mk] };
    return { listType: 'set', keys: [] };
  }
  return { listType: 'atomic', keys: [] };
}

/**
 * Shape of a node given its schema and a sample value (used when the schema
 * does not say). A value that contradicts the schema is deduced from the value.
 */
export function shapeOf(schema: JSONSchemaProps | undefined, sample: unknown): Shape {
  let t = schema?.type;
  if (schema && !t) {
    if (schema.properties || schema.additionalProperties) t = 'object';
    else if (schema.items) t = 'array';
  }
  if (t === 'object' && (sample === undefined || sample === null || isPlainObject(sample))) {
    return { kind: 'map', atomic: schema?.['x-kubernetes-map-type'] === 'atomic' };
  }
  if (t === 'array' && (sample === undefined || sample === null || Array.isArray(sample))) {
    return { kind: 'list', ...listSemantics(schema) };
  }
  if (t && t !== 'object' && t !== 'array') return { kind: 'scalar' };
  // Deduced.
  if (isPlainObject(sample)) return { kind: 'map', atomic: schema?.['x-kubernetes-map-type'] === 'atomic' };
  if (Array.isArray(sample)) return { kind: 'list', listType: 'atomic', keys: [] };
  return { kind: 'scalar' };
}

/** Strategic-merge-patch view of a list field: merge (by key, or as a set for primitives) or replace. */
export function smpListStrategy(schema: JSONSchemaProps | undefined): { merge: boolean; mergeKey?: string } {
  if (!patchStrategies(schema).includes('merge')) return { merge: false };
  return { merge: true, mergeKey: schema?.['x-kubernetes-patch-merge-key'] };
}
