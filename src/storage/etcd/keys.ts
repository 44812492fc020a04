/**
 * Mapping between Store keys (strings) and etcd keys (bytes): etcd key = UTF-8(prefix + key).
 * etcd orders keys by bytes; for the ASCII keys the API server writes that is the Store's order.
 */

export class KeySpace {
  private readonly prefixBytes: Buffer;

  constructor(readonly prefix: string) {
    this.prefixBytes = Buffer.from(prefix, 'utf8');
  }

  encode(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }

  /** The Store key of an etcd key under the prefix, or undefined for a key outside it. */
  decode(raw: Buffer): string | undefined {
    if (raw.length < this.prefixBytes.length || !raw.subarray(0, this.prefixBytes.length).equals(this.prefixBytes)) return undefined;
    return raw.subarray(this.prefixBytes.length).toString('utf8');
  }

  /** [start, end) of etcd keys for Store keys starting with `keyPrefix` (end: see rangeEndOf). */
  range(keyPrefix: string): { start: Buffer; end: Buffer } {
    const start = this.encode(keyPrefix);
    // etcd needs a non-empty key: the whole keyspace is ["\0", "\0").
    if (start.length === 0) return { start: Buffer.from([0]), end: Buffer.from([0]) };
    return { start, end: rangeEndOf(start) };
  }
}

/**
 * etcd's range_end for "every key starting with prefix": the prefix with its last byte below 0xff
 * incremented (trailing 0xff bytes dropped); a single zero byte means "to the end of the keyspace".
 */
export function rangeEndOf(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/** The smallest key greater than `key` (key + a zero byte). */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
