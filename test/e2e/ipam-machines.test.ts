/**
 * Sim machines take their node addresses from IP pools end to end on a real plane: SimMachineTemplates whose network
 * device has addressesFromPools, an IPAddressClaim per machine, Nodes (seen through the workload cluster's kubectl)
 * reporting the claimed InternalIPs, the control plane advertising its claimed address, the pool consistent through
 * scaling, exhaustion and a rolling update (no address held twice, used == Machines once settled), an IPv6 pool with
 * a Windows worker, and every address back in the pool when the Clusters are deleted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inProcessClient } from '../../src/client/index.js';
import type { Client } from '../../src/client/types.js';
import { conditionOf, itemsOf, kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const NS = 'default';
const POOL = { apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2', kind: 'InClusterIPPool' };
const GLOBAL_POOL = { apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2', kind: 'GlobalInClusterIPPool' };
const CLAIM = { apiVersion: 'ipam.cluster.x-k8s.io/v1beta1', kind: 'IPAddressClaim' };
const ADDRESS = { apiVersion: 'ipam.cluster.x-k8s.io/v1beta1', kind: 'IPAddress' };
const MACHINE = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine' };
const SIM_MACHINE = { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine' };

interface Obj {
  metadata: { name: string; namespace?: string; deletionTimestamp?: string; labels?: Record<string, string>; finalizers?: string[]; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec: Record<string, unknown> & { infrastructureRef?: { name: string }; address?: string; clusterName?: string; poolRef?: { kind: string; name: string }; claimRef?: { name: string } };
  status?: Record<string, unknown> & { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string; reason?: string; message?: string }[]; ipAddresses?: { used: number; free: number; total: number } };
}

/** The quick-start cluster with every SimMachineTemplate's device 0 taking its address from `pool`. */
function clusterWithPools(name: string, pool: { kind: string; name: string }, opts: { workers: number; workerOS?: 'windows' } = { workers: 2 }): string {
  const network = `network:
        devices:
        - networkName: vm-network
          dhcp4: false
          addressesFromPools:
          - {apiGroup: ipam.cluster.x-k8s.io, kind: ${pool.kind}, name: ${pool.name}}
      `;
  let yaml = quickStartYaml({ name, workerReplicas: opts.workers, strategy: '    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0' });
  yaml = yaml.replace('      numCPUs: 4\n', `      ${network}numCPUs: 4\n`).replace('      numCPUs: 2\n', `      ${network}${opts.workerOS ? `os: ${opts.workerOS}\n      ` : ''}numCPUs: 2\n`);
  assert.equal(yaml.split('addressesFromPools').length, 3, 'both templates take pool addresses');
  return yaml;
}

const workersOf = (cluster: string): string[] => ['get', 'machines', '-l', `cluster.x-k8s.io/cluster-name=${cluster},!cluster.x-k8s.io/control-plane`];
const readyRunning = (m: Obj): boolean => m.status?.phase === 'Running' && conditionOf(m, 'Ready')?.status === 'True' && !m.metadata.deletionTimestamp;
const internalIP = (o: Obj): string | undefined => o.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;

describe('sim machines take their addresses from IP pools', () => {
  let t: TestPlane;
  let kb: Kube;
  let client: Client;

  before(async () => {
    t = await startPlane();
    kb = kube(t);
    client = inProcessClient(t.plane.objects);
    // Node addresses from pools and Windows workers sit behind feature gates: turn them on as a user would.
    const gates = ['management-plane-ipam', 'windows-workers'];
    const gate = await waitFor(kb, ['get', 'featuregates.core.slipway.dev', 'slipway-system'], (g: { spec?: { features?: { name: string }[] } }) => gates.every((n) => (g.spec?.features ?? []).some((f) => f.name === n)), 30_000, 'feature gate');
    for (const f of gate.spec!.features! as { name: string; activate?: boolean }[]) if (gates.includes(f.name)) f.activate = true;
    await kb.ok(['replace', '-f', '-'], JSON.stringify(gate));
  });
  after(async () => t?.close());

  const list = async (kind: { apiVersion: string; kind: string }, ns: string | undefined = NS): Promise<Obj[]> => (await client.list(kind, { namespace: ns })).items as unknown as Obj[];
  const poolAddresses = async (pool: string): Promise<Obj[]> => (await list(ADDRESS, undefined)).filter((a) => a.spec.poolRef?.name === pool);
  const machinesOf = async (cluster: string): Promise<Obj[]> => (await list(MACHINE)).filter((m) => m.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === cluster);

  /** Once settled: one address per Machine, no address twice, the Machines' and Nodes' InternalIPs are the pool's, used counts them. */
  async function assertConsistent(cluster: string, pool: { kind: typeof POOL; name: string; namespace?: string }): Promise<void> {
    await eventually(async () => {
      const machines = await machinesOf(cluster);
      const ips = await poolAddresses(pool.name);
      if (machines.some((m) => m.metadata.deletionTimestamp || !internalIP(m))) return false;
      const p = (await client.get(pool.kind, { namespace: pool.namespace, name: pool.name })) as unknown as Obj;
      return ips.length === machines.length && p.status?.ipAddresses?.used === machines.length;
    }, 60_000, `${cluster}: one pool address per Machine`);
    const machines = await machinesOf(cluster);
    const ips = await poolAddresses(pool.name);
    const addresses = ips.map((a) => a.spec.address!);
    assert.equal(new Set(addresses).size, addresses.length, `no address twice: ${addresses.join(' ')}`);
    const sims = await list(SIM_MACHINE);
    for (const m of machines) {
      const sm = sims.find((s) => s.metadata.name === m.spec.infrastructureRef!.name)!;
      const ip = ips.find((a) => a.metadata.name === `${sm.metadata.name}-0-0`);
      assert.ok(ip, `IPAddress ${sm.metadata.name}-0-0 for Machine ${m.metadata.name}`);
      assert.equal(internalIP(m), ip.spec.address, `Machine ${m.metadata.name} InternalIP is its claimed address`);
      assert.equal(conditionOf(sm, 'IPAddressClaimed')?.status, 'True');
    }
    const wl = await workloadKubectl(kb, cluster);
    const nodes = itemsOf<Obj>(JSON.parse(await wl.ok(['get', 'nodes', '-o', 'json'])));
    assert.deepEqual(nodes.map(internalIP).sort(), [...addresses].sort(), 'the Nodes report the pool\'s addresses');
  }

  it('control-plane and worker Machines boot with addresses claimed from an InClusterIPPool', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: InClusterIPPool
metadata: {name: nodes, namespace: ${NS}}
spec:
  addresses: ["10.50.0.10-10.50.0.15"]
  prefix: 24
  gateway: 10.50.0.1
`);
    await kb.ok(['apply', '-f', '-'], clusterWithPools('ip', { kind: 'InClusterIPPool', name: 'nodes' }));
    await waitFor(kb, ['get', 'md', 'ip-md-0'], (o: Obj) => o.status?.readyReplicas === 2, 90_000);
    await assertConsistent('ip', { kind: POOL, name: 'nodes', namespace: NS });
    const cp = (await machinesOf('ip')).find((m) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined)!;
    const cpIP = internalIP(cp)!;
    assert.match(cpIP, /^10\.50\.0\.1[0-2]$/, 'three machines take the pool\'s three lowest addresses');
    const sm = (await client.get(SIM_MACHINE, { namespace: NS, name: cp.spec.infrastructureRef!.name })) as unknown as Obj;
    assert.deepEqual(sm.status?.addresses, [{ type: 'InternalIP', address: cpIP }, { type: 'Hostname', address: cp.metadata.name }]);
    const claim = (await client.get(CLAIM, { namespace: NS, name: `${sm.metadata.name}-0-0` })) as unknown as Obj;
    assert.deepEqual(claim.metadata.finalizers?.includes('infrastructure.slipway.dev/ip-claim-protection'), true);
    assert.deepEqual(claim.metadata.ownerReferences?.map((o) => [o.kind, o.name, !!o.controller]), [['SimMachine', sm.metadata.name, true]]);
    assert.equal(claim.spec.clusterName, 'ip');
    assert.equal(claim.metadata.labels?.['cluster.x-k8s.io/cluster-name'], 'ip');
    // kubeadm's advertise address is the claimed one.
    const wl = await workloadKubectl(kb, 'ip');
    const api = JSON.parse(await wl.ok(['get', 'pod', '-n', 'kube-system', `kube-apiserver-${cp.metadata.name}`, '-o', 'json'])) as { metadata: { annotations: Record<string, string> }; spec: { containers: { command: string[] }[] }; status: { podIP: string } };
    assert.ok(api.spec.containers[0]!.command.includes(`--advertise-address=${cpIP}`));
    assert.equal(api.metadata.annotations['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint'], `${cpIP}:6443`);
    assert.equal(api.status.podIP, cpIP);
  });

  it('a Machine waits (IPAddressClaimed False) while the pool is exhausted; scaling down and up keeps the pool consistent', async () => {
    // 6 addresses: the control plane and 5 workers take them all, the 6th worker waits.
    await kb.ok(['scale', 'md', 'ip-md-0', '--replicas=6']);
    await waitFor(kb, workersOf('ip'), (l) => itemsOf<Obj>(l).filter(readyRunning).length === 5, 90_000, '5 Running workers');
    const waiting = await eventually(async () => {
      const sims = await list(SIM_MACHINE);
      return sims.find((s) => conditionOf(s, 'IPAddressClaimed')?.reason === 'WaitingForIPAddress');
    }, 30_000, 'a SimMachine waiting for its address');
    const c = conditionOf(waiting, 'IPAddressClaimed')!;
    assert.equal(c.status, 'False');
    assert.equal(c.message, '1/1 claims being processed');
    assert.notEqual(waiting.status?.ready, true);
    assert.equal(conditionOf(waiting, 'Ready')?.status, 'False', 'the claim condition rolls up into Ready');
    const claim = (await client.get(CLAIM, { namespace: NS, name: `${waiting.metadata.name}-0-0` })) as unknown as Obj;
    assert.equal(conditionOf(claim, 'Ready')?.reason, 'PoolExhausted');

    await kb.ok(['scale', 'md', 'ip-md-0', '--replicas=1']);
    await waitFor(kb, workersOf('ip'), (l) => itemsOf<Obj>(l).length === 1 && itemsOf<Obj>(l).every(readyRunning), 60_000, '1 worker');
    await assertConsistent('ip', { kind: POOL, name: 'nodes', namespace: NS });
    // Released addresses are handed out again (lowest first).
    await kb.ok(['scale', 'md', 'ip-md-0', '--replicas=3']);
    await waitFor(kb, workersOf('ip'), (l) => itemsOf<Obj>(l).filter(readyRunning).length === 3, 90_000, '3 Running workers');
    await assertConsistent('ip', { kind: POOL, name: 'nodes', namespace: NS });
    assert.equal((await list(CLAIM)).length, 4, 'no claim outlives its machine');
  });

  it('a rolling update never holds an address twice; old claims are released before their addresses are reused', async () => {
    const seen = new Map<string, Set<string>>(); // address → claims that ever held it
    let overlaps: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const ips = await poolAddresses('nodes');
        const byAddress = new Map<string, string[]>();
        for (const a of ips) byAddress.set(a.spec.address!, [...(byAddress.get(a.spec.address!) ?? []), a.metadata.name]);
        for (const [addr, names] of byAddress) {
          if (names.length > 1) overlaps.push(`${addr}: ${names.join(', ')}`);
          for (const n of names) (seen.get(addr) ?? seen.set(addr, new Set()).get(addr)!).add(n);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const before = new Set(itemsOf<Obj>(await kb.json(workersOf('ip'))).map((m) => m.metadata.name));
      const template = clusterWithPools('ip', { kind: 'InClusterIPPool', name: 'nodes' }).split('---').find((d) => d.includes('name: ip-md-0') && d.includes('SimMachineTemplate'))!;
      await kb.ok(['apply', '-f', '-'], template.replace('name: ip-md-0', 'name: ip-md-1').replace('numCPUs: 2', 'numCPUs: 8'));
      await kb.ok(['patch', 'md', 'ip-md-0', '--type=merge', '-p', '{"spec":{"template":{"spec":{"infrastructureRef":{"name":"ip-md-1"}}}}}']);
      await waitFor(kb, workersOf('ip'), (l) => {
        const ms = itemsOf<Obj>(l);
        return ms.length === 3 && ms.every((m) => readyRunning(m) && !before.has(m.metadata.name));
      }, 120_000, 'every worker replaced');
    } finally {
      polling = false;
      await poller;
    }
    assert.deepEqual(overlaps, [], 'no address was held by two IPAddresses at once');
    assert.ok([...seen.values()].some((claims) => claims.size > 1), 'an address released by an old machine went to a new one');
    await assertConsistent('ip', { kind: POOL, name: 'nodes', namespace: NS });
    overlaps = [];
  });

  it('an IPv6 pool: the control plane advertises its IPv6 address; a Windows worker takes one too', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: GlobalInClusterIPPool
metadata: {name: nodes-v6}
spec:
  addresses: ["fd00:50::10-fd00:50::1f"]
  prefix: 64
  gateway: fd00:50::1
`);
    await kb.ok(['apply', '-f', '-'], clusterWithPools('six', { kind: 'GlobalInClusterIPPool', name: 'nodes-v6' }, { workers: 1, workerOS: 'windows' }));
    await waitFor(kb, ['get', 'md', 'six-md-0'], (o: Obj) => o.status?.readyReplicas === 1, 90_000);
    await assertConsistent('six', { kind: GLOBAL_POOL as typeof POOL, name: 'nodes-v6' });
    const machines = await machinesOf('six');
    assert.deepEqual(machines.map(internalIP).sort(), ['fd00:50::10', 'fd00:50::11']);
    const cp = machines.find((m) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined)!;
    const wl = await workloadKubectl(kb, 'six');
    const api = JSON.parse(await wl.ok(['get', 'pod', '-n', 'kube-system', `kube-apiserver-${cp.metadata.name}`, '-o', 'json'])) as { metadata: { annotations: Record<string, string> }; spec: { containers: { command: string[] }[] } };
    assert.ok(api.spec.containers[0]!.command.includes(`--advertise-address=${internalIP(cp)}`));
    assert.equal(api.metadata.annotations['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint'], `[${internalIP(cp)}]:6443`);
    const win = JSON.parse(await wl.ok(['get', 'nodes', '-l', 'kubernetes.io/os=windows', '-o', 'json'])) as { items: Obj[] };
    assert.equal(win.items.length, 1, 'one Windows Node');
    assert.match(internalIP(win.items[0]!) ?? '', /^fd00:50::1[01]$/);
  });

  it('a managed topology of the default class takes node addresses from network.addressesFromPools', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: InClusterIPPool
metadata: {name: topo-nodes, namespace: ${NS}}
spec: {addresses: ["10.60.0.10-10.60.0.20"], prefix: 24, gateway: 10.60.0.1}
`);
    const pools = [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'topo-nodes' }];
    await kb.ok(['apply', '-f', '-'], defaultClassClusterJson({ name: 'topo', machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 1 }], variables: [{ name: 'network', value: { addressesFromPools: pools } }] }));
    await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=topo'], (l) => itemsOf<Obj>(l).length === 1 && itemsOf<Obj>(l).every((m) => (m.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1), 120_000, 'topo workers ready');
    await assertConsistent('topo', { kind: POOL, name: 'topo-nodes', namespace: NS });
    const wl = await workloadKubectl(kb, 'topo');
    const nodes = itemsOf<Obj>(JSON.parse(await wl.ok(['get', 'nodes', '-o', 'json'])));
    assert.deepEqual(nodes.map(internalIP).sort(), ['10.60.0.10', '10.60.0.11']);
    await kb.ok(['delete', 'cluster', 'topo', '--wait=false']);
    await eventually(async () => {
      const p = (await client.get(POOL, { namespace: NS, name: 'topo-nodes' })) as unknown as Obj;
      return p.status?.ipAddresses?.used === 0 && (await poolAddresses('topo-nodes')).length === 0;
    }, 120_000, 'topo-nodes used 0 after the Cluster is deleted');
  });

  it('deleting the Clusters returns every address to the pools', async () => {
    await kb.ok(['delete', 'cluster', 'ip', 'six', '--wait=false']);
    await eventually(async () => (await list({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' })).length === 0, 120_000, 'Clusters gone');
    await eventually(async () => (await list(CLAIM, undefined)).length === 0 && (await list(ADDRESS, undefined)).length === 0, 30_000, 'claims and addresses gone');
    await eventually(async () => {
      const p = (await client.get(POOL, { namespace: NS, name: 'nodes' })) as unknown as Obj;
      const g = (await client.get(GLOBAL_POOL, { name: 'nodes-v6' })) as unknown as Obj;
      return p.status?.ipAddresses?.used === 0 && p.status.ipAddresses.free === 6 && g.status?.ipAddresses?.used === 0;
    }, 30_000, 'pools used 0');
    // The pools can go now.
    await kb.ok(['delete', 'inclusterippool', 'nodes']);
    await kb.ok(['delete', 'globalinclusterippool', 'nodes-v6']);
  });
});
