/**
 * The audit log of the management plane, through kubectl: a policy file selects requests by user, verb and resource;
 * events land as JSON lines with kube-apiserver's shape (stages, levels, objectRef, user, authorization decision,
 * request and response objects at RequestResponse), and a refused request is audited with its 403.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { execFile } from 'node:child_process';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-audit-'));
const policyFile = join(tmp, 'policy.yaml');
const logPath = join(tmp, 'logs', 'audit.log');
const tokenFile = join(tmp, 'tokens.csv');
writeFileSync(tokenFile, 'eve-token,eve,uid-eve,"interns"\n');
writeFileSync(
  policyFile,
  `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  # reads of leases are noise
  - level: None
    resources: [{ group: coordination.k8s.io, resources: [leases] }]
  - level: RequestResponse
    verbs: [create, delete]
    resources: [{ group: "", resources: [configmaps] }]
  - level: Metadata
    userGroups: [interns]
  - level: None
`,
);

interface AuditEvent {
  kind: string;
  apiVersion: string;
  level: string;
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username: string; groups?: string[] };
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiVersion?: string; apiGroup?: string };
  responseStatus?: { code: number; status?: string; reason?: string; message?: string };
  requestObject?: { metadata?: { name?: string }; data?: Record<string, string> };
  responseObject?: { metadata?: { uid?: string; resourceVersion?: string } };
  annotations?: Record<string, string>;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

function events(): AuditEvent[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
}

describe('audit log (kubectl)', () => {
  let t: TestPlane;
  let eveConfig: string;
  const run = (kubeconfig: string, args: string[]): Promise<{ code: number; stderr: string }> =>
    new Promise((resolve) => {
      execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: tmp } }, (err, _stdout, stderr) => {
        resolve({ code: err ? 1 : 0, stderr: String(stderr) });
      });
    });

  before(async () => {
    t = await startPlane({ clusterApi: false, tokenFile, audit: { policyFile, logPath, maxSizeMB: 1 } });
    eveConfig = join(tmp, 'eve.kubeconfig');
    await writeKubeconfig(eveConfig, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: 'eve-token', userName: 'eve' });
  });

  after(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('logs a create at RequestResponse with the objects, the user and the decision', async () => {
    const r = await t.kubectl(['create', 'configmap', 'audited', '--from-literal=colour=blue', '-n', 'default']);
    assert.equal(r.code, 0, r.stderr);
    const ev = await eventually(() => events().find((e) => e.verb === 'create' && e.objectRef?.name === 'audited'), 10_000, 'the create event');
    assert.equal(ev.apiVersion, 'audit.k8s.io/v1');
    assert.equal(ev.kind, 'Event');
    assert.equal(ev.level, 'RequestResponse');
    assert.equal(ev.stage, 'ResponseComplete');
    assert.match(ev.requestURI, /^\/api\/v1\/namespaces\/default\/configmaps\?fieldManager=kubectl-create/);
    assert.equal(ev.user.username, 'slipway-admin');
    assert.ok(ev.user.groups?.includes('system:masters'));
    assert.deepEqual(ev.sourceIPs, ['127.0.0.1']);
    assert.match(ev.userAgent ?? '', /^kubectl\//);
    assert.deepEqual(ev.objectRef, { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' });
    assert.equal(ev.responseStatus?.code, 201);
    assert.deepEqual(ev.requestObject?.data, { colour: 'blue' });
    assert.ok(ev.responseObject?.metadata?.uid, 'the response object carries the stored uid');
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.match(ev.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // omitStages: no RequestReceived events at all.
    assert.equal(events().filter((e) => e.stage === 'RequestReceived').length, 0);
  });

  it('logs a refused request at Metadata with its 403, and nothing the policy leaves at None', async () => {
    const r = await run(eveConfig, ['get', 'secrets', '-n', 'default']);
    assert.notEqual(r.code, 0);
    const ev = await eventually(() => events().find((e) => e.user.username === 'eve' && e.verb === 'list' && e.objectRef?.resource === 'secrets'), 10_000, 'the refused list');
    assert.equal(ev.level, 'Metadata');
    assert.equal(ev.responseStatus?.code, 403);
    assert.equal(ev.responseStatus?.reason, 'Forbidden');
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'forbid');
    assert.equal(ev.requestObject, undefined);
    assert.equal(ev.responseObject, undefined);
    // The admin's reads are at None.
    const get = await t.kubectl(['get', 'configmap', 'audited', '-n', 'default']);
    assert.equal(get.code, 0, get.stderr);
    await t.kubectl(['delete', 'configmap', 'audited', '-n', 'default']);
    await eventually(() => events().find((e) => e.verb === 'delete' && e.objectRef?.name === 'audited'), 10_000, 'the delete event');
    assert.equal(events().filter((e) => e.verb === 'get' && e.user.username === 'slipway-admin').length, 0);
  });

  it('refuses a bad policy file with the field and value', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Everything\n');
    await assert.rejects(startPlane({ clusterApi: false, audit: { policyFile: bad, logPath: join(tmp, 'x.log') } }), /rules\[0\]\.level: Unsupported value: "Everything"/);
  });
});
