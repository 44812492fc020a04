/** The OCI distribution-spec HTTP API over a RegistryStorage: routing, headers and error bodies. */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { type Digest, digestOf, parseDigest, tryParseDigest } from './digest.js';
import { RegistryError, MESSAGES } from './errors.js';
import type { HtpasswdAuthenticator } from './htpasswd.js';
import { parseBasicAuth } from './htpasswd.js';
import { MAX_MANIFEST_BYTES, MEDIA_TYPES, parseManifest } from './manifest.js';
import { checkName, checkTag, isValidName, isValidTag } from './names.js';
import { parseContentRange, parseRangeHeader } from './ranges.js';
import { blobUnknown, lexical, type RegistryStorage } from './storage.js';
import { type ChunkOptions, type UploadInfo, uploadHeaders, type UploadSessions } from './uploads.js';
import { readLimited } from '../../apimachinery/read-limited.js';

/** The logging the registry does; a pino logger fits. */
export interface RegistryLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface RegistryHandlerOptions {
  storage: RegistryStorage;
  uploads: UploadSessions;
  auth?: HtpasswdAuthenticator;
  /** Realm named in WWW-Authenticate. */
  realm?: string;
  logger?: RegistryLogger;
}

type Req = IncomingMessage;
type Res = ServerResponse;

const API_VERSION = { 'Docker-Distribution-API-Version': 'registry/2.0' };

function send(res: Res, status: number, headers: Record<string, string | number>, body?: Buffer | string): void {
  const data = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...API_VERSION, 'Content-Length': data ? data.length : 0, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}

function sendJson(res: Res, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
}

function sendError(res: Res, e: RegistryError): void {
  sendJson(res, e.status, e.toBody(), e.headers);
}

function unsupported(req: Req, allow: string[]): RegistryError {
  return new RegistryError('UNSUPPORTED', `method ${req.method} is not supported here (allowed: ${allow.join(', ')})`, undefined, { headers: { Allow: allow.join(', ') } });
}

function segment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Content-Length as a number when the request has one. */
function contentLength(req: Req): number | undefined {
  const v = req.headers['content-length'];
  return v === undefined ? undefined : Number(v);
}

function chunkOptions(req: Req): ChunkOptions {
  const opts: ChunkOptions = { length: contentLength(req) };
  const cr = req.headers['content-range'];
  if (cr !== undefined) {
    const range = parseContentRange(cr);
    if (!range) throw new RegistryError('BLOB_UPLOAD_INVALID', `invalid Content-Range "${cr}": expected <start>-<end>`, undefined, { status: 416 });
    opts.range = range;
  }
  return opts;
}

function readBody(req: Req, limit: number): Promise<Buffer> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) throw new RegistryError('SIZE_INVALID', `manifest of ${declared} bytes exceeds the limit of ${limit} bytes`, undefined, { status: 413 });
  return readLimited(req, { limit, overflow: 'destroy', tooLarge: () => new RegistryError('SIZE_INVALID', `manifest exceeds the limit of ${limit} bytes`, undefined, { status: 413 }) });
}

interface Page {
  items: string[];
  link?: string;
}

/** The spec's `n`/`last` pagination with a `Link: <...>; rel="next"` to the following page. */
function paginate(all: string[], q: URLSearchParams, base: string): Page {
  const last = q.get('last');
  let rest = last ? all.filter((x) => lexical(x, last) > 0) : all;
  const nRaw = q.get('n');
  if (nRaw === null || nRaw === '') return { items: rest };
  if (!/^\d+$/.test(nRaw)) throw new RegistryError('PAGINATION_NUMBER_INVALID', `invalid number of results requested: n=${JSON.stringify(nRaw)}`, { n: nRaw });
  const n = Number(nRaw);
  const items = rest.slice(0, n);
  rest = rest.slice(n);
  if (n === 0 || rest.length === 0) return { items };
  return { items, link: `<${base}?n=${n}&last=${encodeURIComponent(items[items.length - 1]!)}>; rel="next"` };
}

export class RegistryHandler {
  private readonly storage: RegistryStorage;
  private readonly uploads: UploadSessions;
  private readonly auth?: HtpasswdAuthenticator;
  private readonly realm: string;
  private readonly logger?: RegistryLogger;

  constructor(opts: RegistryHandlerOptions) {
    this.storage = opts.storage;
    this.uploads = opts.uploads;
    this.auth = opts.auth;
    this.realm = opts.realm ?? 'Slipway Registry';
    this.logger = opts.logger;
  }

  /** The node:http request listener. */
  readonly listener = (req: Req, res: Res): void => {
    this.handle(req, res).catch((e: unknown) => {
      if (e instanceof RegistryError) {
        if (!res.headersSent) sendError(res, e);
        else res.destroy();
        return;
      }
      if (isClientGone(e, req)) {
        res.destroy();
        return;
      }
      this.logger?.error({ err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e), method: req.method, url: req.url }, 'registry request failed');
      if (!res.headersSent) sendError(res, new RegistryError('UNKNOWN', `internal error: ${e instanceof Error ? e.message : String(e)}`));
      else res.destroy();
    });
  };

  private async authenticate(req: Req): Promise<void> {
    if (!this.auth) return;
    const creds = parseBasicAuth(req.headers.authorization);
    if (creds && (await this.auth.verify(creds.user, creds.password))) return;
    throw new RegistryError('UNAUTHORIZED', creds ? 'authentication failed: wrong user name or password' : 'authentication required', undefined, {
      headers: { 'WWW-Authenticate': `Basic realm="${this.realm}"` },
    });
  }

  private async handle(req: Req, res: Res): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    this.logger?.debug?.({ method, path }, 'request');
    if (path !== '/v2' && !path.startsWith('/v2/')) throw new RegistryError('UNSUPPORTED', `no such endpoint: ${path}`, undefined, { status: 404 });
    await this.authenticate(req);
    if (path === '/v2' || path === '/v2/') {
      if (method !== 'GET' && method !== 'HEAD') throw unsupported(req, ['GET', 'HEAD']);
      return sendJson(res, 200, {});
    }
    if (path === '/v2/_catalog') {
      if (method !== 'GET') throw unsupported(req, ['GET']);
      const page = paginate(await this.storage.listRepositories(), url.searchParams, '/v2/_catalog');
      return sendJson(res, 200, { repositories: page.items }, page.link ? { Link: page.link } : {});
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) return this.manifests(req, res, checkName(m[1]!), segment(m[2]!));
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(path))) return this.startUpload(req, res, checkName(m[1]!), url.searchParams);
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(path))) return this.upload(req, res, checkName(m[1]!), segment(m[2]!), url.searchParams);
    if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path))) return this.blobs(req, res, checkName(m[1]!), segment(m[2]!));
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) return this.tags(req, res, checkName(m[1]!), url.searchParams);
    if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path))) return this.referrers(req, res, checkName(m[1]!), segment(m[2]!), url.searchParams);
    throw new RegistryError('UNSUPPORTED', `no such endpoint: ${path}`, undefined, { status: 404 });
  }

  // ---- manifests ------------------------------------------------------------------------------

  private async manifests(req: Req, res: Res, repo: string, ref: string): Promise<void> {
    const byDigest = ref.includes(':');
    const digest = byDigest ? parseDigest(ref) : undefined;
    // a name that cannot be a tag is refused on push, and simply unknown otherwise
    if (!byDigest && req.method === 'PUT') checkTag(ref);
    if (!byDigest && !isValidTag(ref) && req.method !== 'PUT') throw new RegistryError('MANIFEST_UNKNOWN', MESSAGES.manifestUnknown, { tag: ref });
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        const found = await this.storage.getManifest(repo, ref);
        if (!found) throw new RegistryError('MANIFEST_UNKNOWN', MESSAGES.manifestUnknown, byDigest ? { digest: ref } : { tag: ref });
        return send(res, 200, { 'Content-Type': found.contentType, 'Docker-Content-Digest': found.digest, ETag: `"${found.digest}"` }, found.body);
      }
      case 'PUT':
        return this.putManifest(req, res, repo, ref, digest);
      case 'DELETE': {
        const deleted = digest ? await this.storage.deleteManifest(repo, digest) : await this.storage.deleteTag(repo, ref);
        if (!deleted) throw new RegistryError('MANIFEST_UNKNOWN', MESSAGES.manifestUnknown, digest ? { digest: ref } : { tag: ref });
        return send(res, 202, {});
      }
      default:
        throw unsupported(req, ['GET', 'HEAD', 'PUT', 'DELETE']);
    }
  }

  private async putManifest(req: Req, res: Res, repo: string, ref: string, refDigest: Digest | undefined): Promise<void> {
    const body = await readBody(req, MAX_MANIFEST_BYTES);
    const contentTypeHeader = req.headers['content-type'];
    const parsed = parseManifest(body, contentTypeHeader);
    const digest = parseDigest(digestOf(body, refDigest?.algorithm ?? 'sha256'));
    if (refDigest && refDigest.value !== digest.value) {
      throw new RegistryError('DIGEST_INVALID', `manifest digest ${digest.value} does not match the reference ${ref}`, { digest: ref, computed: digest.value });
    }
    const missing: { code: 'MANIFEST_BLOB_UNKNOWN'; message: string; detail: { digest: string } }[] = [];
    for (const b of parsed.blobs) {
      const d = tryParseDigest(b)!;
      if (!(await this.storage.repoBlob(repo, d))) missing.push({ code: 'MANIFEST_BLOB_UNKNOWN', message: `blob unknown to registry: ${b}`, detail: { digest: b } });
    }
    for (const c of parsed.children) {
      const d = tryParseDigest(c)!;
      if (!(await this.storage.manifestExists(repo, d))) missing.push({ code: 'MANIFEST_BLOB_UNKNOWN', message: `manifest unknown to registry: ${c}`, detail: { digest: c } });
    }
    if (missing.length > 0) {
      const [first, ...more] = missing;
      throw new RegistryError(first!.code, first!.message, first!.detail, { more });
    }
    // the Content-Type is kept byte for byte, unless it is a generic one that says nothing
    const givenType = (contentTypeHeader ?? '').split(';')[0]!.trim().toLowerCase();
    const contentType = contentTypeHeader && givenType !== 'application/octet-stream' && givenType !== 'application/json' ? contentTypeHeader : parsed.mediaType;
    await this.storage.putManifest(repo, body, digest, contentType, parsed, refDigest ? undefined : ref);
    const headers: Record<string, string> = { Location: `/v2/${repo}/manifests/${digest.value}`, 'Docker-Content-Digest': digest.value };
    if (parsed.subject) headers['OCI-Subject'] = parsed.subject.digest;
    return send(res, 201, headers);
  }

  // ---- blobs ----------------------------------------------------------------------------------

  private async blobs(req: Req, res: Res, repo: string, ref: string): Promise<void> {
    const d = parseDigest(ref);
    switch (req.method) {
      case 'GET':
      case 'HEAD': {
        const blob = await this.storage.repoBlob(repo, d);
        if (!blob) throw blobUnknown(d.value);
        const headers: Record<string, string | number> = {
          'Content-Type': 'application/octet-stream',
          'Docker-Content-Digest': d.value,
          ETag: `"${d.value}"`,
          'Accept-Ranges': 'bytes',
          'Cache-Control': 'max-age=31536000',
        };
        const range = parseRangeHeader(req.headers.range, blob.size);
        if (range === 'unsatisfiable') {
          throw new RegistryError('RANGE_INVALID', `range "${req.headers.range}" is outside the blob's ${blob.size} bytes`, undefined, { status: 416, headers: { 'Content-Range': `bytes */${blob.size}` } });
        }
        let status = 200;
        let start = 0;
        let end = blob.size - 1;
        if (range) {
          status = 206;
          ({ start, end } = range);
          headers['Content-Range'] = `bytes ${start}-${end}/${blob.size}`;
        }
        res.writeHead(status, { ...API_VERSION, ...headers, 'Content-Length': end - start + 1 });
        if (req.method === 'HEAD' || blob.size === 0) {
          res.end();
          return;
        }
        await pipeline(createReadStream(blob.path, { start, end, highWaterMark: 1 << 20 }), res);
        return;
      }
      case 'DELETE': {
        if (!(await this.storage.unlinkBlob(repo, d))) throw blobUnknown(d.value);
        return send(res, 202, { 'Docker-Content-Digest': d.value });
      }
      default:
        throw unsupported(req, ['GET', 'HEAD', 'DELETE']);
    }
  }

  private blobCreated(res: Res, repo: string, d: string): void {
    send(res, 201, { Location: `/v2/${repo}/blobs/${d}`, 'Docker-Content-Digest': d });
  }

  /** POST /v2/<name>/blobs/uploads/: mount, monolithic upload with ?digest=, or a new session. */
  private async startUpload(req: Req, res: Res, repo: string, q: URLSearchParams): Promise<void> {
    if (req.method !== 'POST') throw unsupported(req, ['POST']);
    const mount = q.get('mount');
    if (mount !== null) {
      const d = tryParseDigest(mount);
      const from = q.get('from') ?? undefined;
      if (d && (from === undefined || isValidName(from)) && (await this.storage.mount(repo, d, from))) return this.blobCreated(res, repo, d.value);
    }
    const digestParam = q.get('digest');
    const digest = mount === null && digestParam !== null ? parseDigest(digestParam) : undefined;
    const session = await this.uploads.create(repo);
    if (digest) {
      await this.uploads.complete(repo, session.id, digest, req, chunkOptions(req));
      return this.blobCreated(res, repo, digest.value);
    }
    return this.sessionAnswer(res, 202, session);
  }

  private sessionAnswer(res: Res, status: number, info: UploadInfo): void {
    send(res, status, uploadHeaders(info));
  }

  private async upload(req: Req, res: Res, repo: string, id: string, q: URLSearchParams): Promise<void> {
    switch (req.method) {
      case 'GET':
        return this.sessionAnswer(res, 204, await this.uploads.get(repo, id));
      case 'PATCH':
        return this.sessionAnswer(res, 202, await this.uploads.append(repo, id, req, chunkOptions(req)));
      case 'PUT': {
        const digestParam = q.get('digest');
        if (!digestParam) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to finish an upload', undefined);
        const d = parseDigest(digestParam);
        await this.uploads.complete(repo, id, d, req, chunkOptions(req));
        return this.blobCreated(res, repo, d.value);
      }
      case 'DELETE':
        await this.uploads.cancel(repo, id);
        return send(res, 204, {});
      default:
        throw unsupported(req, ['GET', 'PATCH', 'PUT', 'DELETE']);
    }
  }

  // ---- tags and referrers ---------------------------------------------------------------------

  private async tags(req: Req, res: Res, repo: string, q: URLSearchParams): Promise<void> {
    if (req.method !== 'GET') throw unsupported(req, ['GET']);
    const all = await this.storage.listTags(repo);
    if (!all) throw new RegistryError('NAME_UNKNOWN', MESSAGES.nameUnknown, { name: repo });
    const page = paginate(all, q, `/v2/${repo}/tags/list`);
    return sendJson(res, 200, { name: repo, tags: page.items }, page.link ? { Link: page.link } : {});
  }

  private async referrers(req: Req, res: Res, repo: string, ref: string, q: URLSearchParams): Promise<void> {
    if (req.method !== 'GET') throw unsupported(req, ['GET']);
    const subject = parseDigest(ref);
    let manifests = await this.storage.referrers(repo, subject);
    const wanted = q.getAll('artifactType').filter((t) => t !== '');
    const headers: Record<string, string> = {};
    if (wanted.length > 0) {
      manifests = manifests.filter((m) => m.artifactType !== undefined && wanted.includes(m.artifactType));
      headers['OCI-Filters-Applied'] = 'artifactType';
    }
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests });
    return send(res, 200, { 'Content-Type': MEDIA_TYPES.ociIndex, ...headers }, body);
  }
}

function isClientGone(e: unknown, req: Req): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return req.destroyed || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
