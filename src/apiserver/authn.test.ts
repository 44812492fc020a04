import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from '../apimachinery/errors.js';
import {
  GROUP_AUTHENTICATED,
  authenticate,
  authenticateRequest,
  bearerToken,
  clientCertServerOptions,
  isAnonymousAllowedPath,
  loadTokenFile,
  parseTokenCsv,
  type TokenMap,
  type UserInfo,
} from './authn.js';
import { createCA, ensureServerPki, issueClientCert, type CertKeyPair, type ServerPki } from './pki.js';

// ---------------------------------------------------------------------------------------------
// token file

test('parseTokenCsv reads kube-apiserver static token files', () => {
  const tokens = parseTokenCsv(
    [
      '# comment line',
      'tok1,alice,uid-1,"dev,ops"',
      '',
      'tok2,bob,uid-2',
      '  tok3 , carol , , " g1 , g2 ,"',
      'tok4,dave,uid-4,single',
      '   ',
      'tok5,"erin, the admin",5,"system:masters"',
    ].join('\r\n'),
  );
  assert.equal(tokens.size, 5);
  assert.deepEqual(tokens.get('tok1'), { name: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] });
  assert.deepEqual(tokens.get('tok2'), { name: 'bob', uid: 'uid-2', groups: [] });
  assert.deepEqual(tokens.get('tok3'), { name: 'carol', groups: ['g1', 'g2'] });
  assert.deepEqual(tokens.get('tok4'), { name: 'dave', uid: 'uid-4', groups: ['single'] });
  assert.deepEqual(tokens.get('tok5'), { name: 'erin, the admin', uid: '5', groups: ['system:masters'] });
});

test('parseTokenCsv reports bad input with the line number', () => {
  assert.throws(() => parseTokenCsv('# c\nonly,two\n', 'tokens.csv'), /tokens\.csv:2: expected at least 3 columns .*found 2/);
  assert.throws(() => parseTokenCsv('a,b,c\n,user,uid\n', 'f'), /f:2: empty token/);
  assert.throws(() => parseTokenCsv('a,,c\n', 'f'), /f:1: empty user name/);
  assert.throws(() => parseTokenCsv('a,b,c\n\na,d,e\n', 'f'), /f:3: duplicate token \(already used by user "b"\)/);
  assert.throws(() => parseTokenCsv('a,b,c,g1,g2\n', 'f'), /f:1: expected at most 4 columns/);
  assert.throws(() => parseTokenCsv('a,b,c,"g1,g2\n', 'f'), /f:1: unterminated quoted field/);
  assert.throws(() => parseTokenCsv('x,y,z\na,b,c,g"1\n', 'f'), /f:2: bare "/);
  assert.throws(() => parseTokenCsv('a b,u,i\n', 'f'), /f:1: token must not contain whitespace/);
});

test('loadTokenFile reads a file and names it in errors', async () => {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'slipway-authn-'));
  try {
    const path = join(dir, 'tokens.csv');
    await fsp.writeFile(path, 's3cret,admin,1,"system:masters"\n');
    assert.deepEqual(loadTokenFile(path).get('s3cret'), { name: 'admin', uid: '1', groups: ['system:masters'] });
    await fsp.writeFile(path, 'bad\n');
    assert.throws(() => loadTokenFile(path), new RegExp(`${path.replace(/[.]/g, '\\.')}:1: expected at least 3 columns`));
    assert.throws(() => loadTokenFile(join(dir, 'missing.csv')), /cannot read token file .*missing\.csv/);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('isAnonymousAllowedPath', () => {
  for (const p of ['/healthz', '/healthz/ping', '/readyz', '/readyz?verbose', '/readyz/etcd?exclude=x', '/livez', '/livez/', '/version', '/version/', '/version?timeout=32s']) {
    assert.equal(isAnonymousAllowedPath(p), true, p);
  }
  for (const p of ['/', '/api', '/apis', '/api/v1/namespaces', '/healthzz', '/versions', '/openapi/v2', '/metrics', '/api/v1/healthz']) {
    assert.equal(isAnonymousAllowedPath(p), false, p);
  }
});

test('bearerToken parses the Authorization header', () => {
  const req = (authorization?: string): IncomingMessage => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
  assert.equal(bearerToken(req('Bearer abc')), 'abc');
  assert.equal(bearerToken(req('bearer  abc ')), 'abc');
  assert.equal(bearerToken(req('Basic abc')), undefined);
  assert.equal(bearerToken(req('Bearer')), undefined);
  assert.equal(bearerToken(req()), undefined);
});

// ---------------------------------------------------------------------------------------------
// against a real HTTPS server with optional client certificates

let dir = '';
let pki: ServerPki;
let tokens: TokenMap;
let foreign: CertKeyPair;
let alice: CertKeyPair;
let server: https.Server;
let port = 0;

interface Reply {
  status: number;
  user: UserInfo | null;
  strict?: UserInfo | { code: number; reason: string };
}

before(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'slipway-authn-'));
  pki = await ensureServerPki(dir, { hostname: 'localhost' });
  const tokenPath = join(dir, 'tokens.csv');
  await fsp.writeFile(tokenPath, '# static tokens\nt0ken-1,jane,42,"viewers,dev"\n');
  tokens = loadTokenFile(tokenPath);
  const otherCa = await createCA('not-the-cluster-ca');
  foreign = await issueClientCert(otherCa, { commonName: 'mallory', organizations: ['system:masters'] });
  alice = await issueClientCert(pki.ca, { commonName: 'alice', organizations: ['team-a', 'team-b'] });
  server = https.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ...clientCertServerOptions(pki.ca.certPem) }, (req, res) => {
    const reply: Reply = { status: 200, user: authenticate(req, tokens) ?? null };
    try {
      reply.strict = authenticateRequest(req, tokens);
    } catch (err) {
      assert.ok(err instanceof StatusError);
      reply.strict = { code: err.code, reason: err.reason };
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await fsp.rm(dir, { recursive: true, force: true });
});

function call(opts: { client?: CertKeyPair; token?: string; path?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/api',
        ca: pki.ca.certPem,
        cert: opts.client?.certPem,
        key: opts.client?.keyPem,
        headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as Reply);
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('the admin client certificate authenticates as its CN / O', async () => {
  const r = await call({ client: pki.admin });
  assert.deepEqual(r.user, { name: 'slipway-admin', groups: ['system:masters', GROUP_AUTHENTICATED] });
  assert.deepEqual(r.strict, r.user);
});

test('a client certificate with several O values yields several groups', async () => {
  const r = await call({ client: alice });
  assert.deepEqual(r.user, { name: 'alice', groups: ['team-a', 'team-b', GROUP_AUTHENTICATED] });
});

test('a bearer token from the token file authenticates', async () => {
  const r = await call({ token: 't0ken-1' });
  assert.deepEqual(r.user, { name: 'jane', uid: '42', groups: ['viewers', 'dev', GROUP_AUTHENTICATED] });
});

test('a verified certificate wins over a bearer token', async () => {
  const r = await call({ client: alice, token: 't0ken-1' });
  assert.equal(r.user?.name, 'alice');
});

test('anonymous requests are not authenticated', async () => {
  const r = await call({});
  assert.equal(r.user, null);
  assert.deepEqual(r.strict, { code: 401, reason: 'Unauthorized' });
  const health = await call({ path: '/readyz?verbose' });
  assert.equal(health.user, null);
  assert.deepEqual(health.strict, { name: 'system:anonymous', groups: ['system:unauthenticated'] });
});

test('an unknown bearer token is not authenticated, even on public paths', async () => {
  const r = await call({ token: 'nope' });
  assert.equal(r.user, null);
  assert.deepEqual(r.strict, { code: 401, reason: 'Unauthorized' });
  const v = await call({ token: 'nope', path: '/version' });
  assert.deepEqual(v.strict, { code: 401, reason: 'Unauthorized' });
});

test('a certificate from another CA is not authenticated', async () => {
  const r = await call({ client: foreign });
  assert.equal(r.user, null);
  // ...but does not block a valid token on the same request.
  const withToken = await call({ client: foreign, token: 't0ken-1' });
  assert.equal(withToken.user?.name, 'jane');
});

test('a certificate without clientAuth usage (the serving cert) is not authenticated', async () => {
  const r = await call({ client: pki.server });
  assert.equal(r.user, null);
});
