import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerID, reportedImage, reportedImageID } from './image.js';
import { CachedManifestCheck, ImagePullTracker, imagePullBackoffMs, registryAccessFromClusterVariables, imageRegistryHost, imageRepositoryHost, pullErrorMessage, type ManifestCheck } from './image-pull.js';
import { nominalContainerStarts, simulatedPodStatus, type SimPod } from './pod-status.js';

const NAMING = { image: reportedImage, imageID: reportedImageID, containerID };
const T0 = Date.UTC(2030, 0, 1);

describe('image pull helpers', () => {
  it('registry host of an image reference and of imageRepository', () => {
    const cases: [string, string][] = [
      ['nginx', 'docker.io'],
      ['bitnami/redis:7', 'docker.io'],
      ['harbor.example.com/tkg/nginx:1.27', 'harbor.example.com'],
      ['127.0.0.1:5000/airgap/app@sha256:abc', '127.0.0.1:5000'],
      ['localhost/app', 'localhost'],
    ];
    for (const [ref, host] of cases) assert.equal(imageRegistryHost(ref), host, ref);
    assert.equal(imageRepositoryHost('harbor.example.com/tkg'), 'harbor.example.com');
    assert.equal(imageRepositoryHost('127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(imageRepositoryHost('https://reg.local/x/y'), 'reg.local');
    assert.equal(imageRepositoryHost(''), undefined);
    assert.equal(imageRepositoryHost(undefined), undefined);
  });
  it('back-off 10 s doubling to 5 min', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map(imagePullBackoffMs), [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });
  it('containerd\'s messages', () => {
    assert.equal(
      pullErrorMessage('reg.local/a/b:1', { notFound: true }),
      'rpc error: code = NotFound desc = failed to pull and unpack image "reg.local/a/b:1": failed to resolve reference "reg.local/a/b:1": reg.local/a/b:1: not found',
    );
    assert.equal(pullErrorMessage('reg.local/a/b', { detail: 'x' }), 'rpc error: code = Unknown desc = failed to pull and unpack image "reg.local/a/b:latest": failed to resolve reference "reg.local/a/b:latest": x');
  });
});

describe('ImagePullTracker', () => {
  const absent = (image: string): ManifestCheck => ({ present: false, error: pullErrorMessage(image, { notFound: true }) });
  function tracker(answers: Map<string, boolean>, calls: string[], errorShowMs = 1000, absentTtlMs = 0): ImagePullTracker {
    const check = new CachedManifestCheck(async (image) => {
      calls.push(image);
      return answers.get(image) ? { present: true } : absent(image);
    }, absentTtlMs);
    return new ImagePullTracker(check, errorShowMs);
  }

  it('present: pulled at its start, looked up once', async () => {
    const calls: string[] = [];
    const t = tracker(new Map([['reg/a:1', true]]), calls);
    assert.deepEqual(await t.step('u', 'c', 'reg/a:1', T0 + 1000, T0), { state: undefined, nextMs: T0 + 1000, events: [] });
    const s = await t.step('u', 'c', 'reg/a:1', T0 + 1000, T0 + 1000);
    assert.deepEqual(s.state, { pulledAtMs: T0 + 1000 });
    assert.deepEqual(s.events.map((e) => e.reason), ['Pulling', 'Pulled']);
    assert.deepEqual((await t.step('u', 'c', 'reg/a:1', T0 + 1000, T0 + 9000)).state, { pulledAtMs: T0 + 1000 });
    assert.deepEqual(calls, ['reg/a:1']);
  });

  it('absent: ErrImagePull, then ImagePullBackOff until the next attempt (10 s, 20 s, ...); pulled once it appears', async () => {
    const answers = new Map<string, boolean>();
    const calls: string[] = [];
    const t = tracker(answers, calls);
    const img = 'reg/a:1';
    let s = await t.step('u', 'c', img, T0, T0);
    assert.deepEqual(s.state, { waiting: { reason: 'ErrImagePull', message: pullErrorMessage(img, { notFound: true }) } });
    assert.equal(s.nextMs, T0 + 1000);
    assert.deepEqual(s.events.map((e) => `${e.reason}: ${e.message}`), ['Pulling: Pulling image "reg/a:1"', `Failed: Failed to pull image "reg/a:1": ${pullErrorMessage(img, { notFound: true })}`, 'Failed: Error: ErrImagePull']);
    s = await t.step('u', 'c', img, T0, T0 + 1000);
    assert.deepEqual(s.state, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "reg/a:1"' } });
    assert.equal(s.nextMs, T0 + 10_000);
    assert.deepEqual(s.events.map((e) => `${e.type} ${e.reason}: ${e.message}`), ['Normal BackOff: Back-off pulling image "reg/a:1"', 'Warning Failed: Error: ImagePullBackOff']);
    assert.deepEqual((await t.step('u', 'c', img, T0, T0 + 5000)).events, [], 'no repeated events');
    s = await t.step('u', 'c', img, T0, T0 + 10_000);
    assert.equal((s.state as { waiting: { reason: string } }).waiting.reason, 'ErrImagePull');
    s = await t.step('u', 'c', img, T0, T0 + 11_000);
    assert.equal(s.nextMs, T0 + 30_000, 'second back-off 20 s');
    answers.set(img, true);
    s = await t.step('u', 'c', img, T0, T0 + 30_000);
    assert.deepEqual(s.state, { pulledAtMs: T0 + 30_000 });
    assert.equal(calls.length, 3);
    t.forget('u');
    assert.deepEqual((await t.step('u', 'c', img, T0, T0 + 30_000)).state, { pulledAtMs: T0 }, 'forgotten: starts over');
  });

  it('errorShowMs 0 goes straight to ImagePullBackOff; absent answers are cached for their TTL', async () => {
    const calls: string[] = [];
    const t = tracker(new Map(), calls, 0, 60_000);
    assert.equal(((await t.step('u1', 'c', 'reg/x:1', T0, T0)).state as { waiting: { reason: string } }).waiting.reason, 'ImagePullBackOff');
    await t.step('u2', 'c', 'reg/x:1', T0, T0 + 1);
    await t.step('u1', 'c', 'reg/x:1', T0, T0 + 10_000);
    assert.deepEqual(calls, ['reg/x:1']);
  });
});

describe('simulatedPodStatus with image pulls', () => {
  const timings = { containerStartSeconds: 1, readinessSeconds: 1, jobRunSeconds: 5 };
  const pod: SimPod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'reg/app:1' }, { name: 'side', image: 'nginx' }] } };
  const facts = { startMs: T0, podIP: '10.0.0.2', hostIP: '10.0.0.1' };

  it('nominal starts: init containers in turn, then the others', () => {
    const withInit: SimPod = { spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }, { name: 'b' }] } };
    assert.deepEqual(nominalContainerStarts(withInit, T0, timings), { i1: T0 + 1000, i2: T0 + 2000, a: T0 + 3000, b: T0 + 3000 });
  });

  it('a waiting pull keeps the container waiting and the Pod Pending, from its start on', () => {
    const waiting = { waiting: { reason: 'ImagePullBackOff' as const, message: 'Back-off pulling image "reg/app:1"' } };
    const before = simulatedPodStatus(pod, { ...facts, nowMs: T0, imagePulls: { app: waiting } }, timings, NAMING).status;
    assert.equal(before.containerStatuses[0]!.state.waiting?.reason, 'ContainerCreating');
    const { status } = simulatedPodStatus(pod, { ...facts, nowMs: T0 + 5000, imagePulls: { app: waiting } }, timings, NAMING);
    assert.equal(status.phase, 'Pending');
    assert.deepEqual(status.containerStatuses[0], { name: 'app', state: waiting, lastState: {}, ready: false, restartCount: 0, image: 'reg/app:1', imageID: '', started: false });
    assert.ok(status.containerStatuses[1]!.state.running, 'the other container runs');
    assert.equal(status.conditions.find((c) => c.type === 'Ready')?.message, 'containers with unready status: [app]');
  });

  it('a late pull moves the container\'s start', () => {
    const { status } = simulatedPodStatus(pod, { ...facts, nowMs: T0 + 40_000, imagePulls: { app: { pulledAtMs: T0 + 30_000 } } }, timings, NAMING);
    assert.equal(status.phase, 'Running');
    assert.equal(status.containerStatuses[0]!.state.running?.startedAt, '2030-01-01T00:00:30Z');
    assert.equal(status.containerStatuses[1]!.state.running?.startedAt, '2030-01-01T00:00:01Z');
  });

  it('no pulls: unchanged', () => {
    const a = simulatedPodStatus(pod, { ...facts, nowMs: T0 + 5000 }, timings, NAMING);
    const b = simulatedPodStatus(pod, { ...facts, nowMs: T0 + 5000, imagePulls: {} }, timings, NAMING);
    assert.deepEqual(a, b);
  });
});

describe('registryAccessFromClusterVariables', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const b64 = Buffer.from(pem).toString('base64');
  const cases: { name: string; vars: { name: string; value?: unknown }[] | undefined; want: object }[] = [
    { name: 'no variables', vars: undefined, want: {} },
    { name: 'validation on (default)', vars: [{ name: 'imageRepository', value: { host: 'reg.local/tkg' } }], want: {} },
    { name: 'validation off', vars: [{ name: 'imageRepository', value: { host: 'reg.local', tlsCertificateValidation: false } }], want: { skipVerify: true } },
    {
      name: 'the CA named imageRepository only',
      vars: [{ name: 'trust', value: { additionalTrustedCAs: [{ name: 'corp', data: Buffer.from('other').toString('base64') }, { name: 'imageRepository', data: b64 }] } }],
      want: { caCertificates: [pem] },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(registryAccessFromClusterVariables(c.vars), c.want));
});
