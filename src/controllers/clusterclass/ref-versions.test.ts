import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { latestContractVersion, refString } from './ref-versions.js';

describe('contract versions of a template reference', () => {
  for (const [label, want] of [
    ['v1beta1', 'v1beta1'],
    ['v1alpha3_v1alpha4', 'v1alpha4'],
    ['v1alpha4_v1beta1_v1alpha3', 'v1beta1'],
    ['v1beta2_v1', 'v1'],
    ['v2alpha1_v1beta1', 'v1beta1'],
    ['v1alpha10_v1alpha9', 'v1alpha10'],
    ['', undefined],
  ] as const) {
    test(`"${label}" → ${want}`, () => assert.equal(latestContractVersion(label), want));
  }

  test('references print as Go prints a GVK and key', () => {
    assert.equal(refString({ apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', namespace: 'default', name: 'm' }), 'infrastructure.slipway.dev/v1alpha1, Kind=SimMachineTemplate default/m');
    assert.equal(refString({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'x' }), 'v1, Kind=ConfigMap ns/x');
  });
});
