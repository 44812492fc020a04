/**
 * download-bundle: every image of a release BOM from a source registry into one bundle (an OCI
 * image layout plus slipway-bundle.json), as a directory or a tar. Blobs are fetched in parallel,
 * verified byte for byte, stored once however many images share them, and written under their
 * final name only when complete, so a re-run skips everything already downloaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BomImage, ReleaseBOM } from '../bom/bom.js';
import type { RegistryClient } from '../oci/client.js';
import { digestHex, isDigest, type Digest } from '../oci/digest.js';
import { MediaType, parseManifest, type Descriptor } from '../oci/media-types.js';
import { formatReference, joinRepo, type RepoLocation } from '../oci/reference.js';
import {
  BUNDLE_API_VERSION,
  BUNDLE_KIND,
  BUNDLE_MANIFEST_FILE,
  blobPath,
  OCI_INDEX_FILE,
  OCI_LAYOUT_CONTENT,
  OCI_LAYOUT_FILE,
  REF_NAME_ANNOTATION,
  REPOSITORY_ANNOTATION,
  type BundleImage,
  type BundleManifest,
  type BundleTagged,
} from './format.js';
import { forEachLimited } from './limiter.js';
import type { Progress } from './progress.js';
import { openBundle } from './source.js';
import { packTar } from './tar.js';

export const SIGNATURE_SUFFIXES = ['sig', 'att', 'sbom'] as const;

export interface DownloadOptions {
  client: RegistryClient;
  source: RepoLocation;
  bom: ReleaseBOM;
  /** `FILE.tar` for a tar bundle, anything else is a directory. */
  to: string;
  concurrency?: number;
  progress?: Progress;
  /** Look for signature tags and referrers (default true). */
  signatures?: boolean;
}

export interface DownloadResult {
  path: string;
  format: 'tar' | 'dir';
  release: string;
  images: number;
  blobs: number;
  bytes: number;
  downloadedBlobs: number;
  downloadedBytes: number;
  skippedBlobs: number;
  /** The bundle was already complete: nothing was fetched. */
  upToDate: boolean;
  elapsedMs: number;
}

export function isTarPath(p: string): boolean {
  return p.endsWith('.tar');
}

async function writeAtomic(file: string, data: Buffer | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

interface ImageWork {
  bom: BomImage;
  repo: string;
  image: BundleImage;
  blobs: Map<Digest, number>;
}

/** The bundle at `path` already holds exactly this BOM (same images; same digests where pinned). */
async function alreadyComplete(path: string, bom: ReleaseBOM): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    const m = await (await openBundle(path)).manifest();
    if (m.release !== bom.release || m.images.length !== bom.images.length) return false;
    const have = new Map(m.images.map((i) => [`${i.repository}:${i.tag}`, i.digest]));
    return bom.images.every((i) => have.has(`${i.repository}:${i.tag}`) && (!i.digest || have.get(`${i.repository}:${i.tag}`) === i.digest));
  } catch {
    return false;
  }
}

export async function downloadBundle(opts: DownloadOptions): Promise<DownloadResult> {
  const started = Date.now();
  const tar = isTarPath(opts.to);
  const concurrency = opts.concurrency ?? 8;
  const progress = opts.progress;
  const { client, bom } = opts;
  const staging = tar ? `${opts.to}.parts` : opts.to;

  if (tar && !existsSync(staging) && (await alreadyComplete(opts.to, bom))) {
    const m = await (await openBundle(opts.to)).manifest();
    const blobs = Object.keys(m.files).filter((f) => f.startsWith('blobs/'));
    progress?.note(`bundle ${opts.to} is already complete (release ${bom.release}, ${m.images.length} images)`);
    return { path: opts.to, format: 'tar', release: bom.release, images: m.images.length, blobs: blobs.length, bytes: blobs.reduce((a, f) => a + m.files[f]!.size, 0), downloadedBlobs: 0, downloadedBytes: 0, skippedBlobs: blobs.length, upToDate: true, elapsedMs: Date.now() - started };
  }

  await fsp.mkdir(join(staging, 'blobs', 'sha256'), { recursive: true });
  // the bundle manifest marks a complete bundle: drop it until this run completes
  await fsp.rm(join(staging, BUNDLE_MANIFEST_FILE), { force: true });

  const blobFile = (d: Digest): string => join(staging, blobPath(d));
  const manifestCache = new Map<string, Promise<{ bytes: Buffer; digest: Digest; mediaType: string }>>();
  const getManifest = (repo: string, ref: string, mediaTypeHint?: string): Promise<{ bytes: Buffer; digest: Digest; mediaType: string }> => {
    const key = `${repo}@${ref}`;
    let p = manifestCache.get(key);
    if (!p) {
      p = (async () => {
        if (isDigest(ref) && mediaTypeHint && existsSync(blobFile(ref))) {
          const bytes = await fsp.readFile(blobFile(ref));
          const h = createHash('sha256').update(bytes).digest('hex');
          if (h === digestHex(ref)) return { bytes, digest: ref, mediaType: mediaTypeHint };
        }
        const m = await client.getManifest(repo, ref);
        if (!existsSync(blobFile(m.digest))) await writeAtomic(blobFile(m.digest), m.bytes);
        return m;
      })();
      manifestCache.set(key, p);
    }
    return p;
  };

  // 1. resolve every image: manifests (kept byte for byte), children, signatures, referrers
  const work: ImageWork[] = bom.images.map((b) => ({
    bom: b,
    repo: joinRepo(opts.source, b.repository),
    image: undefined as unknown as BundleImage,
    blobs: new Map<Digest, number>(),
  }));
  const blobRepo = new Map<Digest, { repo: string; size: number }>();
  await forEachLimited(work, concurrency, async (w) => {
    const ref = w.bom.digest ?? w.bom.tag;
    let top;
    try {
      top = await getManifest(w.repo, ref);
    } catch (e) {
      throw new Error(`image ${formatReference({ registry: opts.source.registry, repository: w.repo, tag: w.bom.tag, digest: w.bom.digest })}: ${(e as Error).message}`);
    }
    const addBlob = (d: Descriptor): void => {
      w.blobs.set(d.digest, d.size);
      if (!blobRepo.has(d.digest)) blobRepo.set(d.digest, { repo: w.repo, size: d.size });
    };
    const walk = async (bytes: Buffer, digest: Digest, mediaType: string): Promise<Digest[]> => {
      w.blobs.set(digest, bytes.length);
      const refs = parseManifest(bytes, mediaType);
      const seen: Digest[] = [digest];
      for (const b of refs.blobs) addBlob(b);
      for (const c of refs.manifests) {
        const child = await getManifest(w.repo, c.digest, c.mediaType);
        seen.push(...(await walk(child.bytes, child.digest, c.mediaType)));
      }
      return seen;
    };
    const topType = parseManifest(top.bytes, top.mediaType).mediaType;
    const manifestDigests = await walk(top.bytes, top.digest, topType);
    const signatures: BundleTagged[] = [];
    const referrers: BundleImage['referrers'] = [];
    if (opts.signatures !== false) {
      // one tags list per repository instead of a HEAD per manifest and suffix
      const tags = new Set(await client.listTags(w.repo).catch(() => [] as string[]));
      for (const md of manifestDigests) {
        for (const suffix of SIGNATURE_SUFFIXES) {
          const tag = `sha256-${digestHex(md)}.${suffix}`;
          if (!tags.has(tag)) continue;
          const sig = await getManifest(w.repo, tag);
          const mt = parseManifest(sig.bytes, sig.mediaType).mediaType;
          await walk(sig.bytes, sig.digest, mt);
          signatures.push({ tag, digest: sig.digest, mediaType: mt, size: sig.bytes.length });
        }
      }
      for (const r of (await client.referrers(w.repo, top.digest)) ?? []) {
        if (signatures.some((s) => s.digest === r.digest)) continue;
        const m = await getManifest(w.repo, r.digest, r.mediaType);
        await walk(m.bytes, m.digest, r.mediaType);
        referrers.push({ digest: r.digest, mediaType: r.mediaType, size: m.bytes.length, ...(r.artifactType ? { artifactType: r.artifactType } : {}) });
      }
    }
    w.image = {
      repository: w.bom.repository,
      tag: w.bom.tag,
      source: formatReference({ registry: opts.source.registry, repository: w.repo, tag: w.bom.tag, digest: top.digest }),
      digest: top.digest,
      mediaType: topType,
      size: top.bytes.length,
      blobs: [...w.blobs.keys()],
      totalSize: [...w.blobs.values()].reduce((a, b) => a + b, 0),
      ...(signatures.length ? { signatures } : {}),
      ...(referrers.length ? { referrers } : {}),
    };
  });

  // 2. blobs, each once, in parallel; complete files are skipped
  const todo: { digest: Digest; repo: string; size: number }[] = [];
  let skippedBlobs = 0;
  let skippedBytes = 0;
  for (const [digest, { repo, size }] of blobRepo) {
    const st = await fsp.stat(blobFile(digest)).catch(() => undefined);
    if (st && st.size === size) {
      skippedBlobs++;
      skippedBytes += size;
    } else todo.push({ digest, repo, size });
  }
  const totalBytes = [...blobRepo.values()].reduce((a, b) => a + b.size, 0);
  progress?.start({ bytes: totalBytes, images: work.length, blobs: blobRepo.size });
  progress?.bytes(skippedBytes);
  // biggest first keeps every connection busy until the end
  todo.sort((a, b) => b.size - a.size);
  let downloadedBytes = 0;
  const pending = new Set(todo.map((t) => t.digest));
  const remaining = new Map(work.map((w) => [w, new Set([...w.blobs.keys()].filter((d) => pending.has(d)))]));
  const finishImages = (d: Digest | undefined): void => {
    for (const [w, set] of remaining) {
      if (d) set.delete(d);
      if (set.size === 0) {
        remaining.delete(w);
        progress?.image('downloaded', `${w.bom.repository}:${w.bom.tag}`);
      }
    }
  };
  finishImages(undefined);
  try {
    await forEachLimited(todo, concurrency, async (b) => {
      await client.downloadBlob(b.repo, { digest: b.digest, size: b.size }, blobFile(b.digest), (n) => progress?.bytes(n));
      downloadedBytes += b.size;
      progress?.blob('downloaded', b.digest, b.size, `from ${b.repo}`);
      finishImages(b.digest);
    });
  } finally {
    progress?.stop();
  }

  // 3. layout files and the bundle manifest
  const images = work.map((w) => w.image);
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: images.flatMap((img) => [
      { mediaType: img.mediaType, digest: img.digest, size: img.size, annotations: { [REF_NAME_ANNOTATION]: `${img.repository}:${img.tag}`, [REPOSITORY_ANNOTATION]: img.repository } },
      ...(img.signatures ?? []).map((s) => ({ mediaType: s.mediaType, digest: s.digest, size: s.size, annotations: { [REF_NAME_ANNOTATION]: `${img.repository}:${s.tag}`, [REPOSITORY_ANNOTATION]: img.repository } })),
      ...(img.referrers ?? []).map((r) => ({ mediaType: r.mediaType, digest: r.digest, size: r.size, annotations: { [REPOSITORY_ANNOTATION]: img.repository } })),
    ]),
  };
  const indexBytes = Buffer.from(JSON.stringify(index, null, 2) + '\n');
  await writeAtomic(join(staging, OCI_LAYOUT_FILE), OCI_LAYOUT_CONTENT);
  await writeAtomic(join(staging, OCI_INDEX_FILE), indexBytes);
  const files: BundleManifest['files'] = {
    [OCI_LAYOUT_FILE]: { sha256: createHash('sha256').update(OCI_LAYOUT_CONTENT).digest('hex'), size: Buffer.byteLength(OCI_LAYOUT_CONTENT) },
    [OCI_INDEX_FILE]: { sha256: createHash('sha256').update(indexBytes).digest('hex'), size: indexBytes.length },
  };
  const allBlobs = new Map<Digest, number>();
  for (const w of work) for (const [d, s] of w.blobs) allBlobs.set(d, s);
  for (const [d, size] of [...allBlobs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) files[blobPath(d)] = { sha256: digestHex(d), size };
  const manifest: BundleManifest = {
    apiVersion: BUNDLE_API_VERSION,
    kind: BUNDLE_KIND,
    release: bom.release,
    sourceRepo: opts.source.prefix ? `${opts.source.registry}/${opts.source.prefix}` : opts.source.registry,
    created: new Date().toISOString(),
    images,
    files,
  };
  await writeAtomic(join(staging, BUNDLE_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');

  if (tar) {
    await fsp.mkdir(dirname(opts.to) || '.', { recursive: true });
    const tmp = `${opts.to}.tmp-${process.pid}`;
    try {
      await packTar(staging, [BUNDLE_MANIFEST_FILE, OCI_LAYOUT_FILE, OCI_INDEX_FILE, ...Object.keys(files).filter((f) => f.startsWith('blobs/'))], tmp);
      await fsp.rename(tmp, opts.to);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fsp.rm(staging, { recursive: true, force: true });
  }
  const bytes = [...allBlobs.values()].reduce((a, b) => a + b, 0);
  return {
    path: opts.to,
    format: tar ? 'tar' : 'dir',
    release: bom.release,
    images: images.length,
    blobs: allBlobs.size,
    bytes,
    downloadedBlobs: todo.length,
    downloadedBytes,
    skippedBlobs,
    upToDate: false,
    elapsedMs: Date.now() - started,
  };
}
