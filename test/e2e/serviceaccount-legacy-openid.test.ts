/**
 * Legacy ServiceAccount token Secrets and service-account issuer discovery, in the plane and in a workload cluster,
 * through real kubectl: a `kubernetes.io/service-account-token` Secret gets its token, namespace and ca.crt from the
 * tokens controller, the token works with `kubectl --token` until its ServiceAccount goes (and the Secret with it);
 * /.well-known/openid-configuration and /openid/v1/jwks are served with upstream's headers, readable by every
 * ServiceAccount, and the served key verifies a token from `kubectl create token` (node:crypto).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { clusterServerName } from '../../src/apiserver/logical-clusters.js';
import { createCA, issueClientCert, type CertKeyPair } from '../../src/apiserver/pki.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-sa-legacy-'));
const tokenFile = join(tmp, 'tokens.csv');
writeFileSync(tokenFile, 'jane-token,jane,uid-jane\n');
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

function kubectl(kubeconfig: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, HOME: tmp } }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin!.end(input ?? '');
  });
}

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** A compact JWS verified as an outside relying party would: with the served JWK of its kid. */
function verifiesWithJwks(jwt: string, jwks: { keys: (JsonWebKey & { kid: string; alg: string })[] }): boolean {
  const [h, p, sig] = jwt.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || jwk.alg !== header.alg) return false;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(sig, 'base64url');
  return header.alg.startsWith('RS') ? verify('sha256', data, key, signature) : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

function tokenSecret(name: string, sa: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', annotations: { 'kubernetes.io/service-account.name': sa } }, type: 'kubernetes.io/service-account-token' });
}

describe('legacy ServiceAccount token Secrets and issuer discovery (kubectl)', () => {
  let t: TestPlane;
  let admin: string;
  /** Cluster and CA only: credentials come from --token. */
  let anonymousPlane: string;
  let alphaCA: CertKeyPair;
  let alphaAdmin: string;
  let anonymousAlpha: string;

  before(async () => {
    t = await startPlane({ tokenFile });
    admin = t.plane.kubeconfigPath;
    anonymousPlane = join(tmp, 'plane-no-user.kubeconfig');
    writeFileSync(anonymousPlane, renderKubeconfig({ server: t.plane.url, caPem: t.plane.pki.ca.certPem }));
    // A workload cluster with its CA and its ServiceAccount key pair in the plane (as Cluster API keeps them).
    alphaCA = await createCA('kubernetes');
    const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const secrets = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alpha-ca', namespace: 'default' }, type: 'cluster.x-k8s.io/secret', data: { 'tls.crt': b64(alphaCA.certPem), 'tls.key': b64(alphaCA.keyPem) } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alpha-sa', namespace: 'default' }, type: 'cluster.x-k8s.io/secret', data: { 'tls.crt': b64(sa.publicKey.export({ type: 'spki', format: 'pem' }).toString()), 'tls.key': b64(sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) } },
    ];
    await ok(kubectl(admin, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: secrets })));
    await t.plane.workloadClusters.start({ namespace: 'default', name: 'alpha' });
    const cert = await issueClientCert(alphaCA, { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
    const tlsServerName = clusterServerName({ namespace: 'default', name: 'alpha' });
    alphaAdmin = join(tmp, 'alpha.kubeconfig');
    writeFileSync(alphaAdmin, renderKubeconfig({ server: t.plane.url, caPem: alphaCA.certPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, tlsServerName }));
    anonymousAlpha = join(tmp, 'alpha-no-user.kubeconfig');
    writeFileSync(anonymousAlpha, renderKubeconfig({ server: t.plane.url, caPem: alphaCA.certPem, tlsServerName }));
  });

  after(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('plane: a token Secret is filled in, its token works with kubectl --token, and it goes with its ServiceAccount', async () => {
    await ok(kubectl(admin, ['create', 'serviceaccount', 'deployer', '-n', 'default']));
    await ok(kubectl(admin, ['apply', '-f', '-'], tokenSecret('deployer-token', 'deployer')));
    const data = await eventually(async () => {
      const s = JSON.parse(await ok(kubectl(admin, ['get', 'secret', 'deployer-token', '-n', 'default', '-o', 'json']))) as { data?: Record<string, string>; metadata: { annotations: Record<string, string> } };
      return s.data?.token ? s : undefined;
    }, 20_000, 'the token');
    assert.equal(unb64(data.data!.namespace!), 'default');
    assert.equal(unb64(data.data!['ca.crt']!), t.plane.pki.ca.certPem);
    const saUid = (await ok(kubectl(admin, ['get', 'serviceaccount', 'deployer', '-n', 'default', '-o', 'jsonpath={.metadata.uid}']))).trim();
    assert.equal(data.metadata.annotations['kubernetes.io/service-account.uid'], saUid);
    const token = unb64(data.data!.token!);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, string>;
    assert.equal(claims.iss, 'kubernetes/serviceaccount');
    assert.equal(claims.sub, 'system:serviceaccount:default:deployer');
    const who = await ok(kubectl(anonymousPlane, ['--token', token, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']));
    assert.equal(who, 'system:serviceaccount:default:deployer');

    await ok(kubectl(admin, ['delete', 'serviceaccount', 'deployer', '-n', 'default']));
    await eventually(async () => (await kubectl(admin, ['get', 'secret', 'deployer-token', '-n', 'default'])).code !== 0, 20_000, 'the token Secret deleted');
    const refused = await kubectl(anonymousPlane, ['--token', token, 'auth', 'whoami']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Unauthorized|must be logged in/);
  });

  it('plane: a token Secret must name its ServiceAccount, and typed Secrets need their keys (kube-apiserver\'s messages)', async () => {
    const noName = await kubectl(admin, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'orphan-token', namespace: 'default' }, type: 'kubernetes.io/service-account-token' }));
    assert.notEqual(noName.code, 0);
    assert.match(noName.stderr, /Secret "orphan-token" is invalid: metadata\.annotations\[kubernetes\.io\/service-account\.name\]: Required value/);
    const tls = await kubectl(admin, ['create', 'secret', 'generic', 'half-tls', '-n', 'default', '--type=kubernetes.io/tls', '--from-literal=tls.crt=x']);
    assert.notEqual(tls.code, 0);
    assert.match(tls.stderr, /Secret "half-tls" is invalid: data\[tls\.key\]: Required value/);
  });

  it('plane: issuer discovery with upstream\'s headers; its key verifies a kubectl create token token; ServiceAccounts may read it, others not', async () => {
    const config = JSON.parse(await ok(kubectl(admin, ['get', '--raw', '/.well-known/openid-configuration']))) as Record<string, unknown>;
    assert.deepEqual(config, {
      issuer: 'https://kubernetes.default.svc.cluster.local',
      jwks_uri: `${t.plane.url}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = JSON.parse(await ok(kubectl(admin, ['get', '--raw', '/openid/v1/jwks']))) as { keys: (JsonWebKey & { kid: string; alg: string; use: string })[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.use, 'sig');
    await ok(kubectl(admin, ['create', 'serviceaccount', 'reader', '-n', 'default']));
    const token = (await ok(kubectl(admin, ['create', 'token', 'reader', '-n', 'default']))).trim();
    assert.equal(verifiesWithJwks(token, jwks), true);
    assert.equal(verifiesWithJwks(token.slice(0, -6) + 'AAAAAA', jwks), false);
    assert.equal((JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string }).iss, config.issuer);

    // Headers as kube-apiserver sends them.
    const admin509 = t.plane.pki.admin;
    const get = (path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(new URL(path, t.plane.url), { ca: t.plane.pki.ca.certPem, cert: admin509.certPem, key: admin509.keyPem }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const c = await get('/.well-known/openid-configuration');
    assert.equal(c.status, 200);
    assert.equal(c.headers['content-type'], 'application/json');
    assert.equal(c.headers['cache-control'], 'public, max-age=3600');
    const k = await get('/openid/v1/jwks');
    assert.equal(k.headers['content-type'], 'application/jwk-set+json');
    assert.equal(k.headers['cache-control'], 'public, max-age=3600');
    assert.deepEqual(JSON.parse(k.body), jwks);
    // GET only, as upstream's routes.
    const post = await kubectl(admin, ['create', '--raw', '/openid/v1/jwks', '-f', '-'], '{}');
    assert.notEqual(post.code, 0);
    assert.match(post.stderr, /MethodNotAllowed|method not allowed|does not allow this method/i);

    // RBAC: bound to system:serviceaccounts by the bootstrap policy.
    const binding = JSON.parse(await ok(kubectl(admin, ['get', 'clusterrolebinding', 'system:service-account-issuer-discovery', '-o', 'json']))) as { subjects: unknown[]; roleRef: { name: string } };
    assert.deepEqual(binding.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts' }]);
    assert.equal(binding.roleRef.name, 'system:service-account-issuer-discovery');
    const asSa = JSON.parse(await ok(kubectl(anonymousPlane, ['--token', token, 'get', '--raw', '/openid/v1/jwks']))) as unknown;
    assert.deepEqual(asSa, jwks);
    const jane = await kubectl(anonymousPlane, ['--token', 'jane-token', 'get', '--raw', '/.well-known/openid-configuration']);
    assert.notEqual(jane.code, 0);
    assert.match(jane.stderr, /forbidden/i);
  });

  it('workload cluster: its own key signs legacy and bound tokens, and its discovery serves that key', async () => {
    await ok(kubectl(alphaAdmin, ['create', 'serviceaccount', 'builder', '-n', 'default']));
    await ok(kubectl(alphaAdmin, ['apply', '-f', '-'], tokenSecret('builder-token', 'builder')));
    const data = await eventually(async () => {
      const out = await kubectl(alphaAdmin, ['get', 'secret', 'builder-token', '-n', 'default', '-o', 'jsonpath={.data}']);
      const d = out.code === 0 && out.stdout ? (JSON.parse(out.stdout) as Record<string, string>) : undefined;
      return d?.token ? d : undefined;
    }, 30_000, 'the token in alpha');
    assert.equal(unb64(data['ca.crt']!), alphaCA.certPem);
    const legacy = unb64(data.token!);
    assert.equal(await ok(kubectl(anonymousAlpha, ['--token', legacy, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])), 'system:serviceaccount:default:builder');
    // The plane does not take alpha's token.
    assert.notEqual((await kubectl(anonymousPlane, ['--token', legacy, 'auth', 'whoami'])).code, 0);

    const jwks = JSON.parse(await ok(kubectl(alphaAdmin, ['get', '--raw', '/openid/v1/jwks']))) as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    assert.equal(jwks.keys[0]!.alg, 'ES256');
    const config = JSON.parse(await ok(kubectl(alphaAdmin, ['get', '--raw', '/.well-known/openid-configuration']))) as { id_token_signing_alg_values_supported: string[]; jwks_uri: string };
    assert.deepEqual(config.id_token_signing_alg_values_supported, ['ES256']);
    // Its keys' address names the cluster (its TLS server name on the plane's port), not the plane's API.
    assert.equal(config.jwks_uri, `https://${clusterServerName({ namespace: 'default', name: 'alpha' })}:${new URL(t.plane.url).port}/openid/v1/jwks`);
    const bound = (await ok(kubectl(alphaAdmin, ['create', 'token', 'builder', '-n', 'default']))).trim();
    assert.equal(verifiesWithJwks(bound, jwks), true);
    assert.equal(verifiesWithJwks(legacy, jwks), true);
    const planeJwks = JSON.parse(await ok(kubectl(admin, ['get', '--raw', '/openid/v1/jwks']))) as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    assert.equal(verifiesWithJwks(bound, planeJwks), false);
  });
});
