/**
 * A thin etcd v3 gRPC client over node:http2 (grpc-http2.ts): unary KV/Maintenance calls and Watch
 * streams, one connection per endpoint. It does not retry; it reports failures as EtcdRequestError (with their
 * retry class) and moves to the next endpoint after a connection-level failure.
 */
import { readFileSync } from 'node:fs';
import { classifyEtcdFailure, EtcdRequestError } from './errors.js';
import { GrpcStreamCall, GrpcUnaryChannel } from './grpc-http2.js';
import {
  decodeCompactionResponse,
  decodeRangeResponse,
  decodeStatusResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  encodeCompactionRequest,
  encodeEmpty,
  encodeRangeRequest,
  encodeTxnRequest,
  encodeWatchRequest,
  type CompactionRequestMsg,
  type CompactionResponseMsg,
  type RangeRequestMsg,
  type RangeResponseMsg,
  type StatusResponseMsg,
  type TxnRequestMsg,
  type TxnResponseMsg,
  type WatchRequestMsg,
  type WatchResponseMsg,
} from './proto.js';

/** Client TLS for https:// endpoints (http:// endpoints stay plain). */
export interface EtcdTlsOptions {
  /** CA bundle that signed the etcd server certificates. */
  caFile: string;
  /** Client certificate and key, for etcd started with --client-cert-auth. */
  certFile?: string;
  keyFile?: string;
}

export interface EtcdClientOptions {
  /** Client URLs, e.g. http://127.0.0.1:2379 or https://etcd-0:2379. */
  endpoints: string[];
  tls?: EtcdTlsOptions;
  /** Deadline of one unary call (default 15 s). */
  callTimeoutMs?: number;
}

export type WatchStream = GrpcStreamCall<WatchRequestMsg, WatchResponseMsg>;

/** Target ("host:port") and whether TLS is used, from a client URL. */
export function parseEndpoint(url: string): { target: string; secure: boolean } {
  const m = /^(https?|unix|unixs):\/\/(.+?)\/?$/.exec(url.trim());
  if (!m) {
    // A bare host:port is plain HTTP.
    if (/^[^/]+:\d+$/.test(url.trim())) return { target: url.trim(), secure: false };
    throw new Error(`invalid etcd endpoint: ${url}`);
  }
  const scheme = m[1]!;
  if (scheme.startsWith('unix')) return { target: `unix:${m[2]}`, secure: scheme === 'unixs' };
  return { target: m[2]!, secure: scheme === 'https' };
}

const KV = '/etcdserverpb.KV/';

export class EtcdClient {
  private readonly channels: GrpcUnaryChannel[];
  private readonly endpoints: string[];
  private current = 0;
  private readonly callTimeoutMs: number;
  private closed = false;

  constructor(opts: EtcdClientOptions) {
    if (!opts.endpoints.length) throw new Error('etcd: at least one endpoint is needed');
    this.endpoints = [...opts.endpoints];
    this.callTimeoutMs = opts.callTimeoutMs ?? 15_000;
    const tls = opts.tls;
    const tlsFiles = tls ? { ca: readFileSync(tls.caFile), key: tls.keyFile ? readFileSync(tls.keyFile) : undefined, cert: tls.certFile ? readFileSync(tls.certFile) : undefined } : undefined;
    // The scheme decides: https uses the given CA and client certificate (or the system roots).
    this.channels = this.endpoints.map((url) => new GrpcUnaryChannel({ ...parseEndpoint(url), tls: tlsFiles }));
    // Spread clients of several processes over the members.
    this.current = Math.floor(Math.random() * this.channels.length);
  }

  /** The endpoint calls currently go to. */
  endpoint(): string {
    return this.endpoints[this.current]!;
  }

  /** Use the next endpoint (after a connection-level failure or a member without leader). */
  rotate(): void {
    this.current = (this.current + 1) % this.channels.length;
  }

  range(req: RangeRequestMsg): Promise<RangeResponseMsg> {
    return this.unary(`${KV}Range`, encodeRangeRequest(req), decodeRangeResponse);
  }

  txn(req: TxnRequestMsg): Promise<TxnResponseMsg> {
    return this.unary(`${KV}Txn`, encodeTxnRequest(req), decodeTxnResponse);
  }

  compact(req: CompactionRequestMsg): Promise<CompactionResponseMsg> {
    return this.unary(`${KV}Compact`, encodeCompactionRequest(req), decodeCompactionResponse);
  }

  /** Maintenance.Status of the current endpoint. */
  status(): Promise<StatusResponseMsg> {
    return this.unary('/etcdserverpb.Maintenance/Status', encodeEmpty(), decodeStatusResponse);
  }

  /** Opens a Watch stream on the current endpoint (the stream ends on the member's failure). */
  watch(): WatchStream {
    if (this.closed) throw new Error('etcd client is closed');
    return this.channels[this.current]!.stream('/etcdserverpb.Watch/Watch', HAS_LEADER, encodeWatchRequest, decodeWatchResponse);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.channels) c.close();
  }

  private async unary<T>(method: string, body: Buffer, decode: (b: Buffer) => T): Promise<T> {
    if (this.closed) throw new EtcdRequestError('fatal', undefined, 'etcd client is closed');
    const index = this.current;
    let answer: Buffer;
    try {
      answer = await this.channels[index]!.call(method, body, HAS_LEADER, this.callTimeoutMs);
    } catch (err) {
      const e = toRequestError(err);
      // Connection-level trouble or a member cut off from the leader: try another member next.
      if ((e.kind === 'not-sent' || e.kind === 'rejected' || e.kind === 'ambiguous') && index === this.current) this.rotate();
      throw e;
    }
    return decode(answer);
  }
}

/** Members without a leader refuse the request at once (instead of holding it until timeout). */
const HAS_LEADER: Record<string, string> = { hasleader: 'true' };

export function toRequestError(err: unknown): EtcdRequestError {
  if (err instanceof EtcdRequestError) return err;
  const se = err as { code?: unknown; details?: string } | undefined;
  const code = typeof se?.code === 'number' ? se.code : undefined;
  const message = se?.details || (err instanceof Error ? err.message : String(err));
  return new EtcdRequestError(classifyEtcdFailure(code, message), code, `etcd: ${message}`);
}
