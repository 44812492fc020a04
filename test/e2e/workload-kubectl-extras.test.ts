/**
 * kubectl's everyday extras against a workload cluster (sim provider): `kubectl autoscale` (autoscaling/v1 served
 * beside v2, stored as v2), `kubectl logs` (simulated lines from pods/log, --tail, -c, -f) and `kubectl debug`
 * (pods/ephemeralcontainers; the sim kubelet runs the ephemeral container).
 */
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
});
