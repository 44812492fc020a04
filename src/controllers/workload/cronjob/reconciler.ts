/**
 * The CronJob controller (kube-controller-manager's cronjob controller v2): Jobs `<cronjob>-<minutes since epoch>` at
 * each schedule time from the manager's clock, in spec.timeZone (UTC when unset: the controller's local zone upstream,
 * UTC here), startingDeadlineSeconds, concurrencyPolicy Allow/Forbid/Replace, suspend, history limits and status
 * (active, lastScheduleTime, lastSuccessfulTime). Unfinished Jobs it owns but does not list as active are listed again
 * (upstream only warns with UnexpectedJob), so a crash between creating a Job and writing status loses nothing.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { OWNER_UID_INDEX, keyFor } from '../../../client/cache.js';
import { isAlreadyExists, isNotFound } from '../../../client/errors.js';
import type { SharedInformer } from '../../../client/informer.js';
import type { ReconcileContext, Request, Result } from '../../../runtime/reconciler.js';
import type { WorkloadContext } from '../context.js';
import { clone, controllerUid, creationMs, errorText, timestamp } from '../shared/pods.js';
import { findCondition, isFinished, isTrue } from '../job/conditions.js';
import { JOB, type Job } from '../job/reconciler.js';
import { ScheduleError, isValidTimeZone, mostRecentScheduleTime, parseSchedule, wallClock } from './cron.js';

export const CRONJOB = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Upstream wakes a little after the next schedule time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CronJob extends KubeObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export interface CronJobControllerOptions {
  workers?: number;
  /** Zone for CronJobs without spec.timeZone (default UTC). */
  defaultTimeZone?: string;
  /** How long after a schedule time the controller wakes (upstream 100 ms; may be 0). */
  scheduleDeltaMs?: number;
}

/** The Job name for a schedule time: `<cronjob>-<minutes since the epoch>`. */
export function jobNameFor(cronJob: string, scheduledMs: number): string {
  return `${cronJob}-${Math.floor(scheduledMs / 60_000)}`;
}

function succeededAt(j: Job): string | undefined {
  if (!isTrue(j.status?.conditions, 'Complete')) return undefined;
  return j.status?.completionTime ?? findCondition(j.status?.conditions, 'Complete')?.lastTransitionTime;
}

/** RFC 3339 with the zone's offset, as Go formats a time in a location. */
function zonedTimestamp(ms: number, zone: string): string {
  const offsetMin = Math.round((wallClock(ms, zone) - ms) / 60_000);
  if (offsetMin === 0) return timestamp(ms);
  const wall = new Date(ms + offsetMin * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export class CronJobReconciler {
  readonly cronJobs: SharedInformer<CronJob>;
  readonly jobs: SharedInformer<Job>;
  private readonly defaultZone: string;
  private readonly deltaMs: number;

  constructor(ctx: WorkloadContext, opts: CronJobControllerOptions = {}) {
    this.cronJobs = ctx.manager.informers.for<CronJob>(CRONJOB);
    this.jobs = ctx.manager.informers.for<Job>(JOB);
    this.defaultZone = opts.defaultTimeZone ?? 'UTC';
    this.deltaMs = opts.scheduleDeltaMs ?? NEXT_SCHEDULE_DELTA_MS;
  }

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const cached = this.cronJobs.cache.get(keyFor(req.namespace, req.name));
    if (!cached) return;
    const cj: CronJob = { ...clone(cached), ...CRONJOB };
    const meta = cj.metadata as { name: string; namespace?: string; uid: string };
    const spec = cj.spec ?? {};
    const nowMs = rc.clock.nowMs();
    const jobs = this.jobs.cache.byIndex(OWNER_UID_INDEX, meta.uid).filter((j) => controllerUid(j) === meta.uid);
    const status = { active: [...(cj.status?.active ?? [])], lastScheduleTime: cj.status?.lastScheduleTime, lastSuccessfulTime: cj.status?.lastSuccessfulTime };

    // Active list and last success from the Jobs.
    const byUid = new Map(jobs.map((j) => [j.metadata!.uid!, j]));
    for (const j of jobs) {
      const listed = status.active.some((r) => r.uid === j.metadata?.uid);
      if (isFinished(j.status?.conditions)) {
        if (listed) {
          status.active = status.active.filter((r) => r.uid !== j.metadata?.uid);
          const c = j.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
          rc.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, condition: ${c?.type}`);
        }
        const done = succeededAt(j);
        if (done && (!status.lastSuccessfulTime || Date.parse(done) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = done;
      } else if (!listed && !j.metadata?.deletionTimestamp) {
        status.active.push(this.refTo(j));
      }
    }
    status.active = status.active.filter((r) => r.uid && byUid.has(r.uid) && !byUid.get(r.uid)!.metadata?.deletionTimestamp);

    const result = cj.metadata?.deletionTimestamp ? undefined : await this.schedule(rc, cj, status, jobs, nowMs);
    await this.cleanupHistory(rc, cj, jobs);
    const before = cj.status ?? {};
    const activeKey = (a: ObjectReference[] | undefined): string => JSON.stringify((a ?? []).map((r) => r.uid).sort());
    if (activeKey(before.active) !== activeKey(status.active) || before.lastScheduleTime !== status.lastScheduleTime || before.lastSuccessfulTime !== status.lastSuccessfulTime) {
      await rc.client.patchStatus(CRONJOB, { namespace: meta.namespace, name: meta.name }, {
        type: 'merge',
        body: { status: { active: status.active.length ? status.active : null, lastScheduleTime: status.lastScheduleTime ?? null, lastSuccessfulTime: status.lastSuccessfulTime ?? null } },
      });
    }
    return result;
  }

  private refTo(j: Job): ObjectReference {
    return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata?.name, namespace: j.metadata?.namespace, uid: j.metadata?.uid, resourceVersion: j.metadata?.resourceVersion };
  }

  private async schedule(rc: ReconcileContext, cj: CronJob, status: { active: ObjectReference[]; lastScheduleTime?: string }, jobs: readonly Job[], nowMs: number): Promise<Result | void> {
    const meta = cj.metadata as { name: string; namespace?: string; uid: string };
    const spec = cj.spec ?? {};
    const zone = spec.timeZone ?? this.defaultZone;
    if (spec.timeZone && !isValidTimeZone(spec.timeZone)) {
      rc.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${spec.timeZone}": unknown time zone ${spec.timeZone}`);
      return;
    }
    if (spec.suspend) return;
    let sched;
    try {
      sched = parseSchedule(spec.schedule ?? '');
    } catch (e) {
      if (e instanceof ScheduleError) {
        rc.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${spec.schedule} : ${e.message}`);
        return;
      }
      throw e;
    }
    let earliest = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : creationMs(cj);
    const deadline = spec.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, nowMs - deadline * 1000);
    const recent = mostRecentScheduleTime(sched, earliest, nowMs, zone);
    const next = (): Result | void => (recent.nextMs !== undefined ? { requeueAfter: Math.max(1, recent.nextMs - nowMs + this.deltaMs) } : undefined);
    if (recent.missed > 100) {
      rc.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    if (recent.timeMs === undefined) return next();
    const scheduled = recent.timeMs;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < nowMs) {
      rc.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${zonedTimestamp(scheduled, zone)}`);
      return next();
    }
    const name = jobNameFor(meta.name, scheduled);
    if (status.active.some((r) => r.name === name) || jobs.some((j) => j.metadata?.name === name)) return next();
    const policy = spec.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && status.active.length) {
      rc.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return next();
    }
    if (policy === 'Replace') {
      for (const r of status.active) {
        try {
          await rc.client.delete(JOB, { namespace: meta.namespace, name: r.name! }, { propagationPolicy: 'Background' });
          rc.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${r.name}`);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      status.active = [];
    }
    const template = spec.jobTemplate ?? {};
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: meta.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: zonedTimestamp(scheduled, zone) },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: clone(template.spec ?? {}),
    };
    let created: Job;
    try {
      created = await rc.client.create(job);
      rc.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        rc.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorText(e)}`);
        throw e;
      }
      created = await rc.client.get<Job>(JOB, { namespace: meta.namespace, name });
      if (controllerUid(created) !== meta.uid) return next();
    }
    if (!status.active.some((r) => r.uid === created.metadata?.uid) && !isFinished(created.status?.conditions)) status.active.push(this.refTo(created));
    status.lastScheduleTime = timestamp(scheduled);
    return next();
  }

  /** Delete the oldest finished Jobs beyond successfulJobsHistoryLimit (default 3) and failedJobsHistoryLimit (default 1). */
  private async cleanupHistory(rc: ReconcileContext, cj: CronJob, jobs: readonly Job[]): Promise<void> {
    const byStart = (a: Job, b: Job): number => Date.parse(a.status?.startTime ?? a.metadata?.creationTimestamp ?? '') - Date.parse(b.status?.startTime ?? b.metadata?.creationTimestamp ?? '');
    const live = jobs.filter((j) => !j.metadata?.deletionTimestamp);
    const succeeded = live.filter((j) => isTrue(j.status?.conditions, 'Complete')).sort(byStart);
    const failed = live.filter((j) => isTrue(j.status?.conditions, 'Failed')).sort(byStart);
    const excess = [
      ...succeeded.slice(0, Math.max(0, succeeded.length - (cj.spec?.successfulJobsHistoryLimit ?? 3))),
      ...failed.slice(0, Math.max(0, failed.length - (cj.spec?.failedJobsHistoryLimit ?? 1))),
    ];
    for (const j of excess) {
      try {
        await rc.client.delete(JOB, { namespace: j.metadata?.namespace, name: j.metadata!.name! }, { propagationPolicy: 'Background' });
        rc.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata?.name}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
