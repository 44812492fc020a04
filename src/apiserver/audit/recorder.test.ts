import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from './event.js';
import { parsePolicy } from './policy.js';
import { AuditRecorder, type AuditRequest, type AuditSink } from './recorder.js';

/** Keeps events as the log would show them (serialised at write time). */
class MemorySink implements AuditSink {
  events: AuditEvent[] = [];
  write(event: AuditEvent): void {
    this.events.push(JSON.parse(JSON.stringify(event)) as AuditEvent);
  }
}

class StepClock {
  constructor(private ms: number) {}
  now(): Date {
    const d = new Date(this.ms);
    this.ms += 1;
    return d;
  }
}

const policyText = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: true
rules:
- level: None
  nonResourceURLs: ["/healthz*"]
- level: RequestResponse
  resources: [{group: "", resources: ["configmaps"]}]
- level: Request
  resources: [{group: "", resources: ["secrets"]}]
  omitStages: ["RequestReceived"]
- level: Metadata
`;

const alice = { name: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] };

function request(over: Partial<AuditRequest> = {}): AuditRequest {
  return {
    method: 'POST',
    requestURI: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl',
    verb: 'create',
    user: alice,
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.31.0',
    objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
    resourceRequest: true,
    path: '/api/v1/namespaces/default/configmaps',
    ...over,
  };
}

function setup() {
  const sink = new MemorySink();
  const recorder = new AuditRecorder(parsePolicy(policyText), sink, new StepClock(Date.UTC(2026, 11, 7, 13, 0, 0, 0)));
  return { sink, recorder };
}

describe('AuditRecorder', () => {
  it('None: no context and no event', () => {
    const { sink, recorder } = setup();
    assert.equal(recorder.begin(request({ resourceRequest: false, objectRef: undefined, path: '/healthz/ready', requestURI: '/healthz/ready', verb: 'get' })), undefined);
    assert.equal(sink.events.length, 0);
  });

  it('RequestResponse create: RequestReceived without objects, then ResponseComplete with both', () => {
    const { sink, recorder } = setup();
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', managedFields: [{ manager: 'kubectl' }] }, data: { a: '1' } };
    const ctx = recorder.begin(request())!;
    assert.ok(ctx);
    assert.equal(ctx.level, 'RequestResponse');
    ctx.setRequestObject(body);
    body.data.a = 'mutated by admission';
    ctx.annotate('authorization.k8s.io/decision', 'allow');
    ctx.annotate('authorization.k8s.io/reason', 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"');
    ctx.annotate('authorization.k8s.io/decision', 'forbid'); // the first value stays
    const created = { ...body, metadata: { name: 'cfg', namespace: 'default', uid: 'c-1', resourceVersion: '5' } };
    ctx.complete(201, created);
    ctx.complete(500); // ignored

    assert.equal(sink.events.length, 2);
    const [received, complete] = sink.events as [AuditEvent, AuditEvent];
    assert.equal(received.stage, 'RequestReceived');
    assert.equal(received.auditID, ctx.auditID);
    assert.match(ctx.auditID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal('requestObject' in received, false);
    assert.equal('responseStatus' in received, false);
    assert.equal('annotations' in received, false);
    assert.deepEqual(received.objectRef, { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' });
    assert.equal(received.stageTimestamp, received.requestReceivedTimestamp);

    assert.equal(complete.stage, 'ResponseComplete');
    assert.equal(complete.auditID, ctx.auditID);
    assert.deepEqual(complete.user, { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] });
    assert.deepEqual(complete.objectRef, { resource: 'configmaps', namespace: 'default', name: 'cfg', apiVersion: 'v1' });
    assert.deepEqual(complete.responseStatus, { metadata: {}, code: 201 });
    assert.deepEqual(complete.requestObject, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } });
    assert.deepEqual((complete.responseObject as { metadata: unknown }).metadata, { name: 'cfg', namespace: 'default', uid: 'c-1', resourceVersion: '5' });
    assert.deepEqual(complete.annotations, {
      'authorization.k8s.io/decision': 'allow',
      'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"',
    });
    assert.equal(complete.requestReceivedTimestamp, '2026-12-07T13:00:00.000000Z');
    assert.equal(complete.stageTimestamp, '2026-12-07T13:00:00.001000Z');
  });

  it('Request level with omitStages: no RequestReceived, request body but no response body', () => {
    const { sink, recorder } = setup();
    const ctx = recorder.begin(request({ objectRef: { resource: 'secrets', namespace: 'default', name: 's', apiVersion: 'v1' }, verb: 'update', requestObject: '{"kind":"Secret","metadata":{"name":"s","resourceVersion":"9"}}' }))!;
    ctx.complete(200, { kind: 'Secret', metadata: { name: 's' } });
    assert.deepEqual(sink.events.map((e) => e.stage), ['ResponseComplete']);
    const ev = sink.events[0]!;
    assert.equal(ev.level, 'Request');
    assert.deepEqual(ev.requestObject, { kind: 'Secret', metadata: { name: 's', resourceVersion: '9' } });
    assert.equal('responseObject' in ev, false);
    assert.deepEqual(ev.objectRef, { resource: 'secrets', namespace: 'default', name: 's', apiVersion: 'v1', resourceVersion: '9' });
  });

  it('Metadata level: no objects, but a Status response fills responseStatus', () => {
    const { sink, recorder } = setup();
    const ctx = recorder.begin(
      request({ method: 'DELETE', verb: 'delete', requestURI: '/apis/cluster.x-k8s.io/v1beta1/namespaces/a/clusters/x', path: '/apis/cluster.x-k8s.io/v1beta1/namespaces/a/clusters/x', objectRef: { resource: 'clusters', namespace: 'a', name: 'x', apiGroup: 'cluster.x-k8s.io', apiVersion: 'v1beta1' } }),
    )!;
    ctx.annotate('authorization.k8s.io/decision', 'forbid');
    ctx.complete(403, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'clusters.cluster.x-k8s.io "x" is forbidden: User "alice" cannot delete resource "clusters" in API group "cluster.x-k8s.io" in the namespace "a"', reason: 'Forbidden', details: { name: 'x', group: 'cluster.x-k8s.io', kind: 'clusters' }, code: 403 });
    const ev = sink.events[1]!;
    assert.equal(ev.level, 'Metadata');
    assert.equal('responseObject' in ev, false);
    assert.deepEqual(ev.responseStatus, {
      metadata: {},
      status: 'Failure',
      message: 'clusters.cluster.x-k8s.io "x" is forbidden: User "alice" cannot delete resource "clusters" in API group "cluster.x-k8s.io" in the namespace "a"',
      reason: 'Forbidden',
      details: { name: 'x', group: 'cluster.x-k8s.io', kind: 'clusters' },
      code: 403,
    });
  });

  it('watch: RequestReceived, ResponseStarted, ResponseComplete', () => {
    const { sink, recorder } = setup();
    const ctx = recorder.begin(request({ method: 'GET', verb: 'watch', requestURI: '/api/v1/namespaces/default/pods?watch=true', path: '/api/v1/namespaces/default/pods', objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' } }))!;
    ctx.responseStarted();
    ctx.complete(200);
    assert.deepEqual(sink.events.map((e) => [e.stage, e.responseStatus?.code]), [['RequestReceived', undefined], ['ResponseStarted', 200], ['ResponseComplete', 200]]);
  });

  it('panic: a Panic event with a 500 InternalError status, and nothing after it', () => {
    const { sink, recorder } = setup();
    const ctx = recorder.begin(request({ verb: 'get', method: 'GET', objectRef: { resource: 'pods', namespace: 'default', name: 'p', apiVersion: 'v1' } }))!;
    ctx.panic(new Error('boom'));
    ctx.complete(200);
    assert.deepEqual(sink.events.map((e) => e.stage), ['RequestReceived', 'Panic']);
    assert.deepEqual(sink.events[1]!.responseStatus, { metadata: {}, status: 'Failure', message: "APIServer panic'd: boom", reason: 'InternalError', code: 500 });
  });

  it('non-resource requests never carry objects; a client Audit-ID is kept; impersonation is recorded', () => {
    const sink = new MemorySink();
    const recorder = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n'), sink);
    const ctx = recorder.begin({
      method: 'GET',
      requestURI: '/version',
      verb: 'get',
      user: alice,
      impersonatedUser: { name: 'bob', groups: ['system:authenticated'] },
      sourceIPs: ['::1'],
      resourceRequest: false,
      path: '/version',
      auditID: 'client-chosen-id',
      requestObject: { x: 1 },
    })!;
    ctx.complete(200, { major: '1' });
    const ev = sink.events[1]!;
    assert.equal(ev.auditID, 'client-chosen-id');
    assert.deepEqual(ev.impersonatedUser, { username: 'bob', groups: ['system:authenticated'] });
    assert.equal('requestObject' in ev || 'responseObject' in ev || 'objectRef' in ev, false);
    assert.match(ev.stageTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.ok(ev.stageTimestamp >= ev.requestReceivedTimestamp);
  });

  it('the policy matches the authenticated user, by group', () => {
    const sink = new MemorySink();
    const recorder = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  userGroups: [devs]\n'), sink);
    assert.ok(recorder.begin(request()));
    assert.equal(recorder.begin(request({ user: { name: 'carol', groups: ['ops'] } })), undefined);
    assert.equal(recorder.begin(request({ user: undefined })), undefined);
  });
});
