/**
 * The cluster autoscaler against a real plane (sim provider, kubectl on both sides): a MachineDeployment annotated
 * min 1 / max 3 is a node group; a Deployment whose Pods do not fit on its one worker makes the autoscaler raise the
 * MachineDeployment's replicas until every Pod runs (TriggeredScaleUp Events on the Pods, the status ConfigMap in
 * kube-system); once the Deployment is gone the extra Nodes are removed after the (short) unneeded time, back to min.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startPlane, eventually, type TestPlane } from '../support/plane.js';
import { kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Item { metadata: { name: string; annotations?: Record<string, string> }; spec?: { nodeName?: string }; status?: { phase?: string }; reason?: string; message?: string; involvedObject?: { name: string } }

describe('cluster autoscaler (sim provider, kubectl)', () => {
  let t: TestPlane;
  let kb: Kube;
  let wl: Awaited<ReturnType<typeof workloadKubectl>>;
  const items = async (k: { ok(a: string[]): Promise<string> }, args: string[]): Promise<Item[]> => (JSON.parse(await k.ok([...args, '-o', 'json'])) as { items: Item[] }).items;
  const workers = async (): Promise<Item[]> => (await items(wl, ['get', 'nodes', '-l', 'pool=md-0']));

  before(async () => {
    t = await startPlane({
      workloadBehaviour: { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 },
      clusterAutoscaler: { scanIntervalMs: 500, scaleDownDelayAfterAddMs: 0 },
    });
    kb = kube(t);
    const yaml = quickStartYaml({ name: 'as', workerReplicas: 1 }).replace(
      'kind: MachineDeployment\nmetadata:\n  name: as-md-0\n  namespace: default\n',
      'kind: MachineDeployment\nmetadata:\n  name: as-md-0\n  namespace: default\n  annotations:\n    cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size: "1"\n    cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size: "3"\n    cluster.x-k8s.io/autoscaling-options-scaledownunneededtime: "2s"\n',
    );
    assert.match(yaml, /node-group-max-size/);
    await kb.ok(['apply', '-f', '-'], yaml);
    await waitFor(kb, ['get', 'md', 'as-md-0'], (o: { status?: { readyReplicas?: number } }) => o.status?.readyReplicas === 1, 90_000, 'one worker ready');
    wl = await workloadKubectl(kb, 'as');
  });
  after(async () => {
    await t?.close();
  });

  it('scales the group up until every Pod of a Deployment that does not fit one worker is Running', async () => {
    // 2-CPU workers take two 700m Pods each: five Pods need three workers.
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: 5\n  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n    spec:\n      containers: [{name: c, image: "nginx:1.27", resources: {requests: {cpu: 700m, memory: 64Mi}}}]\n');
    await eventually(async () => {
      const pods = await items(wl, ['get', 'pods', '-l', 'app=big']);
      return pods.length === 5 && pods.every((p) => p.status?.phase === 'Running') ? pods : undefined;
    }, 120_000, 'all five Pods Running').catch(async (e: unknown) => {
      console.log(await wl.ok(['get', 'pods', '-o', 'wide']), await wl.ok(['get', 'nodes', '--show-labels']), await wl.ok(['get', 'events']), await kb.ok(['get', 'md,ms,machines']));
      console.log((await wl.k(['get', 'configmap', '-n', 'kube-system', 'cluster-autoscaler-status', '-o', 'yaml'])).stdout);
      throw e;
    });
    const md = JSON.parse(await kb.ok(['get', 'md', 'as-md-0', '-o', 'json'])) as { spec: { replicas: number } };
    assert.equal(md.spec.replicas, 3);
    assert.equal((await workers()).length, 3);
    const events = await items(wl, ['get', 'events', '--field-selector', 'reason=TriggeredScaleUp']);
    assert.ok(events.length > 0, 'TriggeredScaleUp Events on the Pods');
    // Pods turn unschedulable one by one, so the group may grow in one step (1->3) or two (1->2, 2->3).
    for (const e of events) assert.match(e.message!, /^pod triggered scale-up: \[\{MachineDeployment\/default\/as-md-0 [12]->[23] \(max: 3\)\}\]$/);
    const cm = JSON.parse(await wl.ok(['get', 'configmap', '-n', 'kube-system', 'cluster-autoscaler-status', '-o', 'json'])) as { data: { status: string } };
    const status = YAML.parse(cm.data.status) as { autoscalerStatus: string; nodeGroups: { name: string; health: { minSize: number; maxSize: number } }[] };
    assert.equal(status.autoscalerStatus, 'Running');
    assert.deepEqual([status.nodeGroups[0]!.name, status.nodeGroups[0]!.health.minSize, status.nodeGroups[0]!.health.maxSize], ['MachineDeployment/default/as-md-0', 1, 3]);
  });

  it('after the Deployment is deleted, the extra Nodes go after the unneeded time, back to min', async () => {
    await wl.ok(['delete', 'deploy', 'big']);
    await eventually(async () => ((JSON.parse(await kb.ok(['get', 'md', 'as-md-0', '-o', 'json'])) as { spec: { replicas: number } }).spec.replicas === 1 ? true : undefined), 120_000, 'replicas back to 1');
    await eventually(async () => ((await workers()).length === 1 ? true : undefined), 120_000, 'one worker Node left');
    await eventually(async () => ((await items(kb, ['get', 'machines', '-l', 'cluster.x-k8s.io/deployment-name=as-md-0'])).length === 1 ? true : undefined), 120_000, 'one worker Machine left');
  });

  it('a lightly used Node whose Pods fit elsewhere is drained through evictions and removed; the Pods run on', async () => {
    await wl.ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mv}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: mv}}\n  template:\n    metadata: {labels: {app: mv}}\n    spec:\n      containers: [{name: c, image: "nginx:1.27", resources: {requests: {cpu: 700m, memory: 64Mi}}}]\n');
    await eventually(async () => {
      const pods = await items(wl, ['get', 'pods', '-l', 'app=mv']);
      return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running') ? true : undefined;
    }, 120_000, 'three Pods Running on two workers');
    assert.equal((await workers()).length, 2);
    await wl.ok(['scale', 'deploy', 'mv', '--replicas=2']);
    await eventually(async () => ((await workers()).length === 1 ? true : undefined), 120_000, 'back to one worker');
    const pods = await eventually(async () => {
      const ps = await items(wl, ['get', 'pods', '-l', 'app=mv']);
      return ps.length === 2 && ps.every((p) => p.status?.phase === 'Running') ? ps : undefined;
    }, 60_000, 'two Pods Running');
    // The ReplicaSet takes its Pod off the fuller worker, leaving one Pod on each: one of them had to be evicted.
    const evicted = (await items(wl, ['get', 'events', '--field-selector', 'reason=ScaleDown'])).filter((e) => e.message === 'deleting pod for node scale down' && e.involvedObject?.name.startsWith('mv-'));
    assert.equal(evicted.length, 1, 'one Pod evicted for the scale-down');
    const [worker] = await workers();
    assert.ok(pods.every((p) => p.spec?.nodeName === worker!.metadata.name), 'both on the remaining worker');
    const md = JSON.parse(await kb.ok(['get', 'md', 'as-md-0', '-o', 'json'])) as { spec: { replicas: number } };
    assert.equal(md.spec.replicas, 1);
  });
});
