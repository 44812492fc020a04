import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../shared/pods.js';
import { podsToKeep, rollingUpdatePlan } from './reconciler.js';

function pod(name: string, rev: 'old' | 'new', available: boolean, created = '2030-01-01T00:00:00Z'): Pod {
  return { metadata: { name, creationTimestamp: created, labels: { rev, avail: String(available) } } };
}
const isNew = (p: Pod): boolean => p.metadata?.labels?.rev === 'new';
const avail = (p: Pod): boolean => p.metadata?.labels?.avail === 'true';
const names = (ps: Pod[]): string[] => ps.map((p) => p.metadata!.name!).sort();

test('rolling update without surge: unavailable old Pods first, then up to maxUnavailable', () => {
  const nodes = [
    { node: 'a', pods: [pod('a-old', 'old', true)] },
    { node: 'b', pods: [pod('b-old', 'old', false)] },
    { node: 'c', pods: [pod('c-old', 'old', true)] },
    { node: 'd', pods: [pod('d-new', 'new', true)] },
  ];
  assert.deepEqual(names(rollingUpdatePlan(nodes, isNew, avail, 0, 1).delete), ['b-old']);
  assert.deepEqual(names(rollingUpdatePlan(nodes, isNew, avail, 0, 2).delete), ['a-old', 'b-old']);
  assert.deepEqual(names(rollingUpdatePlan(nodes, isNew, avail, 0, 5).delete), ['a-old', 'b-old', 'c-old']);
  // A new Pod not yet available uses up the budget.
  const busy = [{ node: 'a', pods: [pod('a-new', 'new', false)] }, { node: 'b', pods: [pod('b-old', 'old', true)] }];
  assert.deepEqual(rollingUpdatePlan(busy, isNew, avail, 0, 1), { delete: [], create: [] });
});

test('rolling update with surge: new beside old on up to maxSurge nodes, old removed once the new one is available', () => {
  const nodes = [
    { node: 'a', pods: [pod('a-old', 'old', true)] },
    { node: 'b', pods: [pod('b-old', 'old', true)] },
    { node: 'c', pods: [pod('c-old', 'old', false)] },
    { node: 'd', pods: [pod('d-old', 'old', true), pod('d-new', 'new', true)] },
    { node: 'e', pods: [pod('e-old', 'old', true), pod('e-new', 'new', false)] },
  ];
  const plan = rollingUpdatePlan(nodes, isNew, avail, 2, 0);
  assert.deepEqual(names(plan.delete), ['d-old']);
  // c's old Pod is unavailable: replaced at once; e is surging, so one more surge slot (a).
  assert.deepEqual(plan.create, ['c', 'a']);
});

test('pods kept on a node: the oldest, or with surge the oldest old and oldest new', () => {
  const ps = [pod('x2', 'old', true, '2030-01-01T00:02:00Z'), pod('x1', 'old', true, '2030-01-01T00:01:00Z'), pod('x3', 'new', true, '2030-01-01T00:03:00Z'), pod('x4', 'new', true, '2030-01-01T00:04:00Z')];
  assert.deepEqual(names(podsToKeep(ps, isNew, false)), ['x1']);
  assert.deepEqual(names(podsToKeep(ps, isNew, true)), ['x1', 'x3']);
});
