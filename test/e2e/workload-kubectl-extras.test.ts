/**
 * kubectl's everyday extras against a workload cluster (sim provider): `kubectl autoscale` (autoscaling/v1 served
 * beside v2, stored as v2), `kubectl logs` (simulated lines from pods/log, --tail, -c, -f) and `kubectl debug`
 * (pods/ephemeralcontainers; the sim kubelet runs the ephemeral container).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, eventually, type TestPlane } from '../support/plane.js';
import { kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

describe('kubectl autoscale, logs and debug in a workload cluster (sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;

  before(async () => {
    t = await startPlane({ workloadBehaviour: { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 } });
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'x', workerReplicas: 1 }));
    await waitFor(kb, ['get', 'md', 'x-md-0'], (o: { status?: { readyReplicas?: number } }) => o.status?.readyReplicas === 1, 90_000, 'worker ready');
    wl = await workloadKubectl(kb, 'x');
    await wl.ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']);
    assert.match(await wl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
  });
  after(async () => {
    await t?.close();
  });

  it('kubectl autoscale creates an HPA readable as autoscaling/v1 and autoscaling/v2', async () => {
    await wl.ok(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80']);
    const v1 = JSON.parse(await wl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json'])) as { apiVersion: string; spec: Record<string, unknown> };
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.deepEqual(v1.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 });
    const v2 = JSON.parse(await wl.ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'web', '-o', 'json'])) as { apiVersion: string; spec: { metrics: unknown[] } };
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.match(await wl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '--no-headers']), /^web\s+Deployment\/web\s+cpu: \S+\/80%\s+2\s+5\s+/);
    // Editing through v1 keeps what only v2 says (kept in annotations while the object is v1).
    await wl.ok(['patch', 'hpa', 'web', '--type=merge', '-p', '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":30}}}}']);
    await wl.ok(['patch', 'horizontalpodautoscalers.v1.autoscaling', 'web', '--type=merge', '-p', '{"spec":{"maxReplicas":6}}']);
    const after = JSON.parse(await wl.ok(['get', 'hpa', 'web', '-o', 'json'])) as { spec: { maxReplicas: number; behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } } } };
    assert.equal(after.spec.maxReplicas, 6);
    assert.equal(after.spec.behavior?.scaleDown?.stabilizationWindowSeconds, 30);
    await eventually(async () => {
      const o = JSON.parse(await wl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json'])) as { status?: { currentReplicas?: number } };
      return o.status?.currentReplicas !== undefined ? true : undefined;
    }, 30_000, 'the HPA controller writes status, readable as v1');
  });

  it('kubectl logs prints the simulated lines of a Pod, a Deployment, a container; --tail', async () => {
    const pods = JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string } }[] };
    const name = pods.items[0]!.metadata.name;
    const line = new RegExp(`^\\S+Z \\[sim\\] container nginx of pod default/${name} started \\(image nginx:1\\.27\\); logs are simulated\\n$`);
    assert.match(await wl.ok(['logs', name]), line);
    assert.match(await wl.ok(['logs', name, '-c', 'nginx', '--tail', '1']), line);
    assert.equal(await wl.ok(['logs', name, '--tail', '0']), '');
    assert.match(await wl.ok(['logs', 'deploy/web']), /\[sim\] container nginx of pod default\/web-\S+ started \(image nginx:1\.27\); logs are simulated/);
    const bad = await wl.k(['logs', name, '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod/);
  });

  it('kubectl logs -f receives a line when the container ends, and ends when the Pod is deleted', async () => {
    await wl.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: once, annotations: {sim.slipway.dev/run-seconds: "3"}}\nspec:\n  restartPolicy: Never\n  containers: [{name: task, image: "busybox:1.36"}]\n');
    await eventually(async () => ((await wl.k(['logs', 'once'])).code === 0 ? true : undefined), 30_000, 'once started');
    const dir = dirname(wl.path);
    const child = spawn('kubectl', ['--kubeconfig', wl.path, '--cache-dir', join(dir, 'cache'), 'logs', '-f', 'once'], { env: { ...process.env, HOME: dir } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(async () => (/exited with code 0 \(Completed\); logs are simulated/.test(out) ? true : undefined), 30_000, 'the exit line arrives on the open stream');
      assert.match(out.split('\n')[0]!, /\[sim\] container task of pod default\/once started \(image busybox:1\.36\)/);
      await wl.ok(['delete', 'pod', 'once', '--wait=false']);
      assert.equal(await exited, 0);
    } finally {
      child.kill();
    }
  });

  it('kubectl debug adds an ephemeral container that turns Running', async () => {
    const pods = JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string } }[] };
    const name = pods.items[0]!.metadata.name;
    await wl.ok(['debug', name, '--image=busybox:1.36', '--target=nginx', '--container=dbg']);
    const pod = await eventually(async () => {
      const p = JSON.parse(await wl.ok(['get', 'pod', name, '-o', 'json'])) as {
        spec: { ephemeralContainers?: { name: string; image: string; targetContainerName?: string }[] };
        status: { ephemeralContainerStatuses?: { name: string; state: { running?: unknown } }[] };
      };
      return p.status.ephemeralContainerStatuses?.some((s) => s.name === 'dbg' && s.state.running) ? p : undefined;
    }, 30_000, 'the ephemeral container Running');
    assert.deepEqual(pod.spec.ephemeralContainers?.map((c) => [c.name, c.image, c.targetContainerName]), [['dbg', 'busybox:1.36', 'nginx']]);
    assert.match(await wl.ok(['logs', name, '-c', 'dbg']), /\[sim\] container dbg of pod default\/\S+ started \(image busybox:1\.36\)/);
    // Existing ephemeral containers cannot be removed.
    const r = await wl.k(['patch', 'pod', name, '--subresource=ephemeralcontainers', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /existing ephemeral containers "dbg" may not be removed/);
  });
});
