/**
 * Mixed Linux and Windows workers in one cluster from the shipped default class (sim provider), with the real kubectl
 * against the workload cluster: a Windows Pod (nodeSelector kubernetes.io/os=windows plus the Windows taint's
 * toleration) lands on the Windows Node; Linux Pods never do; a Windows Pod without the toleration stays Pending with
 * the scheduler's FailedScheduling text.
 *
 * The default class sets no Windows taint of its own, so the Windows pool registers with the usual
 * `os=windows:NoSchedule` through a per-pool override of workerKubeletExtraArgs (kubelet --register-with-taints).
 */
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface NodeObj {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: Taint[] };
  status: { nodeInfo: { operatingSystem: string } };
}
interface PodObj {
  metadata: { name: string };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
type Obj = Record<string, any>;

const WINDOWS_TAINT: Taint = { key: 'os', value: 'windows', effect: 'NoSchedule' };

function clusterJson(): string {
  return defaultClassClusterJson({
    name: 'mixed',
    machineDeployments: [
      { class: 'linux', name: 'lin', replicas: 1 },
      {
        class: 'windows',
        name: 'win',
        replicas: 1,
        variables: { overrides: [{ name: 'workerKubeletExtraArgs', value: { 'register-with-taints': `${WINDOWS_TAINT.key}=${WINDOWS_TAINT.value}:${WINDOWS_TAINT.effect}` } }] },
      },
    ],
  });
}

function podYaml(name: string, os: 'windows' | 'linux' | undefined, tolerateWindows: boolean): string {
  const lines = [`apiVersion: v1`, `kind: Pod`, `metadata: {name: ${name}}`, `spec:`];
  if (os) lines.push(`  nodeSelector: {kubernetes.io/os: ${os}}`);
  if (tolerateWindows) lines.push(`  tolerations: [{key: ${WINDOWS_TAINT.key}, operator: Equal, value: ${WINDOWS_TAINT.value}, effect: ${WINDOWS_TAINT.effect}}]`);
  const image = os === 'windows' ? 'mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019' : 'nginx:1.27';
  lines.push(`  containers: [{name: main, image: "${image}", resources: {requests: {cpu: 50m, memory: 32Mi}}}]`);
  return lines.join('\n') + '\n';
}

describe('Windows and Linux placement in a cluster from slipway-default (sim provider, kubectl)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;
  let nodes: NodeObj[];
  const pod = async (name: string): Promise<PodObj> => JSON.parse(await wl.ok(['get', 'pod', name, '-o', 'json'])) as PodObj;
  const nodeOf = (name: string | undefined): NodeObj | undefined => nodes.find((n) => n.metadata.name === name);
  const running = (name: string) =>
    eventually(async () => {
      const p = await pod(name);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 60_000, `${name} Running`);

  before(async () => {
    t = await startPlane({ workloadBehaviour: { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 } });
    kb = kube(t);
    // Windows workers are a Technical Preview feature, off by default: turn it on as a user would.
    const gate = await waitFor(kb, ['get', 'featuregates.core.slipway.dev', 'slipway-system'], (g: Obj) => (g.spec?.features ?? []).some((f: Obj) => f.name === 'windows-workers'), 30_000, 'feature gate');
    for (const f of gate.spec.features) if (f.name === 'windows-workers') f.activate = true;
    await kb.ok(['replace', '-f', '-'], JSON.stringify(gate));
    await kb.ok(['apply', '-f', '-'], clusterJson());
    await waitFor(kb, ['get', 'cluster', 'mixed'], (c: Obj) => conditionOf(c, 'Ready')?.status === 'True', 150_000, 'Cluster mixed Ready');
    await waitFor(kb, ['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=mixed'], (l) => itemsOf<Obj>(l).length === 2 && itemsOf<Obj>(l).every((m) => m.status?.readyReplicas === 1), 120_000, 'both pools ready');
    wl = await workloadKubectl(kb, 'mixed');
    nodes = await eventually(async () => {
      const list = itemsOf<NodeObj>(JSON.parse(await wl.ok(['get', 'nodes', '-o', 'json'])));
      return list.length === 3 ? list : undefined;
    }, 60_000, 'three Nodes');
  });
  after(async () => {
    await t?.close();
  });

  it('the Windows Node carries kubernetes.io/os=windows and the Windows taint; the Linux worker neither', () => {
    const win = nodes.find((n) => n.metadata.labels['node-pool'] === 'win');
    const lin = nodes.find((n) => n.metadata.labels['node-pool'] === 'lin');
    assert.ok(win && lin, JSON.stringify(nodes.map((n) => n.metadata.labels)));
    assert.equal(win.metadata.labels['kubernetes.io/os'], 'windows');
    assert.equal(win.status.nodeInfo.operatingSystem, 'windows');
    assert.deepEqual(win.spec.taints, [WINDOWS_TAINT]);
    assert.equal(lin.metadata.labels['kubernetes.io/os'], 'linux');
    assert.deepEqual(lin.spec.taints ?? [], []);
  });

  it('a Windows Pod with the toleration runs on the Windows Node', async () => {
    await wl.ok(['apply', '-f', '-'], podYaml('iis', 'windows', true));
    const p = await running('iis');
    assert.equal(nodeOf(p.spec.nodeName)?.metadata.labels['kubernetes.io/os'], 'windows');
    const row = (await wl.ok(['get', 'pod', 'iis', '-o', 'wide', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual([row[0], row[2], row[6]], ['iis', 'Running', p.spec.nodeName]);
  });

  it('Linux Pods never land on the Windows Node, even when they tolerate its taint', async () => {
    await wl.ok(['apply', '-f', '-'], podYaml('linux-selected', 'linux', true));
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: nginx, image: "nginx:1.27", resources: {requests: {cpu: 10m}}}]\n');
    assert.match(await wl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']), /successfully rolled out/);
    const p = await running('linux-selected');
    assert.equal(nodeOf(p.spec.nodeName)?.metadata.labels['kubernetes.io/os'], 'linux');
    const web = itemsOf<PodObj>(JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])));
    assert.equal(web.length, 4);
    for (const w of web) {
      const n = nodeOf(w.spec.nodeName);
      assert.equal(n?.metadata.labels['kubernetes.io/os'], 'linux', `${w.metadata.name} on ${w.spec.nodeName}`);
      assert.equal(n?.metadata.labels['node-pool'], 'lin', 'not on the tainted control plane either');
    }
  });

  it('a Windows Pod without the toleration stays Pending with the scheduler\'s message', async () => {
    await wl.ok(['apply', '-f', '-'], podYaml('iis-untolerated', 'windows', false));
    const expected = /^0\/3 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 2 node\(s\) had untolerated taint\(s\)\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.$/;
    const p = await eventually(async () => {
      const x = await pod('iis-untolerated');
      const c = x.status?.conditions?.find((c) => c.type === 'PodScheduled');
      return c?.status === 'False' ? x : undefined;
    }, 30_000, 'PodScheduled False');
    const cond = p.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.spec.nodeName, undefined);
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message ?? '', expected);
    const events = await eventually(async () => {
      const out = await wl.ok(['get', 'events', '--field-selector', 'involvedObject.name=iis-untolerated,reason=FailedScheduling', '-o', 'json']);
      const items = itemsOf<{ message: string; type: string }>(JSON.parse(out));
      return items.length ? items : undefined;
    }, 30_000, 'FailedScheduling event');
    assert.equal(events[0]!.type, 'Warning');
    assert.match(events[0]!.message, expected);
    const row = (await wl.ok(['get', 'pod', 'iis-untolerated', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual([row[0], row[1], row[2]], ['iis-untolerated', '0/1', 'Pending']);
  });
});
