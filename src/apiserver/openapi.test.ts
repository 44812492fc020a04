import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtinResources } from '../api/builtin/index.js';
import type { ResourceInfo } from './resource-info.js';
import { aggregatedDiscovery, aggregatedDiscoveryContentType, apiGroup, apiGroupList, apiResourceList, coreApiVersions, negotiateDiscovery } from './discovery.js';
import { definitionName, openapiDocumentHash, openapiV2, openapiV3Document, openapiV3Index } from './openapi.js';

type Any = any; // JSON documents under test

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

/** A CRD-like custom resource with nested, documented fields. */
function widget(): ResourceInfo {
  return {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
    shortNames: ['wd'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    schema: {
      type: 'object',
      description: 'Widget is a sample custom resource.',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          description: 'Desired state of the widget.',
          required: ['replicas'],
          properties: {
            replicas: { type: 'integer', format: 'int32', minimum: 0, description: 'Number of widget copies to run.', default: 1 },
            template: {
              type: 'object',
              description: 'Template stamped out for every copy.',
              properties: {
                foo: {
                  type: 'object',
                  description: 'Foo configures the frobnicator of each copy.',
                  required: ['level'],
                  properties: {
                    level: { type: 'string', description: 'Frobnication level, low or high.', enum: ['low', 'high'] },
                    extra: { type: 'object', nullable: true, description: 'Nullable extra settings.', properties: { a: { type: 'string' } } },
                  },
                },
                labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels for every copy.' },
                raw: { 'x-kubernetes-preserve-unknown-fields': true, type: 'object', description: 'Opaque data.', properties: { k: { type: 'string' } } },
                port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], description: 'Port number or name.' },
              },
            },
            items: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
              items: { type: 'object', required: ['name'], properties: { name: { type: 'string', description: 'Item name.' } } },
              description: 'Named items.',
            },
          },
          'x-kubernetes-validations': [{ rule: 'self.replicas < 100', message: 'too many' }],
        },
        status: { type: 'object', properties: { replicas: { type: 'integer', description: 'Observed copies.' } } },
      },
    },
    printerColumns: [],
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    builtin: false,
    storageVersion: 'v1',
  };
}

const all = (): ResourceInfo[] => [...builtinResources(), widget()];

function walkRefs(v: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => walkRefs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x);
      else walkRefs(x, out);
    }
  }
  return out;
}

describe('definition names', () => {
  it('follow Kubernetes naming', () => {
    const b = { builtin: true, version: 'v1' };
    assert.equal(definitionName({ ...b, group: '' }, 'ConfigMap'), 'io.k8s.api.core.v1.ConfigMap');
    assert.equal(definitionName({ ...b, group: 'coordination.k8s.io' }, 'Lease'), 'io.k8s.api.coordination.v1.Lease');
    assert.equal(definitionName({ ...b, group: 'events.k8s.io' }, 'Event'), 'io.k8s.api.events.v1.Event');
    assert.equal(
      definitionName({ ...b, group: 'apiextensions.k8s.io' }, 'CustomResourceDefinition'),
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    );
    assert.equal(definitionName({ builtin: false, group: 'example.com', version: 'v1' }, 'Widget'), 'com.example.v1.Widget');
    assert.equal(definitionName({ builtin: false, group: 'stable.example.com', version: 'v2beta1' }, 'CronTab'), 'com.example.stable.v2beta1.CronTab');
  });
});

describe('openapi v3', () => {
  it('index lists every group/version with a content hash', () => {
    const idx = openapiV3Index(all()) as Any;
    assert.deepEqual(Object.keys(idx.paths), ['api/v1', 'apis/apiextensions.k8s.io/v1', 'apis/coordination.k8s.io/v1', 'apis/events.k8s.io/v1', 'apis/example.com/v1']);
    const doc = openapiV3Document(all(), 'example.com', 'v1')!;
    assert.equal(idx.paths['apis/example.com/v1'].serverRelativeURL, `/openapi/v3/apis/example.com/v1?hash=${openapiDocumentHash(doc)}`);
    assert.deepEqual(openapiV3Index(all()), idx, 'stable');
    assert.deepEqual(openapiV3Index([...all()].reverse()), idx, 'independent of input order');
    const changed = all();
    changed[changed.length - 1].schema.description = 'changed';
    const idx2 = openapiV3Index(changed) as Any;
    assert.notEqual(idx2.paths['apis/example.com/v1'].serverRelativeURL, idx.paths['apis/example.com/v1'].serverRelativeURL);
    assert.equal(idx2.paths['api/v1'].serverRelativeURL, idx.paths['api/v1'].serverRelativeURL);
  });

  it('documents built-in kinds with GVK, list kinds and a referenced ObjectMeta', () => {
    const doc = openapiV3Document(all(), '', 'v1') as Any;
    assert.equal(doc.openapi, '3.0.0');
    const s = doc.components.schemas;
    const cm = s['io.k8s.api.core.v1.ConfigMap'];
    assert.deepEqual(cm['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
    assert.deepEqual(cm.properties.data.additionalProperties, { type: 'string' });
    assert.deepEqual(cm.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.ok(cm.properties.metadata.description);
    const list = s['io.k8s.api.core.v1.ConfigMapList'];
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMapList', version: 'v1' }]);
    assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap' });
    const om = s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    assert.equal(om.properties.finalizers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(om.properties.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
    assert.deepEqual(om.properties.ownerReferences.items, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference' });
    assert.ok(s['io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry']);
    assert.ok(s['io.k8s.api.core.v1.ObjectReference']);
    // every $ref resolves inside the document
    for (const ref of walkRefs(doc, new Set())) {
      assert.ok(s[ref.replace('#/components/schemas/', '')], `dangling ${ref}`);
    }
    assert.equal(openapiV3Document(all(), 'nope.io', 'v1'), undefined);
  });

  it('has collection, item, status and watch paths with operations and GVK', () => {
    const doc = openapiV3Document(all(), '', 'v1') as Any;
    const p = doc.paths;
    for (const path of [
      '/api/v1/namespaces/{namespace}/configmaps',
      '/api/v1/namespaces/{namespace}/configmaps/{name}',
      '/api/v1/configmaps',
      '/api/v1/namespaces',
      '/api/v1/namespaces/{name}',
      '/api/v1/namespaces/{name}/status',
      '/api/v1/watch/namespaces/{namespace}/configmaps',
      '/api/v1/watch/namespaces/{namespace}/configmaps/{name}',
    ]) {
      assert.ok(p[path], `missing ${path}`);
    }
    const coll = p['/api/v1/namespaces/{namespace}/configmaps'];
    assert.deepEqual(Object.keys(coll).sort(), ['delete', 'get', 'parameters', 'post']);
    assert.equal(coll.get['x-kubernetes-action'], 'list');
    assert.equal(coll.delete['x-kubernetes-action'], 'deletecollection');
    assert.deepEqual(coll.post['x-kubernetes-group-version-kind'], { group: '', kind: 'ConfigMap', version: 'v1' });
    assert.deepEqual(coll.parameters.map((x: Any) => x.name), ['namespace', 'pretty']);
    const item = p['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    for (const m of ['put', 'patch']) {
      const names = item[m].parameters.map((x: Any) => x.name);
      for (const want of ['dryRun', 'fieldManager', 'fieldValidation']) assert.ok(names.includes(want), `${m} lacks ${want}`);
    }
    assert.ok(coll.post.parameters.some((x: Any) => x.name === 'fieldValidation'));
    assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(), [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    assert.deepEqual(item.get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMap' });
    assert.equal(doc.paths['/api/v1/namespaces/{name}/status'].patch['x-kubernetes-group-version-kind'].kind, 'Namespace');
    const ids = new Set<string>();
    for (const pi of Object.values(p) as Any[]) {
      for (const m of ['get', 'put', 'post', 'patch', 'delete']) {
        if (!pi[m]) continue;
        assert.ok(!ids.has(pi[m].operationId), `duplicate operationId ${pi[m].operationId}`);
        ids.add(pi[m].operationId);
      }
    }
  });

  it('translates custom resource schemas keeping x-kubernetes extensions', () => {
    const doc = openapiV3Document(all(), 'example.com', 'v1') as Any;
    const s = doc.components.schemas;
    const w = s['com.example.v1.Widget'];
    assert.deepEqual(w['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    assert.equal(w.description, 'Widget is a sample custom resource.');
    assert.ok(w.properties.apiVersion.description, 'apiVersion gets the standard description');
    assert.deepEqual(w.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    const spec = w.properties.spec;
    assert.deepEqual(spec.required, ['replicas']);
    assert.equal(spec.properties.replicas.default, 1);
    assert.equal(spec.properties.replicas.minimum, 0);
    assert.deepEqual(spec['x-kubernetes-validations'], [{ rule: 'self.replicas < 100', message: 'too many' }]);
    assert.equal(spec.properties.template.properties.foo.properties.extra.nullable, true);
    assert.equal(spec.properties.template.properties.port['x-kubernetes-int-or-string'], true);
    assert.equal(spec.properties.template.properties.port.anyOf.length, 2);
    assert.deepEqual(spec.properties.items['x-kubernetes-list-map-keys'], ['name']);
    assert.ok(s['com.example.v1.WidgetList']);
    assert.deepEqual(s['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind'], [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }]);
    const item = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'];
    assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
    assert.ok(item.patch.parameters.some((x: Any) => x.name === 'fieldValidation' && x.in === 'query'));
    const scale = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale'];
    assert.deepEqual(scale.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.deepEqual(scale.get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' });
    assert.ok(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status'].patch);
    assert.ok(doc.paths['/apis/example.com/v1/widgets'].get);
    for (const ref of walkRefs(doc, new Set())) assert.ok(s[ref.replace('#/components/schemas/', '')], `dangling ${ref}`);
  });

  it('omits operations for verbs a resource does not serve', () => {
    const w = widget();
    w.verbs = ['get', 'list'];
    const doc = openapiV3Document([w], 'example.com', 'v1') as Any;
    const item = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'];
    assert.deepEqual(Object.keys(item).sort(), ['get', 'parameters']);
    assert.ok(!doc.paths['/apis/example.com/v1/watch/widgets']);
  });
});

describe('openapi v2', () => {
  it('is a swagger 2.0 document with the same definition names and paths', () => {
    const doc = openapiV2(all()) as Any;
    assert.equal(doc.swagger, '2.0');
    const d = doc.definitions;
    for (const name of ['io.k8s.api.core.v1.ConfigMap', 'io.k8s.api.events.v1.Event', 'io.k8s.api.coordination.v1.Lease', 'com.example.v1.Widget', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition']) {
      assert.ok(d[name], name);
      assert.equal(d[name]['x-kubernetes-group-version-kind'].length, 1);
    }
    assert.deepEqual(d['io.k8s.api.core.v1.ConfigMap'].properties.metadata, {
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      description: d['io.k8s.api.core.v1.ConfigMap'].properties.metadata.description,
    });
    const patch = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch;
    assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
    assert.ok(patch.parameters.some((x: Any) => x.name === 'fieldValidation' && x.in === 'query' && x.type === 'string'));
    assert.deepEqual(patch.parameters.find((x: Any) => x.in === 'body').schema, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' });
    assert.equal(patch.responses['200'].schema.$ref, '#/definitions/io.k8s.api.core.v1.ConfigMap');
    const wpatch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.ok(!wpatch.consumes.includes('application/strategic-merge-patch+json'));
    for (const ref of walkRefs(doc, new Set())) assert.ok(d[ref.replace('#/definitions/', '')], `dangling ${ref}`);
    assert.ok(!JSON.stringify(doc).includes('#/components/'));
  });

  it('strips what v2 cannot express, like kube does for CRDs', () => {
    const doc = openapiV2(all()) as Any;
    const spec = doc.definitions['com.example.v1.Widget'].properties.spec;
    assert.equal(spec.properties.replicas.default, undefined, 'defaults pruned');
    const t = spec.properties.template.properties;
    assert.deepEqual(t.foo.properties.extra, { description: 'Nullable extra settings.' }, 'nullable → untyped, no properties');
    assert.equal(t.port.anyOf, undefined);
    assert.equal(t.port['x-kubernetes-int-or-string'], true);
    assert.equal(t.raw.properties, undefined, 'preserve-unknown drops properties');
    assert.equal(t.raw['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(spec['x-kubernetes-validations'], [{ rule: 'self.replicas < 100', message: 'too many' }]);
    assert.ok(!JSON.stringify(doc).includes('"nullable"'));
  });
});

// ---------------------------------------------------------------------------------------------
// End to end with the real kubectl
// ---------------------------------------------------------------------------------------------

describe('kubectl against a discovery/openapi server', () => {
  const resources = all();
  const seen: string[] = [];
  let server: http.Server;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const p = url.pathname;
      seen.push(`${req.method} ${req.url}`);
      const send = (code: number, body: unknown, type = 'application/json') => {
        res.writeHead(code, { 'content-type': type });
        res.end(JSON.stringify(body));
      };
      const notFound = () => send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: 'not found', code: 404 });
      if (req.method === 'PATCH') {
        // enough of a server-side apply response for kubectl to print a result
        const m = /\/([^/]+)\/([^/]+)$/.exec(p)!;
        return send(200, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: m[2], namespace: 'default' } });
      }
      if (req.method !== 'GET') return notFound();
      if (p === '/version') return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
      if (p === '/api' || p === '/apis') {
        const f = negotiateDiscovery(req.headers.accept);
        if (f !== 'legacy') return send(200, aggregatedDiscovery(resources, p === '/api' ? 'core' : 'apis', f), aggregatedDiscoveryContentType(f));
        return send(200, p === '/api' ? coreApiVersions() : apiGroupList(resources));
      }
      let m: RegExpExecArray | null;
      let doc: object | undefined;
      if ((m = /^\/api\/([^/]+)$/.exec(p))) doc = apiResourceList(resources, '', m[1]);
      else if ((m = /^\/apis\/([^/]+)$/.exec(p))) doc = apiGroup(resources, m[1]);
      else if ((m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p))) doc = apiResourceList(resources, m[1], m[2]);
      else if (p === '/openapi/v2') {
        if (!(req.headers.accept ?? '').includes('json')) return send(406, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotAcceptable', code: 406 });
        doc = openapiV2(resources);
      } else if (p === '/openapi/v3') doc = openapiV3Index(resources);
      else if ((m = /^\/openapi\/v3\/api\/([^/]+)$/.exec(p))) doc = openapiV3Document(resources, '', m[1]);
      else if ((m = /^\/openapi\/v3\/apis\/([^/]+)\/([^/]+)$/.exec(p))) doc = openapiV3Document(resources, m[1], m[2]);
      return doc ? send(200, doc) : notFound();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'slipway-kubectl-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: slipway',
        `  cluster: {server: "http://127.0.0.1:${port}"}`,
        'users:',
        '- name: anonymous',
        '  user: {}',
        'contexts:',
        '- name: slipway',
        '  context: {cluster: slipway, user: anonymous, namespace: default}',
        'current-context: slipway',
        '',
      ].join('\n'),
    );
    env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') };
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => {
    const { stdout } = await run(KUBECTL, ['--cache-dir', join(dir, 'cache'), ...args], { env, timeout: 60_000 });
    return stdout;
  };

  it('kubectl api-resources lists built-in and custom resources from aggregated discovery', async () => {
    const out = await kubectl('api-resources');
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    const line = (name: string, apiVersion: string) => rows.find((r) => r[0] === name && r.includes(apiVersion));
    assert.deepEqual(line('configmaps', 'v1'), ['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
    assert.deepEqual(line('namespaces', 'v1'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    assert.deepEqual(line('customresourcedefinitions', 'apiextensions.k8s.io/v1'), ['customresourcedefinitions', 'crd,crds', 'apiextensions.k8s.io/v1', 'false', 'CustomResourceDefinition']);
    assert.deepEqual(line('events', 'events.k8s.io/v1'), ['events', 'ev', 'events.k8s.io/v1', 'true', 'Event']);
    assert.deepEqual(line('leases', 'coordination.k8s.io/v1'), ['leases', 'coordination.k8s.io/v1', 'true', 'Lease']);
    assert.deepEqual(line('widgets', 'example.com/v1'), ['widgets', 'wd', 'example.com/v1', 'true', 'Widget']);
    assert.ok(seen.some((s) => s.startsWith('GET /apis')), 'discovery was fetched');
    const byCategory = await kubectl('api-resources', '--categories=api-extensions', '-o', 'name');
    assert.equal(byCategory.trim(), 'customresourcedefinitions.apiextensions.k8s.io');
  });

  it('kubectl explain configmap.data (built-in, openapi v3)', async () => {
    const out = await kubectl('explain', 'configmap.data');
    assert.match(out, /KIND:\s+ConfigMap/);
    assert.match(out, /VERSION:\s+v1/);
    assert.match(out, /FIELD: data <map\[string\]string>/);
    assert.match(out, /UTF-8 configuration values/);
  });

  it('kubectl explain follows ObjectMeta references', async () => {
    const out = await kubectl('explain', 'cm.metadata.ownerReferences');
    assert.match(out, /FIELD: ownerReferences <\[\]OwnerReference>/);
    assert.match(out, /uid\s+<string> -required-/);
  });

  it('kubectl explain widgets.spec.template.foo (custom resource, nested)', async () => {
    const out = await kubectl('explain', 'widgets.spec.template.foo', '--api-version=example.com/v1');
    assert.match(out, /GROUP:\s+example\.com/);
    assert.match(out, /KIND:\s+Widget/);
    assert.match(out, /FIELD: foo <Object>/);
    assert.match(out, /Foo configures the frobnicator of each copy\./);
    assert.match(out, /level\s+<string> -required-/);
    assert.match(out, /Frobnication level, low or high\./);
    const deep = await kubectl('explain', 'widgets.spec.template.foo.level');
    assert.match(deep, /FIELD: level <string>/);
    assert.match(deep, /ENUM:\s+low\s+high/);
    const rec = await kubectl('explain', 'widgets.spec', '--recursive');
    assert.match(rec, /replicas\s+<integer> -required-/);
    assert.match(rec, /template\s+<Object>\n\s+foo\s+<Object>/);
  });

  it('kubectl explain the CRD kind itself', async () => {
    const out = await kubectl('explain', 'crd.spec.versions.schema.openAPIV3Schema');
    assert.match(out, /KIND:\s+CustomResourceDefinition/);
    assert.match(out, /FIELD: openAPIV3Schema <JSONSchemaProps>/);
  });

  it('kubectl apply sends fieldValidation=Strict (server-side validation detected via openapi v3)', async () => {
    const manifest = join(dir, 'widget.yaml');
    writeFileSync(manifest, 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  replicas: 1\n');
    seen.length = 0;
    const out = await kubectl('apply', '--server-side', '-f', manifest);
    assert.match(out, /widget\.example\.com\/w1 serverside-applied/);
    const patch = seen.find((s) => s.startsWith('PATCH /apis/example.com/v1/namespaces/default/widgets/w1'));
    assert.ok(patch, `no PATCH in ${seen.join('\n')}`);
    assert.match(patch, /fieldValidation=Strict/);
  });
});
