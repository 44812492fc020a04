import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, fieldSetFromObject, fieldSetFromPaths, fieldSetToFieldsV1, fieldsV1ToFieldSet, pathToString, keyPE, valuePE } from './index.js';
import { widgetSchema, deploymentSchema } from './test-schemas.js';

describe('FieldsV1 encoding', () => {
  const samples: { name: string; json: Record<string, unknown> }[] = [
    { name: 'simple fields', json: { 'f:data': { 'f:a': {}, 'f:b': {} } } },
    { name: 'node marker', json: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } },
    { name: 'keyed items', json: { 'f:spec': { 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } } } } },
    { name: 'set items', json: { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a"': {}, 'v:"b"': {} } } } },
    { name: 'index items', json: { 'f:x': { 'i:0': {}, 'i:10': {}, 'i:2': {} } } },
  ];
  for (const s of samples) {
    it(`round-trips ${s.name}`, () => {
      const set = fieldsV1ToFieldSet(s.json);
      const back = fieldSetToFieldsV1(set);
      assert.deepEqual(back, s.json);
      assert.deepEqual(fieldSetToFieldsV1(fieldsV1ToFieldSet(back)), back);
    });
  }
  it('orders fields before keys before values before indexes, indexes numerically', () => {
    const set = fieldsV1ToFieldSet({ 'f:x': { 'i:10': {}, 'v:1': {}, 'i:2': {}, 'k:{"a":1}': {}, 'f:z': {}, 'f:a': {} } });
    assert.deepEqual(Object.keys(fieldSetToFieldsV1(set)['f:x'] as object), ['f:a', 'f:z', 'k:{"a":1}', 'v:1', 'i:2', 'i:10']);
  });
  it('normalises key order inside k: elements', () => {
    const set = fieldsV1ToFieldSet({ 'f:ports': { 'k:{"protocol":"TCP","containerPort":80}': {} } });
    assert.ok(set.has(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']));
    assert.equal(keyPE({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
  });
  it('rejects malformed input', () => {
    assert.throws(() => fieldsV1ToFieldSet({ 'x:y': {} }));
    assert.throws(() => fieldsV1ToFieldSet({ 'k:{bad': {} }));
    assert.throws(() => fieldsV1ToFieldSet({ 'f:a': 'nope' }));
  });
  it('empty set encodes as {}', () => {
    assert.deepEqual(fieldSetToFieldsV1(new FieldSet()), {});
  });
});

describe('pathToString', () => {
  const cases: [string[], string][] = [
    [['f:data', 'f:key'], '.data.key'],
    [['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image'], '.spec.containers[name="nginx"].image'],
    [['f:spec', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.spec.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', valuePE('x')], '.metadata.finalizers[="x"]'],
    [['f:items', 'i:3'], '.items[3]'],
  ];
  for (const [path, want] of cases) it(want, () => assert.equal(pathToString(path), want));
});

describe('FieldSet operations', () => {
  const a = fieldSetFromPaths([['spec', 'a'], ['spec', 'b'], ['spec']]);
  const b = fieldSetFromPaths([['spec', 'b'], ['spec', 'c']]);
  it('union', () => assert.deepEqual(a.union(b).paths().length, 4));
  it('difference removes exact paths only', () => {
    const d = a.difference(fieldSetFromPaths([['spec']]));
    assert.ok(!d.has(['f:spec']));
    assert.ok(d.has(['f:spec', 'f:a']));
  });
  it('recursiveDifference removes subtrees', () => {
    assert.ok(a.recursiveDifference(fieldSetFromPaths([['spec']])).isEmpty());
  });
  it('intersection', () => {
    assert.deepEqual(a.intersection(b).paths(), [['f:spec', 'f:b']]);
  });
  it('paths lists members before subtrees, sorted', () => {
    const s = fieldSetFromPaths([['z'], ['a', 'x'], ['b']]);
    assert.deepEqual(s.paths(), [['f:b'], ['f:z'], ['f:a', 'f:x']]);
  });
  it('equals', () => {
    assert.ok(a.equals(a.clone()));
    assert.ok(!a.equals(b));
  });
});

describe('fieldSetFromObject', () => {
  it('follows CRD list/map types', () => {
    const obj = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'ns', resourceVersion: '5', labels: { app: 'x' }, finalizers: ['f1'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }] },
      spec: {
        size: 1,
        tags: ['a', 'b'],
        features: ['x', 'y'],
        ports: [{ name: 'http', port: 80 }],
        selector: { a: 'b' },
        extra: { nested: { deep: 1 } },
      },
    };
    assert.deepEqual(fieldSetToFieldsV1(fieldSetFromObject(obj, widgetSchema)), {
      'f:metadata': {
        'f:finalizers': { 'v:"f1"': {} },
        'f:labels': { 'f:app': {} },
        'f:ownerReferences': { 'k:{"uid":"u1"}': {} },
      },
      'f:spec': {
        'f:extra': { 'f:nested': { '.': {}, 'f:deep': {} } },
        'f:features': { 'v:"x"': {}, 'v:"y"': {} },
        'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
        'f:selector': {},
        'f:size': {},
        'f:tags': {},
      },
    });
  });
  it('treats patch-merge-key lists of built-ins as keyed and fills defaulted keys', () => {
    const set = fieldSetFromObject({ spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } } } }, deploymentSchema);
    assert.ok(set.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']));
  });
  it('without a schema, objects are granular and arrays atomic', () => {
    assert.deepEqual(fieldSetToFieldsV1(fieldSetFromObject({ spec: { a: [1, 2], b: { c: 1 } } }, {})), {
      'f:spec': { '.': {}, 'f:a': {}, 'f:b': { '.': {}, 'f:c': {} } },
    });
  });
});
