/** Generating objects from templates (upstream templateToObject / templateToTemplate) and small object helpers. */
import { isPlainObject } from '../apimachinery/schema/path.js';
import type { KubeObject, OwnerReference } from '../apimachinery/types.js';
import { ANNOTATIONS, CLUSTER_API_VERSION, LABELS, groupKindString, type Cluster, type ObjectReference } from './types.js';

export interface TemplateToInput {
  template: KubeObject;
  /** The class's reference to the template: its name and group/kind go into the cloned-from annotations. */
  clonedFrom: ObjectReference;
  cluster: Cluster;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function clusterNamespace(cluster: Cluster): string {
  return cluster.metadata?.namespace ?? 'default';
}

/** An ownerReference to the Cluster, when the Cluster has a uid (dry runs of new Clusters have none). */
export function clusterOwnerReference(cluster: Cluster): OwnerReference[] | undefined {
  const uid = cluster.metadata?.uid;
  if (!uid) return undefined;
  return [{ apiVersion: CLUSTER_API_VERSION, kind: 'Cluster', name: cluster.metadata?.name ?? '', uid }];
}

/** An object from `template.spec.template` (kind without the `Template` suffix), labelled and annotated as upstream. */
export function templateToObject(in_: TemplateToInput): KubeObject {
  const inner = (isPlainObject(in_.template.spec) ? (in_.template.spec as Record<string, unknown>).template : undefined) as KubeObject | undefined;
  const meta = (inner?.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}), ...(in_.annotations ?? {}) };
  annotations[ANNOTATIONS.clonedFromName] = in_.clonedFrom.name ?? '';
  annotations[ANNOTATIONS.clonedFromGroupKind] = groupKindString(in_.clonedFrom.apiVersion, in_.clonedFrom.kind);
  const labels: Record<string, string> = { ...(meta.labels ?? {}), ...(in_.labels ?? {}) };
  labels[LABELS.clusterName] = in_.cluster.metadata?.name ?? '';
  const kind = (in_.clonedFrom.kind ?? in_.template.kind ?? '').replace(/Template$/, '');
  const out: KubeObject = {
    apiVersion: in_.clonedFrom.apiVersion ?? in_.template.apiVersion,
    kind,
    metadata: { name: in_.name, namespace: clusterNamespace(in_.cluster), labels, annotations },
  };
  if (inner && inner.spec !== undefined) out.spec = cloneJSON(inner.spec);
  return out;
}

/** A copy of a template for one Cluster (labels, cloned-from annotations, owner reference to the Cluster). */
export function templateToTemplate(in_: TemplateToInput): KubeObject {
  const meta = in_.template.metadata ?? {};
  const labels: Record<string, string> = { ...(meta.labels ?? {}), ...(in_.labels ?? {}) };
  labels[LABELS.clusterName] = in_.cluster.metadata?.name ?? '';
  labels[LABELS.topologyOwned] = '';
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}), ...(in_.annotations ?? {}) };
  annotations[ANNOTATIONS.clonedFromName] = in_.clonedFrom.name ?? '';
  annotations[ANNOTATIONS.clonedFromGroupKind] = groupKindString(in_.clonedFrom.apiVersion, in_.clonedFrom.kind);
  delete annotations[ANNOTATIONS.lastApplied];
  const metadata: KubeObject['metadata'] = { name: in_.name, namespace: clusterNamespace(in_.cluster), labels, annotations };
  const owners = clusterOwnerReference(in_.cluster);
  if (owners) metadata.ownerReferences = owners;
  const out: KubeObject = { apiVersion: in_.template.apiVersion, kind: in_.template.kind, metadata };
  if (in_.template.spec !== undefined) out.spec = cloneJSON(in_.template.spec);
  return out;
}

/** An ObjectReference (v1beta1 contract) to an object. */
export function refTo(o: KubeObject): ObjectReference {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace };
}

/** Nested field access on plain JSON. */
export function getPath(o: unknown, path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) {
    if (!isPlainObject(v)) return undefined;
    v = v[p];
  }
  return v;
}

/** Set a nested field, creating objects on the way (unstructured.SetNestedField). */
export function setPath(o: Record<string, unknown>, path: string[], value: unknown): void {
  let cur: Record<string, unknown> = o;
  for (const p of path.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** Remove a nested field (unstructured.RemoveNestedField). */
export function deletePath(o: Record<string, unknown>, path: string[]): void {
  let cur: unknown = o;
  for (const p of path.slice(0, -1)) {
    if (!isPlainObject(cur)) return;
    cur = cur[p];
  }
  if (isPlainObject(cur)) delete cur[path[path.length - 1]!];
}

/** util.MergeMap: the first map wins on conflicts. */
export function mergeMaps(...maps: (Record<string, string> | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = maps.length - 1; i >= 0; i--) Object.assign(out, maps[i] ?? {});
  return out;
}

/** Deep copy of a JSON value (a faster equivalent of deepCopyJSON for the engine's hot paths). */
export function cloneJSON<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = cloneJSON(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = cloneJSON(x);
  }
  return out as T;
}
