import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './fit-error.js';
import type { FilterFailure } from './types.js';

const f = (...reasons: string[]): FilterFailure => ({ plugin: 'X', code: 'Unschedulable', reasons });

// Upstream types_test.go TestFitError_Error.
test('FitError message: upstream cases', () => {
  const cases: { name: string; numAllNodes: number; failures: FilterFailure[]; pre?: string; post?: string; want: string }[] = [
    { name: 'nodes failed Prefilter plugin', numAllNodes: 3, failures: [], pre: 'Node(s) failed PreFilter plugin FalsePreFilter', want: '0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter.' },
    {
      name: 'nodes failed Prefilter plugin and the preemption also failed', numAllNodes: 3, failures: [], pre: 'Node(s) failed PreFilter plugin FalsePreFilter',
      post: '0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      want: '0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    },
    {
      name: 'nodes failed one Filter plugin with an empty PostFilterMsg', numAllNodes: 3,
      failures: [f('Node(s) failed Filter plugin FalseFilter-1'), f('Node(s) failed Filter plugin FalseFilter-1'), f('Node(s) failed Filter plugin FalseFilter-1')],
      want: '0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.',
    },
    {
      name: 'nodes failed one Filter plugin with a non-empty PostFilterMsg', numAllNodes: 3,
      failures: [f('Node(s) failed Filter plugin FalseFilter-1'), f('Node(s) failed Filter plugin FalseFilter-1'), f('Node(s) failed Filter plugin FalseFilter-1')],
      post: 'Error running PostFilter plugin FailedPostFilter',
      want: '0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter',
    },
    {
      name: 'nodes failed two Filter plugins with an empty PostFilterMsg', numAllNodes: 3,
      failures: [f('Node(s) failed Filter plugin FalseFilter-1'), f('Node(s) failed Filter plugin FalseFilter-1'), f('Node(s) failed Filter plugin FalseFilter-2')],
      want: '0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1.',
    },
    {
      name: 'failed to Permit on node (several reasons from one node)', numAllNodes: 1,
      failures: [f('Node(s) failed Filter plugin FalseFilter-1', 'Node(s) failed Filter plugin FalseFilter-2')],
      want: '0/1 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-1, 1 Node(s) failed Filter plugin FalseFilter-2.',
    },
    {
      name: 'counts sort as strings: "10 …" before "2 …"', numAllNodes: 12,
      failures: [...Array(10).fill(f('Insufficient memory')), f('Insufficient cpu'), f('Insufficient cpu')],
      want: '0/12 nodes are available: 10 Insufficient memory, 2 Insufficient cpu.',
    },
    { name: 'no reasons at all', numAllNodes: 0, failures: [], want: '0/0 nodes are available:' },
  ];
  for (const tc of cases) {
    assert.equal(fitErrorMessage({ numAllNodes: tc.numAllNodes, failures: tc.failures, preFilterMessage: tc.pre, postFilterMessage: tc.post }), tc.want, tc.name);
  }
});
