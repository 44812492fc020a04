/**
 * Progress of a bundle transfer: on a terminal, one redrawn bar (bytes, rate, images done); when
 * not a TTY, one plain line per finished blob and image.
 */
import type { Writable } from 'node:stream';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

export interface ProgressOptions {
  out: Writable & { isTTY?: boolean; columns?: number };
  /** Force plain lines (or a bar) regardless of the stream. */
  tty?: boolean;
  /** Print nothing. */
  quiet?: boolean;
  /** Verb for lines and the bar: "download", "upload", "verify". */
  verb: string;
}

export class Progress {
  private readonly tty: boolean;
  private totalBytes = 0;
  private doneBytes = 0;
  private totalImages = 0;
  private doneImages = 0;
  private totalBlobs = 0;
  private doneBlobs = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(private readonly opts: ProgressOptions) {
    this.tty = opts.tty ?? !!opts.out.isTTY;
  }

  start(totals: { bytes: number; images: number; blobs: number }): void {
    this.totalBytes = totals.bytes;
    this.totalImages = totals.images;
    this.totalBlobs = totals.blobs;
    if (this.tty && !this.opts.quiet) {
      this.timer = setInterval(() => this.draw(), 200);
      this.timer.unref();
    }
  }

  bytes(n: number): void {
    this.doneBytes += n;
  }

  /** A blob is finished: `what` is e.g. "pushed", "mounted", "skipped (exists)", "downloaded". */
  blob(what: string, digest: string, size: number, where: string): void {
    this.doneBlobs++;
    this.line(`${what} blob ${digest.slice(0, 19)} ${formatBytes(size)} ${where} [${this.doneBlobs}/${this.totalBlobs} blobs]`);
  }

  image(what: string, ref: string): void {
    this.doneImages++;
    this.line(`${what} image ${ref} [${this.doneImages}/${this.totalImages} images]`);
  }

  /** A free-form message: printed above the bar or as a line. */
  note(msg: string): void {
    if (this.opts.quiet) return;
    this.clear();
    this.opts.out.write(msg + '\n');
  }

  private line(msg: string): void {
    if (this.opts.quiet || this.tty) return;
    this.opts.out.write(msg + '\n');
  }

  private clear(): void {
    if (this.tty && this.drawn) {
      this.opts.out.write('\r\x1b[2K');
      this.drawn = false;
    }
  }

  private draw(): void {
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.doneBytes / secs;
    const frac = this.totalBytes > 0 ? Math.min(1, this.doneBytes / this.totalBytes) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
    const text = `${this.opts.verb} [${bar}] ${formatBytes(this.doneBytes)}/${formatBytes(this.totalBytes)} ${formatBytes(rate)}/s  images ${this.doneImages}/${this.totalImages}`;
    const cols = this.opts.out.columns ?? 100;
    this.opts.out.write('\r\x1b[2K' + text.slice(0, cols - 1));
    this.drawn = true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && !this.opts.quiet) {
      this.draw();
      this.opts.out.write('\n');
      this.drawn = false;
    }
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }
}
