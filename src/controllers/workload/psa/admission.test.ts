import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/types.js';
import { StatusError } from '../../../apimachinery/errors.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import {
  admissionFiles,
  buildApiServerFilesConfigMap,
  flagValue,
  nodeFileKey,
  podSecurityFromAdmissionConfiguration,
  readWorkloadPodSecurityConfig,
  objectStoreStateReader,
  workloadPodSecurityAdmission,
  type WorkloadPodSecurityAdmission,
} from './index.js';
import type { PsaAuditRecord } from '../../../psa/index.js';

/** Upstream's message for a privileged container under restricted (checks in ID order). */
const VIOLATIONS =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), privileged (container "c" must not set securityContext.privileged=true), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
const CONFIG_PATH = '/etc/kubernetes/admission-control-config.yaml';

/** The file the default ClusterClass renders for podSecurityStandard (enforce/warn/audit as given). */
function admissionConfig(defaults: Record<string, string>, exemptNamespaces: string[] = ['kube-system']): string {
  const lines = Object.entries(defaults).map(([k, v]) => `      ${k}: "${v}"`);
  return [
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: AdmissionConfiguration',
    'plugins:',
    '- name: PodSecurity',
    '  configuration:',
    '    apiVersion: pod-security.admission.config.k8s.io/v1',
    '    kind: PodSecurityConfiguration',
    '    defaults:',
    ...lines,
    '    exemptions:',
    '      usernames: []',
    '      runtimeClasses: []',
    `      namespaces: ${JSON.stringify(exemptNamespaces)}`,
    '',
  ].join('\n');
}

/** What the sim's kubeadm init leaves: a Node, its kube-apiserver static Pod with the flag, and the published files. */
async function controlPlane(env: WorkloadEnv, files: { path: string; content: string }[], flag = true): Promise<void> {
  const node = await env.addNode('cp-0');
  await env.client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-apiserver-cp-0', namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' } },
    spec: { nodeName: 'cp-0', containers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.31.2', command: ['kube-apiserver', '--allow-privileged=true', ...(flag ? [`--admission-control-config-file=${CONFIG_PATH}`] : [])] }] },
  });
  const cm = buildApiServerFilesConfigMap(node, flag ? { 'admission-control-config-file': CONFIG_PATH } : {}, files);
  if (cm) await env.client.create(cm);
}

const privilegedPod = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
});

const restrictedPod = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  },
});

async function withPsa(defaults: Record<string, string>, exempt?: string[]): Promise<{ env: WorkloadEnv; plugin: WorkloadPodSecurityAdmission; audits: PsaAuditRecord[] }> {
  const audits: PsaAuditRecord[] = [];
  let plugin: WorkloadPodSecurityAdmission | undefined;
  // Wired as the plane wires it: one plugin per cluster, made with the cluster's store.
  const env = await startWorkloadEnv([], { admission: (_ref, objects) => [(plugin = workloadPodSecurityAdmission({ objects, cacheMs: 0, onAudit: (r) => audits.push(r) }))] });
  await controlPlane(env, [{ path: CONFIG_PATH, content: admissionConfig(defaults, exempt) }, { path: '/etc/other', content: 'x' }]);
  return { env, plugin: plugin!, audits };
}


async function createPod(env: WorkloadEnv, pod: KubeObject): Promise<{ warnings: string[] }> {
  const info = env.objects.registry.get('', 'v1', 'pods')!;
  const r = await env.objects.create(info, pod.metadata!.namespace, pod, {});
  return { warnings: r.warnings };
}

test('restricted cluster: a privileged Pod is refused with upstream\'s message; a restricted one passes', async () => {
  const { env, plugin, audits } = await withPsa({ enforce: 'restricted', 'enforce-version': 'latest', audit: 'restricted', 'audit-version': 'latest' });
  try {
    assert.equal((await plugin.current()).source, `${CONFIG_PATH} on cp-0`);
    await assert.rejects(createPod(env, privilegedPod('priv', 'default')), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 403);
      assert.equal(e.message, `pods "priv" is forbidden: violates PodSecurity "restricted:latest": ${VIOLATIONS}`);
      return true;
    });
    assert.equal(audits.at(-1)?.annotations['pod-security.kubernetes.io/enforce-policy'], 'restricted:latest');
    assert.match(audits.at(-1)?.annotations['pod-security.kubernetes.io/audit-violations'] ?? '', /^would violate PodSecurity "restricted:latest"/);
    const ok = await createPod(env, restrictedPod('fine', 'default'));
    assert.deepEqual(ok.warnings, []);
    // Through the cluster's client too.
    await assert.rejects(env.client.create(privilegedPod('priv2', 'default')), /violates PodSecurity "restricted:latest"/);
  } finally {
    await env.close();
  }
});

test('warn mode: allowed with upstream\'s warning; workloads warn but are never refused', async () => {
  const { env } = await withPsa({ warn: 'restricted', 'warn-version': 'latest' });
  try {
    const r = await createPod(env, privilegedPod('priv', 'default'));
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0], `would violate PodSecurity "restricted:latest": ${VIOLATIONS}`);
    const info = env.objects.registry.get('apps', 'v1', 'deployments')!;
    const d = await env.objects.create(info, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: privilegedPod('x', 'default').spec } },
    });
    assert.match(d.warnings.join('\n'), /would violate PodSecurity "restricted:latest"/);
  } finally {
    await env.close();
  }
});

test('namespace labels override the cluster defaults; exempt namespaces are allowed', async () => {
  const { env } = await withPsa({ enforce: 'restricted', 'enforce-version': 'latest' }, ['kube-system', 'trusted']);
  try {
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'loose', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    await createPod(env, privilegedPod('p1', 'loose'));
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'trusted' } });
    await createPod(env, privilegedPod('p2', 'trusted'));
    await createPod(env, privilegedPod('p3', 'kube-system'));
    // A baseline namespace in a restricted cluster: a restricted violation that baseline allows passes.
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mid', labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' } } });
    const r = await createPod(env, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'mid' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    assert.match(r.warnings.join(''), /would violate PodSecurity "restricted:latest"/);
    await assert.rejects(createPod(env, privilegedPod('p4', 'mid')), /violates PodSecurity "baseline:latest": privileged/);
    // Invalid labels on a namespace are refused.
    await assert.rejects(env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } }), /must be one of privileged, baseline, restricted/);
  } finally {
    await env.close();
  }
});

test('no admission configuration flag: upstream defaults (privileged), namespace labels still apply', async () => {
  const env = await startWorkloadEnv([]);
  try {
    await controlPlane(env, [{ path: CONFIG_PATH, content: admissionConfig({ enforce: 'restricted' }) }], false);
    const plugin = workloadPodSecurityAdmission({ objects: env.objects, cacheMs: 0 });
    env.objects.admission.push(plugin);
    assert.equal((await plugin.current()).source, 'defaults');
    await createPod(env, privilegedPod('p', 'default'));
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'strict', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    await assert.rejects(createPod(env, privilegedPod('p', 'strict')), /violates PodSecurity "restricted:latest"/);
  } finally {
    await env.close();
  }
});

test('pure: flags, file keys, referenced plugin files and PodSecurity configuration by path', () => {
  assert.equal(flagValue(['kube-apiserver', '--admission-control-config-file=/a/b.yaml'], 'admission-control-config-file'), '/a/b.yaml');
  assert.equal(flagValue(['kube-apiserver', '--admission-control-config-file', '/a/c.yaml'], 'admission-control-config-file'), '/a/c.yaml');
  assert.equal(flagValue(['kube-apiserver'], 'admission-control-config-file'), undefined);
  assert.equal(nodeFileKey('/etc/kubernetes/admission-control-config.yaml'), 'etc_kubernetes_admission-control-config.yaml');
  const main = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: psa.yaml\n- name: EventRateLimit\n  path: /etc/kubernetes/eventratelimit-config.yaml\n';
  const psa = 'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: baseline\nexemptions:\n  namespaces: [ops]\n';
  const files = [
    { path: CONFIG_PATH, content: main },
    { path: '/etc/kubernetes/psa.yaml', content: psa },
    { path: '/etc/kubernetes/eventratelimit-config.yaml', content: 'x' },
    { path: '/etc/kubernetes/pki/ca.key', content: 'secret' },
  ];
  assert.deepEqual(admissionFiles(CONFIG_PATH, files).map((f) => f.path), [CONFIG_PATH, '/etc/kubernetes/psa.yaml', '/etc/kubernetes/eventratelimit-config.yaml']);
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const cfg = podSecurityFromAdmissionConfiguration(main, CONFIG_PATH, (p) => byPath.get(p));
  assert.equal(cfg?.defaults.enforce.level, 'baseline');
  assert.deepEqual(cfg?.exemptions.namespaces, ['ops']);
  assert.equal(podSecurityFromAdmissionConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n', CONFIG_PATH, () => undefined), undefined);
  assert.throws(() => podSecurityFromAdmissionConfiguration(main, CONFIG_PATH, () => undefined), /no such file/);
  assert.throws(() => podSecurityFromAdmissionConfiguration('kind: Other\n', CONFIG_PATH, () => undefined), /not an AdmissionConfiguration/);
  assert.throws(() => podSecurityFromAdmissionConfiguration(admissionConfig({ enforce: 'strict' }), CONFIG_PATH, () => undefined), /defaults.enforce/);
});

test('readWorkloadPodSecurityConfig: an invalid file is an error; the plugin then falls back to defaults and reports it', async () => {
  const env = await startWorkloadEnv([]);
  try {
    await controlPlane(env, [{ path: CONFIG_PATH, content: admissionConfig({ enforce: 'strict' }) }]);
    await assert.rejects(readWorkloadPodSecurityConfig(objectStoreStateReader(env.objects)), /defaults.enforce/);
    const errors: Error[] = [];
    const plugin = workloadPodSecurityAdmission({ objects: env.objects, onConfigError: (e) => errors.push(e) });
    assert.equal((await plugin.current()).source, 'defaults');
    assert.equal(errors.length, 1);
  } finally {
    await env.close();
  }
});

test('a cached configuration is read again as soon as the API server\'s Pod or files are written', async () => {
  const env = await startWorkloadEnv([], { admission: (_ref, objects) => [workloadPodSecurityAdmission({ objects })] });
  try {
    await createPod(env, privilegedPod('before', 'default'));
    await controlPlane(env, [{ path: CONFIG_PATH, content: admissionConfig({ enforce: 'restricted', 'enforce-version': 'latest' }) }]);
    await assert.rejects(createPod(env, privilegedPod('after', 'default')), /violates PodSecurity "restricted:latest"/);
  } finally {
    await env.close();
  }
});
