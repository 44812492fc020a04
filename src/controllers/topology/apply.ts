/**
 * Writing a managed topology's objects: server-side apply under one field manager (so fields a user sets that the
 * class does not own survive, and fields the class stops setting are removed), skipped when the stored object
 * already carries what was last applied. Each applied object records a hash of its desired content in an annotation;
 * a template whose stored hash matches the desired spec's needs no rotation.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../apimachinery/patch/index.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import type { Client } from '../../client/types.js';

/** Field manager of every write the topology controller makes (upstream's name). */
export const TOPOLOGY_FIELD_MANAGER = 'capi-topology';
/** Hash of the desired content last applied to an object (spec, labels, annotations). */
export const APPLIED_HASH_ANNOTATION = 'topology.slipway.dev/applied-hash';

/** A short, key-order independent hash of a JSON value. */
export function contentHash(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, 16);
}

/** The hash of what the controller applies for `desired`: its spec, labels and annotations (without the hash). */
export function desiredHash(desired: KubeObject): string {
  const annotations = { ...(desired.metadata?.annotations ?? {}) };
  delete annotations[APPLIED_HASH_ANNOTATION];
  return contentHash({ spec: desired.spec ?? null, labels: desired.metadata?.labels ?? {}, annotations, owners: desired.metadata?.ownerReferences ?? [] });
}

/** Whether every field `want` sets has the same value in `have` (extra fields in `have`, e.g. server defaults, are fine). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (isPlainObject(want)) {
    if (!isPlainObject(have)) return false;
    for (const k of Object.keys(want)) {
      if (want[k] === undefined) continue;
      if (!isSubset(want[k], have[k])) return false;
    }
    return true;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((w, i) => isSubset(w, have[i]));
  }
  return want === have;
}

/** Whether a stored template already has the desired spec: by its recorded hash, else by content. */
export function sameTemplateSpec(current: KubeObject, desired: KubeObject): boolean {
  const recorded = current.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
  if (recorded !== undefined) return recorded === contentHash({ templateSpec: desired.spec ?? null });
  return isSubset(desired.spec ?? null, current.spec ?? null);
}

/** Record the desired content's hash on a desired object (templates by spec alone, so rotation can compare it). */
export function stampHash(desired: KubeObject, template: boolean): void {
  const meta = (desired.metadata ??= {});
  const annotations = (meta.annotations ??= {});
  annotations[APPLIED_HASH_ANNOTATION] = template ? contentHash({ templateSpec: desired.spec ?? null }) : desiredHash(desired);
}

/** Whether `current` already holds `desired` (same recorded hash and every desired field in place). */
export function upToDate(current: KubeObject | undefined, desired: KubeObject): boolean {
  if (!current) return false;
  const want = desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
  if (want === undefined || current.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] !== want) return false;
  const meta = desired.metadata ?? {};
  return (
    isSubset(desired.spec ?? null, current.spec ?? null) &&
    isSubset(meta.labels ?? {}, current.metadata?.labels ?? {}) &&
    isSubset(meta.annotations ?? {}, current.metadata?.annotations ?? {})
  );
}

/** Server-side apply `desired` (forcing ownership of the fields it sets). */
export async function applyObject<T extends KubeObject>(client: Client, desired: T): Promise<T> {
  const body = { ...desired, metadata: { ...desired.metadata } } as T;
  delete body.metadata!.resourceVersion;
  delete body.metadata!.uid;
  delete body.metadata!.managedFields;
  delete body.metadata!.creationTimestamp;
  delete (body as { status?: unknown }).status;
  return client.apply(body, { fieldManager: TOPOLOGY_FIELD_MANAGER, force: true });
}
