import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IntOrString, MachineDeployment, MachineSet } from '../../api/cluster/types.js';
import { desiredMachineSet } from './machinesets.js';
import { findNewMachineSet, findOldMachineSets, maxSurge, maxUnavailable } from './mdutil.js';
import { planNewMachineSetStep, planOldMachineSetsStep, planOnDelete, planProportionalScale, planRollingUpdate, type RolloutPlan } from './rollout.js';
import { md, MIN, ms, T0 } from './fixtures.test-util.js';

const DESIRED = 'machinedeployment.clusters.x-k8s.io/desired-replicas';
const MAX = 'machinedeployment.clusters.x-k8s.io/max-replicas';

function replicasOf(plan: RolloutPlan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of [...plan.oldMSs, ...(plan.newMS ? [plan.newMS] : [])]) out[s.metadata!.name!] = s.spec.replicas!;
  return out;
}

describe('new MachineSet step (upstream TestReconcileNewMachineSet)', () => {
  test('RollingUpdate scale up 0 → 2 (maxSurge 2)', () => {
    const p = planNewMachineSetStep(md({ replicas: 2, maxSurge: 2, maxUnavailable: 0 }), ms('bar', { replicas: 0 }), []);
    assert.equal(p.newMS!.spec.replicas, 2);
    assert.deepEqual(p.actions, [{ type: 'scale', machineSet: 'bar', from: 0, to: 2 }]);
    assert.equal(p.newMS!.metadata!.annotations![DESIRED], '2');
    assert.equal(p.newMS!.metadata!.annotations![MAX], '4');
  });
  test('RollingUpdate scale down 2 → 0', () => {
    assert.equal(planNewMachineSetStep(md({ replicas: 0, maxSurge: 2, maxUnavailable: 0 }), ms('bar', { replicas: 2 }), []).newMS!.spec.replicas, 0);
  });
  test('scale up does not go above maxSurge (3+2)', () => {
    assert.equal(planNewMachineSetStep(md({ replicas: 3, maxSurge: 2, maxUnavailable: 0 }), ms('bar', { replicas: 1 }), [ms('3replicas', { replicas: 3, actual: 3 })]).newMS!.spec.replicas, 2);
  });
  test('scale up accounts for Machines still being deleted to honour maxSurge', () => {
    const p = planNewMachineSetStep(md({ replicas: 1, maxSurge: 0, maxUnavailable: 0 }), ms('bar', { replicas: 0 }), [ms('machine-not-yet-deleted', { replicas: 0, actual: 1 })]);
    assert.equal(p.newMS!.spec.replicas, 0);
  });
  test('the disable-machine-create annotation is removed from the new MachineSet', () => {
    const p = planNewMachineSetStep(md({ replicas: 2, maxSurge: 0, maxUnavailable: 0 }), ms('bar', { replicas: 2, annotations: { 'cluster.x-k8s.io/disable-machine-create': 'true', [DESIRED]: '2', [MAX]: '2' } }), []);
    assert.deepEqual(p.actions, [{ type: 'machineCreation', machineSet: 'bar', disable: false }]);
    assert.equal(p.newMS!.metadata!.annotations!['cluster.x-k8s.io/disable-machine-create'], undefined);
    assert.equal(p.newMS!.spec.replicas, 2);
  });
  test('the inputs are not changed', () => {
    const newMS = ms('bar', { replicas: 0 });
    planNewMachineSetStep(md({ replicas: 2 }), newMS, []);
    assert.equal(newMS.spec.replicas, 0);
  });
});

describe('old MachineSets step (upstream TestReconcileOldMachineSets)', () => {
  test('old MachineSets go to zero when all new replicas are available', () => {
    const p = planOldMachineSetsStep(md({ replicas: 2, maxSurge: 3, maxUnavailable: 1 }), ms('bar', { replicas: 0, actual: 0, available: 2 }), [ms('2replicas', { replicas: 2, available: 2 }), ms('1replicas', { replicas: 1, available: 1 })]);
    assert.deepEqual(replicasOf(p), { '2replicas': 0, '1replicas': 0, bar: 0 });
  });
  test('old MachineSets are not scaled down beyond maxUnavailable', () => {
    const p = planOldMachineSetsStep(md({ replicas: 10, maxSurge: 3, maxUnavailable: 2 }), ms('bar', { replicas: 5, actual: 5, available: 0 }), [ms('8replicas', { replicas: 8, actual: 10, available: 8 })]);
    assert.deepEqual(p.actions, []);
    assert.equal(replicasOf(p)['8replicas'], 8);
  });
  test('unavailable old replicas are cleaned up first, oldest MachineSet first', () => {
    // 4 wanted, 1 may be unavailable; the new set has 2 available; old: a (created first) 2 with 1 available, b 2 all available.
    const p = planOldMachineSetsStep(md({ replicas: 4, maxSurge: 1, maxUnavailable: 1 }), ms('new', { replicas: 2, available: 2, created: T0 + 2 * MIN }), [ms('b', { replicas: 2, available: 2, created: T0 + MIN }), ms('a', { replicas: 2, available: 1, created: T0 })]);
    // maxScaledDown = 6 - 3 - 0 = 3: a loses its unavailable one (→1); then available 5 - min 3 = 2 more: a → 0, b → 1.
    assert.deepEqual(p.actions, [
      { type: 'scale', machineSet: 'a', from: 2, to: 1 },
      { type: 'scale', machineSet: 'a', from: 1, to: 0 },
      { type: 'scale', machineSet: 'b', from: 2, to: 1 },
    ]);
  });
});

// ---- a small world: MachineSets make Machines at once; new Machines become available when the world "settles" ----

interface SimMachine {
  available: boolean;
  deleting?: boolean;
}

class World {
  sets: MachineSet[] = [];
  machines = new Map<string, SimMachine[]>();
  seq = 0;
  now = T0;
  /** (old machines, new machines, available) after each change. */
  trace: string[] = [];

  constructor(public md: MachineDeployment) {}

  addSet(name: string, replicas: number, available = true, infra = 'infra-old'): void {
    const s = ms(name, { replicas, actual: replicas, available: available ? replicas : 0, created: this.now, infra });
    s.metadata!.annotations = { 'machinedeployment.clusters.x-k8s.io/revision': String(this.sets.length + 1), [DESIRED]: String(replicas), [MAX]: String(replicas) };
    s.metadata!.labels = { 'machine-template-hash': `h-${name}` };
    this.sets.push(s);
    this.machines.set(name, Array.from({ length: replicas }, () => ({ available })));
  }

  private newAndOld(): { newMS?: MachineSet; oldMSs: MachineSet[] } {
    return { newMS: findNewMachineSet(this.md, this.sets, this.now).machineSet, oldMSs: findOldMachineSets(this.md, this.sets, this.now) };
  }

  /** One MachineDeployment reconcile (planning + writes), as the controller does. */
  reconcileDeployment(machineCount?: (ms: MachineSet) => { total: number; deleting: number }): void {
    let { newMS, oldMSs } = this.newAndOld();
    if (!newMS) {
      this.now += 1000;
      newMS = desiredMachineSet(this.md, oldMSs, { suffix: `s${++this.seq}` });
      newMS.metadata!.creationTimestamp = new Date(this.now).toISOString();
      newMS.metadata!.uid = newMS.metadata!.name;
      newMS.status = { replicas: 0, availableReplicas: 0 };
      this.sets.push(newMS);
      this.machines.set(newMS.metadata!.name!, []);
    }
    const plan = this.md.spec.strategy?.type === 'OnDelete' ? planOnDelete(this.md, newMS, oldMSs, machineCount!) : planRollingUpdate(this.md, newMS, oldMSs);
    const byName = new Map([plan.newMS!, ...plan.oldMSs].map((s) => [s.metadata!.name!, s]));
    this.sets = this.sets.map((s) => byName.get(s.metadata!.name!) ?? s);
  }

  /** The MachineSet controllers: make or delete Machines (unavailable ones first), report status. */
  reconcileSets(): void {
    for (const s of this.sets) {
      const list = this.machines.get(s.metadata!.name!)!;
      const want = s.spec.replicas!;
      const disabled = s.metadata?.annotations?.['cluster.x-k8s.io/disable-machine-create'] !== undefined;
      while (list.length < want && !disabled) list.push({ available: false });
      while (list.length > want) {
        const i = list.findIndex((m) => m.deleting) >= 0 ? list.findIndex((m) => m.deleting) : list.findIndex((m) => !m.available) >= 0 ? list.findIndex((m) => !m.available) : 0;
        list.splice(i, 1);
      }
      s.status = { replicas: list.length, availableReplicas: list.filter((m) => m.available && !m.deleting).length, readyReplicas: list.filter((m) => m.available).length };
    }
  }

  settle(): void {
    for (const list of this.machines.values()) for (const m of list) m.available = true;
    this.reconcileSets();
  }

  snapshot(): string {
    const { newMS } = this.newAndOld();
    const counts = (pred: (s: MachineSet) => boolean) => this.sets.filter(pred).reduce((n, s) => n + this.machines.get(s.metadata!.name!)!.length, 0);
    const avail = [...this.machines.values()].reduce((n, l) => n + l.filter((m) => m.available && !m.deleting).length, 0);
    return `old ${counts((s) => s !== newMS)} new ${counts((s) => s === newMS)} available ${avail}`;
  }

  record(): void {
    const s = this.snapshot();
    if (this.trace[this.trace.length - 1] !== s) this.trace.push(s);
  }

  /** Reconcile until nothing changes; new Machines become available whenever the controllers have nothing to do. */
  run(maxSteps = 200): void {
    this.record();
    for (let i = 0; i < maxSteps; i++) {
      const before = JSON.stringify([this.sets.map((s) => [s.metadata!.name, s.spec.replicas, s.metadata!.annotations]), [...this.machines]]);
      this.reconcileDeployment();
      this.reconcileSets();
      this.record();
      const after = JSON.stringify([this.sets.map((s) => [s.metadata!.name, s.spec.replicas, s.metadata!.annotations]), [...this.machines]]);
      if (before === after) {
        const unavailable = [...this.machines.values()].some((l) => l.some((m) => !m.available));
        if (!unavailable) return;
        this.settle();
        this.record();
      }
    }
    throw new Error(`no steady state after ${maxSteps} steps: ${this.trace.join(' | ')}`);
  }
}

function rolloutOf(replicas: number, surge: IntOrString, unavailable: IntOrString): World {
  const w = new World(md({ replicas, maxSurge: surge, maxUnavailable: unavailable, infra: 'infra-new' }));
  w.addSet('old', replicas);
  return w;
}

describe('RollingUpdate rollouts, step by step (Machines seen at each step)', () => {
  test('3 replicas, maxSurge 1, maxUnavailable 0: one extra Machine at a time, never fewer than 3 available', () => {
    const w = rolloutOf(3, 1, 0);
    w.run();
    assert.deepEqual(w.trace, [
      'old 3 new 0 available 3',
      'old 3 new 1 available 3',
      'old 3 new 1 available 4',
      'old 2 new 1 available 3',
      'old 2 new 2 available 3',
      'old 2 new 2 available 4',
      'old 1 new 2 available 3',
      'old 1 new 3 available 3',
      'old 1 new 3 available 4',
      'old 0 new 3 available 3',
    ]);
  });
  test('3 replicas, maxSurge 0, maxUnavailable 1: one Machine down at a time, never more than 3', () => {
    const w = rolloutOf(3, 0, 1);
    w.run();
    assert.deepEqual(w.trace, [
      'old 3 new 0 available 3',
      'old 2 new 0 available 2',
      'old 2 new 1 available 2',
      'old 2 new 1 available 3',
      'old 1 new 1 available 2',
      'old 1 new 2 available 2',
      'old 1 new 2 available 3',
      'old 0 new 2 available 2',
      'old 0 new 3 available 2',
      'old 0 new 3 available 3',
    ]);
  });
  test('6 replicas, maxSurge 3, maxUnavailable 1: surge and one down at once, then old ones go as new ones come up', () => {
    const w = rolloutOf(6, 3, 1);
    w.run();
    assert.deepEqual(w.trace, [
      'old 6 new 0 available 6',
      'old 5 new 3 available 5',
      'old 5 new 4 available 5',
      'old 5 new 4 available 9',
      'old 1 new 4 available 5',
      'old 1 new 6 available 5',
      'old 1 new 6 available 7',
      'old 0 new 6 available 6',
    ]);
  });
  test('6 replicas, maxSurge 10 (capped by replicas), maxUnavailable 0: all new at once, then all old go', () => {
    const w = rolloutOf(6, 10, 0);
    w.run();
    assert.deepEqual(w.trace, ['old 6 new 0 available 6', 'old 6 new 6 available 6', 'old 6 new 6 available 12', 'old 0 new 6 available 6']);
  });
  test('6 replicas, maxSurge 0, maxUnavailable 10 (capped by replicas): all old go first', () => {
    const w = rolloutOf(6, 0, 10);
    w.run();
    assert.deepEqual(w.trace, ['old 6 new 0 available 6', 'old 0 new 0 available 0', 'old 0 new 6 available 0', 'old 0 new 6 available 6']);
  });

  const matrix: [number, IntOrString, IntOrString][] = [];
  for (const replicas of [1, 2, 3, 6, 10])
    for (const surge of [0, 1, 3, '25%', '100%'] as IntOrString[])
      for (const unavailable of [0, 1, 2, '50%'] as IntOrString[]) matrix.push([replicas, surge, unavailable]);
  test(`every combination ends with only new Machines and stays within maxSurge/maxUnavailable at every step (${matrix.length} cases)`, () => {
    for (const [replicas, surge, unavailable] of matrix) {
      const w = rolloutOf(replicas, surge, unavailable);
      w.run();
      const budget = { surge: maxSurge(w.md), unavailable: maxUnavailable(w.md) };
      const what = `replicas ${replicas} maxSurge ${surge} maxUnavailable ${unavailable}: ${w.trace.join(' | ')}`;
      assert.equal(w.trace[w.trace.length - 1], `old 0 new ${replicas} available ${replicas}`, what);
      for (const line of w.trace) {
        const [, old, neu, avail] = /^old (\d+) new (\d+) available (\d+)$/.exec(line)!.map(Number);
        assert.ok(old! + neu! <= replicas + budget.surge, `too many Machines at "${line}" — ${what}`);
        assert.ok(avail! >= replicas - budget.unavailable, `too few available at "${line}" — ${what}`);
      }
    }
  });

  test('a scale-up during a rollout is absorbed by the new MachineSet', () => {
    const w = rolloutOf(3, 1, 0);
    w.reconcileDeployment();
    w.reconcileSets();
    w.settle();
    w.md.spec.replicas = 5;
    w.run();
    assert.equal(w.trace[w.trace.length - 1], 'old 0 new 5 available 5');
  });
});

describe('OnDelete rollout: the new MachineSet grows only as the user deletes old Machines', () => {
  test('3 replicas: old creation disabled, one replacement per deleted Machine', () => {
    const w = new World(md({ type: 'OnDelete', replicas: 3, infra: 'infra-new' }));
    w.addSet('old', 3);
    const counts = (s: MachineSet) => {
      const list = w.machines.get(s.metadata!.name!)!;
      return { total: list.length, deleting: list.filter((m) => m.deleting).length };
    };
    const step = () => {
      w.reconcileDeployment(counts);
      w.reconcileSets();
      w.settle();
      w.record();
    };
    w.record();
    step();
    step();
    const old = w.sets.find((s) => s.metadata!.name === 'old')!;
    assert.equal(old.metadata!.annotations!['cluster.x-k8s.io/disable-machine-create'], 'true');
    assert.deepEqual(w.trace, ['old 3 new 0 available 3'], 'nothing moves until a Machine is deleted');
    for (let i = 0; i < 3; i++) {
      // The user deletes one old Machine (it keeps a finalizer for a while).
      w.machines.get('old')![0]!.deleting = true;
      step();
      step();
      // It is gone.
      const list = w.machines.get('old')!;
      const gone = list.findIndex((m) => m.deleting);
      if (gone >= 0) list.splice(gone, 1);
      w.reconcileSets();
      step();
      step();
    }
    assert.deepEqual(w.trace, [
      'old 3 new 0 available 3',
      'old 2 new 0 available 2',
      'old 2 new 1 available 3',
      'old 1 new 1 available 2',
      'old 1 new 2 available 3',
      'old 0 new 2 available 2',
      'old 0 new 3 available 3',
    ]);
  });
  test('plan: a deleting old Machine shrinks the old MachineSet; the new one waits until it is gone', () => {
    const d = md({ type: 'OnDelete', replicas: 3 });
    const newMS = ms('new', { replicas: 0, created: T0 + MIN, annotations: { [DESIRED]: '3', [MAX]: '3' } });
    const old = ms('old', { replicas: 3, actual: 3, infra: 'infra-old', annotations: { [DESIRED]: '3', [MAX]: '3' } });
    const deleting = planOnDelete(d, newMS, [old], () => ({ total: 3, deleting: 1 }));
    assert.deepEqual(deleting.actions, [
      { type: 'machineCreation', machineSet: 'old', disable: true },
      { type: 'scale', machineSet: 'old', from: 3, to: 2 },
    ]);
    const gone = planOnDelete(d, newMS, [ms('old', { replicas: 2, actual: 2, infra: 'infra-old', annotations: { [DESIRED]: '3', [MAX]: '3', 'cluster.x-k8s.io/disable-machine-create': 'true' } })], () => ({ total: 2, deleting: 0 }));
    assert.deepEqual(gone.actions, [{ type: 'scale', machineSet: 'new', from: 0, to: 1 }]);
  });
  test('plan: scaling down mid-rollout takes the excess from old MachineSets', () => {
    const d = md({ type: 'OnDelete', replicas: 1 });
    const p = planOnDelete(d, ms('new', { replicas: 0, created: T0 + MIN }), [ms('old', { replicas: 3, infra: 'infra-old' })], () => ({ total: 3, deleting: 0 }));
    assert.deepEqual(replicasOf(p), { old: 1, new: 0 });
  });
});

describe('proportional scaling of a paused MachineDeployment (as Kubernetes Deployments, cases from its TestScale)', () => {
  const withMax = (name: string, replicas: number, max: number, created: number) => ms(name, { replicas, created, annotations: { [MAX]: String(max), [DESIRED]: String(max) } });
  const cases: { name: string; replicas: number; surge?: number; newMS?: [number, number]; old: [number, number][]; want: Record<string, number> }[] = [
    { name: 'normal scaling event: 10 → 12', replicas: 12, newMS: [10, 10], old: [], want: { new: 12 } },
    { name: 'normal scaling event: 10 → 5', replicas: 5, newMS: [10, 10], old: [], want: { new: 5 } },
    { name: 'proportional scaling: 5 → 10', replicas: 10, newMS: [2, 5], old: [[3, 5]], want: { new: 4, old0: 6 } },
    { name: 'proportional scaling: 5 → 3', replicas: 3, newMS: [2, 5], old: [[3, 5]], want: { new: 1, old0: 2 } },
    { name: 'proportional scaling: 9 → 4', replicas: 4, newMS: [8, 9], old: [[1, 9]], want: { new: 4, old0: 0 } },
    { name: 'proportional scaling: 7 → 10', replicas: 10, newMS: [2, 7], old: [[3, 7], [2, 7]], want: { new: 3, old0: 4, old1: 3 } },
    { name: 'proportional scaling: 13 → 8', replicas: 8, newMS: [2, 13], old: [[8, 13], [3, 13]], want: { new: 1, old0: 5, old1: 2 } },
    { name: 'leftover distribution: 3 → 4 (to the newest of the largest)', replicas: 4, newMS: [1, 3], old: [[1, 3], [1, 3]], want: { new: 2, old0: 1, old1: 1 } },
    { name: 'leftover distribution: 4 → 3 (from the oldest of the largest)', replicas: 3, newMS: [1, 4], old: [[2, 4], [1, 4]], want: { new: 1, old0: 1, old1: 1 } },
    { name: 'scaled to zero', replicas: 0, newMS: [2, 5], old: [[3, 5]], want: { new: 0, old0: 0 } },
    { name: 'only old MachineSets, one active', replicas: 4, old: [[2, 2], [0, 2]], want: { old0: 4, old1: 0 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = md({ replicas: c.replicas, maxSurge: c.surge ?? 0, maxUnavailable: 1 });
      const olds = c.old.map(([r, m], i) => withMax(`old${i}`, r, m, T0 + i * MIN));
      const newMS = c.newMS ? withMax('new', c.newMS[0], c.newMS[1], T0 + 10 * MIN) : undefined;
      const p = planProportionalScale(d, newMS, olds);
      assert.deepEqual(replicasOf(p), c.want);
      for (const s of [...p.oldMSs, ...(p.newMS ? [p.newMS] : [])]) {
        if (p.actions.some((a) => a.type === 'scale' && a.machineSet === s.metadata!.name)) assert.equal(s.metadata!.annotations![MAX], String(c.replicas + (c.surge ?? 0)), 'a scaled MachineSet records the new max-replicas');
      }
    });
  }
  test('a saturated new MachineSet: the old ones go to zero', () => {
    const d = md({ replicas: 3, maxSurge: 1, maxUnavailable: 0 });
    const newMS = ms('new', { replicas: 3, available: 3, annotations: { [DESIRED]: '3', [MAX]: '4' }, created: T0 + MIN });
    assert.deepEqual(replicasOf(planProportionalScale(d, newMS, [ms('old', { replicas: 1 })])), { new: 3, old: 0 });
  });
});
