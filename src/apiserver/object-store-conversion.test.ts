/** A kind served in two versions of different shapes (autoscaling/v1 and v2 HorizontalPodAutoscaler), stored once. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../apimachinery/types.js';
import { workloadClusterResources, workloadClusterStrategies } from '../api/kubernetes/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { METRIC_SPECS_ANNOTATION } from './hpa-conversion.js';
import { ObjectStore, type WatchEvent } from './object-store.js';
import { ResourceRegistry } from './registry.js';

describe('object store: HorizontalPodAutoscaler in autoscaling/v1 and v2', () => {
  let objects: ObjectStore;
  let store: MemoryStore;
  const v1 = () => objects.registry.get('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const v2 = () => objects.registry.get('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

  beforeEach(async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    store = new MemoryStore();
    objects = new ObjectStore(store, registry, { strategies: workloadClusterStrategies() });
    await objects.create(registry.get('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, {});
  });

  it('a v1 create is stored as v2 and reads back in either version (get, list, list text, watch)', async () => {
    assert.equal(v1().storageVersion, 'v2');
    const created = await objects.create(v1(), 'default', { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 70 } }, {});
    assert.deepEqual(created.object.spec, { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
    assert.equal(JSON.parse(created.json!).apiVersion, 'autoscaling/v1');
    assert.deepEqual(JSON.parse(created.json!).spec, created.object.spec);
    const stored = JSON.parse((await store.get('/registry/autoscaling/horizontalpodautoscalers/default/web'))!.value) as KubeObject;
    assert.equal(stored.apiVersion, 'autoscaling/v2');
    assert.deepEqual((stored.spec as { metrics: unknown }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    assert.deepEqual((await objects.get(v2(), 'default', 'web')).spec, stored.spec);
    assert.deepEqual((await objects.list(v1(), 'default')).items[0]!.spec, created.object.spec);
    const text = await objects.listText(v1(), 'default');
    assert.deepEqual(JSON.parse(text.items.text(0)).spec, created.object.spec);
    const events: WatchEvent[] = [];
    const w = await objects.watch(v1(), 'default', { resourceVersion: '0' }, (e) => events.push(e));
    w.stop();
    assert.equal(JSON.parse(events[0]!.json()).spec.targetCPUUtilizationPercentage, 70);
  });

  it('a v2 object written back through v1 keeps its other metrics and behavior', async () => {
    const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } };
    const behavior = { scaleDown: { stabilizationWindowSeconds: 30 } };
    await objects.create(v2(), 'default', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5, metrics: [pods, cpu], behavior } }, {});
    const asV1 = await objects.get(v1(), 'default', 'web');
    assert.ok(asV1.metadata?.annotations?.[METRIC_SPECS_ANNOTATION]);
    await objects.update(v1(), 'default', 'web', { ...asV1, spec: { ...(asV1.spec as object), maxReplicas: 9 } }, {});
    const back = await objects.get(v2(), 'default', 'web');
    const spec = back.spec as { maxReplicas: number; metrics: unknown[]; behavior: { scaleDown: { stabilizationWindowSeconds: number } } };
    assert.equal(spec.maxReplicas, 9);
    assert.deepEqual(spec.metrics, [pods, cpu]);
    assert.equal(spec.behavior.scaleDown.stabilizationWindowSeconds, 30);
    assert.equal(back.metadata?.annotations, undefined);
    // A v1 body sent to the v2 endpoint is converted, not relabelled.
    const r = await objects.update(v2(), 'default', 'web', { ...asV1, metadata: { ...asV1.metadata, resourceVersion: back.metadata!.resourceVersion }, spec: { ...(asV1.spec as object), maxReplicas: 4 } }, {});
    assert.deepEqual((r.object.spec as { metrics: unknown[] }).metrics, [pods, cpu]);
  });
});
