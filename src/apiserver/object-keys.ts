import type { ResourceRegistry } from './registry.js';
import type { ResourceInfo } from './resource-info.js';

export interface ParsedKey {
  info: ResourceInfo;
  namespace?: string;
  name: string;
}

/** Map a storage key back to its resource, namespace and name (undefined if no longer served). */
export function parseObjectKey(registry: ResourceRegistry, key: string, root = '/registry/'): ParsedKey | undefined {
  // Under a store root other than /registry/ (a workload cluster's), parse what follows it the same way.
  if (!key.startsWith(root)) return undefined;
  const parts = `/registry/${key.slice(root.length)}`.split('/');
  // ['', 'registry', group, plural, ns?, name]
  if (parts.length < 5 || parts[1] !== 'registry') return undefined;
  const group = parts[2] === 'core' ? '' : parts[2]!;
  const info = registry.storageInfo(group, parts[3]!);
  if (!info) return undefined;
  if (info.namespaced) {
    if (parts.length !== 6) return undefined;
    return { info, namespace: parts[4], name: parts[5]! };
  }
  if (parts.length !== 5) return undefined;
  return { info, name: parts[4]! };
}
