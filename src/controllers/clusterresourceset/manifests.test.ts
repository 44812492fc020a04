import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash, normalizeData, objectsOfValue, objectsOfValues, sortForCreate } from './manifests.js';

test('normalizeData: values in key order; Secret values base64-decoded; no data is an error', () => {
  assert.deepEqual(normalizeData('ConfigMap', { b: 'B', a: 'A' }, 'cm'), ['A', 'B']);
  assert.deepEqual(normalizeData('Secret', { z: Buffer.from('zz').toString('base64'), a: Buffer.from('aa').toString('base64') }, 's'), ['aa', 'zz']);
  assert.deepEqual(normalizeData('ConfigMap', {}, 'cm'), []);
  assert.throws(() => normalizeData('ConfigMap', undefined, 'cm'), /failed to get data field from resource cm/);
});

test('computeHash: sha256 of the concatenated values, as upstream', () => {
  // sha256 of the empty input
  assert.equal(computeHash([]), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(computeHash(['ab', 'c']), computeHash(['abc']));
  assert.notEqual(computeHash(['a']), computeHash(['b']));
  assert.match(computeHash(['x']), /^sha256:[0-9a-f]{64}$/);
});

test('objectsOfValue: YAML streams, JSON lists, empty documents', () => {
  const cases: [string, string, string[]][] = [
    ['one document', 'kind: A\nmetadata: {name: a}\n', ['A/a']],
    ['two documents', 'kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: b}\n', ['A/a', 'B/b']],
    ['empty documents skipped', '---\n---\nkind: A\nmetadata: {name: a}\n---\n', ['A/a']],
    ['JSON object', '{"kind": "A", "metadata": {"name": "a"}}', ['A/a']],
    ['JSON list', '  [{"kind": "A", "metadata": {"name": "a"}}, {"kind": "B", "metadata": {"name": "b"}}]', ['A/a', 'B/b']],
    ['broken JSON list ignored', '[{"kind": ', []],
    ['empty', '', []],
  ];
  for (const [name, input, want] of cases) {
    assert.deepEqual(objectsOfValue(input).map((o) => `${o.kind}/${o.metadata?.name}`), want, name);
  }
  assert.throws(() => objectsOfValue('kind: [unclosed\n'), /failed converting data to unstructured objects/);
  assert.throws(() => objectsOfValue('- a\n- b\n'), /not an object/);
});

test('sortForCreate: Namespaces, CRDs, ... first; the rest keep their order (stable)', () => {
  const objs = ['Deployment', 'ConfigMap', 'Service', 'Namespace', 'CustomResourceDefinition', 'Secret', 'DaemonSet'].map((kind) => ({ kind }));
  assert.deepEqual(sortForCreate(objs).map((o) => o.kind), ['Namespace', 'CustomResourceDefinition', 'Secret', 'ConfigMap', 'Deployment', 'Service', 'DaemonSet']);
});

test('objectsOfValues: each value sorted on its own, values in order', () => {
  const got = objectsOfValues(['kind: Deployment\n---\nkind: Namespace\n', 'kind: Namespace\n']).map((o) => o.kind);
  assert.deepEqual(got, ['Namespace', 'Deployment', 'Namespace']);
});
