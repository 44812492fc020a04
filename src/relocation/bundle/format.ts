/**
 * The Slipway image bundle: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`)
 * plus `slipway-bundle.json`, which names the release, every image with its source reference,
 * digest and size, and the SHA-256 and size of every other file. A bundle is a directory or one
 * uncompressed tar of that directory.
 */
import { isDigest, type Digest } from '../oci/digest.js';
import { isValidRepositoryPath, isValidTag } from '../oci/reference.js';

export const BUNDLE_API_VERSION = 'slipway.dev/v1alpha1';
export const BUNDLE_KIND = 'ImageBundle';
export const BUNDLE_MANIFEST_FILE = 'slipway-bundle.json';
export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';
/** index.json annotation: the reference name (`repository:tag`, so `skopeo copy oci:BUNDLE:repo:tag` works). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const REPOSITORY_ANNOTATION = 'dev.slipway.bundle.repository';

export interface BundleTagged {
  /** Tag, e.g. `sha256-<hex>.sig`. */
  tag: string;
  digest: Digest;
  mediaType: string;
  size: number;
}

export interface BundleReferrer {
  digest: Digest;
  mediaType: string;
  size: number;
  artifactType?: string;
}

export interface BundleImage {
  /** Repository relative to the source / destination prefix. */
  repository: string;
  tag: string;
  /** Full source reference, `host/prefix/repository:tag@digest`. */
  source: string;
  /** Digest, media type and size of the top-level manifest (index or image manifest). */
  digest: Digest;
  mediaType: string;
  size: number;
  /** Every blob the image needs (manifests, configs, layers, signature artifacts), each once. */
  blobs: Digest[];
  /** Bytes of all of `blobs`. */
  totalSize: number;
  /** Signature / attestation / SBOM tags (`sha256-<digest>.sig|.att|.sbom`) carried with the image. */
  signatures?: BundleTagged[];
  /** Manifests whose `subject` is this image (referrers API). */
  referrers?: BundleReferrer[];
}

export interface BundleFileSum {
  sha256: string;
  size: number;
}

export interface BundleManifest {
  apiVersion: typeof BUNDLE_API_VERSION;
  kind: typeof BUNDLE_KIND;
  release: string;
  sourceRepo: string;
  created: string;
  images: BundleImage[];
  /** Every file of the layout except this manifest: path → SHA-256 (hex) and size. */
  files: Record<string, BundleFileSum>;
}

export function blobPath(d: Digest): string {
  return `blobs/sha256/${d.slice(7)}`;
}

export function imageName(i: Pick<BundleImage, 'repository' | 'tag'>): string {
  return `${i.repository}:${i.tag}`;
}

/** Validates a parsed slipway-bundle.json; throws naming the first bad field. */
export function validateBundleManifest(doc: unknown, file = BUNDLE_MANIFEST_FILE): BundleManifest {
  const bad = (field: string, why: string): never => {
    throw new Error(`${file}: ${field}: ${why}`);
  };
  if (!doc || typeof doc !== 'object') bad('(root)', 'not a JSON object');
  const m = doc as Record<string, unknown>;
  if (m.apiVersion !== BUNDLE_API_VERSION) bad('apiVersion', `must be ${BUNDLE_API_VERSION}, got ${JSON.stringify(m.apiVersion)}`);
  if (m.kind !== BUNDLE_KIND) bad('kind', `must be ${BUNDLE_KIND}, got ${JSON.stringify(m.kind)}`);
  if (typeof m.release !== 'string' || !m.release) bad('release', 'required');
  if (!Array.isArray(m.images)) bad('images', 'must be a list');
  if (!m.files || typeof m.files !== 'object') bad('files', 'must be a map');
  const files = m.files as Record<string, unknown>;
  for (const [p, v] of Object.entries(files)) {
    const s = v as BundleFileSum;
    if (!s || typeof s.sha256 !== 'string' || !/^[a-f0-9]{64}$/.test(s.sha256) || typeof s.size !== 'number') bad(`files[${JSON.stringify(p)}]`, 'needs sha256 (64 hex) and size');
    if (p.includes('..') || p.startsWith('/')) bad(`files[${JSON.stringify(p)}]`, 'path must stay inside the bundle');
  }
  (m.images as unknown[]).forEach((v, i) => {
    const img = v as Record<string, unknown>;
    const f = `images[${i}]`;
    if (typeof img.repository !== 'string' || !isValidRepositoryPath(img.repository)) bad(`${f}.repository`, `invalid ${JSON.stringify(img.repository)}`);
    if (typeof img.tag !== 'string' || !isValidTag(img.tag)) bad(`${f}.tag`, `invalid ${JSON.stringify(img.tag)}`);
    if (typeof img.digest !== 'string' || !isDigest(img.digest)) bad(`${f}.digest`, `invalid ${JSON.stringify(img.digest)}`);
    if (typeof img.mediaType !== 'string') bad(`${f}.mediaType`, 'required');
    if (!Array.isArray(img.blobs) || !img.blobs.every((b) => typeof b === 'string' && isDigest(b))) bad(`${f}.blobs`, 'must be a list of digests');
    for (const s of (img.signatures as BundleTagged[] | undefined) ?? []) if (!isDigest(s.digest) || !isValidTag(s.tag)) bad(`${f}.signatures`, `invalid entry ${JSON.stringify(s)}`);
  });
  return m as unknown as BundleManifest;
}
