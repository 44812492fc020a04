import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scaledValue } from '../shared/intstr.js';
import {
  byDecreasingReplicas,
  computeMachineSetAnnotations,
  deploymentComplete,
  findNewMachineSet,
  findOldMachineSets,
  findOneActiveOrLatest,
  isSaturated,
  machineTemplateUpToDate,
  maxSurge,
  maxUnavailable,
  newMSNewReplicas,
  replicasAnnotationsNeedUpdate,
  resolveFenceposts,
  templateHash,
  totalReplicaSum,
} from './mdutil.js';
import { iso, md, MIN, ms, T0 } from './fixtures.test-util.js';

const names = (list: { metadata?: { name?: string } }[]): string[] => list.map((x) => x.metadata!.name!);

describe('int-or-percent scaling (GetScaledValueFromIntOrPercent)', () => {
  const cases: [string | number, number, boolean, number][] = [
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['39%', 10, true, 4],
    ['39%', 10, false, 3],
    ['100%', 7, false, 7],
    ['0%', 0, true, 0],
    ['33%', 3, true, 1],
    ['33%', 3, false, 0],
  ];
  for (const [v, total, up, want] of cases) test(`${JSON.stringify(v)} of ${total} rounded ${up ? 'up' : 'down'} = ${want}`, () => assert.equal(scaledValue(v, total, up, 'f'), want));
  test('a string without % and a non-number are refused, naming the field', () => {
    assert.throws(() => scaledValue('5', 7, true, 'spec.strategy.rollingUpdate.maxSurge'), /spec\.strategy\.rollingUpdate\.maxSurge: invalid value "5"/);
    assert.throws(() => scaledValue('oops', 7, true, 'x'), /x: invalid value "oops"/);
    assert.throws(() => scaledValue('1.5%', 7, true, 'x'), /invalid value "1\.5%"/);
  });
});

describe('resolveFenceposts (upstream TestResolveFenceposts)', () => {
  const cases: { surge: string | number; unavailable: string | number; desired: number; want?: [number, number]; error?: RegExp }[] = [
    { surge: '0%', unavailable: '0%', desired: 0, want: [0, 1] },
    { surge: '39%', unavailable: '39%', desired: 10, want: [4, 3] },
    { surge: 'oops', unavailable: '39%', desired: 10, error: /maxSurge: invalid value "oops"/ },
    { surge: '55%', unavailable: 'urg', desired: 10, error: /maxUnavailable: invalid value "urg"/ },
    { surge: '5', unavailable: '1', desired: 7, error: /maxSurge: invalid value "5"/ },
    { surge: 0, unavailable: 0, desired: 3, want: [0, 1] },
    { surge: 1, unavailable: 0, desired: 3, want: [1, 0] },
  ];
  for (const c of cases) {
    test(`maxSurge=${c.surge} maxUnavailable=${c.unavailable} desired=${c.desired}`, () => {
      if (c.error) return assert.throws(() => resolveFenceposts(c.surge, c.unavailable, c.desired), c.error);
      const r = resolveFenceposts(c.surge, c.unavailable, c.desired);
      assert.deepEqual([r.surge, r.unavailable], c.want);
    });
  }
});

describe('maxUnavailable / maxSurge (upstream TestMaxUnavailable)', () => {
  const cases: [number, string | number, number][] = [
    [10, 5, 5],
    [10, 10, 10],
    [5, 10, 5],
    [0, 10, 0],
    [10, '50%', 5],
    [10, '100%', 10],
    [5, '100%', 5],
  ];
  for (const [replicas, mu, want] of cases) test(`replicas ${replicas}, maxUnavailable ${mu} → ${want}`, () => assert.equal(maxUnavailable(md({ replicas, maxSurge: 1, maxUnavailable: mu })), want));
  test('OnDelete has no surge and no unavailability budget', () => {
    assert.equal(maxSurge(md({ type: 'OnDelete' })), 0);
    assert.equal(maxUnavailable(md({ type: 'OnDelete' })), 0);
  });
  test('surge rounds up, unavailable rounds down', () => {
    const d = md({ replicas: 10, maxSurge: '25%', maxUnavailable: '25%' });
    assert.equal(maxSurge(d), 3);
    assert.equal(maxUnavailable(d), 2);
  });
});

describe('newMSNewReplicas (upstream TestNewMSNewReplicas)', () => {
  test('cannot scale up past the surge: stays at the new MachineSet replicas', () => {
    assert.equal(newMSNewReplicas(md({ replicas: 1, maxSurge: 1, maxUnavailable: 1 }), [ms('rs5', { replicas: 5 })], 5), 5);
  });
  test('scales up to spec.replicas when the surge allows', () => {
    assert.equal(newMSNewReplicas(md({ replicas: 6, maxSurge: 10, maxUnavailable: 1 }), [ms('rs5', { replicas: 5 })], 2), 6);
  });
  test('Machines still being deleted (status above spec) count against the surge', () => {
    assert.equal(newMSNewReplicas(md({ replicas: 1, maxSurge: 0, maxUnavailable: 0 }), [ms('old', { replicas: 0, actual: 1 }), ms('new', { replicas: 0 })], 0), 0);
  });
  test('OnDelete grows only into room left by deleted Machines', () => {
    const d = md({ type: 'OnDelete', replicas: 3 });
    assert.equal(newMSNewReplicas(d, [ms('old', { replicas: 3 })], 0), 0);
    assert.equal(newMSNewReplicas(d, [ms('old', { replicas: 2, actual: 3 })], 0), 0);
    assert.equal(newMSNewReplicas(d, [ms('old', { replicas: 2, actual: 2 })], 0), 1);
  });
});

describe('deploymentComplete (upstream TestDeploymentComplete)', () => {
  const cases: [string, [number, number, number, number, number, number], boolean][] = [
    ['min but not all machines available', [5, 5, 5, 4, 1, 0], false],
    ['min availability not honoured', [5, 5, 5, 3, 1, 0], false],
    ['complete', [5, 5, 5, 5, 0, 0], true],
    ['all available but not updated', [5, 5, 4, 5, 0, 0], false],
    ['still running old machines', [1, 2, 1, 1, 0, 1], false],
    ['one replica never comes up', [1, 1, 1, 0, 1, 1], false],
  ];
  for (const [name, [desired, current, updated, available, mu, surge], want] of cases) {
    test(name, () => {
      const d = md({ replicas: desired, maxSurge: surge, maxUnavailable: mu });
      assert.equal(deploymentComplete(d, { replicas: current, updatedReplicas: updated, availableReplicas: available, observedGeneration: 1 }), want);
    });
  }
  test('an unobserved generation is not complete', () => {
    assert.equal(deploymentComplete(md({ replicas: 1, generation: 2 }), { replicas: 1, updatedReplicas: 1, availableReplicas: 1, observedGeneration: 1 }), false);
  });
});

describe('computeMachineSetAnnotations (upstream TestComputeMachineSetAnnotations)', () => {
  const d = md({ replicas: 3, maxSurge: 1, maxUnavailable: 0, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x', key1: 'value1', 'machinedeployment.clusters.x-k8s.io/revision': '9' } });
  const rev = (revision: string, history?: string) => ms(`ms-${revision}`, { annotations: { 'machinedeployment.clusters.x-k8s.io/revision': revision, ...(history ? { 'machinedeployment.clusters.x-k8s.io/revision-history': history } : {}) } });
  const base = { key1: 'value1', 'machinedeployment.clusters.x-k8s.io/desired-replicas': '3', 'machinedeployment.clusters.x-k8s.io/max-replicas': '4' };
  const cases: { name: string; old: ReturnType<typeof rev>[]; existing?: ReturnType<typeof rev>; want: Record<string, string> }[] = [
    { name: 'a new MachineSet', old: [], want: { ...base, 'machinedeployment.clusters.x-k8s.io/revision': '1' } },
    { name: 'a new MachineSet, old ones exist', old: [rev('1')], want: { ...base, 'machinedeployment.clusters.x-k8s.io/revision': '2' } },
    { name: 'an existing MachineSet', old: [], existing: rev('1'), want: { ...base, 'machinedeployment.clusters.x-k8s.io/revision': '1' } },
    {
      name: 'an existing MachineSet, old ones exist (rollback: revision bumped, history kept)',
      old: [rev('1'), rev('2')],
      existing: rev('1'),
      want: { ...base, 'machinedeployment.clusters.x-k8s.io/revision': '3', 'machinedeployment.clusters.x-k8s.io/revision-history': '1' },
    },
    { name: 'an existing MachineSet with a greater revision keeps it', old: [rev('1'), rev('2')], existing: rev('4'), want: { ...base, 'machinedeployment.clusters.x-k8s.io/revision': '4' } },
    {
      name: 'an existing MachineSet with a history appends to it',
      old: [rev('3'), rev('4')],
      existing: rev('2', '1'),
      want: { ...base, 'machinedeployment.clusters.x-k8s.io/revision': '5', 'machinedeployment.clusters.x-k8s.io/revision-history': '1,2' },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(computeMachineSetAnnotations(d, c.old, c.existing), c.want));
});

describe('replica annotations (upstream TestReplicasAnnotationsNeedUpdate, TestAnnotationUtils)', () => {
  const a = (desired?: string, max?: string) => ms('x', { annotations: { ...(desired ? { 'machinedeployment.clusters.x-k8s.io/desired-replicas': desired } : {}), ...(max ? { 'machinedeployment.clusters.x-k8s.io/max-replicas': max } : {}) } });
  test('no annotations need an update', () => assert.equal(replicasAnnotationsNeedUpdate(ms('x'), 10, 20), true));
  test('desired differs', () => assert.equal(replicasAnnotationsNeedUpdate(a('8', '20'), 10, 20), true));
  test('max differs', () => assert.equal(replicasAnnotationsNeedUpdate(a('10', '16'), 10, 20), true));
  test('both match', () => assert.equal(replicasAnnotationsNeedUpdate(a('10', '20'), 10, 20), false));
  test('isSaturated: desired annotation, spec and available all at spec.replicas', () => {
    const d = md({ replicas: 1 });
    assert.equal(isSaturated(d, ms('x', { replicas: 1, available: 1, annotations: { 'machinedeployment.clusters.x-k8s.io/desired-replicas': '1' } })), true);
    assert.equal(isSaturated(d, ms('x', { replicas: 1, available: 0, annotations: { 'machinedeployment.clusters.x-k8s.io/desired-replicas': '1' } })), false);
    assert.equal(isSaturated(d, ms('x', { replicas: 1, available: 1 })), false);
  });
});

describe('machine template comparison (rollout fields only)', () => {
  const t = md().spec.template;
  const variant = (f: (x: typeof t) => void) => {
    const c = structuredClone(t);
    f(c);
    return c;
  };
  test('equal templates', () => assert.deepEqual(machineTemplateUpToDate(t, structuredClone(t)), { upToDate: true, differences: [] }));
  test('labels, annotations, timeouts and readiness gates do not roll out', () => {
    const c = variant((x) => {
      x.metadata = { labels: { other: 'y' }, annotations: { a: 'b' } };
      x.spec.nodeDrainTimeout = '20s';
      x.spec.readinessGates = [{ conditionType: 'X' }];
    });
    assert.equal(machineTemplateUpToDate(t, c).upToDate, true);
  });
  test('a new apiVersion of the same group does not roll out; a namespace on the reference neither', () => {
    const c = variant((x) => {
      x.spec.infrastructureRef.apiVersion = 'infrastructure.slipway.dev/v1alpha2';
      x.spec.infrastructureRef.namespace = 'ns';
    });
    assert.equal(machineTemplateUpToDate(t, c).upToDate, true);
  });
  test('version, infrastructure template, bootstrap template and failure domain roll out, each described', () => {
    const c = variant((x) => {
      x.spec.version = 'v1.32.0';
      x.spec.infrastructureRef.name = 'infra-2';
      x.spec.bootstrap.configRef!.name = 'boot-2';
      x.spec.failureDomain = 'fd1';
    });
    assert.deepEqual(machineTemplateUpToDate(t, c).differences, [
      'spec.version v1.31.2, v1.32.0 required',
      'spec.bootstrap.configRef KubeadmConfigTemplate boot, KubeadmConfigTemplate boot-2 required',
      'spec.infrastructureRef SimMachineTemplate infra-new, SimMachineTemplate infra-2 required',
      'spec.failureDomain nil, fd1 required',
    ]);
  });
  test('the template hash is stable, ignores in-place fields and changes with rollout fields', () => {
    const h = templateHash(t);
    assert.match(h, /^[0-9]+$/);
    assert.equal(templateHash(variant((x) => (x.spec.nodeDrainTimeout = '1m'))), h);
    assert.equal(templateHash(variant((x) => (x.metadata = { labels: { z: '1', a: '2' } }))), h);
    assert.notEqual(templateHash(variant((x) => (x.spec.version = 'v1.32.0'))), h);
  });
});

describe('findNewMachineSet / findOldMachineSets (upstream TestFindNewMachineSet, TestFindOldMachineSets)', () => {
  const rolloutAfter = T0 + 2 * MIN;
  const d = md({ infra: 'new-infra-ref' });
  const dAfter = md({ infra: 'new-infra-ref', rolloutAfter: iso(rolloutAfter) });
  const matching = ms('matching', { replicas: 1, infra: 'new-infra-ref' });
  const matchingHigher = ms('matching-higher', { replicas: 2, infra: 'new-infra-ref' });
  const old = ms('old', { replicas: 1, infra: 'old-infra-ref' });
  const twoBefore = ms('two-before', { infra: 'new-infra-ref', created: T0 });
  const oneAfter = ms('one-after', { infra: 'new-infra-ref', created: rolloutAfter + MIN });
  const exactly = ms('exactly', { infra: 'new-infra-ref', created: rolloutAfter });
  const cases: { name: string; d: typeof d; list: (typeof old)[]; now?: number; want?: string; reason?: string | RegExp }[] = [
    { name: 'none when no MachineSets exist', d, list: [], reason: 'no MachineSets exist for the MachineDeployment' },
    { name: 'the one matching the template', d, list: [old, matching], want: 'matching' },
    { name: 'the one with more replicas when several match', d, list: [old, matching, matchingHigher], want: 'matching-higher' },
    { name: 'none when none matches, with the difference', d, list: [old], reason: 'couldn\'t find MachineSet matching MachineDeployment spec template: MachineSet old: diff: spec.infrastructureRef SimMachineTemplate old-infra-ref, SimMachineTemplate new-infra-ref required' },
    { name: 'before rolloutAfter the existing one', d: dAfter, list: [twoBefore], now: rolloutAfter - MIN, want: 'two-before' },
    { name: 'after rolloutAfter none made before it', d: dAfter, list: [twoBefore], now: rolloutAfter + MIN, reason: /RolloutAfter on MachineDeployment set to 2030-01-01T12:02:00Z, no MachineSet has been created afterwards/ },
    { name: 'after rolloutAfter the one made after it', d: dAfter, list: [oneAfter, twoBefore], now: rolloutAfter + 2 * MIN, want: 'one-after' },
    { name: 'after rolloutAfter the one made exactly at it', d: dAfter, list: [exactly, twoBefore], now: rolloutAfter + MIN, want: 'exactly' },
    { name: 'after rolloutAfter the one made after it (other order)', d: dAfter, list: [twoBefore, oneAfter], now: rolloutAfter + 2 * MIN, want: 'one-after' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = findNewMachineSet(c.d, c.list, c.now ?? T0);
      assert.equal(r.machineSet?.metadata?.name, c.want);
      if (typeof c.reason === 'string') assert.equal(r.reason, c.reason);
      else if (c.reason) assert.match(r.reason, c.reason);
      const oldOnes = findOldMachineSets(c.d, c.list, c.now ?? T0);
      assert.deepEqual(names(oldOnes).sort(), names(c.list.filter((x) => x.metadata!.name !== c.want)).sort());
    });
  }
  test('equal replicas and times: the lower name is the new one', () => {
    const aa = ms('aa', { replicas: 1, infra: 'new-infra-ref' });
    const ab = ms('ab', { replicas: 1, infra: 'new-infra-ref' });
    assert.equal(findNewMachineSet(d, [ab, aa], T0).machineSet, aa);
    assert.deepEqual(names(findOldMachineSets(d, [old, aa, ab], T0)), ['old', 'ab']);
  });
});

describe('orderings and sums', () => {
  test('byDecreasingReplicas: larger first, then older, then by name', () => {
    const list = [ms('c', { replicas: 1, created: T0 + MIN }), ms('b', { replicas: 2 }), ms('a', { replicas: 1, created: T0 + MIN }), ms('d', { replicas: 1 })];
    assert.deepEqual(names(list.sort(byDecreasingReplicas)), ['b', 'd', 'a', 'c']);
  });
  test('totalReplicaSum counts the larger of spec and status', () => {
    assert.equal(totalReplicaSum([ms('a', { replicas: 2, actual: 3 }), ms('b', { replicas: 2, actual: 0 }), undefined]), 5);
  });
  test('findOneActiveOrLatest', () => {
    const n = ms('new', { replicas: 0, created: T0 + 2 * MIN });
    const o1 = ms('o1', { replicas: 0, created: T0 });
    const o2 = ms('o2', { replicas: 0, created: T0 + MIN });
    assert.equal(findOneActiveOrLatest(n, [o1, o2]), n, 'none active: the new one');
    assert.equal(findOneActiveOrLatest(undefined, [o1, o2]), o2, 'none active, no new one: the newest old one');
    assert.equal(findOneActiveOrLatest(n, [ms('o3', { replicas: 2 }), o1])?.metadata?.name, 'o3', 'one active');
    assert.equal(findOneActiveOrLatest(ms('n2', { replicas: 1 }), [ms('o3', { replicas: 2 })]), undefined, 'several active');
  });
});
