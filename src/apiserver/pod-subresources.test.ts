/** pods/binding and pods/eviction against a real ObjectStore serving a workload cluster's kinds. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { workloadClusterResources, workloadClusterStrategies } from '../api/kubernetes/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { ObjectStore } from './object-store.js';
import { ResourceRegistry } from './registry.js';

describe('pod subresources', () => {
  let objects: ObjectStore;
  const pods = () => objects.registry.get('', 'v1', 'pods')!;
  const pdbs = () => objects.registry.get('policy', 'v1', 'poddisruptionbudgets')!;
  const pod = (name: string, labels: Record<string, string> = { app: 'web' }): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

  beforeEach(async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    objects = new ObjectStore(new MemoryStore(), registry, { strategies: workloadClusterStrategies() });
    await objects.create(registry.get('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, {});
  });

  it('binding assigns the Node once and marks the Pod scheduled; a second binding is a conflict', async () => {
    await objects.create(pods(), 'default', pod('a'), {});
    const status = await objects.createSubresource(pods(), 'default', 'a', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'a' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } } as KubeObject, {});
    assert.equal((status as { status?: string }).status, 'Success');
    const bound = await objects.get(pods(), 'default', 'a');
    assert.equal((bound.spec as { nodeName?: string }).nodeName, 'node-1');
    assert.ok(((bound.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'True'));
    await assert.rejects(objects.createSubresource(pods(), 'default', 'a', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'a' }, target: { name: 'node-2' } } as KubeObject, {}), (e: unknown) => e instanceof StatusError && e.code === 409 && /already assigned to node "node-1"/.test(e.message));
    await assert.rejects(objects.createSubresource(pods(), 'default', 'a', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'a' }, target: {} } as KubeObject, {}), (e: unknown) => e instanceof StatusError && e.code === 422 && /target\.name/.test(e.message));
    await assert.rejects(objects.createSubresource(pods(), 'default', 'a', 'exec', {} as KubeObject, {}), (e: unknown) => e instanceof StatusError && e.code === 404);
  });

  it('binding writes straight to storage as upstream BindingREST: annotations copied, nominatedNodeName cleared, no managed-fields entry; gated, deleted or mismatched Pods refused', async () => {
    const created = await objects.create(pods(), 'default', { ...pod('g'), status: {} }, { fieldManager: 'kube-controller-manager' });
    const managedBefore = JSON.stringify(created.object.metadata?.managedFields);
    await objects.patch(pods(), 'default', 'g', 'merge', { status: { nominatedNodeName: 'node-9' } }, {}, 'status');
    const binding = (meta: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'g', ...meta }, target: { name: 'node-1' } }) as KubeObject;
    await assert.rejects(objects.createSubresource(pods(), 'default', 'g', 'binding', binding({ uid: 'not-the-uid' }), {}), (e: unknown) => e instanceof StatusError && e.code === 409 && /Precondition failed: UID in precondition: not-the-uid/.test(e.message));
    await objects.createSubresource(pods(), 'default', 'g', 'binding', binding({ uid: created.object.metadata!.uid, annotations: { 'scheduler.example/why': 'test' } }), {});
    const bound = await objects.get(pods(), 'default', 'g');
    assert.equal((bound.spec as { nodeName?: string }).nodeName, 'node-1');
    assert.equal(bound.metadata?.annotations?.['scheduler.example/why'], 'test');
    assert.equal((bound.status as { nominatedNodeName?: string }).nominatedNodeName, undefined);
    const scheduled = ((bound.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] }).conditions ?? []).filter((c) => c.type === 'PodScheduled');
    assert.equal(scheduled.length, 1);
    assert.equal(scheduled[0]!.status, 'True');
    assert.ok(scheduled[0]!.lastTransitionTime);
    // Only the status write added an entry; the binding added none (a storage write, as kube-apiserver's).
    assert.deepEqual((bound.metadata?.managedFields ?? []).map((m) => `${m.manager}/${m.subresource ?? ''}`).sort(), [...JSON.parse(managedBefore).map((m: { manager: string; subresource?: string }) => `${m.manager}/${m.subresource ?? ''}`), 'unknown/status'].sort());
    assert.equal(
      await objects.createSubresource(pods(), 'default', 'g', 'binding', binding({}), {}).then(() => '', (e: unknown) => (e as Error).message),
      'Operation cannot be fulfilled on pods/binding "g": pod g is already assigned to node "node-1"',
    );
    await objects.create(pods(), 'default', { ...pod('gated'), spec: { ...(pod('gated').spec as object), schedulingGates: [{ name: 'example.com/wait' }] } }, {});
    assert.equal(
      await objects.createSubresource(pods(), 'default', 'gated', 'binding', { ...binding({}), metadata: { name: 'gated' } } as KubeObject, {}).then(() => '', (e: unknown) => (e as Error).message),
      'Operation cannot be fulfilled on pods/binding "gated": pod gated has non-empty .spec.schedulingGates',
    );
    await objects.create(pods(), 'default', { ...pod('going'), metadata: { ...pod('going').metadata, finalizers: ['example.com/hold'] } }, {});
    await objects.delete(pods(), 'default', 'going', {});
    assert.equal(
      await objects.createSubresource(pods(), 'default', 'going', 'binding', { ...binding({}), metadata: { name: 'going' } } as KubeObject, {}).then(() => '', (e: unknown) => (e as Error).message),
      'Operation cannot be fulfilled on pods/binding "going": pod going is being deleted, cannot be assigned to a host',
    );
  });

  it('eviction honours a PodDisruptionBudget: allowed disruptions are taken one at a time, then 429', async () => {
    for (const n of ['a', 'b', 'c']) await objects.create(pods(), 'default', pod(n), {});
    await objects.create(pods(), 'default', pod('other', { app: 'db' }), {});
    const created = await objects.create(pdbs(), 'default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } }, {});
    const stale = objects.createSubresource(pods(), 'default', 'a', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'a' } } as KubeObject, {});
    await assert.rejects(stale, (e: unknown) => e instanceof StatusError && e.code === 429 && /still being processed/.test(JSON.stringify(e.details)));
    await objects.update(pdbs(), 'default', 'web', { ...created.object, status: { observedGeneration: created.object.metadata!.generation, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } }, {}, 'status');
    await objects.createSubresource(pods(), 'default', 'a', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'a' } } as KubeObject, {});
    await assert.rejects(objects.get(pods(), 'default', 'a'), (e: unknown) => e instanceof StatusError && e.code === 404);
    const budget = await objects.get(pdbs(), 'default', 'web');
    assert.equal((budget.status as { disruptionsAllowed: number }).disruptionsAllowed, 0);
    assert.ok('a' in ((budget.status as { disruptedPods: Record<string, string> }).disruptedPods));
    await assert.rejects(
      objects.createSubresource(pods(), 'default', 'b', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'b' } } as KubeObject, {}),
      (e: unknown) => e instanceof StatusError && e.code === 429 && e.message === "Cannot evict pod as it would violate the pod's disruption budget." && /needs 2 healthy pods and has 3 currently/.test(JSON.stringify(e.details)),
    );
    // A Pod no budget selects goes at once.
    await objects.createSubresource(pods(), 'default', 'other', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } } as KubeObject, {});
    await assert.rejects(objects.get(pods(), 'default', 'other'), (e: unknown) => e instanceof StatusError && e.code === 404);
  });
});
