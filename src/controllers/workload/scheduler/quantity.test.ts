import { test } from 'node:test';
import assert from 'node:assert/strict';
import { milliValue, parseQuantity, QuantityError, wholeValue } from './quantity.js';

test('quantities read exactly as MilliValue()/Value()', () => {
  const cases: [string | number, number, number][] = [
    // input, milli, whole (rounded up)
    ['100m', 100, 1],
    ['1.5', 1500, 2],
    ['2', 2000, 2],
    [2, 2000, 2],
    [0.5, 500, 1],
    ['0.1', 100, 1],
    ['2Gi', 2 * 1024 ** 3 * 1000, 2 * 1024 ** 3],
    ['123Mi', 123 * 1024 ** 2 * 1000, 123 * 1024 ** 2],
    ['128974848', 128974848000, 128974848],
    ['129e6', 129e9, 129e6],
    ['129M', 129e9, 129e6],
    ['1k', 1e6, 1000],
    ['1Ki', 1024000, 1024],
    ['5n', 1, 1],
    ['1u', 1, 1],
    ['1E', 1e21, 1e18],
    ['1.25e3', 1250000, 1250],
    ['1e-3', 1, 1],
    ['.5', 500, 1],
    ['0', 0, 0],
    ['-100m', -100, 0],
  ];
  for (const [q, milli, whole] of cases) {
    assert.equal(milliValue(q), milli, `milli ${q}`);
    assert.equal(wholeValue(q), whole, `whole ${q}`);
  }
});

test('sums do not drift', () => {
  const r = ['0.1', '0.2'].map((q) => milliValue(q)).reduce((a, b) => a + b, 0);
  assert.equal(r, 300);
  assert.deepEqual(parseQuantity('1.5Gi'), { num: 15n * 1024n ** 3n, den: 10n });
});

test('malformed quantities throw', () => {
  for (const bad of ['', 'abc', '1.2.3', '1Kb', '1 Gi', 'Gi', '1e', '--1']) {
    assert.throws(() => milliValue(bad), QuantityError, bad);
  }
});
