/**
 * Patch helper: snapshot an object, let the reconciler change it in memory, then send only what
 * changed — one JSON merge patch for metadata/spec (everything but status) and one for the status
 * subresource — so concurrent writers' fields are never overwritten with stale values.
 */
import { isDeepStrictEqual } from 'node:util';
import { deepClone, isPlainObject, type KubeObject } from '../apimachinery/types.js';
import type { Client, KindRef, WriteOptions } from '../client/types.js';

/** Server-owned metadata the helper never sends. */
const SYSTEM_METADATA = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];

/** RFC 7386 merge patch turning `from` into `to` (objects recurse, arrays and scalars replace, removals are null). */
export function createMergePatch(from: unknown, to: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(from) || !isPlainObject(to)) throw new Error('createMergePatch needs two objects');
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    const old = from[k];
    if (isPlainObject(v) && isPlainObject(old)) {
      const sub = createMergePatch(old, v);
      if (sub) patch[k] = sub;
    } else if (!isDeepStrictEqual(old, v)) {
      patch[k] = deepClone(v);
    }
  }
  for (const k of Object.keys(from)) if (from[k] !== undefined && (!(k in to) || to[k] === undefined)) patch[k] = null;
  return Object.keys(patch).length ? patch : undefined;
}

function withoutStatus(obj: KubeObject): Record<string, unknown> {
  const c: Record<string, unknown> = { ...obj, metadata: { ...obj.metadata } };
  delete c.status;
  delete c.apiVersion;
  delete c.kind;
  const meta = c.metadata as Record<string, unknown>;
  for (const f of SYSTEM_METADATA) delete meta[f];
  return c;
}

export interface PatchHelperOptions extends WriteOptions {
  /** Send metadata.resourceVersion so a concurrent change gives ConflictError (default false). */
  optimisticLock?: boolean;
}

export interface PatchOutcome<T> {
  /** The object after the writes (the input when nothing was sent). */
  object: T;
  /** The merge patches sent: main object and status. */
  sent: { main?: Record<string, unknown>; status?: Record<string, unknown> };
}

export class PatchHelper<T extends KubeObject> {
  private before: T;

  constructor(
    private readonly client: Client,
    obj: T,
    private readonly opts: PatchHelperOptions = {},
  ) {
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error('PatchHelper needs an object with apiVersion, kind and metadata.name');
    this.before = deepClone(obj);
  }

  /** What would be sent for `obj` now. */
  diff(obj: T): { main?: Record<string, unknown>; status?: Record<string, unknown> } {
    const main = createMergePatch(withoutStatus(this.before), withoutStatus(obj));
    // undefined when nothing differs
    const status = createMergePatch({ status: this.before.status ?? {} }, { status: obj.status ?? {} });
    return { main, status };
  }

  /** Send the changes of obj since the snapshot; afterwards the snapshot is the result. */
  async patch(obj: T): Promise<PatchOutcome<T>> {
    const { main, status } = this.diff(obj);
    const type: KindRef<T> = { apiVersion: obj.apiVersion!, kind: obj.kind! };
    const key = { name: obj.metadata!.name!, namespace: obj.metadata!.namespace };
    const { optimisticLock, ...writeOpts } = this.opts;
    const lock = (p: Record<string, unknown>): Record<string, unknown> => {
      if (!optimisticLock || !obj.metadata?.resourceVersion) return p;
      return { ...p, metadata: { ...(isPlainObject(p.metadata) ? p.metadata : {}), resourceVersion: obj.metadata.resourceVersion } };
    };
    let result: T = obj;
    const sent: PatchOutcome<T>['sent'] = {};
    const mapping = await this.client.mapping(type);
    let mainBody = main;
    let statusBody = status;
    if (!mapping.statusSubresource && statusBody) {
      // No status subresource: status travels with the main object.
      mainBody = { ...(mainBody ?? {}), ...statusBody };
      statusBody = undefined;
    }
    if (mainBody) {
      sent.main = lock(mainBody);
      result = await this.client.patch(type, key, { type: 'merge', body: sent.main }, writeOpts);
    }
    if (statusBody) {
      sent.status = lock(statusBody);
      if (sent.main && optimisticLock && result.metadata?.resourceVersion) {
        (sent.status.metadata as Record<string, unknown>).resourceVersion = result.metadata.resourceVersion;
      }
      result = await this.client.patchStatus(type, key, { type: 'merge', body: sent.status }, writeOpts);
    }
    this.before = deepClone(result);
    return { object: result, sent };
  }
}
