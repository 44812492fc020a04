import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MACHINE_DEPLOYMENT_KIND, MACHINE_KIND, MACHINE_SET_KIND, type Machine, type MachineDeployment, type MachineSet } from '../../api/cluster/types.js';
import { getCondition } from '../../runtime/conditions.js';
import { eventually } from '../../../test/support/plane.js';
import { DeploymentScenario, startMachineDeploymentEnv, type MachineDeploymentEnv } from '../../../test/support/machinedeployment-env.js';

const REVISION = 'machinedeployment.clusters.x-k8s.io/revision';
const HISTORY = 'machinedeployment.clusters.x-k8s.io/revision-history';
const HOUR = 3_600_000;

let env: MachineDeploymentEnv;
before(async () => {
  env = await startMachineDeploymentEnv();
});
after(async () => env?.close());

let seq = 0;
async function scenario(): Promise<DeploymentScenario> {
  const s = new DeploymentScenario(env, `md-${++seq}`);
  await s.createCluster();
  await s.createTemplates('tpl-a');
  await s.createTemplates('tpl-b', 4);
  return s;
}

/** A deployment of `replicas` ready Machines on tpl-a. */
async function readyDeployment(s: DeploymentScenario, name: string, spec: Parameters<DeploymentScenario['createDeployment']>[1] = {}): Promise<void> {
  await s.createDeployment(name, spec);
  await s.settled();
  await s.makeAllReady();
  await s.settled();
}

const live = (ms: Machine[]) => ms.filter((m) => !m.metadata?.deletionTimestamp);

/** Old and new Machines (not being deleted) and how many of them are ready, by the newest revision's MachineSet. */
async function snapshot(s: DeploymentScenario): Promise<string> {
  const sets = await s.machineSets();
  const newest = sets.reduce<MachineSet | undefined>((a, b) => (!a || Number(b.metadata!.annotations![REVISION]) > Number(a.metadata!.annotations![REVISION]) ? b : a), undefined);
  const machines = live(await s.machines());
  const isNew = (m: Machine) => m.metadata!.ownerReferences!.some((r) => r.uid === newest?.metadata!.uid);
  return `old ${machines.filter((m) => !isNew(m)).length} new ${machines.filter(isNew).length} ready ${machines.filter((m) => m.status?.nodeRef).length}`;
}

/**
 * Drive a rollout as the Machine controller would, one thing at a time: after the controllers settle, record what is
 * there; then let deleted Machines go, or else make new Machines ready; until only new ready Machines remain.
 */
async function drive(s: DeploymentScenario, replicas: number, opts: { initial?: string; onStep?: () => Promise<void> } = {}): Promise<string[]> {
  const trace: string[] = opts.initial ? [opts.initial] : [];
  for (let i = 0; i < 60; i++) {
    await s.settled();
    const snap = await snapshot(s);
    if (trace[trace.length - 1] !== snap) trace.push(snap);
    if (snap === `old 0 new ${replicas} ready ${replicas}` && (await s.finishDeletions()) === 0) return trace;
    await opts.onStep?.();
    if ((await s.finishDeletions()) > 0) continue;
    if ((await s.makeAllReady()) > 0) continue;
  }
  throw new Error(`rollout did not finish: ${trace.join(' | ')}`);
}

async function deployment(s: DeploymentScenario, name: string): Promise<MachineDeployment> {
  return s.getDeployment(name);
}

describe('MachineDeployment controller', () => {
  test('makes one MachineSet for its template: hash label, revision and replica annotations, owner; status and conditions', async () => {
    const s = await scenario();
    await s.createDeployment('web', { replicas: 3 });
    await s.settled();
    const [ms] = await s.machineSets();
    const md = await deployment(s, 'web');
    assert.ok(ms);
    assert.match(ms.metadata!.name!, /^web-[a-z0-9]{5}$/);
    const hash = ms.metadata!.labels!['machine-template-hash']!;
    assert.match(hash, /^\d+-[a-z0-9]{5}$/);
    assert.equal(hash.split('-')[1], ms.metadata!.name!.slice(4), 'the hash label ends with the MachineSet name suffix');
    assert.equal(ms.metadata!.labels!['cluster.x-k8s.io/deployment-name'], 'web');
    assert.equal(ms.spec.selector.matchLabels!['machine-template-hash'], hash);
    assert.equal(ms.spec.template.metadata!.labels!['machine-template-hash'], hash);
    assert.deepEqual(
      [ms.metadata!.annotations![REVISION], ms.metadata!.annotations!['machinedeployment.clusters.x-k8s.io/desired-replicas'], ms.metadata!.annotations!['machinedeployment.clusters.x-k8s.io/max-replicas']],
      ['1', '3', '4'],
    );
    assert.deepEqual(ms.metadata!.ownerReferences, [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', name: 'web', uid: md.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(md.metadata!.annotations![REVISION], '1');
    assert.deepEqual(md.metadata!.finalizers, ['cluster.x-k8s.io/machinedeployment']);
    for (const m of await s.machines()) {
      assert.equal(m.metadata!.labels!['machine-template-hash'], hash);
      assert.equal(m.metadata!.labels!['cluster.x-k8s.io/deployment-name'], 'web');
    }
    assert.deepEqual([md.status!.replicas, md.status!.updatedReplicas, md.status!.readyReplicas, md.status!.availableReplicas, md.status!.unavailableReplicas, md.status!.phase], [3, 3, 0, 0, 3, 'ScalingUp']);
    assert.equal(getCondition(md, 'Available')?.status, 'False');
    assert.equal(getCondition(md, 'Available')?.reason, 'WaitingForAvailableMachines');
    assert.equal(getCondition(md, 'Available')?.message, 'Minimum availability requires 3 replicas, current 0 available');
    assert.equal(getCondition(md, 'Ready')?.status, 'False');

    await s.makeAllReady();
    await s.settled();
    const ready = await deployment(s, 'web');
    assert.deepEqual([ready.status!.replicas, ready.status!.updatedReplicas, ready.status!.readyReplicas, ready.status!.availableReplicas, ready.status!.unavailableReplicas, ready.status!.phase], [3, 3, 3, 3, 0, 'Running']);
    assert.equal(ready.status!.selector, 'cluster.x-k8s.io/cluster-name=wl,pool=web');
    assert.equal(ready.status!.observedGeneration, ready.metadata!.generation);
    for (const t of ['Available', 'MachineSetReady', 'Ready']) assert.equal(getCondition(ready, t)?.status, 'True', t);
  });

  test('RollingUpdate maxSurge 1, maxUnavailable 0: the Machines seen at every step', async () => {
    const s = await scenario();
    await readyDeployment(s, 'roll', { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    assert.equal(await snapshot(s), `old 0 new ${(await s.machines()).length} ready ${(await s.machines()).length}`);
    // Before the template changes, every Machine is of the (then only) MachineSet that is about to become old.
    const initial = `old ${(await s.machines()).length} new 0 ready ${(await s.machines()).length}`;
    await s.patchDeployment('roll', { spec: { template: { spec: { infrastructureRef: { name: 'tpl-b' }, bootstrap: { configRef: { name: 'tpl-b' } } } } } });
    assert.deepEqual(await drive(s, 3, { initial }), [
      'old 3 new 0 ready 3',
      'old 3 new 1 ready 3',
      'old 2 new 1 ready 3',
      'old 2 new 2 ready 3',
      'old 1 new 2 ready 3',
      'old 1 new 3 ready 3',
      'old 0 new 3 ready 3',
    ]);
    const sets = await s.machineSets();
    assert.equal(sets.length, 2, 'the old MachineSet is kept (revisionHistoryLimit 1)');
    const old = sets.find((x) => x.metadata!.annotations![REVISION] === '1')!;
    const neu = sets.find((x) => x.metadata!.annotations![REVISION] === '2')!;
    assert.equal(old.spec.replicas, 0);
    assert.equal(neu.spec.replicas, 3);
    const md = await deployment(s, 'roll');
    assert.equal(md.metadata!.annotations![REVISION], '2');
    assert.deepEqual([md.status!.replicas, md.status!.updatedReplicas, md.status!.availableReplicas], [3, 3, 3]);
    // New Machines got the new templates.
    for (const m of await s.machines()) assert.equal((await s.client.get({ apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine' }, { namespace: s.namespace, name: m.metadata!.name! })).metadata!.annotations!['cluster.x-k8s.io/cloned-from-name'], 'tpl-b');
  });

  test('RollingUpdate maxSurge 0, maxUnavailable 1: the Machines seen at every step', async () => {
    const s = await scenario();
    await readyDeployment(s, 'down', { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    assert.equal(await snapshot(s), `old 0 new ${(await s.machines()).length} ready ${(await s.machines()).length}`);
    // Before the template changes, every Machine is of the (then only) MachineSet that is about to become old.
    const initial = `old ${(await s.machines()).length} new 0 ready ${(await s.machines()).length}`;
    await s.patchDeployment('down', { spec: { template: { spec: { version: 'v1.32.0' } } } });
    assert.deepEqual(await drive(s, 3, { initial }), [
      'old 3 new 0 ready 3',
      'old 2 new 0 ready 2',
      'old 2 new 1 ready 2',
      'old 1 new 1 ready 2',
      'old 1 new 2 ready 2',
      'old 0 new 2 ready 2',
      'old 0 new 3 ready 2',
      'old 0 new 3 ready 3',
    ]);
  });

  test('RollingUpdate with percentages: 4 replicas, maxSurge 50% (2), maxUnavailable 25% (1)', async () => {
    const s = await scenario();
    await readyDeployment(s, 'pct', { replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: '25%' } } });
    assert.equal(await snapshot(s), `old 0 new ${(await s.machines()).length} ready ${(await s.machines()).length}`);
    // Before the template changes, every Machine is of the (then only) MachineSet that is about to become old.
    const initial = `old ${(await s.machines()).length} new 0 ready ${(await s.machines()).length}`;
    await s.patchDeployment('pct', { spec: { template: { spec: { version: 'v1.32.0' } } } });
    const trace = await drive(s, 4, { initial });
    for (const line of trace) {
      const [, old, neu, ready] = /^old (\d+) new (\d+) ready (\d+)$/.exec(line)!.map(Number);
      assert.ok(old! + neu! <= 6, `at most 4+2 Machines: ${line}`);
      assert.ok(ready! >= 3, `at least 4-1 ready: ${line}`);
    }
    assert.equal(trace[1], 'old 3 new 2 ready 3', 'two surge Machines and one old one down at once');
  });

  test('OnDelete: nothing moves until the user deletes old Machines; each one is replaced as it goes', async () => {
    const s = await scenario();
    await readyDeployment(s, 'manual', { replicas: 3, strategy: { type: 'OnDelete' } });
    await s.patchDeployment('manual', { spec: { template: { spec: { version: 'v1.32.0' } } } });
    await s.settled();
    assert.equal(await snapshot(s), 'old 3 new 0 ready 3');
    const sets = await s.machineSets();
    const old = sets.find((x) => x.metadata!.annotations![REVISION] === '1')!;
    assert.equal(old.metadata!.annotations!['cluster.x-k8s.io/disable-machine-create'], 'true');
    assert.equal(sets.find((x) => x.metadata!.annotations![REVISION] === '2')!.spec.replicas, 0);
    const trace: string[] = [await snapshot(s)];
    for (let i = 0; i < 3; i++) {
      const victim = live(await s.machines()).find((m) => m.metadata!.ownerReferences![0]!.uid === old.metadata!.uid)!;
      await s.deleteMachine(victim.metadata!.name!);
      await s.settled();
      trace.push(await snapshot(s));
      await s.finishDeletions();
      await s.settled();
      trace.push(await snapshot(s));
      await s.makeAllReady();
      await s.settled();
      trace.push(await snapshot(s));
    }
    assert.deepEqual(trace, [
      'old 3 new 0 ready 3',
      'old 2 new 0 ready 2',
      'old 2 new 1 ready 2',
      'old 2 new 1 ready 3',
      'old 1 new 1 ready 2',
      'old 1 new 2 ready 2',
      'old 1 new 2 ready 3',
      'old 0 new 2 ready 2',
      'old 0 new 3 ready 2',
      'old 0 new 3 ready 3',
    ]);
  });

  test('scale through the scale subresource (kubectl scale md) with deletePolicy Newest and the delete-machine annotation', async () => {
    const s = await scenario();
    await readyDeployment(s, 'elastic', { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0, deletePolicy: 'Newest' } } });
    const [ms] = await s.machineSets();
    assert.equal(ms!.spec.deletePolicy, 'Newest', 'deletePolicy is passed down to the MachineSet');
    const first = (await s.machines()).map((m) => m.metadata!.name!);
    await env.clock.advance(60_000);
    const up = await env.plane.kubectl(['scale', 'machinedeployment', 'elastic', '-n', s.namespace, '--replicas=4']);
    assert.equal(up.code, 0, up.stderr);
    await s.settled();
    assert.equal((await s.machines()).length, 4);
    const added = (await s.machines()).map((m) => m.metadata!.name!).filter((n) => !first.includes(n));
    await s.makeAllReady();
    await s.settled();
    const scaled = await deployment(s, 'elastic');
    assert.deepEqual([scaled.spec.replicas, scaled.status!.replicas, scaled.status!.availableReplicas], [4, 4, 4]);
    const scale = JSON.parse((await env.plane.kubectl(['get', '--raw', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${s.namespace}/machinedeployments/elastic/scale`])).stdout);
    assert.deepEqual([scale.spec.replicas, scale.status.replicas, scale.status.selector], [4, 4, 'cluster.x-k8s.io/cluster-name=wl,pool=elastic']);

    // Newest goes first...
    assert.equal((await env.plane.kubectl(['scale', 'md', 'elastic', '-n', s.namespace, '--replicas=3'])).code, 0);
    await s.settled();
    const deleting = (await s.machines()).filter((m) => m.metadata!.deletionTimestamp).map((m) => m.metadata!.name!);
    assert.equal(deleting.length, 1);
    assert.ok(added.includes(deleting[0]!), `a newest Machine is deleted (${deleting[0]} of ${added.join(', ')})`);
    await s.finishDeletions();
    await s.settled();
    // ...but a Machine annotated cluster.x-k8s.io/delete-machine goes before any other.
    await s.client.patch(MACHINE_KIND, { namespace: s.namespace, name: first[0]! }, { type: 'merge', body: { metadata: { annotations: { 'cluster.x-k8s.io/delete-machine': 'true' } } } });
    await s.settled();
    assert.equal((await env.plane.kubectl(['scale', 'md', 'elastic', '-n', s.namespace, '--replicas=2'])).code, 0);
    await s.settled();
    assert.deepEqual((await s.machines()).filter((m) => m.metadata!.deletionTimestamp).map((m) => m.metadata!.name), [first[0]]);
    await s.finishDeletions();
    await s.settled();
    const down = await deployment(s, 'elastic');
    assert.deepEqual([down.status!.replicas, down.status!.availableReplicas, down.status!.phase], [2, 2, 'Running']);
  });

  test('minReadySeconds: Machines count as available only after that long; Available follows on the clock', async () => {
    const s = await scenario();
    await s.createDeployment('patient', { replicas: 2, minReadySeconds: 120 });
    await s.settled();
    assert.equal((await s.machineSets())[0]!.spec.minReadySeconds, 120);
    await s.makeAllReady();
    await s.settled();
    let md = await deployment(s, 'patient');
    assert.deepEqual([md.status!.readyReplicas, md.status!.availableReplicas], [2, 0]);
    assert.equal(getCondition(md, 'Available')?.status, 'False');
    await env.clock.advance(119_000);
    await s.settled();
    assert.equal((await deployment(s, 'patient')).status!.availableReplicas, 0);
    await env.clock.advance(1_000);
    await s.settled();
    md = await deployment(s, 'patient');
    assert.deepEqual([md.status!.readyReplicas, md.status!.availableReplicas], [2, 2]);
    assert.equal(getCondition(md, 'Available')?.status, 'True');
  });

  test('rolloutAfter: nothing before the time; at the time a new MachineSet replaces the Machines', async () => {
    const s = await scenario();
    await readyDeployment(s, 'timed', { replicas: 2 });
    const at = new Date(env.clock.nowMs() + HOUR).toISOString().replace(/\.\d+Z$/, 'Z');
    await s.patchDeployment('timed', { spec: { rolloutAfter: at } });
    await s.settled();
    await env.clock.advance(HOUR - 1_000);
    await s.settled();
    assert.equal((await s.machineSets()).length, 1, 'no rollout before rolloutAfter');
    await env.clock.advance(1_000);
    const trace = await drive(s, 2);
    assert.deepEqual(trace, ['old 2 new 1 ready 2', 'old 1 new 1 ready 2', 'old 1 new 2 ready 2', 'old 0 new 2 ready 2']);
    const sets = await s.machineSets();
    const newest = sets.find((x) => x.metadata!.annotations![REVISION] === '2')!;
    assert.ok(Date.parse(newest.metadata!.creationTimestamp!) >= Date.parse(at));
    // Later reconciles keep the MachineSet made after rolloutAfter.
    await env.clock.advance(HOUR);
    await s.settled();
    assert.equal((await s.machineSets()).length, 2);
  });

  test('revision history: a rollback revives the old MachineSet with a new revision; revisionHistoryLimit 0 deletes old ones', async () => {
    const s = await scenario();
    await readyDeployment(s, 'hist', { replicas: 1, revisionHistoryLimit: 5 });
    await s.patchDeployment('hist', { spec: { template: { spec: { version: 'v1.32.0' } } } });
    await drive(s, 1);
    await s.patchDeployment('hist', { spec: { template: { spec: { version: 'v1.31.2' } } } });
    await drive(s, 1);
    const sets = await s.machineSets();
    assert.equal(sets.length, 2, 'the rollback reused the first MachineSet');
    const revived = sets.find((x) => x.spec.template.spec.version === 'v1.31.2')!;
    assert.equal(revived.metadata!.annotations![REVISION], '3');
    assert.equal(revived.metadata!.annotations![HISTORY], '1');
    assert.equal((await deployment(s, 'hist')).metadata!.annotations![REVISION], '3');

    await s.patchDeployment('hist', { spec: { revisionHistoryLimit: 0, template: { spec: { version: 'v1.33.0' } } } });
    await drive(s, 1);
    await eventually(async () => (await s.machineSets()).length === 1, 10_000, 'old MachineSets cleaned up');
    const [only] = await s.machineSets();
    assert.equal(only!.spec.template.spec.version, 'v1.33.0');
    assert.equal(only!.metadata!.annotations![REVISION], '4');
    assert.ok((await s.events('SuccessfulDelete')).some((e) => /Deleted MachineSet/.test(String(e.message))));
  });

  test('in-place fields change existing MachineSets and Machines without a rollout', async () => {
    const s = await scenario();
    await readyDeployment(s, 'inplace', { replicas: 2 });
    await s.patchDeployment('inplace', { spec: { minReadySeconds: 5, template: { metadata: { labels: { tier: 'gold' } }, spec: { nodeDrainTimeout: '7m' } } } });
    await s.settled();
    const sets = await s.machineSets();
    assert.equal(sets.length, 1, 'no new MachineSet');
    assert.equal(sets[0]!.spec.minReadySeconds, 5);
    assert.equal(sets[0]!.spec.template.spec.nodeDrainTimeout, '7m');
    assert.equal(sets[0]!.spec.template.metadata!.labels!.tier, 'gold');
    for (const m of await s.machines()) {
      assert.equal(m.spec.nodeDrainTimeout, '7m');
      assert.equal(m.metadata!.labels!.tier, 'gold');
    }
  });

  test('paused: replicas spread proportionally over the MachineSets mid-rollout; no new MachineSet until resumed', async () => {
    const s = await scenario();
    await readyDeployment(s, 'prop', { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    await s.patchDeployment('prop', { spec: { template: { spec: { version: 'v1.32.0' } } } });
    await s.settled();
    assert.equal(await snapshot(s), 'old 3 new 1 ready 3');
    await s.patchDeployment('prop', { spec: { paused: true, replicas: 6 } });
    await s.settled();
    const sizes = async () => Object.fromEntries((await s.machineSets()).map((x) => [x.metadata!.annotations![REVISION], x.spec.replicas]));
    // 4 Machines become 6+1. As upstream, the new MachineSet's annotations are brought up to date (max-replicas 7)
    // before the scale, so its share is 1*7/7-1 = 0; the old one (3 of max 4) gets round(3*7/4)-3 = 2, plus the
    // leftover 1 as the largest.
    assert.deepEqual(await sizes(), { '1': 6, '2': 1 });
    for (const x of await s.machineSets()) assert.equal(x.metadata!.annotations!['machinedeployment.clusters.x-k8s.io/max-replicas'], '7');
    await s.patchDeployment('prop', { spec: { template: { spec: { version: 'v1.33.0' } } } });
    await s.settled();
    assert.equal((await s.machineSets()).length, 2, 'no new MachineSet while paused');
    await s.patchDeployment('prop', { spec: { paused: false } });
    const trace = await drive(s, 6);
    assert.equal(trace[trace.length - 1], 'old 0 new 6 ready 6');
    assert.equal((await s.machineSets()).filter((x) => (x.spec.replicas ?? 0) > 0).length, 1);
  });

  test('adopts an orphan MachineSet its selector matches', async () => {
    const s = await scenario();
    const md = s.deploymentObject('adopt', { replicas: 1 });
    const orphan = await s.client.create<MachineSet>({
      ...MACHINE_SET_KIND,
      metadata: { namespace: s.namespace, name: 'orphan', labels: { pool: 'adopt', 'machine-template-hash': 'x-orphn', 'cluster.x-k8s.io/cluster-name': 'wl' } },
      spec: {
        clusterName: 'wl',
        replicas: 1,
        selector: { matchLabels: { pool: 'adopt', 'machine-template-hash': 'x-orphn' } },
        template: { metadata: { labels: { pool: 'adopt', 'machine-template-hash': 'x-orphn' } }, spec: md.spec.template.spec },
      },
    });
    const created = await s.client.create(md);
    await s.settled();
    const sets = await s.machineSets();
    assert.equal(sets.length, 1, 'the orphan matches the template: no new MachineSet');
    assert.equal(sets[0]!.metadata!.uid, orphan.metadata!.uid);
    assert.deepEqual(sets[0]!.metadata!.ownerReferences?.find((r) => r.controller), { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', name: 'adopt', uid: created.metadata!.uid, controller: true, blockOwnerDeletion: true });
    assert.equal(sets[0]!.metadata!.labels!['cluster.x-k8s.io/deployment-name'], 'adopt');
    assert.equal(sets[0]!.metadata!.annotations![REVISION], '1');
  });

  test('never makes a second MachineSet while its cache lags behind its own creation', async () => {
    const s = await scenario();
    env.holdWatch(MACHINE_SET_KIND);
    try {
      await s.createDeployment('once', { replicas: 1 });
      await eventually(async () => (await s.machineSets()).length === 1, 10_000, 'a MachineSet');
      for (let i = 0; i < 3; i++) {
        await s.client.patch(MACHINE_DEPLOYMENT_KIND, { namespace: s.namespace, name: 'once' }, { type: 'merge', body: { metadata: { labels: { poke: String(i) } } } });
        await eventually(() => env.manager.informers.for(MACHINE_DEPLOYMENT_KIND).cache.get(`${s.namespace}/once`)?.metadata?.labels?.poke === String(i), 10_000, 'poke seen');
        const q = env.manager.controllerList.find((c) => c.name === 'machinedeployment')!.workQueue!;
        await eventually(() => q.length === 0 && q.processingCount === 0, 10_000, 'machinedeployment idle');
      }
      assert.equal((await s.machineSets()).length, 1);
    } finally {
      env.releaseWatch(MACHINE_SET_KIND);
    }
    await s.settled();
    assert.equal((await s.machineSets()).length, 1);
  });

  test('paused Cluster: nothing happens until it is unpaused', async () => {
    const s = await scenario();
    await s.setClusterPaused(true);
    await s.createDeployment('still', { replicas: 2 });
    await s.settled();
    assert.deepEqual(await s.machineSets(), []);
    await s.setClusterPaused(false);
    await s.settled();
    assert.equal((await s.machines()).length, 2);
  });

  test('deleting a MachineDeployment deletes its MachineSets, which delete their Machines; the finalizer goes last', async () => {
    const s = await scenario();
    await readyDeployment(s, 'gone', { replicas: 2 });
    await s.client.delete(MACHINE_DEPLOYMENT_KIND, { namespace: s.namespace, name: 'gone' });
    await s.settled();
    assert.ok((await deployment(s, 'gone')).metadata!.deletionTimestamp);
    assert.ok((await s.machineSets()).every((x) => x.metadata!.deletionTimestamp));
    assert.ok((await s.machines()).every((m) => m.metadata!.deletionTimestamp));
    await s.finishDeletions();
    await eventually(async () => (await s.client.list(MACHINE_DEPLOYMENT_KIND, { namespace: s.namespace })).items.length === 0, 10_000, 'MachineDeployment gone');
    assert.deepEqual(await s.machineSets(), []);
    assert.deepEqual(await s.machines(), []);
  });
});
