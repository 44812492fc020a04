/**
 * The topology controller end to end on the sim provider, with real kubectl: a Cluster with spec.topology becomes a
 * running cluster; a variable change rolls the control plane and the new argument shows in the static Pod; a worker
 * variable rotates the worker template and the old one goes once unused; a version upgrade moves the control plane
 * first and the workers after it (seen through a watch of the Machines); a worker pool is added and removed; a class
 * error is reported in TopologyReconciled; deleting the Cluster leaves nothing behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessClient } from '../../src/client/index.js';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, workloadKubectl, type Kube } from '../support/capi.js';
import { testClassYaml, testClusterYaml } from '../support/topology-class.js';

interface Obj {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown> & { version?: string; replicas?: number; template?: { spec?: { version?: string; bootstrap?: { configRef?: { name: string } } } } };
  status?: { phase?: string; version?: string; readyReplicas?: number; replicas?: number; updatedReplicas?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const clusterReady = (c: Obj): boolean => conditionOf(c, 'Ready')?.status === 'True' && conditionOf(c, 'TopologyReconciled')?.status === 'True';

describe('topology controller (managed topologies on the sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;

  before(async () => {
    t = await startPlane();
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], testClassYaml());
    await kb.ok(['apply', '-f', '-'], testClusterYaml({ name: 'topo', workers: [{ name: 'md-0', class: 'small', replicas: 2 }] }));
    await waitFor(kb, ['get', 'cluster', 'topo'], clusterReady, 90_000, 'Cluster topo Ready');
    await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo'], (l) => itemsOf<Obj>(l).length === 1 && itemsOf<Obj>(l)[0]!.status?.readyReplicas === 2, 60_000, 'workers ready');
  });
  after(async () => {
    await t?.close();
  });

  const machinesOf = async (cluster: string): Promise<Obj[]> => itemsOf<Obj>(await kb.json(['get', 'machines', '-l', `cluster.x-k8s.io/cluster-name=${cluster}`]));

  it('creates the infrastructure cluster, control plane, templates and MachineDeployments of the class', async () => {
    const cluster = await kb.json<Obj>(['get', 'cluster', 'topo']);
    const refs = cluster.spec as { infrastructureRef?: { kind: string; name: string }; controlPlaneRef?: { kind: string; name: string } };
    assert.equal(refs.infrastructureRef?.kind, 'SimCluster');
    assert.equal(refs.controlPlaneRef?.kind, 'KubeadmControlPlane');
    const kcp = await kb.json<Obj>(['get', 'kcp', refs.controlPlaneRef!.name, '--show-managed-fields']);
    assert.equal(kcp.spec?.version, 'v1.31.2');
    assert.equal(kcp.metadata.labels?.['topology.cluster.x-k8s.io/owned'], '');
    const managers = ((kcp.metadata as { managedFields?: { manager: string }[] }).managedFields ?? []).map((m) => m.manager);
    assert.ok(managers.includes('capi-topology'), `KubeadmControlPlane written by capi-topology (managers: ${managers.join(', ')})`);
    const mds = itemsOf<Obj>(await kb.json(['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo']));
    assert.equal(mds[0]!.metadata.labels?.['topology.cluster.x-k8s.io/deployment-name'], 'md-0');
    const templates = itemsOf<Obj>(await kb.json(['get', 'simmachinetemplates', '-l', 'cluster.x-k8s.io/cluster-name=topo,topology.cluster.x-k8s.io/owned']));
    assert.equal(templates.length, 2, 'a control-plane and a worker machine template for the cluster');
    const wl = await workloadKubectl(kb, 'topo');
    const nodes = await wl.ok(['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.trim().split('\n').length, 3);
    const events = await kb.ok(['get', 'events', '--field-selector', 'involvedObject.name=topo,reason=TopologyCreate', '-o', 'name']);
    assert.ok(events.trim().split('\n').length >= 1, 'TopologyCreate events on the Cluster');
  });

  it('keeps a user change to a field the class does not own', async () => {
    const mdName = itemsOf<Obj>(await kb.json(['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo']))[0]!.metadata.name;
    await kb.ok(['annotate', 'md', mdName, 'team.example.com/owner=platform']);
    await kb.ok(['patch', 'cluster', 'topo', '--type=merge', '-p', '{"metadata":{"annotations":{"touch":"1"}}}']);
    // A topology write happens on the next change the controller acts on; the annotation must survive it.
    await kb.ok(['patch', 'cluster', 'topo', '--type=json', '-p', '[{"op":"replace","path":"/spec/topology/workers/machineDeployments/0/replicas","value":2}]']);
    const md = await kb.json<Obj>(['get', 'md', mdName]);
    assert.equal(md.metadata.annotations?.['team.example.com/owner'], 'platform');
  });

  it('a variable change rolls the control plane and the new argument reaches the static Pod', async () => {
    const before = (await machinesOf('topo')).filter((m) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined).map((m) => m.metadata.name);
    await kb.ok(['patch', 'cluster', 'topo', '--type=merge', '-p', '{"spec":{"topology":{"variables":[{"name":"apiServerExtraArgs","value":{"max-requests-inflight":"800"}}]}}}']);
    const kcpName = ((await kb.json<Obj>(['get', 'cluster', 'topo'])).spec as { controlPlaneRef: { name: string } }).controlPlaneRef.name;
    await waitFor(
      kb,
      ['get', 'kcp', kcpName],
      (k: Obj) => ((k.spec as { kubeadmConfigSpec?: { clusterConfiguration?: { apiServer?: { extraArgs?: Record<string, string> } } } }).kubeadmConfigSpec?.clusterConfiguration?.apiServer?.extraArgs?.['max-requests-inflight'] === '800'),
      30_000,
      'KubeadmControlPlane carries the new argument',
    );
    await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=topo,cluster.x-k8s.io/control-plane'], (l) => {
      const ms = itemsOf<Obj>(l).filter((m) => !m.metadata.deletionTimestamp);
      return ms.length === 1 && !before.includes(ms[0]!.metadata.name) && conditionOf(ms[0]!, 'Ready')?.status === 'True';
    }, 90_000, 'control plane Machine replaced');
    const wl = await workloadKubectl(kb, 'topo');
    const pods = await wl.ok(['get', 'pods', '-n', 'kube-system', '-l', 'component=kube-apiserver', '-o', 'json']);
    assert.match(pods, /--max-requests-inflight=800/);
  });

  it('a worker variable rotates the worker bootstrap template and the old one goes once unused', async () => {
    const md0 = itemsOf<Obj>(await kb.json(['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo']))[0]!;
    const oldTemplate = md0.spec!.template!.spec!.bootstrap!.configRef!.name;
    await kb.ok(['patch', 'cluster', 'topo', '--type=merge', '-p', '{"spec":{"topology":{"variables":[{"name":"apiServerExtraArgs","value":{"max-requests-inflight":"800"}},{"name":"workerLabels","value":"tier=web"}]}}}']);
    const rotated = await waitFor(kb, ['get', 'md', md0.metadata.name], (m: Obj) => m.spec!.template!.spec!.bootstrap!.configRef!.name !== oldTemplate, 30_000, 'MachineDeployment points at a new template');
    const newTemplate = rotated.spec!.template!.spec!.bootstrap!.configRef!.name;
    const kct = await kb.json<{ spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: Record<string, string> } } } } } }>(['get', 'kubeadmconfigtemplate', newTemplate]);
    assert.equal(kct.spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs['node-labels'], 'pool-class=small,tier=web');
    await waitFor(kb, ['get', 'md', md0.metadata.name], (m: Obj) => m.status?.updatedReplicas === 2 && m.status.readyReplicas === 2 && m.status.replicas === 2, 90_000, 'workers rolled out');
    const wl = await workloadKubectl(kb, 'topo');
    const labelled = await wl.ok(['get', 'nodes', '-l', 'tier=web', '-o', 'name']);
    assert.equal(labelled.trim().split('\n').length, 2, 'both new workers carry the label');
    // The old template is referenced by the old MachineSet (revision history) until that goes.
    const ms = itemsOf<Obj>(await kb.json(['get', 'machinesets', '-l', 'cluster.x-k8s.io/cluster-name=topo']));
    const oldSets = ms.filter((s) => s.spec!.template!.spec!.bootstrap!.configRef!.name === oldTemplate);
    for (const s of oldSets) await kb.ok(['delete', 'machineset', s.metadata.name]);
    await waitFor(kb, ['get', 'kubeadmconfigtemplates', '-l', 'cluster.x-k8s.io/cluster-name=topo'], (l) => !itemsOf<Obj>(l).some((x) => x.metadata.name === oldTemplate), 30_000, 'old template deleted');
  });

  it('upgrades the control plane first, then the workers', async () => {
    const seen: { name: string; version: string; cp: boolean; at: number }[] = [];
    const client = inProcessClient(t.plane.objects);
    let seq = 0;
    const watch = await client.watch({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine' }, { namespace: 'default', labelSelector: 'cluster.x-k8s.io/cluster-name=topo' }, {
      onEvent: (e) => {
        const m = e.object as unknown as Obj;
        if (e.type === 'ADDED' && !seen.some((s) => s.name === m.metadata.name)) seen.push({ name: m.metadata.name, version: m.spec!.version!, cp: m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined, at: seq++ });
      },
      onClose: () => undefined,
    });
    try {
      await kb.ok(['patch', 'cluster', 'topo', '--type=merge', '-p', '{"spec":{"topology":{"version":"v1.32.0"}}}']);
      const pending = await waitFor(kb, ['get', 'cluster', 'topo'], (c: Obj) => conditionOf(c, 'TopologyReconciled')?.status === 'False', 30_000, 'upgrade reported');
      assert.match(String(conditionOf(pending, 'TopologyReconciled')?.reason), /ControlPlaneUpgradePending|MachineDeploymentsUpgradePending/);
      assert.match(String(conditionOf(pending, 'TopologyReconciled')?.message), /Cluster is upgrading to v1\.32\.0/);
      await waitFor(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/cluster-name=topo'], (l) => {
        const ms = itemsOf<Obj>(l).filter((m) => !m.metadata.deletionTimestamp);
        return ms.length === 3 && ms.every((m) => m.spec!.version === 'v1.32.0' && m.status?.phase === 'Running');
      }, 120_000, 'every Machine at v1.32.0');
      await waitFor(kb, ['get', 'cluster', 'topo'], clusterReady, 60_000, 'Cluster Ready after the upgrade');
    } finally {
      watch.stop();
    }
    const upgraded = seen.filter((s) => s.version === 'v1.32.0');
    const cpAt = upgraded.filter((s) => s.cp).map((s) => s.at);
    const workerAt = upgraded.filter((s) => !s.cp).map((s) => s.at);
    assert.equal(cpAt.length, 1, 'one new control-plane Machine');
    assert.equal(workerAt.length, 2, 'two new workers');
    assert.ok(Math.max(...cpAt) < Math.min(...workerAt), `control plane first: ${JSON.stringify(upgraded)}`);
    const wl = await workloadKubectl(kb, 'topo');
    const versions = await wl.ok(['get', 'nodes', '-o', 'jsonpath={.items[*].status.nodeInfo.kubeletVersion}']);
    assert.deepEqual([...new Set(versions.trim().split(/\s+/))], ['v1.32.0']);
  });

  it('adds and removes a worker pool', async () => {
    await kb.ok(['patch', 'cluster', 'topo', '--type=json', '-p', '[{"op":"add","path":"/spec/topology/workers/machineDeployments/-","value":{"name":"big","class":"large","replicas":1}}]']);
    const big = await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo,topology.cluster.x-k8s.io/deployment-name=big'], (l) => itemsOf<Obj>(l)[0]?.status?.readyReplicas === 1, 60_000, 'pool big ready');
    const bigName = itemsOf<Obj>(big)[0]!.metadata.name;
    const wl = await workloadKubectl(kb, 'topo');
    assert.equal((await wl.ok(['get', 'nodes', '-l', 'pool-class=large', '-o', 'name'])).trim().split('\n').length, 1);
    await kb.ok(['patch', 'cluster', 'topo', '--type=json', '-p', '[{"op":"remove","path":"/spec/topology/workers/machineDeployments/1"}]']);
    await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo'], (l) => !itemsOf<Obj>(l).some((m) => m.metadata.name === bigName), 30_000, 'pool big deleted');
    await waitFor(kb, ['get', 'machines', '-l', `cluster.x-k8s.io/cluster-name=topo,cluster.x-k8s.io/deployment-name=${bigName}`], (l) => itemsOf(l).length === 0, 60_000, 'its Machines gone');
    await waitFor(kb, ['get', 'simmachinetemplates', '-l', 'cluster.x-k8s.io/cluster-name=topo,topology.cluster.x-k8s.io/deployment-name=big'], (l) => itemsOf(l).length === 0, 30_000, 'its templates gone');
  });

  it('reports a patch that cannot apply in TopologyReconciled, and recovers when the variable changes', async () => {
    await kb.ok(['apply', '-f', '-'], testClusterYaml({ name: 'broken', workers: [{ name: 'md-0', class: 'small', replicas: 0 }], variables: '    - name: brokenPatch\n      value: true\n' }));
    const failed = await waitFor(kb, ['get', 'cluster', 'broken'], (x: Obj) => conditionOf(x, 'TopologyReconciled')?.reason === 'TopologyReconcileFailed', 30_000, 'reconcile failure reported');
    assert.match(String(conditionOf(failed, 'TopologyReconciled')?.message), /brokenPatch/);
    assert.equal((failed.spec as { controlPlaneRef?: unknown }).controlPlaneRef, undefined, 'nothing created');
    await kb.ok(['patch', 'cluster', 'broken', '--type=merge', '-p', '{"spec":{"topology":{"variables":[{"name":"brokenPatch","value":false}]}}}']);
    await waitFor(kb, ['get', 'cluster', 'broken'], (x: Obj) => conditionOf(x, 'TopologyReconciled')?.status === 'True', 30_000, 'reconciled after the fix');
    await kb.ok(['delete', 'cluster', 'broken', '--wait=true', '--timeout=60s']);
  });

  it('deleting the Cluster leaves nothing behind', async () => {
    await kb.ok(['delete', 'cluster', 'topo', '--wait=true', '--timeout=90s']);
    for (const kind of ['machines', 'machinesets', 'md', 'kcp', 'simclusters', 'simmachines', 'simmachinetemplates', 'kubeadmconfigtemplates', 'kubeadmconfigs', 'mhc']) {
      const left = itemsOf<Obj>(await kb.json(['get', kind, '-l', 'cluster.x-k8s.io/cluster-name=topo']));
      assert.deepEqual(left.map((o) => o.metadata.name), [], `no ${kind} left`);
    }
    const secrets = itemsOf<Obj>(await kb.json(['get', 'secrets'])).filter((s) => s.metadata.name.startsWith('topo-'));
    assert.deepEqual(secrets.map((s) => s.metadata.name), []);
    // The class and its templates stay.
    await kb.ok(['get', 'clusterclass', 'test-class']);
    await kb.ok(['get', 'simmachinetemplate', 'test-class-small']);
  });
});
