import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from './event.js';
import { attemptedMethods, failedAuthenticationMessage, isBasicAuth, isBearerAttempt } from './failed-authentication.js';
import { parsePolicy } from './policy.js';
import { AuditRecorder, type AuditRequest } from './recorder.js';

const basic = (userPass: string): string => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('failedAuthenticationMessage', () => {
  // Upstream's authn_audit_test cases (basic; basic + x509; nothing) and the other kinds in upstream's order.
  const table: { name: string; authorization?: string; accessToken?: string; cert?: boolean; want: string }[] = [
    { name: 'basic', authorization: basic('username:password'), want: 'Authentication failed, attempted: basic' },
    { name: 'basic and x509', authorization: basic('username:password'), cert: true, want: 'Authentication failed, attempted: basic, x509' },
    { name: 'no credentials', want: 'Authentication failed, no credentials provided' },
    { name: 'bearer', authorization: 'Bearer not-a-token', want: 'Authentication failed, attempted: bearer' },
    { name: 'bearer in any case', authorization: 'bEaReR abc', want: 'Authentication failed, attempted: bearer' },
    { name: 'bearer with surrounding spaces', authorization: '  Bearer abc  ', want: 'Authentication failed, attempted: bearer' },
    { name: 'bearer without a token is no attempt', authorization: 'Bearer', want: 'Authentication failed, no credentials provided' },
    { name: 'bearer and a space only is no attempt', authorization: 'Bearer   ', want: 'Authentication failed, no credentials provided' },
    { name: 'access_token query parameter', accessToken: 'tok', want: 'Authentication failed, attempted: access_token' },
    { name: 'blank access_token is no attempt', accessToken: '  ', want: 'Authentication failed, no credentials provided' },
    { name: 'bearer, access_token and x509 in order', authorization: 'Bearer t', accessToken: 'a', cert: true, want: 'Authentication failed, attempted: bearer, access_token, x509' },
    { name: 'x509 alone', cert: true, want: 'Authentication failed, attempted: x509' },
    { name: 'another scheme', authorization: 'Digest username="x"', want: 'Authentication failed, no credentials provided' },
  ];
  for (const c of table) {
    it(c.name, () => assert.equal(failedAuthenticationMessage({ authorization: c.authorization, accessToken: c.accessToken, clientCertificate: c.cert ?? false }), c.want));
  }

  it('basic auth as Go parses it: case-insensitive scheme, padded standard base64, a colon', () => {
    assert.equal(isBasicAuth(basic('u:p')), true);
    assert.equal(isBasicAuth(`basic ${Buffer.from('u:p').toString('base64')}`), true);
    assert.equal(isBasicAuth(basic(':')), true);
    assert.equal(isBasicAuth(basic('no-colon')), false);
    assert.equal(isBasicAuth('Basic not base64!'), false);
    assert.equal(isBasicAuth('Basic dTpw'), true); // "u:p"
    assert.equal(isBasicAuth('Basic dTpwcQ'), false); // unpadded
    assert.equal(isBasicAuth('Basic'), false);
    assert.equal(isBasicAuth(undefined), false);
    assert.equal(isBearerAttempt('Basic abc'), false);
    assert.deepEqual(attemptedMethods({ authorization: basic('a:b'), clientCertificate: false }), ['basic']);
  });
});

/** Keeps events as the log would show them (serialised at write time). */
class MemorySink {
  events: AuditEvent[] = [];
  write(event: AuditEvent): void {
    this.events.push(JSON.parse(JSON.stringify(event)) as AuditEvent);
  }
}

const clock = { now: () => new Date(Date.UTC(2026, 11, 7, 12, 0, 0)) };

function listPods(extra: Partial<AuditRequest> = {}): AuditRequest {
  return {
    method: 'GET',
    requestURI: '/api/v1/namespaces/default/pods?limit=500',
    verb: 'list',
    user: undefined,
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.32.0',
    objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
    resourceRequest: true,
    path: '/api/v1/namespaces/default/pods',
    ...extra,
  };
}

describe('AuditRecorder.failedAuthentication', () => {
  it('writes one ResponseStarted event with an empty user and the message and code only', () => {
    const sink = new MemorySink();
    const rec = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n'), sink, clock);
    const id = rec.failedAuthentication(listPods({ auditID: 'abc' }), 'Authentication failed, attempted: bearer');
    assert.equal(id, 'abc');
    assert.equal(sink.events.length, 1);
    assert.equal(
      JSON.stringify(sink.events[0]),
      JSON.stringify({
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'RequestResponse',
        auditID: 'abc',
        stage: 'ResponseStarted',
        requestURI: '/api/v1/namespaces/default/pods?limit=500',
        verb: 'list',
        user: {},
        sourceIPs: ['127.0.0.1'],
        userAgent: 'kubectl/v1.32.0',
        objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
        responseStatus: { metadata: {}, message: 'Authentication failed, attempted: bearer', code: 401 },
        requestReceivedTimestamp: '2026-12-07T12:00:00.000000Z',
        stageTimestamp: '2026-12-07T12:00:00.000000Z',
      }),
    );
  });

  it('the policy is evaluated without a user: rules naming users or groups do not apply', () => {
    const sink = new MemorySink();
    const policy = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: ["system:anonymous"]
- level: None
  userGroups: ["system:unauthenticated"]
- level: Request
  resources: [{group: "", resources: ["pods"]}]
- level: Metadata
`);
    const rec = new AuditRecorder(policy, sink, clock);
    rec.failedAuthentication(listPods({ user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } }), 'Authentication failed, no credentials provided');
    assert.equal(sink.events.length, 1);
    assert.equal(sink.events[0]!.level, 'Request');
    assert.deepEqual(sink.events[0]!.user, {});
    assert.equal(sink.events[0]!.requestObject, undefined);
  });

  it('level None: no event and no audit ID; ResponseStarted omitted: an ID but no event', () => {
    const sink = new MemorySink();
    const none = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  resources: [{group: "", resources: ["pods"]}]\n- level: Metadata\n'), sink, clock);
    assert.equal(none.failedAuthentication(listPods(), 'x'), undefined);
    const omitted = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [ResponseStarted]\nrules:\n- level: RequestResponse\n'), sink, clock);
    assert.match(omitted.failedAuthentication(listPods(), 'x') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(sink.events.length, 0);
  });

  it('non-resource requests match nonResourceURLs; the request\'s annotations are kept', () => {
    const sink = new MemorySink();
    const rec = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  nonResourceURLs: ["/apis*"]\n'), sink, clock);
    const req: AuditRequest = { method: 'GET', requestURI: '/apis', verb: 'get', user: undefined, sourceIPs: [], resourceRequest: false, path: '/apis', annotations: { 'slipway.dev/cluster': 'team-a/dev' } };
    rec.failedAuthentication(req, 'Authentication failed, attempted: x509');
    rec.failedAuthentication({ ...req, requestURI: '/api', path: '/api' }, 'Authentication failed, attempted: x509');
    assert.equal(sink.events.length, 1);
    assert.deepEqual(sink.events[0]!.annotations, { 'slipway.dev/cluster': 'team-a/dev' });
    assert.equal(sink.events[0]!.objectRef, undefined);
  });
});

describe('AuditRecorder: annotations given with the request', () => {
  it('every stage carries them; annotate() adds beside them and does not replace them', () => {
    const sink = new MemorySink();
    const rec = new AuditRecorder(parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'), sink, clock);
    const ctx = rec.begin(listPods({ user: { name: 'dev', groups: ['system:authenticated'] }, annotations: { 'slipway.dev/cluster': 'team-a/dev' } }))!;
    ctx.annotate('slipway.dev/cluster', 'other');
    ctx.annotate('authorization.k8s.io/decision', 'allow');
    ctx.complete(200);
    assert.deepEqual(sink.events.map((e) => e.stage), ['RequestReceived', 'ResponseComplete']);
    assert.deepEqual(sink.events[0]!.annotations, { 'slipway.dev/cluster': 'team-a/dev' });
    assert.deepEqual(sink.events[1]!.annotations, { 'slipway.dev/cluster': 'team-a/dev', 'authorization.k8s.io/decision': 'allow' });
  });
});
