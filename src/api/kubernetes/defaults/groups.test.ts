import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDefaults, defaulted } from './defaults.test-util.js';

type Obj = Record<string, unknown>;
const specOf = (obj: Obj) => obj['spec'] as Obj;

describe('networking.k8s.io/v1 (upstream TestSetDefaultNetworkPolicy, TestSetDefaultNetworkPolicyPort)', () => {
  const cases: { name: string; spec: Obj; policyTypes: string[] }[] = [
    { name: 'empty spec', spec: {}, policyTypes: ['Ingress'] },
    { name: 'ingress rules only', spec: { ingress: [{ from: [{ podSelector: {} }] }] }, policyTypes: ['Ingress'] },
    { name: 'egress rules', spec: { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }, policyTypes: ['Ingress', 'Egress'] },
    { name: 'explicit Egress only is kept', spec: { policyTypes: ['Egress'] }, policyTypes: ['Egress'] },
  ];
  for (const c of cases) {
    it(`policyTypes: ${c.name}`, () => {
      assert.deepEqual(specOf(defaulted('networking.k8s.io', 'v1', 'NetworkPolicy', { spec: { podSelector: {}, ...c.spec } }))['policyTypes'], c.policyTypes);
    });
  }
  it('a missing spec still gets policyTypes', () => {
    assert.deepEqual(defaulted('networking.k8s.io', 'v1', 'NetworkPolicy', {}), { spec: { policyTypes: ['Ingress'] } });
  });
  it('rule ports get protocol TCP', () => assertDefaults('networking.k8s.io', 'v1', 'NetworkPolicy', {
    name: 'ports',
    input: { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }], egress: [{ ports: [{ port: 443 }] }] } },
    expected: {
      spec: {
        podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }],
        egress: [{ ports: [{ port: 443, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'],
      },
    },
  }));
  it('IngressClass parameters get scope Cluster', () => {
    const out = defaulted('networking.k8s.io', 'v1', 'IngressClass', { spec: { controller: 'x/y', parameters: { kind: 'P', name: 'p' } } });
    assert.deepEqual(specOf(out)['parameters'], { kind: 'P', name: 'p', scope: 'Cluster' });
    assert.deepEqual(defaulted('networking.k8s.io', 'v1', 'IngressClass', { spec: { controller: 'x/y' } }), { spec: { controller: 'x/y' } });
  });
  it('Ingress has no defaults in v1', () => {
    const ingress = { spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } };
    assert.deepEqual(defaulted('networking.k8s.io', 'v1', 'Ingress', ingress), ingress);
  });
});

describe('discovery.k8s.io/v1 EndpointSlice (upstream TestSetDefaultEndpointPort)', () => {
  it('ports get name "" and protocol TCP', () => assertDefaults('discovery.k8s.io', 'v1', 'EndpointSlice', {
    name: 'ports',
    input: { addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] },
    expected: { addressType: 'IPv4', endpoints: [], ports: [{ port: 80, name: '', protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] },
  }));
});

describe('scheduling.k8s.io/v1 PriorityClass (upstream TestDefaultPreemptionPolicy)', () => {
  it('preemptionPolicy PreemptLowerPriority unless set', () => {
    assert.equal(defaulted('scheduling.k8s.io', 'v1', 'PriorityClass', { value: 1000 })['preemptionPolicy'], 'PreemptLowerPriority');
    assert.equal(defaulted('scheduling.k8s.io', 'v1', 'PriorityClass', { value: 1000, preemptionPolicy: 'Never' })['preemptionPolicy'], 'Never');
  });
});

describe('storage.k8s.io/v1 (upstream TestSetDefaultVolumeBindingMode)', () => {
  it('StorageClass: reclaimPolicy Delete and volumeBindingMode Immediate', () => assertDefaults('storage.k8s.io', 'v1', 'StorageClass', {
    name: 'storage class', input: { provisioner: 'x' }, expected: { provisioner: 'x', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' },
  }));
  it('StorageClass: set values kept', () => {
    const sc = { provisioner: 'x', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' };
    assert.deepEqual(defaulted('storage.k8s.io', 'v1', 'StorageClass', sc), sc);
  });
});

describe('rbac.authorization.k8s.io/v1 bindings (upstream TestSetDefaultRoleBinding)', () => {
  for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
    it(`${kind}: roleRef and User/Group subjects get the rbac group; ServiceAccount stays core`, () => assertDefaults('rbac.authorization.k8s.io', 'v1', kind, {
      name: kind,
      input: {
        roleRef: { kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'User', name: 'v', apiGroup: 'custom' }],
      },
      expected: {
        roleRef: { kind: 'ClusterRole', name: 'view', apiGroup: 'rbac.authorization.k8s.io' },
        subjects: [
          { kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io' },
          { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'User', name: 'v', apiGroup: 'custom' },
        ],
      },
    }));
  }
});
