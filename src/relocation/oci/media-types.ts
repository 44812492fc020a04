/** Manifest media types (OCI and Docker schema2) and what a manifest refers to. */
import type { Digest } from './digest.js';
import { parseDigest } from './digest.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];
export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList, MediaType.dockerManifest];

/** The Accept header for manifest GET/HEAD: every kind we can carry. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ManifestRefs {
  mediaType: string;
  /** Child manifests (index / manifest list entries). */
  manifests: Descriptor[];
  /** Config and layers (image manifests). */
  blobs: Descriptor[];
  subject?: Descriptor;
}

export function isIndexMediaType(mt: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mt);
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!v || typeof v !== 'object') throw new Error(`${where}: not a descriptor`);
  const o = v as Record<string, unknown>;
  if (typeof o.mediaType !== 'string') throw new Error(`${where}.mediaType: required`);
  if (typeof o.digest !== 'string') throw new Error(`${where}.digest: required`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw new Error(`${where}.size: must be a non-negative integer`);
  const d: Descriptor = { mediaType: o.mediaType, digest: parseDigest(o.digest, `${where}.digest`), size: o.size };
  if (o.platform && typeof o.platform === 'object') d.platform = o.platform as Descriptor['platform'];
  if (o.annotations && typeof o.annotations === 'object') d.annotations = o.annotations as Record<string, string>;
  if (typeof o.artifactType === 'string') d.artifactType = o.artifactType;
  return d;
}

/**
 * Parses a manifest's bytes (never re-serialised: the bytes are what the digest covers) and lists
 * what it refers to. `headerMediaType` is the Content-Type the registry sent, used when the
 * document has no mediaType field (allowed for OCI).
 */
export function parseManifest(bytes: Buffer, headerMediaType?: string): ManifestRefs {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`manifest is not JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new Error('manifest is not a JSON object');
  let mt = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (!mt && headerMediaType && MANIFEST_MEDIA_TYPES.includes(headerMediaType)) mt = headerMediaType;
  if (!mt) mt = Array.isArray(doc.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
  if (doc.schemaVersion !== 2) throw new Error(`manifest schemaVersion ${JSON.stringify(doc.schemaVersion)} is not supported (only 2)`);
  const refs: ManifestRefs = { mediaType: mt, manifests: [], blobs: [] };
  if (isIndexMediaType(mt)) {
    if (!Array.isArray(doc.manifests)) throw new Error('index: manifests must be a list');
    refs.manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
  } else if (MANIFEST_MEDIA_TYPES.includes(mt)) {
    refs.blobs.push(descriptor(doc.config, 'config'));
    if (!Array.isArray(doc.layers)) throw new Error('manifest: layers must be a list');
    doc.layers.forEach((l, i) => refs.blobs.push(descriptor(l, `layers[${i}]`)));
  } else {
    throw new Error(`unsupported manifest media type ${JSON.stringify(mt)}`);
  }
  if (doc.subject) refs.subject = descriptor(doc.subject, 'subject');
  return refs;
}
