/**
 * Defaulting and validation of the cluster.x-k8s.io kinds through a real ObjectStore (schema + strategy), with cases
 * taken from upstream's webhook tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import { clusterApiStore, refusal, type ClusterApiStore } from '../cluster-api-store.test-util.js';
import { mustFormatValue } from './validation.js';

const V = 'cluster.x-k8s.io/v1beta1';
const INFRA = { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachine', name: 'infra' };
const CONFIG = { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfig', name: 'config' };

let s: ClusterApiStore;
let seq = 0;
const unique = (prefix: string): string => `${prefix}-${++seq}`;

before(async () => {
  s = await clusterApiStore();
});
after(async () => {
  await s.close();
});

type Spec = Record<string, unknown>;
const merge = (base: Spec, over: Spec): Spec => ({ ...base, ...over });

function machine(spec: Spec = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: V, kind: 'Machine', metadata: { name: unique('m'), namespace: 'default', ...meta }, spec: merge({ clusterName: 'c1', bootstrap: { configRef: { ...CONFIG } }, infrastructureRef: { ...INFRA } }, spec) };
}

function machineTemplate(spec: Spec = {}): Spec {
  return { spec: merge({ clusterName: 'c1', bootstrap: { dataSecretName: 'data' }, infrastructureRef: { ...INFRA } }, spec) };
}

function machineDeployment(spec: Spec = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: V, kind: 'MachineDeployment', metadata: { name: unique('md'), namespace: 'default', ...meta }, spec: merge({ clusterName: 'c1', selector: {}, template: machineTemplate() }, spec) };
}

function machineSet(spec: Spec = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: V, kind: 'MachineSet', metadata: { name: unique('ms'), namespace: 'default', ...meta }, spec: merge({ clusterName: 'c1', selector: {}, template: machineTemplate() }, spec) };
}

function healthCheck(spec: Spec = {}): KubeObject {
  return { apiVersion: V, kind: 'MachineHealthCheck', metadata: { name: unique('mhc'), namespace: 'default' }, spec: merge({ clusterName: 'c1', selector: { matchLabels: { pool: 'a' } } }, spec) };
}

function cluster(spec: Spec = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: V, kind: 'Cluster', metadata: { name: unique('c'), namespace: 'default', ...meta }, spec };
}

const spec = (o: KubeObject): Record<string, any> => o.spec as Record<string, any>;

/** Each case must be refused, and every `want` text must appear in one of the causes. */
async function assertRefused(obj: KubeObject, ...want: string[]): Promise<void> {
  const causes = await refusal(() => s.create(obj));
  assert.ok(causes.length > 0, `expected ${obj.kind} ${obj.metadata?.name} to be refused`);
  for (const w of want) assert.ok(causes.some((c) => c.includes(w)), `no cause with ${JSON.stringify(w)} in ${JSON.stringify(causes)}`);
  await assert.rejects(s.get(obj.apiVersion!, obj.kind!, obj.metadata!.name!), /not found/, 'nothing is stored on refusal');
}

describe('Machine', () => {
  test('defaults: cluster-name label, reference namespaces, v prefix, nodeDeletionTimeout', async () => {
    const m = await s.create(machine({ version: '1.30.2' }));
    assert.equal(m.metadata!.labels!['cluster.x-k8s.io/cluster-name'], 'c1');
    assert.equal(spec(m).bootstrap.configRef.namespace, 'default');
    assert.equal(spec(m).infrastructureRef.namespace, 'default');
    assert.equal(spec(m).version, 'v1.30.2');
    assert.equal(spec(m).nodeDeletionTimeout, '10s');
  });

  for (const [name, obj, want] of [
    ['no bootstrap source', machine({ bootstrap: {} }), 'spec.bootstrap.data: Required value: expected either spec.bootstrap.dataSecretName or spec.bootstrap.configRef to be populated'],
    ['config in another namespace', machine({ bootstrap: { configRef: { ...CONFIG, namespace: 'other' } } }), 'spec.bootstrap.configRef.namespace: Invalid value: "other": must match metadata.namespace'],
    ['infrastructure in another namespace', machine({ infrastructureRef: { ...INFRA, namespace: 'other' } }), 'spec.infrastructureRef.namespace: Invalid value: "other": must match metadata.namespace'],
    ['bad version', machine({ version: 'v1.30' }), 'spec.version: Invalid value: "v1.30": must be a valid semantic version'],
    ['missing clusterName', machine({ clusterName: undefined }), 'spec.clusterName: Required value'],
    ['bad drain timeout', machine({ nodeDrainTimeout: '10 minutes' }), 'spec.nodeDrainTimeout: Invalid value: "10 minutes": time: invalid duration'],
  ] as const) {
    test(`refused: ${name}`, () => assertRefused(obj, want));
  }

  test('a MachinePool-owned Machine needs no bootstrap source', async () => {
    const m = await s.create(machine({ bootstrap: {} }, { labels: { 'cluster.x-k8s.io/pool-name': 'mp' } }));
    assert.ok(m.metadata!.uid);
  });

  test('clusterName is immutable; a status write is not re-validated', async () => {
    const m = await s.create(machine());
    const changed = structuredClone(m);
    spec(changed).clusterName = 'c2';
    assert.deepEqual(await refusal(() => s.update(changed)), ['spec.clusterName: Forbidden: field is immutable']);
    const withStatus = { ...structuredClone(m), status: { phase: 'Running' } };
    const info = s.info(V, 'Machine');
    const written = await s.objects.update(info, 'default', m.metadata!.name!, withStatus, {}, 'status');
    assert.equal((written.object.status as { phase: string }).phase, 'Running');
  });
});

describe('MachineDeployment', () => {
  test('defaults as upstream: replicas, minReadySeconds, revisionHistoryLimit, progressDeadlineSeconds, strategy, selector and labels', async () => {
    const md = await s.create(machineDeployment({ template: machineTemplate({ version: '1.19.10' }) }));
    const name = md.metadata!.name!;
    const sp = spec(md);
    assert.equal(md.metadata!.labels!['cluster.x-k8s.io/cluster-name'], 'c1');
    assert.equal(sp.replicas, 1);
    assert.equal(sp.minReadySeconds, 0);
    assert.equal(sp.revisionHistoryLimit, 1);
    assert.equal(sp.progressDeadlineSeconds, 600);
    assert.deepEqual(sp.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    assert.deepEqual(sp.selector.matchLabels, { 'cluster.x-k8s.io/deployment-name': name, 'cluster.x-k8s.io/cluster-name': 'c1' });
    assert.deepEqual(sp.template.metadata.labels, { 'cluster.x-k8s.io/deployment-name': name, 'cluster.x-k8s.io/cluster-name': 'c1' });
    assert.equal(sp.template.spec.version, 'v1.19.10');
    assert.equal(sp.template.spec.infrastructureRef.namespace, 'default');
  });

  test('OnDelete gets no rollingUpdate; a user selector is kept and gets the cluster-name label', async () => {
    const md = await s.create(
      machineDeployment({ strategy: { type: 'OnDelete' }, selector: { matchLabels: { pool: 'a' } }, template: { metadata: { labels: { pool: 'a' } }, ...machineTemplate() } }),
    );
    assert.deepEqual(spec(md).strategy, { type: 'OnDelete' });
    assert.deepEqual(spec(md).selector.matchLabels, { pool: 'a', 'cluster.x-k8s.io/cluster-name': 'c1' });
  });

  // upstream TestCalculateMachineDeploymentReplicas
  const MIN = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
  const MAX = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';
  for (const [name, annotations, replicas, want] of [
    ['explicit replicas are kept', { [MIN]: '3', [MAX]: '7' }, 5, 5],
    ['no annotations: 1', {}, undefined, 1],
    ['only min size: 1', { [MIN]: '3' }, undefined, 1],
    ['only max size: 1', { [MAX]: '7' }, undefined, 1],
    ['both annotations on a new MD: min size', { [MIN]: '3', [MAX]: '7' }, undefined, 3],
  ] as const) {
    test(`replicas: ${name}`, async () => {
      const md = await s.create(machineDeployment(replicas === undefined ? {} : { replicas }, { annotations }));
      assert.equal(spec(md).replicas, want);
    });
  }

  for (const [name, oldReplicas, want] of [
    ['below min size: min', 1, 3],
    ['above max size: max', 15, 7],
    ['within range: kept', 4, 4],
  ] as const) {
    test(`replicas on update with autoscaler annotations, old ${name}`, async () => {
      const md = await s.create(machineDeployment({ replicas: oldReplicas }));
      const next = structuredClone(md);
      next.metadata!.annotations = { [MIN]: '3', [MAX]: '7' };
      delete spec(next).replicas;
      assert.equal(spec(await s.update(next)).replicas, want);
    });
  }

  test('an autoscaler annotation that is not a number is refused', async () => {
    const causes = await refusal(() => s.create(machineDeployment({}, { annotations: { [MIN]: 'abc', [MAX]: '7' } })));
    assert.match(causes[0]!, /could not parse the value of the "cluster.x-k8s.io\/cluster-api-autoscaler-node-group-min-size" annotation/);
  });

  for (const [name, obj, want] of [
    ['name longer than 63 characters', machineDeployment({}, { name: 'a'.repeat(64) }), 'metadata.name: Invalid value'],
    ['selector does not match the template labels', machineDeployment({ selector: { matchLabels: { pool: 'a' } } }), 'spec.template.metadata.labels: Forbidden: must match spec.selector'],
    ['invalid selector operator', machineDeployment({ selector: { matchExpressions: [{ key: 'pool', operator: 'Is' }] } }), 'spec.selector: Invalid value'],
    ['maxSurge "1" is not a percentage', machineDeployment({ strategy: { rollingUpdate: { maxSurge: '1' } } }), 'spec.strategy.rollingUpdate.maxSurge: Invalid value: "1": must be either an int or a percentage'],
    ['maxUnavailable "0"', machineDeployment({ strategy: { rollingUpdate: { maxUnavailable: '0' } } }), 'spec.strategy.rollingUpdate.maxUnavailable'],
    ['remediation maxInFlight "10"', machineDeployment({ strategy: { remediation: { maxInFlight: '10' } } }), 'spec.strategy.remediation.maxInFlight'],
    ['strategy type', machineDeployment({ strategy: { type: 'Recreate' } }), 'spec.strategy.type: Unsupported value: "Recreate"'],
    ['bad version (the v prefix is added first)', machineDeployment({ template: machineTemplate({ version: 'latest' }) }), 'spec.template.spec.version: Invalid value: "vlatest": must be a valid semantic version'],
    ['naming template without random', machineDeployment({ machineNamingStrategy: { template: '{{ .machineSet }}-x' } }), 'spec.machineNamingStrategy.template: Invalid value: "{{ .machineSet }}-x": invalid template, {{ .random }} is missing'],
    ['bad template label', machineDeployment({ template: { metadata: { labels: { 'bad key!': 'x' } }, ...machineTemplate() } }), 'spec.template.metadata.labels: Invalid value: "bad key!"'],
  ] as const) {
    test(`refused: ${name}`, () => assertRefused(obj, want));
  }

  test('percentages and ints are accepted for maxSurge/maxUnavailable', async () => {
    const md = await s.create(machineDeployment({ strategy: { rollingUpdate: { maxSurge: '1%', maxUnavailable: '0%' } } }));
    assert.deepEqual(spec(md).strategy.rollingUpdate, { maxSurge: '1%', maxUnavailable: '0%' });
  });

  test('clusterName is immutable', async () => {
    const md = await s.create(machineDeployment());
    const next = structuredClone(md);
    spec(next).clusterName = 'c2';
    spec(next).selector.matchLabels['cluster.x-k8s.io/cluster-name'] = 'c2';
    spec(next).template.metadata.labels['cluster.x-k8s.io/cluster-name'] = 'c2';
    const causes = await refusal(() => s.update(next));
    assert.ok(causes.includes('spec.clusterName: Forbidden: field is immutable'), JSON.stringify(causes));
  });
});

describe('MachineSet', () => {
  test('defaults: deletePolicy Random, replicas 1, set-name selector and template label', async () => {
    const ms = await s.create(machineSet({ template: machineTemplate({ version: '1.30.0' }) }));
    const name = ms.metadata!.name!;
    assert.equal(spec(ms).deletePolicy, 'Random');
    assert.equal(spec(ms).replicas, 1);
    assert.deepEqual(spec(ms).selector.matchLabels, { 'cluster.x-k8s.io/set-name': name });
    assert.deepEqual(spec(ms).template.metadata.labels, { 'cluster.x-k8s.io/set-name': name });
    assert.equal(spec(ms).template.spec.version, 'v1.30.0');
    assert.equal(ms.metadata!.labels!['cluster.x-k8s.io/cluster-name'], 'c1');
  });

  test('a name that is not a label value becomes a hash (MustFormatValue)', () => {
    const long = 'machineSetName'.repeat(12);
    assert.equal(mustFormatValue('machineSetName'), 'machineSetName');
    assert.equal(mustFormatValue(long), 'hash_FR_ghQ_z');
  });

  test('refused: selector does not match the template labels', () =>
    assertRefused(machineSet({ selector: { matchLabels: { pool: 'a' } } }), 'spec.template.metadata.labels: Invalid value: "object": must match spec.selector "pool=a"'));

  test('refused: deletePolicy outside the enum', () => assertRefused(machineSet({ deletePolicy: 'Largest' }), 'spec.deletePolicy: Unsupported value: "Largest"'));
});

describe('MachineHealthCheck', () => {
  test('defaults: maxUnhealthy 100%, nodeStartupTimeout 10m0s, cluster-name label, remediation template namespace', async () => {
    const mhc = await s.create(healthCheck({ remediationTemplate: { apiVersion: 'x/v1', kind: 'T', name: 't' } }));
    assert.equal(spec(mhc).maxUnhealthy, '100%');
    assert.equal(spec(mhc).nodeStartupTimeout, '10m0s');
    assert.equal(spec(mhc).remediationTemplate.namespace, 'default');
    assert.equal(mhc.metadata!.labels!['cluster.x-k8s.io/cluster-name'], 'c1');
  });

  for (const [name, obj, want] of [
    ['empty selector', healthCheck({ selector: {} }), 'spec.selector: Required value: selector must not be empty'],
    ['selector for another cluster', healthCheck({ selector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'c2' } } }), 'spec.selector: Invalid value: "object": cannot specify a cluster selector other than the one specified by ClusterName'],
    ['unhealthyRange without brackets', healthCheck({ unhealthyRange: '3-5' }), "spec.unhealthyRange: Invalid value: \"3-5\": spec.unhealthyRange in body should match '^\\[[0-9]+-[0-9]+\\]$'"],
    ['unhealthyRange with a letter', healthCheck({ unhealthyRange: '[a-5]' }), 'spec.unhealthyRange'],
    ['nodeStartupTimeout under 30s', healthCheck({ nodeStartupTimeout: '10s' }), 'spec.nodeStartupTimeout: Invalid value: "10s": must be at least 30s'],
    ['maxUnhealthy not a percentage', healthCheck({ maxUnhealthy: 'abc' }), 'spec.maxUnhealthy: Invalid value: "abc": must be either an int or a percentage'],
    ['remediation template elsewhere', healthCheck({ remediationTemplate: { kind: 'T', name: 't', namespace: 'other' } }), 'spec.remediationTemplate.namespace: Invalid value: "other": must match metadata.namespace'],
    ['condition timeout not a duration', healthCheck({ unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: 'soon' }] }), 'spec.unhealthyConditions[0].timeout'],
    ['reserved machine condition', healthCheck({ unhealthyMachineConditions: [{ type: 'Ready', status: 'False', timeout: '5m' }] }), 'spec.unhealthyMachineConditions[0].type'],
  ] as const) {
    test(`refused: ${name}`, () => assertRefused(obj, want));
  }

  test('accepted: unhealthyRange [1-3], a 0s startup timeout (disabled), an integer maxUnhealthy', async () => {
    const mhc = await s.create(healthCheck({ unhealthyRange: '[1-3]', nodeStartupTimeout: '0s', maxUnhealthy: 2 }));
    assert.equal(spec(mhc).unhealthyRange, '[1-3]');
    assert.equal(spec(mhc).maxUnhealthy, 2);
  });
});

describe('Cluster', () => {
  test('defaults: reference namespaces, topology version prefix', async () => {
    const c = await s.create(
      cluster({
        infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', name: 'x' },
        controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: 'x' },
        topology: { class: 'quick-start', version: '1.30.2' },
      }),
    );
    assert.equal(spec(c).infrastructureRef.namespace, 'default');
    assert.equal(spec(c).controlPlaneRef.namespace, 'default');
    assert.equal(spec(c).topology.version, 'v1.30.2');
  });

  for (const [name, obj, want] of [
    ['name that is not a label value', cluster({}, { name: 'a'.repeat(64) }), 'metadata.name: Invalid value'],
    ['infrastructure in another namespace', cluster({ infrastructureRef: { kind: 'SimCluster', name: 'x', namespace: 'other' } }), 'spec.infrastructureRef.namespace: Invalid value: "other": must match metadata.namespace'],
    ['control plane in another namespace', cluster({ controlPlaneRef: { kind: 'KubeadmControlPlane', name: 'x', namespace: 'other' } }), 'spec.controlPlaneRef.namespace: Invalid value: "other": must match metadata.namespace'],
    ['pod CIDR', cluster({ clusterNetwork: { pods: { cidrBlocks: ['10.0.0.0/8', '192.168.0.0/33'] } } }), 'spec.clusterNetwork.pods.cidrBlocks[1]: Invalid value: "192.168.0.0/33": invalid CIDR address: 192.168.0.0/33'],
    ['service CIDR', cluster({ clusterNetwork: { services: { cidrBlocks: ['fd00::/200'] } } }), 'spec.clusterNetwork.services.cidrBlocks[0]: Invalid value: "fd00::/200"'],
    ['topology version', cluster({ topology: { class: 'c', version: 'v1.30' } }), 'spec.topology.version: Invalid value: "v1.30": version must be a valid semantic version'],
    ['topology without class', cluster({ topology: { version: 'v1.30.0' } }), 'spec.topology.class: Required value'],
    ['deprecated definitionFrom', cluster({ topology: { class: 'c', version: 'v1.30.0', variables: [{ name: 'a', value: 1, definitionFrom: 'inline' }] } }), 'spec.topology.variables[a]: Invalid value: "1": variable "a" has DefinitionFrom set'],
    ['upgrade concurrency annotation', cluster({ topology: { class: 'c', version: 'v1.30.0' } }, { annotations: { 'topology.cluster.x-k8s.io/upgrade-concurrency': '0' } }), 'value cannot be less than 1'],
  ] as const) {
    test(`refused: ${name}`, () => assertRefused(obj, want));
  }

  test('dual-stack CIDRs are accepted', async () => {
    const c = await s.create(cluster({ clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16', 'fd00:100::/56'] }, services: { cidrBlocks: ['10.128.0.0/12'] }, serviceDomain: 'cluster.local' } }));
    assert.deepEqual(spec(c).clusterNetwork.pods.cidrBlocks, ['192.168.0.0/16', 'fd00:100::/56']);
  });

  test('on update: references cannot be removed, topology cannot be removed, versions step one minor up at most', async () => {
    const refs = await s.create(cluster({ infrastructureRef: { kind: 'SimCluster', name: 'x' }, controlPlaneRef: { kind: 'KubeadmControlPlane', name: 'x' } }));
    const noRefs = structuredClone(refs);
    delete spec(noRefs).infrastructureRef;
    delete spec(noRefs).controlPlaneRef;
    assert.deepEqual(await refusal(() => s.update(noRefs)), ['spec.infrastructureRef: Forbidden: cannot be removed', 'spec.controlPlaneRef: Forbidden: cannot be removed']);

    const managed = await s.create(cluster({ topology: { class: 'c', version: 'v1.29.3' } }));
    const unmanaged = structuredClone(managed);
    delete spec(unmanaged).topology;
    assert.deepEqual(await refusal(() => s.update(unmanaged)), ['spec.topology: Forbidden: cannot be removed from an existing Cluster']);
    for (const [version, want] of [
      ['v1.28.0', 'version cannot be decreased from "1.29.3" to "1.28.0"'],
      ['v1.31.0', 'version cannot be increased from "1.29.3" to "1.31.0"'],
    ] as const) {
      const next = structuredClone(managed);
      spec(next).topology.version = version;
      assert.deepEqual(await refusal(() => s.update(next)), [`spec.topology.version: Invalid value: "${version}": ${want}`]);
    }
    const upgrade = structuredClone(managed);
    spec(upgrade).topology.version = 'v1.30.9';
    assert.equal(spec(await s.update(upgrade)).topology.version, 'v1.30.9');

    const plain = await s.create(cluster({}));
    const adopt = structuredClone(plain);
    spec(adopt).topology = { class: 'c', version: 'v1.30.0' };
    assert.deepEqual(await refusal(() => s.update(adopt)), ['spec.topology.class: Forbidden: class cannot be set on an existing Cluster']);
  });
});

describe('ClusterClass', () => {
  test('reference namespaces are defaulted and must match', async () => {
    const ref = (kind: string) => ({ apiVersion: 'x/v1', kind, name: kind.toLowerCase() });
    const cc = await s.create({
      apiVersion: V,
      kind: 'ClusterClass',
      metadata: { name: unique('cc'), namespace: 'default' },
      spec: {
        infrastructure: { ref: ref('SimClusterTemplate') },
        controlPlane: { ref: ref('KubeadmControlPlaneTemplate'), machineInfrastructure: { ref: ref('SimMachineTemplate') } },
        workers: { machineDeployments: [{ class: 'default-worker', template: { bootstrap: { ref: ref('KubeadmConfigTemplate') }, infrastructure: { ref: ref('SimMachineTemplate') } } }] },
        variables: [{ name: 'imageRepository', required: false, schema: { openAPIV3Schema: { type: 'string', default: 'registry.k8s.io' } } }],
      },
    });
    assert.equal(spec(cc).infrastructure.ref.namespace, 'default');
    assert.equal(spec(cc).workers.machineDeployments[0].template.bootstrap.ref.namespace, 'default');
    assert.deepEqual(spec(cc).variables[0].schema.openAPIV3Schema, { type: 'string', default: 'registry.k8s.io' });
    await assertRefused(
      { apiVersion: V, kind: 'ClusterClass', metadata: { name: unique('cc'), namespace: 'default' }, spec: { infrastructure: { ref: { ...ref('SimClusterTemplate'), namespace: 'other' } }, controlPlane: { ref: ref('KubeadmControlPlaneTemplate') } } },
      'spec.infrastructure.ref.namespace: Invalid value: "other": must match metadata.namespace',
    );
  });
});
