/**
 * The ReplicaSet controller (kube-controller-manager's replicaset controller): keeps spec.replicas active Pods that
 * match the selector. Orphans that match are adopted, owned Pods that stop matching are released; missing Pods are
 * created from the template in slow-start batches (1, 2, 4, ... up to burstReplicas per reconcile, stopping at the
 * first refusal, which sets the ReplicaFailure condition); surplus Pods are deleted in upstream's order. After
 * creating or deleting, the controller counts again only once its cache has seen those writes.
 */
import { deepClone, type KubeObject } from '../../../apimachinery/types.js';
import { matchesLabels, type LabelSelector } from '../../../apimachinery/selectors.js';
import { keyFor } from '../../../client/cache.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { Controller } from '../../../runtime/controller.js';
import { getControllerOf } from '../../../runtime/meta.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { cryptoRandom, type RandomSource } from '../../../topology/random.js';
import { adoptOrphan } from '../../shared/adopt.js';
import { claimCandidates, controlledBy, ensureControllerIndex } from '../../shared/claim-candidates.js';
import { CacheExpectations } from '../../shared/expectations.js';
import { nonEmptySelector, selectorMatches } from '../../shared/selector.js';
import type { WorkloadContext } from '../context.js';
import { podsToDelete } from './deletion-order.js';
import { isPodActive, isPodTerminating, podFromTemplate } from './pods.js';
import { calculateReplicaSetStatus, sameStatus, type ManageError } from './status.js';
import { POD_KIND, REPLICA_SET_KIND, type Pod, type ReplicaSet } from './types.js';
import { errorText } from '../../shared/errors.js';

export const REPLICA_SET_CONTROLLER_NAME = 'replicaset';

export interface ReplicaSetControllerOptions {
  /** Pod name suffixes (default: cryptographically random). */
  random?: RandomSource;
  /** Most Pods created or deleted in one reconcile (upstream BurstReplicas, 500). */
  burstReplicas?: number;
  /** Concurrent reconciles (upstream --concurrent-replicaset-syncs, 5). */
  workers?: number;
}

function nameOf(o: KubeObject): string {
  return o.metadata?.name ?? '';
}

export class ReplicaSetReconciler {
  readonly expectations: CacheExpectations;
  private readonly random: RandomSource;
  private readonly burst: number;

  constructor(
    private readonly replicaSets: SharedInformer<ReplicaSet>,
    private readonly pods: SharedInformer<Pod>,
    ctx: WorkloadContext,
    opts: ReplicaSetControllerOptions = {},
  ) {
    ensureControllerIndex(replicaSets);
    ensureControllerIndex(pods);
    this.expectations = new CacheExpectations(ctx.manager.clock);
    this.random = opts.random ?? cryptoRandom;
    this.burst = opts.burstReplicas ?? 500;
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = keyFor(req.namespace, req.name);
    const cached = this.replicaSets.lister.get(req.name, req.namespace);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const rs = deepClone(cached);
    rs.apiVersion ??= REPLICA_SET_KIND.apiVersion;
    rs.kind ??= REPLICA_SET_KIND.kind;
    const selector = nonEmptySelector(rs.spec.selector);
    if (!selector) {
      rc.recorder.event(rs, 'Warning', 'InvalidSelector', `spec.selector ${JSON.stringify(rs.spec.selector ?? null)} is invalid or empty; it must select the template's labels`);
      return;
    }
    const satisfied = this.expectations.satisfied(key);
    const candidates = claimCandidates(this.pods, rs.metadata?.namespace ?? '', rs.metadata?.uid);
    const pods = await this.claimPods(rc, rs, selector, candidates.filter(isPodActive), key);
    let manageError: ManageError | undefined;
    let failure: unknown;
    if (satisfied && !rs.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(rc, rs, pods, key);
      } catch (e) {
        failure = e;
        manageError = { reason: pods.length < (rs.spec.replicas ?? 1) ? 'FailedCreate' : 'FailedDelete', message: errorText(e) };
      }
    }
    const terminating = controlledBy(this.pods, rs.metadata?.uid).filter(isPodTerminating);
    const { status, next } = calculateReplicaSetStatus(rs, [...pods, ...terminating], manageError, rc.clock.nowMs());
    if (!sameStatus(rs.status, status)) {
      try {
        await rc.client.patchStatus(REPLICA_SET_KIND, { namespace: rs.metadata!.namespace, name: rs.metadata!.name! }, { type: 'merge', body: { status: { ...status, conditions: status.conditions ?? null } } });
      } catch (e) {
        if (!isNotFound(e)) failure ??= e;
      }
    }
    if (failure) throw failure;
    if (!satisfied) return { requeueAfter: 1_000 };
    return next !== undefined ? { requeueAfter: Math.max(1, next) } : {};
  }

  /** Owned Pods that match, plus adopted orphans; owned Pods that no longer match are released. */
  private async claimPods(rc: ReconcileContext, rs: ReplicaSet, selector: LabelSelector, candidates: Pod[], key: string): Promise<Pod[]> {
    const uid = rs.metadata?.uid;
    const deleting = !!rs.metadata?.deletionTimestamp;
    const out: Pod[] = [];
    for (const p of candidates) {
      const ref = getControllerOf(p);
      const matches = matchesLabels(selector, p.metadata?.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) out.push(p);
        else if (!deleting) await this.release(rc, rs, p, key);
        continue;
      }
      if (!matches || deleting) continue;
      try {
        const adopted = await adoptOrphan(rc.client, p, rs);
        if (adopted) {
          this.expectations.expectWrite(key, this.pods, adopted);
          out.push(adopted);
        }
      } catch (e) {
        rc.log.warn({ err: e, pod: nameOf(p) }, 'cannot adopt Pod');
      }
    }
    return out;
  }

  private async release(rc: ReconcileContext, rs: ReplicaSet, p: Pod, key: string): Promise<void> {
    const refs = (p.metadata?.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata?.uid);
    try {
      const released = await rc.client.patch<Pod>(POD_KIND, { namespace: p.metadata!.namespace, name: nameOf(p) }, { type: 'merge', body: { metadata: { resourceVersion: p.metadata?.resourceVersion, ownerReferences: refs.length ? refs : null } } });
      this.expectations.expectWrite(key, this.pods, released);
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async manageReplicas(rc: ReconcileContext, rs: ReplicaSet, pods: Pod[], key: string): Promise<void> {
    const want = rs.spec.replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) return this.createPods(rc, rs, Math.min(-diff, this.burst), key);
    if (diff > 0) {
      const victims = podsToDelete(pods, this.relatedPods(rs), Math.min(diff, this.burst), rc.clock.nowMs());
      const results = await Promise.allSettled(victims.map((p) => this.deletePod(rc, rs, p, key)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /** Active Pods of every ReplicaSet with the same controller (the Deployment's), for the same-node ranking. */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = getControllerOf(rs);
    const siblings = owner ? controlledBy(this.replicaSets, owner.uid) : [rs];
    const uids = new Set([rs.metadata?.uid, ...siblings.map((s) => s.metadata?.uid)]);
    return [...uids].flatMap((uid) => controlledBy(this.pods, uid)).filter(isPodActive);
  }

  private async deletePod(rc: ReconcileContext, rs: ReplicaSet, p: Pod, key: string): Promise<void> {
    try {
      await rc.client.delete(POD_KIND, { namespace: p.metadata!.namespace, name: nameOf(p) });
      rc.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${nameOf(p)}`);
    } catch (e) {
      if (isNotFound(e)) return;
      rc.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
      throw e;
    }
    this.expectations.expectDeletion(key, this.pods, p);
  }

  /** Create `count` Pods in batches of 1, 2, 4, ...; the first failed batch stops the rest. */
  private async createPods(rc: ReconcileContext, rs: ReplicaSet, count: number, key: string): Promise<void> {
    if (!selectorMatches(rs.spec.selector, rs.spec.template?.metadata?.labels)) {
      throw new Error(`spec.template.metadata.labels ${JSON.stringify(rs.spec.template?.metadata?.labels ?? {})} do not match spec.selector`);
    }
    let remaining = count;
    for (let batch = 1; remaining > 0; batch *= 2) {
      const size = Math.min(batch, remaining);
      const results = await Promise.allSettled(Array.from({ length: size }, () => this.createPod(rc, rs, key)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      remaining -= size;
    }
  }

  private async createPod(rc: ReconcileContext, rs: ReplicaSet, key: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const pod = podFromTemplate(rs, this.random);
      try {
        const created = await rc.client.create(pod);
        this.expectations.expectWrite(key, this.pods, created);
        rc.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${nameOf(created)}`);
        return;
      } catch (e) {
        // A name taken already: draw another suffix (the API server's generateName would do the same).
        if (isAlreadyExists(e) && attempt < 3) continue;
        rc.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
        throw e;
      }
    }
  }
}

/** ReplicaSets whose selector matches an orphan Pod (to adopt it). */
function replicaSetsForOrphan(replicaSets: SharedInformer<ReplicaSet>, p: KubeObject): Request[] {
  if (getControllerOf(p) || p.metadata?.deletionTimestamp) return [];
  const labels = p.metadata?.labels;
  if (!labels || !Object.keys(labels).length) return [];
  return replicaSets.lister
    .list({ namespace: p.metadata?.namespace ?? '' })
    .filter((rs) => selectorMatches(rs.spec?.selector, labels))
    .map((rs) => ({ namespace: rs.metadata?.namespace, name: nameOf(rs) }));
}

/** Register the ReplicaSet controller on a workload cluster's manager. */
export function setupReplicaSetController(ctx: WorkloadContext, opts: ReplicaSetControllerOptions = {}): Controller {
  const replicaSets = ctx.manager.informers.for(REPLICA_SET_KIND) as unknown as SharedInformer<ReplicaSet>;
  const pods = ctx.manager.informers.for(POD_KIND) as unknown as SharedInformer<Pod>;
  const reconciler = new ReplicaSetReconciler(replicaSets, pods, ctx, opts);
  return ctx.manager.add({
    name: REPLICA_SET_CONTROLLER_NAME,
    for: REPLICA_SET_KIND,
    owns: [POD_KIND],
    reconciler,
    workers: opts.workers ?? 5,
    watches: [{ type: POD_KIND, map: (p) => replicaSetsForOrphan(replicaSets, p) }],
  });
}
