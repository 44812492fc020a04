import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import type { File, KubeadmConfigSpec } from '../../api/bootstrap/types.js';
import { renderBootstrapData, type BootstrapDataInput } from '../../controllers/kubeadmconfig/render.js';
import { parseNodeLabels, parseRegisterWithTaints, readBootFacts, readBootstrapData, summarizeBootstrap } from './bootstrap-reader.js';

const CERT_FILES: File[] = [
  { path: '/etc/kubernetes/pki/ca.crt', owner: 'root:root', permissions: '0640', content: 'CA-CERT\n' },
  { path: '/etc/kubernetes/pki/ca.key', owner: 'root:root', permissions: '0600', content: 'CA-KEY\n' },
];

const BASE: KubeadmConfigSpec = {
  clusterConfiguration: {
    clusterName: 'c1',
    kubernetesVersion: 'v1.30.4',
    networking: { podSubnet: '192.168.0.0/16' },
    apiServer: { extraArgs: { 'audit-log-maxage': '30', 'enable-admission-plugins': 'NodeRestriction' } },
    controllerManager: { extraArgs: { 'bind-address': '0.0.0.0' } },
    scheduler: { extraArgs: { 'v': '2' } },
    etcd: { local: { extraArgs: { 'quota-backend-bytes': '8589934592' } } },
    certificateValidityPeriodDays: 200,
  },
  initConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'tier=cp,zone=z1', 'register-with-taints': 'dedicated=infra:NoSchedule' } } },
  joinConfiguration: {
    nodeRegistration: { name: 'worker-1', kubeletExtraArgs: { 'node-labels': 'tier=worker' }, taints: [{ key: 'node.cluster.x-k8s.io/uninitialized', effect: 'NoSchedule' }] },
    discovery: { bootstrapToken: { token: 'abcdef.0123456789abcdef', apiServerEndpoint: '10.0.0.1:6443', caCertHashes: ['sha256:0123'] } },
  },
  files: [
    { path: '/etc/motd', content: 'hello\n', owner: 'root:adm', permissions: '0640' },
    { path: '/etc/motd', content: 'more\n', append: true },
    { path: '/opt/bin.dat', content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' },
    { path: '/opt/zipped', content: gzipSync(Buffer.from('compressed text')).toString('base64'), encoding: 'gzip+base64' },
  ],
  bootCommands: ['echo boot'],
  preKubeadmCommands: ['echo pre1', 'echo pre2'],
  postKubeadmCommands: ['echo post'],
  users: [{ name: 'ops', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }],
  ntp: { enabled: true, servers: ['0.pool.ntp.org'] },
};

function render(input: BootstrapDataInput): string {
  return renderBootstrapData(input).value;
}

for (const format of ['cloud-config', 'ignition'] as const) {
  for (const version of ['v1.30.4', 'v1.31.2']) {
    describe(`round trip: ${format}, Kubernetes ${version}`, () => {
      const spec = { ...BASE, format };
      test('init: files decoded, commands in order, kubeadm init with its configuration', () => {
        const data = readBootstrapData(render({ mode: 'init', kubernetesVersion: version, spec, certificateFiles: CERT_FILES }), format);
        assert.equal(data.format, format);
        const file = (p: string) => data.files.find((f) => f.path === p);
        assert.equal(file('/etc/kubernetes/pki/ca.key')!.content.toString(), 'CA-KEY\n');
        assert.equal(file('/etc/kubernetes/pki/ca.key')!.permissions, '0600');
        assert.equal(file('/etc/kubernetes/pki/ca.key')!.owner, 'root:root');
        assert.equal(file('/etc/motd')!.content.toString(), 'hello\nmore\n');
        assert.equal(file('/etc/motd')!.owner, 'root:adm');
        assert.deepEqual([...file('/opt/bin.dat')!.content], [0, 1, 2, 255]);
        assert.equal(file('/opt/zipped')!.content.toString(), 'compressed text');
        assert.equal(data.kubeadm.mode, 'init');
        const boot = format === 'cloud-config' ? ['echo boot'] : []; // upstream's Ignition has no boot commands
        assert.deepEqual(data.phases.boot, boot);
        assert.deepEqual(data.phases.preKubeadm, ['echo pre1', 'echo pre2']);
        assert.match(data.phases.kubeadm!, /^kubeadm init --config /);
        assert.deepEqual(data.phases.postKubeadm, ['echo post']);
        assert.deepEqual(data.commands, [...boot, 'echo pre1', 'echo pre2', data.phases.kubeadm, 'echo post']);
        assert.equal(data.kubeadm.apiVersion, version === 'v1.30.4' ? 'kubeadm.k8s.io/v1beta3' : 'kubeadm.k8s.io/v1beta4');
        assert.deepEqual(data.kubeadm.clusterConfiguration?.apiServer?.extraArgs, BASE.clusterConfiguration!.apiServer!.extraArgs);
        assert.deepEqual(data.users, [{ name: 'ops', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }]);
        assert.deepEqual(data.ntp, { enabled: true, servers: ['0.pool.ntp.org'] });

        const s = summarizeBootstrap(data);
        assert.equal(s.mode, 'init');
        assert.equal(s.controlPlane, true);
        assert.equal(s.kubernetesVersion, 'v1.30.4');
        assert.deepEqual(s.nodeLabels, { tier: 'cp', zone: 'z1' });
        assert.deepEqual(s.registerWithTaints, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
        // Taints unset on a control-plane init: kubeadm's default control-plane taint.
        assert.deepEqual(s.registrationTaints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
        assert.deepEqual(s.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, { key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
        assert.deepEqual(s.apiServerArgs, BASE.clusterConfiguration!.apiServer!.extraArgs);
        assert.deepEqual(s.controllerManagerArgs, { 'bind-address': '0.0.0.0' });
        assert.deepEqual(s.schedulerArgs, { v: '2' });
        assert.deepEqual(s.etcdArgs, { 'quota-backend-bytes': '8589934592' });
        assert.equal(s.certificateValidityDays, version === 'v1.31.2' ? 200 : 365);
        assert.equal(s.joinToken, undefined);
      });

      test('worker join: token, CA hash, endpoint, labels and the given taints', () => {
        const data = readBootstrapData(render({ mode: 'join-worker', kubernetesVersion: version, spec, certificateFiles: CERT_FILES }));
        assert.equal(data.format, format, 'format detected without being told');
        assert.equal(data.kubeadm.mode, 'join');
        assert.equal(data.files.some((f) => f.path.startsWith('/etc/kubernetes/pki/')), false);
        const s = summarizeBootstrap(data);
        assert.equal(s.controlPlane, false);
        assert.equal(s.kubernetesVersion, undefined);
        assert.equal(s.nodeName, 'worker-1');
        assert.equal(s.joinToken, 'abcdef.0123456789abcdef');
        assert.deepEqual(s.caCertHashes, ['sha256:0123']);
        assert.equal(s.apiServerEndpoint, '10.0.0.1:6443');
        assert.deepEqual(s.nodeLabels, { tier: 'worker' });
        assert.deepEqual(s.taints, [{ key: 'node.cluster.x-k8s.io/uninitialized', effect: 'NoSchedule' }]);
        assert.deepEqual(s.apiServerArgs, {});
      });

      test('control-plane join: default control-plane taint when taints are unset', () => {
        const cpSpec = { ...spec, joinConfiguration: { ...BASE.joinConfiguration, nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'tier=cp' } } } };
        const data = readBootstrapData(render({ mode: 'join-control-plane', kubernetesVersion: version, spec: cpSpec, certificateFiles: CERT_FILES }), format);
        const s = summarizeBootstrap(data);
        assert.equal(s.mode, 'join');
        assert.equal(s.controlPlane, true);
        assert.deepEqual(s.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
        assert.ok(data.files.some((f) => f.path === '/etc/kubernetes/pki/ca.key'));
      });
    });
  }
}

describe('readBootFacts (the sim provider view)', () => {
  test('facts of a v1beta4 init keep the raw ClusterConfiguration and list every file with its content', () => {
    const value = render({ mode: 'init', kubernetesVersion: 'v1.31.0', spec: BASE, certificateFiles: CERT_FILES });
    const facts = readBootFacts(value, 'cloud-config');
    assert.equal(facts.mode, 'init');
    assert.equal(facts.controlPlane, true);
    assert.equal((facts.clusterConfiguration as { apiVersion: string }).apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.deepEqual((facts.clusterConfiguration as { apiServer: { extraArgs: unknown } }).apiServer.extraArgs, [
      { name: 'audit-log-maxage', value: '30' },
      { name: 'enable-admission-plugins', value: 'NodeRestriction' },
    ]);
    assert.deepEqual(facts.apiServerArgs, BASE.clusterConfiguration!.apiServer!.extraArgs);
    const kubeadmFile = facts.files.find((f) => f.path === '/run/kubeadm/kubeadm.yaml')!;
    assert.equal(createHash('sha256').update(kubeadmFile.content).digest('hex').length, 64);
    assert.equal(facts.commands.length, 5);
    assert.equal(facts.certificateValidityDays, 200);
  });
});

describe('hand-written and malformed data', () => {
  test('a flags-only kubeadm join; YAML 1.1 octal permissions; gzip !!binary content; list commands', () => {
    const gz = gzipSync(Buffer.from('zipped')).toString('base64');
    const value = [
      '#cloud-config',
      'write_files:',
      '  - path: /etc/a',
      '    permissions: 0600',
      '    content: a',
      '  - path: /etc/gz',
      '    encoding: gzip',
      `    content: !!binary ${gz}`,
      '  - path: /etc/b',
      '    encoding: b64',
      `    content: ${Buffer.from('bee').toString('base64')}`,
      'runcmd:',
      '  - [sh, -c, "echo one two"]',
      '  - kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:ff --control-plane',
    ].join('\n');
    const data = readBootstrapData(value);
    assert.equal(data.files.find((f) => f.path === '/etc/a')!.permissions, '0600');
    assert.equal(data.files.find((f) => f.path === '/etc/gz')!.content.toString(), 'zipped');
    assert.equal(data.files.find((f) => f.path === '/etc/b')!.content.toString(), 'bee');
    assert.deepEqual(data.phases.preKubeadm, ["sh -c 'echo one two'"]);
    const s = summarizeBootstrap(data);
    assert.equal(s.mode, 'join');
    assert.equal(s.controlPlane, true);
    assert.equal(s.joinToken, 'abcdef.0123456789abcdef');
    assert.deepEqual(s.caCertHashes, ['sha256:ff']);
    assert.equal(s.apiServerEndpoint, '10.0.0.1:6443');
  });

  test('no kubeadm at all: mode none, every runcmd is a pre-kubeadm command', () => {
    const data = readBootstrapData('#cloud-config\nruncmd:\n  - echo hi\n');
    assert.equal(data.kubeadm.mode, 'none');
    assert.deepEqual(data.commands, ['echo hi']);
    assert.equal(summarizeBootstrap(data).controlPlane, false);
  });

  const bad: [string, string, string | undefined, RegExp][] = [
    ['a shell script', '#!/bin/bash\necho hi\n', undefined, /missing the "#cloud-config" header line/],
    ['invalid YAML', '#cloud-config\nwrite_files: [\n', undefined, /bootstrap data \(cloud-config\): not valid YAML/],
    ['a list document', '#cloud-config\n- a\n', undefined, /the document must be a YAML mapping/],
    ['a file without path', '#cloud-config\nwrite_files:\n  - content: x\n', undefined, /write_files\[0\] needs a path/],
    ['bad permissions', '#cloud-config\nwrite_files:\n  - path: /a\n    permissions: "rw-r--r--"\n', undefined, /write_files\[0\].permissions: "rw-r--r--" is not an octal mode/],
    ['bad gzip', '#cloud-config\nwrite_files:\n  - path: /a\n    encoding: gzip+base64\n    content: aGVsbG8=\n', undefined, /write_files\[0\]: content cannot be decoded as gzip\+base64/],
    ['unknown encoding', '#cloud-config\nwrite_files:\n  - path: /a\n    encoding: rot13\n', undefined, /write_files\[0\].encoding: unknown encoding "rot13"/],
    ['missing kubeadm config', '#cloud-config\nruncmd:\n  - kubeadm init --config /run/kubeadm/kubeadm.yaml\n', undefined, /the kubeadm command reads \/run\/kubeadm\/kubeadm.yaml, but no file with that path is written/],
    ['a bad kubeadm config', '#cloud-config\nwrite_files:\n  - path: /k.yaml\n    content: "apiVersion: v1\\nkind: Pod\\n"\nruncmd:\n  - kubeadm init --config /k.yaml\n', undefined, /kubeadm config \/k.yaml: document 1 has apiVersion "v1"/],
    ['runcmd not a list', '#cloud-config\nruncmd: echo\n', undefined, /runcmd must be a list/],
    ['bad JSON', '{"ignition": ', undefined, /bootstrap data \(ignition\): not valid JSON/],
    ['no Ignition version', '{"storage": {}}', undefined, /ignition.version must be a 2.x or 3.x version, got undefined/],
    ['a bad data URL', '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/a","contents":{"source":"data:x"}}]}}', undefined, /storage.files\[0\].contents: "data:x" is not a data URL/],
    ['unknown format', 'x', 'tarball', /unknown format "tarball"/],
  ];
  for (const [what, value, format, want] of bad) {
    test(`${what} is an error saying so`, () => assert.throws(() => readBootstrapData(value, format), want));
  }

  test('kubelet flag parsing: labels and taints, with errors naming the bad item', () => {
    assert.deepEqual(parseNodeLabels('a=b, c=, d'), { a: 'b', c: '', d: '' });
    assert.deepEqual(parseRegisterWithTaints('k=v:NoExecute,k2:PreferNoSchedule'), [
      { key: 'k', value: 'v', effect: 'NoExecute' },
      { key: 'k2', effect: 'PreferNoSchedule' },
    ]);
    assert.throws(() => parseRegisterWithTaints('k=v'), /--register-with-taints: "k=v" is not key\[=value\]:/);
    assert.throws(() => parseNodeLabels('=x'), /--node-labels: "=x" has no label key/);
  });

  test('remote Ignition sources are not fetched but reported', () => {
    const data = readBootstrapData(JSON.stringify({ ignition: { version: '3.4.0' }, storage: { files: [{ path: '/a', contents: { source: 'https://example.com/a' } }] } }));
    assert.equal(data.files[0]!.content.length, 0);
    assert.deepEqual(data.warnings, ['storage.files[0].contents: content from https://example.com/a is not fetched']);
    assert.equal(data.kubeadm.mode, 'none');
  });
});
