/**
 * computeDesiredState on a class whose patches use only `value` and `valueFrom.variable` (no Go templates):
 * naming, labels and annotations, reuse of current names, health checks, versions and template rotation.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { computeDesiredState, decideTemplateChange, desiredObjects, TopologyError, type CurrentState } from './desired-state.js';
import { currentStateFromObjects } from './plan.js';
import { sequenceRandom } from './random.js';
import type { Cluster, ClusterClass } from './types.js';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';
const CP = 'controlplane.cluster.x-k8s.io/v1beta1';
const BOOT = 'bootstrap.cluster.x-k8s.io/v1beta1';

function fixture(): { cc: ClusterClass; templates: KubeObject[]; cluster: Cluster } {
  const cc: ClusterClass = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'ClusterClass',
    metadata: { name: 'plain', namespace: 'ns' },
    spec: {
      infrastructure: { ref: { apiVersion: INFRA, kind: 'DockerClusterTemplate', name: 'plain-cluster' } },
      controlPlane: {
        ref: { apiVersion: CP, kind: 'KubeadmControlPlaneTemplate', name: 'plain-cp' },
        machineInfrastructure: { ref: { apiVersion: INFRA, kind: 'DockerMachineTemplate', name: 'plain-cp-machine' } },
        metadata: { labels: { tier: 'class-cp', shared: 'class' }, annotations: { 'class/a': '1' } },
        machineHealthCheck: { unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }] },
        nodeDrainTimeout: '10m',
      },
      workers: {
        machineDeployments: [
          {
            class: 'default-worker',
            template: {
              metadata: { labels: { tier: 'class-worker' } },
              bootstrap: { ref: { apiVersion: BOOT, kind: 'KubeadmConfigTemplate', name: 'plain-boot' } },
              infrastructure: { ref: { apiVersion: INFRA, kind: 'DockerMachineTemplate', name: 'plain-worker' } },
            },
            machineHealthCheck: { maxUnhealthy: '40%' },
            minReadySeconds: 5,
          },
        ],
      },
      variables: [
        { name: 'image', required: true, schema: { openAPIV3Schema: { type: 'string', default: 'kindest/node' } } },
        { name: 'cpu', schema: { openAPIV3Schema: { type: 'integer', minimum: 1, default: 2 } } },
      ],
      patches: [
        {
          name: 'image',
          definitions: [
            {
              selector: { apiVersion: INFRA, kind: 'DockerMachineTemplate', matchResources: { controlPlane: true, machineDeploymentClass: { names: ['*'] } } },
              jsonPatches: [{ op: 'add', path: '/spec/template/spec/customImage', valueFrom: { variable: 'image' } }],
            },
          ],
        },
        {
          name: 'cpu',
          definitions: [
            {
              selector: { apiVersion: INFRA, kind: 'DockerMachineTemplate', matchResources: { machineDeploymentClass: { names: ['default-worker'] } } },
              jsonPatches: [{ op: 'add', path: '/spec/template/spec/cpu', valueFrom: { variable: 'cpu' } }],
            },
          ],
        },
        {
          name: 'names',
          definitions: [
            {
              selector: { apiVersion: CP, kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } },
              jsonPatches: [
                { op: 'add', path: '/spec/template/spec/kubeadmConfigSpec/clusterName', valueFrom: { variable: 'builtin.cluster.name' } },
                { op: 'add', path: '/spec/template/spec/kubeadmConfigSpec/machineTemplateName', valueFrom: { variable: 'builtin.controlPlane.machineTemplate.infrastructureRef.name' } },
                // Patches may not change fields the topology owns: spec.version is preserved.
                { op: 'add', path: '/spec/template/spec/version', value: 'v0.0.0' },
              ],
            },
          ],
        },
      ],
    },
  };
  const templates: KubeObject[] = [
    { apiVersion: INFRA, kind: 'DockerClusterTemplate', metadata: { name: 'plain-cluster', namespace: 'ns' }, spec: { template: { metadata: { labels: { from: 'template' } }, spec: { lb: {} } } } },
    { apiVersion: CP, kind: 'KubeadmControlPlaneTemplate', metadata: { name: 'plain-cp', namespace: 'ns' }, spec: { template: { spec: { kubeadmConfigSpec: {}, machineTemplate: { metadata: { labels: { shared: 'template' } } } } } } },
    { apiVersion: INFRA, kind: 'DockerMachineTemplate', metadata: { name: 'plain-cp-machine', namespace: 'ns', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, spec: { template: { spec: {} } } },
    { apiVersion: INFRA, kind: 'DockerMachineTemplate', metadata: { name: 'plain-worker', namespace: 'ns', labels: { t: 'w' } }, spec: { template: { spec: { extra: true } } } },
    { apiVersion: BOOT, kind: 'KubeadmConfigTemplate', metadata: { name: 'plain-boot', namespace: 'ns' }, spec: { template: { spec: { joinConfiguration: {} } } } },
  ];
  const cluster: Cluster = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'c1', namespace: 'ns', uid: 'uid-c1' },
    spec: {
      topology: {
        class: 'plain',
        version: 'v1.25.4',
        controlPlane: { replicas: 3, metadata: { labels: { tier: 'topology-cp' } } },
        workers: {
          machineDeployments: [
            { class: 'default-worker', name: 'md-0', replicas: 2, failureDomain: 'fd1', metadata: { annotations: { owner: 'a', 'topology.cluster.x-k8s.io/defer-upgrade': '' } } },
            { class: 'default-worker', name: 'md-1', machineHealthCheck: { enable: false }, variables: { overrides: [{ name: 'cpu', value: 8 }] } },
          ],
        },
        variables: [{ name: 'image', value: 'kindest/node:v1.25.4' }],
      },
    },
  };
  return { cc, templates, cluster };
}

const SUFFIXES = ['infra', 'cpmtx', 'ctrlp', 'boot0', 'mach0', 'mdzer', 'boot1', 'mach1', 'mdone'];

describe('computeDesiredState', () => {
  const { cc, templates, cluster } = fixture();
  const d = computeDesiredState(cc, cluster, templates, {}, { random: sequenceRandom(SUFFIXES) });
  const [md0, md1] = d.machineDeployments;

  it('names objects {cluster}-{random} and {cluster}-{topologyName}-{random}', () => {
    assert.equal(d.infrastructureCluster.metadata?.name, 'c1-infra');
    assert.equal(d.controlPlane.infrastructureMachineTemplate?.metadata?.name, 'c1-cpmtx');
    assert.equal(d.controlPlane.object.metadata?.name, 'c1-ctrlp');
    assert.equal(md0!.bootstrapTemplate.metadata?.name, 'c1-md-0-boot0');
    assert.equal(md0!.infrastructureMachineTemplate.metadata?.name, 'c1-md-0-mach0');
    assert.equal(md0!.object.metadata?.name, 'c1-md-0-mdzer');
    assert.equal(md1!.object.metadata?.name, 'c1-md-1-mdone');
  });

  it('the infrastructure cluster comes from spec.template with kind minus "Template"', () => {
    assert.deepEqual(d.infrastructureCluster, {
      apiVersion: INFRA,
      kind: 'DockerCluster',
      metadata: {
        name: 'c1-infra',
        namespace: 'ns',
        labels: { from: 'template', 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '' },
        annotations: { 'cluster.x-k8s.io/cloned-from-name': 'plain-cluster', 'cluster.x-k8s.io/cloned-from-groupkind': 'DockerClusterTemplate.infrastructure.cluster.x-k8s.io' },
      },
      spec: { lb: {} },
    });
  });

  it('the control plane: merged metadata (topology wins), replicas, version, machine template, patched spec', () => {
    assert.deepEqual(d.controlPlane.object, {
      apiVersion: CP,
      kind: 'KubeadmControlPlane',
      metadata: {
        name: 'c1-ctrlp',
        namespace: 'ns',
        labels: { tier: 'topology-cp', shared: 'class', 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '' },
        annotations: { 'class/a': '1', 'cluster.x-k8s.io/cloned-from-name': 'plain-cp', 'cluster.x-k8s.io/cloned-from-groupkind': 'KubeadmControlPlaneTemplate.controlplane.cluster.x-k8s.io' },
      },
      spec: {
        kubeadmConfigSpec: { clusterName: 'c1', machineTemplateName: 'c1-cpmtx' },
        machineTemplate: {
          metadata: {
            labels: { tier: 'topology-cp', shared: 'class', 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '' },
            annotations: { 'class/a': '1' },
          },
          infrastructureRef: { apiVersion: INFRA, kind: 'DockerMachineTemplate', name: 'c1-cpmtx', namespace: 'ns' },
          nodeDrainTimeout: '10m',
        },
        replicas: 3,
        version: 'v1.25.4',
      },
    });
  });

  it('cloned templates: labels, cloned-from annotations (last-applied dropped), owner reference, patched spec', () => {
    assert.deepEqual(d.controlPlane.infrastructureMachineTemplate, {
      apiVersion: INFRA,
      kind: 'DockerMachineTemplate',
      metadata: {
        name: 'c1-cpmtx',
        namespace: 'ns',
        labels: { 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '' },
        annotations: { 'cluster.x-k8s.io/cloned-from-name': 'plain-cp-machine', 'cluster.x-k8s.io/cloned-from-groupkind': 'DockerMachineTemplate.infrastructure.cluster.x-k8s.io' },
        ownerReferences: [{ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: 'c1', uid: 'uid-c1' }],
      },
      spec: { template: { spec: { customImage: 'kindest/node:v1.25.4' } } },
    });
    assert.deepEqual(md0!.infrastructureMachineTemplate.metadata?.labels, {
      t: 'w',
      'topology.cluster.x-k8s.io/deployment-name': 'md-0',
      'cluster.x-k8s.io/cluster-name': 'c1',
      'topology.cluster.x-k8s.io/owned': '',
    });
    assert.deepEqual(md0!.infrastructureMachineTemplate.spec, { template: { spec: { extra: true, customImage: 'kindest/node:v1.25.4', cpu: 2 } } });
    // md-1 overrides cpu.
    assert.deepEqual(md1!.infrastructureMachineTemplate.spec, { template: { spec: { extra: true, customImage: 'kindest/node:v1.25.4', cpu: 8 } } });
  });

  it('MachineDeployments: labels, selector, template metadata, refs, failure domain; upgrade annotations are not propagated', () => {
    assert.deepEqual(md0!.object, {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachineDeployment',
      metadata: {
        name: 'c1-md-0-mdzer',
        namespace: 'ns',
        labels: { tier: 'class-worker', 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '', 'topology.cluster.x-k8s.io/deployment-name': 'md-0' },
        annotations: { owner: 'a' },
      },
      spec: {
        clusterName: 'c1',
        replicas: 2,
        selector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '', 'topology.cluster.x-k8s.io/deployment-name': 'md-0' } },
        minReadySeconds: 5,
        template: {
          metadata: {
            labels: { tier: 'class-worker', 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '', 'topology.cluster.x-k8s.io/deployment-name': 'md-0' },
            annotations: { owner: 'a' },
          },
          spec: {
            clusterName: 'c1',
            version: 'v1.25.4',
            bootstrap: { configRef: { apiVersion: BOOT, kind: 'KubeadmConfigTemplate', name: 'c1-md-0-boot0', namespace: 'ns' } },
            infrastructureRef: { apiVersion: INFRA, kind: 'DockerMachineTemplate', name: 'c1-md-0-mach0', namespace: 'ns' },
            failureDomain: 'fd1',
          },
        },
      },
    });
    assert.equal(md1!.object.spec && 'replicas' in (md1!.object.spec as object), false);
  });

  it('MachineHealthChecks: named after their target, selectors as upstream, webhook defaults, enable:false honoured', () => {
    assert.deepEqual(d.controlPlane.machineHealthCheck, {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'MachineHealthCheck',
      metadata: { name: 'c1-ctrlp', namespace: 'ns', labels: { 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '' } },
      spec: {
        clusterName: 'c1',
        selector: { matchLabels: { 'topology.cluster.x-k8s.io/owned': '', 'cluster.x-k8s.io/control-plane': '' } },
        unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }],
        maxUnhealthy: '100%',
        nodeStartupTimeout: '10m0s',
      },
    });
    assert.deepEqual(md0!.machineHealthCheck?.spec, {
      clusterName: 'c1',
      selector: { matchLabels: { 'topology.cluster.x-k8s.io/owned': '', 'topology.cluster.x-k8s.io/deployment-name': 'md-0' } },
      maxUnhealthy: '40%',
      nodeStartupTimeout: '10m0s',
    });
    assert.equal(md1!.machineHealthCheck, undefined);
  });

  it('the Cluster gets its references and defaulted variables; the input is untouched', () => {
    assert.deepEqual(d.cluster.spec?.infrastructureRef, { apiVersion: INFRA, kind: 'DockerCluster', name: 'c1-infra', namespace: 'ns' });
    assert.deepEqual(d.cluster.spec?.controlPlaneRef, { apiVersion: CP, kind: 'KubeadmControlPlane', name: 'c1-ctrlp', namespace: 'ns' });
    assert.deepEqual(d.cluster.spec?.topology?.variables, [
      { name: 'image', value: 'kindest/node:v1.25.4' },
      { name: 'cpu', value: 2 },
    ]);
    assert.equal(cluster.spec?.infrastructureRef, undefined);
    assert.equal(cluster.spec?.topology?.variables?.length, 1);
  });

  it('desiredObjects lists templates before their users and health checks last', () => {
    assert.deepEqual(
      desiredObjects(d).map((o) => `${o.kind}/${o.metadata?.name}`),
      [
        'Cluster/c1',
        'DockerCluster/c1-infra',
        'DockerMachineTemplate/c1-cpmtx',
        'KubeadmControlPlane/c1-ctrlp',
        'KubeadmConfigTemplate/c1-md-0-boot0',
        'DockerMachineTemplate/c1-md-0-mach0',
        'MachineDeployment/c1-md-0-mdzer',
        'KubeadmConfigTemplate/c1-md-1-boot1',
        'DockerMachineTemplate/c1-md-1-mach1',
        'MachineDeployment/c1-md-1-mdone',
        'MachineHealthCheck/c1-ctrlp',
        'MachineHealthCheck/c1-md-0-mdzer',
      ],
    );
  });

  it('naming.template of the class is honoured (needs the template engine only when not the default)', () => {
    const f = fixture();
    f.cc.spec!.controlPlane!.namingStrategy = { template: '{{ .cluster.name }}-{{ .random }}' };
    const again = computeDesiredState(f.cc, f.cluster, f.templates, {}, { random: sequenceRandom(SUFFIXES) });
    assert.equal(again.controlPlane.object.metadata?.name, 'c1-ctrlp');
  });
});

describe('reuse of current objects and template rotation', () => {
  const { cc, templates, cluster } = fixture();
  const first = computeDesiredState(cc, cluster, templates, {}, { random: sequenceRandom(SUFFIXES) });
  const withStatus = (o: KubeObject, status: Record<string, unknown>): KubeObject => ({ ...o, metadata: { ...o.metadata, generation: 1 }, status: { observedGeneration: 1, ...status } });
  const existing: KubeObject[] = [
    first.cluster,
    first.infrastructureCluster,
    first.controlPlane.infrastructureMachineTemplate!,
    withStatus(first.controlPlane.object, { version: 'v1.25.4', replicas: 3, updatedReplicas: 3, readyReplicas: 3 }),
    ...first.machineDeployments.flatMap((m) => [m.bootstrapTemplate, m.infrastructureMachineTemplate, withStatus(m.object, { replicas: 2, updatedReplicas: 2 })]),
  ];

  it('current objects are found by references and topology labels', () => {
    const { state } = currentStateFromObjects(cluster, existing);
    assert.equal(state.controlPlane?.object?.metadata?.name, 'c1-ctrlp');
    assert.equal(state.controlPlane?.infrastructureMachineTemplate?.metadata?.name, 'c1-cpmtx');
    assert.deepEqual(Object.keys(state.machineDeployments ?? {}), ['md-0', 'md-1']);
    assert.equal(state.machineDeployments?.['md-1']?.bootstrapTemplate?.metadata?.name, 'c1-md-1-boot1');
  });

  it('an unchanged topology reuses every name and rotates nothing (no random suffix drawn)', () => {
    const { state, cluster: cur } = currentStateFromObjects(cluster, existing);
    const input: Cluster = { ...cluster, spec: { ...cluster.spec, infrastructureRef: cur?.spec?.infrastructureRef, controlPlaneRef: cur?.spec?.controlPlaneRef } };
    const again = computeDesiredState(cc, input, templates, state, { random: sequenceRandom([]) });
    assert.deepEqual(desiredObjects(again).map((o) => o.metadata?.name), desiredObjects(first).map((o) => o.metadata?.name));
    assert.deepEqual(again.templates.map((t) => t.change), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('a spec change rotates the template to a new name; a metadata-only change does not', () => {
    const { state } = currentStateFromObjects(cluster, existing);
    const changed: Cluster = JSON.parse(JSON.stringify(cluster));
    changed.spec!.topology!.variables = [{ name: 'image', value: 'kindest/node:v1.25.5' }];
    changed.spec!.topology!.workers!.machineDeployments![1]!.variables = { overrides: [{ name: 'cpu', value: 8 }] };
    const d = computeDesiredState(cc, changed, templates, state, { random: sequenceRandom(['newcp', 'new0i', 'new1i']) });
    const byRole = d.templates.map((t) => `${t.role}/${t.topologyName ?? ''}: ${t.change} ${t.currentName ?? ''} -> ${t.name}`);
    assert.deepEqual(byRole, [
      'controlPlaneMachineInfrastructure/: rotate c1-cpmtx -> c1-newcp',
      'machineDeploymentBootstrap/md-0: unchanged c1-md-0-boot0 -> c1-md-0-boot0',
      'machineDeploymentInfrastructure/md-0: rotate c1-md-0-mach0 -> c1-md-0-new0i',
      'machineDeploymentBootstrap/md-1: unchanged c1-md-1-boot1 -> c1-md-1-boot1',
      'machineDeploymentInfrastructure/md-1: rotate c1-md-1-mach1 -> c1-md-1-new1i',
    ]);
    assert.equal((d.controlPlane.object.spec as { machineTemplate: { infrastructureRef: { name: string } } }).machineTemplate.infrastructureRef.name, 'c1-newcp');
    assert.equal((d.machineDeployments[0]!.object.spec as { template: { spec: { infrastructureRef: { name: string } } } }).template.spec.infrastructureRef.name, 'c1-md-0-new0i');
    assert.equal(d.machineDeployments[0]!.object.metadata?.name, 'c1-md-0-mdzer');
  });

  it('rotation decisions', () => {
    const t = (spec: unknown, labels: Record<string, string> = {}): KubeObject => ({ kind: 'T', metadata: { name: 'x', labels }, spec });
    assert.equal(decideTemplateChange(undefined, t({ a: 1 })), 'create');
    assert.equal(decideTemplateChange(t({ a: 1 }), t({ a: 1 })), 'unchanged');
    assert.equal(decideTemplateChange(t({ a: 1 }), t({ a: 1 }, { new: 'label' })), 'metadata');
    assert.equal(decideTemplateChange(t({ a: 1 }), t({ a: 2 })), 'rotate');
    assert.equal(decideTemplateChange(t({ a: { b: [1, 2] } }), t({ a: { b: [2, 1] } })), 'rotate');
  });

  it('version bump: control plane first, workers wait', () => {
    const { state } = currentStateFromObjects(cluster, existing);
    const up: Cluster = JSON.parse(JSON.stringify(cluster));
    up.spec!.topology!.version = 'v1.26.0';
    const d = computeDesiredState(cc, up, templates, state, { random: sequenceRandom(['aaaaa', 'bbbbb', 'ccccc', 'ddddd', 'eeeee']) });
    assert.equal((d.controlPlane.object.spec as { version: string }).version, 'v1.26.0');
    assert.deepEqual(d.machineDeployments.map((m) => (m.object.spec as { template: { spec: { version: string } } }).template.spec.version), ['v1.25.4', 'v1.25.4']);
    assert.deepEqual(d.versions.workers['md-0'], { version: 'v1.25.4', pendingUpgrade: true });
  });
});

describe('errors', () => {
  it('invalid variables: a 422 Status with field causes', () => {
    const { cc, templates, cluster } = fixture();
    cluster.spec!.topology!.variables = [{ name: 'cpu', value: 0 }, { name: 'bogus', value: 1 }];
    assert.throws(
      () => computeDesiredState(cc, cluster, templates, {}, { random: sequenceRandom(SUFFIXES) }),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 422 &&
        e.message === 'Cluster.cluster.x-k8s.io "c1" is invalid: [spec.topology.variables[cpu].value: Invalid value: "0": should be greater than or equal to 1, spec.topology.variables[bogus]: Invalid value: "1": variable is not defined]',
    );
  });
  it('a missing template names the class field', () => {
    const { cc, templates, cluster } = fixture();
    assert.throws(
      () => computeDesiredState(cc, cluster, templates.slice(1), {}, { random: sequenceRandom(SUFFIXES) }),
      (e: unknown) => e instanceof TopologyError && e.field === 'spec.infrastructure.ref' && e.object === 'ClusterClass ns/plain' && e.message === 'spec.infrastructure.ref: DockerClusterTemplate "ns/plain-cluster" not found',
    );
  });
  it('an unknown MachineDeployment class', () => {
    const { cc, templates, cluster } = fixture();
    cluster.spec!.topology!.workers!.machineDeployments![0]!.class = 'nope';
    assert.throws(
      () => computeDesiredState(cc, cluster, templates, {}, { random: sequenceRandom(SUFFIXES) }),
      (e: unknown) => e instanceof StatusError && /spec.topology.workers.machineDeployments\[0\].class: Invalid value: "nope": MachineDeploymentClass with name "nope" does not exist in ClusterClass "plain"/.test(e.message),
    );
  });
  it('skipping a minor on update is forbidden', () => {
    const { cc, templates, cluster } = fixture();
    const next: Cluster = JSON.parse(JSON.stringify(cluster));
    next.spec!.topology!.version = 'v1.27.0';
    assert.throws(
      () => computeDesiredState(cc, next, templates, {} as CurrentState, { oldCluster: cluster, random: sequenceRandom(SUFFIXES) }),
      (e: unknown) => e instanceof StatusError && e.message.includes('spec.topology.version: Forbidden: version cannot be increased from "v1.25.4" to "v1.27.0"'),
    );
  });
});

describe('MachinePools', () => {
  it('render like MachineDeployments: objects from templates, names, labels, builtins and machinePoolClass selectors', () => {
    const { cc, templates, cluster } = fixture();
    cc.spec!.workers!.machinePools = [
      {
        class: 'pool-worker',
        template: {
          metadata: { labels: { kind: 'pool' } },
          bootstrap: { ref: { apiVersion: BOOT, kind: 'KubeadmConfigTemplate', name: 'plain-boot' } },
          infrastructure: { ref: { apiVersion: INFRA, kind: 'DockerMachinePoolTemplate', name: 'plain-pool' } },
        },
        failureDomains: ['fd1', 'fd2'],
      },
    ];
    cc.spec!.patches!.push({
      name: 'pool',
      definitions: [
        {
          selector: { apiVersion: INFRA, kind: 'DockerMachinePoolTemplate', matchResources: { machinePoolClass: { names: ['pool-*'] } } },
          jsonPatches: [
            { op: 'add', path: '/spec/template/spec/poolName', valueFrom: { variable: 'builtin.machinePool.topologyName' } },
            { op: 'add', path: '/spec/template/spec/replicas', valueFrom: { variable: 'builtin.machinePool.replicas' } },
            { op: 'add', path: '/spec/template/spec/bootstrapName', valueFrom: { variable: 'builtin.machinePool.bootstrap.configRef.name' } },
          ],
        },
      ],
    });
    templates.push({ apiVersion: INFRA, kind: 'DockerMachinePoolTemplate', metadata: { name: 'plain-pool', namespace: 'ns' }, spec: { template: { spec: { image: 'x' } } } });
    cluster.spec!.topology!.workers!.machinePools = [{ class: 'pool-worker', name: 'mp-0', replicas: 4 }];
    const d = computeDesiredState(cc, cluster, templates, {}, { random: sequenceRandom([...SUFFIXES, 'pboot', 'pinfr', 'poolx']) });
    const mp = d.machinePools[0]!;
    assert.equal(mp.bootstrapObject.kind, 'KubeadmConfig');
    assert.equal(mp.bootstrapObject.metadata?.name, 'c1-mp-0-pboot');
    assert.equal(mp.infrastructureMachinePool.kind, 'DockerMachinePool');
    assert.deepEqual(mp.infrastructureMachinePool.spec, { image: 'x', poolName: 'mp-0', replicas: 4, bootstrapName: 'c1-mp-0-pboot' });
    assert.deepEqual(mp.object.metadata, {
      name: 'c1-mp-0-poolx',
      namespace: 'ns',
      labels: { kind: 'pool', 'cluster.x-k8s.io/cluster-name': 'c1', 'topology.cluster.x-k8s.io/owned': '', 'topology.cluster.x-k8s.io/pool-name': 'mp-0' },
    });
    assert.deepEqual((mp.object.spec as Record<string, unknown>).failureDomains, ['fd1', 'fd2']);
    assert.deepEqual((mp.object.spec as { template: { spec: unknown } }).template.spec, {
      clusterName: 'c1',
      version: 'v1.25.4',
      bootstrap: { configRef: { apiVersion: BOOT, kind: 'KubeadmConfig', name: 'c1-mp-0-pboot', namespace: 'ns' } },
      infrastructureRef: { apiVersion: INFRA, kind: 'DockerMachinePool', name: 'c1-mp-0-pinfr', namespace: 'ns' },
    });
    // The MachineDeployment selector of the class does not reach pool templates.
    assert.equal((mp.infrastructureMachinePool.spec as Record<string, unknown>).customImage, undefined);
  });
});
