import { EventEmitter } from 'node:events';
import type { ResourceInfo } from './resource-info.js';

/** The set of served resources: built-in kinds plus those defined by CustomResourceDefinitions. */
export class ResourceRegistry extends EventEmitter {
  private byGvr = new Map<string, ResourceInfo>();
  private owners = new Map<string, string>();

  /** Replace all versions registered under `owner` (e.g. "builtin" or "crd:widgets.example.com"). */
  setOwned(owner: string, infos: ResourceInfo[]): void {
    for (const [k, o] of this.owners) {
      if (o === owner) {
        this.owners.delete(k);
        this.byGvr.delete(k);
      }
    }
    for (const info of infos) {
      const k = gvrKey(info.group, info.version, info.plural);
      this.byGvr.set(k, info);
      this.owners.set(k, owner);
    }
    this.emit('changed');
  }

  removeOwned(owner: string): void {
    this.setOwned(owner, []);
  }

  get(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.byGvr.get(gvrKey(group, version, plural));
  }

  byKind(group: string, version: string, kind: string): ResourceInfo | undefined {
    for (const info of this.byGvr.values()) if (info.group === group && info.version === version && info.kind === kind) return info;
    return undefined;
  }

  /** Every served version of a group/resource. */
  versionsOf(group: string, plural: string): ResourceInfo[] {
    return this.all().filter((i) => i.group === group && i.plural === plural);
  }

  /** The served version objects of a group/resource are stored in (or any served one, if not served). */
  storageInfo(group: string, plural: string): ResourceInfo | undefined {
    const versions = this.versionsOf(group, plural);
    return versions.find((v) => v.version === v.storageVersion) ?? versions[0];
  }

  all(): ResourceInfo[] {
    return [...this.byGvr.values()];
  }

  hasGroupVersion(group: string, version: string): boolean {
    for (const info of this.byGvr.values()) if (info.group === group && info.version === version) return true;
    return false;
  }
}

function gvrKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

/** Where the management plane's objects are stored; a workload cluster's live under a root of their own. */
export const DEFAULT_KEY_ROOT = '/registry/';

/** Storage key prefix of a group/resource: the same for every version (objects are stored once). */
export function resourcePrefix(group: string, plural: string, root = DEFAULT_KEY_ROOT): string {
  return `${root}${group || 'core'}/${plural}/`;
}

export function objectKey(group: string, plural: string, namespace: string | undefined, name: string, root = DEFAULT_KEY_ROOT): string {
  return namespace ? `${resourcePrefix(group, plural, root)}${namespace}/${name}` : `${resourcePrefix(group, plural, root)}${name}`;
}
