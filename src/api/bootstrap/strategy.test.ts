/** KubeadmConfig(Template) defaulting and validation through a real ObjectStore, with cases from upstream's tests. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { clusterApiStore, refusal, type ClusterApiStore } from '../cluster-api-store.test-util.js';

const V = 'bootstrap.cluster.x-k8s.io/v1beta1';
let s: ClusterApiStore;
let seq = 0;

before(async () => {
  s = await clusterApiStore();
});
after(async () => {
  await s.close();
});

type Spec = Record<string, any>;
const config = (spec: Spec): KubeObject => ({ apiVersion: V, kind: 'KubeadmConfig', metadata: { name: `kc-${++seq}`, namespace: 'default' }, spec });
const template = (spec: Spec, metadata: Spec = {}): KubeObject => ({ apiVersion: V, kind: 'KubeadmConfigTemplate', metadata: { name: `kct-${++seq}`, namespace: 'default' }, spec: { template: { metadata, spec } } });
const secretRef = (secret: Spec) => ({ secret });

describe('KubeadmConfig', () => {
  test('defaults: format cloud-config, image pull policy, exec credential API version', async () => {
    const c = await s.create(
      config({
        initConfiguration: { nodeRegistration: {} },
        joinConfiguration: { discovery: { file: { kubeConfigPath: '/k', kubeConfig: { user: { exec: { command: 'get-token' } } } } } },
      }),
    );
    const sp = c.spec as Spec;
    assert.equal(sp.format, 'cloud-config');
    assert.equal(sp.initConfiguration.nodeRegistration.imagePullPolicy, 'IfNotPresent');
    assert.equal(sp.joinConfiguration.nodeRegistration.imagePullPolicy, 'IfNotPresent');
    assert.equal(sp.joinConfiguration.discovery.file.kubeConfig.user.exec.apiVersion, 'client.authentication.k8s.io/v1');
  });

  test('an empty spec is accepted and defaulted', async () => {
    const c = await s.create({ apiVersion: V, kind: 'KubeadmConfig', metadata: { name: `kc-${++seq}`, namespace: 'default' } });
    assert.deepEqual(c.spec, { format: 'cloud-config' });
  });

  for (const [name, spec, want] of [
    ['content and contentFrom', { files: [{ path: '/a', content: 'x', contentFrom: secretRef({ name: 's', key: 'k' }) }] }, 'spec.files[0]: Invalid value: "object": only one of content or contentFrom may be specified for a single file'],
    ['contentFrom without name', { files: [{ path: '/a', contentFrom: secretRef({ key: 'k' }) }] }, 'spec.files[0].contentFrom.secret.name: Required value: secret file source must specify non-empty secret name'],
    ['contentFrom without key', { files: [{ path: '/a', contentFrom: secretRef({ name: 's' }) }] }, 'spec.files[0].contentFrom.secret.key: Required value: secret file source must specify non-empty secret key'],
    ['duplicate file path', { files: [{ path: '/a', content: 'x' }, { path: '/a', content: 'y' }] }, 'spec.files[1].path: Invalid value: "object": path property must be unique among all files'],
    ['passwd and passwdFrom', { users: [{ name: 'u', passwd: 'p', passwdFrom: secretRef({ name: 's', key: 'k' }) }] }, 'spec.users[0]: Invalid value: "object": only one of passwd or passwdFrom may be specified for a single user'],
    ['passwdFrom without key', { users: [{ name: 'u', passwdFrom: secretRef({ name: 's' }) }] }, 'spec.users[0].passwdFrom.secret.key: Required value: secret file source must specify non-empty secret key'],
    ['ignition settings without the ignition format', { ignition: { containerLinuxConfig: {} } }, 'spec.format: Invalid value: "cloud-config": must be set to "ignition" if spec.ignition is set'],
    ['ignition with an inactive user', { format: 'ignition', users: [{ name: 'u', inactive: true }] }, 'spec.users[0].inactive: Forbidden: not supported when spec.format is set to: "ignition"'],
    ['ignition with an mbr partition', { format: 'ignition', diskSetup: { partitions: [{ device: '/dev/sdb', layout: true, tableType: 'mbr' }] } }, 'spec.diskSetup.partitions[0].tableType: Invalid value: "mbr": only partition type "gpt" is supported when spec.format is set to "ignition"'],
    ['ignition with experimental retry join', { format: 'ignition', useExperimentalRetryJoin: true }, 'spec.useExperimentalRetryJoin: Forbidden'],
    ['ignition with replaceFS', { format: 'ignition', diskSetup: { filesystems: [{ device: '/dev/sdb1', filesystem: 'ext4', replaceFS: 'ntfs' }] } }, 'spec.diskSetup.filesystems[0].replaceFS: Forbidden'],
    ['ignition with a filesystem partition', { format: 'ignition', diskSetup: { filesystems: [{ device: '/dev/sdb1', filesystem: 'ext4', partition: 'auto' }] } }, 'spec.diskSetup.filesystems[0].partition: Forbidden'],
    ['ignition with gzip+base64', { format: 'ignition', files: [{ path: '/a', content: 'x', encoding: 'gzip+base64' }] }, 'spec.files[0].encoding: Forbidden'],
    ['ignition with bootCommands', { format: 'ignition', bootCommands: ['echo'] }, 'spec.bootCommands: Forbidden: not supported when spec.format is set to: "ignition"'],
    ['unknown format', { format: 'yaml' }, 'spec.format: Unsupported value: "yaml"'],
    ['discovery kubeconfig without a credential', { joinConfiguration: { discovery: { file: { kubeConfigPath: '/k', kubeConfig: { user: {} } } } } }, 'spec.joinConfiguration.discovery.file.kubeconfig.user: Invalid value: "object": at least one of authProvider or exec must be defined'],
    ['bootstrap token ttl', { initConfiguration: { bootstrapTokens: [{ token: 'abcdef.0123456789abcdef', ttl: 'one day' }] } }, 'spec.initConfiguration.bootstrapTokens[0].ttl: Invalid value: "one day": time: invalid duration'],
    ['partition type', { diskSetup: { partitions: [{ device: '/dev/sdb', layout: true, diskLayout: [{ percentage: 50, partitionType: 'Ext4' }] }] } }, 'partitionType must be one of Linux'],
  ] as const) {
    test(`refused: ${name}`, async () => {
      const obj = config(spec as Spec);
      const causes = await refusal(() => s.create(obj));
      assert.ok(causes.some((c) => c.includes(want)), `no cause with ${JSON.stringify(want)} in ${JSON.stringify(causes)}`);
      await assert.rejects(s.get(V, 'KubeadmConfig', obj.metadata!.name!), /not found/);
    });
  }

  test('accepted: bootCommands with cloud-config, ignition with gpt and plain files', async () => {
    await s.create(config({ bootCommands: ['echo hi'] }));
    await s.create(config({ format: 'ignition', files: [{ path: '/a', content: 'x', encoding: 'base64' }], diskSetup: { partitions: [{ device: '/dev/sdb', layout: true, tableType: 'gpt', diskLayout: [{ percentage: 100, partitionType: 'LinuxSwap' }] }] } }));
  });
});

describe('KubeadmConfigTemplate', () => {
  test('defaults the template spec; validates the template spec and metadata', async () => {
    const t = await s.create(template({}));
    assert.equal((t.spec as Spec).template.spec.format, 'cloud-config');
    const causes = await refusal(() => s.create(template({ users: [{ name: 'u', passwd: 'p', passwdFrom: secretRef({ name: 's', key: 'k' }) }] }, { labels: { '-bad': 'x' } })));
    assert.deepEqual(causes.sort(), [
      'spec.template.metadata.labels: Invalid value: "-bad": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
      'spec.template.spec.users[0]: Invalid value: "object": only one of passwd or passwdFrom may be specified for a single user',
    ]);
  });
});
