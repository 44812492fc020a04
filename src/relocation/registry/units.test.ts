/** Table tests of the registry's pure parts: digests, names, ranges, manifests, htpasswd. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tryParseDigest } from './digest.js';
import { RegistryError } from './errors.js';
import { parseBasicAuth, parseHtpasswd } from './htpasswd.js';
import { parseManifest } from './manifest.js';
import { isValidName, isValidTag } from './names.js';
import { parseContentRange, parseRangeHeader, uploadRangeHeader } from './ranges.js';

const H64 = 'a'.repeat(64);

describe('registry pure parts', () => {
  it('digests: sha256 and sha512 with exact hex lengths, nothing else', () => {
    const table: [string, boolean][] = [
      [`sha256:${H64}`, true],
      [`sha512:${'b'.repeat(128)}`, true],
      [`sha256:${'A'.repeat(64)}`, false],
      [`sha256:${'a'.repeat(63)}`, false],
      [`sha384:${'a'.repeat(96)}`, false],
      ['md5:abc', false],
      [H64, false],
      ['', false],
    ];
    for (const [s, ok] of table) assert.equal(tryParseDigest(s) !== undefined, ok, s);
  });

  it('repository names and tags follow the spec grammar', () => {
    for (const n of ['a', 'library/ubuntu', 'a.b_c__d---e/f0', 'x/y/z']) assert.ok(isValidName(n), n);
    for (const n of ['', 'A', 'a/', '/a', 'a//b', 'a..b', '_a', 'a-', 'a/_manifests', `${'a'.repeat(256)}`]) assert.ok(!isValidName(n), n);
    for (const t of ['latest', 'v1.2.3', '_x', 'A-b.c_d', 'x'.repeat(128)]) assert.ok(isValidTag(t), t);
    for (const t of ['', '.hidden', '-x', 'a/b', 'a:b', 'x'.repeat(129)]) assert.ok(!isValidTag(t), t);
  });

  it('GET Range headers', () => {
    const table: [string | undefined, number, ReturnType<typeof parseRangeHeader>][] = [
      [undefined, 10, undefined],
      ['bytes=0-4', 10, { start: 0, end: 4 }],
      ['bytes=5-', 10, { start: 5, end: 9 }],
      ['bytes=5-100', 10, { start: 5, end: 9 }],
      ['bytes=-3', 10, { start: 7, end: 9 }],
      ['bytes=-30', 10, { start: 0, end: 9 }],
      ['bytes=10-', 10, 'unsatisfiable'],
      ['bytes=20-30', 10, 'unsatisfiable'],
      ['bytes=-0', 10, 'unsatisfiable'],
      ['bytes=4-2', 10, undefined],
      ['bytes=0-1,3-4', 10, undefined],
      ['items=0-1', 10, undefined],
    ];
    for (const [h, size, want] of table) assert.deepEqual(parseRangeHeader(h, size), want, String(h));
  });

  it('upload Content-Range in the forms clients send', () => {
    assert.deepEqual(parseContentRange('0-4'), { start: 0, end: 4 });
    assert.deepEqual(parseContentRange('bytes 5-9/20'), { start: 5, end: 9 });
    assert.deepEqual(parseContentRange('bytes=5-9'), { start: 5, end: 9 });
    assert.deepEqual(parseContentRange('bytes 5-9/*'), { start: 5, end: 9 });
    assert.equal(parseContentRange('9-5'), undefined);
    assert.equal(parseContentRange('abc'), undefined);
    assert.equal(uploadRangeHeader(0), '0-0');
    assert.equal(uploadRangeHeader(10), '0-9');
  });

  it('manifests: kinds, references, artifactType fallback, and refusals', () => {
    const cfg = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${H64}`, size: 2 };
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'c'.repeat(64)}`, size: 3 };
    const foreign = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: `sha256:${'d'.repeat(64)}`, size: 3, urls: ['https://example.com/l'] };
    const img = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: cfg, layers: [layer, layer, foreign] })), 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(img.kind, 'image');
    assert.deepEqual(img.blobs, [cfg.digest, layer.digest], 'config + layers once, foreign layers skipped');
    assert.equal(img.artifactType, cfg.mediaType);
    const idx = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...layer, mediaType: 'application/vnd.oci.image.manifest.v1+json' }] })), undefined);
    assert.equal(idx.kind, 'index');
    assert.deepEqual(idx.children, [layer.digest]);
    const bad: [string, string | undefined][] = [
      ['[]', 'application/vnd.oci.image.manifest.v1+json'],
      ['{"schemaVersion":2}', undefined],
      [JSON.stringify({ schemaVersion: 2, config: cfg }), 'application/vnd.oci.image.manifest.v1+json'],
      [JSON.stringify({ schemaVersion: 2, config: { ...cfg, size: -1 }, layers: [] }), 'application/vnd.oci.image.manifest.v1+json'],
      [JSON.stringify({ schemaVersion: 2, config: cfg, layers: [], annotations: { a: 1 } }), 'application/vnd.oci.image.manifest.v1+json'],
      [JSON.stringify({ schemaVersion: 2, manifests: {} }), 'application/vnd.oci.image.index.v1+json'],
    ];
    for (const [body, ct] of bad) {
      assert.throws(() => parseManifest(Buffer.from(body), ct), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_INVALID', body);
    }
  });

  it('htpasswd: bcrypt/{SHA}/plain accepted, MD5 and crypt variants refused naming the line', () => {
    const bcrypt = `$2y$05$${'a'.repeat(53)}`;
    const entries = parseHtpasswd(`# comment\n\nalice:{SHA}abc=\nbob:${bcrypt}\ncarol:plainpw\n`, 'users.htpasswd');
    assert.deepEqual(entries.map((e) => [e.user, e.scheme, e.line]), [['alice', 'sha1', 3], ['bob', 'bcrypt', 4], ['carol', 'plain', 5]]);
    assert.throws(() => parseHtpasswd('x:y\ndave:$apr1$abc$def\n', 'f'), /^HtpasswdError: f line 2: user "dave" has a apr1 hash/);
    assert.throws(() => parseHtpasswd('nocolon\n', 'f'), /f line 1: expected USER:HASH/);
    assert.throws(() => parseHtpasswd('a:x\na:y\n', 'f'), /f line 2: user "a" appears twice/);
    assert.deepEqual(parseBasicAuth(`Basic ${Buffer.from('u:p:w').toString('base64')}`), { user: 'u', password: 'p:w' });
    assert.equal(parseBasicAuth('Bearer abc'), undefined);
  });
});
