import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { frameMessage, GrpcUnaryChannel, unframeMessage } from './grpc-http2.js';
import { EtcdRequestError } from './errors.js';

/** An HTTP/2 server on loopback whose handler plays the etcd member. */
async function h2Server(onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void): Promise<{ target: string; close(): Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => onStream(stream, headers, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { target: `127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function failure(p: Promise<unknown>): Promise<EtcdRequestError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof EtcdRequestError, String(e));
    return e;
  }
  assert.fail('the call succeeded');
}

describe('gRPC unary calls over node:http2', () => {
  const closers: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('frames and unframes a message', () => {
    const m = Buffer.from('hello');
    const f = frameMessage(m);
    assert.deepEqual([...f.subarray(0, 5)], [0, 0, 0, 0, 5]);
    assert.equal(unframeMessage(f).toString(), 'hello');
    assert.equal(unframeMessage(Buffer.from([0, 0, 0, 0, 0])).length, 0);
    assert.throws(() => unframeMessage(Buffer.alloc(0)), /an OK answer without a message/);
    assert.throws(() => unframeMessage(Buffer.from([0, 0, 0, 0, 1, 7, 7])), /1 bytes after the answer message/);
    assert.throws(() => unframeMessage(Buffer.from([0, 0, 0, 0, 9, 1])), /cut short \(1 of 9 bytes\)/);
    assert.throws(() => unframeMessage(Buffer.from([1, 0, 0, 0, 0])), /compressed/);
  });

  it('sends the request as gRPC and returns the answer message', async () => {
    let seen: { headers: http2.IncomingHttpHeaders; body: Buffer } | undefined;
    const srv = await h2Server((stream, headers, body) => {
      seen = { headers, body };
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frameMessage(Buffer.from('answer to ' + unframeMessage(body).toString())));
    });
    closers.push(srv.close);
    const ch = new GrpcUnaryChannel({ target: srv.target, secure: false });
    closers.push(() => ch.close());
    const out = await ch.call('/etcdserverpb.KV/Txn', Buffer.from('q'), { hasleader: 'true' }, 5_000);
    assert.equal(out.toString(), 'answer to q');
    assert.equal(seen!.headers[':path'], '/etcdserverpb.KV/Txn');
    assert.equal(seen!.headers['content-type'], 'application/grpc');
    assert.equal(seen!.headers['te'], 'trailers');
    assert.equal(seen!.headers['hasleader'], 'true');
    assert.match(String(seen!.headers['grpc-timeout']), /^5000m$/);
    // The connection is kept for the next call.
    assert.equal((await ch.call('/x', Buffer.from('r'), {}, 5_000)).toString(), 'answer to r');
  });

  it('classifies etcd statuses from trailers-only answers (rejected, compacted, fatal)', async () => {
    const statuses = [
      ['14', 'etcdserver: no leader', 'rejected'],
      ['11', 'etcdserver: mvcc: required revision has been compacted', 'compacted'],
      ['3', 'etcdserver: key is not provided', 'fatal'],
      ['14', 'etcdserver: request timed out', 'ambiguous'],
    ] as const;
    let i = 0;
    const srv = await h2Server((stream) => {
      const [code, message] = statuses[i++]!;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': code, 'grpc-message': encodeURIComponent(message) }, { endStream: true });
    });
    closers.push(srv.close);
    const ch = new GrpcUnaryChannel({ target: srv.target, secure: false });
    closers.push(() => ch.close());
    for (const [code, message, kind] of statuses) {
      const e = await failure(ch.call('/etcdserverpb.KV/Range', Buffer.alloc(0), {}, 5_000));
      assert.equal(e.kind, kind, message);
      assert.equal(e.code, Number(code));
      assert.equal(e.message, `etcd: ${message}`);
    }
  });

  it('refuses an OK answer without its message (a Txn would otherwise read as not succeeded)', async () => {
    const srv = await h2Server((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end();
    });
    closers.push(srv.close);
    const ch = new GrpcUnaryChannel({ target: srv.target, secure: false });
    closers.push(() => ch.close());
    const e = await failure(ch.call('/etcdserverpb.KV/Txn', Buffer.from('q'), {}, 5_000));
    assert.equal(e.kind, 'fatal');
    assert.match(e.message, /an OK answer without a message/);
  });

  it('reports a call to a member that is not listening as not sent', async () => {
    // A port that was just free: nothing listens there.
    const probe = netServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const ch = new GrpcUnaryChannel({ target: `127.0.0.1:${port}`, secure: false });
    closers.push(() => ch.close());
    const e = await failure(ch.call('/etcdserverpb.KV/Txn', Buffer.from('q'), {}, 5_000));
    assert.equal(e.kind, 'not-sent');
    assert.match(e.message, /no connection established/);
  });

  it('reports a call whose connection dies after sending as ambiguous, and connects again for the next call', async () => {
    let n = 0;
    const srv = await h2Server((stream) => {
      if (n++ === 0) {
        stream.session?.destroy();
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frameMessage(Buffer.from('ok')));
    });
    closers.push(srv.close);
    const ch = new GrpcUnaryChannel({ target: srv.target, secure: false });
    closers.push(() => ch.close());
    const e = await failure(ch.call('/etcdserverpb.KV/Txn', Buffer.from('q'), {}, 5_000));
    assert.equal(e.kind, 'ambiguous');
    assert.match(e.message, /connection lost/);
    assert.equal((await ch.call('/etcdserverpb.KV/Txn', Buffer.from('q'), {}, 5_000)).toString(), 'ok');
  });

  it('streams messages both ways, ends on status OK and fails with the status otherwise', async () => {
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      let pending = Buffer.alloc(0);
      stream.on('data', (c: Buffer) => {
        pending = Buffer.concat([pending, c]);
        while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
          const msg = unframeMessage(pending.subarray(0, 5 + pending.readUInt32BE(1))).toString();
          pending = pending.subarray(5 + pending.readUInt32BE(1));
          if (msg === 'bye' || msg === 'fail') {
            stream.on('wantTrailers', () => stream.sendTrailers(msg === 'bye' ? { 'grpc-status': '0' } : { 'grpc-status': '11', 'grpc-message': encodeURIComponent('etcdserver: mvcc: required revision has been compacted') }));
            stream.end();
            return;
          }
          if (msg === 'big') {
            // One 1 MiB message in 3-byte-aligned pieces (its prefix split too): the reader joins them.
            const framed = frameMessage(Buffer.alloc(1024 * 1024, 'b'));
            for (let i = 0; i < framed.length; i += 4099) stream.write(framed.subarray(i, i + 4099));
            continue;
          }
          // Two answers in one write: the reader splits them.
          stream.write(Buffer.concat([frameMessage(Buffer.from(`${msg}-1`)), frameMessage(Buffer.from(`${msg}-2`))]));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const ch = new GrpcUnaryChannel({ target: `127.0.0.1:${(server.address() as AddressInfo).port}`, secure: false });
    closers.push(() => ch.close());
    const run = (messages: string[]): Promise<{ got: string[]; end?: boolean; error?: EtcdRequestError }> =>
      new Promise((resolve) => {
        const got: string[] = [];
        const call = ch.stream('/etcdserverpb.Watch/Watch', {}, (m: string) => Buffer.from(m), (b) => b.toString());
        call.on('data', (m: string) => got.push(m));
        call.on('end', () => resolve({ got, end: true }));
        call.on('error', (e: EtcdRequestError) => resolve({ got, error: e }));
        for (const m of messages) call.write(m);
      });
    assert.deepEqual(await run(['a', 'b', 'bye']), { got: ['a-1', 'a-2', 'b-1', 'b-2'], end: true });
    const big = await run(['big', 'c', 'bye']);
    assert.deepEqual(big.got.map((m) => (m.length > 100 ? `${m.length}×${m[0]}` : m)), [`${1024 * 1024}×b`, 'c-1', 'c-2']);
    const failed = await run(['x', 'fail']);
    assert.deepEqual(failed.got, ['x-1', 'x-2']);
    assert.equal(failed.error?.kind, 'compacted');
  });

  it('gives up at the deadline with an ambiguous failure when the member does not answer', async () => {
    const srv = await h2Server(() => {
      // Never answers.
    });
    closers.push(srv.close);
    const ch = new GrpcUnaryChannel({ target: srv.target, secure: false });
    closers.push(() => ch.close());
    const e = await failure(ch.call('/etcdserverpb.KV/Txn', Buffer.from('q'), {}, 200));
    assert.equal(e.kind, 'ambiguous');
    assert.match(e.message, /deadline of 200 ms exceeded/);
  });
});
