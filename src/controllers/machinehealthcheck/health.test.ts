/** Target health: the cases of upstream's TestHealthCheckTargets, plus the startup clock and the cluster gates. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { rfc3339 } from '../../apiserver/clock.js';
import { CONTROL_PLANE_LABEL, REMEDIATE_MACHINE_ANNOTATION, type Cluster, type Condition, type Machine } from '../../api/cluster/types.js';
import { checkTarget, checkTargets, nodeStartupSince, nodeStartupTimeoutMs, type HealthCheckSettings, type HealthCheckTarget, type TargetVerdict } from './health.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const S = 1000;
const MIN = 60 * S;
const ago = (ms: number): string => rfc3339(new Date(NOW - ms));

function cluster(conditions: Partial<Record<'InfrastructureReady' | 'ControlPlaneInitialized', { status: Condition['status']; since: number }>> = {
  InfrastructureReady: { status: 'True', since: 60 * MIN },
  ControlPlaneInitialized: { status: 'True', since: 60 * MIN },
}): Cluster {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { namespace: 'test-mhc', name: 'test-cluster' },
    status: { conditions: Object.entries(conditions).map(([type, c]) => ({ type, status: c.status, lastTransitionTime: ago(c.since) })) },
  };
}

function machine(opts: { createdAgo?: number; nodeRef?: boolean; annotations?: Record<string, string>; labels?: Record<string, string>; failureReason?: string; failureMessage?: string; deleting?: boolean } = {}): Machine {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: {
      namespace: 'test-mhc',
      name: 'machine1',
      creationTimestamp: ago(opts.createdAgo ?? 2 * 60 * MIN),
      labels: { 'cluster.x-k8s.io/cluster-name': 'test-cluster', ...(opts.labels ?? {}) },
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      ...(opts.deleting ? { deletionTimestamp: ago(S) } : {}),
    },
    spec: { clusterName: 'test-cluster', bootstrap: { dataSecretName: 'bootstrap' }, infrastructureRef: { kind: 'SimMachine', name: 'machine1' } },
    status: {
      infrastructureReady: true,
      bootstrapReady: true,
      phase: 'Running',
      ...(opts.nodeRef === false ? {} : { nodeRef: { name: 'node1' } }),
      ...(opts.failureReason ? { failureReason: opts.failureReason } : {}),
      ...(opts.failureMessage ? { failureMessage: opts.failureMessage } : {}),
    },
  };
}

function node(conditions: { type: string; status: string; for: number }[] = []): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1' }, status: { conditions: conditions.map((c) => ({ type: c.type, status: c.status, lastTransitionTime: ago(c.for) })) } };
}

const healthyNode = (): KubeObject => node([{ type: 'Ready', status: 'True', for: 60 * MIN }]);
const readyFor = (status: string, ms: number): KubeObject => node([{ type: 'Ready', status, for: ms }]);

const settings: HealthCheckSettings = {
  unhealthyConditions: [
    { type: 'Ready', status: 'Unknown', timeout: '5m' },
    { type: 'Ready', status: 'False', timeout: '5m' },
  ],
  nodeStartupTimeoutMs: 10 * MIN,
};

const target = (t: Partial<HealthCheckTarget> = {}): HealthCheckTarget => ({ cluster: cluster(), machine: machine(), node: healthyNode(), ...t });
const unhealthy = (reason: string, message: string): TargetVerdict => ({ health: 'unhealthy', reason, message });

describe('checkTarget (upstream TestHealthCheckTargets)', () => {
  const cases: { name: string; target: HealthCheckTarget; settings?: Partial<HealthCheckSettings>; want: TargetVerdict }[] = [
    {
      name: 'the node has not yet started for shorter than the timeout',
      target: target({ machine: machine({ createdAgo: 400 * S, nodeRef: false }), node: undefined }),
      want: { health: 'undecided', recheckInMs: 10 * MIN - 400 * S + S },
    },
    {
      name: 'the node has not yet started for longer than the timeout',
      target: target({ machine: machine({ createdAgo: 1200 * S, nodeRef: false }), node: undefined }),
      want: unhealthy('NodeStartupTimeout', 'Node failed to report startup in 10m0s'),
    },
    {
      name: 'the node has gone away',
      target: target({ node: undefined, nodeMissing: true }),
      want: unhealthy('NodeNotFound', ''),
    },
    {
      name: 'the node has been in an unknown state for shorter than the timeout',
      target: target({ node: readyFor('Unknown', 200 * S) }),
      want: { health: 'undecided', recheckInMs: 101 * S },
    },
    {
      name: 'the node has been in an unknown state for longer than the timeout',
      target: target({ node: readyFor('Unknown', 400 * S) }),
      want: unhealthy('UnhealthyNode', 'Condition Ready on node is reporting status Unknown for more than 5m0s'),
    },
    {
      name: 'the node has been NotReady for longer than the timeout',
      target: target({ node: readyFor('False', 301 * S) }),
      want: unhealthy('UnhealthyNode', 'Condition Ready on node is reporting status False for more than 5m0s'),
    },
    {
      name: 'a condition exactly at its timeout is not yet unhealthy (strictly longer)',
      target: target({ node: readyFor('False', 5 * MIN) }),
      want: { health: 'undecided', recheckInMs: S },
    },
    { name: 'the node is healthy', target: target(), want: { health: 'healthy' } },
    {
      name: 'a condition not listed in unhealthyConditions is ignored',
      target: target({ node: node([{ type: 'Ready', status: 'True', for: MIN }, { type: 'DiskPressure', status: 'True', for: 60 * MIN }]) }),
      want: { health: 'healthy' },
    },
    {
      name: 'the node has not started for a long time but the startup timeout is disabled',
      target: target({ machine: machine({ createdAgo: 400 * S, nodeRef: false }), node: undefined }),
      settings: { nodeStartupTimeoutMs: 0 },
      want: { health: 'undecided' },
    },
    {
      name: 'the machine has a failure reason',
      target: target({ machine: machine({ failureReason: 'UpdateError' }), node: undefined }),
      want: unhealthy('MachineHasFailure', 'FailureReason: UpdateError'),
    },
    {
      name: 'the machine has a failure message',
      target: target({ machine: machine({ failureMessage: 'some failure message' }), node: undefined }),
      want: unhealthy('MachineHasFailure', 'FailureMessage: some failure message'),
    },
    {
      name: 'the machine is manually marked for remediation',
      target: target({ machine: machine({ annotations: { [REMEDIATE_MACHINE_ANNOTATION]: '' } }) }),
      want: unhealthy('HasRemediateMachineAnnotation', 'Marked for remediation via remediate-machine annotation'),
    },
    {
      name: 'the remediate annotation wins over a healthy node and a failure',
      target: target({ machine: machine({ annotations: { [REMEDIATE_MACHINE_ANNOTATION]: 'yes' }, failureReason: 'UpdateError' }) }),
      want: unhealthy('HasRemediateMachineAnnotation', 'Marked for remediation via remediate-machine annotation'),
    },
    {
      name: 'a worker is not judged while the control plane is not initialized',
      target: target({ cluster: cluster({ InfrastructureReady: { status: 'True', since: 60 * MIN } }), machine: machine({ createdAgo: 60 * MIN, nodeRef: false }), node: undefined }),
      want: { health: 'undecided' },
    },
    {
      name: 'a control-plane Machine is judged before the control plane is initialized',
      target: target({
        cluster: cluster({ InfrastructureReady: { status: 'True', since: 60 * MIN }, ControlPlaneInitialized: { status: 'False', since: 60 * MIN } }),
        machine: machine({ createdAgo: 60 * MIN, nodeRef: false, labels: { [CONTROL_PLANE_LABEL]: '' } }),
        node: undefined,
      }),
      want: unhealthy('NodeStartupTimeout', 'Node failed to report startup in 10m0s'),
    },
    {
      name: 'nothing is judged while the cluster infrastructure is not ready',
      target: target({
        cluster: cluster({ InfrastructureReady: { status: 'False', since: 60 * MIN }, ControlPlaneInitialized: { status: 'True', since: 60 * MIN } }),
        node: readyFor('False', 60 * MIN),
      }),
      want: { health: 'undecided' },
    },
    {
      name: 'failures are judged even while the cluster infrastructure is not ready',
      target: target({ cluster: cluster({}), machine: machine({ failureMessage: 'boom' }) }),
      want: unhealthy('MachineHasFailure', 'FailureMessage: boom'),
    },
    {
      name: 'a node gone is judged even before the control plane is initialized',
      target: target({ cluster: cluster({}), node: undefined, nodeMissing: true }),
      want: unhealthy('NodeNotFound', ''),
    },
    {
      name: 'the startup clock starts at the control plane initialization when that came after the Machine',
      target: target({
        cluster: cluster({ InfrastructureReady: { status: 'True', since: 60 * MIN }, ControlPlaneInitialized: { status: 'True', since: 4 * MIN } }),
        machine: machine({ createdAgo: 60 * MIN, nodeRef: false }),
        node: undefined,
      }),
      want: { health: 'undecided', recheckInMs: 6 * MIN + S },
    },
    {
      name: 'the startup clock starts at the infrastructure becoming ready when that came last',
      target: target({
        cluster: cluster({ InfrastructureReady: { status: 'True', since: 2 * MIN }, ControlPlaneInitialized: { status: 'True', since: 4 * MIN } }),
        machine: machine({ createdAgo: 60 * MIN, nodeRef: false }),
        node: undefined,
      }),
      want: { health: 'undecided', recheckInMs: 8 * MIN + S },
    },
    {
      name: 'a healthy node of a Machine being deleted is not counted healthy',
      target: target({ machine: machine({ deleting: true }) }),
      want: { health: 'undecided' },
    },
    {
      name: 'a later unhealthyConditions entry past its timeout wins over an earlier one still within its timeout',
      target: target({ node: node([{ type: 'Ready', status: 'Unknown', for: MIN }, { type: 'NetworkUnavailable', status: 'True', for: 3 * MIN }]) }),
      settings: { unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m' }, { type: 'NetworkUnavailable', status: 'True', timeout: '2m' }] },
      want: unhealthy('UnhealthyNode', 'Condition NetworkUnavailable on node is reporting status True for more than 2m0s'),
    },
    {
      name: 'the soonest of several running timeouts is the recheck',
      target: target({ node: node([{ type: 'Ready', status: 'Unknown', for: MIN }, { type: 'NetworkUnavailable', status: 'True', for: MIN }]) }),
      settings: { unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m' }, { type: 'NetworkUnavailable', status: 'True', timeout: '90s' }] },
      want: { health: 'undecided', recheckInMs: 30 * S + S },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(checkTarget(c.target, { ...settings, ...c.settings }, NOW), c.want);
    });
  }

  it('names the field of a bad timeout', () => {
    assert.throws(() => checkTarget(target({ node: readyFor('False', MIN) }), { ...settings, unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: 'soon' }] }, NOW), /spec\.unhealthyConditions\[0\]\.timeout: invalid duration "soon"/);
  });
});

describe('checkTargets', () => {
  it('sorts a mix of healthy and unhealthy targets and rechecks at the soonest timeout (upstream mixed case)', () => {
    const unknown100 = target({ node: readyFor('Unknown', 100 * S) });
    const unknown200 = target({ node: readyFor('Unknown', 200 * S) });
    const unknown400 = target({ node: readyFor('Unknown', 400 * S) });
    const healthy = target();
    const r = checkTargets([unknown100, unknown200, unknown400, healthy], settings, NOW);
    assert.deepEqual(r.healthy, [healthy]);
    assert.deepEqual(r.unhealthy.map((u) => [u.target, u.reason]), [[unknown400, 'UnhealthyNode']]);
    assert.deepEqual(r.undecided, [unknown100, unknown200]);
    assert.equal(r.recheckInMs, 101 * S);
  });

  it('has no recheck when no timeout is running', () => {
    const r = checkTargets([target(), target({ node: undefined, nodeMissing: true })], settings, NOW);
    assert.equal(r.recheckInMs, undefined);
    assert.equal(r.healthy.length, 1);
    assert.equal(r.unhealthy.length, 1);
  });
});

describe('startup settings', () => {
  it('defaults nodeStartupTimeout to 10 minutes and reads "0s" as off', () => {
    assert.equal(nodeStartupTimeoutMs(undefined), 10 * MIN);
    assert.equal(nodeStartupTimeoutMs('0s'), 0);
    assert.equal(nodeStartupTimeoutMs('1h30m'), 90 * MIN);
    assert.throws(() => nodeStartupTimeoutMs('ten minutes'), /spec\.nodeStartupTimeout: invalid duration "ten minutes"/);
  });

  it('ignores a False condition transition when choosing the startup clock', () => {
    const c = cluster({ InfrastructureReady: { status: 'True', since: 60 * MIN }, ControlPlaneInitialized: { status: 'False', since: MIN } });
    assert.equal(nodeStartupSince(machine({ createdAgo: 30 * MIN }), c), NOW - 30 * MIN);
  });
});
