import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditUser, buildEvent, compactObjectRef, microTime, responseStatus, withoutManagedFields, type EventParts } from './event.js';

const at = Date.UTC(2026, 11, 7, 12, 51, 1, 123) + 0.456; // 12:51:01.123456

const base: EventParts = {
  level: 'Metadata',
  auditID: '8c604d8d-368c-4294-9cfa-e361b4cbbefa',
  stage: 'RequestReceived',
  requestURI: '/apis/cluster.x-k8s.io/v1beta1/namespaces/team-a/clusters/prod/status',
  verb: 'patch',
  user: { name: 'system:serviceaccount:slipway-system:topology', uid: '43ee00d0-fd9a-48ff-9e74-da11e39144fe', groups: ['system:serviceaccounts', 'system:serviceaccounts:slipway-system', 'system:authenticated'] },
  sourceIPs: ['10.0.0.7'],
  userAgent: 'slipway/v0.1.0',
  objectRef: { resource: 'clusters', namespace: 'team-a', name: 'prod', apiGroup: 'cluster.x-k8s.io', apiVersion: 'v1beta1', subresource: 'status' },
  resourceRequest: true,
  requestReceivedAt: at,
  stageAt: at,
};

describe('buildEvent', () => {
  it('a Metadata RequestReceived event has upstream’s fields in upstream’s order', () => {
    // Shaped as the audit.k8s.io/v1 Event reference and its documented log examples.
    const want =
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"8c604d8d-368c-4294-9cfa-e361b4cbbefa",' +
      '"stage":"RequestReceived","requestURI":"/apis/cluster.x-k8s.io/v1beta1/namespaces/team-a/clusters/prod/status","verb":"patch",' +
      '"user":{"username":"system:serviceaccount:slipway-system:topology","uid":"43ee00d0-fd9a-48ff-9e74-da11e39144fe",' +
      '"groups":["system:serviceaccounts","system:serviceaccounts:slipway-system","system:authenticated"]},' +
      '"sourceIPs":["10.0.0.7"],"userAgent":"slipway/v0.1.0",' +
      '"objectRef":{"resource":"clusters","namespace":"team-a","name":"prod","apiGroup":"cluster.x-k8s.io","apiVersion":"v1beta1","subresource":"status"},' +
      '"requestReceivedTimestamp":"2026-12-07T12:51:01.123456Z","stageTimestamp":"2026-12-07T12:51:01.123456Z"}';
    assert.equal(JSON.stringify(buildEvent({ ...base, requestObject: { a: 1 } })), want);
  });

  it('a completed RequestResponse event carries status, objects and annotations after them', () => {
    const ev = buildEvent({
      ...base,
      level: 'RequestResponse',
      stage: 'ResponseComplete',
      impersonatedUser: { name: 'bob', groups: [] },
      responseStatus: responseStatus(200),
      requestObject: { status: { phase: 'Provisioned' } },
      responseObject: { kind: 'Cluster' },
      stageAt: at + 2.5,
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "x"' },
    });
    assert.deepEqual(Object.keys(ev), [
      'kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent',
      'objectRef', 'responseStatus', 'requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations',
    ]);
    assert.deepEqual(ev.impersonatedUser, { username: 'bob' });
    const withExtra = buildEvent({ ...base, impersonatedUser: { name: 'bob', uid: 'u-1', groups: ['g'], extra: { scopes: ['a', 'b'] } } });
    assert.deepEqual(withExtra.impersonatedUser, { username: 'bob', uid: 'u-1', groups: ['g'], extra: { scopes: ['a', 'b'] } });
    assert.deepEqual(ev.responseStatus, { metadata: {}, code: 200 });
    assert.equal(JSON.stringify(ev.responseStatus), '{"metadata":{},"code":200}');
    assert.equal(ev.stageTimestamp, '2026-12-07T12:51:01.125956Z');
  });

  it('keeps objects by level: Metadata none, Request the request, RequestResponse both; never for non-resource requests', () => {
    const parts = { ...base, stage: 'ResponseComplete' as const, requestObject: { q: 1 }, responseObject: { r: 1 } };
    const objs = (p: EventParts) => {
      const e = buildEvent(p);
      return [e.requestObject, e.responseObject];
    };
    assert.deepEqual(objs({ ...parts, level: 'Metadata' }), [undefined, undefined]);
    assert.deepEqual(objs({ ...parts, level: 'Request' }), [{ q: 1 }, undefined]);
    assert.deepEqual(objs({ ...parts, level: 'RequestResponse' }), [{ q: 1 }, { r: 1 }]);
    assert.deepEqual(objs({ ...parts, level: 'RequestResponse', resourceRequest: false }), [undefined, undefined]);
  });

  it('omits managed fields when asked, without touching the caller’s objects', () => {
    const obj = { kind: 'ConfigMap', metadata: { name: 'c', managedFields: [{ manager: 'kubectl' }] }, data: { a: 'b' } };
    const list = { kind: 'ConfigMapList', items: [obj, { metadata: { name: 'd' } }] };
    const ev = buildEvent({ ...base, level: 'RequestResponse', stage: 'ResponseComplete', requestObject: obj, responseObject: list, omitManagedFields: true });
    assert.deepEqual(ev.requestObject, { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
    assert.deepEqual(ev.responseObject, { kind: 'ConfigMapList', items: [{ kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } }, { metadata: { name: 'd' } }] });
    assert.equal(obj.metadata.managedFields.length, 1);
    const kept = buildEvent({ ...base, level: 'Request', stage: 'ResponseComplete', requestObject: obj });
    assert.equal(kept.requestObject, obj);
  });

  it('an unauthenticated request has an empty user ({} as upstream serialises it); empty sourceIPs and annotations are left out', () => {
    const ev = buildEvent({ ...base, user: undefined, sourceIPs: [], userAgent: '', objectRef: {}, annotations: {} });
    assert.deepEqual(ev.user, {});
    assert.match(JSON.stringify(ev), /"user":\{\}/);
    for (const k of ['sourceIPs', 'userAgent', 'objectRef', 'annotations'] as const) assert.equal(k in ev, false, k);
  });
});

describe('event parts', () => {
  it('responseStatus copies a Status body’s bounded fields, in Status field order', () => {
    const s = responseStatus(404, { status: 'Failure', message: 'clusters.cluster.x-k8s.io "x" not found', reason: 'NotFound', details: { name: 'x', group: 'cluster.x-k8s.io', kind: 'clusters' }, code: 404 });
    assert.equal(
      JSON.stringify(s),
      '{"metadata":{},"status":"Failure","message":"clusters.cluster.x-k8s.io \\"x\\" not found","reason":"NotFound","details":{"name":"x","group":"cluster.x-k8s.io","kind":"clusters"},"code":404}',
    );
    assert.equal(JSON.stringify(responseStatus(200, { status: 'Success' })), '{"metadata":{},"status":"Success","code":200}');
  });

  it('objectRef keeps upstream order and drops empty fields', () => {
    assert.equal(JSON.stringify(compactObjectRef({ subresource: 'log', apiVersion: 'v1', apiGroup: '', name: 'p', namespace: 'd', resource: 'pods', uid: '', resourceVersion: '7' })), '{"resource":"pods","namespace":"d","name":"p","apiVersion":"v1","resourceVersion":"7","subresource":"log"}');
    assert.equal(compactObjectRef({ apiGroup: '' }), undefined);
  });

  it('auditUser', () => {
    assert.deepEqual(auditUser({ name: 'a', groups: [] }), { username: 'a' });
    assert.deepEqual(auditUser({ name: 'a', uid: 'u', groups: ['g'] }), { username: 'a', uid: 'u', groups: ['g'] });
    // A ServiceAccount token's extra is recorded, and copied.
    const extra = { 'authentication.kubernetes.io/credential-id': ['JTI=1'] };
    const u = auditUser({ name: 'system:serviceaccount:ns:ci', groups: ['system:serviceaccounts'], extra });
    assert.deepEqual(u.extra, extra);
    assert.notEqual(u.extra, extra);
    assert.equal(auditUser({ name: 'a', groups: [], extra: {} }).extra, undefined);
  });

  it('microTime is RFC 3339 UTC with six fractional digits', () => {
    const cases: [number, string][] = [
      [Date.UTC(2026, 0, 2, 3, 4, 5, 0), '2026-01-02T03:04:05.000000Z'],
      [Date.UTC(2026, 0, 2, 3, 4, 5, 7) + 0.0089, '2026-01-02T03:04:05.007009Z'],
      [Date.UTC(1999, 11, 31, 23, 59, 59, 999) + 0.999, '1999-12-31T23:59:59.999999Z'],
      [Date.UTC(1999, 11, 31, 23, 59, 59, 999) + 0.9999, '2000-01-01T00:00:00.000000Z'],
    ];
    for (const [ms, text] of cases) assert.equal(microTime(ms), text);
  });

  it('withoutManagedFields leaves objects without them as they are', () => {
    const o = { metadata: { name: 'x' } };
    assert.equal(withoutManagedFields(o), o);
    assert.equal(withoutManagedFields('text'), 'text');
    const l = { items: [o] };
    assert.equal(withoutManagedFields(l), l);
  });
});
