import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteBefore, podsToDelete, rankByRelatedPodsOnSameNode } from './deletion-order.js';
import type { Pod } from './types.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const iso = (ms: number): string => new Date(ms).toISOString();

interface P {
  name: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAt?: number;
  created?: number;
  restarts?: number;
  cost?: string;
}

function pod(p: P): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, uid: `uid-${p.name}`, creationTimestamp: p.created !== undefined ? iso(p.created) : undefined, annotations: p.cost !== undefined ? { 'controller.kubernetes.io/pod-deletion-cost': p.cost } : undefined },
    spec: { nodeName: p.node },
    status: {
      phase: p.phase ?? 'Running',
      conditions: p.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: p.readyAt !== undefined ? iso(p.readyAt) : undefined }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', restartCount: p.restarts ?? 0 }],
    },
  };
}

// Upstream TestSortingActivePods-style pairs: [first to delete, second], each must sort before the other.
const H = 3_600_000;
const cases: { name: string; a: P; b: P; ranks?: [number, number] }[] = [
  { name: 'unscheduled before scheduled', a: { name: 'a' }, b: { name: 'b', node: 'n1' } },
  { name: 'pending before unknown', a: { name: 'a', node: 'n', phase: 'Pending' }, b: { name: 'b', node: 'n', phase: 'Unknown' } },
  { name: 'unknown before running', a: { name: 'a', node: 'n', phase: 'Unknown' }, b: { name: 'b', node: 'n', phase: 'Running' } },
  { name: 'not ready before ready', a: { name: 'a', node: 'n' }, b: { name: 'b', node: 'n', ready: true, readyAt: NOW - H } },
  { name: 'lower deletion cost first', a: { name: 'a', node: 'n', ready: true, readyAt: NOW - H, cost: '-5' }, b: { name: 'b', node: 'n', ready: true, readyAt: NOW - H, cost: '10' } },
  { name: 'doubled up first', a: { name: 'a', node: 'n1', ready: true, readyAt: NOW - H }, b: { name: 'b', node: 'n2', ready: true, readyAt: NOW - H }, ranks: [3, 1] },
  { name: 'ready more recently first (different log buckets)', a: { name: 'a', node: 'n', ready: true, readyAt: NOW - 10_000 }, b: { name: 'b', node: 'n', ready: true, readyAt: NOW - 100 * H } },
  { name: 'ready with an empty time first', a: { name: 'a', node: 'n', ready: true }, b: { name: 'b', node: 'n', ready: true, readyAt: NOW - H } },
  { name: 'more restarts first', a: { name: 'a', node: 'n', restarts: 5, created: NOW - H }, b: { name: 'b', node: 'n', restarts: 1, created: NOW - 10 } },
  { name: 'newer first', a: { name: 'a', node: 'n', created: NOW - 10_000 }, b: { name: 'b', node: 'n', created: NOW - 100 * H } },
  { name: 'empty creation time first', a: { name: 'a', node: 'n' }, b: { name: 'b', node: 'n', created: NOW - H } },
  { name: 'same log bucket: ties broken by uid', a: { name: 'a', node: 'n', created: NOW - 1_000_000 }, b: { name: 'b', node: 'n', created: NOW - 1_000_001 } },
];

for (const c of cases) {
  test(`deletion order: ${c.name}`, () => {
    const [ra, rb] = c.ranks ?? [1, 1];
    const a = { pod: pod(c.a), rank: ra };
    const b = { pod: pod(c.b), rank: rb };
    assert.equal(deleteBefore(a, b, NOW), true);
    assert.equal(deleteBefore(b, a, NOW), false);
  });
}

test('deletion order: equal pods are not ordered', () => {
  const a = { pod: pod({ name: 'a', node: 'n' }), rank: 1 };
  assert.equal(deleteBefore(a, a, NOW), false);
});

test('podsToDelete: takes the worst first, ranks by related pods on the same node', () => {
  const pods = [
    pod({ name: 'running-ready-old', node: 'n1', ready: true, readyAt: NOW - 100 * H, created: NOW - 100 * H }),
    pod({ name: 'pending', node: 'n1', phase: 'Pending', created: NOW - H }),
    pod({ name: 'unscheduled', phase: 'Pending', created: NOW - H }),
    pod({ name: 'running-ready-crowded', node: 'n2', ready: true, readyAt: NOW - 100 * H, created: NOW - 100 * H }),
    pod({ name: 'running-not-ready', node: 'n1', created: NOW - H }),
  ];
  const related = [...pods, pod({ name: 'sibling-1', node: 'n2' }), pod({ name: 'sibling-2', node: 'n2' }), pod({ name: 'sibling-3', node: 'n2' })];
  assert.deepEqual(rankByRelatedPodsOnSameNode(pods, related).map((r) => r.rank), [3, 3, 1, 4, 3]);
  assert.deepEqual(podsToDelete(pods, related, 4, NOW).map((p) => p.metadata!.name), ['unscheduled', 'pending', 'running-not-ready', 'running-ready-crowded']);
  assert.equal(podsToDelete(pods, related, 9, NOW).length, 5);
});
