/** Conformance of the built-in registry over real HTTP on loopback. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from './server.js';
import {
  call, DOCKER_LIST, DOCKER_MANIFEST, imageIndex, makeImage, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, pushManifest, sha256, sha512, type Reply,
} from './test-support.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'slipway-registry-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A registry (temporary storage, not durable) for the enclosing describe block; `onUrl` gets its URL. */
function registryPerSuite(onUrl: (url: string) => void): void {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startRegistry({ storageDir: tempDir(), listen: '127.0.0.1:0', durable: false });
    onUrl(reg.url);
  });
  after(() => reg.close());
}

function errorCodes(r: Reply): string[] {
  return r.json<{ errors: { code: string }[] }>().errors.map((e) => e.code);
}

describe('registry: pull and push', () => {
  let base: string;
  registryPerSuite((url) => (base = url));

  it('answers /v2/ with the API version header', async () => {
    const r = await call(base, 'GET', '/v2/');
    assert.equal(r.status, 200);
    assert.equal(r.header('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(r.json(), {});
  });

  it('monolithic POST+PUT, HEAD and GET of a blob', async () => {
    const data = Buffer.from('layer bytes '.repeat(1000));
    const d = await pushBlob(base, 'mono/app', data);
    const head = await call(base, 'HEAD', `/v2/mono/app/blobs/${d}`);
    assert.equal(head.status, 200);
    assert.equal(head.header('content-length'), String(data.length));
    assert.equal(head.header('docker-content-digest'), d);
    assert.equal(head.body.length, 0);
    const get = await call(base, 'GET', `/v2/mono/app/blobs/${d}`);
    assert.equal(get.status, 200);
    assert.ok(get.body.equals(data));
    // another repository does not see it until it is mounted or pushed there
    const other = await call(base, 'HEAD', `/v2/mono/other/blobs/${d}`);
    assert.equal(other.status, 404);
  });

  it('serves byte ranges: 206 with Content-Range, suffix ranges, and 416 past the end', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    const d = await pushBlob(base, 'ranges', data);
    const mid = await call(base, 'GET', `/v2/ranges/blobs/${d}`, { headers: { range: 'bytes=5-9' } });
    assert.equal(mid.status, 206);
    assert.equal(mid.text, '56789');
    assert.equal(mid.header('content-range'), `bytes 5-9/${data.length}`);
    const open = await call(base, 'GET', `/v2/ranges/blobs/${d}`, { headers: { range: 'bytes=15-' } });
    assert.equal(open.text, 'fghij');
    const suffix = await call(base, 'GET', `/v2/ranges/blobs/${d}`, { headers: { range: 'bytes=-3' } });
    assert.equal(suffix.text, 'hij');
    const openPast = await call(base, 'GET', `/v2/ranges/blobs/${d}`, { headers: { range: 'bytes=50-' } });
    assert.equal(openPast.status, 416);
    const past = await call(base, 'GET', `/v2/ranges/blobs/${d}`, { headers: { range: 'bytes=50-60' } });
    assert.equal(past.status, 416);
    assert.equal(past.header('content-range'), `bytes */${data.length}`);
  });

  it('a single POST with ?digest= stores the blob (201)', async () => {
    const data = Buffer.from('one-shot');
    const d = sha256(data);
    const r = await call(base, 'POST', `/v2/oneshot/blobs/uploads/?digest=${d}`, { body: data, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(r.status, 201);
    assert.equal(r.header('location'), `/v2/oneshot/blobs/${d}`);
    assert.equal(r.header('docker-content-digest'), d);
    assert.equal((await call(base, 'GET', `/v2/oneshot/blobs/${d}`)).text, 'one-shot');
  });

  it('verifies digests on upload, sha256 and sha512; a mismatch stores nothing', async () => {
    const data = Buffer.from('checked content');
    const bad = sha256('something else');
    const start = await call(base, 'POST', '/v2/verify/blobs/uploads/');
    const loc = start.header('location')!;
    const put = await call(base, 'PUT', `${loc}?digest=${bad}`, { body: data });
    assert.equal(put.status, 400);
    assert.deepEqual(errorCodes(put), ['DIGEST_INVALID']);
    assert.equal((await call(base, 'HEAD', `/v2/verify/blobs/${bad}`)).status, 404);
    assert.equal((await call(base, 'GET', loc)).status, 404, 'the failed session is gone');

    const d512 = sha512(data);
    const s2 = await call(base, 'POST', '/v2/verify/blobs/uploads/');
    const put512 = await call(base, 'PUT', `${s2.header('location')}?digest=${d512}`, { body: data });
    assert.equal(put512.status, 201, put512.text);
    const got = await call(base, 'GET', `/v2/verify/blobs/${d512}`);
    assert.equal(got.header('docker-content-digest'), d512);
    assert.ok(got.body.equals(data));

    const malformed = await call(base, 'PUT', `${(await call(base, 'POST', '/v2/verify/blobs/uploads/')).header('location')}?digest=sha256:xyz`, { body: data });
    assert.equal(malformed.status, 400);
    assert.deepEqual(errorCodes(malformed), ['DIGEST_INVALID']);
    const md5 = await call(base, 'HEAD', '/v2/verify/blobs/md5:0123456789abcdef0123456789abcdef');
    assert.equal(md5.status, 400);
  });

  it('chunked upload: PATCH with Content-Range, status GET, 416 out of order, final PUT with the last chunk', async () => {
    const data = Buffer.from('AAAAABBBBBCCCCC');
    const start = await call(base, 'POST', '/v2/chunked/blobs/uploads/');
    assert.equal(start.status, 202);
    assert.equal(start.header('range'), '0-0');
    assert.equal(start.header('content-length'), '0');
    const loc = start.header('location')!;
    assert.match(loc, /^\/v2\/chunked\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.ok(start.header('docker-upload-uuid'));

    const p1 = await call(base, 'PATCH', loc, { body: data.subarray(0, 5), headers: { 'content-range': '0-4', 'content-type': 'application/octet-stream' } });
    assert.equal(p1.status, 202);
    assert.equal(p1.header('range'), '0-4');
    const loc2 = p1.header('location')!;

    const skip = await call(base, 'PATCH', loc2, { body: data.subarray(10, 15), headers: { 'content-range': '10-14' } });
    assert.equal(skip.status, 416);
    assert.equal(skip.header('range'), '0-4', 'a 416 tells where to resume');
    assert.equal(skip.header('location'), loc2);

    const p2 = await call(base, 'PATCH', loc2, { body: data.subarray(5, 10), headers: { 'content-range': '5-9' } });
    assert.equal(p2.status, 202);
    assert.equal(p2.header('range'), '0-9');

    const status = await call(base, 'GET', p2.header('location')!);
    assert.equal(status.status, 204);
    assert.equal(status.header('range'), '0-9');

    const fin = await call(base, 'PUT', `${p2.header('location')}?digest=${sha256(data)}`, { body: data.subarray(10), headers: { 'content-range': '10-14' } });
    assert.equal(fin.status, 201, fin.text);
    assert.equal(fin.header('location'), `/v2/chunked/blobs/${sha256(data)}`);
    assert.equal((await call(base, 'GET', `/v2/chunked/blobs/${sha256(data)}`)).text, data.toString());
  });

  it('streamed PATCH without Content-Range appends; a Content-Length that disagrees with Content-Range is refused', async () => {
    const start = await call(base, 'POST', '/v2/streamed/blobs/uploads/');
    const a = await call(base, 'PATCH', start.header('location')!, { body: 'hello ' });
    const b = await call(base, 'PATCH', a.header('location')!, { body: 'world' });
    assert.equal(b.header('range'), '0-10');
    const mismatch = await call(base, 'PATCH', b.header('location')!, { body: 'xyz', headers: { 'content-range': '11-20' } });
    assert.equal(mismatch.status, 416);
    assert.equal((await call(base, 'GET', b.header('location')!)).header('range'), '0-10', 'the refused chunk left nothing behind');
    const fin = await call(base, 'PUT', `${b.header('location')}?digest=${sha256('hello world')}`);
    assert.equal(fin.status, 201);
  });

  it('cancels an upload with DELETE; the session is then unknown', async () => {
    const start = await call(base, 'POST', '/v2/cancel/blobs/uploads/');
    const loc = start.header('location')!;
    await call(base, 'PATCH', loc, { body: 'partial' });
    const del = await call(base, 'DELETE', loc);
    assert.equal(del.status, 204);
    const st = await call(base, 'GET', loc);
    assert.equal(st.status, 404);
    assert.deepEqual(errorCodes(st), ['BLOB_UPLOAD_UNKNOWN']);
    const wrongRepo = await call(base, 'GET', (await call(base, 'POST', '/v2/cancel/blobs/uploads/')).header('location')!.replace('/cancel/', '/elsewhere/'));
    assert.equal(wrongRepo.status, 404, 'a session belongs to its repository');
  });

  it('mounts a blob across repositories (201), or falls back to an upload session (202)', async () => {
    const d = await pushBlob(base, 'mount/src', 'shared layer');
    const ok = await call(base, 'POST', `/v2/mount/dst/blobs/uploads/?mount=${d}&from=mount/src`);
    assert.equal(ok.status, 201);
    assert.equal(ok.header('location'), `/v2/mount/dst/blobs/${d}`);
    assert.equal(ok.header('docker-content-digest'), d);
    assert.equal((await call(base, 'GET', `/v2/mount/dst/blobs/${d}`)).text, 'shared layer');

    const missing = sha256('not here');
    const fallback = await call(base, 'POST', `/v2/mount/dst2/blobs/uploads/?mount=${missing}&from=mount/src`);
    assert.equal(fallback.status, 202);
    assert.match(fallback.header('location')!, /^\/v2\/mount\/dst2\/blobs\/uploads\//);
    // the blob exists, but not in the named repository
    const wrongFrom = await call(base, 'POST', `/v2/mount/dst3/blobs/uploads/?mount=${d}&from=mount/nothing`);
    assert.equal(wrongFrom.status, 202);
    // without from, any repository's copy will do
    const auto = await call(base, 'POST', `/v2/mount/dst4/blobs/uploads/?mount=${d}`);
    assert.equal(auto.status, 201);
  });
});

describe('registry: manifests', () => {
  let base: string;
  registryPerSuite((url) => (base = url));

  it('pushes by tag and pulls by tag and digest with the exact bytes and content type', async () => {
    const img = await makeImage('web');
    const put = await pushImage(base, 'apps/web', 'v1', img);
    assert.equal(put.status, 201, put.text);
    assert.equal(put.header('docker-content-digest'), img.digest);
    assert.equal(put.header('location'), `/v2/apps/web/manifests/${img.digest}`);
    for (const ref of ['v1', img.digest]) {
      const get = await call(base, 'GET', `/v2/apps/web/manifests/${ref}`, { headers: { accept: OCI_MANIFEST } });
      assert.equal(get.status, 200);
      assert.ok(get.body.equals(img.manifest), 'byte for byte');
      assert.equal(get.header('content-type'), OCI_MANIFEST);
      assert.equal(get.header('docker-content-digest'), img.digest);
      const head = await call(base, 'HEAD', `/v2/apps/web/manifests/${ref}`);
      assert.equal(head.status, 200);
      assert.equal(head.header('content-length'), String(img.manifest.length));
      assert.equal(head.header('docker-content-digest'), img.digest);
    }
  });

  it('keeps the Content-Type it was given, byte for byte (Docker schema2, parameters)', async () => {
    const img = await makeImage('docker', { mediaType: DOCKER_MANIFEST });
    await pushImage(base, 'apps/docker', 'v1', img);
    const get = await call(base, 'GET', '/v2/apps/docker/manifests/v1');
    assert.equal(get.header('content-type'), DOCKER_MANIFEST);
    // an OCI manifest without mediaType in the body, pushed with a parameterised Content-Type
    const o = await makeImage('plain');
    const obj = JSON.parse(o.manifest.toString()) as Record<string, unknown>;
    delete obj.mediaType;
    const body = Buffer.from(JSON.stringify(obj));
    await pushImage(base, 'apps/plain', 'base', o);
    const ct = `${OCI_MANIFEST}; charset=utf-8`;
    const put = await pushManifest(base, 'apps/plain', 'noMediaType', body, ct);
    assert.equal(put.status, 201, put.text);
    const back = await call(base, 'GET', '/v2/apps/plain/manifests/noMediaType');
    assert.equal(back.header('content-type'), ct);
    assert.ok(back.body.equals(body));
  });

  it('refuses manifests naming blobs the repository lacks, listing each one', async () => {
    const img = await makeImage('lonely');
    const put = await pushManifest(base, 'apps/lonely', 'v1', img.manifest, OCI_MANIFEST);
    assert.equal(put.status, 400);
    const errs = put.json<{ errors: { code: string; detail: { digest: string } }[] }>().errors;
    assert.deepEqual(errs.map((e) => e.code), ['MANIFEST_BLOB_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN']);
    assert.deepEqual(errs.map((e) => e.detail.digest).sort(), [sha256(img.config), sha256(img.layers[0]!)].sort());
    assert.equal((await call(base, 'GET', '/v2/apps/lonely/manifests/v1')).status, 404, 'nothing was written');
  });

  it('an index needs its children as manifests in the repository', async () => {
    const amd = await makeImage('multi-amd64', { arch: 'amd64' });
    const arm = await makeImage('multi-arm64', { arch: 'arm64' });
    await pushImage(base, 'apps/multi', amd.digest, amd);
    const index = imageIndex([{ img: amd, arch: 'amd64' }, { img: arm, arch: 'arm64' }]);
    const early = await pushManifest(base, 'apps/multi', 'latest', index, OCI_INDEX);
    assert.equal(early.status, 400);
    assert.deepEqual(early.json<{ errors: { code: string; detail: unknown }[] }>().errors.map((e) => [e.code, e.detail]), [['MANIFEST_BLOB_UNKNOWN', { digest: arm.digest }]]);
    // a blob with the child's bytes is not enough: it must be a manifest
    await pushBlob(base, 'apps/multi', arm.manifest);
    assert.equal((await pushManifest(base, 'apps/multi', 'latest', index, OCI_INDEX)).status, 400);
    await pushImage(base, 'apps/multi', arm.digest, arm);
    const ok = await pushManifest(base, 'apps/multi', 'latest', index, OCI_INDEX);
    assert.equal(ok.status, 201, ok.text);
    const got = await call(base, 'GET', '/v2/apps/multi/manifests/latest');
    assert.equal(got.header('content-type'), OCI_INDEX);
    assert.ok(got.body.equals(index));
    // Docker manifest lists work the same way
    const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [{ mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.manifest.length }] }));
    assert.equal((await pushManifest(base, 'apps/multi', 'list', list, DOCKER_LIST)).status, 201);
  });

  it('refuses malformed manifests with MANIFEST_INVALID and mismatched digests with DIGEST_INVALID', async () => {
    const img = await makeImage('bad');
    await pushImage(base, 'apps/bad', 'v1', img);
    const cases: [string, Buffer | string, string][] = [
      ['not json', '{nope', OCI_MANIFEST],
      ['media type mismatch', img.manifest, DOCKER_MANIFEST],
      ['unsupported type', '{"schemaVersion":2}', 'application/vnd.example.thing+json'],
      ['bad descriptor', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: 'sha256:zz', size: 1 }, layers: [] }), OCI_MANIFEST],
      ['schemaVersion', JSON.stringify({ schemaVersion: 1, mediaType: OCI_MANIFEST, config: {}, layers: [] }), OCI_MANIFEST],
    ];
    for (const [what, body, ct] of cases) {
      const r = await pushManifest(base, 'apps/bad', 'x', body, ct);
      assert.equal(r.status, 400, what);
      assert.deepEqual(errorCodes(r), ['MANIFEST_INVALID'], what);
    }
    const wrong = await pushManifest(base, 'apps/bad', sha256('other'), img.manifest, OCI_MANIFEST);
    assert.equal(wrong.status, 400);
    assert.deepEqual(errorCodes(wrong), ['DIGEST_INVALID']);
    const byDigest = await pushManifest(base, 'apps/bad', img.digest, img.manifest, OCI_MANIFEST);
    assert.equal(byDigest.status, 201);
    const badTag = await pushManifest(base, 'apps/bad', '-dash', img.manifest, OCI_MANIFEST);
    assert.equal(badTag.status, 400);
    const big = await pushManifest(base, 'apps/bad', 'big', Buffer.alloc(4 * 1024 * 1024 + 1, 32), OCI_MANIFEST);
    assert.equal(big.status, 413);
  });

  it('deletes manifests by digest (and their tags), tags alone, and blobs', async () => {
    const img = await makeImage('gone');
    await pushImage(base, 'apps/gone', 'v1', img);
    await pushManifest(base, 'apps/gone', 'v2', img.manifest, OCI_MANIFEST);
    const tagDel = await call(base, 'DELETE', '/v2/apps/gone/manifests/v2');
    assert.equal(tagDel.status, 202);
    assert.equal((await call(base, 'GET', '/v2/apps/gone/manifests/v2')).status, 404);
    assert.equal((await call(base, 'GET', '/v2/apps/gone/manifests/v1')).status, 200, 'other tags stay');
    const del = await call(base, 'DELETE', `/v2/apps/gone/manifests/${img.digest}`);
    assert.equal(del.status, 202);
    for (const ref of ['v1', img.digest]) {
      const r = await call(base, 'GET', `/v2/apps/gone/manifests/${ref}`);
      assert.equal(r.status, 404);
      assert.deepEqual(errorCodes(r), ['MANIFEST_UNKNOWN']);
    }
    assert.deepEqual((await call(base, 'GET', '/v2/apps/gone/tags/list')).json<{ tags: string[] }>().tags, []);
    assert.equal((await call(base, 'DELETE', `/v2/apps/gone/manifests/${img.digest}`)).status, 404);
    const layer = sha256(img.layers[0]!);
    assert.equal((await call(base, 'DELETE', `/v2/apps/gone/blobs/${layer}`)).status, 202);
    const after = await call(base, 'HEAD', `/v2/apps/gone/blobs/${layer}`);
    assert.equal(after.status, 404);
    const again = await call(base, 'DELETE', `/v2/apps/gone/blobs/${layer}`);
    assert.equal(again.status, 404);
    assert.deepEqual(errorCodes(again), ['BLOB_UNKNOWN']);
  });

  it('answers errors in the spec JSON shape', async () => {
    const name = await call(base, 'GET', '/v2/Bad_Name/tags/list');
    assert.equal(name.status, 400);
    assert.deepEqual(errorCodes(name), ['NAME_INVALID']);
    const unknownRepo = await call(base, 'GET', '/v2/no/such/repo/tags/list');
    assert.equal(unknownRepo.status, 404);
    const body = unknownRepo.json<{ errors: { code: string; message: string; detail: unknown }[] }>();
    assert.equal(body.errors[0]!.code, 'NAME_UNKNOWN');
    assert.equal(typeof body.errors[0]!.message, 'string');
    assert.equal(unknownRepo.header('content-type'), 'application/json');
    const blob = await call(base, 'GET', `/v2/apps/web/blobs/${sha256('nothing')}`);
    assert.deepEqual(blob.json(), { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: sha256('nothing') } }] });
    const badTagGet = await call(base, 'GET', '/v2/apps/web/manifests/-not-a-tag');
    assert.equal(badTagGet.status, 404);
    assert.deepEqual(errorCodes(badTagGet), ['MANIFEST_UNKNOWN']);
    const method = await call(base, 'POST', '/v2/apps/web/tags/list');
    assert.equal(method.status, 405);
    assert.deepEqual(errorCodes(method), ['UNSUPPORTED']);
  });
});

describe('registry: referrers', () => {
  let base: string;
  registryPerSuite((url) => (base = url));

  it('lists manifests whose subject is a digest, filters by artifactType, and forgets deleted ones', async () => {
    const img = await makeImage('signed');
    await pushImage(base, 'ref/app', 'v1', img);
    const empty = Buffer.from('{}');
    const emptyDigest = await pushBlob(base, 'ref/app', empty);
    const subject = { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length };
    const sigPayload = await pushBlob(base, 'ref/app', 'signature-bytes');
    const artifact = (artifactType: string | undefined, annotations: Record<string, string>, configType = 'application/vnd.oci.empty.v1+json'): Buffer =>
      Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        ...(artifactType ? { artifactType } : {}),
        config: { mediaType: configType, digest: emptyDigest, size: 2 },
        layers: [{ mediaType: 'application/octet-stream', digest: sigPayload, size: 15 }],
        subject,
        annotations,
      }));
    const sig = artifact('application/vnd.example.signature', { 'org.example.kind': 'sig' });
    const sbom = artifact('application/spdx+json', { 'org.example.kind': 'sbom' });
    const legacy = artifact(undefined, { 'org.example.kind': 'legacy' }, 'application/vnd.example.legacy.config');

    // the subject need not exist for a referrer to be pushed
    const orphanSubject = sha256('no such manifest');
    const orphan = Buffer.from(sig.toString().replace(img.digest, orphanSubject));
    const po = await pushManifest(base, 'ref/app', sha256(orphan), orphan, OCI_MANIFEST);
    assert.equal(po.status, 201);
    assert.equal(po.header('oci-subject'), orphanSubject);

    for (const m of [sig, sbom, legacy]) {
      const r = await pushManifest(base, 'ref/app', sha256(m), m, OCI_MANIFEST);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.header('oci-subject'), img.digest);
    }
    const all = await call(base, 'GET', `/v2/ref/app/referrers/${img.digest}`);
    assert.equal(all.status, 200);
    assert.equal(all.header('content-type'), OCI_INDEX);
    assert.equal(all.header('oci-filters-applied'), undefined);
    const idx = all.json<{ schemaVersion: number; mediaType: string; manifests: { digest: string; artifactType: string; size: number; mediaType: string; annotations: Record<string, string> }[] }>();
    assert.equal(idx.schemaVersion, 2);
    assert.equal(idx.mediaType, OCI_INDEX);
    const byDigest = new Map(idx.manifests.map((m) => [m.digest, m]));
    assert.equal(byDigest.size, 3);
    assert.deepEqual(byDigest.get(sha256(sig)), { mediaType: OCI_MANIFEST, digest: sha256(sig), size: sig.length, artifactType: 'application/vnd.example.signature', annotations: { 'org.example.kind': 'sig' } });
    assert.equal(byDigest.get(sha256(legacy))!.artifactType, 'application/vnd.example.legacy.config', 'falls back to the config media type');

    const filtered = await call(base, 'GET', `/v2/ref/app/referrers/${img.digest}?artifactType=application/spdx%2Bjson`);
    assert.equal(filtered.header('oci-filters-applied'), 'artifactType');
    assert.deepEqual(filtered.json<{ manifests: { digest: string }[] }>().manifests.map((m) => m.digest), [sha256(sbom)]);

    const none = await call(base, 'GET', `/v2/ref/app/referrers/${sha256('unknown')}`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.json<{ manifests: unknown[] }>().manifests, []);
    const bad = await call(base, 'GET', '/v2/ref/app/referrers/sha256:nothex');
    assert.equal(bad.status, 400);

    assert.equal((await call(base, 'DELETE', `/v2/ref/app/manifests/${sha256(sig)}`)).status, 202);
    const afterDelete = await call(base, 'GET', `/v2/ref/app/referrers/${img.digest}`);
    assert.deepEqual(afterDelete.json<{ manifests: { digest: string }[] }>().manifests.map((m) => m.digest).sort(), [sha256(sbom), sha256(legacy)].sort());
  });
});

describe('registry: tags and catalog pagination', () => {
  let base: string;
  registryPerSuite((url) => (base = url));
  before(async () => {
    const img = await makeImage('tags');
    await pushImage(base, 'pg/one', 'v1', img);
    for (const t of ['b', 'A', 'v1.2', 'a', 'v1.10']) await pushManifest(base, 'pg/one', t, img.manifest, OCI_MANIFEST);
    for (const r of ['pg/two', 'pg-three', 'alpha']) await pushImage(base, r, 'x', img);
  });

  async function follow(first: string): Promise<{ pages: string[][]; links: string[] }> {
    const pages: string[][] = [];
    const links: string[] = [];
    let next: string | undefined = first;
    for (let i = 0; next && i < 20; i++) {
      const r = await call(base, 'GET', next);
      assert.equal(r.status, 200, r.text);
      const j = r.json<{ tags?: string[]; repositories?: string[] }>();
      pages.push(j.tags ?? j.repositories ?? []);
      const link = r.header('link');
      if (link) links.push(link);
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    }
    return { pages, links };
  }

  it('lists tags in lexical order, in pages of n with a Link to the next page', async () => {
    const all = await call(base, 'GET', '/v2/pg/one/tags/list');
    assert.deepEqual(all.json(), { name: 'pg/one', tags: ['A', 'a', 'b', 'v1', 'v1.10', 'v1.2'] });
    assert.equal(all.header('link'), undefined);
    const { pages, links } = await follow('/v2/pg/one/tags/list?n=4');
    assert.deepEqual(pages, [['A', 'a', 'b', 'v1'], ['v1.10', 'v1.2']]);
    assert.deepEqual(links, ['</v2/pg/one/tags/list?n=4&last=v1>; rel="next"']);
    const exact = await follow('/v2/pg/one/tags/list?n=3');
    assert.deepEqual(exact.pages, [['A', 'a', 'b'], ['v1', 'v1.10', 'v1.2']]);
    const last = await call(base, 'GET', '/v2/pg/one/tags/list?last=b');
    assert.deepEqual(last.json<{ tags: string[] }>().tags, ['v1', 'v1.10', 'v1.2']);
    const zero = await call(base, 'GET', '/v2/pg/one/tags/list?n=0');
    assert.deepEqual(zero.json<{ tags: string[] }>().tags, []);
    const bad = await call(base, 'GET', '/v2/pg/one/tags/list?n=-1');
    assert.equal(bad.status, 400);
  });

  it('lists repositories in the catalog, paginated the same way', async () => {
    const all = await call(base, 'GET', '/v2/_catalog');
    assert.deepEqual(all.json(), { repositories: ['alpha', 'pg-three', 'pg/one', 'pg/two'] });
    const { pages, links } = await follow('/v2/_catalog?n=3');
    assert.deepEqual(pages, [['alpha', 'pg-three', 'pg/one'], ['pg/two']]);
    assert.deepEqual(links, ['</v2/_catalog?n=3&last=pg%2Fone>; rel="next"']);
  });
});

describe('registry: basic auth from an htpasswd file', () => {
  it('needs credentials on every endpoint, accepts {SHA} and plain entries, and re-reads the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'htpasswd');
    // {SHA} entry for alice/wonderland as `htpasswd -s` writes it, and a plain one for bob
    writeFileSync(file, `alice:{SHA}${Buffer.from(await crypto.subtle.digest('SHA-1', new TextEncoder().encode('wonderland'))).toString('base64')}\nbob:builder\n`);
    const reg = await startRegistry({ storageDir: join(dir, 'data'), listen: '127.0.0.1:0', htpasswd: file, durable: false });
    try {
      const anon = await call(reg.url, 'GET', '/v2/');
      assert.equal(anon.status, 401);
      assert.equal(anon.header('www-authenticate'), 'Basic realm="Slipway Registry"');
      assert.deepEqual(errorCodes(anon), ['UNAUTHORIZED']);
      assert.equal((await call(reg.url, 'GET', '/v2/_catalog')).status, 401);
      assert.equal((await call(reg.url, 'POST', '/v2/x/blobs/uploads/')).status, 401);
      assert.equal((await call(reg.url, 'GET', '/v2/', { auth: { user: 'alice', password: 'wrong' } })).status, 401);
      assert.equal((await call(reg.url, 'GET', '/v2/', { auth: { user: 'nobody', password: 'wonderland' } })).status, 401);
      assert.equal((await call(reg.url, 'GET', '/v2/', { auth: { user: 'alice', password: 'wonderland' } })).status, 200);
      assert.equal((await call(reg.url, 'GET', '/v2/', { auth: { user: 'bob', password: 'builder' } })).status, 200);
      const img = await makeImage('authd');
      const put = await pushImage(reg.url, 'secure/app', 'v1', img, { auth: { user: 'alice', password: 'wonderland' } });
      assert.equal(put.status, 201);
      // bob is removed: the next request sees the new file
      writeFileSync(file, `alice:{SHA}${Buffer.from(await crypto.subtle.digest('SHA-1', new TextEncoder().encode('wonderland'))).toString('base64')}\n`);
      const { utimesSync } = await import('node:fs');
      utimesSync(file, new Date(2000, 1, 1), new Date(2001, 1, 1));
      assert.equal((await call(reg.url, 'GET', '/v2/', { auth: { user: 'bob', password: 'builder' } })).status, 401);
      assert.equal((await call(reg.url, 'GET', '/v2/', { auth: { user: 'alice', password: 'wonderland' } })).status, 200);
    } finally {
      await reg.close();
    }
  });
});

describe('registry: data survives a restart', () => {
  it('keeps blobs, manifests, tags, referrers and upload sessions; drops half-written files', async () => {
    const dir = tempDir();
    let reg = await startRegistry({ storageDir: dir, listen: '127.0.0.1:0' });
    const img = await makeImage('durable');
    await pushImage(reg.url, 'keep/app', 'v1', img);
    const cfg = await pushBlob(reg.url, 'keep/app', '{}');
    const sig = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sig', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: cfg, size: 2 }, layers: [], subject: { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length } }));
    assert.equal((await pushManifest(reg.url, 'keep/app', sha256(sig), sig, OCI_MANIFEST)).status, 201);
    const start = await call(reg.url, 'POST', '/v2/keep/app/blobs/uploads/');
    const p1 = await call(reg.url, 'PATCH', start.header('location')!, { body: 'first half|', headers: { 'content-range': '0-10' } });
    assert.equal(p1.status, 202);
    await reg.close();

    // what a crash mid-chunk leaves behind: bytes past the acknowledged size, and a temp file
    const id = readdirSync(join(dir, 'uploads'))[0]!;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, 'uploads', id, 'data'), 'GARBAGE FROM A CHUNK NEVER ACKNOWLEDGED');
    writeFileSync(join(dir, 'tmp', 'half-written.tmp'), 'partial');

    reg = await startRegistry({ storageDir: dir, listen: '127.0.0.1:0' });
    try {
      assert.equal(existsSync(join(dir, 'tmp', 'half-written.tmp')), false);
      const get = await call(reg.url, 'GET', '/v2/keep/app/manifests/v1');
      assert.equal(get.status, 200);
      assert.ok(get.body.equals(img.manifest));
      const layer = await call(reg.url, 'GET', `/v2/keep/app/blobs/${sha256(img.layers[0]!)}`);
      assert.ok(layer.body.equals(img.layers[0]!));
      assert.deepEqual((await call(reg.url, 'GET', '/v2/_catalog')).json(), { repositories: ['keep/app'] });
      const refs = await call(reg.url, 'GET', `/v2/keep/app/referrers/${img.digest}`);
      assert.deepEqual(refs.json<{ manifests: { digest: string }[] }>().manifests.map((m) => m.digest), [sha256(sig)]);
      const status = await call(reg.url, 'GET', p1.header('location')!);
      assert.equal(status.status, 204);
      assert.equal(status.header('range'), '0-10');
      const whole = 'first half|second half';
      const fin = await call(reg.url, 'PUT', `${p1.header('location')}?digest=${sha256(whole)}`, { body: 'second half', headers: { 'content-range': '11-21' } });
      assert.equal(fin.status, 201, fin.text);
      assert.equal((await call(reg.url, 'GET', `/v2/keep/app/blobs/${sha256(whole)}`)).text, whole);
    } finally {
      await reg.close();
    }
    // sessions older than the limit are dropped at start
    reg = await startRegistry({ storageDir: dir, listen: '127.0.0.1:0', uploadMaxAgeMs: 0 });
    try {
      const s = await call(reg.url, 'POST', '/v2/keep/app/blobs/uploads/');
      await reg.close();
      reg = await startRegistry({ storageDir: dir, listen: '127.0.0.1:0', uploadMaxAgeMs: 0 });
      assert.equal((await call(reg.url, 'GET', s.header('location')!)).status, 404);
    } finally {
      await reg.close();
    }
  });
});
