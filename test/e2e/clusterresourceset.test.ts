/**
 * ClusterResourceSet against a real plane with kubectl: a ConfigMap holding a Deployment and a CNI-like DaemonSet,
 * selected into clusters labelled cni=byo. A new labelled cluster gets both (seen with kubectl against the workload
 * cluster) and its ClusterResourceSetBinding lists them as applied; with Reconcile a ConfigMap change is re-applied,
 * with ApplyOnce it is not; an unlabelled cluster gets nothing; a missing resource is named in the condition; a
 * resource-set Secret is applied and another Secret type is refused (WrongSecretType);
 * deleting the set removes its binding and leaves the applied objects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, kube, quickStartYaml, waitFor, workloadKubectl, type Kube } from '../support/capi.js';

interface Binding {
  metadata: { ownerReferences?: { kind: string; name: string }[] };
  spec: { clusterName: string; bindings?: { clusterResourceSetName: string; resources?: { kind: string; name: string; applied: boolean; hash?: string; lastAppliedTime?: string }[] }[] };
}

const labelled = (name: string, labels: string): string => quickStartYaml({ name, workerReplicas: 0 }).replace(`metadata:\n  name: ${name}\n  namespace: default\nspec:\n  clusterNetwork`, `metadata:\n  name: ${name}\n  namespace: default\n  labels: {${labels}}\nspec:\n  clusterNetwork`);

const addons = (image: string): string => `apiVersion: v1
kind: ConfigMap
metadata: {name: addons, namespace: default}
data:
  cni.yaml: |
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: byo-cni, namespace: kube-system}
    spec:
      selector: {matchLabels: {k8s-app: byo-cni}}
      template:
        metadata: {labels: {k8s-app: byo-cni}}
        spec:
          tolerations: [{operator: Exists}]
          containers: [{name: cni, image: "${image}"}]
  app.yaml: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: hello, namespace: default}
    spec:
      replicas: 1
      selector: {matchLabels: {app: hello}}
      template:
        metadata: {labels: {app: hello}}
        spec:
          containers: [{name: hello, image: "nginx:1.27"}]
`;

const crsYaml = (name: string, selector: string, strategy: string, resources = '[{kind: ConfigMap, name: addons}]'): string => `apiVersion: addons.cluster.x-k8s.io/v1beta1
kind: ClusterResourceSet
metadata: {name: ${name}, namespace: default}
spec:
  strategy: ${strategy}
  clusterSelector: {matchLabels: {${selector}}}
  resources: ${resources}
`;

describe('ClusterResourceSet (kubectl, sim provider)', () => {
  let t: TestPlane;
  let kb: Kube;

  const cniImage = async (cluster: string): Promise<string | undefined> => {
    const wl = await workloadKubectl(kb, cluster);
    const r = await wl.k(['get', 'ds', 'byo-cni', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    return r.code === 0 ? r.stdout.trim() : undefined;
  };

  before(async () => {
    t = await startPlane({ workloadBehaviour: { containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 } });
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], addons('cni:v1'));
    await kb.ok(['apply', '-f', '-'], crsYaml('byo', 'cni: byo', 'Reconcile'));
    await kb.ok(['apply', '-f', '-'], crsYaml('once', 'addons: once', 'ApplyOnce'));
    await kb.ok(['apply', '-f', '-'], labelled('a', 'cni: byo'));
    await kb.ok(['apply', '-f', '-'], labelled('b', 'addons: once'));
    await kb.ok(['apply', '-f', '-'], quickStartYaml({ name: 'plain', workerReplicas: 0 }));
  });
  after(async () => {
    await t?.close();
  });

  it('the CRDs carry upstream names and labels; strategy defaults to ApplyOnce', async () => {
    const crd = await kb.json<{ metadata: { labels: Record<string, string> } }>(['get', 'crd', 'clusterresourcesets.addons.cluster.x-k8s.io']);
    assert.equal(crd.metadata.labels['cluster.x-k8s.io/provider'], 'cluster-api');
    await kb.ok(['apply', '-f', '-'], 'apiVersion: addons.cluster.x-k8s.io/v1beta1\nkind: ClusterResourceSet\nmetadata: {name: defaulted}\nspec:\n  clusterSelector: {matchLabels: {never: match}}\n');
    const d = await kb.json<{ spec: { strategy: string } }>(['get', 'clusterresourceset', 'defaulted']);
    assert.equal(d.spec.strategy, 'ApplyOnce');
    const bad = await kb.k(['apply', '-f', '-'], 'apiVersion: addons.cluster.x-k8s.io/v1beta1\nkind: ClusterResourceSet\nmetadata: {name: empty}\nspec:\n  clusterSelector: {}\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /selector must not be empty/);
    await kb.ok(['delete', 'clusterresourceset', 'defaulted']);
  });

  it('a cluster labelled cni=byo gets the DaemonSet and the Deployment; the binding lists them as applied', async () => {
    const b = await waitFor<Binding>(kb, ['get', 'clusterresourcesetbinding', 'a'], (o) => o.spec.bindings?.[0]?.resources?.[0]?.applied === true, 120_000, 'binding a applied');
    assert.equal(b.spec.clusterName, 'a');
    assert.deepEqual(b.spec.bindings!.map((x) => x.clusterResourceSetName), ['byo']);
    const r = b.spec.bindings![0]!.resources![0]!;
    assert.equal(r.kind, 'ConfigMap');
    assert.equal(r.name, 'addons');
    assert.match(r.hash!, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(b.metadata.ownerReferences!.map((o) => o.kind).sort(), ['Cluster', 'ClusterResourceSet']);
    assert.equal(await cniImage('a'), 'cni:v1');
    const wl = await workloadKubectl(kb, 'a');
    assert.match(await wl.ok(['get', 'deploy', 'hello', '-n', 'default', '--no-headers']), /^hello\s/);
    const crs = await waitFor(kb, ['get', 'clusterresourceset', 'byo'], (o: { status?: { conditions?: { type: string; status: string }[] } }) => conditionOf(o, 'ResourcesApplied')?.status === 'True', 30_000);
    assert.ok(crs);
    const cm = await kb.json<{ metadata: { ownerReferences?: { kind: string; name: string }[] } }>(['get', 'configmap', 'addons']);
    assert.ok(cm.metadata.ownerReferences?.some((o) => o.kind === 'ClusterResourceSet' && o.name === 'byo'));
  });

  it('an unlabelled cluster gets nothing', async () => {
    await waitFor<Binding>(kb, ['get', 'clusterresourcesetbinding', 'b'], (o) => o.spec.bindings?.[0]?.resources?.[0]?.applied === true, 120_000, 'binding b applied');
    await waitFor(kb, ['get', 'cluster', 'plain'], (o: { status?: { conditions?: { type: string; status: string }[] } }) => conditionOf(o, 'ControlPlaneInitialized')?.status === 'True', 120_000);
    assert.notEqual((await kb.k(['get', 'clusterresourcesetbinding', 'plain'])).code, 0);
    assert.equal(await cniImage('plain'), undefined);
  });

  it('Reconcile re-applies a changed ConfigMap; ApplyOnce does not', async () => {
    const before = await kb.json<Binding>(['get', 'clusterresourcesetbinding', 'a']);
    const onceBefore = await kb.json<Binding>(['get', 'clusterresourcesetbinding', 'b']);
    await kb.ok(['apply', '-f', '-'], addons('cni:v2'));
    await eventually(async () => ((await cniImage('a')) === 'cni:v2' ? true : undefined), 60_000, 'cni:v2 in cluster a');
    const after = await waitFor<Binding>(kb, ['get', 'clusterresourcesetbinding', 'a'], (o) => o.spec.bindings?.[0]?.resources?.[0]?.hash !== before.spec.bindings![0]!.resources![0]!.hash, 30_000);
    assert.equal(after.spec.bindings![0]!.resources![0]!.applied, true);
    // Cluster b (ApplyOnce) was woken by the same change (the ConfigMap is owned by both sets) and keeps v1.
    const onceAfter = await kb.json<Binding>(['get', 'clusterresourcesetbinding', 'b']);
    assert.deepEqual(onceAfter.spec.bindings, onceBefore.spec.bindings);
    assert.equal(await cniImage('b'), 'cni:v1');
  });

  it('a missing resource is named in the ResourcesApplied condition', async () => {
    await kb.ok(['apply', '-f', '-'], crsYaml('missing', 'cni: byo', 'ApplyOnce', '[{kind: ConfigMap, name: nope}]'));
    const o = await waitFor(kb, ['get', 'clusterresourceset', 'missing'], (x: { status?: { conditions?: { type: string; status: string }[] } }) => conditionOf(x, 'ResourcesApplied')?.status === 'False', 30_000);
    const c = conditionOf(o as { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }, 'ResourcesApplied')!;
    assert.equal(c.reason, 'RetrievingResourceFailed');
    assert.match(c.message!, /nope/);
    await kb.ok(['delete', 'clusterresourceset', 'missing', '--wait=true']);
  });

  it('a Secret of type addons.cluster.x-k8s.io/resource-set is applied; another type gives WrongSecretType', async () => {
    const manifest = Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-secret, namespace: default}\ndata: {k: v}\n').toString('base64');
    await kb.ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: {name: sec}\ntype: addons.cluster.x-k8s.io/resource-set\ndata:\n  m.yaml: ${manifest}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: opaque}\ntype: Opaque\ndata:\n  m.yaml: ${manifest}\n`);
    await kb.ok(['apply', '-f', '-'], crsYaml('sec', 'cni: byo', 'ApplyOnce', '[{kind: Secret, name: sec}]'));
    const wl = await workloadKubectl(kb, 'a');
    await eventually(async () => ((await wl.k(['get', 'configmap', 'from-secret', '-o', 'jsonpath={.data.k}'])).stdout.trim() === 'v' ? true : undefined), 30_000, 'ConfigMap from the Secret in cluster a');
    await kb.ok(['apply', '-f', '-'], crsYaml('opaque', 'cni: byo', 'ApplyOnce', '[{kind: Secret, name: opaque}]'));
    const o = await waitFor(kb, ['get', 'clusterresourceset', 'opaque'], (x: { status?: { conditions?: { type: string; status: string }[] } }) => conditionOf(x, 'ResourcesApplied')?.status === 'False', 30_000);
    assert.equal(conditionOf(o as { status?: { conditions?: { type: string; status: string; reason?: string }[] } }, 'ResourcesApplied')!.reason, 'WrongSecretType');
    await kb.ok(['delete', 'clusterresourceset', 'sec', 'opaque', '--wait=true']);
  });

  it('deleting the set removes its binding and leaves the applied objects', async () => {
    await kb.ok(['delete', 'clusterresourceset', 'byo', '--wait=true']);
    await eventually(async () => ((await kb.k(['get', 'clusterresourcesetbinding', 'a'])).code !== 0 ? true : undefined), 30_000, 'binding a gone');
    assert.equal(await cniImage('a'), 'cni:v2');
  });
});
