import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyEtcdFailure, GrpcCode, mayRetry, type EtcdFailureKind } from './errors.js';

describe('classifyEtcdFailure', () => {
  // Messages as etcd 3.4 (rpctypes) and @grpc/grpc-js report them.
  const cases: Array<[number | undefined, string, EtcdFailureKind]> = [
    [GrpcCode.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted', 'compacted'],
    [GrpcCode.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision', 'future-revision'],
    [GrpcCode.UNAVAILABLE, 'etcdserver: no leader', 'rejected'],
    [GrpcCode.UNAVAILABLE, 'etcdserver: leader changed', 'rejected'],
    [GrpcCode.RESOURCE_EXHAUSTED, 'etcdserver: too many requests', 'rejected'],
    [GrpcCode.UNAVAILABLE, 'etcdserver: request timed out', 'ambiguous'],
    [GrpcCode.UNAVAILABLE, 'etcdserver: request timed out, possibly due to previous leader failure', 'ambiguous'],
    [GrpcCode.UNAVAILABLE, 'etcdserver: request timed out, possibly due to connection lost', 'ambiguous'],
    [GrpcCode.UNAVAILABLE, 'etcdserver: server stopped', 'ambiguous'],
    [GrpcCode.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379', 'not-sent'],
    [GrpcCode.UNAVAILABLE, 'Connection dropped', 'ambiguous'],
    [GrpcCode.UNAVAILABLE, 'read ECONNRESET', 'ambiguous'],
    [GrpcCode.DEADLINE_EXCEEDED, 'Deadline exceeded after 15.001s', 'ambiguous'],
    [GrpcCode.CANCELLED, 'Cancelled on client', 'ambiguous'],
    [GrpcCode.INTERNAL, 'Received RST_STREAM with code 2', 'ambiguous'],
    [GrpcCode.INVALID_ARGUMENT, 'etcdserver: key is not provided', 'fatal'],
    [GrpcCode.INVALID_ARGUMENT, 'etcdserver: request is too large', 'fatal'],
    [GrpcCode.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded', 'fatal'],
    [GrpcCode.PERMISSION_DENIED, 'etcdserver: permission denied', 'fatal'],
    [undefined, 'something odd', 'fatal'],
  ];
  for (const [code, msg, kind] of cases) it(`${code ?? '-'} "${msg}" → ${kind}`, () => assert.equal(classifyEtcdFailure(code, msg), kind));
});

describe('mayRetry', () => {
  const cases: Array<[EtcdFailureKind, boolean, boolean]> = [
    ['not-sent', true, true],
    ['not-sent', false, true],
    ['rejected', true, true],
    ['rejected', false, true],
    ['ambiguous', false, true],
    ['ambiguous', true, false],
    ['compacted', false, false],
    ['future-revision', false, false],
    ['fatal', false, false],
    ['fatal', true, false],
  ];
  for (const [kind, write, want] of cases) it(`${kind} ${write ? 'write' : 'read'} → ${want}`, () => assert.equal(mayRetry(kind, write), want));
});
