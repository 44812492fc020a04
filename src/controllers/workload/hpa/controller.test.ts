import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/types.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { CPU_USAGE_ANNOTATION, HPA, setupHorizontalPodAutoscaler } from './index.js';

const DEPLOY = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  lastScaleTime?: string;
  currentMetrics?: { type: string; resource?: { name: string; current: { averageUtilization?: number; averageValue?: string } } }[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A running, ready Pod of the web Deployment (started long ago) using `cpu` of its 1 CPU request. */
async function webPod(env: WorkloadEnv, name: string, cpu: string): Promise<void> {
  const p: KubeObject = await env.client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, annotations: { [CPU_USAGE_ANNOTATION]: cpu } },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1' } } }] },
  });
  const long = iso(Date.now() - 10 * 60_000);
  await env.client.updateStatus({ ...p, status: { ...(p.status as object), phase: 'Running', startTime: long, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: long }] } });
}

async function hpaStatus(env: WorkloadEnv, name: string, want: (s: HpaStatus) => boolean, what: string): Promise<HpaStatus> {
  return eventually(async () => {
    const h = await env.client.get(HPA, { namespace: 'default', name });
    const s = (h.status ?? {}) as HpaStatus;
    return want(s) ? s : undefined;
  }, 5_000, what);
}

const cond = (s: HpaStatus, type: string) => s.conditions?.find((c) => c.type === type);

test('HPA: scales a Deployment up on CPU utilization, within the scale-up limit, then reports the state', async () => {
  const env = await startWorkloadEnv([(ctx) => setupHorizontalPodAutoscaler(ctx, { syncPeriodMs: 100 })]);
  try {
    await env.client.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await webPod(env, 'web-a', '900m');
    await webPod(env, 'web-b', '700m');
    await env.client.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 40 } } }] },
    });
    // 80% of requests against 40%: 4 replicas.
    const s = await hpaStatus(env, 'web', (x) => x.desiredReplicas === 4, 'scale to 4');
    assert.ok(s.lastScaleTime);
    assert.deepEqual(s.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '800m', averageUtilization: 80 } } }]);
    assert.equal(((await env.client.get(DEPLOY, { namespace: 'default', name: 'web' })).spec as { replicas?: number }).replicas, 4);
    const events = await eventually(async () => {
      const l = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
      return l.items.find((e) => (e as { reason?: string }).reason === 'SuccessfulRescale');
    }, 5_000, 'SuccessfulRescale event');
    assert.equal((events as { message?: string }).message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');
    assert.equal(cond(s, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    // The Deployment now wants 4 but only 2 Pods run (no ReplicaSet controller here): the ratio is computed over them.
    const after = await hpaStatus(env, 'web', (x) => x.currentReplicas === 4 && cond(x, 'AbleToScale')?.reason !== 'SucceededRescale', 'settled');
    assert.equal(cond(after, 'ScalingLimited')?.status, 'False');
    // Idle Pods: the scale-down is held by the 5-minute stabilization window.
    for (const n of ['web-a', 'web-b']) await env.client.patch(POD, { namespace: 'default', name: n }, { type: 'merge', body: { metadata: { annotations: { [CPU_USAGE_ANNOTATION]: '0' } } } });
    const held = await hpaStatus(env, 'web', (x) => cond(x, 'AbleToScale')?.reason === 'ScaleDownStabilized', 'stabilized');
    assert.equal(held.desiredReplicas, 4);
  } finally {
    await env.close();
  }
});

test('HPA: missing target, scale-to-zero and bounds', async () => {
  const env = await startWorkloadEnv([(ctx) => setupHorizontalPodAutoscaler(ctx, { syncPeriodMs: 100, downscaleStabilizationMs: 0 })]);
  try {
    await env.client.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'ghost', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' }, maxReplicas: 3 },
    });
    const s = await hpaStatus(env, 'ghost', (x) => cond(x, 'AbleToScale')?.reason === 'FailedGetScale', 'FailedGetScale');
    assert.equal(cond(s, 'AbleToScale')?.message, 'the HPA controller was unable to get the target\'s current scale: deployments.apps "ghost" not found');

    await env.client.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ghost', namespace: 'default' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'ghost' } }, template: { metadata: { labels: { app: 'ghost' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const off = await hpaStatus(env, 'ghost', (x) => cond(x, 'ScalingActive')?.reason === 'ScalingDisabled', 'ScalingDisabled');
    assert.equal(cond(off, 'ScalingActive')?.message, 'scaling is disabled since the replica count of the target is zero');

    await env.client.patch(DEPLOY, { namespace: 'default', name: 'ghost' }, { type: 'merge', body: { spec: { replicas: 7 } } });
    await eventually(async () => ((await env.client.get(DEPLOY, { namespace: 'default', name: 'ghost' })).spec as { replicas?: number }).replicas === 3, 5_000, 'capped at maxReplicas');
  } finally {
    await env.close();
  }
});
