/**
 * The shipped default class through the ClusterClass engine: it validates, every variable has a visible effect in the
 * rendered objects (one table row per variable; a variable without a row fails the test), Windows workers render
 * with the Windows settings, and template names follow content.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import { computeDesiredState, seededRandom, validateClusterClass, type Cluster, type ClusterVariable, type DesiredState } from '../topology/index.js';
import YAML from 'yaml';
import { loadDefaultClass, shipClass, templateContentHash } from './default-class.js';

const shipped = loadDefaultClass();
type Obj = Record<string, any>;

function render(variables: ClusterVariable[], overrides: { md?: ClusterVariable[] } = {}): DesiredState {
  const cluster: Cluster = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'c1', namespace: 'default' },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] }, serviceDomain: 'cluster.local' },
      topology: {
        class: 'slipway-default',
        version: 'v1.30.2',
        controlPlane: { replicas: 1 },
        workers: {
          machineDeployments: [
            { class: 'linux', name: 'md-0', replicas: 1, ...(overrides.md ? { variables: { overrides: overrides.md } } : {}) },
            { class: 'windows', name: 'win', replicas: 1 },
          ],
        },
        variables,
      },
    },
  };
  return computeDesiredState(shipped.clusterClass, cluster, shipped.templates, {}, { random: seededRandom(7) });
}

const kcp = (ds: DesiredState): Obj => (ds.controlPlane.object.spec as Obj).kubeadmConfigSpec;
const apiServerArgs = (ds: DesiredState): Record<string, string> => kcp(ds).clusterConfiguration.apiServer.extraArgs;
const md = (ds: DesiredState, cls: 'linux' | 'windows'): { boot: Obj; machine: Obj } => {
  const d = ds.machineDeployments.find((m) => m.class === cls)!;
  return { boot: (d.bootstrapTemplate.spec as Obj).template.spec, machine: (d.infrastructureMachineTemplate.spec as Obj).template.spec };
};
const cpMachine = (ds: DesiredState): Obj => (ds.controlPlane.infrastructureMachineTemplate!.spec as Obj).template.spec;
const files = (spec: Obj): Map<string, string> => new Map((spec.files as { path: string; content: string }[]).map((f) => [f.path, f.content]));
const labels = (args: Record<string, string>): string[] => (args['node-labels'] ?? '').split(',');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const CA = '-----BEGIN CERTIFICATE-----\nMIIBexampleCA\n-----END CERTIFICATE-----\n';
const RATE = 'apiVersion: eventratelimit.admission.k8s.io/v1alpha1\nkind: Configuration\nlimits:\n- type: Namespace\n  qps: 50\n  burst: 100\n';

interface Row {
  variable: string;
  value?: unknown;
  /** Set as a MachineDeployment override of pool md-0 instead of on the Cluster. */
  override?: boolean;
  /** Other Cluster variables the row needs. */
  extra?: Record<string, unknown>;
  /** What the default (variable unset) renders. */
  check(ds: DesiredState): void;
}

const rows: Row[] = [
  {
    variable: 'controlPlaneCertificateRotation',
    check: (ds) => assert.deepEqual((ds.controlPlane.object.spec as Obj).rolloutBefore, { certificatesExpiryDays: 90 }),
  },
  {
    variable: 'controlPlaneCertificateRotation',
    value: { activate: true, daysBefore: 30 },
    check: (ds) => assert.deepEqual((ds.controlPlane.object.spec as Obj).rolloutBefore, { certificatesExpiryDays: 30 }),
  },
  {
    variable: 'controlPlaneCertificateRotation',
    value: { activate: false },
    check: (ds) => assert.equal((ds.controlPlane.object.spec as Obj).rolloutBefore, undefined),
  },
  {
    variable: 'podSecurityStandard',
    value: { enforce: 'restricted', enforceVersion: 'v1.30', audit: 'restricted', warn: 'baseline', exemptions: { namespaces: ['tkg-system'] } },
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['admission-control-config-file'], '/etc/kubernetes/admission-control-config.yaml');
      const conf = files(kcp(ds)).get('/etc/kubernetes/admission-control-config.yaml')!;
      assert.match(conf, /kind: PodSecurityConfiguration/);
      assert.match(conf, /enforce: "restricted"\n\s+enforce-version: "v1.30"/);
      assert.match(conf, /audit: "restricted"/);
      assert.match(conf, /warn: "baseline"/);
      assert.match(conf, /namespaces: \["kube-system","tkg-system"\]/);
    },
  },
  {
    variable: 'podSecurityStandard',
    value: { deactivated: true },
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['admission-control-config-file'], undefined);
      assert.equal(files(kcp(ds)).has('/etc/kubernetes/admission-control-config.yaml'), false);
    },
  },
  { variable: 'apiServerExtraArgs', value: { 'max-requests-inflight': '123', 'tls-cipher-suites': 'TLS_AES_128_GCM_SHA256' }, check: (ds) => {
    assert.equal(apiServerArgs(ds)['max-requests-inflight'], '123');
    assert.equal(apiServerArgs(ds)['tls-cipher-suites'], 'TLS_AES_128_GCM_SHA256', "the user's flag wins over the class's");
  } },
  { variable: 'kubeSchedulerExtraArgs', value: { v: '4' }, check: (ds) => assert.equal(kcp(ds).clusterConfiguration.scheduler.extraArgs.v, '4') },
  { variable: 'kubeControllerManagerExtraArgs', value: { 'node-monitor-grace-period': '50s' }, check: (ds) => assert.equal(kcp(ds).clusterConfiguration.controllerManager.extraArgs['node-monitor-grace-period'], '50s') },
  { variable: 'etcdExtraArgs', value: { 'quota-backend-bytes': '8589934592' }, check: (ds) => assert.equal(kcp(ds).clusterConfiguration.etcd.local.extraArgs['quota-backend-bytes'], '8589934592') },
  {
    variable: 'controlPlaneKubeletExtraArgs',
    value: { 'max-pods': '50' },
    check: (ds) => {
      assert.equal(kcp(ds).initConfiguration.nodeRegistration.kubeletExtraArgs['max-pods'], '50');
      assert.equal(kcp(ds).joinConfiguration.nodeRegistration.kubeletExtraArgs['max-pods'], '50');
      assert.equal(md(ds, 'linux').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs['max-pods'], undefined);
    },
  },
  {
    variable: 'workerKubeletExtraArgs',
    value: { 'max-pods': '200' },
    check: (ds) => {
      assert.equal(md(ds, 'linux').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs['max-pods'], '200');
      assert.equal(md(ds, 'windows').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs['max-pods'], '200');
      assert.equal(kcp(ds).initConfiguration.nodeRegistration.kubeletExtraArgs['max-pods'], undefined);
    },
  },
  {
    variable: 'controlPlaneTaint',
    check: (ds) => assert.equal(kcp(ds).initConfiguration.nodeRegistration.taints, undefined, "kubeadm's default control-plane taint applies"),
  },
  {
    variable: 'controlPlaneTaint',
    value: false,
    check: (ds) => {
      assert.deepEqual(kcp(ds).initConfiguration.nodeRegistration.taints, []);
      assert.deepEqual(kcp(ds).joinConfiguration.nodeRegistration.taints, []);
    },
  },
  {
    variable: 'nodePoolLabels',
    value: [{ key: 'tier', value: 'gold' }],
    override: true,
    check: (ds) => {
      assert.ok(labels(md(ds, 'linux').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs).includes('tier=gold'));
      assert.ok(!labels(md(ds, 'windows').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs).includes('tier=gold'), 'only the overridden pool');
    },
  },
  {
    variable: 'ntpServers',
    value: ['time1.example.com', 'time2.example.com'],
    check: (ds) => {
      for (const spec of [kcp(ds), md(ds, 'linux').boot, md(ds, 'windows').boot]) assert.deepEqual(spec.ntp, { enabled: true, servers: ['time1.example.com', 'time2.example.com'] });
    },
  },
  { variable: 'additionalFQDN', value: ['api.example.com', 'k8s.example.com'], check: (ds) => assert.deepEqual(kcp(ds).clusterConfiguration.apiServer.certSANs, ['api.example.com', 'k8s.example.com']) },
  {
    variable: 'tlsCipherSuites',
    value: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    check: (ds) => {
      const cc = kcp(ds).clusterConfiguration;
      for (const args of [cc.apiServer.extraArgs, cc.controllerManager.extraArgs, cc.scheduler.extraArgs, kcp(ds).initConfiguration.nodeRegistration.kubeletExtraArgs, md(ds, 'linux').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs]) {
        assert.equal(args['tls-cipher-suites'], 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
      }
      assert.equal(cc.etcd.local.extraArgs['cipher-suites'], 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    },
  },
  {
    variable: 'auditLogging',
    value: { enabled: true },
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['audit-policy-file'], '/etc/kubernetes/audit-policy.yaml');
      assert.equal(apiServerArgs(ds)['audit-log-path'], '/var/log/kubernetes/audit.log');
      assert.match(files(kcp(ds)).get('/etc/kubernetes/audit-policy.yaml')!, /kind: Policy/);
    },
  },
  {
    variable: 'auditLogging',
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['audit-policy-file'], undefined);
      assert.equal(files(kcp(ds)).has('/etc/kubernetes/audit-policy.yaml'), false);
    },
  },
  {
    variable: 'eventRateLimitConf',
    value: b64(RATE),
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['enable-admission-plugins'], 'NodeRestriction,EventRateLimit');
      assert.equal(files(kcp(ds)).get('/etc/kubernetes/eventratelimit-config.yaml'), RATE);
      assert.match(files(kcp(ds)).get('/etc/kubernetes/admission-control-config.yaml')!, /- name: EventRateLimit\n\s+path: \/etc\/kubernetes\/eventratelimit-config.yaml/);
    },
  },
  {
    variable: 'proxy',
    value: { httpProxy: 'http://proxy.example.com:3128', httpsProxy: 'http://proxy.example.com:3129', noProxy: ['corp.example.com'] },
    check: (ds) => {
      const want = /HTTP_PROXY=http:\/\/proxy.example.com:3128"\nEnvironment="HTTPS_PROXY=http:\/\/proxy.example.com:3129"\nEnvironment="NO_PROXY=corp.example.com,192.168.0.0\/16,10.96.0.0\/12,.svc,.svc.cluster.local,localhost,127.0.0.1"/;
      for (const spec of [kcp(ds), md(ds, 'linux').boot]) {
        assert.match(files(spec).get('/etc/systemd/system/containerd.service.d/http-proxy.conf')!, want);
        assert.match(files(spec).get('/etc/systemd/system/kubelet.service.d/http-proxy.conf')!, want);
      }
      assert.match(files(md(ds, 'windows').boot).get('C:/k/proxy.ps1')!, /'HTTPS_PROXY', 'http:\/\/proxy.example.com:3129'/);
      assert.ok(md(ds, 'windows').boot.preKubeadmCommands.includes('powershell -ExecutionPolicy Bypass -File C:/k/proxy.ps1'));
    },
  },
  {
    variable: 'trust',
    value: { additionalTrustedCAs: [{ name: 'corp', data: b64(CA) }, { name: 'other', data: b64(CA.replace('example', 'second')) }] },
    check: (ds) => {
      for (const spec of [kcp(ds), md(ds, 'linux').boot]) {
        assert.equal(files(spec).get('/usr/local/share/ca-certificates/slipway-additional-cas.crt'), CA + CA.replace('example', 'second'));
        assert.ok(spec.preKubeadmCommands.some((c: string) => c.includes('update-ca-certificates')));
      }
      assert.equal(files(md(ds, 'windows').boot).get('C:/k/slipway-additional-cas.pem'), CA + CA.replace('example', 'second'));
    },
  },
  {
    variable: 'imageRepository',
    value: { host: 'harbor.example.com/tkg', tlsCertificateValidation: false },
    check: (ds) => {
      assert.equal(kcp(ds).clusterConfiguration.imageRepository, 'harbor.example.com/tkg');
      for (const spec of [kcp(ds), md(ds, 'linux').boot]) assert.match(files(spec).get('/etc/containerd/certs.d/harbor.example.com/hosts.toml')!, /skip_verify = true/);
      assert.match(files(md(ds, 'windows').boot).get('C:/etc/containerd/certs.d/harbor.example.com/hosts.toml')!, /server = "https:\/\/harbor.example.com"/);
    },
  },
  {
    variable: 'user',
    value: { sshAuthorizedKeys: ['ssh-ed25519 AAAAC3Nza user@example.com'] },
    check: (ds) => {
      for (const spec of [kcp(ds), md(ds, 'linux').boot, md(ds, 'windows').boot]) {
        assert.deepEqual(spec.users, [{ name: 'capv', sudo: 'ALL=(ALL) NOPASSWD:ALL', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3Nza user@example.com'] }]);
      }
    },
  },
  {
    variable: 'network',
    value: { ipv6Primary: true, addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'pool-1' }] },
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['bind-address'], '::');
      for (const f of [files(kcp(ds)).get('/etc/slipway/network.yaml'), files(md(ds, 'linux').boot).get('/etc/slipway/network.yaml'), files(md(ds, 'windows').boot).get('C:/k/slipway/network.yaml')]) {
        assert.match(f!, /ipv6Primary: true/);
        assert.match(f!, /name: pool-1/);
      }
      const pools = [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'pool-1' }];
      for (const m of [cpMachine(ds), md(ds, 'linux').machine, md(ds, 'windows').machine]) assert.deepEqual(m.network, { devices: [{ networkName: 'primary', addressesFromPools: pools }] });
    },
  },
  {
    variable: 'apiServerPort',
    value: 8443,
    check: (ds) => {
      assert.equal(apiServerArgs(ds)['secure-port'], '8443');
      assert.equal(kcp(ds).initConfiguration.localAPIEndpoint.bindPort, 8443);
      assert.equal(kcp(ds).joinConfiguration.controlPlane.localAPIEndpoint.bindPort, 8443);
    },
  },
  {
    variable: 'apiServerEndpoint',
    value: '10.20.30.40',
    check: (ds) => assert.deepEqual(kcp(ds).clusterConfiguration.apiServer.certSANs, ['10.20.30.40']),
  },
  {
    variable: 'kubeVipLoadBalancerProvider',
    value: true,
    check: (ds) => {
      const m = files(kcp(ds)).get('/etc/kubernetes/manifests/kube-vip.yaml')!;
      assert.match(m, /name: svc_enable, value: "true"/);
      assert.match(m, /image: ghcr.io\/kube-vip\/kube-vip:v0.5.7/);
    },
  },
  {
    variable: 'kubeVipLoadBalancerProvider',
    check: (ds) => {
      assert.equal(files(kcp(ds)).has('/etc/kubernetes/manifests/kube-vip.yaml'), false);
      assert.equal(files(kcp(ds)).has('/etc/kubernetes/addons/kube-vip-cloud-provider.yaml'), false);
    },
  },
  {
    variable: 'kubeVipLoadBalancerCIDRs',
    value: '192.168.0.200/29,fd00::/120',
    extra: { kubeVipLoadBalancerProvider: true },
    check: (ds) => {
      const cm = YAML.parse(files(kcp(ds)).get('/etc/kubernetes/addons/kube-vip-cloud-provider.yaml')!) as { metadata: { name: string; namespace: string }; data: Record<string, string> };
      assert.deepEqual([cm.metadata.namespace, cm.metadata.name], ['kube-system', 'kubevip']);
      assert.deepEqual(cm.data, { 'cidr-global': '192.168.0.200/29,fd00::/120' });
    },
  },
  {
    variable: 'kubeVipLoadBalancerIPRanges',
    value: '10.1.2.10-10.1.2.20',
    extra: { kubeVipLoadBalancerProvider: true },
    check: (ds) => {
      const cm = YAML.parse(files(kcp(ds)).get('/etc/kubernetes/addons/kube-vip-cloud-provider.yaml')!) as { data: Record<string, string> };
      assert.deepEqual(cm.data, { 'range-global': '10.1.2.10-10.1.2.20' });
    },
  },
  {
    variable: 'controlPlane',
    value: { machine: { numCPUs: 8, memoryMiB: 16384, diskGiB: 100 }, nodeLabels: [{ key: 'zone', value: 'dmz' }] },
    check: (ds) => {
      assert.deepEqual([cpMachine(ds).numCPUs, cpMachine(ds).memoryMiB, cpMachine(ds).diskGiB], [8, 16384, 100]);
      assert.ok(labels(kcp(ds).initConfiguration.nodeRegistration.kubeletExtraArgs).includes('zone=dmz'));
      assert.ok(labels(kcp(ds).joinConfiguration.nodeRegistration.kubeletExtraArgs).includes('zone=dmz'));
    },
  },
  {
    variable: 'worker',
    value: { machine: { numCPUs: 4, memoryMiB: 8192, diskGiB: 60 } },
    check: (ds) => {
      for (const cls of ['linux', 'windows'] as const) {
        const m = md(ds, cls).machine;
        assert.deepEqual([m.numCPUs, m.memoryMiB, m.diskGiB], [4, 8192, 60]);
      }
      assert.equal(cpMachine(ds).numCPUs, 2, 'the control plane keeps its size');
    },
  },
  {
    variable: 'cni',
    check: (ds) => {
      assert.equal(files(kcp(ds)).get('/etc/slipway/cni'), 'antrea');
      assert.ok(labels(md(ds, 'linux').boot.joinConfiguration.nodeRegistration.kubeletExtraArgs).includes('networking.slipway.dev/cni=antrea'));
    },
  },
  {
    variable: 'cni',
    value: 'calico',
    check: (ds) => {
      assert.equal(files(kcp(ds)).get('/etc/slipway/cni'), 'calico');
      assert.equal(files(md(ds, 'linux').boot).get('/etc/slipway/cni'), 'calico');
      assert.equal(files(md(ds, 'windows').boot).get('C:/k/slipway/cni'), 'calico');
      assert.ok(labels(kcp(ds).initConfiguration.nodeRegistration.kubeletExtraArgs).includes('networking.slipway.dev/cni=calico'));
    },
  },
  {
    variable: 'simulation',
    value: { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0.5, clusterProvisioningSeconds: 0 },
    check: (ds) => {
      for (const m of [cpMachine(ds), md(ds, 'linux').machine, md(ds, 'windows').machine]) assert.deepEqual(m.behaviour, { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0.5 });
      assert.equal((ds.infrastructureCluster.spec as Obj).provisioningSeconds, 0);
    },
  },
  {
    variable: 'simulation',
    check: (ds) => {
      assert.equal(cpMachine(ds).behaviour, undefined, "the provider's default timings");
      assert.equal((ds.infrastructureCluster.spec as Obj).provisioningSeconds, undefined);
    },
  },
];

describe('slipway-default through the engine', () => {
  it('passes validateClusterClass', () => {
    assert.deepEqual(validateClusterClass(shipped.clusterClass), []);
  });

  it('has a row for every variable, and every variable a description', () => {
    const defined = (shipped.clusterClass.spec!.variables ?? []).map((v) => v.name).sort();
    assert.deepEqual([...new Set(rows.map((r) => r.variable))].sort(), defined);
    for (const v of shipped.clusterClass.spec!.variables ?? []) assert.ok(v.schema?.openAPIV3Schema?.description, `${v.name} has a description`);
  });

  for (const row of rows) {
    const label = row.value === undefined ? `${row.variable}: default` : `${row.variable}: ${JSON.stringify(row.value).slice(0, 60)}`;
    it(label, () => {
      const set = [...(row.value === undefined ? [] : [{ name: row.variable, value: row.value }]), ...Object.entries(row.extra ?? {}).map(([name, value]) => ({ name, value }))];
      const ds = row.override ? render([], { md: set }) : render(set);
      row.check(ds);
    });
  }

  it('renders Windows workers as Windows machines with the Windows kubelet settings, in the same cluster', () => {
    const ds = render([]);
    const win = md(ds, 'windows');
    const linux = md(ds, 'linux');
    assert.equal(win.machine.os, 'windows');
    assert.equal(linux.machine.os, 'linux');
    const reg = win.boot.joinConfiguration.nodeRegistration;
    assert.equal(reg.criSocket, 'npipe:////./pipe/containerd-containerd');
    assert.equal(reg.kubeletExtraArgs['windows-priorityclass'], 'ABOVE_NORMAL_PRIORITY_CLASS');
    assert.equal(reg.kubeletExtraArgs['cgroups-per-qos'], 'false');
    assert.equal(linux.boot.joinConfiguration.nodeRegistration.kubeletExtraArgs['windows-priorityclass'], undefined);
    for (const m of ds.machineDeployments) assert.equal((m.object.spec as Obj).clusterName, 'c1');
  });

  it('names templates by content: a changed template gets a new name and the class follows', () => {
    const docs: KubeObject[] = [structuredClone(shipped.clusterClass), ...shipped.templates.map((t) => structuredClone(t))];
    // Back to base names, as in the YAML.
    for (const d of docs.slice(1)) d.metadata!.name = d.metadata!.annotations!['classes.slipway.dev/base-name'];
    const refs = (cc: Obj) => [cc.spec.controlPlane.ref.name, cc.spec.controlPlane.machineInfrastructure.ref.name];
    const cc0 = docs[0] as Obj;
    cc0.spec.controlPlane.ref.name = 'slipway-default-control-plane';
    cc0.spec.controlPlane.machineInfrastructure.ref.name = 'slipway-default-control-plane';
    cc0.spec.infrastructure.ref.name = 'slipway-default-cluster';
    for (const w of cc0.spec.workers.machineDeployments) {
      w.template.bootstrap.ref.name = `slipway-default-${w.class}`;
      w.template.infrastructure.ref.name = `slipway-default-${w.class}`;
    }
    const again = shipClass(docs);
    assert.deepEqual(refs(again.clusterClass as Obj), refs(shipped.clusterClass as Obj), 'same content, same names');
    const kcpDoc = docs.find((d) => d.kind === 'KubeadmControlPlaneTemplate')!;
    (kcpDoc.spec as Obj).template.spec.kubeadmConfigSpec.postKubeadmCommands = ['echo upgraded'];
    const changed = shipClass(docs);
    const newName = (changed.clusterClass as Obj).spec.controlPlane.ref.name;
    assert.notEqual(newName, (shipped.clusterClass as Obj).spec.controlPlane.ref.name);
    assert.equal(newName, `slipway-default-control-plane-${templateContentHash(kcpDoc)}`);
    assert.equal((changed.clusterClass as Obj).spec.controlPlane.machineInfrastructure.ref.name, (shipped.clusterClass as Obj).spec.controlPlane.machineInfrastructure.ref.name, 'unchanged templates keep their names');
  });
});
