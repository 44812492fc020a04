import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import type { File, KubeadmConfigSpec } from '../../api/bootstrap/types.js';
import type { IgnitionConfig } from './ignition.js';
import { mountUnitName } from './ignition.js';
import { renderBootstrapData, type BootstrapDataInput } from './render.js';

const CERT_FILES: File[] = [
  { path: '/etc/kubernetes/pki/ca.crt', owner: 'root:root', permissions: '0640', content: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n' },
  { path: '/etc/kubernetes/pki/ca.key', owner: 'root:root', permissions: '0600', content: '-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n' },
];

const SPEC: KubeadmConfigSpec = {
  clusterConfiguration: { clusterName: 'c1', apiServer: { extraArgs: { 'audit-log-maxage': '30' } } },
  initConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'a=b' } } },
  joinConfiguration: { discovery: { bootstrapToken: { token: 'abcdef.0123456789abcdef', apiServerEndpoint: '10.0.0.1:6443', caCertHashes: ['sha256:aa'] } } },
  files: [
    { path: '/etc/motd', content: 'hello\n', owner: 'root:root', permissions: '0644' },
    { path: '/etc/b64', content: Buffer.from('binary').toString('base64'), encoding: 'base64' },
    { path: '/etc/motd', content: 'more\n', append: true },
  ],
  bootCommands: ['echo boot'],
  preKubeadmCommands: ['echo "pre 1"', 'hostnamectl set-hostname "{{ ds.meta_data.local_hostname }}"'],
  postKubeadmCommands: ['echo post'],
  users: [{ name: 'ops', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: ['ssh-ed25519 AAAA ops'], lockPassword: false, groups: 'wheel, docker', passwd: '$6$hash' }],
  ntp: { enabled: true, servers: ['0.pool.ntp.org', '1.pool.ntp.org'] },
  diskSetup: {
    partitions: [{ device: '/dev/sdb', layout: true, overwrite: false, tableType: 'gpt' }],
    filesystems: [{ device: '/dev/sdb1', filesystem: 'ext4', label: 'etcd_disk', extraOpts: ['-F'] }],
  },
  mounts: [['etcd_disk', '/var/lib/etcddisk', 'defaults']],
  verbosity: 4,
};

function cloudConfig(input: BootstrapDataInput): Record<string, any> {
  const out = renderBootstrapData(input);
  assert.equal(out.format, 'cloud-config');
  assert.ok(out.value.startsWith('## template: jinja\n#cloud-config\n'), 'header');
  return YAML.parse(out.value) as Record<string, any>;
}

describe('cloud-config rendering', () => {
  test('init: certificates, spec files, kubeadm.yaml with both documents, placeholder; runcmd around kubeadm init', () => {
    const doc = cloudConfig({ mode: 'init', kubernetesVersion: 'v1.30.0', spec: SPEC, certificateFiles: CERT_FILES });
    const paths = doc.write_files.map((f: { path: string }) => f.path);
    assert.deepEqual(paths, ['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/ca.key', '/etc/motd', '/etc/b64', '/etc/motd', '/run/kubeadm/kubeadm.yaml', '/run/cluster-api/placeholder']);
    assert.deepEqual(doc.write_files[1], { path: '/etc/kubernetes/pki/ca.key', owner: 'root:root', permissions: '0600', content: CERT_FILES[1]!.content });
    assert.deepEqual(doc.write_files[3], { path: '/etc/b64', encoding: 'base64', content: Buffer.from('binary').toString('base64') });
    assert.equal(doc.write_files[4].append, true);
    const kubeadm = doc.write_files[5];
    assert.equal(kubeadm.owner, 'root:root');
    assert.equal(kubeadm.permissions, '0640');
    const docs = YAML.parseAllDocuments(kubeadm.content).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => d.kind), ['ClusterConfiguration', 'InitConfiguration']);
    assert.equal(docs[0].apiVersion, 'kubeadm.k8s.io/v1beta3');
    assert.deepEqual(docs[0].apiServer.extraArgs, { 'audit-log-maxage': '30' });
    assert.deepEqual(doc.bootcmd, ['echo boot']);
    assert.deepEqual(doc.runcmd, [
      'echo "pre 1"',
      'hostnamectl set-hostname "{{ ds.meta_data.local_hostname }}"',
      'kubeadm init --config /run/kubeadm/kubeadm.yaml --v 4 && echo success > /run/cluster-api/bootstrap-success.complete',
      'echo post',
    ]);
    assert.deepEqual(doc.ntp, { enabled: true, servers: ['0.pool.ntp.org', '1.pool.ntp.org'] });
    assert.deepEqual(doc.users, [{ name: 'ops', passwd: '$6$hash', groups: 'wheel, docker', lock_passwd: false, sudo: 'ALL=(ALL) NOPASSWD:ALL', ssh_authorized_keys: ['ssh-ed25519 AAAA ops'] }]);
    assert.deepEqual(doc.disk_setup, { '/dev/sdb': { table_type: 'gpt', layout: true, overwrite: false } });
    assert.deepEqual(doc.fs_setup, [{ label: 'etcd_disk', filesystem: 'ext4', device: '/dev/sdb1', extra_opts: ['-F'] }]);
    assert.deepEqual(doc.mounts, [['etcd_disk', '/var/lib/etcddisk', 'defaults']]);
  });

  test('control-plane join: certificates and kubeadm-join-config.yaml with a controlPlane section (v1beta4)', () => {
    const doc = cloudConfig({ mode: 'join-control-plane', kubernetesVersion: 'v1.31.1', spec: { ...SPEC, verbosity: undefined }, certificateFiles: CERT_FILES });
    const file = doc.write_files.find((f: { path: string }) => f.path === '/run/kubeadm/kubeadm-join-config.yaml');
    const join = YAML.parse(file.content);
    assert.equal(join.apiVersion, 'kubeadm.k8s.io/v1beta4');
    assert.equal(join.kind, 'JoinConfiguration');
    assert.deepEqual(join.controlPlane, { localAPIEndpoint: {} });
    assert.ok(doc.write_files.some((f: { path: string }) => f.path === '/etc/kubernetes/pki/ca.key'));
    assert.ok(!doc.write_files.some((f: { path: string }) => f.path === '/run/kubeadm/kubeadm.yaml'));
    assert.equal(doc.runcmd[2], 'kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml && echo success > /run/cluster-api/bootstrap-success.complete');
  });

  test('worker join: no certificates, join file starts with a document separator; retry join runs the script', () => {
    const doc = cloudConfig({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { joinConfiguration: SPEC.joinConfiguration, useExperimentalRetryJoin: true }, certificateFiles: CERT_FILES });
    assert.deepEqual(doc.write_files.map((f: { path: string }) => f.path), ['/usr/local/bin/kubeadm-bootstrap-script', '/run/kubeadm/kubeadm-join-config.yaml', '/run/cluster-api/placeholder']);
    assert.ok(doc.write_files[1].content.startsWith('---\n'));
    assert.match(doc.write_files[0].content, /kubeadm join --config \/run\/kubeadm\/kubeadm-join-config.yaml/);
    assert.equal(doc.write_files[0].permissions, '0755');
    assert.deepEqual(doc.runcmd, ['/usr/local/bin/kubeadm-bootstrap-script && echo success > /run/cluster-api/bootstrap-success.complete']);
    assert.equal(doc.users, undefined);
    assert.equal(doc.ntp, undefined);
    assert.equal(doc.bootcmd, undefined);
  });

  const pyyaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
  test('PyYAML (what cloud-init parses with) reads the same document; YAML 1.1 look-alikes stay strings', { skip: !pyyaml && 'python3 with PyYAML not installed' }, () => {
    const spec: KubeadmConfigSpec = { ...SPEC, preKubeadmCommands: ['yes', 'on', '1:20', '0644', 'no', '~'], users: [{ name: 'y', groups: 'no' }] };
    const value = renderBootstrapData({ mode: 'init', kubernetesVersion: 'v1.31.0', spec, certificateFiles: CERT_FILES }).value;
    const fromPython = JSON.parse(execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: value }).toString());
    assert.deepEqual(fromPython.runcmd.slice(0, 6), ['yes', 'on', '1:20', '0644', 'no', '~']);
    assert.deepEqual(fromPython.users, [{ name: 'y', groups: 'no' }]);
    assert.deepEqual(fromPython, YAML.parse(value, { version: '1.1' }));
  });

  test('errors: unresolved contentFrom / passwdFrom, a worker with joinConfiguration.controlPlane, old Kubernetes', () => {
    assert.throws(() => renderBootstrapData({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { files: [{ path: '/x', contentFrom: { secret: { name: 's', key: 'k' } } }] } }), /spec.files\[0\] \(\/x\): contentFrom must be resolved/);
    assert.throws(() => renderBootstrapData({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { users: [{ name: 'u', passwdFrom: { secret: { name: 's', key: 'k' } } }] } }), /spec.users\[0\] \(u\): passwdFrom must be resolved/);
    assert.throws(() => renderBootstrapData({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { joinConfiguration: { controlPlane: {} } } }), /joinConfiguration.controlPlane is set, but the Machine is a worker/);
    assert.throws(() => renderBootstrapData({ mode: 'init', kubernetesVersion: 'v1.20.0', spec: {} }), /v1.20.0 is not supported/);
  });
});

function ignition(input: BootstrapDataInput): { config: IgnitionConfig; file: (p: string) => { text: string; mode?: number; user?: string; group?: string; append?: boolean; compression?: string } | undefined; warnings: string[] } {
  const out = renderBootstrapData(input);
  assert.equal(out.format, 'ignition');
  const config = JSON.parse(out.value) as IgnitionConfig;
  return {
    config,
    warnings: out.warnings,
    file: (p) => {
      const f = config.storage.files.find((x) => x.path === p);
      if (!f) return undefined;
      const src = f.contents?.source ?? f.append?.[0]?.source ?? '';
      const m = /^data:;base64,(.*)$/.exec(src);
      assert.ok(m, `data URL for ${p}`);
      return { text: Buffer.from(m[1]!, 'base64').toString('utf8'), mode: f.mode, user: f.user?.name, group: f.group?.name, append: !!f.append, compression: f.contents?.compression };
    },
  };
}

describe('Ignition rendering', () => {
  test('init: v3 config with files, kubeadm.sh/kubeadm.yml, kubeadm.service, users, NTP, disks and mount units', () => {
    const { config, file } = ignition({ mode: 'init', kubernetesVersion: 'v1.31.0', spec: { ...SPEC, format: 'ignition' }, certificateFiles: CERT_FILES });
    assert.equal(config.ignition.version, '3.4.0');
    const key = file('/etc/kubernetes/pki/ca.key')!;
    assert.equal(key.mode, 0o600);
    assert.equal(key.user, 'root');
    assert.equal(key.group, 'root');
    assert.equal(key.text, CERT_FILES[1]!.content);
    assert.equal(file('/etc/b64')!.text, 'binary');
    assert.equal(file('/etc/sudoers.d/ops')!.text, 'ops ALL=(ALL) NOPASSWD:ALL\n');
    assert.match(file('/etc/ssh/sshd_config')!.text, /Match User ops\n {2}PasswordAuthentication yes/);
    const script = file('/etc/kubeadm.sh')!;
    assert.equal(script.mode, 0o700);
    assert.deepEqual(script.text.split('\n').filter(Boolean), [
      '#!/bin/bash',
      'set -e',
      'echo "pre 1"',
      'hostnamectl set-hostname "{{ ds.meta_data.local_hostname }}"',
      'kubeadm init --config /etc/kubeadm.yml --v 4',
      'mkdir -p /run/cluster-api && echo success > /run/cluster-api/bootstrap-success.complete',
      'mv /etc/kubeadm.yml /tmp/',
      'echo post',
    ]);
    const kubeadmYml = file('/etc/kubeadm.yml')!;
    assert.equal(kubeadmYml.mode, 0o600);
    assert.deepEqual(YAML.parseAllDocuments(kubeadmYml.text).map((d) => d.toJS().kind), ['ClusterConfiguration', 'InitConfiguration']);
    assert.match(file('/etc/ntp.conf')!.text, /server 0.pool.ntp.org\nserver 1.pool.ntp.org/);
    const units = Object.fromEntries(config.systemd.units.map((u) => [u.name, u]));
    assert.equal(units['kubeadm.service']!.enabled, true);
    assert.match(units['kubeadm.service']!.contents!, /ConditionPathExists=\/etc\/kubeadm.yml[\s\S]*Type=oneshot[\s\S]*ExecStart=\/bin\/bash \/etc\/kubeadm.sh/);
    assert.equal(units['ntpd.service']!.enabled, true);
    assert.match(units['var-lib-etcddisk.mount']!.contents!, /What=\/dev\/sdb1\nWhere=\/var\/lib\/etcddisk\nOptions=defaults/);
    assert.deepEqual(config.passwd?.users, [{ name: 'ops', groups: ['wheel', 'docker'], passwordHash: '$6$hash', sshAuthorizedKeys: ['ssh-ed25519 AAAA ops'] }]);
    assert.deepEqual(config.storage.disks, [{ device: '/dev/sdb', partitions: [{}] }]);
    assert.deepEqual(config.storage.filesystems, [{ device: '/dev/sdb1', format: 'ext4', wipeFilesystem: false, label: 'etcd_disk', options: ['-F'] }]);
    // The append file is an Ignition append, not an overwrite.
    const motd = config.storage.files.filter((f) => f.path === '/etc/motd');
    assert.equal(motd.length, 2);
    assert.ok(motd[1]!.append && !motd[1]!.contents);
    assert.equal(mountUnitName('/var/lib/etcd'), 'var-lib-etcd.mount');
  });

  test('worker join: join subcommand, no certificates; additionalConfig merges files and units', () => {
    const additionalConfig = [
      'storage:',
      '  files:',
      '    - path: /etc/kubeadm.sh',
      '      mode: 0700',
      '      contents:',
      '        inline: |',
      '          #!/bin/bash',
      '          echo replaced',
      '    - path: /etc/extra',
      '      contents:',
      '        inline: extra',
      'systemd:',
      '  units:',
      '    - name: kubeadm.service',
      '      dropins:',
      '        - name: 10-env.conf',
      '          contents: "[Service]\\nEnvironment=A=1\\n"',
      '    - name: docker.service',
      '      enabled: true',
      'unknownKey: 1',
    ].join('\n');
    const { config, file, warnings } = ignition({
      mode: 'join-worker',
      kubernetesVersion: 'v1.30.0',
      spec: { format: 'ignition', joinConfiguration: SPEC.joinConfiguration, ignition: { containerLinuxConfig: { additionalConfig } } },
      certificateFiles: CERT_FILES,
    });
    assert.equal(file('/etc/kubernetes/pki/ca.key'), undefined);
    assert.equal(file('/etc/kubeadm.sh')!.text, '#!/bin/bash\necho replaced\n');
    assert.equal(file('/etc/extra')!.text, 'extra');
    const kubeadmUnit = config.systemd.units.find((u) => u.name === 'kubeadm.service')!;
    assert.deepEqual(kubeadmUnit.dropins, [{ name: '10-env.conf', contents: '[Service]\nEnvironment=A=1\n' }]);
    assert.ok(kubeadmUnit.contents, 'generated contents kept');
    assert.ok(config.systemd.units.some((u) => u.name === 'docker.service' && u.enabled));
    assert.deepEqual(warnings, ['additionalConfig: unsupported top-level key "unknownKey" ignored']);
    assert.throws(
      () => renderBootstrapData({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { format: 'ignition', ignition: { containerLinuxConfig: { additionalConfig: 'bogus: 1', strict: true } } } }),
      /unsupported top-level key "bogus"/,
    );
  });

  test('worker join script runs kubeadm join', () => {
    const { file } = ignition({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { format: 'ignition', joinConfiguration: SPEC.joinConfiguration } });
    assert.match(file('/etc/kubeadm.sh')!.text, /\nkubeadm join --config \/etc\/kubeadm.yml\n/);
    const yml = YAML.parseAllDocuments(file('/etc/kubeadm.yml')!.text).map((d) => d.toJS());
    assert.equal(yml[0].kind, 'JoinConfiguration');
  });

  test('mounts naming an unknown filesystem label are errors', () => {
    assert.throws(
      () => renderBootstrapData({ mode: 'join-worker', kubernetesVersion: 'v1.30.0', spec: { format: 'ignition', mounts: [['nolabel', '/mnt']] } }),
      /mounts entry \["nolabel","\/mnt"\]: no diskSetup.filesystems entry has label "nolabel"/,
    );
  });
});
