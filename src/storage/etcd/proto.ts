/**
 * Protocol-buffer encoding of the etcd v3 messages the store uses (etcdserverpb / mvccpb, etcd 3.4+),
 * written by hand: the store needs a dozen messages, and a direct codec keeps the hot path free of
 * reflection. Field numbers follow etcd's api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto.
 *
 * int64 fields are decoded to JS numbers (revisions stay far below 2^53); the uint64 member and
 * cluster ids are decoded to bigint.
 */

// ---- messages ----

export interface KeyValueMsg {
  key: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export interface ResponseHeaderMsg {
  clusterId: bigint;
  memberId: bigint;
  revision: number;
  raftTerm: number;
}

export interface RangeRequestMsg {
  key: Buffer;
  rangeEnd?: Buffer;
  limit?: number;
  revision?: number;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
}
export interface RangeResponseMsg {
  header: ResponseHeaderMsg;
  kvs: KeyValueMsg[];
  more: boolean;
  count: number;
}

export interface PutRequestMsg {
  key: Buffer;
  value: Buffer;
  prevKv?: boolean;
}
export interface PutResponseMsg {
  header: ResponseHeaderMsg;
  prevKv?: KeyValueMsg;
}

export interface DeleteRangeRequestMsg {
  key: Buffer;
  rangeEnd?: Buffer;
  prevKv?: boolean;
}
export interface DeleteRangeResponseMsg {
  header: ResponseHeaderMsg;
  deleted: number;
  prevKvs: KeyValueMsg[];
}

export type RequestOpMsg = { range: RangeRequestMsg } | { put: PutRequestMsg } | { deleteRange: DeleteRangeRequestMsg };
export interface ResponseOpMsg {
  range?: RangeResponseMsg;
  put?: PutResponseMsg;
  deleteRange?: DeleteRangeResponseMsg;
}

export const CompareResult = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } as const;
export const CompareTarget = { VERSION: 0, CREATE: 1, MOD: 2 } as const;
export interface CompareMsg {
  result: (typeof CompareResult)[keyof typeof CompareResult];
  target: (typeof CompareTarget)[keyof typeof CompareTarget];
  key: Buffer;
  /** The version, create_revision or mod_revision compared with (by target). */
  operand: number;
}

export interface TxnRequestMsg {
  compare: CompareMsg[];
  success: RequestOpMsg[];
  failure: RequestOpMsg[];
}
export interface TxnResponseMsg {
  header: ResponseHeaderMsg;
  succeeded: boolean;
  responses: ResponseOpMsg[];
}

export interface CompactionRequestMsg {
  revision: number;
  physical?: boolean;
}
export interface CompactionResponseMsg {
  header: ResponseHeaderMsg;
}

export interface WatchCreateRequestMsg {
  key: Buffer;
  rangeEnd?: Buffer;
  startRevision?: number;
  progressNotify?: boolean;
  prevKv?: boolean;
  watchId?: number;
}
export type WatchRequestMsg = { create: WatchCreateRequestMsg } | { cancel: { watchId: number } } | { progress: true };

export interface EventMsg {
  type: 'put' | 'delete';
  kv: KeyValueMsg;
  prevKv?: KeyValueMsg;
}
export interface WatchResponseMsg {
  header: ResponseHeaderMsg;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  fragment: boolean;
  events: EventMsg[];
}

export interface StatusResponseMsg {
  header: ResponseHeaderMsg;
  version: string;
  dbSize: number;
  leader: bigint;
  raftIndex: number;
  raftTerm: number;
}

// ---- writer ----

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

class Writer {
  private buf = Buffer.allocUnsafe(64);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private rawVarint(v: number): void {
    this.ensure(10);
    if (v < 0) {
      // Negative int64: ten bytes of two's complement.
      let b = BigInt.asUintN(64, BigInt(v));
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = Number(b & 0x7fn) | 0x80;
        b >>= 7n;
      }
      this.buf[this.pos++] = Number(b);
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** A scalar varint field, skipped when zero (proto3 default) unless `always`. */
  varint(field: number, v: number | undefined, always = false): this {
    if (v === undefined || (v === 0 && !always)) return this;
    if (!Number.isSafeInteger(v)) throw new RangeError(`field ${field}: ${v} is not a safe integer`);
    this.tag(field, WIRE_VARINT);
    this.rawVarint(v);
    return this;
  }

  bool(field: number, v: boolean | undefined): this {
    return v ? this.varint(field, 1) : this;
  }

  /** A bytes field, skipped when empty unless `always`. */
  bytes(field: number, v: Uint8Array | undefined, always = false): this {
    if (v === undefined || (v.length === 0 && !always)) return this;
    this.tag(field, WIRE_LEN);
    this.rawVarint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** An embedded message (written even when empty: presence matters for oneofs). */
  message(field: number, encode: (w: Writer) => void): this {
    const inner = new Writer();
    encode(inner);
    return this.bytes(field, inner.finish(), true);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function writeRange(w: Writer, m: RangeRequestMsg): void {
  w.bytes(1, m.key).bytes(2, m.rangeEnd).varint(3, m.limit).varint(4, m.revision);
  w.bool(7, m.serializable).bool(8, m.keysOnly).bool(9, m.countOnly);
}
function writePut(w: Writer, m: PutRequestMsg): void {
  w.bytes(1, m.key).bytes(2, m.value).bool(4, m.prevKv);
}
function writeDeleteRange(w: Writer, m: DeleteRangeRequestMsg): void {
  w.bytes(1, m.key).bytes(2, m.rangeEnd).bool(3, m.prevKv);
}
function writeRequestOp(w: Writer, op: RequestOpMsg): void {
  if ('range' in op) w.message(1, (x) => writeRange(x, op.range));
  else if ('put' in op) w.message(2, (x) => writePut(x, op.put));
  else w.message(3, (x) => writeDeleteRange(x, op.deleteRange));
}

const COMPARE_OPERAND_FIELD: Record<CompareMsg['target'], number> = { 0: 4, 1: 5, 2: 6 };

export function encodeRangeRequest(m: RangeRequestMsg): Buffer {
  const w = new Writer();
  writeRange(w, m);
  return w.finish();
}

export function encodePutRequest(m: PutRequestMsg): Buffer {
  const w = new Writer();
  writePut(w, m);
  return w.finish();
}

export function encodeTxnRequest(m: TxnRequestMsg): Buffer {
  const w = new Writer();
  for (const c of m.compare) {
    w.message(1, (x) => {
      x.varint(1, c.result).varint(2, c.target).bytes(3, c.key);
      // A oneof member is written even when zero, so etcd knows which operand is set.
      x.varint(COMPARE_OPERAND_FIELD[c.target], c.operand, true);
    });
  }
  for (const op of m.success) w.message(2, (x) => writeRequestOp(x, op));
  for (const op of m.failure) w.message(3, (x) => writeRequestOp(x, op));
  return w.finish();
}

export function encodeCompactionRequest(m: CompactionRequestMsg): Buffer {
  return new Writer().varint(1, m.revision).bool(2, m.physical).finish();
}

export function encodeEmpty(): Buffer {
  return Buffer.alloc(0);
}

export function encodeWatchRequest(m: WatchRequestMsg): Buffer {
  const w = new Writer();
  if ('create' in m) {
    const c = m.create;
    w.message(1, (x) => {
      x.bytes(1, c.key).bytes(2, c.rangeEnd).varint(3, c.startRevision).bool(4, c.progressNotify);
      x.bool(6, c.prevKv).varint(7, c.watchId);
    });
  } else if ('cancel' in m) {
    const id = m.cancel.watchId;
    w.message(2, (x) => x.varint(1, id));
  } else {
    w.message(3, () => undefined);
  }
  return w.finish();
}

// ---- reader ----

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    // More than 49 bits: finish with BigInt (large or negative int64).
    let big = BigInt(result);
    let shift = 49n;
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const b = buf[this.pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return Number(BigInt.asIntN(64, big));
      shift += 7n;
    }
    throw new Error('protobuf: varint too long');
  }

  uvarint64(): bigint {
    let big = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, big);
      shift += 7n;
    }
    throw new Error('protobuf: varint too long');
  }

  /** Length-delimited payload as [start, end) of buf. */
  lengthDelimited(): [number, number] {
    const n = this.varint();
    const start = this.pos;
    const end = start + n;
    if (n < 0 || end > this.end) throw new Error('protobuf: truncated field');
    this.pos = end;
    return [start, end];
  }

  bytes(): Buffer {
    const [s, e] = this.lengthDelimited();
    return this.buf.subarray(s, e);
  }

  sub(): Reader {
    const [s, e] = this.lengthDelimited();
    return new Reader(this.buf, s, e);
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.pos += 8;
    else if (wire === WIRE_LEN) this.lengthDelimited();
    else if (wire === WIRE_I32) this.pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new Error('protobuf: truncated field');
  }

  /** Calls onField(field, wire) for each field; onField returns false to have it skipped. */
  fields(onField: (field: number, wire: number) => boolean): void {
    while (this.pos < this.end) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (!onField(field, wire)) this.skip(wire);
    }
  }
}

const EMPTY = Buffer.alloc(0);

function emptyHeader(): ResponseHeaderMsg {
  return { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 };
}

function readHeader(r: Reader): ResponseHeaderMsg {
  const h = emptyHeader();
  r.fields((f, w) => {
    if (w !== WIRE_VARINT) return false;
    if (f === 1) h.clusterId = r.uvarint64();
    else if (f === 2) h.memberId = r.uvarint64();
    else if (f === 3) h.revision = r.varint();
    else if (f === 4) h.raftTerm = r.varint();
    else return false;
    return true;
  });
  return h;
}

function readKeyValue(r: Reader): KeyValueMsg {
  const kv: KeyValueMsg = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0 };
  r.fields((f, w) => {
    if (w === WIRE_LEN) {
      if (f === 1) kv.key = r.bytes();
      else if (f === 5) kv.value = r.bytes();
      else return false;
      return true;
    }
    if (w !== WIRE_VARINT) return false;
    if (f === 2) kv.createRevision = r.varint();
    else if (f === 3) kv.modRevision = r.varint();
    else if (f === 4) kv.version = r.varint();
    else if (f === 6) kv.lease = r.varint();
    else return false;
    return true;
  });
  return kv;
}

function readRangeResponse(r: Reader): RangeResponseMsg {
  const m: RangeResponseMsg = { header: emptyHeader(), kvs: [], more: false, count: 0 };
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_LEN) m.header = readHeader(r.sub());
    else if (f === 2 && w === WIRE_LEN) m.kvs.push(readKeyValue(r.sub()));
    else if (f === 3 && w === WIRE_VARINT) m.more = r.varint() !== 0;
    else if (f === 4 && w === WIRE_VARINT) m.count = r.varint();
    else return false;
    return true;
  });
  return m;
}

function readPutResponse(r: Reader): PutResponseMsg {
  const m: PutResponseMsg = { header: emptyHeader() };
  r.fields((f, w) => {
    if (w !== WIRE_LEN) return false;
    if (f === 1) m.header = readHeader(r.sub());
    else if (f === 2) m.prevKv = readKeyValue(r.sub());
    else return false;
    return true;
  });
  return m;
}

function readDeleteRangeResponse(r: Reader): DeleteRangeResponseMsg {
  const m: DeleteRangeResponseMsg = { header: emptyHeader(), deleted: 0, prevKvs: [] };
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_LEN) m.header = readHeader(r.sub());
    else if (f === 2 && w === WIRE_VARINT) m.deleted = r.varint();
    else if (f === 3 && w === WIRE_LEN) m.prevKvs.push(readKeyValue(r.sub()));
    else return false;
    return true;
  });
  return m;
}

function readResponseOp(r: Reader): ResponseOpMsg {
  const m: ResponseOpMsg = {};
  r.fields((f, w) => {
    if (w !== WIRE_LEN) return false;
    if (f === 1) m.range = readRangeResponse(r.sub());
    else if (f === 2) m.put = readPutResponse(r.sub());
    else if (f === 3) m.deleteRange = readDeleteRangeResponse(r.sub());
    else return false;
    return true;
  });
  return m;
}

function readEvent(r: Reader): EventMsg {
  let type: EventMsg['type'] = 'put';
  let kv: KeyValueMsg | undefined;
  let prevKv: KeyValueMsg | undefined;
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_VARINT) type = r.varint() === 1 ? 'delete' : 'put';
    else if (f === 2 && w === WIRE_LEN) kv = readKeyValue(r.sub());
    else if (f === 3 && w === WIRE_LEN) prevKv = readKeyValue(r.sub());
    else return false;
    return true;
  });
  const e: EventMsg = { type, kv: kv ?? { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0 } };
  if (prevKv) e.prevKv = prevKv;
  return e;
}

export function decodeRangeResponse(buf: Buffer): RangeResponseMsg {
  return readRangeResponse(new Reader(buf));
}

export function decodePutResponse(buf: Buffer): PutResponseMsg {
  return readPutResponse(new Reader(buf));
}

export function decodeTxnResponse(buf: Buffer): TxnResponseMsg {
  const m: TxnResponseMsg = { header: emptyHeader(), succeeded: false, responses: [] };
  const r = new Reader(buf);
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_LEN) m.header = readHeader(r.sub());
    else if (f === 2 && w === WIRE_VARINT) m.succeeded = r.varint() !== 0;
    else if (f === 3 && w === WIRE_LEN) m.responses.push(readResponseOp(r.sub()));
    else return false;
    return true;
  });
  return m;
}

export function decodeCompactionResponse(buf: Buffer): CompactionResponseMsg {
  const m: CompactionResponseMsg = { header: emptyHeader() };
  const r = new Reader(buf);
  r.fields((f, w) => {
    if (f !== 1 || w !== WIRE_LEN) return false;
    m.header = readHeader(r.sub());
    return true;
  });
  return m;
}

export function decodeWatchResponse(buf: Buffer): WatchResponseMsg {
  const m: WatchResponseMsg = {
    header: emptyHeader(),
    watchId: 0,
    created: false,
    canceled: false,
    compactRevision: 0,
    cancelReason: '',
    fragment: false,
    events: [],
  };
  const r = new Reader(buf);
  r.fields((f, w) => {
    if (w === WIRE_LEN) {
      if (f === 1) m.header = readHeader(r.sub());
      else if (f === 6) m.cancelReason = r.bytes().toString('utf8');
      else if (f === 11) m.events.push(readEvent(r.sub()));
      else return false;
      return true;
    }
    if (w !== WIRE_VARINT) return false;
    if (f === 2) m.watchId = r.varint();
    else if (f === 3) m.created = r.varint() !== 0;
    else if (f === 4) m.canceled = r.varint() !== 0;
    else if (f === 5) m.compactRevision = r.varint();
    else if (f === 7) m.fragment = r.varint() !== 0;
    else return false;
    return true;
  });
  return m;
}

export function decodeStatusResponse(buf: Buffer): StatusResponseMsg {
  const m: StatusResponseMsg = { header: emptyHeader(), version: '', dbSize: 0, leader: 0n, raftIndex: 0, raftTerm: 0 };
  const r = new Reader(buf);
  r.fields((f, w) => {
    if (f === 1 && w === WIRE_LEN) m.header = readHeader(r.sub());
    else if (f === 2 && w === WIRE_LEN) m.version = r.bytes().toString('utf8');
    else if (f === 3 && w === WIRE_VARINT) m.dbSize = r.varint();
    else if (f === 4 && w === WIRE_VARINT) m.leader = r.uvarint64();
    else if (f === 5 && w === WIRE_VARINT) m.raftIndex = r.varint();
    else if (f === 6 && w === WIRE_VARINT) m.raftTerm = r.varint();
    else return false;
    return true;
  });
  return m;
}
