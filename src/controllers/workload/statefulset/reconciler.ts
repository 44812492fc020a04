/**
 * The StatefulSet controller (kube-controller-manager's statefulset controller): Pods `<set>-<ordinal>` created in
 * order (OrderedReady waits for each to be Running and Ready — and available after minReadySeconds — before the next;
 * Parallel does not), scaled down from the highest ordinal, failed Pods replaced, RollingUpdate from the highest
 * ordinal down to `partition` (up to maxUnavailable at once) or OnDelete, ControllerRevisions with
 * currentRevision/updateRevision, claims from volumeClaimTemplates created before their Pod and owned per
 * persistentVolumeClaimRetentionPolicy, status, and adoption of orphan Pods `<set>-<n>`. Not done: updating an existing Pod's
 * identity labels in place.
 */
import type { KubeObject, OwnerReference } from '../../../apimachinery/types.js';
import { NAMESPACE_INDEX, OWNER_UID_INDEX, keyFor } from '../../../client/cache.js';
import { isAlreadyExists, isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { adoptOrphan } from '../../shared/adopt.js';
import { CacheExpectations } from '../../shared/expectations.js';
import { selectorMatches } from '../../shared/selector.js';
import { scaledValue } from '../../shared/intstr.js';
import type { WorkloadContext } from '../context.js';
import { CONTROLLER_REVISION_HASH_LABEL, ensureCurrentRevision, ownedRevisions, revisionsToPrune, type ControllerRevision } from '../shared/controller-history.js';
import { CONTROLLER_REVISION, POD, clone, controllerUid, errorText, isPodAvailable, isPodReady, msUntilAvailable, type Pod, type PodTemplate } from '../shared/pods.js';
import { claimName, claimOwners, ordinalOf, podFromTemplate, type ClaimTemplate, type RetentionPolicy } from './identity.js';

export const STATEFULSET = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const PVC = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const;

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    volumeClaimTemplates?: ClaimTemplate[];
    persistentVolumeClaimRetentionPolicy?: RetentionPolicy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
  };
  status?: Record<string, unknown> & { collisionCount?: number; currentRevision?: string; updateRevision?: string };
}

export interface StatefulSetControllerOptions {
  workers?: number;
}

function templateOf(r: ControllerRevision | undefined): PodTemplate | undefined {
  const t = (r?.data as { spec?: { template?: PodTemplate & { $patch?: string } } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _drop, ...rest } = t;
  void _drop;
  return rest;
}

export class StatefulSetReconciler {
  readonly sets: SharedInformer<StatefulSet>;
  readonly pods: SharedInformer<Pod>;
  readonly revisions: SharedInformer;
  readonly claims: SharedInformer;
  private readonly expectations: CacheExpectations;

  constructor(ctx: WorkloadContext) {
    const inf = ctx.manager.informers;
    this.sets = inf.for<StatefulSet>(STATEFULSET);
    this.pods = inf.for<Pod>(POD);
    this.revisions = inf.for(CONTROLLER_REVISION);
    this.claims = inf.for(PVC);
    this.expectations = new CacheExpectations(ctx.manager.clock);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = keyFor(req.namespace, req.name);
    const cached = this.sets.cache.get(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    if (cached.metadata?.deletionTimestamp) return;
    if (!this.expectations.satisfied(key)) return { requeueAfter: 1000 };
    const set: StatefulSet = { ...clone(cached), ...STATEFULSET };
    if (await this.adoptOrphans(rc, set, key)) return;
    const meta = set.metadata as { name: string; namespace?: string; uid: string; generation?: number };
    const spec = set.spec ?? {};
    const nowMs = rc.clock.nowMs();
    const revisions = ownedRevisions(this.revisions.cache.byIndex(OWNER_UID_INDEX, meta.uid), set);
    const upd = await ensureCurrentRevision(rc.client, set, spec.template ?? {}, revisions);
    if (upd.created) this.expectations.expectWrite(key, this.revisions, upd.revision);
    const updateRevision = upd.revision.metadata!.name!;
    const currentRev = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? upd.revision;
    let currentRevision = currentRev.metadata!.name!;
    const currentTemplate = templateOf(currentRev) ?? spec.template ?? {};

    const replicas = spec.replicas ?? 1;
    const start = spec.ordinals?.start ?? 0;
    const minReady = spec.minReadySeconds ?? 0;
    const monotonic = (spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const rolling = (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = rolling ? (spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const claims = spec.volumeClaimTemplates ?? [];
    const setRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };

    const owned = this.pods.cache.byIndex(OWNER_UID_INDEX, meta.uid).filter((p) => controllerUid(p) === meta.uid);
    const slots: (Pod | undefined)[] = new Array(replicas).fill(undefined);
    const condemned: Pod[] = [];
    for (const p of owned) {
      const ord = ordinalOf(meta.name, p.metadata?.name);
      if (ord === undefined) continue;
      if (ord >= start && ord < start + replicas) slots[ord - start] = p;
      else condemned.push(p);
    }
    condemned.sort((a, b) => (ordinalOf(meta.name, b.metadata?.name) ?? 0) - (ordinalOf(meta.name, a.metadata?.name) ?? 0));
    const revisionOf = (p: Pod): string | undefined => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    const terminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp;
    const runningReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
    const healthy = (p: Pod): boolean => runningReady(p) && !terminating(p) && isPodAvailable(p, minReady, nowMs);

    let requeue: number | undefined;
    const later = (ms: number | undefined): void => {
      if (ms !== undefined && ms > 0) requeue = Math.min(requeue ?? ms, ms);
    };
    const deletePod = async (p: Pod, why: string): Promise<void> => {
      try {
        await rc.client.delete(POD, { namespace: meta.namespace, name: p.metadata!.name! }, { preconditions: { uid: p.metadata?.uid } });
        this.expectations.expectDeletion(key, this.pods, p);
        rc.recorder.event(set, 'Normal', 'SuccessfulDelete', `${why} Pod ${p.metadata?.name} in StatefulSet ${meta.name} successful`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    };

    // Make every ordinal exist and be healthy, in order.
    await (async () => {
      for (let i = 0; i < replicas; i++) {
        const ordinal = start + i;
        let pod = slots[i];
        if (pod && pod.status?.phase === 'Failed' && !terminating(pod)) {
          await deletePod(pod, 'delete');
          slots[i] = undefined;
          if (monotonic) return;
          continue;
        }
        if (!pod) {
          const useCurrent = rolling && ordinal < start + partition && currentRevision !== updateRevision;
          const fresh = podFromTemplate({ name: meta.name, namespace: meta.namespace, serviceName: spec.serviceName }, useCurrent ? currentTemplate : spec.template ?? {}, claims, ordinal);
          fresh.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] = useCurrent ? currentRevision : updateRevision;
          fresh.metadata!.ownerReferences = [setRef];
          await this.ensureClaims(rc, set, ordinal, fresh, false);
          try {
            pod = await rc.client.create(fresh);
            this.expectations.expectWrite(key, this.pods, pod);
            slots[i] = pod;
            rc.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${meta.name} successful`);
          } catch (e) {
            if (!isAlreadyExists(e)) {
              rc.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${fresh.metadata?.name} in StatefulSet ${meta.name} failed error: ${errorText(e)}`);
              throw e;
            }
          }
          if (monotonic) return;
          continue;
        }
        if (monotonic && !healthy(pod)) {
          later(msUntilAvailable(pod, minReady, nowMs));
          return;
        }
      }
      // Scale down from the highest ordinal.
      const firstUnhealthy = [...slots, ...condemned].find((p) => p && !healthy(p));
      for (const p of condemned) {
        if (terminating(p)) {
          if (monotonic) return;
          continue;
        }
        if (monotonic && firstUnhealthy && firstUnhealthy !== p) return;
        const ord = ordinalOf(meta.name, p.metadata?.name)!;
        await this.ensureClaims(rc, set, ord, p, true);
        await deletePod(p, 'delete');
        if (monotonic) return;
      }
      if (!rolling) return;
      // Rolling update from the highest ordinal down to the partition.
      const ru = spec.updateStrategy?.rollingUpdate;
      const maxUnavailable = Math.max(1, scaledValue(ru?.maxUnavailable ?? 1, replicas, false, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      const updateMin = Math.max(0, partition);
      let unavailable = slots.filter((p) => !p || !healthy(p)).length;
      for (let i = replicas - 1; i >= updateMin; i--) {
        const p = slots[i];
        if (!p) return;
        if (revisionOf(p) !== updateRevision && !terminating(p)) {
          if (!healthy(p)) {
            await deletePod(p, 'delete');
            continue;
          }
          if (unavailable >= maxUnavailable) return;
          await deletePod(p, 'delete');
          unavailable++;
          if (maxUnavailable === 1) return;
          continue;
        }
        if (!healthy(p) && maxUnavailable === 1) return;
      }
    })();

    // Status from the cache (refreshed on the next event).
    let created = 0;
    let ready = 0;
    let available = 0;
    let current = 0;
    let updated = 0;
    for (const p of [...slots, ...condemned]) {
      if (!p || terminating(p)) continue;
      created++;
      if (runningReady(p)) ready++;
      if (runningReady(p) && isPodAvailable(p, minReady, nowMs)) available++;
      later(msUntilAvailable(p, minReady, nowMs));
      if (revisionOf(p) === currentRevision) current++;
      if (revisionOf(p) === updateRevision) updated++;
    }
    let currentReplicas = current;
    if (updated === created && ready === created && created === replicas && !condemned.length) {
      currentRevision = updateRevision;
      currentReplicas = updated;
    }
    if (!rolling && currentRevision !== updateRevision && updated === created && created === replicas) {
      currentRevision = updateRevision;
      currentReplicas = updated;
    }
    const status = {
      observedGeneration: meta.generation,
      replicas: created,
      readyReplicas: ready,
      availableReplicas: available,
      currentReplicas,
      updatedReplicas: updated,
      currentRevision,
      updateRevision,
      ...(upd.collisionCount ? { collisionCount: upd.collisionCount } : {}),
    };
    const before = (set.status ?? {}) as Record<string, unknown>;
    if (Object.entries(status).some(([k, v]) => before[k] !== v)) {
      await rc.client.patchStatus(STATEFULSET, { namespace: meta.namespace, name: meta.name }, { type: 'merge', body: { status } });
    }
    const live = new Set<string>([currentRevision, updateRevision]);
    for (const p of owned) if (revisionOf(p)) live.add(revisionOf(p)!);
    for (const r of revisionsToPrune(revisions, live, spec.revisionHistoryLimit ?? 10)) {
      await rc.client.delete(CONTROLLER_REVISION, { namespace: meta.namespace, name: r.metadata!.name! }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
    return requeue !== undefined ? { requeueAfter: requeue } : undefined;
  }

  /** Orphan Pods named `<set>-<ordinal>` that the selector matches become this set's (upstream ClaimPods); true when any was. */
  private async adoptOrphans(rc: ReconcileContext, set: StatefulSet, key: string): Promise<boolean> {
    const name = set.metadata?.name ?? '';
    const orphans = this.pods.cache
      .byIndex(NAMESPACE_INDEX, set.metadata?.namespace ?? '')
      .filter((p) => !controllerUid(p) && !p.metadata?.deletionTimestamp && ordinalOf(name, p.metadata?.name) !== undefined && selectorMatches(set.spec?.selector, p.metadata?.labels));
    let adopted = false;
    for (const o of orphans) {
      const got = await adoptOrphan(rc.client, { ...o, ...POD }, set);
      if (got) {
        this.expectations.expectWrite(key, this.pods, got);
        adopted = true;
      }
    }
    return adopted;
  }

  /** Create the Pod's missing claims and give existing ones the owners the retention policy asks for. */
  private async ensureClaims(rc: ReconcileContext, set: StatefulSet, ordinal: number, pod: Pod, condemned: boolean): Promise<void> {
    const meta = set.metadata as { name: string; namespace?: string; uid: string };
    const setRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
    const podRef: OwnerReference | undefined = pod.metadata?.uid ? { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid } : undefined;
    const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(t.metadata?.name ?? '', meta.name, ordinal);
      const owners = claimOwners(policy, setRef, podRef, condemned);
      const existing = this.claims.cache.get(keyFor(meta.namespace, name));
      if (existing) {
        const others = (existing.metadata?.ownerReferences ?? []).filter((r) => !(r.kind === 'StatefulSet' && r.name === meta.name) && !(r.kind === 'Pod' && r.name === pod.metadata?.name));
        const want = [...others, ...owners];
        if (JSON.stringify(want) !== JSON.stringify(existing.metadata?.ownerReferences ?? [])) {
          await rc.client.patch(PVC, { namespace: meta.namespace, name }, { type: 'merge', body: { metadata: { ownerReferences: want.length ? want : null } } });
        }
        continue;
      }
      try {
        await rc.client.create({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name,
            namespace: meta.namespace,
            labels: { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
            ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
            ...(owners.length ? { ownerReferences: owners } : {}),
          },
          spec: clone(t.spec ?? {}),
        });
        rc.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod.metadata?.name} in StatefulSet ${meta.name} success`);
      } catch (e) {
        if (!isAlreadyExists(e)) {
          rc.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod.metadata?.name} in StatefulSet ${meta.name} failed error: ${errorText(e)}`);
          throw e;
        }
      }
    }
  }
}
