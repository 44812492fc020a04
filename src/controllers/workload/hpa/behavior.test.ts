import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMemory, normalizeWithBehavior, normalizeWithoutBehavior, recordScaleEvent, scaleDownLimit, scaleUpLimit, type Behavior, type ScalingRules } from './behavior.js';

const NOW = Date.UTC(2030, 0, 1);
const UP: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const DOWN: ScalingRules = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
const DEFAULTS: Behavior = { scaleUp: UP, scaleDown: DOWN };

test('scale limits: policies, selectPolicy and recent events', () => {
  assert.equal(scaleUpLimit(10, [], UP, NOW), 20);
  assert.equal(scaleUpLimit(1, [], UP, NOW), 5);
  assert.equal(scaleUpLimit(10, [], { ...UP, selectPolicy: 'Min' }, NOW), 14);
  assert.equal(scaleUpLimit(10, [], { ...UP, selectPolicy: 'Disabled' }, NOW), 10);
  // 5 added 10 s ago: the period started at 5.
  assert.equal(scaleUpLimit(10, [{ change: 5, atMs: NOW - 10_000 }], UP, NOW), 10);
  assert.equal(scaleUpLimit(10, [{ change: 5, atMs: NOW - 20_000 }], UP, NOW), 20);
  assert.equal(scaleDownLimit(10, [], DOWN, NOW), 0);
  const pods2: ScalingRules = { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 10, periodSeconds: 60 }] };
  assert.equal(scaleDownLimit(10, [], pods2, NOW), 8);
  assert.equal(scaleDownLimit(10, [], { ...pods2, selectPolicy: 'Min' }, NOW), 9);
  assert.equal(scaleDownLimit(8, [{ change: 2, atMs: NOW - 30_000 }], pods2, NOW), 8);
  assert.equal(scaleDownLimit(10, [], { ...pods2, selectPolicy: 'Disabled' }, NOW), 10);
});

test('normalizeWithoutBehavior: scale-up limit, bounds and downscale stabilization', () => {
  let o = normalizeWithoutBehavior(newMemory(), 3, 10, 1, 20, NOW);
  assert.deepEqual(o, { replicas: 6, ableToScale: { reason: 'ReadyForNewScale', message: 'recommended size matches current size' }, scalingLimited: { limited: true, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' } });
  o = normalizeWithoutBehavior(newMemory(), 3, 10, 1, 5, NOW);
  assert.deepEqual([o.replicas, o.scalingLimited.reason], [5, 'TooManyReplicas']);
  o = normalizeWithoutBehavior(newMemory(), 3, 1, 2, 5, NOW);
  assert.deepEqual([o.replicas, o.scalingLimited.reason, o.scalingLimited.limited], [2, 'TooFewReplicas', true]);
  o = normalizeWithoutBehavior(newMemory(), 3, 4, 1, 5, NOW);
  assert.deepEqual([o.replicas, o.scalingLimited.reason, o.scalingLimited.limited], [4, 'DesiredWithinRange', false]);
  const mem = newMemory();
  normalizeWithoutBehavior(mem, 5, 5, 1, 10, NOW - 60_000);
  o = normalizeWithoutBehavior(mem, 5, 2, 1, 10, NOW);
  assert.deepEqual([o.replicas, o.ableToScale.reason], [5, 'ScaleDownStabilized']);
  o = normalizeWithoutBehavior(mem, 5, 2, 1, 10, NOW + 5 * 60_000);
  assert.deepEqual([o.replicas, o.ableToScale.reason], [2, 'ReadyForNewScale']);
});

test('normalizeWithBehavior: stabilization windows both ways, rate limits, bounds', () => {
  const mem = newMemory();
  let o = normalizeWithBehavior(mem, DEFAULTS, 2, 12, 1, 20, NOW);
  assert.deepEqual([o.replicas, o.ableToScale.reason, o.scalingLimited.reason], [6, 'ReadyForNewScale', 'ScaleUpLimit']);
  recordScaleEvent(mem, DEFAULTS, 2, 6, NOW);
  // Within the same 15 s period the limit counts the 4 already added: start 2 → max(2+4, 4) = 6.
  o = normalizeWithBehavior(mem, DEFAULTS, 6, 12, 1, 20, NOW + 5_000);
  assert.deepEqual([o.replicas, o.scalingLimited.reason], [6, 'ScaleUpLimit']);
  o = normalizeWithBehavior(mem, DEFAULTS, 6, 12, 1, 20, NOW + 20_000);
  assert.deepEqual([o.replicas, o.scalingLimited.reason], [12, 'DesiredWithinRange']);
  // Down: the default window keeps the highest recent recommendation.
  o = normalizeWithBehavior(mem, DEFAULTS, 12, 3, 1, 20, NOW + 60_000);
  assert.deepEqual([o.replicas, o.ableToScale.reason], [12, 'ScaleDownStabilized']);
  o = normalizeWithBehavior(mem, DEFAULTS, 12, 3, 1, 20, NOW + 60_000 + 5 * 60_000 + 1);
  assert.deepEqual([o.replicas, o.ableToScale.reason], [3, 'ReadyForNewScale']);
  // Up stabilization: the lowest recent recommendation.
  const upWin: Behavior = { scaleUp: { ...UP, stabilizationWindowSeconds: 60 }, scaleDown: { ...DOWN, stabilizationWindowSeconds: 0 } };
  const m2 = newMemory();
  normalizeWithBehavior(m2, upWin, 4, 4, 1, 20, NOW - 30_000);
  o = normalizeWithBehavior(m2, upWin, 4, 8, 1, 20, NOW);
  assert.deepEqual([o.replicas, o.ableToScale.reason], [4, 'ScaleUpStabilized']);
  // Bounds.
  o = normalizeWithBehavior(newMemory(), { scaleUp: UP, scaleDown: { ...DOWN, stabilizationWindowSeconds: 0 } }, 5, 1, 3, 20, NOW);
  assert.deepEqual([o.replicas, o.scalingLimited.reason], [3, 'TooFewReplicas']);
  o = normalizeWithBehavior(newMemory(), DEFAULTS, 5, 30, 1, 8, NOW);
  assert.deepEqual([o.replicas, o.scalingLimited.reason], [8, 'TooManyReplicas']);
  // A slow scale-down policy.
  o = normalizeWithBehavior(newMemory(), { scaleUp: UP, scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } }, 5, 1, 1, 20, NOW);
  assert.deepEqual([o.replicas, o.scalingLimited.reason], [4, 'ScaleDownLimit']);
});
