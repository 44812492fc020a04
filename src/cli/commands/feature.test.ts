/** `feature list` rows: activation from the gate and the policy, TKG's visibility rules, filters and the voided mark. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Feature, FeatureGate, Stability } from '../../api/core/types.js';
import { featureRows } from './feature.js';

const feature = (name: string, stability: Stability): Feature => ({ apiVersion: 'core.slipway.dev/v1alpha1', kind: 'Feature', metadata: { name }, spec: { description: `${name} feature`, stability } });

const features = [feature('tp', 'Technical Preview'), feature('exp', 'Experimental'), feature('wip', 'Work In Progress'), feature('st', 'Stable'), feature('dep', 'Deprecated'), feature('loose', 'Technical Preview')];
const gates: FeatureGate[] = [
  {
    apiVersion: 'core.slipway.dev/v1alpha1',
    kind: 'FeatureGate',
    metadata: { name: 'main' },
    spec: { features: [{ name: 'tp', activate: true }, { name: 'exp', activate: false, permanentlyVoidAllSupportGuarantees: true }, { name: 'wip' }, { name: 'st', activate: true }, { name: 'dep', activate: false }] },
  },
];

describe('featureRows', () => {
  it('hides Work In Progress and Experimental features unless asked, activated or voided', () => {
    assert.deepEqual(
      featureRows(features, gates).map((r) => r.name),
      ['dep', 'exp', 'loose', 'st', 'tp'],
    );
    assert.deepEqual(
      featureRows(features, gates, { includeExperimental: true }).map((r) => r.name),
      ['dep', 'exp', 'loose', 'st', 'tp', 'wip'],
    );
  });

  it('computes activation, gate, immutability and the voided mark', () => {
    const rows = new Map(featureRows(features, gates, { includeExperimental: true }).map((r) => [r.name, r]));
    assert.deepEqual(rows.get('exp'), { name: 'exp', activated: false, stability: 'Experimental', description: 'exp feature', featureGate: 'main', immutable: false, supportGuaranteesVoided: true });
    assert.deepEqual([rows.get('st')?.activated, rows.get('st')?.immutable], [true, true]);
    assert.equal(rows.get('dep')?.activated, false);
    assert.equal(rows.get('tp')?.activated, true);
    assert.deepEqual([rows.get('loose')?.featureGate, rows.get('loose')?.activated], ['--', false]);
  });

  it('filters by activation and gate', () => {
    assert.deepEqual(featureRows(features, gates, { activated: true }).map((r) => r.name), ['st', 'tp']);
    assert.deepEqual(featureRows(features, gates, { deactivated: true }).map((r) => r.name), ['dep', 'exp', 'loose']);
    assert.deepEqual(featureRows(features, gates, { featuregate: 'main' }).map((r) => r.name), ['dep', 'exp', 'st', 'tp']);
  });
});
