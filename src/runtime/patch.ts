/**
 * Patch helper: snapshot an object, let the reconciler change it in memory, then send only what
 * changed — one JSON merge patch for metadata/spec (everything but status) and one for the status
 * subresource — so concurrent writers' fields are never overwritten with stale values.
 */
import { isDeepStrictEqual } from 'node:util';
import { deepClone, isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { ConflictError } from '../client/errors.js';
import type { Client, KindRef, WriteOptions } from '../client/types.js';

interface ConditionLike {
  type: string;
  [key: string]: unknown;
}

function conditionsOf(status: unknown): ConditionLike[] {
  return isPlainObject(status) && Array.isArray(status.conditions) ? (status.conditions as ConditionLike[]) : [];
}

/** The conditions set (added or changed) and removed between two statuses. */
export function conditionDeltas(before: unknown, after: unknown): { set: ConditionLike[]; removed: string[] } {
  const old = new Map(conditionsOf(before).map((c) => [c.type, c]));
  const now = conditionsOf(after);
  const set = now.filter((c) => !isDeepStrictEqual(old.get(c.type), c));
  const kept = new Set(now.map((c) => c.type));
  return { set, removed: [...old.keys()].filter((t) => !kept.has(t)) };
}

/** A status's conditions with deltas applied: Ready first, then by type (the order conditions.setCondition keeps). */
export function applyConditionDeltas(status: unknown, deltas: { set: ConditionLike[]; removed: string[] }): ConditionLike[] {
  const byType = new Map(conditionsOf(status).map((c) => [c.type, c]));
  for (const t of deltas.removed) byType.delete(t);
  for (const c of deltas.set) byType.set(c.type, c);
  return [...byType.values()].sort((a, b) => (a.type === 'Ready' ? -1 : b.type === 'Ready' ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

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
      const statusPatch = statusBody.status as Record<string, unknown> | null | undefined;
      if (!optimisticLock && isPlainObject(statusPatch) && 'conditions' in statusPatch) {
        // Conditions are one list that several controllers write (e.g. the Machine controller and the health check):
        // apply only this controller's changes to the latest list, with that version as precondition, retrying on conflict.
        const deltas = conditionDeltas(this.before.status, obj.status);
        for (let attempt = 0; ; attempt++) {
          const latest = await this.client.get(type, key);
          const body: Record<string, unknown> = { ...statusBody, status: { ...statusPatch, conditions: applyConditionDeltas(latest.status, deltas) }, metadata: { resourceVersion: latest.metadata?.resourceVersion } };
          try {
            sent.status = body;
            result = await this.client.patchStatus(type, key, { type: 'merge', body }, writeOpts);
            break;
          } catch (e) {
            if (!(e instanceof ConflictError) || attempt >= 4) throw e;
          }
        }
      } else {
        sent.status = lock(statusBody);
        if (sent.main && optimisticLock && result.metadata?.resourceVersion) {
          (sent.status.metadata as Record<string, unknown>).resourceVersion = result.metadata.resourceVersion;
        }
        result = await this.client.patchStatus(type, key, { type: 'merge', body: sent.status }, writeOpts);
      }
    }
    // Nothing sent: the snapshot already equals obj. Otherwise the written object becomes the snapshot.
    if (sent.main || sent.status) this.before = deepClone(result);
    return { object: result, sent };
  }
}
