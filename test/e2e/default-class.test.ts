/**
 * The default ClusterClass on a real plane: installed at start (class and every template, server-side applied),
 * re-applied on restart without error, an earlier release's template rotated out, a user's copy under another name
 * untouched; `slipway class list` and `class explain` on the live class.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { loadDefaultClass, SHIPPED_CLASS_LABEL } from '../../src/classes/index.js';
import { classExplainLive, classList } from '../../src/cli/commands/class.js';

function capture(): { io: { out(t: string): void; err(t: string): void; stdin(): string }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t), stdin: () => '' }, out: () => out, err: () => err };
}

/** Every field of `want` is in `got` with the same value (the server adds defaults). */
function assertContains(got: unknown, want: unknown, path: string): void {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    assert.ok(got !== null && typeof got === 'object', `${path}: missing`);
    for (const [k, v] of Object.entries(want)) assertContains((got as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  assert.deepEqual(got, want, path);
}

describe('default ClusterClass on the plane', () => {
  let t: TestPlane;
  const shipped = loadDefaultClass();
  before(async () => {
    t = await startPlane({ storage: 'sqlite' });
  });
  after(async () => {
    await t?.close();
  });

  const get = async (kind: string, name: string): Promise<Record<string, any>> => {
    const r = await t.kubectl(['get', kind, name, '-n', 'default', '-o', 'json']);
    assert.equal(r.code, 0, `${kind} ${name}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  it('installs slipway-default and its templates at start', async () => {
    const cc = await get('clusterclass', 'slipway-default');
    assert.deepEqual(
      cc.spec.workers.machineDeployments.map((m: { class: string }) => m.class),
      ['linux', 'windows'],
    );
    assert.equal(cc.spec.variables.length, shipped.clusterClass.spec!.variables!.length);
    for (const tpl of shipped.templates) {
      const live = await get(`${tpl.kind!.toLowerCase()}.${tpl.apiVersion!.split('/')[0]}`, tpl.metadata!.name!);
      assertContains(live.spec, tpl.spec, `${tpl.kind} ${tpl.metadata!.name}: spec`);
      assert.equal(live.metadata.labels[SHIPPED_CLASS_LABEL], 'slipway-default');
    }
    assert.equal(cc.spec.controlPlane.ref.name, shipped.clusterClass.spec!.controlPlane!.ref!.name);
    // The plane's ClusterClass controller accepts it: variables published, references current.
    const ready = await eventually(async () => {
      const c = await get('clusterclass', 'slipway-default');
      const cond = (type: string) => (c.status?.conditions ?? []).find((x: { type: string }) => x.type === type)?.status;
      return cond('VariablesReady') === 'True' && cond('RefVersionsUpToDate') === 'True' ? c : undefined;
    }, 20_000, 'slipway-default VariablesReady and RefVersionsUpToDate');
    assert.deepEqual(ready.status.variables.map((v: { name: string }) => v.name).sort(), shipped.clusterClass.spec!.variables!.map((v) => v.name).sort());
  });

  it('slipway class list and class explain work on the live class', async () => {
    const kubeconfig = t.plane.kubeconfigPath;
    const list = capture();
    assert.equal(await classList({ kubeconfig }, list.io), 0, list.err());
    const lines = list.out().trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+VARIABLES\s+WORKER CLASSES\s+AGE$/);
    const row = lines.find((l) => l.startsWith('slipway-default '));
    assert.ok(row, list.out());
    assert.match(row!, new RegExp(`^slipway-default\\s+${shipped.clusterClass.spec!.variables!.length}\\s+linux,windows\\s+\\d+s$`));
    const json = capture();
    assert.equal(await classList({ kubeconfig, output: 'json' }, json.io), 0, json.err());
    assert.ok(JSON.parse(json.out()).items.some((i: { metadata: { name: string } }) => i.metadata.name === 'slipway-default'));
    const bad = capture();
    assert.equal(await classList({ kubeconfig, output: 'toml' }, bad.io), 2);
    const noPlane = capture();
    assert.equal(await classList({ kubeconfig: '/nonexistent/kubeconfig' }, noPlane.io), 2);
    assert.match(noPlane.err(), /^error: cannot read kubeconfig \/nonexistent\/kubeconfig/);

    const all = capture();
    assert.equal(await classExplainLive('slipway-default', undefined, { kubeconfig }, all.io), 0, all.err());
    assert.match(all.out(), /^CLUSTERCLASS: slipway-default\nNAMESPACE:    default\n/);
    for (const v of shipped.clusterClass.spec!.variables!) assert.match(all.out(), new RegExp(`\\n  ${v.name}\\t<`), v.name);
    const one = capture();
    assert.equal(await classExplainLive('slipway-default', 'controlPlaneCertificateRotation.daysBefore', { kubeconfig }, one.io), 0, one.err());
    assert.match(one.out(), /VARIABLE:     controlPlaneCertificateRotation.daysBefore <integer>/);
    assert.match(one.out(), /DEFAULT: +90/);
    const missing = capture();
    assert.equal(await classExplainLive('no-such-class', undefined, { kubeconfig }, missing.io), 1);
    assert.equal(missing.err(), 'error: ClusterClass "no-such-class" not found in namespace "default" (to explain a file, give its path)\n');
    const field = capture();
    assert.equal(await classExplainLive('slipway-default', 'proxy.port', { kubeconfig }, field.io), 1);
    assert.equal(field.err(), 'error: field "port" does not exist in proxy\n');
  });

  it('re-applies on restart, rolls an old template out and leaves a user copy alone', async () => {
    // A user's copy of the class under another name, referring to the shipped templates.
    const copy = structuredClone(shipped.clusterClass);
    copy.metadata = { name: 'my-class', namespace: 'default' };
    const r1 = await t.kubectl(['apply', '-f', '-'], { input: JSON.stringify(copy) });
    assert.equal(r1.code, 0, r1.stderr);
    // Drift the shipped class and plant an earlier release's template nobody refers to.
    const r2 = await t.kubectl(['patch', 'clusterclass', 'slipway-default', '-n', 'default', '--type', 'merge', '-p', '{"spec":{"controlPlane":{"machineHealthCheck":{"maxUnhealthy":"33%"}}}}']);
    assert.equal(r2.code, 0, r2.stderr);
    const old = structuredClone(shipped.templates.find((x) => x.kind === 'SimMachineTemplate')!);
    old.metadata = { name: 'slipway-default-linux-00000000', namespace: 'default', labels: { [SHIPPED_CLASS_LABEL]: 'slipway-default' } };
    const r3 = await t.kubectl(['apply', '-f', '-'], { input: JSON.stringify(old) });
    assert.equal(r3.code, 0, r3.stderr);

    // Another earlier template that a MachineDeployment made by hand still uses.
    const used = structuredClone(shipped.templates.find((x) => x.kind === 'SimMachineTemplate')!);
    used.metadata = { name: 'slipway-default-linux-11111111', namespace: 'default', labels: { [SHIPPED_CLASS_LABEL]: 'slipway-default' } };
    const hand = {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachineDeployment',
      metadata: { name: 'hand-md', namespace: 'default' },
      spec: {
        clusterName: 'hand',
        replicas: 0,
        selector: { matchLabels: { pool: 'hand' } },
        template: {
          metadata: { labels: { pool: 'hand' } },
          spec: {
            clusterName: 'hand',
            version: 'v1.31.2',
            bootstrap: { dataSecretName: 'hand-bootstrap' },
            infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'slipway-default-linux-11111111' },
          },
        },
      },
    };
    const r4 = await t.kubectl(['apply', '-f', '-'], { input: [JSON.stringify(used), JSON.stringify(hand)].join('\n') });
    assert.equal(r4.code, 0, r4.stderr);

    await t.restart();

    const cc = await get('clusterclass', 'slipway-default');
    assert.equal(cc.spec.controlPlane.machineHealthCheck.maxUnhealthy, '100%', 'the shipped class is re-applied');
    const gone = await t.kubectl(['get', 'simmachinetemplate', 'slipway-default-linux-00000000', '-n', 'default']);
    assert.notEqual(gone.code, 0, 'an unreferenced template of an earlier release is deleted');
    await get('simmachinetemplate', 'slipway-default-linux-11111111');
    const mine = await get('clusterclass', 'my-class');
    assert.equal(mine.spec.controlPlane.ref.name, shipped.clusterClass.spec!.controlPlane!.ref!.name);
    // The user's class still refers to the shipped templates: they stay.
    await get('kubeadmcontrolplanetemplate', shipped.clusterClass.spec!.controlPlane!.ref!.name!);
  });
});
