import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deepClone } from './types.js';

describe('deepClone', () => {
  const cases: [string, unknown][] = [
    ['scalars', { s: 'x', n: 1.5, z: -0, t: true, f: false, nil: null }],
    ['nested', { metadata: { name: 'a', labels: { k: 'v' } }, spec: { list: [1, 'two', { three: [3] }], empty: {}, none: [] } }],
    ['undefined members dropped', { a: undefined, b: 1 }],
    ['undefined and functions in arrays become null', [undefined, () => 1, 2]],
    ['functions in objects dropped', { f: () => 1, g: 2 }],
    ['non-finite numbers become null', { a: NaN, b: Infinity, c: [-Infinity] }],
    ['toJSON honoured', { at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }],
    ['a __proto__ member is data', JSON.parse('{"__proto__": {"polluted": true}, "x": 1}')],
    ['top-level array', [{ a: 1 }, [2, [3]]]],
    ['top-level string', 'text'],
  ];
  for (const [name, value] of cases) {
    it(`matches a JSON round trip: ${name}`, () => {
      const got = deepClone(value);
      assert.deepEqual(got, JSON.parse(JSON.stringify(value)));
      assert.equal(JSON.stringify(got), JSON.stringify(value));
    });
  }

  it('copies: changing the copy leaves the original alone', () => {
    const orig = { spec: { list: [{ a: 1 }] } };
    const copy = deepClone(orig);
    copy.spec.list[0]!.a = 2;
    copy.spec.list.push({ a: 3 });
    assert.deepEqual(orig, { spec: { list: [{ a: 1 }] } });
  });

  it('never sets the prototype from a __proto__ member', () => {
    const copy = deepClone(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(Object.keys(copy), ['__proto__']);
  });

  it('keeps undefined as undefined', () => {
    assert.equal(deepClone(undefined), undefined);
  });
});
