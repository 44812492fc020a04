import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ephemeralContainerStatuses, withEphemeralContainerStatuses } from './ephemeral.js';
import type { SimPodStatus } from './pod-status.js';

const naming = { image: (r: string) => `docker.io/library/${r}`, imageID: (r: string) => `id-of-${r}`, containerID: (uid: string, c: string, n: number) => `cid://${uid}/${c}/${n}` };
const NOW = Date.parse('2026-01-01T00:00:30.500Z');

describe('sim kubelet: ephemeral containers', () => {
  const pod = (reported?: string) => ({
    metadata: { uid: 'u1' },
    spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36' }] },
    status: reported ? { ephemeralContainerStatuses: [{ name: 'dbg', state: { running: { startedAt: reported } } }] } : {},
  });

  it('runs once the Pod runs, started now (whole seconds), never ready', () => {
    assert.deepEqual(ephemeralContainerStatuses(pod(), { phase: 'Running' }, NOW, naming), [
      { name: 'dbg', state: { running: { startedAt: '2026-01-01T00:00:30Z' } }, lastState: {}, ready: false, restartCount: 0, image: 'docker.io/library/busybox:1.36', imageID: 'id-of-busybox:1.36', containerID: 'cid://u1/dbg/0', started: true },
    ]);
  });

  it('keeps the start time it reported; waits while the Pod is not running', () => {
    assert.deepEqual((ephemeralContainerStatuses(pod('2026-01-01T00:00:10Z'), { phase: 'Running' }, NOW, naming)[0]!.state), { running: { startedAt: '2026-01-01T00:00:10Z' } });
    assert.deepEqual(ephemeralContainerStatuses(pod(), { phase: 'Pending' }, NOW, naming)[0]!.state, { waiting: { reason: 'ContainerCreating' } });
  });

  it('a Pod without ephemeral containers: the status as it was', () => {
    const status = { phase: 'Running' } as SimPodStatus;
    assert.equal(withEphemeralContainerStatuses(status, { spec: {} }, NOW, naming), status);
    assert.equal(withEphemeralContainerStatuses(status, pod(), NOW, naming).ephemeralContainerStatuses?.length, 1);
  });
});
