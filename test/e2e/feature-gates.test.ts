/**
 * Feature gates on a real plane (SQLite storage, restarted in place), through kubectl: the built-in Features and the
 * slipway-system FeatureGate installed at start, the stability policy enforced at admission with the field path and
 * nothing written, the permanent voided mark (flag, entry and gate cannot be undone; status and condition say so),
 * the controllers' status, the windows-workers gate refusing Windows use while deactivated, the featureActive check
 * of the later-issue gates, and restarts keeping a user's activation while re-applying the built-in descriptions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { featureActive, readerFeatureSource, storeFeatureSource } from '../../src/api/core/feature-active.js';
import { installBuiltinFeatures } from '../../src/api/core/install.js';
import { BUILTIN_FEATURES, KUBE_VIP_LOAD_BALANCER, MANAGEMENT_PLANE_IPAM, WINDOWS_WORKERS } from '../../src/api/core/features.js';
import type { Feature, FeatureGate } from '../../src/api/core/types.js';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { directReader } from '../../src/controllers/shared/reader.js';
import { kubeconfigClient } from '../../src/client/index.js';
import { pino } from 'pino';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/feature-gates/${name}`, import.meta.url));

describe('feature gates on a real plane', () => {
  let t: TestPlane;

  before(async () => {
    t = await startPlane({ clusterApi: false });
  });
  after(async () => {
    await t?.close();
  });

  async function json<T = KubeObject>(args: string[]): Promise<T> {
    const r = await t.kubectl([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  }
  const gate = (name = 'slipway-system'): Promise<FeatureGate> => json<FeatureGate>(['get', 'featuregate', name]);
  const feature = (name: string): Promise<Feature> => json<Feature>(['get', 'feature', name]);
  async function entryIndex(name: string, gateName = 'slipway-system'): Promise<number> {
    const i = (await gate(gateName)).spec.features!.findIndex((f) => f.name === name);
    assert.ok(i >= 0, `${gateName} lists ${name}`);
    return i;
  }
  function jsonPatch(kind: string, name: string, ops: unknown[]) {
    return t.kubectl(['patch', kind, name, '--type=json', '-p', JSON.stringify(ops)]);
  }
  async function setEntry(name: string, fields: Record<string, unknown>) {
    const i = await entryIndex(name);
    return jsonPatch('featuregate', 'slipway-system', Object.entries(fields).map(([k, v]) => ({ op: 'add', path: `/spec/features/${i}/${k}`, value: v })));
  }
  function apply(yaml: string) {
    return t.kubectl(['apply', '-f', '-'], { input: yaml });
  }

  it('installs the built-in Features and the slipway-system FeatureGate, cluster-scoped, with printer columns', async () => {
    const list = await json<{ items: Feature[] }>(['get', 'features']);
    assert.deepEqual(list.items.map((f) => f.metadata?.name).sort(), Object.keys(BUILTIN_FEATURES).sort());
    for (const f of list.items) assert.deepEqual(f.spec, BUILTIN_FEATURES[f.metadata!.name!]);
    const g = await gate();
    assert.deepEqual(g.spec.features!.map((f) => [f.name, f.activate]).sort(), Object.keys(BUILTIN_FEATURES).map((n) => [n, false]).sort());
    const resources = await t.kubectl(['api-resources', '--api-group=core.slipway.dev', '--no-headers']);
    assert.equal(resources.code, 0, resources.stderr);
    for (const line of resources.stdout.trim().split('\n')) assert.match(line, /\s+core\.slipway\.dev\/v1alpha1\s+false\s+(Feature|FeatureGate)$/);
    const table = await t.kubectl(['get', 'features']);
    assert.match(table.stdout.split('\n')[0]!, /^NAME\s+DESCRIPTION\s+STABILITY\s+ACTIVATED\?$/);
    assert.match(table.stdout, /windows-workers\s+Windows worker machines.*\s+Technical Preview\s+false/);
    const gates = await t.kubectl(['get', 'featuregates']);
    assert.match(gates.stdout, /^NAME\s+READY\s+VOIDED\s+AGE\nslipway-system\s+True\s+/);
  });

  it('refuses activating an Experimental feature without permanentlyVoidAllSupportGuarantees, naming the field; nothing is written', async () => {
    const before = await gate();
    const i = await entryIndex(KUBE_VIP_LOAD_BALANCER);
    const r = await setEntry(KUBE_VIP_LOAD_BALANCER, { activate: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`spec\\.features\\[${i}\\]\\.activate: Forbidden: feature kube-vip-load-balancer is Experimental: .*set permanentlyVoidAllSupportGuarantees: true`));
    const after = await gate();
    assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal(await featureActive(storeFeatureSource(t.plane.objects), KUBE_VIP_LOAD_BALANCER), false);
  });

  it('applies each stability policy through kubectl: Stable, Deprecated, Work In Progress, missing and doubly gated features', async () => {
    const features = [
      ['stable-thing', 'Stable'],
      ['old-thing', 'Deprecated'],
      ['wip-thing', 'Work In Progress'],
      ['preview-thing', 'Technical Preview'],
    ]
      .map(([name, stability]) => `apiVersion: core.slipway.dev/v1alpha1\nkind: Feature\nmetadata: {name: ${name}}\nspec: {description: test feature, stability: ${stability}}\n`)
      .join('---\n');
    assert.equal((await apply(features)).code, 0);
    const teamGate = (entries: string): string => `apiVersion: core.slipway.dev/v1alpha1\nkind: FeatureGate\nmetadata: {name: team}\nspec:\n  features:\n${entries}`;

    let r = await apply(teamGate('  - {name: old-thing, activate: true}\n  - {name: stable-thing, activate: false}\n'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.features\[1\]\.activate: Forbidden: feature stable-thing is Stable: Stable features are always activated and cannot be deactivated/);
    assert.equal((await t.kubectl(['get', 'featuregate', 'team'])).code, 1, 'nothing written');

    r = await apply(teamGate('  - {name: wip-thing, activate: true}\n'));
    assert.match(r.stderr, /spec\.features\[0\]\.activate: Forbidden: feature wip-thing is Work In Progress: activating it permanently voids/);
    r = await apply(teamGate('  - {name: nope}\n'));
    assert.match(r.stderr, /spec\.features\[0\]\.name: Not found: "nope"/);
    r = await apply(teamGate(`  - {name: ${WINDOWS_WORKERS}, activate: true}\n`));
    assert.match(r.stderr, /spec\.features\[0\]\.name: Invalid value: "windows-workers": feature windows-workers is already gated by FeatureGate slipway-system/);

    r = await apply(teamGate('  - {name: stable-thing, activate: true}\n  - {name: old-thing, activate: false}\n  - {name: preview-thing, activate: true}\n'));
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => (await feature('old-thing')).status?.activated === false && (await feature('preview-thing')).status?.activated === true, 10_000, 'Feature status');
    assert.equal((await feature('stable-thing')).status?.featureGate, 'team');
    r = await jsonPatch('featuregate', 'team', [{ op: 'replace', path: '/spec/features/2/activate', value: false }]);
    assert.equal(r.code, 0, 'Technical Preview toggles back');
    r = await jsonPatch('featuregate', 'team', [{ op: 'replace', path: '/spec/features/1/activate', value: true }]);
    assert.equal(r.code, 0, 'Deprecated re-activates');
    assert.match(r.stderr, /Warning: feature old-thing is Deprecated/);
    await eventually(async () => (await feature('old-thing')).status?.activated === true, 10_000, 'Deprecated activated again');
    // An upgrade that makes preview-thing Stable leaves the entry (activate: false) invalid: the controller reports it
    // and the feature takes Stable's default, while writes leaving the entry as it is still go through.
    assert.equal((await jsonPatch('feature', 'preview-thing', [{ op: 'replace', path: '/spec/stability', value: 'Stable' }])).code, 0);
    const reported = await eventually(async () => {
      const g = await gate('team');
      return g.status?.featureReferences?.find((f) => f.name === 'preview-thing')?.status === 'Invalid' && g;
    }, 10_000, 'invalid entry reported');
    assert.deepEqual(reported.status?.featureReferences?.find((f) => f.name === 'preview-thing'), {
      name: 'preview-thing',
      status: 'Invalid',
      activated: true,
      message: 'feature preview-thing is Stable: Stable features are always activated and cannot be deactivated',
    });
    const ready = reported.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['False', 'InvalidFeatureReferences']);
    await eventually(async () => (await feature('preview-thing')).status?.activated === true, 10_000, 'Stable default in effect');
    r = await t.kubectl(['label', 'featuregate', 'team', 'owner=platform']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await t.kubectl(['delete', 'featuregate', 'team'])).code, 0, 'a gate that voided nothing can be deleted');
  });

  it('activates an Experimental feature with the void flag, and the voided mark is permanent', async () => {
    const i = await entryIndex(KUBE_VIP_LOAD_BALANCER);
    let r = await setEntry(KUBE_VIP_LOAD_BALANCER, { activate: true, permanentlyVoidAllSupportGuarantees: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: support guarantees of this environment are permanently void: permanentlyVoidAllSupportGuarantees was set for kube-vip-load-balancer/);
    assert.equal(await featureActive(storeFeatureSource(t.plane.objects), KUBE_VIP_LOAD_BALANCER), true);
    await eventually(async () => (await feature(KUBE_VIP_LOAD_BALANCER)).status?.activated === true, 10_000, 'Feature activated');

    r = await setEntry(KUBE_VIP_LOAD_BALANCER, { activate: false });
    assert.equal(r.code, 0, `deactivation keeping the flag is allowed: ${r.stderr}`);
    assert.equal(await featureActive(storeFeatureSource(t.plane.objects), KUBE_VIP_LOAD_BALANCER), false);
    const g = await eventually(async () => {
      const cur = await gate();
      return cur.status?.featureReferences?.find((f) => f.name === KUBE_VIP_LOAD_BALANCER)?.activated === false && cur;
    }, 10_000, 'gate status after deactivation');
    assert.deepEqual(g.status?.voidedFeatures, [KUBE_VIP_LOAD_BALANCER]);
    const voided = g.status?.conditions?.find((c) => c.type === 'SupportGuaranteesVoided');
    assert.equal(voided?.status, 'True');
    assert.equal(voided?.reason, 'PermanentlyVoided');
    assert.match((await t.kubectl(['get', 'featuregates'])).stdout, /slipway-system\s+True\s+True\s+/);

    const rv = (await gate()).metadata?.resourceVersion;
    r = await setEntry(KUBE_VIP_LOAD_BALANCER, { permanentlyVoidAllSupportGuarantees: false });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`spec\\.features\\[${i}\\]\\.permanentlyVoidAllSupportGuarantees: Forbidden: .*cannot be set back to false`));
    r = await jsonPatch('featuregate', 'slipway-system', [{ op: 'remove', path: `/spec/features/${i}` }]);
    assert.match(r.stderr, /spec\.features: Forbidden: the entry of feature kube-vip-load-balancer cannot be removed/);
    r = await t.kubectl(['delete', 'featuregate', 'slipway-system']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Forbidden.*a voided FeatureGate cannot be deleted/);
    assert.equal((await gate()).metadata?.resourceVersion, rv, 'nothing written');
  });

  it('the later-issue gates answer featureActive from the store and from a client reader', async () => {
    const client = await kubeconfigClient(t.plane.kubeconfigPath);
    try {
      const viaReader = readerFeatureSource(directReader(client));
      assert.equal(await featureActive(viaReader, MANAGEMENT_PLANE_IPAM), false);
      assert.equal(await featureActive(viaReader, 'no-such-feature'), false);
      assert.equal((await setEntry(MANAGEMENT_PLANE_IPAM, { activate: true })).code, 0);
      assert.equal(await featureActive(viaReader, MANAGEMENT_PLANE_IPAM), true);
      assert.equal(await featureActive(storeFeatureSource(t.plane.objects), MANAGEMENT_PLANE_IPAM), true);
      assert.equal((await setEntry(MANAGEMENT_PLANE_IPAM, { activate: false })).code, 0);
      assert.equal(await featureActive(viaReader, MANAGEMENT_PLANE_IPAM), false);
    } finally {
      client.close();
    }
  });

  it('refuses Windows workers while windows-workers is deactivated, and admits them once it is activated', async () => {
    assert.equal((await t.kubectl(['apply', '-f', fixture('windows-class.yaml')])).code, 0);
    let r = await t.kubectl(['apply', '-f', fixture('windows-machinedeployment.yaml')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /MachineDeployment "win-md" is invalid: spec\.template\.spec\.infrastructureRef: Forbidden: Windows workers \(SimMachineTemplate win has os: windows\) needs feature gate windows-workers, which is deactivated/);
    r = await t.kubectl(['apply', '-f', fixture('windows-cluster.yaml')]);
    assert.match(r.stderr, /Cluster "c1" is invalid: spec\.topology\.workers\.machineDeployments\[1\]\.class: Forbidden: .*needs feature gate windows-workers/);
    r = await apply('apiVersion: infrastructure.slipway.dev/v1alpha1\nkind: SimMachine\nmetadata: {name: win-vm, namespace: default}\nspec: {os: windows}\n');
    assert.match(r.stderr, /spec\.os: Forbidden: a Windows SimMachine needs feature gate windows-workers/);
    assert.equal((await t.kubectl(['get', 'machinedeployments,clusters,simmachines', '-A', '-o', 'name'])).stdout.trim(), '', 'nothing written');

    assert.equal((await setEntry(WINDOWS_WORKERS, { activate: true })).code, 0);
    for (const f of ['windows-machinedeployment.yaml', 'windows-cluster.yaml']) {
      r = await t.kubectl(['apply', '-f', fixture(f)]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    }
    // Deactivating stops new use but leaves existing Windows pools alone.
    assert.equal((await setEntry(WINDOWS_WORKERS, { activate: false })).code, 0);
    r = await t.kubectl(['scale', 'machinedeployment', 'win-md', '--replicas=0']);
    assert.equal(r.code, 0, r.stderr);
    r = await jsonPatch('cluster', 'c1', [{ op: 'add', path: '/spec/topology/workers/machineDeployments/-', value: { class: 'windows', name: 'md-win2', replicas: 0 } }]);
    assert.match(r.stderr, /spec\.topology\.workers\.machineDeployments\[2\]\.class: Forbidden: Windows workers \(worker class windows\) needs feature gate windows-workers/);
    assert.equal((await setEntry(WINDOWS_WORKERS, { activate: true })).code, 0);
  });

  it('a restart keeps activations and the voided mark, and re-applies the built-in descriptions', async () => {
    assert.equal((await jsonPatch('feature', WINDOWS_WORKERS, [{ op: 'replace', path: '/spec/description', value: 'edited by hand' }])).code, 0);
    await t.restart();
    const f = await feature(WINDOWS_WORKERS);
    assert.equal(f.spec.description, BUILTIN_FEATURES[WINDOWS_WORKERS]!.description);
    const g = await gate();
    const byName = new Map(g.spec.features!.map((e) => [e.name, e]));
    assert.equal(byName.get(WINDOWS_WORKERS)?.activate, true, "the user's activation survives");
    assert.deepEqual(byName.get(KUBE_VIP_LOAD_BALANCER), { name: KUBE_VIP_LOAD_BALANCER, activate: false, permanentlyVoidAllSupportGuarantees: true });
    assert.deepEqual(g.status?.voidedFeatures, [KUBE_VIP_LOAD_BALANCER]);
    assert.equal(await featureActive(storeFeatureSource(t.plane.objects), WINDOWS_WORKERS), true);
    await eventually(async () => (await gate()).status?.conditions?.find((c) => c.type === 'SupportGuaranteesVoided')?.status === 'True', 10_000, 'voided condition');
    assert.equal((await t.kubectl(['delete', 'featuregate', 'slipway-system'])).code, 1, 'still undeletable');
  });

  it('an upgrade re-applies stabilities and adds entries for new built-in features, leaving existing entries alone', async () => {
    const before = await gate();
    const upgraded = { ...BUILTIN_FEATURES, [WINDOWS_WORKERS]: { ...BUILTIN_FEATURES[WINDOWS_WORKERS]!, stability: 'Stable' as const }, 'new-thing': { description: 'arrives in a later release', stability: 'Deprecated' as const } };
    await installBuiltinFeatures(t.plane.objects, pino({ level: 'silent' }), upgraded);
    assert.equal((await feature(WINDOWS_WORKERS)).spec.stability, 'Stable');
    assert.deepEqual((await feature('new-thing')).spec, upgraded['new-thing']);
    // Let the controller record the new entry first, so the resourceVersion below only moves if the install writes.
    const after = await eventually(async () => {
      const g = await gate();
      return g.status?.featureReferences?.some((r) => r.name === 'new-thing') && g;
    }, 10_000, 'gate status with the new feature');
    assert.deepEqual(after.spec.features!.slice(0, before.spec.features!.length), before.spec.features, 'existing entries untouched');
    assert.deepEqual(after.spec.features!.at(-1), { name: 'new-thing', activate: true });
    const rv = after.metadata?.resourceVersion;
    await installBuiltinFeatures(t.plane.objects, pino({ level: 'silent' }), upgraded);
    assert.equal((await gate()).metadata?.resourceVersion, rv, 'a second install writes nothing');
  });
});
