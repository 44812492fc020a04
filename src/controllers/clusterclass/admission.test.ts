/**
 * Topology admission through a real ObjectStore (schemas, the kinds' strategies, then this plugin), with cases after
 * Cluster API's Cluster and ClusterClass webhook tests. Every refusal is checked for its field path and for nothing
 * having been written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { clusterApiStore, refusal, type ClusterApiStore } from '../../api/cluster-api-store.test-util.js';
import { TopologyAdmission } from './admission.js';
import { objectStoreReader } from './store-reader.js';

const V = 'cluster.x-k8s.io/v1beta1';
const SIM = 'infrastructure.slipway.dev/v1alpha1';
const KCP = 'controlplane.cluster.x-k8s.io/v1beta1';
const UNSAFE_VERSION = 'unsafe.topology.cluster.x-k8s.io/disable-update-version-check';

let s: ClusterApiStore;
let seq = 0;
const unique = (prefix: string): string => `${prefix}-${++seq}`;

before(async () => {
  s = await clusterApiStore();
  s.objects.admission.push(new TopologyAdmission({ reader: objectStoreReader(s.objects) }));
});
after(async () => {
  await s?.close();
});

type Obj = Record<string, any>;
const ref = (apiVersion: string, kind: string, name: string): Obj => ({ apiVersion, kind, name });

function worker(cls: string, extra: Obj = {}): Obj {
  return { class: cls, template: { bootstrap: { ref: ref('bootstrap.cluster.x-k8s.io/v1beta1', 'KubeadmConfigTemplate', `${cls}-bootstrap`) }, infrastructure: { ref: ref(SIM, 'SimMachineTemplate', `${cls}-machine`) } }, ...extra };
}

const UNHEALTHY = { unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }] };

/** A class with two worker classes (linux has a health check) and four variables. */
function clusterClass(name: string, over: (spec: Obj) => void = () => {}): KubeObject {
  const spec: Obj = {
    infrastructure: { ref: ref(SIM, 'SimClusterTemplate', `${name}-cluster`) },
    controlPlane: { ref: ref(KCP, 'KubeadmControlPlaneTemplate', `${name}-cp`), machineInfrastructure: { ref: ref(SIM, 'SimMachineTemplate', `${name}-cp-machine`) } },
    workers: { machineDeployments: [worker('linux', { machineHealthCheck: UNHEALTHY }), worker('windows')] },
    variables: [
      { name: 'apiServerExtraArgs', required: false, schema: { openAPIV3Schema: { type: 'object', additionalProperties: { type: 'string' } } } },
      { name: 'cni', required: false, schema: { openAPIV3Schema: { type: 'string', enum: ['antrea', 'calico', 'none'], default: 'antrea' } } },
      { name: 'region', required: true, schema: { openAPIV3Schema: { type: 'string', minLength: 1 } } },
      { name: 'proxy', required: false, schema: { openAPIV3Schema: { type: 'object', required: ['httpProxy'], properties: { httpProxy: { type: 'string' }, noProxy: { type: 'array', items: { type: 'string' } } } } } },
    ],
  };
  over(spec);
  return { apiVersion: V, kind: 'ClusterClass', metadata: { name, namespace: 'default' }, spec };
}

function cluster(className: string, over: (topology: Obj) => void = () => {}, meta: Obj = {}): KubeObject {
  const topology: Obj = { class: className, version: 'v1.30.2', variables: [{ name: 'region', value: 'eu-1' }], workers: { machineDeployments: [{ class: 'linux', name: 'md-0' }] } };
  over(topology);
  return { apiVersion: V, kind: 'Cluster', metadata: { name: unique('c'), namespace: 'default', ...meta }, spec: { topology } };
}

const get = (o: KubeObject): Promise<KubeObject> => s.get(o.apiVersion!, o.kind!, o.metadata!.name!);
const topologyOf = (o: KubeObject): Obj => (o.spec as Obj).topology;

/** Refused with a cause containing every `want`, and not stored. */
async function assertCreateRefused(obj: KubeObject, ...want: string[]): Promise<void> {
  const causes = await refusal(() => s.create(obj));
  assert.ok(causes.length > 0, `expected ${obj.kind} ${obj.metadata?.name} to be refused`);
  for (const w of want) assert.ok(causes.some((c) => c.includes(w)), `no cause with ${JSON.stringify(w)} in ${JSON.stringify(causes)}`);
  await assert.rejects(get(obj), /not found/, 'nothing is stored on refusal');
}

/** The update of the stored `obj` by `change` is refused with every `want`, and the stored object is unchanged. */
async function assertUpdateRefused(obj: KubeObject, change: (o: Obj) => void, ...want: string[]): Promise<void> {
  const stored = await get(obj);
  const next = structuredClone(stored) as Obj;
  change(next);
  const causes = await refusal(() => s.update(next as KubeObject));
  assert.ok(causes.length > 0, `expected the update of ${obj.kind} ${obj.metadata?.name} to be refused`);
  for (const w of want) assert.ok(causes.some((c) => c.includes(w)), `no cause with ${JSON.stringify(w)} in ${JSON.stringify(causes)}`);
  const after = await get(obj);
  assert.equal(after.metadata!.resourceVersion, stored.metadata!.resourceVersion, 'nothing is written on refusal');
}

async function update(obj: KubeObject, change: (o: Obj) => void): Promise<KubeObject> {
  const next = structuredClone(await get(obj)) as Obj;
  change(next);
  return s.update(next as KubeObject);
}

describe('Cluster admission against its ClusterClass', () => {
  const cls = 'quick';
  before(async () => {
    await s.create(clusterClass(cls));
  });

  test('defaults variables from the class schema (a missing one with a default is created)', async () => {
    const c = await s.create(cluster(cls, (t) => t.variables.push({ name: 'proxy', value: { httpProxy: 'http://proxy:3128' } })));
    assert.deepEqual(topologyOf(c).variables, [
      { name: 'region', value: 'eu-1' },
      { name: 'proxy', value: { httpProxy: 'http://proxy:3128' } },
      { name: 'cni', value: 'antrea' },
    ]);
    // Stored as returned.
    assert.deepEqual(topologyOf(await get(c)).variables, topologyOf(c).variables);
  });

  test('a dry-run create is defaulted and checked too, and stores nothing', async () => {
    const obj = cluster(cls);
    const { object } = await s.objects.create(s.info(V, 'Cluster'), 'default', obj, { dryRun: true });
    assert.ok(topologyOf(object).variables.some((v: Obj) => v.name === 'cni'));
    await assert.rejects(get(obj), /not found/);
    const bad = cluster(cls, (t) => (t.variables = []));
    assert.deepEqual(await refusal(() => s.objects.create(s.info(V, 'Cluster'), 'default', bad, { dryRun: true })), ['spec.topology.variables: Required value: required variable "region" must be set']);
  });

  for (const [name, obj, want] of [
    ['missing class', cluster('nope'), 'spec.topology.class: Invalid value: "nope": ClusterClass with name "nope" could not be found'],
    ['missing class in another namespace', cluster(cls, (t) => (t.classNamespace = 'elsewhere')), 'spec.topology.class: Invalid value: "quick": ClusterClass with name "quick" could not be found in namespace "elsewhere"'],
    ['value of the wrong type', cluster(cls, (t) => t.variables.push({ name: 'apiServerExtraArgs', value: { 'max-requests-inflight': 400 } })), 'spec.topology.variables[apiServerExtraArgs].value.max-requests-inflight: Invalid value:'],
    ['value outside the enum', cluster(cls, (t) => t.variables.push({ name: 'cni', value: 'flannel' })), 'spec.topology.variables[cni].value: Unsupported value: "\\"flannel\\"": supported values: "antrea", "calico", "none"'],
    ['object missing a required field', cluster(cls, (t) => t.variables.push({ name: 'proxy', value: { noProxy: ['.local'] } })), 'spec.topology.variables[proxy].value.httpProxy: Required value'],
    ['unknown variable', cluster(cls, (t) => t.variables.push({ name: 'colour', value: 'red' })), 'spec.topology.variables[colour]: Invalid value: "\\"red\\"": variable is not defined'],
    ['required variable missing', cluster(cls, (t) => (t.variables = [])), 'spec.topology.variables: Required value: required variable "region" must be set'],
    ['required variable empty', cluster(cls, (t) => (t.variables = [{ name: 'region', value: '' }])), 'spec.topology.variables[region].value: Invalid value: "\\"\\"": should be at least 1 chars long'],
    ['worker class not in the class', cluster(cls, (t) => t.workers.machineDeployments.push({ class: 'mac', name: 'md-1' })), 'spec.topology.workers.machineDeployments[1].class: Invalid value: "mac": MachineDeploymentClass with name "mac" does not exist in ClusterClass "quick"'],
    ['duplicate worker names', cluster(cls, (t) => t.workers.machineDeployments.push({ class: 'windows', name: 'md-0' })), 'spec.topology.workers.machineDeployments[1]: Duplicate value'],
    ['invalid override', cluster(cls, (t) => (t.workers.machineDeployments[0].variables = { overrides: [{ name: 'cni', value: 'weave' }] })), 'spec.topology.workers.machineDeployments[md-0].variables.overrides[cni].value: Unsupported value: "\\"weave\\""'],
    ['health check on without a definition', cluster(cls, (t) => t.workers.machineDeployments.push({ class: 'windows', name: 'win', machineHealthCheck: { enable: true } })), 'spec.topology.workers.machineDeployments[win].machineHealthCheck.enable: Forbidden: cannot be set to true as MachineHealthCheck definition is not available in the Cluster topology or the ClusterClass'],
    ['control-plane health check on without a definition', cluster(cls, (t) => (t.controlPlane = { machineHealthCheck: { enable: true } })), 'spec.topology.controlPlane.machineHealthCheck.enable: Forbidden'],
  ] as const) {
    test(`refused: ${name}`, () => assertCreateRefused(obj, want));
  }

  test('a health check switched on is fine where the class defines one', async () => {
    await s.create(cluster(cls, (t) => (t.workers.machineDeployments[0].machineHealthCheck = { enable: true })));
  });

  test('the version must be one the class lists, when it lists any', async () => {
    await s.create(clusterClass('listed', (spec) => (spec.kubernetesVersions = ['v1.29.4', 'v1.30.2'])));
    await s.create(cluster('listed'));
    await assertCreateRefused(cluster('listed', (t) => (t.version = 'v1.30.1')), 'spec.topology.version: Invalid value: "v1.30.1": version must match one of the versions defined in the ClusterClass');
  });

  test('replicas may not be set where the class gives the pool to the autoscaler', async () => {
    await s.create(
      clusterClass('autoscaled', (spec) => {
        spec.workers.machineDeployments[0].template.metadata = { annotations: { 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '1' } };
      }),
    );
    await s.create(cluster('autoscaled'));
    await assertCreateRefused(cluster('autoscaled', (t) => (t.workers.machineDeployments[0].replicas = 2)), 'spec.topology.workers.machineDeployments[md-0].replicas: Invalid value: 2: cannot be set for cluster');
  });

  describe('updates', () => {
    test('a bad variable change is refused with its path; a good one is defaulted', async () => {
      const c = await s.create(cluster(cls));
      await assertUpdateRefused(c, (o) => o.spec.topology.variables.push({ name: 'apiServerExtraArgs', value: { 'audit-log-maxage': 30 } }), 'spec.topology.variables[apiServerExtraArgs].value.audit-log-maxage');
      const updated = await update(c, (o) => (o.spec.topology.variables = [{ name: 'region', value: 'us-2' }, { name: 'apiServerExtraArgs', value: { 'audit-log-maxage': '30' } }]));
      assert.deepEqual(topologyOf(updated).variables.map((v: Obj) => v.name), ['region', 'apiServerExtraArgs', 'cni']);
    });

    test('CEL transition rules see the stored value (oldSelf)', async () => {
      await s.create(
        clusterClass('growing', (spec) =>
          spec.variables.push({ name: 'diskGiB', required: false, schema: { openAPIV3Schema: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'disks only grow' }] } } }),
        ),
      );
      const c = await s.create(cluster('growing', (t) => t.variables.push({ name: 'diskGiB', value: 40 })));
      await assertUpdateRefused(c, (o) => (o.spec.topology.variables.find((v: Obj) => v.name === 'diskGiB').value = 20), 'spec.topology.variables[diskGiB].value: Invalid value: "20": disks only grow');
      await update(c, (o) => (o.spec.topology.variables.find((v: Obj) => v.name === 'diskGiB').value = 80));
    });

    test('version: downgrades and skipped minors are refused; the unsafe annotation lets them through', async () => {
      const c = await s.create(cluster(cls));
      await assertUpdateRefused(c, (o) => (o.spec.topology.version = 'v1.30.1'), 'spec.topology.version: Invalid value: "v1.30.1": version cannot be decreased from "1.30.2" to "1.30.1"');
      await assertUpdateRefused(c, (o) => (o.spec.topology.version = 'v1.32.0'), 'spec.topology.version: Invalid value: "v1.32.0": version cannot be increased from "1.30.2" to "1.32.0"');
      const up = await update(c, (o) => (o.spec.topology.version = 'v1.31.0'));
      assert.equal(topologyOf(up).version, 'v1.31.0');
      const down = await update(c, (o) => {
        o.metadata.annotations = { [UNSAFE_VERSION]: '' };
        o.spec.topology.version = 'v1.29.0';
      });
      assert.equal(topologyOf(down).version, 'v1.29.0');
    });

    test('changing to a class with other template kinds is refused; to a compatible one allowed', async () => {
      await s.create(clusterClass('other-infra', (spec) => (spec.infrastructure.ref = ref('infrastructure.example.com/v1beta1', 'OtherClusterTemplate', 'x'))));
      await s.create(clusterClass('quick-copy', (spec) => (spec.infrastructure.ref.name = 'another-cluster-template')));
      const c = await s.create(cluster(cls));
      await assertUpdateRefused(
        c,
        (o) => (o.spec.topology.class = 'other-infra'),
        'spec.infrastructure.ref.apiVersion: Forbidden: apiVersion.group cannot be changed from "infrastructure.slipway.dev" to "infrastructure.example.com" to prevent incompatible changes in the Clusters',
        'spec.infrastructure.ref.kind: Forbidden: apiVersion.kind cannot be changed from "SimClusterTemplate" to "OtherClusterTemplate"',
      );
      await assertUpdateRefused(c, (o) => (o.spec.topology.class = 'nope'), 'spec.topology.class: Invalid value: "nope": ClusterClass with name "nope" could not be found');
      const moved = await update(c, (o) => (o.spec.topology.class = 'quick-copy'));
      assert.equal(topologyOf(moved).class, 'quick-copy');
    });

    test('metadata-only writes (a controller adding a finalizer) are not re-judged', async () => {
      await s.create(clusterClass('short-lived'));
      const c = await s.create(cluster('short-lived'));
      // The class is edited out from under the Cluster in the store (bypassing admission), then a finalizer is added.
      const ccInfo = s.info(V, 'ClusterClass');
      const stored = await s.objects.get(ccInfo, 'default', 'short-lived');
      (stored.spec as Obj).variables = [];
      await s.store.update(s.objects.key(ccInfo, 'default', 'short-lived'), JSON.stringify(stored));
      const withFinalizer = await update(c, (o) => (o.metadata.finalizers = ['example.com/test']));
      assert.deepEqual(withFinalizer.metadata!.finalizers, ['example.com/test']);
    });
  });

  describe('a version change waits for the previous rollout', () => {
    async function controlPlane(name: string, specVersion: string, statusVersion?: string): Promise<void> {
      const cp = await s.create({
        apiVersion: KCP,
        kind: 'KubeadmControlPlane',
        metadata: { name, namespace: 'default' },
        spec: { replicas: 1, version: specVersion, machineTemplate: { infrastructureRef: ref(SIM, 'SimMachineTemplate', 'cp') }, kubeadmConfigSpec: {} },
      });
      if (statusVersion) await s.objects.update(s.info(KCP, 'KubeadmControlPlane'), 'default', name, { ...cp, status: { version: statusVersion } }, {}, 'status');
    }

    async function setStatusVersion(name: string, version: string): Promise<void> {
      const cp = await s.get(KCP, 'KubeadmControlPlane', name);
      await s.objects.update(s.info(KCP, 'KubeadmControlPlane'), 'default', name, { ...cp, status: { version } }, {}, 'status');
    }

    function managed(cpName: string): KubeObject {
      const c = cluster(cls);
      (c.spec as Obj).controlPlaneRef = ref(KCP, 'KubeadmControlPlane', cpName);
      return c;
    }

    test('control plane provisioning, upgrading, or not at the version yet', async () => {
      const cpName = unique('cp');
      await controlPlane(cpName, 'v1.30.2');
      const c = await s.create(managed(cpName));
      const bump = (o: Obj) => (o.spec.topology.version = 'v1.31.0');
      await assertUpdateRefused(c, bump, 'spec.topology.version: Invalid value: "v1.31.0": version cannot be changed: control plane is currently provisioning');
      await setStatusVersion(cpName, 'v1.29.8');
      await assertUpdateRefused(c, bump, 'version cannot be changed: control plane is still completing a previous upgrade');
      await setStatusVersion(cpName, 'v1.30.2');
      const up = await update(c, bump);
      assert.equal(topologyOf(up).version, 'v1.31.0');
      // The control plane has not been told about v1.31.0 yet.
      await assertUpdateRefused(up, (o) => (o.spec.topology.version = 'v1.31.1'), 'version cannot be changed: Cluster.spec.topology.version v1.31.0 was not propagated to control plane yet (control plane version v1.30.2)');
      // ...unless the user says so.
      await update(up, (o) => {
        o.metadata.annotations = { [UNSAFE_VERSION]: '' };
        o.spec.topology.version = 'v1.31.1';
      });
    });

    test('MachineDeployments of the topology not at the version', async () => {
      const cpName = unique('cp');
      await controlPlane(cpName, 'v1.30.2', 'v1.30.2');
      const c = await s.create(managed(cpName));
      const clusterName = c.metadata!.name!;
      const labels = { 'cluster.x-k8s.io/cluster-name': clusterName, 'topology.cluster.x-k8s.io/owned': '', 'topology.cluster.x-k8s.io/deployment-name': 'md-0' };
      const md = await s.create({
        apiVersion: V,
        kind: 'MachineDeployment',
        metadata: { name: `${clusterName}-md-0`, namespace: 'default', labels },
        spec: { clusterName, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { clusterName, version: 'v1.29.8', bootstrap: { dataSecretName: 'x' }, infrastructureRef: ref(SIM, 'SimMachineTemplate', 'm') } } },
      });
      await assertUpdateRefused(c, (o) => (o.spec.topology.version = 'v1.31.0'), `version cannot be changed: there are still MachineDeployments completing a previous upgrade: [${md.metadata!.name}]`);
      // At the version, but a Machine is still on the old one.
      await update(md, (o) => (o.spec.template.spec.version = 'v1.30.2'));
      await s.create({
        apiVersion: V,
        kind: 'Machine',
        metadata: { name: unique('m'), namespace: 'default', labels },
        spec: { clusterName, version: 'v1.29.8', bootstrap: { dataSecretName: 'x' }, infrastructureRef: ref(SIM, 'SimMachine', 'm') },
      });
      await assertUpdateRefused(c, (o) => (o.spec.topology.version = 'v1.31.0'), 'there are still MachineDeployments completing a previous upgrade');
    });
  });
});

describe('ClusterClass admission', () => {
  for (const [name, obj, want] of [
    ['template kind without the Template suffix', clusterClass(unique('cc'), (spec) => (spec.infrastructure.ref.kind = 'SimCluster')), 'spec.infrastructure.ref.kind: Invalid value: "SimCluster": template kind must be of form "<name>Template"'],
    ['variable schema the engine refuses', clusterClass(unique('cc'), (spec) => spec.variables.push({ name: 'bad', required: false, schema: { openAPIV3Schema: { type: 'string', default: 3 } } })), 'spec.variables[bad].schema.openAPIV3Schema.default'],
    ['kubernetesVersions not ascending', clusterClass(unique('cc'), (spec) => (spec.kubernetesVersions = ['v1.30.2', 'v1.30.1'])), 'spec.kubernetesVersions[1]: Invalid value: "v1.30.1": version must be greater than v1.30.2'],
    ['kubernetesVersions skipping a minor', clusterClass(unique('cc'), (spec) => (spec.kubernetesVersions = ['v1.29.4', 'v1.31.0'])), 'spec.kubernetesVersions[1]: Invalid value: "v1.31.0": expecting a version with minor 29 or 30, found version v1.31.0'],
    ['duplicate worker classes', clusterClass(unique('cc'), (spec) => spec.workers.machineDeployments.push(worker('linux'))), 'spec.workers.machineDeployments[2]: Duplicate value'],
  ] as const) {
    test(`refused: ${name}`, () => assertCreateRefused(obj, want));
  }

  describe('updates of a class in use', () => {
    const cls = 'in-use';
    let user: KubeObject;
    before(async () => {
      await s.create(clusterClass(cls));
      user = await s.create(
        cluster(cls, (t) => {
          t.variables.push({ name: 'proxy', value: { httpProxy: 'http://proxy:3128' } });
          t.workers.machineDeployments[0].machineHealthCheck = { enable: true };
        }),
      );
    });
    const cc = { apiVersion: V, kind: 'ClusterClass', metadata: { name: cls, namespace: 'default' } } as KubeObject;
    const userName = (): string => user.metadata!.name!;

    test('template group and kind may not change; name may', async () => {
      await assertUpdateRefused(cc, (o) => (o.spec.controlPlane.ref.kind = 'OtherControlPlaneTemplate'), 'spec.controlPlane.ref.kind: Forbidden: apiVersion.kind cannot be changed from "KubeadmControlPlaneTemplate" to "OtherControlPlaneTemplate"');
      await assertUpdateRefused(cc, (o) => (o.spec.workers.machineDeployments[1].template.infrastructure.ref.apiVersion = 'infrastructure.example.com/v1'), 'spec.workers.machineDeployments[1].template.infrastructure.ref.apiVersion: Forbidden: apiVersion.group cannot be changed');
      await assertUpdateRefused(cc, (o) => delete o.spec.controlPlane.machineInfrastructure, 'spec.controlPlane.machineInfrastructure.ref.kind: Forbidden');
      await update(cc, (o) => (o.spec.infrastructure.ref.name = 'renamed-cluster-template'));
    });

    test('a worker class in use may not be removed; an unused one may', async () => {
      await assertUpdateRefused(cc, (o) => o.spec.workers.machineDeployments.splice(0, 1), `spec.workers.machineDeployments: Forbidden: MachineDeploymentClass "linux" cannot be deleted because it is used by Cluster "${userName()}"`);
      const before = (await get(cc)).spec;
      const after = await update(cc, (o) => o.spec.workers.machineDeployments.splice(1, 1));
      assert.deepEqual((after.spec as Obj).workers.machineDeployments.map((w: Obj) => w.class), ['linux']);
      await update(cc, (o) => (o.spec = before));
    });

    test('a health check a Cluster switched on may not be removed', async () => {
      await assertUpdateRefused(cc, (o) => delete o.spec.workers.machineDeployments[0].machineHealthCheck, `spec.workers.machineDeployments[0].machineHealthCheck: Forbidden: MachineHealthCheck cannot be deleted because it is used by Cluster(s) "${userName()}"`);
    });

    test('variables: removal in use, schema change the values fail, new required variable', async () => {
      await assertUpdateRefused(cc, (o) => (o.spec.variables = o.spec.variables.filter((v: Obj) => v.name !== 'proxy')), `spec.variables: Forbidden: variable proxy can not be removed. It is used in Clusters [${userName()}]`);
      await assertUpdateRefused(
        cc,
        (o) => (o.spec.variables.find((v: Obj) => v.name === 'proxy').schema.openAPIV3Schema.properties.httpProxy.pattern = '^https://'),
        `spec.variables[3]: Forbidden: variable schema change for proxy is invalid. It failed validation in Clusters [${userName()}]`,
      );
      await assertUpdateRefused(cc, (o) => o.spec.variables.push({ name: 'zone', required: true, schema: { openAPIV3Schema: { type: 'string' } } }), `spec.variables[4]: Forbidden: variable zone is required but is not defined in Clusters [${userName()}]`);
      // An optional new variable and a schema change the values pass are fine.
      await update(cc, (o) => {
        o.spec.variables.push({ name: 'zone', required: false, schema: { openAPIV3Schema: { type: 'string' } } });
        o.spec.variables.find((v: Obj) => v.name === 'proxy').schema.openAPIV3Schema.properties.httpProxy.pattern = '^http://';
      });
    });

    test('kubernetesVersions must keep the versions Clusters run', async () => {
      await assertUpdateRefused(cc, (o) => (o.spec.kubernetesVersions = ['v1.31.0']), `spec.kubernetesVersions: Forbidden: Kubernetes Version v1.30.2 is used by Cluster "${userName()}" but not set in ClusterClass`);
    });

    test('delete is refused while a Cluster uses the class, naming it; allowed after', async () => {
      const info = s.info(V, 'ClusterClass');
      await assert.rejects(s.objects.delete(info, 'default', cls), (e: Error & { code?: number }) => {
        assert.equal(e.code, 403);
        assert.equal(e.message, `clusterclasses.cluster.x-k8s.io "${cls}" is forbidden: ClusterClass cannot be deleted because it is used by Cluster(s): default/${userName()}`);
        return true;
      });
      assert.ok(await get(cc), 'the class is still there');
      await s.objects.delete(s.info(V, 'Cluster'), 'default', userName());
      await s.objects.delete(info, 'default', cls);
      await assert.rejects(get(cc), /not found/);
    });
  });
});
