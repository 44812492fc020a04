import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MACHINE_KIND, MACHINE_SET_KIND, type Machine, type MachineSet, type MachineSetSpec } from '../../api/cluster/types.js';
import { getCondition } from '../../runtime/conditions.js';
import { eventually } from '../../../test/support/plane.js';
import { DeploymentScenario, KUBEADM_CONFIG, KUBEADM_CONFIG_TEMPLATE, SIM_MACHINE, SIM_MACHINE_TEMPLATE, startMachineDeploymentEnv, type MachineDeploymentEnv } from '../../../test/support/machinedeployment-env.js';

let env: MachineDeploymentEnv;
before(async () => {
  env = await startMachineDeploymentEnv();
});
after(async () => env?.close());

let seq = 0;
async function scenario(): Promise<DeploymentScenario> {
  const s = new DeploymentScenario(env, `ms-${++seq}`);
  await s.createCluster();
  await s.createTemplates('tpl-a');
  return s;
}

function machineSetObject(s: DeploymentScenario, name: string, spec: Partial<MachineSetSpec> = {}, templateName = 'tpl-a'): MachineSet {
  return {
    ...MACHINE_SET_KIND,
    metadata: { namespace: s.namespace, name },
    spec: {
      clusterName: s.clusterName,
      replicas: 3,
      selector: { matchLabels: { set: name } },
      ...spec,
      template: {
        metadata: { labels: { set: name, role: 'worker' }, annotations: { 'example.com/note': 'hi' } },
        spec: {
          clusterName: s.clusterName,
          version: 'v1.31.2',
          bootstrap: { configRef: { ...KUBEADM_CONFIG_TEMPLATE, name: templateName } },
          infrastructureRef: { ...SIM_MACHINE_TEMPLATE, name: templateName },
        },
      },
    },
  };
}

async function getSet(s: DeploymentScenario, name: string): Promise<MachineSet> {
  return s.client.get<MachineSet>(MACHINE_SET_KIND, { namespace: s.namespace, name });
}

async function scale(s: DeploymentScenario, name: string, replicas: number): Promise<void> {
  await s.client.patch(MACHINE_SET_KIND, { namespace: s.namespace, name }, { type: 'merge', body: { spec: { replicas } } });
}

const live = (ms: Machine[]) => ms.filter((m) => !m.metadata?.deletionTimestamp);
const namesOf = (ms: Machine[]) => ms.map((m) => m.metadata!.name!).sort();

describe('MachineSet controller', () => {
  test('creates Machines with their bootstrap config and infrastructure machine cloned from the templates', async () => {
    const s = await scenario();
    const ms = await s.client.create(machineSetObject(s, 'workers'));
    await s.settled();
    const machines = await s.machines();
    assert.equal(machines.length, 3);
    for (const m of machines) {
      const name = m.metadata!.name!;
      assert.match(name, /^workers-[a-z0-9]{5}$/);
      assert.deepEqual(m.metadata!.ownerReferences, [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', name: 'workers', uid: ms.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
      assert.deepEqual(m.metadata!.finalizers, ['machine.cluster.x-k8s.io']);
      assert.deepEqual(m.metadata!.labels, { set: 'workers', role: 'worker', 'cluster.x-k8s.io/cluster-name': 'wl', 'cluster.x-k8s.io/set-name': 'workers' });
      assert.equal(m.metadata!.annotations!['example.com/note'], 'hi');
      assert.deepEqual(m.spec.bootstrap.configRef, { ...KUBEADM_CONFIG, name, namespace: s.namespace });
      assert.deepEqual(m.spec.infrastructureRef, { ...SIM_MACHINE, name, namespace: s.namespace });
      for (const kind of [KUBEADM_CONFIG, SIM_MACHINE]) {
        const clone = await s.client.get(kind, { namespace: s.namespace, name });
        // Owned by the MachineSet (not as controller: the Machine controller takes them over), labelled like the Machine.
        assert.deepEqual(clone.metadata!.ownerReferences, [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', name: 'workers', uid: ms.metadata!.uid }]);
        assert.equal(clone.metadata!.labels!['cluster.x-k8s.io/set-name'], 'workers');
        assert.equal(clone.metadata!.labels!['cluster.x-k8s.io/cluster-name'], 'wl');
        assert.equal(clone.metadata!.annotations!['cluster.x-k8s.io/cloned-from-name'], 'tpl-a');
      }
    }
    const sim = await s.client.get(SIM_MACHINE, { namespace: s.namespace, name: machines[0]!.metadata!.name! });
    assert.equal((sim.spec as { numCPUs: number }).numCPUs, 2);
    const set = await getSet(s, 'workers');
    assert.deepEqual(set.metadata!.finalizers, ['cluster.x-k8s.io/machineset']);
    assert.equal(set.metadata!.labels!['cluster.x-k8s.io/cluster-name'], 'wl');
    assert.ok(set.metadata!.ownerReferences!.some((r) => r.kind === 'Cluster' && r.name === 'wl'), 'a standalone MachineSet is owned by its Cluster');
    assert.equal(set.spec.selector.matchLabels!['cluster.x-k8s.io/cluster-name'], 'wl');
    assert.equal(set.status!.replicas, 3);
    assert.equal(set.status!.readyReplicas, 0);
    assert.equal(set.status!.fullyLabeledReplicas, 3);
    assert.equal(set.status!.selector, 'cluster.x-k8s.io/cluster-name=wl,set=workers');
    assert.equal(getCondition(set, 'MachinesCreated')?.status, 'True');
    assert.equal((await s.events('SuccessfulCreate')).length, 3);

    await s.makeAllReady();
    await s.settled();
    const ready = await getSet(s, 'workers');
    assert.deepEqual([ready.status!.readyReplicas, ready.status!.availableReplicas], [3, 3]);
    assert.equal(getCondition(ready, 'Resized')?.status, 'True');
    assert.equal(getCondition(ready, 'MachinesReady')?.status, 'True');
    assert.equal(getCondition(ready, 'Ready')?.status, 'True');
    assert.equal(ready.status!.observedGeneration, ready.metadata!.generation);
  });

  test('never creates more Machines than replicas while its cache lags behind its own creations', async () => {
    const s = await scenario();
    // The controllers' Machine cache sees nothing new until released.
    env.holdWatch(MACHINE_KIND);
    try {
      await s.client.create(machineSetObject(s, 'burst', { replicas: 3 }));
      await eventually(async () => (await s.machines()).length === 3, 10_000, 'three Machines created');
      // Wake the controller again and again (status writes and label changes): it must not count the stale cache.
      for (let i = 0; i < 5; i++) {
        await s.client.patch(MACHINE_SET_KIND, { namespace: s.namespace, name: 'burst' }, { type: 'merge', body: { metadata: { labels: { poke: String(i) } } } });
        await eventually(() => env.manager.informers.for(MACHINE_SET_KIND).cache.get(`${s.namespace}/burst`)?.metadata?.labels?.poke === String(i), 10_000, 'poke seen');
        const q = env.manager.controllerList.find((c) => c.name === 'machineset')!.workQueue!;
        await eventually(() => q.length === 0 && q.processingCount === 0, 10_000, 'machineset idle');
      }
      assert.equal((await s.machines()).length, 3);
    } finally {
      env.releaseWatch(MACHINE_KIND);
    }
    await s.settled();
    assert.equal((await s.machines()).length, 3);
    assert.equal((await s.events('SuccessfulCreate')).length, 3);
  });

  test('scale down prefers Machines not ready, and the delete-machine annotation goes first', async () => {
    const s = await scenario();
    await s.client.create(machineSetObject(s, 'pool', { replicas: 4 }));
    await s.settled();
    const machines = (await s.machines()).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    // Three become ready, one stays without a Node; another is annotated for deletion.
    await s.makeReady(machines.slice(0, 3));
    const notReady = machines[3]!;
    const annotated = machines[0]!;
    await s.client.patch(MACHINE_KIND, { namespace: s.namespace, name: annotated.metadata!.name! }, { type: 'merge', body: { metadata: { annotations: { 'cluster.x-k8s.io/delete-machine': '' } } } });
    await s.settled();
    await scale(s, 'pool', 3);
    await s.settled();
    assert.deepEqual(namesOf((await s.machines()).filter((m) => m.metadata?.deletionTimestamp)), [annotated.metadata!.name]);
    await scale(s, 'pool', 2);
    await s.settled();
    assert.deepEqual(namesOf((await s.machines()).filter((m) => m.metadata?.deletionTimestamp)), namesOf([annotated, notReady]));
    // Deleting Machines still count until they are gone; then the set holds exactly its replicas.
    assert.equal((await getSet(s, 'pool')).status!.replicas, 4);
    await s.finishDeletions();
    await s.settled();
    const left = await s.machines();
    assert.deepEqual(namesOf(left), namesOf([machines[1]!, machines[2]!]));
    const set = await getSet(s, 'pool');
    assert.deepEqual([set.status!.replicas, set.status!.readyReplicas], [2, 2]);
    assert.equal(getCondition(set, 'Resized')?.status, 'True');
    assert.equal((await s.events('SuccessfulDelete')).length, 2);
  });

  test('deletePolicy Oldest and Newest pick by creation time', async () => {
    const s = await scenario();
    await s.client.create(machineSetObject(s, 'aged', { replicas: 1, deletePolicy: 'Oldest' }));
    await s.settled();
    const order: string[] = [];
    for (let n = 2; n <= 4; n++) {
      order.push(...namesOf(await s.machines()).filter((x) => !order.includes(x)));
      await env.clock.advance(60_000);
      await scale(s, 'aged', n);
      await s.settled();
    }
    order.push(...namesOf(await s.machines()).filter((x) => !order.includes(x)));
    await s.makeAllReady();
    await s.settled();
    await scale(s, 'aged', 3);
    await s.settled();
    assert.deepEqual(namesOf((await s.machines()).filter((m) => m.metadata?.deletionTimestamp)), [order[0]], 'Oldest deletes the first-made Machine');
    await s.finishDeletions();
    await s.client.patch(MACHINE_SET_KIND, { namespace: s.namespace, name: 'aged' }, { type: 'merge', body: { spec: { deletePolicy: 'Newest', replicas: 2 } } });
    await s.settled();
    assert.deepEqual(namesOf((await s.machines()).filter((m) => m.metadata?.deletionTimestamp)), [order[3]], 'Newest deletes the last-made Machine');
  });

  test('adopts an orphan Machine its selector matches and counts it', async () => {
    const s = await scenario();
    await s.client.create<Machine>({
      ...MACHINE_KIND,
      metadata: { namespace: s.namespace, name: 'stray', labels: { set: 'adopter', 'cluster.x-k8s.io/cluster-name': 'wl' } },
      spec: { clusterName: 'wl', bootstrap: { dataSecretName: 'x' }, infrastructureRef: { ...SIM_MACHINE, name: 'stray' } },
    });
    const ms = await s.client.create(machineSetObject(s, 'adopter', { replicas: 2 }));
    await s.settled();
    const machines = await s.machines();
    assert.equal(machines.length, 2, 'the orphan counts as one of the two');
    const stray = machines.find((m) => m.metadata!.name === 'stray')!;
    assert.deepEqual(stray.metadata!.ownerReferences, [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', name: 'adopter', uid: ms.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal((await s.events('SuccessfulAdopt')).length, 1);
  });

  test('minReadySeconds: a ready Machine becomes available exactly when it has been ready that long', async () => {
    const s = await scenario();
    await s.client.create(machineSetObject(s, 'slow', { replicas: 2, minReadySeconds: 300 }));
    await s.settled();
    await s.makeAllReady();
    await s.settled();
    let set = await getSet(s, 'slow');
    assert.deepEqual([set.status!.readyReplicas, set.status!.availableReplicas], [2, 0]);
    await env.clock.advance(299_000);
    await s.settled();
    set = await getSet(s, 'slow');
    assert.equal(set.status!.availableReplicas, 0, 'not available one second early');
    await env.clock.advance(1_000);
    await s.settled();
    set = await getSet(s, 'slow');
    assert.deepEqual([set.status!.readyReplicas, set.status!.availableReplicas], [2, 2]);
  });

  test('replaces a Machine its MachineHealthCheck handed over for remediation', async () => {
    const s = await scenario();
    await s.client.create(machineSetObject(s, 'healed', { replicas: 2 }));
    await s.settled();
    await s.makeAllReady();
    await s.settled();
    const [sick, well] = await s.machines();
    const now = new Date(env.clock.nowMs()).toISOString().replace(/\.\d+Z$/, 'Z');
    await s.client.patchStatus(MACHINE_KIND, { namespace: s.namespace, name: sick!.metadata!.name! }, {
      type: 'merge',
      body: {
        status: {
          conditions: [
            ...(sick!.status!.conditions ?? []),
            { type: 'HealthCheckSucceeded', status: 'False', severity: 'Warning', reason: 'UnhealthyNode', lastTransitionTime: now },
            { type: 'OwnerRemediated', status: 'False', severity: 'Warning', reason: 'WaitingForRemediation', lastTransitionTime: now },
          ],
        },
      },
    });
    await s.settled();
    const after = await s.client.get<Machine>(MACHINE_KIND, { namespace: s.namespace, name: sick!.metadata!.name! });
    assert.ok(after.metadata!.deletionTimestamp, 'the unhealthy Machine is being deleted');
    assert.equal(getCondition(after, 'OwnerRemediated')?.status, 'True');
    assert.equal((await s.events('MachineRemediated')).length, 1);
    assert.equal(live(await s.machines()).length, 1, 'its replacement waits until it is gone');
    await s.finishDeletions();
    await s.settled();
    const machines = await s.machines();
    assert.equal(machines.length, 2);
    assert.ok(machines.some((m) => m.metadata!.name === well!.metadata!.name));
    assert.ok(!machines.some((m) => m.metadata!.name === sick!.metadata!.name));
  });

  test('a failed step leaves nothing behind: no infrastructure template means no bootstrap config either', async () => {
    const s = await scenario();
    await s.client.create({ ...KUBEADM_CONFIG_TEMPLATE, metadata: { namespace: s.namespace, name: 'only-boot' }, spec: { template: { spec: {} } } });
    await s.client.create(machineSetObject(s, 'broken', { replicas: 1 }, 'only-boot'));
    const set = await eventually(async () => {
      const x = await getSet(s, 'broken');
      return getCondition(x, 'MachinesCreated')?.reason === 'InfrastructureTemplateCloningFailed' ? x : undefined;
    }, 10_000, 'MachinesCreated False');
    assert.match(getCondition(set, 'MachinesCreated')!.message!, /failed to clone infrastructure machine from SimMachineTemplate ms-\d+\/only-boot/);
    assert.equal(getCondition(set, 'MachinesCreated')!.severity, 'Error');
    await s.settled();
    assert.deepEqual((await s.client.list(KUBEADM_CONFIG, { namespace: s.namespace })).items, []);
    assert.deepEqual(await s.machines(), []);
  });

  test('a Machine that cannot be created takes its clones with it', async () => {
    const s = await scenario();
    // The naming template renders one fixed name; a Machine of that name already exists (another set's).
    await s.client.create<Machine>({
      ...MACHINE_KIND,
      metadata: { namespace: s.namespace, name: 'taken-name', labels: { set: 'other' } },
      spec: { clusterName: 'wl', bootstrap: { dataSecretName: 'x' }, infrastructureRef: { ...SIM_MACHINE, name: 'elsewhere' } },
    });
    await s.client.create(machineSetObject(s, 'clash', { replicas: 1, machineNamingStrategy: { template: 'taken-name{{ if false }}{{ .random }}{{ end }}' } }));
    await eventually(async () => getCondition(await getSet(s, 'clash'), 'MachinesCreated')?.reason === 'MachineCreationFailed', 10_000, 'MachineCreationFailed');
    await s.settled();
    assert.deepEqual((await s.client.list(KUBEADM_CONFIG, { namespace: s.namespace })).items.map((o) => o.metadata!.name), []);
    assert.deepEqual((await s.client.list(SIM_MACHINE, { namespace: s.namespace })).items.map((o) => o.metadata!.name), []);
    assert.ok((await s.events('FailedCreate')).length >= 1);
  });

  test('paused (Cluster spec.paused) does nothing until unpaused', async () => {
    const s = await scenario();
    await s.setClusterPaused(true);
    await s.client.create(machineSetObject(s, 'frozen', { replicas: 2 }));
    await s.settled();
    assert.deepEqual(await s.machines(), []);
    assert.equal((await getSet(s, 'frozen')).metadata!.finalizers, undefined);
    await s.setClusterPaused(false);
    await s.settled();
    assert.equal((await s.machines()).length, 2);
  });

  test('deleting a MachineSet deletes its Machines first; the finalizer goes last', async () => {
    const s = await scenario();
    await s.client.create(machineSetObject(s, 'doomed', { replicas: 2 }));
    await s.settled();
    await s.client.delete(MACHINE_SET_KIND, { namespace: s.namespace, name: 'doomed' });
    await s.settled();
    const machines = await s.machines();
    assert.equal(machines.length, 2);
    assert.ok(machines.every((m) => m.metadata!.deletionTimestamp), 'every Machine is being deleted');
    assert.ok((await getSet(s, 'doomed')).metadata!.deletionTimestamp, 'the MachineSet waits for them');
    await s.finishDeletions();
    await eventually(async () => (await s.machineSets()).length === 0, 10_000, 'MachineSet gone');
  });
});
