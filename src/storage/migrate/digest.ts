/** A running count and checksum of key/value pairs, fed in key order, to compare two copies. */
import { createHash, type Hash } from 'node:crypto';

export interface DigestResult {
  keys: number;
  /** UTF-8 bytes of keys and values. */
  bytes: number;
  /** SHA-256 (hex) over every key and value, each followed by a zero byte, in the order added. */
  sha256: string;
}

const SEPARATOR = Buffer.from([0]);

export class KeyValueDigest {
  private readonly hash: Hash = createHash('sha256');
  private keys = 0;
  private bytes = 0;

  add(key: Buffer | string, value: Buffer | string): void {
    const k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.hash.update(k).update(SEPARATOR).update(v).update(SEPARATOR);
    this.keys++;
    this.bytes += k.length + v.length;
  }

  result(): DigestResult {
    return { keys: this.keys, bytes: this.bytes, sha256: this.hash.copy().digest('hex') };
  }
}
