import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch } from './index.js';
import { StatusError } from '../errors.js';

const cm = () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { k: 'v', list: 'x' }, items: [1, 2, 3] });

function expectStatus(fn: () => unknown, code: number, reason: string, message?: string | RegExp): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail('expected an error');
}

describe('applyJsonPatch', () => {
  const cases: { name: string; ops: unknown; check: (out: any) => void }[] = [
    { name: 'add field', ops: [{ op: 'add', path: '/data/new', value: 'n' }], check: (o) => assert.equal(o.data.new, 'n') },
    { name: 'replace field', ops: [{ op: 'replace', path: '/data/k', value: 'w' }], check: (o) => assert.equal(o.data.k, 'w') },
    { name: 'remove field', ops: [{ op: 'remove', path: '/data/k' }], check: (o) => assert.deepEqual(o.data, { list: 'x' }) },
    { name: 'append to array', ops: [{ op: 'add', path: '/items/-', value: 4 }], check: (o) => assert.deepEqual(o.items, [1, 2, 3, 4]) },
    { name: 'insert into array', ops: [{ op: 'add', path: '/items/0', value: 0 }], check: (o) => assert.deepEqual(o.items, [0, 1, 2, 3]) },
    { name: 'move', ops: [{ op: 'move', from: '/data/k', path: '/data/moved' }], check: (o) => assert.deepEqual(o.data, { list: 'x', moved: 'v' }) },
    { name: 'copy', ops: [{ op: 'copy', from: '/data/k', path: '/data/copied' }], check: (o) => assert.equal(o.data.copied, 'v') },
    { name: 'test passes', ops: [{ op: 'test', path: '/data/k', value: 'v' }, { op: 'replace', path: '/data/k', value: 'z' }], check: (o) => assert.equal(o.data.k, 'z') },
    { name: 'escaped pointer', ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }], check: (o) => assert.equal(o.metadata.labels['app.kubernetes.io/name'], 'x') },
    { name: 'empty patch', ops: [], check: (o) => assert.deepEqual(o, cm()) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const doc = cm();
      const out = applyJsonPatch(doc, c.ops);
      c.check(out);
      assert.deepEqual(doc, cm(), 'input must not be mutated');
    });
  }

  it('failing test op is 422 with the generic kube message', () => {
    const e = expectStatus(() => applyJsonPatch(cm(), [{ op: 'test', path: '/data/k', value: 'nope' }]), 422, 'Invalid', 'the server rejected our request due to an error in our request');
    assert.equal((e as { cause?: unknown }).cause, 'testing value /data/k failed: test failed');
    assert.equal(e.toStatus().code, 422);
  });
  it('remove of a missing key is 422', () => {
    const e = expectStatus(() => applyJsonPatch(cm(), [{ op: 'remove', path: '/data/missing' }]), 422, 'Invalid');
    assert.match(String((e as { cause?: unknown }).cause), /Unable to remove nonexistent key: missing/);
  });
  it('replace of a missing key is 422', () => {
    expectStatus(() => applyJsonPatch(cm(), [{ op: 'replace', path: '/spec/x', value: 1 }]), 422, 'Invalid');
  });
  it('add below a missing parent is 422', () => {
    expectStatus(() => applyJsonPatch(cm(), [{ op: 'add', path: '/spec/x/y', value: 1 }]), 422, 'Invalid');
  });
  it('unknown op is 422', () => {
    const e = expectStatus(() => applyJsonPatch(cm(), [{ op: 'frobnicate', path: '/data' }]), 422, 'Invalid');
    assert.equal((e as { cause?: unknown }).cause, 'Unexpected kind: frobnicate');
  });
  it('a non-array patch is 400 with Go decode wording', () => {
    expectStatus(() => applyJsonPatch(cm(), { op: 'add' }), 400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });
  it('a non-object operation is 400', () => {
    expectStatus(() => applyJsonPatch(cm(), ['x']), 400, 'BadRequest', 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
  });
  it('too many operations is 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }));
    expectStatus(() => applyJsonPatch(cm(), ops), 413, 'RequestEntityTooLarge', 'The allowed maximum operations in a JSON patch is 10000, got 10001');
  });
  it('a failed op leaves the input untouched (atomic)', () => {
    const doc = cm();
    assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/data/z', value: 1 }, { op: 'test', path: '/kind', value: 'Secret' }]));
    assert.deepEqual(doc, cm());
  });
});

describe('applyMergePatch', () => {
  const cases: { name: string; doc: unknown; patch: unknown; want: unknown }[] = [
    { name: 'adds and replaces', doc: { a: 1, b: { c: 2 } }, patch: { a: 3, b: { d: 4 } }, want: { a: 3, b: { c: 2, d: 4 } } },
    { name: 'null deletes', doc: { a: 1, b: { c: 2, d: 3 } }, patch: { b: { c: null } }, want: { a: 1, b: { d: 3 } } },
    { name: 'arrays are replaced', doc: { a: [1, 2, 3] }, patch: { a: [4] }, want: { a: [4] } },
    { name: 'object replaces scalar', doc: { a: 'x' }, patch: { a: { b: 1 } }, want: { a: { b: 1 } } },
    { name: 'nulls in new subtrees are pruned', doc: {}, patch: { a: { b: null, c: 1 } }, want: { a: { c: 1 } } },
    { name: 'scalar replaces object', doc: { a: { b: 1 } }, patch: { a: 'x' }, want: { a: 'x' } },
    { name: 'delete missing key is a no-op', doc: { a: 1 }, patch: { z: null }, want: { a: 1 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = JSON.stringify(c.doc);
      assert.deepEqual(applyMergePatch(c.doc, c.patch), c.want);
      assert.equal(JSON.stringify(c.doc), before);
    });
  }
  it('non-object patch is 400 Invalid JSON Patch', () => {
    expectStatus(() => applyMergePatch({}, null), 400, 'BadRequest', 'Invalid JSON Patch');
    expectStatus(() => applyMergePatch({}, 'x'), 400, 'BadRequest', 'Invalid JSON Patch');
  });
});
