/**
 * The message decoder: protobuf bytes → the object Kubernetes' JSON serialisation would produce, following a
 * field table (./schema.ts). One pass over the bytes per message, no intermediate field lists, varints as numbers
 * (BigInt only for values past 2^49), field paths built only when an error is reported.
 */

import type { JsonObject, JsonValue } from '../types.js';
import type { FieldSpec, LeafType, MessageSchema } from './schema.js';
import { readVarint, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, WireError } from './wire.js';

const utf8 = new TextDecoder('utf-8');

/** A field table prepared for decoding: field number → slot, message types resolved once. */
interface Compiled {
  /** Slot of each field number below 128 (dense), else looked up in `far`. */
  near: Int16Array;
  far: Map<number, number>;
  slots: Slot[];
}

interface Slot {
  spec: FieldSpec;
  leaf: LeafType | undefined;
  message: MessageSchema | undefined;
  varintLeaf: boolean;
}

const compiledTables = new WeakMap<MessageSchema, Compiled>();

function compile(schema: MessageSchema): Compiled {
  let c = compiledTables.get(schema);
  if (c) return c;
  const near = new Int16Array(128).fill(-1);
  const far = new Map<number, number>();
  const slots: Slot[] = [];
  c = { near, far, slots };
  compiledTables.set(schema, c);
  schema.fields.forEach((spec, i) => {
    if (spec.no < 128) near[spec.no] = i;
    else far.set(spec.no, i);
    const leaf = typeof spec.type === 'function' ? undefined : spec.type;
    slots.push({ spec, leaf, message: undefined, varintLeaf: leaf === 'bool' || leaf === 'int32' || leaf === 'int64' });
  });
  return c;
}

function messageOf(slot: Slot): MessageSchema {
  slot.message ??= (slot.spec.type as () => MessageSchema)();
  return slot.message;
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

function wrongWire(expected: string, got: number): WireError {
  return new WireError(`expected a ${expected} field, got ${WIRE_NAMES[got] ?? `wire type ${got}`}`);
}

/** Reading position within one buffer. */
class Cursor {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /**
   * A varint as a number. Values past 2^49 go through BigInt; past 2^53 they are read as signed 64-bit (negative
   * int32/int64 are sent sign-extended to 10 bytes), and may lose precision as int64 → JSON number does.
   */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= buf.length) throw new WireError('truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      mul *= 128;
    }
    const [big, next] = readVarint(buf, this.pos);
    this.pos = next;
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : Number(BigInt.asIntN(64, big));
  }

  /** The end of a length-delimited payload starting at the cursor (the cursor moves past the length). */
  length(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.buf.length) throw new WireError(`length-delimited field of ${len} bytes overruns the ${this.buf.length - this.pos} remaining bytes`);
    return end;
  }

  skip(wireType: number, no: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_BYTES:
        this.pos = this.length();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.buf.length) throw new WireError('truncated fixed64 field');
        this.pos += 8;
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.buf.length) throw new WireError('truncated fixed32 field');
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wireType} for field ${no}`);
    }
  }

  /** Reads a tag; returns field number * 8 + wire type, as on the wire. */
  tag(): number {
    const tag = this.varint();
    const no = Math.floor(tag / 8);
    if (no <= 0 || no > 0x1fffffff) throw new WireError(`invalid field number ${no}`);
    return tag;
  }
}

function text(buf: Uint8Array, start: number, end: number): string {
  // Short ASCII strings (names, labels, most values) are cheaper to build in JS than through TextDecoder.
  if (end - start <= 32) {
    let s = '';
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b >= 0x80) return utf8.decode(buf.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return utf8.decode(buf.subarray(start, end));
}

function isEmptyObject(v: object): boolean {
  for (const _ in v) return false;
  return true;
}

function isZero(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return isEmptyObject(v);
  return false;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** RFC3339 in UTC, as Go formats `time.Time` (years outside 0..9999 are not representable). */
function formatTime(seconds: number, fraction: string): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new WireError(`timestamp ${seconds}s is out of range`);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new WireError(`timestamp ${seconds}s is outside years 0000-9999`);
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${fraction}Z`;
}

function decodeTimestamp(c: Cursor, end: number, micro: boolean): string | undefined {
  // An empty message is the zero time, which Go writes as JSON null: leave the field out.
  if (c.pos === end) return undefined;
  let seconds = 0;
  let nanos = 0;
  while (c.pos < end) {
    const tag = c.tag();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if ((no === 1 || no === 2) && wt !== WIRE_VARINT) throw wrongWire('varint', wt).within(no === 1 ? '.seconds' : '.nanos');
    if (no === 1) seconds = c.varint();
    else if (no === 2) nanos = c.varint() | 0;
    else c.skip(wt, no);
  }
  if (nanos < 0 || nanos > 999_999_999) throw new WireError(`${nanos} is out of range`).within('.nanos');
  // metav1.Time keeps whole seconds only; MicroTime truncates to microseconds.
  return formatTime(seconds, micro ? `.${pad(Math.floor(nanos / 1000), 6)}` : '');
}

/** The string or bytes of field 1 of a small wrapper message (Quantity, RawExtension, FieldsV1). */
function firstFieldBytes(c: Cursor, end: number, name: string): [number, number] | undefined {
  let found: [number, number] | undefined;
  while (c.pos < end) {
    const tag = c.tag();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (no === 1) {
      if (wt !== WIRE_BYTES) throw wrongWire('length-delimited', wt).within(`.${name}`);
      const e = c.length();
      found = [c.pos, e];
      c.pos = e;
    } else c.skip(wt, no);
  }
  return found;
}

function decodeRawJson(c: Cursor, end: number): JsonValue | undefined {
  const raw = firstFieldBytes(c, end, 'raw');
  if (!raw || raw[0] === raw[1]) return undefined;
  try {
    return JSON.parse(utf8.decode(c.buf.subarray(raw[0], raw[1]))) as JsonValue;
  } catch (err) {
    throw new WireError(`raw bytes are not JSON: ${(err as Error).message}`);
  }
}

function decodeIntOrString(c: Cursor, end: number): JsonValue {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (c.pos < end) {
    const tag = c.tag();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (no === 1 || no === 2) {
      if (wt !== WIRE_VARINT) throw wrongWire('varint', wt).within(no === 1 ? '.type' : '.intVal');
      if (no === 1) type = c.varint();
      else intVal = c.varint() | 0;
    } else if (no === 3) {
      if (wt !== WIRE_BYTES) throw wrongWire('length-delimited', wt).within('.strVal');
      const e = c.length();
      strVal = text(c.buf, c.pos, e);
      c.pos = e;
    } else c.skip(wt, no);
  }
  return type === 1 ? strVal : intVal;
}

/** The repeated field 1 of a list wrapper message ({items=1}) as a JSON array of strings. */
function decodeStringList(c: Cursor, end: number): JsonValue {
  const items: string[] = [];
  while (c.pos < end) {
    const tag = c.tag();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (no === 1 && wt === WIRE_BYTES) {
      const e = c.length();
      items.push(text(c.buf, c.pos, e));
      c.pos = e;
    } else c.skip(wt, no);
  }
  return items;
}

/** Decodes one value of a leaf type whose tag has just been read. */
function decodeLeaf(type: LeafType, c: Cursor, wt: number): JsonValue | undefined {
  switch (type) {
    case 'bool':
      if (wt !== WIRE_VARINT) throw wrongWire('varint', wt);
      return c.varint() !== 0;
    case 'int32':
      if (wt !== WIRE_VARINT) throw wrongWire('varint', wt);
      return c.varint() | 0;
    case 'int64':
      if (wt !== WIRE_VARINT) throw wrongWire('varint', wt);
      return c.varint();
    case 'double': {
      if (wt !== WIRE_FIXED64) throw wrongWire('fixed64', wt);
      if (c.pos + 8 > c.buf.length) throw new WireError('truncated fixed64 field');
      const v = new DataView(c.buf.buffer, c.buf.byteOffset + c.pos, 8).getFloat64(0, true);
      c.pos += 8;
      return v;
    }
    default:
      break;
  }
  if (wt !== WIRE_BYTES) throw wrongWire('length-delimited', wt);
  const end = c.length();
  const start = c.pos;
  let value: JsonValue | undefined;
  switch (type) {
    case 'string':
      value = text(c.buf, start, end);
      break;
    case 'bytes':
      value = Buffer.from(c.buf.buffer, c.buf.byteOffset + start, end - start).toString('base64');
      break;
    case 'time':
      value = decodeTimestamp(c, end, false);
      break;
    case 'microtime':
      value = decodeTimestamp(c, end, true);
      break;
    case 'quantity': {
      const s = firstFieldBytes(c, end, 'string');
      value = s && s[0] !== s[1] ? text(c.buf, s[0], s[1]) : '0'; // the zero Quantity marshals as "0"
      break;
    }
    case 'intorstring':
      value = decodeIntOrString(c, end);
      break;
    case 'rawjson':
    case 'fieldsv1':
      value = decodeRawJson(c, end);
      break;
    case 'stringlist':
      value = decodeStringList(c, end);
      break;
  }
  c.pos = end;
  return value;
}

/** Zero value of a map entry or list item that was empty on the wire. */
function zeroOf(slot: Slot): JsonValue {
  switch (slot.leaf) {
    case undefined:
      return {};
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'double':
    case 'intorstring':
      return 0;
    case 'quantity':
      return '0';
    case 'time':
    case 'microtime':
    case 'rawjson':
    case 'fieldsv1':
      return null;
    case 'stringlist':
      return [];
    default:
      return '';
  }
}

function decodeValue(slot: Slot, c: Cursor, wt: number): JsonValue | undefined {
  if (slot.leaf !== undefined) return decodeLeaf(slot.leaf, c, wt);
  if (wt !== WIRE_BYTES) throw wrongWire('length-delimited', wt);
  const end = c.length();
  const schema = messageOf(slot);
  const decoded = decodeFields(schema, c, end);
  return schema.toJson ? schema.toJson(decoded) : decoded;
}

function decodeMapEntry(slot: Slot, c: Cursor, wt: number, into: JsonObject): void {
  if (wt !== WIRE_BYTES) throw wrongWire('length-delimited', wt);
  const end = c.length();
  let key = '';
  let value: JsonValue | undefined;
  let seen = false;
  while (c.pos < end) {
    const tag = c.tag();
    const no = Math.floor(tag / 8);
    const ewt = tag & 7;
    if (no === 1) {
      if (ewt !== WIRE_BYTES) throw wrongWire('length-delimited', ewt).within('.key');
      const e = c.length();
      key = text(c.buf, c.pos, e);
      c.pos = e;
    } else if (no === 2) {
      seen = true;
      try {
        value = decodeValue(slot, c, ewt);
      } catch (err) {
        throw err instanceof WireError ? err.within(`[${JSON.stringify(key)}]`) : err;
      }
    } else c.skip(ewt, no);
  }
  into[key] = !seen || value === undefined ? zeroOf(slot) : value;
}

/** Decodes the fields of one message in [c.pos, end) into a JSON object, in the table's field order. */
function decodeFields(schema: MessageSchema, c: Cursor, end: number): JsonObject {
  const table = compile(schema);
  const values: Array<JsonValue | undefined> = new Array(table.slots.length);
  let any = false;
  while (c.pos < end) {
    const tag = c.tag();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    const i = no < 128 ? table.near[no]! : (table.far.get(no) ?? -1);
    if (i < 0) {
      c.skip(wt, no); // unknown fields are ignored
      continue;
    }
    const slot = table.slots[i]!;
    const spec = slot.spec;
    any = true;
    try {
      if (spec.map) {
        const obj = (values[i] as JsonObject | undefined) ?? {};
        values[i] = obj;
        decodeMapEntry(slot, c, wt, obj);
      } else if (spec.repeated) {
        const arr = (values[i] as JsonValue[] | undefined) ?? [];
        values[i] = arr;
        if (slot.varintLeaf && wt === WIRE_BYTES) {
          const packedEnd = c.length();
          while (c.pos < packedEnd) arr.push(decodeLeaf(slot.leaf!, c, WIRE_VARINT) ?? null);
        } else {
          const item = decodeValue(slot, c, wt);
          arr.push(item === undefined ? zeroOf(slot) : item);
        }
      } else {
        values[i] = decodeValue(slot, c, wt); // the last occurrence wins
      }
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      const n = spec.repeated && Array.isArray(values[i]) ? (values[i] as JsonValue[]).length : -1;
      throw err.within(`.${spec.json}${n >= 0 ? `[${n}]` : ''}`);
    }
  }
  const out: JsonObject = {};
  if (!any) return out;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined) continue;
    const spec = table.slots[i]!.spec;
    if (spec.map || spec.repeated) {
      if (Array.isArray(value) ? value.length > 0 : !isEmptyObject(value as object)) out[spec.json] = value;
      continue;
    }
    if (!spec.keepZero && isZero(value)) continue;
    if (spec.inline && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(out, value);
    else out[spec.json] = value;
  }
  return out;
}

/** Decodes one message into a JSON object following its field table. Errors name the field path under `path`. */
export function decodeMessage(schema: MessageSchema, bytes: Uint8Array, path = ''): JsonObject {
  try {
    return decodeFields(schema, new Cursor(bytes, 0), bytes.length);
  } catch (err) {
    throw err instanceof WireError && path ? err.within(path) : err;
  }
}
