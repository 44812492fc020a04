/** Finalizer and owner-reference helpers. They change the object in memory; persist with the patch helper. */
import { parseApiVersion, type KubeObject, type OwnerReference } from '../apimachinery/types.js';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(finalizer);
}

/** Add the finalizer; returns true when it was missing. */
export function addFinalizer(obj: KubeObject, finalizer: string): boolean {
  const meta = (obj.metadata ??= {});
  if ((meta.finalizers ?? []).includes(finalizer)) return false;
  meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  return true;
}

/** Remove the finalizer; returns true when it was present. */
export function removeFinalizer(obj: KubeObject, finalizer: string): boolean {
  const meta = obj.metadata;
  if (!meta?.finalizers?.includes(finalizer)) return false;
  meta.finalizers = meta.finalizers.filter((f) => f !== finalizer);
  if (!meta.finalizers.length) delete meta.finalizers;
  return true;
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return !!obj.metadata?.deletionTimestamp;
}

function sameOwner(a: { apiVersion: string; kind: string; name: string }, b: { apiVersion: string; kind: string; name: string }): boolean {
  // The version may differ between references to the same owner.
  return parseApiVersion(a.apiVersion).group === parseApiVersion(b.apiVersion).group && a.kind === b.kind && a.name === b.name;
}

function referenceTo(owner: KubeObject): OwnerReference {
  const m = owner.metadata ?? {};
  if (!owner.apiVersion || !owner.kind || !m.name || !m.uid) throw new Error('owner needs apiVersion, kind, metadata.name and metadata.uid');
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: m.name, uid: m.uid };
}

/** Add or update a (non-controller) owner reference. Returns true when it changed. */
export function setOwnerReference(obj: KubeObject, owner: KubeObject, opts: { blockOwnerDeletion?: boolean } = {}): boolean {
  const ref = referenceTo(owner);
  if (opts.blockOwnerDeletion) ref.blockOwnerDeletion = true;
  return upsert(obj, ref);
}

/**
 * Make owner the controller of obj (controller: true, blockOwnerDeletion: true). Throws when
 * another object already controls it, as controllerutil.SetControllerReference does.
 */
export function setControllerReference(obj: KubeObject, owner: KubeObject): boolean {
  const ref: OwnerReference = { ...referenceTo(owner), controller: true, blockOwnerDeletion: true };
  const existing = getControllerOf(obj);
  if (existing && !sameOwner(existing, ref)) {
    throw new Error(`${obj.kind ?? 'object'} "${obj.metadata?.name}" is already controlled by ${existing.kind} "${existing.name}"`);
  }
  return upsert(obj, ref);
}

function upsert(obj: KubeObject, ref: OwnerReference): boolean {
  const meta = (obj.metadata ??= {});
  const refs = [...(meta.ownerReferences ?? [])];
  const i = refs.findIndex((r) => sameOwner(r, ref));
  if (i >= 0) {
    if (JSON.stringify(refs[i]) === JSON.stringify(ref)) return false;
    refs[i] = ref;
  } else refs.push(ref);
  meta.ownerReferences = refs;
  return true;
}

export function removeOwnerReference(obj: KubeObject, owner: { apiVersion: string; kind: string; name: string }): boolean {
  const refs = obj.metadata?.ownerReferences;
  if (!refs?.some((r) => sameOwner(r, owner))) return false;
  obj.metadata!.ownerReferences = refs.filter((r) => !sameOwner(r, owner));
  if (!obj.metadata!.ownerReferences.length) delete obj.metadata!.ownerReferences;
  return true;
}

export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
}

export function isOwnedBy(obj: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  return !!uid && (obj.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}
