/**
 * Manifest parsing for the registry: which media type a pushed manifest is, what it references
 * (blobs, child manifests, subject), and the descriptor it contributes to its subject's referrers.
 */
import { RegistryError } from './errors.js';
import { tryParseDigest } from './digest.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** Largest manifest accepted, as Docker's registry and most others (4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);

/** Layers a registry need not hold: they carry URLs to fetch them elsewhere. */
const FOREIGN_LAYER_TYPES = new Set<string>([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: Record<string, unknown>;
}

export interface ParsedManifest {
  kind: 'image' | 'index';
  /** The media type it is stored as: the Content-Type given, else the body's mediaType. */
  mediaType: string;
  /** Blobs that must be in the repository (config and non-foreign layers). */
  blobs: string[];
  /** Child manifests that must be in the repository (index entries). */
  children: string[];
  subject?: Descriptor;
  /** Descriptor of this manifest in its subject's referrers list (without digest and size). */
  artifactType?: string;
  annotations?: Record<string, string>;
}

function invalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest invalid: ${message}`, detail);
}

function baseType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function checkDescriptor(v: unknown, path: string): Descriptor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${path} must be a descriptor object`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${path}.mediaType must be a non-empty string`);
  if (typeof d.digest !== 'string' || !tryParseDigest(d.digest)) throw invalid(`${path}.digest: invalid digest ${JSON.stringify(d.digest)}`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${path}.size must be a non-negative integer, got ${JSON.stringify(d.size)}`);
  if (d.urls !== undefined && (!Array.isArray(d.urls) || d.urls.some((u) => typeof u !== 'string'))) throw invalid(`${path}.urls must be an array of strings`);
  if (d.annotations !== undefined && !isStringMap(d.annotations)) throw invalid(`${path}.annotations must map strings to strings`);
  if (d.artifactType !== undefined && typeof d.artifactType !== 'string') throw invalid(`${path}.artifactType must be a string`);
  return d as unknown as Descriptor;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/**
 * Checks a pushed manifest's shape and returns what it references. `contentType` is the PUT's
 * Content-Type; when the body names a mediaType the two must agree.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw invalid(`not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('must be a JSON object');
  const m = doc as Record<string, unknown>;
  const given = baseType(contentType);
  const declared = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  if (m.mediaType !== undefined && typeof m.mediaType !== 'string') throw invalid('mediaType must be a string');
  let mediaType: string;
  if (given && given !== 'application/octet-stream' && given !== 'application/json') {
    if (declared !== undefined && declared !== given) throw invalid(`mediaType "${declared}" in the body does not match Content-Type "${given}"`);
    mediaType = given;
  } else if (declared) {
    mediaType = declared;
  } else if (Array.isArray(m.manifests)) {
    mediaType = MEDIA_TYPES.ociIndex;
  } else if (m.config !== undefined) {
    mediaType = MEDIA_TYPES.ociManifest;
  } else {
    throw invalid('no Content-Type and no mediaType: cannot tell which kind of manifest this is');
  }
  if (!IMAGE_TYPES.has(mediaType) && !INDEX_TYPES.has(mediaType)) {
    throw invalid(`unsupported manifest media type "${mediaType}" (supported: ${[...IMAGE_TYPES, ...INDEX_TYPES].join(', ')})`);
  }
  if (m.schemaVersion !== 2) throw invalid(`schemaVersion must be 2, got ${JSON.stringify(m.schemaVersion)}`);
  if (m.annotations !== undefined && !isStringMap(m.annotations)) throw invalid('annotations must map strings to strings');
  if (m.artifactType !== undefined && typeof m.artifactType !== 'string') throw invalid('artifactType must be a string');
  const subject = m.subject === undefined ? undefined : checkDescriptor(m.subject, 'subject');
  const annotations = m.annotations as Record<string, string> | undefined;

  if (IMAGE_TYPES.has(mediaType)) {
    const config = checkDescriptor(m.config, 'config');
    if (!Array.isArray(m.layers)) throw invalid('layers must be an array');
    const layers = m.layers.map((l, i) => checkDescriptor(l, `layers[${i}]`));
    const blobs = [config.digest];
    for (const l of layers) {
      if (FOREIGN_LAYER_TYPES.has(l.mediaType) && l.urls && l.urls.length > 0) continue;
      blobs.push(l.digest);
    }
    // image-spec: an image manifest without artifactType is listed under its config's media type
    const artifactType = (m.artifactType as string | undefined) ?? config.mediaType;
    return { kind: 'image', mediaType, blobs: unique(blobs), children: [], subject, artifactType, annotations };
  }
  if (!Array.isArray(m.manifests)) throw invalid('manifests must be an array');
  const children = m.manifests.map((c, i) => checkDescriptor(c, `manifests[${i}]`).digest);
  return { kind: 'index', mediaType, blobs: [], children: unique(children), subject, artifactType: m.artifactType as string | undefined, annotations };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The referrers-API descriptor of a stored manifest. */
export function referrerDescriptor(p: ParsedManifest, digest: string, size: number): Descriptor {
  const d: Descriptor = { mediaType: p.mediaType, digest, size };
  if (p.artifactType) d.artifactType = p.artifactType;
  if (p.annotations && Object.keys(p.annotations).length > 0) d.annotations = p.annotations;
  return d;
}
