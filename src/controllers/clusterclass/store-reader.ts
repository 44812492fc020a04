/**
 * A Reader over the plane's ObjectStore, for admission: reads see every committed write at once (no informer lag),
 * so a ClusterClass created a moment ago is found when its first Cluster arrives. A kind that is not served reads as
 * absent.
 */
import { parseApiVersion, type KubeObject } from '../../apimachinery/types.js';
import type { LabelSelector } from '../../apimachinery/selectors.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import type { Reader } from '../shared/reader.js';

export function objectStoreReader(objects: ObjectStore): Reader {
  const infoOf = (kind: { apiVersion: string; kind: string }): ResourceInfo | undefined => {
    const { group, version } = parseApiVersion(kind.apiVersion);
    return objects.registry.byKind(group, version, kind.kind);
  };
  return {
    async get<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, name: string): Promise<T | undefined> {
      const info = infoOf(kind);
      if (!info) return undefined;
      return (await objects.tryGet(info, info.namespaced ? namespace : undefined, name)) as T | undefined;
    },
    async list<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, labels?: LabelSelector): Promise<T[]> {
      const info = infoOf(kind);
      if (!info) return [];
      return (await objects.list(info, info.namespaced ? namespace : undefined, labels ? { labelSelector: labels } : {})).items as T[];
    },
  };
}
