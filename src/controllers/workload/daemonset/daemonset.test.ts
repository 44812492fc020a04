import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import { FakeClock } from '../../../runtime/clock.js';
import { setupDaemonSetController } from './index.js';
import { targetNodeOf } from './placement.js';
import type { Pod } from '../shared/pods.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const DS = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;

async function dsPods(env: WorkloadEnv, name = 'agent'): Promise<Pod[]> {
  const pods = (await env.client.list<Pod>(POD, { namespace: 'default', labelSelector: `app=${name}` })).items;
  return pods.filter((p) => !p.metadata?.deletionTimestamp);
}

function daemonSet(name: string, extra: Record<string, unknown> = {}, image = 'agent:1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'a', image }] } }, ...extra },
  };
}

/** Play the kubelet: every pod Running and Ready. */
async function markReady(env: WorkloadEnv, pods: Pod[]): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const p of pods) {
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    await env.client.patchStatus(POD, { namespace: 'default', name: p.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } } });
  }
}

test('DaemonSet: a Pod per eligible Node, follows Nodes added and removed, skips tainted and unselected ones', async (t) => {
  const env = await startWorkloadEnv([setupDaemonSetController]);
  t.after(() => env.close());
  await env.addNode('w1');
  await env.addNode('w2');
  await env.addNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
  // An orphan Pod the selector matches, on w1: adopted, not duplicated.
  await env.client.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'agent' } }, spec: { nodeName: 'w1', containers: [{ name: 'a', image: 'agent:0' }] } });
  // OnDelete: the adopted Pod (no revision hash) is kept rather than rolled.
  await env.client.create(daemonSet('agent', { updateStrategy: { type: 'OnDelete' } }));
  const first = await eventually(async () => {
    const pods = await dsPods(env);
    return pods.length === 2 && pods.every((p) => p.metadata?.ownerReferences?.length) ? pods : undefined;
  }, 10_000, 'two daemon pods');
  assert.deepEqual(first.map((p) => targetNodeOf(p.spec)).sort(), ['w1', 'w2']);
  assert.ok(first.some((p) => p.metadata?.name === 'stray'), 'adopted');
  const p0 = first.find((p) => p.metadata?.name !== 'stray')!;
  assert.ok(p0.metadata?.labels?.['controller-revision-hash']);
  assert.ok(p0.spec?.tolerations?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute'));
  assert.equal(p0.spec?.nodeName, undefined, 'the scheduler binds it');

  await env.addNode('w3');
  await eventually(async () => (await dsPods(env)).some((p) => targetNodeOf(p.spec) === 'w3'), 10_000, 'pod on the new node');
  await env.client.delete({ apiVersion: 'v1', kind: 'Node' }, 'w1');
  await eventually(async () => !(await dsPods(env)).some((p) => targetNodeOf(p.spec) === 'w1'), 10_000, 'pod of removed node gone');

  await markReady(env, await dsPods(env));
  const ds = await eventually(async () => {
    const d = await env.client.get<KubeObject & { status?: Record<string, number> }>(DS, { namespace: 'default', name: 'agent' });
    return d.status?.numberReady === 2 ? d : undefined;
  }, 10_000, 'status');
  assert.equal(ds.status?.desiredNumberScheduled, 2);
  assert.equal(ds.status?.currentNumberScheduled, 2);
  assert.equal(ds.status?.numberAvailable, 2);
  assert.equal(ds.status?.numberMisscheduled, 0);
  assert.equal(ds.status?.observedGeneration, 1);

  // A NoExecute taint the Pod does not tolerate removes it; a nodeSelector restricts the set.
  await env.client.patch({ apiVersion: 'v1', kind: 'Node' }, 'w3', { type: 'merge', body: { spec: { taints: [{ key: 'evict', value: 'x', effect: 'NoExecute' }] } } });
  await eventually(async () => (await dsPods(env)).length === 1, 10_000, 'NoExecute taint evicts');
  const revisions = await env.client.list({ apiVersion: 'apps/v1', kind: 'ControllerRevision' }, { namespace: 'default' });
  assert.equal(revisions.items.length, 1);
  assert.equal((revisions.items[0] as { revision?: number }).revision, 1);
});

test('DaemonSet: RollingUpdate replaces Pods within maxUnavailable; OnDelete waits', async (t) => {
  const env = await startWorkloadEnv([setupDaemonSetController]);
  t.after(() => env.close());
  for (const n of ['a', 'b', 'c']) await env.addNode(n);
  await env.client.create(daemonSet('agent'));
  await eventually(async () => (await dsPods(env)).length === 3, 10_000, 'three pods');
  await markReady(env, await dsPods(env));
  await env.client.patch(DS, { namespace: 'default', name: 'agent' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } } });
  // maxUnavailable 1: never more than one Node without an available Pod; the test plays the kubelet as Pods appear.
  await eventually(async () => {
    const pods = await dsPods(env);
    const fresh = pods.filter((p) => (p.spec?.containers?.[0] as { image?: string }).image === 'agent:2');
    assert.ok(pods.length >= 2, `at most one node without a pod (${pods.length})`);
    await markReady(env, pods);
    return fresh.length === 3 && pods.length === 3;
  }, 15_000, 'rolled out');
  const revs = await env.client.list({ apiVersion: 'apps/v1', kind: 'ControllerRevision' }, { namespace: 'default' });
  assert.deepEqual(revs.items.map((r) => (r as { revision?: number }).revision).sort(), [1, 2]);

  // OnDelete: a new template does not touch running Pods until one is deleted.
  await env.client.patch(DS, { namespace: 'default', name: 'agent' }, { type: 'merge', body: { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null }, template: { spec: { containers: [{ name: 'a', image: 'agent:3' }] } } } } });
  await eventually(async () => {
    const d = await env.client.get<KubeObject & { status?: Record<string, number> }>(DS, { namespace: 'default', name: 'agent' });
    return d.status?.observedGeneration === 3 && d.status?.updatedNumberScheduled === 0;
  }, 10_000, 'observed');
  const pods = await dsPods(env);
  assert.ok(pods.every((p) => (p.spec?.containers?.[0] as { image?: string }).image === 'agent:2'));
  await env.client.delete(POD, { namespace: 'default', name: pods[0].metadata!.name! });
  await eventually(async () => (await dsPods(env)).filter((p) => (p.spec?.containers?.[0] as { image?: string }).image === 'agent:3').length === 1, 10_000, 'one replaced');
});

test('DaemonSet: RollingUpdate with maxSurge starts the new Pod beside the old one and removes the old once available', async (t) => {
  const env = await startWorkloadEnv([setupDaemonSetController]);
  t.after(() => env.close());
  for (const n of ['a', 'b']) await env.addNode(n);
  await env.client.create(daemonSet('agent', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await eventually(async () => (await dsPods(env)).length === 2, 10_000, 'two pods');
  await markReady(env, await dsPods(env));
  await env.client.patch(DS, { namespace: 'default', name: 'agent' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } } });
  const surged = await eventually(async () => {
    const pods = await dsPods(env);
    return pods.length === 3 ? pods : undefined;
  }, 10_000, 'one surge pod');
  const fresh = surged.find((p) => (p.spec?.containers?.[0] as { image?: string }).image === 'agent:2')!;
  const node = targetNodeOf(fresh.spec);
  assert.equal(surged.filter((p) => targetNodeOf(p.spec) === node).length, 2, 'old and new side by side');
  // Never fewer available than nodes: the old one goes only after the new one is Ready.
  await eventually(async () => {
    const pods = await dsPods(env);
    assert.ok(pods.length >= 2);
    await markReady(env, pods);
    return pods.length === 2 && pods.every((p) => (p.spec?.containers?.[0] as { image?: string }).image === 'agent:2');
  }, 15_000, 'rolled out with surge');
});

test('DaemonSet: a failed daemon Pod is deleted and replaced after a backoff', async (t) => {
  const clock = new FakeClock();
  const env = await startWorkloadEnv([setupDaemonSetController], { clock });
  t.after(() => env.close());
  await env.addNode('solo');
  await env.client.create(daemonSet('agent'));
  const first = await eventually(async () => (await dsPods(env))[0], 10_000, 'pod');
  await env.client.patchStatus(POD, { namespace: 'default', name: first.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Failed' } } });
  await eventually(async () => (await dsPods(env)).length === 0, 10_000, 'failed pod deleted');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await dsPods(env)).length, 0, 'not replaced before the backoff');
  await clock.advance(1_100);
  const second = await eventually(async () => (await dsPods(env))[0], 10_000, 'replacement');
  assert.notEqual(second.metadata?.name, first.metadata?.name);
  const events = (await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' })).items as (KubeObject & { reason?: string })[];
  assert.ok(events.some((e) => e.reason === 'FailedDaemonPod'));
});
