/** The pure part of a sim machine's address claims: slots, the desired claim, where the claims stand, addresses. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IPAddress, IPAddressClaim } from '../../api/ipam/types.js';
import type { SimMachine, SimNetworkDevice } from '../../api/infrastructure/types.js';
import { claimedMachineAddresses, claimName, claimSlots, claimsState, desiredClaim, isOwnedBy, ownerOfClaim, primaryAddress, type ClaimSlot } from './ip-claims.js';
import { buildStaticPod, joinHostPort } from './node.js';
import type { BootFacts } from './boot-facts.js';

const pool = (name: string, kind = 'InClusterIPPool') => ({ apiGroup: 'ipam.cluster.x-k8s.io', kind, name });

function machine(devices: SimNetworkDevice[]): SimMachine {
  return { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', metadata: { name: 'w-md-0-abc', namespace: 'ns1', uid: 'uid-1' }, spec: { network: { devices } } };
}

function claim(name: string, addressRef?: string, uid = 'uid-1'): IPAddressClaim {
  return { metadata: { name, namespace: 'ns1', ownerReferences: [{ apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name: 'w-md-0-abc', uid }] }, spec: { poolRef: pool('p') }, ...(addressRef ? { status: { addressRef: { name: addressRef } } } : {}) };
}

function address(name: string, addr: string, prefix = 24, gateway?: string): IPAddress {
  return { metadata: { name, namespace: 'ns1' }, spec: { address: addr, prefix, claimRef: { name }, poolRef: pool('p'), ...(gateway ? { gateway } : {}) } };
}

describe('claimSlots', () => {
  const cases: [string, SimMachine, [string, number, number, string][]][] = [
    ['no network', { metadata: { name: 'm' }, spec: {} }, []],
    ['devices without pools (DHCP)', machine([{ dhcp4: true }, { networkName: 'x' }]), []],
    ['one device, one pool', machine([{ addressesFromPools: [pool('nodes')] }]), [['w-md-0-abc-0-0', 0, 0, 'nodes']]],
    [
      'pools on several devices keep device and pool indexes',
      machine([{ addressesFromPools: [pool('v4'), pool('v6', 'GlobalInClusterIPPool')] }, { dhcp4: true }, { addressesFromPools: [pool('storage')] }]),
      [['w-md-0-abc-0-0', 0, 0, 'v4'], ['w-md-0-abc-0-1', 0, 1, 'v6'], ['w-md-0-abc-2-0', 2, 0, 'storage']],
    ],
  ];
  for (const [name, sm, want] of cases) {
    test(name, () => assert.deepEqual(claimSlots(sm).map((s) => [s.name, s.device, s.pool, s.poolRef.name]), want));
  }
  test('claim names', () => assert.equal(claimName('cp-x', 3, 12), 'cp-x-3-12'));
});

test('the desired claim: owned by the machine, protected, labelled with the cluster, clusterName and poolRef set', () => {
  const sm = machine([{ addressesFromPools: [pool('nodes')] }]);
  const [slot] = claimSlots(sm);
  assert.deepEqual(desiredClaim(sm, slot!, 'w'), {
    apiVersion: 'ipam.cluster.x-k8s.io/v1beta1',
    kind: 'IPAddressClaim',
    metadata: {
      name: 'w-md-0-abc-0-0',
      namespace: 'ns1',
      labels: { 'cluster.x-k8s.io/cluster-name': 'w' },
      finalizers: ['infrastructure.slipway.dev/ip-claim-protection'],
      ownerReferences: [{ apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name: 'w-md-0-abc', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
    },
    spec: { clusterName: 'w', poolRef: { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' } },
  });
  assert.ok(isOwnedBy(desiredClaim(sm, slot!, 'w'), 'uid-1'));
  assert.ok(!isOwnedBy(desiredClaim(sm, slot!, 'w'), 'uid-2'));
  assert.ok(!isOwnedBy(desiredClaim(sm, slot!, 'w'), undefined));
  assert.deepEqual(ownerOfClaim(desiredClaim(sm, slot!, 'w')), [{ namespace: 'ns1', name: 'w-md-0-abc' }]);
  assert.deepEqual(ownerOfClaim({ metadata: { name: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' }] } }), []);
});

describe('claimsState', () => {
  const slots: ClaimSlot[] = claimSlots(machine([{ addressesFromPools: [pool('a'), pool('b')] }, { addressesFromPools: [pool('c')] }]));
  const [c0, c1, c2] = slots.map((s) => s.name) as [string, string, string];
  const none = new Map<string, never>();
  type Row = [string, Parameters<typeof claimsState>[1], { reason?: string; message?: string; addresses?: string[] }];
  const rows: Row[] = [
    ['all just created', { created: new Set([c0, c1, c2]), claims: none, addresses: none }, { reason: 'IPAddressClaimsBeingCreated', message: '3/3 claims being processed' }],
    [
      'one created, the others waiting',
      { created: new Set([c2]), claims: new Map([[c0, claim(c0, c0)], [c1, claim(c1)]]), addresses: new Map([[c0, address(c0, '10.0.0.5')]]) },
      { reason: 'IPAddressClaimsBeingCreated', message: '2/3 claims being processed' },
    ],
    ['claims exist, no addresses yet', { created: new Set(), claims: new Map([[c0, claim(c0)], [c1, claim(c1)], [c2, claim(c2)]]), addresses: none }, { reason: 'WaitingForIPAddress', message: '3/3 claims being processed' }],
    [
      'addressRef set but the IPAddress not found',
      { created: new Set(), claims: new Map([[c0, claim(c0, c0)], [c1, claim(c1, c1)], [c2, claim(c2, c2)]]), addresses: new Map([[c0, address(c0, '10.0.0.5')], [c1, address(c1, '10.0.0.6')]]) },
      { reason: 'WaitingForIPAddress', message: `1/3 claims being processed; IPAddress ${c2} of claim ${c2} not found` },
    ],
    [
      'a claim missing (not created: an old one of the same name is being deleted)',
      { created: new Set(), claims: new Map([[c0, claim(c0, c0)], [c2, claim(c2)]]), addresses: new Map([[c0, address(c0, '10.0.0.5')]]) },
      { reason: 'IPAddressClaimNotFound', message: `2/3 claims being processed; IPAddressClaim ${c1} not found or being deleted` },
    ],
    [
      'an invalid address waits',
      { created: new Set(), claims: new Map([[c0, claim(c0, c0)], [c1, claim(c1, c1)], [c2, claim(c2, c2)]]), addresses: new Map([[c0, address(c0, '10.0.0.5')], [c1, address(c1, '10.0.0.256')], [c2, address(c2, 'fd00::1')]]) },
      { reason: 'WaitingForIPAddress', message: `1/3 claims being processed; IPAddress ${c1} has an invalid address "10.0.0.256"` },
    ],
    [
      'every claim has its address: slot order, canonical text',
      { created: new Set(), claims: new Map([[c2, claim(c2, c2)], [c1, claim(c1, c1)], [c0, claim(c0, c0)]]), addresses: new Map([[c0, address(c0, 'FD00:0::0010', 64, 'fd00::1')], [c1, address(c1, '10.0.0.6')], [c2, address(c2, '192.168.7.9')]]) },
      { addresses: ['fd00::10', '10.0.0.6', '192.168.7.9'] },
    ],
  ];
  for (const [name, observed, want] of rows) {
    test(name, () => {
      const s = claimsState(slots, observed);
      if (want.addresses) {
        assert.equal(s.phase, 'ready');
        assert.deepEqual(s.phase === 'ready' && s.addresses.map((a) => a.address), want.addresses);
      } else {
        assert.deepEqual(s, { phase: 'waiting', reason: want.reason, message: want.message });
      }
    });
  }
  test('ready addresses carry family, prefix and gateway; the primary is device 0\'s first (IPv6 when that pool is)', () => {
    const s = claimsState(slots, { created: new Set(), claims: new Map([[c0, claim(c0, c0)], [c1, claim(c1, c1)], [c2, claim(c2, c2)]]), addresses: new Map([[c0, address(c0, 'fd00::10', 64, 'fd00::1')], [c1, address(c1, '10.0.0.6')], [c2, address(c2, '10.0.0.6')]]) });
    assert.equal(s.phase, 'ready');
    if (s.phase !== 'ready') return;
    assert.deepEqual(s.addresses[0], { device: 0, pool: 0, claim: c0, family: 'IPv6', address: 'fd00::10', prefix: 64, gateway: 'fd00::1' });
    assert.equal(s.addresses[1]!.family, 'IPv4');
    assert.equal(primaryAddress(s.addresses), 'fd00::10');
    assert.deepEqual(claimedMachineAddresses(s.addresses, 'node-1'), [
      { type: 'InternalIP', address: 'fd00::10' },
      { type: 'InternalIP', address: '10.0.0.6' },
      { type: 'Hostname', address: 'node-1' },
    ]);
  });
  test('no slots: ready with nothing; no primary', () => {
    const s = claimsState([], { created: new Set(), claims: none, addresses: none });
    assert.deepEqual(s, { phase: 'ready', addresses: [] });
    assert.equal(primaryAddress([]), undefined);
  });
});

describe('static pods on an IPv6 address', () => {
  test('joinHostPort brackets IPv6 only', () => {
    assert.equal(joinHostPort('10.0.0.1', 6443), '10.0.0.1:6443');
    assert.equal(joinHostPort('fd00::10', 6443), '[fd00::10]:6443');
  });
  const facts = { controlPlane: true, apiServerArgs: {}, controllerManagerArgs: {}, schedulerArgs: {}, etcdArgs: {} } as unknown as BootFacts;
  const node = { metadata: { name: 'cp-0', uid: 'u' } };
  test('kube-apiserver advertises the address; etcd URLs bracket it', () => {
    const api = buildStaticPod({ component: 'kube-apiserver', node, internalIP: 'fd00::10', kubernetesVersion: 'v1.31.2', imageRepository: 'registry.k8s.io', facts, now: '2030-01-01T00:00:00Z' });
    const cmd = (api.spec as { containers: { command: string[] }[] }).containers[0]!.command;
    assert.ok(cmd.includes('--advertise-address=fd00::10'));
    assert.equal(api.metadata!.annotations!['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint'], '[fd00::10]:6443');
    const etcd = buildStaticPod({ component: 'etcd', node, internalIP: 'fd00::10', kubernetesVersion: 'v1.31.2', imageRepository: 'registry.k8s.io', facts, now: '2030-01-01T00:00:00Z' });
    const ecmd = (etcd.spec as { containers: { command: string[] }[] }).containers[0]!.command;
    assert.ok(ecmd.includes('--listen-peer-urls=https://[fd00::10]:2380'));
    assert.ok(ecmd.includes('--listen-client-urls=https://127.0.0.1:2379,https://[fd00::10]:2379'));
    assert.equal(etcd.metadata!.annotations!['kubeadm.kubernetes.io/etcd.advertise-client-urls'], 'https://[fd00::10]:2379');
  });
});
