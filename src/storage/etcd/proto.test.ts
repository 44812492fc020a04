import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompareResult,
  CompareTarget,
  decodeRangeResponse,
  decodeStatusResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  encodeCompactionRequest,
  encodeRangeRequest,
  encodeTxnRequest,
  encodeWatchRequest,
} from './proto.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const hex = (buf: Buffer): string => buf.toString('hex');

// Test-side encoder for responses (independent of the code under test).
function varint(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}
const vf = (field: number, v: number | bigint): Buffer => Buffer.from([...varint(BigInt(field * 8)), ...varint(BigInt(v))]);
const lf = (field: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([...varint(BigInt(field * 8 + 2)), ...varint(BigInt(body.length))]), body]);
};
const header = (rev: number): Buffer => lf(1, vf(1, 0xfedcba9876543210n), vf(2, 42), vf(3, rev), vf(4, 7));
const kv = (key: string, create: number, mod: number, version: number, value: string): Buffer =>
  Buffer.concat([lf(1, b(key)), vf(2, create), vf(3, mod), vf(4, version), lf(5, b(value))]);

describe('etcd proto encoding', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['range: key, range_end, limit', encodeRangeRequest({ key: b('a'), rangeEnd: b('b'), limit: 2 }), '0a01611201621802'],
    ['range: defaults are omitted', encodeRangeRequest({ key: b('a'), limit: 0, serializable: false }), '0a0161'],
    ['range: revision, keys_only, count_only', encodeRangeRequest({ key: b('a'), revision: 300, keysOnly: true, countOnly: true }), '0a016120ac024001' + '4801'],
    ['compaction', encodeCompactionRequest({ revision: 5, physical: true }), '08051001'],
    [
      // compare(create("k") == 0) → put("k", "v"); the zero operand is written (oneof presence).
      'txn: create-if-absent',
      encodeTxnRequest({
        compare: [{ result: CompareResult.EQUAL, target: CompareTarget.CREATE, key: b('k'), operand: 0 }],
        success: [{ put: { key: b('k'), value: b('v') } }],
        failure: [],
      }),
      '0a0710011a016b2800' + '1208' + '12060a016b120176',
    ],
    [
      'txn: mod-revision compare, delete with prev_kv, failure range keys_only',
      encodeTxnRequest({
        compare: [{ result: CompareResult.EQUAL, target: CompareTarget.MOD, key: b('k'), operand: 9 }],
        success: [{ deleteRange: { key: b('k'), prevKv: true } }],
        failure: [{ range: { key: b('k'), keysOnly: true } }],
      }),
      '0a0710021a016b3009' + '1207' + '1a050a016b1801' + '1a07' + '0a050a016b4001',
    ],
    [
      'txn: version compare (kube compaction key)',
      encodeTxnRequest({ compare: [{ result: CompareResult.EQUAL, target: CompareTarget.VERSION, key: b('c'), operand: 0 }], success: [], failure: [] }),
      '0a051a01632000',
    ],
    [
      'watch create',
      encodeWatchRequest({ create: { key: b('/a'), rangeEnd: b('/b'), startRevision: 129, prevKv: true, watchId: 3 } }),
      '0a0f' + '0a022f61' + '12022f62' + '188101' + '3001' + '3803',
    ],
    ['watch cancel', encodeWatchRequest({ cancel: { watchId: 3 } }), '12020803'],
    ['watch progress', encodeWatchRequest({ progress: true }), '1a00'],
  ];
  for (const [name, got, want] of cases) it(name, () => assert.equal(hex(got), want));

  it('refuses a revision that is not a safe integer', () => {
    assert.throws(() => encodeRangeRequest({ key: b('a'), revision: 2 ** 60 }), RangeError);
  });
});

describe('etcd proto decoding', () => {
  it('range response: header, kvs, more, count', () => {
    const buf = Buffer.concat([header(17), lf(2, kv('/a', 3, 5, 2, '{"x":1}')), lf(2, kv('/b', 4, 4, 1, '')), vf(3, 1), vf(4, 9)]);
    const r = decodeRangeResponse(buf);
    assert.deepEqual(r.header, { clusterId: 0xfedcba9876543210n, memberId: 42n, revision: 17, raftTerm: 7 });
    assert.equal(r.more, true);
    assert.equal(r.count, 9);
    assert.deepEqual(
      r.kvs.map((k) => [k.key.toString(), k.createRevision, k.modRevision, k.version, k.value.toString()]),
      [
        ['/a', 3, 5, 2, '{"x":1}'],
        ['/b', 4, 4, 1, ''],
      ],
    );
  });

  it('empty message decodes to defaults', () => {
    const r = decodeRangeResponse(Buffer.alloc(0));
    assert.deepEqual(r, { header: { clusterId: 0n, memberId: 0n, revision: 0, raftTerm: 0 }, kvs: [], more: false, count: 0 });
  });

  it('txn response: succeeded and per-op responses', () => {
    const put = lf(2, header(30));
    const rangeOp = lf(1, header(30), lf(2, kv('/k', 12, 30, 3, '')));
    const del = lf(3, header(30), vf(2, 1), lf(3, kv('/k', 12, 29, 2, 'old')));
    const r = decodeTxnResponse(Buffer.concat([header(30), vf(2, 1), lf(3, put), lf(3, rangeOp), lf(3, del)]));
    assert.equal(r.succeeded, true);
    assert.equal(r.header.revision, 30);
    assert.equal(r.responses.length, 3);
    assert.ok(r.responses[0]!.put);
    assert.equal(r.responses[1]!.range!.kvs[0]!.createRevision, 12);
    assert.equal(r.responses[2]!.deleteRange!.deleted, 1);
    assert.equal(r.responses[2]!.deleteRange!.prevKvs[0]!.value.toString(), 'old');
  });

  it('watch response: events with prev_kv, delete type, cancel with compaction', () => {
    const put = lf(11, lf(2, kv('/w/a', 5, 8, 2, 'new')), lf(3, kv('/w/a', 5, 6, 1, 'old')));
    const del = lf(11, vf(1, 1), lf(2, kv('/w/b', 0, 9, 0, '')), lf(3, kv('/w/b', 7, 7, 1, 'gone')));
    const r = decodeWatchResponse(Buffer.concat([header(9), vf(2, 4), put, del]));
    assert.equal(r.watchId, 4);
    assert.equal(r.created, false);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.kv.key.toString(), e.kv.modRevision, e.prevKv?.value.toString()]),
      [
        ['put', '/w/a', 8, 'old'],
        ['delete', '/w/b', 9, 'gone'],
      ],
    );
    const c = decodeWatchResponse(Buffer.concat([header(50), vf(2, 4), vf(4, 1), vf(5, 40), lf(6, b('compacted'))]));
    assert.deepEqual([c.canceled, c.compactRevision, c.cancelReason], [true, 40, 'compacted']);
  });

  it('negative int64 (watch id -1) and revisions beyond 2^49', () => {
    const r = decodeWatchResponse(Buffer.concat([header(2 ** 50 + 3), vf(2, -1n)]));
    assert.equal(r.watchId, -1);
    assert.equal(r.header.revision, 2 ** 50 + 3);
  });

  it('unknown fields of every wire type are skipped', () => {
    const fixed64 = Buffer.from([0x99, 0x01, 1, 2, 3, 4, 5, 6, 7, 8]); // field 19, wire 1
    const fixed32 = Buffer.from([0xa5, 0x01, 1, 2, 3, 4]); // field 20, wire 5
    const r = decodeRangeResponse(Buffer.concat([fixed64, lf(21, b('zz')), vf(22, 5), fixed32, header(3)]));
    assert.equal(r.header.revision, 3);
  });

  it('truncated input throws', () => {
    assert.throws(() => decodeRangeResponse(Buffer.from([0x0a, 0x05, 0x08])), /truncated/);
    assert.throws(() => decodeRangeResponse(Buffer.from([0x18, 0x80])), /truncated/);
  });

  it('status response: leader id as bigint', () => {
    const s = decodeStatusResponse(Buffer.concat([header(1), lf(2, b('3.4.23')), vf(3, 20480), vf(4, 0x8e9e05c52164694dn), vf(5, 12), vf(6, 2)]));
    assert.equal(s.version, '3.4.23');
    assert.equal(s.leader, 0x8e9e05c52164694dn);
    assert.equal(s.raftIndex, 12);
  });
});
