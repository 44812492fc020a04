/** Content digests (`sha256:<64 hex>`): parsing, hashing, and a stream stage that checks every byte. */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

/** Validates a digest string; only sha256 is accepted (what every registry and OCI layout uses). */
export function parseDigest(s: string, what = 'digest'): Digest {
  if (!isDigest(s)) throw new Error(`${what}: invalid digest ${JSON.stringify(s)} (expected sha256:<64 lowercase hex>)`);
  return s;
}

export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

export function digestOf(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export class DigestMismatchError extends Error {
  constructor(
    readonly expected: Digest,
    readonly actual: Digest,
    readonly expectedSize: number | undefined,
    readonly actualSize: number,
    readonly what: string,
  ) {
    super(
      expectedSize !== undefined && expectedSize !== actualSize
        ? `${what}: size mismatch for ${expected}: expected ${expectedSize} bytes, got ${actualSize}`
        : `${what}: digest mismatch: expected ${expected}, got ${actual}`,
    );
    this.name = 'DigestMismatchError';
  }
}

/**
 * Passes bytes through while hashing them; fails the stream at its end when the digest (or the
 * size, or an overrun of the size) does not match. Pass a pre-seeded hash to continue a
 * partially verified download.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;
  private count: number;

  constructor(
    readonly expected: Digest,
    readonly expectedSize: number | undefined,
    readonly what: string,
    seed?: { hash: Hash; bytes: number },
    private readonly onChunk?: (bytes: number) => void,
  ) {
    super();
    this.hash = seed?.hash ?? createHash('sha256');
    this.count = seed?.bytes ?? 0;
  }

  get bytes(): number {
    return this.count;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.expectedSize !== undefined && this.count > this.expectedSize) {
      cb(new DigestMismatchError(this.expected, this.expected, this.expectedSize, this.count, this.what));
      return;
    }
    this.hash.update(chunk);
    this.onChunk?.(chunk.length);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual: Digest = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.expected || (this.expectedSize !== undefined && this.count !== this.expectedSize)) {
      cb(new DigestMismatchError(this.expected, actual, this.expectedSize, this.count, this.what));
      return;
    }
    cb();
  }
}
