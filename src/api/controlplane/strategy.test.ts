/**
 * KubeadmControlPlane(Template) defaulting and validation through a real ObjectStore, with cases from upstream's
 * webhook tests (create, update allow-list, version steps, scale rules).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { clusterApiStore, refusal, type ClusterApiStore } from '../cluster-api-store.test-util.js';
import { pathAllowed } from './strategy.js';

const V = 'controlplane.cluster.x-k8s.io/v1beta1';
let s: ClusterApiStore;
let seq = 0;

before(async () => {
  s = await clusterApiStore();
});
after(async () => {
  await s.close();
});

type Spec = Record<string, any>;

function kcp(spec: Spec = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: V,
    kind: 'KubeadmControlPlane',
    metadata: { name: `kcp-${++seq}`, namespace: 'default', ...meta },
    spec: {
      replicas: 1,
      version: 'v1.30.2',
      machineTemplate: { infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'cp' } },
      kubeadmConfigSpec: { clusterConfiguration: { etcd: { local: { imageTag: '3.5.12-0' } }, dns: { imageTag: 'v1.11.1' } } },
      ...spec,
    },
  };
}

const spec = (o: KubeObject): Spec => o.spec as Spec;

async function refused(obj: KubeObject): Promise<string[]> {
  const causes = await refusal(() => s.create(obj));
  if (causes.length) await assert.rejects(s.get(V, 'KubeadmControlPlane', obj.metadata!.name!), /not found/);
  return causes;
}

describe('KubeadmControlPlane create', () => {
  test('defaults: replicas 1, v prefix, format, rollout strategy, infrastructure namespace, image pull policy', async () => {
    const created = await s.create(kcp({ replicas: undefined, version: '1.30.2', kubeadmConfigSpec: { initConfiguration: {}, joinConfiguration: { nodeRegistration: { imagePullPolicy: 'Always' } } } }));
    const sp = spec(created);
    assert.equal(sp.replicas, 1);
    assert.equal(sp.version, 'v1.30.2');
    assert.equal(sp.kubeadmConfigSpec.format, 'cloud-config');
    assert.deepEqual(sp.rolloutStrategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } });
    assert.equal(sp.machineTemplate.infrastructureRef.namespace, 'default');
    assert.equal(sp.kubeadmConfigSpec.initConfiguration.nodeRegistration.imagePullPolicy, 'IfNotPresent');
    assert.equal(sp.kubeadmConfigSpec.joinConfiguration.nodeRegistration.imagePullPolicy, 'Always');
  });

  for (const [name, obj, want] of [
    ['even replicas with stacked etcd', kcp({ replicas: 2 }), ['spec.replicas: Forbidden: cannot be an even number when etcd is stacked']],
    ['zero replicas', kcp({ replicas: 0 }), ['spec.replicas: Forbidden: cannot be less than or equal to 0', 'spec.replicas: Forbidden: cannot be an even number when etcd is stacked']],
    ['infrastructure template in another namespace', kcp({ machineTemplate: { infrastructureRef: { apiVersion: 'x/v1', kind: 'T', name: 't', namespace: 'other' } } }), ['spec.machineTemplate.infrastructure.namespace: Invalid value: "other": must match metadata.namespace']],
    ['infrastructure template without kind', kcp({ machineTemplate: { infrastructureRef: { apiVersion: 'x/v1', name: 't' } } }), ['spec.machineTemplate.infrastructure.kind: Invalid value: "": cannot be empty']],
    ['invalid version', kcp({ version: 'v1.30' }), ['spec.version: Invalid value: "v1.30": must be a valid semantic version']],
    ['invalid CoreDNS version', kcp({ kubeadmConfigSpec: { clusterConfiguration: { dns: { imageTag: 'v0.x.0' } } } }), ['spec.kubeadmConfigSpec.clusterConfiguration.dns.imageTag: Invalid value: "v0.x.0": failed to parse CoreDNS version']],
    ['invalid etcd image tag', kcp({ kubeadmConfigSpec: { clusterConfiguration: { etcd: { local: { imageTag: 'bad:tag' } } } } }), ['spec.kubeadmConfigSpec.clusterConfiguration.etcd.local.imageTag: Forbidden: tag bad:tag is invalid']],
    ['both local and external etcd', kcp({ replicas: 1, kubeadmConfigSpec: { clusterConfiguration: { etcd: { local: {}, external: { endpoints: ['https://e:2379'], caFile: 'a', certFile: 'b', keyFile: 'c' } } } } }), ['spec.kubeadmConfigSpec.clusterConfiguration.etcd.local: Forbidden: cannot have both external and local etcd']],
    ['maxSurge 2', kcp({ rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } } }), ['spec.rolloutStrategy.rollingUpdate.maxSurge: Required value: value must be 1 or 0']],
    ['maxSurge 0 with 1 replica', kcp({ rolloutStrategy: { rollingUpdate: { maxSurge: 0 } } }), ['spec.rolloutStrategy.rollingUpdate: Required value: when KubeadmControlPlane is configured to scale-in, replica count needs to be at least 3']],
    ['certificatesExpiryDays below 7', kcp({ rolloutBefore: { certificatesExpiryDays: 5 } }), ['spec.rolloutBefore.certificatesExpiryDays: Invalid value: 5: must be greater than or equal to 7']],
    ['ignition settings with cloud-config', kcp({ kubeadmConfigSpec: { ignition: { containerLinuxConfig: { strict: true } } } }), ['spec.kubeadmConfigSpec.format: Invalid value: "cloud-config": must be set to "ignition" if spec.ignition is set']],
    ['ignition with gzip files', kcp({ kubeadmConfigSpec: { format: 'ignition', files: [{ path: '/a', content: 'x', encoding: 'gzip' }] } }), ['spec.kubeadmConfigSpec.files[0].encoding: Forbidden: not supported when spec.format is set to: "ignition"']],
    ['invalid machine template label', kcp({ machineTemplate: { metadata: { labels: { 'a/b/c': 'x' } }, infrastructureRef: { apiVersion: 'x/v1', kind: 'T', name: 't' } } }), ['spec.machineTemplate.metadata.labels: Invalid value: "a/b/c"']],
    ['rollout strategy type', kcp({ rolloutStrategy: { type: 'OnDelete' } }), ['spec.rolloutStrategy.type: Unsupported value: "OnDelete"']],
  ] as const) {
    test(`refused: ${name}`, async () => {
      const causes = await refused(obj);
      for (const w of want) assert.ok(causes.some((c) => c.startsWith(w)), `no cause starting with ${JSON.stringify(w)} in ${JSON.stringify(causes)}`);
    });
  }

  test('accepted: even replicas with external etcd; maxSurge as a string; ignition with gpt partitions', async () => {
    await s.create(kcp({ replicas: 2, kubeadmConfigSpec: { clusterConfiguration: { etcd: { external: { endpoints: ['https://e:2379'], caFile: 'a', certFile: 'b', keyFile: 'c' } } } } }));
    await s.create(kcp({ rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1' } } }));
    await s.create(kcp({ kubeadmConfigSpec: { format: 'ignition', ignition: { containerLinuxConfig: { strict: true } }, diskSetup: { partitions: [{ device: '/dev/sdb', layout: true, tableType: 'gpt' }] } } }));
  });
});

describe('KubeadmControlPlane update', () => {
  async function update(mutate: (sp: Spec, o: KubeObject) => void, base: KubeObject = kcp()): Promise<string[]> {
    const created = await s.create(base);
    const next = structuredClone(created);
    mutate(spec(next), next);
    return refusal(() => s.update(next));
  }

  for (const [name, mutate] of [
    ['initConfiguration.nodeRegistration', (sp: Spec) => (sp.kubeadmConfigSpec.initConfiguration = { nodeRegistration: { name: 'x' } })],
    ['joinConfiguration.nodeRegistration', (sp: Spec) => (sp.kubeadmConfigSpec.joinConfiguration = { nodeRegistration: { kubeletExtraArgs: { v: '4' } } })],
    ['the local etcd image tag', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.etcd.local.imageTag = '3.5.13-0')],
    ['apiServer extra args', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.apiServer = { extraArgs: { 'audit-log-maxage': '7' } })],
    ['controllerManager and scheduler', (sp: Spec) => Object.assign(sp.kubeadmConfigSpec.clusterConfiguration, { controllerManager: { extraArgs: { a: 'b' } }, scheduler: { extraArgs: { c: 'd' } } })],
    ['imageRepository', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.imageRepository = 'registry.example.com')],
    ['featureGates', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.featureGates = { EtcdLearnerMode: true })],
    ['files, users, ntp, pre/post commands, format', (sp: Spec) => Object.assign(sp.kubeadmConfigSpec, { files: [{ path: '/etc/x', content: 'y' }], users: [{ name: 'ops' }], ntp: { servers: ['time.example.com'] }, preKubeadmCommands: ['echo'], format: 'ignition' })],
    ['replicas, version one minor up, rollout settings, machine template metadata and timeouts', (sp: Spec) => Object.assign(sp, { replicas: 3, version: 'v1.31.0', rolloutAfter: '2030-01-01T00:00:00Z', rolloutBefore: { certificatesExpiryDays: 21 }, remediationStrategy: { maxRetry: 3 }, machineTemplate: { ...sp.machineTemplate, metadata: { labels: { a: 'b' } }, nodeDrainTimeout: '5m' } })],
    ['the infrastructure template name', (sp: Spec) => (sp.machineTemplate.infrastructureRef.name = 'cp-v2')],
  ] as const) {
    test(`allowed: ${name}`, async () => assert.deepEqual(await update(mutate), []));
  }

  for (const [name, mutate, want] of [
    ['networking', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.networking = { podSubnet: '10.0.0.0/16' }), 'spec.kubeadmConfigSpec.clusterConfiguration.networking.podSubnet: Forbidden: cannot be modified'],
    ['kubernetesVersion in the cluster configuration', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.kubernetesVersion = 'v1.30.3'), 'spec.kubeadmConfigSpec.clusterConfiguration.kubernetesVersion: Forbidden: cannot be modified'],
    ['controlPlaneEndpoint', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.controlPlaneEndpoint = 'cp:6443'), 'spec.kubeadmConfigSpec.clusterConfiguration.controlPlaneEndpoint: Forbidden: cannot be modified'],
    ['certificatesDir', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.certificatesDir = '/pki'), 'spec.kubeadmConfigSpec.clusterConfiguration.certificatesDir: Forbidden: cannot be modified'],
    ['the infrastructure template namespace', (sp: Spec) => (sp.machineTemplate.infrastructureRef.namespace = 'other'), 'spec.machineTemplate.infrastructureRef.namespace: Forbidden: cannot be modified'],
    ['scale to an even number', (sp: Spec) => (sp.replicas = 2), 'spec.replicas: Forbidden: cannot be an even number when etcd is stacked'],
    ['scale to zero', (sp: Spec) => (sp.replicas = 0), 'spec.replicas: Forbidden: cannot be less than or equal to 0'],
    ['two minors up', (sp: Spec) => (sp.version = 'v1.32.0'), 'spec.version: Forbidden: cannot update Kubernetes version from v1.30.2 to v1.32.0'],
    ['local to external etcd', (sp: Spec) => (sp.kubeadmConfigSpec.clusterConfiguration.etcd = { external: { endpoints: ['https://e:2379'], caFile: 'a', certFile: 'b', keyFile: 'c' } }), 'spec.kubeadmConfigSpec.clusterConfiguration.etcd.external: Forbidden: cannot change between external and local etcd'],
    ['maxSurge 0 below 3 replicas', (sp: Spec) => (sp.rolloutStrategy.rollingUpdate.maxSurge = 0), 'spec.rolloutStrategy.rollingUpdate: Required value: when KubeadmControlPlane is configured to scale-in, replica count needs to be at least 3'],
  ] as const) {
    test(`refused: ${name}`, async () => {
      const causes = await update(mutate);
      assert.ok(causes.some((c) => c.startsWith(want)), `no cause starting with ${JSON.stringify(want)} in ${JSON.stringify(causes)}`);
    });
  }

  test('version steps: v1.19.0 and the old-registry window are refused unless imageRepository is set', async () => {
    const at = (version: string) => kcp({ version });
    assert.deepEqual(await update((sp) => (sp.version = 'v1.19.0'), at('v1.18.5')), [
      'spec.version: Forbidden: cannot update Kubernetes version to v1.19.0, for more information see https://github.com/kubernetes-sigs/cluster-api/issues/3564',
    ]);
    assert.match((await update((sp) => (sp.version = 'v1.23.10'), at('v1.22.17')))[0]!, /old default registry/);
    assert.deepEqual(await update((sp) => (sp.version = 'v1.23.15'), at('v1.22.17')), []);
    assert.deepEqual(
      await update((sp) => {
        sp.version = 'v1.23.10';
        sp.kubeadmConfigSpec.clusterConfiguration.imageRepository = 'registry.k8s.io';
      }, at('v1.22.17')),
      [],
    );
  });

  test('an update without changes to the spec is not re-validated', async () => {
    assert.deepEqual(await update((_sp, o) => (o.metadata!.finalizers = ['kubeadm.controlplane.cluster.x-k8s.io'])), []);
  });
});

describe('allow-list matching (upstream pathsMatch)', () => {
  for (const [name, path, list, want] of [
    ['a simple match', ['a', 'b'], [['a', 'b']], true],
    ['no match', ['a', 'c'], [['a', 'b']], false],
    ['empty path', [], [['a']], false],
    ['empty allow entry', ['a'], [[]], false],
    ['wildcard', ['a', 'b', 'c'], [['a', '*']], true],
    ['path longer than the entry', ['a', 'b', 'c'], [['a', 'b']], false],
    ['path shorter than the entry', ['a'], [['a', 'b']], false],
  ] as const) {
    test(name, () => assert.equal(pathAllowed(path, list), want));
  }
});

describe('KubeadmControlPlaneTemplate', () => {
  const template = (spec: Spec = {}): KubeObject => ({
    apiVersion: V,
    kind: 'KubeadmControlPlaneTemplate',
    metadata: { name: `kcpt-${++seq}`, namespace: 'default' },
    spec: { template: { spec: { kubeadmConfigSpec: {}, ...spec } } },
  });

  test('defaults format and rollout strategy; the template spec is immutable', async () => {
    const created = await s.create(template());
    const sp = (created.spec as Spec).template.spec;
    assert.equal(sp.kubeadmConfigSpec.format, 'cloud-config');
    assert.deepEqual(sp.rolloutStrategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } });
    const next = structuredClone(created);
    (next.spec as Spec).template.spec.kubeadmConfigSpec.preKubeadmCommands = ['echo'];
    const causes = await refusal(() => s.update(next));
    assert.equal(causes.length, 1);
    assert.match(causes[0]!, /^spec\.template\.spec: Invalid value: "": KubeadmControlPlaneTemplate spec\.template\.spec field is immutable\. Please create new resource instead\. Changed: kubeadmConfigSpec\.preKubeadmCommands$/);
    const relabelled = structuredClone(created);
    relabelled.metadata!.labels = { team: 'a' };
    assert.deepEqual(await refusal(() => s.update(relabelled)), []);
  });

  test('refused: maxSurge 3, certificatesExpiryDays 1', async () => {
    const causes = await refusal(() => s.create(template({ rolloutStrategy: { rollingUpdate: { maxSurge: 3 } }, rolloutBefore: { certificatesExpiryDays: 1 } })));
    assert.deepEqual(causes.sort(), [
      'spec.template.spec.rolloutBefore.certificatesExpiryDays: Invalid value: 1: must be greater than or equal to 7',
      'spec.template.spec.rolloutStrategy.rollingUpdate.maxSurge: Required value: value must be 1 or 0',
    ]);
  });
});
