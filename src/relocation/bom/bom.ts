/**
 * Release BOMs: the list of images a Slipway release uses,
 * `{apiVersion: slipway.dev/v1alpha1, kind: ReleaseBOM, release, images: [{repository, tag, digest?}]}`,
 * with repositories relative to the source registry prefix.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fieldError, invalid, type StatusCause } from '../../apimachinery/errors.js';
import { isDigest, type Digest } from '../oci/digest.js';
import { isValidRepositoryPath, isValidTag } from '../oci/reference.js';

export const BOM_API_VERSION = 'slipway.dev/v1alpha1';
export const BOM_KIND = 'ReleaseBOM';

export interface BomImage {
  repository: string;
  tag: string;
  digest?: Digest;
}

export interface ReleaseBOM {
  apiVersion: typeof BOM_API_VERSION;
  kind: typeof BOM_KIND;
  release: string;
  images: BomImage[];
}

/** Validates a parsed BOM document; throws a StatusError (422) naming every bad field. */
export function validateBom(doc: unknown, name = 'bom'): ReleaseBOM {
  const causes: StatusCause[] = [];
  const o = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  if (o.apiVersion !== BOM_API_VERSION) causes.push(fieldError.notSupported('apiVersion', o.apiVersion ?? '', [BOM_API_VERSION]));
  if (o.kind !== BOM_KIND) causes.push(fieldError.notSupported('kind', o.kind ?? '', [BOM_KIND]));
  if (typeof o.release !== 'string' || !o.release) causes.push(fieldError.required('release'));
  if (!Array.isArray(o.images) || o.images.length === 0) causes.push(fieldError.required('images', 'at least one image'));
  const seen = new Set<string>();
  const allowed = new Set(['repository', 'tag', 'digest']);
  (Array.isArray(o.images) ? o.images : []).forEach((v: unknown, i: number) => {
    const f = `images[${i}]`;
    const img = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
    for (const k of Object.keys(img)) if (!allowed.has(k)) causes.push(fieldError.unknown(`${f}.${k}`));
    if (typeof img.repository !== 'string' || !img.repository) causes.push(fieldError.required(`${f}.repository`));
    else if (!isValidRepositoryPath(img.repository)) causes.push(fieldError.invalid(`${f}.repository`, img.repository, 'must be a relative repository path: lowercase letters, digits, separators . _ - and /'));
    if (typeof img.tag !== 'string' || !img.tag) causes.push(fieldError.required(`${f}.tag`));
    else if (!isValidTag(img.tag)) causes.push(fieldError.invalid(`${f}.tag`, img.tag, 'must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}'));
    if (img.digest !== undefined && (typeof img.digest !== 'string' || !isDigest(img.digest))) causes.push(fieldError.invalid(`${f}.digest`, img.digest, 'must be sha256:<64 lowercase hex>'));
    const key = `${String(img.repository)}:${String(img.tag)}`;
    if (seen.has(key)) causes.push(fieldError.duplicate(`${f}`, key));
    seen.add(key);
  });
  if (causes.length) throw invalid(BOM_KIND, '', name, causes);
  return {
    apiVersion: BOM_API_VERSION,
    kind: BOM_KIND,
    release: o.release as string,
    images: (o.images as Record<string, unknown>[]).map((i) => ({ repository: i.repository as string, tag: i.tag as string, ...(i.digest ? { digest: i.digest as Digest } : {}) })),
  };
}

/** Reads a BOM from a YAML or JSON file. */
export function loadBomFile(file: string): ReleaseBOM {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--bom ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`--bom ${file}: not YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateBom(doc, file);
}
