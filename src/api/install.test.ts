/** installClusterApi: valid CRDs with upstream names and columns, idempotent installs, stale CRDs re-applied. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crdStrategy, validateCrd, type CustomResourceDefinition } from '../apiserver/crd.js';
import { ObjectStore } from '../apiserver/object-store.js';
import { ResourceRegistry } from '../apiserver/registry.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { builtinResources } from './builtin/index.js';
import { clusterApiStore, silentLog } from './cluster-api-store.test-util.js';
import { clusterApiCrds, clusterApiKinds, installClusterApi } from './install.js';

test('every generated CRD is a valid structural CRD', () => {
  for (const crd of clusterApiCrds()) assert.deepEqual(validateCrd(crd, undefined), [], crd.metadata!.name);
});

test('names, scale subresources and printer columns as upstream', () => {
  const byKind = new Map(clusterApiCrds().map((c) => [c.spec.names.kind, c]));
  const want: [string, string, string[] | undefined, string[], boolean][] = [
    ['Cluster', 'clusters', ['cl'], ['ClusterClass', 'Phase', 'Age', 'Version'], false],
    ['Machine', 'machines', ['ma'], ['Cluster', 'NodeName', 'ProviderID', 'Phase', 'Age', 'Version'], false],
    ['MachineSet', 'machinesets', ['ms'], ['Cluster', 'Desired', 'Replicas', 'Ready', 'Available', 'Age', 'Version'], true],
    ['MachineDeployment', 'machinedeployments', ['md'], ['Cluster', 'Desired', 'Replicas', 'Ready', 'Updated', 'Unavailable', 'Phase', 'Age', 'Version'], true],
    ['MachinePool', 'machinepools', ['mp'], ['Cluster', 'Desired', 'Replicas', 'Phase', 'Age', 'Version'], true],
    ['MachineHealthCheck', 'machinehealthchecks', ['mhc', 'mhcs'], ['Cluster', 'ExpectedMachines', 'MaxUnhealthy', 'CurrentHealthy', 'Age'], false],
    ['ClusterClass', 'clusterclasses', ['cc'], ['Age'], false],
    ['KubeadmControlPlane', 'kubeadmcontrolplanes', ['kcp'], ['Cluster', 'Initialized', 'API Server Available', 'Desired', 'Replicas', 'Ready', 'Updated', 'Unavailable', 'Age', 'Version'], true],
    ['KubeadmControlPlaneTemplate', 'kubeadmcontrolplanetemplates', undefined, ['Age'], false],
    ['KubeadmConfig', 'kubeadmconfigs', undefined, ['Cluster', 'Age'], false],
    ['KubeadmConfigTemplate', 'kubeadmconfigtemplates', undefined, ['Age'], false],
    ['SimCluster', 'simclusters', undefined, ['Cluster', 'Ready', 'Endpoint', 'Reason', 'Age', 'Message'], false],
    ['SimClusterTemplate', 'simclustertemplates', undefined, ['Age'], false],
    ['SimMachine', 'simmachines', undefined, ['Cluster', 'Ready', 'ProviderID', 'Node', 'Reason', 'Age', 'Message'], false],
    ['SimMachineTemplate', 'simmachinetemplates', undefined, ['Age'], false],
    ['SimMachinePool', 'simmachinepools', undefined, ['Cluster', 'Ready', 'Replicas', 'Reason', 'Age', 'Message'], false],
    ['SimMachinePoolTemplate', 'simmachinepooltemplates', undefined, ['Age'], false],
    ['ClusterResourceSet', 'clusterresourcesets', undefined, ['Age'], false],
    ['ClusterResourceSetBinding', 'clusterresourcesetbindings', undefined, ['Age'], false],
    ['IPAddressClaim', 'ipaddressclaims', undefined, ['Pool Name', 'Pool Kind', 'Age'], false],
    ['IPAddress', 'ipaddresses', undefined, ['Address', 'Pool Name', 'Pool Kind', 'Age'], false],
    ['InClusterIPPool', 'inclusterippools', undefined, ['Addresses', 'Total', 'Free', 'Used'], false],
    ['GlobalInClusterIPPool', 'globalinclusterippools', undefined, ['Addresses', 'Total', 'Free', 'Used'], false],
  ];
  assert.equal(byKind.size, want.length);
  for (const [kind, plural, shortNames, columns, scale] of want) {
    const crd = byKind.get(kind)!;
    assert.ok(crd, kind);
    assert.equal(crd.spec.names.plural, plural);
    assert.deepEqual(crd.spec.names.shortNames, shortNames, kind);
    assert.deepEqual(crd.spec.names.categories, ['cluster-api'], kind);
    assert.deepEqual(crd.spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name), columns, kind);
    assert.equal(!!crd.spec.versions[0]!.subresources?.scale, scale, kind);
    // MachinePools have no selector (upstream's scale subresource has none for them either).
    const selector = kind === 'MachinePool' ? {} : { labelSelectorPath: '.status.selector' };
    if (scale) assert.deepEqual(crd.spec.versions[0]!.subresources!.scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', ...selector });
  }
});

test('each kind has one definition holding its strategy', () => {
  const kinds = clusterApiKinds();
  assert.equal(new Set(kinds.map((k) => `${k.group}/${k.kind}`)).size, kinds.length);
  for (const k of kinds) assert.equal(k.strategy.generation, true, k.kind);
});

function plainObjects(store: MemoryStore): ObjectStore {
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', builtinResources());
  const objects = new ObjectStore(store, registry);
  objects.setStrategy('apiextensions.k8s.io', 'CustomResourceDefinition', crdStrategy);
  return objects;
}

test('installing again writes nothing; a stale stored CRD is brought up to date', async () => {
  const store = new MemoryStore();
  const first = plainObjects(store);
  await installClusterApi(first, silentLog);
  const afterFirst = store.currentRevision();
  assert.ok(afterFirst >= clusterApiCrds().length);

  await installClusterApi(plainObjects(store), silentLog);
  assert.equal(store.currentRevision(), afterFirst, 'a second install (a restart) writes nothing');

  const objects = plainObjects(store);
  const info = objects.registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const stale = (await objects.get(info, undefined, 'machinedeployments.cluster.x-k8s.io')) as CustomResourceDefinition;
  stale.spec.versions[0]!.additionalPrinterColumns = [];
  delete stale.metadata!.labels;
  await objects.update(info, undefined, stale.metadata!.name!, stale);
  const beforeUpgrade = store.currentRevision();

  await installClusterApi(plainObjects(store), silentLog);
  assert.equal(store.currentRevision(), beforeUpgrade + 1, 'exactly the stale CRD is rewritten');
  const fixed = (await objects.get(info, undefined, 'machinedeployments.cluster.x-k8s.io')) as CustomResourceDefinition;
  assert.deepEqual(fixed.spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name), ['Cluster', 'Desired', 'Replicas', 'Ready', 'Updated', 'Unavailable', 'Phase', 'Age', 'Version']);
  assert.equal(fixed.metadata!.labels!['cluster.x-k8s.io/v1beta1'], 'v1beta1');
  await store.close();
});

test('the served kinds are established and reachable once the CRD controller has started', async () => {
  const s = await clusterApiStore();
  try {
    const info = s.objects.registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    for (const crd of clusterApiCrds()) {
      const stored = (await s.objects.get(info, undefined, crd.metadata!.name!)) as CustomResourceDefinition;
      assert.ok(stored.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), crd.metadata!.name);
      assert.ok(s.info(`${crd.spec.group}/${crd.spec.versions[0]!.name}`, crd.spec.names.kind));
    }
  } finally {
    await s.close();
  }
});
