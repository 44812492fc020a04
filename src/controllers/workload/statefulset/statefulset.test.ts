import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import type { Pod } from '../shared/pods.js';
import { setupStatefulSetController, type StatefulSet } from './index.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const STS = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
const PVC = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const;

function sts(spec: Record<string, unknown>): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: { serviceName: 'nginx', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }, ...spec },
  } as StatefulSet;
}

async function pods(env: WorkloadEnv): Promise<Map<string, Pod>> {
  const list = (await env.client.list<Pod>(POD, { namespace: 'default', labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
  return new Map(list.map((p) => [p.metadata!.name!, p]));
}

async function runReady(env: WorkloadEnv, name: string): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await env.client.patchStatus(POD, { namespace: 'default', name }, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } } });
}

const image = (p: Pod | undefined): string | undefined => (p?.spec?.containers?.[0] as { image?: string } | undefined)?.image;

test('StatefulSet: OrderedReady creates one Pod at a time, Parallel all at once; scale down from the highest ordinal', async (t) => {
  const env = await startWorkloadEnv([setupStatefulSetController]);
  t.after(() => env.close());
  await env.client.create(sts({ replicas: 3 }));
  await eventually(async () => (await pods(env)).has('web-0'), 10_000, 'web-0');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual([...(await pods(env)).keys()], ['web-0'], 'waits for web-0 to be Ready');
  const p0 = (await pods(env)).get('web-0')!;
  assert.equal(p0.spec?.hostname, 'web-0');
  assert.equal(p0.spec?.subdomain, 'nginx');
  assert.equal(p0.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.match(p0.metadata?.labels?.['controller-revision-hash'] ?? '', /^web-/);
  await runReady(env, 'web-0');
  await eventually(async () => (await pods(env)).has('web-1'), 10_000, 'web-1');
  await runReady(env, 'web-1');
  await eventually(async () => (await pods(env)).has('web-2'), 10_000, 'web-2');
  await runReady(env, 'web-2');
  const s = await eventually(async () => {
    const x = await env.client.get<StatefulSet>(STS, { namespace: 'default', name: 'web' });
    return x.status?.readyReplicas === 3 ? x : undefined;
  }, 10_000, 'status');
  assert.equal(s.status?.currentRevision, s.status?.updateRevision);
  assert.equal(s.status?.currentReplicas, 3);
  assert.equal(s.status?.updatedReplicas, 3);
  await env.client.patch(STS, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { replicas: 1 } } });
  await eventually(async () => [...(await pods(env)).keys()].join() === 'web-0', 10_000, 'scaled down to web-0');

  await env.client.create({ ...sts({ replicas: 3, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'par' } }, template: { metadata: { labels: { app: 'par' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } }), metadata: { name: 'par', namespace: 'default' } } as KubeObject);
  await eventually(async () => (await env.client.list(POD, { namespace: 'default', labelSelector: 'app=par' })).items.length === 3, 10_000, 'parallel');
});

test('StatefulSet: partitioned RollingUpdate updates from the highest ordinal down to the partition', async (t) => {
  const env = await startWorkloadEnv([setupStatefulSetController]);
  t.after(() => env.close());
  await env.client.create(sts({ replicas: 3, podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  await eventually(async () => (await pods(env)).size === 3, 10_000, 'three');
  for (const n of ['web-0', 'web-1', 'web-2']) await runReady(env, n);
  const first = await eventually(async () => {
    const x = await env.client.get<StatefulSet>(STS, { namespace: 'default', name: 'web' });
    return x.status?.readyReplicas === 3 ? x : undefined;
  }, 10_000, 'ready');
  await env.client.patch(STS, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } } });
  await eventually(async () => image((await pods(env)).get('web-2')) === 'nginx:2', 10_000, 'web-2 updated');
  await runReady(env, 'web-2');
  await eventually(async () => image((await pods(env)).get('web-1')) === 'nginx:2', 10_000, 'web-1 updated');
  await runReady(env, 'web-1');
  const s = await eventually(async () => {
    const x = await env.client.get<StatefulSet>(STS, { namespace: 'default', name: 'web' });
    return x.status?.updatedReplicas === 2 && x.status?.readyReplicas === 3 ? x : undefined;
  }, 10_000, 'two updated');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(image((await pods(env)).get('web-0')), 'nginx:1', 'below the partition stays');
  assert.equal(s.status?.currentRevision, first.status?.currentRevision);
  assert.notEqual(s.status?.updateRevision, s.status?.currentRevision);
  // A deleted Pod below the partition comes back at the current revision.
  await env.client.delete(POD, { namespace: 'default', name: 'web-0' });
  await eventually(async () => image((await pods(env)).get('web-0')) === 'nginx:1', 10_000, 'web-0 recreated at the current revision');
  // Partition 0 finishes the rollout; currentRevision moves.
  await env.client.patch(STS, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } } });
  await eventually(async () => {
    const p = await pods(env);
    if (p.get('web-0')) await runReady(env, 'web-0');
    return image(p.get('web-0')) === 'nginx:2';
  }, 10_000, 'web-0 updated');
  await eventually(async () => {
    const x = await env.client.get<StatefulSet>(STS, { namespace: 'default', name: 'web' });
    return x.status?.currentRevision === x.status?.updateRevision && x.status?.currentReplicas === 3;
  }, 10_000, 'rollout complete');
});

test('StatefulSet: claims from volumeClaimTemplates, retained or deleted per retention policy', async (t) => {
  const env = await startWorkloadEnv([setupStatefulSetController]);
  t.after(() => env.close());
  const claim = { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  await env.client.create(sts({ replicas: 3, podManagementPolicy: 'Parallel', volumeClaimTemplates: [claim], persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
  const claimNames = async (): Promise<string[]> => (await env.client.list(PVC, { namespace: 'default' })).items.filter((c) => !c.metadata?.deletionTimestamp).map((c) => c.metadata!.name!).sort();
  await eventually(async () => (await claimNames()).length === 3, 10_000, 'claims');
  assert.deepEqual(await claimNames(), ['www-web-0', 'www-web-1', 'www-web-2']);
  const p1 = (await pods(env)).get('web-1')!;
  assert.deepEqual(p1.spec?.volumes?.find((v) => v.name === 'www'), { name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } });
  const c0 = await env.client.get(PVC, { namespace: 'default', name: 'www-web-0' });
  assert.equal(c0.metadata?.labels?.app, 'web');
  assert.equal(c0.metadata?.ownerReferences, undefined, 'whenDeleted Retain: no owner');
  // whenScaled Delete: the claim of a scaled-away Pod goes with it.
  await env.client.patch(STS, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { replicas: 2 } } });
  await eventually(async () => (await claimNames()).join() === 'www-web-0,www-web-1', 10_000, 'claim of web-2 deleted');
  // Deleting the set retains the others (whenDeleted Retain).
  await env.client.delete(STS, { namespace: 'default', name: 'web' });
  await eventually(async () => (await pods(env)).size === 0, 10_000, 'pods gone');
  assert.deepEqual(await claimNames(), ['www-web-0', 'www-web-1']);
});

test('StatefulSet: RollingUpdate with maxUnavailable 2 replaces two Pods at a time', async (t) => {
  const env = await startWorkloadEnv([setupStatefulSetController]);
  t.after(() => env.close());
  await env.client.create(sts({ replicas: 4, podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }));
  await eventually(async () => (await pods(env)).size === 4, 10_000, 'four');
  for (const n of ['web-0', 'web-1', 'web-2', 'web-3']) await runReady(env, n);
  await eventually(async () => (await env.client.get<StatefulSet>(STS, { namespace: 'default', name: 'web' })).status?.readyReplicas === 4, 10_000, 'ready');
  await env.client.patch(STS, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } } });
  await eventually(async () => {
    const p = await pods(env);
    return image(p.get('web-3')) === 'nginx:2' && image(p.get('web-2')) === 'nginx:2';
  }, 10_000, 'web-3 and web-2 replaced together');
  const p = await pods(env);
  assert.equal(image(p.get('web-1')), 'nginx:1');
  assert.equal(image(p.get('web-0')), 'nginx:1');
  await runReady(env, 'web-3');
  await runReady(env, 'web-2');
  await eventually(async () => {
    const q = await pods(env);
    for (const [n, x] of q) if (!x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) await runReady(env, n);
    return [...q.values()].filter((x) => image(x) === 'nginx:2').length === 4;
  }, 10_000, 'all updated');
});
