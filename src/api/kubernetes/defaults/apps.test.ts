import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDefaults, defaulted, defaultedTemplateSpec } from './defaults.test-util.js';

type Obj = Record<string, unknown>;
const labels = { foo: 'bar' };
const template = { metadata: { labels }, spec: {} };
const defaultedTemplate = { metadata: { labels }, spec: defaultedTemplateSpec() };
const specOf = (obj: Obj) => obj['spec'] as Obj;

describe('Deployment defaults (upstream TestSetDefaultDeployment)', () => {
  const cases: { name: string; spec: Obj; expected: Obj }[] = [
    {
      name: 'empty deployment',
      spec: {},
      expected: {
        replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      },
    },
    {
      name: 'maxSurge set, type unset',
      spec: { replicas: 5, strategy: { rollingUpdate: { maxSurge: 5 } } },
      expected: {
        replicas: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 5, maxUnavailable: '25%' } },
        revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      },
    },
    {
      name: 'RollingUpdate without rollingUpdate',
      spec: { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: null } },
      expected: {
        replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      },
    },
    {
      name: 'Recreate with revisionHistoryLimit 0',
      spec: { replicas: 5, strategy: { type: 'Recreate' }, revisionHistoryLimit: 0 },
      expected: { replicas: 5, strategy: { type: 'Recreate' }, revisionHistoryLimit: 0, progressDeadlineSeconds: 600 },
    },
    {
      name: 'Recreate with progressDeadlineSeconds and revisionHistoryLimit set',
      spec: { replicas: 5, strategy: { type: 'Recreate' }, progressDeadlineSeconds: 30, revisionHistoryLimit: 2 },
      expected: { replicas: 5, strategy: { type: 'Recreate' }, progressDeadlineSeconds: 30, revisionHistoryLimit: 2 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assertDefaults('apps', 'v1', 'Deployment', {
      name: c.name,
      input: { spec: { ...c.spec, template } },
      expected: { spec: { ...c.expected, template: defaultedTemplate } },
    }));
  }

  it('the default maxUnavailable leaves a one-replica Deployment available (TestDefaultDeploymentAvailability)', () => {
    const spec = specOf(defaulted('apps', 'v1', 'Deployment', {}));
    const replicas = spec['replicas'] as number;
    const percent = Number.parseInt(((spec['strategy'] as Obj)['rollingUpdate'] as Obj)['maxUnavailable'] as string, 10);
    assert.ok(replicas - Math.floor((replicas * percent) / 100) > 0);
  });
});

describe('DaemonSet defaults (upstream TestSetDefaultDaemonSetSpec)', () => {
  const rolling = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
  it('template labels, default update strategy', () => assertDefaults('apps', 'v1', 'DaemonSet', {
    name: 'default', input: { spec: { template } },
    expected: { spec: { template: defaultedTemplate, updateStrategy: rolling, revisionHistoryLimit: 10 } },
  }));
  it('revisionHistoryLimit kept', () => assertDefaults('apps', 'v1', 'DaemonSet', {
    name: 'history', input: { metadata: { labels: { bar: 'foo' } }, spec: { template, revisionHistoryLimit: 1 } },
    expected: { metadata: { labels: { bar: 'foo' } }, spec: { template: defaultedTemplate, updateStrategy: rolling, revisionHistoryLimit: 1 } },
  }));
  it('OnDelete gets no rollingUpdate', () => assertDefaults('apps', 'v1', 'DaemonSet', {
    name: 'ondelete', input: { spec: { template: { spec: {} }, updateStrategy: { type: 'OnDelete' } } },
    expected: { spec: { template: { spec: defaultedTemplateSpec() }, updateStrategy: { type: 'OnDelete' }, revisionHistoryLimit: 10 } },
  }));
  it('empty spec: the template is defaulted too (a Go struct always has one)', () => assertDefaults('apps', 'v1', 'DaemonSet', {
    name: 'empty', input: { spec: {} },
    expected: { spec: { template: { spec: defaultedTemplateSpec() }, updateStrategy: rolling, revisionHistoryLimit: 10 } },
  }));
  it('a percent maxUnavailable is kept', () => {
    const out = specOf(defaulted('apps', 'v1', 'DaemonSet', { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } } } }));
    assert.deepEqual(out['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } });
  });
});

describe('StatefulSet defaults (upstream TestSetDefaultStatefulSet, with StatefulSetAutoDeletePVC and MaxUnavailableStatefulSet on)', () => {
  const retain = { whenDeleted: 'Retain', whenScaled: 'Retain' };
  const expected = (extra: Obj) => ({
    spec: {
      template: defaultedTemplate, podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      persistentVolumeClaimRetentionPolicy: retain, replicas: 1, revisionHistoryLimit: 10, ...extra,
    },
  });
  const cases: { name: string; spec: Obj; expected: Obj }[] = [
    { name: 'labels and default update strategy', spec: {}, expected: expected({}) },
    { name: 'alternate update strategy', spec: { updateStrategy: { type: 'OnDelete' } }, expected: expected({ updateStrategy: { type: 'OnDelete' } }) },
    { name: 'parallel pod management policy', spec: { podManagementPolicy: 'Parallel' }, expected: expected({ podManagementPolicy: 'Parallel' }) },
    {
      name: 'partition is not lost when the type is not set',
      spec: { updateStrategy: { rollingUpdate: { partition: 42 } } },
      expected: expected({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 42, maxUnavailable: 1 } } }),
    },
    {
      name: 'explicit RollingUpdate without rollingUpdate stays without it',
      spec: { updateStrategy: { type: 'RollingUpdate' } },
      expected: expected({ updateStrategy: { type: 'RollingUpdate' } }),
    },
    {
      name: 'PVC retention: whenScaled Delete kept, whenDeleted defaulted',
      spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } },
      expected: expected({ persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' } }),
    },
    {
      name: 'PVC retention: whenDeleted Delete kept, whenScaled defaulted',
      spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } },
      expected: expected({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }),
    },
    {
      name: 'non-default maxUnavailable and partition kept',
      spec: { updateStrategy: { rollingUpdate: { partition: 42, maxUnavailable: 3 } } },
      expected: expected({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 42, maxUnavailable: 3 } } }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => assertDefaults('apps', 'v1', 'StatefulSet', {
      name: c.name, input: { spec: { template, ...c.spec } }, expected: c.expected,
    }));
  }

  it('volumeClaimTemplates get PVC defaults (volumeMode, status.phase Pending)', () => {
    const out = specOf(defaulted('apps', 'v1', 'StatefulSet', {
      spec: { template, volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'] } }] },
    }));
    assert.deepEqual(out['volumeClaimTemplates'], [
      { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
  });
});

describe('ReplicaSet defaults (upstream TestSetDefaultReplicaSetReplicas)', () => {
  for (const [set, expected] of [[undefined, 1], [0, 0], [3, 3]] as const) {
    it(`replicas ${String(set)} → ${expected}`, () => {
      const spec: Obj = { template };
      if (set !== undefined) spec['replicas'] = set;
      assert.equal(specOf(defaulted('apps', 'v1', 'ReplicaSet', { spec }))['replicas'], expected);
    });
  }
  it('template requests are not defaulted from limits (TestDefaultRequestIsNotSetForReplicaSet)', () => {
    const out = specOf(defaulted('apps', 'v1', 'ReplicaSet', {
      spec: { replicas: 3, template: { metadata: { labels }, spec: { containers: [{ name: 'a', image: 'x:1', resources: { limits: { cpu: '100m' } } }] } } },
    }));
    const container = (((out['template'] as Obj)['spec'] as Obj)['containers'] as Obj[])[0]!;
    assert.deepEqual(container['resources'], { limits: { cpu: '100m' } });
    assert.equal(container['imagePullPolicy'], 'IfNotPresent');
  });
});
