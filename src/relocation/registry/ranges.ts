/** HTTP byte ranges: `Range` on blob GET, `Content-Range` on chunked upload PATCH/PUT. */

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

/**
 * A GET `Range` header against a blob of `size` bytes: undefined when absent or not a single
 * byte range (serve the whole blob, as RFC 9110 allows), 'unsatisfiable' for 416.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  let end = b === '' ? size - 1 : Number(b);
  if (b !== '' && end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  if (end >= size) end = size - 1;
  return { start, end };
}

/**
 * An upload chunk's `Content-Range`: the spec's `<start>-<end>`, and the forms clients send in
 * practice (`bytes <start>-<end>/<total>`, `bytes=<start>-<end>`). Undefined when malformed.
 */
export function parseContentRange(header: string): ByteRange | undefined {
  const m = /^\s*(?:bytes[\s=]+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?\s*$/i.exec(header);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  return { start, end };
}

/** The `Range` header of an upload status answer; Docker's registry writes `0-0` for an empty upload. */
export function uploadRangeHeader(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}
