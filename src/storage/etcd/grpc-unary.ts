/**
 * Unary gRPC calls over Node's own HTTP/2 client (node:http2), for the etcd KV calls of every request.
 *
 * A unary call is one HTTP/2 stream: request headers, one length-prefixed message, then the answer's
 * message and the `grpc-status` trailer (gRPC over HTTP/2, grpc/doc/PROTOCOL-HTTP2.md). @grpc/grpc-js
 * does the same through a general call stack (resolvers, load balancing, interceptors, filters) that
 * costs about as much CPU per call as the rest of an etcd write; watches, which are long-lived
 * bidirectional streams, stay on grpc-js.
 *
 * Failures are reported as EtcdRequestError with the retry class the store needs: a call that never
 * went out on a connection (no connection, or a stream the server refused) is `not-sent`; one that
 * was sent and then lost its connection or deadline is `ambiguous`; etcd's own statuses are
 * classified from their code and message.
 */
import * as http2 from 'node:http2';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classifyEtcdFailure, EtcdRequestError, GrpcCode } from './errors.js';

export interface UnaryChannelTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface UnaryChannelOptions {
  /** `host:port`, or `unix:/path` for a Unix socket. */
  target: string;
  /** TLS (https/unixs); `tls` gives the CA and client certificate (none: the system roots). */
  secure: boolean;
  tls?: UnaryChannelTls;
}

const { NGHTTP2_REFUSED_STREAM, NGHTTP2_CANCEL } = http2.constants;
/** Per-stream and per-connection receive windows: a large Range answer arrives without waiting on window updates. */
const STREAM_WINDOW = 4 * 1024 * 1024;
const SESSION_WINDOW = 64 * 1024 * 1024;

/** The 5-byte gRPC message prefix (not compressed, big-endian length) and the message. */
export function frameMessage(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** The one message of a unary answer's body; throws on a compressed or cut message. */
export function unframeMessage(body: Buffer): Buffer {
  if (body.length === 0) return body;
  if (body.length < 5) throw new Error(`grpc: answer body of ${body.length} bytes is shorter than a message prefix`);
  if (body[0] !== 0) throw new Error('grpc: compressed answers are not supported');
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new Error(`grpc: answer message cut short (${body.length - 5} of ${len} bytes)`);
  return body.subarray(5, 5 + len);
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md). */
function decodeGrpcMessage(raw: string | string[] | undefined): string {
  const s = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class GrpcUnaryChannel {
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;

  constructor(private readonly opts: UnaryChannelOptions) {}

  /**
   * Calls `path` (e.g. `/etcdserverpb.KV/Txn`) with one encoded request message; resolves the encoded answer.
   * `metadata` are extra request headers (ASCII gRPC metadata).
   */
  call(path: string, message: Buffer, metadata: Record<string, string>, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.closed) return reject(new EtcdRequestError('fatal', undefined, 'etcd client is closed'));
      const session = this.connection();
      // Whether this call's stream went out on an established connection (else nothing reached the member).
      let sent = !session.connecting;
      const onConnect = (): void => {
        sent = true;
      };
      if (!sent) session.once('connect', onConnect);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/grpc',
          te: 'trailers',
          'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m`,
          ...metadata,
        });
      } catch (e) {
        session.off('connect', onConnect);
        return reject(new EtcdRequestError('not-sent', GrpcCode.UNAVAILABLE, `etcd: no connection established to ${this.opts.target}: ${(e as Error).message}`));
      }
      let done = false;
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let statusMessage = '';
      let httpStatus: number | undefined;
      const finish = (err: EtcdRequestError | undefined, answer?: Buffer): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        session.off('connect', onConnect);
        if (err) reject(err);
        else resolve(answer!);
      };
      const timer = setTimeout(() => {
        stream.close(NGHTTP2_CANCEL);
        finish(new EtcdRequestError(sent ? 'ambiguous' : 'not-sent', GrpcCode.DEADLINE_EXCEEDED, `etcd: deadline of ${timeoutMs} ms exceeded${sent ? '' : ' (no connection established)'}`));
      }, timeoutMs);
      const takeStatus = (headers: http2.IncomingHttpHeaders): void => {
        const s = headers['grpc-status'];
        if (s !== undefined) {
          status = Number(s);
          statusMessage = decodeGrpcMessage(headers['grpc-message']);
        }
      };
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status']);
        takeStatus(headers); // a trailers-only answer carries its status here
      });
      stream.on('trailers', takeStatus);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => {
        // Reported on 'close' with the stream's RST code.
      });
      stream.on('close', () => {
        if (done) return;
        if (status === undefined) {
          const refused = stream.rstCode === NGHTTP2_REFUSED_STREAM;
          const notSent = refused || !sent;
          const why = httpStatus !== undefined && httpStatus !== 200 ? `HTTP status ${httpStatus}` : refused ? 'stream refused' : `stream closed (code ${stream.rstCode ?? 'none'})`;
          return finish(new EtcdRequestError(notSent ? 'not-sent' : 'ambiguous', GrpcCode.UNAVAILABLE, `etcd: ${notSent ? 'no connection established' : 'connection lost'} to ${this.opts.target}: ${why}`));
        }
        if (status !== 0) {
          const message = statusMessage || `gRPC status ${status}`;
          return finish(new EtcdRequestError(classifyEtcdFailure(status, message), status, `etcd: ${message}`));
        }
        try {
          finish(undefined, unframeMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
        } catch (e) {
          finish(new EtcdRequestError('fatal', GrpcCode.INTERNAL, `etcd: ${(e as Error).message}`));
        }
      });
      stream.end(frameMessage(message));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  /** The open connection, or a new one (calls made while it connects wait in it). */
  private connection(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const { target, secure, tls } = this.opts;
    const unixPath = target.startsWith('unix:') ? target.slice('unix:'.length) : undefined;
    const authority = `${secure ? 'https' : 'http'}://${unixPath ? 'localhost' : target}`;
    const options: http2.SecureClientSessionOptions = {
      settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
      maxSessionMemory: 512,
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert ? { cert: tls.cert } : {}),
      ...(tls?.key ? { key: tls.key } : {}),
    };
    if (unixPath) {
      options.createConnection = () => (secure ? tlsConnect({ path: unixPath, ALPNProtocols: ['h2'], ca: tls?.ca, cert: tls?.cert, key: tls?.key, servername: 'localhost' }) : netConnect(unixPath));
    }
    const session = http2.connect(authority, options);
    session.on('connect', () => {
      try {
        session.setLocalWindowSize(SESSION_WINDOW);
      } catch {
        // A session closing as it connects: its calls fail on their own.
      }
    });
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.on('close', forget);
    // A member going away (GOAWAY) finishes its streams; new calls use a new connection.
    session.on('goaway', forget);
    // The connection does not keep the process alive by itself.
    session.unref();
    this.session = session;
    return session;
  }
}
