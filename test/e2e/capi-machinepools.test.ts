/**
 * MachinePools end to end on the sim provider, with plain Cluster API YAML and the real kubectl: a MachinePool with a
 * KubeadmConfig and a SimMachinePool joins its instances as Nodes of the workload cluster; it scales up and down
 * through the scale subresource (Nodes of removed instances deleted); a version change replaces every instance
 * without dropping below the desired Ready count; deleting the pool takes its provider objects and Nodes with it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Pool {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { replicas?: number; providerIDList?: string[]; template: { spec: { version?: string; bootstrap: { dataSecretName?: string } } } };
  status?: { phase?: string; replicas?: number; readyReplicas?: number; availableReplicas?: number; unavailableReplicas?: number; nodeRefs?: { name: string }[]; conditions?: { type: string; status: string; reason?: string }[] };
}

interface NodeObj {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { providerID?: string };
  status?: { nodeInfo?: { kubeletVersion?: string }; conditions?: { type: string; status: string }[] };
}

const VERSION = 'v1.31.2';

function machinePoolYaml(name: string, cluster: string, replicas: number): string {
  return `apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
kind: KubeadmConfig
metadata:
  name: ${name}
  namespace: default
spec:
  joinConfiguration:
    nodeRegistration:
      kubeletExtraArgs:
        node-labels: "pool=${name}"
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachinePool
metadata:
  name: ${name}
  namespace: default
spec:
  template:
    numCPUs: 4
    memoryMiB: 8192
    behaviour:
      provisioningSeconds: 0
      provisioningJitterSeconds: 0
      nodeReadySeconds: 0
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachinePool
metadata:
  name: ${name}
  namespace: default
spec:
  clusterName: ${cluster}
  replicas: ${replicas}
  template:
    spec:
      clusterName: ${cluster}
      version: ${VERSION}
      bootstrap:
        configRef:
          apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
          kind: KubeadmConfig
          name: ${name}
      infrastructureRef:
        apiVersion: infrastructure.slipway.dev/v1alpha1
        kind: SimMachinePool
        name: ${name}
`;
}

const readyNode = (n: NodeObj): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('MachinePools (sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;
  const poolNodes = async (): Promise<NodeObj[]> => itemsOf<NodeObj>(JSON.parse(await wl.ok(['get', 'nodes', '-l', 'pool=mp-0', '-o', 'json'])));

  before(async () => {
    t = await startPlane();
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'p', workerReplicas: 0, version: VERSION }));
    await kb.ok(['apply', '-f', '-'], machinePoolYaml('mp-0', 'p', 2));
    await waitFor(kb, ['get', 'mp', 'mp-0'], (o: Pool) => o.status?.phase === 'Running' && o.status.readyReplicas === 2, 90_000, 'MachinePool Running with 2 Ready');
    wl = await workloadKubectl(kb, 'p');
  });
  after(async () => {
    await t?.close();
  });

  it('joins each instance as a Node; nodeRefs, providerIDList, conditions and columns as upstream', async () => {
    const mp = await kb.json<Pool>(['get', 'mp', 'mp-0']);
    assert.equal(mp.spec.providerIDList?.length, 2);
    assert.ok(mp.spec.providerIDList!.every((p) => p.startsWith('sim://default/mp-0-')), mp.spec.providerIDList!.join(','));
    assert.ok(mp.spec.template.spec.bootstrap.dataSecretName, 'bootstrap data secret copied into the template');
    assert.equal(mp.status?.replicas, 2);
    assert.equal(mp.status?.availableReplicas, 2);
    assert.equal(mp.status?.unavailableReplicas, 0);
    for (const c of ['Ready', 'BootstrapReady', 'InfrastructureReady', 'ReplicasReady']) assert.equal(conditionOf(mp, c)?.status, 'True', c);
    const nodes = await poolNodes();
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), mp.status!.nodeRefs!.map((r) => r.name).sort());
    assert.deepEqual(nodes.map((n) => n.spec?.providerID).sort(), [...mp.spec.providerIDList!].sort());
    for (const n of nodes) {
      assert.equal(n.metadata.annotations?.['cluster.x-k8s.io/owner-kind'], 'MachinePool');
      assert.equal(n.metadata.annotations?.['cluster.x-k8s.io/owner-name'], 'mp-0');
      assert.equal(n.metadata.annotations?.['cluster.x-k8s.io/cluster-name'], 'p');
      assert.equal(n.status?.nodeInfo?.kubeletVersion, VERSION);
    }
    const row = (await kb.ok(['get', 'mp', 'mp-0', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual([row[0], row[1], row[2], row[3], row[5]], ['mp-0', 'p', '2', 'Running', VERSION]);
    const infra = await kb.json<{ metadata: { ownerReferences?: { kind: string; name: string }[] }; status?: { ready?: boolean; replicas?: number } }>(['get', 'simmachinepool', 'mp-0']);
    assert.equal(infra.status?.ready, true);
    assert.ok(infra.metadata.ownerReferences?.some((r) => r.kind === 'MachinePool' && r.name === 'mp-0'), 'owned by its MachinePool');
  });

  it('scales up and down through the scale subresource; Nodes of removed instances are deleted', async () => {
    await kb.ok(['scale', 'mp', 'mp-0', '--replicas=4']);
    await waitFor(kb, ['get', 'mp', 'mp-0'], (o: Pool) => o.status?.readyReplicas === 4 && o.status.phase === 'Running', 90_000, '4 Ready');
    assert.equal((await poolNodes()).filter(readyNode).length, 4);
    await kb.ok(['scale', 'mp', 'mp-0', '--replicas=1']);
    const mp = await waitFor(kb, ['get', 'mp', 'mp-0'], (o: Pool) => o.status?.readyReplicas === 1 && o.status.replicas === 1 && o.status.nodeRefs?.length === 1, 60_000, '1 left');
    await waitFor(kb, ['get', 'mp', 'mp-0'], async () => (await poolNodes()).length === 1, 30_000, 'Nodes of removed instances deleted');
    assert.deepEqual((await poolNodes()).map((n) => n.metadata.name), mp.status!.nodeRefs!.map((r) => r.name));
    await kb.ok(['scale', 'mp', 'mp-0', '--replicas=2']);
    await waitFor(kb, ['get', 'mp', 'mp-0'], (o: Pool) => o.status?.readyReplicas === 2 && o.status.phase === 'Running', 60_000, '2 Ready again');
  });

  it('a version change replaces every instance, one extra at a time, never fewer than 2 Ready Nodes', async () => {
    const before = new Set((await poolNodes()).map((n) => n.metadata.name));
    let minReady = Infinity;
    let maxNodes = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const r = await wl.k(['get', 'nodes', '-l', 'pool=mp-0', '-o', 'json']);
        if (r.code === 0) {
          const nodes = itemsOf<NodeObj>(JSON.parse(r.stdout));
          minReady = Math.min(minReady, nodes.filter(readyNode).length);
          maxNodes = Math.max(maxNodes, nodes.length);
        }
      }
    })();
    try {
      await kb.ok(['patch', 'mp', 'mp-0', '--type=merge', '-p', '{"spec":{"template":{"spec":{"version":"v1.31.3"}}}}']);
      await waitFor(
        kb,
        ['get', 'mp', 'mp-0'],
        async (o: Pool) => {
          if (o.status?.replicas !== 2 || o.status.availableReplicas !== 2) return false;
          const nodes = await poolNodes();
          return nodes.length === 2 && nodes.every((n) => n.status?.nodeInfo?.kubeletVersion === 'v1.31.3' && !before.has(n.metadata.name));
        },
        120_000,
        'both instances replaced at v1.31.3',
      );
    } finally {
      sampling = false;
      await sampler;
    }
    assert.ok(minReady >= 2, `never fewer than 2 Ready Nodes (saw ${minReady})`);
    assert.ok(maxNodes <= 3, `at most one extra instance (saw ${maxNodes} Nodes)`);
  });

  it('deleting the MachinePool deletes its KubeadmConfig, SimMachinePool and Nodes', async () => {
    await kb.ok(['delete', 'mp', 'mp-0', '--wait=false']);
    await waitFor(kb, ['get', 'mp,simmachinepools,kubeadmconfigs', '-l', 'cluster.x-k8s.io/cluster-name=p'], (l) => !itemsOf<{ kind: string; metadata: { name: string } }>(l).some((o) => o.metadata.name === 'mp-0'), 60_000, 'pool objects gone');
    await waitFor(kb, ['get', 'mp'], async () => (await poolNodes()).length === 0, 30_000, 'pool Nodes gone');
  });
});
