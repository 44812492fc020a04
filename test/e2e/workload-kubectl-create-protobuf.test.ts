/**
 * kubectl's typed commands (create deployment/service/job/cronjob/secret/pdb/..., autoscale) send their bodies as
 * application/vnd.kubernetes.protobuf. Against a workload cluster's API (served over plain HTTP on loopback from the
 * test env's store) they succeed, and `-o yaml` shows what was asked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { parse } from 'yaml';
import { ApiHandler } from '../../src/apiserver/handler.js';
import { startWorkloadEnv, type WorkloadEnv } from '../support/workload-env.js';

// YAML of arbitrary kinds, read by path in the assertions.
type Obj = Record<string, any>;

describe('kubectl create (protobuf bodies) against a workload cluster', () => {
  let env: WorkloadEnv;
  let server: Server;
  let kubeconfig: string;
  let dir: string;
  /** Content-Type of every POST the API received. */
  const posted: Array<{ url: string; contentType: string }> = [];

  const k = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000, env: { ...process.env, HOME: dir } }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  const ok = async (args: string[]): Promise<string> => {
    const r = await k(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  /** Runs a create command, checks it went as protobuf, and returns `kubectl get -o yaml` of the object. */
  const create = async (args: string[], resource: string, name: string): Promise<Obj> => {
    const before = posted.length;
    assert.match(await ok(args), new RegExp(`${name} (created|autoscaled)`));
    const posts = posted.slice(before);
    assert.equal(posts.length, 1, `one POST for kubectl ${args.join(' ')}`);
    assert.equal(posts[0]!.contentType, 'application/vnd.kubernetes.protobuf');
    return parse(await ok(['get', resource, name, '-o', 'yaml'])) as Obj;
  };

  before(async () => {
    env = await startWorkloadEnv([]);
    const handler = new ApiHandler({ objects: env.objects, registry: env.objects.registry, tokens: new Map(), logger: pino({ level: 'silent' }), requireAuth: false });
    server = createServer((req, res) => {
      if (req.method === 'POST') posted.push({ url: req.url ?? '', contentType: req.headers['content-type'] ?? '' });
      handler.listener(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    dir = mkdtempSync(join(tmpdir(), 'slipway-pbcreate-'));
    kubeconfig = join(dir, 'kubeconfig');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: wl\n  cluster: {server: "${url}"}\nusers:\n- name: admin\n  user: {}\ncontexts:\n- name: wl\n  context: {cluster: wl, user: admin, namespace: default}\ncurrent-context: wl\n`);
  });

  after(async () => {
    await new Promise((r) => server?.close(r));
    await env?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create deployment web --image=nginx --replicas=2', async () => {
    const d = await create(['create', 'deployment', 'web', '--image=nginx', '--replicas=2'], 'deployment', 'web');
    assert.equal(d.apiVersion, 'apps/v1');
    assert.equal(d.kind, 'Deployment');
    assert.deepEqual(d.metadata.labels, { app: 'web' });
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(d.spec.template.metadata.labels, { app: 'web' });
    assert.equal(d.spec.template.spec.containers.length, 1);
    assert.equal(d.spec.template.spec.containers[0].name, 'nginx');
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx');
    // kube-apiserver's defaults ran on the decoded object
    assert.equal(d.spec.strategy.type, 'RollingUpdate');
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  });

  it('create service clusterip web --tcp=80:8080', async () => {
    const s = await create(['create', 'service', 'clusterip', 'web', '--tcp=80:8080'], 'service', 'web');
    assert.equal(s.spec.type, 'ClusterIP');
    assert.deepEqual(s.spec.selector, { app: 'web' });
    assert.equal(s.spec.ports.length, 1);
    assert.equal(s.spec.ports[0].name, '80-8080');
    assert.equal(s.spec.ports[0].port, 80);
    assert.equal(s.spec.ports[0].targetPort, 8080);
    assert.equal(s.spec.ports[0].protocol, 'TCP');
  });

  it('create job once --image=busybox', async () => {
    const j = await create(['create', 'job', 'once', '--image=busybox'], 'job', 'once');
    assert.equal(j.apiVersion, 'batch/v1');
    const c = j.spec.template.spec.containers;
    assert.deepEqual(
      c.map((x: Obj) => [x.name, x.image]),
      [['once', 'busybox']],
    );
    assert.equal(j.spec.template.spec.restartPolicy, 'Never');
  });

  it('create cronjob tick --image=busybox --schedule="*/5 * * * *"', async () => {
    const cj = await create(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *'], 'cronjob', 'tick');
    assert.equal(cj.spec.schedule, '*/5 * * * *');
    const pod = cj.spec.jobTemplate.spec.template.spec;
    assert.equal(pod.containers[0].name, 'tick');
    assert.equal(pod.containers[0].image, 'busybox');
    assert.equal(pod.restartPolicy, 'OnFailure');
    assert.equal(cj.metadata.name, 'tick');
  });

  it('create secret generic s --from-literal=a=b', async () => {
    const s = await create(['create', 'secret', 'generic', 's', '--from-literal=a=b'], 'secret', 's');
    assert.deepEqual(s.data, { a: Buffer.from('b').toString('base64') });
    assert.equal(s.type, 'Opaque');
  });

  it('create pdb p --selector=app=web --min-available=1', async () => {
    const p = await create(['create', 'pdb', 'p', '--selector=app=web', '--min-available=1'], 'pdb', 'p');
    assert.equal(p.apiVersion, 'policy/v1');
    assert.equal(p.spec.minAvailable, 1);
    assert.deepEqual(p.spec.selector, { matchLabels: { app: 'web' } });
  });

  it('create configmap, ingress, priorityclass, role, rolebinding, clusterrole', async () => {
    const cm = await create(['create', 'configmap', 'settings', '--from-literal=mode=prod'], 'configmap', 'settings');
    assert.deepEqual(cm.data, { mode: 'prod' });
    const ing = await create(['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.example/bar*=web:80'], 'ingress', 'ing');
    assert.equal(ing.spec.ingressClassName, 'nginx');
    assert.deepEqual(ing.spec.rules, [{ host: 'foo.example', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }]);
    const pc = await create(['create', 'priorityclass', 'high', '--value=1000', '--description=important'], 'priorityclass', 'high');
    assert.equal(pc.value, 1000);
    assert.equal(pc.description, 'important');
    const role = await create(['create', 'role', 'reader', '--verb=get,list', '--resource=pods'], 'role', 'reader');
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    const rb = await create(['create', 'rolebinding', 'reader', '--role=reader', '--user=alice'], 'rolebinding', 'reader');
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual(rb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
    const cr = await create(['create', 'clusterrole', 'health', '--verb=get', '--non-resource-url=/healthz'], 'clusterrole', 'health');
    assert.deepEqual(cr.rules, [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]);
  });
});
