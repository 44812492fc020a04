/**
 * The real kubectl's rollout commands against a workload cluster's API running the Deployment and ReplicaSet
 * controllers (served over plain HTTP on loopback from the test env's store; a test loop plays the kubelet and marks
 * Pods Running and Ready): rollout status finishes, set image rolls out, undo goes back to the old ReplicaSet,
 * restart rolls out again, pause stops rollouts and resume continues them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ApiHandler } from '../../src/apiserver/handler.js';
import { setupDeploymentController } from '../../src/controllers/workload/deployment/index.js';
import { setupReplicaSetController } from '../../src/controllers/workload/replicaset/index.js';
import { isPodReady } from '../../src/controllers/workload/replicaset/pods.js';
import { POD_KIND, REPLICA_SET_KIND, type Pod, type ReplicaSet } from '../../src/controllers/workload/replicaset/types.js';
import { eventually } from '../support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../support/workload-env.js';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

describe('kubectl rollout against the workload Deployment controller', () => {
  let env: WorkloadEnv;
  let server: Server;
  let kubeconfig: string;
  let kubelet: NodeJS.Timeout | undefined;
  let dir: string;

  const k = (args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin!.end(input ?? '');
    });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const replicaSets = async (): Promise<ReplicaSet[]> => (await env.client.list<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default' })).items;

  before(async () => {
    env = await startWorkloadEnv([(ctx) => setupReplicaSetController(ctx), (ctx) => setupDeploymentController(ctx)]);
    const handler = new ApiHandler({ objects: env.objects, registry: env.objects.registry, tokens: new Map(), logger: pino({ level: 'silent' }), requireAuth: false });
    server = createServer(handler.listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    dir = mkdtempSync(join(tmpdir(), 'slipway-rollout-'));
    kubeconfig = join(dir, 'kubeconfig');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: wl\n  cluster: {server: "${url}"}\nusers:\n- name: admin\n  user: {}\ncontexts:\n- name: wl\n  context: {cluster: wl, user: admin, namespace: default}\ncurrent-context: wl\n`);
    // The kubelet: every Pod not yet Ready becomes Running and Ready.
    let busy = false;
    kubelet = setInterval(() => {
      if (busy) return;
      busy = true;
      (async () => {
        for (const p of (await env.client.list<Pod>(POD_KIND, { namespace: 'default' })).items) {
          if (isPodReady(p) || p.metadata?.deletionTimestamp) continue;
          await env.client
            .patchStatus(POD_KIND, { namespace: 'default', name: p.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } } })
            .catch(() => undefined);
        }
      })().finally(() => (busy = false));
    }, 25);
  });

  after(async () => {
    if (kubelet) clearInterval(kubelet);
    await new Promise((r) => server?.close(r));
    await env?.close();
  });

  it('rollout status finishes for a new Deployment', async () => {
    await ok(['apply', '-f', '-'], APP);
    const out = await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.match(out, /deployment "web" successfully rolled out/);
    assert.match(await ok(['get', 'deployment', 'web']), /web\s+3\/3\s+3\s+3/);
  });

  let first: ReplicaSet | undefined;

  it('set image rolls out revision 2 and rollout history lists both revisions', async () => {
    [first] = await replicaSets();
    await ok(['set', 'image', 'deployment/web', 'web=nginx:1.28']);
    assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
    assert.equal((await replicaSets()).length, 2);
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
  });

  // kubectl sends the old template back with spec.template.metadata.creationTimestamp: null (Go's zero Time).
  it('rollout undo returns to the first ReplicaSet as revision 3', async () => {
    assert.match(await ok(['rollout', 'undo', 'deployment/web']), /rolled back/);
    assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
    const rss = await replicaSets();
    assert.equal(rss.length, 2, 'undo reuses the old ReplicaSet');
    const back = rss.find((rs) => rs.metadata!.uid === first!.metadata!.uid)!;
    assert.equal(back.spec.replicas, 3);
    assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
    const image = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    assert.equal(image, 'nginx:1.27');
  });

  it('rollout restart makes a new ReplicaSet; pause holds a template change until resume', async () => {
    await ok(['rollout', 'restart', 'deployment/web']);
    assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
    assert.equal((await replicaSets()).length, 3);
    await ok(['rollout', 'pause', 'deployment/web']);
    await ok(['set', 'image', 'deployment/web', 'web=nginx:1.29']);
    await eventually(async () => {
      const d = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json'])) as { metadata: { generation: number }; status: { observedGeneration: number; conditions: { type: string; reason: string }[] } };
      return d.status.observedGeneration === d.metadata.generation && d.status.conditions.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused');
    }, 10_000, 'paused condition');
    assert.equal((await replicaSets()).length, 3, 'no new ReplicaSet while paused');
    await ok(['rollout', 'resume', 'deployment/web']);
    assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
    assert.equal((await replicaSets()).length, 4);
  });
});
