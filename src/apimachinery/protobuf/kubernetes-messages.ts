/**
 * Message tables of the built-in Kubernetes kinds, read from generated/kubernetes-messages.json (written by
 * scripts/extract-kubernetes-protobuf.mjs from k8s.io/api's generated.proto and types.go).
 *
 * The JSON lists each k8s.io/api message as rows `[fieldNumber, jsonName, type, flags]`, where `type` is a
 * protobuf scalar or a full message name, and `flags` is a bit set (see `fieldFlags` in the file). Messages of
 * apimachinery (ObjectMeta, Time, Quantity, ...) are named there but resolved here to the hand-written tables
 * and leaf encodings of ./schema.ts.
 */

import { readFileSync } from 'node:fs';
import * as S from './schema.js';
import type { FieldSpec, LeafType, MessageSchema } from './schema.js';

/** The JSON file written by scripts/extract-kubernetes-protobuf.mjs. */
export interface MessagesDocument {
  source: string;
  fieldFlags: { repeated: number; map: number; keepZero: number; inline: number };
  externals: string[];
  /** [apiVersion, kind, message name]. */
  kinds: Array<[string, string, string]>;
  messages: Record<string, Array<[number, string, string, number]>>;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** apimachinery messages: a hand-written table, or a leaf with its own JSON form. */
const EXTERNAL: Record<string, MessageSchema | LeafType> = {
  [`${META}.ObjectMeta`]: S.ObjectMeta,
  [`${META}.LabelSelector`]: S.LabelSelector,
  [`${META}.LabelSelectorRequirement`]: S.LabelSelectorRequirement,
  [`${META}.FieldSelectorRequirement`]: S.FieldSelectorRequirement,
  [`${META}.Condition`]: S.Condition,
  [`${META}.DeleteOptions`]: S.DeleteOptions,
  [`${META}.Time`]: 'time',
  [`${META}.MicroTime`]: 'microtime',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intorstring',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'rawjson',
  'k8s.io.api.authorization.v1.ExtraValue': 'stringlist',
  'k8s.io.api.authentication.v1.ExtraValue': 'stringlist',
};

const SCALARS: ReadonlySet<string> = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'double']);

export interface KubernetesMessages {
  /** Where the table was generated from (k8s.io/api commit). */
  source: string;
  kinds: Array<{ apiVersion: string; kind: string; schema: MessageSchema }>;
}

function readDocument(): MessagesDocument {
  const candidates = [
    new URL('./generated/kubernetes-messages.json', import.meta.url),
    new URL('../../../../src/apimachinery/protobuf/generated/kubernetes-messages.json', import.meta.url),
  ];
  for (const url of candidates) {
    try {
      return JSON.parse(readFileSync(url, 'utf8')) as MessagesDocument;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error('src/apimachinery/protobuf/generated/kubernetes-messages.json not found beside the code or in the source tree');
}

/** Turns the JSON document into MessageSchemas (one object per message, shared; recursion through thunks). */
export function buildKubernetesMessages(doc: MessagesDocument): KubernetesMessages {
  const built = new Map<string, MessageSchema>();
  const flags = doc.fieldFlags;
  const typeOf = (name: string, where: string): FieldSpec['type'] => {
    if (SCALARS.has(name)) return name as LeafType;
    const ext = EXTERNAL[name];
    if (typeof ext === 'string') return ext;
    if (ext) return () => ext;
    if (!doc.messages[name]) throw new Error(`${where}: message ${name} is not in the protobuf table`);
    return () => schemaOf(name);
  };
  const schemaOf = (name: string): MessageSchema => {
    let schema = built.get(name);
    if (schema) return schema;
    const rows = doc.messages[name];
    if (!rows) throw new Error(`message ${name} is not in the protobuf table`);
    const fields: FieldSpec[] = [];
    schema = { name, fields };
    built.set(name, schema);
    for (const [no, json, type, bits] of rows) {
      const spec: FieldSpec = { no, json, type: typeOf(type, `${name}.${json}`) };
      if (bits & flags.repeated) spec.repeated = true;
      if (bits & flags.map) spec.map = true;
      if (bits & flags.keepZero) spec.keepZero = true;
      if (bits & flags.inline) spec.inline = true;
      fields.push(spec);
    }
    return schema;
  };
  // Resolve every message now so a bad table fails at load, not on some later request.
  for (const name of Object.keys(doc.messages)) {
    for (const spec of schemaOf(name).fields) if (typeof spec.type === 'function') spec.type();
  }
  return {
    source: doc.source,
    kinds: doc.kinds.map(([apiVersion, kind, name]) => ({ apiVersion, kind, schema: schemaOf(name) })),
  };
}

let loaded: KubernetesMessages | undefined;

/** The built-in kinds' message tables (read once, on first use). */
export function kubernetesMessages(): KubernetesMessages {
  loaded ??= buildKubernetesMessages(readDocument());
  return loaded;
}
