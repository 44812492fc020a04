/** The shared admission checks: Go durations, CIDRs, int-or-percent, semver, naming templates, merge-patch paths. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedPaths, goDurationMs, intOrPercentProblem, isCidr, namingTemplateCauses, parseMajorMinorPatch, KUBE_SEMVER } from './validation.js';

test('Go durations', () => {
  for (const [text, ms] of [
    ['0', 0],
    ['10s', 10_000],
    ['10m0s', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['-2s', -2000],
    ['1', undefined],
    ['', undefined],
    ['10 minutes', undefined],
    ['s', undefined],
    ['1d', undefined],
  ] as const) {
    assert.equal(goDurationMs(text), ms, text);
  }
});

test('CIDRs (net.ParseCIDR)', () => {
  for (const [text, ok] of [
    ['10.0.0.0/8', true],
    ['192.168.1.7/32', true],
    ['fd00::/8', true],
    ['10.0.0.0/33', false],
    ['fd00::/129', false],
    ['10.0.0.0', false],
    ['10.0.0/8', false],
    ['x/8', false],
  ] as const) {
    assert.equal(isCidr(text), ok, text);
  }
});

test('int-or-percent (intstr.GetScaledValueFromIntOrPercent)', () => {
  assert.equal(intOrPercentProblem(1), undefined);
  assert.equal(intOrPercentProblem('25%'), undefined);
  assert.equal(intOrPercentProblem('1'), 'invalid value for IntOrString: invalid type: string is not a percentage');
  assert.equal(intOrPercentProblem('a%'), 'invalid value for IntOrString: invalid value "a%": strconv.Atoi: parsing "a": invalid syntax');
});

test('Kubernetes semver', () => {
  for (const [v, ok] of [
    ['v1.30.2', true],
    ['v1.30.2-rc.1+build.5', true],
    ['1.30.2', false],
    ['v1.30', false],
    ['v01.30.2', false],
  ] as const) {
    assert.equal(KUBE_SEMVER.test(v), ok, v);
  }
  assert.deepEqual(parseMajorMinorPatch('1.30.2', true), { major: 1, minor: 30, patch: 2 });
  assert.equal(parseMajorMinorPatch('1.30.2'), undefined);
});

test('machine naming templates', () => {
  assert.deepEqual(namingTemplateCauses('p', '{{ .machineSet }}-{{ .random }}', 'machineSet'), []);
  assert.match(namingTemplateCauses('p', '{{ .machineSet }}', 'machineSet')[0]!.message, /{{ .random }} is missing/);
  assert.match(namingTemplateCauses('p', 'UPPER-{{ .random }}', 'machineSet')[0]!.message, /generated names would not be valid Kubernetes object names/);
  assert.match(namingTemplateCauses('p', '{{ .nope }}-{{ .random }}', 'machineSet')[0]!.message, /map has no entry for key "nope"/);
});

test('changed paths as a JSON merge patch names them', () => {
  assert.deepEqual(changedPaths({ a: 1, b: { c: 2, d: [1] } }, { a: 1, b: { c: 3, d: [1, 2] } }), [['b', 'c'], ['b', 'd']]);
  assert.deepEqual(changedPaths({ a: { b: 1 } }, {}), [['a']]);
  assert.deepEqual(changedPaths({}, { a: { b: { c: 1 } } }), [['a', 'b', 'c']]);
  assert.deepEqual(changedPaths({ a: 1 }, { a: 1 }), []);
});
