import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, formatIndexes, missingIndexes, parseIndexes, podIndex } from './indexes.js';

test('completedIndexes text (upstream succeededIndexes.String cases)', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[0], '0'],
    [[0, 1], '0-1'],
    [[1, 3, 4, 5, 7], '1,3-5,7'],
    [[5, 1, 2, 3, 9, 10, 3], '1-3,5,9-10'],
  ];
  for (const [idx, text] of cases) {
    assert.equal(formatIndexes(idx), text);
    assert.deepEqual([...parseIndexes(text, 100)].sort((a, b) => a - b), [...new Set(idx)].sort((a, b) => a - b));
  }
  assert.deepEqual([...parseIndexes('1,3-5,x,8-9', 5)], [1, 3, 4]);
});

test('pod index and missing indexes', () => {
  assert.equal(podIndex({ annotations: { 'batch.kubernetes.io/job-completion-index': '2' } }, 3), 2);
  assert.equal(podIndex({ annotations: { 'batch.kubernetes.io/job-completion-index': '3' } }, 3), undefined);
  assert.equal(podIndex({ labels: { 'batch.kubernetes.io/job-completion-index': '1' } }, 3), 1);
  assert.equal(podIndex({ annotations: { 'batch.kubernetes.io/job-completion-index': 'a' } }, 3), undefined);
  assert.deepEqual(missingIndexes(5, new Set([0, 2]), new Set([1]), 5), [3, 4]);
  assert.deepEqual(missingIndexes(5, new Set(), new Set(), 2), [0, 1]);
});

test('exponential backoff between failed pods', () => {
  assert.deepEqual([0, 1, 2, 3, 7, 10].map((n) => backoffDelayMs(n, 10_000, 360_000)), [0, 10_000, 20_000, 40_000, 360_000, 360_000]);
  assert.equal(backoffDelayMs(4, 0, 360_000), 0);
});
