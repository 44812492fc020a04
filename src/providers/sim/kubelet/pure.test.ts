import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerID, reportedImage, reportedImageID } from './image.js';
import { NodeIPAllocator } from './ip-allocator.js';
import { crashLoopBackoffMs, runPlan, simulatedPodStatus, type SimPod, type SimTimings } from './pod-status.js';

const NAMING = { image: reportedImage, imageID: reportedImageID, containerID };

test('image references as containerd reports them', () => {
  const cases: [string, string][] = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['localhost/app', 'localhost/app:latest'],
    ['myreg:5000/team/app:v1', 'myreg:5000/team/app:v1'],
    ['ghcr.io/o/app@sha256:abc', 'ghcr.io/o/app@sha256:abc'],
  ];
  for (const [ref, want] of cases) assert.equal(reportedImage(ref), want, ref);
  assert.match(reportedImageID('nginx:1.25'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.equal(reportedImageID('ghcr.io/o/app@sha256:abc'), 'ghcr.io/o/app@sha256:abc');
  assert.equal(containerID('u', 'c', 0), containerID('u', 'c', 0));
  assert.notEqual(containerID('u', 'c', 0), containerID('u', 'c', 1));
});

test('pod addresses: lowest free, never network/gateway/broadcast, reused after release', () => {
  const a = new NodeIPAllocator('10.244.3.0/24');
  assert.equal(a.allocate('x'), '10.244.3.2');
  assert.equal(a.allocate('y'), '10.244.3.3');
  assert.equal(a.allocate('x'), '10.244.3.2');
  a.release('x');
  assert.equal(a.allocate('z'), '10.244.3.2');
  assert.equal(a.claim('w', '10.244.3.3'), false);
  assert.equal(a.claim('w', '10.244.3.1'), false);
  assert.equal(a.claim('w', '10.244.4.9'), false);
  assert.equal(a.claim('w', '10.244.3.77'), true);
  const small = new NodeIPAllocator('10.0.0.8/30');
  assert.equal(small.allocate('a'), '10.0.0.10');
  assert.equal(small.allocate('b'), undefined);
  assert.throws(() => new NodeIPAllocator('fd00::/64'));
  const full = new NodeIPAllocator('10.1.0.0/24');
  for (let i = 0; i < 253; i++) assert.ok(full.allocate(`p${i}`));
  assert.equal(full.allocate('one-more'), undefined);
});

const T: SimTimings = { containerStartSeconds: 1, readinessSeconds: 2, jobRunSeconds: 5 };
const T0 = Date.UTC(2030, 0, 1);
const facts = (s: number) => ({ startMs: T0, nowMs: T0 + s * 1000, podIP: '10.244.0.2', hostIP: '10.0.0.10' });
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function web(extra: Partial<SimPod['spec']> = {}, annotations?: Record<string, string>): SimPod {
  return { metadata: { name: 'web', namespace: 'default', uid: 'u1', ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...extra } };
}

test('a long-running pod: ContainerCreating, then Running, then Ready', () => {
  const rows: [number, string, string, boolean, number | undefined][] = [
    [0, 'Pending', 'ContainerCreating', false, 1],
    [1, 'Running', 'running', false, 3],
    [2.5, 'Running', 'running', false, 3],
    [3, 'Running', 'running', true, undefined],
    [100, 'Running', 'running', true, undefined],
  ];
  for (const [s, phase, state, ready, next] of rows) {
    const { status, nextChangeMs } = simulatedPodStatus(web(), facts(s), T, NAMING);
    const cs = status.containerStatuses[0];
    assert.equal(status.phase, phase, `t=${s}`);
    assert.equal(cs.state.waiting?.reason ?? Object.keys(cs.state)[0], state, `t=${s}`);
    assert.equal(cs.ready, ready, `t=${s}`);
    assert.equal(nextChangeMs === undefined ? undefined : (nextChangeMs - T0) / 1000, next, `t=${s}`);
  }
  const { status } = simulatedPodStatus(web(), facts(10), T, NAMING);
  assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.lastTransitionTime]), [
    ['PodReadyToStartContainers', 'True', at(0)],
    ['Initialized', 'True', at(0)],
    ['Ready', 'True', at(3)],
    ['ContainersReady', 'True', at(3)],
    ['PodScheduled', 'True', at(0)],
  ]);
  assert.equal(status.containerStatuses[0].state.running?.startedAt, at(1));
  assert.equal(status.qosClass, 'BestEffort');
  assert.equal(status.startTime, at(0));
  const notReady = simulatedPodStatus(web(), facts(1), T, NAMING).status.conditions.find((c) => c.type === 'Ready');
  assert.deepEqual([notReady?.reason, notReady?.message], ['ContainersNotReady', 'containers with unready status: [app]']);
});

test('a readiness probe delay longer than readinessSeconds wins', () => {
  const pod = web({ containers: [{ name: 'app', image: 'nginx', readinessProbe: { initialDelaySeconds: 10 } }] });
  assert.equal(simulatedPodStatus(pod, facts(5), T, NAMING).status.containerStatuses[0].ready, false);
  assert.equal(simulatedPodStatus(pod, facts(11), T, NAMING).status.containerStatuses[0].ready, true);
});

test('init containers complete one after another before the app starts', () => {
  const pod = web({ initContainers: [{ name: 'i1', image: 'busybox' }, { name: 'i2', image: 'busybox' }] });
  const s0 = simulatedPodStatus(pod, facts(0), T, NAMING).status;
  assert.equal(s0.phase, 'Pending');
  assert.equal(s0.containerStatuses[0].state.waiting?.reason, 'PodInitializing');
  assert.equal(s0.conditions[1].message, 'containers with incomplete status: [i1 i2]');
  const s1 = simulatedPodStatus(pod, facts(1), T, NAMING).status;
  assert.equal(s1.initContainerStatuses?.[0].state.terminated?.reason, 'Completed');
  assert.equal(s1.conditions[1].message, 'containers with incomplete status: [i2]');
  const s3 = simulatedPodStatus(pod, facts(3), T, NAMING).status;
  assert.equal(s3.phase, 'Running');
  assert.equal(s3.conditions[1].status, 'True');
  assert.equal(s3.conditions[1].lastTransitionTime, at(2));
});

test('run plans: job pods and annotated pods run to completion; exit codes fail them', () => {
  const job: SimPod = { metadata: { ownerReferences: [{ kind: 'Job', controller: true }] }, spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } };
  assert.deepEqual(runPlan(job, T), { runMs: 5000, exitCode: 0 });
  assert.deepEqual(runPlan(web({ restartPolicy: 'OnFailure' }, { 'sim.slipway.dev/run-seconds': '2' }), T), { runMs: 2000, exitCode: 0 });
  assert.equal(runPlan(web({}, { 'sim.slipway.dev/run-seconds': '2' }), T), undefined);
  assert.deepEqual(runPlan(web({}, { 'sim.slipway.dev/exit-code': '3' }), T), { runMs: 5000, exitCode: 3 });
  assert.equal(runPlan(web(), T), undefined);
});

test('completion, failure and crash-loop restarts', () => {
  const done = simulatedPodStatus(web({ restartPolicy: 'Never' }, { 'sim.slipway.dev/run-seconds': '4' }), facts(5), T, NAMING);
  assert.equal(done.status.phase, 'Succeeded');
  assert.equal(done.nextChangeMs, undefined);
  assert.deepEqual(done.status.containerStatuses[0].state.terminated && { ...done.status.containerStatuses[0].state.terminated, containerID: '' }, { exitCode: 0, reason: 'Completed', startedAt: at(1), finishedAt: at(5), containerID: '' });
  assert.equal(done.status.conditions.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  assert.equal(done.status.conditions[0].status, 'False');
  const failed = simulatedPodStatus(web({ restartPolicy: 'Never' }, { 'sim.slipway.dev/run-seconds': '0', 'sim.slipway.dev/exit-code': '1' }), facts(1), T, NAMING);
  assert.equal(failed.status.phase, 'Failed');
  assert.equal(failed.status.containerStatuses[0].state.terminated?.reason, 'Error');
  const loop = web({ restartPolicy: 'OnFailure' }, { 'sim.slipway.dev/run-seconds': '0', 'sim.slipway.dev/exit-code': '2' });
  // Starts at 1 s, exits at once; restarts at 11 s, 31 s, 71 s.
  const rows: [number, number, string][] = [[1, 1, 'CrashLoopBackOff'], [10.9, 1, 'CrashLoopBackOff'], [11, 2, 'CrashLoopBackOff'], [31, 3, 'CrashLoopBackOff'], [71, 4, 'CrashLoopBackOff']];
  for (const [s, restarts, reason] of rows) {
    const r = simulatedPodStatus(loop, facts(s), T, NAMING);
    const cs = r.status.containerStatuses[0];
    assert.equal(r.status.phase, 'Running', `t=${s}`);
    assert.equal(cs.restartCount, restarts, `t=${s}`);
    assert.equal(cs.state.waiting?.reason, reason, `t=${s}`);
    assert.equal(cs.lastState.terminated?.exitCode, 2);
  }
  assert.deepEqual([1, 2, 3, 5, 6, 7, 100].map(crashLoopBackoffMs), [10_000, 20_000, 40_000, 160_000, 300_000, 300_000, 300_000]);
  // Exit 0 under OnFailure completes.
  assert.equal(simulatedPodStatus(web({ restartPolicy: 'OnFailure' }, { 'sim.slipway.dev/run-seconds': '0' }), facts(1), T, NAMING).status.phase, 'Succeeded');
});

test('all delays at zero: running and ready at once', () => {
  const z = { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 };
  const r = simulatedPodStatus(web(), facts(0), z, NAMING);
  assert.equal(r.status.phase, 'Running');
  assert.equal(r.status.containerStatuses[0].ready, true);
  assert.equal(r.nextChangeMs, undefined);
});

test('QoS classes', () => {
  const c = (resources: object) => web({ containers: [{ name: 'a', image: 'x', resources }] });
  assert.equal(simulatedPodStatus(c({ requests: { cpu: '1' } }), facts(0), T, NAMING).status.qosClass, 'Burstable');
  assert.equal(simulatedPodStatus(c({ limits: { cpu: '1', memory: '1Gi' } }), facts(0), T, NAMING).status.qosClass, 'Guaranteed');
  assert.equal(simulatedPodStatus(c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), facts(0), T, NAMING).status.qosClass, 'Guaranteed');
});
