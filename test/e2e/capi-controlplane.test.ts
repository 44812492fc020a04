/**
 * The kubeadm control plane end to end on the sim provider: 1 → 3 → 1 Machines one at a time, a rolling upgrade that
 * never has more than one extra Machine, remediation of an unhealthy control-plane Machine with etcd quorum kept, and
 * certificate renewal when the clock jumps past rolloutBefore.certificatesExpiryDays. Every Machine change is seen
 * through a watch, so the bounds hold at every step, not only at the samples.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JumpClock } from '../../src/runtime/clock.js';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, MachineRecorder, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Machine {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec: { version?: string; infrastructureRef: { name: string } };
  status?: { phase?: string; nodeRef?: { name: string }; certificatesExpiryDate?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

describe('kubeadm control plane lifecycle (sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;
  const clock = new JumpClock();
  let rec: MachineRecorder;

  before(async () => {
    t = await startPlane({ clock });
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'cp', workerReplicas: 0, kcpExtra: '  rolloutBefore:\n    certificatesExpiryDays: 30\n' }));
    rec = new MachineRecorder(t, 'cluster.x-k8s.io/cluster-name=cp,cluster.x-k8s.io/control-plane');
    await rec.start();
    await waitFor(kb, ['get', 'kcp', 'cp-control-plane'], (o: { status?: { readyReplicas?: number; initialized?: boolean } }) => o.status?.readyReplicas === 1 && !!o.status.initialized, 60_000);
  });
  after(async () => {
    rec?.stop();
    await t?.close();
  });

  const cpMachines = async (): Promise<Machine[]> => itemsOf<Machine>(await kb.json(['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=cp,cluster.x-k8s.io/control-plane']));

  it('scales the control plane 1 → 3 → 1, one Machine at a time', async () => {
    rec.reset();
    await kb.ok(['scale', 'kcp', 'cp-control-plane', '--replicas=3']);
    const kcp = await waitFor(kb, ['get', 'kcp', 'cp-control-plane'], (o: { status?: { readyReplicas?: number; replicas?: number } }) => o.status?.readyReplicas === 3 && o.status.replicas === 3, 90_000);
    assert.equal(conditionOf(kcp as never, 'Resized')?.status, 'True');
    assert.equal(rec.maxActive, 3, 'never more than 3 Machines');
    const wl = await workloadKubectl(kb, 'cp');
    const etcd = await wl.ok(['get', 'pods', '-n', 'kube-system', '-l', 'component=etcd', '-o', 'name']);
    assert.equal(etcd.trim().split('\n').length, 3, 'three etcd members');
    // Machines are spread over the failure domains.
    const domains = new Set((await cpMachines()).map((m) => (m.spec as { failureDomain?: string }).failureDomain));
    assert.deepEqual([...domains].sort(), ['zone-a', 'zone-b', 'zone-c']);
    const even = await kb.k(['scale', 'kcp', 'cp-control-plane', '--replicas=2']);
    assert.notEqual(even.code, 0);
    assert.match(even.stderr, /even/);
    rec.reset();
    rec.trackReady();
    await kb.ok(['scale', 'kcp', 'cp-control-plane', '--replicas=1']);
    await waitFor(kb, ['get', 'kcp', 'cp-control-plane'], (o: { status?: { readyReplicas?: number; replicas?: number } }) => o.status?.readyReplicas === 1 && o.status.replicas === 1, 90_000);
    await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=cp'], (l) => itemsOf(l).length === 1, 60_000);
    assert.ok(rec.minReady >= 1, `a Ready control-plane Machine at every step (saw ${rec.minReady})`);
    const nodes = await wl.ok(['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.trim().split('\n').length, 1, 'the removed Machines\' Nodes are gone');
  });

  it('upgrades the control plane one Machine at a time', async () => {
    await kb.ok(['scale', 'kcp', 'cp-control-plane', '--replicas=3']);
    await waitFor(kb, ['get', 'kcp', 'cp-control-plane'], (o: { status?: { readyReplicas?: number; replicas?: number; updatedReplicas?: number } }) => o.status?.readyReplicas === 3 && o.status.replicas === 3, 90_000);
    rec.reset();
    rec.trackReady();
    await kb.ok(['patch', 'kcp', 'cp-control-plane', '--type=merge', '-p', '{"spec":{"version":"v1.32.1"}}']);
    const kcp = await waitFor(kb, ['get', 'kcp', 'cp-control-plane'], (o: { status?: { updatedReplicas?: number; readyReplicas?: number; replicas?: number; version?: string } }) => o.status?.updatedReplicas === 3 && o.status.readyReplicas === 3 && o.status.replicas === 3 && o.status.version === 'v1.32.1', 120_000);
    assert.equal(conditionOf(kcp as never, 'MachinesSpecUpToDate')?.status, 'True');
    assert.ok(rec.maxActive <= 4, `at most one extra Machine during the upgrade (saw ${rec.maxActive})`);
    assert.ok(rec.minReady >= 2, `etcd quorum kept: at least 2 Ready Machines at every step (saw ${rec.minReady})`);
    for (const m of await cpMachines()) assert.equal(m.spec.version, 'v1.32.1');
    const wl = await workloadKubectl(kb, 'cp');
    const versions = await wl.ok(['get', 'nodes', '-o', 'jsonpath={.items[*].status.nodeInfo.kubeletVersion}']);
    assert.deepEqual(versions.trim().split(' '), ['v1.32.1', 'v1.32.1', 'v1.32.1']);
    const cm = await wl.ok(['get', 'configmap', 'kubeadm-config', '-n', 'kube-system', '-o', 'jsonpath={.data.ClusterConfiguration}']);
    assert.match(cm, /kubernetesVersion: v1\.32\.1/);
  });

  it('remediates an unhealthy control-plane Machine, keeping etcd quorum', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata:
  name: cp-control-plane-unhealthy
  namespace: default
spec:
  clusterName: cp
  maxUnhealthy: 100%
  nodeStartupTimeout: 10m
  selector:
    matchLabels:
      cluster.x-k8s.io/control-plane: ""
  unhealthyConditions:
  - type: Ready
    status: Unknown
    timeout: 1s
  - type: Ready
    status: "False"
    timeout: 1s
`);
    const before = await cpMachines();
    const victim = before[0]!;
    rec.reset();
    rec.trackReady();
    await kb.ok(['annotate', 'simmachine', victim.spec.infrastructureRef.name, 'sim.slipway.dev/node-not-ready=true']);
    await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=cp,cluster.x-k8s.io/control-plane'], (l) => {
      const ms = itemsOf<Machine>(l);
      return !ms.some((m) => m.metadata.name === victim.metadata.name) && ms.length === 3 && ms.every((m) => conditionOf(m, 'Ready')?.status === 'True');
    }, 120_000, 'unhealthy control-plane Machine replaced');
    assert.ok(rec.maxActive <= 4, `at most one extra Machine (saw ${rec.maxActive})`);
    const kcp = await kb.json<{ status?: { lastRemediation?: { machine: string } } }>(['get', 'kcp', 'cp-control-plane']);
    assert.equal(kcp.status?.lastRemediation?.machine, victim.metadata.name);
    const events = await kb.ok(['get', 'events', '--field-selector', `involvedObject.name=cp-control-plane`]);
    assert.match(events, /Remediation/);
    await kb.ok(['delete', 'mhc', 'cp-control-plane-unhealthy']);
  });

  it('renews certificates: Machines whose certificates expire within certificatesExpiryDays are replaced', async () => {
    const before = await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=cp,cluster.x-k8s.io/control-plane'], (l) => itemsOf<Machine>(l).length === 3 && itemsOf<Machine>(l).every((m) => !!m.status?.certificatesExpiryDate), 60_000);
    const oldNames = new Set(itemsOf<Machine>(before).map((m) => m.metadata.name));
    const expiry = Math.min(...itemsOf<Machine>(before).map((m) => Date.parse(m.status!.certificatesExpiryDate!)));
    // Move time to 20 days before the first expiry: inside the 30-day window.
    clock.jump(expiry - 20 * 86_400_000 - clock.nowMs());
    const after = await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=cp,cluster.x-k8s.io/control-plane'], (l) => {
      const ms = itemsOf<Machine>(l);
      return ms.length === 3 && ms.every((m) => !oldNames.has(m.metadata.name) && conditionOf(m, 'Ready')?.status === 'True' && !!m.status?.certificatesExpiryDate);
    }, 120_000, 'every control-plane Machine replaced');
    for (const m of itemsOf<Machine>(after)) assert.ok(Date.parse(m.status!.certificatesExpiryDate!) - clock.nowMs() > 300 * 86_400_000, `${m.metadata.name} has fresh certificates`);
  });
});
