/**
 * Workers end to end on the sim provider: MachineDeployment scale (kubectl scale, delete-machine annotation), a
 * rolling update on template change within maxSurge/maxUnavailable at every Machine event, MachineHealthCheck
 * remediation and maxUnhealthy, failure injection visible in kubectl and `slipway cluster get`, pause, and a plane
 * restart in the middle of a rollout.
 */
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, MachineRecorder, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Obj {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec: Record<string, unknown> & { infrastructureRef?: { name: string } };
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const workersOf = (cluster: string): string[] => ['get', 'machines', '-l', `cluster.x-k8s.io/cluster-name=${cluster},!cluster.x-k8s.io/control-plane`];
const readyRunning = (m: Obj): boolean => m.status?.phase === 'Running' && conditionOf(m, 'Ready')?.status === 'True' && !m.metadata.deletionTimestamp;

function slipway(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/slipway.js', ...args, '--kubeconfig', kubeconfig], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('workers: MachineDeployments, health checks and failures (sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;

  before(async () => {
    t = await startPlane();
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'w', workerReplicas: 2, strategy: '    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n      deletePolicy: Oldest' }));
    await waitFor(kb, ['get', 'md', 'w-md-0'], (o: Obj) => o.status?.readyReplicas === 2, 90_000);
  });
  after(async () => {
    await t?.close();
  });

  it('scales a MachineDeployment up and down through the scale subresource; delete-machine goes first', async () => {
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=4']);
    await waitFor(kb, workersOf('w'), (l) => itemsOf<Obj>(l).filter(readyRunning).length === 4, 90_000, '4 Running workers');
    const wl = await workloadKubectl(kb, 'w');
    await waitFor(kb, ['get', 'md', 'w-md-0'], (o: Obj) => o.status?.readyReplicas === 4 && o.status?.availableReplicas === 4, 30_000);
    const nodes = await wl.ok(['get', 'nodes', '-l', 'pool=md-0', '-o', 'name']);
    assert.equal(nodes.trim().split('\n').length, 4, 'a Node per worker Machine');
    const machines = itemsOf<Obj>(await kb.json(workersOf('w')));
    const newest = [...machines].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || b.metadata.name.localeCompare(a.metadata.name))[0]!;
    await kb.ok(['annotate', 'machine', newest.metadata.name, 'cluster.x-k8s.io/delete-machine=yes']);
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=3']);
    const after = await waitFor(kb, workersOf('w'), (l) => itemsOf<Obj>(l).length === 3 && itemsOf<Obj>(l).every(readyRunning), 60_000, '3 workers');
    assert.ok(!itemsOf<Obj>(after).some((m) => m.metadata.name === newest.metadata.name), 'the annotated Machine was deleted, not the oldest');
    const left = await wl.ok(['get', 'nodes', '-l', 'pool=md-0', '-o', 'name']);
    assert.equal(left.trim().split('\n').length, 3, "its Node was deleted with it");
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=2']);
    await waitFor(kb, workersOf('w'), (l) => itemsOf<Obj>(l).length === 2, 60_000);
  });

  it('rolls out a template change within maxSurge 1 / maxUnavailable 0 at every step', async () => {
    const rec = new MachineRecorder(t, 'cluster.x-k8s.io/cluster-name=w,!cluster.x-k8s.io/control-plane');
    await rec.start();
    try {
      const before = new Set(itemsOf<Obj>(await kb.json(workersOf('w'))).map((m) => m.metadata.name));
      await kb.ok(['apply', '-f', '-'], `apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: w-md-1
  namespace: default
spec:
  template:
    spec:
      numCPUs: 8
      memoryMiB: 16384
      diskGiB: 40
      behaviour:
        provisioningSeconds: 0
        provisioningJitterSeconds: 0
        nodeReadySeconds: 0
`);
      rec.reset();
      rec.trackReady();
      await kb.ok(['patch', 'md', 'w-md-0', '--type=merge', '-p', '{"spec":{"template":{"spec":{"infrastructureRef":{"name":"w-md-1"}}}}}']);
      const done = await waitFor(kb, workersOf('w'), (l) => {
        const ms = itemsOf<Obj>(l);
        return ms.length === 2 && ms.every((m) => readyRunning(m) && !before.has(m.metadata.name));
      }, 120_000, 'every worker replaced');
      assert.ok(rec.maxActive <= 3, `maxSurge 1: at most 3 Machines at any step (saw ${rec.maxActive})`);
      assert.ok(rec.minReady >= 2, `maxUnavailable 0: always 2 Ready Machines (saw ${rec.minReady})`);
      const md = await kb.json<Obj>(['get', 'md', 'w-md-0']);
      assert.equal(md.status?.updatedReplicas, 2);
      assert.equal(md.metadata.annotations?.['machinedeployment.clusters.x-k8s.io/revision'], '2');
      const sets = itemsOf<Obj>(await kb.json(['get', 'machinesets', '-l', 'cluster.x-k8s.io/cluster-name=w']));
      assert.ok(sets.some((s) => s.metadata.annotations?.['machinedeployment.clusters.x-k8s.io/revision'] === '2'));
      const wl = await workloadKubectl(kb, 'w');
      const cpus = await wl.ok(['get', 'nodes', '-l', 'pool=md-0', '-o', 'jsonpath={.items[*].status.capacity.cpu}']);
      assert.deepEqual(cpus.trim().split(' '), ['8', '8'], 'the new template sized the new Nodes');
    } finally {
      rec.stop();
    }
  });

  it('a MachineHealthCheck replaces a NotReady worker', async () => {
    // 40% of 3 Machines allows one remediation at a time (upstream rounds down: 40% of 2 would allow none).
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=3']);
    await waitFor(kb, workersOf('w'), (l) => itemsOf<Obj>(l).filter(readyRunning).length === 3, 90_000, '3 Running workers');
    await kb.ok(['apply', '-f', '-'], `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata:
  name: w-md-0-unhealthy
  namespace: default
spec:
  clusterName: w
  maxUnhealthy: 40%
  nodeStartupTimeout: 10m
  selector:
    matchLabels:
      cluster.x-k8s.io/deployment-name: w-md-0
  unhealthyConditions:
  - type: Ready
    status: Unknown
    timeout: 1s
  - type: Ready
    status: "False"
    timeout: 1s
`);
    await waitFor(kb, ['get', 'mhc', 'w-md-0-unhealthy'], (o: Obj) => o.status?.expectedMachines === 3 && o.status?.currentHealthy === 3, 30_000);
    const victim = itemsOf<Obj>(await kb.json(workersOf('w')))[0]!;
    await kb.ok(['annotate', 'simmachine', victim.spec.infrastructureRef!.name, 'sim.slipway.dev/node-not-ready=true']);
    await waitFor(kb, workersOf('w'), (l) => {
      const ms = itemsOf<Obj>(l);
      return !ms.some((m) => m.metadata.name === victim.metadata.name) && ms.filter(readyRunning).length === 3;
    }, 90_000, 'unhealthy worker replaced');
    const events = await kb.ok(['get', 'events', '--field-selector', `involvedObject.name=${victim.metadata.name}`]);
    assert.match(events, /MachineMarkedUnhealthy|Remediat/);
  });

  it('maxUnhealthy stops remediation and says why', async () => {
    await waitFor(kb, ['get', 'mhc', 'w-md-0-unhealthy'], (o: Obj) => o.status?.expectedMachines === 3 && o.status?.currentHealthy === 3, 90_000);
    const [a, b] = itemsOf<Obj>(await kb.json(workersOf('w')));
    // Both kubelets stop at once (one kubectl call), so the check sees two unhealthy Machines together.
    await kb.ok(['annotate', 'simmachine', a!.spec.infrastructureRef!.name, b!.spec.infrastructureRef!.name, 'sim.slipway.dev/node-not-ready=true']);
    const mhc = await waitFor(kb, ['get', 'mhc', 'w-md-0-unhealthy'], (o: Obj) => conditionOf(o, 'RemediationAllowed')?.status === 'False', 60_000);
    const c = conditionOf(mhc, 'RemediationAllowed')!;
    assert.equal(c.reason, 'TooManyUnhealthy');
    assert.match(c.message ?? '', /total: 3, unhealthy: 2, maxUnhealthy: 40%/);
    const machines = itemsOf<Obj>(await kb.json(workersOf('w')));
    assert.ok(machines.some((m) => m.metadata.name === a!.metadata.name) && machines.some((m) => m.metadata.name === b!.metadata.name), 'neither unhealthy Machine was deleted');
    assert.ok(machines.every((m) => conditionOf(m, 'OwnerRemediated') === undefined), 'no Machine marked for remediation');
    // Recovery: the kubelets come back, and the check is satisfied again.
    await kb.ok(['annotate', 'simmachine', a!.spec.infrastructureRef!.name, b!.spec.infrastructureRef!.name, 'sim.slipway.dev/node-not-ready-']);
    await waitFor(kb, ['get', 'mhc', 'w-md-0-unhealthy'], (o: Obj) => o.status?.currentHealthy === 3 && conditionOf(o, 'RemediationAllowed')?.status === 'True', 60_000);
    await kb.ok(['delete', 'mhc', 'w-md-0-unhealthy']);
  });

  it('deleting a Machine cordons and drains its Node, honouring nodeDrainTimeout', async () => {
    const wl = await workloadKubectl(kb, 'w');
    const victim = itemsOf<Obj>(await kb.json(workersOf('w'))).find(readyRunning)!;
    const node = (victim.status?.nodeRef as { name: string }).name;
    // One Pod is evicted at once; one cannot go away (a finalizer nobody removes) and keeps the drain waiting.
    const pod = (name: string, finalizers = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: default
${finalizers}spec:
  nodeName: ${node}
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
`;
    await wl.ok(['apply', '-f', '-'], pod('evictable') + '---\n' + pod('stuck', '  finalizers:\n  - example.com/hold\n'));
    await kb.ok(['patch', 'machine', victim.metadata.name, '--type=merge', '-p', '{"spec":{"nodeDrainTimeout":"3s"}}']);
    await kb.ok(['annotate', 'machine', victim.metadata.name, 'cluster.x-k8s.io/delete-machine=yes']);
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=2']);
    const draining = await waitFor(kb, ['get', 'machine', victim.metadata.name], (m: Obj) => conditionOf(m, 'DrainingSucceeded')?.status === 'False' && /stuck/.test(conditionOf(m, 'DrainingSucceeded')?.message ?? ''), 30_000, 'drain waiting for the stuck Pod');
    assert.equal(draining.status?.phase, 'Deleting');
    assert.equal((await wl.ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).trim(), 'true', 'the Node is cordoned');
    await waitFor(kb, ['get', 'machines'], (l) => !itemsOf<Obj>(l).some((m) => m.metadata.name === victim.metadata.name), 60_000, 'Machine deleted after nodeDrainTimeout');
    const events = await kb.ok(['get', 'events', '--field-selector', `involvedObject.name=${victim.metadata.name}`]);
    assert.match(events, /DrainTimeout/);
    assert.match(events, /CordonedNode/);
    const left = await wl.k(['get', 'node', node]);
    assert.notEqual(left.code, 0, 'the Node was deleted with its Machine');
    await wl.ok(['patch', 'pod', 'stuck', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  });

  it('a vanished VM fails its Machine (reason and message) and a health check replaces it', async () => {
    const victim = itemsOf<Obj>(await kb.json(workersOf('w'))).find(readyRunning)!;
    await kb.ok(['annotate', 'simmachine', victim.spec.infrastructureRef!.name, 'sim.slipway.dev/vanish=true']);
    // Nothing checks this Machine's health yet, so it stays Failed for the user to see.
    const failed = await waitFor(kb, ['get', 'machine', victim.metadata.name], (m: Obj) => m.status?.phase === 'Failed', 30_000, 'Machine failed');
    assert.equal(failed.status?.failureReason, 'UpdateError');
    assert.match(String(failed.status?.failureMessage), /vanished/);
    const row = await kb.ok(['get', 'machine', victim.metadata.name]);
    assert.match(row, /Failed/);
    await kb.ok(['apply', '-f', '-'], `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata:
  name: w-failures
  namespace: default
spec:
  clusterName: w
  maxUnhealthy: 100%
  selector:
    matchLabels:
      cluster.x-k8s.io/deployment-name: w-md-0
  unhealthyConditions:
  - type: Ready
    status: Unknown
    timeout: 5m
`);
    await waitFor(kb, workersOf('w'), (l) => !itemsOf<Obj>(l).some((m) => m.metadata.name === victim.metadata.name) && itemsOf<Obj>(l).filter(readyRunning).length === 2, 60_000, 'failed Machine replaced');
    await kb.ok(['delete', 'mhc', 'w-failures']);
  });

  it('an injected provisioning failure shows its reason and message in kubectl and slipway cluster get', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: w-broken
  namespace: default
spec:
  template:
    spec:
      behaviour:
        provisioningSeconds: 0
        provisioningJitterSeconds: 0
      failure:
        provisioning: "no capacity left in zone-b (quota 0 of 0 vCPUs)"
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineDeployment
metadata:
  name: w-broken
  namespace: default
spec:
  clusterName: w
  replicas: 1
  selector:
    matchLabels: null
  template:
    spec:
      clusterName: w
      version: v1.31.2
      bootstrap:
        configRef:
          apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
          kind: KubeadmConfigTemplate
          name: w-md-0
      infrastructureRef:
        apiVersion: infrastructure.slipway.dev/v1alpha1
        kind: SimMachineTemplate
        name: w-broken
`);
    const failed = await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/deployment-name=w-broken'], (l) => itemsOf<Obj>(l).some((m) => m.status?.phase === 'Failed'), 60_000);
    const m = itemsOf<Obj>(failed).find((x) => x.status?.phase === 'Failed')!;
    assert.equal(m.status?.failureReason, 'CreateError');
    assert.match(String(m.status?.failureMessage), /no capacity left in zone-b/);
    const table = await kb.ok(['get', 'machines', '-l', 'cluster.x-k8s.io/deployment-name=w-broken']);
    assert.match(table, /Failed/);
    const tree = await slipway(t.plane.kubeconfigPath, ['cluster', 'get', 'w', '--show-conditions', 'all']);
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, /no capacity left in zone-b/);
    await kb.ok(['delete', 'md', 'w-broken']);
    await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/deployment-name=w-broken'], (l) => itemsOf(l).length === 0, 60_000);
  });

  it('a paused cluster is left alone until unpaused', async () => {
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'other', workerReplicas: 1 }));
    await waitFor(kb, ['get', 'md', 'other-md-0'], (o: Obj) => o.status?.readyReplicas === 1, 90_000);
    await kb.ok(['patch', 'cluster', 'w', '--type=merge', '-p', '{"spec":{"paused":true}}']);
    const count = itemsOf(await kb.json(workersOf('w'))).length;
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=4']);
    // Barrier: an unpaused cluster's scale completes; the paused one has not moved meanwhile.
    await kb.ok(['scale', 'md', 'other-md-0', '--replicas=2']);
    await waitFor(kb, ['get', 'md', 'other-md-0'], (o: Obj) => o.status?.readyReplicas === 2, 90_000);
    assert.equal(itemsOf(await kb.json(workersOf('w'))).length, count, 'no Machine created while paused');
    const md = await kb.json<Obj>(['get', 'md', 'w-md-0']);
    assert.notEqual(md.status?.replicas, 4);
    await kb.ok(['patch', 'cluster', 'w', '--type=merge', '-p', '{"spec":{"paused":false}}']);
    await waitFor(kb, workersOf('w'), (l) => itemsOf<Obj>(l).filter(readyRunning).length === 4, 90_000, 'scaled after unpause');
  });

  it('a plane restart in the middle of a rollout ends in the same state', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: w-md-2
  namespace: default
spec:
  template:
    spec:
      numCPUs: 2
      behaviour:
        provisioningSeconds: 1
        provisioningJitterSeconds: 1
        nodeReadySeconds: 0
`);
    await kb.ok(['patch', 'md', 'w-md-0', '--type=merge', '-p', '{"spec":{"template":{"spec":{"infrastructureRef":{"name":"w-md-2"}}}}}']);
    await waitFor(kb, ['get', 'simmachines', '-l', 'cluster.x-k8s.io/cluster-name=w'], (l) => itemsOf<Obj>(l).some((m) => m.metadata.annotations?.['cluster.x-k8s.io/cloned-from-name'] === 'w-md-2'), 30_000, 'rollout started');
    await t.restart();
    kb = kube(t);
    await waitFor(kb, ['get', 'md', 'w-md-0'], (o: Obj) => o.status?.updatedReplicas === 4 && o.status?.readyReplicas === 4 && o.status?.replicas === 4, 120_000, 'rollout finished after restart');
    const done = await waitFor(kb, workersOf('w'), (l) => {
      const ms = itemsOf<Obj>(l);
      return ms.length === 4 && ms.every(readyRunning);
    }, 60_000, 'old Machines gone');
    const sims = itemsOf<Obj>(await kb.json(['get', 'simmachines', '-l', 'cluster.x-k8s.io/cluster-name=w']));
    for (const m of itemsOf<Obj>(done)) {
      const sim = sims.find((x) => x.metadata.name === m.spec.infrastructureRef!.name);
      assert.equal(sim?.metadata.annotations?.['cluster.x-k8s.io/cloned-from-name'], 'w-md-2', `${m.metadata.name} runs the new template`);
    }
    const md = await waitFor(kb, ['get', 'md', 'w-md-0'], (o: Obj) => o.status?.updatedReplicas === 4 && o.status?.readyReplicas === 4 && o.status?.replicas === 4, 30_000);
    assert.equal(conditionOf(md, 'Ready')?.status, 'True');
    const wl = await workloadKubectl(kb, 'w');
    const nodes = await wl.ok(['get', 'nodes', '-l', 'pool=md-0', '-o', 'name']);
    assert.equal(nodes.trim().split('\n').length, 4, 'one Node per worker, none left over');
  });
});
