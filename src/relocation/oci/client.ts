/**
 * OCI distribution-spec client for one registry: manifests kept byte for byte, blobs streamed with
 * digest verification, monolithic and chunked uploads, cross-repository mounts, Basic and Bearer
 * auth, retries with backoff on 408/429/5xx and connection resets, redirects that never carry
 * credentials to another host. Memory use does not grow with blob size.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basicAuthHeader, parseChallenges, type Credentials } from './auth.js';
import { DigestVerifier, digestOf, isDigest, type Digest } from './digest.js';
import { isRetriableError, isRetriableStatus, isTlsErrorCode, RegistryConnectionError, RegistryError, RegistryTlsError } from './errors.js';
import { MANIFEST_ACCEPT, type Descriptor } from './media-types.js';
import { readLimited } from '../../apimachinery/read-limited.js';

export interface RetryEvent {
  registry: string;
  request: string;
  attempt: number;
  reason: string;
  delayMs: number;
}

export interface RegistryClientOptions {
  /** `host` or `host:port`. */
  registry: string;
  /** Plain HTTP instead of HTTPS. */
  insecure?: boolean;
  /** Extra trusted CA certificates (PEM text), added to the system roots. */
  caCertificates?: string[];
  credentials?: Credentials;
  /** Connections per host (default 16). */
  maxSockets?: number;
  /** Attempts per request for retriable failures (default 5). */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt, with jitter (default 200 ms). */
  backoffMs?: number;
  /** Idle socket timeout (default 60 s). */
  timeoutMs?: number;
  userAgent?: string;
  onRetry?: (e: RetryEvent) => void;
}

export interface ManifestResult {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

export interface ManifestHead {
  digest: Digest | undefined;
  mediaType: string;
  size: number;
}

export type BlobSource = (start: number, end: number) => Readable;

export interface PushBlobOptions {
  /** Upload in PATCH chunks of this many bytes when the blob is larger (default: monolithic PUT). */
  chunkSize?: number;
  /** Try a cross-repository mount from this repository first. */
  mountFrom?: string;
  onBytes?: (n: number) => void;
}

export type PushBlobResult = 'pushed' | 'mounted';

interface SendRequest {
  method: string;
  /** Path on the registry (`/v2/...`) or an absolute URL (upload locations). */
  url: string;
  headers?: Record<string, string>;
  body?: () => Readable | Buffer;
  /** Token scopes this request needs, e.g. `repository:a/b:pull,push`. */
  scopes: string[];
  /** Retry retriable failures (default true). */
  retry?: boolean;
  /** Follow redirects (GET/HEAD only). */
  redirects?: boolean;
  /** The ping itself: do not wait for the ping. */
  noPing?: boolean;
}

interface Token {
  value: string;
  expiresAt: number;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function encodeRepo(repo: string): string {
  return repo.split('/').map(encodeURIComponent).join('/');
}

/** Reads a (small) response body into memory, refusing more than `limit` bytes. */
export function readBody(res: http.IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  return readLimited(res, { limit, overflow: 'destroy', tooLarge: () => new Error(`response body larger than ${limit} bytes`) });
}

function drain(res: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    res.on('end', resolve);
    res.on('error', () => resolve());
    res.on('close', resolve);
    res.resume();
  });
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly opts: RegistryClientOptions;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private authScheme: 'none' | 'basic' | 'bearer' | undefined;
  private bearer: { realm: string; service?: string } | undefined;
  private readonly tokens = new Map<string, Token>();
  private readonly tokenFetches = new Map<string, Promise<Token>>();
  private pinged: Promise<void> | undefined;

  constructor(opts: RegistryClientOptions) {
    this.opts = opts;
    this.registry = opts.registry;
    this.baseUrl = `${opts.insecure ? 'http' : 'https'}://${opts.registry}`;
    const maxSockets = opts.maxSockets ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    // A secure context built once: passing `ca` itself would make the agent serialise every
    // root certificate into its connection-pool key on each request.
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets,
      ...(opts.caCertificates?.length ? { secureContext: createSecureContext({ ca: [...rootCertificates, ...opts.caCertificates] }) } : {}),
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // -------------------------------------------------------------------------------------------
  // API

  /** `GET /v2/`: checks reachability, TLS, and learns the auth scheme. Idempotent. */
  ping(): Promise<void> {
    this.pinged ??= this.doPing();
    return this.pinged;
  }

  private async doPing(): Promise<void> {
    const res = await this.send({ method: 'GET', url: '/v2/', scopes: [], redirects: true, noPing: true });
    if (res.statusCode === 200) {
      await drain(res);
      this.authScheme ??= 'none';
      return;
    }
    throw await this.errorFor(res, 'GET /v2/');
  }

  async getManifest(repo: string, ref: string): Promise<ManifestResult> {
    const request = `GET /v2/${repo}/manifests/${ref}`;
    const res = await this.send({ method: 'GET', url: `/v2/${encodeRepo(repo)}/manifests/${ref}`, headers: { accept: MANIFEST_ACCEPT }, scopes: [`repository:${repo}:pull`], redirects: true });
    if (res.statusCode !== 200) throw await this.errorFor(res, request);
    const bytes = await readBody(res, MAX_MANIFEST_BYTES);
    const digest = digestOf(bytes);
    if (isDigest(ref) && ref !== digest) throw new RegistryError(this.registry, 200, request, 'DIGEST_INVALID', `manifest content has digest ${digest}`);
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, digest };
  }

  /** HEAD of a manifest; undefined when it does not exist. */
  async headManifest(repo: string, ref: string): Promise<ManifestHead | undefined> {
    const request = `HEAD /v2/${repo}/manifests/${ref}`;
    const res = await this.send({ method: 'HEAD', url: `/v2/${encodeRepo(repo)}/manifests/${ref}`, headers: { accept: MANIFEST_ACCEPT }, scopes: [`repository:${repo}:pull`], redirects: true });
    await drain(res);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw await this.errorFor(res, request);
    const d = header(res, 'docker-content-digest');
    return { digest: d && isDigest(d) ? d : undefined, mediaType: (header(res, 'content-type') ?? '').split(';')[0]!.trim(), size: Number(header(res, 'content-length') ?? -1) };
  }

  async putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const request = `PUT /v2/${repo}/manifests/${ref}`;
    const digest = digestOf(bytes);
    const res = await this.send({
      method: 'PUT',
      url: `/v2/${encodeRepo(repo)}/manifests/${ref}`,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
      scopes: [`repository:${repo}:pull,push`],
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await this.errorFor(res, request);
    await drain(res);
    const got = header(res, 'docker-content-digest');
    if (got && isDigest(got) && got !== digest) throw new RegistryError(this.registry, res.statusCode, request, 'DIGEST_INVALID', `registry stored the manifest as ${got}, expected ${digest}`);
    return digest;
  }

  /** HEAD of a blob: its size, or undefined when the repository does not have it. */
  async headBlob(repo: string, digest: Digest): Promise<number | undefined> {
    const request = `HEAD /v2/${repo}/blobs/${digest}`;
    const res = await this.send({ method: 'HEAD', url: `/v2/${encodeRepo(repo)}/blobs/${digest}`, scopes: [`repository:${repo}:pull`], redirects: true });
    await drain(res);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw await this.errorFor(res, request);
    return Number(header(res, 'content-length') ?? -1);
  }

  /**
   * Downloads a blob into `file`, verifying its digest and size over every byte. Bytes already
   * in `file + '.partial'` (an interrupted earlier run) are re-hashed and the rest is fetched
   * with a Range request; the file appears under its final name only once verified.
   */
  async downloadBlob(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, file: string, onBytes?: (n: number) => void): Promise<void> {
    const partial = file + '.partial';
    const request = `GET /v2/${repo}/blobs/${desc.digest}`;
    const maxAttempts = this.opts.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      let seed: { hash: Hash; bytes: number } | undefined;
      let have = 0;
      try {
        have = (await fsp.stat(partial)).size;
      } catch {
        have = 0;
      }
      if (have > desc.size) {
        await fsp.rm(partial, { force: true });
        have = 0;
      }
      if (have > 0) {
        const hash = createHash('sha256');
        for await (const c of createReadStream(partial) as AsyncIterable<Buffer>) hash.update(c);
        seed = { hash, bytes: have };
      }
      const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
      try {
        if (have === desc.size && desc.size > 0) {
          // everything is here already: just verify
          const v = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest}`, seed);
          v.end();
          await new Promise<void>((resolve, reject) => {
            v.on('error', reject);
            v.on('finish', resolve);
            v.resume();
          });
        } else {
          const res = await this.send({ method: 'GET', url: `/v2/${encodeRepo(repo)}/blobs/${desc.digest}`, headers, scopes: [`repository:${repo}:pull`], redirects: true });
          if (res.statusCode === 200 && have > 0) {
            // the registry ignored the Range header: start over
            seed = undefined;
            have = 0;
          } else if (res.statusCode !== 200 && res.statusCode !== 206) {
            throw await this.errorFor(res, request);
          }
          const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest} from ${this.registry}/${repo}`, seed, onBytes);
          await pipeline(res, verifier, createWriteStream(partial, { flags: have > 0 ? 'a' : 'w' }));
        }
        await fsp.rename(partial, file);
        return;
      } catch (e) {
        if (e instanceof Error && e.name === 'DigestMismatchError') {
          await fsp.rm(partial, { force: true });
          throw e;
        }
        if (!isRetriableError(e) || attempt >= maxAttempts) throw this.wrapNetworkError(e);
        await this.backoff(request, attempt, e);
      }
    }
  }

  /** Streams a blob (digest-verified) to a caller; for small blobs and tests. */
  async fetchBlob(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    const res = await this.send({ method: 'GET', url: `/v2/${encodeRepo(repo)}/blobs/${desc.digest}`, scopes: [`repository:${repo}:pull`], redirects: true });
    if (res.statusCode !== 200) throw await this.errorFor(res, `GET /v2/${repo}/blobs/${desc.digest}`);
    const body = await readBody(res, Math.max(desc.size, 0) + 1);
    if (digestOf(body) !== desc.digest) throw new RegistryError(this.registry, 200, `GET /v2/${repo}/blobs/${desc.digest}`, 'DIGEST_INVALID', `content has digest ${digestOf(body)}`);
    return body;
  }

  /**
   * Pushes a blob: an optional cross-repository mount (201 done; 202 means upload it ourselves
   * to the returned location), then one monolithic PUT or PATCH chunks and a closing PUT.
   * A failed upload session is restarted from the offset the registry confirms.
   */
  async pushBlob(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, source: BlobSource, opts: PushBlobOptions = {}): Promise<PushBlobResult> {
    const maxAttempts = this.opts.maxAttempts ?? 5;
    const scopes = [`repository:${repo}:pull,push`];
    if (opts.mountFrom && opts.mountFrom !== repo) scopes.push(`repository:${opts.mountFrom}:pull`);
    for (let attempt = 1; ; attempt++) {
      try {
        const start = await this.startUpload(repo, desc.digest, scopes, attempt === 1 ? opts.mountFrom : undefined);
        if (start === 'mounted') return 'mounted';
        const chunk = opts.chunkSize && opts.chunkSize > 0 && desc.size > opts.chunkSize ? opts.chunkSize : 0;
        if (chunk) await this.uploadChunked(repo, desc, source, start, chunk, scopes, opts.onBytes);
        else await this.uploadMonolithic(repo, desc, source, start, scopes, opts.onBytes);
        return 'pushed';
      } catch (e) {
        if (!isRetriableError(e) || attempt >= maxAttempts) throw this.wrapNetworkError(e);
        await this.backoff(`upload of ${desc.digest} to ${repo}`, attempt, e);
      }
    }
  }

  /** Lists a repository's tags, following `Link` pagination. */
  async listTags(repo: string, pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `/v2/${encodeRepo(repo)}/tags/list?n=${pageSize}`;
    for (let page = 0; url && page < 10_000; page++) {
      const res = await this.send({ method: 'GET', url, scopes: [`repository:${repo}:pull`], redirects: true });
      if (res.statusCode === 404) {
        await drain(res);
        return tags;
      }
      if (res.statusCode !== 200) throw await this.errorFor(res, `GET /v2/${repo}/tags/list`);
      const doc = JSON.parse((await readBody(res)).toString('utf8')) as { tags?: string[] | null };
      tags.push(...(doc.tags ?? []));
      const link = header(res, 'link');
      const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      url = m ? m[1] : undefined;
    }
    return tags;
  }

  /** The referrers API (OCI 1.1); undefined when the registry does not implement it. */
  async referrers(repo: string, digest: Digest): Promise<Descriptor[] | undefined> {
    const res = await this.send({ method: 'GET', url: `/v2/${encodeRepo(repo)}/referrers/${digest}`, headers: { accept: 'application/vnd.oci.image.index.v1+json' }, scopes: [`repository:${repo}:pull`], redirects: true });
    if (res.statusCode !== 200) {
      await drain(res);
      return undefined;
    }
    const ct = header(res, 'content-type') ?? '';
    const body = await readBody(res, MAX_MANIFEST_BYTES);
    if (!ct.includes('application/vnd.oci.image.index.v1+json')) return undefined;
    const doc = JSON.parse(body.toString('utf8')) as { manifests?: Descriptor[] };
    return (doc.manifests ?? []).filter((d) => isDigest(d.digest));
  }

  // -------------------------------------------------------------------------------------------
  // uploads

  private resolveLocation(loc: string | undefined, request: string): URL {
    if (!loc) throw new RegistryError(this.registry, 202, request, undefined, 'no Location header in upload response');
    return new URL(loc, this.baseUrl + '/');
  }

  private async startUpload(repo: string, digest: Digest, scopes: string[], mountFrom?: string): Promise<URL | 'mounted'> {
    let url = `/v2/${encodeRepo(repo)}/blobs/uploads/`;
    if (mountFrom && mountFrom !== repo) url += `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`;
    const request = `POST /v2/${repo}/blobs/uploads/`;
    const res = await this.send({ method: 'POST', url, headers: { 'content-length': '0' }, scopes });
    await drain(res);
    if (res.statusCode === 201 && mountFrom) return 'mounted';
    if (res.statusCode !== 202) throw await this.errorFor(res, request);
    return this.resolveLocation(header(res, 'location'), request);
  }

  private async uploadMonolithic(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, source: BlobSource, location: URL, scopes: string[], onBytes?: (n: number) => void): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', desc.digest);
    const request = `PUT /v2/${repo}/blobs/uploads/ (${desc.digest})`;
    const res = await this.send({
      method: 'PUT',
      url: url.href,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body: () => this.counted(desc.size > 0 ? source(0, desc.size - 1) : undefined, onBytes),
      scopes,
      retry: false,
    });
    if (res.statusCode !== 201) throw await this.errorFor(res, request);
    await drain(res);
  }

  /** PATCH chunks with Content-Range, tracking the offset ourselves (some registries never send 416). */
  private async uploadChunked(repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, source: BlobSource, location: URL, chunk: number, scopes: string[], onBytes?: (n: number) => void): Promise<void> {
    let loc = location;
    let offset = 0;
    const request = `PATCH /v2/${repo}/blobs/uploads/ (${desc.digest})`;
    let failures = 0;
    while (offset < desc.size) {
      const end = Math.min(offset + chunk, desc.size) - 1;
      let res: http.IncomingMessage;
      try {
        res = await this.send({
          method: 'PATCH',
          url: loc.href,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - offset + 1), 'content-range': `${offset}-${end}` },
          body: () => this.counted(source(offset, end), onBytes),
          scopes,
          retry: false,
        });
      } catch (e) {
        if (!isRetriableError(e) || ++failures >= (this.opts.maxAttempts ?? 5)) throw e;
        await this.backoff(request, failures, e);
        const status = await this.uploadStatus(loc, scopes);
        if (!status) throw e; // session gone: restart the whole upload
        loc = status.location;
        offset = status.next;
        continue;
      }
      if (res.statusCode === 416 || isRetriableStatus(res.statusCode ?? 0)) {
        await drain(res);
        if (++failures >= (this.opts.maxAttempts ?? 5)) throw await this.errorFor(res, request);
        const status = await this.uploadStatus(loc, scopes);
        if (!status) throw new RegistryError(this.registry, res.statusCode ?? 0, request, 'BLOB_UPLOAD_UNKNOWN', 'upload session lost');
        loc = status.location;
        offset = status.next;
        continue;
      }
      if (res.statusCode !== 202) throw await this.errorFor(res, request);
      await drain(res);
      loc = this.resolveLocation(header(res, 'location') ?? loc.href, request);
      const range = header(res, 'range');
      const m = range ? /^(?:bytes=)?0-(\d+)$/.exec(range) : null;
      // Trust the registry's Range when it sends one (it may have stored less); else our own count.
      offset = m ? Number(m[1]) + 1 : end + 1;
    }
    const url = new URL(loc);
    url.searchParams.set('digest', desc.digest);
    const res = await this.send({ method: 'PUT', url: url.href, headers: { 'content-length': '0' }, scopes, retry: false });
    if (res.statusCode !== 201) throw await this.errorFor(res, `PUT /v2/${repo}/blobs/uploads/ (${desc.digest})`);
    await drain(res);
  }

  /** GET on an upload location: where the registry says the next byte goes; undefined if the session is gone. */
  private async uploadStatus(loc: URL, scopes: string[]): Promise<{ location: URL; next: number } | undefined> {
    const res = await this.send({ method: 'GET', url: loc.href, scopes });
    await drain(res);
    if (res.statusCode !== 204) return undefined;
    const range = header(res, 'range');
    const m = range ? /^(?:bytes=)?0-(\d+)$/.exec(range) : null;
    return { location: this.resolveLocation(header(res, 'location') ?? loc.href, 'GET upload status'), next: m ? Number(m[1]) + 1 : 0 };
  }

  private counted(stream: Readable | undefined, onBytes?: (n: number) => void): Readable | Buffer {
    if (!stream) return Buffer.alloc(0);
    if (onBytes) stream.on('data', (c: Buffer) => onBytes(c.length));
    return stream;
  }

  // -------------------------------------------------------------------------------------------
  // requests, auth, retries

  private async backoff(request: string, attempt: number, why: unknown, retryAfter?: string): Promise<void> {
    const base = this.opts.backoffMs ?? 200;
    let delay = Math.min(10_000, base * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
    const ra = retryAfter ? Number(retryAfter) : NaN;
    if (Number.isFinite(ra) && ra >= 0) delay = Math.min(30_000, ra * 1000);
    this.opts.onRetry?.({ registry: this.registry, request, attempt, reason: why instanceof Error ? why.message : String(why), delayMs: Math.round(delay) });
    await sleep(delay);
  }

  private wrapNetworkError(e: unknown): Error {
    if (e instanceof RegistryError || e instanceof RegistryTlsError || e instanceof RegistryConnectionError) return e;
    const err = e as NodeJS.ErrnoException;
    if (isTlsErrorCode(err?.code)) return new RegistryTlsError(this.registry, err.code!, err.message);
    if (err?.code && isRetriableError(err)) return new RegistryConnectionError(this.registry, err.code, err.message);
    return e instanceof Error ? e : new Error(String(e));
  }

  private async errorFor(res: http.IncomingMessage, request: string): Promise<RegistryError> {
    let code: string | undefined;
    let detail = '';
    try {
      const body = await readBody(res, 64 * 1024);
      const text = body.toString('utf8');
      try {
        const doc = JSON.parse(text) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
        const first = doc.errors?.[0];
        if (first) {
          code = first.code;
          detail = first.message ?? '';
        }
      } catch {
        detail = text.trim().split('\n')[0]!.slice(0, 200);
      }
    } catch {
      /* no body */
    }
    return new RegistryError(this.registry, res.statusCode ?? 0, request, code, detail);
  }

  private async authorization(scopes: string[]): Promise<string | undefined> {
    if (this.authScheme === 'basic' && this.opts.credentials) return basicAuthHeader(this.opts.credentials);
    if (this.authScheme === 'bearer' && this.bearer) {
      const t = await this.token(scopes, false);
      return `Bearer ${t.value}`;
    }
    return undefined;
  }

  private async token(scopes: string[], force: boolean): Promise<Token> {
    const key = [...new Set(scopes)].sort().join(' ');
    const cached = this.tokens.get(key);
    if (!force && cached && cached.expiresAt > Date.now() + 5_000) return cached;
    let p = this.tokenFetches.get(key);
    if (!p) {
      p = this.fetchToken([...new Set(scopes)].sort()).finally(() => this.tokenFetches.delete(key));
      this.tokenFetches.set(key, p);
    }
    const t = await p;
    this.tokens.set(key, t);
    return t;
  }

  private async fetchToken(scopes: string[]): Promise<Token> {
    const b = this.bearer!;
    const url = new URL(b.realm);
    if (b.service) url.searchParams.set('service', b.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (this.opts.credentials) headers.authorization = basicAuthHeader(this.opts.credentials);
    const request = `GET ${url.origin}${url.pathname} (token)`;
    for (let attempt = 1; ; attempt++) {
      let res: http.IncomingMessage;
      try {
        res = await this.once('GET', url, headers, undefined);
      } catch (e) {
        if (!isRetriableError(e) || attempt >= (this.opts.maxAttempts ?? 5)) throw this.wrapNetworkError(e);
        await this.backoff(request, attempt, e);
        continue;
      }
      if (isRetriableStatus(res.statusCode ?? 0) && attempt < (this.opts.maxAttempts ?? 5)) {
        await drain(res);
        await this.backoff(request, attempt, `status ${res.statusCode}`, header(res, 'retry-after'));
        continue;
      }
      if (res.statusCode !== 200) {
        const err = await this.errorFor(res, request);
        if (res.statusCode === 401 || res.statusCode === 403) throw new RegistryError(this.registry, res.statusCode, request, 'UNAUTHORIZED', this.opts.credentials ? `the token service rejected the credentials of "${this.opts.credentials.username}"` : 'the token service needs credentials (--username/--password or a registry config)');
        throw err;
      }
      const doc = JSON.parse((await readBody(res)).toString('utf8')) as { token?: string; access_token?: string; expires_in?: number };
      const value = doc.token ?? doc.access_token;
      if (!value) throw new RegistryError(this.registry, 200, request, undefined, 'token response has no token');
      return { value, expiresAt: Date.now() + Math.max(60, doc.expires_in ?? 60) * 1000 };
    }
  }

  /** Learns the auth scheme from a 401 challenge; returns false when nothing more can be tried. */
  private learnChallenge(res: http.IncomingMessage): boolean {
    const h = res.headers['www-authenticate'];
    const values = Array.isArray(h) ? h : h ? [h] : [];
    const challenges = values.flatMap(parseChallenges);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      this.authScheme = 'bearer';
      this.bearer = { realm: bearer.params.realm!, service: bearer.params.service };
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.authScheme = 'basic';
      return !!this.opts.credentials;
    }
    return false;
  }

  private async send(req: SendRequest): Promise<http.IncomingMessage> {
    if (!req.noPing) await this.ping();
    const maxAttempts = req.retry === false ? 1 : (this.opts.maxAttempts ?? 5);
    let reauthed = false;
    let extraScopes: string[] = [];
    for (let attempt = 1; ; ) {
      let url = new URL(req.url, this.baseUrl);
      const headers: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'slipway', ...(req.headers ?? {}) };
      let res: http.IncomingMessage;
      try {
        const auth = await this.authorization([...req.scopes, ...extraScopes]);
        if (auth) headers.authorization = auth;
        res = await this.once(req.method, url, headers, req.body);
        for (let hops = 0; req.redirects && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && hops < MAX_REDIRECTS; hops++) {
          const loc = header(res, 'location');
          await drain(res);
          if (!loc) break;
          url = new URL(loc, url);
          // never forward credentials to another host
          if (url.host !== this.registry) delete headers.authorization;
          res = await this.once(req.method, url, headers, undefined);
        }
      } catch (e) {
        if (attempt < maxAttempts && isRetriableError(e)) {
          await this.backoff(`${req.method} ${req.url}`, attempt, e);
          attempt++;
          continue;
        }
        throw this.wrapNetworkError(e);
      }
      if (res.statusCode === 401 && !reauthed) {
        reauthed = true;
        const hadAuth = !!headers.authorization;
        const wasScheme = this.authScheme;
        const canTry = this.learnChallenge(res);
        if (canTry && (!hadAuth || this.authScheme === 'bearer' || wasScheme !== this.authScheme)) {
          const h = res.headers['www-authenticate'];
          const scope = parseChallenges(Array.isArray(h) ? h.join(', ') : (h ?? '')).find((c) => c.scheme === 'bearer')?.params.scope;
          await drain(res);
          if (this.authScheme === 'bearer') {
            extraScopes = scope ? scope.split(' ') : [];
            await this.token([...req.scopes, ...extraScopes], true);
          }
          continue;
        }
      }
      if (res.statusCode === 401) {
        const err = await this.errorFor(res, `${req.method} ${url.pathname}`);
        throw new RegistryError(this.registry, 401, err.request, err.ociCode ?? 'UNAUTHORIZED', this.opts.credentials ? `credentials of "${this.opts.credentials.username}" were rejected` : 'authentication required (--username/--password or a registry config)');
      }
      if (isRetriableStatus(res.statusCode ?? 0) && attempt < maxAttempts) {
        const ra = header(res, 'retry-after');
        await drain(res);
        await this.backoff(`${req.method} ${req.url}`, attempt, `status ${res.statusCode}`, ra);
        attempt++;
        continue;
      }
      return res;
    }
  }

  /** One HTTP exchange; resolves with the response head, the body left to the caller. */
  private once(method: string, url: URL, headers: Record<string, string>, body: (() => Readable | Buffer) | undefined): Promise<http.IncomingMessage> {
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const agent = isHttps ? this.httpsAgent : this.httpAgent;
    return new Promise((resolve, reject) => {
      let payload: Readable | Buffer | undefined;
      const req = mod.request(url, { method, headers, agent }, (res) => {
        if (payload && !Buffer.isBuffer(payload) && !payload.readableEnded) {
          payload.unpipe(req);
          payload.destroy();
        }
        resolve(res);
      });
      req.on('error', (e) => {
        if (payload && !Buffer.isBuffer(payload)) payload.destroy();
        reject(e);
      });
      req.setTimeout(this.opts.timeoutMs ?? 60_000, () => req.destroy(Object.assign(new Error(`${method} ${url.pathname}: timed out`), { code: 'ETIMEDOUT' })));
      payload = body?.();
      if (payload === undefined) req.end();
      else if (Buffer.isBuffer(payload)) req.end(payload);
      else {
        payload.on('error', (e) => req.destroy(e));
        payload.pipe(req);
      }
    });
  }
}
