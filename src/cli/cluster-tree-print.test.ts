import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../api/cluster/types.js';
import { childPrefix, printClusterTree } from './cluster-tree-print.js';
import type { TreeNode } from './cluster-tree.js';

const NOW = new Date('2030-01-01T01:00:00Z');

function cond(type: string, status: Condition['status'], minutesAgo: number, extra: Partial<Condition> = {}): Condition {
  return { type, status, lastTransitionTime: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(), ...extra };
}

function node(kind: string, name: string, extra: Partial<TreeNode> = {}): TreeNode {
  return { kind, name, conditions: [], children: [], ...extra };
}

/** The quick-start cluster of upstream's troubleshooting guide, on the sim provider. */
function quickStart(): TreeNode {
  return node('Cluster', 'dev', {
    ready: cond('Ready', 'False', 1, { severity: 'Warning', reason: 'ScalingUp', message: 'Scaling up control plane to 3 replicas (actual 2)' }),
    children: [
      node('SimCluster', 'dev', { role: 'ClusterInfrastructure', ready: cond('Ready', 'True', 2) }),
      node('KubeadmControlPlane', 'dev-cp', {
        role: 'ControlPlane',
        ready: cond('Ready', 'False', 1, { severity: 'Warning', reason: 'ScalingUp', message: 'Scaling up control plane to 3 replicas (actual 2)' }),
        children: [
          node('Machine', 'dev-cp-fgc6m', { ready: cond('Ready', 'True', 1) }),
          node('Machine', 'dev-cp-xtvnz', { ready: cond('Ready', 'False', 1, { severity: 'Error', reason: 'BootstrapFailed', message: '1 of 2 completed' }) }),
        ],
      }),
      node('Workers', 'Workers', {
        virtual: true,
        children: [
          node('MachineDeployment', 'dev-md-0', {
            ready: cond('Ready', 'False', 2, { severity: 'Warning', reason: 'WaitingForAvailableMachines', message: 'Minimum availability requires 3 replicas, current 0 available' }),
            children: [node('Machine', '', { group: ['dev-md-0-a', 'dev-md-0-b', 'dev-md-0-c'], ready: cond('Ready', 'False', 77 / 60, { severity: 'Info', reason: 'Bootstrapping' }) })],
          }),
        ],
      }),
    ],
  });
}

describe('printClusterTree', () => {
  it('prints the tree with the v1beta1 columns, aligned, without colours', () => {
    assert.equal(
      printClusterTree(quickStart(), { now: NOW }),
      [
        'NAME                                         READY  SEVERITY  REASON                       SINCE  MESSAGE',
        'Cluster/dev                                  False  Warning   ScalingUp                    60s    Scaling up control plane to 3 replicas (actual 2)',
        '├─ClusterInfrastructure - SimCluster/dev     True                                          2m',
        '├─ControlPlane - KubeadmControlPlane/dev-cp  False  Warning   ScalingUp                    60s    Scaling up control plane to 3 replicas (actual 2)',
        '│ ├─Machine/dev-cp-fgc6m                     True                                          60s',
        '│ └─Machine/dev-cp-xtvnz                     False  Error     BootstrapFailed              60s    1 of 2 completed',
        '└─Workers',
        '  └─MachineDeployment/dev-md-0               False  Warning   WaitingForAvailableMachines  2m     Minimum availability requires 3 replicas, current 0 available',
        '    └─3 Machines...                          False  Info      Bootstrapping                77s    See dev-md-0-a, dev-md-0-b, ...',
        '',
      ].join('\n'),
    );
  });

  it('hangs conditions under their row, carrying the branch to the children below', () => {
    const tree = node('Cluster', 'root', {
      children: [
        node('Object', 'child1', { conditions: [cond('C1.1', 'True', 0), cond('C1.2', 'True', 0)], children: [node('Object', 'child1.1')] }),
        node('Object', 'child2', { conditions: [cond('C2.1', 'True', 0), cond('C2.2', 'True', 0)] }),
      ],
    });
    const names = printClusterTree(tree, { now: NOW })
      .split('\n')
      .slice(1, -1)
      .map((l) => l.split(/ {2,}True| *$/)[0]);
    assert.deepEqual(names, [
      'Cluster/root',
      '├─Object/child1',
      '│ │           ├─C1.1',
      '│ │           └─C1.2',
      '│ └─Object/child1.1',
      '└─Object/child2',
      '              ├─C2.1',
      '              └─C2.2',
    ]);
  });

  it('group rows of two name both; deleting objects are marked; long and multi-line messages become one cut line', () => {
    const long = 'x'.repeat(150);
    const out = printClusterTree(
      node('Cluster', 'c', {
        ready: cond('Ready', 'False', 0, { message: 'first\n  second' }),
        children: [node('Machine', '', { group: ['a', 'b'] }), node('Machine', 'm', { deleting: true, ready: cond('Ready', 'False', 0, { message: long }) })],
      }),
      { now: NOW },
    ).split('\n');
    assert.match(out[1]!, /0s\s+first second$/);
    assert.match(out[2]!, /^├─2 Machines...\s+See a, b$/);
    assert.match(out[3]!, new RegExp(`^└─!! DELETED !! Machine/m .*0s +${'x'.repeat(100)} \\.\\.\\.$`));
  });

  it('colours only when asked: status by severity, names bold, tree gray; same text and alignment otherwise', () => {
    const plain = printClusterTree(quickStart(), { now: NOW });
    const coloured = printClusterTree(quickStart(), { now: NOW, color: true });
    // eslint-disable-next-line no-control-regex
    assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ''), plain);
    assert.ok(!plain.includes('\x1b['));
    assert.ok(coloured.includes('\x1b[32mTrue\x1b[0m'), 'True is green');
    assert.ok(coloured.includes('\x1b[31mBootstrapFailed\x1b[0m'), 'Error is red');
    assert.ok(coloured.includes('\x1b[33mWarning\x1b[0m'), 'Warning is yellow');
    assert.ok(coloured.includes('Machine/\x1b[1mdev-cp-fgc6m\x1b[0m'), 'object names are bold');
  });

  it('childPrefix carries ├─ down as │ and └─ as blanks', () => {
    assert.equal(childPrefix('', 0, 2), '├─');
    assert.equal(childPrefix('├─', 1, 2), '│ └─');
    assert.equal(childPrefix('│ └─', 0, 1), '│   └─');
  });
});
