/**
 * Pods in a workload cluster on the sim provider, with the real kubectl against the cluster's own endpoint: a Pod
 * lands on a worker (never the tainted control plane) and runs with an IP from its Node's pod CIDR; one that fits
 * nowhere stays Pending with the scheduler's FailedScheduling text; a run-to-completion Pod completes; `kubectl drain`
 * evicts through pods/eviction and a PodDisruptionBudget stops it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';
import { kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';
import { eventually } from '../support/plane.js';

interface PodObj {
  metadata: { name: string };
  spec: { nodeName?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface NodeObj {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { podCIDR?: string };
}

function inCIDR(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const n = (a: string): number => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (n(ip) & mask) >>> 0 === (n(net!) & mask) >>> 0;
}

describe('Pods in a workload cluster (sim provider, kubectl)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;
  const pod = async (name: string): Promise<PodObj> => JSON.parse(await wl.ok(['get', 'pod', name, '-o', 'json'])) as PodObj;
  const podYaml = (name: string, cpu: string): string =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {run: ${name}}}\nspec:\n  containers:\n  - name: ${name}\n    image: nginx:1.27\n    resources: {requests: {cpu: ${cpu}, memory: 64Mi}}\n`;

  before(async () => {
    t = await startPlane({ workloadBehaviour: { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 } });
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'w', workerReplicas: 2 }));
    await waitFor(kb, ['get', 'md', 'w-md-0'], (o: { status?: { readyReplicas?: number } }) => o.status?.readyReplicas === 2, 90_000, 'workers ready');
    wl = await workloadKubectl(kb, 'w');
  });
  after(async () => {
    await t?.close();
  });

  it('kubectl run: the Pod is scheduled onto a worker and Running with an IP from its Node\'s pod CIDR', async () => {
    await wl.ok(['apply', '-f', '-'], podYaml('web', '100m'));
    const p = await eventually(async () => {
      const x = await pod('web');
      return x.status?.phase === 'Running' && x.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? x : undefined;
    }, 60_000, 'web Running and Ready');
    const node = JSON.parse(await wl.ok(['get', 'node', p.spec.nodeName!, '-o', 'json'])) as NodeObj;
    assert.equal(node.metadata.labels?.['node-role.kubernetes.io/control-plane'], undefined, 'not on the control plane');
    assert.ok(inCIDR(p.status!.podIP!, node.spec.podCIDR!), `${p.status!.podIP} in ${node.spec.podCIDR}`);
    const row = (await wl.ok(['get', 'pod', 'web', '-o', 'wide', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual([row[0], row[1], row[2], row[3], row[5], row[6]], ['web', '1/1', 'Running', '0', p.status!.podIP, p.spec.nodeName]);
  });

  it('a Deployment: Pods spread over the workers and Running; rollout status finishes; scale; delete', async () => {
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, labels: {app: app}}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: app}}\n  template:\n    metadata: {labels: {app: app}}\n    spec:\n      containers: [{name: nginx, image: "nginx:1.27"}]\n');
    assert.match(await wl.ok(['rollout', 'status', 'deployment/app', '--timeout=60s']), /successfully rolled out/);
    const pods = JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=app', '-o', 'json'])) as { items: PodObj[] };
    assert.equal(pods.items.length, 4);
    assert.ok(pods.items.every((p) => p.status?.phase === 'Running'));
    assert.equal(new Set(pods.items.map((p) => p.spec.nodeName)).size, 2, 'spread over both workers');
    assert.match(await wl.ok(['get', 'deploy', 'app', '--no-headers']), /^app\s+4\/4\s+4\s+4\s+/);
    await wl.ok(['scale', 'deploy', 'app', '--replicas=1']);
    await eventually(async () => ((JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=app', '-o', 'json'])) as { items: unknown[] }).items.length === 1 ? true : undefined), 30_000, 'scaled to 1');
    await wl.ok(['delete', 'deploy', 'app']);
    await eventually(async () => ((JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=app', '-o', 'json'])) as { items: unknown[] }).items.length === 0 ? true : undefined), 30_000, 'Pods gone with the Deployment');
  });

  it('kubectl expose: the Service gets a ClusterIP from the cluster\'s service CIDR and Endpoints of the Ready Pods', async () => {
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: "nginx:1.27", ports: [{name: http, containerPort: 8080}]}]\n');
    assert.match(await wl.ok(['rollout', 'status', 'deployment/api', '--timeout=60s']), /successfully rolled out/);
    await wl.ok(['expose', 'deployment', 'api', '--port=80', '--target-port=http']);
    const svc = JSON.parse(await wl.ok(['get', 'svc', 'api', '-o', 'json'])) as { spec: { clusterIP: string } };
    assert.ok(inCIDR(svc.spec.clusterIP, '10.128.0.0/12'), `${svc.spec.clusterIP} in the cluster's services CIDR`);
    const ips = await eventually(async () => {
      const ep = JSON.parse(await wl.ok(['get', 'endpoints', 'api', '-o', 'json'])) as { subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[] };
      const a = ep.subsets?.[0]?.addresses ?? [];
      return a.length === 2 && ep.subsets![0]!.ports?.[0]?.port === 8080 ? a.map((x) => x.ip).sort() : undefined;
    }, 30_000, 'Endpoints of both Pods');
    const podIPs = (JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=api', '-o', 'json'])) as { items: PodObj[] }).items.map((p) => p.status!.podIP!).sort();
    assert.deepEqual(ips, podIPs);
    const kubernetes = JSON.parse(await wl.ok(['get', 'svc', 'kubernetes', '-o', 'json'])) as { spec: { clusterIP: string } };
    assert.equal(kubernetes.spec.clusterIP, '10.128.0.1', 'the kubernetes Service has the first address');
  });

  it('a DaemonSet puts one Pod on every Node and follows a MachineDeployment scale-up; a Job completes', async () => {
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]\n      containers: [{name: agent, image: "busybox:1.36"}]\n');
    const running = async (n: number): Promise<true | undefined> => {
      const ds = JSON.parse(await wl.ok(['get', 'ds', 'agent', '-o', 'json'])) as { status?: { desiredNumberScheduled?: number; numberReady?: number } };
      return ds.status?.desiredNumberScheduled === n && ds.status.numberReady === n ? true : undefined;
    };
    await eventually(() => running(3), 60_000, 'agent on 3 Nodes');
    await kb.ok(['scale', 'md', 'w-md-0', '--replicas=3']);
    await eventually(() => running(4), 90_000, 'agent on the new Node too');
    await wl.ok(['create', '-f', '-'], 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec:\n  completions: 2\n  template:\n    metadata: {annotations: {sim.slipway.dev/run-seconds: "0"}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: "busybox:1.36"}]\n');
    assert.match(await wl.ok(['wait', '--for=condition=Complete', 'job/once', '--timeout=60s']), /condition met/);
    const row = (await wl.ok(['get', 'job', 'once', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 3), ['once', 'Complete', '2/2']);
  });

  it('a Pod that fits nowhere stays Pending with the scheduler\'s message and Event', async () => {
    await wl.ok(['apply', '-f', '-'], podYaml('huge', '64'));
    const p = await eventually(async () => {
      const x = await pod('huge');
      return x.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ? x : undefined;
    }, 30_000, 'huge unschedulable');
    const cond = p.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(cond.reason, 'Unschedulable');
    const m = /^0\/(\d+) nodes are available: 1 node\(s\) had untolerated taint\(s\), (\d+) Insufficient cpu\. preemption: 0\/\1 nodes are available: /.exec(cond.message!);
    assert.ok(m && Number(m[2]) === Number(m[1]) - 1, cond.message);
    const events = await wl.ok(['get', 'events', '--field-selector', 'involvedObject.name=huge,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Insufficient cpu/);
    const row = (await wl.ok(['get', 'pod', 'huge', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 3), ['huge', '0/1', 'Pending']);
    await wl.ok(['delete', 'pod', 'huge']);
  });

  it('a run-to-completion Pod completes after the run time its annotation gives', async () => {
    await wl.ok(['run', 'once', '--image=busybox:1.36', '--restart=Never', '--annotations=sim.slipway.dev/run-seconds=1', '--', 'true']);
    await eventually(async () => ((await pod('once')).status?.phase === 'Succeeded' ? true : undefined), 30_000, 'once Succeeded');
    const row = (await wl.ok(['get', 'pod', 'once', '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual(row.slice(0, 3), ['once', '0/1', 'Completed']);
  });

  it('kubectl drain evicts through pods/eviction; a PodDisruptionBudget with no allowed disruption stops it', async () => {
    const node = (await pod('web')).spec.nodeName!;
    await wl.ok(['apply', '-f', '-'], `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {run: web}}
status: {}
`);
    // No disruption controller may have counted the budget yet: the eviction is refused either way (stale or 0 allowed).
    const blocked = await wl.k(['drain', node, '--ignore-daemonsets', '--force', '--timeout=3s']);
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stderr, /Cannot evict pod as it would violate the pod's disruption budget|disruption budget/);
    assert.equal((await pod('web')).status?.phase, 'Running', 'the Pod is still there');
    await wl.ok(['delete', 'pdb', 'web']);
    const drained = await wl.k(['drain', node, '--ignore-daemonsets', '--force', '--timeout=30s']);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, /pod\/web evicted/);
    assert.match(await wl.ok(['get', 'node', node, '--no-headers']), /SchedulingDisabled/);
    await wl.ok(['uncordon', node]);
  });

  it('a Machine\'s drain evicts through pods/eviction: a PodDisruptionBudget holds it until it allows the disruption', async () => {
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: guarded}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: guarded}}\n  template:\n    metadata: {labels: {app: guarded}}\n    spec:\n      containers: [{name: c, image: "nginx:1.27"}]\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: guarded}\nspec:\n  minAvailable: 2\n  selector: {matchLabels: {app: guarded}}\n');
    assert.match(await wl.ok(['rollout', 'status', 'deployment/guarded', '--timeout=60s']), /successfully rolled out/);
    await eventually(async () => ((JSON.parse(await wl.ok(['get', 'pdb', 'guarded', '-o', 'json'])) as { status?: { currentHealthy?: number; observedGeneration?: number } }).status?.currentHealthy === 2 ? true : undefined), 30_000, 'budget counted');
    const node = (JSON.parse(await wl.ok(['get', 'pods', '-l', 'app=guarded', '-o', 'json'])) as { items: PodObj[] }).items[0]!.spec.nodeName!;
    const machine = (JSON.parse(await kb.ok(['get', 'machines', '-o', 'json'])) as { items: { metadata: { name: string }; status?: { nodeRef?: { name: string } } }[] }).items.find((m) => m.status?.nodeRef?.name === node)!.metadata.name;
    await kb.ok(['delete', 'machine', machine, '--wait=false']);
    const held = await eventually(async () => {
      const m = JSON.parse(await kb.ok(['get', 'machine', machine, '-o', 'json'])) as { status?: { conditions?: { type: string; status: string; message?: string }[] } };
      const c = m.status?.conditions?.find((x) => x.type === 'DrainingSucceeded');
      return c?.status === 'False' && /disruption budget/.test(c.message ?? '') ? c.message : undefined;
    }, 60_000, 'drain held by the budget');
    assert.match(held!, /blocked by a PodDisruptionBudget \(default\/guarded-/);
    await wl.ok(['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
    await eventually(async () => ((await kb.k(['get', 'machine', machine])).code !== 0 ? true : undefined), 90_000, 'Machine drained and deleted');
    assert.match(await wl.ok(['rollout', 'status', 'deployment/guarded', '--timeout=60s']), /successfully rolled out/);
  });
});
