/**
 * The fixture ClusterClasses rendered end to end with the Go template engine, asserted field by field:
 * enabledIf, valueFrom.template with sprig, builtins per template, overrides, defaults and patch order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../apimachinery/types.js';
import { parseDocuments } from './documents.js';
import { computeDesiredState, desiredObjects, goTemplateRenderer, isCluster, isClusterClass, PatchError, planTopology, seededRandom, validateClusterClass, type Cluster, type ClusterClass, type DesiredState } from './index.js';
import { applyPatches, patchEnabled, type PatchItem } from './patches.js';

const dir = fileURLToPath(new URL('../../test/fixtures/topology/', import.meta.url));
const load = (f: string): KubeObject[] => parseDocuments(readFileSync(dir + f, 'utf8'), f);

function get(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const seg of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v) && /^\d+$/.test(seg)) v = v[Number(seg)];
    else v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function setup(classFile: string, clusterFile: string): { cc: ClusterClass; templates: KubeObject[]; clusters: Cluster[] } {
  const docs = load(classFile);
  const cc = docs.find(isClusterClass) as ClusterClass;
  const templates = docs.filter((d) => !isClusterClass(d));
  const clusters = load(clusterFile).filter(isCluster) as Cluster[];
  return { cc, templates, clusters };
}

function files(cp: KubeObject, path = 'spec.kubeadmConfigSpec.files'): Map<string, Record<string, unknown>> {
  return new Map(((get(cp, path) as Record<string, unknown>[]) ?? []).map((f) => [f.path as string, f]));
}

describe('docker quick-start class', () => {
  const { cc, templates, clusters } = setup('docker-quick-start.yaml', 'docker-clusters.yaml');
  const [dev, minimal] = clusters;

  it('the class is valid (structure, variables, patches, templates parse)', () => {
    assert.deepEqual(validateClusterClass(cc), []);
    assert.equal(cc.spec?.variables?.length, 10);
    assert.equal(cc.spec?.patches?.length, 11);
  });

  const d = computeDesiredState(cc, dev!, templates, {}, { random: seededRandom(7) });
  const cp = d.controlPlane.object;

  it('enabledIf: enabled patches apply, disabled ones do not', () => {
    assert.equal(get(cp, 'spec.kubeadmConfigSpec.clusterConfiguration.imageRepository'), 'registry.example.com/k8s');
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.clusterConfiguration.etcd'), { local: { imageTag: '3.5.6-0' } });
    // coreDNSImageTag and kubeadmControlPlaneMaxSurge default to "" -> disabled.
    assert.equal(get(cp, 'spec.kubeadmConfigSpec.clusterConfiguration.dns'), undefined);
    assert.equal(get(cp, 'spec.rolloutStrategy'), undefined);
    // controlPlaneTaint: false -> `{{ not .controlPlaneTaint }}` renders true.
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.taints'), []);
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.joinConfiguration.nodeRegistration.taints'), []);
  });

  it('valueFrom.template renders YAML into objects; builtins per template', () => {
    assert.deepEqual(get(d.infrastructureCluster, 'spec.loadBalancer'), { imageRepository: 'kindest' });
    assert.equal(get(d.controlPlane.infrastructureMachineTemplate, 'spec.template.spec.customImage'), 'kindest/node:v1.25.4');
    for (const md of d.machineDeployments) {
      assert.equal(get(md.infrastructureMachineTemplate, 'spec.template.spec.customImage'), 'kindest/node:v1.25.4');
      assert.equal(get(md.bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs.node-labels'), `topology.example.com/pool=${md.topologyName},topology.example.com/cluster=dev`);
    }
  });

  it('MachineDeployment overrides replace the top-level value for that MachineDeployment only', () => {
    const [md0, md1] = d.machineDeployments;
    assert.equal(get(md0!.bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs.max-pods'), '110');
    assert.equal(get(md1!.bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs.max-pods'), '50');
  });

  it('nested defaults reach the templates; patches see the previous patch output', () => {
    const pss = files(cp).get('/etc/kubernetes/kube-apiserver-admission-pss.yaml');
    assert.ok(pss, 'admission file added');
    assert.match(String(pss.content), /enforce: "restricted"\n\s+audit: "restricted"\n\s+warn: "restricted"/);
    assert.equal(get(cp, 'spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs.admission-control-config-file'), '/etc/kubernetes/kube-apiserver-admission-pss.yaml');
    assert.deepEqual(
      d.cluster.spec?.topology?.variables?.map((v) => v.name),
      ['imageRepository', 'etcdImageTag', 'controlPlaneTaint', 'podSecurityStandard', 'workerKubeletExtraArgs', 'lbImageRepository', 'coreDNSImageTag', 'kubeadmControlPlaneMaxSurge'],
    );
  });

  it('a minimal Cluster gets every default', () => {
    const m = computeDesiredState(cc, minimal!, templates, {}, { random: seededRandom(7) });
    const mcp = m.controlPlane.object;
    assert.equal(get(mcp, 'spec.version'), 'v1.24.7');
    assert.equal(get(mcp, 'spec.replicas'), undefined);
    assert.equal(get(mcp, 'spec.kubeadmConfigSpec.clusterConfiguration.imageRepository'), undefined);
    assert.equal(get(mcp, 'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.taints'), undefined);
    assert.match(String(files(mcp).get('/etc/kubernetes/kube-apiserver-admission-pss.yaml')?.content), /enforce: "baseline"/);
    assert.equal(get(m.machineDeployments[0]!.bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs.max-pods'), undefined);
    assert.equal(get(m.machineDeployments[0]!.infrastructureMachineTemplate, 'spec.template.spec.customImage'), 'kindest/node:v1.24.7');
  });

  it('the same seed gives the same names; another seed, other names', () => {
    const a = desiredObjects(computeDesiredState(cc, dev!, templates, {}, { random: seededRandom(7) })).map((o) => o.metadata?.name);
    const b = desiredObjects(computeDesiredState(cc, dev!, templates, {}, { random: seededRandom(7) })).map((o) => o.metadata?.name);
    const c = desiredObjects(computeDesiredState(cc, dev!, templates, {}, { random: seededRandom(8) })).map((o) => o.metadata?.name);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const n of a.slice(1)) assert.match(n!, /^dev-(md-[01]-)?[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('vSphere-style class', () => {
  const { cc, templates, clusters } = setup('vsphere-class.yaml', 'vsphere-clusters.yaml');
  const [prod, edge] = clusters;

  it('is valid and has 30+ variables and 30+ patches over 3 MachineDeployment classes', () => {
    assert.deepEqual(validateClusterClass(cc), []);
    assert.ok(cc.spec!.variables!.length >= 30);
    assert.ok(cc.spec!.patches!.length >= 30);
    assert.equal(cc.spec!.workers!.machineDeployments!.length, 3);
  });

  const d: DesiredState = computeDesiredState(cc, prod!, templates, {}, { random: seededRandom(3) });
  const cp = d.controlPlane.object;
  const md = (name: string) => d.machineDeployments.find((m) => m.topologyName === name)!;

  it('infrastructure cluster: vcenter, endpoint from two variables, identity from builtin.cluster.name', () => {
    assert.deepEqual(d.infrastructureCluster.spec, {
      server: 'vcenter.example.com',
      thumbprint: 'AB:CD:EF:01',
      identityRef: { kind: 'Secret', name: 'prod-1-vsphere-credentials' },
      controlPlaneEndpoint: { host: '10.0.0.10', port: 6443 },
    });
  });

  it('machines: vcenter placement, OS image from builtins, sizes, IPAM pools, nameservers', () => {
    const cpm = d.controlPlane.infrastructureMachineTemplate!;
    assert.equal(get(cpm, 'spec.template.spec.template'), '/dc0/vm/photon-3-kube-v1.24.9+vmware.1');
    assert.equal(get(cpm, 'spec.template.spec.numCPUs'), 2);
    assert.equal(get(cpm, 'spec.template.spec.memoryMiB'), 8192);
    assert.equal(get(cpm, 'spec.template.spec.storagePolicyName'), 'tkg-gold');
    assert.deepEqual(get(cpm, 'spec.template.spec.network.devices'), [
      {
        networkName: '/dc0/network/VM Network',
        dhcp4: false,
        nameservers: ['10.0.0.2', '10.0.0.3'],
        searchDomains: ['corp.example.com'],
        addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'prod-pool' }],
      },
    ]);
    assert.deepEqual(get(md('gpu').infrastructureMachineTemplate, 'spec.template.spec.pciDevices'), [{ deviceId: 7864, vendorId: 4318 }]);
    assert.equal(get(md('gpu').infrastructureMachineTemplate, 'spec.template.spec.numCPUs'), 8, 'override of `worker` for gpu');
    assert.equal(get(md('md-0').infrastructureMachineTemplate, 'spec.template.spec.numCPUs'), 2);
    assert.equal(get(md('md-0').infrastructureMachineTemplate, 'spec.template.spec.pciDevices'), undefined, '*-gpu selector');
    assert.equal(get(md('large').infrastructureMachineTemplate, 'spec.template.spec.numCPUs'), 8, 'sprig max');
    assert.equal(get(md('large').infrastructureMachineTemplate, 'spec.template.spec.memoryMiB'), 32768);
    assert.deepEqual(get(md('md-0').infrastructureMachineTemplate, 'spec.template.spec.additionalDisksGiB'), [50]);
  });

  it('control plane: merged extra args (user wins), cert rotation, PSS, audit, trust, proxy, NTP, users', () => {
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs'), {
      'cloud-provider': 'vsphere-legacy',
      'tls-cipher-suites': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'tls-min-version': 'VersionTLS12',
      'admission-control-config-file': '/etc/kubernetes/admission-control-config.yaml',
      'audit-log-path': '/var/log/kubernetes/audit.log',
      'audit-policy-file': '/etc/kubernetes/audit-policy.yaml',
      'audit-log-maxage': '30',
      'enable-admission-plugins': 'NodeRestriction,EventRateLimit',
      'encryption-provider-config': '/etc/kubernetes/encryption-config.yaml',
    });
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.clusterConfiguration.apiServer.certSANs'), ['10.0.0.10', 'localhost', 'prod-1.example.com']);
    assert.deepEqual(get(cp, 'spec.rolloutBefore'), { certificatesExpiryDays: 30 });
    assert.equal(get(cp, 'spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.kubeletExtraArgs.max-pods'), '80', 'control plane override');
    const f = files(cp);
    assert.deepEqual([...f.keys()], [
      '/etc/kubernetes/admission-control-config.yaml',
      '/etc/kubernetes/audit-policy.yaml',
      '/etc/kubernetes/eventratelimit-config.yaml',
      '/etc/kubernetes/encryption-config.yaml',
      '/etc/kubernetes/manifests/kube-vip.yaml',
      '/etc/tkg/cni',
      '/etc/systemd/system/containerd.service.d/http-proxy.conf',
      '/etc/ssl/certs/tkg-custom-ca.pem',
    ]);
    assert.match(String(f.get('/etc/kubernetes/admission-control-config.yaml')!.content), /namespaces: \["kube-system","tkg-system","monitoring"\]/);
    assert.match(String(f.get('/etc/kubernetes/eventratelimit-config.yaml')!.content), /^apiVersion: eventratelimit.admission.k8s.io\/v1alpha1\n/);
    assert.equal(f.get('/etc/tkg/cni')!.content, 'ANTREA');
    assert.match(String(f.get('/etc/systemd/system/containerd.service.d/http-proxy.conf')!.content), /NO_PROXY=\.example\.com,10\.0\.0\.0\/8,100\.96\.0\.0\/11,100\.64\.0\.0\/13,cluster\.local\.svc,localhost,127\.0\.0\.1"/);
    assert.equal(f.get('/etc/ssl/certs/tkg-custom-ca.pem')!.content, '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUExampleRootCAforSlipwayTests\n-----END CERTIFICATE-----\n');
    assert.match(String(f.get('/etc/kubernetes/manifests/kube-vip.yaml')!.content), /image: harbor\.example\.com\/tkg\/kube-vip:v0\.5\.7/);
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.ntp'), { enabled: true, servers: ['time1.example.com', 'time2.example.com'] });
    assert.deepEqual(get(cp, 'spec.kubeadmConfigSpec.users.0.sshAuthorizedKeys'), ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin@example.com']);
    assert.equal(get(cp, 'spec.version'), 'v1.24.9+vmware.1');
    assert.equal(get(cp, 'spec.replicas'), 3);
  });

  it('workers: kubelet args with labels from overrides, taints, GPU driver, builtins of each MachineDeployment', () => {
    assert.deepEqual(get(md('md-0').bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs'), {
      'cloud-provider': 'external',
      'tls-cipher-suites': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'system-reserved': 'cpu=500m,memory=1Gi',
      'node-labels': 'node-pool=md-0,workload=general',
      'max-pods': '110',
    });
    assert.deepEqual(get(md('gpu').bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.taints'), [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    assert.equal(get(md('md-0').bootstrapTemplate, 'spec.template.spec.joinConfiguration.nodeRegistration.taints'), undefined);
    assert.deepEqual(get(md('gpu').bootstrapTemplate, 'spec.template.spec.postKubeadmCommands'), ['/usr/local/bin/install-gpu-driver.sh']);
    assert.deepEqual(get(md('large').bootstrapTemplate, 'spec.template.spec.postKubeadmCommands'), []);
    const info = files(md('gpu').bootstrapTemplate, 'spec.template.spec.files').get('/etc/tkg/node-info');
    assert.equal(info?.content, `cluster=prod-1 pool=gpu class=tkg-worker-gpu version=v1.24.9+vmware.1 replicas=2`);
    const tdnf = files(md('md-0').bootstrapTemplate, 'spec.template.spec.files').get('/etc/pki/tls/certs/tdnf.crt');
    assert.equal(tdnf?.content, 'tdnf-ca\n', 'photon + customTDNFRepository');
    assert.equal(get(md('large').object, 'spec.template.spec.failureDomain'), 'zone-b', 'class failure domain');
    assert.equal(get(md('gpu').object, 'spec.template.spec.failureDomain'), 'zone-a', 'topology failure domain');
    assert.equal(md('large').machineHealthCheck, undefined);
    assert.ok(md('md-0').machineHealthCheck);
    assert.equal(md('gpu').machineHealthCheck, undefined, 'the gpu class defines no health check');
  });

  it('a minimal Cluster: defaults only; optional patches stay off', () => {
    const e = computeDesiredState(cc, edge!, templates, {}, { random: seededRandom(3) });
    const ecp = e.controlPlane.object;
    assert.deepEqual([...files(ecp).keys()], ['/etc/kubernetes/admission-control-config.yaml', '/etc/kubernetes/manifests/kube-vip.yaml', '/etc/tkg/cni']);
    assert.deepEqual(get(ecp, 'spec.rolloutBefore'), { certificatesExpiryDays: 90 });
    assert.equal(get(ecp, 'spec.kubeadmConfigSpec.users'), undefined);
    assert.equal(get(e.controlPlane.infrastructureMachineTemplate, 'spec.template.spec.template'), '/edge/vm/ubuntu-2004-kube-v1.24.9+vmware.1');
    assert.deepEqual(get(e.controlPlane.infrastructureMachineTemplate, 'spec.template.spec.network.devices'), [{ networkName: '/edge/network/edge-net', dhcp4: true }]);
  });

  it('CEL rules of the class run on Cluster values (messageExpression, transition rules)', () => {
    const bad: Cluster = JSON.parse(JSON.stringify(edge));
    bad.spec!.topology!.variables!.push({ name: 'controlPlaneCertificateRotation', value: { daysBefore: 150 } });
    const r = planTopology([cc, ...templates, bad], { random: seededRandom(1) });
    assert.deepEqual(r.errors, [
      'Cluster default/edge-1: spec.topology.variables[controlPlaneCertificateRotation].value: Invalid value: "{\\"activate\\":true,\\"daysBefore\\":150}": daysBefore may be at most 120 while rotation is active, got 150',
    ]);
    const old: Cluster = JSON.parse(JSON.stringify(edge));
    old.spec!.topology!.variables!.push({ name: 'network', value: { ipv6Primary: false } });
    const flipped: Cluster = JSON.parse(JSON.stringify(edge));
    flipped.spec!.topology!.variables!.push({ name: 'network', value: { ipv6Primary: true } });
    assert.throws(() => computeDesiredState(cc, flipped, templates, {}, { oldCluster: old, random: seededRandom(1) }), /spec\.topology\.variables\[network\]\.value\.ipv6Primary: Invalid value: .*ipv6Primary is immutable/);
  });
});

describe('enabledIf and template errors', () => {
  const renderer = goTemplateRenderer();
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['{{ .on }}', { on: true }, true],
    ['{{ .on }}', { on: false }, false],
    ['true', {}, true],
    [' true ', {}, true],
    ['{{ if .x }}true{{ end }}', {}, false],
    ['{{ .missing }}', {}, false],
    ['"true"', {}, false],
    ['1', {}, false],
    ['{{ eq .builtin.cluster.name "c1" }}', { builtin: { cluster: { name: 'c1' } } }, true],
    ['{{ semverCompare ">=1.25.0" .v }}', { v: 'v1.25.4' }, true],
    ['{{ semverCompare ">=1.26.0" .v }}', { v: 'v1.25.4' }, false],
  ];
  for (const [tpl, vars, want] of cases) it(`${tpl} with ${JSON.stringify(vars)} -> ${want}`, () => assert.equal(patchEnabled(renderer, tpl, vars), want));

  it('execution errors read like Go and name the patch', () => {
    const item: PatchItem = { role: 'infrastructureCluster', object: { apiVersion: 'a/v1', kind: 'T', metadata: { name: 't' }, spec: { template: { spec: {} } } }, variables: {} };
    const sel = { apiVersion: 'a/v1', kind: 'T', matchResources: { infrastructureCluster: true } };
    assert.throws(
      () => applyPatches([{ name: 'p', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/x', valueFrom: { template: '{{ .a.b }}' } }] }] }], [item], { a: null }, renderer),
      (e: unknown) =>
        e instanceof PatchError &&
        e.field === 'spec.patches[p].definitions[0].jsonPatches[0]' &&
        e.message.startsWith('patch "p" definitions[0].jsonPatches[0] (add /spec/template/spec/x) on T "t": failed to calculate value for template: template: tpl:1:5: executing "tpl" at <.a.b>: nil pointer evaluating interface {}.b'),
    );
    assert.throws(
      () => applyPatches([{ name: 'q', enabledIf: '{{ index .list 5 }}', definitions: [{ selector: sel, jsonPatches: [] }] }], [item], { list: [] }, renderer),
      (e: unknown) => e instanceof PatchError && e.field === 'spec.patches[q].enabledIf' && /failed to calculate value for enabledIf: template: tpl:1:3: executing "tpl" at <index .list 5>: error calling index: index out of range: 5/.test(e.message),
    );
  });

  it('class validation rejects templates that do not parse', () => {
    const docs = load('docker-quick-start.yaml');
    const cc = JSON.parse(JSON.stringify(docs.find(isClusterClass))) as ClusterClass;
    cc.spec!.patches![1]!.enabledIf = '{{ ne .imageRepository "" ';
    cc.spec!.patches![0]!.definitions![0]!.jsonPatches![0]!.valueFrom!.template = '{{ .x | nosuchfunc }}';
    const got = validateClusterClass(cc).map((c) => `${c.field}: ${c.message}`);
    assert.equal(got.length, 2, got.join('\n'));
    assert.match(got[0]!, /^spec\.patches\[0\]\.definitions\[0\]\.jsonPatches\[0\]\.valueFrom\.template: Invalid value: .*template can not be parsed: template: valueFrom\.template:1: function "nosuchfunc" not defined$/);
    assert.match(got[1]!, /^spec\.patches\[1\]\.enabledIf: Invalid value: .*template can not be parsed: template: enabledIf:1: /);
  });
});
