/**
 * The Cluster API kinds as a user meets them with the real kubectl on a fresh plane: served at start, listed with
 * short names, a quick-start style multi-document YAML applies unchanged, upstream's printer columns, defaults in
 * `-o yaml`, the scale subresource, `kubectl explain`, and refusals that name the field and write nothing.
 * Nothing here depends on controllers for these kinds running (or not).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startPlane, type TestPlane } from '../support/plane.js';

const CLUSTER = 'capi-quickstart';
const VERSION = 'v1.30.2';
const EVICTION = "eviction-hard: 'nodefs.available<0%,nodefs.inodesFree<0%,imagefs.available<0%'";

/** A cluster in the shape of upstream's quick-start (CAPD) template, with the sim infrastructure kinds. */
const QUICK_START = `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: ${CLUSTER}
  namespace: default
spec:
  clusterNetwork:
    pods:
      cidrBlocks:
      - 192.168.0.0/16
    serviceDomain: cluster.local
    services:
      cidrBlocks:
      - 10.128.0.0/12
  controlPlaneRef:
    apiVersion: controlplane.cluster.x-k8s.io/v1beta1
    kind: KubeadmControlPlane
    name: ${CLUSTER}-control-plane
  infrastructureRef:
    apiVersion: infrastructure.slipway.dev/v1alpha1
    kind: SimCluster
    name: ${CLUSTER}
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimCluster
metadata:
  name: ${CLUSTER}
  namespace: default
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: KubeadmControlPlane
metadata:
  name: ${CLUSTER}-control-plane
  namespace: default
spec:
  kubeadmConfigSpec:
    clusterConfiguration:
      apiServer:
        certSANs:
        - localhost
        - 127.0.0.1
        - 0.0.0.0
      controllerManager:
        extraArgs:
          enable-hostpath-provisioner: "true"
    initConfiguration:
      nodeRegistration:
        criSocket: unix:///var/run/containerd/containerd.sock
        kubeletExtraArgs:
          ${EVICTION}
    joinConfiguration:
      nodeRegistration:
        criSocket: unix:///var/run/containerd/containerd.sock
        kubeletExtraArgs:
          ${EVICTION}
  machineTemplate:
    infrastructureRef:
      apiVersion: infrastructure.slipway.dev/v1alpha1
      kind: SimMachineTemplate
      name: ${CLUSTER}-control-plane
  replicas: 1
  version: ${VERSION}
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: ${CLUSTER}-control-plane
  namespace: default
spec:
  template:
    spec:
      numCPUs: 2
      memoryMiB: 4096
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineDeployment
metadata:
  name: ${CLUSTER}-md-0
  namespace: default
spec:
  clusterName: ${CLUSTER}
  replicas: 1
  selector:
    matchLabels: null
  template:
    metadata:
      labels:
        nodepool: pool-0
    spec:
      bootstrap:
        configRef:
          apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
          kind: KubeadmConfigTemplate
          name: ${CLUSTER}-md-0
      clusterName: ${CLUSTER}
      infrastructureRef:
        apiVersion: infrastructure.slipway.dev/v1alpha1
        kind: SimMachineTemplate
        name: ${CLUSTER}-md-0
      version: ${VERSION}
---
apiVersion: infrastructure.slipway.dev/v1alpha1
kind: SimMachineTemplate
metadata:
  name: ${CLUSTER}-md-0
  namespace: default
spec:
  template:
    spec:
      behaviour:
        provisioningSeconds: 0
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta1
kind: KubeadmConfigTemplate
metadata:
  name: ${CLUSTER}-md-0
  namespace: default
spec:
  template:
    spec:
      joinConfiguration:
        nodeRegistration:
          criSocket: unix:///var/run/containerd/containerd.sock
          kubeletExtraArgs:
            ${EVICTION}
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata:
  name: ${CLUSTER}-mhc-0
  namespace: default
spec:
  clusterName: ${CLUSTER}
  maxUnhealthy: 40%
  selector:
    matchLabels:
      nodepool: pool-0
  unhealthyConditions:
  - type: Ready
    status: Unknown
    timeout: 300s
  - type: Ready
    status: "False"
    timeout: 300s
`;

type Obj = Record<string, any>;

describe('Cluster API kinds with kubectl', () => {
  let t: TestPlane;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await t.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const yamlOf = async (resource: string): Promise<Obj> => parse(await ok(['get', resource, '-o', 'yaml'])) as Obj;
  /** The header row of `kubectl get`, split into column names. */
  const header = async (resource: string): Promise<string[]> => (await ok(['get', resource])).split('\n')[0]!.trim().split(/\s{2,}/);

  before(async () => {
    t = await startPlane();
  });
  after(async () => {
    await t?.close();
  });

  it('answers on a fresh plane: get clusters,machines finds nothing, api-resources lists the kinds with short names', async () => {
    const r = await t.kubectl(['get', 'clusters,machines']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /No resources found in default namespace/);
    const resources = await ok(['api-resources', '--categories=cluster-api']);
    for (const [plural, shortNames, kind] of [
      ['clusters', 'cl', 'Cluster'],
      ['machines', 'ma', 'Machine'],
      ['machinesets', 'ms', 'MachineSet'],
      ['machinedeployments', 'md', 'MachineDeployment'],
      ['machinepools', 'mp', 'MachinePool'],
      ['machinehealthchecks', 'mhc,mhcs', 'MachineHealthCheck'],
      ['clusterclasses', 'cc', 'ClusterClass'],
      ['kubeadmcontrolplanes', 'kcp', 'KubeadmControlPlane'],
      ['kubeadmcontrolplanetemplates', '', 'KubeadmControlPlaneTemplate'],
      ['kubeadmconfigs', '', 'KubeadmConfig'],
      ['kubeadmconfigtemplates', '', 'KubeadmConfigTemplate'],
      ['simclusters', '', 'SimCluster'],
      ['simclustertemplates', '', 'SimClusterTemplate'],
      ['simmachines', '', 'SimMachine'],
      ['simmachinetemplates', '', 'SimMachineTemplate'],
      ['simmachinepools', '', 'SimMachinePool'],
      ['simmachinepooltemplates', '', 'SimMachinePoolTemplate'],
    ]) {
      assert.match(resources, new RegExp(`^${plural}\\s+${shortNames ? `${shortNames}\\s+` : ''}\\S+/v1\\w+\\s+true\\s+${kind}$`, 'm'), `${plural} in\n${resources}`);
    }
  });

  it('applies the quick-start YAML unchanged and shows upstream columns', async () => {
    const applied = await ok(['apply', '-f', '-'], QUICK_START);
    for (const line of [
      `cluster.cluster.x-k8s.io/${CLUSTER} created`,
      `simcluster.infrastructure.slipway.dev/${CLUSTER} created`,
      `kubeadmcontrolplane.controlplane.cluster.x-k8s.io/${CLUSTER}-control-plane created`,
      `simmachinetemplate.infrastructure.slipway.dev/${CLUSTER}-control-plane created`,
      `machinedeployment.cluster.x-k8s.io/${CLUSTER}-md-0 created`,
      `kubeadmconfigtemplate.bootstrap.cluster.x-k8s.io/${CLUSTER}-md-0 created`,
      `machinehealthcheck.cluster.x-k8s.io/${CLUSTER}-mhc-0 created`,
    ]) {
      assert.ok(applied.includes(line), `${line} in\n${applied}`);
    }
    assert.deepEqual(await header('clusters'), ['NAME', 'CLUSTERCLASS', 'PHASE', 'AGE', 'VERSION']);
    assert.deepEqual(await header('md'), ['NAME', 'CLUSTER', 'REPLICAS', 'READY', 'UPDATED', 'UNAVAILABLE', 'PHASE', 'AGE', 'VERSION']);
    assert.deepEqual(await header('kcp'), ['NAME', 'CLUSTER', 'INITIALIZED', 'API SERVER AVAILABLE', 'REPLICAS', 'READY', 'UPDATED', 'UNAVAILABLE', 'AGE', 'VERSION']);
    assert.deepEqual(await header('mhc'), ['NAME', 'CLUSTER', 'EXPECTEDMACHINES', 'MAXUNHEALTHY', 'CURRENTHEALTHY', 'AGE']);
    assert.deepEqual(await header('simclusters'), ['NAME', 'CLUSTER', 'READY', 'ENDPOINT', 'REASON', 'AGE']);
    assert.deepEqual(await header('kubeadmconfigtemplates'), ['NAME', 'AGE']);
    assert.deepEqual(await header('simmachinetemplates'), ['NAME', 'AGE']);

    const kcpRow = (await ok(['get', 'kcp', `${CLUSTER}-control-plane`, '--no-headers'])).trim().split(/\s+/);
    assert.equal(kcpRow[0], `${CLUSTER}-control-plane`);
    assert.equal(kcpRow.at(-1), VERSION);
    const mdRow = (await ok(['get', 'md', `${CLUSTER}-md-0`, '--no-headers'])).trim().split(/\s+/);
    assert.deepEqual([mdRow[0], mdRow[1], mdRow.at(-1)], [`${CLUSTER}-md-0`, CLUSTER, VERSION]);
    assert.match(await ok(['get', 'md', '-o', 'wide']), /^NAME\s+CLUSTER\s+DESIRED\s+REPLICAS/, 'Desired is a wide column');
    assert.match(await ok(['get', 'mhc', `${CLUSTER}-mhc-0`, '--no-headers']), new RegExp(`^${CLUSTER}-mhc-0\\s+${CLUSTER}\\s+(<none>|\\d+)\\s+40%`));

    // A Machine of its own, to see the Machine columns.
    await ok(['apply', '-f', '-'], `apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: standalone
  namespace: default
spec:
  clusterName: ${CLUSTER}
  version: 1.30.2
  bootstrap:
    dataSecretName: standalone-bootstrap
  infrastructureRef:
    apiVersion: infrastructure.slipway.dev/v1alpha1
    kind: SimMachine
    name: standalone
`);
    assert.deepEqual(await header('ma'), ['NAME', 'CLUSTER', 'NODENAME', 'PROVIDERID', 'PHASE', 'AGE', 'VERSION']);
    const machine = await yamlOf('machine/standalone');
    assert.equal(machine.spec.version, 'v1.30.2');
    assert.equal(machine.spec.nodeDeletionTimeout, '10s');
  });

  it('fills the defaults upstream fills, visible in -o yaml', async () => {
    const md = await yamlOf(`md/${CLUSTER}-md-0`);
    assert.equal(md.metadata.labels['cluster.x-k8s.io/cluster-name'], CLUSTER);
    assert.equal(md.spec.minReadySeconds, 0);
    assert.equal(md.spec.revisionHistoryLimit, 1);
    assert.equal(md.spec.progressDeadlineSeconds, 600);
    assert.deepEqual(md.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const selectorLabels = { 'cluster.x-k8s.io/cluster-name': CLUSTER, 'cluster.x-k8s.io/deployment-name': `${CLUSTER}-md-0` };
    assert.deepEqual(md.spec.selector.matchLabels, selectorLabels);
    assert.deepEqual(md.spec.template.metadata.labels, { ...selectorLabels, nodepool: 'pool-0' });
    assert.equal(md.spec.template.spec.bootstrap.configRef.namespace, 'default');
    assert.equal(md.spec.template.spec.infrastructureRef.namespace, 'default');

    const kcp = await yamlOf(`kcp/${CLUSTER}-control-plane`);
    assert.deepEqual(kcp.spec.rolloutStrategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } });
    assert.equal(kcp.spec.kubeadmConfigSpec.format, 'cloud-config');
    assert.equal(kcp.spec.kubeadmConfigSpec.initConfiguration.nodeRegistration.imagePullPolicy, 'IfNotPresent');
    assert.equal(kcp.spec.machineTemplate.infrastructureRef.namespace, 'default');

    const mhc = await yamlOf(`mhc/${CLUSTER}-mhc-0`);
    assert.equal(mhc.spec.nodeStartupTimeout, '10m0s');
    assert.equal(mhc.spec.maxUnhealthy, '40%');
    assert.equal(mhc.metadata.labels['cluster.x-k8s.io/cluster-name'], CLUSTER);

    const cluster = await yamlOf(`cluster/${CLUSTER}`);
    assert.equal(cluster.spec.controlPlaneRef.namespace, 'default');
    assert.equal(cluster.spec.infrastructureRef.namespace, 'default');

    const kct = await yamlOf(`kubeadmconfigtemplate/${CLUSTER}-md-0`);
    assert.equal(kct.spec.template.spec.format, 'cloud-config');

    const again = await ok(['apply', '-f', '-'], QUICK_START);
    assert.doesNotMatch(again, /configured|created/, `re-applying the same YAML changes nothing:\n${again}`);
  });

  it('scales a MachineDeployment through the scale subresource', async () => {
    assert.match(await ok(['scale', `md/${CLUSTER}-md-0`, '--replicas=3']), /scaled/);
    const md = await yamlOf(`md/${CLUSTER}-md-0`);
    assert.equal(md.spec.replicas, 3);
    const scale = JSON.parse(await ok(['get', '--raw', `/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machinedeployments/${CLUSTER}-md-0/scale`])) as Obj;
    assert.equal(scale.spec.replicas, 3);
  });

  it('explains the schema', async () => {
    const out = await ok(['explain', 'machinedeployment.spec.strategy']);
    assert.match(out, /GROUP:\s+cluster\.x-k8s\.io/);
    assert.match(out, /FIELD: strategy <Object>/);
    assert.match(out, /rollingUpdate\s+<Object>/);
    assert.match(out, /type\s+<string>/);
    assert.match(out, /enum: RollingUpdate, OnDelete/);
    assert.match(await ok(['explain', 'kcp.spec.replicas']), /FIELD: replicas <integer>/);
  });

  it('refuses an even KubeadmControlPlane replica count and a bad unhealthyRange, naming the field, writing nothing', async () => {
    const kcpName = `${CLUSTER}-control-plane`;
    const before = await yamlOf(`kcp/${kcpName}`);
    const scaled = await t.kubectl(['scale', `kcp/${kcpName}`, '--replicas=2']);
    assert.notEqual(scaled.code, 0);
    assert.match(scaled.stderr, /spec\.replicas: Forbidden: cannot be an even number when etcd is stacked/);
    const patched = await t.kubectl(['patch', `kcp/${kcpName}`, '--type=merge', '-p', '{"spec":{"replicas":4}}']);
    assert.notEqual(patched.code, 0);
    assert.match(patched.stderr, /spec\.replicas: Forbidden: cannot be an even number when etcd is stacked/);
    const after = await yamlOf(`kcp/${kcpName}`);
    assert.equal(after.spec.replicas, 1);
    assert.equal(after.metadata.generation, before.metadata.generation, 'the refused writes did not bump the generation');

    const evenNew = await t.kubectl(['apply', '-f', '-'], {
      input: QUICK_START.split('---\n')[2]!.replace(`name: ${kcpName}`, 'name: even-cp').replace('replicas: 1', 'replicas: 2'),
    });
    assert.notEqual(evenNew.code, 0);
    assert.match(evenNew.stderr, /KubeadmControlPlane "even-cp" is invalid: spec\.replicas: Forbidden: cannot be an even number when etcd is stacked/);
    assert.match((await t.kubectl(['get', 'kcp', 'even-cp'])).stderr, /NotFound|not found/);

    const badRange = await t.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata:
  name: bad-range
  namespace: default
spec:
  clusterName: ${CLUSTER}
  unhealthyRange: "3-5"
  selector:
    matchLabels:
      nodepool: pool-0
`,
    });
    assert.notEqual(badRange.code, 0);
    assert.match(badRange.stderr, /MachineHealthCheck "bad-range" is invalid: spec\.unhealthyRange: Invalid value: "3-5": spec\.unhealthyRange in body should match/);
    assert.match((await t.kubectl(['get', 'mhc', 'bad-range'])).stderr, /NotFound|not found/);
  });

  it('MachinePool: upstream defaults, the scale subresource, refusals naming the field', async () => {
    const pool = (name: string, extra = '', bootstrap = 'configRef: {apiVersion: bootstrap.cluster.x-k8s.io/v1beta1, kind: KubeadmConfig, name: pool-boot}') => `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachinePool
metadata:
  name: ${name}
  namespace: default
spec:
  clusterName: ${CLUSTER}
  template:
    spec:
      bootstrap: {${bootstrap}}
      infrastructureRef: {apiVersion: infrastructure.slipway.dev/v1alpha1, kind: SimMachinePool, name: pool-infra}
      version: "1.30.2"
${extra}`;
    await ok(['apply', '-f', '-'], pool('pool-a'));
    const got = parse(await ok(['get', 'mp', 'pool-a', '-o', 'yaml'])) as { metadata: { labels: Record<string, string> }; spec: { replicas: number; template: { spec: Record<string, unknown> } } };
    assert.equal(got.spec.replicas, 1);
    assert.equal(got.metadata.labels['cluster.x-k8s.io/cluster-name'], CLUSTER);
    assert.equal(got.spec.template.spec.version, 'v1.30.2');
    assert.equal(got.spec.template.spec.clusterName, CLUSTER);
    assert.equal(got.spec.template.spec.nodeDeletionTimeout, '10s');
    assert.equal((got.spec.template.spec.bootstrap as { configRef: { namespace: string } }).configRef.namespace, 'default');
    await ok(['scale', 'mp', 'pool-a', '--replicas=4']);
    assert.equal(await ok(['get', 'mp', 'pool-a', '-o', 'jsonpath={.spec.replicas}']), '4');
    assert.deepEqual(await header('mp'), ['NAME', 'CLUSTER', 'REPLICAS', 'PHASE', 'AGE', 'VERSION']);

    const noBootstrap = await t.kubectl(['apply', '-f', '-'], { input: pool('pool-b', '', '') });
    assert.notEqual(noBootstrap.code, 0);
    assert.match(noBootstrap.stderr, /spec\.template\.spec\.bootstrap: Required value: expected either spec\.template\.spec\.bootstrap\.dataSecretName or spec\.template\.spec\.bootstrap\.configRef to be populated/);
    const badVersion = await t.kubectl(['apply', '-f', '-'], { input: pool('pool-c').replace('"1.30.2"', '"1.x"') });
    assert.notEqual(badVersion.code, 0);
    assert.match(badVersion.stderr, /spec\.template\.spec\.version: Invalid value: "v1\.x"/);
    const moved = await t.kubectl(['patch', 'mp', 'pool-a', '--type=merge', '-p', '{"spec":{"clusterName":"other"}}']);
    assert.notEqual(moved.code, 0);
    assert.match(moved.stderr, /spec\.clusterName: Forbidden: field is immutable/);
    assert.match((await t.kubectl(['get', 'mp', 'pool-b'])).stderr, /not found/);
    await ok(['delete', 'mp', 'pool-a']);
  });

  it('keeps serving the kinds across a restart without rewriting their CRDs', async () => {
    const crdVersions = await ok(['get', 'crd', '-l', 'cluster.x-k8s.io/provider', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}']);
    assert.equal(crdVersions.trim().split('\n').length, 23); // with addons (ClusterResourceSet, -Binding) and ipam (IPAddressClaim, IPAddress, InClusterIPPool, GlobalInClusterIPPool)
    await t.restart();
    assert.equal(await ok(['get', 'crd', '-l', 'cluster.x-k8s.io/provider', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}']), crdVersions);
    assert.match(await ok(['get', 'md', `${CLUSTER}-md-0`, '-o', 'jsonpath={.spec.replicas}']), /^3$/);
  });
});
