import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import type { ClusterConfiguration, InitConfiguration, JoinConfiguration } from '../../api/bootstrap/types.js';
import {
  argsToList,
  argsToMap,
  kubeadmApiVersionFor,
  marshalClusterConfiguration,
  marshalInitConfiguration,
  marshalJoinConfiguration,
  unmarshalKubeadmDocuments,
} from './kubeadm-api.js';

const CC: ClusterConfiguration = {
  clusterName: 'c1',
  kubernetesVersion: 'v1.30.2',
  controlPlaneEndpoint: '10.0.0.1:6443',
  networking: { podSubnet: '192.168.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' },
  apiServer: { extraArgs: { 'audit-log-maxage': '30', 'anonymous-auth': 'false' }, certSANs: ['api.example'], timeoutForControlPlane: '4m', extraEnvs: [{ name: 'HTTP_PROXY', value: 'http://p' }] },
  controllerManager: { extraArgs: { 'node-cidr-mask-size': '24' }, extraVolumes: [{ name: 'v', hostPath: '/h', mountPath: '/m', readOnly: true }] },
  scheduler: { extraArgs: { 'bind-address': '0.0.0.0' } },
  etcd: { local: { dataDir: '/var/lib/etcd', extraArgs: { 'quota-backend-bytes': '8589934592' }, serverCertSANs: ['etcd.example'] } },
  dns: { imageTag: 'v1.11.1' },
  imageRepository: 'registry.k8s.io',
  featureGates: { EtcdLearnerMode: true },
  encryptionAlgorithm: 'ECDSA-P256',
  certificateValidityPeriodDays: 365,
  caCertificateValidityPeriodDays: 3650,
};

const INIT: InitConfiguration = {
  bootstrapTokens: [{ token: 'abcdef.0123456789abcdef', ttl: '24h', usages: ['signing'] }],
  nodeRegistration: { name: 'n1', criSocket: 'unix:///run/containerd/containerd.sock', kubeletExtraArgs: { 'node-labels': 'tier=cp', 'cloud-provider': 'external' }, imagePullSerial: false },
  localAPIEndpoint: { advertiseAddress: '10.0.0.5', bindPort: 6443 },
  skipPhases: ['addon/kube-proxy'],
};

const JOIN: JoinConfiguration = {
  nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'tier=worker' }, taints: [] },
  discovery: { bootstrapToken: { token: 'abcdef.0123456789abcdef', apiServerEndpoint: '10.0.0.1:6443', caCertHashes: ['sha256:aa'] }, timeout: '5m' },
};

describe('kubeadm API version by Kubernetes version', () => {
  for (const [version, want] of [
    ['v1.22.0', 'kubeadm.k8s.io/v1beta3'],
    ['1.30.9', 'kubeadm.k8s.io/v1beta3'],
    ['v1.31.0-rc.1', 'kubeadm.k8s.io/v1beta4'],
    ['v1.31.0', 'kubeadm.k8s.io/v1beta4'],
    ['v1.33', 'kubeadm.k8s.io/v1beta4'],
    ['v2.0.0', 'kubeadm.k8s.io/v1beta4'],
  ] as const) {
    test(`${version} → ${want}`, () => assert.equal(kubeadmApiVersionFor(version), want));
  }
  test('below v1.22 and garbage are errors naming the version', () => {
    assert.throws(() => kubeadmApiVersionFor('v1.21.14'), /v1.21.14 is not supported: .*v1.22.0 or later/);
    assert.throws(() => kubeadmApiVersionFor('latest'), /invalid Kubernetes version "latest"/);
  });
});

describe('marshalling (kubeadm v1beta3)', () => {
  const cc = YAML.parse(marshalClusterConfiguration(CC, 'v1.30.2'));
  test('apiVersion, kind, maps for args, fields v1beta3 lacks are dropped', () => {
    assert.equal(cc.apiVersion, 'kubeadm.k8s.io/v1beta3');
    assert.equal(cc.kind, 'ClusterConfiguration');
    assert.deepEqual(cc.apiServer.extraArgs, { 'anonymous-auth': 'false', 'audit-log-maxage': '30' });
    assert.equal(cc.apiServer.timeoutForControlPlane, '4m0s');
    assert.equal(cc.apiServer.extraEnvs, undefined);
    assert.equal(cc.encryptionAlgorithm, undefined);
    assert.equal(cc.certificateValidityPeriod, undefined);
    assert.equal(cc.proxy, undefined);
    assert.deepEqual(cc.etcd.local.extraArgs, { 'quota-backend-bytes': '8589934592' });
    assert.deepEqual(cc.controllerManager.extraVolumes, [{ name: 'v', hostPath: '/h', mountPath: '/m', readOnly: true }]);
    assert.deepEqual(cc.networking, { podSubnet: '192.168.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' });
  });
  test('values YAML 1.1 would read as booleans or numbers are quoted', () => {
    const text = marshalClusterConfiguration({ apiServer: { extraArgs: { 'allow-privileged': 'on', profiling: 'no', x: '0644' } } }, 'v1.30.0');
    assert.match(text, /allow-privileged: "on"/);
    assert.match(text, /profiling: "no"/);
    assert.match(text, /x: "0644"/);
    assert.deepEqual(YAML.parse(text, { version: '1.1' }).apiServer.extraArgs, { 'allow-privileged': 'on', profiling: 'no', x: '0644' });
  });
  test('keys sorted and empty structs written, as kubeadm encodes', () => {
    const text = marshalClusterConfiguration({}, 'v1.30.0');
    assert.equal(text, 'apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta3\ncontrollerManager: {}\ndns: {}\netcd: {}\nkind: ClusterConfiguration\nnetworking: {}\nscheduler: {}\n');
  });
  test('InitConfiguration: unset taints are null (kubeadm default), bootstrap token ttl normalised', () => {
    const init = YAML.parse(marshalInitConfiguration(INIT, CC, 'v1.30.2'));
    assert.equal(init.kind, 'InitConfiguration');
    assert.equal(init.nodeRegistration.taints, null);
    assert.match(marshalInitConfiguration(INIT, CC, 'v1.30.2'), /taints: null/);
    assert.deepEqual(init.nodeRegistration.kubeletExtraArgs, { 'cloud-provider': 'external', 'node-labels': 'tier=cp' });
    assert.equal(init.nodeRegistration.imagePullSerial, undefined);
    assert.equal(init.bootstrapTokens[0].ttl, '24h0m0s');
    assert.deepEqual(init.localAPIEndpoint, { advertiseAddress: '10.0.0.5', bindPort: 6443 });
    assert.equal(init.timeouts, undefined);
  });
  test('JoinConfiguration: empty taints stay [], discovery.timeout in discovery', () => {
    const join = YAML.parse(marshalJoinConfiguration(JOIN, undefined, 'v1.30.2'));
    assert.deepEqual(join.nodeRegistration.taints, []);
    assert.equal(join.discovery.timeout, '5m0s');
    assert.deepEqual(join.discovery.bootstrapToken, { token: 'abcdef.0123456789abcdef', apiServerEndpoint: '10.0.0.1:6443', caCertHashes: ['sha256:aa'] });
    assert.equal(join.controlPlane, undefined);
  });
});

describe('marshalling (kubeadm v1beta4)', () => {
  test('args become name/value lists sorted by name; v1beta4-only fields written', () => {
    const cc = YAML.parse(marshalClusterConfiguration(CC, 'v1.31.0'));
    assert.equal(cc.apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.deepEqual(cc.apiServer.extraArgs, [
      { name: 'anonymous-auth', value: 'false' },
      { name: 'audit-log-maxage', value: '30' },
    ]);
    assert.equal(cc.apiServer.timeoutForControlPlane, undefined);
    assert.deepEqual(cc.apiServer.extraEnvs, [{ name: 'HTTP_PROXY', value: 'http://p' }]);
    assert.deepEqual(cc.etcd.local.extraArgs, [{ name: 'quota-backend-bytes', value: '8589934592' }]);
    assert.deepEqual(cc.proxy, {});
    assert.equal(cc.encryptionAlgorithm, 'ECDSA-P256');
    assert.equal(cc.certificateValidityPeriod, '8760h0m0s');
    assert.equal(cc.caCertificateValidityPeriod, '87600h0m0s');
  });
  test('Init: kubelet args list, control-plane timeout moved to timeouts', () => {
    const init = YAML.parse(marshalInitConfiguration(INIT, CC, 'v1.31.0'));
    assert.deepEqual(init.nodeRegistration.kubeletExtraArgs, [
      { name: 'cloud-provider', value: 'external' },
      { name: 'node-labels', value: 'tier=cp' },
    ]);
    assert.equal(init.nodeRegistration.imagePullSerial, false);
    assert.deepEqual(init.timeouts, { controlPlaneComponentHealthCheck: '4m0s' });
  });
  test('Join: discovery.timeout → timeouts.tlsBootstrap; control plane join carries the health-check timeout', () => {
    const worker = YAML.parse(marshalJoinConfiguration(JOIN, undefined, 'v1.31.0'));
    assert.equal(worker.discovery.timeout, undefined);
    assert.deepEqual(worker.timeouts, { tlsBootstrap: '5m0s' });
    const cp = YAML.parse(marshalJoinConfiguration({ ...JOIN, controlPlane: { localAPIEndpoint: { bindPort: 6444 } } }, CC, 'v1.31.0'));
    assert.deepEqual(cp.timeouts, { tlsBootstrap: '5m0s', controlPlaneComponentHealthCheck: '4m0s' });
    assert.deepEqual(cp.controlPlane, { localAPIEndpoint: { bindPort: 6444 } });
  });
  test('args sort by name then value; argsToMap reads both forms (last repeated name wins)', () => {
    assert.deepEqual(argsToList({ b: '1', a: '2' }), [{ name: 'a', value: '2' }, { name: 'b', value: '1' }]);
    assert.deepEqual(argsToMap([{ name: 'a', value: '1' }, { name: 'a', value: '2' }]), { a: '2' });
    assert.deepEqual(argsToMap({ x: 1 }), { x: '1' });
    assert.throws(() => argsToMap([{ value: 'x' }], 'apiServer.extraArgs'), /apiServer.extraArgs\[0\]: expected \{name, value\}/);
  });
});

describe('unmarshalling', () => {
  for (const version of ['v1.30.2', 'v1.31.0']) {
    test(`round trip through ${version}`, () => {
      const text = `---\n${marshalClusterConfiguration(CC, version)}---\n${marshalInitConfiguration(INIT, CC, version)}`;
      const docs = unmarshalKubeadmDocuments(text);
      assert.equal(docs.apiVersion, kubeadmApiVersionFor(version));
      const cc = docs.clusterConfiguration!;
      assert.deepEqual(cc.apiServer?.extraArgs, CC.apiServer!.extraArgs);
      assert.equal(cc.apiServer?.timeoutForControlPlane, '4m0s');
      assert.deepEqual(cc.etcd?.local?.extraArgs, CC.etcd!.local!.extraArgs);
      assert.deepEqual(cc.scheduler?.extraArgs, CC.scheduler!.extraArgs);
      assert.deepEqual(cc.networking, CC.networking);
      assert.equal(cc.clusterName, 'c1');
      assert.equal(cc.kubernetesVersion, 'v1.30.2');
      if (version === 'v1.31.0') {
        assert.equal(cc.certificateValidityPeriodDays, 365);
        assert.equal(cc.caCertificateValidityPeriodDays, 3650);
        assert.equal(cc.encryptionAlgorithm, 'ECDSA-P256');
      }
      assert.deepEqual(docs.initConfiguration?.nodeRegistration?.kubeletExtraArgs, INIT.nodeRegistration!.kubeletExtraArgs);
      assert.equal(docs.initConfiguration?.nodeRegistration?.taints, undefined);
      assert.equal(docs.initConfiguration?.bootstrapTokens?.[0]?.token, 'abcdef.0123456789abcdef');
      const join = unmarshalKubeadmDocuments(marshalJoinConfiguration(JOIN, undefined, version)).joinConfiguration!;
      assert.deepEqual(join.nodeRegistration?.taints, []);
      assert.equal(join.discovery?.timeout, '5m0s');
      assert.deepEqual(join.discovery?.bootstrapToken?.caCertHashes, ['sha256:aa']);
    });
  }
  test('errors name the document and the problem', () => {
    assert.throws(() => unmarshalKubeadmDocuments('apiVersion: kubeadm.k8s.io/v1beta2\nkind: InitConfiguration\n'), /document 1 has apiVersion "kubeadm.k8s.io\/v1beta2"/);
    assert.throws(() => unmarshalKubeadmDocuments('apiVersion: kubeadm.k8s.io/v1beta3\nkind: Foo\n'), /document 1 has kind "Foo"/);
    assert.throws(() => unmarshalKubeadmDocuments('- a\n'), /document 1 is not a mapping/);
    assert.throws(
      () => unmarshalKubeadmDocuments('apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n'),
      /mix kubeadm API versions/,
    );
    assert.throws(() => unmarshalKubeadmDocuments('apiVersion: kubeadm.k8s.io/v1beta3\nkind: JoinConfiguration\nnodeRegistration:\n  taints: [{key: a}]\n'), /nodeRegistration.taints\[0\]: a taint needs key and effect/);
  });
});
