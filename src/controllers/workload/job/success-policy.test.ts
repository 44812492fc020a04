import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIndexes } from './indexes.js';
import { matchSuccessPolicy, type SuccessPolicy } from './success-policy.js';

test('success policy (upstream TestMatchSuccessPolicy cases)', () => {
  const cases: [string, SuccessPolicy | undefined, number, string, string | undefined][] = [
    ['no policy', undefined, 10, '0-2', undefined],
    ['nothing succeeded', { rules: [{ succeededCount: 0 }] }, 10, '', undefined],
    ['succeededIndexes all met', { rules: [{ succeededIndexes: '0-2' }] }, 10, '0-2,4-7', 'Matched rules at index 0'],
    ["succeededIndexes didn't match", { rules: [{ succeededIndexes: '3' }] }, 10, '0-2', undefined],
    ['succeededCount met', { rules: [{ succeededCount: 2 }] }, 10, '0,2', 'Matched rules at index 0'],
    ['succeededCount not met', { rules: [{ succeededCount: 3 }] }, 10, '0,2', undefined],
    ['indexes and count: enough of them', { rules: [{ succeededIndexes: '0-5', succeededCount: 3 }] }, 10, '1,3,5,8', 'Matched rules at index 0'],
    ['indexes and count: too few of them', { rules: [{ succeededIndexes: '0-5', succeededCount: 3 }] }, 10, '1,3,8,9', undefined],
    ['second rule', { rules: [{ succeededIndexes: '9' }, { succeededCount: 1 }] }, 10, '4', 'Matched rules at index 1'],
    ['unparsable indexes skipped', { rules: [{ succeededIndexes: 'invalid-form' }] }, 10, '0-9', undefined],
    ['indexes beyond completions ignored', { rules: [{ succeededIndexes: '0,20' }] }, 10, '0', 'Matched rules at index 0'],
  ];
  for (const [name, policy, completions, succeeded, want] of cases) assert.equal(matchSuccessPolicy(policy, completions, parseIndexes(succeeded, completions)), want, name);
});
