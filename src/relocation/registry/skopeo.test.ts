/**
 * The built-in registry with the real `skopeo` (Debian package `skopeo`) as the client: push an OCI
 * image layout, inspect the raw manifest, pull it back and compare bytes; over HTTP, over HTTPS
 * with a test CA, and with htpasswd basic auth.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueServingCert } from '../../apiserver/pki.js';
import { startRegistry, type RunningRegistry } from './server.js';
import { call, imageIndex, makeImage, OCI_INDEX, sha256, type TestImage, writeOciLayout } from './test-support.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const root = mkdtempSync(join(tmpdir(), 'slipway-skopeo-'));
after(() => rmSync(root, { recursive: true, force: true }));

function skopeo(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('skopeo', ['--insecure-policy', ...args], { timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, REGISTRY_AUTH_FILE: join(root, 'auth.json'), HOME: root } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

/** Layout with image `app:1.0`, and a two-platform index `multi:1.0`. */
async function buildLayout(dir: string): Promise<{ app: TestImage; amd: TestImage; arm: TestImage; index: Buffer }> {
  const app = await makeImage('skopeo-app');
  const amd = await makeImage('skopeo-amd64', { arch: 'amd64' });
  const arm = await makeImage('skopeo-arm64', { arch: 'arm64' });
  const index = imageIndex([{ img: amd, arch: 'amd64' }, { img: arm, arch: 'arm64' }]);
  writeOciLayout(dir, [{ tag: '1.0', img: app }, { tag: 'amd', img: amd }, { tag: 'arm', img: arm }], [index]);
  // add the index under its own tag
  const idx = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] };
  idx.manifests.push({ mediaType: OCI_INDEX, digest: sha256(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } });
  writeFileSync(join(dir, 'index.json'), JSON.stringify(idx));
  return { app, amd, arm, index };
}

describe('skopeo round trip against the built-in registry', () => {
  let layout: string;
  let imgs: Awaited<ReturnType<typeof buildLayout>>;
  before(async () => {
    layout = join(root, 'layout');
    imgs = await buildLayout(layout);
  });

  async function roundTrip(reg: RunningRegistry, tlsArgs: { dest: string[]; src: string[] }, label: string): Promise<void> {
    const ref = `docker://${reg.host}/demo/app`;
    ok(await skopeo(['copy', '--preserve-digests', ...tlsArgs.dest, `oci:${layout}:1.0`, `${ref}:1.0`]), `${label} copy to registry`);
    const raw = ok(await skopeo(['inspect', '--raw', ...tlsArgs.src, `${ref}@${imgs.app.digest}`]), `${label} inspect --raw`);
    assert.equal(raw.stdout, imgs.app.manifest.toString(), 'manifest bytes unchanged');
    const byTag = ok(await skopeo(['inspect', '--raw', ...tlsArgs.src, `${ref}:1.0`]), `${label} inspect tag`);
    assert.equal(sha256(byTag.stdout), imgs.app.digest);
    const out = join(root, `${label}-pulled`);
    ok(await skopeo(['copy', ...tlsArgs.src.map((a) => a.replace(/^--(tls-verify|cert-dir|creds)/, '--src-$1')), `${ref}@${imgs.app.digest}`, `dir:${out}`]), `${label} copy back`);
    assert.ok(readFileSync(join(out, 'manifest.json')).equals(imgs.app.manifest));
    assert.ok(readFileSync(join(out, sha256(imgs.app.config).slice(7))).equals(imgs.app.config));
    assert.ok(readFileSync(join(out, sha256(imgs.app.layers[0]!).slice(7))).equals(imgs.app.layers[0]!));
  }

  it('over plain HTTP: copy, inspect --raw, copy back, multi-arch index, list-tags, delete', async () => {
    const reg = await startRegistry({ storageDir: join(root, 'http'), listen: '127.0.0.1:0', durable: false });
    try {
      await roundTrip(reg, { dest: ['--dest-tls-verify=false'], src: ['--tls-verify=false'] }, 'http');
      const multi = `docker://${reg.host}/demo/multi:1.0`;
      ok(await skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:multi`, multi]), 'copy --all index');
      const raw = ok(await skopeo(['inspect', '--raw', '--tls-verify=false', multi]), 'inspect index');
      assert.equal(raw.stdout, imgs.index.toString());
      const arm = ok(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/demo/multi@${imgs.arm.digest}`]), 'inspect child');
      assert.equal(arm.stdout, imgs.arm.manifest.toString());
      const tags = ok(await skopeo(['list-tags', '--tls-verify=false', `docker://${reg.host}/demo/app`]), 'list-tags');
      assert.deepEqual((JSON.parse(tags.stdout) as { Tags: string[] }).Tags, ['1.0']);
      ok(await skopeo(['delete', '--tls-verify=false', `docker://${reg.host}/demo/app@${imgs.app.digest}`]), 'delete');
      const gone = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/demo/app:1.0`]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /manifest unknown/);
    } finally {
      await reg.close();
    }
  });

  it('over HTTPS with a test CA (--dest-cert-dir), and refuses it without the CA', async () => {
    const ca = await createCA('slipway-registry-test-ca');
    const serving = await issueServingCert(ca, { commonName: '127.0.0.1', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const certDir = join(root, 'certs');
    mkdirSync(certDir, { recursive: true });
    writeFileSync(join(certDir, 'ca.crt'), ca.certPem);
    const reg = await startRegistry({ storageDir: join(root, 'https'), listen: '127.0.0.1:0', tls: { cert: serving.certPem, key: serving.keyPem }, durable: false });
    try {
      assert.match(reg.url, /^https:/);
      const ping = await call(reg.url, 'GET', '/v2/', { ca: ca.certPem });
      assert.equal(ping.status, 200);
      await roundTrip(reg, { dest: ['--dest-cert-dir', certDir], src: ['--cert-dir', certDir] }, 'https');
      const untrusted = await skopeo(['inspect', '--raw', `docker://${reg.host}/demo/app:1.0`]);
      assert.notEqual(untrusted.code, 0);
      assert.match(untrusted.stderr, /certificate|x509/);
    } finally {
      await reg.close();
    }
  });

  it('with htpasswd basic auth (--dest-creds); wrong credentials are refused', async () => {
    const htpasswd = join(root, 'htpasswd');
    writeFileSync(htpasswd, 'relocator:s3cret\n');
    const reg = await startRegistry({ storageDir: join(root, 'auth'), listen: '127.0.0.1:0', htpasswd, durable: false });
    try {
      await roundTrip(reg, { dest: ['--dest-tls-verify=false', '--dest-creds', 'relocator:s3cret'], src: ['--tls-verify=false', '--creds', 'relocator:s3cret'] }, 'auth');
      const denied = await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', 'relocator:wrong', `oci:${layout}:1.0`, `docker://${reg.host}/demo/denied:1.0`]);
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /unauthorized|authentication/i);
      const anon = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/demo/app:1.0`]);
      assert.notEqual(anon.code, 0);
    } finally {
      await reg.close();
    }
  });
});
