/**
 * The Deployment controller (kube-controller-manager's deployment controller): owns ReplicaSets named
 * `<deployment>-<pod-template-hash>`, one per template version, and moves replicas between them — RollingUpdate
 * within maxSurge and maxUnavailable, Recreate (old Pods gone before new ones start) — records revisions on them,
 * spreads a replica change proportionally over a rollout in progress or a paused Deployment, deletes old ReplicaSets
 * beyond revisionHistoryLimit, and reports status with the Progressing (progressDeadlineSeconds) and Available
 * conditions. `kubectl rollout undo` copies an old ReplicaSet's template back: that ReplicaSet becomes the new one
 * again, under the next revision. After writing ReplicaSets the controller acts again only once its cache has seen
 * those writes.
 */
import { deepClone, type KubeObject } from '../../../apimachinery/types.js';
import { labelSelectorFromObject, labelSelectorIsEmpty, matchesLabels, type LabelSelector } from '../../../apimachinery/selectors.js';
import { keyFor } from '../../../client/cache.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { Controller } from '../../../runtime/controller.js';
import { getControllerOf } from '../../../runtime/meta.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { adoptOrphan } from '../../shared/adopt.js';
import { claimCandidates, ensureControllerIndex } from '../../shared/claim-candidates.js';
import { CacheExpectations } from '../../shared/expectations.js';
import { selectorMatches } from '../../shared/selector.js';
import type { WorkloadContext } from '../context.js';
import { POD_KIND, REPLICA_SET_KIND, type Pod, type ReplicaSet } from '../replicaset/types.js';
import { computeHash } from './hash.js';
import {
  DEPLOYMENT_KIND,
  POD_TEMPLATE_HASH_LABEL,
  PROGRESSING,
  REASONS,
  REPLICA_FAILURE,
  REVISION_ANNOTATION,
  type Deployment,
  type DeploymentStatus,
} from './types.js';
import {
  activeReplicaSets,
  availableReplicaSum,
  byCreation,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  msUntilDeadlineCheck,
  newCondition,
  newRSNewReplicas,
  proportionalSizes,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  revisionOf,
  rsReplicas,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicaSum,
  actualReplicaSum,
} from './util.js';
import { errorText } from '../../shared/errors.js';

export const DEPLOYMENT_CONTROLLER_NAME = 'deployment';

export interface DeploymentControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-deployment-syncs, 5). */
  workers?: number;
}

function nameOf(o: KubeObject | undefined): string {
  return o?.metadata?.name ?? '';
}

function statusJson(s: DeploymentStatus | undefined): string {
  const x = s ?? {};
  const n = (v: number | undefined): number => v ?? 0;
  return JSON.stringify([x.observedGeneration, n(x.replicas), n(x.updatedReplicas), n(x.readyReplicas), n(x.availableReplicas), n(x.unavailableReplicas), n(x.terminatingReplicas), x.collisionCount, x.conditions ?? []]);
}

/** One reconcile of one Deployment: `d` is a working copy whose status follows what was written. */
class Sync {
  constructor(
    readonly rc: ReconcileContext,
    readonly d: Deployment,
    private readonly owner: DeploymentReconciler,
    readonly key: string,
  ) {}

  get now(): number {
    return this.rc.clock.nowMs();
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.rc.recorder.event(this.d, type, reason, message);
  }

  /** Write status when it differs from what the Deployment shows. */
  async writeStatus(next: DeploymentStatus): Promise<void> {
    if (statusJson(this.d.status) === statusJson(next)) return;
    const body = { status: { ...next, conditions: next.conditions ?? null, collisionCount: next.collisionCount ?? null } };
    await this.rc.client.patchStatus(DEPLOYMENT_KIND, { namespace: this.d.metadata!.namespace, name: nameOf(this.d) }, { type: 'merge', body });
    this.d.status = next;
  }

  /** The Deployment's revision annotation follows its new ReplicaSet's. */
  async syncRevision(revision: string): Promise<void> {
    if (this.d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return;
    await this.rc.client.patch(DEPLOYMENT_KIND, { namespace: this.d.metadata!.namespace, name: nameOf(this.d) }, { type: 'merge', body: { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } } });
    ((this.d.metadata ??= {}).annotations ??= {})[REVISION_ANNOTATION] = revision;
  }

  async patchReplicaSet(rs: ReplicaSet, body: Record<string, unknown>): Promise<ReplicaSet> {
    const updated = await this.rc.client.patch<ReplicaSet>(REPLICA_SET_KIND, { namespace: rs.metadata!.namespace, name: nameOf(rs) }, { type: 'merge', body: { ...body, metadata: { ...((body.metadata as object) ?? {}), resourceVersion: rs.metadata?.resourceVersion } } });
    this.owner.expectations.expectWrite(this.key, this.owner.rsInformer, updated);
    return updated;
  }

  /** Upstream scaleReplicaSet: size and replica annotations; the working copy is updated in place. */
  async scaleReplicaSet(rs: ReplicaSet, to: number, operation: string): Promise<boolean> {
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const from = rsReplicas(rs);
    const sizeChange = from !== to;
    if (!sizeChange && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    const copy = deepClone(rs);
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.patchReplicaSet(rs, { metadata: { annotations: copy.metadata!.annotations }, spec: { replicas: to } });
    Object.assign(rs, updated);
    if (sizeChange) this.event('Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${nameOf(rs)} from ${from} to ${to}`);
    return sizeChange;
  }

  async scaleAndRecord(rs: ReplicaSet, to: number): Promise<boolean> {
    if (rsReplicas(rs) === to) return false;
    return this.scaleReplicaSet(rs, to, rsReplicas(rs) < to ? 'up' : 'down');
  }

  /** Upstream getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and the old ones. */
  async allReplicaSets(rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = findNewReplicaSet(this.d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRS = await this.newReplicaSet(existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = deepClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        const updated = await this.patchReplicaSet(existing, { metadata: { annotations: copy.metadata!.annotations }, spec: { minReadySeconds: d.spec.minReadySeconds ?? 0 } });
        Object.assign(existing, updated);
      }
      await this.syncRevision(existing.metadata?.annotations?.[REVISION_ANNOTATION] ?? String(newRevision));
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        const status = deepClone(d.status ?? {});
        setCondition(status, newCondition(PROGRESSING, 'True', REASONS.foundNewReplicaSet, `Found new replica set "${nameOf(existing)}"`, this.now));
        await this.writeStatus(status);
      }
      return existing;
    }
    if (!create) return undefined;
    const template = deepClone(d.spec.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    (template.metadata ??= {}).labels = labels;
    const selector = deepClone(d.spec.selector ?? {});
    (selector.matchLabels ??= {})[POD_TEMPLATE_HASH_LABEL] = hash;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${nameOf(d)}-${hash}`,
        namespace: d.metadata!.namespace,
        labels: { ...labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: nameOf(d), uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.rc.client.create(rs);
      this.owner.expectations.expectWrite(this.key, this.owner.rsInformer, created);
    } catch (e) {
      if (isAlreadyExists(e)) {
        const found = await this.rc.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: d.metadata!.namespace, name: nameOf(rs) });
        if (getControllerOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          // A hash collision: the next name comes from a bumped collisionCount.
          const status = deepClone(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          throw new Error(`hash collision for Deployment ${this.key}: ReplicaSet ${nameOf(rs)} exists with another template; collisionCount is now ${status.collisionCount}`);
        }
      } else {
        const msg = `Failed to create new replica set "${nameOf(rs)}": ${errorText(e)}`;
        if (hasProgressDeadline(d)) {
          const status = deepClone(d.status ?? {});
          setCondition(status, newCondition(PROGRESSING, 'False', REASONS.failedReplicaSetCreate, msg, this.now));
          await this.writeStatus(status);
        }
        this.event('Warning', 'FailedCreate', msg);
        throw e;
      }
    }
    if (!alreadyExisted && rsReplicas(created) > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${nameOf(created)} from 0 to ${rsReplicas(created)}`);
    await this.syncRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      const status = deepClone(d.status ?? {});
      setCondition(status, newCondition(PROGRESSING, 'True', REASONS.newReplicaSetCreated, `Created new replica set "${nameOf(created)}"`, this.now));
      await this.writeStatus(status);
    }
    return created;
  }

  /** Upstream scale(): one active ReplicaSet takes the size; otherwise the change is spread proportionally. */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const single = findActiveOrLatest(newRS, oldRSs);
    if (single) {
      await this.scaleAndRecord(single, desiredReplicas(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const rs of activeReplicaSets(oldRSs)) await this.scaleAndRecord(rs, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const toAdd = (desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0) - specReplicaSum(activeReplicaSets([...oldRSs, newRS]));
    const operation = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '';
    for (const { rs, size } of proportionalSizes(d, newRS, oldRSs)) await this.scaleReplicaSet(rs, size, operation);
  }

  /** Upstream cleanupDeployment: old ReplicaSets beyond revisionHistoryLimit that are fully scaled down go, lowest revision first. */
  async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    const sorted = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    let deleted = 0;
    for (const rs of sorted) {
      if (deleted >= diff) break;
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.status?.observedGeneration ?? 0) < (rs.metadata?.generation ?? 0)) continue;
      try {
        await this.rc.client.delete(REPLICA_SET_KIND, { namespace: rs.metadata!.namespace, name: nameOf(rs) });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.owner.expectations.expectDeletion(this.key, this.owner.rsInformer, rs);
      deleted++;
    }
  }

  /** Upstream syncRolloutStatus: status plus the Progressing condition (complete, progressing, timed out) and ReplicaFailure. */
  async syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<Result> {
    const d = this.d;
    const next = calculateStatus(d, allRSs, newRS, this.now);
    if (!hasProgressDeadline(d)) removeCondition(next, PROGRESSING);
    const current = getCondition(d.status, PROGRESSING);
    const complete = next.replicas === next.updatedReplicas && current?.reason === REASONS.newReplicaSetAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const what = newRS ? `ReplicaSet "${nameOf(newRS)}"` : `Deployment "${nameOf(d)}"`;
      if (deploymentComplete(d, next)) {
        setCondition(next, newCondition(PROGRESSING, 'True', REASONS.newReplicaSetAvailable, `${what} has successfully progressed.`, this.now));
      } else if (deploymentProgressing(d, next)) {
        const c = newCondition(PROGRESSING, 'True', REASONS.replicaSetUpdated, `${what} is progressing.`, this.now);
        if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(next, PROGRESSING);
        setCondition(next, c);
      } else if (deploymentTimedOut(d, next, this.now)) {
        setCondition(next, newCondition(PROGRESSING, 'False', REASONS.progressDeadlineExceeded, `${what} has timed out progressing.`, this.now));
      }
    }
    const failure = [newRS, ...allRSs].map((rs) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE)).find((c) => c);
    if (failure) {
      setCondition(next, { type: REPLICA_FAILURE, status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });
    } else removeCondition(next, REPLICA_FAILURE);
    await this.writeStatus(next);
    const after = msUntilDeadlineCheck(d, next, this.now);
    return after !== undefined ? { requeueAfter: after } : {};
  }

  /** Upstream sync(): scaling (and for a paused Deployment, history cleanup) without rolling out. */
  async sync(rsList: ReplicaSet[]): Promise<Result> {
    const { newRS, oldRSs } = await this.allReplicaSets(rsList, false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec.paused) await this.cleanup(oldRSs);
    const all = newRS ? [...oldRSs, newRS] : oldRSs;
    await this.writeStatus(calculateStatus(this.d, all, newRS, this.now));
    return {};
  }

  /** Upstream checkPausedConditions: Progressing Unknown DeploymentPaused/DeploymentResumed (a timeout is kept). */
  async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const c = getCondition(d.status, PROGRESSING);
    if (c?.reason === REASONS.progressDeadlineExceeded) return;
    const pausedShown = c?.reason === REASONS.paused;
    const status = deepClone(d.status ?? {});
    if (d.spec.paused && !pausedShown) setCondition(status, newCondition(PROGRESSING, 'Unknown', REASONS.paused, 'Deployment is paused', this.now));
    else if (!d.spec.paused && pausedShown) setCondition(status, newCondition(PROGRESSING, 'Unknown', REASONS.resumed, 'Deployment is resumed', this.now));
    else return;
    await this.writeStatus(status);
  }

  /** The Deployment's replicas differ from what an active ReplicaSet was last sized for. */
  async isScalingEvent(rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.allReplicaSets(rsList, false);
    for (const rs of activeReplicaSets([newRS, ...oldRSs])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== desiredReplicas(this.d)) return true;
    }
    return false;
  }

  async rolloutRolling(rsList: ReplicaSet[]): Promise<Result> {
    const { newRS, oldRSs } = await this.allReplicaSets(rsList, true);
    const all = [...oldRSs, newRS!];
    if (await this.reconcileNewReplicaSet(all, newRS!)) return this.syncRolloutStatus(all, newRS);
    if (await this.reconcileOldReplicaSets(all, activeReplicaSets(oldRSs), newRS!)) return this.syncRolloutStatus(all, newRS);
    if (deploymentComplete(this.d, this.d.status)) await this.cleanup(oldRSs);
    return this.syncRolloutStatus(all, newRS);
  }

  private async reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const n = desiredReplicas(this.d);
    if (rsReplicas(newRS) === n) return false;
    if (rsReplicas(newRS) > n) return this.scaleAndRecord(newRS, n);
    return this.scaleAndRecord(newRS, newRSNewReplicas(this.d, all, newRS));
  }

  /** Upstream reconcileOldReplicaSets: unhealthy old replicas first, then old ones down to minAvailable. */
  private async reconcileOldReplicaSets(all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    if (specReplicaSum(oldRSs) === 0) return false;
    const minAvailable = desiredReplicas(this.d) - maxUnavailable(this.d);
    const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicaSum(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    let cleaned = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const replicas = rsReplicas(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const count = Math.min(maxScaledDown - cleaned, replicas - available);
      await this.scaleAndRecord(rs, replicas - count);
      cleaned += count;
    }
    let scaled = 0;
    const available = availableReplicaSum(all);
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of [...oldRSs].sort(byCreation)) {
        if (scaled >= total) break;
        const replicas = rsReplicas(rs);
        if (replicas === 0) continue;
        const count = Math.min(replicas, total - scaled);
        await this.scaleAndRecord(rs, replicas - count);
        scaled += count;
      }
    }
    return cleaned + scaled > 0;
  }

  async rolloutRecreate(rsList: ReplicaSet[], pods: Pod[]): Promise<Result> {
    let { newRS, oldRSs } = await this.allReplicaSets(rsList, false);
    let all = newRS ? [...oldRSs, newRS] : [...oldRSs];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (await this.scaleAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(all, newRS);
    if (this.oldPodsRunning(newRS, oldRSs, pods)) return this.syncRolloutStatus(all, newRS);
    if (!newRS) {
      ({ newRS, oldRSs } = await this.allReplicaSets(rsList, true));
      all = [...oldRSs, newRS!];
    }
    await this.scaleAndRecord(newRS!, desiredReplicas(this.d));
    if (deploymentComplete(this.d, this.d.status)) await this.cleanup(oldRSs);
    return this.syncRolloutStatus(all, newRS);
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], pods: Pod[]): boolean {
    if (actualReplicaSum(oldRSs) > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata?.uid));
    return pods.some((p) => {
      const uid = getControllerOf(p)?.uid;
      if (!uid || uid === newRS?.metadata?.uid || !oldUids.has(uid)) return false;
      return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    });
  }
}

export class DeploymentReconciler {
  readonly expectations: CacheExpectations;
  /** The ReplicaSet informer, untyped (what CacheExpectations tracks). */
  readonly rsInformer: SharedInformer;

  constructor(
    readonly deployments: SharedInformer<Deployment>,
    readonly replicaSets: SharedInformer<ReplicaSet>,
    readonly pods: SharedInformer<Pod>,
    ctx: WorkloadContext,
  ) {
    this.expectations = new CacheExpectations(ctx.manager.clock);
    this.rsInformer = replicaSets as unknown as SharedInformer;
    ensureControllerIndex(replicaSets);
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = keyFor(req.namespace, req.name);
    const cached = this.deployments.lister.get(req.name, req.namespace);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    if (!this.expectations.satisfied(key)) return { requeueAfter: 1_000 };
    const d = deepClone(cached);
    d.apiVersion ??= DEPLOYMENT_KIND.apiVersion;
    d.kind ??= DEPLOYMENT_KIND.kind;
    const s = new Sync(rc, d, this, key);
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(d.spec.selector ?? {});
    } catch (e) {
      s.event('Warning', 'InvalidSelector', `invalid spec.selector: ${errorText(e)}`);
      return;
    }
    if (labelSelectorIsEmpty(selector)) {
      s.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) await s.writeStatus({ ...deepClone(d.status ?? {}), observedGeneration: d.metadata?.generation });
      return;
    }
    const rsList = await this.claimReplicaSets(rc, d, selector, key);
    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await s.allReplicaSets(rsList, false);
      await s.writeStatus(calculateStatus(d, newRS ? [...oldRSs, newRS] : oldRSs, newRS, rc.clock.nowMs()));
      return;
    }
    await s.checkPausedConditions();
    if (d.spec.paused) return s.sync(rsList);
    if (await s.isScalingEvent(rsList)) return s.sync(rsList);
    if (d.spec.strategy?.type === 'Recreate') {
      const pods = this.pods.lister.list({ namespace: d.metadata?.namespace ?? '' }).filter((p) => matchesLabels(selector, p.metadata?.labels));
      return s.rolloutRecreate(rsList, pods);
    }
    return s.rolloutRolling(rsList);
  }

  /** ReplicaSets this Deployment controls and that match; matching orphans adopted, non-matching ones released. */
  private async claimReplicaSets(rc: ReconcileContext, d: Deployment, selector: LabelSelector, key: string): Promise<ReplicaSet[]> {
    const out: ReplicaSet[] = [];
    const deleting = !!d.metadata?.deletionTimestamp;
    for (const rs of claimCandidates(this.replicaSets, d.metadata?.namespace ?? '', d.metadata?.uid)) {
      const ref = getControllerOf(rs);
      const matches = matchesLabels(selector, rs.metadata?.labels);
      if (ref) {
        if (ref.uid !== d.metadata?.uid) continue;
        if (matches) out.push(deepClone(rs));
        else if (!deleting) {
          const refs = (rs.metadata?.ownerReferences ?? []).filter((r) => r.uid !== d.metadata?.uid);
          try {
            const released = await rc.client.patch<ReplicaSet>(REPLICA_SET_KIND, { namespace: rs.metadata!.namespace, name: nameOf(rs) }, { type: 'merge', body: { metadata: { resourceVersion: rs.metadata?.resourceVersion, ownerReferences: refs.length ? refs : null } } });
            this.expectations.expectWrite(key, this.rsInformer, released);
          } catch (e) {
            if (!isNotFound(e) && !isConflict(e)) throw e;
          }
        }
        continue;
      }
      if (!matches || deleting || rs.metadata?.deletionTimestamp) continue;
      const adopted = await adoptOrphan(rc.client, rs, d);
      if (adopted) {
        this.expectations.expectWrite(key, this.rsInformer, adopted);
        out.push(deepClone(adopted));
      }
    }
    return out;
  }
}

/** Deployments whose selector matches an orphan ReplicaSet (to adopt it). */
function deploymentsForOrphan(deployments: SharedInformer<Deployment>, o: KubeObject): Request[] {
  if (getControllerOf(o)) return [];
  const labels = o.metadata?.labels;
  if (!labels || !Object.keys(labels).length) return [];
  return deployments.lister
    .list({ namespace: o.metadata?.namespace ?? '' })
    .filter((d) => selectorMatches(d.spec?.selector, labels))
    .map((d) => ({ namespace: d.metadata?.namespace, name: nameOf(d) }));
}

/** The Recreate Deployment owning a Pod's ReplicaSet: it waits for old Pods to be gone before scaling up. */
function recreateDeploymentForPod(deployments: SharedInformer<Deployment>, replicaSets: SharedInformer<ReplicaSet>, p: KubeObject): Request[] {
  const ref = getControllerOf(p);
  if (!ref || ref.kind !== 'ReplicaSet') return [];
  const rs = replicaSets.lister.get(ref.name, p.metadata?.namespace);
  const owner = rs && getControllerOf(rs);
  if (owner?.kind !== 'Deployment') return [];
  const d = deployments.lister.get(owner.name, p.metadata?.namespace);
  return d?.spec?.strategy?.type === 'Recreate' ? [{ namespace: p.metadata?.namespace, name: owner.name }] : [];
}

/** Register the Deployment controller on a workload cluster's manager. */
export function setupDeploymentController(ctx: WorkloadContext, opts: DeploymentControllerOptions = {}): Controller {
  const deployments = ctx.manager.informers.for(DEPLOYMENT_KIND) as unknown as SharedInformer<Deployment>;
  const replicaSets = ctx.manager.informers.for(REPLICA_SET_KIND) as unknown as SharedInformer<ReplicaSet>;
  const pods = ctx.manager.informers.for(POD_KIND) as unknown as SharedInformer<Pod>;
  const reconciler = new DeploymentReconciler(deployments, replicaSets, pods, ctx);
  return ctx.manager.add({
    name: DEPLOYMENT_CONTROLLER_NAME,
    for: DEPLOYMENT_KIND,
    owns: [REPLICA_SET_KIND],
    reconciler,
    workers: opts.workers ?? 5,
    watches: [
      { type: REPLICA_SET_KIND, map: (rs) => deploymentsForOrphan(deployments, rs) },
      { type: POD_KIND, map: (p) => recreateDeploymentForPod(deployments, replicaSets, p) },
    ],
  });
}
