/**
 * Pure edits of a ClusterResourceSetBinding (upstream's ResourceSetBinding helpers) and the per-strategy decision
 * whether a resource needs applying.
 */
import type { ClusterResourceSetBinding, ClusterResourceSetStrategy, ResourceBinding, ResourceRef, ResourceSetBinding } from '../../api/addons/types.js';

const sameRef = (a: ResourceRef, b: ResourceRef): boolean => a.kind === b.kind && a.name === b.name;

export function getResource(binding: ResourceSetBinding, ref: ResourceRef): ResourceBinding | undefined {
  return binding.resources?.find((r) => sameRef(r, ref));
}

export function isApplied(binding: ResourceSetBinding, ref: ResourceRef): boolean {
  return getResource(binding, ref)?.applied === true;
}

/** Replace the entry of the same resource, or append. */
export function setResource(binding: ResourceSetBinding, entry: ResourceBinding): void {
  const list = (binding.resources ??= []);
  const i = list.findIndex((r) => sameRef(r, entry));
  if (i >= 0) list[i] = entry;
  else list.push(entry);
}

/** The entry of a ClusterResourceSet in the binding, added (empty) when missing. */
export function getOrCreateBinding(b: ClusterResourceSetBinding, crsName: string): ResourceSetBinding {
  const spec = (b.spec ??= {});
  const list = (spec.bindings ??= []);
  let entry = list.find((x) => x.clusterResourceSetName === crsName);
  if (!entry) {
    entry = { clusterResourceSetName: crsName, resources: [] };
    list.push(entry);
  }
  return entry;
}

/** Drop the entry of a ClusterResourceSet; true when there was one. */
export function removeBinding(b: ClusterResourceSetBinding, crsName: string): boolean {
  const list = b.spec?.bindings;
  if (!list) return false;
  const i = list.findIndex((x) => x.clusterResourceSetName === crsName);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/**
 * Whether a resource is to be applied now: ApplyOnce until it was applied once; Reconcile also when the hash of its
 * data differs from the one applied.
 */
export function needsApply(strategy: ClusterResourceSetStrategy, binding: ResourceSetBinding, ref: ResourceRef, hash: string): boolean {
  const entry = getResource(binding, ref);
  if (strategy === 'ApplyOnce') return entry?.applied !== true;
  return !entry || entry.applied !== true || entry.hash !== hash;
}
