import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { builtinResources } from './index.js';
import { namedTypeOf, objectMetaSchema, STANDARD_VERBS, useNamed, defineNamed } from './meta.js';

function find(group: string, kind: string): ResourceInfo {
  const r = builtinResources().find((x) => x.group === group && x.kind === kind);
  assert.ok(r, `${group}/${kind} missing`);
  return r;
}

function at(s: JSONSchemaProps, path: string): JSONSchemaProps {
  let cur: JSONSchemaProps | undefined = s;
  for (const part of path.split('.')) {
    if (part === '[]') cur = cur?.items;
    else cur = cur?.properties?.[part];
    assert.ok(cur, `no schema at ${path} (stopped at ${part})`);
  }
  return cur;
}

/** Every property (recursively) has a description. */
function undocumented(s: JSONSchemaProps, path: string, out: string[]): string[] {
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    if (!p.description) out.push(`${path}.${name}`);
    undocumented(p, `${path}.${name}`, out);
    if (p.items) undocumented(p.items, `${path}.${name}[]`, out);
  }
  return out;
}

describe('builtinResources', () => {
  it('serves the expected group/version/kinds with names and scopes', () => {
    const got = builtinResources().map((r) => `${r.group}/${r.version}/${r.kind}:${r.plural}:${r.namespaced ? 'ns' : 'cluster'}`);
    assert.deepEqual(got.sort(), [
      '/v1/ConfigMap:configmaps:ns',
      '/v1/Event:events:ns',
      '/v1/Namespace:namespaces:cluster',
      '/v1/Secret:secrets:ns',
      '/v1/ServiceAccount:serviceaccounts:ns',
      'apiextensions.k8s.io/v1/CustomResourceDefinition:customresourcedefinitions:cluster',
      'coordination.k8s.io/v1/Lease:leases:ns',
      'events.k8s.io/v1/Event:events:ns',
    ]);
  });

  it('has short names, categories, subresources and standard verbs', () => {
    assert.deepEqual(find('', 'Namespace').shortNames, ['ns']);
    assert.deepEqual(find('', 'ConfigMap').shortNames, ['cm']);
    assert.deepEqual(find('', 'Event').shortNames, ['ev']);
    assert.deepEqual(find('', 'ServiceAccount').shortNames, ['sa']);
    const crd = find('apiextensions.k8s.io', 'CustomResourceDefinition');
    assert.deepEqual(crd.shortNames, ['crd', 'crds']);
    assert.deepEqual(crd.categories, ['api-extensions']);
    assert.equal(crd.subresources.status, true);
    assert.equal(find('', 'Namespace').subresources.status, true);
    assert.equal(find('', 'ConfigMap').subresources.status, false);
    for (const r of builtinResources()) {
      assert.deepEqual([...r.verbs].sort(), [...STANDARD_VERBS].sort(), r.kind);
      assert.equal(r.builtin, true);
      assert.equal(r.listKind, `${r.kind}List`);
      assert.equal(r.storageVersion, r.version);
      assert.equal(r.singular, r.kind.toLowerCase());
    }
  });

  it('every schema has apiVersion, kind and the shared ObjectMeta, all documented', () => {
    for (const r of builtinResources()) {
      assert.equal(r.schema.type, 'object');
      assert.ok(r.schema.description, `${r.kind} description`);
      assert.equal(at(r.schema, 'apiVersion').type, 'string');
      assert.equal(at(r.schema, 'kind').type, 'string');
      const meta = at(r.schema, 'metadata');
      assert.equal(namedTypeOf(meta)?.name, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
      assert.deepEqual(undocumented(r.schema, r.kind, []), [], `${r.group}/${r.kind} has undocumented fields`);
    }
  });

  it('ObjectMeta describes labels, annotations, finalizers, ownerReferences and managedFields', () => {
    const m = objectMetaSchema();
    assert.deepEqual(at(m, 'labels').additionalProperties, { type: 'string' });
    assert.deepEqual(at(m, 'annotations').additionalProperties, { type: 'string' });
    const fin = at(m, 'finalizers');
    assert.equal(fin['x-kubernetes-list-type'], 'set');
    assert.equal(fin['x-kubernetes-patch-strategy'], 'merge');
    const owners = at(m, 'ownerReferences');
    assert.equal(owners['x-kubernetes-list-type'], 'map');
    assert.deepEqual(owners['x-kubernetes-list-map-keys'], ['uid']);
    assert.equal(owners['x-kubernetes-patch-merge-key'], 'uid');
    assert.equal(owners['x-kubernetes-patch-strategy'], 'merge');
    assert.deepEqual(owners.items?.required, ['apiVersion', 'kind', 'name', 'uid']);
    assert.equal(at(m, 'managedFields.[].manager').type, 'string');
    assert.equal(at(m, 'creationTimestamp').format, 'date-time');
    assert.equal(at(m, 'generation').type, 'integer');
  });

  it('ConfigMap and Secret data fields', () => {
    const cm = find('', 'ConfigMap').schema;
    assert.deepEqual(at(cm, 'data').additionalProperties, { type: 'string' });
    assert.deepEqual(at(cm, 'binaryData').additionalProperties, { type: 'string', format: 'byte' });
    assert.equal(at(cm, 'immutable').type, 'boolean');
    const s = find('', 'Secret').schema;
    assert.deepEqual(at(s, 'data').additionalProperties, { type: 'string', format: 'byte' });
    assert.deepEqual(at(s, 'stringData').additionalProperties, { type: 'string' });
    assert.equal(at(s, 'type').type, 'string');
    assert.equal(at(s, 'immutable').type, 'boolean');
  });

  it('Namespace, Event, ServiceAccount, Lease fields carry patch metadata', () => {
    const ns = find('', 'Namespace').schema;
    assert.deepEqual(at(ns, 'status.phase').enum, ['Active', 'Terminating']);
    const conds = at(ns, 'status.conditions');
    assert.equal(conds['x-kubernetes-patch-merge-key'], 'type');
    assert.deepEqual(conds['x-kubernetes-list-map-keys'], ['type']);
    assert.equal(at(ns, 'spec.finalizers').type, 'array');
    const ev = find('', 'Event').schema;
    assert.deepEqual(ev.required, ['metadata', 'involvedObject']);
    assert.equal(at(ev, 'involvedObject.uid').type, 'string');
    assert.equal(at(ev, 'count').format, 'int32');
    const ev2 = find('events.k8s.io', 'Event').schema;
    assert.deepEqual(ev2.required, ['eventTime']);
    assert.equal(at(ev2, 'regarding.kind').type, 'string');
    assert.equal(at(ev2, 'note').type, 'string');
    const sa = find('', 'ServiceAccount').schema;
    assert.equal(at(sa, 'secrets')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(at(sa, 'imagePullSecrets.[].name').type, 'string');
    assert.equal(at(sa, 'automountServiceAccountToken').type, 'boolean');
    const lease = find('coordination.k8s.io', 'Lease').schema;
    assert.equal(at(lease, 'spec.holderIdentity').type, 'string');
    assert.equal(at(lease, 'spec.leaseDurationSeconds').format, 'int32');
    assert.equal(at(lease, 'spec.renewTime').format, 'date-time');
  });

  it('CRD schema keeps openAPIV3Schema open and describes names, versions and status', () => {
    const crd = find('apiextensions.k8s.io', 'CustomResourceDefinition').schema;
    const oas = at(crd, 'spec.versions.[].schema.openAPIV3Schema');
    assert.equal(oas.type, 'object');
    assert.equal(oas['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(at(crd, 'spec').required, ['group', 'names', 'scope', 'versions']);
    assert.equal(at(crd, 'spec.names.shortNames.[]').type, 'string');
    assert.equal(at(crd, 'spec.versions.[].subresources.scale.specReplicasPath').type, 'string');
    assert.equal(at(crd, 'spec.versions.[].additionalPrinterColumns.[].jsonPath').type, 'string');
    assert.equal(at(crd, 'spec.conversion.webhook.clientConfig.service.port').format, 'int32');
    assert.deepEqual(at(crd, 'status.conditions')['x-kubernetes-list-map-keys'], ['type']);
    assert.equal(at(crd, 'status.storedVersions.[]').type, 'string');
  });

  it('returns fresh objects on every call', () => {
    const a = builtinResources();
    const b = builtinResources();
    assert.notEqual(a[0], b[0]);
    assert.notEqual(a[0].schema, b[0].schema);
    a[0].shortNames.push('zzz');
    assert.ok(!b[0].shortNames.includes('zzz'));
    assert.deepEqual(JSON.parse(JSON.stringify(a[1].schema)), JSON.parse(JSON.stringify(b[1].schema)));
  });

  it('schemas are plain JSON (no $ref/allOf) so validation code can walk properties', () => {
    const text = JSON.stringify(builtinResources().map((r) => r.schema));
    assert.ok(!text.includes('$ref'));
    assert.ok(!text.includes('allOf'));
  });

  it('useNamed keeps the type name and replaces the description', () => {
    const t = defineNamed('x.y.T', { type: 'object', description: 'type doc', properties: { a: { type: 'string', description: 'a' } } });
    const f = useNamed(t, 'field doc', { default: {} });
    assert.equal(f.description, 'field doc');
    assert.deepEqual(f.default, {});
    assert.equal(namedTypeOf(f)?.name, 'x.y.T');
    assert.equal(namedTypeOf(f)?.canonical, t);
    assert.equal(namedTypeOf({ type: 'string' }), undefined);
  });
});
