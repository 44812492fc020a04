import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import { FakeClock } from '../../../runtime/clock.js';
import { setupJobController, type Job } from '../job/index.js';
import { setupCronJobController, type CronJob } from './index.js';

const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const CJ = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
const START = Date.UTC(2030, 0, 1);
const MIN = 60_000;
// The controller wakes 100 ms after a schedule time (as upstream); each step overshoots a little.
const SLACK = 1_000;

function cronJob(name: string, spec: Record<string, unknown>): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { metadata: { labels: { cron: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
  } as CronJob;
}

async function jobNames(env: WorkloadEnv, cron: string): Promise<string[]> {
  return (await env.client.list<Job>(JOB, { namespace: 'default', labelSelector: `cron=${cron}` })).items.filter((j) => !j.metadata?.deletionTimestamp).map((j) => j.metadata!.name!).sort();
}

async function complete(env: WorkloadEnv, name: string, type: 'Complete' | 'Failed', at: number): Promise<void> {
  const t = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = type === 'Complete'
    ? [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: t }, { type: 'Complete', status: 'True', lastTransitionTime: t }]
    : [{ type: 'FailureTarget', status: 'True', lastTransitionTime: t }, { type: 'Failed', status: 'True', lastTransitionTime: t }];
  await env.client.patchStatus(JOB, { namespace: 'default', name }, { type: 'merge', body: { status: { startTime: t, conditions, ...(type === 'Complete' ? { completionTime: t } : {}) } } });
}

const nameAt = (cron: string, ms: number): string => `${cron}-${Math.floor(ms / MIN)}`;

async function getCj(env: WorkloadEnv, name: string): Promise<CronJob> {
  return env.client.get<CronJob>(CJ, { namespace: 'default', name });
}

test('CronJob: Jobs at each schedule time with names in minutes since the epoch; status and history limits', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([setupCronJobController], { clock });
  t.after(() => env.close());
  await env.client.create(cronJob('tick', { successfulJobsHistoryLimit: 1 }));
  await clock.advance(4 * MIN + SLACK);
  assert.deepEqual(await jobNames(env, 'tick'), []);
  await clock.advance(1 * MIN + SLACK);
  await eventually(async () => (await jobNames(env, 'tick')).length === 1, 10_000, 'first job');
  assert.deepEqual(await jobNames(env, 'tick'), [nameAt('tick', START + 5 * MIN)]);
  const first = await env.client.get<Job>(JOB, { namespace: 'default', name: nameAt('tick', START + 5 * MIN) });
  assert.equal(first.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2030-01-01T00:05:00Z');
  assert.equal(first.metadata?.ownerReferences?.[0].kind, 'CronJob');
  await clock.advance(5 * MIN + SLACK);
  await eventually(async () => (await jobNames(env, 'tick')).length === 2, 10_000, 'second job (Allow: both run)');
  const cj = await eventually(async () => {
    const c = await getCj(env, 'tick');
    return c.status?.active?.length === 2 ? c : undefined;
  }, 10_000, 'two active');
  assert.equal(cj.status?.lastScheduleTime, '2030-01-01T00:10:00Z');
  await complete(env, nameAt('tick', START + 5 * MIN), 'Complete', START + 11 * MIN);
  await complete(env, nameAt('tick', START + 10 * MIN), 'Complete', START + 12 * MIN);
  const after = await eventually(async () => {
    const c = await getCj(env, 'tick');
    return !c.status?.active?.length && c.status?.lastSuccessfulTime ? c : undefined;
  }, 10_000, 'completed');
  assert.equal(after.status?.lastSuccessfulTime, '2030-01-01T00:12:00Z');
  await eventually(async () => (await jobNames(env, 'tick')).join() === nameAt('tick', START + 10 * MIN), 10_000, 'history limit 1 keeps the newest');
});

test('CronJob: Forbid waits for the running Job and then starts the missed run; Replace replaces it', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([setupCronJobController], { clock });
  t.after(() => env.close());
  await env.client.create(cronJob('solo', { concurrencyPolicy: 'Forbid' }));
  await env.client.create(cronJob('swap', { concurrencyPolicy: 'Replace' }));
  await clock.advance(5 * MIN + SLACK);
  await eventually(async () => (await jobNames(env, 'solo')).length === 1 && (await jobNames(env, 'swap')).length === 1, 10_000, 'first jobs');
  await eventually(async () => (await getCj(env, 'solo')).status?.active?.length === 1, 10_000, 'solo active');
  await eventually(async () => (await getCj(env, 'swap')).status?.active?.length === 1, 10_000, 'swap active');
  await clock.advance(5 * MIN + SLACK);
  await eventually(async () => (await jobNames(env, 'swap')).join() === nameAt('swap', START + 10 * MIN), 10_000, 'replaced');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await jobNames(env, 'solo'), [nameAt('solo', START + 5 * MIN)], 'Forbid: no second job');
  await clock.advance(2 * MIN + SLACK);
  await complete(env, nameAt('solo', START + 5 * MIN), 'Complete', START + 12 * MIN);
  await eventually(async () => (await jobNames(env, 'solo')).includes(nameAt('solo', START + 10 * MIN)), 10_000, 'missed run starts once the first is done');
});

test('CronJob: suspend, startingDeadlineSeconds and time zones', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([setupCronJobController], { clock });
  t.after(() => env.close());
  await env.client.create(cronJob('late', { suspend: true, startingDeadlineSeconds: 60 }));
  await env.client.create(cronJob('tokyo', { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }));
  await clock.advance(5 * MIN + SLACK);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await jobNames(env, 'late'), []);
  // Resumed 2 minutes after the 00:05 run: beyond the 60 s deadline, so it is missed; 00:10 runs.
  await clock.advance(2 * MIN + SLACK);
  await env.client.patch(CJ, { namespace: 'default', name: 'late' }, { type: 'merge', body: { spec: { suspend: false } } });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await jobNames(env, 'late'), []);
  await clock.advance(3 * MIN + SLACK);
  await eventually(async () => (await jobNames(env, 'late')).join() === nameAt('late', START + 10 * MIN), 10_000, '00:10 run');
  // 09:00 in Tokyo is 00:00 UTC; the first run after creation is the next day.
  await clock.advance(24 * 60 * MIN - 10 * MIN + SLACK);
  const name = nameAt('tokyo', START + 24 * 60 * MIN);
  await eventually(async () => (await jobNames(env, 'tokyo')).join() === name, 10_000, 'tokyo run');
  const j = await env.client.get<Job>(JOB, { namespace: 'default', name });
  assert.equal(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2030-01-02T09:00:00+09:00');
});

test('CronJob with the Job controller: scheduled Jobs get a generated selector and Pods; a finished Job sets lastSuccessfulTime', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([setupCronJobController, setupJobController], { clock });
  t.after(() => env.close());
  await env.client.create(cronJob('chain', { schedule: '@hourly' }));
  await clock.advance(60 * MIN + SLACK);
  const name = nameAt('chain', START + 60 * MIN);
  const pod = await eventually(async () => (await env.client.list(POD, { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` })).items[0], 10_000, 'pod of the scheduled job');
  const j = await env.client.get<Job>(JOB, { namespace: 'default', name });
  assert.deepEqual(Object.keys(j.spec?.selector?.matchLabels ?? {}), ['batch.kubernetes.io/controller-uid']);
  await env.client.patchStatus(POD, { namespace: 'default', name: pod.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Succeeded' } } });
  const cj = await eventually(async () => {
    const c = await getCj(env, 'chain');
    return c.status?.lastSuccessfulTime && !c.status.active?.length ? c : undefined;
  }, 10_000, 'last success');
  assert.equal(cj.status?.lastScheduleTime, '2030-01-01T01:00:00Z');
});
