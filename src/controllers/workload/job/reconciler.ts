/**
 * The Job controller (kube-controller-manager's job controller, 1.31+ semantics): Pods for completions and
 * parallelism (NonIndexed, or Indexed with the completion index annotation, label, env and hostname), tracked through
 * the batch.kubernetes.io/job-tracking finalizer and status.uncountedTerminatedPods, exponential backoff between
 * failed Pods, backoffLimit and activeDeadlineSeconds (FailureTarget, then Failed once no Pod is left running),
 * SuccessCriteriaMet then Complete, suspend and resume. Upstream's Job strategy in kube-apiserver generates
 * spec.selector and the template labels from the uid; this API server does not, so the controller does it on the
 * first reconcile (unless manualSelector). podFailurePolicy rules FailJob, Ignore and Count apply to failed Pods.
 * backoffLimitPerIndex with maxFailedIndexes and status.failedIndexes (the index failure count annotation on Pods).
 * successPolicy rules (SuccessCriteriaMet with reason SuccessPolicy). Container restarts of OnFailure Pods count
 * towards backoffLimit. Not done: podReplacementPolicy Failed (Pods are replaced once terminating or failed).
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { LABEL_INDEX, NAMESPACE_INDEX, OWNER_UID_INDEX, keyFor } from '../../../client/cache.js';
import { isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import { CacheExpectations } from '../../shared/expectations.js';
import type { WorkloadContext } from '../context.js';
import { semanticJson } from '../../../apimachinery/semantic.js';
import { POD, clone, controllerUid, creationMs, errorText, isPodReady, isTerminated, timestamp, type Pod, type PodTemplate } from '../shared/pods.js';
import {
  MESSAGE_BACKOFF_LIMIT,
  MESSAGE_COMPLETIONS,
  MESSAGE_DEADLINE,
  REASON_BACKOFF_LIMIT,
  REASON_COMPLETIONS,
  REASON_DEADLINE,
  REASON_FAILED_INDEXES,
  MESSAGE_FAILED_INDEXES,
  REASON_MAX_FAILED_INDEXES,
  MESSAGE_MAX_FAILED_INDEXES,
  REASON_POD_FAILURE_POLICY,
  findCondition,
  isFinished,
  isTrue,
  setCondition,
  type JobCondition,
} from './conditions.js';
import { REASON_SUCCESS_POLICY, matchSuccessPolicy, type SuccessPolicy } from './success-policy.js';
import { matchPodFailurePolicy, type FailedPod, type PodFailurePolicy } from './pod-failure-policy.js';
import { COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV, COMPLETION_INDEX_LABEL, backoffDelayMs, formatIndexes, missingIndexes, parseIndexes, podIndex } from './indexes.js';

export const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  completionMode?: string;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  manualSelector?: boolean;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  template?: PodTemplate;
  podFailurePolicy?: PodFailurePolicy;
  backoffLimitPerIndex?: number;
  successPolicy?: SuccessPolicy;
  maxFailedIndexes?: number;
}

export interface JobStatus {
  active?: number;
  ready?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  startTime?: string | null;
  completionTime?: string;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  conditions?: JobCondition[];
}

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export interface JobControllerOptions {
  workers?: number;
  /** First delay after a failed Pod (upstream 10 s; doubles per consecutive failure). */
  backoffBaseMs?: number;
  /** Longest delay between failed Pods (upstream 6 min). */
  backoffMaxMs?: number;
}

interface Backoff {
  failures: number;
  lastMs: number;
}

/** OnFailure Pods restart in place: their containers' restarts count towards backoffLimit (pastBackoffLimitOnFailure). */
function restartsExceed(spec: JobSpec, active: readonly Pod[], backoffLimit: number): boolean {
  if (spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of active) {
    for (const cs of [...((p.status?.initContainerStatuses as { restartCount?: number }[] | undefined) ?? []), ...((p.status?.containerStatuses as { restartCount?: number }[] | undefined) ?? [])]) restarts += cs.restartCount ?? 0;
  }
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

function hasFinalizer(p: Pod): boolean {
  return p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

export class JobReconciler {
  readonly jobs: SharedInformer<Job>;
  readonly pods: SharedInformer<Pod>;
  private readonly expectations: CacheExpectations;
  private readonly backoff = new Map<string, Backoff>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(ctx: WorkloadContext, opts: JobControllerOptions = {}) {
    this.jobs = ctx.manager.informers.for<Job>(JOB);
    this.pods = ctx.manager.informers.for<Pod>(POD);
    this.expectations = new CacheExpectations(ctx.manager.clock);
    this.baseMs = opts.backoffBaseMs ?? 10_000;
    this.maxMs = opts.backoffMaxMs ?? 360_000;
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const key = keyFor(req.namespace, req.name);
    const cached = this.jobs.cache.get(key);
    if (!cached) {
      this.expectations.forget(key);
      for (const k of this.backoff.keys()) if (k === key || k.startsWith(`${key}#`)) this.backoff.delete(k);
      await this.releaseOrphans(rc, req);
      return;
    }
    const job: Job = { ...clone(cached), ...JOB };
    const meta = job.metadata!;
    const owned = this.pods.cache.byIndex(OWNER_UID_INDEX, meta.uid!).filter((p) => controllerUid(p) === meta.uid);
    if (meta.deletionTimestamp) {
      await this.removeFinalizers(rc, owned.filter(hasFinalizer));
      return;
    }
    if (await this.generateSelector(rc, job)) return;
    if (!this.expectations.satisfied(key)) return { requeueAfter: 1000 };

    const spec = job.spec ?? {};
    const status: JobStatus = clone(job.status ?? {});
    const nowMs = rc.clock.nowMs();
    const now = timestamp(nowMs);
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const parallelism = spec.parallelism ?? 1;
    const backoffLimit = spec.backoffLimit ?? 6;

    if (isFinished(status.conditions)) {
      await this.removeFinalizers(rc, owned.filter(hasFinalizer));
      return;
    }

    // 1. Terminated Pods still holding the finalizer are recorded as uncounted, released, then counted.
    const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
    const completed = indexed && completions !== undefined ? parseIndexes(status.completedIndexes, completions) : new Set<number>();
    // backoffLimitPerIndex: an index fails once its Pods failed more often than the limit.
    const perIndex = indexed && completions !== undefined && spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null;
    const failedIdx = perIndex ? parseIndexes(status.failedIndexes, completions!) : new Set<number>();
    const failuresByIndex = new Map<number, number>();
    if (perIndex) {
      for (const p of owned) {
        if (p.status?.phase !== 'Failed' || !matchPodFailurePolicy(spec.podFailurePolicy, p as FailedPod).count) continue;
        const idx = podIndex(p.metadata, completions!);
        if (idx === undefined) continue;
        const n = Number(p.metadata?.annotations?.[INDEX_FAILURE_COUNT_ANNOTATION] ?? '0') + 1;
        failuresByIndex.set(idx, Math.max(failuresByIndex.get(idx) ?? 0, Number.isFinite(n) ? n : 1));
      }
    }
    let recorded = false;
    let failJobNow = false;
    for (const p of owned) {
      if (!hasFinalizer(p)) continue;
      const uid = p.metadata!.uid!;
      if (uncounted.succeeded.includes(uid) || uncounted.failed.includes(uid)) continue;
      if (p.status?.phase === 'Succeeded') {
        const idx = indexed && completions !== undefined ? podIndex(p.metadata, completions) : undefined;
        uncounted.succeeded.push(uid);
        if (idx !== undefined) completed.add(idx);
        recorded = true;
      } else if (p.status?.phase === 'Failed' || p.metadata?.deletionTimestamp) {
        const decision = p.status?.phase === 'Failed' ? matchPodFailurePolicy(spec.podFailurePolicy, p as FailedPod) : { count: true };
        if (decision.failJobMessage && !isTrue(status.conditions, 'FailureTarget')) {
          status.conditions = setCondition(status.conditions, { type: 'FailureTarget', status: 'True', reason: REASON_POD_FAILURE_POLICY, message: decision.failJobMessage }, now);
          failJobNow = true;
        }
        // Ignored failures are released without being counted.
        if (decision.count) {
          uncounted.failed.push(uid);
          recorded = true;
          const idx = perIndex ? podIndex(p.metadata, completions!) : undefined;
          if (idx !== undefined) {
            this.backoff.set(`${key}#${idx}`, { failures: failuresByIndex.get(idx) ?? 1, lastMs: nowMs });
            if (decision.action === 'FailIndex' || (failuresByIndex.get(idx) ?? 0) > spec.backoffLimitPerIndex!) failedIdx.add(idx);
          }
        }
      }
    }
    if (recorded || failJobNow) {
      const body: JobStatus = { uncountedTerminatedPods: uncounted };
      if (indexed) body.completedIndexes = formatIndexes(completed);
      if (perIndex) body.failedIndexes = formatIndexes(failedIdx);
      if (failJobNow) body.conditions = status.conditions;
      await rc.client.patchStatus(JOB, { namespace: meta.namespace, name: meta.name! }, { type: 'merge', body: { status: body } });
      status.uncountedTerminatedPods = uncounted;
      if (indexed) status.completedIndexes = body.completedIndexes;
      if (perIndex) status.failedIndexes = body.failedIndexes;
    }
    const released = owned.filter((p) => hasFinalizer(p) && (isTerminated(p) || p.metadata?.deletionTimestamp));
    await this.removeFinalizers(rc, released);
    const newlyFailed = uncounted.failed.length;
    // An Indexed Job counts succeeded indexes (a second success of an index adds nothing).
    status.succeeded = indexed ? completed.size : (status.succeeded ?? 0) + uncounted.succeeded.length;
    status.failed = (status.failed ?? 0) + newlyFailed;
    status.uncountedTerminatedPods = {};
    if (newlyFailed) {
      const b = this.backoff.get(key) ?? { failures: 0, lastMs: 0 };
      this.backoff.set(key, { failures: b.failures + newlyFailed, lastMs: nowMs });
    } else if (uncounted.succeeded.length) {
      this.backoff.delete(key);
    }

    const active = owned.filter((p) => !isTerminated(p) && !p.metadata?.deletionTimestamp);
    const terminating = owned.filter((p) => !isTerminated(p) && p.metadata?.deletionTimestamp).length;
    let requeue: number | undefined;
    const later = (ms: number): void => {
      if (ms > 0) requeue = Math.min(requeue ?? ms, ms);
    };
    const toDelete: Pod[] = [];
    const toCreate: (number | undefined)[] = [];

    // 2. Suspend and resume.
    if (spec.suspend) {
      toDelete.push(...active);
      status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, now);
    } else if (isTrue(status.conditions, 'Suspended')) {
      status.conditions = setCondition(status.conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, now);
      status.startTime = now;
    }
    if (!spec.suspend && !status.startTime) status.startTime = now;

    // 3. Success or failure criteria.
    const succeeded = status.succeeded;
    let failure = findCondition(status.conditions, 'FailureTarget')?.status === 'True' ? findCondition(status.conditions, 'FailureTarget') : undefined;
    const met = findCondition(status.conditions, 'SuccessCriteriaMet');
    let success: { reason?: string; message?: string } | undefined = met?.status === 'True' ? met : undefined;
    const policyMessage = indexed && completions !== undefined ? matchSuccessPolicy(spec.successPolicy, completions, completed) : undefined;
    if (!failure && !success) {
      if (policyMessage) success = { reason: REASON_SUCCESS_POLICY, message: policyMessage };
      else if (perIndex && spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null && failedIdx.size > spec.maxFailedIndexes) {
        failure = { type: 'FailureTarget', status: 'True', reason: REASON_MAX_FAILED_INDEXES, message: MESSAGE_MAX_FAILED_INDEXES };
      } else if (perIndex && failedIdx.size && completed.size + failedIdx.size >= completions!) {
        failure = { type: 'FailureTarget', status: 'True', reason: REASON_FAILED_INDEXES, message: MESSAGE_FAILED_INDEXES };
      } else if (indexed ? completions !== undefined && completed.size >= completions : completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) success = { reason: REASON_COMPLETIONS, message: MESSAGE_COMPLETIONS };
      else if (status.failed > backoffLimit || restartsExceed(spec, active, backoffLimit)) failure = { type: 'FailureTarget', status: 'True', reason: REASON_BACKOFF_LIMIT, message: MESSAGE_BACKOFF_LIMIT };
      else if (spec.activeDeadlineSeconds !== undefined && !spec.suspend && status.startTime) {
        const left = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - nowMs;
        if (left <= 0) failure = { type: 'FailureTarget', status: 'True', reason: REASON_DEADLINE, message: MESSAGE_DEADLINE };
        else later(left);
      }
    }
    if (failure) {
      status.conditions = setCondition(status.conditions, { type: 'FailureTarget', status: 'True', reason: failure.reason, message: failure.message }, now);
      toDelete.push(...active.filter((p) => !toDelete.includes(p)));
      if (!active.length && !terminating && !owned.some(hasFinalizer)) {
        status.conditions = setCondition(status.conditions, { type: 'Failed', status: 'True', reason: failure.reason, message: failure.message }, now);
        rc.recorder.event(job, 'Warning', failure.reason ?? 'Failed', failure.message ?? '');
      }
    } else if (success) {
      status.conditions = setCondition(status.conditions, { type: 'SuccessCriteriaMet', status: 'True', reason: success.reason, message: success.message }, now);
      toDelete.push(...active.filter((p) => !toDelete.includes(p)));
      if (!active.length && !terminating && !owned.some((p) => hasFinalizer(p) && !released.includes(p))) {
        status.conditions = setCondition(status.conditions, { type: 'Complete', status: 'True', reason: success.reason, message: success.message }, now);
        status.completionTime = now;
        rc.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      }
    } else if (!spec.suspend) {
      // 4. Pods for the work left.
      const b = this.backoff.get(key);
      const wait = b ? b.lastMs + backoffDelayMs(b.failures, this.baseMs, this.maxMs) - nowMs : 0;
      if (indexed && completions !== undefined) {
        const running = new Set<number>();
        for (const p of [...active].sort((a, c) => creationMs(a) - creationMs(c))) {
          const idx = podIndex(p.metadata, completions);
          if (idx === undefined || completed.has(idx) || failedIdx.has(idx) || running.has(idx)) toDelete.push(p);
          else running.add(idx);
        }
        const want = Math.min(parallelism, completions - completed.size - failedIdx.size);
        const extra = running.size - want;
        if (extra > 0) {
          const byIndexDesc = active.filter((p) => !toDelete.includes(p)).sort((a, c) => (podIndex(c.metadata, completions) ?? 0) - (podIndex(a.metadata, completions) ?? 0));
          toDelete.push(...byIndexDesc.slice(0, extra));
        } else if (want > running.size) {
          if (perIndex) {
            // Each index backs off on its own failures.
            const done = new Set([...completed, ...failedIdx]);
            for (const idx of missingIndexes(completions, done, running, completions)) {
              if (toCreate.length >= want - running.size) break;
              const ib = this.backoff.get(`${key}#${idx}`);
              const left = ib ? ib.lastMs + backoffDelayMs(ib.failures, this.baseMs, this.maxMs) - nowMs : 0;
              if (left > 0) later(left);
              else toCreate.push(idx);
            }
          } else if (wait > 0) later(wait);
          else toCreate.push(...missingIndexes(completions, completed, running, want - running.size));
        }
      } else {
        const want = completions === undefined ? (succeeded > 0 ? active.length : parallelism) : Math.max(0, Math.min(parallelism, completions - succeeded));
        if (active.length > want) {
          const youngest = [...active].sort((a, c) => Number(isPodReady(a)) - Number(isPodReady(c)) || creationMs(c) - creationMs(a));
          toDelete.push(...youngest.slice(0, active.length - want));
        } else if (active.length < want) {
          if (wait > 0) later(wait);
          else for (let i = active.length; i < want; i++) toCreate.push(undefined);
        }
      }
    }

    // 5. Writes.
    const errors: string[] = [];
    for (const p of toDelete) {
      try {
        // Released first: a Pod this controller removes is not a failure (what podReplacementPolicy gives upstream).
        if (hasFinalizer(p)) await this.removeFinalizers(rc, [p]);
        await rc.client.delete(POD, { namespace: p.metadata?.namespace, name: p.metadata!.name! });
        this.expectations.expectDeletion(key, this.pods, p);
        rc.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
      } catch (e) {
        if (!isNotFound(e)) errors.push(errorText(e));
      }
    }
    let created = 0;
    for (const idx of toCreate) {
      try {
        const pod = await rc.client.create(this.newPod(job, idx, perIndex && idx !== undefined ? failuresByIndex.get(idx) ?? 0 : undefined));
        created++;
        this.expectations.expectWrite(key, this.pods, pod);
        rc.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
      } catch (e) {
        errors.push(errorText(e));
        rc.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      }
    }
    const finished = isFinished(status.conditions);
    const activeNow = finished ? 0 : active.length - toDelete.filter((p) => active.includes(p)).length + created;
    status.active = activeNow;
    status.ready = finished ? 0 : active.filter((p) => !toDelete.includes(p) && isPodReady(p)).length;
    status.terminating = terminating + toDelete.length;
    if (finished) status.terminating = 0;
    const normal = (s: JobStatus): string => semanticJson({ ...s, uncountedTerminatedPods: { succeeded: s.uncountedTerminatedPods?.succeeded?.length ? s.uncountedTerminatedPods.succeeded : [], failed: s.uncountedTerminatedPods?.failed?.length ? s.uncountedTerminatedPods.failed : [] } });
    if (recorded || normal(job.status ?? {}) !== normal(status)) {
      const body = { ...status, uncountedTerminatedPods: { succeeded: null, failed: null } };
      await rc.client.patchStatus(JOB, { namespace: meta.namespace, name: meta.name! }, { type: 'merge', body: { status: body } });
    }
    if (errors.length) throw new Error(errors.join('; '));
    return requeue !== undefined ? { requeueAfter: requeue } : undefined;
  }

  /** Upstream's Job strategy generates the selector and template labels from the uid; done here when missing. */
  private async generateSelector(rc: ReconcileContext, job: Job): Promise<boolean> {
    if (job.spec?.manualSelector) return false;
    const { uid, name } = job.metadata as { uid: string; name: string };
    const want = { [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
    const labels = job.spec?.template?.metadata?.labels ?? {};
    const selectorOk = job.spec?.selector?.matchLabels?.[CONTROLLER_UID_LABEL] === uid && !job.spec.selector.matchExpressions?.length && Object.keys(job.spec.selector.matchLabels).length === 1;
    if (selectorOk && Object.entries(want).every(([k, v]) => labels[k] === v)) return false;
    await rc.client.patch(JOB, { namespace: job.metadata?.namespace, name }, {
      type: 'merge',
      body: { spec: { selector: { matchLabels: { [CONTROLLER_UID_LABEL]: uid }, matchExpressions: null }, template: { metadata: { labels: want } } } },
    });
    return true;
  }

  private newPod(job: Job, index: number | undefined, indexFailures: number | undefined): Pod {
    const meta = job.metadata!;
    const template = job.spec?.template ?? {};
    const spec = clone(template.spec ?? {});
    const labels = { ...(template.metadata?.labels ?? {}) };
    const annotations = { ...(template.metadata?.annotations ?? {}) };
    if (index !== undefined) {
      labels[COMPLETION_INDEX_LABEL] = String(index);
      annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
      if (indexFailures !== undefined) annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(indexFailures);
      if (!spec.hostname) spec.hostname = `${meta.name}-${index}`;
      const env = { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } };
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) if (!c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) c.env = [...(c.env ?? []), env];
    }
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: index === undefined ? `${meta.name}-` : `${meta.name}-${index}-`,
        namespace: meta.namespace,
        labels,
        ...(Object.keys(annotations).length ? { annotations } : {}),
        finalizers: [JOB_TRACKING_FINALIZER],
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: meta.name!, uid: meta.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
  }

  private async removeFinalizers(rc: ReconcileContext, pods: readonly Pod[]): Promise<void> {
    for (const p of pods) {
      const finalizers = (p.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
      try {
        await rc.client.patch(POD, { namespace: p.metadata?.namespace, name: p.metadata!.name! }, { type: 'merge', body: { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: p.metadata?.resourceVersion } } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** Pods of a Job that is gone keep no tracking finalizer. */
  private async releaseOrphans(rc: ReconcileContext, req: Request): Promise<void> {
    const pods = this.pods.cache
      .byIndex(LABEL_INDEX, `${JOB_NAME_LABEL}=${req.name}`)
      .filter((p) => p.metadata?.namespace === req.namespace && hasFinalizer(p) && p.metadata?.ownerReferences?.some((r) => r.kind === 'Job' && r.name === req.name));
    const noOwner = this.pods.cache.byIndex(NAMESPACE_INDEX, req.namespace ?? '').filter((p) => hasFinalizer(p) && p.metadata?.ownerReferences?.some((r) => r.controller && r.kind === 'Job' && r.name === req.name));
    await this.removeFinalizers(rc, [...new Set([...pods, ...noOwner])]);
  }
}
