/**
 * The audit log beyond authenticated plane requests, through real kubectl: a request no authenticator accepts (a bad
 * bearer token, a certificate of another CA) is audited as kube-apiserver's failed-authentication filter audits it
 * (one event at ResponseStarted, `user: {}`, responseStatus with the attempted methods and 401, the policy evaluated
 * without a user), and a workload cluster's requests land in the plane's log annotated with the cluster's name.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { clusterServerName } from '../../src/apiserver/logical-clusters.js';
import { createCA, issueClientCert, type CertKeyPair } from '../../src/apiserver/pki.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-audit-authn-'));
const policyFile = join(tmp, 'policy.yaml');
const logPath = join(tmp, 'audit.log');
writeFileSync(
  policyFile,
  `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    resources: [{ group: coordination.k8s.io, resources: [leases] }]
  # Never applies to a failed authentication: there is no user (and so no group) to match.
  - level: None
    userGroups: ["system:unauthenticated"]
  - level: None
    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/openapi/*", "/version"]
    users: ["slipway-admin", "kubernetes-admin"]
  - level: Metadata
`,
);

interface Event {
  level: string;
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username?: string; groups?: string[] };
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: Record<string, string>;
  responseStatus?: { metadata?: object; code: number; message?: string; status?: string; reason?: string };
  annotations?: Record<string, string>;
}

function events(): Event[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: tmp } }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('audit of failed authentication and of workload clusters (kubectl)', () => {
  let t: TestPlane;
  let alphaCA: CertKeyPair;
  let alphaAdmin: string;

  before(async () => {
    t = await startPlane({ audit: { policyFile, logPath } });
    // A workload cluster (as the sim provider leaves it): its CA Secret in the plane, its API started.
    alphaCA = await createCA('kubernetes');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alpha-ca', namespace: 'default' }, type: 'cluster.x-k8s.io/secret', data: { 'tls.crt': b64(alphaCA.certPem), 'tls.key': b64(alphaCA.keyPem) } };
    const r = await t.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) });
    assert.equal(r.code, 0, r.stderr);
    await t.plane.workloadClusters.start({ namespace: 'default', name: 'alpha' });
    const admin = await issueClientCert(alphaCA, { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    alphaAdmin = join(tmp, 'alpha.kubeconfig');
    writeFileSync(alphaAdmin, renderKubeconfig({ server: t.plane.url, caPem: alphaCA.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem, clusterName: 'alpha', userName: 'alpha-admin', tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
  });

  after(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a bad bearer token: 401 and one ResponseStarted event without a user, as kube-apiserver writes it', async () => {
    const bad = join(tmp, 'bad-token.kubeconfig');
    writeFileSync(bad, renderKubeconfig({ server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: 'not-a-known-token', userName: 'nobody' }));
    // kubectl stops at discovery when it is refused; --raw sends the resource request itself.
    const r = await kubectl(bad, ['get', '--raw', '/api/v1/namespaces/default/pods?limit=500']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized|must be logged in/);
    const ev = await eventually(() => events().find((e) => e.verb === 'list' && e.objectRef?.resource === 'pods' && e.responseStatus?.code === 401), 10_000, 'the failed authentication event');
    assert.equal(ev.stage, 'ResponseStarted');
    assert.equal(ev.level, 'Metadata');
    assert.deepEqual(ev.user, {});
    assert.deepEqual(ev.responseStatus, { metadata: {}, message: 'Authentication failed, attempted: bearer', code: 401 });
    assert.deepEqual(ev.objectRef, { resource: 'pods', namespace: 'default', apiVersion: 'v1' });
    assert.equal(ev.requestURI, '/api/v1/namespaces/default/pods?limit=500');
    assert.deepEqual(ev.sourceIPs, ['127.0.0.1']);
    assert.match(ev.userAgent ?? '', /^kubectl\//);
    assert.equal(ev.annotations, undefined);
    // One event per failed request: no RequestReceived (omitted here anyway) and no ResponseComplete.
    assert.equal(events().filter((e) => e.auditID === ev.auditID).length, 1);
    // Discovery attempts are audited too (the rule for the admins' discovery names users, so it does not apply).
    const discovery = await kubectl(bad, ['get', 'pods']);
    assert.notEqual(discovery.code, 0);
    const de = await eventually(() => events().find((e) => e.requestURI.startsWith('/api?') && e.responseStatus?.code === 401), 10_000, 'the failed discovery event');
    assert.equal(de.verb, 'get');
    assert.equal(de.objectRef, undefined);
  });

  it('a certificate of another CA: "attempted: x509"; the response carries the event\'s Audit-Id', async () => {
    const stranger = await issueClientCert(await createCA('elsewhere'), { commonName: 'mallory', organizations: ['system:masters'] });
    const res = await new Promise<{ status: number; auditID?: string }>((resolve, reject) => {
      const u = new URL('/api/v1/namespaces/kube-system/secrets', t.plane.url);
      const req = request(u, { ca: t.plane.pki.ca.certPem, cert: stranger.certPem, key: stranger.keyPem, headers: { 'user-agent': 'probe/1' } }, (resp) => {
        resp.resume();
        resp.on('end', () => resolve({ status: resp.statusCode ?? 0, auditID: resp.headers['audit-id'] as string | undefined }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 401);
    assert.ok(res.auditID);
    const ev = await eventually(() => events().find((e) => e.auditID === res.auditID), 10_000, 'the x509 event');
    assert.deepEqual(ev.responseStatus, { metadata: {}, message: 'Authentication failed, attempted: x509', code: 401 });
    assert.equal(ev.verb, 'list');
    assert.equal(ev.userAgent, 'probe/1');
    assert.deepEqual(ev.user, {});
  });

  it('a legacy token\'s use carries kube-apiserver\'s legacy-token annotations, also when it is refused', async () => {
    await t.kubectl(['create', 'serviceaccount', 'old-style', '-n', 'default']);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old-style-token', namespace: 'default', annotations: { 'kubernetes.io/service-account.name': 'old-style' } }, type: 'kubernetes.io/service-account-token' };
    assert.equal((await t.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) })).code, 0);
    const token = await eventually(async () => {
      const r = await t.kubectl(['get', 'secret', 'old-style-token', '-n', 'default', '-o', 'jsonpath={.data.token}']);
      return r.code === 0 && r.stdout ? Buffer.from(r.stdout, 'base64').toString() : undefined;
    }, 20_000, 'the legacy token');
    const config = join(tmp, 'legacy.kubeconfig');
    writeFileSync(config, renderKubeconfig({ server: t.plane.url, caPem: t.plane.pki.ca.certPem, token, userName: 'old-style' }));
    const r = await kubectl(config, ['get', '--raw', '/api/v1/namespaces/default/configmaps?labelSelector=legacy%3Dyes']);
    assert.notEqual(r.code, 0); // authenticated, but the ServiceAccount may not list ConfigMaps
    const ev = await eventually(() => events().find((e) => e.requestURI.includes('labelSelector=legacy%3Dyes')), 10_000, 'the legacy token event');
    assert.equal(ev.user.username, 'system:serviceaccount:default:old-style');
    assert.equal(ev.annotations?.['authentication.k8s.io/legacy-token'], 'system:serviceaccount:default:old-style');
    assert.equal(ev.annotations?.['authentication.k8s.io/legacy-token-manual-secret'], 'old-style-token');
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'forbid');
    // Its Secret is labelled with the day it was last used.
    const day = await eventually(async () => (await t.kubectl(['get', 'secret', 'old-style-token', '-n', 'default', '-o', "jsonpath={.metadata.labels['kubernetes\\.io/legacy-token-last-used']}"])).stdout, 10_000, 'the last-used label');
    assert.match(day, /^\d{4}-\d\d-\d\d$/);
    // Refused once its Secret is gone: a failed authentication, still annotated.
    assert.equal((await t.kubectl(['delete', 'secret', 'old-style-token', '-n', 'default'])).code, 0);
    const gone = await kubectl(config, ['get', '--raw', '/api/v1/namespaces/default/configmaps?labelSelector=legacy%3Dgone']);
    assert.notEqual(gone.code, 0);
    const fe = await eventually(() => events().find((e) => e.requestURI.includes('labelSelector=legacy%3Dgone')), 10_000, 'the refused legacy token event');
    assert.deepEqual(fe.user, {});
    assert.equal(fe.responseStatus?.code, 401);
    assert.equal(fe.annotations?.['authentication.k8s.io/legacy-token'], 'system:serviceaccount:default:old-style');
  });

  it('a workload cluster\'s requests land in the plane\'s log with the cluster named', async () => {
    const r = await kubectl(alphaAdmin, ['create', 'configmap', 'audited-in-alpha', '-n', 'default', '--from-literal=a=b']);
    assert.equal(r.code, 0, r.stderr);
    const ev = await eventually(() => events().find((e) => e.verb === 'create' && e.objectRef?.name === 'audited-in-alpha'), 10_000, 'the workload cluster event');
    assert.equal(ev.stage, 'ResponseComplete');
    assert.equal(ev.user.username, 'kubernetes-admin');
    assert.equal(ev.annotations?.['slipway.dev/cluster'], 'default/alpha');
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.equal(ev.responseStatus?.code, 201);
    // The plane's own requests carry no cluster.
    const p = await t.kubectl(['create', 'configmap', 'audited-in-plane', '-n', 'default']);
    assert.equal(p.code, 0, p.stderr);
    const pe = await eventually(() => events().find((e) => e.verb === 'create' && e.objectRef?.name === 'audited-in-plane'), 10_000, 'the plane event');
    assert.equal(pe.annotations?.['slipway.dev/cluster'], undefined);
    // A refused request inside the cluster, and a failed authentication there, are named too.
    const dev = await issueClientCert(alphaCA, { commonName: 'dev', organizations: ['devs'] });
    const devConfig = join(tmp, 'alpha-dev.kubeconfig');
    writeFileSync(devConfig, renderKubeconfig({ server: t.plane.url, caPem: alphaCA.certPem, clientCertPem: dev.certPem, clientKeyPem: dev.keyPem, tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
    const refused = await kubectl(devConfig, ['get', 'secrets', '-n', 'kube-system']);
    assert.notEqual(refused.code, 0);
    const fe = await eventually(() => events().find((e) => e.user.username === 'dev' && e.verb === 'list' && e.responseStatus?.code === 403), 10_000, 'the refused request');
    assert.equal(fe.annotations?.['slipway.dev/cluster'], 'default/alpha');
    const badToken = join(tmp, 'alpha-bad.kubeconfig');
    writeFileSync(badToken, renderKubeconfig({ server: t.plane.url, caPem: alphaCA.certPem, token: 'nope', tlsServerName: clusterServerName({ namespace: 'default', name: 'alpha' }) }));
    const unauth = await kubectl(badToken, ['get', '--raw', '/api/v1/namespaces/team-x/configmaps']);
    assert.notEqual(unauth.code, 0);
    const ue = await eventually(() => events().find((e) => e.objectRef?.namespace === 'team-x' && e.responseStatus?.code === 401), 10_000, 'the failed authentication in alpha');
    assert.equal(ue.annotations?.['slipway.dev/cluster'], 'default/alpha');
    assert.equal(ue.responseStatus?.message, 'Authentication failed, attempted: bearer');
  });
});
