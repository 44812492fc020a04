/**
 * Blob upload sessions. Each lives in `uploads/<id>/`: `data` (the bytes received so far) and
 * `info.json` (repository and acknowledged size, replaced atomically after every accepted chunk).
 * A chunk that fails halfway is cut off again, and a restart cuts `data` back to the acknowledged
 * size, so a session resumes exactly where the client was told it stands. Bytes stream to disk
 * while being hashed; nothing is held in memory beyond one network chunk.
 */
import { type Hash, randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { type Digest, digestFile, newHash } from './digest.js';
import { RegistryError, MESSAGES } from './errors.js';
import { readIfExists, writeFileAtomic } from './fsutil.js';
import { type ByteRange, uploadRangeHeader } from './ranges.js';
import type { RegistryStorage } from './storage.js';

export interface UploadInfo {
  id: string;
  repo: string;
  /** Bytes received and acknowledged. */
  size: number;
  startedAt: string;
}

export interface ChunkOptions {
  /** The chunk's Content-Range, when the client sent one. */
  range?: ByteRange;
  /** The request's Content-Length, when known. */
  length?: number;
}

/** Bytes gathered before one write to disk: bounds memory per upload while keeping system calls few. */
const WRITE_BATCH = 1 << 20;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function uploadLocation(info: UploadInfo): string {
  return `/v2/${info.repo}/blobs/uploads/${info.id}`;
}

/** Headers every upload-session answer carries. */
export function uploadHeaders(info: UploadInfo): Record<string, string> {
  return { Location: uploadLocation(info), Range: uploadRangeHeader(info.size), 'Docker-Upload-UUID': info.id, 'Blob-Upload-Session-ID': info.id };
}

export class UploadSessions {
  /** Running sha256 of sessions fed in order by this process; after a restart the file is re-read. */
  private readonly hashes = new Map<string, { hash: Hash; bytes: number }>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly storage: RegistryStorage) {}

  private dir(id: string): string {
    return join(this.storage.uploadsDir, id);
  }

  /** After a restart: drop broken sessions, cut data back to the acknowledged size, expire old ones. */
  async recover(maxAgeMs: number): Promise<void> {
    for (const id of await fsp.readdir(this.storage.uploadsDir)) {
      const dir = this.dir(id);
      try {
        const st = await fsp.stat(join(dir, 'info.json'));
        const info = JSON.parse(await fsp.readFile(join(dir, 'info.json'), 'utf8')) as UploadInfo;
        const data = await fsp.stat(join(dir, 'data'));
        if (Date.now() - st.mtimeMs >= maxAgeMs || data.size < info.size) throw new Error('stale');
        if (data.size > info.size) await fsp.truncate(join(dir, 'data'), info.size);
      } catch {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    }
  }

  /** Runs `fn` with the session to itself: chunks of one upload never interleave. */
  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  async create(repo: string): Promise<UploadInfo> {
    const info: UploadInfo = { id: randomUUID(), repo, size: 0, startedAt: new Date().toISOString() };
    const dir = this.dir(info.id);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(join(dir, 'data'), '');
    await writeFileAtomic(join(dir, 'info.json'), JSON.stringify(info), this.storage.tmpDir, false);
    this.hashes.set(info.id, { hash: newHash('sha256'), bytes: 0 });
    return info;
  }

  /** The session `id` of `repo`, or BLOB_UPLOAD_UNKNOWN. */
  async get(repo: string, id: string): Promise<UploadInfo> {
    const unknown = new RegistryError('BLOB_UPLOAD_UNKNOWN', MESSAGES.uploadUnknown, { uuid: id });
    if (!ID.test(id)) throw unknown;
    const raw = await readIfExists(join(this.dir(id), 'info.json'));
    if (!raw) throw unknown;
    const info = JSON.parse(raw.toString('utf8')) as UploadInfo;
    if (info.repo !== repo) throw unknown;
    return info;
  }

  /** Appends one chunk (PATCH): in order, or 416 with the session's current Range. */
  append(repo: string, id: string, body: AsyncIterable<Buffer>, opts: ChunkOptions): Promise<UploadInfo> {
    return this.exclusive(id, async () => this.appendLocked(await this.get(repo, id), body, opts));
  }

  private async appendLocked(info: UploadInfo, body: AsyncIterable<Buffer>, opts: ChunkOptions): Promise<UploadInfo> {
    let expected: number | undefined = opts.length;
    if (opts.range) {
      if (opts.range.start !== info.size) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `chunk starts at byte ${opts.range.start} but the upload has ${info.size} bytes: send the range starting at ${info.size}`, { range: `${opts.range.start}-${opts.range.end}`, size: info.size }, { status: 416, headers: uploadHeaders(info) });
      }
      const n = opts.range.end - opts.range.start + 1;
      if (expected !== undefined && expected !== n) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `Content-Length ${expected} does not match Content-Range ${opts.range.start}-${opts.range.end} (${n} bytes)`, undefined, { status: 416, headers: uploadHeaders(info) });
      }
      expected = n;
    }
    const state = this.hashes.get(info.id);
    const inOrder = state !== undefined && state.bytes === info.size;
    const before = inOrder ? state.hash.copy() : undefined;
    const path = join(this.dir(info.id), 'data');
    const fh = await fsp.open(path, 'r+');
    let pos = info.size;
    // network chunks are small (about 64 KiB); gather up to WRITE_BATCH bytes per write system call
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let written = info.size;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off, written + off)).bytesWritten;
      written += buf.length;
    };
    try {
      for await (const chunk of body) {
        if (expected !== undefined && pos - info.size + chunk.length > expected) {
          throw new RegistryError('BLOB_UPLOAD_INVALID', `chunk is longer than the ${expected} bytes announced`);
        }
        if (inOrder) state.hash.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        pos += chunk.length;
        if (pendingBytes >= WRITE_BATCH) await flush();
      }
      await flush();
      if (expected !== undefined && pos - info.size !== expected) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `chunk ended after ${pos - info.size} of the ${expected} bytes announced`);
      }
    } catch (e) {
      await fh.truncate(info.size).catch(() => undefined);
      if (before) this.hashes.set(info.id, { hash: before, bytes: info.size });
      throw e;
    } finally {
      await fh.close();
    }
    if (inOrder) state.bytes = pos;
    if (pos === info.size) return info;
    const next: UploadInfo = { ...info, size: pos };
    await writeFileAtomic(join(this.dir(info.id), 'info.json'), JSON.stringify(next), this.storage.tmpDir, false);
    return next;
  }

  /**
   * Finishes a session (PUT ?digest=): appends the final chunk if any, checks the digest of every
   * byte, moves the file into the blob store and links it into the repository. A digest mismatch
   * ends the session and stores nothing.
   */
  complete(repo: string, id: string, digest: Digest, body: AsyncIterable<Buffer>, opts: ChunkOptions): Promise<UploadInfo> {
    return this.exclusive(id, async () => {
      const info = await this.appendLocked(await this.get(repo, id), body, opts);
      const path = join(this.dir(id), 'data');
      const state = this.hashes.get(id);
      const computed = digest.algorithm === 'sha256' && state && state.bytes === info.size ? `sha256:${state.hash.copy().digest('hex')}` : await digestFile(path, digest.algorithm);
      if (computed !== digest.value) {
        await this.removeLocked(id);
        throw new RegistryError('DIGEST_INVALID', `provided digest ${digest.value} does not match the uploaded content (${computed}, ${info.size} bytes)`, { digest: digest.value, computed });
      }
      if (this.storage.durable) {
        const fh = await fsp.open(path, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      await this.storage.adoptBlob(path, digest);
      await this.storage.linkBlob(repo, digest);
      await this.removeLocked(id);
      return info;
    });
  }

  /** Cancels a session (DELETE) and drops its data. */
  cancel(repo: string, id: string): Promise<void> {
    return this.exclusive(id, async () => {
      await this.get(repo, id);
      await this.removeLocked(id);
    });
  }

  private async removeLocked(id: string): Promise<void> {
    this.hashes.delete(id);
    await fsp.rm(this.dir(id), { recursive: true, force: true });
  }
}
