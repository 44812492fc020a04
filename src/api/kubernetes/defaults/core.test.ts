import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDefaults, defaulted, defaultedTemplateSpec } from './defaults.test-util.js';

type Spec = Record<string, unknown>;
const service = (spec: Spec, status?: Spec) => ({ kind: 'Service', metadata: { name: 's' }, spec, ...(status ? { status } : {}) });
const specOf = (obj: Record<string, unknown>) => obj['spec'] as Spec;

describe('Service defaults (upstream SetDefaults_Service)', () => {
  it('empty spec: ClusterIP, None affinity, internalTrafficPolicy Cluster (TestSetDefaultService)', () => {
    assertDefaults('', 'v1', 'Service', {
      name: 'empty', input: service({}),
      expected: service({ sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster' }),
    });
  });

  it('ports: protocol TCP, targetPort from port when unset, 0 or "" (TestSetDefaultServiceTargetPort)', () => {
    const out = specOf(defaulted('', 'v1', 'Service', service({
      ports: [{ port: 1234 }, { port: 1235, targetPort: 0 }, { port: 1236, targetPort: '' }, { port: 1237, targetPort: 'http' },
        { port: 53, targetPort: 5353, protocol: 'UDP' }],
    })));
    assert.deepEqual(out['ports'], [
      { port: 1234, protocol: 'TCP', targetPort: 1234 }, { port: 1235, targetPort: 1235, protocol: 'TCP' },
      { port: 1236, targetPort: 1236, protocol: 'TCP' }, { port: 1237, targetPort: 'http', protocol: 'TCP' },
      { port: 53, targetPort: 5353, protocol: 'UDP' },
    ]);
  });

  it('sessionAffinityConfig: ClientIP gets a 10800s timeout, None drops the config (TestSetDefaultServiceSessionAffinityConfig)', () => {
    const clientIP = specOf(defaulted('', 'v1', 'Service', service({ sessionAffinity: 'ClientIP' })));
    assert.deepEqual(clientIP['sessionAffinityConfig'], { clientIP: { timeoutSeconds: 10800 } });
    const partial = specOf(defaulted('', 'v1', 'Service', service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: {} } })));
    assert.deepEqual(partial['sessionAffinityConfig'], { clientIP: { timeoutSeconds: 10800 } });
    const kept = specOf(defaulted('', 'v1', 'Service', service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })));
    assert.deepEqual(kept['sessionAffinityConfig'], { clientIP: { timeoutSeconds: 60 } });
    const none = specOf(defaulted('', 'v1', 'Service', service({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })));
    assert.equal(none['sessionAffinityConfig'], undefined);
  });

  const trafficCases: { name: string; spec: Spec; external?: string; internal?: string; allocate?: boolean }[] = [
    { name: 'ClusterIP', spec: { type: 'ClusterIP' }, internal: 'Cluster' },
    { name: 'ClusterIP with externalIPs is externally accessible', spec: { type: 'ClusterIP', externalIPs: ['1.2.3.4'] }, external: 'Cluster', internal: 'Cluster' },
    { name: 'NodePort', spec: { type: 'NodePort' }, external: 'Cluster', internal: 'Cluster' },
    { name: 'LoadBalancer', spec: { type: 'LoadBalancer' }, external: 'Cluster', internal: 'Cluster', allocate: true },
    { name: 'LoadBalancer keeps Local and allocate false', spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: false, internalTrafficPolicy: 'Local' }, external: 'Local', internal: 'Local', allocate: false },
    { name: 'ExternalName gets no traffic policies', spec: { type: 'ExternalName', externalName: 'example.com' } },
  ];
  for (const c of trafficCases) {
    it(`traffic policies: ${c.name} (TestSetDefaultServiceExternalTraffic / InternalTrafficPolicy)`, () => {
      const out = specOf(defaulted('', 'v1', 'Service', service(c.spec)));
      assert.equal(out['externalTrafficPolicy'], c.external);
      assert.equal(out['internalTrafficPolicy'], c.internal);
      assert.equal(out['allocateLoadBalancerNodePorts'], c.allocate);
    });
  }

  it('LoadBalancer status ingress with an IP gets ipMode VIP (TestSetDefaultServiceLoadbalancerIPMode)', () => {
    const out = defaulted('', 'v1', 'Service', service({ type: 'LoadBalancer' }, {
      loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example.com' }, { ip: '5.6.7.8', ipMode: 'Proxy' }] },
    }));
    assert.deepEqual(out['status'], {
      loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }, { hostname: 'lb.example.com' }, { ip: '5.6.7.8', ipMode: 'Proxy' }] },
    });
  });
});

describe('other core/v1 kinds', () => {
  it('Endpoints: subset ports get protocol TCP (TestSetDefaultEndpointsProtocol)', () => {
    assertDefaults('', 'v1', 'Endpoints', {
      name: 'endpoints',
      input: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] },
      expected: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }] },
    });
  });

  it('PersistentVolumeClaim: volumeMode Filesystem and status.phase Pending (TestSetDefaultPersistentVolumeClaim)', () => {
    assertDefaults('', 'v1', 'PersistentVolumeClaim', {
      name: 'pvc',
      input: { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'] } },
      expected: { metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    });
    const block = defaulted('', 'v1', 'PersistentVolumeClaim', { spec: { volumeMode: 'Block' }, status: { phase: 'Bound' } });
    assert.deepEqual(block, { spec: { volumeMode: 'Block' }, status: { phase: 'Bound' } });
  });

  it('PersistentVolume: reclaim policy Retain, volumeMode Filesystem, phase Pending (TestSetDefaultPersistentVolume)', () => {
    assertDefaults('', 'v1', 'PersistentVolume', {
      name: 'pv',
      input: { spec: { hostPath: { path: '/data' }, capacity: { storage: '1Gi' } } },
      expected: {
        spec: { hostPath: { path: '/data', type: '' }, capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      },
    });
    const kept = defaulted('', 'v1', 'PersistentVolume', { spec: { persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Block' } });
    assert.equal(specOf(kept)['persistentVolumeReclaimPolicy'], 'Delete');
    assert.equal(specOf(kept)['volumeMode'], 'Block');
  });

  it('Secret: type Opaque unless set (TestSetDefaultSecret)', () => {
    assert.equal(defaulted('', 'v1', 'Secret', { data: {} })['type'], 'Opaque');
    assert.equal(defaulted('', 'v1', 'Secret', { type: 'kubernetes.io/tls' })['type'], 'kubernetes.io/tls');
  });

  it('Namespace: the metadata.name label and phase Active (TestSetDefaultNamespace, TestSetDefaultNamespaceLabels)', () => {
    assertDefaults('', 'v1', 'Namespace', {
      name: 'namespace',
      input: { metadata: { name: 'team-a', labels: { env: 'prod' } } },
      expected: { metadata: { name: 'team-a', labels: { env: 'prod', 'kubernetes.io/metadata.name': 'team-a' } }, status: { phase: 'Active' } },
    });
    // Upstream overwrites the label so it always tells the truth.
    const forged = defaulted('', 'v1', 'Namespace', { metadata: { name: 'b', labels: { 'kubernetes.io/metadata.name': 'other' } } });
    assert.deepEqual((forged['metadata'] as Spec)['labels'], { 'kubernetes.io/metadata.name': 'b' });
    // Without a name (generateName) there is nothing to label.
    assert.deepEqual(defaulted('', 'v1', 'Namespace', { metadata: { generateName: 'x-' } }), { metadata: { generateName: 'x-' }, status: { phase: 'Active' } });
    assert.deepEqual(defaulted('', 'v1', 'Namespace', { metadata: { name: 'c' }, status: { phase: 'Terminating' } })['status'], { phase: 'Terminating' });
  });

  it('Node: allocatable defaults to capacity (TestSetDefaultNodeStatusAllocatable)', () => {
    const out = defaulted('', 'v1', 'Node', { status: { capacity: { cpu: '4', memory: '8Gi' } } });
    assert.deepEqual(out['status'], { capacity: { cpu: '4', memory: '8Gi' }, allocatable: { cpu: '4', memory: '8Gi' } });
    const kept = defaulted('', 'v1', 'Node', { status: { capacity: { cpu: '4' }, allocatable: { cpu: '3' } } });
    assert.deepEqual(kept['status'], { capacity: { cpu: '4' }, allocatable: { cpu: '3' } });
    assert.deepEqual(defaulted('', 'v1', 'Node', { metadata: { name: 'n' } }), { metadata: { name: 'n' } });
  });

  it('LimitRange: container default from max, defaultRequest from default then min (TestSetDefaultLimitRangeItem)', () => {
    const out = defaulted('', 'v1', 'LimitRange', {
      spec: {
        limits: [
          { type: 'Container', max: { cpu: '100m' }, min: { memory: '100Mi' }, default: {}, defaultRequest: {} },
          { type: 'Container', max: { cpu: '2' }, default: { cpu: '1' } },
          { type: 'Pod', max: { cpu: '4' } },
          { type: 'Container' },
        ],
      },
    });
    assert.deepEqual(specOf(out)['limits'], [
      { type: 'Container', max: { cpu: '100m' }, min: { memory: '100Mi' }, default: { cpu: '100m' }, defaultRequest: { cpu: '100m', memory: '100Mi' } },
      { type: 'Container', max: { cpu: '2' }, default: { cpu: '1' }, defaultRequest: { cpu: '1' } },
      { type: 'Pod', max: { cpu: '4' } },
      { type: 'Container' },
    ]);
  });

  it('ReplicationController: replicas 1, selector and labels from the template (TestSetDefaultReplicationController)', () => {
    assertDefaults('', 'v1', 'ReplicationController', {
      name: 'rc',
      input: { metadata: { name: 'r' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: {} } } },
      expected: {
        metadata: { name: 'r', labels: { app: 'web' } },
        spec: { selector: { app: 'web' }, replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: defaultedTemplateSpec() } },
      },
    });
    const kept = defaulted('', 'v1', 'ReplicationController', {
      metadata: { labels: { own: 'x' } }, spec: { replicas: 0, selector: { app: 'sel' }, template: { metadata: { labels: { app: 'web' } } } },
    });
    assert.deepEqual(kept['metadata'], { labels: { own: 'x' } });
    assert.deepEqual(specOf(kept)['selector'], { app: 'sel' });
    assert.equal(specOf(kept)['replicas'], 0);
  });
});
