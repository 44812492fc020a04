/** Read access to a bundle, a directory or a tar (read in place, by byte range). */
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BUNDLE_MANIFEST_FILE, validateBundleManifest, type BundleManifest } from './format.js';
import { indexTar, type TarEntry } from './tar.js';

export interface BundleSource {
  readonly path: string;
  readonly kind: 'dir' | 'tar';
  /** Size of a file in the bundle, or undefined when it is missing. */
  size(name: string): Promise<number | undefined>;
  /** Streams bytes [start, end] (inclusive) of a file; the whole file by default. */
  open(name: string, start?: number, end?: number): Readable;
  /** Reads a small file whole. */
  read(name: string): Promise<Buffer>;
  manifest(): Promise<BundleManifest>;
}

class DirSource implements BundleSource {
  readonly kind = 'dir';
  constructor(readonly path: string) {}
  async size(name: string): Promise<number | undefined> {
    try {
      const st = await fsp.stat(join(this.path, name));
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  }
  open(name: string, start?: number, end?: number): Readable {
    return createReadStream(join(this.path, name), { start, end, highWaterMark: 256 * 1024 });
  }
  read(name: string): Promise<Buffer> {
    return fsp.readFile(join(this.path, name));
  }
  async manifest(): Promise<BundleManifest> {
    return parseManifestBytes(await this.read(BUNDLE_MANIFEST_FILE).catch(() => missing(this.path)), this.path);
  }
}

class TarSource implements BundleSource {
  readonly kind = 'tar';
  constructor(
    readonly path: string,
    private readonly entries: Map<string, TarEntry>,
  ) {}
  async size(name: string): Promise<number | undefined> {
    return this.entries.get(name)?.size;
  }
  open(name: string, start = 0, end?: number): Readable {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.path}: no ${name} in the bundle`);
    const last = end === undefined ? e.size - 1 : Math.min(end, e.size - 1);
    if (last < start) return createReadStream(this.path, { start: 0, end: -1 });
    return createReadStream(this.path, { start: e.offset + start, end: e.offset + last, highWaterMark: 256 * 1024 });
  }
  async read(name: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.open(name) as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  }
  async manifest(): Promise<BundleManifest> {
    if (!this.entries.has(BUNDLE_MANIFEST_FILE)) missing(this.path);
    return parseManifestBytes(await this.read(BUNDLE_MANIFEST_FILE), this.path);
  }
}

function missing(path: string): never {
  throw new Error(`${path}: not a Slipway bundle (no ${BUNDLE_MANIFEST_FILE}; was download-bundle interrupted?)`);
}

function parseManifestBytes(b: Buffer, path: string): BundleManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new Error(`${path}: ${BUNDLE_MANIFEST_FILE} is not JSON: ${(e as Error).message}`);
  }
  return validateBundleManifest(doc, `${path}: ${BUNDLE_MANIFEST_FILE}`);
}

/** Opens a bundle directory or tar file. */
export async function openBundle(path: string): Promise<BundleSource> {
  let st;
  try {
    st = await fsp.stat(path);
  } catch {
    throw new Error(`bundle ${path}: no such file or directory`);
  }
  if (st.isDirectory()) return new DirSource(path);
  return new TarSource(path, await indexTar(path));
}
