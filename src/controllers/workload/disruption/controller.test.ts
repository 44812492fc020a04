import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/types.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { PDB, setupDisruptionController, type PodDisruptionBudget } from './index.js';

const DEPLOY = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };

async function podOf(env: WorkloadEnv, name: string, owner: KubeObject | undefined, ready: boolean): Promise<KubeObject> {
  const p: KubeObject = await env.client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ...(owner ? { ownerReferences: [{ apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
  const status = { ...(p.status as object), phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  return env.client.updateStatus({ ...p, status });
}

async function pdbStatus(env: WorkloadEnv, name: string, want: (s: NonNullable<PodDisruptionBudget['status']>) => boolean): Promise<NonNullable<PodDisruptionBudget['status']>> {
  return eventually(async () => {
    const b = await env.client.get(PDB, { namespace: 'default', name });
    return b.status && b.status.observedGeneration === b.metadata?.generation && want(b.status) ? b.status : undefined;
  }, 5_000, `status of ${name}`);
}

test('disruption controller: budgets over a Deployment-run ReplicaSet, integer and percent, with evictions recorded', async () => {
  const env = await startWorkloadEnv([(ctx) => setupDisruptionController(ctx)]);
  try {
    const d: KubeObject = await env.client.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template } });
    const rs = await env.client.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata!.uid!, controller: true }] },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template },
    });
    for (const [i, ready] of [true, true, true, false].entries()) await podOf(env, `web-${i}`, rs, ready);

    await env.client.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pct', namespace: 'default' }, spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } } });
    let s = await pdbStatus(env, 'pct', (x) => x.expectedPods === 4);
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 3, expectedPods: 4, conditions: undefined });
    assert.equal(s.conditions?.[0]?.reason, 'InsufficientPods');

    // The Deployment scales to 5: desiredHealthy follows its replicas, not the ReplicaSet's.
    await env.client.patch(DEPLOY, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { replicas: 2 } } });
    s = await pdbStatus(env, 'pct', (x) => x.expectedPods === 2);
    assert.deepEqual([s.desiredHealthy, s.disruptionsAllowed, s.conditions?.[0]?.reason], [1, 2, 'SufficientPods']);

    // An eviction recorded in disruptedPods takes the Pod out of currentHealthy until it goes or the timeout passes.
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cur = await env.client.get(PDB, { namespace: 'default', name: 'pct' });
    await env.client.updateStatus({ ...cur, status: { ...cur.status!, disruptedPods: { 'web-0': now } } });
    s = await pdbStatus(env, 'pct', (x) => x.currentHealthy === 2);
    assert.deepEqual(s.disruptedPods, { 'web-0': now });
    await env.client.delete({ apiVersion: 'v1', kind: 'Pod' }, { namespace: 'default', name: 'web-0' });
    s = await pdbStatus(env, 'pct', (x) => x.disruptedPods === undefined);
    assert.equal(s.currentHealthy, 2);

    // Integer minAvailable counts the selected Pods, whatever their controller.
    await env.client.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'int', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
    s = await pdbStatus(env, 'int', (x) => x.expectedPods === 3);
    assert.deepEqual([s.currentHealthy, s.desiredHealthy, s.disruptionsAllowed], [2, 1, 1]);

    // A spec change bumps the generation; observedGeneration follows.
    await env.client.patch(PDB, { namespace: 'default', name: 'int' }, { type: 'merge', body: { spec: { minAvailable: 2 } } });
    s = await pdbStatus(env, 'int', (x) => x.observedGeneration === 2);
    assert.deepEqual([s.desiredHealthy, s.disruptionsAllowed, s.conditions?.[0]?.observedGeneration], [2, 0, 2]);
  } finally {
    await env.close();
  }
});

test('disruption controller: a Pod whose controller is unknown fails safe with SyncFailed', async () => {
  const env = await startWorkloadEnv([(ctx) => setupDisruptionController(ctx)]);
  try {
    const job = await env.client.create({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'default' }, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } });
    await podOf(env, 'p', job, true);
    await env.client.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } });
    const b = await eventually(async () => {
      const x = await env.client.get(PDB, { namespace: 'default', name: 'b' });
      return x.status?.conditions?.[0]?.reason === 'SyncFailed' ? x : undefined;
    }, 5_000, 'SyncFailed');
    assert.equal(b.status?.disruptionsAllowed, 0);
    assert.equal(b.status?.conditions?.[0]?.message, 'found no controllers for pod "p"');
  } finally {
    await env.close();
  }
});

