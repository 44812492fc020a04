import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../api/builtin/index.js';
import type { ResourceInfo } from './resource-info.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiResourceList,
  compareVersionPriority,
  coreApiVersions,
  negotiateDiscovery,
  preferredVersion,
  sortVersionsByPriority,
  storageVersionHash,
} from './discovery.js';

function widget(version: string, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group: 'example.com',
    version,
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
    shortNames: ['wd'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    schema: { type: 'object' },
    printerColumns: [],
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    builtin: false,
    storageVersion: 'v1',
    ...extra,
  };
}

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('version priority', () => {
  it('orders GA > beta > alpha, then by number, unknown last', () => {
    assert.deepEqual(sortVersionsByPriority(['v1alpha1', 'foo', 'v1beta1', 'v2beta1', 'v1', 'v1beta2', 'v2', 'v10', 'bar', 'v11alpha2']), [
      'v10',
      'v2',
      'v1',
      'v2beta1',
      'v1beta2',
      'v1beta1',
      'v11alpha2',
      'v1alpha1',
      'bar',
      'foo',
    ]);
    assert.ok(compareVersionPriority('v1', 'v1beta1') < 0);
    assert.equal(compareVersionPriority('v1', 'v1'), 0);
  });
});

describe('legacy discovery', () => {
  const resources = [...builtinResources(), widget('v1alpha1'), widget('v1'), widget('v1beta2')];

  it('/api lists v1 with serverAddressByClientCIDRs', () => {
    const doc = coreApiVersions('10.0.0.1:6443') as Any;
    assert.equal(doc.kind, 'APIVersions');
    assert.deepEqual(doc.versions, ['v1']);
    assert.deepEqual(doc.serverAddressByClientCIDRs, [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }]);
  });

  it('/apis lists every non-core group with its preferred version', () => {
    const doc = apiGroupList(resources) as Any;
    assert.equal(doc.kind, 'APIGroupList');
    assert.equal(doc.apiVersion, 'v1');
    const names = doc.groups.map((g: Any) => g.name);
    assert.deepEqual(names, ['events.k8s.io', 'coordination.k8s.io', 'apiextensions.k8s.io', 'example.com']);
    const ex = doc.groups.find((g: Any) => g.name === 'example.com');
    assert.deepEqual(ex.preferredVersion, { groupVersion: 'example.com/v1', version: 'v1' });
    assert.deepEqual(
      ex.versions.map((v: Any) => v.groupVersion),
      ['example.com/v1', 'example.com/v1beta2', 'example.com/v1alpha1'],
    );
    assert.equal(preferredVersion(resources, 'example.com'), 'v1');
    assert.equal(preferredVersion([widget('v1alpha1'), widget('v1beta1')], 'example.com'), 'v1beta1');
  });

  it('/apis/GROUP', () => {
    const doc = apiGroup(resources, 'coordination.k8s.io') as Any;
    assert.equal(doc.kind, 'APIGroup');
    assert.equal(doc.name, 'coordination.k8s.io');
    assert.deepEqual(doc.preferredVersion, { groupVersion: 'coordination.k8s.io/v1', version: 'v1' });
    assert.equal(apiGroup(resources, 'nope.io'), undefined);
    assert.equal(apiGroup(resources, ''), undefined);
  });

  it('/api/v1 lists core resources with status subresource entries', () => {
    const doc = apiResourceList(resources, '', 'v1') as Any;
    assert.equal(doc.kind, 'APIResourceList');
    assert.equal(doc.groupVersion, 'v1');
    const names = doc.resources.map((r: Any) => r.name);
    assert.deepEqual(names, ['configmaps', 'events', 'namespaces', 'namespaces/status', 'secrets', 'serviceaccounts', 'serviceaccounts/token']);
    const cm = doc.resources[0];
    assert.equal(cm.singularName, 'configmap');
    assert.equal(cm.namespaced, true);
    assert.equal(cm.kind, 'ConfigMap');
    assert.deepEqual(cm.shortNames, ['cm']);
    assert.equal(typeof cm.storageVersionHash, 'string');
    assert.ok(!('categories' in cm));
    const nsStatus = doc.resources.find((r: Any) => r.name === 'namespaces/status');
    assert.deepEqual(nsStatus, { name: 'namespaces/status', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['get', 'patch', 'update'] });
  });

  it('/apis/G/V includes status and scale subresources', () => {
    const doc = apiResourceList(resources, 'example.com', 'v1') as Any;
    assert.equal(doc.groupVersion, 'example.com/v1');
    const [main, status, scale] = doc.resources;
    assert.equal(main.name, 'widgets');
    assert.deepEqual(main.categories, ['all']);
    assert.deepEqual(main.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.equal(status.name, 'widgets/status');
    assert.equal(status.kind, 'Widget');
    assert.deepEqual(scale, {
      name: 'widgets/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    assert.equal(apiResourceList(resources, 'example.com', 'v9'), undefined);
  });

  it('storageVersionHash is stable and depends on the storage version', () => {
    const a = storageVersionHash(widget('v1'));
    assert.equal(a, storageVersionHash(widget('v1')));
    assert.equal(a, storageVersionHash(widget('v1beta2')), 'same storage version → same hash');
    assert.notEqual(a, storageVersionHash(widget('v1', { storageVersion: 'v2' })));
    assert.match(a, /^[A-Za-z0-9+/]{11}=$/);
  });
});

describe('aggregated discovery', () => {
  const resources = [...builtinResources(), widget('v1beta1'), widget('v1')];

  it('core document has one unnamed group with v1', () => {
    const doc = aggregatedDiscovery(resources, 'core', 'v2') as Any;
    assert.equal(doc.kind, 'APIGroupDiscoveryList');
    assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.equal(doc.items.length, 1);
    const g = doc.items[0];
    assert.equal(g.metadata.name, undefined);
    assert.equal(g.versions.length, 1);
    assert.equal(g.versions[0].version, 'v1');
    assert.equal(g.versions[0].freshness, 'Current');
    const ns = g.versions[0].resources.find((r: Any) => r.resource === 'namespaces');
    assert.equal(ns.scope, 'Cluster');
    assert.deepEqual(ns.responseKind, { group: '', version: 'v1', kind: 'Namespace' });
    assert.equal(ns.singularResource, 'namespace');
    assert.deepEqual(ns.shortNames, ['ns']);
    assert.deepEqual(ns.subresources, [{ subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['get', 'patch', 'update'] }]);
  });

  it('apis document lists groups with versions by priority and subresources', () => {
    const doc = aggregatedDiscovery(resources, 'apis', 'v2beta1') as Any;
    assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.ok(!doc.items.some((g: Any) => g.metadata.name === undefined));
    const ex = doc.items.find((g: Any) => g.metadata.name === 'example.com');
    assert.deepEqual(
      ex.versions.map((v: Any) => v.version),
      ['v1', 'v1beta1'],
    );
    const w = ex.versions[0].resources[0];
    assert.equal(w.resource, 'widgets');
    assert.equal(w.scope, 'Namespaced');
    assert.deepEqual(w.categories, ['all']);
    assert.deepEqual(w.subresources[1], { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
    const crd = doc.items.find((g: Any) => g.metadata.name === 'apiextensions.k8s.io').versions[0].resources[0];
    assert.deepEqual(crd.shortNames, ['crd', 'crds']);
    assert.deepEqual(crd.categories, ['api-extensions']);
    assert.equal(crd.scope, 'Cluster');
  });

  it('negotiates the format from Accept', () => {
    assert.equal(negotiateDiscovery(KUBECTL_ACCEPT), 'v2');
    assert.equal(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
    assert.equal(negotiateDiscovery('application/json'), 'legacy');
    assert.equal(negotiateDiscovery(undefined), 'legacy');
    assert.equal(negotiateDiscovery('*/*'), 'legacy');
    assert.equal(negotiateDiscovery('application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'), 'legacy');
    assert.equal(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList, application/json ; g=apidiscovery.k8s.io ; v=v2beta1 ; as=APIGroupDiscoveryList'), 'v2beta1');
    assert.equal(negotiateDiscovery('application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), 'v2');
    assert.equal(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0'), 'legacy');
    assert.equal(aggregatedDiscoveryContentType('v2'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(aggregatedDiscoveryContentType('v2beta1'), 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
  });
});
