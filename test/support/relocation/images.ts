/**
 * Test images written by hand, without internet: gzip tar layers (tar-stream + node:zlib) with
 * deterministic pseudo-random content, OCI and Docker schema2 configs and manifests, OCI indexes,
 * cosign-style signature manifests. Blobs are written to a directory (streamed, so the benchmark
 * can build a gigabyte) and pushed to a registry with Slipway's client, bytes unchanged.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zc } from 'node:zlib';
import * as tar from 'tar-stream';
import type { RegistryClient } from '../../../src/relocation/oci/client.js';
import type { Digest } from '../../../src/relocation/oci/digest.js';
import { MediaType, type Descriptor } from '../../../src/relocation/oci/media-types.js';

export interface Blob {
  digest: Digest;
  size: number;
  mediaType: string;
}

/** Where built blobs live: `dir/<hex>`. */
export class BlobStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  file(d: Digest): string {
    return join(this.dir, d.slice(7));
  }

  async putBytes(bytes: Buffer, mediaType: string): Promise<Blob> {
    const digest: Digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await fsp.writeFile(this.file(digest), bytes);
    return { digest, size: bytes.length, mediaType };
  }

  /** Writes a streamed blob, hashing on the way; memory stays flat whatever the size. */
  async putStream(src: Readable, mediaType: string): Promise<Blob> {
    const tmp = join(this.dir, `tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new PassThrough();
    tap.on('data', (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    await pipeline(src, tap, createWriteStream(tmp));
    const digest: Digest = `sha256:${hash.digest('hex')}`;
    await fsp.rename(tmp, this.file(digest));
    return { digest, size, mediaType };
  }
}

/** Deterministic incompressible bytes from a seed (AES-128-CTR over zeros). */
export function pseudoRandom(seed: string, size: number): Readable {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(256 * 1024);
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(zeros.length, size - produced);
      produced += n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

/**
 * A gzip tar layer holding one file of `size` pseudo-random bytes. Random data does not compress,
 * so the layer is about `size` bytes; level 1 keeps building fast.
 */
export async function buildLayer(store: BlobStore, seed: string, size: number, mediaType: string = MediaType.ociLayerGzip): Promise<Blob & { diffId: Digest }> {
  const pack = tar.pack();
  const gz = createGzip({ level: zc.Z_BEST_SPEED });
  const diff = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (c: Buffer) => diff.update(c));
  const written = store.putStream(pack.pipe(tap).pipe(gz), mediaType);
  const entry = pack.entry({ name: `data/${seed.replace(/[^a-z0-9]/gi, '_')}.bin`, size, mtime: new Date(0), mode: 0o644 });
  await pipeline(pseudoRandom(seed, size), entry);
  pack.finalize();
  const blob = await written;
  return { ...blob, diffId: `sha256:${diff.digest('hex')}` };
}

export interface BuiltImage {
  /** Top-level manifest bytes (index or manifest) and descriptor. */
  bytes: Buffer;
  digest: Digest;
  mediaType: string;
  /** Child manifests (for indexes). */
  children: { bytes: Buffer; digest: Digest; mediaType: string }[];
  /** Config and layer blobs. */
  blobs: Blob[];
}

export async function buildImage(
  store: BlobStore,
  opts: { format: 'oci' | 'docker'; layers: (Blob & { diffId: Digest })[]; arch?: string; label?: string },
): Promise<BuiltImage> {
  const config = {
    architecture: opts.arch ?? 'amd64',
    os: 'linux',
    config: { Labels: { 'dev.slipway.test': opts.label ?? 'image' } },
    rootfs: { type: 'layers', diff_ids: opts.layers.map((l) => l.diffId) },
    history: opts.layers.map((_, i) => ({ created_by: `layer ${i}` })),
  };
  const cfg = await store.putBytes(Buffer.from(JSON.stringify(config)), opts.format === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig);
  const layerType = opts.format === 'oci' ? MediaType.ociLayerGzip : MediaType.dockerLayerGzip;
  const manifest = {
    schemaVersion: 2,
    mediaType: opts.format === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest,
    config: { mediaType: cfg.mediaType, digest: cfg.digest, size: cfg.size },
    layers: opts.layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.size })),
  };
  // pretty-printed with 3 spaces, as some tools do: the bytes must survive unchanged
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const m = await store.putBytes(bytes, manifest.mediaType);
  return { bytes, digest: m.digest, mediaType: manifest.mediaType, children: [], blobs: [cfg, ...opts.layers.map((l) => ({ ...l, mediaType: layerType }))] };
}

export async function buildIndex(store: BlobStore, format: 'oci' | 'docker', platforms: { image: BuiltImage; arch: string }[]): Promise<BuiltImage> {
  const index = {
    schemaVersion: 2,
    mediaType: format === 'oci' ? MediaType.ociIndex : MediaType.dockerManifestList,
    manifests: platforms.map((p) => ({ mediaType: p.image.mediaType, digest: p.image.digest, size: p.image.bytes.length, platform: { architecture: p.arch, os: 'linux' } })),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  const m = await store.putBytes(bytes, index.mediaType);
  return {
    bytes,
    digest: m.digest,
    mediaType: index.mediaType,
    children: platforms.map((p) => ({ bytes: p.image.bytes, digest: p.image.digest, mediaType: p.image.mediaType })),
    blobs: platforms.flatMap((p) => p.image.blobs),
  };
}

/** A cosign-style signature manifest for `subject` (to be tagged `sha256-<hex>.sig`). */
export async function buildSignature(store: BlobStore, subject: { digest: Digest }, repo: string): Promise<BuiltImage> {
  const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': repo }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' }, optional: null }));
  const layer = await store.putBytes(payload, 'application/vnd.dev.cosign.simplesigning.v1+json');
  const cfg = await store.putBytes(Buffer.from(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } })), MediaType.ociConfig);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: cfg.mediaType, digest: cfg.digest, size: cfg.size },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size, annotations: { 'dev.cosignproject.cosign/signature': Buffer.from(`sig-of-${subject.digest}`).toString('base64') } }],
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const m = await store.putBytes(bytes, manifest.mediaType);
  return { bytes, digest: m.digest, mediaType: manifest.mediaType, children: [], blobs: [cfg, layer] };
}

/** Pushes an image (blobs, children, then the top manifest under `tag`) with Slipway's client. */
export async function pushImage(client: RegistryClient, store: BlobStore, repo: string, tag: string, img: BuiltImage): Promise<void> {
  const seen = new Set<string>();
  await Promise.all(
    img.blobs
      .filter((b) => !seen.has(b.digest) && seen.add(b.digest))
      .map(async (b: Descriptor | Blob) => {
        if ((await client.headBlob(repo, b.digest)) !== undefined) return;
        await client.pushBlob(repo, b, (start, end) => createReadStream(store.file(b.digest), { start, end }));
      }),
  );
  for (const c of img.children) await client.putManifest(repo, c.digest, c.bytes, c.mediaType);
  await client.putManifest(repo, tag, img.bytes, img.mediaType);
}
