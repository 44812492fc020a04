import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbidden } from '../../../apimachinery/errors.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import { sequenceRandom } from '../../../topology/random.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { setupReplicaSetController } from './index.js';
import { POD_KIND, REPLICA_SET_KIND, type Pod, type ReplicaSet } from './types.js';

function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };
}

async function podsOf(env: WorkloadEnv, rs: KubeObject): Promise<Pod[]> {
  const list = await env.client.list<Pod>(POD_KIND, { namespace: 'default' });
  return list.items.filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata?.uid && r.controller));
}

async function withEnv(fn: (env: WorkloadEnv) => Promise<void>, opts: Parameters<typeof setupReplicaSetController>[1] = {}): Promise<void> {
  const env = await startWorkloadEnv([(ctx) => setupReplicaSetController(ctx, opts)]);
  try {
    await fn(env);
  } finally {
    await env.close();
  }
}

test('ReplicaSet: creates named Pods with a blocking controller reference, scales up and down, reports status', () =>
  withEnv(
    async (env) => {
      const rs = await env.client.create(replicaSet('web', 3));
      const pods = await eventually(async () => ((await podsOf(env, rs)).length === 3 ? podsOf(env, rs) : undefined), 5000, '3 pods');
      assert.deepEqual(pods.map((p) => p.metadata!.name).sort(), ['web-bbbbb', 'web-ccccc', 'web-ddddd']);
      for (const p of pods) {
        assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
        assert.equal(p.metadata!.labels!.app, 'web');
      }
      await eventually(async () => {
        const s = (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'web' })).status;
        return s?.replicas === 3 && s.fullyLabeledReplicas === 3 && s.readyReplicas === 0 && s.observedGeneration === 1;
      });
      // Two become Ready: readyReplicas and availableReplicas follow.
      for (const p of pods.slice(0, 2)) {
        await env.client.patchStatus(POD_KIND, { namespace: 'default', name: p.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] } } });
      }
      await eventually(async () => {
        const s = (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'web' })).status;
        return s?.readyReplicas === 2 && s.availableReplicas === 2;
      });
      // Scale down to 1: the not-ready Pod goes first, then one of the ready ones.
      await env.client.patch(REPLICA_SET_KIND, { namespace: 'default', name: 'web' }, { type: 'merge', body: { spec: { replicas: 1 } } });
      const left = await eventually(async () => ((await podsOf(env, rs)).length === 1 ? podsOf(env, rs) : undefined), 5000, '1 pod');
      assert.ok(pods.slice(0, 2).some((p) => p.metadata!.name === left[0]!.metadata!.name), 'a ready pod survives');
      await eventually(async () => {
        const s = (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'web' })).status;
        return s?.replicas === 1 && s.observedGeneration === 2;
      });
      // Pods deleted by someone else are replaced.
      await env.client.delete(POD_KIND, { namespace: 'default', name: left[0]!.metadata!.name! });
      await eventually(async () => (await podsOf(env, rs)).length === 1 && (await podsOf(env, rs))[0]!.metadata!.name !== left[0]!.metadata!.name);
    },
    { random: sequenceRandom(['bbbbb', 'ccccc', 'ddddd', 'fffff', 'ggggg']) },
  ));

test('ReplicaSet: adopts matching orphans and releases Pods whose labels stop matching', () =>
  withEnv(async (env) => {
    const orphan = await env.client.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const other = await env.client.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unrelated', namespace: 'default', labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const rs = await env.client.create(replicaSet('api', 2));
    await eventually(async () => (await podsOf(env, rs)).length === 2, 5000, 'two pods');
    const adopted = await env.client.get<Pod>(POD_KIND, { namespace: 'default', name: 'stray' });
    assert.equal(adopted.metadata!.ownerReferences?.[0]?.uid, rs.metadata!.uid);
    assert.equal(adopted.metadata!.ownerReferences?.[0]?.blockOwnerDeletion, true);
    assert.equal((await env.client.get<Pod>(POD_KIND, { namespace: 'default', name: 'unrelated' })).metadata!.ownerReferences, undefined);
    void orphan;
    void other;
    // Relabel the adopted Pod: it is released and replaced.
    await env.client.patch(POD_KIND, { namespace: 'default', name: 'stray' }, { type: 'merge', body: { metadata: { labels: { app: 'debug' } } } });
    await eventually(async () => (await env.client.get<Pod>(POD_KIND, { namespace: 'default', name: 'stray' })).metadata!.ownerReferences === undefined, 5000, 'released');
    await eventually(async () => (await podsOf(env, rs)).length === 2 && !(await podsOf(env, rs)).some((p) => p.metadata!.name === 'stray'), 5000, 'replaced');
  }));

test('ReplicaSet: a refused create sets ReplicaFailure (FailedCreate), cleared once creates work', () =>
  withEnv(async (env) => {
    let refuse = true;
    env.objects.admission.push({
      name: 'test-quota',
      admit: (a) => {
        if (refuse && a.operation === 'CREATE' && a.info.kind === 'Pod') throw forbidden(`pods "${a.name}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=0, limited: pods=0`);
      },
    });
    await env.client.create(replicaSet('quota', 2));
    const cond = await eventually(async () => (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'quota' })).status?.conditions?.find((c) => c.type === 'ReplicaFailure'), 5000, 'ReplicaFailure');
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'FailedCreate');
    assert.match(cond.message!, /exceeded quota/);
    refuse = false;
    await env.client.patch(REPLICA_SET_KIND, { namespace: 'default', name: 'quota' }, { type: 'merge', body: { metadata: { annotations: { poke: '1' } } } });
    await eventually(async () => {
      const s = (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'quota' })).status;
      return s?.replicas === 2 && !s.conditions?.some((c) => c.type === 'ReplicaFailure');
    }, 10_000, 'recovered');
  }));

test('ReplicaSet: minReadySeconds delays availableReplicas', () =>
  withEnv(async (env) => {
    const spec = replicaSet('slow', 1);
    spec.spec.minReadySeconds = 1;
    await env.client.create(spec);
    const [p] = await eventually(async () => {
      const l = (await env.client.list<Pod>(POD_KIND, { namespace: 'default' })).items;
      return l.length === 1 ? l : undefined;
    });
    await env.client.patchStatus(POD_KIND, { namespace: 'default', name: p!.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] } } });
    await eventually(async () => (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'slow' })).status?.readyReplicas === 1);
    assert.equal((await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'slow' })).status?.availableReplicas ?? 0, 0);
    await eventually(async () => (await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: 'default', name: 'slow' })).status?.availableReplicas === 1, 5000, 'available after minReadySeconds');
  }));
