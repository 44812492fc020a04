import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AGGREGATE_MESSAGE_PREFIX, EventCorrelator } from './event-correlator.js';

const ev = (message: string, objectKey = 'rs-a', reason = 'SuccessfulCreate') => ({ objectKey, type: 'Normal', reason, message });

describe('EventCorrelator (client-go events_cache semantics)', () => {
  it('lets 25 events about one object through, then one per 300 s', () => {
    const c = new EventCorrelator();
    const t0 = 1_000_000;
    const passed = Array.from({ length: 30 }, () => !c.correlate(ev('same'), t0).skip).filter(Boolean).length;
    assert.equal(passed, 25);
    assert.equal(c.correlate(ev('same'), t0 + 299_000).skip, true);
    assert.equal(c.correlate(ev('same'), t0 + 300_000).skip, false);
    assert.equal(c.correlate(ev('same'), t0 + 300_001).skip, true);
    // Another object has its own bucket.
    assert.equal(c.correlate(ev('same', 'rs-b'), t0 + 300_001).skip, false);
  });

  it('aggregates from the 10th distinct message of a reason within 10 minutes', () => {
    const c = new EventCorrelator();
    const out = Array.from({ length: 12 }, (_, i) => c.correlate(ev(`m${i}`), 0));
    assert.deepEqual(out.map((o) => !o.skip && o.aggregated), [false, false, false, false, false, false, false, false, false, true, true, true]);
    const tenth = out[9]!;
    assert.ok(!tenth.skip);
    assert.equal(tenth.message, `${AGGREGATE_MESSAGE_PREFIX}m9`);
    assert.equal(tenth.key, (out[11] as { key: string }).key, 'aggregates share one key (one Event, counted)');
    assert.notEqual((out[0] as { key: string }).key, (out[1] as { key: string }).key);
    // Another reason is not aggregated with it.
    const other = c.correlate(ev('m0', 'rs-a', 'SuccessfulDelete'), 0);
    assert.ok(!other.skip && !other.aggregated);
    // After 10 quiet minutes the reason starts afresh.
    const later = c.correlate(ev('m99'), 600_001);
    assert.ok(!later.skip && !later.aggregated);
  });

  it('counts repeats of one message without aggregating them', () => {
    const c = new EventCorrelator();
    const out = Array.from({ length: 20 }, () => c.correlate(ev('no capacity'), 0));
    assert.ok(out.every((o) => !o.skip && !o.aggregated && o.key === (out[0] as { key: string }).key));
  });
});
