import assert from 'node:assert/strict';
import { test } from 'node:test';
import { semanticEqual, semanticJson } from './semantic.js';

test('null, undefined and empty objects are absent; key order does not matter; arrays keep order', () => {
  assert.equal(semanticJson({ b: 1, a: { creationTimestamp: null, labels: {} }, c: undefined }), '{"b":1}');
  assert.ok(semanticEqual({ metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', resources: {} }] } }, { spec: { containers: [{ name: 'c' }] }, metadata: { labels: { app: 'web' } } }));
  assert.ok(!semanticEqual({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!semanticEqual({ a: 0 }, {}), 'zero numbers are values (pointer fields keep them)');
  assert.equal(semanticJson([null, { x: null }]), '[null,{}]');
});
