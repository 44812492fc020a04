/** Work queue semantics, driven by the fake clock (no real waiting). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, settle } from './clock.js';
import { WorkQueue } from './queue.js';
import { ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from './rate-limiter.js';

describe('FakeClock', () => {
  it('fires timers in order when time moves, including a year ahead', async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const fired: string[] = [];
    clock.setTimer(1000, () => fired.push('1s'));
    clock.setTimer(365 * 24 * 3600 * 1000, () => fired.push('1y'));
    clock.setTimer(10, () => {
      fired.push('10ms');
      clock.setTimer(5, () => fired.push('15ms (armed by a timer)'));
    });
    const cancelled = clock.setTimer(20, () => fired.push('cancelled'));
    cancelled.cancel();
    await clock.advance(999);
    assert.deepEqual(fired, ['10ms', '15ms (armed by a timer)']);
    await clock.advance(365 * 24 * 3600 * 1000);
    assert.deepEqual(fired, ['10ms', '15ms (armed by a timer)', '1s', '1y']);
    assert.equal(clock.now().toISOString(), '2031-01-01T00:00:00.999Z');
    assert.equal(clock.pending, 0);
  });

  it('sleep resolves when time passes, or at once on abort', async () => {
    const clock = new FakeClock();
    let woke = false;
    const p = clock.sleep(500).then(() => (woke = true));
    await clock.advance(499);
    assert.equal(woke, false);
    await clock.advance(1);
    await p;
    assert.equal(woke, true);
    const ac = new AbortController();
    const q = clock.sleep(10_000, ac.signal);
    ac.abort();
    await q;
    assert.equal(clock.pending, 0);
  });
});

describe('rate limiters', () => {
  it('per-item exponential backoff: 5 ms doubling, capped at 16 min 40 s', () => {
    const l = new ItemExponentialRateLimiter();
    const delays = Array.from({ length: 30 }, () => l.when('a'));
    assert.deepEqual(delays.slice(0, 6), [5, 10, 20, 40, 80, 160]);
    assert.equal(delays[17], 655_360);
    assert.equal(delays[18], 1_000_000);
    assert.equal(delays[29], 1_000_000);
    assert.equal(l.retries('a'), 30);
    assert.equal(l.when('b'), 5, 'items back off independently');
    l.forget('a');
    assert.equal(l.retries('a'), 0);
    assert.equal(l.when('a'), 5);
  });

  it('token bucket: burst, then qps; tokens refill with the clock', async () => {
    const clock = new FakeClock();
    const b = new TokenBucketRateLimiter(clock, 10, 3);
    assert.deepEqual([b.when(), b.when(), b.when()], [0, 0, 0]);
    assert.equal(b.when(), 100);
    assert.equal(b.when(), 200);
    await clock.advance(10_000);
    assert.equal(b.when(), 0, 'refilled (up to the burst)');
  });

  it('the default limiter takes the larger of item backoff and bucket', async () => {
    const clock = new FakeClock();
    const l = new MaxOfRateLimiter([new ItemExponentialRateLimiter(5, 1_000_000), new TokenBucketRateLimiter(clock, 10, 2)]);
    assert.equal(l.when('x'), 5);
    assert.equal(l.when('y'), 5);
    assert.equal(l.when('z'), 100, 'bucket empty: 100 ms at 10 qps beats the 5 ms item delay');
    assert.ok(defaultControllerRateLimiter(clock).when('q') >= 5);
  });
});

describe('WorkQueue', () => {
  it('deduplicates keys that wait', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  it('never hands a key being processed to a second worker; a re-add waits for done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'held back while a is processing');
    let second: string | undefined;
    const p = q.get().then((k) => (second = k));
    await settle();
    assert.equal(second, undefined, 'a second worker does not get a');
    q.done('a');
    await p;
    assert.equal(second, 'a', 'handed out again once done, exactly once');
    q.done('a');
    assert.equal(q.length, 0);
  });

  it('concurrent workers never process the same key at once', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const active = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (active.has(k)) overlaps++;
        active.add(k);
        await settle();
        active.delete(k);
        processed++;
        q.done(k);
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    for (let round = 0; round < 50; round++) {
      for (const k of ['a', 'b', 'c']) q.add(k);
      await settle();
    }
    await q.shutDownWithDrain();
    await Promise.all(workers);
    assert.equal(overlaps, 0);
    assert.ok(processed >= 3 && processed <= 150, String(processed));
  });

  it('addAfter and addRateLimited wait for the clock; forget resets the backoff', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) });
    q.addAfter('later', 60_000);
    q.addAfter('later', 120_000);
    assert.equal(q.delayed, 1, 'the earlier time wins');
    assert.equal(q.length, 0);
    await clock.advance(59_999);
    assert.equal(q.length, 0);
    await clock.advance(1);
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'later');
    q.done('later');

    const readyAt: number[] = [];
    const t0 = clock.nowMs();
    for (let i = 0; i < 8; i++) {
      q.addRateLimited('flaky');
      while (q.length === 0) await clock.advance(clock.nextTimerIn() ?? 1);
      readyAt.push(clock.nowMs() - t0);
      assert.equal(await q.get(), 'flaky');
      q.done('flaky');
    }
    assert.deepEqual(readyAt, [5, 15, 35, 75, 155, 315, 635, 1275]);
    assert.equal(q.numRequeues('flaky'), 8);
    q.forget('flaky');
    assert.equal(q.numRequeues('flaky'), 0);
  });

  it('backs a failing key off to 16 min 40 s after enough failures (a year of fake time)', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    let last = 0;
    for (let i = 0; i < 25; i++) {
      q.addRateLimited('k');
      const before = clock.nowMs();
      while (q.length === 0) await clock.advance(clock.nextTimerIn() ?? 1);
      last = clock.nowMs() - before;
      await q.get();
      q.done('k');
    }
    assert.equal(last, 1_000_000);
    await clock.advance(365 * 24 * 3600 * 1000);
    assert.equal(q.length, 0);
  });

  it('shutDown releases waiting workers, drops delayed keys and refuses adds', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const waiting = q.get();
    q.addAfter('x', 1000);
    assert.equal(clock.pending, 1);
    q.shutDown();
    assert.equal(await waiting, undefined);
    assert.equal(clock.pending, 0, 'delay timers cancelled');
    q.add('y');
    assert.equal(q.length, 0);
    assert.equal(await q.get(), undefined);
    assert.equal(q.isShuttingDown, true);
  });

  it('shutDownWithDrain waits for keys being processed', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    const k = await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => (drained = true));
    await settle();
    assert.equal(drained, false);
    q.done(k!);
    await p;
    assert.equal(drained, true);
  });

  it('reports metrics: adds, depth, latency, work duration, retries', async () => {
    const clock = new FakeClock();
    const seen = { added: 0, depth: [] as number[], latency: [] as number[], work: [] as number[], retried: 0 };
    const q = new WorkQueue({
      clock,
      metrics: { added: () => seen.added++, depth: (n) => seen.depth.push(n), latency: (s) => seen.latency.push(s), workDuration: (s) => seen.work.push(s), retried: () => seen.retried++ },
    });
    q.add('a');
    q.add('b');
    await clock.advance(2000);
    const k = await q.get();
    await clock.advance(500);
    q.done(k!);
    q.addRateLimited('c');
    assert.equal(seen.added, 2);
    assert.deepEqual(seen.depth.slice(0, 3), [1, 2, 1]);
    assert.deepEqual(seen.latency, [2]);
    assert.deepEqual(seen.work, [0.5]);
    assert.equal(seen.retried, 1);
  });
});
