import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import { FakeClock } from '../../../runtime/clock.js';
import type { Pod } from '../shared/pods.js';
import { setupJobController, type Job } from './index.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const JOB = { apiVersion: 'batch/v1', kind: 'Job' } as const;

function job(name: string, spec: Record<string, unknown>): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  };
}

async function livePods(env: WorkloadEnv, name: string): Promise<Pod[]> {
  const pods = (await env.client.list<Pod>(POD, { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
  return pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

async function finish(env: WorkloadEnv, pod: Pod, phase: 'Succeeded' | 'Failed'): Promise<void> {
  await env.client.patchStatus(POD, { namespace: 'default', name: pod.metadata!.name! }, { type: 'merge', body: { status: { phase } } });
}

async function getJob(env: WorkloadEnv, name: string): Promise<Job> {
  return env.client.get<Job>(JOB, { namespace: 'default', name });
}

function cond(j: Job, type: string): string | undefined {
  return j.status?.conditions?.find((c) => c.type === type)?.status;
}

test('Job: generated selector and labels, parallelism then completions, tracking finalizer, Complete after SuccessCriteriaMet', async (t) => {
  const env = await startWorkloadEnv([setupJobController]);
  t.after(() => env.close());
  await env.client.create(job('pi', { completions: 3, parallelism: 2 }));
  const first = await eventually(async () => {
    const p = await livePods(env, 'pi');
    return p.length === 2 ? p : undefined;
  }, 10_000, 'two pods');
  const j = await getJob(env, 'pi');
  const uid = j.metadata!.uid!;
  assert.deepEqual(j.spec?.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.equal(first[0].metadata?.labels?.['batch.kubernetes.io/controller-uid'], uid);
  assert.equal(first[0].metadata?.labels?.['job-name'], 'pi');
  assert.deepEqual(first[0].metadata?.finalizers, ['batch.kubernetes.io/job-tracking']);
  await finish(env, first[0], 'Succeeded');
  await finish(env, first[1], 'Succeeded');
  // One more pod for the third completion, not two.
  const third = await eventually(async () => {
    const p = await livePods(env, 'pi');
    const jj = await getJob(env, 'pi');
    return p.length === 1 && jj.status?.succeeded === 2 ? p : undefined;
  }, 10_000, 'third pod');
  await finish(env, third[0], 'Succeeded');
  const done = await eventually(async () => {
    const jj = await getJob(env, 'pi');
    return cond(jj, 'Complete') === 'True' ? jj : undefined;
  }, 10_000, 'complete');
  assert.equal(cond(done, 'SuccessCriteriaMet'), 'True');
  assert.equal(done.status?.succeeded, 3);
  assert.equal(done.status?.active, 0);
  assert.ok(done.status?.completionTime && done.status.startTime);
  const all = (await env.client.list<Pod>(POD, { namespace: 'default' })).items;
  assert.ok(all.every((p) => !p.metadata?.finalizers?.length), 'finalizers released');
});

test('Job: Indexed pods carry index annotation, label, env and hostname; completedIndexes', async (t) => {
  const env = await startWorkloadEnv([(ctx) => setupJobController(ctx, { backoffBaseMs: 0 })]);
  t.after(() => env.close());
  await env.client.create(job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const pods = await eventually(async () => {
    const p = await livePods(env, 'idx');
    return p.length === 3 ? p : undefined;
  }, 10_000, 'three pods');
  const byIndex = new Map(pods.map((p) => [p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
  assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
  const p1 = byIndex.get('1')!;
  assert.equal(p1.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '1');
  assert.equal(p1.spec?.hostname, 'idx-1');
  assert.ok(p1.metadata?.name?.startsWith('idx-1-'));
  assert.deepEqual(p1.spec?.containers?.[0].env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom, { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
  await finish(env, byIndex.get('0')!, 'Succeeded');
  await finish(env, byIndex.get('2')!, 'Succeeded');
  await eventually(async () => (await getJob(env, 'idx')).status?.completedIndexes === '0,2', 10_000, 'completedIndexes 0,2');
  // A failed index is recreated with the same index.
  await finish(env, p1, 'Failed');
  const again = await eventually(async () => {
    const p = await livePods(env, 'idx');
    return p.length === 1 && p[0].metadata?.name !== p1.metadata?.name ? p[0] : undefined;
  }, 10_000, 'index 1 again');
  assert.equal(again.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '1');
  await finish(env, again, 'Succeeded');
  const done = await eventually(async () => {
    const j = await getJob(env, 'idx');
    return cond(j, 'Complete') === 'True' ? j : undefined;
  }, 10_000, 'complete');
  assert.equal(done.status?.completedIndexes, '0-2');
  assert.equal(done.status?.succeeded, 3);
  assert.equal(done.status?.failed, 1);
});

test('Job: backoffLimit with exponential backoff between failures, then FailureTarget and Failed', async (t) => {
  const clock = new FakeClock();
  const env = await startWorkloadEnv([(ctx) => setupJobController(ctx, { backoffBaseMs: 10_000 })], { clock });
  t.after(() => env.close());
  await env.client.create(job('flaky', { backoffLimit: 1 }));
  const p1 = await eventually(async () => (await livePods(env, 'flaky'))[0], 10_000, 'pod');
  await finish(env, p1, 'Failed');
  await eventually(async () => (await getJob(env, 'flaky')).status?.failed === 1, 10_000, 'failed 1');
  // No replacement until the 10 s backoff passes.
  await clock.advance(5_000);
  assert.equal((await livePods(env, 'flaky')).length, 0);
  await clock.advance(6_000);
  const p2 = await eventually(async () => (await livePods(env, 'flaky'))[0], 10_000, 'replacement after backoff');
  await finish(env, p2, 'Failed');
  const failed = await eventually(async () => {
    const j = await getJob(env, 'flaky');
    return cond(j, 'Failed') === 'True' ? j : undefined;
  }, 10_000, 'failed');
  assert.equal(cond(failed, 'FailureTarget'), 'True');
  const c = failed.status?.conditions?.find((x) => x.type === 'Failed');
  assert.equal(c?.reason, 'BackoffLimitExceeded');
  assert.equal(c?.message, 'Job has reached the specified backoff limit');
  assert.equal(failed.status?.failed, 2);
});

test('Job: activeDeadlineSeconds fails the Job and removes its Pods; suspend deletes Pods; TTL deletes the finished Job', async (t) => {
  const clock = new FakeClock();
  const env = await startWorkloadEnv([setupJobController], { clock });
  t.after(() => env.close());
  await env.client.create(job('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 4, ttlSecondsAfterFinished: 60 }));
  await eventually(async () => (await livePods(env, 'slow')).length === 2, 10_000, 'pods');
  await clock.advance(31_000);
  const failed = await eventually(async () => {
    const j = await getJob(env, 'slow');
    return cond(j, 'Failed') === 'True' ? j : undefined;
  }, 10_000, 'deadline');
  assert.equal(failed.status?.conditions?.find((x) => x.type === 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal((await livePods(env, 'slow')).length, 0);
  await clock.advance(61_000);
  await eventually(async () => {
    try {
      await getJob(env, 'slow');
      return false;
    } catch {
      return true;
    }
  }, 10_000, 'ttl deleted');

  await env.client.create(job('paused', { parallelism: 2, completions: 2 }));
  await eventually(async () => (await livePods(env, 'paused')).length === 2, 10_000, 'pods');
  await env.client.patch(JOB, { namespace: 'default', name: 'paused' }, { type: 'merge', body: { spec: { suspend: true } } });
  await eventually(async () => (await livePods(env, 'paused')).length === 0 && cond(await getJob(env, 'paused'), 'Suspended') === 'True', 10_000, 'suspended');
  assert.equal((await getJob(env, 'paused')).status?.failed ?? 0, 0);
  await env.client.patch(JOB, { namespace: 'default', name: 'paused' }, { type: 'merge', body: { spec: { suspend: false } } });
  await eventually(async () => (await livePods(env, 'paused')).length === 2 && cond(await getJob(env, 'paused'), 'Suspended') === 'False', 10_000, 'resumed');
});

test('Job: podFailurePolicy Ignore does not count a failure; FailJob fails the Job at once', async (t) => {
  const env = await startWorkloadEnv([(ctx) => setupJobController(ctx, { backoffBaseMs: 0 })]);
  t.after(() => env.close());
  const podFailurePolicy = { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } }, { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [3] } }] };
  await env.client.create(job('policy', { backoffLimit: 6, podFailurePolicy }));
  const exit = async (p: Pod, code: number): Promise<void> => {
    await env.client.patchStatus(POD, { namespace: 'default', name: p.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Failed', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: code } } }] } } });
  };
  const p1 = await eventually(async () => (await livePods(env, 'policy'))[0], 10_000, 'pod');
  await exit(p1, 42);
  const p2 = await eventually(async () => (await livePods(env, 'policy')).find((p) => p.metadata?.name !== p1.metadata?.name), 10_000, 'replacement');
  assert.equal((await getJob(env, 'policy')).status?.failed ?? 0, 0, 'ignored');
  await exit(p2, 3);
  const failed = await eventually(async () => {
    const j = await getJob(env, 'policy');
    return cond(j, 'Failed') === 'True' ? j : undefined;
  }, 10_000, 'failed by policy');
  const c = failed.status?.conditions?.find((x) => x.type === 'Failed');
  assert.equal(c?.reason, 'PodFailurePolicy');
  assert.equal(c?.message, `Container c for pod default/${p2.metadata?.name} failed with exit code 3 matching FailJob rule at index 1`);
  assert.equal(failed.status?.failed, 1);
});

test('Job: backoffLimitPerIndex fails an index after its own failures; the Job ends Failed with FailedIndexes', async (t) => {
  const env = await startWorkloadEnv([(ctx) => setupJobController(ctx, { backoffBaseMs: 0 })]);
  t.after(() => env.close());
  await env.client.create(job('per', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1 }));
  const idx = (p: Pod): string | undefined => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
  const pods = await eventually(async () => {
    const p = await livePods(env, 'per');
    return p.length === 3 ? p : undefined;
  }, 10_000, 'three');
  const one = pods.find((p) => idx(p) === '1')!;
  assert.equal(one.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
  await finish(env, one, 'Failed');
  const again = await eventually(async () => (await livePods(env, 'per')).find((p) => idx(p) === '1' && p.metadata?.name !== one.metadata?.name), 10_000, 'index 1 retried');
  assert.equal(again.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count'], '1');
  await finish(env, again, 'Failed');
  await eventually(async () => (await getJob(env, 'per')).status?.failedIndexes === '1', 10_000, 'index 1 failed');
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!(await livePods(env, 'per')).some((p) => idx(p) === '1'), 'a failed index is not retried');
  for (const p of pods.filter((x) => idx(x) !== '1')) await finish(env, p, 'Succeeded');
  const failed = await eventually(async () => {
    const j = await getJob(env, 'per');
    return cond(j, 'Failed') === 'True' ? j : undefined;
  }, 10_000, 'failed');
  assert.equal(failed.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'FailedIndexes');
  assert.equal(failed.status?.completedIndexes, '0,2');
  assert.equal(failed.status?.failed, 2);
});

test('Job: successPolicy ends an Indexed Job when its rule is met and removes the remaining Pods', async (t) => {
  const env = await startWorkloadEnv([setupJobController]);
  t.after(() => env.close());
  await env.client.create(job('leader', { completions: 3, parallelism: 3, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0' }] } }));
  const pods = await eventually(async () => {
    const p = await livePods(env, 'leader');
    return p.length === 3 ? p : undefined;
  }, 10_000, 'three');
  await finish(env, pods.find((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === '0')!, 'Succeeded');
  const done = await eventually(async () => {
    const j = await getJob(env, 'leader');
    return cond(j, 'Complete') === 'True' ? j : undefined;
  }, 10_000, 'complete by policy');
  const c = done.status?.conditions?.find((x) => x.type === 'Complete');
  assert.equal(c?.reason, 'SuccessPolicy');
  assert.equal(c?.message, 'Matched rules at index 0');
  assert.equal(done.status?.completedIndexes, '0');
  assert.equal(done.status?.failed ?? 0, 0);
  assert.equal((await livePods(env, 'leader')).length, 0);
});
