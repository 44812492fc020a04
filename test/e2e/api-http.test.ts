/** The API server's HTTP behaviour, checked with raw HTTPS requests over loopback. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { httpClient, watchStream, type HttpResult } from '../support/http.js';

const tokenFile = join(tmpdir(), `slipway-tokens-${process.pid}.csv`);
writeFileSync(tokenFile, '# static tokens\nsecret-token-1,alice,uid-1,"devs,ops"\n');

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.test.slipway.dev' },
  spec: {
    group: 'test.slipway.dev',
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  replicas: { type: 'integer', default: 1 },
                  mode: { type: 'string' },
                },
                'x-kubernetes-validations': [{ rule: '!has(oldSelf.mode) || self.mode == oldSelf.mode', message: 'mode is immutable' }],
              },
            },
          },
        },
      },
    ],
  },
};

function status(r: HttpResult): { kind: string; code: number; reason: string; message: string; details?: { causes?: { field: string; message: string; reason: string }[] } } {
  return r.json();
}

describe('API server over HTTPS', () => {
  let t: TestPlane;
  let http: ReturnType<typeof httpClient>;
  before(async () => {
    t = await startPlane({ tokenFile });
    http = httpClient(t);
    const r = await http('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: CRD });
    assert.equal(r.status, 201, r.text);
    await eventually(async () => (await http('/apis/test.slipway.dev/v1')).status === 200, 5000, 'CRD served');
  });
  after(async () => {
    await t?.close();
    rmSync(tokenFile, { force: true });
  });

  it('answers health and version anonymously and refuses anonymous API calls with 401', async () => {
    for (const p of ['/healthz', '/readyz', '/livez', '/version']) assert.equal((await http(p, { auth: 'anonymous' })).status, 200, p);
    const r = await http('/api/v1/namespaces', { auth: 'anonymous' });
    assert.equal(r.status, 401);
    assert.equal(status(r).reason, 'Unauthorized');
    assert.equal((await http('/api/v1/namespaces', { auth: { token: 'wrong' } })).status, 401);
    // A known token authenticates: alice is refused by RBAC (403, not 401) until a binding lets her list namespaces.
    const refused = await http('/api/v1/namespaces', { auth: { token: 'secret-token-1' } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(status(refused).message, 'namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope');
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'devs-view-namespaces' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'devs' }] };
    const bound = await http('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { method: 'POST', body: binding });
    assert.equal(bound.status, 201, bound.text);
    assert.equal((await http('/api/v1/namespaces', { auth: { token: 'secret-token-1' } })).status, 200);
  });

  it('serves aggregated discovery when asked and OpenAPI v3 with fieldValidation on PATCH', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const r = await http('/apis', { accept });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /as=APIGroupDiscoveryList/);
    assert.ok(r.json<{ items: { metadata: { name: string } }[] }>().items.some((g) => g.metadata.name === 'test.slipway.dev'));
    const idx = (await http('/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    const url = idx.paths['apis/test.slipway.dev/v1']!.serverRelativeURL;
    const doc = (await http(url)).json<{ paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>();
    const item = Object.entries(doc.paths).find(([p]) => p.endsWith('/gadgets/{name}'))![1];
    assert.ok(item.patch!.parameters!.some((p) => p.name === 'fieldValidation'));
  });

  it('refuses malformed bodies, unknown kinds, oversize bodies and bad selectors with a Status', async () => {
    const bad = await http('/api/v1/namespaces/default/configmaps', { method: 'POST', rawBody: '{"apiVersion": "v1", ', contentType: 'application/json' });
    assert.equal(bad.status, 400);
    assert.equal(status(bad).kind, 'Status');
    assert.equal((await http('/apis/nope.example.com/v1/things')).status, 404);
    const huge = await http('/api/v1/namespaces/default/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } } });
    assert.equal(huge.status, 413);
    assert.equal((await http('/api/v1/namespaces/default/configmaps/huge')).status, 404, 'nothing was written');
    const sel = await http('/api/v1/namespaces/default/configmaps?labelSelector=' + encodeURIComponent('a in (b'));
    assert.equal(sel.status, 400);
    assert.match(status(sel).message, /unable to parse requirement|found/);
    const fsel = await http('/api/v1/namespaces/default/configmaps?fieldSelector=' + encodeURIComponent('spec.foo=bar'));
    assert.equal(fsel.status, 400);
  });

  it('names the field and value of an invalid object and writes nothing', async () => {
    const r = await http('/apis/test.slipway.dev/v1/namespaces/default/gadgets', { method: 'POST', body: { apiVersion: 'test.slipway.dev/v1', kind: 'Gadget', metadata: { name: 'g-bad' }, spec: { replicas: 'x' } } });
    assert.equal(r.status, 422);
    const s = status(r);
    assert.equal(s.reason, 'Invalid');
    assert.ok(s.details!.causes!.some((c) => c.field === 'spec.replicas' && /"x"/.test(c.message)), JSON.stringify(s));
    assert.match(s.message, /spec\.replicas: Invalid value: "x"/);
    assert.equal((await http('/apis/test.slipway.dev/v1/namespaces/default/gadgets/g-bad')).status, 404);
  });

  it('honours fieldValidation Strict, Warn and Ignore', async () => {
    const body = (name: string) => ({ apiVersion: 'test.slipway.dev/v1', kind: 'Gadget', metadata: { name }, spec: { replicas: 2, bogus: true } });
    const strict = await http('/apis/test.slipway.dev/v1/namespaces/default/gadgets?fieldValidation=Strict', { method: 'POST', body: body('fv-strict') });
    assert.equal(strict.status, 400);
    assert.match(status(strict).message, /unknown field "spec.bogus"/);
    const warn = await http('/apis/test.slipway.dev/v1/namespaces/default/gadgets?fieldValidation=Warn', { method: 'POST', body: body('fv-warn') });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers['warning']), /unknown field \\"spec.bogus\\"/);
    assert.equal(warn.json<{ spec: Record<string, unknown> }>().spec.bogus, undefined, 'unknown fields are pruned');
    const ignore = await http('/apis/test.slipway.dev/v1/namespaces/default/gadgets?fieldValidation=Ignore', { method: 'POST', body: body('fv-ignore') });
    assert.equal(ignore.status, 201);
    assert.equal(ignore.headers['warning'], undefined);
  });

  it('enforces CEL transition rules with oldSelf on update', async () => {
    const base = '/apis/test.slipway.dev/v1/namespaces/default/gadgets';
    assert.equal((await http(base, { method: 'POST', body: { apiVersion: 'test.slipway.dev/v1', kind: 'Gadget', metadata: { name: 'cel' }, spec: { mode: 'a' } } })).status, 201);
    const r = await http(`${base}/cel`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { mode: 'b' } } });
    assert.equal(r.status, 422, r.text);
    assert.match(status(r).message, /mode is immutable/);
    const ok = await http(`${base}/cel`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 3 } } });
    assert.equal(ok.status, 200, ok.text);
  });

  it('refuses strategic merge patch for custom resources but takes it for built-ins', async () => {
    const r = await http('/apis/test.slipway.dev/v1/namespaces/default/gadgets/cel', { method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: { spec: { replicas: 4 } } });
    assert.equal(r.status, 415);
    assert.equal((await http('/api/v1/namespaces/default/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'smp' }, data: { a: '1' } } })).status, 201);
    const p = await http('/api/v1/namespaces/default/configmaps/smp', { method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: { data: { b: '2' } } });
    assert.equal(p.status, 200);
    assert.deepEqual(p.json<{ data: Record<string, string> }>().data, { a: '1', b: '2' });
  });

  it('gives 409 Conflict for a stale resourceVersion, and generates names', async () => {
    const c = await http('/api/v1/namespaces/default/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } } });
    assert.equal(c.status, 201);
    const obj = c.json<{ metadata: { name: string; resourceVersion: string } }>();
    assert.match(obj.metadata.name, /^gen-[a-z0-9]{5}$/);
    const u1 = await http(`/api/v1/namespaces/default/configmaps/${obj.metadata.name}`, { method: 'PUT', body: { ...obj, data: { v: '1' } } });
    assert.equal(u1.status, 200);
    const u2 = await http(`/api/v1/namespaces/default/configmaps/${obj.metadata.name}`, { method: 'PUT', body: { ...obj, data: { v: '2' } } });
    assert.equal(u2.status, 409);
    assert.equal(status(u2).reason, 'Conflict');
  });

  it('dryRun=All validates every write and stores nothing', async () => {
    const base = '/api/v1/namespaces/default/configmaps';
    const c = await http(`${base}?dryRun=All`, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } } });
    assert.equal(c.status, 201);
    assert.equal((await http(`${base}/dry`)).status, 404);
    const d = await http(`${base}/smp?dryRun=All`, { method: 'DELETE' });
    assert.equal(d.status, 200);
    assert.equal((await http(`${base}/smp`)).status, 200, 'still there after a dry-run delete');
    const p = await http(`${base}/smp?dryRun=All`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { data: { z: '9' } } });
    assert.equal(p.json<{ data: Record<string, string> }>().data.z, '9');
    assert.equal((await http(`${base}/smp`)).json<{ data: Record<string, string> }>().data.z, undefined);
  });

  it('lists with limit/continue and deletes collections by label', async () => {
    await http('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } } });
    for (let i = 0; i < 7; i++) {
      const r = await http('/api/v1/namespaces/paging/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `p${i}`, labels: { batch: i < 4 ? 'one' : 'two' } } } });
      assert.equal(r.status, 201);
    }
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = (await http(`/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).json<{ items: { metadata: { name: string } }[]; metadata: { continue?: string } }>();
      names.push(...r.items.map((i) => i.metadata.name));
      cont = r.metadata.continue ?? '';
      pages++;
    } while (cont && pages < 10);
    assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    assert.equal(pages, 3);
    const del = await http('/api/v1/namespaces/paging/configmaps?labelSelector=batch%3Done', { method: 'DELETE' });
    assert.equal(del.status, 200);
    const left = (await http('/api/v1/namespaces/paging/configmaps')).json<{ items: { metadata: { name: string } }[] }>();
    assert.deepEqual(left.items.map((i) => i.metadata.name), ['p4', 'p5', 'p6']);
  });

  it('refuses content in a Terminating namespace', async () => {
    await http('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'closing' } } });
    await http('/api/v1/namespaces/closing/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    const d = await http('/api/v1/namespaces/closing', { method: 'DELETE' });
    assert.equal(d.status, 200);
    const ns = (await http('/api/v1/namespaces/closing')).json<{ status: { phase: string } }>();
    assert.equal(ns.status.phase, 'Terminating');
    const r = await http('/api/v1/namespaces/closing/configmaps', { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } } });
    assert.equal(r.status, 403);
    assert.match(status(r).message, /because it is being terminated/);
    await http('/api/v1/namespaces/closing/configmaps/held', { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await eventually(async () => (await http('/api/v1/namespaces/closing')).status === 404, 10_000, 'namespace removed');
  });

  it('watch resumes from a resourceVersion and reports 410 after compaction', async () => {
    const base = '/api/v1/namespaces/default/configmaps';
    const first = await http(base, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1' } } });
    const rv = first.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    await http(base, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w2' } } });
    await http(`${base}/w1`, { method: 'DELETE' });
    const w = watchStream(t, `${base}?watch=true&resourceVersion=${rv}`);
    await eventually(() => w.events.length >= 2, 5000, 'resumed events');
    w.stop();
    assert.deepEqual(w.events.map((e) => [e.type, (e.object.metadata as { name: string }).name]), [['ADDED', 'w2'], ['DELETED', 'w1']]);
    await t.plane.store.compact(t.plane.store.currentRevision());
    const old = watchStream(t, `${base}?watch=true&resourceVersion=${rv}`);
    await old.ended;
    assert.equal(old.events.length, 1);
    assert.equal(old.events[0]!.type, 'ERROR');
    assert.equal((old.events[0]!.object as { code: number }).code, 410);
  });
  it('serves several CRD versions from one storage version, and deleting the CRD deletes its objects', async () => {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'string' } } } } } };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'boxes.test.slipway.dev' },
      spec: {
        group: 'test.slipway.dev',
        scope: 'Cluster',
        names: { plural: 'boxes', singular: 'box', kind: 'Box' },
        versions: [
          { name: 'v1beta1', served: true, storage: false, schema },
          { name: 'v1', served: true, storage: true, schema },
        ],
      },
    };
    assert.equal((await http('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: crd })).status, 201);
    await eventually(async () => (await http('/apis/test.slipway.dev/v1beta1/boxes')).status === 200, 5000, 'v1beta1 served');
    const c = await http('/apis/test.slipway.dev/v1beta1/boxes', { method: 'POST', body: { apiVersion: 'test.slipway.dev/v1beta1', kind: 'Box', metadata: { name: 'b1' }, spec: { size: 's' } } });
    assert.equal(c.status, 201, c.text);
    const viaV1 = (await http('/apis/test.slipway.dev/v1/boxes/b1')).json<{ apiVersion: string; spec: { size: string } }>();
    assert.equal(viaV1.apiVersion, 'test.slipway.dev/v1');
    assert.equal(viaV1.spec.size, 's');
    const got = (await http('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.test.slipway.dev')).json<{ status: { storedVersions: string[]; conditions: { type: string; status: string }[] } }>();
    assert.deepEqual(got.status.storedVersions, ['v1']);
    assert.ok(got.status.conditions.some((x) => x.type === 'NamesAccepted' && x.status === 'True'));
    assert.ok(got.status.conditions.some((x) => x.type === 'Established' && x.status === 'True'));
    assert.equal((await http('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.test.slipway.dev', { method: 'DELETE' })).status, 200);
    await eventually(async () => (await http('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/boxes.test.slipway.dev')).status === 404, 10_000, 'CRD removed');
    assert.equal((await http('/apis/test.slipway.dev/v1/boxes')).status, 404, 'kind no longer served');
    assert.equal((await t.plane.store.list('/registry/test.slipway.dev/boxes/')).items.length, 0, 'objects deleted with the CRD');
  });

  it('serves Events in core/v1 and events.k8s.io/v1, Leases and ServiceAccounts', async () => {
    const ev = await http('/api/v1/namespaces/default/events', { method: 'POST', body: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1.123' }, involvedObject: { kind: 'ConfigMap', name: 'x', namespace: 'default' }, reason: 'Tested', message: 'hello', type: 'Normal', count: 1 } });
    assert.equal(ev.status, 201, ev.text);
    const byReason = (await http('/api/v1/namespaces/default/events?fieldSelector=reason%3DTested,involvedObject.kind%3DConfigMap')).json<{ items: unknown[] }>();
    assert.equal(byReason.items.length, 1);
    const ev2 = await http('/apis/events.k8s.io/v1/namespaces/default/events', { method: 'POST', body: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e2' }, eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'slipway.dev/test', reportingInstance: 'i1', action: 'Test', reason: 'Tested', regarding: { kind: 'ConfigMap', name: 'x' }, type: 'Normal' } });
    assert.equal(ev2.status, 201, ev2.text);
    const lease = await http('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { method: 'POST', body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
    assert.equal(lease.status, 201, lease.text);
    const sa = await http('/api/v1/namespaces/default/serviceaccounts', { method: 'POST', body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } } });
    assert.equal(sa.status, 201, sa.text);
    const badLease = await http('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { method: 'POST', body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'bad' }, spec: { leaseDurationSeconds: 'long' } } });
    assert.equal(badLease.status, 422);
    assert.match(badLease.text, /spec\.leaseDurationSeconds/);
  });
});
