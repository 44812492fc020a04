/**
 * gRPC calls over Node's own HTTP/2 client (node:http2): the unary etcd KV calls of every request and
 * the bidirectional Watch stream.
 *
 * A call is one HTTP/2 stream: request headers, length-prefixed messages, then the answer's messages
 * and the `grpc-status` trailer (gRPC over HTTP/2, grpc/doc/PROTOCOL-HTTP2.md). A general gRPC library
 * (@grpc/grpc-js, used before) does the same through resolvers, load balancing, interceptors and
 * filters, which cost about as much CPU per call as the rest of an etcd write.
 *
 * Failures are reported as EtcdRequestError with the retry class the store needs: a call that never
 * went out on a connection (no connection, or a stream the server refused) is `not-sent`; one that
 * was sent and then lost its connection or deadline is `ambiguous`; etcd's own statuses are
 * classified from their code and message.
 */
import { EventEmitter } from 'node:events';
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
/** Keepalive of a connection with open streams: a ping every 10 s, dropped when unanswered for 5 s (etcd allows one per 5 s). */
const KEEPALIVE_INTERVAL_MS = 10_000;
const KEEPALIVE_TIMEOUT_MS = 5_000;
/** A member that does not complete the connection in this time is given up (its calls were not sent). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Stream ids are 31 bits and odd on a client (1, 3, 5, ...): a connection is replaced before they run out. */
const MAX_STREAMS_PER_CONNECTION = 2 ** 30 - 1_000;
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

/** The one message of a unary answer's body; throws on a missing, compressed, cut or trailing message. */
export function unframeMessage(body: Buffer): Buffer {
  if (body.length === 0) throw new Error('grpc: an OK answer without a message');
  if (body.length < 5) throw new Error(`grpc: answer body of ${body.length} bytes is shorter than a message prefix`);
  if (body[0] !== 0) throw new Error('grpc: compressed answers are not supported');
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new Error(`grpc: answer message cut short (${body.length - 5} of ${len} bytes)`);
  if (body.length > 5 + len) throw new Error(`grpc: ${body.length - 5 - len} bytes after the answer message`);
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

interface GrpcStatus {
  code: number;
  message: string;
}

/** The call's status, from its trailers (or the headers of a trailers-only answer); undefined when they carry none. */
function grpcStatusOf(headers: http2.IncomingHttpHeaders): GrpcStatus | undefined {
  const code = headers['grpc-status'];
  return code === undefined ? undefined : { code: Number(code), message: decodeGrpcMessage(headers['grpc-message']) };
}

/** A call that ended with a non-OK status, classified for retrying. */
function statusError(status: GrpcStatus): EtcdRequestError {
  const message = status.message || `gRPC status ${status.code}`;
  return new EtcdRequestError(classifyEtcdFailure(status.code, message), status.code, `etcd: ${message}`);
}

/** Request headers of a call: the method's path, gRPC's content type and trailers, then the caller's metadata. */
function callHeaders(path: string, metadata: Record<string, string>, extra: Record<string, string> = {}): http2.OutgoingHttpHeaders {
  return { ...metadata, ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra };
}

/** Sessions that were connected at some point (a call on one of them may have reached the member). */
const connectedSessions = new WeakSet<http2.ClientHttp2Session>();

export class GrpcUnaryChannel {
  /** The connection new calls use. */
  private session: http2.ClientHttp2Session | undefined;
  /** Every connection not yet closed (older ones finish their calls after a GOAWAY or replacement), with its open streams. */
  private readonly sessions = new Map<http2.ClientHttp2Session, { streams: number; opened: number }>();
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
      // Whether this call's stream may have gone out: only once its connection was established.
      const mayHaveBeenSent = (): boolean => connectedSessions.has(session);
      let stream: http2.ClientHttp2Stream;
      try {
        // gRPC allows at most 8 digits per unit.
        stream = this.open(session, callHeaders(path, metadata, { 'grpc-timeout': `${Math.min(99_999_999, Math.max(1, Math.ceil(timeoutMs)))}m` }));
      } catch (e) {
        return reject(new EtcdRequestError('not-sent', GrpcCode.UNAVAILABLE, `etcd: no connection established to ${this.opts.target}: ${(e as Error).message}`));
      }
      let done = false;
      const chunks: Buffer[] = [];
      let status: GrpcStatus | undefined;
      let httpStatus: number | undefined;
      let streamError: (Error & { code?: string }) | undefined;
      const finish = (err: EtcdRequestError | undefined, answer?: Buffer): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(answer!);
      };
      const timer = setTimeout(() => {
        stream.close(NGHTTP2_CANCEL);
        const sent = mayHaveBeenSent();
        finish(new EtcdRequestError(sent ? 'ambiguous' : 'not-sent', GrpcCode.DEADLINE_EXCEEDED, `etcd: deadline of ${timeoutMs} ms exceeded${sent ? '' : ' (no connection established)'}`));
      }, timeoutMs);
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status']);
        status ??= grpcStatusOf(headers); // a trailers-only answer carries its status here
      });
      stream.on('trailers', (trailers) => (status = grpcStatusOf(trailers) ?? status));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e: Error & { code?: string }) => {
        // Reported on 'close' with the stream's RST code.
        streamError = e;
      });
      stream.on('close', () => {
        if (done) return;
        if (status === undefined) {
          // Refused by the member, or never given a stream id (the connection ran out of them): not sent.
          const outOfIds = streamError?.code === 'ERR_HTTP2_OUT_OF_STREAMS';
          if (outOfIds) this.retire(session);
          const refused = stream.rstCode === NGHTTP2_REFUSED_STREAM || outOfIds;
          const notSent = refused || !mayHaveBeenSent();
          const why = httpStatus !== undefined && httpStatus !== 200 ? `HTTP status ${httpStatus}` : refused ? 'stream refused' : `stream closed (code ${stream.rstCode ?? 'none'})`;
          return finish(new EtcdRequestError(notSent ? 'not-sent' : 'ambiguous', GrpcCode.UNAVAILABLE, `etcd: ${notSent ? 'no connection established' : 'connection lost'} to ${this.opts.target}: ${why}`));
        }
        if (status.code !== 0) return finish(statusError(status));
        try {
          finish(undefined, unframeMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
        } catch (e) {
          finish(new EtcdRequestError('fatal', GrpcCode.INTERNAL, `etcd: ${(e as Error).message}`));
        }
      });
      stream.end(frameMessage(message));
    });
  }

  /** Opens a bidirectional streaming call (e.g. `/etcdserverpb.Watch/Watch`). */
  stream<Req, Res>(path: string, metadata: Record<string, string>, encode: (m: Req) => Buffer, decode: (b: Buffer) => Res): GrpcStreamCall<Req, Res> {
    if (this.closed) throw new Error('etcd client is closed');
    const session = this.connection();
    const stream = this.open(session, callHeaders(path, metadata), { endStream: false });
    return new GrpcStreamCall(stream, encode, decode, this.opts.target);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sessions.keys()) s.destroy();
    this.sessions.clear();
    this.session = undefined;
  }

  /** A stream on `session`, counted while open (keepalive pings run only on connections with open streams). */
  private open(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, options?: http2.ClientSessionRequestOptions): http2.ClientHttp2Stream {
    const stream = session.request(headers, options);
    const state = this.sessions.get(session);
    if (state) {
      state.opened++;
      state.streams++;
      stream.once('close', () => state.streams--);
    }
    return stream;
  }

  /** New calls go to a new connection; this one finishes the calls it has. */
  private retire(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
    if (!session.closed && !session.destroyed) session.close();
  }

  /** The open connection, or a new one (calls made while it connects wait in it). */
  private connection(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) {
      if ((this.sessions.get(current)?.opened ?? 0) < MAX_STREAMS_PER_CONNECTION) return current;
      this.retire(current);
    }
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
    const state = { streams: 0, opened: 0 };
    this.sessions.set(session, state);
    // A member whose host is down or cut off never answers the connection attempt: give up on it.
    const connectTimer = setTimeout(() => {
      if (session.connecting) session.destroy(new Error(`etcd: no connection established to ${target} within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    connectTimer.unref();
    session.on('connect', () => {
      clearTimeout(connectTimer);
      connectedSessions.add(session);
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
    session.on('close', () => {
      forget();
      clearTimeout(connectTimer);
      this.sessions.delete(session);
    });
    // A member going away (GOAWAY) finishes its streams; new calls use a new connection.
    session.on('goaway', forget);
    // A member that stops answering (host down, network cut) is noticed even while only a watch is open.
    const keepalive = setInterval(() => {
      if (state.streams === 0 || session.closed || session.destroyed || session.connecting) return;
      const timeout = setTimeout(() => session.destroy(new Error(`etcd: keepalive ping to ${this.opts.target} unanswered for ${KEEPALIVE_TIMEOUT_MS} ms`)), KEEPALIVE_TIMEOUT_MS);
      timeout.unref();
      try {
        session.ping(() => clearTimeout(timeout));
      } catch {
        clearTimeout(timeout);
      }
    }, KEEPALIVE_INTERVAL_MS);
    keepalive.unref();
    session.once('close', () => clearInterval(keepalive));
    this.session = session;
    return session;
  }
}

/**
 * One streaming call: `write` sends a message; events are 'data' (a decoded answer message), 'error' (an
 * EtcdRequestError: a non-OK status, or the connection lost) and 'end' (the call finished with status OK).
 */
export class GrpcStreamCall<Req, Res> extends EventEmitter {
  /** Received bytes not yet decoded: whole chunks, joined only when a full message is there. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private status: GrpcStatus | undefined;
  private finished = false;

  constructor(
    private readonly stream: http2.ClientHttp2Stream,
    private readonly encode: (m: Req) => Buffer,
    private readonly decode: (b: Buffer) => Res,
    private readonly target: string,
  ) {
    super();
    const takeStatus = (headers: http2.IncomingHttpHeaders): void => {
      this.status = grpcStatusOf(headers) ?? this.status;
    };
    stream.on('response', takeStatus);
    stream.on('trailers', takeStatus);
    stream.on('data', (chunk: Buffer) => this.onChunk(chunk));
    stream.on('error', () => {
      // Reported on 'close'.
    });
    // The server finished the call (its trailers came): done, even though this side never ended its messages.
    stream.on('end', () => {
      if (this.status === undefined) return;
      this.onClose();
      if (!stream.closed && !stream.destroyed) stream.close();
    });
    stream.on('close', () => this.onClose());
  }

  write(message: Req): void {
    if (this.finished || this.stream.closed || this.stream.destroyed) return;
    this.stream.write(frameMessage(this.encode(message)));
  }

  /** Ends the call from this side; no event follows. */
  cancel(): void {
    this.finished = true;
    if (!this.stream.closed && !this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
  }

  private onChunk(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= 5) {
      // The 5-byte prefix may itself span chunks.
      const head = this.pending[0]!.length >= 5 ? this.pending[0]! : Buffer.concat(this.pending, 5);
      const len = head.readUInt32BE(1);
      if (this.pendingBytes < 5 + len) return;
      if (head[0] !== 0) return this.fail(new EtcdRequestError('fatal', GrpcCode.INTERNAL, 'etcd: compressed stream messages are not supported'));
      const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      const message = all.subarray(5, 5 + len);
      const rest = all.subarray(5 + len);
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      let decoded: Res;
      try {
        decoded = this.decode(message);
      } catch (e) {
        return this.fail(new EtcdRequestError('fatal', GrpcCode.INTERNAL, `etcd: ${(e as Error).message}`));
      }
      if (this.finished) return;
      this.emit('data', decoded);
    }
  }

  private onClose(): void {
    if (this.finished) return;
    if (this.status?.code === 0) {
      this.finished = true;
      this.emit('end');
      return;
    }
    if (this.status !== undefined) {
      return this.fail(statusError(this.status));
    }
    this.fail(new EtcdRequestError('ambiguous', GrpcCode.UNAVAILABLE, `etcd: connection lost to ${this.target}: stream closed (code ${this.stream.rstCode ?? 'none'})`));
  }

  private fail(err: EtcdRequestError): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.stream.closed && !this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
    this.emit('error', err);
  }
}
