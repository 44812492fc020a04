import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbidden } from '../../../apimachinery/errors.js';
import { deepClone } from '../../../apimachinery/types.js';
import { FakeClock, type Clock } from '../../../runtime/clock.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { setupReplicaSetController } from '../replicaset/index.js';
import { isPodActive, isPodReady } from '../replicaset/pods.js';
import { POD_KIND, REPLICA_SET_KIND, type Pod, type ReplicaSet } from '../replicaset/types.js';
import { computeHash } from './hash.js';
import { setupDeploymentController } from './index.js';
import { DEPLOYMENT_KIND, type Deployment } from './types.js';

const NS = 'default';

function deployment(name: string, replicas: number, image: string, extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } }, ...extra },
  };
}

async function withEnv(fn: (env: WorkloadEnv) => Promise<void>, clock?: Clock): Promise<void> {
  const env = await startWorkloadEnv([(ctx) => setupReplicaSetController(ctx), (ctx) => setupDeploymentController(ctx)], { clock });
  try {
    await fn(env);
  } finally {
    await env.close();
  }
}

const getD = (env: WorkloadEnv, name: string): Promise<Deployment> => env.client.get<Deployment>(DEPLOYMENT_KIND, { namespace: NS, name });

async function replicaSetsOf(env: WorkloadEnv, d: Deployment): Promise<ReplicaSet[]> {
  return (await env.client.list<ReplicaSet>(REPLICA_SET_KIND, { namespace: NS })).items.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === d.metadata?.uid && r.controller));
}

async function podsOf(env: WorkloadEnv, app: string): Promise<Pod[]> {
  return (await env.client.list<Pod>(POD_KIND, { namespace: NS })).items.filter((p) => p.metadata?.labels?.app === app && isPodActive(p));
}

/** Plays the kubelet: up to `max` not-ready Pods of the app become Running and Ready. */
async function makeReady(env: WorkloadEnv, app: string, max = Infinity, clock?: Clock): Promise<number> {
  let n = 0;
  for (const p of await podsOf(env, app)) {
    if (n >= max) break;
    if (isPodReady(p)) continue;
    const t = new Date((clock ?? { nowMs: () => Date.now() }).nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await env.client.patchStatus(POD_KIND, { namespace: NS, name: p.metadata!.name! }, { type: 'merge', body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } } });
    n++;
  }
  return n;
}

/** kubectl rollout status's verdict for a Deployment (DeploymentStatusViewer). */
function rolloutStatus(d: Deployment): { done: boolean; message: string } {
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: 'Waiting for deployment spec update to be observed...' };
  if (s.conditions?.find((c) => c.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded') throw new Error(`deployment "${d.metadata!.name}" exceeded its progress deadline`);
  const want = d.spec.replicas ?? 1;
  if ((s.updatedReplicas ?? 0) < want) return { done: false, message: `${s.updatedReplicas ?? 0} out of ${want} new replicas have been updated...` };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return { done: false, message: `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination...` };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return { done: false, message: `${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} updated replicas are available...` };
  return { done: true, message: `deployment "${d.metadata!.name}" successfully rolled out` };
}

/** Drive a rollout to completion as the kubelet (one Pod Ready per step), checking `check` whenever the controllers are at rest. */
async function driveRollout(env: WorkloadEnv, name: string, check: (pods: Pod[], rss: ReplicaSet[], d: Deployment) => void, perStep = 1): Promise<Deployment> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    assert.ok(Date.now() < deadline, 'rollout did not finish');
    const d = await getD(env, name);
    const rss = await replicaSetsOf(env, d);
    const pods = await podsOf(env, name);
    const atRest = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && rss.every((rs) => (rs.status?.replicas ?? 0) === (rs.spec.replicas ?? 0) && (rs.status?.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0)) && pods.length === rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    if (atRest) {
      check(pods, rss, d);
      if (rolloutStatus(d).done) return d;
      if ((await makeReady(env, name, perStep)) === 0) await new Promise((r) => setTimeout(r, 20));
    } else await new Promise((r) => setTimeout(r, 10));
  }
}

test('Deployment: ReplicaSet <name>-<pod-template-hash>, hash label on RS, selector and Pods, revision and replica annotations', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('web', 3, 'nginx:1.27'));
    const d = await eventually(async () => {
      const x = await getD(env, 'web');
      return (await replicaSetsOf(env, x)).length === 1 ? x : undefined;
    });
    const [rs] = await replicaSetsOf(env, d);
    const hash = computeHash(d.spec.template!);
    assert.equal(rs!.metadata!.name, `web-${hash}`);
    assert.equal(rs!.metadata!.labels!['pod-template-hash'], hash);
    assert.equal(rs!.spec.selector!.matchLabels!['pod-template-hash'], hash);
    assert.equal(rs!.spec.template!.metadata!.labels!['pod-template-hash'], hash);
    assert.deepEqual(rs!.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '4');
    await eventually(async () => (await getD(env, 'web')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1');
    const pods = await eventually(async () => ((await podsOf(env, 'web')).length === 3 ? podsOf(env, 'web') : undefined));
    for (const p of pods) {
      assert.equal(p.metadata!.labels!['pod-template-hash'], hash);
      assert.match(p.metadata!.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    }
    // Not ready yet: progressing, not available.
    const s1 = await eventually(async () => {
      const x = await getD(env, 'web');
      return x.status?.replicas === 3 ? x.status : undefined;
    });
    assert.equal(s1.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
    assert.equal(s1.conditions?.find((c) => c.type === 'Progressing')?.status, 'True');
    assert.equal(s1.unavailableReplicas, 3);
    await makeReady(env, 'web');
    const done = await eventually(async () => {
      const x = await getD(env, 'web');
      return rolloutStatus(x).done ? x : undefined;
    });
    assert.equal(done.status!.conditions!.find((c) => c.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');
    assert.equal(done.status!.conditions!.find((c) => c.type === 'Progressing')!.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
    assert.equal(done.status!.conditions!.find((c) => c.type === 'Available')!.reason, 'MinimumReplicasAvailable');
    assert.deepEqual([done.status!.replicas, done.status!.updatedReplicas, done.status!.readyReplicas, done.status!.availableReplicas, done.status!.unavailableReplicas ?? 0], [3, 3, 3, 3, 0]);
  }));

for (const c of [
  { name: 'integers (maxSurge 1, maxUnavailable 1)', replicas: 4, surge: 1 as number | string, unavailable: 1 as number | string, maxTotal: 5, minReady: 3 },
  { name: 'percentages round surge up, unavailable down (10 replicas, 25%/25% -> 3 and 2)', replicas: 10, surge: '25%', unavailable: '25%', maxTotal: 13, minReady: 8 },
  { name: 'maxUnavailable 0 (surge only)', replicas: 3, surge: 1, unavailable: 0, maxTotal: 4, minReady: 3 },
]) {
  test(`Deployment: RollingUpdate keeps maxSurge/maxUnavailable at every step: ${c.name}`, () =>
    withEnv(async (env) => {
      await env.client.create(deployment('app', c.replicas, 'nginx:1.27', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: c.surge, maxUnavailable: c.unavailable } } }));
      await driveRollout(env, 'app', () => {}, 100);
      await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'app' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } });
      let steps = 0;
      const d = await driveRollout(env, 'app', (pods, rss, x) => {
        steps++;
        const specSum = rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
        assert.ok(pods.length <= c.maxTotal, `${pods.length} pods exceed ${c.maxTotal}`);
        assert.ok(specSum <= c.maxTotal, `ReplicaSets ask for ${specSum} > ${c.maxTotal}`);
        const ready = pods.filter(isPodReady).length;
        assert.ok(ready >= c.minReady, `only ${ready} ready pods, need ${c.minReady} (${JSON.stringify(x.status)})`);
      });
      assert.ok(steps > 2);
      const rss = await replicaSetsOf(env, d);
      assert.equal(rss.length, 2);
      const newRS = rss.find((rs) => rs.metadata!.annotations!['deployment.kubernetes.io/revision'] === '2')!;
      assert.equal(newRS.spec.replicas, c.replicas);
      assert.equal(rss.find((rs) => rs !== newRS)!.spec.replicas, 0);
      assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
      for (const p of await podsOf(env, 'app')) assert.equal((p.spec as { containers: { image: string }[] }).containers[0]!.image, 'nginx:1.28');
    }));
}

test('Deployment: Recreate scales the old ReplicaSet to zero before the new one starts', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('rec', 3, 'nginx:1.27', { strategy: { type: 'Recreate' } }));
    await driveRollout(env, 'rec', () => {}, 100);
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'rec' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } });
    const d = await driveRollout(env, 'rec', (pods) => {
      const images = new Set(pods.map((p) => (p.spec as { containers: { image: string }[] }).containers[0]!.image));
      assert.ok(images.size <= 1, `old and new Pods at once: ${[...images].join(', ')}`);
    }, 100);
    assert.equal(d.status!.updatedReplicas, 3);
  }));

test('Deployment: revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('hist', 1, 'nginx:1', { revisionHistoryLimit: 1 }));
    await driveRollout(env, 'hist', () => {}, 100);
    for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
      await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'hist' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } } });
      await driveRollout(env, 'hist', () => {}, 100);
    }
    const d = await getD(env, 'hist');
    const rss = await eventually(async () => {
      const l = await replicaSetsOf(env, d);
      return l.length === 2 ? l : undefined;
    }, 10_000, 'two ReplicaSets left');
    assert.deepEqual(rss.map((rs) => rs.metadata!.annotations!['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
  }));

test('Deployment: kubectl rollout undo (old template patched back) reuses the old ReplicaSet under the next revision', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('undo', 2, 'nginx:1.27'));
    await driveRollout(env, 'undo', () => {}, 100);
    const d1 = await getD(env, 'undo');
    const [rs1] = await replicaSetsOf(env, d1);
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'undo' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } });
    await driveRollout(env, 'undo', () => {}, 100);
    // What kubectl rollout undo does: the revision-1 ReplicaSet's template without the hash label replaces the Deployment's.
    const template = deepClone(rs1!.spec.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    const current = await getD(env, 'undo');
    await env.client.update({ ...current, spec: { ...current.spec, template } });
    const d = await driveRollout(env, 'undo', () => {}, 100);
    const rss = await replicaSetsOf(env, d);
    assert.equal(rss.length, 2, 'no third ReplicaSet');
    const back = rss.find((rs) => rs.metadata!.uid === rs1!.metadata!.uid)!;
    assert.equal(back.spec.replicas, 2);
    assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(d.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
  }));

test('Deployment: kubectl rollout restart (template annotation) rolls out a new ReplicaSet', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('rs', 2, 'nginx:1.27'));
    await driveRollout(env, 'rs', () => {}, 100);
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'rs' }, { type: 'merge', body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2030-01-01T00:00:00Z' } } } } } });
    const d = await driveRollout(env, 'rs', () => {}, 100);
    assert.equal((await replicaSetsOf(env, d)).length, 2);
    for (const p of await podsOf(env, 'rs')) assert.equal(p.metadata!.annotations!['kubectl.kubernetes.io/restartedAt'], '2030-01-01T00:00:00Z');
  }));

test('Deployment: paused makes no new ReplicaSet but scales; resume rolls out', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('p', 2, 'nginx:1.27'));
    await driveRollout(env, 'p', () => {}, 100);
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'p' }, { type: 'merge', body: { spec: { paused: true } } });
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'p' }, { type: 'merge', body: { spec: { replicas: 4, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } });
    const paused = await eventually(async () => {
      const x = await getD(env, 'p');
      const rss = await replicaSetsOf(env, x);
      return x.status?.observedGeneration === x.metadata?.generation && rss.length === 1 && rss[0]!.spec.replicas === 4 ? x : undefined;
    }, 5000, 'paused deployment scaled');
    const cond = paused.status!.conditions!.find((c) => c.type === 'Progressing')!;
    assert.deepEqual([cond.status, cond.reason, cond.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await replicaSetsOf(env, paused)).length, 1, 'still one ReplicaSet while paused');
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'p' }, { type: 'merge', body: { spec: { paused: false } } });
    const d = await driveRollout(env, 'p', () => {}, 100);
    assert.equal((await replicaSetsOf(env, d)).length, 2);
    assert.equal(d.status!.updatedReplicas, 4);
  }));

test('Deployment: replicas changed mid-rollout are spread proportionally over the ReplicaSets', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('prop', 10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await driveRollout(env, 'prop', () => {}, 100);
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'prop' }, { type: 'merge', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } } });
    // New Pods never become ready: the rollout stalls at 13 = 10 + maxSurge, old 8 and new 5.
    const stalled = await eventually(async () => {
      const x = await getD(env, 'prop');
      const rss = (await replicaSetsOf(env, x)).sort((a, b) => (a.spec.replicas ?? 0) - (b.spec.replicas ?? 0));
      return rss.length === 2 && rss[0]!.spec.replicas === 5 && rss[1]!.spec.replicas === 8 ? x : undefined;
    }, 5000, 'stalled rollout');
    await env.client.patch(DEPLOYMENT_KIND, { namespace: NS, name: 'prop' }, { type: 'merge', body: { spec: { replicas: 20 } } });
    // 20 + 3 = 23 allowed, 10 to add: old 8 -> 8*23/13 = 14.15 -> +6; new 5 -> 5*23/13 = 8.85 -> +4.
    await eventually(async () => {
      const rss = await replicaSetsOf(env, stalled);
      const byRev = Object.fromEntries(rss.map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs.spec.replicas]));
      return byRev['1'] === 14 && byRev['2'] === 9;
    }, 5000, 'proportional sizes');
  }));

test('Deployment: no progress within progressDeadlineSeconds gives ProgressDeadlineExceeded', async () => {
  const clock = new FakeClock(Date.UTC(2030, 0, 1));
  await withEnv(async (env) => {
    await env.client.create(deployment('stuck', 2, 'nginx:1.27', { progressDeadlineSeconds: 30 }));
    await eventually(async () => (await getD(env, 'stuck')).status?.conditions?.find((c) => c.type === 'Progressing')?.status === 'True', 5000, 'progressing');
    await clock.advance(20_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.notEqual((await getD(env, 'stuck')).status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
    await clock.advance(15_000);
    const c = await eventually(async () => {
      const x = (await getD(env, 'stuck')).status?.conditions?.find((k) => k.type === 'Progressing');
      return x?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    }, 5000, 'deadline exceeded');
    assert.equal(c.status, 'False');
    assert.match(c.message!, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    assert.throws(() => rolloutStatus({ ...({} as Deployment), metadata: { name: 'stuck', generation: 1 }, spec: {}, status: { observedGeneration: 1, conditions: [c] } }), /exceeded its progress deadline/);
  }, clock);
});

test('Deployment: deleting it removes its ReplicaSets and Pods through the garbage collector', () =>
  withEnv(async (env) => {
    await env.client.create(deployment('gone', 2, 'nginx:1.27'));
    await eventually(async () => (await podsOf(env, 'gone')).length === 2, 5000, 'pods');
    await env.client.delete(DEPLOYMENT_KIND, { namespace: NS, name: 'gone' });
    await eventually(async () => (await env.client.list(REPLICA_SET_KIND, { namespace: NS })).items.length === 0 && (await podsOf(env, 'gone')).length === 0, 10_000, 'all gone');
  }));

test('Deployment: adopts a matching orphan ReplicaSet with its template as the new one, and reports ReplicaFailure', () =>
  withEnv(async (env) => {
    env.objects.admission.push({
      name: 'test-quota',
      admit: (a) => {
        if (a.operation === 'CREATE' && a.info.kind === 'Pod' && a.object?.metadata?.labels?.app === 'quota') throw forbidden('pods is forbidden: exceeded quota: pods');
      },
    });
    const d0 = deployment('orphan', 2, 'nginx:1.27');
    const created = await env.client.create(d0);
    const hash = computeHash(created.spec.template!);
    await env.client.delete(DEPLOYMENT_KIND, { namespace: NS, name: 'orphan' });
    await eventually(async () => (await env.client.list(REPLICA_SET_KIND, { namespace: NS })).items.length === 0);
    const labels = { app: 'orphan', 'pod-template-hash': 'manual' };
    await env.client.create<ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'orphan-manual', namespace: NS, labels }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { ...deepClone(created.spec.template!), metadata: { labels } } } });
    const d = await env.client.create(deployment('orphan', 2, 'nginx:1.27'));
    const adopted = await eventually(async () => {
      const rs = await env.client.get<ReplicaSet>(REPLICA_SET_KIND, { namespace: NS, name: 'orphan-manual' });
      return rs.metadata?.ownerReferences?.[0]?.uid === d.metadata!.uid && rs.spec.replicas === 2 ? rs : undefined;
    }, 5000, 'adopted and scaled');
    assert.equal(adopted.metadata!.ownerReferences![0]!.controller, true);
    assert.equal(adopted.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal((await replicaSetsOf(env, d)).length, 1, `no ReplicaSet orphan-${hash} made`);
    // A ReplicaSet whose Pods are refused: the Deployment shows its ReplicaFailure.
    await env.client.create(deployment('quota', 1, 'nginx:1.27'));
    const failure = await eventually(async () => (await getD(env, 'quota')).status?.conditions?.find((c) => c.type === 'ReplicaFailure'), 5000, 'ReplicaFailure');
    assert.deepEqual([failure.status, failure.reason], ['True', 'FailedCreate']);
    assert.match(failure.message!, /exceeded quota/);
  }));

test('Deployment: a ReplicaSet name taken by another template bumps collisionCount and hashes again', () =>
  withEnv(async (env) => {
    const probe = await env.client.create(deployment('coll', 1, 'nginx:1.27'));
    const template = probe.spec.template!;
    await env.client.delete(DEPLOYMENT_KIND, { namespace: NS, name: 'coll' });
    await eventually(async () => (await env.client.list(REPLICA_SET_KIND, { namespace: NS })).items.length === 0);
    const other = { app: 'squatter' };
    await env.client.create<ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `coll-${computeHash(template)}`, namespace: NS, labels: other }, spec: { replicas: 0, selector: { matchLabels: other }, template: { metadata: { labels: other }, spec: { containers: [{ name: 'x', image: 'busybox' }] } } } });
    await env.client.create(deployment('coll', 1, 'nginx:1.27'));
    const d = await eventually(async () => {
      const x = await getD(env, 'coll');
      return x.status?.collisionCount === 1 && (await replicaSetsOf(env, x)).length === 1 ? x : undefined;
    }, 5000, 'collision resolved');
    assert.equal((await replicaSetsOf(env, d))[0]!.metadata!.name, `coll-${computeHash(template, 1)}`);
  }));
