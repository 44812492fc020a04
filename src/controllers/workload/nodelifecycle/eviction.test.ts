import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evictionDecision, matchingTolerations, minTolerationMs, type EvictionDecision } from './eviction.js';
import type { NodeTaint } from './taints.js';
import type { Toleration } from '../scheduler/types.js';

const T0 = Date.UTC(2030, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const unreachable = (addedMs = T0): NodeTaint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(addedMs) });
const notReady = (addedMs = T0): NodeTaint => ({ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(addedMs) });
const tol = (key: string | undefined, seconds?: number, effect = 'NoExecute'): Toleration => ({ ...(key ? { key } : {}), operator: 'Exists', effect, ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) });

describe('evictionDecision', () => {
  const cases: { name: string; taints: NodeTaint[]; tolerations: Toleration[]; nowMs: number; createdMs?: number; want: EvictionDecision }[] = [
    { name: 'no taints', taints: [], tolerations: [], nowMs: T0, want: { action: 'none' } },
    { name: 'only NoSchedule taints', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }], tolerations: [], nowMs: T0, want: { action: 'none' } },
    { name: 'untolerated NoExecute: at once', taints: [unreachable()], tolerations: [], nowMs: T0, want: { action: 'evict', reason: 'untolerated' } },
    { name: 'NoSchedule toleration does not cover NoExecute', taints: [unreachable()], tolerations: [tol('node.kubernetes.io/unreachable', 300, 'NoSchedule')], nowMs: T0, want: { action: 'evict', reason: 'untolerated' } },
    { name: 'default 300s: wait', taints: [unreachable()], tolerations: [tol('node.kubernetes.io/not-ready', 300), tol('node.kubernetes.io/unreachable', 300)], nowMs: T0 + 1000, want: { action: 'wait', atMs: T0 + 300_000 } },
    { name: 'default 300s: expired', taints: [unreachable()], tolerations: [tol('node.kubernetes.io/unreachable', 300)], nowMs: T0 + 300_000, want: { action: 'evict', reason: 'expired' } },
    { name: 'forever (no seconds, as DaemonSet Pods)', taints: [unreachable(), notReady()], tolerations: [tol('node.kubernetes.io/not-ready'), tol('node.kubernetes.io/unreachable')], nowMs: T0 + 1e9, want: { action: 'none' } },
    { name: 'tolerate everything', taints: [unreachable()], tolerations: [{ operator: 'Exists' }], nowMs: T0 + 1e9, want: { action: 'none' } },
    { name: 'zero seconds: at once', taints: [unreachable()], tolerations: [tol('node.kubernetes.io/unreachable', 0)], nowMs: T0, want: { action: 'evict', reason: 'expired' } },
    { name: 'negative seconds: at once', taints: [unreachable()], tolerations: [tol('node.kubernetes.io/unreachable', -5)], nowMs: T0, want: { action: 'evict', reason: 'expired' } },
    { name: 'smallest of the used tolerations', taints: [unreachable(), notReady()], tolerations: [tol('node.kubernetes.io/unreachable', 60), tol('node.kubernetes.io/not-ready', 10)], nowMs: T0, want: { action: 'wait', atMs: T0 + 10_000 } },
    { name: 'one forever and one bounded: bounded wins', taints: [unreachable(), notReady()], tolerations: [tol('node.kubernetes.io/unreachable'), tol('node.kubernetes.io/not-ready', 10)], nowMs: T0, want: { action: 'wait', atMs: T0 + 10_000 } },
    { name: 'first matching toleration is the used one', taints: [unreachable()], tolerations: [tol(undefined, 5), tol('node.kubernetes.io/unreachable', 500)], nowMs: T0, want: { action: 'wait', atMs: T0 + 5000 } },
    { name: 'one of two untolerated: at once', taints: [unreachable(), { key: 'x', effect: 'NoExecute' }], tolerations: [tol('node.kubernetes.io/unreachable', 300)], nowMs: T0, want: { action: 'evict', reason: 'untolerated' } },
    { name: 'pod created after the taint: clock starts at creation', taints: [unreachable()], tolerations: [tol('node.kubernetes.io/unreachable', 10)], createdMs: T0 + 60_000, nowMs: T0 + 65_000, want: { action: 'wait', atMs: T0 + 70_000 } },
    { name: 'earliest taint starts the clock', taints: [unreachable(T0 + 5000), notReady(T0)], tolerations: [{ operator: 'Exists', tolerationSeconds: 10 }], nowMs: T0, want: { action: 'wait', atMs: T0 + 10_000 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(evictionDecision({ taints: c.taints, tolerations: c.tolerations, podCreatedMs: c.createdMs, nowMs: c.nowMs }), c.want);
    });
  }
  it('a taint without timeAdded starts at the fallback (or now)', () => {
    const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
    assert.deepEqual(evictionDecision({ taints: [taint], tolerations: [tol(undefined, 10)], nowMs: T0 }), { action: 'wait', atMs: T0 + 10_000 });
    assert.deepEqual(evictionDecision({ taints: [taint], tolerations: [tol(undefined, 10)], nowMs: T0, fallbackStartMs: T0 - 20_000 }), { action: 'evict', reason: 'expired' });
  });
});

describe('matchingTolerations / minTolerationMs', () => {
  it('undefined when a taint is not tolerated', () => {
    assert.equal(matchingTolerations([unreachable()], [tol('node.kubernetes.io/not-ready', 1)]), undefined);
  });
  it('min ignores unset, clamps ≤ 0 to 0, -1 when all unset', () => {
    assert.equal(minTolerationMs([tol('a'), tol('b')]), -1);
    assert.equal(minTolerationMs([tol('a'), tol('b', 7)]), 7000);
    assert.equal(minTolerationMs([tol('a', 3), tol('b', -1)]), 0);
    assert.equal(minTolerationMs([]), -1);
  });
});
