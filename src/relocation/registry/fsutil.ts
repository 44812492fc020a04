/** Small crash-safe file helpers: write to a temporary file, flush it, rename it into place. */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const st = await fsp.stat(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

export async function listDir(path: string): Promise<string[]> {
  try {
    return await fsp.readdir(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await fsp.unlink(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** A fresh temporary file name inside `tmpDir` (which must be on the same filesystem as the target). */
export function tempName(tmpDir: string): string {
  return join(tmpDir, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}.tmp`);
}

/** Writes `data` to `path` so that a reader (or a restart) sees the old file or the new one, never a part. */
export async function writeFileAtomic(path: string, data: Buffer | string, tmpDir: string, durable: boolean): Promise<void> {
  const tmp = tempName(tmpDir);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  await moveIntoPlace(tmp, path);
}

/** Renames `from` to `to`, creating `to`'s folder when needed. */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await fsp.mkdir(dirname(to), { recursive: true });
    await fsp.rename(from, to);
  }
}
