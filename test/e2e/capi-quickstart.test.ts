/**
 * Cluster API quick start on the sim provider, in the spirit of upstream's e2e quick-start spec: apply the YAML a
 * user writes, everything becomes Ready, the workload cluster answers real kubectl with the kubeconfig from its Secret
 * and shows a Node per Machine with what the bootstrap data said, and deleting the Cluster leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Obj {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

function slipway(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/slipway.js', ...args, '--kubeconfig', kubeconfig], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('Cluster API quick start (sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;

  before(async () => {
    t = await startPlane();
    kb = kube(t);
  });
  after(async () => {
    await t?.close();
  });

  it('serves the Cluster API kinds on a fresh plane', async () => {
    const r = await kb.k(['get', 'clusters,machines', '-A']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /No resources found/);
  });

  it('creates a cluster from one YAML file: Cluster, control plane, workers all Ready', async () => {
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'dev', workerReplicas: 2 }));
    const cluster = await waitFor<Obj>(kb, ['get', 'cluster', 'dev'], (c) => conditionOf(c, 'Ready')?.status === 'True' && c.status?.phase === 'Provisioned', 60_000);
    for (const type of ['InfrastructureReady', 'ControlPlaneInitialized', 'ControlPlaneReady']) assert.equal(conditionOf(cluster, type)?.status, 'True', type);
    assert.equal(cluster.status?.infrastructureReady, true);
    assert.equal(cluster.status?.controlPlaneReady, true);
    const kcp = await waitFor<Obj>(kb, ['get', 'kcp', 'dev-control-plane'], (o) => o.status?.readyReplicas === 1 && o.status?.initialized === true, 60_000);
    assert.equal(kcp.status?.version, 'v1.31.2');
    await waitFor<Obj>(kb, ['get', 'md', 'dev-md-0'], (o) => o.status?.readyReplicas === 2 && o.status?.availableReplicas === 2, 60_000);
    const machines = await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=dev'], (l) => itemsOf<Obj>(l).length === 3 && itemsOf<Obj>(l).every((m) => m.status?.phase === 'Running' && conditionOf(m, 'Ready')?.status === 'True'), 60_000);
    for (const m of itemsOf<Obj>(machines)) {
      assert.match(String(m.spec?.providerID), /^sim:\/\/default\//);
      assert.ok((m.status?.nodeRef as { name?: string } | undefined)?.name, `${m.metadata.name} has a nodeRef`);
    }
    const table = await kb.ok(['get', 'machines']);
    assert.match(table, /NAME\s+CLUSTER\s+NODENAME\s+PROVIDERID\s+PHASE\s+AGE\s+VERSION/);
    assert.match(table, /dev-md-0-\S+\s+dev\s+\S+\s+sim:\/\/\S+\s+Running\s+\S+\s+v1\.31\.2/);
  });

  it('the workload cluster answers kubectl with the kubeconfig from its Secret', async () => {
    const wl = await workloadKubectl(kb, 'dev');
    const nodes = JSON.parse(await wl.ok(['get', 'nodes', '-o', 'json'])) as { items: Obj[] };
    assert.equal(nodes.items.length, 3, 'a Node per Machine');
    const machines = itemsOf<Obj>(await kb.json(['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=dev']));
    for (const m of machines) {
      const node = nodes.items.find((n) => n.metadata.name === (m.status?.nodeRef as { name: string }).name);
      assert.ok(node, `Node of Machine ${m.metadata.name}`);
      assert.equal(node!.spec?.providerID, m.spec?.providerID);
      assert.equal((node!.status?.nodeInfo as { kubeletVersion?: string }).kubeletVersion, 'v1.31.2');
      assert.equal(node!.metadata.labels?.['kubernetes.io/os'], 'linux');
      assert.equal(node!.metadata.annotations?.['cluster.x-k8s.io/machine'], m.metadata.name);
      const cp = m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined;
      if (cp) {
        assert.equal(node!.metadata.labels?.['node-role.kubernetes.io/control-plane'], '');
        assert.equal(node!.metadata.labels?.tier, 'control');
        assert.deepEqual((node!.spec?.taints as { key: string }[]).map((x) => x.key), ['node-role.kubernetes.io/control-plane']);
        assert.equal((node!.status?.capacity as { cpu: string }).cpu, '4');
      } else {
        assert.equal(node!.metadata.labels?.tier, 'app');
        assert.equal(node!.metadata.labels?.pool, 'md-0');
        assert.deepEqual(node!.spec?.taints, [{ key: 'dedicated', value: 'apps', effect: 'PreferNoSchedule' }]);
        assert.equal((node!.status?.capacity as { memory: string }).memory, `${4096 * 1024}Ki`);
      }
    }
    const table = await wl.ok(['get', 'nodes']);
    assert.match(table, /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    assert.match(table, /\s+Ready\s+control-plane\s+\S+\s+v1\.31\.2/);
    const pods = await wl.ok(['get', 'pods', '-n', 'kube-system']);
    for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']) assert.match(pods, new RegExp(`^${c}-dev-control-plane-\\S+\\s+1/1\\s+Running\\s+0`, 'm'));
    const api = JSON.parse(await wl.ok(['get', 'pods', '-n', 'kube-system', '-l', 'component=kube-apiserver', '-o', 'json'])) as { items: { spec: { containers: { command: string[] }[] } }[] };
    const command = api.items[0]!.spec.containers[0]!.command;
    assert.ok(command.includes('--audit-log-maxage=30'), command.join(' '));
    assert.ok(command.includes('--enable-admission-plugins=NodeRestriction,EventRateLimit'), 'extraArgs override kubeadm defaults');
    const cm = await wl.ok(['get', 'configmap', 'kubeadm-config', '-n', 'kube-system', '-o', 'jsonpath={.data.ClusterConfiguration}']);
    assert.match(cm, /kubernetesVersion: v1\.31\.2/);
    const ns = await wl.ok(['get', 'namespaces', '-o', 'name']);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`namespace/${n}`));
    const leases = await wl.ok(['get', 'leases', '-n', 'kube-node-lease', '-o', 'name']);
    assert.equal(leases.trim().split('\n').length, 3, 'a node Lease per Node');
  });

  it('sim machines report the files their bootstrap data wrote', async () => {
    const machines = itemsOf<Obj>(await kb.json(['get', 'simmachines', '-l', 'cluster.x-k8s.io/cluster-name=dev']));
    const cp = machines.find((m) => (m.status?.bootstrap as { kubeadm?: string } | undefined)?.kubeadm === 'init');
    assert.ok(cp, 'one machine ran kubeadm init');
    const files = cp!.status?.files as { path: string; sha256: string }[];
    const motd = files.find((f) => f.path === '/etc/slipway/motd');
    assert.ok(motd, `files: ${files.map((f) => f.path).join(', ')}`);
    const { createHash } = await import('node:crypto');
    assert.equal(motd!.sha256, createHash('sha256').update('welcome to dev').digest('hex'));
    assert.ok(files.some((f) => f.path === '/etc/kubernetes/pki/ca.crt'), 'init carries the cluster CA');
    const workers = machines.filter((m) => (m.status?.bootstrap as { kubeadm?: string } | undefined)?.kubeadm === 'join');
    assert.equal(workers.length, 2);
  });

  it('slipway cluster get prints the tree with conditions', async () => {
    const r = await slipway(t.plane.kubeconfigPath, ['cluster', 'get', 'dev']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Cluster\/dev\s+True/);
    assert.match(r.stdout, /ControlPlane - KubeadmControlPlane\/dev-control-plane\s+True/);
    assert.match(r.stdout, /MachineDeployment\/dev-md-0\s+True/);
    const kc = await slipway(t.plane.kubeconfigPath, ['cluster', 'kubeconfig', 'get', 'dev']);
    assert.equal(kc.code, 0, kc.stderr);
    assert.match(kc.stdout, /tls-server-name: dev\.default\.clusters\.slipway\.internal/);
  });

  it('deleting the Cluster removes workers, then the control plane, then infrastructure, and leaves nothing behind', async () => {
    await kb.ok(['delete', 'cluster', 'dev', '--wait=false']);
    await waitFor(kb, ['get', 'clusters'], (l) => itemsOf(l).length === 0, 60_000, 'cluster gone');
    for (const kind of ['machines', 'machinesets', 'machinedeployments', 'kubeadmcontrolplanes', 'kubeadmconfigs', 'simmachines', 'simclusters']) {
      await waitFor(kb, ['get', kind], (l) => itemsOf(l).length === 0, 20_000, `${kind} gone`);
    }
    const secrets = await kb.ok(['get', 'secrets', '-o', 'name']);
    assert.doesNotMatch(secrets, /secret\/dev-/, 'certificate, kubeconfig and bootstrap Secrets are gone');
    const left = await t.plane.store.list('/clusters/default/dev/');
    assert.equal(left.items.length, 0, 'the workload cluster keeps no data');
    // Templates the user wrote stay (they are not owned by the Cluster), as upstream.
    await kb.ok(['get', 'simmachinetemplate', 'dev-md-0']);
  });
});
