/**
 * IP address management end to end on a real plane: InClusterIPPool / GlobalInClusterIPPool and IPAddressClaims
 * through kubectl, the claim controller's allocation (lowest free first, exclusions, gateway, reserved addresses),
 * ownership and finalizers, pool status, exhaustion and release, pool deletion and shrinking refused while
 * addresses are in use, and paused Clusters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inProcessClient } from '../../src/client/index.js';
import type { Client } from '../../src/client/types.js';
import { kube } from '../support/capi.js';
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const NS = 'default';
const POOL = { apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2', kind: 'InClusterIPPool' };
const GLOBAL = { apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2', kind: 'GlobalInClusterIPPool' };
const CLAIM = { apiVersion: 'ipam.cluster.x-k8s.io/v1beta1', kind: 'IPAddressClaim' };
const ADDRESS = { apiVersion: 'ipam.cluster.x-k8s.io/v1beta1', kind: 'IPAddress' };

interface Obj {
  metadata: { name: string; namespace?: string; finalizers?: string[]; ownerReferences?: { kind: string; name: string; controller?: boolean; blockOwnerDeletion?: boolean }[]; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { addressRef?: { name?: string }; conditions?: { type: string; status: string; reason?: string }[]; ipAddresses?: { total: number; used: number; free: number; outOfRange: number } };
}

function claimYaml(name: string, pool: string, kind = 'InClusterIPPool', extra = ''): string {
  return `apiVersion: ipam.cluster.x-k8s.io/v1beta1
kind: IPAddressClaim
metadata:
  name: ${name}
  namespace: ${NS}
${extra}spec:
  poolRef: {apiGroup: ipam.cluster.x-k8s.io, kind: ${kind}, name: ${pool}}
`;
}

describe('IPAM on the management plane', () => {
  let t: TestPlane;
  let client: Client;
  let kb: ReturnType<typeof kube>;
  before(async () => {
    t = await startPlane();
    client = inProcessClient(t.plane.objects);
    kb = kube(t);
  });
  after(async () => t?.close());

  const addressOf = (name: string, ns = NS): Promise<Obj> => eventually(async () => (await client.get(ADDRESS, { namespace: ns, name })) as unknown as Obj, 10_000, `IPAddress ${ns}/${name}`);

  test('claims get the lowest free addresses, skipping exclusions, the gateway and the network address', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: InClusterIPPool
metadata: {name: nodes, namespace: ${NS}}
spec:
  addresses: ["10.1.1.0/24"]
  prefix: 24
  gateway: 10.1.1.1
  excludedAddresses: ["10.1.1.2-10.1.1.5", "10.1.1.7"]
`);
    for (const n of ['a', 'b', 'c']) await kb.ok(['apply', '-f', '-'], claimYaml(`claim-${n}`, 'nodes'));
    const got = await Promise.all(['a', 'b', 'c'].map((n) => addressOf(`claim-${n}`)));
    assert.deepEqual(got.map((a) => a.spec.address), ['10.1.1.6', '10.1.1.8', '10.1.1.9']);
    const a = got[0]!;
    assert.equal(a.spec.prefix, 24);
    assert.equal(a.spec.gateway, '10.1.1.1');
    assert.deepEqual(a.spec.poolRef, { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' });
    assert.deepEqual(a.metadata.finalizers, ['ipam.cluster.x-k8s.io/ProtectAddress']);
    assert.deepEqual(a.metadata.ownerReferences!.map((o) => [o.kind, o.name, !!o.controller, !!o.blockOwnerDeletion]), [['IPAddressClaim', 'claim-a', true, true], ['InClusterIPPool', 'nodes', false, true]]);
    const claim = await eventually(async () => {
      const c = (await client.get(CLAIM, { namespace: NS, name: 'claim-a' })) as unknown as Obj;
      return c.status?.addressRef?.name === 'claim-a' ? c : undefined;
    });
    assert.deepEqual(claim.metadata.finalizers, ['ipam.cluster.x-k8s.io/ReleaseAddress']);
    assert.equal(claim.status!.conditions!.find((c) => c.type === 'Ready')?.status, 'True');
    // kubectl shows the printer columns; the pool's counts follow (at most a second behind).
    const table = await kb.ok(['get', 'ipaddresses']);
    assert.match(table, /NAME\s+ADDRESS\s+POOL NAME\s+POOL KIND\s+AGE/);
    assert.match(table, /claim-b\s+10\.1\.1\.8\s+nodes\s+InClusterIPPool/);
    await eventually(async () => {
      const p = (await client.get(POOL, { namespace: NS, name: 'nodes' })) as unknown as Obj;
      // 256 − network − broadcast − gateway − 5 excluded = 248
      return p.status?.ipAddresses?.used === 3 && p.status.ipAddresses.total === 248 && p.status.ipAddresses.free === 245 && p.metadata.finalizers?.includes('ipam.cluster.x-k8s.io/ProtectPool');
    }, 10_000, 'pool status 248/3/245');
    assert.match(await kb.ok(['get', 'inclusterippools']), /nodes\s+\["10\.1\.1\.0\/24"\]\s+248\s+245\s+3/);
  });

  test('a deleted claim frees its address for the next claim; a pool in use cannot be deleted or shrunk', async () => {
    await kb.ok(['delete', 'ipaddressclaim', 'claim-b']);
    await eventually(async () => !(await client.list(ADDRESS, { namespace: NS })).items.some((a) => a.metadata?.name === 'claim-b'), 10_000, 'claim-b IPAddress gone');
    await kb.ok(['apply', '-f', '-'], claimYaml('claim-d', 'nodes'));
    assert.equal((await addressOf('claim-d')).spec.address, '10.1.1.8');

    const del = await kb.k(['delete', 'inclusterippool', 'nodes', '--wait=false']);
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /Pool has IPAddresses allocated\. Cannot delete Pool until all IPAddresses have been removed\./);
    const shrink = await kb.k(['patch', 'inclusterippool', 'nodes', '--type=merge', '-p', '{"spec":{"excludedAddresses":["10.1.1.2-10.1.1.9"]}}']);
    assert.notEqual(shrink.code, 0);
    assert.match(shrink.stderr, /pool addresses do not contain allocated addresses: \[10\.1\.1\.6-10\.1\.1\.6 10\.1\.1\.8-10\.1\.1\.9\]/);
    const bad = await kb.k(['patch', 'inclusterippool', 'nodes', '--type=merge', '-p', '{"spec":{"gateway":"fd00::1"}}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.gateway: Invalid value: "fd00::1": provided gateway and addresses are of mixed IP families/);
  });

  test('an exhausted pool leaves the claim waiting (PoolExhausted) until an address is released', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: GlobalInClusterIPPool
metadata: {name: tiny}
spec: {addresses: ["fd00::10-fd00::11"], prefix: 64, gateway: "fd00::1"}
`);
    await kb.ok(['create', 'namespace', 'other']);
    await kb.ok(['apply', '-f', '-'], claimYaml('g1', 'tiny', 'GlobalInClusterIPPool'));
    await kb.ok(['apply', '-f', '-'], claimYaml('g2', 'tiny', 'GlobalInClusterIPPool').replace(`namespace: ${NS}`, 'namespace: other'));
    assert.equal((await addressOf('g1')).spec.address, 'fd00::10');
    assert.equal((await addressOf('g2', 'other')).spec.address, 'fd00::11');
    await kb.ok(['apply', '-f', '-'], claimYaml('g3', 'tiny', 'GlobalInClusterIPPool'));
    const waiting = await eventually(async () => {
      const c = (await client.get(CLAIM, { namespace: NS, name: 'g3' })) as unknown as Obj;
      return c.status?.conditions?.find((x) => x.type === 'Ready' && x.reason === 'PoolExhausted') ? c : undefined;
    }, 10_000, 'g3 PoolExhausted');
    assert.equal(waiting.status?.addressRef, undefined);
    await kb.ok(['delete', 'ipaddressclaim', 'g2', '-n', 'other']);
    assert.equal((await addressOf('g3')).spec.address, 'fd00::11');
  });

  test('a paused Cluster holds its claims; unpausing allocates', async () => {
    await kb.ok(['apply', '-f', '-'], `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata: {name: held, namespace: ${NS}}
spec: {paused: true}
---
apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: InClusterIPPool
metadata: {name: held-pool, namespace: ${NS}}
spec: {addresses: ["10.9.0.10-10.9.0.20"], prefix: 24}
`);
    await kb.ok(['apply', '-f', '-'], claimYaml('held-0', 'held-pool', 'InClusterIPPool', '  labels: {cluster.x-k8s.io/cluster-name: held}\n'));
    // Another claim of the same pool gets an address: the paused one has had every chance by then.
    await kb.ok(['apply', '-f', '-'], claimYaml('free-0', 'held-pool'));
    assert.equal((await addressOf('free-0')).spec.address, '10.9.0.10');
    const held = (await client.get(CLAIM, { namespace: NS, name: 'held-0' })) as unknown as Obj;
    assert.equal(held.metadata.finalizers, undefined);
    await kb.ok(['patch', 'cluster', 'held', '--type=merge', '-p', '{"spec":{"paused":false}}']);
    const a = await addressOf('held-0');
    assert.equal(a.spec.address, '10.9.0.11');
    assert.equal(a.metadata.labels?.['cluster.x-k8s.io/cluster-name'], 'held');
  });

  test('machines cannot take addresses from pools while the management-plane-ipam feature is deactivated', async () => {
    const tpl = await kb.k(['apply', '-f', '-'], `apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata: {name: pooled, namespace: ${NS}}
spec:
  template:
    spec:
      network:
        devices:
        - networkName: primary
          addressesFromPools: [{apiGroup: ipam.cluster.x-k8s.io, kind: InClusterIPPool, name: nodes}]
`);
    assert.notEqual(tpl.code, 0);
    assert.match(tpl.stderr, /spec\.template\.spec\.network\.devices\[0\]\.addressesFromPools: Forbidden: node addresses from IP pools needs feature gate management-plane-ipam, which is deactivated/);
    const cluster = await kb.k(['apply', '-f', '-'], defaultClassClusterJson({ name: 'pooled', variables: [{ name: 'network', value: { addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' }] } }] }));
    assert.notEqual(cluster.code, 0);
    assert.match(cluster.stderr, /spec\.topology\.variables\[1\]\.value\.addressesFromPools: Forbidden: node addresses from IP pools needs feature gate management-plane-ipam/);
    // The same template without pools is fine.
    await kb.ok(['apply', '-f', '-'], `apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata: {name: pooled, namespace: ${NS}}
spec: {template: {spec: {network: {devices: [{networkName: primary, dhcp4: true}]}}}}
`);
  });

  test('invalid pools and addresses are refused with upstream\'s field paths', async () => {
    const r = await kb.k(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1alpha2
kind: InClusterIPPool
metadata: {name: broken, namespace: ${NS}}
spec: {addresses: ["10.0.0.25", "10.0.1.27"], prefix: 24, gateway: 10.0.0.1}
`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.addresses: Invalid value: "10\.0\.1\.27": provided address belongs to a different subnet than others/);
    const ip = await kb.k(['apply', '-f', '-'], `apiVersion: ipam.cluster.x-k8s.io/v1beta1
kind: IPAddress
metadata: {name: hand, namespace: ${NS}}
spec: {address: "10.0.0.300", prefix: 24, claimRef: {name: nobody}, poolRef: {apiGroup: ipam.cluster.x-k8s.io, kind: InClusterIPPool, name: nodes}}
`);
    assert.notEqual(ip.code, 0);
    assert.match(ip.stderr, /spec\.address: Invalid value: "10\.0\.0\.300": not a valid IP address/);
    const claim = await kb.k(['apply', '-f', '-'], claimYaml('nogroup', 'nodes').replace('apiGroup: ipam.cluster.x-k8s.io, ', ''));
    assert.notEqual(claim.code, 0);
    assert.match(claim.stderr, /spec\.poolRef\.apiGroup: Invalid value: null: the pool reference needs to contain a group/);
  });
});
