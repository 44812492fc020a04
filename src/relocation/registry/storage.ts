/**
 * The registry's data on disk. Layout under the storage folder:
 *
 *   blobs/<alg>/<hex[0:2]>/<hex>            content-addressed bytes, shared by every repository
 *   repositories/<name>/_layers/<alg>/<hex> the repository holds this blob (file holds the digest)
 *   repositories/<name>/_manifests/revisions/<alg>/<hex>.json  a manifest: digest, content type, subject
 *   repositories/<name>/_manifests/tags/<tag>                  the digest the tag points at
 *   repositories/<name>/_referrers/<alg>/<subjectHex>/<alg>-<hex>.json  referrers-API descriptors
 *   uploads/<id>/{info.json,data}           upload sessions (see uploads.ts)
 *   tmp/                                    files being written; renamed into place when complete
 *
 * Every file appears by rename, so a crash leaves the old state or the new one, never a partial
 * blob or a half-written link.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { type Digest, type DigestAlgorithm, digestOf, parseDigest, tryParseDigest } from './digest.js';
import { RegistryError, MESSAGES } from './errors.js';
import { fileSize, listDir, moveIntoPlace, readIfExists, removeIfExists, writeFileAtomic } from './fsutil.js';
import { type Descriptor, type ParsedManifest, referrerDescriptor } from './manifest.js';

export interface StoredManifest {
  digest: string;
  contentType: string;
  body: Buffer;
}

interface RevisionRecord {
  digest: string;
  contentType: string;
  size: number;
  subject?: string;
}

export interface StorageOptions {
  /** fsync files before renaming them into place (default true): survives power loss, not just a crash. */
  durable?: boolean;
}

export class RegistryStorage {
  readonly root: string;
  readonly tmpDir: string;
  readonly uploadsDir: string;
  readonly durable: boolean;

  private constructor(root: string, opts: StorageOptions) {
    this.root = root;
    this.tmpDir = join(root, 'tmp');
    this.uploadsDir = join(root, 'uploads');
    this.durable = opts.durable ?? true;
  }

  /** Opens (creating when needed) a storage folder and drops files left half-written by a crash. */
  static async open(root: string, opts: StorageOptions = {}): Promise<RegistryStorage> {
    const s = new RegistryStorage(root, opts);
    for (const d of ['blobs', 'repositories', 'uploads']) await fsp.mkdir(join(root, d), { recursive: true });
    await fsp.rm(s.tmpDir, { recursive: true, force: true });
    await fsp.mkdir(s.tmpDir, { recursive: true });
    return s;
  }

  // ---- blobs ----------------------------------------------------------------------------------

  blobPath(d: Digest): string {
    return join(this.root, 'blobs', d.algorithm, d.hex.slice(0, 2), d.hex);
  }

  /** Size of a blob in the shared store, or undefined when it is not there. */
  blobSize(d: Digest): Promise<number | undefined> {
    return fileSize(this.blobPath(d));
  }

  private repoDir(repo: string): string {
    return join(this.root, 'repositories', ...repo.split('/'));
  }

  private layerLink(repo: string, d: Digest): string {
    return join(this.repoDir(repo), '_layers', d.algorithm, d.hex);
  }

  private revisionFile(repo: string, d: Digest): string {
    return join(this.repoDir(repo), '_manifests', 'revisions', d.algorithm, `${d.hex}.json`);
  }

  private tagFile(repo: string, tag: string): string {
    return join(this.repoDir(repo), '_manifests', 'tags', tag);
  }

  private referrersDir(repo: string, subject: Digest): string {
    return join(this.repoDir(repo), '_referrers', subject.algorithm, subject.hex);
  }

  async repoExists(repo: string): Promise<boolean> {
    try {
      return (await fsp.stat(this.repoDir(repo))).isDirectory();
    } catch {
      return false;
    }
  }

  /** The blob as `repo` sees it (a layer linked there, or one of its manifests): path and size. */
  async repoBlob(repo: string, d: Digest): Promise<{ path: string; size: number } | undefined> {
    const linked = (await fileSize(this.layerLink(repo, d))) !== undefined || (await fileSize(this.revisionFile(repo, d))) !== undefined;
    if (!linked) return undefined;
    const path = this.blobPath(d);
    const size = await fileSize(path);
    return size === undefined ? undefined : { path, size };
  }

  /** Makes a blob of the shared store part of `repo`. */
  async linkBlob(repo: string, d: Digest): Promise<void> {
    const link = this.layerLink(repo, d);
    if ((await fileSize(link)) !== undefined) return;
    await writeFileAtomic(link, d.value, this.tmpDir, false);
  }

  /** Removes a blob from `repo` (the shared bytes stay for other repositories). */
  async unlinkBlob(repo: string, d: Digest): Promise<boolean> {
    return removeIfExists(this.layerLink(repo, d));
  }

  /** Moves a finished, verified file into the shared store under its digest. */
  async adoptBlob(file: string, d: Digest): Promise<void> {
    const target = this.blobPath(d);
    if ((await fileSize(target)) !== undefined) {
      await fsp.rm(file, { force: true });
      return;
    }
    await moveIntoPlace(file, target);
  }

  /** Cross-repository mount: links `d` into `repo` when `from` (or, without `from`, any repository) has it. */
  async mount(repo: string, d: Digest, from: string | undefined): Promise<boolean> {
    if (from !== undefined) {
      if (!(await this.repoBlob(from, d))) return false;
    } else if ((await this.blobSize(d)) === undefined) {
      return false;
    }
    await this.linkBlob(repo, d);
    return true;
  }

  // ---- manifests ------------------------------------------------------------------------------

  /**
   * Stores a manifest that has been parsed and whose references have been checked: its bytes in
   * the blob store, its revision, its referrers entry, and the tag when pushed by tag.
   */
  async putManifest(repo: string, body: Buffer, d: Digest, contentType: string, parsed: ParsedManifest, tag: string | undefined): Promise<void> {
    const blob = this.blobPath(d);
    if ((await fileSize(blob)) === undefined) await writeFileAtomic(blob, body, this.tmpDir, this.durable);
    const rec: RevisionRecord = { digest: d.value, contentType, size: body.length };
    if (parsed.subject) rec.subject = parsed.subject.digest;
    await writeFileAtomic(this.revisionFile(repo, d), JSON.stringify(rec), this.tmpDir, this.durable);
    if (parsed.subject) {
      const subject = parseDigest(parsed.subject.digest, 'subject.digest');
      const entry = referrerDescriptor(parsed, d.value, body.length);
      await writeFileAtomic(join(this.referrersDir(repo, subject), `${d.algorithm}-${d.hex}.json`), JSON.stringify(entry), this.tmpDir, this.durable);
    }
    if (tag !== undefined) await writeFileAtomic(this.tagFile(repo, tag), d.value, this.tmpDir, this.durable);
  }

  private async revision(repo: string, d: Digest): Promise<RevisionRecord | undefined> {
    const raw = await readIfExists(this.revisionFile(repo, d));
    return raw ? (JSON.parse(raw.toString('utf8')) as RevisionRecord) : undefined;
  }

  async manifestExists(repo: string, d: Digest): Promise<boolean> {
    return (await fileSize(this.revisionFile(repo, d))) !== undefined;
  }

  /** The digest a tag points at, or undefined. */
  async resolveTag(repo: string, tag: string): Promise<string | undefined> {
    const raw = await readIfExists(this.tagFile(repo, tag));
    return raw ? raw.toString('utf8').trim() : undefined;
  }

  /** A manifest by tag or digest, with its bytes and the content type it was pushed with. */
  async getManifest(repo: string, reference: string): Promise<StoredManifest | undefined> {
    let digest = reference;
    if (!reference.includes(':')) {
      const resolved = await this.resolveTag(repo, reference);
      if (!resolved) return undefined;
      digest = resolved;
    }
    const d = tryParseDigest(digest);
    if (!d) return undefined;
    const rec = await this.revision(repo, d);
    if (!rec) return undefined;
    const body = await readIfExists(this.blobPath(d));
    if (!body) return undefined;
    return { digest: rec.digest, contentType: rec.contentType, body };
  }

  /** Deletes a manifest revision, every tag pointing at it, and its referrers entry. */
  async deleteManifest(repo: string, d: Digest): Promise<boolean> {
    const rec = await this.revision(repo, d);
    if (!rec) return false;
    const tagsDir = join(this.repoDir(repo), '_manifests', 'tags');
    for (const tag of await listDir(tagsDir)) {
      if ((await this.resolveTag(repo, tag)) === d.value) await removeIfExists(join(tagsDir, tag));
    }
    if (rec.subject) {
      const subject = tryParseDigest(rec.subject);
      if (subject) await removeIfExists(join(this.referrersDir(repo, subject), `${d.algorithm}-${d.hex}.json`));
    }
    return removeIfExists(this.revisionFile(repo, d));
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    return removeIfExists(this.tagFile(repo, tag));
  }

  /** Tags of a repository in lexical order, or undefined when the repository does not exist. */
  async listTags(repo: string): Promise<string[] | undefined> {
    if (!(await this.repoExists(repo))) return undefined;
    return (await listDir(join(this.repoDir(repo), '_manifests', 'tags'))).sort(lexical);
  }

  /** Every repository holding something, in lexical order. */
  async listRepositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
      if (prefix && entries.some((e) => e.isDirectory() && e.name.startsWith('_'))) out.push(prefix);
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith('_')) await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
      }
    };
    await walk(join(this.root, 'repositories'), '');
    return out.sort(lexical);
  }

  /** Descriptors of the manifests in `repo` whose subject is `subject`, ordered by digest. */
  async referrers(repo: string, subject: Digest): Promise<Descriptor[]> {
    const dir = this.referrersDir(repo, subject);
    const out: Descriptor[] = [];
    for (const name of (await listDir(dir)).sort()) {
      const raw = await readIfExists(join(dir, name));
      if (raw) out.push(JSON.parse(raw.toString('utf8')) as Descriptor);
    }
    return out;
  }
}

/** Byte-wise lexical order, as the spec's pagination expects. */
export function lexical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Digest of a manifest body for the algorithm of the reference it is pushed under. */
export function manifestDigest(body: Buffer, algorithm: DigestAlgorithm): Digest {
  return parseDigest(digestOf(body, algorithm));
}

export function blobUnknown(d: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', MESSAGES.blobUnknown, { digest: d });
}
