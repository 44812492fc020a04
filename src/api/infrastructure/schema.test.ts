/** The sim kinds' rules (in their schemas): non-negative times, positive sizes, the os enum; status fields survive. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { clusterApiStore, refusal, type ClusterApiStore } from '../cluster-api-store.test-util.js';

const V = 'infrastructure.slipway.dev/v1alpha1';
let s: ClusterApiStore;
let seq = 0;

before(async () => {
  s = await clusterApiStore();
});
after(async () => {
  await s.close();
});

const simMachine = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: V, kind: 'SimMachine', metadata: { name: `sm-${++seq}`, namespace: 'default' }, spec });

for (const [name, obj, want] of [
  ['negative provisioning time', simMachine({ behaviour: { provisioningSeconds: -1 } }), 'spec.behaviour.provisioningSeconds: Invalid value: -1: spec.behaviour.provisioningSeconds in body should be greater than or equal to 0'],
  ['negative jitter', simMachine({ behaviour: { provisioningJitterSeconds: -0.5 } }), 'spec.behaviour.provisioningJitterSeconds'],
  ['unknown os', simMachine({ os: 'plan9' }), 'spec.os: Unsupported value: "plan9": supported values: "linux", "windows"'],
  ['zero CPUs', simMachine({ numCPUs: 0 }), 'spec.numCPUs: Invalid value: 0'],
  ['negative cluster provisioning time', { apiVersion: V, kind: 'SimCluster', metadata: { name: `sc-${++seq}`, namespace: 'default' }, spec: { provisioningSeconds: -3 } }, 'spec.provisioningSeconds'],
  ['pool reference without a kind', simMachine({ network: { devices: [{ addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', name: 'nodes' }] }] } }), 'spec.network.devices[0].addressesFromPools[0].kind: Required value'],
  ['pool reference with an empty name', simMachine({ network: { devices: [{}, { addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: '' }] }] } }), 'spec.network.devices[1].addressesFromPools[0].name: Invalid value: ""'],
  ['network without devices', simMachine({ network: {} }), 'spec.network.devices: Required value'],
  ['template pool reference without an apiGroup', { apiVersion: V, kind: 'SimMachineTemplate', metadata: { name: `smt-${++seq}`, namespace: 'default' }, spec: { template: { spec: { network: { devices: [{ addressesFromPools: [{ kind: 'InClusterIPPool', name: 'nodes' }] }] } } } } }, 'spec.template.spec.network.devices[0].addressesFromPools[0].apiGroup: Required value'],
  ['negative time in a template', { apiVersion: V, kind: 'SimMachineTemplate', metadata: { name: `smt-${++seq}`, namespace: 'default' }, spec: { template: { spec: { behaviour: { nodeReadySeconds: -1 } } } } }, 'spec.template.spec.behaviour.nodeReadySeconds'],
] as const) {
  test(`refused: ${name}`, async () => {
    const causes = await refusal(() => s.create(obj));
    assert.ok(causes.some((c) => c.startsWith(want)), `no cause starting with ${JSON.stringify(want)} in ${JSON.stringify(causes)}`);
    await assert.rejects(s.get(V, obj.kind!, obj.metadata!.name!), /not found/);
  });
}

test('network devices with pools are kept as written (SimMachine and SimMachineTemplate)', async () => {
  const network = { devices: [{ networkName: 'vm-network', dhcp4: false, dhcp6: false, addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'nodes' }, { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'GlobalInClusterIPPool', name: 'v6' }] }, { dhcp4: true }] };
  const sm = await s.create(simMachine({ network }));
  assert.deepEqual((sm.spec as Record<string, unknown>).network, network);
  const smt = await s.create({ apiVersion: V, kind: 'SimMachineTemplate', metadata: { name: `smt-${++seq}`, namespace: 'default' }, spec: { template: { spec: { network } } } });
  assert.deepEqual(((smt.spec as { template: { spec: Record<string, unknown> } }).template.spec).network, network);
});

test('fractional and zero times are accepted; the provider status is kept through /status', async () => {
  const sm = await s.create(simMachine({ os: 'windows', behaviour: { provisioningSeconds: 0, provisioningJitterSeconds: 0.25, nodeReadySeconds: 0 }, failure: { provisioning: 'no capacity' } }));
  const status = {
    ready: true,
    nodeName: 'n1',
    bootedAt: '2030-01-01T00:00:00Z',
    provisioningStartedAt: '2030-01-01T00:00:00Z',
    addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
    bootstrap: { format: 'cloud-config', kubeadm: 'join', commands: 3 },
    files: [{ path: '/etc/x', sha256: 'ab', size: 2 }],
    failureReason: 'CreateError',
    failureMessage: 'no capacity',
  };
  const written = await s.objects.update(s.info(V, 'SimMachine'), 'default', sm.metadata!.name!, { ...sm, status }, {}, 'status');
  assert.deepEqual(written.object.status, status);
});
