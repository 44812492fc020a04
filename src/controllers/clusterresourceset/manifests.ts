/**
 * The pure part of applying a ClusterResourceSet resource (upstream's clusterresourceset helpers): a ConfigMap's or
 * Secret's data values in key order (Secret values base64-decoded), their hash, and the objects they hold — each
 * value a multi-document YAML stream or a JSON list — in create order (Namespaces and CRDs first).
 */
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';

/** The data values of a ConfigMap or Secret, sorted by key; Secret values are decoded from base64. */
export function normalizeData(kind: 'ConfigMap' | 'Secret', data: Record<string, string> | undefined, name: string): string[] {
  if (!data) throw new Error(`failed to get data field from resource ${name}`);
  return Object.keys(data)
    .sort()
    .map((k) => (kind === 'Secret' ? Buffer.from(data[k] ?? '', 'base64').toString('utf8') : (data[k] ?? '')));
}

/** "sha256:<hex>" of the concatenated values (upstream's computeHash). */
export function computeHash(values: readonly string[]): string {
  const h = createHash('sha256');
  for (const v of values) h.update(v, 'utf8');
  return `sha256:${h.digest('hex')}`;
}

/** Kinds created before the others, lowest first (upstream's SortForCreate order); the rest keep their order. */
const CREATE_ORDER: Record<string, number> = {
  Namespace: -100,
  CustomResourceDefinition: -99,
  StorageClass: -98,
  PersistentVolume: -97,
  PersistentVolumeClaim: -96,
  Secret: -95,
  ConfigMap: -94,
  ServiceAccount: -93,
  LimitRange: -92,
  Pod: -91,
  ReplicaSet: -90,
  Endpoint: -89,
};

/** A stable sort putting the kinds that others depend on first. */
export function sortForCreate(objs: readonly KubeObject[]): KubeObject[] {
  return objs
    .map((o, i) => ({ o, i, p: CREATE_ORDER[o.kind ?? ''] ?? 0 }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.o);
}

function isJsonList(value: string): boolean {
  return value.trimStart().startsWith('[');
}

/** The objects of one data value: a JSON list or a YAML stream (empty documents skipped). */
export function objectsOfValue(value: string): KubeObject[] {
  if (isJsonList(value)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return []; // upstream ignores a JSON list that does not parse
    }
    return (Array.isArray(parsed) ? parsed : []).filter(isPlainObject) as KubeObject[];
  }
  const out: KubeObject[] = [];
  let n = 0;
  for (const doc of parseAllDocuments(value)) {
    n++;
    if (doc.errors.length) throw new Error(`failed converting data to unstructured objects: failed to unmarshal document ${n}: ${doc.errors[0]!.message}`);
    const js: unknown = doc.toJS();
    if (js === null || js === undefined) continue;
    if (!isPlainObject(js)) throw new Error(`failed converting data to unstructured objects: document ${n} is not an object`);
    out.push(js as KubeObject);
  }
  return out;
}

/** The objects of every value, each value's objects in create order. */
export function objectsOfValues(values: readonly string[]): KubeObject[] {
  return values.flatMap((v) => sortForCreate(objectsOfValue(v)));
}
