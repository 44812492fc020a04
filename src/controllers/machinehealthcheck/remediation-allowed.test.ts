/** The maxUnhealthy / unhealthyRange decision: upstream's TestIsAllowedRemediation and TestGetMaxUnhealthy tables. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntOrString } from '../../api/cluster/types.js';
import { decideRemediation, maxUnhealthyLimit, parseUnhealthyRange } from './remediation-allowed.js';

describe('decideRemediation with maxUnhealthy (upstream TestIsAllowedRemediation)', () => {
  const cases: { name: string; maxUnhealthy?: IntOrString; expected: number; healthy: number; allowed: boolean; remediationsAllowed: number }[] = [
    { name: 'unset means 100%', expected: 3, healthy: 0, allowed: true, remediationsAllowed: 0 },
    { name: 'an int less than current unhealthy', maxUnhealthy: 1, expected: 3, healthy: 1, allowed: false, remediationsAllowed: 0 },
    { name: 'an int equal to current unhealthy', maxUnhealthy: 2, expected: 3, healthy: 1, allowed: true, remediationsAllowed: 0 },
    { name: 'an int greater than current unhealthy', maxUnhealthy: 3, expected: 3, healthy: 1, allowed: true, remediationsAllowed: 1 },
    { name: 'a percentage less than current unhealthy', maxUnhealthy: '50%', expected: 5, healthy: 2, allowed: false, remediationsAllowed: 0 },
    { name: 'a percentage equal to current unhealthy', maxUnhealthy: '60%', expected: 5, healthy: 2, allowed: true, remediationsAllowed: 0 },
    { name: 'a percentage greater than current unhealthy', maxUnhealthy: '70%', expected: 5, healthy: 2, allowed: true, remediationsAllowed: 0 },
    { name: 'no targets', maxUnhealthy: '40%', expected: 0, healthy: 0, allowed: true, remediationsAllowed: 0 },
    { name: '0 allows no unhealthy Machine at all', maxUnhealthy: 0, expected: 4, healthy: 3, allowed: false, remediationsAllowed: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideRemediation({ maxUnhealthy: c.maxUnhealthy }, c.expected, c.healthy);
      assert.equal(d.allowed, c.allowed);
      assert.equal(d.remediationsAllowed, c.remediationsAllowed);
      assert.equal(d.message === undefined, c.allowed, 'a message exactly when not allowed');
    });
  }

  it('names the counts and the limit as upstream when not allowed', () => {
    assert.deepEqual(decideRemediation({ maxUnhealthy: '40%' }, 3, 1), {
      allowed: false,
      remediationsAllowed: 0,
      message: 'Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: 3, unhealthy: 2, maxUnhealthy: 40%)',
    });
    assert.match(decideRemediation({ maxUnhealthy: 1 }, 3, 1).message!, /\(total: 3, unhealthy: 2, maxUnhealthy: 1\)$/);
  });

  it('refuses a maxUnhealthy that is neither an int nor a percentage, naming the field', () => {
    assert.throws(() => decideRemediation({ maxUnhealthy: 'abcdef' }, 5, 2), /spec\.maxUnhealthy: invalid value "abcdef"/);
  });
});

describe('maxUnhealthyLimit (upstream TestGetMaxUnhealthy)', () => {
  const cases: { value: IntOrString | undefined; total: number; want: number }[] = [
    { value: undefined, total: 7, want: 7 },
    { value: 3, total: 2, want: 3 },
    { value: '40%', total: 5, want: 2 },
    { value: '60%', total: 7, want: 4 },
    { value: '100%', total: 3, want: 3 },
    { value: '33%', total: 3, want: 0 },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.value)} of ${c.total} is ${c.want}`, () => assert.equal(maxUnhealthyLimit(c.value, c.total), c.want));
  }
  it('refuses a plain string and a fraction', () => {
    assert.throws(() => maxUnhealthyLimit('3', 5), /spec\.maxUnhealthy: invalid value "3"/);
    assert.throws(() => maxUnhealthyLimit('x%', 5), /spec\.maxUnhealthy: invalid value "x%"/);
    assert.throws(() => maxUnhealthyLimit(1.5, 5), /spec\.maxUnhealthy: invalid value 1\.5/);
  });
});

describe('decideRemediation with unhealthyRange', () => {
  const cases: { name: string; range: string; expected: number; healthy: number; allowed: boolean; remediationsAllowed: number }[] = [
    { name: 'within [1-3] (upstream: 1 of 3 unhealthy)', range: '[1-3]', expected: 3, healthy: 2, allowed: true, remediationsAllowed: 2 },
    { name: 'below [3-5] (upstream: 2 of 3 unhealthy)', range: '[3-5]', expected: 3, healthy: 1, allowed: false, remediationsAllowed: 0 },
    { name: 'above [1-2]', range: '[1-2]', expected: 5, healthy: 2, allowed: false, remediationsAllowed: 0 },
    { name: 'at the top of [1-2]', range: '[1-2]', expected: 5, healthy: 3, allowed: true, remediationsAllowed: 0 },
    { name: 'none unhealthy is below [1-3]', range: '[1-3]', expected: 3, healthy: 3, allowed: false, remediationsAllowed: 0 },
    { name: 'none unhealthy is within [0-0]', range: '[0-0]', expected: 3, healthy: 3, allowed: true, remediationsAllowed: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideRemediation({ unhealthyRange: c.range, maxUnhealthy: '100%' }, c.expected, c.healthy);
      assert.equal(d.allowed, c.allowed);
      assert.equal(d.remediationsAllowed, c.remediationsAllowed);
    });
  }

  it('takes precedence over maxUnhealthy and names the range as upstream', () => {
    assert.equal(decideRemediation({ unhealthyRange: '[3-5]', maxUnhealthy: '100%' }, 3, 1).message, 'Remediation is not allowed, the number of not started or unhealthy machines does not fall within the range (total: 3, unhealthy: 2, unhealthyRange: [3-5])');
    assert.equal(decideRemediation({ unhealthyRange: '[1-3]', maxUnhealthy: 0 }, 3, 2).allowed, true);
  });

  it('parses "[min-max]" and refuses anything else, naming the field', () => {
    assert.deepEqual(parseUnhealthyRange('[2-5]'), { min: 2, max: 5 });
    assert.throws(() => parseUnhealthyRange('[5-2]'), /spec\.unhealthyRange: invalid value "\[5-2\]": max 2 is less than min 5/);
    for (const bad of ['2-5', '[2-]', '[-1-5]', '[a-b]', '']) assert.throws(() => parseUnhealthyRange(bad), /spec\.unhealthyRange: invalid value/);
  });
});
