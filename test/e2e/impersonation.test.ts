/**
 * Impersonation with the real kubectl (`--as`, `--as-group`, `--as-uid`), in the management plane and in a workload
 * cluster: the request runs as the impersonated user (RBAC, `auth can-i --list`, `auth whoami`), a requester without
 * `impersonate` rights gets kube-apiserver's 403, `resourceNames` limit whom one may act as, and the audit log keeps
 * the requester as `user` and the new identity as `impersonatedUser`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterServerName } from '../../src/apiserver/logical-clusters.js';
import { renderKubeconfig, writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { createCA, issueClientCert } from '../../src/apiserver/pki.js';
import { eventually, startPlane, type KubectlResult, type TestPlane } from '../support/plane.js';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-impersonation-'));
const tokenFile = join(tmp, 'tokens.csv');
const policyFile = join(tmp, 'policy.yaml');
const logPath = join(tmp, 'audit.log');
writeFileSync(tokenFile, ['jane-token,jane,uid-jane', 'nobody-token,nobody,uid-nobody', 'helpdesk-token,helpdesk,uid-helpdesk', 'root-token,root,uid-root,"system:masters"'].join('\n') + '\n');
writeFileSync(policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: None\n    resources: [{ group: coordination.k8s.io, resources: [leases] }]\n  - level: Metadata\n');

interface AuditEvent {
  verb: string;
  user: { username?: string; groups?: string[] };
  impersonatedUser?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  objectRef?: { resource?: string; namespace?: string };
  responseStatus?: { code: number };
}

function auditEvents(): AuditEvent[] {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
}

function kubectl(kubeconfig: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000, env: { ...process.env, HOME: dirname(kubeconfig) } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function ok(p: Promise<KubectlResult>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** A raw HTTPS request (headers repeated as given), for what kubectl has no flag for. */
function httpsJson(url: string, ca: string, method: string, headers: Record<string, string | string[]>, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

interface WhoAmI {
  status: { userInfo: { username: string; uid?: string; groups?: string[] } };
}

describe('impersonation (kubectl --as)', () => {
  let t: TestPlane;
  const kubeconfigs = new Map<string, string>();
  const admin = (args: string[]): Promise<KubectlResult> => t.kubectl(args);
  const as = (user: string, args: string[]): Promise<KubectlResult> => kubectl(kubeconfigs.get(user)!, args);

  before(async () => {
    t = await startPlane({ tokenFile, clusterApi: false, audit: { policyFile, logPath } });
    for (const user of ['jane', 'nobody', 'helpdesk']) {
      const path = join(tmp, `${user}.kubeconfig`);
      await writeKubeconfig(path, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: `${user}-token`, userName: user, clusterName: 'slipway' });
      kubeconfigs.set(user, path);
    }
    await ok(admin(['create', 'namespace', 'team']));
    await ok(admin(['create', 'namespace', 'other']));
    await ok(admin(['create', 'rolebinding', 'jane-edit', '--clusterrole=edit', '--user=jane', '-n', 'team']));
    await ok(admin(['create', 'rolebinding', 'viewers', '--clusterrole=view', '--group=viewers', '-n', 'other']));
    // helpdesk may act as jane, and only as jane.
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'impersonate-jane' }, rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['jane'] }] };
    await ok(t.kubectl(['create', '-f', '-'], { input: JSON.stringify(role) }));
    await ok(admin(['create', 'clusterrolebinding', 'helpdesk-as-jane', '--clusterrole=impersonate-jane', '--user=helpdesk']));
    await ok(admin(['create', 'configmap', 'seen', '-n', 'other']));
    await ok(admin(['create', 'serviceaccount', 'robot', '-n', 'team']));
    // kubectl reads discovery with the impersonation headers too; on a cold discovery cache a refused impersonation
    // prints only "Error from server (Forbidden): unknown" (kubectl's handling, the same against kube-apiserver).
    // The token users share one cache, filled here by a request without impersonation.
    await as('nobody', ['get', 'configmaps', '-n', 'team']);
  });

  after(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('an admin acting as jane gets what jane gets, 403 included', async () => {
    await eventually(async () => (await admin(['--as=jane', 'get', 'configmaps', '-n', 'team'])).code === 0, 10_000, 'jane allowed in team');
    await ok(admin(['--as=jane', 'create', 'configmap', 'by-jane', '-n', 'team']));
    const refused = await admin(['--as=jane', 'get', 'configmaps', '-n', 'other']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Error from server \(Forbidden\): configmaps is forbidden: User "jane" cannot list resource "configmaps" in API group "" in the namespace "other"/);
    const who = JSON.parse(await ok(admin(['--as=jane', 'auth', 'whoami', '-o', 'json']))) as WhoAmI;
    assert.deepEqual(who.status.userInfo, { username: 'jane', groups: ['system:authenticated'] });
  });

  it('kubectl auth can-i [--list] --as answers for the impersonated user', async () => {
    const list = await ok(admin(['auth', 'can-i', '--list', '--as=jane', '-n', 'team']));
    assert.match(list, /configmaps\s+\[\]\s+\[\]\s+\[.*create.*\]/);
    assert.doesNotMatch(list, /^\*\.\*\s/m, 'not the admin\'s rules');
    assert.equal((await admin(['auth', 'can-i', 'create', 'configmaps', '-n', 'team', '--as=jane'])).stdout.trim(), 'yes');
    assert.equal((await admin(['auth', 'can-i', 'create', 'configmaps', '-n', 'other', '--as=jane'])).stdout.trim(), 'no');
  });

  it('--as-group and --as-uid set the groups and uid; the groups decide', async () => {
    const who = JSON.parse(await ok(admin(['--as=someone', '--as-group=viewers', '--as-uid=u-1', 'auth', 'whoami', '-o', 'json']))) as WhoAmI;
    assert.deepEqual(who.status.userInfo, { username: 'someone', uid: 'u-1', groups: ['viewers', 'system:authenticated'] });
    await eventually(async () => (await admin(['--as=someone', '--as-group=viewers', 'get', 'configmap', 'seen', '-n', 'other'])).code === 0, 10_000, 'the viewers group reading');
    const without = await admin(['--as=someone', 'get', 'configmap', 'seen', '-n', 'other']);
    assert.match(without.stderr, /configmaps "seen" is forbidden: User "someone" cannot get resource "configmaps" in API group "" in the namespace "other"/);
  });

  it('a ServiceAccount user name impersonates the ServiceAccount with its groups', async () => {
    const who = JSON.parse(await ok(admin(['--as=system:serviceaccount:team:robot', 'auth', 'whoami', '-o', 'json']))) as WhoAmI;
    assert.deepEqual(who.status.userInfo, { username: 'system:serviceaccount:team:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] });
    const refused = await admin(['--as=system:serviceaccount:team:robot', 'get', 'configmaps', '-n', 'team']);
    assert.match(refused.stderr, /User "system:serviceaccount:team:robot" cannot list resource "configmaps" in API group "" in the namespace "team"/);
    // Only those who may impersonate serviceaccounts in that namespace may do it: edit grants it (as upstream's
    // edit role does), so jane may act as robot in team, and nobody may not.
    const byJane = JSON.parse(await ok(as('jane', ['--as=system:serviceaccount:team:robot', 'auth', 'whoami', '-o', 'json']))) as WhoAmI;
    assert.equal(byJane.status.userInfo.username, 'system:serviceaccount:team:robot');
    const byNobody = await as('nobody', ['--as=system:serviceaccount:team:robot', 'get', 'configmaps', '-n', 'team']);
    assert.match(byNobody.stderr, /serviceaccounts "robot" is forbidden: User "nobody" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"/);
  });

  it('refuses a requester without impersonate rights with kube-apiserver\'s 403', async () => {
    const r = await as('nobody', ['--as=jane', 'get', 'configmaps', '-n', 'team']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(Forbidden\): users "jane" is forbidden: User "nobody" cannot impersonate resource "users" in API group "" at the cluster scope/);
    const group = await as('nobody', ['--as=nobody', '--as-group=system:masters', 'get', 'configmaps', '-n', 'team']);
    assert.match(group.stderr, /users "nobody" is forbidden: User "nobody" cannot impersonate resource "users"/);
  });

  it('resourceNames limit whom one may act as', async () => {
    await eventually(async () => (await as('helpdesk', ['--as=jane', 'get', 'configmaps', '-n', 'team'])).code === 0, 10_000, 'helpdesk acting as jane');
    const other = await as('helpdesk', ['--as=nobody', 'get', 'configmaps', '-n', 'team']);
    assert.match(other.stderr, /users "nobody" is forbidden: User "helpdesk" cannot impersonate resource "users" in API group "" at the cluster scope/);
    // The binding allows users only, not groups.
    const group = await as('helpdesk', ['--as=jane', '--as-group=system:masters', 'get', 'configmaps', '-n', 'team']);
    assert.match(group.stderr, /groups "system:masters" is forbidden: User "helpdesk" cannot impersonate resource "groups" in API group "" at the cluster scope/);
    // Without impersonation helpdesk is nobody in team.
    const own = await as('helpdesk', ['get', 'configmaps', '-n', 'team']);
    assert.match(own.stderr, /User "helpdesk" cannot list resource "configmaps"/);
  });

  it('takes repeated Impersonate-Group headers, percent-encoded Impersonate-Extra-* keys and Impersonate-Uid over HTTP', async () => {
    const url = `${t.plane.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`;
    const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    const r = await httpsJson(url, t.plane.pki.ca.certPem, 'POST', {
      authorization: 'Bearer root-token',
      'Impersonate-User': 'jane',
      'Impersonate-Uid': 'u-9',
      'Impersonate-Group': ['a', 'b'],
      'Impersonate-Extra-Example.com%2FScopes': ['x', 'y'],
    }, review);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual((r.body as unknown as WhoAmI).status.userInfo, { username: 'jane', uid: 'u-9', groups: ['a', 'b', 'system:authenticated'], extra: { 'example.com/scopes': ['x', 'y'] } });
    const noUser = await httpsJson(url, t.plane.pki.ca.certPem, 'POST', { authorization: 'Bearer root-token', 'Impersonate-Group': 'a' }, review);
    assert.equal(noUser.status, 400);
    assert.equal(noUser.body.message, 'requested [{Group  a    }] without impersonating a user');
    const extraRefused = await httpsJson(url, t.plane.pki.ca.certPem, 'POST', { authorization: 'Bearer helpdesk-token', 'Impersonate-User': 'jane', 'Impersonate-Extra-Scopes': 'x' }, review);
    assert.equal(extraRefused.status, 403);
    assert.equal(extraRefused.body.message, 'userextras.authentication.k8s.io "x" is forbidden: User "helpdesk" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
  });

  it('audits the requester as user and the new identity as impersonatedUser', async () => {
    await ok(as('helpdesk', ['--as=jane', 'get', 'configmap', 'by-jane', '-n', 'team']));
    const ev = await eventually(() => auditEvents().find((e) => e.user.username === 'helpdesk' && e.impersonatedUser?.username === 'jane' && e.verb === 'get'), 10_000, 'the impersonated get');
    assert.deepEqual(ev.impersonatedUser, { username: 'jane', groups: ['system:authenticated'] });
    const withExtra = await eventually(() => auditEvents().find((e) => e.user.username === 'root' && e.impersonatedUser?.uid === 'u-9'), 10_000, 'the review with extras');
    assert.deepEqual(withExtra.impersonatedUser, { username: 'jane', uid: 'u-9', groups: ['a', 'b', 'system:authenticated'], extra: { 'example.com/scopes': ['x', 'y'] } });
    assert.equal(ev.responseStatus?.code, 200);
    assert.ok(ev.user.groups?.includes('system:authenticated'));
    // A refused impersonation is audited with its 403 and no impersonatedUser.
    const refused = await eventually(() => auditEvents().find((e) => e.user.username === 'nobody' && e.responseStatus?.code === 403), 10_000, 'the refused impersonation');
    assert.equal(refused.impersonatedUser, undefined);
  });
});

describe('impersonation in a workload cluster', () => {
  let t: TestPlane;
  let adminPath: string;
  let devPath: string;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-impersonation-wc-'));

  before(async () => {
    t = await startPlane();
    const ca = await createCA('kubernetes');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alpha-ca', namespace: 'default' }, type: 'cluster.x-k8s.io/secret', data: { 'tls.crt': b64(ca.certPem), 'tls.key': b64(ca.keyPem) } };
    const r = await t.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) });
    assert.equal(r.code, 0, r.stderr);
    await t.plane.workloadClusters.start({ namespace: 'default', name: 'alpha' });
    const tlsServerName = clusterServerName({ namespace: 'default', name: 'alpha' });
    const admin = await issueClientCert(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    adminPath = join(dir, 'alpha-admin.kubeconfig');
    writeFileSync(adminPath, renderKubeconfig({ server: t.plane.url, caPem: ca.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem, clusterName: 'alpha', userName: 'admin', tlsServerName }));
    const dev = await issueClientCert(ca, { commonName: 'dev', organizations: ['devs'] });
    devPath = join(dir, 'alpha-dev.kubeconfig');
    writeFileSync(devPath, renderKubeconfig({ server: t.plane.url, caPem: ca.certPem, clientCertPem: dev.certPem, clientKeyPem: dev.keyPem, clusterName: 'alpha', userName: 'dev', tlsServerName }));
  });

  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the cluster admin acts as dev; dev may not act as the admin', async () => {
    await kubectl(devPath, ['get', 'pods']); // fills the discovery cache the refused impersonation below reads
    const asDev = await kubectl(adminPath, ['--as=dev', 'get', 'pods', '-n', 'default']);
    assert.match(asDev.stderr, /pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "default"/);
    const who = JSON.parse(await ok(kubectl(adminPath, ['--as=dev', '--as-group=devs', 'auth', 'whoami', '-o', 'json']))) as WhoAmI;
    assert.deepEqual(who.status.userInfo, { username: 'dev', groups: ['devs', 'system:authenticated'] });
    const up = await kubectl(devPath, ['--as=kubernetes-admin', '--as-group=system:masters', 'get', 'pods']);
    assert.match(up.stderr, /users "kubernetes-admin" is forbidden: User "dev" cannot impersonate resource "users" in API group "" at the cluster scope/);
  });
});

describe('impersonation with --authorization-mode AlwaysAllow', () => {
  let t: TestPlane;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-impersonation-allow-'));
  const tokens = join(dir, 'tokens.csv');
  const path = join(dir, 'nobody.kubeconfig');

  before(async () => {
    writeFileSync(tokens, 'nobody-token,nobody,uid-nobody\n');
    t = await startPlane({ tokenFile: tokens, clusterApi: false, authorization: 'AlwaysAllow' });
    await writeKubeconfig(path, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: 'nobody-token', userName: 'nobody', clusterName: 'slipway' });
  });

  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets any authenticated user impersonate anyone', async () => {
    const who = JSON.parse(await ok(kubectl(path, ['--as=jane', '--as-group=ops', 'auth', 'whoami', '-o', 'json']))) as WhoAmI;
    assert.deepEqual(who.status.userInfo, { username: 'jane', groups: ['ops', 'system:authenticated'] });
  });
});
