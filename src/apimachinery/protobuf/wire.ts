/**
 * Minimal protobuf wire-format reader (proto2/proto3 binary encoding).
 *
 * Only what the Kubernetes protobuf serialisation needs: varints, length-delimited
 * fields and skipping of fixed32/fixed64 fields. Errors are thrown as
 * {@link WireError} so that callers can turn them into 400 responses.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export class WireError extends Error {
  /** Where in the message the problem is, e.g. `Deployment.spec.template.spec.containers[0].name`. */
  path = '';
  /** The problem itself, without the path. */
  readonly detail: string;

  constructor(message: string) {
    super(message);
    this.name = 'WireError';
    this.detail = message;
  }

  /** Prepends a path segment (callers add theirs on the way out); returns this error. */
  within(segment: string): this {
    this.path = segment + this.path;
    this.message = `${this.path}: ${this.detail}`;
    return this;
  }
}

/** One decoded field occurrence. Varints stay as bigint so int64 values keep their sign. */
export type WireValue =
  | { wireType: typeof WIRE_VARINT; value: bigint }
  | { wireType: typeof WIRE_BYTES; value: Uint8Array }
  | { wireType: typeof WIRE_FIXED64; value: Uint8Array }
  | { wireType: typeof WIRE_FIXED32; value: Uint8Array };

export interface WireField {
  field: number;
  data: WireValue;
}

/** Reads a varint at `pos`; returns the value and the position after it. */
export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireError('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, result), pos];
    shift += 7n;
  }
  throw new WireError('varint longer than 10 bytes');
}

function readLength(buf: Uint8Array, pos: number): [number, number] {
  const [len, next] = readVarint(buf, pos);
  if (len > BigInt(buf.length - next)) throw new WireError(`length-delimited field of ${len} bytes overruns the ${buf.length - next} remaining bytes`);
  return [Number(len), next];
}

/** Splits one message's bytes into its fields, in wire order. */
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (field <= 0 || field > 0x1fffffff) throw new WireError(`invalid field number ${field}`);
    switch (wireType) {
      case WIRE_VARINT: {
        const [v, next] = readVarint(buf, pos);
        pos = next;
        out.push({ field, data: { wireType: WIRE_VARINT, value: v } });
        break;
      }
      case WIRE_BYTES: {
        const [len, start] = readLength(buf, pos);
        pos = start + len;
        out.push({ field, data: { wireType: WIRE_BYTES, value: buf.subarray(start, pos) } });
        break;
      }
      case WIRE_FIXED64: {
        if (pos + 8 > buf.length) throw new WireError('truncated fixed64 field');
        out.push({ field, data: { wireType: WIRE_FIXED64, value: buf.subarray(pos, pos + 8) } });
        pos += 8;
        break;
      }
      case WIRE_FIXED32: {
        if (pos + 4 > buf.length) throw new WireError('truncated fixed32 field');
        out.push({ field, data: { wireType: WIRE_FIXED32, value: buf.subarray(pos, pos + 4) } });
        pos += 4;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wireType} for field ${field}`);
    }
  }
  return out;
}

/** Decodes a packed run of varints (used for packed repeated scalar fields). */
export function readPackedVarints(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [v, next] = readVarint(buf, pos);
    out.push(v);
    pos = next;
  }
  return out;
}

// Non-fatal like Go's encoding/json, which replaces invalid UTF-8 with U+FFFD when it writes a string.
const utf8 = new TextDecoder('utf-8');

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
