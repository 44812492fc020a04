import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster, Condition, Machine, MachinePool } from '../api/cluster/types.js';
import { clusterListTable } from './cluster-list.js';
import { summarizeCluster, waitState } from './cluster-status.js';
import { progressMode, startProgress } from './progress.js';

const T = '2026-01-01T00:00:00Z';

function cond(type: string, status: Condition['status'], reason?: string, message?: string): Condition {
  return { type, status, lastTransitionTime: T, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

function cluster(opts: { ready?: boolean; phase?: string; version?: string; cp?: number; pools?: [string, number][]; topology?: Condition; deleting?: boolean } = {}): Cluster {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'dev', namespace: 'ns', creationTimestamp: T, ...(opts.deleting ? { deletionTimestamp: T } : {}) },
    spec: {
      topology: {
        class: 'slipway-default',
        version: opts.version ?? 'v1.31.0',
        controlPlane: { replicas: opts.cp ?? 1 },
        workers: { machineDeployments: (opts.pools ?? [['md-0', 2]]).map(([name, replicas]) => ({ class: 'linux', name, replicas })) },
      },
    },
    status: {
      phase: (opts.phase ?? 'Provisioned') as 'Provisioned',
      conditions: [cond('Ready', opts.ready ? 'True' : 'False'), ...(opts.topology ? [opts.topology] : [])],
    },
  };
}

function machine(name: string, o: { cp?: boolean; pool?: string; ready?: boolean; version?: string; deleting?: boolean; cluster?: string } = {}): Machine {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: {
      name,
      namespace: 'ns',
      labels: { 'cluster.x-k8s.io/cluster-name': o.cluster ?? 'dev', ...(o.cp ? { 'cluster.x-k8s.io/control-plane': '' } : { 'topology.cluster.x-k8s.io/deployment-name': o.pool ?? 'md-0' }) },
      ...(o.deleting ? { deletionTimestamp: T } : {}),
    },
    spec: { clusterName: o.cluster ?? 'dev', bootstrap: {}, infrastructureRef: {}, version: o.version ?? 'v1.31.0' },
    status: { conditions: [cond('Ready', o.ready === false ? 'False' : 'True')] },
  };
}

describe('cluster status', () => {
  it('counts ready control-plane and worker Machines per pool against the topology', () => {
    const s = summarizeCluster(cluster({ pools: [['md-0', 2], ['md-1', 1]] }), [
      machine('cp', { cp: true }),
      machine('a', { pool: 'md-0' }),
      machine('b', { pool: 'md-0', ready: false }),
      machine('c', { pool: 'md-1', deleting: true }),
      machine('other', { cluster: 'other' }),
    ]);
    assert.deepEqual(s.controlPlane, { desired: 1, current: 1, ready: 1 });
    assert.deepEqual(s.workers, { desired: 3, current: 2, ready: 1 });
    assert.deepEqual(s.pools.map((p) => [p.name, p.ready, p.current, p.desired]), [['md-0', 1, 2, 2], ['md-1', 0, 0, 1]]);
    assert.equal(s.machinesDeleting, 1);
  });

  it('MachinePools of the topology count as worker pools from their status; a version wait needs their instances available', () => {
    const c = cluster({ ready: true, version: 'v1.32.0' });
    c.spec!.topology!.workers!.machinePools = [{ class: 'pool', name: 'mp-0', replicas: 3 }];
    const pool = (o: { replicas: number; ready: number; available: number; version: string }): MachinePool => ({
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachinePool',
      metadata: { name: 'dev-mp-0-abcde', namespace: 'ns', labels: { 'cluster.x-k8s.io/cluster-name': 'dev', 'topology.cluster.x-k8s.io/pool-name': 'mp-0' } },
      spec: { clusterName: 'dev', replicas: 3, template: { spec: { clusterName: 'dev', bootstrap: {}, infrastructureRef: {}, version: o.version } } },
      status: { replicas: o.replicas, readyReplicas: o.ready, availableReplicas: o.available },
    });
    const machines = [machine('cp', { cp: true, version: 'v1.32.0' }), machine('a', { version: 'v1.32.0' }), machine('b', { version: 'v1.32.0' })];
    const s = summarizeCluster(c, machines, [pool({ replicas: 3, ready: 2, available: 2, version: 'v1.32.0' })]);
    assert.deepEqual(s.pools.map((p) => [p.name, p.class, p.ready, p.current, p.desired]), [['md-0', 'linux', 2, 2, 2], ['mp-0', 'pool', 2, 3, 3]]);
    assert.deepEqual(s.workers, { desired: 5, current: 5, ready: 4 });
    assert.equal(waitState({ kind: 'ready' }, c, machines, [pool({ replicas: 3, ready: 2, available: 2, version: 'v1.32.0' })]).done, false);
    assert.equal(waitState({ kind: 'ready' }, c, machines, [pool({ replicas: 3, ready: 3, available: 3, version: 'v1.32.0' })]).done, true);
    const upgrading = waitState({ kind: 'version', version: 'v1.32.0' }, c, machines, [pool({ replicas: 3, ready: 3, available: 1, version: 'v1.32.0' })]);
    assert.equal(upgrading.done, false);
    assert.match(upgrading.step, /v1\.32\.0 on 4\/6 Machines/);
    assert.equal(waitState({ kind: 'version', version: 'v1.32.0' }, c, machines, [pool({ replicas: 3, ready: 3, available: 3, version: 'v1.32.0' })]).done, true);
  });

  it('ready goal: done only when Ready and every wanted Machine is ready, with the step naming what is missing', () => {
    const notYet = waitState({ kind: 'ready' }, cluster({ phase: 'Provisioning' }), [machine('cp', { cp: true }), machine('a')]);
    assert.deepEqual(notYet, { done: false, step: 'Provisioning: control plane 1/1 ready, workers 1/2 ready' });
    const topo = waitState({ kind: 'ready' }, cluster({ topology: cond('TopologyReconciled', 'False', 'ClusterClassNotReconciled', 'the class is not reconciled yet\nmore') }), []);
    assert.match(topo.step, /^Provisioned: topology: ClusterClassNotReconciled \(the class is not reconciled yet\); infrastructure not ready; control plane 0\/1 ready, workers 0\/2 ready$/);
    assert.equal(waitState({ kind: 'ready' }, cluster({ ready: true }), [machine('cp', { cp: true }), machine('a')]).done, false, 'a worker is missing');
    const done = waitState({ kind: 'ready' }, cluster({ ready: true }), [machine('cp', { cp: true }), machine('a'), machine('b')]);
    assert.deepEqual(done, { done: true, step: 'Ready: control plane 1/1 ready, workers 2/2 ready' });
    assert.deepEqual(waitState({ kind: 'ready' }, undefined, []), { done: false, step: 'waiting for the Cluster to exist' });
    const failed = cluster();
    failed.status = { ...failed.status, phase: 'Failed', failureMessage: 'no capacity' };
    assert.deepEqual(waitState({ kind: 'ready' }, failed, []), { done: false, step: 'failed: no capacity', failure: 'no capacity' });
  });

  it('version goal: every Machine runs the version, none is left over, all ready', () => {
    const c = cluster({ ready: true, version: 'v1.32.0' });
    const midway = waitState({ kind: 'version', version: 'v1.32.0' }, c, [machine('cp', { cp: true, version: 'v1.32.0' }), machine('a'), machine('b'), machine('old-cp', { cp: true, deleting: true })]);
    assert.equal(midway.done, false);
    assert.match(midway.step, /^Provisioned: v1\.32\.0 on 1\/3 Machines \(control plane 1\/1\); control plane 1\/1 ready, workers 2\/2 ready, 1 deleting$/);
    const done = waitState({ kind: 'version', version: 'v1.32.0' }, c, [machine('cp', { cp: true, version: 'v1.32.0' }), machine('a', { version: 'v1.32.0' }), machine('b', { version: 'v1.32.0' })]);
    assert.deepEqual(done, { done: true, step: 'v1.32.0 on 3/3 Machines (control plane 1/1), all ready' });
  });

  it('deleted goal: done when the Cluster is gone', () => {
    assert.deepEqual(waitState({ kind: 'deleted' }, cluster({ deleting: true }), [machine('cp', { cp: true, deleting: true })]), { done: false, step: 'deleting: 1 Machine left' });
    assert.deepEqual(waitState({ kind: 'deleted' }, undefined, []), { done: true, step: 'deleted' });
  });

  it('list table: kubectl-style columns, wide and all-namespaces variants', () => {
    const s = summarizeCluster(cluster({ ready: true, topology: cond('TopologyReconciled', 'True') }), [machine('cp', { cp: true }), machine('a')]);
    const now = new Date(Date.parse(T) + 5 * 60_000);
    assert.equal(clusterListTable([s], { now }), 'NAME   CLASS             VERSION   CONTROL PLANE   WORKERS   PHASE         AGE\ndev    slipway-default   v1.31.0   1/1             1/2       Provisioned   5m\n');
    const wide = clusterListTable([s], { now, wide: true, allNamespaces: true });
    assert.match(wide, /^NAMESPACE   NAME   CLASS .* AGE   READY   TOPOLOGY     POOLS\nns          dev    slipway-default .* 5m    True    Reconciled   md-0\(linux\)=1\/2\n$/);
  });
});

describe('progress', () => {
  it('mode: spinner on a terminal, lines otherwise, none when disabled', () => {
    assert.equal(progressMode(true, true), 'spinner');
    assert.equal(progressMode(false, true), 'lines');
    assert.equal(progressMode(true, false), 'none');
  });

  it('lines: one line per change of step', () => {
    const out: string[] = [];
    const p = startProgress({ mode: 'lines', write: (t) => out.push(t), label: 'ns/dev' });
    p.update('a');
    p.update('a');
    p.update('b');
    p.stop();
    assert.deepEqual(out, ['ns/dev: a\n', 'ns/dev: b\n']);
  });

  it('spinner: repaints one line in place and clears it on stop; colour only when asked', () => {
    const out: string[] = [];
    const p = startProgress({ mode: 'spinner', write: (t) => out.push(t), label: 'ns/dev', intervalMs: 60_000 });
    p.update('control plane 0/1 ready');
    p.stop();
    p.update('after stop');
    assert.equal(out.length, 3);
    assert.match(out[1]!, /^\r\x1b\[2K. ns\/dev: control plane 0\/1 ready$/);
    assert.equal(out[2], '\r\x1b[2K');
    assert.ok(out.every((t) => !t.includes('\n')));
    const colored: string[] = [];
    const q = startProgress({ mode: 'spinner', write: (t) => colored.push(t), label: 'x', color: true, intervalMs: 60_000 });
    q.stop();
    assert.match(colored[0]!, /\x1b\[36m/);
  });
});
