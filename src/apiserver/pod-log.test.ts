/** pods/log: the simulated lines (pure core) and the subresource over real HTTP, including follow. */
import assert from 'node:assert/strict';
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { workloadClusterResources, workloadClusterStrategies } from '../api/kubernetes/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { ApiHandler } from './handler.js';
import { ObjectStore } from './object-store.js';
import { formatLogLine, logContainerName, parseLogQuery, selectLines, simulatedLogLines } from './pod-log.js';
import { ResourceRegistry } from './registry.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

function pod(statuses: unknown[], containers = [{ name: 'web', image: 'nginx:1.27' }], extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-abc', namespace: 'default' }, spec: { containers, ...extra }, status: { containerStatuses: statuses } };
}
const running = (startedAt: string, restartCount = 0, lastState: unknown = {}) => ({ name: 'web', image: 'docker.io/library/nginx:1.27', imageID: '', restartCount, ready: true, state: { running: { startedAt } }, lastState });
const terminated = (startedAt: string, finishedAt: string, exitCode: number, reason: string) => ({ terminated: { startedAt, finishedAt, exitCode, reason } });
const code400 = (re: RegExp) => (e: unknown) => e instanceof StatusError && e.code === 400 && re.test(e.message);

describe('simulatedLogLines', () => {
  const cases: { name: string; pod: KubeObject; opts?: { container?: string; previous?: boolean }; want: string[] }[] = [
    { name: 'a running container: one start line', pod: pod([running(T0)]), want: [`${T0} [sim] container web of pod default/web-abc started (image nginx:1.27); logs are simulated`] },
    { name: 'restarted: the current run says which restart', pod: pod([running(T2, 1, terminated(T0, T1, 1, 'Error'))]), want: [`${T2} [sim] container web of pod default/web-abc started (restart 1) (image nginx:1.27); logs are simulated`] },
    {
      name: 'previous: the run that ended, with its exit code',
      pod: pod([running(T2, 1, terminated(T0, T1, 137, 'OOMKilled'))]),
      opts: { previous: true },
      want: [`${T0} [sim] container web of pod default/web-abc started (image nginx:1.27); logs are simulated`, `${T1} [sim] container web of pod default/web-abc exited with code 137 (OOMKilled); logs are simulated`],
    },
    {
      name: 'terminated (completed)',
      pod: pod([{ name: 'web', restartCount: 0, state: terminated(T0, T1, 0, 'Completed') }]),
      want: [`${T0} [sim] container web of pod default/web-abc started (image nginx:1.27); logs are simulated`, `${T1} [sim] container web of pod default/web-abc exited with code 0 (Completed); logs are simulated`],
    },
    {
      name: 'crash loop: the last run, then the waiting reason',
      pod: pod([{ name: 'web', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: terminated(T0, T1, 2, 'Error') }]),
      want: [
        `${T0} [sim] container web of pod default/web-abc started (image nginx:1.27); logs are simulated`,
        `${T1} [sim] container web of pod default/web-abc exited with code 2 (Error); logs are simulated`,
        `${T1} [sim] container web of pod default/web-abc is waiting: CrashLoopBackOff; logs are simulated`,
      ],
    },
    {
      name: 'a named container of several',
      pod: pod([running(T0), { ...running(T1), name: 'side' }], [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }]),
      opts: { container: 'side' },
      want: [`${T1} [sim] container side of pod default/web-abc started (image busybox); logs are simulated`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(simulatedLogLines(c.pod, c.opts).map((l) => `${l.time} ${l.text}`), c.want);
    });
  }

  it("kube's errors: waiting to start, no previous run, unknown or unnamed container", () => {
    assert.throws(() => simulatedLogLines(pod([{ name: 'web', restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }])), code400(/^container "web" in pod "web-abc" is waiting to start: ContainerCreating$/));
    assert.throws(() => simulatedLogLines(pod([])), code400(/is waiting to start: ContainerCreating/));
    assert.throws(() => simulatedLogLines(pod([running(T0)]), { previous: true }), code400(/^previous terminated container "web" in pod "web-abc" not found$/));
    assert.throws(() => simulatedLogLines(pod([running(T0)]), { container: 'nope' }), code400(/^container nope is not valid for pod web-abc$/));
    const two = pod([], [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }], { initContainers: [{ name: 'init', image: 'z' }] });
    assert.throws(() => logContainerName(two, undefined), code400(/^a container name must be specified for pod web-abc, choose one of: \[a b\] or one of the init containers: \[init\]$/));
  });

  it('selectLines: tailLines and sinceSeconds; formatLogLine: timestamps in RFC 3339 with nanoseconds', () => {
    const lines = [{ time: T0, text: 'a' }, { time: T1, text: 'b' }, { time: T2, text: 'c' }];
    assert.deepEqual(selectLines(lines, { tailLines: 2 }, 0).map((l) => l.text), ['b', 'c']);
    assert.deepEqual(selectLines(lines, { tailLines: 0 }, 0), []);
    assert.deepEqual(selectLines(lines, { sinceSeconds: 90 }, Date.parse(T2)).map((l) => l.text), ['b', 'c']);
    assert.equal(formatLogLine({ time: T0, text: 'x' }, true), `2026-01-01T00:00:00.000000000Z ${T0} x\n`);
    assert.equal(formatLogLine({ time: T0, text: 'x' }, false), `${T0} x\n`);
    assert.throws(() => parseLogQuery(new URLSearchParams('tailLines=-1')), code400(/tailLines/));
    assert.deepEqual(parseLogQuery(new URLSearchParams('container=web&tailLines=3&follow=true&timestamps=true')), { container: 'web', previous: false, timestamps: true, follow: true, tailLines: 3, sinceSeconds: undefined, limitBytes: undefined });
  });
});

describe('GET pods/NAME/log over HTTP', () => {
  let objects: ObjectStore;
  let server: Server;
  let base: string;
  const pods = () => objects.registry.get('', 'v1', 'pods')!;

  before(async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    objects = new ObjectStore(new MemoryStore(), registry, { strategies: workloadClusterStrategies() });
    await objects.create(registry.get('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, {});
    const handler = new ApiHandler({ objects, registry, tokens: new Map(), logger: pino({ level: 'silent' }), requireAuth: false });
    server = createServer(handler.listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await objects.create(pods(), 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-abc' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } }, {});
    const p = await objects.get(pods(), 'default', 'web-abc');
    await objects.update(pods(), 'default', 'web-abc', { ...p, status: { ...(p.status as object), phase: 'Running', containerStatuses: [running(T2, 1, terminated(T0, T1, 1, 'Error'))] } }, {}, 'status');
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const fetchText = async (path: string): Promise<{ status: number; type: string | null; body: string }> => {
    const r = await fetch(base + path);
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  };

  it('answers text/plain; honours container, previous, tailLines, timestamps; errors are Status JSON', async () => {
    const cur = await fetchText('/api/v1/namespaces/default/pods/web-abc/log');
    assert.equal(cur.status, 200);
    assert.equal(cur.type, 'text/plain');
    assert.equal(cur.body, `${T2} [sim] container web of pod default/web-abc started (restart 1) (image nginx:1.27); logs are simulated\n`);
    const prev = await fetchText('/api/v1/namespaces/default/pods/web-abc/log?container=web&previous=true&tailLines=1&timestamps=true');
    assert.equal(prev.body, `2026-01-01T00:01:00.000000000Z ${T1} [sim] container web of pod default/web-abc exited with code 1 (Error); logs are simulated\n`);
    const bad = await fetchText('/api/v1/namespaces/default/pods/web-abc/log?container=nope');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /container nope is not valid for pod web-abc/);
    assert.equal((await fetchText('/api/v1/namespaces/default/pods/missing/log')).status, 404);
    assert.equal((await fetch(base + '/api/v1/namespaces/default/pods/web-abc/log', { method: 'POST', body: '{}' })).status, 405);
  });

  it('discovery lists pods/log and pods/ephemeralcontainers', async () => {
    const list = JSON.parse((await fetchText('/api/v1')).body) as { resources: { name: string; kind: string; verbs: string[] }[] };
    assert.deepEqual(list.resources.find((r) => r.name === 'pods/log'), { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    assert.deepEqual(list.resources.find((r) => r.name === 'pods/ephemeralcontainers')?.verbs, ['get', 'patch', 'update']);
  });

  it('follow keeps the stream open, adds a line when the container changes, and ends when the Pod is deleted', async () => {
    const chunks: string[] = [];
    let gotChunk: () => void = () => {};
    const ended = new Promise<number>((resolve, reject) => {
      httpGet(base + '/api/v1/namespaces/default/pods/web-abc/log?follow=true', (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          chunks.push(d);
          gotChunk();
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    });
    const waitFor = async (n: number): Promise<void> => {
      while (chunks.join('').split('\n').filter(Boolean).length < n) await new Promise<void>((r) => (gotChunk = r));
    };
    await waitFor(1);
    assert.match(chunks.join(''), /started \(restart 1\)/);
    const p = await objects.get(pods(), 'default', 'web-abc');
    const statuses = [{ name: 'web', image: 'nginx:1.27', imageID: '', ready: false, restartCount: 1, state: terminated(T2, '2026-01-01T00:03:00Z', 0, 'Completed'), lastState: terminated(T0, T1, 1, 'Error') }];
    await objects.update(pods(), 'default', 'web-abc', { ...p, status: { ...(p.status as object), containerStatuses: statuses } }, {}, 'status');
    await waitFor(2);
    assert.match(chunks.join('').split('\n')[1]!, /^2026-01-01T00:03:00Z \[sim\] container web of pod default\/web-abc exited with code 0 \(Completed\); logs are simulated$/);
    await objects.delete(pods(), 'default', 'web-abc', { propagationPolicy: 'Background' });
    assert.equal(await ended, 200);
    assert.equal(chunks.join('').split('\n').filter(Boolean).length, 2);
  });
});
