import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from './scheduling-queue.js';

const T = { initialBackoffMs: 1000, maxBackoffMs: 10_000, maxInUnschedulableMs: 300_000 };

function drain(q: SchedulingQueue<string>): string[] {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) {
    out.push(p.key);
    q.done(p.key);
  }
  return out;
}

test('pops by priority, then first in first out', () => {
  const q = new SchedulingQueue<string>(T);
  const cases: [string, number][] = [['a', 0], ['b', 10], ['c', 0], ['d', 10], ['e', -5], ['f', 1000]];
  for (const [k, p] of cases) q.add(k, k, p);
  assert.deepEqual(drain(q), ['f', 'b', 'd', 'a', 'c', 'e']);
});

test('an update keeps the place in line; a priority change reorders; delete removes', () => {
  const q = new SchedulingQueue<string>(T);
  for (const k of ['a', 'b', 'c', 'd']) q.add(k, k, 0);
  q.add('a', 'a2', 0);
  q.add('c', 'c', 5);
  q.delete('b');
  const first = q.pop()!;
  assert.equal(first.key, 'c');
  q.done('c');
  const second = q.pop()!;
  assert.deepEqual([second.key, second.item], ['a', 'a2']);
  q.done('a');
  assert.deepEqual(drain(q), ['d']);
  assert.equal(q.size, 0);
});

test('unschedulable pods wait for a cluster change, then for their backoff', () => {
  const q = new SchedulingQueue<string>(T);
  q.add('a', 'a', 0);
  q.pop();
  q.failed('a', 0, 'unschedulable');
  assert.equal(q.state('a'), 'unschedulable');
  assert.equal(q.pop(), undefined);
  q.flush(100_000);
  assert.equal(q.state('a'), 'unschedulable');
  q.moveAll(500); // backoff of the first failure is 1 s
  assert.equal(q.state('a'), 'backoff');
  assert.equal(q.nextFlushAt(), 1000);
  q.flush(999);
  assert.equal(q.state('a'), 'backoff');
  q.flush(1000);
  assert.equal(q.state('a'), 'active');
  assert.equal(q.pop()?.attempts, 1);
});

test('backoff doubles per attempt up to the cap', () => {
  const q = new SchedulingQueue<string>(T);
  q.add('a', 'a', 0);
  const expected = [1000, 2000, 4000, 8000, 10_000, 10_000];
  let now = 0;
  for (const d of expected) {
    const p = q.pop()!;
    q.failed('a', now, 'error');
    assert.equal(q.backoffExpiry(p) - now, d);
    now += d;
    q.flush(now);
    assert.equal(q.state('a'), 'active');
  }
});

test('an unschedulable pod is retried after maxInUnschedulable without any change', () => {
  const q = new SchedulingQueue<string>(T);
  q.add('a', 'a', 0);
  q.pop();
  q.failed('a', 0, 'unschedulable');
  assert.equal(q.nextFlushAt(), 300_000);
  q.flush(300_000);
  assert.equal(q.state('a'), 'active');
});

test('zero backoff retries at once on a cluster change; requeue after a spec change', () => {
  const q = new SchedulingQueue<string>({ initialBackoffMs: 0, maxBackoffMs: 0, maxInUnschedulableMs: 0 });
  q.add('a', 'a', 0);
  q.pop();
  q.failed('a', 5, 'unschedulable');
  q.requeue('a', 5);
  assert.equal(q.state('a'), 'active');
});

test('a failed bind puts a pod back in backoff', () => {
  const q = new SchedulingQueue<string>(T);
  q.backoff('a', 'a', 0, 100);
  assert.equal(q.state('a'), 'backoff');
  assert.equal(q.nextFlushAt(), 1100);
  q.flush(1100);
  assert.deepEqual(drain(q), ['a']);
});
