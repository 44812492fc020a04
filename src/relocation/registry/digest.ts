/** Content digests: `sha256:<64 hex>` and `sha512:<128 hex>`, validated and computed. */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { RegistryError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface Digest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** `algorithm:hex` */
  value: string;
}

const GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** Parses a digest, or returns undefined when it is not one this registry supports. */
export function tryParseDigest(s: string): Digest | undefined {
  if (!GRAMMAR.test(s)) return undefined;
  const i = s.indexOf(':');
  const algorithm = s.slice(0, i);
  const hex = s.slice(i + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-f]+$/.test(hex)) return undefined;
  return { algorithm, hex, value: s };
}

/** Parses a digest or throws DIGEST_INVALID naming it. */
export function parseDigest(s: string, what = 'digest'): Digest {
  const d = tryParseDigest(s);
  if (!d) {
    const known = GRAMMAR.test(s) && !/^sha(256|512):/.test(s);
    throw new RegistryError('DIGEST_INVALID', known ? `${what} "${s}": unsupported digest algorithm (supported: sha256, sha512)` : `${what} "${s}" is not a valid digest`, { digest: s });
  }
  return d;
}

export function isDigestReference(s: string): boolean {
  return s.includes(':');
}

export function newHash(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

export function digestOf(data: Buffer | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Digest of a file, streamed (memory does not grow with the file). */
export async function digestFile(path: string, algorithm: DigestAlgorithm): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return `${algorithm}:${h.digest('hex')}`;
}
