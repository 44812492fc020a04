/**
 * Edge cases side by side: the built-in registry and Debian's `docker-registry` (Docker
 * distribution 2.8, the reference registry of the relocation tests) answer the same requests.
 * Where they agree the answers must match; where they differ (the built-in registry follows
 * distribution-spec 1.1, distribution 2.8 predates it) each side's answer is pinned down here so
 * that clients can be written for both.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from './server.js';
import { freePort } from '../../../test/support/net.js';
import { call, makeImage, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, pushManifest, type Reply, sha256 } from './test-support.js';


async function startDockerRegistry(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${err}`);
    try {
      if ((await call(url, 'GET', '/v2/')).status === 200) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`docker-registry did not start: ${err}`);
}

interface Seen {
  status: number;
  codes?: string[];
  [k: string]: unknown;
}

function seen(r: Reply, extra: Record<string, unknown> = {}): Seen {
  const s: Seen = { status: r.status, ...extra };
  if (r.status >= 400 && r.body.length > 0 && (r.header('content-type') ?? '').startsWith('application/json')) s.codes = r.json<{ errors: { code: string }[] }>().errors.map((e) => e.code);
  return s;
}

/** Follows a Location, whether absolute (distribution) or relative (built-in), keeping its query. */
function withDigest(loc: string, digest: string): string {
  const u = new URL(loc, 'http://x');
  u.searchParams.set('digest', digest);
  return u.pathname + u.search;
}

/** The same requests against one registry; what came back, by case name. */
async function observe(base: string): Promise<Record<string, Seen>> {
  const out: Record<string, Seen> = {};
  const img = await makeImage('compat');
  const config = sha256(img.config);

  const start = await call(base, 'POST', '/v2/c/blobs/uploads/');
  out.newUpload = seen(start, { range: start.header('range'), hasUuid: Boolean(start.header('docker-upload-uuid')) });
  const p1 = await call(base, 'PATCH', start.header('location')!, { body: 'AAAAA', headers: { 'content-range': '0-4', 'content-type': 'application/octet-stream' } });
  out.firstChunk = seen(p1, { range: p1.header('range') });
  const st = await call(base, 'GET', p1.header('location')!);
  out.uploadStatus = seen(st, { range: st.header('range') });
  const p2 = await call(base, 'PATCH', p1.header('location')!, { body: 'BBBBB', headers: { 'content-range': '5-9', 'content-type': 'application/octet-stream' } });
  const wrong = await call(base, 'PUT', withDigest(p2.header('location')!, sha256('not it')));
  out.finishWrongDigest = seen(wrong);
  const noDigest = await call(base, 'PUT', (await call(base, 'POST', '/v2/c/blobs/uploads/')).header('location')!);
  out.finishWithoutDigest = seen(noDigest);

  const s2 = await call(base, 'POST', '/v2/c/blobs/uploads/');
  const q1 = await call(base, 'PATCH', s2.header('location')!, { body: 'AAAAA', headers: { 'content-range': '0-4', 'content-type': 'application/octet-stream' } });
  const gap = await call(base, 'PATCH', q1.header('location')!, { body: 'CCCCC', headers: { 'content-range': '10-14', 'content-type': 'application/octet-stream' } });
  out.chunkOutOfOrder = seen(gap, { range: gap.header('range') });

  out.manifestMissingBlobs = seen(await pushManifest(base, 'c', 'v1', img.manifest, OCI_MANIFEST));
  await pushBlob(base, 'c', img.config);
  await pushBlob(base, 'c', img.layers[0]!);
  const put = await pushManifest(base, 'c', 'v1', img.manifest, OCI_MANIFEST);
  out.manifestPut = seen(put, { digest: put.header('docker-content-digest') });
  const get = await call(base, 'GET', '/v2/c/manifests/v1', { headers: { accept: OCI_MANIFEST } });
  out.manifestGet = seen(get, { sameBytes: get.body.equals(img.manifest), contentType: get.header('content-type'), digest: get.header('docker-content-digest') });
  out.manifestTypeMismatch = seen(await pushManifest(base, 'c', 'x', img.manifest, 'application/vnd.docker.distribution.manifest.v2+json'));
  out.manifestWrongDigest = seen(await pushManifest(base, 'c', sha256('other'), img.manifest, OCI_MANIFEST));
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sha256('absent'), size: 6 }] }));
  out.indexMissingChild = seen(await pushManifest(base, 'c', 'idx', index, OCI_INDEX));
  out.unknownTag = seen(await call(base, 'GET', '/v2/c/manifests/nope'));

  const r = await call(base, 'GET', `/v2/c/blobs/${config}`, { headers: { range: 'bytes=2-5' } });
  out.blobRange = seen(r, { contentRange: r.header('content-range'), body: r.text });
  const head = await call(base, 'HEAD', `/v2/c/blobs/${config}`);
  out.blobHead = seen(head, { length: head.header('content-length'), digest: head.header('docker-content-digest') });
  out.blobUnknown = seen(await call(base, 'HEAD', `/v2/c/blobs/${sha256('none')}`));

  const mounted = await call(base, 'POST', `/v2/d/blobs/uploads/?mount=${config}&from=c`);
  out.mountFrom = seen(mounted, { location: new URL(mounted.header('location')!, 'http://x').pathname });
  out.mountMissing = seen(await call(base, 'POST', `/v2/d/blobs/uploads/?mount=${sha256('none')}&from=c`));
  out.catalog = seen(await call(base, 'GET', '/v2/_catalog'), { repositories: (await call(base, 'GET', '/v2/_catalog')).json<{ repositories: string[] }>().repositories });
  out.mountWithoutFrom = seen(await call(base, 'POST', `/v2/e/blobs/uploads/?mount=${config}`));

  const oneShot = Buffer.from('single POST');
  const single = await call(base, 'POST', `/v2/f/blobs/uploads/?digest=${sha256(oneShot)}`, { body: oneShot, headers: { 'content-type': 'application/octet-stream' } });
  out.postWithDigest = seen(single, { storedAfterwards: (await call(base, 'HEAD', `/v2/f/blobs/${sha256(oneShot)}`)).status === 200 });

  for (const t of ['b', 'a', 'c']) await pushManifest(base, 'c', t, img.manifest, OCI_MANIFEST);
  const tags = await call(base, 'GET', '/v2/c/tags/list?n=2');
  out.tagsPage = seen(tags, { tags: tags.json<{ tags: string[] }>().tags, link: Boolean(tags.header('link')) });

  out.referrers = seen(await call(base, 'GET', `/v2/c/referrers/${img.digest}`));
  out.deleteTag = seen(await call(base, 'DELETE', '/v2/c/manifests/a'));
  out.deleteManifest = seen(await call(base, 'DELETE', `/v2/c/manifests/${img.digest}`));
  out.getDeleted = seen(await call(base, 'GET', `/v2/c/manifests/${img.digest}`));
  out.deleteBlob = seen(await call(base, 'DELETE', `/v2/d/blobs/${config}`));
  out.deleteBlobAgain = seen(await call(base, 'DELETE', `/v2/d/blobs/${config}`));
  out.invalidName = seen(await call(base, 'GET', '/v2/UPPER/tags/list'));
  return out;
}

describe('built-in registry vs docker-registry (distribution 2.8) on edge cases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-compat-'));
  let docker: { url: string; child: ChildProcess };
  let ours: RunningRegistry;
  let a: Record<string, Seen>;
  let b: Record<string, Seen>;
  before(async () => {
    docker = await startDockerRegistry(join(dir, 'docker'));
    ours = await startRegistry({ storageDir: join(dir, 'ours'), listen: '127.0.0.1:0', durable: false });
    [a, b] = await Promise.all([observe(docker.url), observe(ours.url)]);
  });
  after(async () => {
    docker?.child.kill();
    await ours?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const SAME = [
    'newUpload', 'firstChunk', 'uploadStatus', 'finishWrongDigest', 'finishWithoutDigest', 'manifestMissingBlobs', 'manifestPut', 'manifestGet',
    'manifestTypeMismatch', 'manifestWrongDigest', 'indexMissingChild', 'unknownTag', 'blobRange', 'blobHead', 'blobUnknown', 'mountFrom',
    'mountMissing', 'deleteManifest', 'getDeleted', 'deleteBlob', 'deleteBlobAgain', 'catalog',
  ];
  it('agrees on uploads, digests, manifest validation, ranges, mounts and deletes', () => {
    for (const k of SAME) assert.deepEqual(b[k], a[k], `${k}: built-in ${JSON.stringify(b[k])} vs docker-registry ${JSON.stringify(a[k])}`);
    assert.deepEqual(a.newUpload, { status: 202, range: '0-0', hasUuid: true });
    assert.deepEqual(a.manifestMissingBlobs!.codes, ['MANIFEST_BLOB_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN']);
    assert.deepEqual(a.indexMissingChild!.codes, ['MANIFEST_BLOB_UNKNOWN']);
    assert.deepEqual(a.mountMissing!.status, 202);
  });

  it('differs where distribution 2.8 predates distribution-spec 1.1', () => {
    // an out-of-order chunk: 416 with the resume point; distribution 2.8 ignores Content-Range
    assert.deepEqual(b.chunkOutOfOrder, { status: 416, codes: ['BLOB_UPLOAD_INVALID'], range: '0-4' });
    assert.deepEqual(a.chunkOutOfOrder, { status: 202, range: '0-9' });
    // a single POST with ?digest=: stored at once (201); distribution answers 202 and still needs the PUT
    assert.deepEqual(b.postWithDigest, { status: 201, storedAfterwards: true });
    assert.deepEqual(a.postWithDigest, { status: 202, storedAfterwards: false });
    // mount without from: any copy in the registry will do; distribution starts an upload
    assert.equal(b.mountWithoutFrom!.status, 201);
    assert.equal(a.mountWithoutFrom!.status, 202);
    // tag pagination: n and lexical order; distribution 2.8 returns every tag, unordered
    assert.deepEqual(b.tagsPage, { status: 200, tags: ['a', 'b'], link: true });
    assert.equal(a.tagsPage!.status, 200);
    assert.deepEqual([...(a.tagsPage!.tags as string[])].sort(), ['a', 'b', 'c', 'v1']);
    // the referrers API and deleting a tag exist only in 1.1
    assert.equal(b.referrers!.status, 200);
    assert.equal(a.referrers!.status, 404);
    assert.equal(b.deleteTag!.status, 202);
    assert.equal(a.deleteTag!.status, 400);
    // an invalid name is a NAME_INVALID error rather than a bare 404 page
    assert.deepEqual(b.invalidName, { status: 400, codes: ['NAME_INVALID'] });
    assert.equal(a.invalidName!.status, 404);
  });
});
