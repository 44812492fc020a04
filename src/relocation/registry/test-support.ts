/**
 * Helpers for the registry's tests: raw HTTP(S) requests, pushing blobs and manifests, a tiny
 * OCI image layout on disk (config + one gzip tar layer), and a test CA. Used by *.test.ts only.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
  header(name: string): string | undefined;
}

export interface CallOptions {
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string | AsyncIterable<Buffer>;
  ca?: string | Buffer;
  auth?: { user: string; password: string };
}

/** One HTTP(S) request; `url` is the registry base, `path` absolute or a Location value. */
export function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, base);
  const headers: OutgoingHttpHeaders = { ...opts.headers };
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64')}`;
  const body = opts.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] ??= Buffer.byteLength(body);
  const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = fn(url, { method, headers, ...(opts.ca ? { ca: opts.ca } : {}), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        const text = b.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: b,
          text,
          json: <T>() => JSON.parse(text) as T,
          header: (name: string) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
    } else {
      void (async () => {
        try {
          for await (const c of body) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
          req.end();
        } catch (e) {
          req.destroy(e as Error);
        }
      })();
    }
  });
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function sha512(data: Buffer | string): string {
  return `sha512:${createHash('sha512').update(data).digest('hex')}`;
}

/** Monolithic push (POST then PUT); returns the digest. */
export async function pushBlob(base: string, repo: string, data: Buffer | string, opts: CallOptions = {}): Promise<string> {
  const digest = sha256(data);
  const start = await call(base, 'POST', `/v2/${repo}/blobs/uploads/`, opts);
  if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${start.text}`);
  const loc = new URL(start.header('location')!, base);
  loc.searchParams.set('digest', digest);
  const put = await call(base, 'PUT', loc.pathname + loc.search, { ...opts, body: data, headers: { ...opts.headers, 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${put.text}`);
  return digest;
}

export async function pushManifest(base: string, repo: string, ref: string, body: Buffer | string, contentType: string, opts: CallOptions = {}): Promise<Reply> {
  return call(base, 'PUT', `/v2/${repo}/manifests/${ref}`, { ...opts, body, headers: { ...opts.headers, 'content-type': contentType } });
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** A gzip tar holding the given files. */
export async function tarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mtime: new Date(0), mode: 0o644 }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export interface TestImage {
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
  digest: string;
}

/** A small single-platform OCI image whose content depends on `seed`. */
export async function makeImage(seed: string, opts: { arch?: string; mediaType?: string } = {}): Promise<TestImage> {
  const layer = await tarGz({ [`etc/${seed}.txt`]: `hello from ${seed}\n` });
  const arch = opts.arch ?? 'amd64';
  const diffId = sha256(gunzipSync(layer));
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', config: { Env: [`SEED=${seed}`] }, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const docker = opts.mediaType === DOCKER_MANIFEST;
  const manifestObj = {
    schemaVersion: 2,
    mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
    config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: [{ mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : OCI_LAYER, digest: sha256(layer), size: layer.length }],
  };
  // two-space indentation on purpose: the registry must keep these exact bytes
  const manifest = Buffer.from(JSON.stringify(manifestObj, null, 2));
  return { config, layers: [layer], manifest, digest: sha256(manifest) };
}

/** An OCI image index of linux images, one per architecture. */
export function imageIndex(images: { img: TestImage; arch: string }[]): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map(({ img, arch }) => ({ mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length, platform: { architecture: arch, os: 'linux' } })),
  }));
}

/** Pushes an image's blobs and manifest under `ref`. */
export async function pushImage(base: string, repo: string, ref: string, img: TestImage, opts: CallOptions = {}): Promise<Reply> {
  await pushBlob(base, repo, img.config, opts);
  for (const l of img.layers) await pushBlob(base, repo, l, opts);
  const mt = (JSON.parse(img.manifest.toString()) as { mediaType: string }).mediaType;
  return pushManifest(base, repo, ref, img.manifest, mt, opts);
}

/** Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) holding `images` under their tags. */
export function writeOciLayout(dir: string, images: { tag: string; img: TestImage; mediaType?: string }[], extraBlobs: Buffer[] = []): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer): void => writeFileSync(join(dir, 'blobs', 'sha256', sha256(b).slice(7)), b);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = images.map(({ tag, img, mediaType }) => {
    put(img.config);
    img.layers.forEach(put);
    put(img.manifest);
    return { mediaType: mediaType ?? OCI_MANIFEST, digest: img.digest, size: img.manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } };
  });
  extraBlobs.forEach(put);
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/** Bytes produced on demand: `size` bytes in chunks, never held at once. */
export async function* generatedBytes(size: number, chunk = 1 << 20, seed = 7): AsyncGenerator<Buffer> {
  const block = Buffer.alloc(chunk);
  for (let i = 0; i < chunk; i++) block[i] = (i * 31 + seed) & 0xff;
  let left = size;
  let n = 0;
  while (left > 0) {
    const b = Buffer.from(block.subarray(0, Math.min(chunk, left)));
    b.writeUInt32BE(n++ >>> 0, 0);
    left -= b.length;
    yield b;
  }
}

export async function digestOfStream(src: AsyncIterable<Buffer>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of src) h.update(c);
  return `sha256:${h.digest('hex')}`;
}
