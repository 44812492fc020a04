/**
 * Thin adapters from "read one object" to the lookups the authenticator and TokenRequest need, so that the same
 * getter (an ObjectStore, a watch cache, a client) serves both.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import type { ObjectStore } from '../object-store.js';
import type { LookedUpObject, LookedUpSecret, LookedUpServiceAccount, ServiceAccountTokenLookup } from './authenticator.js';
import type { BoundObjectLookup } from './token-request.js';

export type CoreResource = 'serviceaccounts' | 'pods' | 'secrets' | 'nodes';

/** Read one core/v1 object; undefined when it does not exist (nodes: namespace undefined). */
export type GetCoreObject = (resource: CoreResource, namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

function lookedUp(obj: KubeObject | undefined): LookedUpObject | undefined {
  if (!obj) return undefined;
  const out: LookedUpObject = { uid: obj.metadata?.uid ?? '' };
  if (obj.metadata?.deletionTimestamp) out.deletionTimestamp = obj.metadata.deletionTimestamp;
  return out;
}

/** The authenticator's view of a Secret: uid, deletion, labels and its decoded data["token"]. */
export function lookedUpSecret(obj: KubeObject | undefined): LookedUpSecret | undefined {
  const base = lookedUp(obj);
  if (!obj || !base) return undefined;
  const out: LookedUpSecret = base;
  const data = obj.data as Record<string, unknown> | undefined;
  if (typeof data?.token === 'string') out.token = Buffer.from(data.token, 'base64').toString('utf8');
  if (obj.metadata?.labels) out.labels = obj.metadata.labels;
  return out;
}

/** The authenticator's view of a ServiceAccount: uid, deletion and the names in its `secrets` list. */
export function lookedUpServiceAccount(obj: KubeObject | undefined): LookedUpServiceAccount | undefined {
  const base = lookedUp(obj);
  if (!obj || !base) return undefined;
  const out: LookedUpServiceAccount = base;
  const secrets = obj.secrets;
  if (Array.isArray(secrets)) {
    out.secretNames = secrets.map((r) => (r && typeof r === 'object' ? (r as { name?: unknown }).name : undefined)).filter((n): n is string => typeof n === 'string');
  }
  return out;
}

export function tokenLookupFrom(get: GetCoreObject): ServiceAccountTokenLookup {
  return {
    serviceAccount: async (namespace, name) => lookedUpServiceAccount(await get('serviceaccounts', namespace, name)),
    pod: async (namespace, name) => lookedUp(await get('pods', namespace, name)),
    secret: async (namespace, name) => lookedUpSecret(await get('secrets', namespace, name)),
    node: async (name) => lookedUp(await get('nodes', undefined, name)),
  };
}

export function boundObjectLookupFrom(get: GetCoreObject): BoundObjectLookup {
  return {
    pod: (namespace, name) => get('pods', namespace, name),
    secret: (namespace, name) => get('secrets', namespace, name),
    node: (name) => get('nodes', undefined, name),
  };
}

/** Read core/v1 objects straight from an ObjectStore (the plane's, or a workload cluster's). */
export function coreGetterFrom(objects: ObjectStore): GetCoreObject {
  return async (resource, namespace, name) => {
    const info = objects.registry.get('', 'v1', resource);
    if (!info) return undefined;
    return objects.tryGet(info, info.namespaced ? namespace : undefined, name);
  };
}
