/**
 * Serves the Cluster API kinds on a plane: registers each kind's strategy and creates its CustomResourceDefinition
 * in storage, or updates it when the stored one differs (so restarts are no-ops and an upgraded plane re-applies
 * new schemas). The CRD controller then serves the stored CRDs before the plane reports ready.
 */
import type { Logger } from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import type { CustomResourceDefinition } from '../apiserver/crd.js';
import type { ObjectStore } from '../apiserver/object-store.js';
import type { ResourceInfo } from '../apiserver/resource-info.js';
import { addonsKinds } from './addons/definitions.js';
import { bootstrapKinds } from './bootstrap/definitions.js';
import { clusterKinds } from './cluster/definitions.js';
import { jsonEqual } from './cluster/validation.js';
import { controlPlaneKinds } from './controlplane/definitions.js';
import { infrastructureKinds } from './infrastructure/definitions.js';
import { IpamAdmission } from './ipam/admission.js';
import { ipamKinds } from './ipam/definitions.js';
import { crdFor, type KindDefinition } from './kind-definition.js';

/** Field manager of the CRDs the plane installs. */
export const CLUSTER_API_FIELD_MANAGER = 'slipway-cluster-api';

/** Every Cluster API kind the plane serves (core, kubeadm control plane and bootstrap, sim infrastructure, addons, IPAM). */
export function clusterApiKinds(): KindDefinition[] {
  return [...clusterKinds(), ...controlPlaneKinds(), ...bootstrapKinds(), ...infrastructureKinds(), ...addonsKinds(), ...ipamKinds()];
}

/** The CustomResourceDefinition of every Cluster API kind, in install order. */
export function clusterApiCrds(): CustomResourceDefinition[] {
  return clusterApiKinds().map(crdFor);
}

/** Registers the defaulting and validation strategy of every Cluster API kind with the object store. */
export function registerClusterApiStrategies(objects: ObjectStore): void {
  for (const def of clusterApiKinds()) objects.setStrategy(def.group, def.kind, def.strategy);
  // Checks that read other objects (IPAM pools in use). The plugin list may outlive a store: replace by name.
  const plugin = new IpamAdmission(objects);
  const i = objects.admission.findIndex((p) => p.name === plugin.name);
  if (i >= 0) objects.admission.splice(i, 1, plugin);
  else objects.admission.push(plugin);
}

export function crdInfo(objects: ObjectStore): ResourceInfo {
  const info = objects.registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  if (!info) throw new Error('cannot install the Cluster API kinds: CustomResourceDefinition is not a served kind');
  return info;
}

function upToDate(stored: KubeObject, want: CustomResourceDefinition): boolean {
  const labels = stored.metadata?.labels ?? {};
  const labelsMatch = Object.entries(want.metadata?.labels ?? {}).every(([k, v]) => labels[k] === v);
  return labelsMatch && jsonEqual(stored.spec, want.spec);
}

/** Creates or updates one CRD; returns what it did. */
export async function applyCrd(objects: ObjectStore, info: ResourceInfo, want: CustomResourceDefinition): Promise<'created' | 'updated' | 'unchanged'> {
  const name = want.metadata!.name!;
  const stored = await objects.tryGet(info, undefined, name);
  if (!stored) {
    try {
      await objects.create(info, undefined, want, { fieldManager: CLUSTER_API_FIELD_MANAGER });
      return 'created';
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  } else if (upToDate(stored, want)) {
    return 'unchanged';
  }
  let changed = false;
  await objects.guaranteedUpdate(info, undefined, name, (current) => {
    if (upToDate(current, want)) return undefined;
    changed = true;
    const meta = current.metadata ?? {};
    current.metadata = { ...meta, labels: { ...(meta.labels ?? {}), ...(want.metadata?.labels ?? {}) } };
    current.spec = want.spec;
    return current;
  });
  return changed ? 'updated' : 'unchanged';
}

/**
 * Registers every Cluster API strategy and makes storage hold the current CRD of every Cluster API kind.
 * Call before the CRD controller starts, so the kinds are served (Established) when the plane reports ready.
 */
export async function installClusterApi(objects: ObjectStore, log: Logger): Promise<void> {
  registerClusterApiStrategies(objects);
  const info = crdInfo(objects);
  for (const crd of clusterApiCrds()) {
    const result = await applyCrd(objects, info, crd);
    if (result !== 'unchanged') log.info({ crd: crd.metadata!.name }, `cluster api crd ${result}`);
  }
}
