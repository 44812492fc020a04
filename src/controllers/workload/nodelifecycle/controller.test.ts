import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorkloadEnv, NODE, POD, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import { isNotFound } from '../../../client/errors.js';
import { FakeClock } from '../../../runtime/clock.js';
import type { Toleration } from '../scheduler/types.js';
import { setupNodeLifecycleController } from './controller.js';
import { defaultTolerationSecondsAdmission } from './default-toleration-seconds.js';
import type { NodeTaint } from './taints.js';

const START = Date.UTC(2030, 0, 1);
const ISO_START = '2030-01-01T00:00:00Z';

async function setReady(env: WorkloadEnv, name: string, status: 'True' | 'False' | 'Unknown'): Promise<void> {
  const node = await env.client.get(NODE, name);
  const conditions = ((node.status as { conditions: { type: string; status: string }[] }).conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status } : c));
  await env.client.updateStatus({ ...node, status: { ...(node.status as object), conditions } });
}

async function taints(env: WorkloadEnv, name: string): Promise<NodeTaint[]> {
  return ((await env.client.get(NODE, name)).spec as { taints?: NodeTaint[] }).taints ?? [];
}

async function boundPod(env: WorkloadEnv, name: string, node: string, tolerations?: Toleration[]): Promise<KubeObject> {
  return env.client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) },
  });
}

async function exists(env: WorkloadEnv, name: string): Promise<boolean> {
  try {
    await env.client.get(POD, { namespace: 'default', name });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

test('node lifecycle: condition taints follow Ready (not-ready / unreachable, NoSchedule + NoExecute with timeAdded) and leave other taints alone', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([(ctx) => setupNodeLifecycleController(ctx)], { clock });
  t.after(() => env.close());
  const own = { key: 'os', value: 'windows', effect: 'NoSchedule' };
  await env.addNode('n1', { taints: [own] });
  await setReady(env, 'n1', 'False');
  await eventually(async () => (await taints(env, 'n1')).length === 3, 10_000, 'not-ready taints');
  assert.deepEqual(await taints(env, 'n1'), [
    own,
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: ISO_START },
  ]);
  await clock.advance(10_000);
  await setReady(env, 'n1', 'Unknown');
  await eventually(async () => (await taints(env, 'n1')).some((x) => x.key === 'node.kubernetes.io/unreachable'), 10_000, 'unreachable taints');
  assert.deepEqual(await taints(env, 'n1'), [
    own,
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2030-01-01T00:00:10Z' },
  ]);
  await setReady(env, 'n1', 'True');
  await eventually(async () => (await taints(env, 'n1')).length === 1, 10_000, 'taints removed');
  assert.deepEqual(await taints(env, 'n1'), [own]);
});

test('taint-based eviction: untolerated Pods at once, tolerating Pods when tolerationSeconds run out, DaemonSet-style Pods never; recovery cancels', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([(ctx) => setupNodeLifecycleController(ctx)], { clock });
  t.after(() => env.close());
  await env.addNode('n1');
  await env.addNode('n2');
  const unreachable = (seconds?: number): Toleration => ({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });
  await boundPod(env, 'bare', 'n1');
  await boundPod(env, 'three', 'n1', [unreachable(3)]);
  await boundPod(env, 'daemon', 'n1', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }, unreachable()]);
  await boundPod(env, 'elsewhere', 'n2');
  await boundPod(env, 'recovers', 'n2', [unreachable(5)]);

  await setReady(env, 'n1', 'Unknown');
  await eventually(async () => !(await exists(env, 'bare')), 10_000, 'untolerated Pod deleted');
  await clock.advance(2_000);
  assert.equal(await exists(env, 'three'), true, 'still within its 3 s');
  await clock.advance(1_500);
  await eventually(async () => !(await exists(env, 'three')), 10_000, 'Pod deleted after its toleration');
  await clock.advance(600_000);
  assert.equal(await exists(env, 'daemon'), true, 'a toleration without seconds holds forever');
  assert.equal(await exists(env, 'elsewhere'), true, 'Pods on a Ready node stay');

  // n2 goes away for 3 s, comes back: the 5 s toleration never runs out.
  await setReady(env, 'n2', 'Unknown');
  await eventually(async () => (await taints(env, 'n2')).length === 2, 10_000, 'n2 tainted');
  await eventually(async () => !(await exists(env, 'elsewhere')), 10_000, 'untolerated Pod on n2 deleted');
  await clock.advance(3_000);
  await setReady(env, 'n2', 'True');
  await eventually(async () => (await taints(env, 'n2')).length === 0, 10_000, 'n2 untainted');
  await eventually(async () => {
    const ev = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
    return ev.items.some((e) => (e as { message?: string }).message === 'Cancelling deletion of Pod default/recovers');
  }, 10_000, 'cancel event');
  await clock.advance(10_000);
  assert.equal(await exists(env, 'recovers'), true);
  const events = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
  const texts = events.items.map((e) => `${(e as { reason?: string }).reason}: ${(e as { message?: string }).message}`);
  assert.ok(texts.includes('TaintManagerEviction: Marking for deletion Pod default/three'), texts.join('\n'));
});

test('taint-based eviction marks the Pod DisruptionTarget (DeletionByTaintManager) before deleting it', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([(ctx) => setupNodeLifecycleController(ctx)], { clock });
  t.after(() => env.close());
  await env.addNode('n1');
  // A finalizer keeps the deleted Pod readable.
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
  });
  await setReady(env, 'n1', 'False');
  const pod = await eventually(async () => {
    const p = await env.client.get(POD, { namespace: 'default', name: 'held' });
    return p.metadata?.deletionTimestamp ? p : undefined;
  }, 10_000, 'Pod terminating');
  const cond = ((pod.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] }).conditions ?? []).find((c) => c.type === 'DisruptionTarget');
  assert.deepEqual({ status: cond?.status, reason: cond?.reason, message: cond?.message }, { status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
  await env.client.update({ ...pod, metadata: { ...pod.metadata, finalizers: [] } });
});

test('DefaultTolerationSeconds as the store\'s admission: a plain Pod gets the not-ready/unreachable tolerations and is evicted when they run out', async (t) => {
  const clock = new FakeClock(START);
  const env = await startWorkloadEnv([(ctx) => setupNodeLifecycleController(ctx)], { clock, admission: () => [defaultTolerationSecondsAdmission({ notReadySeconds: 2, unreachableSeconds: 4 })] });
  t.after(() => env.close());
  await env.addNode('n1');
  const created = await boundPod(env, 'plain', 'n1');
  assert.deepEqual((created.spec as { tolerations?: Toleration[] }).tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 4 },
  ]);
  await setReady(env, 'n1', 'Unknown');
  await eventually(async () => (await taints(env, 'n1')).length === 2, 10_000, 'unreachable taints');
  await clock.advance(3_000);
  assert.equal(await exists(env, 'plain'), true, 'the unreachable toleration is 4 s');
  await clock.advance(1_500);
  await eventually(async () => !(await exists(env, 'plain')), 10_000, 'evicted after 4 s');
});
