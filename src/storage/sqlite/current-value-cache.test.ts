import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CurrentValueCache } from './current-value-cache.js';

describe('CurrentValueCache', () => {
  it('evicts the least recently written rows once values exceed the budget', () => {
    const c = new CurrentValueCache(30);
    c.set('a', ['x'.repeat(9), 1, 1]); // 10 units
    c.set('b', ['x'.repeat(9), 2, 2]); // 20
    c.set('a', ['x'.repeat(9), 1, 1]); // a is now the most recent
    c.set('c', ['x'.repeat(14), 3, 3]); // 35 > 30: b goes
    assert.equal(c.get('b'), undefined);
    assert.deepEqual(c.get('a'), ['x'.repeat(9), 1, 1]);
    assert.equal(c.usedUnits, 25);
    c.set('a', ['y', 1, 4]);
    assert.equal(c.usedUnits, 17);
    c.delete('c');
    assert.equal(c.size, 1);
    assert.equal(c.usedUnits, 2);
  });

  it('never holds a row larger than the budget, and a zero budget holds nothing', () => {
    const c = new CurrentValueCache(10);
    c.set('k', ['x'.repeat(20), 1, 1]);
    assert.equal(c.size, 0);
    const none = new CurrentValueCache(0);
    none.set('k', ['v', 1, 1]);
    assert.equal(none.get('k'), undefined);
  });
});
