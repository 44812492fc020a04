import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import type { Cluster, Condition, Machine, MachineDeployment, MachinePool, MachineSet } from '../api/cluster/types.js';
import { buildClusterTree, clusterTreeObjects, parseShowConditions, providerKey, rowName, ShowConditionsError, type ClusterObjects, type TreeNode } from './cluster-tree.js';

const NS = 'default';
const T0 = '2030-01-01T00:00:00Z';

function cond(type: string, status: Condition['status'], extra: Partial<Condition> = {}): Condition {
  return { type, status, lastTransitionTime: T0, ...(status === 'True' ? {} : { severity: 'Info' as const }), ...extra };
}

function owner(o: KubeObject) {
  return [{ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true }];
}

function meta(name: string, extra: Record<string, unknown> = {}) {
  return { name, namespace: NS, uid: `uid-${name}`, labels: { 'cluster.x-k8s.io/cluster-name': 'dev' }, ...extra };
}

function machine(name: string, ready: Condition | undefined, opts: { owner?: KubeObject; controlPlane?: boolean; others?: Condition[]; deleting?: boolean } = {}): Machine {
  const labels: Record<string, string> = { 'cluster.x-k8s.io/cluster-name': 'dev' };
  if (opts.controlPlane) labels['cluster.x-k8s.io/control-plane'] = '';
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: meta(name, { labels, ...(opts.owner ? { ownerReferences: owner(opts.owner) } : {}), ...(opts.deleting ? { deletionTimestamp: T0 } : {}) }),
    spec: {
      clusterName: 'dev',
      bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfig', name } },
      infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name },
    },
    status: { conditions: [...(ready ? [ready] : []), ...(opts.others ?? [cond('BootstrapReady', 'True'), cond('InfrastructureReady', 'True'), cond('NodeHealthy', 'True')])] },
  };
}

function provider(kind: 'SimMachine' | 'KubeadmConfig', name: string, ready: Condition): KubeObject {
  const apiVersion = kind === 'SimMachine' ? 'infrastructure.slipway.dev/v1alpha1' : 'bootstrap.cluster.x-k8s.io/v1beta1';
  return { apiVersion, kind, metadata: meta(name), status: { conditions: [ready] } };
}

const READY = cond('Ready', 'True');
const NOT_READY = cond('Ready', 'False', { severity: 'Warning', reason: 'NodeProvisioning', message: 'Waiting for the Node', lastTransitionTime: '2030-01-01T00:05:00Z' });

/** A cluster with 3 ready control-plane Machines, a MachineDeployment with 3 Machines (1 not ready) and their provider objects. */
function fixture(): ClusterObjects {
  const cluster: Cluster = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'dev', namespace: NS, uid: 'uid-dev' },
    spec: {
      infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', name: 'dev' },
      controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: 'dev-cp' },
    },
    status: { conditions: [cond('Ready', 'True'), cond('InfrastructureReady', 'True'), cond('ControlPlaneReady', 'True'), cond('ControlPlaneInitialized', 'True')] },
  };
  const infrastructure: KubeObject = { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', metadata: meta('dev', { uid: 'uid-simcluster' }), status: { ready: true, conditions: [READY] } };
  const controlPlane: KubeObject = {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmControlPlane',
    metadata: meta('dev-cp'),
    status: { conditions: [READY, cond('Available', 'True'), cond('CertificatesAvailable', 'True'), cond('MachinesReady', 'True')] },
  };
  const md: MachineDeployment = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineDeployment',
    metadata: meta('dev-md-0'),
    spec: { clusterName: 'dev', selector: {}, template: { spec: {} as Machine['spec'] } },
    status: { conditions: [cond('Ready', 'False', { severity: 'Warning', reason: 'WaitingForAvailableMachines', message: 'Minimum availability requires 3 replicas, current 2 available' }), cond('Available', 'False', { severity: 'Warning', reason: 'WaitingForAvailableMachines' })] },
  };
  const ms: MachineSet = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineSet',
    metadata: meta('dev-md-0-abc12', { ownerReferences: owner(md) }),
    spec: { clusterName: 'dev', selector: {}, template: { spec: {} as Machine['spec'] } },
    status: { conditions: [READY] },
  };
  const machines = [
    machine('dev-cp-b', { ...READY, lastTransitionTime: '2030-01-01T00:01:00Z' }, { controlPlane: true, owner: controlPlane }),
    machine('dev-cp-a', READY, { controlPlane: true, owner: controlPlane }),
    machine('dev-cp-c', { ...READY, lastTransitionTime: '2030-01-01T00:02:00Z' }, { controlPlane: true, owner: controlPlane }),
    machine('dev-md-0-abc12-x', READY, { owner: ms }),
    machine('dev-md-0-abc12-y', READY, { owner: ms }),
    machine('dev-md-0-abc12-z', NOT_READY, { owner: ms, others: [cond('BootstrapReady', 'True'), cond('InfrastructureReady', 'True'), cond('NodeHealthy', 'False', { severity: 'Warning', reason: 'NodeProvisioning' })] }),
  ];
  const providers = new Map<string, KubeObject>();
  for (const m of machines) {
    const name = m.metadata!.name!;
    const sm = provider('SimMachine', name, READY);
    const kc = provider('KubeadmConfig', name, READY);
    providers.set(providerKey(sm.apiVersion!, sm.kind!, name), sm);
    providers.set(providerKey(kc.apiVersion!, kc.kind!, name), kc);
  }
  return { cluster, infrastructure, controlPlane, machines, machineSets: [ms], machineDeployments: [md], machineProviders: providers };
}

/** The rows as indented text, for whole-tree assertions. */
function outline(n: TreeNode, depth = 0): string[] {
  const self = `${'  '.repeat(depth)}${rowName(n)}${n.ready ? ` [${n.ready.status}]` : ''}${n.conditions.length ? ` {${n.conditions.map((c) => c.type).join(',')}}` : ''}`;
  return [self, ...n.children.flatMap((c) => outline(c, depth + 1))];
}

describe('buildClusterTree', () => {
  it('shows Cluster, infrastructure, control plane and workers, grouping Machines that agree on Ready', () => {
    assert.deepEqual(outline(buildClusterTree(fixture())), [
      'Cluster/dev [True]',
      '  ClusterInfrastructure - SimCluster/dev [True]',
      '  ControlPlane - KubeadmControlPlane/dev-cp [True]',
      '    3 Machines... [True]',
      '  Workers',
      '    MachineDeployment/dev-md-0 [False]',
      '      2 Machines... [True]',
      '      Machine/dev-md-0-abc12-z [False]',
    ]);
  });

  it('a group carries the shared Ready with the earliest transition and no message, and its Machines sorted', () => {
    const tree = buildClusterTree(fixture());
    const group = tree.children[1]!.children[0]!;
    assert.deepEqual(group.group, ['dev-cp-a', 'dev-cp-b', 'dev-cp-c']);
    assert.equal(group.ready?.lastTransitionTime, T0);
    assert.equal(group.ready?.message, undefined);
    assert.equal(group.object, undefined);
  });

  it('Machines differing in severity or reason are not grouped; --grouping=false lists every Machine by name', () => {
    const objs = fixture();
    objs.machines[1] = machine('dev-cp-a', cond('Ready', 'True', { reason: 'Odd' }), { controlPlane: true, owner: objs.controlPlane });
    assert.deepEqual(outline(buildClusterTree(objs)).slice(3, 5), ['    2 Machines... [True]', '    Machine/dev-cp-a [True]']);
    assert.deepEqual(outline(buildClusterTree(fixture(), { grouping: false })), [
      'Cluster/dev [True]',
      '  ClusterInfrastructure - SimCluster/dev [True]',
      '  ControlPlane - KubeadmControlPlane/dev-cp [True]',
      '    Machine/dev-cp-a [True]',
      '    Machine/dev-cp-b [True]',
      '    Machine/dev-cp-c [True]',
      '  Workers',
      '    MachineDeployment/dev-md-0 [False]',
      '      Machine/dev-md-0-abc12-x [True]',
      '      Machine/dev-md-0-abc12-y [True]',
      '      Machine/dev-md-0-abc12-z [False]',
    ]);
  });

  it('Machines without a Ready condition group together', () => {
    const objs = fixture();
    objs.machines = objs.machines.map((m) => ({ ...m, status: {} }));
    const cp = buildClusterTree(objs).children[1]!;
    assert.deepEqual(outline(cp), ['ControlPlane - KubeadmControlPlane/dev-cp [True]', '  3 Machines...']);
  });

  it('--show-conditions all lists every other condition, sorted, under each object row (not under groups)', () => {
    assert.deepEqual(outline(buildClusterTree(fixture(), { showConditions: 'all' })), [
      'Cluster/dev [True] {ControlPlaneInitialized,ControlPlaneReady,InfrastructureReady}',
      '  ClusterInfrastructure - SimCluster/dev [True]',
      '  ControlPlane - KubeadmControlPlane/dev-cp [True] {Available,CertificatesAvailable,MachinesReady}',
      '    3 Machines... [True]',
      '  Workers',
      '    MachineDeployment/dev-md-0 [False] {Available}',
      '      2 Machines... [True]',
      '      Machine/dev-md-0-abc12-z [False] {BootstrapReady,InfrastructureReady,NodeHealthy}',
    ]);
  });

  it('--show-conditions by kind and kind/name (case-insensitive); a named Machine leaves its group; "+" keeps what is not True', () => {
    const tree = outline(buildClusterTree(fixture(), { showConditions: 'kubeadmcontrolplane,Machine/dev-cp-b' }));
    assert.deepEqual(tree.slice(2, 6), [
      '  ControlPlane - KubeadmControlPlane/dev-cp [True] {Available,CertificatesAvailable,MachinesReady}',
      '    2 Machines... [True]',
      '    Machine/dev-cp-b [True] {BootstrapReady,InfrastructureReady,NodeHealthy}',
      '  Workers',
    ]);
    assert.equal(tree[0], 'Cluster/dev [True]');
    const notTrue = outline(buildClusterTree(fixture(), { showConditions: 'all+' }));
    assert.equal(notTrue[0], 'Cluster/dev [True]');
    assert.equal(notTrue[5], '    MachineDeployment/dev-md-0 [False] {Available}');
    assert.equal(notTrue[7], '      Machine/dev-md-0-abc12-z [False] {NodeHealthy}');
    const machines = outline(buildClusterTree(fixture(), { showConditions: 'Machine' }));
    assert.ok(!machines.some((r) => r.includes('Machines...')), 'naming the Machine kind ungroups Machines');
  });

  it('rejects --show-conditions with whitespace or empty parts', () => {
    assert.throws(() => parseShowConditions('all, Machine'), ShowConditionsError);
    assert.throws(() => buildClusterTree(fixture(), { showConditions: 'Machine/' }), /invalid --show-conditions entry "Machine\/"/);
    assert.deepEqual(parseShowConditions('ALL,Machine/M1+'), [{ filter: 'all' }, { kind: 'machine', name: 'm1', filter: 'notTrue' }]);
  });

  it("shows a Machine's infrastructure and bootstrap objects only when they are not Ready and not an echo (unless --echo)", () => {
    const objs = fixture();
    const failing = provider('SimMachine', 'dev-md-0-abc12-z', cond('Ready', 'False', { severity: 'Error', reason: 'ProvisioningFailed', message: 'no capacity' }));
    const echo = provider('KubeadmConfig', 'dev-md-0-abc12-z', NOT_READY);
    const providers = new Map(objs.machineProviders);
    providers.set(providerKey(failing.apiVersion!, 'SimMachine', 'dev-md-0-abc12-z'), failing);
    providers.set(providerKey(echo.apiVersion!, 'KubeadmConfig', 'dev-md-0-abc12-z'), echo);
    objs.machineProviders = providers;
    const z = (t: TreeNode): TreeNode => t.children[2]!.children[0]!.children[1]!;
    assert.deepEqual(outline(z(buildClusterTree(objs))), ['Machine/dev-md-0-abc12-z [False]', '  MachineInfrastructure - SimMachine/dev-md-0-abc12-z [False]']);
    assert.deepEqual(outline(z(buildClusterTree(objs, { echo: true }))), [
      'Machine/dev-md-0-abc12-z [False]',
      '  BootstrapConfig - KubeadmConfig/dev-md-0-abc12-z [False]',
      '  MachineInfrastructure - SimMachine/dev-md-0-abc12-z [False]',
    ]);
  });

  it('--show-machinesets puts MachineSets between the MachineDeployment and its Machines', () => {
    assert.deepEqual(outline(buildClusterTree(fixture(), { showMachineSets: true })).slice(4), [
      '  Workers',
      '    MachineDeployment/dev-md-0 [False]',
      '      MachineSet/dev-md-0-abc12 [True]',
      '        2 Machines... [True]',
      '        Machine/dev-md-0-abc12-z [False]',
    ]);
  });

  it('a MachinePool is one row under Workers, with its conditions when asked', () => {
    const objs = fixture();
    const pool = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachinePool', metadata: meta('dev-mp-0'), spec: { clusterName: 'dev', template: { spec: { clusterName: 'dev', bootstrap: {}, infrastructureRef: {} } } }, status: { conditions: [READY, cond('ReplicasReady', 'False', { severity: 'Info', reason: 'WaitingForReplicasReady' })] } } as unknown as MachinePool;
    objs.machinePools = [pool];
    assert.deepEqual(outline(buildClusterTree(objs, { showConditions: 'MachinePool' })).slice(4), [
      '  Workers',
      '    MachineDeployment/dev-md-0 [False]',
      '      2 Machines... [True]',
      '      Machine/dev-md-0-abc12-z [False]',
      '    MachinePool/dev-mp-0 [True] {ReplicasReady}',
    ]);
  });

  it('MachineSets without a MachineDeployment sit under Workers; Machines no one claims under Other', () => {
    const objs = fixture();
    objs.machineDeployments = [];
    objs.controlPlane = undefined;
    objs.machines.push(machine('loose', READY));
    assert.deepEqual(outline(buildClusterTree(objs)), [
      'Cluster/dev [True]',
      '  ClusterInfrastructure - SimCluster/dev [True]',
      '  Workers',
      '    MachineSet/dev-md-0-abc12 [True]',
      '      2 Machines... [True]',
      '      Machine/dev-md-0-abc12-z [False]',
      '    Other',
      '      Machine/dev-cp-a [True]',
      '      Machine/dev-cp-b [True]',
      '      Machine/dev-cp-c [True]',
      '      Machine/loose [True]',
    ]);
  });

  it('no Workers row without workers; a deleting Machine is marked and never grouped; missing refs leave rows out', () => {
    const objs = fixture();
    objs.machineDeployments = [];
    objs.machineSets = [];
    objs.machines = objs.machines.filter((m) => m.metadata!.name!.startsWith('dev-cp'));
    objs.machines[0] = machine('dev-cp-b', READY, { controlPlane: true, deleting: true });
    objs.infrastructure = undefined;
    assert.deepEqual(outline(buildClusterTree(objs)), [
      'Cluster/dev [True]',
      '  ControlPlane - KubeadmControlPlane/dev-cp [True]',
      '    !! DELETED !! Machine/dev-cp-b [True]',
      '    2 Machines... [True]',
    ]);
  });
});

describe('clusterTreeObjects', () => {
  it('lists every object of the tree once, Cluster first, nothing grouped or hidden', () => {
    const objs = fixture();
    const names = clusterTreeObjects(objs).map((o) => `${o.kind}/${o.metadata?.name}`);
    assert.equal(names[0], 'Cluster/dev');
    assert.deepEqual(names.slice(1, 4), ['SimCluster/dev', 'KubeadmControlPlane/dev-cp', 'Machine/dev-cp-a']);
    assert.equal(new Set(names).size, names.length);
    for (const k of ['MachineDeployment/dev-md-0', 'MachineSet/dev-md-0-abc12', 'Machine/dev-md-0-abc12-z', 'SimMachine/dev-cp-a', 'KubeadmConfig/dev-md-0-abc12-x']) assert.ok(names.includes(k), k);
    assert.equal(names.length, 1 + 1 + 1 + 1 + 1 + 6 * 3);
  });
});
