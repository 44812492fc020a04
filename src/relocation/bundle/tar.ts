/**
 * The bundle tar: written with tar-stream from a layout directory (streaming, file by file), and
 * read in place by indexing its headers so any entry can be streamed by byte range without
 * extracting the tar.
 */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';

export interface TarEntry {
  name: string;
  /** Byte offset of the entry's data in the tar file. */
  offset: number;
  size: number;
}

/**
 * Writes `files` (paths relative to `dir`, in this order) into a tar at `out`. Each file is
 * streamed into its entry; nothing is held in memory beyond stream buffers.
 */
export async function packTar(dir: string, files: string[], out: string): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(out));
  const mtime = new Date(0);
  try {
    for (const name of files) {
      const st = await fsp.stat(join(dir, name));
      const entry = pack.entry({ name, size: st.size, mode: 0o644, mtime, type: 'file' });
      await pipeline(createReadStream(join(dir, name)), entry);
    }
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    await written.catch(() => undefined);
    throw e;
  }
  await written;
}

function parseOctal(buf: Buffer, start: number, len: number): number {
  // GNU base-256 for large values
  if (buf[start]! & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + buf[i]!;
    return v;
  }
  const s = buf.toString('ascii', start, start + len).replace(/\0.*$/, '').trim();
  return s ? parseInt(s, 8) : 0;
}

function cstr(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + len ? start + len : end);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.toString('ascii', i, sp));
    if (!len) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Thrown when the tar ends inside an entry or a header. */
export class TarTruncatedError extends Error {
  constructor(
    readonly file: string,
    readonly entry: string | undefined,
    detail: string,
  ) {
    super(`${file}: truncated tar${entry ? ` (entry ${entry})` : ''}: ${detail}`);
    this.name = 'TarTruncatedError';
  }
}

/** Indexes a tar's regular files by reading only the 512-byte headers. */
export async function indexTar(file: string): Promise<Map<string, TarEntry>> {
  const fh = await fsp.open(file, 'r');
  const entries = new Map<string, TarEntry>();
  try {
    const total = (await fh.stat()).size;
    const hdr = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    for (;;) {
      if (pos + 512 > total) {
        if (pos === total) break; // no end-of-archive blocks: tolerate
        throw new TarTruncatedError(file, undefined, `header at offset ${pos} is cut off (file has ${total} bytes)`);
      }
      await fh.read(hdr, 0, 512, pos);
      if (hdr.every((b) => b === 0)) break;
      const size = parseOctal(hdr, 124, 12);
      const type = String.fromCharCode(hdr[156] || 0x30);
      const prefix = hdr.toString('ascii', 257, 262) === 'ustar' ? cstr(hdr, 345, 155) : '';
      let name = cstr(hdr, 0, 100);
      if (prefix) name = `${prefix}/${name}`;
      const dataStart = pos + 512;
      const next = dataStart + Math.ceil(size / 512) * 512;
      if (type === 'x' || type === 'L') {
        if (dataStart + size > total) throw new TarTruncatedError(file, name, 'extended header is cut off');
        const data = Buffer.alloc(size);
        await fh.read(data, 0, size, dataStart);
        if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
        else pax = parsePax(data);
        pos = next;
        continue;
      }
      if (pax.path) name = pax.path;
      if (longName) name = longName;
      const realSize = pax.size ? Number(pax.size) : size;
      longName = undefined;
      pax = {};
      if (type === '0' || type === '\0' || type === '7') {
        if (dataStart + realSize > total) throw new TarTruncatedError(file, name, `entry needs ${realSize} bytes at offset ${dataStart} but the file ends at ${total}`);
        entries.set(name.replace(/^\.\//, ''), { name, offset: dataStart, size: realSize });
      }
      pos = dataStart + Math.ceil(realSize / 512) * 512;
    }
  } finally {
    await fh.close();
  }
  return entries;
}
