/**
 * RBAC in the management plane with the real kubectl: an admin (system:masters certificate), an `edit` user by token,
 * a `view` group by client certificate, and a user with no bindings. Allowed and forbidden verbs with kube-apiserver's
 * messages, `kubectl auth can-i` (one verb and --list), `kubectl auth whoami`, escalation and bind refusals, and the
 * default roles and bindings.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { issueClientCert } from '../../src/apiserver/pki.js';
import { defaultClassClusterJson } from '../support/default-class-cluster.js';
import { eventually, startPlane, type KubectlResult, type TestPlane } from '../support/plane.js';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-rbac-'));
const tokenFile = join(tmp, 'tokens.csv');
writeFileSync(tokenFile, ['alice-token,alice,uid-alice,"team-a-devs"', 'bob-token,bob,uid-bob', 'dave-token,dave,uid-dave'].join('\n') + '\n');

describe('RBAC in the management plane (kubectl)', () => {
  let t: TestPlane;
  const kubeconfigs = new Map<string, string>();

  const run = (kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000, env: { ...process.env, HOME: tmp } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin!.end(input ?? '');
    });
  const as = (user: string, args: string[], input?: string): Promise<KubectlResult> => run(kubeconfigs.get(user)!, args, input);
  const admin = (args: string[], input?: string): Promise<KubectlResult> => t.kubectl(args, { input });
  const ok = async (p: Promise<KubectlResult>): Promise<string> => {
    const r = await p;
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    t = await startPlane({ tokenFile, clusterApi: false });
    for (const user of ['alice', 'bob', 'dave']) {
      const path = join(tmp, `${user}.kubeconfig`);
      await writeKubeconfig(path, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: `${user}-token`, userName: user, clusterName: 'slipway' });
      kubeconfigs.set(user, path);
    }
    const carol = await issueClientCert(t.plane.pki.ca, { commonName: 'carol', organizations: ['auditors'] });
    const carolPath = join(tmp, 'carol.kubeconfig');
    await writeKubeconfig(carolPath, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, clientCertPem: carol.certPem, clientKeyPem: carol.keyPem, userName: 'carol' });
    kubeconfigs.set('carol', carolPath);
    await ok(admin(['create', 'namespace', 'team-a']));
    await ok(admin(['create', 'namespace', 'team-b']));
    // alice's group may edit team-a; auditors may view everything; dave may manage roles and bindings in team-a only.
    await ok(admin(['create', 'rolebinding', 'devs-edit', '--clusterrole=edit', '--group=team-a-devs', '-n', 'team-a']));
    await ok(admin(['create', 'clusterrolebinding', 'auditors-view', '--clusterrole=view', '--group=auditors']));
    await ok(admin(['create', 'role', 'rbac-manager', '--verb=get,list,create,update,delete', '--resource=roles,rolebindings', '-n', 'team-a']));
    await ok(admin(['create', 'rolebinding', 'dave-rbac', '--role=rbac-manager', '--user=dave', '-n', 'team-a']));
  });

  after(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the default roles and bindings, with aggregation into admin, edit and view', async () => {
    const roles = await ok(admin(['get', 'clusterroles', '-o', 'name']));
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer']) {
      assert.ok(roles.includes(`clusterrole.rbac.authorization.k8s.io/${name}\n`), `${name} missing from ${roles}`);
    }
    const binding = JSON.parse(await ok(admin(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json']))) as { subjects: { kind: string; name: string }[]; roleRef: { name: string } };
    assert.deepEqual(binding.subjects.map((s) => `${s.kind}/${s.name}`), ['Group/system:masters']);
    const edit = await eventually(async () => {
      const role = JSON.parse(await ok(admin(['get', 'clusterrole', 'edit', '-o', 'json']))) as { rules?: { resources?: string[]; verbs: string[] }[] };
      return role.rules?.some((r) => r.resources?.includes('configmaps') && r.verbs.includes('create')) ? role : undefined;
    }, 10_000, 'the edit ClusterRole aggregated');
    assert.ok(edit.rules!.length > 0);
  });

  it('refuses what no binding allows, with kube-apiserver\'s message', async () => {
    const r = await as('bob', ['get', 'configmaps', '-n', 'team-a']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(Forbidden\): configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "team-a"/);
    const named = await as('bob', ['get', 'namespace', 'team-a']);
    assert.match(named.stderr, /namespaces "team-a" is forbidden: User "bob" cannot get resource "namespaces" in API group "" in the namespace "team-a"/);
    const nodes = await as('bob', ['get', 'clusterroles']);
    assert.match(nodes.stderr, /clusterroles\.rbac\.authorization\.k8s\.io is forbidden: User "bob" cannot list resource "clusterroles" in API group "rbac\.authorization\.k8s\.io" at the cluster scope/);
    const crd = await as('bob', ['create', 'configmap', 'x', '-n', 'team-a']);
    assert.match(crd.stderr, /configmaps is forbidden: User "bob" cannot create resource "configmaps" in API group "" in the namespace "team-a"/);
    // Discovery is open to every authenticated user (system:discovery), so kubectl can resolve names at all.
    assert.equal((await as('bob', ['api-resources', '--api-group=cluster.x-k8s.io', '-o', 'name'])).code, 0);
  });

  it('lets an edit user work in their namespace only', async () => {
    await ok(as('alice', ['create', 'configmap', 'app', '--from-literal=k=v', '-n', 'team-a']));
    await ok(as('alice', ['get', 'configmaps', '-n', 'team-a']));
    await ok(as('alice', ['delete', 'configmap', 'app', '-n', 'team-a']));
    const other = await as('alice', ['create', 'configmap', 'app', '-n', 'team-b']);
    assert.match(other.stderr, /configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team-b"/);
    // edit holds no RBAC write permission.
    const rb = await as('alice', ['create', 'rolebinding', 'x', '--clusterrole=view', '--user=bob', '-n', 'team-a']);
    assert.match(rb.stderr, /rolebindings\.rbac\.authorization\.k8s\.io is forbidden: User "alice" cannot create resource "rolebindings" in API group "rbac\.authorization\.k8s\.io" in the namespace "team-a"/);
  });

  it('lets a view group read but not write, by client certificate', async () => {
    await ok(admin(['create', 'configmap', 'seen', '-n', 'team-b']));
    await ok(as('carol', ['get', 'configmap', 'seen', '-n', 'team-b']));
    const w = await as('carol', ['delete', 'configmap', 'seen', '-n', 'team-b']);
    assert.match(w.stderr, /configmaps "seen" is forbidden: User "carol" cannot delete resource "configmaps" in API group "" in the namespace "team-b"/);
    // view does not read Secrets.
    const s = await as('carol', ['get', 'secrets', '-n', 'team-b']);
    assert.match(s.stderr, /secrets is forbidden: User "carol" cannot list resource "secrets"/);
  });

  it('answers kubectl auth can-i, can-i --list and whoami', async () => {
    assert.equal((await as('alice', ['auth', 'can-i', 'create', 'configmaps', '-n', 'team-a'])).stdout.trim(), 'yes');
    const no = await as('alice', ['auth', 'can-i', 'create', 'configmaps', '-n', 'team-b']);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal(no.code, 1);
    assert.equal((await as('bob', ['auth', 'can-i', 'get', 'configmaps'])).stdout.trim(), 'no');
    assert.equal((await admin(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes');
    const list = await ok(as('alice', ['auth', 'can-i', '--list', '-n', 'team-a']));
    assert.match(list, /configmaps\s+\[\]\s+\[\]\s+\[.*create.*\]/);
    assert.match(list, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    const whoami = JSON.parse(await ok(as('alice', ['auth', 'whoami', '-o', 'json']))) as { status: { userInfo: { username: string; uid: string; groups: string[] } } };
    assert.equal(whoami.status.userInfo.username, 'alice');
    assert.equal(whoami.status.userInfo.uid, 'uid-alice');
    assert.deepEqual(whoami.status.userInfo.groups, ['team-a-devs', 'system:authenticated']);
    const carol = await ok(as('carol', ['auth', 'whoami']));
    assert.match(carol, /carol/);
    assert.match(carol, /auditors/);
  });

  it('answers SubjectAccessReview for an admin and refuses it to others', async () => {
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', groups: ['team-a-devs'], resourceAttributes: { namespace: 'team-a', verb: 'delete', resource: 'configmaps' } } };
    const out = JSON.parse(await ok(admin(['create', '-f', '-', '-o', 'json'], JSON.stringify(sar)))) as { status: { allowed: boolean } };
    assert.equal(out.status.allowed, true);
    const denied = JSON.parse(await ok(admin(['create', '-f', '-', '-o', 'json'], JSON.stringify({ ...sar, spec: { ...sar.spec, resourceAttributes: { ...sar.spec.resourceAttributes, namespace: 'team-b' } } })))) as { status: { allowed: boolean } };
    assert.equal(denied.status.allowed, false);
    // kubectl validates a kind without a PATCH path in /openapi/v3 by first listing CRDs, which bob may not (as against kube-apiserver).
    const bob = await as('bob', ['create', '--validate=false', '-f', '-'], JSON.stringify(sar));
    assert.match(bob.stderr, /subjectaccessreviews\.authorization\.k8s\.io is forbidden: User "bob" cannot create resource "subjectaccessreviews" in API group "authorization\.k8s\.io" at the cluster scope/);
    const bad = await admin(['create', '--validate=false', '-f', '-'], JSON.stringify({ ...sar, spec: { user: 'alice' } }));
    assert.match(bad.stderr, /spec\.resourceAttributes: Invalid value.*exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  });

  it('refuses role and binding writes that would grant more than the writer holds', async () => {
    // dave may write Roles and RoleBindings in team-a, but holds no other permission.
    const escalate = await as('dave', ['create', 'role', 'read-secrets', '--verb=get', '--resource=secrets', '-n', 'team-a']);
    assert.notEqual(escalate.code, 0);
    assert.match(escalate.stderr, /is attempting to grant RBAC permissions not currently held/);
    const bind = await as('dave', ['create', 'rolebinding', 'dave-admin', '--clusterrole=cluster-admin', '--user=dave', '-n', 'team-a']);
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /forbidden/);
    // Granting what dave holds is fine: a copy of his own role, bound to bob.
    await ok(as('dave', ['create', 'role', 'rbac-reader', '--verb=get,list', '--resource=roles,rolebindings', '-n', 'team-a']));
    await ok(as('dave', ['create', 'rolebinding', 'bob-reader', '--role=rbac-reader', '--user=bob', '-n', 'team-a']));
    await eventually(async () => (await as('bob', ['get', 'roles', '-n', 'team-a'])).code === 0, 10_000, 'bob reading roles');
  });

  it('issues ServiceAccount tokens (kubectl create token) that RBAC binds, TokenReview reads and deletion revokes', async () => {
    await ok(admin(['create', 'serviceaccount', 'robot', '-n', 'team-a']));
    const token = (await ok(admin(['create', 'token', 'robot', '-n', 'team-a', '--duration=20m']))).trim();
    assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const path = join(tmp, 'robot.kubeconfig');
    await writeKubeconfig(path, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, token, userName: 'robot' });
    kubeconfigs.set('robot', path);
    const who = JSON.parse(await ok(as('robot', ['auth', 'whoami', '-o', 'json']))) as { status: { userInfo: { username: string; groups: string[]; uid: string } } };
    assert.equal(who.status.userInfo.username, 'system:serviceaccount:team-a:robot');
    assert.deepEqual(who.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
    const refused = await as('robot', ['get', 'configmaps', '-n', 'team-a']);
    assert.match(refused.stderr, /User "system:serviceaccount:team-a:robot" cannot list resource "configmaps"/);
    await ok(admin(['create', 'rolebinding', 'robot-edit', '--clusterrole=edit', '--serviceaccount=team-a:robot', '-n', 'team-a']));
    await eventually(async () => (await as('robot', ['create', 'configmap', 'by-robot', '-n', 'team-a'])).code === 0, 10_000, 'robot allowed');
    // TokenReview, as an admin (webhook authenticators use it).
    const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
    const out = JSON.parse(await ok(admin(['create', '-f', '-', '-o', 'json'], JSON.stringify(review)))) as { status: { authenticated: boolean; user: { username: string } } };
    assert.equal(out.status.authenticated, true);
    assert.equal(out.status.user.username, 'system:serviceaccount:team-a:robot');
    const forged = JSON.parse(await ok(admin(['create', '-f', '-', '-o', 'json'], JSON.stringify({ ...review, spec: { token: token.slice(0, -4) + 'AAAA' } })))) as { status: { authenticated?: boolean } };
    assert.notEqual(forged.status.authenticated, true);
    // Refusals of a bad TokenRequest name the field.
    const short = await admin(['create', 'token', 'robot', '-n', 'team-a', '--duration=5m']);
    assert.match(short.stderr, /spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    const missing = await admin(['create', 'token', 'nobody', '-n', 'team-a']);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    // Deleting the ServiceAccount invalidates its tokens.
    await ok(admin(['delete', 'serviceaccount', 'robot', '-n', 'team-a']));
    const after = await as('robot', ['get', 'configmaps', '-n', 'team-a']);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized|must be logged in/);
  });

  it('lets a user use a ClusterClass of another namespace only where RBAC lets them read it', async () => {
    // The shipped class in `default` is shared with every authenticated user.
    const shared = JSON.parse(defaultClassClusterJson({ name: 'from-shared-class', namespace: 'team-a' })) as { spec: { topology: Record<string, unknown> } };
    shared.spec.topology.classNamespace = 'default';
    await ok(as('alice', ['create', '-f', '-'], JSON.stringify(shared)));
    // A class the platform team keeps in team-b is not alice's to use.
    const cls = JSON.parse(await ok(admin(['get', 'clusterclass', 'slipway-default', '-n', 'default', '-o', 'json']))) as { metadata: Record<string, unknown>; status?: unknown };
    cls.metadata = { name: 'private', namespace: 'team-b' };
    delete cls.status;
    // Its template references point into its own namespace (the templates need not exist for this test).
    const localRefs = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(localRefs);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.namespace === 'default') delete o.namespace;
        Object.values(o).forEach(localRefs);
      }
    };
    localRefs(cls);
    await ok(admin(['create', '-f', '-'], JSON.stringify(cls)));
    const privateCluster = JSON.parse(defaultClassClusterJson({ name: 'from-private-class', namespace: 'team-a' })) as { spec: { topology: Record<string, unknown> } };
    privateCluster.spec.topology.class = 'private';
    privateCluster.spec.topology.classNamespace = 'team-b';
    const refused = await as('alice', ['create', '-f', '-'], JSON.stringify(privateCluster));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /clusters\.cluster\.x-k8s\.io "from-private-class" is forbidden: User "alice" cannot use ClusterClass "team-b\/private"/);
    // Sharing it is an RBAC grant.
    await ok(admin(['create', 'rolebinding', 'share-private', '--clusterrole=slipway:clusterclass-reader', '--group=team-a-devs', '-n', 'team-b']));
    await eventually(async () => (await as('alice', ['create', '-f', '-'], JSON.stringify(privateCluster))).code === 0, 10_000, 'alice using the shared class');
  });

  it('takes a revoked binding away at once', async () => {
    await ok(admin(['create', 'rolebinding', 'bob-cm', '--clusterrole=view', '--user=bob', '-n', 'team-b']));
    await eventually(async () => (await as('bob', ['get', 'configmaps', '-n', 'team-b'])).code === 0, 10_000, 'bob allowed');
    await ok(admin(['delete', 'rolebinding', 'bob-cm', '-n', 'team-b']));
    await eventually(async () => (await as('bob', ['get', 'configmaps', '-n', 'team-b'])).code !== 0, 10_000, 'bob refused again');
  });
});
