/**
 * `slipway feature list|activate|deactivate` end to end: the CLI runs as its own process (the TypeScript sources through
 * tsx, so the test does not depend on a build) against a real plane over HTTPS with the plane's kubeconfig. Exit
 * codes, one-line refusals naming the feature and the policy, the voided mark in every listing, a gated use refused
 * and then admitted after `feature activate`, and a restart keeping the state.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { FeatureRow } from '../../src/cli/commands/feature.js';
import { startPlane, type TestPlane } from '../support/plane.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/feature-gates/${name}`, import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function slipway(args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const script = `const m = await import(${JSON.stringify(MAIN)}); await m.main(['node', 'slipway', ...process.argv.slice(1)]);`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], { timeout: 60_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('slipway feature', () => {
  let t: TestPlane;
  let kc: string[];

  before(async () => {
    t = await startPlane({ clusterApi: false });
    kc = ['--kubeconfig', t.plane.kubeconfigPath];
  });
  after(async () => {
    await t?.close();
  });

  const list = async (...extra: string[]): Promise<FeatureRow[]> => {
    const r = await slipway(['feature', 'list', ...kc, '-o', 'json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as FeatureRow[];
  };

  it('lists the discoverable features as a table; Experimental ones with -x', async () => {
    const r = await slipway(['feature', 'list', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'NAME                    ACTIVATION STATE   STABILITY           FEATUREGATE',
        'management-plane-ipam   deactivated        Technical Preview   slipway-system',
        'windows-workers         deactivated        Technical Preview   slipway-system',
        '',
      ].join('\n'),
    );
    assert.equal(r.stderr, '');
    const all = await slipway(['feature', 'list', ...kc, '-x', '-e']);
    assert.match(all.stdout, /^NAME\s+ACTIVATION STATE\s+STABILITY\s+FEATUREGATE\s+IMMUTABLE\s+DESCRIPTION\n/);
    assert.match(all.stdout, /\nkube-vip-load-balancer\s+deactivated\s+Experimental\s+slipway-system\s+false\s+kube-vip as the provider/);
    const yaml = await slipway(['feature', 'list', ...kc, '-x', '-o', 'yaml']);
    assert.deepEqual((parse(yaml.stdout) as FeatureRow[]).map((f) => f.name), ['kube-vip-load-balancer', 'management-plane-ipam', 'windows-workers']);
  });

  it('refuses a gated use, then admits it after `feature activate`', async () => {
    assert.equal((await t.kubectl(['apply', '-f', fixture('windows-class.yaml')])).code, 0);
    let r = await t.kubectl(['apply', '-f', fixture('windows-machinedeployment.yaml')]);
    assert.match(r.stderr, /needs feature gate windows-workers, which is deactivated \(activate it with: slipway feature activate windows-workers\)/);
    const act = await slipway(['feature', 'activate', 'windows-workers', ...kc]);
    assert.equal(act.code, 0, act.stderr);
    assert.equal(act.stdout, 'Feature windows-workers activated (Technical Preview)\n');
    r = await t.kubectl(['apply', '-f', fixture('windows-machinedeployment.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await list('--activated')).map((f) => f.name), ['windows-workers']);
  });

  it('refuses an Experimental activation without the flag (exit 2, one line naming the feature and the flag)', async () => {
    const r = await slipway(['feature', 'activate', 'kube-vip-load-balancer', ...kc]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.match(r.stderr, /^error: .*feature kube-vip-load-balancer is Experimental: activating it permanently voids all support guarantees .*--permanently-void-all-support-guarantees/);
    assert.equal((await list('-x')).find((f) => f.name === 'kube-vip-load-balancer')?.activated, false);
  });

  it('activates with --permanently-void-all-support-guarantees; the mark stays after deactivation', async () => {
    let r = await slipway(['feature', 'activate', 'kube-vip-load-balancer', '--permanently-void-all-support-guarantees', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^WARNING: support guarantees of this environment are permanently void/);
    r = await slipway(['feature', 'deactivate', 'kube-vip-load-balancer', ...kc]);
    assert.equal(r.code, 0, r.stderr);
    const table = await slipway(['feature', 'list', ...kc]);
    assert.match(table.stdout, /\nkube-vip-load-balancer \(support voided\)\s+deactivated\s+Experimental\s+slipway-system\n/, 'a voided feature is always listed');
    assert.match(table.stderr, /^WARNING: support guarantees of this environment are permanently void: permanentlyVoidAllSupportGuarantees was set for kube-vip-load-balancer\n$/);
    const row = (await list()).find((f) => f.name === 'kube-vip-load-balancer');
    assert.deepEqual({ activated: row?.activated, voided: row?.supportGuaranteesVoided }, { activated: false, voided: true });
  });

  it('refuses deactivating a Stable feature (exit 2) and names unknown features (exit 1)', async () => {
    const apply = await t.kubectl(['apply', '-f', '-'], { input: 'apiVersion: core.slipway.dev/v1alpha1\nkind: Feature\nmetadata: {name: solid}\nspec: {description: always on, stability: Stable}\n' });
    assert.equal(apply.code, 0, apply.stderr);
    let r = await slipway(['feature', 'deactivate', 'solid', ...kc]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: .*spec\.features\[\d+\]\.activate: Forbidden: feature solid is Stable: Stable features are always activated and cannot be deactivated\n$/);
    r = await slipway(['feature', 'activate', 'solid', ...kc]);
    assert.equal(r.code, 0, `activating a Stable feature is a no-op that the policy allows: ${r.stderr}`);
    r = await slipway(['feature', 'activate', 'nope', ...kc]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: feature nope does not exist \(features: kube-vip-load-balancer, management-plane-ipam, solid, windows-workers\)\n$/);
    r = await slipway(['feature', 'list', '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: /);
  });

  it('a restart keeps activations and the voided mark', async () => {
    await t.restart();
    const rows = await list();
    const byName = new Map(rows.map((f) => [f.name, f]));
    assert.equal(byName.get('windows-workers')?.activated, true);
    assert.equal(byName.get('kube-vip-load-balancer')?.supportGuaranteesVoided, true);
    assert.equal(byName.get('solid')?.activated, true);
    const r = await slipway(['feature', 'list', ...kc]);
    assert.match(r.stderr, /WARNING: support guarantees of this environment are permanently void/);
  });
});
