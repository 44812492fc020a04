/**
 * Debian's `docker-registry` (distribution 2.8) as a test peer on 127.0.0.1: a config file with
 * filesystem storage, optional TLS, htpasswd or token auth, and its access log captured so tests
 * can count requests. Also a test CA and a bcrypt htpasswd file (Debian's `htpasswd`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSign, createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCA, issueServingCert, type CertKeyPair } from '../../../src/apiserver/pki.js';
import { freePort } from '../net.js';

export const DOCKER_REGISTRY_BIN = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';


export interface TestPki {
  ca: CertKeyPair;
  server: CertKeyPair;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** A directory with only `ca.crt`, as skopeo's --cert-dir wants. */
  certDir: string;
}

export async function makeTestPki(dir: string, name = 'test-registry-ca'): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const ca = await createCA(name);
  const server = await issueServingCert(ca, { commonName: '127.0.0.1', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(certFile, server.certPem);
  writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
  const certDir = join(dir, 'skopeo-certs');
  mkdirSync(certDir, { recursive: true });
  writeFileSync(join(certDir, 'ca.crt'), ca.certPem);
  return { ca, server, caFile, certFile, keyFile, certDir };
}

/** A bcrypt htpasswd file made by Debian's `htpasswd -Bbn` (lowest cost: the registry checks it on every request). */
export function makeHtpasswd(file: string, user: string, password: string): void {
  writeFileSync(file, execFileSync('htpasswd', ['-Bbn', '-C', '4', user, password], { encoding: 'utf8' }));
}

export interface DockerRegistryOptions {
  dir: string;
  tls?: TestPki;
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
}

export interface DockerRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  process: ChildProcess;
  /** Parsed access-log lines so far. */
  accessLog(): AccessLogEntry[];
  output(): string;
  stop(): Promise<void>;
}

export async function startDockerRegistry(opts: DockerRegistryOptions): Promise<DockerRegistry> {
  mkdirSync(join(opts.dir, 'storage'), { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(opts.dir, 'storage'))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${host}`,
    `  secret: ${randomUUID()}`,
  ];
  if (opts.tls) lines.push('  tls:', `    certificate: ${JSON.stringify(opts.tls.certFile)}`, `    key: ${JSON.stringify(opts.tls.keyFile)}`);
  if (opts.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: slipway-test', `    path: ${JSON.stringify(opts.htpasswd)}`);
  if (opts.token) lines.push('auth:', '  token:', `    realm: ${JSON.stringify(opts.token.realm)}`, `    service: ${JSON.stringify(opts.token.service)}`, `    issuer: ${JSON.stringify(opts.token.issuer)}`, `    rootcertbundle: ${JSON.stringify(opts.token.rootCertBundle)}`);
  const configFile = join(opts.dir, 'config.yml');
  writeFileSync(configFile, lines.join('\n') + '\n');
  const child = spawn(DOCKER_REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `${opts.tls ? 'https' : 'http'}://${host}`;
  const deadline = Date.now() + 15_000;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${out}`);
    const ok = await new Promise<boolean>((resolve) => {
      const mod = opts.tls ? https : http;
      const req = mod.get(`${url}/v2/`, { ...(opts.tls ? { ca: opts.tls.ca.certPem } : {}), agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200 || res.statusCode === 401);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline || i > 300) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    url,
    process: child,
    output: () => out,
    accessLog: () =>
      [...out.matchAll(/"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})/g)].map((m) => ({ method: m[1]!, path: m[2]!, status: Number(m[3]) })),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/**
 * A minimal Docker token service for distribution's `auth.token`: checks Basic credentials and
 * issues ES256 JWTs (x5c = the signing CA certificate, which is the registry's rootcertbundle)
 * granting the requested scopes.
 */
export async function startTokenServer(opts: { signer: CertKeyPair; issuer: string; service: string; users: Record<string, string> }): Promise<{ realm: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
  const der = Buffer.from(opts.signer.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.search);
    const auth = req.headers.authorization;
    let user = '';
    if (auth?.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (opts.users[u!] !== p) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      user = u!;
    }
    const access = url.searchParams.getAll('scope').flatMap((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop()!.split(',');
      return [{ type, name: rest.join(':'), actions: user ? actions : actions.filter((a) => a === 'pull') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const headerJ = { typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] };
    const claims = { iss: opts.issuer, sub: user, aud: opts.service, exp: now + 300, nbf: now - 10, iat: now, jti: createHash('sha256').update(randomUUID()).digest('hex').slice(0, 16), access };
    const signingInput = `${b64url(JSON.stringify(headerJ))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('SHA256').update(signingInput).sign({ key: opts.signer.keyPem, dsaEncoding: 'ieee-p1363' });
    const token = `${signingInput}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
