import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/types.js';
import { startWorkloadEnv, POD, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import { setupScheduler } from '../../../controllers/workload/scheduler/index.js';
import { setupSimKubelet } from './index.js';

interface PodView extends KubeObject {
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; hostIP?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[]; containerStatuses?: { ready: boolean; restartCount: number; state: Record<string, { reason?: string; exitCode?: number }> }[] };
}

function pod(name: string, o: { cpu?: string; annotations?: Record<string, string>; restartPolicy?: string; tolerations?: unknown[]; hostNetwork?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.25', resources: { requests: { cpu: o.cpu ?? '100m', memory: '64Mi' } } }],
      ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
    },
  };
}

async function get(env: WorkloadEnv, name: string): Promise<PodView> {
  return (await env.client.get(POD, { namespace: 'default', name })) as PodView;
}

async function waitPhase(env: WorkloadEnv, name: string, phase: string): Promise<PodView> {
  return eventually(async () => {
    const p = await get(env, name);
    return p.status?.phase === phase ? p : undefined;
  }, 10_000, `${name} ${phase}`);
}

const cond = (p: PodView, type: string) => p.status.conditions?.find((c) => c.type === type);

test('pods land on fitting untainted nodes and run with unique addresses from the node CIDR', async () => {
  const env = await startWorkloadEnv([setupScheduler, setupSimKubelet]);
  try {
    await env.addNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
    await env.addNode('w1');
    await env.addNode('w2');
    for (let i = 0; i < 10; i++) await env.client.create(pod(`web-${i}`));
    await env.client.create(pod('host', { hostNetwork: true }));
    const pods: PodView[] = [];
    for (let i = 0; i < 10; i++) pods.push(await waitPhase(env, `web-${i}`, 'Running'));
    const ips = new Set<string>();
    for (const p of pods) {
      assert.notEqual(p.spec.nodeName, 'cp');
      const index = p.spec.nodeName === 'w1' ? 1 : 2;
      assert.match(p.status.podIP!, new RegExp(`^10\\.244\\.${index}\\.(\\d+)$`));
      assert.notEqual(p.status.podIP, `10.244.${index}.1`);
      assert.equal(p.status.hostIP, `10.0.0.${10 + index}`);
      ips.add(p.status.podIP!);
      assert.equal(cond(p, 'Ready')?.status, 'True');
      assert.deepEqual(p.status.conditions?.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
      const cs = (p.status as unknown as { containerStatuses: { image: string; imageID: string; containerID: string; ready: boolean; started: boolean }[] }).containerStatuses[0];
      assert.equal(cs.image, 'docker.io/library/nginx:1.25');
      assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
      assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
      assert.equal(cs.ready, true);
    }
    assert.equal(ips.size, 10);
    const host = await waitPhase(env, 'host', 'Running');
    assert.equal(host.status.podIP, host.status.hostIP);
    // A deleted pod's address is reused by the next pod on that node.
    const freed = pods[0];
    await env.client.delete(POD, { namespace: 'default', name: 'web-0' });
    const again = { ...pod('again'), spec: { ...(pod('again').spec as object), nodeName: freed.spec.nodeName } };
    await env.client.create(again);
    await eventually(async () => (await get(env, 'again')).status?.podIP === freed.status.podIP, 10_000, 'address reused');
  } finally {
    await env.close();
  }
});

test('a pod that fits nowhere stays Pending with the FailedScheduling text, then runs on a bigger node', async () => {
  const env = await startWorkloadEnv([setupScheduler, setupSimKubelet]);
  try {
    await env.addNode('w1');
    await env.addNode('w2');
    await env.client.create(pod('big', { cpu: '3' }));
    const msg = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const p = await eventually(async () => {
      const x = await get(env, 'big');
      return cond(x, 'PodScheduled')?.status === 'False' ? x : undefined;
    }, 10_000, 'unschedulable');
    assert.equal(p.status.phase, 'Pending');
    assert.deepEqual({ ...cond(p, 'PodScheduled'), lastTransitionTime: undefined, lastProbeTime: undefined }, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg, lastTransitionTime: undefined, lastProbeTime: undefined });
    const events = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
    const ev = events.items.find((e) => (e as { reason?: string }).reason === 'FailedScheduling') as { message?: string; type?: string; source?: { component?: string } } | undefined;
    assert.equal(ev?.message, msg);
    assert.equal(ev?.type, 'Warning');
    assert.equal(ev?.source?.component, 'default-scheduler');
    await env.addNode('big-node', { cpu: '8' });
    const running = await waitPhase(env, 'big', 'Running');
    assert.equal(running.spec.nodeName, 'big-node');
    assert.equal(cond(running, 'PodScheduled')?.status, 'True');
  } finally {
    await env.close();
  }
});

test('run-to-completion pods succeed; the exit-code annotation fails them or crash-loops them', async () => {
  const env = await startWorkloadEnv([setupScheduler, setupSimKubelet]);
  try {
    await env.addNode('w1', { cpu: '4' });
    await env.client.create(pod('done', { restartPolicy: 'Never', annotations: { 'sim.slipway.dev/run-seconds': '0' } }));
    await env.client.create(pod('fail', { restartPolicy: 'Never', annotations: { 'sim.slipway.dev/run-seconds': '0', 'sim.slipway.dev/exit-code': '1' } }));
    await env.client.create(pod('loop', { restartPolicy: 'OnFailure', annotations: { 'sim.slipway.dev/run-seconds': '0', 'sim.slipway.dev/exit-code': '1' } }));
    const done = await waitPhase(env, 'done', 'Succeeded');
    assert.equal(done.status.containerStatuses?.[0].state.terminated?.reason, 'Completed');
    assert.equal(done.status.containerStatuses?.[0].state.terminated?.exitCode, 0);
    assert.equal(cond(done, 'Ready')?.reason, 'PodCompleted');
    const fail = await waitPhase(env, 'fail', 'Failed');
    assert.equal(fail.status.containerStatuses?.[0].state.terminated?.reason, 'Error');
    assert.equal(fail.status.containerStatuses?.[0].state.terminated?.exitCode, 1);
    const loop = await eventually(async () => {
      const x = await get(env, 'loop');
      return x.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff' ? x : undefined;
    }, 10_000, 'crash loop');
    assert.equal(loop.status.phase, 'Running');
    assert.equal(loop.status.containerStatuses?.[0].restartCount, 1);
  } finally {
    await env.close();
  }
});

test('1,000 pods on 20 nodes all run', async () => {
  const env = await startWorkloadEnv([setupScheduler, setupSimKubelet]);
  try {
    for (let i = 0; i < 20; i++) await env.addNode(`n${i}`, { cpu: '16', memory: '64Gi' });
    const started = Date.now();
    const creates: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) creates.push(env.client.create(pod(`p-${i}`)));
    await Promise.all(creates);
    await eventually(async () => {
      const list = await env.client.list(POD, { namespace: 'default' });
      return list.items.filter((p) => (p as PodView).status?.phase === 'Running').length === 1000;
    }, 120_000, 'all running');
    const seconds = (Date.now() - started) / 1000;
    const list = await env.client.list(POD, { namespace: 'default' });
    const ips = new Set(list.items.map((p) => (p as PodView).status.podIP));
    assert.equal(ips.size, 1000);
    console.log(`# 1000 pods created, scheduled and running on 20 nodes in ${seconds.toFixed(2)} s (${(1000 / seconds).toFixed(0)} pods/s)`);
  } finally {
    await env.close();
  }
});

test('a running pod is not written again when nothing changed; a job pod completes', async () => {
  const env = await startWorkloadEnv([setupScheduler, setupSimKubelet]);
  try {
    await env.addNode('w1');
    await env.client.create(pod('steady'));
    const p = await eventually(async () => {
      const x = await get(env, 'steady');
      return cond(x, 'Ready')?.status === 'True' ? x : undefined;
    }, 10_000, 'ready');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await get(env, 'steady')).metadata?.resourceVersion, p.metadata?.resourceVersion);
    const job = await env.client.create({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } });
    await env.client.create({ ...pod('job-pod', { restartPolicy: 'Never' }), metadata: { name: 'job-pod', namespace: 'default', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: (job.metadata as { uid?: string }).uid!, controller: true }] } });
    await waitPhase(env, 'job-pod', 'Succeeded');
  } finally {
    await env.close();
  }
});
