/**
 * Air-gapped relocation end to end with real peers: Debian's docker-registry (TLS with a test CA,
 * htpasswd or token auth) as source and destination, skopeo as the independent client, and
 * `slipway isolated-cluster download-bundle | upload-bundle | verify-bundle` run as a user runs them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { loadBomFile } from '../../src/relocation/bom/bom.js';
import { downloadBundle, type DownloadResult } from '../../src/relocation/bundle/download.js';
import { openBundle } from '../../src/relocation/bundle/source.js';
import { uploadBundle, type UploadResult } from '../../src/relocation/bundle/upload.js';
import { verifyBundle } from '../../src/relocation/bundle/verify.js';
import { credentialsFromDockerConfig } from '../../src/relocation/oci/auth.js';
import { indexTar } from '../../src/relocation/bundle/tar.js';
import { blobPath } from '../../src/relocation/bundle/format.js';
import type { Digest } from '../../src/relocation/oci/digest.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/relocation/oci/client.js';
import { parseRepoLocation } from '../../src/relocation/oci/reference.js';
import { createCA } from '../../src/apiserver/pki.js';
import { makeTestPki, startDockerRegistry, startTokenServer, type DockerRegistry } from '../support/relocation/docker-registry.js';
import { BlobStore, buildImage, buildLayer, pushImage } from '../support/relocation/images.js';
import { buildFixture, PASSWORD, RELEASE, skopeo, slipway, spawnSlipway, USER, type Fixture } from '../support/relocation/fixture.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('isolated-cluster bundles with docker-registry and skopeo', () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-reloc-'));
  const env = { DOCKER_CONFIG: join(root, 'no-docker-config') };
  let fx: Fixture;
  const registries: DockerRegistry[] = [];
  let bundle: string;

  const newDestination = async (name: string, opts: { tls?: boolean; auth?: boolean } = {}): Promise<DockerRegistry> => {
    const r = await startDockerRegistry({ dir: join(root, name), tls: opts.tls === false ? undefined : fx.pki, htpasswd: opts.auth === false ? undefined : fx.htpasswd });
    registries.push(r);
    return r;
  };
  const creds = { username: USER, password: PASSWORD };
  /** The library in-process (the CLI itself is exercised where exit codes and output matter). */
  const upload = async (path: string, destinationRepo: string, c: Omit<RegistryClientOptions, 'registry'>, extra: { chunkSize?: number; concurrency?: number } = {}): Promise<UploadResult> => {
    const destination = parseRepoLocation(destinationRepo);
    const client = new RegistryClient({ registry: destination.registry, ...c });
    try {
      return await uploadBundle({ client, destination, source: await openBundle(path), ...extra });
    } finally {
      client.close();
    }
  };
  const download = async (to: string, concurrency?: number): Promise<DownloadResult> => {
    const source = parseRepoLocation(fx.sourceRepo);
    const client = new RegistryClient({ registry: source.registry, caCertificates: [fx.pki.ca.certPem], credentials: creds });
    try {
      return await downloadBundle({ client, source, bom: loadBomFile(fx.bomFile), to, concurrency });
    } finally {
      client.close();
    }
  };
  const tlsAuth = (): string[] => ['--ca-certificate', fx.pki.caFile, '--username', USER, '--password', PASSWORD];
  const skopeoTls = (): string[] => ['--cert-dir', fx.pki.certDir, '--creds', `${USER}:${PASSWORD}`];

  before(async () => {
    fx = await buildFixture(join(root, 'fixture'));
    // the bundle the upload tests share, made in-process (the CLI download is tested on its own)
    bundle = join(root, 'bundle.tar');
    await download(bundle);
  });
  after(async () => {
    for (const r of registries) await r.stop();
    await fx?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('download-bundle writes one tar bundle that verify-bundle accepts, and a re-run skips it', async () => {
    const bundle = join(root, 'cli-bundle.tar');
    const r = await slipway(['isolated-cluster', 'download-bundle', '--source-repo', fx.sourceRepo, '--version', RELEASE, '--bom', fx.bomFile, '--to', bundle, ...tlsAuth(), '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { images: number; blobs: number; downloadedBlobs: number };
    assert.equal(out.images, fx.images.length);
    assert.equal(out.downloadedBlobs, out.blobs - fx.images.reduce((a, i) => a + (i.mediaType.includes('index') || i.mediaType.includes('list') ? 3 : 1) + (i.signatureTag ? 1 : 0), 0));
    assert.match(r.stderr, /downloaded blob sha256:/); // plain progress lines when not a TTY
    assert.ok(!existsSync(`${bundle}.parts`), 'staging directory removed');
    // the bundle is an OCI layout skopeo can read directly: layers stored once
    const entries = await indexTar(bundle);
    assert.ok(entries.has('oci-layout') && entries.has('index.json') && entries.has('slipway-bundle.json'));
    const manifest = JSON.parse(readFileSync(bundle).subarray(entries.get('slipway-bundle.json')!.offset, entries.get('slipway-bundle.json')!.offset + entries.get('slipway-bundle.json')!.size).toString()) as { images: { repository: string; digest: string; signatures?: unknown[] }[]; files: Record<string, unknown> };
    for (const img of fx.images) assert.equal(manifest.images.find((i) => i.repository === img.repository)?.digest, img.digest);
    assert.equal(manifest.images.find((i) => i.repository === 'kubernetes/pause')?.signatures?.length, 1);
    const v = await slipway(['isolated-cluster', 'verify-bundle', '--source', bundle], env);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /OK/);
    assert.equal((await download(bundle)).upToDate, true);
  });

  it('download-bundle into a directory resumes: only the missing and the half-written blob are fetched', async () => {
    const dir = join(root, 'bundle-dir');
    await download(dir, 3);
    const m = JSON.parse(readFileSync(join(dir, 'slipway-bundle.json'), 'utf8')) as { files: Record<string, { size: number }> };
    const blobs = Object.entries(m.files).filter(([f, s]) => f.startsWith('blobs/') && s.size > 10_000).map(([f]) => f);
    unlinkSync(join(dir, blobs[0]!));
    const half = join(dir, blobs[1]!);
    const bytes = readFileSync(half);
    unlinkSync(half);
    writeFileSync(`${half}.partial`, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const out = await download(dir, 3);
    assert.equal(out.downloadedBlobs, 2);
    assert.ok(out.skippedBlobs > 0);
    assert.equal(readFileSync(half).equals(bytes), true);
    assert.deepEqual((await verifyBundle(await openBundle(dir))).problems, []);
    // the Range request for the half-written blob is in the source's access log
    assert.ok(fx.source.accessLog().some((e) => e.method === 'GET' && e.path.includes(blobs[1]!.slice(13)) && e.status === 206), 'ranged GET for the partial blob');
  });

  it('upload-bundle relocates every image with identical digests; skopeo pulls each; a re-run pushes nothing', async () => {
    const dest = await newDestination('dest1');
    const refs = join(root, 'relocated.yaml');
    const r = await slipway(['isolated-cluster', 'upload-bundle', '--source', bundle, '--destination-repo', `${dest.host}/site/slipway`, ...tlsAuth(), '--references-file', refs, '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { blobsPushed: number; blobsMounted: number; blobsSkipped: number; images: { destination: string }[] };
    assert.ok(out.blobsMounted >= 3, `shared base layer mounted across repositories: ${r.stdout}`);
    const doc = parseYaml(readFileSync(refs, 'utf8')) as { kind: string; imageRepository: string; images: { source: string; destination: string }[] };
    assert.equal(doc.kind, 'RelocatedImages');
    assert.equal(doc.imageRepository, `${dest.host}/site/slipway`);
    assert.equal(doc.images.length, fx.images.length);
    for (const img of fx.images) {
      const ref = `${dest.host}/site/slipway/${img.repository}:${img.tag}`;
      const srcRaw = await skopeo(['inspect', '--raw', ...skopeoTls(), `docker://${fx.sourceRepo}/${img.repository}:${img.tag}`]);
      const dstRaw = await skopeo(['inspect', '--raw', ...skopeoTls(), `docker://${ref}`]);
      assert.equal(dstRaw.code, 0, dstRaw.stderr);
      assert.equal(sha256(dstRaw.stdout), sha256(srcRaw.stdout));
      assert.equal(sha256(dstRaw.stdout), img.digest, `${ref} keeps its digest`);
      assert.ok(doc.images.some((i) => i.destination === `${ref}@${img.digest}`));
      mkdirSync(join(root, 'pulled'), { recursive: true });
      const pulled = await skopeo(['copy', '--all', '--src-cert-dir', fx.pki.certDir, '--src-creds', `${USER}:${PASSWORD}`, `docker://${ref}`, `dir:${join(root, 'pulled', img.repository.replace(/\//g, '_'))}`]);
      assert.equal(pulled.code, 0, `skopeo copy ${ref}: ${pulled.stderr}`);
      if (img.signatureTag) {
        const sig = await skopeo(['inspect', '--raw', ...skopeoTls(), `docker://${dest.host}/site/slipway/${img.repository}:${img.signatureTag}`]);
        assert.equal(sig.code, 0, `signature tag carried: ${sig.stderr}`);
      }
    }
    assert.match(r.stderr, /pushed blob sha256:/);
    const again = await upload(bundle, `${dest.host}/site/slipway`, { caCertificates: [fx.pki.ca.certPem], credentials: creds });
    assert.equal(again.blobsPushed + again.blobsMounted + again.manifestsPushed, 0);
    assert.equal(again.imagesSkipped, fx.images.length);
  });

  it('an upload killed midway resumes and never re-sends a finished blob (chunked on the re-run)', async () => {
    const dest = await newDestination('dest-kill', { tls: false, auth: false });
    const args = ['isolated-cluster', 'upload-bundle', '--source', bundle, '--destination-repo', `${dest.host}/airgap`, '--insecure', '--concurrency', '1', '--references-file', join(root, 'kill.yaml')];
    const child = spawnSlipway(args, env);
    let err = '';
    const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if ((err.match(/^pushed blob /gm) ?? []).length >= 3) child.kill('SIGKILL');
    });
    child.stdout!.resume();
    assert.equal(await killed, 'SIGKILL', `upload finished before it could be killed: ${err}`);
    const putBlobs = (): string[] => dest.accessLog().filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/') && e.status === 201).map((e) => decodeURIComponent(/digest=([^&]+)/.exec(e.path)![1]!));
    const firstRun = putBlobs();
    assert.ok(firstRun.length >= 3);
    const topLevel = dest.accessLog().filter((e) => e.method === 'PUT' && /\/manifests\/[^s]/.test(e.path));
    assert.ok(topLevel.length < fx.images.length, 'the first run did not finish');
    const second = await upload(bundle, `${dest.host}/airgap`, { insecure: true }, { chunkSize: 8 * 1024, concurrency: 2 });
    assert.ok(second.blobsSkipped >= firstRun.length);
    const all = putBlobs();
    const again = all.slice(firstRun.length);
    for (const d of firstRun) assert.ok(!again.includes(d), `finished blob ${d} was sent again`);
    assert.equal(new Set(all).size, all.length, 'no blob was completed twice');
    assert.ok(dest.accessLog().some((e) => e.method === 'PATCH' && e.status === 202), 'chunked upload used');
    for (const img of fx.images) {
      const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${dest.host}/airgap/${img.repository}:${img.tag}`]);
      assert.equal(sha256(raw.stdout), img.digest);
    }
  });

  it('a shared blob an earlier run finished in a later image\'s repository is mounted from there, never sent again', async () => {
    // Which image reaches a shared layer first depends on timing, so an interrupted run may have
    // finished it in a repository other than the one the next run reaches first: the state an
    // upload killed midway can leave, made deterministically here.
    const dest = await newDestination('dest-elsewhere', { tls: false, auth: false });
    const source = await openBundle(bundle);
    const m = await source.manifest();
    const repos = (d: string): string[] => m.images.filter((i) => i.blobs.includes(d as Digest)).map((i) => `airgap/${i.repository}`);
    const shared = [...new Set(m.images.flatMap((i) => i.blobs))].sort((a, b) => repos(b).length - repos(a).length)[0]!;
    assert.ok(repos(shared).length >= 3, 'the bundle has a layer shared by several images');
    const last = repos(shared).at(-1)!;
    const c = new RegistryClient({ registry: dest.host, insecure: true });
    try {
      const size = (await source.size(blobPath(shared)))!;
      assert.equal(await c.pushBlob(last, { digest: shared, size }, (s, e) => source.open(blobPath(shared), s, e)), 'pushed');
    } finally {
      c.close();
    }
    const putsOf = (d: string): number => dest.accessLog().filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/') && e.status === 201 && decodeURIComponent(/digest=([^&]+)/.exec(e.path)![1]!) === d).length;
    assert.equal(putsOf(shared), 1);
    const r = await upload(bundle, `${dest.host}/airgap`, { insecure: true });
    assert.equal(putsOf(shared), 1, `${shared} (already in ${last}) was sent again`);
    const mounts = dest.accessLog().filter((e) => e.method === 'POST' && e.status === 201 && e.path.includes(`mount=${encodeURIComponent(shared)}`));
    assert.equal(mounts.length, repos(shared).length - 1, 'mounted into every other repository');
    assert.ok(r.blobsSkipped >= 1);
    for (const img of fx.images) {
      const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${dest.host}/airgap/${img.repository}:${img.tag}`]);
      assert.equal(sha256(raw.stdout), img.digest);
    }
  });

  it('a bundle with one flipped byte is refused, naming blob and image, and the destination is unchanged', async () => {
    const dest = await newDestination('dest-tamper');
    const bad = join(root, 'tampered.tar');
    copyFileSync(bundle, bad);
    const entries = await indexTar(bad);
    const m = JSON.parse(readFileSync(bad).subarray(entries.get('slipway-bundle.json')!.offset, entries.get('slipway-bundle.json')!.offset + entries.get('slipway-bundle.json')!.size).toString()) as { images: { repository: string; tag: string; blobs: string[] }[] };
    const etcd = m.images.find((i) => i.repository === 'kubernetes/etcd')!;
    const victim = etcd.blobs.map((d) => ({ d, e: entries.get(`blobs/sha256/${d.slice(7)}`)! })).sort((a, b) => b.e.size - a.e.size).find((x) => !m.images.some((i) => i !== etcd && i.blobs.includes(x.d)))!;
    const fd = openSync(bad, 'r+');
    const one = Buffer.alloc(1);
    const at = victim.e.offset + Math.floor(victim.e.size / 2);
    readSync(fd, one, 0, 1, at);
    one[0] = one[0]! ^ 0x01;
    writeSync(fd, one, 0, 1, at);
    closeSync(fd);
    const before = dest.accessLog().length;
    const r = await slipway(['isolated-cluster', 'upload-bundle', '--source', bad, '--destination-repo', `${dest.host}/site`, ...tlsAuth(), '--references-file', join(root, 'tamper.yaml')], env);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.includes(victim.d), lines[0]);
    assert.ok(lines[0]!.includes('kubernetes/etcd:3.5.6-0'), lines[0]);
    assert.equal(dest.accessLog().length, before, 'no request reached the destination');
    const v = await verifyBundle(await openBundle(bad));
    assert.deepEqual(v.problems.map((p) => [p.digest, p.images]), [[victim.d, ['kubernetes/etcd:3.5.6-0']]]);
    // a truncated bundle is refused too
    const cut = join(root, 'truncated.tar');
    copyFileSync(bundle, cut);
    truncateSync(cut, statSync(cut).size - 40_000);
    await assert.rejects(upload(cut, `${dest.host}/site`, { caCertificates: [fx.pki.ca.certPem], credentials: creds }), /truncated tar \(entry blobs\/sha256\/[a-f0-9]{64}\)/);
    assert.equal(dest.accessLog().length, before);
  });

  it('a registry certificate from another CA fails with one TLS error line naming the registry', async () => {
    const wrong = await makeTestPki(join(root, 'wrong-pki'), 'some-other-ca');
    const dest = await newDestination('dest-tls');
    const r = await slipway(['isolated-cluster', 'upload-bundle', '--source', bundle, '--destination-repo', `${dest.host}/site`, '--ca-certificate', wrong.caFile, '--username', USER, '--password', PASSWORD, '--references-file', join(root, 'tls.yaml')], env);
    assert.equal(r.code, 1);
    const errLines = r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errLines.length, 1, r.stderr);
    assert.match(errLines[0]!, new RegExp(`^error: TLS error talking to registry ${dest.host.replace(/\./g, '\\.')}: .*certificate`));
    // wrong password: one line too
    await assert.rejects(upload(bundle, `${dest.host}/site`, { caCertificates: [fx.pki.ca.certPem], credentials: { username: USER, password: 'nope' } }), /registry 127\.0\.0\.1:\d+: .*401.*credentials of "alice" were rejected/);
  });

  it('Bearer token auth (distribution token service) with credentials from a docker config.json', async () => {
    const signer = await createCA('slipway-test-token-signer');
    const bundleFile = join(root, 'token-root.pem');
    writeFileSync(bundleFile, signer.certPem);
    const tokens = await startTokenServer({ signer, issuer: 'slipway-test-issuer', service: 'slipway-test-registry', users: { bob: 'hunter22' } });
    try {
      const dest = await startDockerRegistry({ dir: join(root, 'dest-token'), tls: fx.pki, token: { realm: tokens.realm, service: 'slipway-test-registry', issuer: 'slipway-test-issuer', rootCertBundle: bundleFile } });
      registries.push(dest);
      const cfgDir = join(root, 'docker-config');
      mkdirSync(cfgDir, { recursive: true });
      writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ auths: { [`https://${dest.host}`]: { auth: Buffer.from('bob:hunter22').toString('base64') } } }));
      const fromConfig = credentialsFromDockerConfig(join(cfgDir, 'config.json'), dest.host);
      assert.deepEqual(fromConfig, { username: 'bob', password: 'hunter22' });
      const r = await upload(bundle, `${dest.host}/tok`, { caCertificates: [fx.pki.ca.certPem], credentials: fromConfig });
      assert.ok(r.blobsMounted > 0);
      assert.ok(tokens.requests.some((q) => q.includes('scope=repository%3Atok%2Fkubernetes%2Fpause%3Apull%2Cpush')), tokens.requests.join('\n'));
      assert.ok(tokens.requests.some((q) => /scope=repository%3Atok%2F[^&]+%3Apull(&|$)/.test(q)), 'mount asks pull on the source repository');
      for (const img of fx.images) {
        const raw = await skopeo(['inspect', '--raw', '--cert-dir', fx.pki.certDir, '--creds', 'bob:hunter22', `docker://${dest.host}/tok/${img.repository}:${img.tag}`]);
        assert.equal(raw.code, 0, raw.stderr);
        assert.equal(sha256(raw.stdout), img.digest);
      }
    } finally {
      await tokens.close();
    }
  });

  it('the built-in registry passes the same round trip with skopeo as the client', async () => {
    const mod = (await import('../../src/relocation/registry/index.js')) as typeof import('../../src/relocation/registry/index.js');
    // the built-in registry reads {SHA} htpasswd entries (bcrypt needs an npm package it does not have)
    const shaHtpasswd = join(root, 'htpasswd-sha');
    writeFileSync(shaHtpasswd, execFileSync('htpasswd', ['-sbn', USER, PASSWORD], { encoding: 'utf8' }));
    const reg = await mod.startRegistry({ storageDir: join(root, 'builtin'), listen: '127.0.0.1:0', tls: { cert: fx.pki.server.certPem, key: fx.pki.server.keyPem }, htpasswd: shaHtpasswd });
    try {
      const r = await upload(bundle, `${reg.host}/site/slipway`, { caCertificates: [fx.pki.ca.certPem], credentials: creds });
      assert.equal(r.images.length, fx.images.length);
      for (const img of fx.images) {
        const ref = `${reg.host}/site/slipway/${img.repository}:${img.tag}`;
        const raw = await skopeo(['inspect', '--raw', ...skopeoTls(), `docker://${ref}`]);
        assert.equal(raw.code, 0, raw.stderr);
        assert.equal(sha256(raw.stdout), img.digest);
        mkdirSync(join(root, 'pulled-builtin'), { recursive: true });
        const pulled = await skopeo(['copy', '--all', '--src-cert-dir', fx.pki.certDir, '--src-creds', `${USER}:${PASSWORD}`, `docker://${ref}`, `dir:${join(root, 'pulled-builtin', img.repository.replace(/\//g, '_'))}`]);
        assert.equal(pulled.code, 0, pulled.stderr);
      }
      // skopeo pushing into it keeps digests too
      const img = fx.images.find((i) => i.repository === 'kubernetes/kube-proxy')!;
      const pushed = await skopeo(['copy', '--all', '--src-cert-dir', fx.pki.certDir, '--src-creds', `${USER}:${PASSWORD}`, '--dest-cert-dir', fx.pki.certDir, '--dest-creds', `${USER}:${PASSWORD}`, `docker://${fx.sourceRepo}/${img.repository}:${img.tag}`, `docker://${reg.host}/by-skopeo/kube-proxy:${img.tag}`]);
      assert.equal(pushed.code, 0, pushed.stderr);
      const raw = await skopeo(['inspect', '--raw', ...skopeoTls(), `docker://${reg.host}/by-skopeo/kube-proxy:${img.tag}`]);
      assert.equal(sha256(raw.stdout), img.digest);
    } finally {
      await reg.close();
    }
  });

  it('referrers (OCI 1.1 subject + referrers API) travel with their image: built-in registry to built-in registry', async () => {
    const mod = await import('../../src/relocation/registry/index.js');
    const src = await mod.startRegistry({ storageDir: join(root, 'ref-src'), listen: '127.0.0.1:0' });
    const dst = await mod.startRegistry({ storageDir: join(root, 'ref-dst'), listen: '127.0.0.1:0' });
    const store = new BlobStore(join(root, 'ref-build'));
    const c = new RegistryClient({ registry: src.host, insecure: true });
    try {
      const img = await buildImage(store, { format: 'oci', layers: [await buildLayer(store, 'ref-img', 4096)] });
      await pushImage(c, store, 'rel/app', 'v1', img);
      const empty = await store.putBytes(Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
      const sbom = await store.putBytes(Buffer.from('{"spdxVersion":"SPDX-2.3"}'), 'application/spdx+json');
      const art = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/spdx+json', config: { mediaType: empty.mediaType, digest: empty.digest, size: empty.size }, layers: [{ mediaType: sbom.mediaType, digest: sbom.digest, size: sbom.size }], subject: { mediaType: img.mediaType, digest: img.digest, size: img.bytes.length } }));
      const artDigest = sha256(art) as `sha256:${string}`;
      await pushImage(c, store, 'rel/app', artDigest, { bytes: art, digest: artDigest, mediaType: 'application/vnd.oci.image.manifest.v1+json', children: [], blobs: [empty, sbom] });
      assert.equal((await c.referrers('rel/app', img.digest))?.length, 1, 'source serves the referrers API');
      const bomFile = join(root, 'ref-bom.yaml');
      writeFileSync(bomFile, `apiVersion: slipway.dev/v1alpha1\nkind: ReleaseBOM\nrelease: "9"\nimages:\n- repository: app\n  tag: v1\n`);
      const dir = join(root, 'ref-bundle');
      await downloadBundle({ client: c, source: { registry: src.host, prefix: 'rel' }, bom: loadBomFile(bomFile), to: dir });
      const m = JSON.parse(readFileSync(join(dir, 'slipway-bundle.json'), 'utf8')) as { images: { referrers?: { digest: string; artifactType?: string }[] }[] };
      assert.deepEqual(m.images[0]!.referrers, [{ digest: artDigest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: art.length, artifactType: 'application/spdx+json' }]);
      await upload(dir, `${dst.host}/site`, { insecure: true });
      const d = new RegistryClient({ registry: dst.host, insecure: true });
      try {
        assert.deepEqual((await d.referrers('site/app', img.digest))?.map((r) => r.digest), [artDigest]);
        assert.equal((await d.getManifest('site/app', artDigest)).digest, artDigest);
      } finally {
        d.close();
      }
    } finally {
      c.close();
      await src.close();
      await dst.close();
    }
  });
});
