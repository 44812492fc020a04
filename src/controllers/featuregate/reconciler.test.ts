/** The FeatureGate status core: one result per entry, Applied or Invalid with why. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Feature, FeatureGate, Stability } from '../../api/core/types.js';
import { featureReferenceResults } from './reconciler.js';

const feature = (name: string, stability: Stability): [string, Feature] => [name, { apiVersion: 'core.slipway.dev/v1alpha1', kind: 'Feature', metadata: { name }, spec: { description: name, stability } }];
const gate = (name: string, features: FeatureGate['spec']['features']): FeatureGate => ({ apiVersion: 'core.slipway.dev/v1alpha1', kind: 'FeatureGate', metadata: { name }, spec: { features } });

describe('featureReferenceResults', () => {
  const features = new Map([feature('tp', 'Technical Preview'), feature('exp', 'Experimental'), feature('st', 'Stable'), feature('dep', 'Deprecated')]);

  it('applies valid entries and reports the activation they give', () => {
    const g = gate('g', [
      { name: 'tp', activate: true },
      { name: 'exp', activate: true, permanentlyVoidAllSupportGuarantees: true },
      { name: 'st', activate: true },
      { name: 'dep' },
    ]);
    assert.deepEqual(featureReferenceResults(g, features, []), [
      { name: 'tp', status: 'Applied', activated: true },
      { name: 'exp', status: 'Applied', activated: true },
      { name: 'st', status: 'Applied', activated: true },
      { name: 'dep', status: 'Applied', activated: false },
    ]);
  });

  it('reports missing features, policy violations (falling back to the default) and features gated twice', () => {
    const g = gate('g', [{ name: 'gone', activate: true }, { name: 'exp', activate: true }, { name: 'st', activate: false }, { name: 'tp', activate: true }]);
    const other = gate('other', [{ name: 'tp' }]);
    const results = featureReferenceResults(g, features, [other]);
    assert.deepEqual(
      results.map((r) => [r.name, r.status, r.activated]),
      [
        ['gone', 'Invalid', false],
        ['exp', 'Invalid', false],
        ['st', 'Invalid', true],
        ['tp', 'Invalid', false],
      ],
    );
    assert.equal(results[0]!.message, 'Feature gone does not exist');
    assert.match(results[1]!.message!, /^feature exp is Experimental: activating it permanently voids/);
    assert.match(results[2]!.message!, /cannot be deactivated/);
    assert.equal(results[3]!.message, 'feature tp is also gated by FeatureGate other');
  });
});
