import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { DigestVerifier, digestOf } from './digest.js';
import { MediaType, parseManifest } from './media-types.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

describe('manifests and digests', () => {
  it('lists what OCI/Docker manifests and indexes refer to', () => {
    const m = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.dockerManifest, config: { mediaType: MediaType.dockerConfig, digest: d('a'), size: 10 }, layers: [{ mediaType: MediaType.dockerLayerGzip, digest: d('b'), size: 20 }] })));
    assert.equal(m.mediaType, MediaType.dockerManifest);
    assert.deepEqual(m.blobs.map((b) => b.digest), [d('a'), d('b')]);
    // OCI index without a mediaType field: taken from the Content-Type
    const i = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: d('c'), size: 5, platform: { architecture: 'arm64', os: 'linux' } }] })), MediaType.ociIndex);
    assert.equal(i.mediaType, MediaType.ociIndex);
    assert.equal(i.manifests[0]!.platform?.architecture, 'arm64');
    const s = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d('e'), size: 2 }, layers: [], subject: { mediaType: MediaType.ociManifest, digest: d('f'), size: 1 } })));
    assert.equal(s.subject?.digest, d('f'));
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}')), /schemaVersion 1 is not supported/);
    assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: 'x', digest: 'md5:1', size: 1 }, layers: [] }))), /config\.digest: invalid digest/);
  });

  it('DigestVerifier passes good bytes and fails on a changed byte or a wrong size', async () => {
    const data = Buffer.from('hello relocation');
    const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(Readable.from([data.subarray(0, 5), data.subarray(5)]), new DigestVerifier(digestOf(data), data.length, 'blob'), sink());
    const bad = Buffer.from(data);
    bad[3] = bad[3]! ^ 1;
    await assert.rejects(pipeline(Readable.from([bad]), new DigestVerifier(digestOf(data), data.length, 'blob x'), sink()), /blob x: digest mismatch: expected sha256:/);
    await assert.rejects(pipeline(Readable.from([data, data]), new DigestVerifier(digestOf(data), data.length, 'blob y'), sink()), /blob y: size mismatch/);
  });
});
