/**
 * Which processes hold POSIX locks on a file, from Linux's /proc/locks: a SQLite connection in WAL
 * mode holds a shared lock on the database and on its -shm file for as long as it is open, so a
 * running plane shows up there even while idle.
 */
import { readFileSync, statSync } from 'node:fs';

export interface ProcLock {
  pid: number;
  major: number;
  minor: number;
  inode: number;
}

/** The locks of /proc/locks text (blocked waiters, "->", included; OFD locks have pid -1). */
export function parseProcLocks(text: string): ProcLock[] {
  const out: ProcLock[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(?:->\s+)?\S+\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (m) out.push({ pid: Number(m[1]), major: parseInt(m[2]!, 16), minor: parseInt(m[3]!, 16), inode: Number(m[4]) });
  }
  return out;
}

/** Major and minor number of a st_dev value (glibc's encoding). */
export function splitDevice(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}

/**
 * Ids of other processes holding a lock on any of `paths` (missing paths are skipped); undefined
 * when /proc/locks cannot be read (not Linux), so callers go on without the check.
 */
export function otherLockHolders(paths: string[], procLocks = '/proc/locks'): number[] | undefined {
  let text: string;
  try {
    text = readFileSync(procLocks, 'utf8');
  } catch {
    return undefined;
  }
  const files: Array<{ major: number; minor: number; inode: number }> = [];
  for (const p of paths) {
    try {
      const st = statSync(p);
      files.push({ ...splitDevice(st.dev), inode: st.ino });
    } catch {
      // not there: nobody holds it
    }
  }
  const pids = new Set<number>();
  for (const l of parseProcLocks(text)) {
    if (l.pid === process.pid) continue;
    if (files.some((f) => f.inode === l.inode && f.major === l.major && f.minor === l.minor)) pids.add(l.pid);
  }
  return [...pids].sort((a, b) => a - b);
}
