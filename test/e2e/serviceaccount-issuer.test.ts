/**
 * `--service-account-issuer` and `--service-account-jwks-uri`, with the real kubectl: tokens carry the issuer and
 * authenticate, discovery names both; the CLI refuses values kube-apiserver refuses.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { startPlane, type TestPlane } from '../support/plane.js';

const BIN = new URL('../../bin/slipway.js', import.meta.url).pathname;

function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('ServiceAccount issuer and jwks_uri', () => {
  let t: TestPlane;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-sa-issuer-'));
  const issuer = 'https://issuer.example.com/clusters/mgmt';
  const jwksUri = 'https://keys.example.com/mgmt/jwks.json';

  before(async () => {
    t = await startPlane({ clusterApi: false, serviceAccountIssuer: issuer, serviceAccountJwksUri: jwksUri });
  });

  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues tokens with the issuer, accepts them, and names both in discovery', async () => {
    assert.equal((await t.kubectl(['create', 'serviceaccount', 'ci', '-n', 'default'])).code, 0);
    const token = (await t.kubectl(['create', 'token', 'ci', '-n', 'default'])).stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; aud: string[] };
    assert.equal(claims.iss, issuer);
    assert.deepEqual(claims.aud, [issuer]);
    // A kubeconfig with the token alone (no client certificate).
    const tokenOnly = join(dir, 'ci.kubeconfig');
    writeFileSync(tokenOnly, renderKubeconfig({ server: t.plane.url, caPem: t.plane.pki.ca.certPem, token }));
    const who = await t.kubectl(['--kubeconfig', tokenOnly, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.stdout, 'system:serviceaccount:default:ci');
    const config = JSON.parse((await t.kubectl(['get', '--raw', '/.well-known/openid-configuration'])).stdout) as { issuer: string; jwks_uri: string };
    assert.equal(config.issuer, issuer);
    assert.equal(config.jwks_uri, jwksUri);
  });

  it('refuses a jwks_uri that is not https and an issuer with a colon that is not a URL', async () => {
    // (Were a value accepted, the server would start on a throw-away data dir and a free port.)
    const safe = ['--data-dir', join(dir, 'unused'), '--listen', '127.0.0.1:0'];
    const http = await slipway(['server', ...safe, '--service-account-jwks-uri', 'http://keys.example.com/jwks']);
    assert.notEqual(http.code, 0);
    assert.match(http.stderr, /--service-account-jwks-uri "http:\/\/keys\.example\.com\/jwks" must be an https URL without query or fragment/);
    const colon = await slipway(['server', ...safe, '--service-account-issuer', 'https://[bad']);
    assert.notEqual(colon.code, 0);
    assert.match(colon.stderr, /--service-account-issuer "https:\/\/\[bad" contains a ':' but is not a valid URL/);
  });
});
