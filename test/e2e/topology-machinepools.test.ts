/**
 * MachinePools in a managed topology (sim provider, real kubectl): a Cluster whose topology lists a MachinePool of the
 * class's `pool` class gets the MachinePool with its KubeadmConfig and SimMachinePool (cloned from the class's
 * templates, owned by the topology) and its Nodes; replicas in the topology scale it; a version upgrade reaches the
 * pool only once the control plane runs the new version; dropping the pool from the topology deletes it and its
 * objects; deleting the Cluster leaves nothing behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, workloadKubectl, type Kube } from '../support/capi.js';
import { testClassYaml, testClusterYaml } from '../support/topology-class.js';

interface Obj {
  kind?: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec?: Record<string, unknown> & { version?: string; replicas?: number; template?: { spec?: { version?: string; bootstrap?: { configRef?: { name: string; kind: string } }; infrastructureRef?: { name: string; kind: string } } } };
  status?: { phase?: string; version?: string; readyReplicas?: number; replicas?: number; availableReplicas?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

interface NodeObj {
  metadata: { name: string };
  status?: { nodeInfo?: { kubeletVersion?: string } };
}

const clusterReady = (c: Obj): boolean => conditionOf(c, 'Ready')?.status === 'True' && conditionOf(c, 'TopologyReconciled')?.status === 'True';
const POOLS = ['get', 'mp', '-l', 'cluster.x-k8s.io/cluster-name=tp'];

describe('topology controller: MachinePools', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;
  const poolNodes = async (): Promise<NodeObj[]> => itemsOf<NodeObj>(JSON.parse(await wl.ok(['get', 'nodes', '-l', 'pool-class=pool', '-o', 'json'])));
  const pool = async (): Promise<Obj> => {
    const l = itemsOf<Obj>(await kb.json(POOLS));
    assert.equal(l.length, 1, 'one MachinePool');
    return l[0]!;
  };

  before(async () => {
    t = await startPlane();
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], testClassYaml());
    await kb.ok(['apply', '-f', '-'], testClusterYaml({ name: 'tp', workers: [{ name: 'md-0', class: 'small', replicas: 1 }], pools: [{ name: 'mp-0', replicas: 2 }] }));
    await waitFor(kb, ['get', 'cluster', 'tp'], clusterReady, 90_000, 'Cluster tp Ready');
    await waitFor(kb, POOLS, (l) => itemsOf<Obj>(l)[0]?.status?.readyReplicas === 2, 90_000, 'pool Ready');
    wl = await workloadKubectl(kb, 'tp');
  });
  after(async () => {
    await t?.close();
  });

  it('creates the MachinePool, its KubeadmConfig and SimMachinePool from the class, and its Nodes join', async () => {
    const mp = await pool();
    assert.equal(mp.metadata.labels?.['topology.cluster.x-k8s.io/owned'], '');
    assert.equal(mp.metadata.labels?.['topology.cluster.x-k8s.io/pool-name'], 'mp-0');
    assert.match(mp.metadata.name, /^tp-mp-0-[a-z0-9]{5}$/);
    assert.equal(mp.spec?.replicas, 2);
    assert.equal(mp.status?.phase, 'Running');
    const bootRef = mp.spec!.template!.spec!.bootstrap!.configRef!;
    const infraRef = mp.spec!.template!.spec!.infrastructureRef!;
    assert.equal(bootRef.kind, 'KubeadmConfig');
    assert.equal(infraRef.kind, 'SimMachinePool');
    const infra = await kb.json<Obj & { spec: { template?: { numCPUs?: number } } }>(['get', 'simmachinepool', infraRef.name]);
    assert.equal(infra.metadata.annotations?.['cluster.x-k8s.io/cloned-from-name'], 'test-class-pool');
    assert.equal(infra.spec.template?.numCPUs, 4);
    const nodes = await poolNodes();
    assert.equal(nodes.length, 2);
    const events = await kb.ok(['get', 'events', '--field-selector', 'involvedObject.name=tp,reason=TopologyCreate', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Created MachinePool/);
  });

  it('scales the MachinePool from the topology\'s replicas', async () => {
    const cluster = await kb.json<Obj & { spec: { topology: { workers: { machinePools: unknown[] } } } }>(['get', 'cluster', 'tp']);
    assert.equal(cluster.spec.topology.workers.machinePools.length, 1);
    await kb.ok(['patch', 'cluster', 'tp', '--type=json', '-p', '[{"op":"replace","path":"/spec/topology/workers/machinePools/0/replicas","value":3}]']);
    await waitFor(kb, POOLS, (l) => itemsOf<Obj>(l)[0]?.status?.readyReplicas === 3, 60_000, 'pool at 3');
    assert.equal((await poolNodes()).length, 3);
  });

  it('upgrades the MachinePool only after the control plane runs the new version', async () => {
    const kcpName = ((await kb.json<Obj>(['get', 'cluster', 'tp'])).spec as { controlPlaneRef: { name: string } }).controlPlaneRef.name;
    const violations: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [mp, kcp] = await Promise.all([kb.k([...POOLS, '-o', 'json']), kb.k(['get', 'kcp', kcpName, '-o', 'json'])]);
        if (mp.code !== 0 || kcp.code !== 0) continue;
        const poolVersion = itemsOf<Obj>(JSON.parse(mp.stdout))[0]?.spec?.template?.spec?.version;
        const cpVersion = (JSON.parse(kcp.stdout) as Obj).status?.version;
        if (poolVersion === 'v1.32.0' && cpVersion !== 'v1.32.0') violations.push(`pool at ${poolVersion} while the control plane reports ${cpVersion}`);
      }
    })();
    try {
      await kb.ok(['patch', 'cluster', 'tp', '--type=merge', '-p', '{"spec":{"topology":{"version":"v1.32.0"}}}']);
      await waitFor(
        kb,
        ['get', 'cluster', 'tp'],
        async (c: Obj) => {
          if (!clusterReady(c)) return false;
          const mp = await pool();
          if (mp.status?.availableReplicas !== 3 || mp.status.replicas !== 3) return false;
          const nodes = await poolNodes();
          return nodes.length === 3 && nodes.every((n) => n.status?.nodeInfo?.kubeletVersion === 'v1.32.0');
        },
        180_000,
        'pool upgraded to v1.32.0',
      );
    } finally {
      sampling = false;
      await sampler;
    }
    assert.deepEqual(violations.slice(0, 3), []);
    const events = await kb.ok(['get', 'events', '--field-selector', 'involvedObject.name=tp,reason=TopologyUpdate', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.match(events, /Updated MachinePool default\/tp-mp-0-\w+ with version change from v1\.31\.2 to v1\.32\.0|Updated MachinePool .* v1\.31\.2 to v1\.32\.0/);
  });

  it('dropping the pool from the topology deletes the MachinePool, its KubeadmConfig, SimMachinePool and Nodes', async () => {
    const mp = await pool();
    const bootName = mp.spec!.template!.spec!.bootstrap!.configRef!.name;
    const infraName = mp.spec!.template!.spec!.infrastructureRef!.name;
    await kb.ok(['patch', 'cluster', 'tp', '--type=json', '-p', '[{"op":"remove","path":"/spec/topology/workers/machinePools"}]']);
    await waitFor(kb, POOLS, (l) => itemsOf<Obj>(l).length === 0, 60_000, 'MachinePool gone');
    assert.match((await kb.k(['get', 'kubeadmconfig', bootName])).stderr, /not found/);
    assert.match((await kb.k(['get', 'simmachinepool', infraName])).stderr, /not found/);
    await waitFor(kb, ['get', 'cluster', 'tp'], async () => (await poolNodes()).length === 0, 30_000, 'pool Nodes gone');
    await waitFor(kb, ['get', 'cluster', 'tp'], clusterReady, 30_000, 'Cluster still Ready');
  });

  it('deleting a Cluster with a MachinePool leaves nothing behind', async () => {
    await kb.ok(['patch', 'cluster', 'tp', '--type=json', '-p', '[{"op":"add","path":"/spec/topology/workers/machinePools","value":[{"name":"mp-1","class":"pool","replicas":1}]}]']);
    await waitFor(kb, POOLS, (l) => itemsOf<Obj>(l)[0]?.status?.readyReplicas === 1, 60_000, 'mp-1 Ready');
    await kb.ok(['delete', 'cluster', 'tp', '--wait=false']);
    await waitFor(kb, ['get', 'cluster'], (l) => itemsOf<Obj>(l).length === 0, 90_000, 'Cluster gone');
    const left = await kb.ok(['get', 'mp,simmachinepools,kubeadmconfigs,machines,md', '-o', 'name']);
    assert.equal(left.trim(), '');
  });
});
