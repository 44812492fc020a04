import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sequenceRandom } from '../../topology/random.js';
import type { Machine, MachineSet } from '../../api/cluster/types.js';
import { inPlaceMachinePatch, machineLabels, machineName, newMachine } from './machines.js';

function machineSet(o: { name?: string; naming?: string; mdLabel?: boolean } = {}): MachineSet {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineSet',
    metadata: { namespace: 'ns', name: o.name ?? 'md-0-abcde', uid: 'ms-uid', labels: o.mdLabel === false ? {} : { 'cluster.x-k8s.io/deployment-name': 'md-0' } },
    spec: {
      clusterName: 'dev',
      replicas: 1,
      selector: { matchLabels: { pool: 'a' } },
      machineNamingStrategy: o.naming ? { template: o.naming } : undefined,
      template: {
        metadata: { labels: { pool: 'a', 'machine-template-hash': '1-abcde' }, annotations: { note: 'x' } },
        spec: {
          clusterName: 'dev',
          version: 'v1.31.2',
          nodeDrainTimeout: '5m',
          bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'boot' } },
          infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'tpl' },
        },
      },
    },
  };
}

describe('new Machines of a MachineSet', () => {
  test('default name: <machineset>-<random>', () => assert.equal(machineName(machineSet(), sequenceRandom(['xyz12'])), 'md-0-abcde-xyz12'));
  test('machineNamingStrategy.template with .machineSet.name, .cluster.name and .random', () => {
    assert.equal(machineName(machineSet({ naming: '{{ .cluster.name }}-{{ .machineSet.name }}-w-{{ .random }}' }), sequenceRandom(['q2w4e'])), 'dev-md-0-abcde-w-q2w4e');
  });
  test('a template without {{ .random }} or with an unknown key is refused, naming the field', () => {
    assert.throws(() => machineName(machineSet({ naming: '{{ .machineSet.name }}' }), sequenceRandom(['aaaaa'])), /spec\.machineNamingStrategy\.template: .* must contain \{\{ \.random \}\}/);
    assert.throws(() => machineName(machineSet({ naming: '{{ .nope }}-{{ .random }}' }), sequenceRandom(['aaaaa'])), /spec\.machineNamingStrategy\.template: cannot render/);
  });
  test('a name over 63 characters is cut to 58 and gets a fresh suffix', () => {
    const name = machineName(machineSet({ name: 'm'.repeat(60) }), sequenceRandom(['aaaaa', 'bbbbb']));
    assert.equal(name, 'm'.repeat(58) + 'bbbbb');
  });
  test('labels: template labels, set-name and deployment-name', () => {
    assert.deepEqual(machineLabels(machineSet()), { pool: 'a', 'machine-template-hash': '1-abcde', 'cluster.x-k8s.io/set-name': 'md-0-abcde', 'cluster.x-k8s.io/deployment-name': 'md-0' });
    assert.equal(machineLabels(machineSet({ mdLabel: false }))['cluster.x-k8s.io/deployment-name'], undefined);
  });
  test('the Machine: controlled by the MachineSet, finalizer, refs to the clones, the rest from the template', () => {
    const m = newMachine(machineSet(), 'md-0-abcde-xyz12', {
      bootstrap: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfig', name: 'md-0-abcde-xyz12', namespace: 'ns' },
      infrastructure: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name: 'md-0-abcde-xyz12', namespace: 'ns' },
    });
    assert.deepEqual(m.metadata!.ownerReferences, [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineSet', name: 'md-0-abcde', uid: 'ms-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(m.metadata!.finalizers, ['machine.cluster.x-k8s.io']);
    assert.equal(m.spec.bootstrap.configRef!.kind, 'KubeadmConfig');
    assert.equal(m.spec.infrastructureRef.kind, 'SimMachine');
    assert.equal(m.spec.version, 'v1.31.2');
    assert.deepEqual(m.metadata!.annotations, { note: 'x' });
  });
});

describe('in-place changes to existing Machines', () => {
  const existing = (): Machine => ({
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: { name: 'm', labels: { pool: 'a', 'machine-template-hash': '1-abcde', 'cluster.x-k8s.io/set-name': 'md-0-abcde', 'cluster.x-k8s.io/deployment-name': 'md-0', extra: 'kept' }, annotations: { note: 'x' } },
    spec: { clusterName: 'dev', bootstrap: {}, infrastructureRef: {}, nodeDrainTimeout: '5m', nodeDeletionTimeout: '10s' },
  });
  test('nothing to change', () => assert.equal(inPlaceMachinePatch(machineSet(), existing()), undefined));
  test('new template labels, annotations and timeouts flow to the Machine; labels of others and defaults stay', () => {
    const ms = machineSet();
    ms.spec.template.metadata!.labels!.tier = 'gold';
    ms.spec.template.metadata!.annotations!.note = 'y';
    ms.spec.template.spec.nodeDrainTimeout = '10m';
    delete ms.spec.template.spec.nodeDeletionTimeout;
    assert.deepEqual(inPlaceMachinePatch(ms, existing()), { metadata: { labels: { tier: 'gold' }, annotations: { note: 'y' } }, spec: { nodeDrainTimeout: '10m' } });
  });
  test('a Machine being deleted only takes the timeouts', () => {
    const ms = machineSet();
    ms.spec.template.metadata!.labels!.tier = 'gold';
    ms.spec.template.spec.nodeDrainTimeout = '1m';
    const m = existing();
    m.metadata!.deletionTimestamp = '2030-01-01T00:00:00Z';
    assert.deepEqual(inPlaceMachinePatch(ms, m), { spec: { nodeDrainTimeout: '1m' } });
  });
});
