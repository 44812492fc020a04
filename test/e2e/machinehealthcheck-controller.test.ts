/**
 * The MachineHealthCheck controller against a real management plane and real workload-cluster stores, on a FakeClock:
 * timeouts, nodeStartupTimeout, maxUnhealthy / unhealthyRange short-circuits, the skip/remediate annotations, Node
 * deletion and pausing. Each test has a namespace (and so a Cluster and workload cluster) of its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MACHINE_HEALTH_CHECK_KIND, MACHINE_KIND, PAUSED_ANNOTATION, REMEDIATE_MACHINE_ANNOTATION, SKIP_REMEDIATION_ANNOTATION, type MachineHealthCheck, type MachineHealthCheckStatus } from '../../src/api/cluster/types.js';
import { eventually } from '../support/plane.js';
import { conditionOf, MhcScenario, mhcReconciles, MIN, startMhcEnv, type MhcEnv } from '../support/machinehealthcheck-env.js';

const S = 1000;

describe('MachineHealthCheck controller', () => {
  let env: MhcEnv;
  let touches = 0;

  before(async () => {
    env = await startMhcEnv();
  });
  after(async () => {
    await env?.close();
  });

  /** Make the controller reconcile the MachineHealthCheck now and wait until it has (and the queue is idle). */
  async function reconcileNow(s: MhcScenario, name: string): Promise<void> {
    const seq = String(++touches);
    const before = await mhcReconciles(env.manager);
    await env.client.patch(MACHINE_HEALTH_CHECK_KIND, { namespace: s.namespace, name }, { type: 'merge', body: { metadata: { annotations: { 'test.slipway.dev/touch': seq } } } });
    const controller = env.manager.controllerList.find((c) => c.name === 'machinehealthcheck')!;
    const informer = env.manager.informers.for(MACHINE_HEALTH_CHECK_KIND);
    await eventually(
      async () => {
        const cached = informer.lister.get(name, s.namespace);
        const q = controller.workQueue;
        return cached?.metadata?.annotations?.['test.slipway.dev/touch'] === seq && !!q && q.length === 0 && q.processingCount === 0 && (await mhcReconciles(env.manager)) > before;
      },
      10_000,
      `a reconcile of MachineHealthCheck ${s.namespace}/${name}`,
    );
  }

  /** Wait until the MachineHealthCheck's status has these fields (conditions compared by type, status, reason, message). */
  async function statusOf(s: MhcScenario, name: string, want: Partial<Omit<MachineHealthCheckStatus, 'conditions'>> & { conditions?: Record<string, string> }): Promise<MachineHealthCheck> {
    let last: unknown;
    try {
      return await eventually(async () => {
        const mhc = await s.mhc(name);
        const st = mhc.status ?? {};
        const got: Record<string, unknown> = {};
        for (const k of Object.keys(want)) if (k !== 'conditions') got[k] = st[k as keyof MachineHealthCheckStatus];
        const conds: Record<string, string> = {};
        for (const type of Object.keys(want.conditions ?? {})) {
          const c = conditionOf(mhc, type);
          conds[type] = c ? [c.status, c.severity, c.reason, c.message].filter(Boolean).join(' | ') : '<none>';
        }
        if (want.conditions) got.conditions = conds;
        last = got;
        try {
          assert.deepEqual(got, want);
          return mhc;
        } catch {
          return undefined;
        }
      }, 10_000);
    } catch (e) {
      throw new Error(`MachineHealthCheck ${s.namespace}/${name} status: want ${JSON.stringify(want)}, last seen ${JSON.stringify(last)} (${String(e)})`);
    }
  }

  /** `status | reason | message` of a Machine condition ('<none>' when absent). */
  async function machineCondition(s: MhcScenario, machine: string, type: string): Promise<string> {
    const c = conditionOf(await s.machine(machine), type);
    return c ? [c.status, c.severity, c.reason, c.message].filter(Boolean).join(' | ') : '<none>';
  }

  async function waitMachineCondition(s: MhcScenario, machine: string, type: string, want: string): Promise<void> {
    let last = '';
    await eventually(async () => (last = await machineCondition(s, machine, type)) === want, 10_000).catch((e: unknown) => {
      throw new Error(`Machine ${machine} ${type}: want "${want}", last "${last}" (${String(e)})`);
    });
  }

  it('marks a NotReady worker once the condition outlasts its timeout, requeued for exactly that moment', async () => {
    const s = new MhcScenario(env, 'mhc-notready');
    const cluster = await s.createCluster();
    await s.createMachine('w1', { node: { ready: 'True', annotate: true } });
    await s.createMachine('w2', { node: { ready: 'True' } });
    await s.createMachine('w3', { node: { ready: 'True' } });
    await s.createMachine('other-pool', { labels: { pool: 'infra' }, node: { ready: 'False' } });
    await s.createMhc('workers');
    const mhc = await statusOf(s, 'workers', {
      expectedMachines: 3,
      currentHealthy: 3,
      remediationsAllowed: 3,
      targets: ['w1', 'w2', 'w3'],
      observedGeneration: 1,
      conditions: { Ready: 'True', RemediationAllowed: 'True' },
    });
    assert.deepEqual(mhc.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid]), [['Cluster', 'test-cluster', cluster.metadata?.uid]]);
    assert.equal(mhc.metadata?.labels?.['cluster.x-k8s.io/cluster-name'], 'test-cluster');
    for (const m of ['w1', 'w2', 'w3']) await waitMachineCondition(s, m, 'HealthCheckSucceeded', 'True');
    assert.equal(await machineCondition(s, 'other-pool', 'HealthCheckSucceeded'), '<none>', 'a Machine the selector does not match is left alone');

    // w1's Node goes NotReady now: not healthy any more, but not yet unhealthy.
    await s.setNodeReady('w1-node', 'False');
    await statusOf(s, 'workers', { currentHealthy: 2, remediationsAllowed: 2 });
    await env.clock.advance(5 * MIN);
    await reconcileNow(s, 'workers');
    assert.equal(await machineCondition(s, 'w1', 'HealthCheckSucceeded'), 'True', 'exactly at the timeout the Node is not yet unhealthy');
    assert.equal(await machineCondition(s, 'w1', 'OwnerRemediated'), '<none>');

    // The requeue armed for one second past the timeout marks it, with no other event needed.
    await env.clock.advance(S);
    await waitMachineCondition(s, 'w1', 'HealthCheckSucceeded', 'False | Warning | UnhealthyNode | Condition Ready on node is reporting status False for more than 5m0s');
    await waitMachineCondition(s, 'w1', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
    for (const m of ['w2', 'w3']) assert.equal(await machineCondition(s, m, 'OwnerRemediated'), '<none>');
    await statusOf(s, 'workers', { expectedMachines: 3, currentHealthy: 2, remediationsAllowed: 2, conditions: { RemediationAllowed: 'True' } });
    const marked = 'MachineMarkedUnhealthy: Machine mhc-notready/workers/w1/w1-node has been marked as unhealthy (UnhealthyNode: Condition Ready on node is reporting status False for more than 5m0s)';
    await eventually(async () => (await s.events('Machine', 'w1')).includes(marked), 10_000, 'the event on the Machine');
    await eventually(async () => (await s.events('MachineHealthCheck', 'workers')).includes(marked), 10_000, 'the event on the MachineHealthCheck');
  });

  it('leaves a Node alone that recovers before its timeout', async () => {
    const s = new MhcScenario(env, 'mhc-recovers');
    await s.createCluster();
    await s.createMachine('a', { node: { ready: 'True' } });
    await s.createMachine('b', { node: { ready: 'True' } });
    await s.createMhc('workers');
    await statusOf(s, 'workers', { expectedMachines: 2, currentHealthy: 2 });

    await s.setNodeReady('a-node', 'Unknown');
    await statusOf(s, 'workers', { currentHealthy: 1 });
    await env.clock.advance(4 * MIN);
    await s.setNodeReady('a-node', 'True');
    await statusOf(s, 'workers', { currentHealthy: 2 });
    // Well past the first outage's deadline.
    await env.clock.advance(2 * MIN);
    await reconcileNow(s, 'workers');
    assert.equal(await machineCondition(s, 'a', 'HealthCheckSucceeded'), 'True');
    assert.equal(await machineCondition(s, 'a', 'OwnerRemediated'), '<none>');
    assert.ok(!(await s.events('Machine', 'a')).some((e) => e.startsWith('MachineMarkedUnhealthy')));
  });

  it('marks a Machine whose Node did not show up within nodeStartupTimeout', async () => {
    const s = new MhcScenario(env, 'mhc-startup');
    await s.createCluster();
    await s.createMachine('slow');
    await s.createMachine('quick');
    await s.createMhc('workers', { nodeStartupTimeout: '15m' });
    // Machines still starting are not healthy: they count against maxUnhealthy.
    await statusOf(s, 'workers', { expectedMachines: 2, currentHealthy: 0, remediationsAllowed: 0, conditions: { RemediationAllowed: 'True' } });

    await env.clock.advance(10 * MIN);
    await s.createNode('quick-node', 'True', 0);
    await env.client.patchStatus(MACHINE_KIND, { namespace: s.namespace, name: 'quick' }, { type: 'merge', body: { status: { nodeRef: { apiVersion: 'v1', kind: 'Node', name: 'quick-node' } } } });
    await statusOf(s, 'workers', { currentHealthy: 1, remediationsAllowed: 1 });
    await waitMachineCondition(s, 'quick', 'HealthCheckSucceeded', 'True');

    await env.clock.advance(5 * MIN);
    await reconcileNow(s, 'workers');
    assert.equal(await machineCondition(s, 'slow', 'HealthCheckSucceeded'), '<none>', 'not before the timeout has strictly passed');
    await env.clock.advance(S);
    await waitMachineCondition(s, 'slow', 'HealthCheckSucceeded', 'False | Warning | NodeStartupTimeout | Node failed to report startup in 15m0s');
    await waitMachineCondition(s, 'slow', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
  });

  it('stops remediation when more Machines are unhealthy than maxUnhealthy allows, and says why', async () => {
    const s = new MhcScenario(env, 'mhc-maxunhealthy');
    await s.createCluster();
    await s.createMachine('cp', { controlPlane: true, node: { ready: 'True' } });
    await s.createMachine('u1', { node: { ready: 'Unknown', sinceMs: 10 * MIN } });
    await s.createMachine('u2', { node: { ready: 'Unknown', sinceMs: 10 * MIN } });
    await s.createMhc('all', { maxUnhealthy: '40%' });
    const message = 'Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: 3, unhealthy: 2, maxUnhealthy: 40%)';
    await statusOf(s, 'all', {
      expectedMachines: 3,
      currentHealthy: 1,
      remediationsAllowed: 0,
      targets: ['cp', 'u1', 'u2'],
      conditions: { Ready: `False | Warning | TooManyUnhealthy | ${message}`, RemediationAllowed: `False | Warning | TooManyUnhealthy | ${message}` },
    });
    for (const m of ['u1', 'u2']) await waitMachineCondition(s, m, 'HealthCheckSucceeded', 'False | Warning | UnhealthyNode | Condition Ready on node is reporting status Unknown for more than 5m0s');
    await waitMachineCondition(s, 'cp', 'HealthCheckSucceeded', 'True');
    for (const m of ['cp', 'u1', 'u2']) assert.equal(await machineCondition(s, m, 'OwnerRemediated'), '<none>', `${m} is not handed to its owner`);
    await eventually(async () => (await s.events('MachineHealthCheck', 'all')).includes(`RemediationRestricted: ${message}`), 10_000, 'the RemediationRestricted event');

    // One Node recovers: 1 of 3 unhealthy is within 40% (1), so the other is remediated.
    await s.setNodeReady('u1-node', 'True');
    await statusOf(s, 'all', { currentHealthy: 2, remediationsAllowed: 0, conditions: { RemediationAllowed: 'True' } });
    await waitMachineCondition(s, 'u2', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
    await waitMachineCondition(s, 'u1', 'HealthCheckSucceeded', 'True');
    assert.equal(await machineCondition(s, 'u1', 'OwnerRemediated'), '<none>');
  });

  it('remediates when the number of unhealthy Machines is within unhealthyRange', async () => {
    const s = new MhcScenario(env, 'mhc-range-in');
    await s.createCluster();
    await s.createMachine('h1', { node: { ready: 'True' } });
    await s.createMachine('h2', { node: { ready: 'True' } });
    await s.createMachine('bad', { node: { ready: 'False', sinceMs: 10 * MIN } });
    await s.createMhc('workers', { unhealthyRange: '[1-3]', maxUnhealthy: 0 });
    await statusOf(s, 'workers', { expectedMachines: 3, currentHealthy: 2, remediationsAllowed: 2, conditions: { RemediationAllowed: 'True' } });
    await waitMachineCondition(s, 'bad', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
  });

  it('stops remediation when the number of unhealthy Machines is outside unhealthyRange', async () => {
    const s = new MhcScenario(env, 'mhc-range-out');
    await s.createCluster();
    await s.createMachine('h1', { node: { ready: 'True' } });
    await s.createMachine('bad1', { node: { ready: 'False', sinceMs: 10 * MIN } });
    await s.createMachine('bad2', { node: { ready: 'Unknown', sinceMs: 10 * MIN } });
    await s.createMhc('workers', { unhealthyRange: '[3-5]' });
    const message = 'Remediation is not allowed, the number of not started or unhealthy machines does not fall within the range (total: 3, unhealthy: 2, unhealthyRange: [3-5])';
    await statusOf(s, 'workers', { expectedMachines: 3, currentHealthy: 1, remediationsAllowed: 0, conditions: { RemediationAllowed: `False | Warning | TooManyUnhealthy | ${message}` } });
    for (const m of ['bad1', 'bad2']) {
      await waitMachineCondition(s, m, 'HealthCheckSucceeded', `False | Warning | UnhealthyNode | Condition Ready on node is reporting status ${m === 'bad1' ? 'False' : 'Unknown'} for more than 5m0s`);
      assert.equal(await machineCondition(s, m, 'OwnerRemediated'), '<none>');
    }
  });

  it('skips Machines with skip-remediation, remediates Machines with remediate-machine or a failure', async () => {
    const s = new MhcScenario(env, 'mhc-annotations');
    await s.createCluster();
    await s.createMachine('skipped', { annotations: { [SKIP_REMEDIATION_ANNOTATION]: '' }, node: { ready: 'False', sinceMs: 10 * MIN } });
    await s.createMachine('flagged', { annotations: { [REMEDIATE_MACHINE_ANNOTATION]: '' }, node: { ready: 'True' } });
    await s.createMachine('failed', { node: { ready: 'True' } });
    await s.createMachine('fine', { node: { ready: 'True' } });
    await env.client.patchStatus(MACHINE_KIND, { namespace: s.namespace, name: 'failed' }, { type: 'merge', body: { status: { failureReason: 'UpdateError', failureMessage: 'the VM is gone' } } });
    await s.createMhc('workers');
    await statusOf(s, 'workers', { expectedMachines: 3, currentHealthy: 1, remediationsAllowed: 1, targets: ['failed', 'fine', 'flagged'] });
    await waitMachineCondition(s, 'flagged', 'HealthCheckSucceeded', 'False | Warning | HasRemediateMachineAnnotation | Marked for remediation via remediate-machine annotation');
    await waitMachineCondition(s, 'flagged', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
    await waitMachineCondition(s, 'failed', 'HealthCheckSucceeded', 'False | Warning | MachineHasFailure | FailureReason: UpdateError');
    await waitMachineCondition(s, 'fine', 'HealthCheckSucceeded', 'True');
    assert.equal(await machineCondition(s, 'skipped', 'HealthCheckSucceeded'), '<none>');
    assert.equal(await machineCondition(s, 'skipped', 'OwnerRemediated'), '<none>');

    // Without the annotation the Machine is a target again (its change wakes the MachineHealthCheck).
    await env.client.patch(MACHINE_KIND, { namespace: s.namespace, name: 'skipped' }, { type: 'merge', body: { metadata: { annotations: { [SKIP_REMEDIATION_ANNOTATION]: null } } } });
    await statusOf(s, 'workers', { expectedMachines: 4, targets: ['failed', 'fine', 'flagged', 'skipped'] });
    await waitMachineCondition(s, 'skipped', 'HealthCheckSucceeded', 'False | Warning | UnhealthyNode | Condition Ready on node is reporting status False for more than 5m0s');
  });

  it('marks a Machine whose Node was deleted', async () => {
    const s = new MhcScenario(env, 'mhc-node-gone');
    await s.createCluster();
    await s.createMachine('a', { node: { ready: 'True' } });
    await s.createMachine('b', { node: { ready: 'True', annotate: true } });
    await s.createMhc('workers');
    await statusOf(s, 'workers', { currentHealthy: 2 });
    await s.deleteNode('a-node');
    await waitMachineCondition(s, 'a', 'HealthCheckSucceeded', 'False | Warning | NodeNotFound');
    await waitMachineCondition(s, 'a', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
    await s.deleteNode('b-node');
    await waitMachineCondition(s, 'b', 'HealthCheckSucceeded', 'False | Warning | NodeNotFound');
  });

  it('does nothing while the Cluster is paused or the MachineHealthCheck has the paused annotation', async () => {
    const s = new MhcScenario(env, 'mhc-paused');
    await s.createCluster({ paused: true });
    await s.createMachine('bad', { node: { ready: 'False', sinceMs: 10 * MIN } });
    await s.createMachine('good', { node: { ready: 'True' } });
    await s.createMhc('workers');
    await reconcileNow(s, 'workers');
    const untouched = await s.mhc('workers');
    assert.equal(untouched.status, undefined, 'no status while the Cluster is paused');
    assert.equal(untouched.metadata?.ownerReferences, undefined);
    assert.equal(await machineCondition(s, 'bad', 'HealthCheckSucceeded'), '<none>');

    await s.setClusterPaused(false);
    await waitMachineCondition(s, 'bad', 'OwnerRemediated', 'False | Warning | WaitingForRemediation');
    await statusOf(s, 'workers', { expectedMachines: 2, currentHealthy: 1 });

    // The paused annotation on the MachineHealthCheck stops it too.
    await env.client.patch(MACHINE_HEALTH_CHECK_KIND, { namespace: s.namespace, name: 'workers' }, { type: 'merge', body: { metadata: { annotations: { [PAUSED_ANNOTATION]: '' } } } });
    await s.setNodeReady('good-node', 'False', 10 * MIN);
    await reconcileNow(s, 'workers');
    assert.equal(await machineCondition(s, 'good', 'HealthCheckSucceeded'), 'True');
    assert.equal((await s.mhc('workers')).status?.currentHealthy, 1);
    await env.client.patch(MACHINE_HEALTH_CHECK_KIND, { namespace: s.namespace, name: 'workers' }, { type: 'merge', body: { metadata: { annotations: { [PAUSED_ANNOTATION]: null } } } });
    await statusOf(s, 'workers', { currentHealthy: 0 });
    await waitMachineCondition(s, 'good', 'HealthCheckSucceeded', 'False | Warning | UnhealthyNode | Condition Ready on node is reporting status False for more than 5m0s');
  });

  it('does not judge workers before the control plane is initialized', async () => {
    const s = new MhcScenario(env, 'mhc-cp-uninit');
    await s.createCluster({ controlPlaneInitialized: false });
    await s.createMachine('w', { node: { ready: 'False', sinceMs: 60 * MIN } });
    await s.createMhc('workers');
    await statusOf(s, 'workers', { expectedMachines: 1, currentHealthy: 0, conditions: { RemediationAllowed: 'True' } });
    await env.clock.advance(30 * MIN);
    await reconcileNow(s, 'workers');
    assert.equal(await machineCondition(s, 'w', 'HealthCheckSucceeded'), '<none>');
  });
});
