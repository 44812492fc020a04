/**
 * The audit log backend: events as JSON Lines in --audit-log-path ("-" = stdout), rotated by
 * size as kube-apiserver's log backend (lumberjack) rotates: when the next event would take the
 * file past --audit-log-maxsize MB, the file is renamed to `<name>-<UTC time>.<ext>` (time as
 * 2006-01-02T15-04-05.000) and a new one started; then backups beyond --audit-log-maxbackup, or
 * older than --audit-log-maxage days, are removed (0 = keep). An event never spans two files.
 *
 * Writes are buffered for at most one turn of the event loop, or until the buffer holds
 * maxBufferBytes, and then written together; close() writes what is left.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../clock.js';
import type { AuditEvent } from './event.js';
import type { AuditSink } from './recorder.js';

const MB = 1024 * 1024;
/** lumberjack's size when none is given. */
const DEFAULT_MAX_SIZE_MB = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AuditLogWriterOptions {
  /** --audit-log-path; "-" writes to stdout (no rotation). */
  path: string;
  /** --audit-log-maxsize in megabytes; 0 or absent: 100 (lumberjack's default). */
  maxSizeMB?: number;
  /** --audit-log-maxbackup: rotated files to keep; 0 or absent: all. */
  maxBackups?: number;
  /** --audit-log-maxage in days; 0 or absent: no age limit. */
  maxAgeDays?: number;
  /** Maximum file size in bytes, overriding maxSizeMB (tests). */
  maxSizeBytes?: number;
  /** Buffered bytes beyond which a write is flushed at once; default 1 MiB. */
  maxBufferBytes?: number;
  /** Time for backup names and max age. */
  clock?: Clock;
  /** Stream for path "-"; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** Failed writes (the batch is dropped, as upstream's backend drops it); default: a line on stderr. */
  onError?: (err: Error) => void;
}

const BACKUP_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/;

/** lumberjack's backup time format (2006-01-02T15-04-05.000), in UTC. */
export function backupTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace(/:/g, '-');
}

/** The time in a backup file's name, or undefined when it is not one. */
export function parseBackupTimestamp(text: string): number | undefined {
  const m = BACKUP_TIME_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** Splits "audit.log" into ["audit", ".log"] as Go's filepath.Ext does. */
function splitExt(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
}

/** The rotated name of `path` at time `ms`: /var/log/audit.log → /var/log/audit-2026-12-07T12-51-01.123.log. */
export function backupName(path: string, ms: number): string {
  const [prefix, ext] = splitExt(basename(path));
  return join(dirname(path), `${prefix}-${backupTimestamp(ms)}${ext}`);
}

export class AuditLogWriter implements AuditSink {
  private readonly path: string;
  private readonly maxSize: number;
  private readonly maxBackups: number;
  private readonly maxAgeDays: number;
  private readonly maxBufferBytes: number;
  private readonly clock: Clock | undefined;
  private readonly stdout: NodeJS.WritableStream | undefined;
  private readonly onError: (err: Error) => void;
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private fd: number | undefined;
  private size = 0;
  private mode = 0o600;
  private lastBackupMs = -Infinity;
  // While events are queued or the file is open, a normal process exit still writes them.
  private readonly onExit = (): void => this.flush();
  private exitHooked = false;

  constructor(opts: AuditLogWriterOptions) {
    this.path = opts.path;
    this.maxSize = opts.maxSizeBytes && opts.maxSizeBytes > 0 ? opts.maxSizeBytes : (opts.maxSizeMB && opts.maxSizeMB > 0 ? opts.maxSizeMB : DEFAULT_MAX_SIZE_MB) * MB;
    this.maxBackups = Math.max(0, opts.maxBackups ?? 0);
    this.maxAgeDays = Math.max(0, opts.maxAgeDays ?? 0);
    this.maxBufferBytes = opts.maxBufferBytes ?? MB;
    this.clock = opts.clock;
    this.stdout = opts.path === '-' ? (opts.stdout ?? process.stdout) : undefined;
    this.onError = opts.onError ?? ((err) => process.stderr.write(`audit log ${this.path}: ${err.message}\n`));
    if (!this.stdout) {
      // As kube-apiserver: the directory and file exist (0700/0600) from the start.
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      closeSync(openSync(this.path, 'a', 0o600));
    }
  }

  /** Queues one event as a JSON line (serialised now, so the caller may reuse its objects). */
  write(event: AuditEvent): void {
    this.writeLine(`${JSON.stringify(event)}\n`);
  }

  /** Queues one line, which must end in "\n". */
  writeLine(line: string): void {
    if (!this.exitHooked) {
      process.on('exit', this.onExit);
      this.exitHooked = true;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= this.maxBufferBytes) this.flush();
    else if (!this.scheduled) this.scheduled = setImmediate(() => this.flush());
  }

  /** Writes everything queued, now. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    try {
      if (this.stdout) this.stdout.write(lines.join(''));
      else this.writeToFile(lines);
    } catch (e) {
      this.onError(e as Error);
    }
  }

  /** Writes what is queued and closes the file; a later write opens it again. */
  async close(): Promise<void> {
    this.flush();
    if (this.exitHooked) {
      process.off('exit', this.onExit);
      this.exitHooked = false;
    }
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
    const out = this.stdout as (NodeJS.WritableStream & { writableNeedDrain?: boolean }) | undefined;
    if (out?.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }

  private writeToFile(lines: string[]): void {
    if (this.fd === undefined) this.openExistingOrNew(Buffer.byteLength(lines[0]!));
    let batch: string[] = [];
    let batchBytes = 0;
    for (const line of lines) {
      const n = Buffer.byteLength(line);
      if (this.size + batchBytes + n > this.maxSize && this.size + batchBytes > 0) {
        // This line would not fit: finish this file, then start a new one with it.
        this.writeOut(batch, batchBytes);
        batch = [];
        batchBytes = 0;
        this.rotate();
      }
      batch.push(line);
      batchBytes += n;
    }
    this.writeOut(batch, batchBytes);
  }

  private writeOut(lines: string[], bytes: number): void {
    if (lines.length === 0) return;
    const buf = Buffer.from(lines.join(''), 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
    this.size += bytes;
  }

  private openExistingOrNew(firstWrite: number): void {
    this.mill();
    if (!existsSync(this.path)) return this.openNew();
    const st = statSync(this.path);
    this.mode = st.mode & 0o777;
    if (st.size > 0 && st.size + firstWrite >= this.maxSize) return this.rotate();
    this.fd = openSync(this.path, 'a', this.mode);
    this.size = fstatSync(this.fd).size;
  }

  private openNew(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, 'a', this.mode);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (existsSync(this.path)) {
      this.mode = statSync(this.path).mode & 0o777;
      // Two rotations within one millisecond would share a name: move the later one on by 1 ms.
      let t = Math.max(this.now(), this.lastBackupMs + 1);
      while (existsSync(backupName(this.path, t))) t++;
      this.lastBackupMs = t;
      renameSync(this.path, backupName(this.path, t));
    }
    this.openNew();
    this.mill();
  }

  /** Removes backups beyond maxBackups (oldest first) and those older than maxAgeDays. */
  private mill(): void {
    if (this.maxBackups === 0 && this.maxAgeDays === 0) return;
    const dir = dirname(this.path);
    const [prefix, ext] = splitExt(basename(this.path));
    const backups: { name: string; t: number }[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${prefix}-`) || !name.endsWith(ext) || name.length <= prefix.length + 1 + ext.length) continue;
      const t = parseBackupTimestamp(name.slice(prefix.length + 1, name.length - ext.length));
      if (t !== undefined) backups.push({ name, t });
    }
    backups.sort((a, b) => b.t - a.t);
    let remove: typeof backups = [];
    let keep = backups;
    if (this.maxBackups > 0 && backups.length > this.maxBackups) {
      keep = backups.slice(0, this.maxBackups);
      remove = backups.slice(this.maxBackups);
    }
    if (this.maxAgeDays > 0) {
      const cutoff = this.now() - this.maxAgeDays * DAY_MS;
      remove = remove.concat(keep.filter((b) => b.t < cutoff));
    }
    for (const b of remove) {
      try {
        unlinkSync(join(dir, b.name));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(e as Error);
      }
    }
  }

  private now(): number {
    return this.clock ? this.clock.now().getTime() : Date.now();
  }
}
