/** HTTP request handling of the API server: authentication, routing, verbs, watch streaming. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { EtcdRequestError, EtcdWriteOutcomeUnknownError } from '../storage/etcd/errors.js';
import { StatusError, badRequest, internalError, methodNotAllowed, notFound, unauthorized, type Status } from '../apimachinery/errors.js';
import { applyJsonPatch, applyMergePatch } from '../apimachinery/patch/index.js';
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from '../apimachinery/selectors.js';
import { apiVersionOf, deepClone, isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { authenticate, bearerToken, isAnonymousAllowedPath, type UserInfo } from './authn.js';
import type { AuthzAttributes, AuthzDecision } from './authz/attributes.js';
import { forbiddenError } from './authorization.js';
import { impersonate, removeImpersonationHeaders, requestsImpersonation } from './impersonation.js';
import { requestAttributes } from './request-attributes.js';
import type { ReviewHandler } from './reviews.js';
import type { AuditContext, AuditRecorder, AuditRequest } from './audit/recorder.js';
import { sourceIPs } from './audit/source-ips.js';
import type { TokenAuthentication } from './service-account-tokens.js';
import { failedAuthenticationMessage, presentedClientCertificate } from './audit/failed-authentication.js';
import { JWKS_CONTENT_TYPE, JWKS_PATH, OPENID_CACHE_CONTROL, OPENID_CONFIGURATION_CONTENT_TYPE, OPENID_CONFIGURATION_PATH, type OpenIdDocuments } from './serviceaccount/openid.js';
import { decodeBody, negotiateOutput, patchTypeOf, readBody, type OutputAs } from './codec.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, coreApiVersions, negotiateDiscovery } from './discovery.js';
import type { DeleteOptions, FieldValidation, ListItemsText, ObjectStore, PropagationPolicy, WatchEvent } from './object-store.js';
import { openapiV2, openapiV3Document, openapiV3Index } from './openapi.js';
import { acceptsOpenApiV2Protobuf, encodeOpenApiV2Protobuf, OPENAPI_V2_PROTOBUF_MEDIA_TYPE } from './openapi-v2-protobuf.js';
import { parseApiPath, type ResourceRequest } from './request-info.js';
import type { ResourceRegistry } from './registry.js';
import type { ResourceInfo } from './resource-info.js';
import { toTable } from './table.js';
import { podReadSubresourcesOf, postSubresourcesOf } from './pod-subresources.js';
import { isPodLogRequest, servePodLog } from './pod-log.js';

export interface ApiHandlerOptions {
  objects: ObjectStore;
  registry: ResourceRegistry;
  tokens: Map<string, UserInfo>;
  logger: Logger;
  /** Seconds between watch bookmarks (when the client allows them). */
  bookmarkIntervalSeconds?: number;
  version?: { major: string; minor: string; gitVersion: string };
  /** When false, every request is treated as the admin (used by tests of the handler alone). */
  requireAuth?: boolean;
  /**
   * Discovery and OpenAPI documents shared by handlers serving the same registry (workload clusters); whoever
   * passes it clears it when the registry changes. Default: a cache of this handler's own.
   */
  documentCache?: Map<string, CachedDocument>;
  /**
   * Bearer tokens that are not static tokens (ServiceAccount JWTs): the user, an error for a token that is ours but
   * invalid (401), or undefined when the token is not one this authenticator knows; with the authenticator's audit
   * annotations.
   */
  authenticateToken?: (token: string) => Promise<TokenAuthentication | undefined>;
  /** Decides every authenticated request (RBAC); without it every authenticated user may do anything. */
  authorize?: (a: AuthzAttributes) => AuthzDecision | Promise<AuthzDecision>;
  /** Create-only resources answered without storage (access and token reviews), keyed `group/plural`. */
  reviews?: Map<string, ReviewHandler>;
  /** Audit log: events of requests (and of failed authentications), as the recorder's policy says. */
  audit?: AuditRecorder;
  /** Annotations every audit event of this API carries (a workload cluster's name). */
  auditAnnotations?: Readonly<Record<string, string>>;
  /** Service-account issuer discovery documents (undefined: not served). */
  openIdDiscovery?: () => Promise<OpenIdDocuments | undefined>;
  /** POST serviceaccounts/NAME/token (TokenRequest): the answered TokenRequest. */
  tokenRequest?: (namespace: string, serviceAccount: string, body: KubeObject, user: UserInfo | undefined) => Promise<KubeObject>;
}

const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-slipway', gitCommit: 'slipway', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'node', compiler: 'tsc', platform: `${process.platform}/${process.arch}` };

/** A cached document: JSON text, or bytes (OpenAPI v2 in protobuf). */
export interface CachedDocument {
  body: string | Uint8Array;
  contentType: string;
}

type Query = URLSearchParams;

const allowAll = (): AuthzDecision => ({ allowed: true });

export class ApiHandler {
  private readonly objects: ObjectStore;
  private readonly registry: ResourceRegistry;
  private readonly log: Logger;
  private readonly cache: Map<string, CachedDocument>;
  private ready = true;
  /** The audit state of requests being answered. */
  private readonly audits = new WeakMap<ServerResponse, AuditContext>();

  constructor(private readonly opts: ApiHandlerOptions) {
    this.objects = opts.objects;
    this.registry = opts.registry;
    this.log = opts.logger;
    if (opts.documentCache) this.cache = opts.documentCache;
    else {
      const cache = new Map<string, CachedDocument>();
      this.cache = cache;
      this.registry.on('changed', () => cache.clear());
    }
  }

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  /** The (req, res) listener for http/https.createServer. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((e: unknown) => this.fail(res, e));
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === '/version') return this.json(res, 200, VERSION);
    if (isAnonymousAllowedPath(path)) {
      if (path.startsWith('/readyz') && !this.ready) return this.text(res, 500, 'not ready');
      return this.text(res, 200, 'ok');
    }
    let user: UserInfo | undefined;
    let authnAnnotations: Readonly<Record<string, string>> | undefined;
    if (this.opts.requireAuth !== false) {
      user = authenticate(req, this.opts.tokens);
      if (!user && this.opts.authenticateToken) {
        const token = bearerToken(req);
        const found = token !== undefined ? await this.opts.authenticateToken(token) : undefined;
        authnAnnotations = found?.auditAnnotations;
        if (found && 'user' in found) user = found.user;
      }
      if (!user) {
        req.resume();
        if (this.opts.audit) this.auditFailedAuthentication(req, res, method, path, url, authnAnnotations);
        throw unauthorized();
      }
      let attrs = this.opts.authorize || this.opts.audit ? requestAttributes(user, method, path, url.searchParams) : undefined;
      const audit = attrs && this.opts.audit ? this.beginAudit(req, res, attrs, url, authnAnnotations) : undefined;
      if (requestsImpersonation(req.headers)) {
        // Impersonate-* headers: the request runs as the user they name, if the requester may take on each part.
        const as = await impersonate(req.headersDistinct, user, this.opts.authorize ?? allowAll);
        if (as instanceof StatusError) {
          req.resume();
          throw as;
        }
        if (as) {
          user = as;
          removeImpersonationHeaders(req.headers);
          audit?.setImpersonatedUser(as);
          if (attrs) attrs = { ...attrs, user: as };
        }
      }
      if (attrs && this.opts.authorize) {
        const decision = await this.opts.authorize(attrs);
        if (audit) {
          audit.annotate('authorization.k8s.io/decision', decision.allowed ? 'allow' : 'forbid');
          audit.annotate('authorization.k8s.io/reason', decision.reason ?? '');
        }
        if (!decision.allowed) {
          req.resume();
          throw forbiddenError(attrs, decision.reason);
        }
      }
    }
    if (path === OPENID_CONFIGURATION_PATH || path === JWKS_PATH) return this.openIdDocument(req, res, method, path);
    if (path === '/openapi/v2' && /protobuf/.test(req.headers.accept ?? '') && !/application\/json|\*\/\*/.test(req.headers.accept ?? '')) {
      // gnostic's protobuf form, which kubectl reads for client-side validation and `explain` from v2
      if (acceptsOpenApiV2Protobuf(req.headers.accept)) return this.cached(res, 'openapi/v2.pb', () => encodeOpenApiV2Protobuf(openapiV2(this.registry.all())), OPENAPI_V2_PROTOBUF_MEDIA_TYPE);
      throw new StatusError(406, 'NotAcceptable', 'only application/json is served for /openapi/v2');
    }
    if (path === '/openapi/v2') return this.cached(res, 'openapi/v2', () => JSON.stringify(openapiV2(this.registry.all())), 'application/json');
    if (path === '/openapi/v3') return this.cached(res, 'openapi/v3', () => JSON.stringify(openapiV3Index(this.registry.all())), 'application/json');
    if (path.startsWith('/openapi/v3/')) {
      const rest = path.slice('/openapi/v3/'.length);
      const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(rest);
      if (!m) throw notFound('openapi', '', rest);
      const group = m[1] ? '' : m[2]!;
      const version = m[1] ?? m[3]!;
      if (!this.registry.hasGroupVersion(group, version)) throw notFound('openapi', '', rest);
      return this.cached(res, `openapi/v3/${rest}`, () => JSON.stringify(openapiV3Document(this.registry.all(), group, version)), 'application/json');
    }
    const api = parseApiPath(path);
    switch (api.type) {
      case 'root': {
        const disc = negotiateDiscovery(req.headers.accept ?? '');
        if (disc !== 'legacy') {
          const ct = `application/json;g=apidiscovery.k8s.io;v=${disc};as=APIGroupDiscoveryList`;
          return this.cached(res, `disc/${api.prefix}/${disc}`, () => JSON.stringify(aggregatedDiscovery(this.registry.all(), api.prefix === 'api' ? 'core' : 'apis', disc)), ct);
        }
        if (api.prefix === 'api') return this.json(res, 200, coreApiVersions());
        return this.cached(res, 'apis', () => JSON.stringify(apiGroupList(this.registry.all())), 'application/json');
      }
      case 'group': {
        const g = apiGroup(this.registry.all(), api.group);
        if (!g) throw notFound('', '', path);
        return this.json(res, 200, g);
      }
      case 'groupVersion': {
        if (!this.registry.hasGroupVersion(api.group, api.version)) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        return this.cached(res, `gv/${api.group}/${api.version}`, () => JSON.stringify(apiResourceList(this.registry.all(), api.group, api.version)), 'application/json');
      }
      case 'resource':
        return this.resource(req, res, method, api.req, url.searchParams, user);
      default:
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
  }

  private async resource(req: IncomingMessage, res: ServerResponse, method: string, r: ResourceRequest, q: Query, user: UserInfo | undefined): Promise<void> {
    const info = this.registry.get(r.group, r.version, r.resource);
    if (!info) {
      req.resume();
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    // The namespace object itself: /api/v1/namespaces/{name}[/status|/finalize]
    const namespace = info.namespaced ? r.namespace : undefined;
    if (!info.namespaced && r.namespace) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const sub = r.subresource;
    const review = this.opts.reviews?.get(`${info.group}/${info.plural}`);
    if (review) {
      if (method !== 'POST' || r.name) {
        req.resume();
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      }
      const body = this.decoded(res, decodeBody(await readBody(req), req.headers['content-type'])) as KubeObject;
      if (!isPlainObject(body)) throw badRequest('the body of the request must be a JSON object');
      const reviewer: UserInfo = user ?? { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
      return this.json(res, 201, await review(body, { user: reviewer, namespace }));
    }
    if (isPodLogRequest(info, sub)) {
      req.resume();
      if (method !== 'GET') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
      if (!r.name) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return servePodLog(this.objects, info, namespace, r.name, q, req, res);
    }
    const postSub = sub !== undefined && postSubresourcesOf(info).some((p) => p.name === sub);
    const podSub = sub !== undefined && podReadSubresourcesOf(info).some((p) => p.name === sub);
    if (sub && sub !== 'status' && !postSub && !podSub && !(sub === 'scale' && info.subresources.scale) && !(sub === 'finalize' && info.group === '' && info.plural === 'namespaces')) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (sub === 'status' && !info.subresources.status) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const output = negotiateOutput(req.headers.accept);
    const audit = this.audits.get(res);
    const writeOpts = {
      dryRun: q.getAll('dryRun').includes('All'),
      fieldManager: q.get('fieldManager') ?? defaultManager(req),
      fieldValidation: fieldValidationOf(q),
      user: user ? { name: user.name, groups: user.groups } : undefined,
      annotate: audit ? (k: string, v: string) => audit.annotate(k, v) : undefined,
    };
    if (q.has('dryRun') && !q.getAll('dryRun').every((v) => v === 'All')) throw badRequest(`Invalid dry run value: ${q.getAll('dryRun').join(',')}: supported values: "All"`);
    const name = r.name;
    switch (method) {
      case 'GET': {
        if (name) {
          const obj = await this.objects.get(info, namespace, name);
          if (sub === 'scale') return this.json(res, 200, toScale(info, obj));
          return this.sendObject(res, 200, info, obj, output, q);
        }
        if (isTrue(q.get('watch'))) return this.watch(req, res, info, namespace, q, output);
        if (output === 'object') return this.streamList(res, info, await this.objects.listText(info, namespace, listOptions(q)));
        const list = await this.objects.list(info, namespace, listOptions(q));
        if (output === 'Table') {
          return this.json(res, 200, toTable(info, list.items, { includeObject: includeObjectOf(q), listMeta: { resourceVersion: list.resourceVersion, continue: list.continue } }));
        }
        const body: KubeObject = {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) },
          items: list.items.map(partialMetadata),
        };
        return this.json(res, 200, body);
      }
      case 'POST': {
        if (name && postSub) {
          const body = this.decoded(res, decodeBody(await readBody(req), req.headers['content-type'])) as KubeObject;
          if (sub === 'token' && info.group === '' && info.plural === 'serviceaccounts') {
            if (!this.opts.tokenRequest) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
            return this.json(res, 201, await this.opts.tokenRequest(namespace ?? '', name, body, user));
          }
          return this.json(res, 201, await this.objects.createSubresource(info, namespace, name, sub!, body, { ...writeOpts, inputOwned: true }));
        }
        if (name) throw methodNotAllowed(`the server does not allow this method on the requested resource`);
        const body = this.decoded(res, decodeBody(await readBody(req), req.headers['content-type']));
        const result = await this.objects.create(info, namespace, body as KubeObject, { ...writeOpts, inputOwned: true });
        return this.sendWritten(res, 201, info, result, output, q);
      }
      case 'PUT': {
        if (!name) throw methodNotAllowed(`the server does not allow this method on the requested resource`);
        let body = this.decoded(res, decodeBody(await readBody(req), req.headers['content-type'])) as KubeObject;
        if (sub === 'scale') {
          const obj = await this.objects.get(info, namespace, name);
          body = fromScale(info, obj, body); // a fresh copy: the update may own it
          const result = await this.objects.update(info, namespace, name, body, { ...writeOpts, inputOwned: true });
          return this.json(res, 200, toScale(info, result.object), result.warnings);
        }
        const result = await this.objects.update(info, namespace, name, body, { ...writeOpts, inputOwned: true }, sub);
        return this.sendWritten(res, 200, info, result, output, q);
      }
      case 'PATCH': {
        if (!name) throw methodNotAllowed(`the server does not allow this method on the requested resource`);
        const type = patchTypeOf(req.headers['content-type']);
        const raw = await readBody(req);
        const patch = this.decoded(res, decodeBody(raw, type === 'apply' ? 'application/apply-patch+yaml' : 'application/json'));
        if (sub === 'scale') {
          const obj = await this.objects.get(info, namespace, name);
          const scale = toScale(info, obj);
          const patched = (type === 'json' ? applyJsonPatch(scale, patch) : applyMergePatch(scale, patch)) as KubeObject;
          const result = await this.objects.update(info, namespace, name, fromScale(info, obj, patched), { ...writeOpts, inputOwned: true });
          return this.json(res, 200, toScale(info, result.object), result.warnings);
        }
        const fieldManager = q.get('fieldManager') ?? (type === 'apply' ? undefined : defaultManager(req));
        const result = await this.objects.patch(info, namespace, name, type, patch, { ...writeOpts, fieldManager, force: isTrue(q.get('force')) }, sub);
        return this.sendWritten(res, 200, info, result, output, q);
      }
      case 'DELETE': {
        const raw = await readBody(req);
        const delOpts = deleteOptionsOf(q, raw, req.headers['content-type'], writeOpts);
        if (!name) {
          const items = await this.objects.deleteCollection(info, namespace, listOptions(q), delOpts);
          return this.json(res, 200, { kind: info.listKind, apiVersion: apiVersionOf(info.group, info.version), metadata: {}, items });
        }
        const result = await this.objects.delete(info, namespace, name, delOpts);
        if (result.deleted && info.builtin) {
          const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message: '', reason: '', code: 200, details: { name, group: info.group || undefined, kind: info.plural, uid: result.object.metadata?.uid } };
          delete (status as { message?: string }).message;
          delete (status as { reason?: string }).reason;
          return this.json(res, 200, status);
        }
        return this.sendObject(res, 200, info, result.object, output, q);
      }
      default:
        req.resume();
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }

  /**
   * A list written in pieces, yielding to the event loop between them (waiting for 'drain' when the
   * socket is full), so the client reads while the server encodes and no multi-megabyte string is built.
   */
  private async streamList(res: ServerResponse, info: ResourceInfo, list: { items: ListItemsText; resourceVersion: string; continue?: string; remainingItemCount?: number }): Promise<void> {
    const meta = JSON.stringify({ resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`{"kind":${JSON.stringify(info.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(info.group, info.version))},"metadata":${meta},"items":[`);
    // A small first chunk gets the client going while the rest is encoded.
    const n = list.items.length;
    for (let i = 0, size = 64; i < n; i += size, size = 1024) {
      if (res.destroyed) return;
      const end = Math.min(n, i + size);
      const parts = new Array<string>(end - i);
      for (let j = i; j < end; j++) parts[j - i] = list.items.text(j);
      const more = res.write((i ? ',' : '') + parts.join(','));
      if (end < n) {
        if (!more) await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    res.end(']}');
  }

  /** A write's result: its stored JSON text when it has one and plain JSON was asked for. */
  private sendWritten(res: ServerResponse, code: number, info: ResourceInfo, result: { object: KubeObject; warnings: string[]; json?: string }, output: OutputAs, q: Query): void {
    if (output === 'object' && result.json !== undefined) return this.jsonText(res, code, result.json, result.warnings, result.object);
    return this.sendObject(res, code, info, result.object, output, q, result.warnings);
  }

  private sendObject(res: ServerResponse, code: number, info: ResourceInfo, obj: KubeObject, output: OutputAs, q: Query, warnings: string[] = []): void {
    if (output === 'Table') return this.json(res, code, toTable(info, [obj], { includeObject: includeObjectOf(q), single: true, listMeta: { resourceVersion: obj.metadata?.resourceVersion } }), warnings);
    if (output === 'PartialObjectMetadata') return this.json(res, code, partialMetadata(obj), warnings);
    return this.json(res, code, obj, warnings);
  }

  private async watch(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, namespace: string | undefined, q: Query, output: OutputAs): Promise<void> {
    const opts = listOptions(q);
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '') || 1800 + Math.floor(Math.random() * 1800);
    const bookmarks = isTrue(q.get('allowWatchBookmarks'));
    const includeObject = includeObjectOf(q);
    let headerSent = false;
    const startStream = (): void => {
      if (headerSent) return;
      headerSent = true;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      this.audits.get(res)?.responseStarted(200);
    };
    const encode = (e: WatchEvent): string => {
      if (output === 'Table') return JSON.stringify({ type: e.type, object: toTable(info, [e.object], { includeObject, single: true, noHeaders: e.type !== 'ADDED' ? true : undefined }) }) + '\n';
      if (output === 'PartialObjectMetadata') return JSON.stringify({ type: e.type, object: partialMetadata(e.object) }) + '\n';
      return `{"type":"${e.type}","object":${e.json()}}\n`;
    };
    let buffered: string[] = [];
    let flushScheduled = false;
    const send = (line: string): void => {
      startStream();
      buffered.push(line);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          const out = buffered.join('');
          buffered = [];
          if (!res.destroyed) res.write(out);
        });
      }
    };
    let watcher: { stop(): void } | undefined;
    let lastRv = q.get('resourceVersion') ?? '';
    try {
      watcher = await this.objects.watch(info, namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: q.get('resourceVersion') ?? undefined }, (e) => {
        lastRv = e.object.metadata?.resourceVersion ?? lastRv;
        send(encode(e));
      }, (err) => {
        // The storage ended the watch (compacted past it): tell the client, which relists, as kube-apiserver does.
        stop();
        send(JSON.stringify({ type: 'ERROR', object: err.toStatus() }) + '\n');
        setImmediate(() => {
          if (!res.destroyed) res.end();
        });
      });
    } catch (e) {
      if (e instanceof StatusError && e.code === 410) {
        startStream();
        res.end(JSON.stringify({ type: 'ERROR', object: e.toStatus() }) + '\n');
        return;
      }
      throw e;
    }
    startStream();
    const timers: NodeJS.Timeout[] = [];
    const stop = (): void => {
      watcher?.stop();
      watcher = undefined;
      for (const t of timers) clearTimeout(t), clearInterval(t);
    };
    timers.push(setTimeout(() => {
      stop();
      if (buffered.length && !res.destroyed) res.write(buffered.join(''));
      res.end();
    }, timeoutSeconds * 1000));
    if (bookmarks) {
      timers.push(setInterval(() => {
        const rv = String(this.objects.store.currentRevision());
        send(JSON.stringify({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: apiVersionOf(info.group, info.version), metadata: { resourceVersion: rv } } }) + '\n');
      }, (this.opts.bookmarkIntervalSeconds ?? 30) * 1000));
    }
    const onClose = (): void => stop();
    req.on('close', onClose);
    res.on('close', onClose);
  }

  /** Starts the audit of a request; its events complete when the response is written (or the connection closes). */
  private beginAudit(req: IncomingMessage, res: ServerResponse, attrs: AuthzAttributes, url: URL, authnAnnotations?: Readonly<Record<string, string>>): AuditContext | undefined {
    const ctx = this.opts.audit!.begin(this.auditRequest(req, req.method ?? 'GET', attrs, url, authnAnnotations));
    if (!ctx) return undefined;
    this.audits.set(res, ctx);
    res.setHeader('Audit-Id', ctx.auditID);
    // Responses written without the JSON helpers (lists streamed, logs, discovery) complete here.
    res.once('close', () => ctx.complete(res.statusCode));
    return ctx;
  }

  /** kube-apiserver's failed-authentication audit: one event, at stage ResponseStarted, without a user. */
  private auditFailedAuthentication(req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL, authnAnnotations: Readonly<Record<string, string>> | undefined): void {
    const attrs = requestAttributes({ name: '', groups: [] }, method, path, url.searchParams);
    const message = failedAuthenticationMessage({ authorization: req.headers.authorization, accessToken: url.searchParams.get('access_token'), clientCertificate: presentedClientCertificate(req) });
    const auditID = this.opts.audit!.failedAuthentication({ ...this.auditRequest(req, method, attrs, url, authnAnnotations), user: undefined }, message);
    if (auditID) res.setHeader('Audit-Id', auditID);
  }

  /** What the audit log records of a request (its user is attrs.user). */
  private auditRequest(req: IncomingMessage, method: string, attrs: AuthzAttributes, url: URL, authnAnnotations: Readonly<Record<string, string>> | undefined): AuditRequest {
    return {
      method,
      requestURI: url.pathname + url.search,
      verb: attrs.verb,
      user: attrs.user,
      sourceIPs: sourceIPs(req.headers, req.socket.remoteAddress),
      userAgent: req.headers['user-agent'],
      objectRef: attrs.resourceRequest
        ? { resource: attrs.resource, namespace: attrs.namespace, name: attrs.name, apiGroup: attrs.apiGroup, apiVersion: attrs.apiVersion, subresource: attrs.subresource }
        : undefined,
      resourceRequest: attrs.resourceRequest,
      path: url.pathname,
      auditID: typeof req.headers['audit-id'] === 'string' ? req.headers['audit-id'] : undefined,
      annotations: authnAnnotations ? { ...this.opts.auditAnnotations, ...authnAnnotations } : this.opts.auditAnnotations,
    };
  }

  /** /.well-known/openid-configuration or /openid/v1/jwks, with upstream's content types and cache header. */
  private async openIdDocument(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    req.resume();
    const docs = await this.opts.openIdDiscovery?.();
    if (!docs) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (method !== 'GET') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const jwks = path === JWKS_PATH;
    const body = jwks ? docs.jwks : docs.configuration;
    res.writeHead(200, { 'Content-Type': jwks ? JWKS_CONTENT_TYPE : OPENID_CONFIGURATION_CONTENT_TYPE, 'Cache-Control': OPENID_CACHE_CONTROL, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** A decoded request body, recorded for the audit log when the request is audited at Request level or above. */
  private decoded<T>(res: ServerResponse, body: T): T {
    this.audits.get(res)?.setRequestObject(body);
    return body;
  }

  /** A discovery or OpenAPI document, built once per registry change and kept (text or bytes) in the shared cache. */
  private cached(res: ServerResponse, key: string, build: () => string | Uint8Array, contentType: string): void {
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { body: build(), contentType };
      this.cache.set(key, entry);
    }
    res.writeHead(200, { 'Content-Type': entry.contentType, 'Content-Length': typeof entry.body === 'string' ? Buffer.byteLength(entry.body) : entry.body.byteLength });
    res.end(entry.body);
  }

  private json(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
    this.jsonText(res, code, JSON.stringify(body), warnings, body);
  }

  /** `text` is the response; `object`, when the caller has it, the same as an object (the audit log's copy). */
  private jsonText(res: ServerResponse, code: number, text: string, warnings: string[] = [], object?: unknown): void {
    const audit = this.audits.get(res);
    if (audit) audit.complete(code, audit.level === 'RequestResponse' || code >= 300 ? (object ?? JSON.parse(text)) : undefined);
    const headers: Record<string, string | number | string[]> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
    if (warnings.length) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    res.writeHead(code, headers);
    res.end(text);
  }

  private text(res: ServerResponse, code: number, body: string): void {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private fail(res: ServerResponse, e: unknown): void {
    let err: StatusError;
    if (e instanceof StatusError) err = e;
    else if (e instanceof EtcdWriteOutcomeUnknownError) {
      // As kube-apiserver when etcd did not answer a write in time: the client must read to learn whether it applied.
      this.log.warn({ err: e }, 'storage write outcome unknown');
      err = new StatusError(504, 'Timeout', `Timeout: request did not complete within the allowed duration (${e.message})`);
    } else if (e instanceof EtcdRequestError) {
      this.log.warn({ err: e }, 'storage unavailable');
      err = new StatusError(503, 'ServiceUnavailable', `storage is unavailable: ${e.message}`);
    } else {
      this.log.error({ err: e }, 'request failed');
      err = internalError(e instanceof Error ? e.message : String(e));
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.json(res, err.code, err.toStatus());
  }
}

/** Go's strconv.ParseBool truth values, which kube-apiserver accepts in query parameters. */
function isTrue(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

function fieldValidationOf(q: Query): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`invalid fieldValidation directive: ${v}: supported values: "Ignore", "Warn", "Strict"`);
}

function includeObjectOf(q: Query): 'None' | 'Object' | 'Metadata' {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  return 'Metadata';
}

function listOptions(q: Query): { labelSelector?: LabelSelector; fieldSelector?: FieldSelector; limit?: number; continue?: string } {
  const out: { labelSelector?: LabelSelector; fieldSelector?: FieldSelector; limit?: number; continue?: string } = {};
  const ls = q.get('labelSelector');
  if (ls) out.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) out.fieldSelector = parseFieldSelector(fs);
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${limit}`);
    out.limit = n;
  }
  const cont = q.get('continue');
  if (cont) out.continue = cont;
  return out;
}

function deleteOptionsOf(q: Query, raw: Buffer, contentType: string | undefined, base: { dryRun: boolean; fieldManager?: string; user?: { name: string; groups: string[] } }): DeleteOptions {
  const opts: DeleteOptions = { dryRun: base.dryRun, user: base.user };
  let body: Record<string, unknown> = {};
  if (raw.length && raw.toString().trim()) {
    const decoded = decodeBody(raw, contentType ?? 'application/json');
    if (!isPlainObject(decoded)) throw badRequest('DeleteOptions must be an object');
    body = decoded;
  }
  const policy = (q.get('propagationPolicy') ?? body.propagationPolicy) as string | undefined;
  if (policy !== undefined && policy !== null) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    opts.propagationPolicy = policy as PropagationPolicy;
  }
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  if (orphan !== undefined && orphan !== null && !opts.propagationPolicy) opts.propagationPolicy = orphan === true || orphan === 'true' ? 'Orphan' : 'Background';
  if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) opts.dryRun = true;
  if (isPlainObject(body.preconditions)) opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
  return opts;
}

function defaultManager(req: IncomingMessage): string {
  const ua = req.headers['user-agent'] ?? '';
  const first = ua.split('/')[0]?.trim();
  return first || 'unknown';
}

function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.replace(/^\./, '').split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
function toScale(info: ResourceInfo, obj: KubeObject): KubeObject {
  const scale = info.subresources.scale!;
  const sel = scale.labelSelectorPath ? getPath(obj, scale.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata?.name, namespace: obj.metadata?.namespace, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion, creationTimestamp: obj.metadata?.creationTimestamp },
    spec: { replicas: (getPath(obj, scale.specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (getPath(obj, scale.statusReplicasPath) as number | undefined) ?? 0, ...(typeof sel === 'string' ? { selector: sel } : {}) },
  };
}

function fromScale(info: ResourceInfo, obj: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new StatusError(422, 'Invalid', `Scale.autoscaling "${obj.metadata?.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, { kind: 'Scale', group: 'autoscaling', name: obj.metadata?.name, causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }] });
  }
  const next = deepClone(obj) as Record<string, unknown>;
  const rv = scale.metadata?.resourceVersion;
  if (rv) (next.metadata as Record<string, unknown>).resourceVersion = rv;
  setPath(next, info.subresources.scale!.specReplicasPath, replicas);
  return next as KubeObject;
}
