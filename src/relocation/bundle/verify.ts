/**
 * Offline bundle verification: the SHA-256 and size of every file against slipway-bundle.json,
 * index.json agreeing with the image list, and every manifest's references present in the bundle.
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/media-types.js';
import { blobPath, imageName, OCI_INDEX_FILE, OCI_LAYOUT_FILE, type BundleManifest } from './format.js';
import { forEachLimited } from './limiter.js';
import type { BundleSource } from './source.js';

export interface BundleProblem {
  /** File inside the bundle, e.g. `blobs/sha256/ab12...`. */
  file: string;
  digest?: Digest;
  /** Images (`repository:tag`) that need the file. */
  images: string[];
  message: string;
}

export interface VerifyResult {
  manifest: BundleManifest;
  files: number;
  bytes: number;
  problems: BundleProblem[];
}

export interface VerifyOptions {
  concurrency?: number;
  onBytes?: (n: number) => void;
  onFile?: (file: string, size: number) => void;
}

/** Renders problems as one line each: `blob sha256:… (image a:1, b:2): sha256 mismatch`. */
export function describeProblem(p: BundleProblem): string {
  const what = p.digest ? `blob ${p.digest}` : p.file;
  const imgs = p.images.length ? ` (image${p.images.length > 1 ? 's' : ''} ${p.images.join(', ')})` : '';
  return `${what}${imgs}: ${p.message}`;
}

export async function verifyBundle(src: BundleSource, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const manifest = await src.manifest();
  const problems: BundleProblem[] = [];
  const users = new Map<string, string[]>();
  for (const img of manifest.images) {
    for (const d of img.blobs) {
      const p = blobPath(d);
      const list = users.get(p) ?? [];
      list.push(imageName(img));
      users.set(p, list);
    }
  }
  const digestOfPath = (file: string): Digest | undefined => (file.startsWith('blobs/sha256/') ? (`sha256:${file.slice(13)}` as Digest) : undefined);
  const problem = (file: string, message: string): void => {
    problems.push({ file, digest: digestOfPath(file), images: users.get(file) ?? [], message });
  };
  for (const [file, list] of users) if (!manifest.files[file]) problem(file, `is used by an image but not listed in the bundle manifest`);
  for (const f of [OCI_LAYOUT_FILE, OCI_INDEX_FILE]) if (!manifest.files[f]) problem(f, 'is not listed in the bundle manifest');

  const entries = Object.entries(manifest.files);
  let bytes = 0;
  const bad = new Set<string>();
  await forEachLimited(entries, opts.concurrency ?? 4, async ([file, sum]) => {
    const size = await src.size(file);
    if (size === undefined) {
      bad.add(file);
      return problem(file, 'is missing from the bundle');
    }
    if (size !== sum.size) {
      bad.add(file);
      return problem(file, `has ${size} bytes, the bundle manifest says ${sum.size} (truncated or altered)`);
    }
    const h = createHash('sha256');
    for await (const c of src.open(file) as AsyncIterable<Buffer>) {
      h.update(c);
      opts.onBytes?.(c.length);
    }
    const got = h.digest('hex');
    bytes += size;
    opts.onFile?.(file, size);
    if (got !== sum.sha256) {
      bad.add(file);
      return problem(file, `content does not match: sha256 is ${got}, the bundle manifest says ${sum.sha256} (altered)`);
    }
    const d = digestOfPath(file);
    if (d && d.slice(7) !== got) {
      bad.add(file);
      problem(file, `content does not match its name: sha256 is ${got}`);
    }
  });

  // index.json lists every image; manifests refer only to blobs in the bundle
  if (!bad.has(OCI_INDEX_FILE) && manifest.files[OCI_INDEX_FILE]) {
    try {
      const index = JSON.parse((await src.read(OCI_INDEX_FILE)).toString('utf8')) as { manifests?: { digest: string }[] };
      const listed = new Set((index.manifests ?? []).map((m) => m.digest));
      for (const img of manifest.images) if (!listed.has(img.digest)) problem(OCI_INDEX_FILE, `does not list image ${imageName(img)} (${img.digest})`);
    } catch (e) {
      problem(OCI_INDEX_FILE, `is not a valid OCI index: ${(e as Error).message}`);
    }
  }
  for (const img of manifest.images) {
    const have = new Set(img.blobs);
    const queue: { digest: Digest; mediaType: string }[] = [{ digest: img.digest, mediaType: img.mediaType }, ...(img.signatures ?? []), ...(img.referrers ?? [])];
    for (const m of queue) {
      const file = blobPath(m.digest);
      if (!have.has(m.digest)) {
        problem(file, `manifest of ${imageName(img)} is not in the image's blob list`);
        continue;
      }
      if (bad.has(file) || !manifest.files[file]) continue;
      let refs;
      try {
        refs = parseManifest(await src.read(file), m.mediaType);
      } catch (e) {
        problem(file, `is not a valid manifest: ${(e as Error).message}`);
        continue;
      }
      for (const c of refs.manifests) queue.push({ digest: c.digest, mediaType: c.mediaType });
      for (const b of refs.blobs) if (!have.has(b.digest)) problem(blobPath(b.digest), `is referenced by ${m.digest} of ${imageName(img)} but missing from the bundle`);
    }
  }
  return { manifest, files: entries.length, bytes, problems };
}
