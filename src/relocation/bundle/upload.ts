/**
 * upload-bundle: verifies a bundle completely (refusing it, naming the blob and image, before
 * anything is pushed), then pushes every image under the destination prefix keeping tags and
 * digests. Blobs the destination has are skipped, blobs already in another of its repositories
 * are mounted, the rest are streamed from the bundle in parallel. Manifests go last, so an
 * interrupted upload simply resumes: finished blobs are found by HEAD and never sent again.
 */
import type { RegistryClient } from '../oci/client.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest, type Descriptor } from '../oci/media-types.js';
import { formatReference, joinRepo, type RepoLocation } from '../oci/reference.js';
import { blobPath, imageName, type BundleImage, type BundleManifest } from './format.js';
import { Limiter } from './limiter.js';
import type { Progress } from './progress.js';
import type { BundleSource } from './source.js';
import { describeProblem, verifyBundle, type BundleProblem } from './verify.js';

export interface UploadOptions {
  client: RegistryClient;
  destination: RepoLocation;
  source: BundleSource;
  concurrency?: number;
  /** Upload blobs larger than this in PATCH chunks of this size (default: one PUT per blob). */
  chunkSize?: number;
  progress?: Progress;
}

export interface RelocatedImage {
  repository: string;
  tag: string;
  digest: Digest;
  source: string;
  destination: string;
}

export interface UploadResult {
  release: string;
  imageRepository: string;
  images: RelocatedImage[];
  blobsPushed: number;
  blobsMounted: number;
  blobsSkipped: number;
  bytesPushed: number;
  manifestsPushed: number;
  imagesSkipped: number;
  verifiedBytes: number;
  /** Time spent verifying the bundle before the first push. */
  verifyMs: number;
  elapsedMs: number;
}

/** The bundle failed verification; nothing was pushed. */
export class BundleInvalidError extends Error {
  constructor(
    readonly bundle: string,
    readonly problems: BundleProblem[],
  ) {
    super(`bundle ${bundle} is invalid, nothing was uploaded: ${describeProblem(problems[0]!)}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
    this.name = 'BundleInvalidError';
  }
}

interface Plan {
  /** Config and layer blobs. */
  blobs: Descriptor[];
  /** Manifests to push by digest, children before parents. */
  manifests: { digest: Digest; mediaType: string; bytes: Buffer }[];
}

export async function uploadBundle(opts: UploadOptions): Promise<UploadResult> {
  const started = Date.now();
  const { client, source, progress } = opts;
  const concurrency = opts.concurrency ?? 8;

  // 1. verify everything first
  progress?.note(`verifying bundle ${source.path}`);
  const verified = await verifyBundle(source, { concurrency: Math.min(concurrency, 4) });
  if (verified.problems.length) throw new BundleInvalidError(source.path, verified.problems);
  const manifest: BundleManifest = verified.manifest;
  const verifyMs = Date.now() - started;

  await client.ping();
  const limiter = new Limiter(concurrency);
  const homes = new Map<Digest, Promise<string | undefined>>();
  const ensured = new Map<string, Promise<void>>();
  const stats = { pushed: 0, mounted: 0, skipped: 0, bytes: 0, manifests: 0, imagesSkipped: 0 };

  const open = (d: Digest) => (start: number, end: number) => source.open(blobPath(d), start, end);

  /** The destination repositories of every image that needs each blob (in bundle order). */
  const reposOf = new Map<Digest, string[]>();
  for (const img of manifest.images) {
    const repo = joinRepo(opts.destination, img.repository);
    for (const d of img.blobs) {
      const list = reposOf.get(d) ?? [];
      if (!list.includes(repo)) list.push(repo);
      reposOf.set(d, list);
    }
  }

  /**
   * Another destination repository of this bundle that already holds the blob: an interrupted
   * earlier run may have finished it in a repository other than the one this run reaches first
   * (which image gets to a shared blob first depends on timing), and it must then be mounted,
   * not sent again.
   */
  const findElsewhere = async (repo: string, digest: Digest): Promise<string | undefined> => {
    for (const other of reposOf.get(digest) ?? []) {
      if (other !== repo && (await client.headBlob(other, digest)) !== undefined) return other;
    }
    return undefined;
  };

  const pushOrMount = async (repo: string, desc: Descriptor, from: string | undefined): Promise<void> => {
    const have = await client.headBlob(repo, desc.digest);
    if (have !== undefined) {
      stats.skipped++;
      progress?.bytes(desc.size);
      progress?.blob('skipped (exists)', desc.digest, desc.size, `in ${repo}`);
      return;
    }
    // No repository of this run has it yet: look for it where a previous run may have left it.
    from ??= await findElsewhere(repo, desc.digest);
    let sent = 0;
    const r = await client.pushBlob(repo, desc, open(desc.digest), {
      chunkSize: opts.chunkSize,
      mountFrom: from,
      onBytes: (n) => {
        sent += n;
        progress?.bytes(n);
      },
    });
    if (r === 'mounted') {
      stats.mounted++;
      progress?.bytes(desc.size);
      progress?.blob('mounted', desc.digest, desc.size, `into ${repo} from ${from}`);
    } else {
      stats.pushed++;
      stats.bytes += desc.size;
      // a retried upload may have counted some bytes twice; settle the bar at the blob's size
      if (sent !== desc.size) progress?.bytes(desc.size - sent);
      progress?.blob('pushed', desc.digest, desc.size, `to ${repo}`);
    }
  };

  /** Makes `desc` present in `repo`: once per (repo, digest); mounted when another repository has it. */
  const ensureBlob = (repo: string, desc: Descriptor): Promise<void> => {
    const key = `${repo}@${desc.digest}`;
    let p = ensured.get(key);
    if (p) return p;
    const home = homes.get(desc.digest);
    if (!home) {
      const mine = limiter.run(() => pushOrMount(repo, desc, undefined)).then(() => repo);
      homes.set(desc.digest, mine.catch(() => undefined));
      p = mine.then(() => undefined);
    } else {
      p = home.then((from) => limiter.run(() => pushOrMount(repo, desc, from)));
    }
    ensured.set(key, p);
    return p;
  };

  const readManifest = async (digest: Digest): Promise<Buffer> => source.read(blobPath(digest));

  const plan = async (digest: Digest, mediaType: string, out: Plan): Promise<void> => {
    const bytes = await readManifest(digest);
    const refs = parseManifest(bytes, mediaType);
    for (const c of refs.manifests) await plan(c.digest, c.mediaType, out);
    out.blobs.push(...refs.blobs);
    out.manifests.push({ digest, mediaType: refs.mediaType, bytes });
  };

  const pushArtifact = async (repo: string, digest: Digest, mediaType: string, tag: string | undefined): Promise<void> => {
    const p: Plan = { blobs: [], manifests: [] };
    await plan(digest, mediaType, p);
    await Promise.all(p.blobs.map((b) => ensureBlob(repo, b)));
    for (const m of p.manifests) {
      const ref = m.digest === digest && tag ? tag : m.digest;
      await limiter.run(() => client.putManifest(repo, ref, m.bytes, m.mediaType));
      stats.manifests++;
    }
  };

  const totalBytes = Object.entries(manifest.files).filter(([f]) => f.startsWith('blobs/')).reduce((a, [, s]) => a + s.size, 0);
  const totalBlobs = new Set(manifest.images.flatMap((i) => i.blobs)).size;
  progress?.start({ bytes: totalBytes, images: manifest.images.length, blobs: totalBlobs });

  const relocated: RelocatedImage[] = [];
  const imageRepository = opts.destination.prefix ? `${opts.destination.registry}/${opts.destination.prefix}` : opts.destination.registry;
  const uploadImage = async (img: BundleImage): Promise<void> => {
    const repo = joinRepo(opts.destination, img.repository);
    const head = await limiter.run(() => client.headManifest(repo, img.tag));
    if (head?.digest === img.digest) {
      stats.imagesSkipped++;
      progress?.bytes(img.blobs.reduce((a, d) => a + (manifest.files[blobPath(d)]?.size ?? 0), 0));
    } else {
      await pushArtifact(repo, img.digest, img.mediaType, img.tag);
    }
    for (const s of img.signatures ?? []) {
      const h = await limiter.run(() => client.headManifest(repo, s.tag));
      if (h?.digest !== s.digest) await pushArtifact(repo, s.digest, s.mediaType, s.tag);
    }
    for (const r of img.referrers ?? []) {
      const h = await limiter.run(() => client.headManifest(repo, r.digest));
      if (!h) await pushArtifact(repo, r.digest, r.mediaType, undefined);
    }
    relocated.push({
      repository: img.repository,
      tag: img.tag,
      digest: img.digest,
      source: img.source,
      destination: formatReference({ registry: opts.destination.registry, repository: repo, tag: img.tag, digest: img.digest }),
    });
    progress?.image(head?.digest === img.digest ? 'present' : 'uploaded', `${opts.destination.registry}/${repo}:${img.tag}`);
  };

  try {
    const results = await Promise.allSettled(manifest.images.map((img) => uploadImage(img).catch((e: unknown) => {
      throw e instanceof Error && !e.message.includes(imageName(img)) ? Object.assign(new Error(`image ${imageName(img)}: ${e.message}`), { cause: e }) : e;
    })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    progress?.stop();
  }
  const order = new Map(manifest.images.map((img, i) => [imageName(img), i]));
  relocated.sort((a, b) => order.get(`${a.repository}:${a.tag}`)! - order.get(`${b.repository}:${b.tag}`)!);
  return {
    release: manifest.release,
    imageRepository,
    images: relocated,
    blobsPushed: stats.pushed,
    blobsMounted: stats.mounted,
    blobsSkipped: stats.skipped,
    bytesPushed: stats.bytes,
    manifestsPushed: stats.manifests,
    imagesSkipped: stats.imagesSkipped,
    verifiedBytes: verified.bytes,
    verifyMs,
    elapsedMs: Date.now() - started,
  };
}
