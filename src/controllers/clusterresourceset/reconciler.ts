/**
 * The ClusterResourceSet controller (Cluster API's clusterresourceset and clusterresourcesetbinding reconcilers,
 * v1beta1 semantics). For every Cluster in its namespace that its selector matches (an empty selector matches none)
 * and whose control plane is initialized, it applies the manifests held by its ConfigMaps and Secrets to the workload
 * cluster — ApplyOnce: created once, never touched again; Reconcile: created or updated again whenever a resource's
 * data hash changes — and records each application in the Cluster's ClusterResourceSetBinding. Deleting a
 * ClusterResourceSet removes it from the bindings (an emptied binding is deleted); what was applied stays in the
 * workload clusters. A binding whose Cluster is gone or being deleted is deleted.
 */
import { labelSelectorFromObject, labelSelectorIsEmpty, matchesLabels, type LabelSelector } from '../../apimachinery/selectors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import {
  ADDONS_REASONS,
  CLUSTER_RESOURCE_SET_BINDING_KIND,
  CLUSTER_RESOURCE_SET_FINALIZER,
  CLUSTER_RESOURCE_SET_KIND,
  CLUSTER_RESOURCE_SET_SECRET_TYPE,
  DEFAULT_STRATEGY,
  RESOURCES_APPLIED_CONDITION,
  type ClusterResourceSet,
  type ClusterResourceSetBinding,
  type ResourceRef,
} from '../../api/addons/types.js';
import { CLUSTER_KIND, CONDITIONS, type Cluster } from '../../api/cluster/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { isTrue, markFalse, markTrue } from '../../runtime/conditions.js';
import type { Controller } from '../../runtime/controller.js';
import { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer, removeOwnerReference, setOwnerReference } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { isPaused } from '../shared/cluster.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../shared/context.js';
import { mutable, type Reader } from '../shared/reader.js';
import { getOrCreateBinding, needsApply, removeBinding, setResource } from './binding.js';
import { computeHash, normalizeData, objectsOfValues } from './manifests.js';
import { errorText } from '../shared/errors.js';

export const CONTROLLER_NAME = 'clusterresourceset';
export const BINDING_CONTROLLER_NAME = 'clusterresourcesetbinding';
export const CONFIG_MAP_KIND = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
export const SECRET_KIND = { apiVersion: 'v1', kind: 'Secret' } as const;
/** Requeue delay after a conflict on a binding several ClusterResourceSets write (upstream's). */
const CONFLICT_REQUEUE_MS = 100;

interface DataResource extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** The selector of a ClusterResourceSet, or undefined when it is empty or invalid (it selects nothing then). */
export function clusterSelectorOf(crs: ClusterResourceSet): LabelSelector | undefined {
  try {
    const sel = labelSelectorFromObject(crs.spec?.clusterSelector ?? {});
    return labelSelectorIsEmpty(sel) ? undefined : sel;
  } catch {
    return undefined;
  }
}

/** ClusterResourceSets (of the Cluster's namespace) whose selector matches the Cluster. */
export function setsSelectingCluster(sets: readonly ClusterResourceSet[], cluster: KubeObject): Request[] {
  const ns = cluster.metadata?.namespace;
  return sets
    .filter((s) => s.metadata?.namespace === ns)
    .filter((s) => {
      const sel = clusterSelectorOf(s);
      return !!sel && matchesLabels(sel, cluster.metadata?.labels);
    })
    .map((s) => ({ namespace: ns!, name: s.metadata!.name! }));
}

/** ClusterResourceSets a ConfigMap or Secret belongs to: its ClusterResourceSet owners, else those listing it. */
export function setsOfResource(sets: readonly ClusterResourceSet[], kind: 'ConfigMap' | 'Secret', obj: KubeObject): Request[] {
  const ns = obj.metadata?.namespace ?? '';
  const owners = (obj.metadata?.ownerReferences ?? []).filter((o) => o.kind === 'ClusterResourceSet').map((o) => ({ namespace: ns, name: o.name }));
  if (owners.length) return owners;
  return sets
    .filter((s) => s.metadata?.namespace === ns && (s.spec?.resources ?? []).some((r) => r.kind === kind && r.name === obj.metadata?.name))
    .map((s) => ({ namespace: ns, name: s.metadata!.name! }));
}

class ResourceError extends Error {
  constructor(message: string, readonly reason: string, readonly notFound = false) {
    super(message);
  }
}

export class ClusterResourceSetReconciler {
  constructor(private readonly ctx: ControllerContext, private readonly reader: Reader) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.reader.get<ClusterResourceSet>(CLUSTER_RESOURCE_SET_KIND, req.namespace, req.name);
    if (!stored) return;
    if (!isBeingDeleted(stored) && !hasFinalizer(stored, CLUSTER_RESOURCE_SET_FINALIZER)) {
      const crs = mutable(stored);
      addFinalizer(crs, CLUSTER_RESOURCE_SET_FINALIZER);
      await new PatchHelper(rc.client, stored).patch(crs);
      return;
    }
    const crs = mutable(stored);
    const helper = new PatchHelper(rc.client, stored);
    const clusters = await this.selectedClusters(crs);
    if (isBeingDeleted(crs)) {
      await this.reconcileDelete(rc, clusters, crs);
      await helper.patch(crs);
      return;
    }
    let failure: unknown;
    let result: Result = {};
    const errors: string[] = [];
    for (const cluster of clusters) {
      if (isPaused(cluster, crs)) continue;
      try {
        await this.applyToCluster(rc, cluster, crs);
      } catch (e) {
        if (isConflict(e)) result = { requeueAfter: CONFLICT_REQUEUE_MS };
        else errors.push(errorText(e));
      }
    }
    if (errors.length) failure = new Error(`ClusterResourceSet ${req.namespace}/${req.name}: ${errors.join('; ')}`);
    if (!failure && crs.metadata?.generation !== undefined) (crs.status ??= {}).observedGeneration = crs.metadata.generation;
    try {
      await helper.patch(crs);
    } catch (e) {
      if (!isNotFound(e)) failure ??= e;
    }
    if (failure) throw failure;
    return result;
  }

  private async selectedClusters(crs: ClusterResourceSet): Promise<Cluster[]> {
    const sel = clusterSelectorOf(crs);
    if (!sel) return [];
    const clusters = await this.reader.list<Cluster>(CLUSTER_KIND, crs.metadata!.namespace!, sel);
    return clusters.filter((c) => !isBeingDeleted(c));
  }

  private async reconcileDelete(rc: ReconcileContext, clusters: Cluster[], crs: ClusterResourceSet): Promise<void> {
    for (const cluster of clusters) {
      const stored = await this.reader.get<ClusterResourceSetBinding>(CLUSTER_RESOURCE_SET_BINDING_KIND, cluster.metadata!.namespace, cluster.metadata!.name!);
      if (!stored) continue;
      const binding = mutable(stored);
      removeBinding(binding, crs.metadata!.name!);
      removeOwnerReference(binding, { ...CLUSTER_RESOURCE_SET_KIND, name: crs.metadata!.name! });
      try {
        if (!binding.spec?.bindings?.length) await rc.client.delete(CLUSTER_RESOURCE_SET_BINDING_KIND, { namespace: cluster.metadata!.namespace, name: cluster.metadata!.name! });
        else await new PatchHelper(rc.client, stored).patch(binding);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    removeFinalizer(crs, CLUSTER_RESOURCE_SET_FINALIZER);
  }

  /** The ConfigMap or Secret a resource names, in the ClusterResourceSet's namespace. */
  private async resource(namespace: string, ref: ResourceRef): Promise<DataResource> {
    const kind = ref.kind === 'Secret' ? SECRET_KIND : CONFIG_MAP_KIND;
    const obj = await this.reader.get<DataResource>(kind, namespace, ref.name);
    const what = ref.kind === 'Secret' ? 'secrets' : 'configmaps';
    if (!obj) throw new ResourceError(`${what} "${ref.name}" not found`, ADDONS_REASONS.retrievingResourceFailed, true);
    if (ref.kind === 'Secret' && obj.type !== CLUSTER_RESOURCE_SET_SECRET_TYPE) {
      throw new ResourceError(`unsupported secret type: Secret ${ref.name} has type "${obj.type ?? ''}", want "${CLUSTER_RESOURCE_SET_SECRET_TYPE}"`, ADDONS_REASONS.wrongSecretType);
    }
    return obj;
  }

  private async applyToCluster(rc: ReconcileContext, cluster: Cluster, crs: ClusterResourceSet): Promise<void> {
    const namespace = cluster.metadata!.namespace!;
    const refs = crs.spec?.resources ?? [];
    const resources: (DataResource | undefined)[] = [];
    const errors: string[] = [];
    for (const ref of refs) {
      try {
        const obj = await this.resource(namespace, ref);
        await this.ensureResourceOwner(rc, crs, ref, obj);
        resources.push(obj);
      } catch (e) {
        resources.push(undefined);
        const message = errorText(e);
        const reason = e instanceof ResourceError ? e.reason : ADDONS_REASONS.retrievingResourceFailed;
        markFalse(crs, RESOURCES_APPLIED_CONDITION, reason, 'Warning', message, rc.clock);
        // A missing resource is reported but does not fail the reconcile: its creation wakes the set again.
        if (!(e instanceof ResourceError && e.notFound)) errors.push(message);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
    if (!isTrue(cluster, CONDITIONS.controlPlaneInitialized)) return; // the Cluster watch brings the set back

    const stored = await this.bindingOf(rc, cluster, crs);
    const binding = mutable(stored);
    setOwnerReference(binding, crs);
    setOwnerReference(binding, cluster);
    const entry = getOrCreateBinding(binding, crs.metadata!.name!);
    const strategy = crs.spec?.strategy ?? DEFAULT_STRATEGY;
    try {
      const remote = await this.ctx.clusterCache.client({ namespace, name: cluster.metadata!.name! });
      if (!remote) {
        const message = `cannot reach the API server of Cluster ${namespace}/${cluster.metadata!.name}`;
        markFalse(crs, RESOURCES_APPLIED_CONDITION, ADDONS_REASONS.remoteClusterClientFailed, 'Error', message, rc.clock);
        throw new Error(message);
      }
      for (const [i, ref] of refs.entries()) {
        const obj = resources[i];
        if (!obj) continue;
        const now = new Date(rc.clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
        let hash: string;
        let objects: KubeObject[];
        try {
          const values = normalizeData(ref.kind, obj.data, ref.name);
          hash = computeHash(values);
          objects = objectsOfValues(values);
        } catch (e) {
          setResource(entry, { ...ref, hash: '', applied: false, lastAppliedTime: now });
          errors.push(errorText(e));
          continue;
        }
        if (!needsApply(strategy, entry, ref, hash)) continue;
        const failures = await applyObjects(remote, objects, strategy);
        if (failures.length) {
          markFalse(crs, RESOURCES_APPLIED_CONDITION, ADDONS_REASONS.applyFailed, 'Warning', failures.join('; '), rc.clock);
          errors.push(...failures);
        }
        setResource(entry, { ...ref, hash, applied: failures.length === 0, lastAppliedTime: now });
      }
    } finally {
      await new PatchHelper(rc.client, stored, { optimisticLock: true }).patch(binding);
    }
    if (errors.length) throw new Error(errors.join('; '));
    if (resources.every((r) => r)) markTrue(crs, RESOURCES_APPLIED_CONDITION, rc.clock);
  }

  /** The Cluster's binding (named as the Cluster), created when missing. */
  private async bindingOf(rc: ReconcileContext, cluster: Cluster, crs: ClusterResourceSet): Promise<ClusterResourceSetBinding> {
    const namespace = cluster.metadata!.namespace!;
    const name = cluster.metadata!.name!;
    const found = await this.reader.get<ClusterResourceSetBinding>(CLUSTER_RESOURCE_SET_BINDING_KIND, namespace, name);
    if (found) return found;
    const fresh: ClusterResourceSetBinding = { ...CLUSTER_RESOURCE_SET_BINDING_KIND, metadata: { namespace, name }, spec: { clusterName: name } };
    setOwnerReference(fresh, crs);
    setOwnerReference(fresh, cluster);
    try {
      return await rc.client.create(fresh);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      return rc.client.get(CLUSTER_RESOURCE_SET_BINDING_KIND, { namespace, name });
    }
  }

  /** Make the ClusterResourceSet an owner of the resource (so a change of it wakes the set). */
  private async ensureResourceOwner(rc: ReconcileContext, crs: ClusterResourceSet, ref: ResourceRef, obj: DataResource): Promise<void> {
    if (obj.metadata?.ownerReferences?.some((o) => o.kind === 'ClusterResourceSet' && o.uid === crs.metadata?.uid)) return;
    const typed = { ...obj, apiVersion: 'v1', kind: ref.kind };
    const changed = mutable(typed);
    setOwnerReference(changed, crs);
    await new PatchHelper(rc.client, typed).patch(changed);
  }
}

/** Create (ApplyOnce: an existing object is left as it is) or create-or-update (Reconcile) each object; the failures. */
export async function applyObjects(remote: Client, objects: readonly KubeObject[], strategy: 'ApplyOnce' | 'Reconcile'): Promise<string[]> {
  const failures: string[] = [];
  for (const obj of objects) {
    const what = `${obj.apiVersion ?? ''}, Kind=${obj.kind ?? ''} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? ''}`;
    try {
      await remote.create(structuredClone(obj));
    } catch (e) {
      if (!isAlreadyExists(e)) {
        failures.push(`creating object ${what}: ${errorText(e)}`);
        continue;
      }
      if (strategy === 'ApplyOnce') continue;
      try {
        const type = { apiVersion: obj.apiVersion!, kind: obj.kind! };
        const current = await remote.get(type, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! });
        const { status: _status, ...body } = structuredClone(obj);
        body.metadata = { ...(body.metadata ?? {}), resourceVersion: current.metadata?.resourceVersion };
        await remote.patch(type, { namespace: obj.metadata?.namespace, name: obj.metadata!.name! }, { type: 'merge', body: body as Record<string, unknown> });
      } catch (e2) {
        failures.push(`patching object ${what}: ${e2 instanceof Error ? e2.message : String(e2)}`);
      }
    }
  }
  return failures;
}

/** Deletes a ClusterResourceSetBinding whose Cluster is gone or being deleted (upstream's binding reconciler). */
export class ClusterResourceSetBindingReconciler {
  constructor(private readonly reader: Reader) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const binding = await this.reader.get<ClusterResourceSetBinding>(CLUSTER_RESOURCE_SET_BINDING_KIND, req.namespace, req.name);
    if (!binding || isBeingDeleted(binding)) return;
    const cluster = await this.reader.get<Cluster>(CLUSTER_KIND, req.namespace, binding.spec?.clusterName ?? req.name);
    if (cluster && !isBeingDeleted(cluster)) return;
    try {
      await rc.client.delete(CLUSTER_RESOURCE_SET_BINDING_KIND, { namespace: req.namespace, name: req.name });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export interface ClusterResourceSetControllerOptions {
  /** Concurrent reconciles (default DEFAULT_CONTROLLER_WORKERS). */
  workers?: number;
}

/**
 * Register the ClusterResourceSet controller (woken by its Clusters, ConfigMaps and Secrets) and the binding
 * controller (woken by Clusters).
 */
export function setupClusterResourceSetController(ctx: ControllerContext, opts: ClusterResourceSetControllerOptions = {}): Controller {
  ctx.reader.cache(CLUSTER_KIND);
  const sets = ctx.reader.cache(CLUSTER_RESOURCE_SET_KIND);
  ctx.reader.cache(CLUSTER_RESOURCE_SET_BINDING_KIND);
  // ConfigMaps are read from the API when applied, and their watch keeps nothing (upstream keeps their metadata): a
  // plane with many ConfigMaps keeps no copy of each. Events name the sets to reconcile by the ConfigMap's name and
  // owners alone. (Secrets are cached in full for the control plane anyway.)
  ctx.reader.cache(SECRET_KIND);
  const list = (): ClusterResourceSet[] => sets.lister.list() as ClusterResourceSet[];
  const controller = ctx.manager.add({
    name: CONTROLLER_NAME,
    for: CLUSTER_RESOURCE_SET_KIND,
    reconciler: new ClusterResourceSetReconciler(ctx, ctx.reader),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      { type: CLUSTER_KIND, map: (c) => setsSelectingCluster(list(), c) },
      { type: CONFIG_MAP_KIND, map: (o) => setsOfResource(list(), 'ConfigMap', o), keep: 'nothing' },
      { type: SECRET_KIND, map: (o) => setsOfResource(list(), 'Secret', o) },
    ],
  });
  ctx.manager.add({
    name: BINDING_CONTROLLER_NAME,
    for: CLUSTER_RESOURCE_SET_BINDING_KIND,
    reconciler: new ClusterResourceSetBindingReconciler(ctx.reader),
    workers: 1,
    watches: [{ type: CLUSTER_KIND, map: (c) => [{ namespace: c.metadata!.namespace!, name: c.metadata!.name! }] }],
  });
  return controller;
}
