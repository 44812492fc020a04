import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msUntilExpiry } from './ttl-after-finished.js';
import { setCondition } from './conditions.js';

const T = Date.parse('2030-01-01T00:00:00Z');

test('TTL after finished: expiry from the terminal condition', () => {
  const finished = { type: 'Complete', status: 'True', lastTransitionTime: '2030-01-01T00:00:00Z' };
  const cases: [string, Record<string, unknown>, number | undefined][] = [
    ['no ttl', { spec: {}, status: { conditions: [finished] } }, undefined],
    ['not finished', { spec: { ttlSecondsAfterFinished: 10 }, status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] } }, undefined],
    ['finished, 10 s to go', { spec: { ttlSecondsAfterFinished: 10 }, status: { conditions: [finished] } }, 10_000],
    ['ttl 0: expired at once', { spec: { ttlSecondsAfterFinished: 0 }, status: { conditions: [finished] } }, 0],
    ['failed counts too', { spec: { ttlSecondsAfterFinished: 5 }, status: { conditions: [{ ...finished, type: 'Failed' }] } }, 5_000],
  ];
  for (const [name, job, want] of cases) assert.equal(msUntilExpiry(job, T), want, name);
});

test('conditions keep their transition time while the status holds', () => {
  const a = setCondition(undefined, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, 't1');
  assert.equal(setCondition(a, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, 't2')[0].lastTransitionTime, 't1');
  const b = setCondition(a, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, 't3');
  assert.equal(b[0].lastTransitionTime, 't3');
  assert.equal(b.length, 1);
});
