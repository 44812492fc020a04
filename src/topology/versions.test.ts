/** Version plans and naming: table tests. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import { simpleName, templateName } from './naming.js';
import { RANDOM_ALPHABET, seededRandom, sequenceRandom } from './random.js';
import { noTemplates } from './template-renderer.js';
import { controlPlaneUpgradePlan, planVersions, VersionPlanError, workersUpgradePlan } from './versions.js';

const cp = (spec: string, status?: string, extra: Record<string, unknown> = {}): KubeObject => ({
  kind: 'KubeadmControlPlane',
  spec: { version: spec, replicas: 3 },
  status: status === undefined ? undefined : { version: status, replicas: 3, updatedReplicas: 3, readyReplicas: 3, ...extra },
});
const md = (version: string, status: Record<string, unknown> = { replicas: 2, updatedReplicas: 2 }): KubeObject => ({
  kind: 'MachineDeployment',
  metadata: { generation: 1 },
  spec: { replicas: 2, template: { spec: { version } } },
  status: { observedGeneration: 1, ...status },
});

describe('upgrade plans', () => {
  it('one minor at a time by default', () => {
    assert.deepEqual(controlPlaneUpgradePlan('v1.25.4', 'v1.25.4'), []);
    assert.deepEqual(controlPlaneUpgradePlan('v1.25.4', 'v1.25.1'), ['v1.25.4']);
    assert.deepEqual(controlPlaneUpgradePlan('v1.26.0', 'v1.25.4'), ['v1.26.0']);
    assert.throws(() => controlPlaneUpgradePlan('v1.27.0', 'v1.25.4'), (e: unknown) => e instanceof VersionPlanError && e.message === 'cannot compute an upgrade plan from v1.25.4 to v1.27.0');
    assert.throws(() => controlPlaneUpgradePlan('v1.24.0', 'v1.25.4'), /downgrades are not supported/);
  });
  it('through the class versions, latest patch of every minor', () => {
    const known = ['v1.24.9', 'v1.25.1', 'v1.25.7', 'v1.26.2', 'v1.26.5', 'v1.27.3'];
    assert.deepEqual(controlPlaneUpgradePlan('v1.27.3', 'v1.24.9', known), ['v1.25.7', 'v1.26.5', 'v1.27.3']);
    assert.throws(() => controlPlaneUpgradePlan('v1.27.3', 'v1.23.0', known.slice(1)), /no version for minor 1.24/);
  });
  it('workers step every 3 minors, then to the desired version', () => {
    assert.deepEqual(workersUpgradePlan('v1.27.3', 'v1.24.9', 'v1.24.9', ['v1.25.7', 'v1.26.5', 'v1.27.3']), ['v1.27.3']);
    assert.deepEqual(workersUpgradePlan('v1.28.1', 'v1.24.9', 'v1.24.9', ['v1.25.7', 'v1.26.5', 'v1.27.3', 'v1.28.1']), ['v1.27.3', 'v1.28.1']);
    assert.deepEqual(workersUpgradePlan('v1.26.0', 'v1.26.0', undefined, []), []);
  });
});

describe('planVersions', () => {
  const cases: { name: string; input: Parameters<typeof planVersions>[0]; want: Partial<ReturnType<typeof planVersions>> }[] = [
    {
      name: 'new cluster: everything at the topology version',
      input: { desired: 'v1.25.4', workers: [{ name: 'md-0' }] },
      want: { controlPlane: 'v1.25.4', workers: { 'md-0': { version: 'v1.25.4' } } },
    },
    {
      name: 'control plane upgrades first; workers wait',
      input: { desired: 'v1.26.0', controlPlane: cp('v1.25.4', 'v1.25.4'), workers: [{ name: 'md-0', current: md('v1.25.4') }] },
      want: { controlPlane: 'v1.26.0', controlPlaneUpgradePlan: ['v1.26.0'], workersUpgradePlan: ['v1.26.0'], workers: { 'md-0': { version: 'v1.25.4', pendingUpgrade: true } } },
    },
    {
      name: 'control plane still upgrading: no change',
      input: { desired: 'v1.26.0', controlPlane: cp('v1.26.0', 'v1.25.4'), workers: [{ name: 'md-0', current: md('v1.25.4') }] },
      want: { controlPlane: 'v1.26.0', workers: { 'md-0': { version: 'v1.25.4', pendingUpgrade: true } } },
    },
    {
      name: 'control plane stable at the new version: one worker at a time',
      input: {
        desired: 'v1.26.0',
        controlPlane: cp('v1.26.0', 'v1.26.0'),
        workers: [
          { name: 'md-0', current: md('v1.25.4') },
          { name: 'md-1', current: md('v1.25.4') },
        ],
      },
      want: { controlPlane: 'v1.26.0', workers: { 'md-0': { version: 'v1.26.0', upgrading: true }, 'md-1': { version: 'v1.25.4', pendingUpgrade: true } } },
    },
    {
      name: 'concurrency 2',
      input: {
        desired: 'v1.26.0',
        concurrency: 2,
        controlPlane: cp('v1.26.0', 'v1.26.0'),
        workers: [
          { name: 'md-0', current: md('v1.25.4') },
          { name: 'md-1', current: md('v1.25.4') },
        ],
      },
      want: { workers: { 'md-0': { version: 'v1.26.0', upgrading: true }, 'md-1': { version: 'v1.26.0', upgrading: true } } },
    },
    {
      name: 'a worker still rolling out blocks the next one',
      input: {
        desired: 'v1.26.0',
        controlPlane: cp('v1.26.0', 'v1.26.0'),
        workers: [
          { name: 'md-0', current: md('v1.26.0', { replicas: 3, updatedReplicas: 1 }) },
          { name: 'md-1', current: md('v1.25.4') },
        ],
      },
      want: { workers: { 'md-0': { version: 'v1.26.0' }, 'md-1': { version: 'v1.25.4', pendingUpgrade: true } } },
    },
    {
      name: 'defer-upgrade keeps a worker back',
      input: { desired: 'v1.26.0', controlPlane: cp('v1.26.0', 'v1.26.0'), workers: [{ name: 'md-0', current: md('v1.25.4'), deferUpgrade: true }] },
      want: { workers: { 'md-0': { version: 'v1.25.4', pendingUpgrade: true } } },
    },
    {
      name: 'control plane provisioning: keeps its version, new workers wait',
      input: { desired: 'v1.26.0', controlPlane: cp('v1.25.4'), workers: [{ name: 'md-0' }] },
      want: { controlPlane: 'v1.25.4', controlPlaneHold: 'provisioning', workers: { 'md-0': { version: 'v1.26.0', pendingCreate: true } } },
    },
    {
      name: 'control plane scaling holds the upgrade',
      input: { desired: 'v1.26.0', controlPlane: cp('v1.25.4', 'v1.25.4', { readyReplicas: 2 }), workers: [] },
      want: { controlPlane: 'v1.25.4', controlPlaneHold: 'scaling' },
    },
    {
      name: 'workers rolling out hold the control plane',
      input: { desired: 'v1.26.0', controlPlane: cp('v1.25.4', 'v1.25.4'), workers: [{ name: 'md-0', current: md('v1.25.4', { replicas: 2, updatedReplicas: 1 }) }] },
      want: { controlPlane: 'v1.25.4', controlPlaneHold: 'workersUpgrading' },
    },
    {
      name: 'chained upgrade: workers three minors behind catch up before the control plane moves on',
      input: {
        desired: 'v1.28.1',
        kubernetesVersions: ['v1.25.7', 'v1.26.5', 'v1.27.3', 'v1.28.1'],
        controlPlane: cp('v1.27.3', 'v1.27.3'),
        workers: [{ name: 'md-0', current: md('v1.24.9') }],
      },
      want: { controlPlane: 'v1.27.3', controlPlaneHold: 'workersBehind', workersUpgradePlan: ['v1.27.3', 'v1.28.1'], workers: { 'md-0': { version: 'v1.27.3', upgrading: true } } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = planVersions(c.input);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }
  it('skipping a minor without class versions is refused', () => {
    assert.throws(() => planVersions({ desired: 'v1.27.0', controlPlane: cp('v1.25.4', 'v1.25.4'), workers: [] }), VersionPlanError);
  });
});

describe('names', () => {
  it('simple names: base truncated to 58 characters plus 5 random characters', () => {
    assert.equal(simpleName('c1-md-0-', sequenceRandom(['abcde'])), 'c1-md-0-abcde');
    const long = 'x'.repeat(70);
    assert.equal(simpleName(long, sequenceRandom(['bcdfg'])), `${'x'.repeat(58)}bcdfg`);
  });
  it('default templates need no template engine', () => {
    assert.equal(templateName('{{ .cluster.name }}-{{ .random }}', { clusterName: 'dev' }, sequenceRandom(['z2z2z']), noTemplates), 'dev-z2z2z');
    assert.equal(
      templateName('{{ .cluster.name }}-{{ .machineDeployment.topologyName }}-{{ .random }}', { clusterName: 'dev', worker: { kind: 'machineDeployment', topologyName: 'md-0' } }, sequenceRandom(['k4k4k']), noTemplates),
      'dev-md-0-k4k4k',
    );
    const long = 'c'.repeat(60);
    assert.equal(templateName('{{ .cluster.name }}-{{ .random }}', { clusterName: long }, sequenceRandom(['aaaaa', 'bbbbb']), noTemplates), `${'c'.repeat(58)}bbbbb`);
  });
  it('seeded random sources are reproducible and use the upstream alphabet', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const s = a(20);
    assert.equal(s, b(20));
    assert.match(s, new RegExp(`^[${RANDOM_ALPHABET}]{20}$`));
    assert.notEqual(seededRandom(43)(20), s);
  });
});
