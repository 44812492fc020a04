/**
 * A Cluster from the shipped default class, booted on the sim provider through the topology controller: variables
 * reach the workload cluster (an apiServerExtraArgs flag in the kube-apiserver static Pod, node labels, no control
 * plane taint, trusted CA and proxy files on the machines, certificate rotation on the control plane, instant machines from `simulation`), and a Windows
 * worker joins the same cluster as a Linux one, as a Windows Node.
 */
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

type Obj = Record<string, any>;

const CA = '-----BEGIN CERTIFICATE-----\nMIIBbootTestCA\n-----END CERTIFICATE-----\n';

function clusterYaml(): string {
  return defaultClassClusterJson({
    name: 'dflt',
    machineDeployments: [
      { class: 'linux', name: 'md-0', replicas: 1, variables: { overrides: [{ name: 'nodePoolLabels', value: [{ key: 'tier', value: 'gold' }] }] } },
      { class: 'windows', name: 'win', replicas: 1 },
    ],
    variables: [
      { name: 'apiServerExtraArgs', value: { 'max-requests-inflight': '321' } },
      { name: 'controlPlaneTaint', value: false },
      { name: 'trust', value: { additionalTrustedCAs: [{ name: 'corp', data: Buffer.from(CA).toString('base64') }] } },
      { name: 'proxy', value: { httpProxy: 'http://proxy.example.com:3128', httpsProxy: 'http://proxy.example.com:3128' } },
    ],
  });
}

describe('a cluster from slipway-default on the sim provider', () => {
  let t: TestPlane;
  let kb: Kube;
  before(async () => {
    t = await startPlane();
    kb = kube(t);
    // Windows workers are a Technical Preview feature, off by default: turn it on as a user would.
    const gate = await waitFor(kb, ['get', 'featuregates.core.slipway.dev', 'slipway-system'], (g: Obj) => (g.spec?.features ?? []).some((f: Obj) => f.name === 'windows-workers'), 30_000, 'feature gate');
    for (const f of gate.spec.features) if (f.name === 'windows-workers') f.activate = true;
    await kb.ok(['replace', '-f', '-'], JSON.stringify(gate));
    await kb.ok(['apply', '-f', '-'], clusterYaml());
    await waitFor(kb, ['get', 'cluster', 'dflt'], (c: Obj) => conditionOf(c, 'Ready')?.status === 'True', 150_000, 'Cluster dflt Ready');
    await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=dflt'], (l) => itemsOf<Obj>(l).length === 2 && itemsOf<Obj>(l).every((m) => m.status?.readyReplicas === 1), 120_000, 'both pools ready');
  });
  after(async () => {
    await t?.close();
  });

  it('shows apiServerExtraArgs in the kube-apiserver static Pod and rotates certificates 90 days ahead', async () => {
    const wl = await workloadKubectl(kb, 'dflt');
    const pods = JSON.parse(await wl.ok(['get', 'pods', '-n', 'kube-system', '-l', 'component=kube-apiserver', '-o', 'json'])) as Obj;
    const command: string[] = pods.items[0].spec.containers[0].command;
    assert.ok(command.includes('--max-requests-inflight=321'), command.join(' '));
    assert.ok(command.includes('--admission-control-config-file=/etc/kubernetes/admission-control-config.yaml'), 'podSecurityStandard is on by default');
    assert.ok(command.some((a) => a.startsWith('--tls-cipher-suites=TLS_ECDHE_')), 'tlsCipherSuites default');
    const kcp = itemsOf<Obj>(await kb.json(['get', 'kcp', '-l', 'cluster.x-k8s.io/cluster-name=dflt']))[0]!;
    assert.deepEqual(kcp.spec.rolloutBefore, { certificatesExpiryDays: 90 });
  });

  it('joins a Windows and a Linux worker to the same cluster, with their labels; the control plane is untainted', async () => {
    const wl = await workloadKubectl(kb, 'dflt');
    const nodes = itemsOf<Obj>(JSON.parse(await wl.ok(['get', 'nodes', '-o', 'json'])));
    assert.equal(nodes.length, 3);
    const byPool = (pool: string) => nodes.find((n) => n.metadata.labels['node-pool'] === pool);
    const win = byPool('win');
    const linux = byPool('md-0');
    assert.ok(win && linux, JSON.stringify(nodes.map((n) => n.metadata.labels)));
    assert.equal(win.metadata.labels['kubernetes.io/os'], 'windows');
    assert.equal(win.status.nodeInfo.operatingSystem, 'windows');
    assert.equal(win.metadata.annotations['kubeadm.alpha.kubernetes.io/cri-socket'], 'npipe:////./pipe/containerd-containerd');
    assert.equal(win.metadata.labels['networking.slipway.dev/cni'], 'antrea');
    assert.equal(linux.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(linux.metadata.labels.tier, 'gold');
    assert.equal(win.metadata.labels.tier, undefined, 'nodePoolLabels was set for md-0 only');
    const cp = nodes.find((n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels)!;
    assert.deepEqual(cp.spec.taints ?? [], [], 'controlPlaneTaint: false');
  });

  it('writes the trusted CA and proxy files on the machines, which boot as fast as simulation says', async () => {
    const sims = itemsOf<Obj>(await kb.json(['get', 'simmachines', '-l', 'cluster.x-k8s.io/cluster-name=dflt']));
    for (const m of sims) assert.deepEqual(m.spec.behaviour, { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0 });
    const paths = (pred: (m: Obj) => boolean) => sims.filter(pred).flatMap((m) => (m.status.files ?? []).map((f: { path: string }) => f.path));
    const linuxFiles = paths((m) => m.spec.os !== 'windows');
    assert.ok(linuxFiles.includes('/usr/local/share/ca-certificates/slipway-additional-cas.crt'), linuxFiles.join(', '));
    assert.ok(linuxFiles.includes('/etc/systemd/system/containerd.service.d/http-proxy.conf'));
    const winFiles = paths((m) => m.spec.os === 'windows');
    assert.ok(winFiles.includes('C:/k/slipway-additional-cas.pem'), winFiles.join(', '));
    assert.ok(winFiles.includes('C:/k/proxy.ps1'));
  });
});
