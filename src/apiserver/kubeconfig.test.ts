import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { authenticate, clientCertServerOptions, parseTokenCsv, type TokenMap } from './authn.js';
import { createCA, ensureServerPki, type ServerPki } from './pki.js';
import { readKubeconfig, renderKubeconfig, writeKubeconfig } from './kubeconfig.js';

const execFileAsync = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

let dir = '';
let pki: ServerPki;
let tokens: TokenMap;
let server: https.Server;
let serverUrl = '';

before(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'slipway-kubeconfig-'));
  pki = await ensureServerPki(join(dir, 'data'), { hostname: 'localhost' });
  tokens = parseTokenCsv('kubectl-token,tokenuser,7\n');
  // A tiny API server: /version for authenticated callers only.
  server = https.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ...clientCertServerOptions(pki.ca.certPem) }, (req, res) => {
    const user = authenticate(req, tokens);
    res.setHeader('content-type', 'application/json');
    if (!user) {
      res.statusCode = 401;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
      return;
    }
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    if (path === '/version' || path === '/version/') {
      res.end(JSON.stringify(VERSION));
      return;
    }
    if (path === '/whoami') {
      res.end(JSON.stringify(user));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not found', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await fsp.rm(dir, { recursive: true, force: true });
});

async function kubectl(kubeconfig: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const run = execFileAsync(KUBECTL, ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], {
    timeout: 60_000,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
  });
  // On a 401 without credentials kubectl prompts for a user name; give it EOF instead of a hang.
  run.child.stdin?.end();
  return run;
}

test('renderKubeconfig produces a standard kubeconfig with embedded data', () => {
  const text = renderKubeconfig({ server: 'https://127.0.0.1:6443', caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
  const doc = YAML.parse(text) as Record<string, unknown>;
  assert.equal(doc['apiVersion'], 'v1');
  assert.equal(doc['kind'], 'Config');
  assert.equal(doc['current-context'], 'slipway-admin@slipway');
  assert.deepEqual(doc['contexts'], [{ name: 'slipway-admin@slipway', context: { cluster: 'slipway', user: 'slipway-admin' } }]);
  const clusters = doc['clusters'] as Array<{ name: string; cluster: Record<string, string> }>;
  assert.equal(clusters[0]!.name, 'slipway');
  assert.equal(clusters[0]!.cluster['server'], 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), pki.ca.certPem);
  const users = doc['users'] as Array<{ name: string; user: Record<string, string> }>;
  assert.equal(Buffer.from(users[0]!.user['client-certificate-data']!, 'base64').toString(), pki.admin.certPem);
  assert.equal(Buffer.from(users[0]!.user['client-key-data']!, 'base64').toString(), pki.admin.keyPem);
  assert.throws(() => renderKubeconfig({ server: 's', caPem: 'c', clientCertPem: 'x' }), /together/);
});

test('writeKubeconfig writes mode 0600 and readKubeconfig round-trips', async () => {
  const path = join(dir, 'nested', 'admin.kubeconfig');
  await writeKubeconfig(path, {
    server: serverUrl,
    caPem: pki.ca.certPem,
    clientCertPem: pki.admin.certPem,
    clientKeyPem: pki.admin.keyPem,
    token: 'tok',
    clusterName: 'c1',
    userName: 'u1',
    contextName: 'ctx1',
    namespace: 'ns1',
    tlsServerName: 'localhost',
  });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const creds = await readKubeconfig(path);
  assert.deepEqual(creds, {
    contextName: 'ctx1',
    clusterName: 'c1',
    userName: 'u1',
    server: serverUrl,
    namespace: 'ns1',
    insecureSkipTlsVerify: false,
    caPem: pki.ca.certPem,
    tlsServerName: 'localhost',
    clientCertPem: pki.admin.certPem,
    clientKeyPem: pki.admin.keyPem,
    token: 'tok',
  });
  // Overwriting keeps 0600 even if someone loosened it.
  await fsp.chmod(path, 0o644);
  await writeKubeconfig(path, { server: serverUrl, caPem: pki.ca.certPem, token: 't2' });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal((await readKubeconfig(path)).token, 't2');
});

test('readKubeconfig resolves file references relative to the kubeconfig and honours --context', async () => {
  const sub = join(dir, 'files');
  await fsp.mkdir(join(sub, 'certs'), { recursive: true });
  await fsp.writeFile(join(sub, 'certs', 'ca.crt'), pki.ca.certPem);
  await fsp.writeFile(join(sub, 'certs', 'admin.crt'), pki.admin.certPem);
  await fsp.writeFile(join(sub, 'certs', 'admin.key'), pki.admin.keyPem);
  await fsp.writeFile(join(sub, 'token'), 'from-file\n');
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'files',
    clusters: [
      { name: 'a', cluster: { server: 'https://a.example:6443', 'certificate-authority': 'certs/ca.crt', 'tls-server-name': 'kubernetes' } },
      { name: 'b', cluster: { server: 'https://b.example', 'insecure-skip-tls-verify': true } },
    ],
    users: [
      { name: 'files', user: { 'client-certificate': 'certs/admin.crt', 'client-key': join(sub, 'certs', 'admin.key') } },
      { name: 'tf', user: { tokenFile: 'token' } },
    ],
    contexts: [
      { name: 'files', context: { cluster: 'a', user: 'files' } },
      { name: 'insecure', context: { cluster: 'b', user: 'tf', namespace: 'kube-system' } },
      { name: 'broken', context: { cluster: 'nope', user: 'files' } },
    ],
  };
  const path = join(sub, 'config');
  await fsp.writeFile(path, YAML.stringify(cfg));
  const a = await readKubeconfig(path);
  assert.equal(a.server, 'https://a.example:6443');
  assert.equal(a.caPem, pki.ca.certPem);
  assert.equal(a.clientCertPem, pki.admin.certPem);
  assert.equal(a.clientKeyPem, pki.admin.keyPem);
  assert.equal(a.tlsServerName, 'kubernetes');
  assert.equal(a.insecureSkipTlsVerify, false);
  assert.equal(a.token, undefined);
  const b = await readKubeconfig(path, { context: 'insecure' });
  assert.equal(b.insecureSkipTlsVerify, true);
  assert.equal(b.token, 'from-file');
  assert.equal(b.namespace, 'kube-system');
  assert.equal(b.caPem, undefined);
  await assert.rejects(readKubeconfig(path, { context: 'broken' }), /no cluster named "nope"/);
  await assert.rejects(readKubeconfig(path, { context: 'missing' }), /no context named "missing"/);
  await fsp.writeFile(path, YAML.stringify({ ...cfg, 'current-context': '' }));
  await assert.rejects(readKubeconfig(path), /current-context is not set/);
  await assert.rejects(readKubeconfig(join(sub, 'absent')), /cannot read kubeconfig/);
});

test('kubectl get --raw /version works with a client-certificate kubeconfig', { skip: !existsSync(KUBECTL) && 'kubectl not installed' }, async () => {
  const path = join(dir, 'admin-cert.kubeconfig');
  await writeKubeconfig(path, { server: serverUrl, caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
  const { stdout } = await kubectl(path, 'get', '--raw', '/version');
  assert.deepEqual(JSON.parse(stdout), VERSION);
  const who = await kubectl(path, 'get', '--raw', '/whoami');
  assert.deepEqual(JSON.parse(who.stdout), { name: 'slipway-admin', groups: ['system:masters', 'system:authenticated'] });
});

test('kubectl works with a token kubeconfig and with localhost + tls-server-name', { skip: !existsSync(KUBECTL) && 'kubectl not installed' }, async () => {
  const port = (server.address() as AddressInfo).port;
  const path = join(dir, 'token.kubeconfig');
  await writeKubeconfig(path, { server: `https://localhost:${port}`, caPem: pki.ca.certPem, token: 'kubectl-token', userName: 'tokenuser' });
  const { stdout } = await kubectl(path, 'get', '--raw', '/whoami');
  assert.deepEqual(JSON.parse(stdout), { name: 'tokenuser', uid: '7', groups: ['system:authenticated'] });
  const sni = join(dir, 'sni.kubeconfig');
  await writeKubeconfig(sni, { server: serverUrl, caPem: pki.ca.certPem, token: 'kubectl-token', tlsServerName: 'kubernetes.default' });
  assert.deepEqual(JSON.parse((await kubectl(sni, 'get', '--raw', '/version')).stdout), VERSION);
});

test('kubectl is refused without credentials and distrusts another CA', { skip: !existsSync(KUBECTL) && 'kubectl not installed' }, async () => {
  const anon = join(dir, 'anon.kubeconfig');
  await writeKubeconfig(anon, { server: serverUrl, caPem: pki.ca.certPem });
  await assert.rejects(kubectl(anon, 'get', '--raw', '/version'), (err: Error & { stdout?: string; stderr?: string }) =>
    /Unauthorized|Username/i.test(`${err.stdout ?? ''}${err.stderr ?? ''}`),
  );
  const other = await createCA('other');
  const wrongCa = join(dir, 'wrong-ca.kubeconfig');
  await writeKubeconfig(wrongCa, { server: serverUrl, caPem: other.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
  await assert.rejects(kubectl(wrongCa, 'get', '--raw', '/version'), (err: Error & { stderr?: string }) => /certificate/i.test(err.stderr ?? ''));
});
