import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from './heap-growth.js';

// The effect on a plane's peak memory is measured by `npm run bench -- fleet-topology` (a small test heap never
// leaves V8's initial old-generation limit, so it cannot show it).
test('limitHeapGrowth sets the growth limit unless the command line chose one', () => {
  assert.equal(limitHeapGrowth(['--heap-growing-percent=40']), undefined);
  assert.equal(limitHeapGrowth(['--max-semi-space-size=32', '--heap_growing_percent=40']), undefined);
  assert.equal(limitHeapGrowth(['--heap-growing-percent']), undefined);
  assert.equal(limitHeapGrowth(['--max-semi-space-size=32', '--heap-growing-percentage=3']), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
});
