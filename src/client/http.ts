/**
 * HTTP transport: the Kubernetes REST API over HTTPS (or plain HTTP), authenticated with a client
 * certificate and/or bearer token, verifying the server against the kubeconfig's CA (and
 * `tls-server-name`). Works against any Kubernetes API server.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { readKubeconfig, type KubeconfigCredentials } from '../apiserver/kubeconfig.js';
import { apiVersionOf, isPlainObject, type KubeObject } from '../apimachinery/types.js';
import { errorFromStatus, TimeoutError } from './errors.js';
import { noMatch } from './in-process.js';
import { onceClose, type Transport } from './transport.js';
import type { DeleteOptions, ListOptions, ObjectList, Patch, ResourceMapping, Watch, WatchHandler, WatchOptions, WriteOptions } from './types.js';

export interface HttpTransportOptions {
  /** e.g. https://127.0.0.1:6443 (a path prefix is kept). */
  server: string;
  caPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  /** Name the server certificate is verified against (and sent as SNI) instead of the URL's host. */
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  userAgent?: string;
  /** Per-request timeout for everything but watches (default 30 s). */
  requestTimeoutMs?: number;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const PATCH_CONTENT_TYPES: Record<Patch['type'], string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export class HttpTransport implements Transport {
  readonly name = 'http';
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly secure: boolean;
  private readonly discovery = new Map<string, Promise<ApiResource[]>>();
  private readonly open = new Set<ClientRequest>();

  constructor(private readonly opts: HttpTransportOptions) {
    this.base = new URL(opts.server);
    this.secure = this.base.protocol === 'https:';
    if (!this.secure && this.base.protocol !== 'http:') throw new Error(`server URL must be http(s): ${opts.server}`);
    this.agent = this.secure
      ? new HttpsAgent({
          keepAlive: true,
          ca: opts.caPem,
          cert: opts.clientCertPem,
          key: opts.clientKeyPem,
          rejectUnauthorized: !opts.insecureSkipTlsVerify,
          ...(opts.tlsServerName ? { servername: opts.tlsServerName } : {}),
        })
      : new HttpAgent({ keepAlive: true });
  }

  /** Build the transport from a kubeconfig file (current or named context). */
  static async fromKubeconfig(path: string, opts: { context?: string; userAgent?: string } = {}): Promise<{ transport: HttpTransport; credentials: KubeconfigCredentials }> {
    const c = await readKubeconfig(path, { context: opts.context });
    const transport = new HttpTransport({
      server: c.server,
      caPem: c.caPem,
      clientCertPem: c.clientCertPem,
      clientKeyPem: c.clientKeyPem,
      token: c.token,
      tlsServerName: c.tlsServerName,
      insecureSkipTlsVerify: c.insecureSkipTlsVerify,
      userAgent: opts.userAgent,
    });
    return { transport, credentials: c };
  }

  // ---- low level -----------------------------------------------------------------------------

  private url(path: string, query?: Record<string, string | number | boolean | undefined>): URL {
    const u = new URL(this.base.href.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  private start(method: string, url: URL, headers: Record<string, string>, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const h: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.opts.userAgent ?? 'slipway-controllers', ...headers };
    if (this.opts.token) h.Authorization = `Bearer ${this.opts.token}`;
    const options = { method, headers: h, agent: this.agent, ...(this.opts.tlsServerName ? { servername: this.opts.tlsServerName } : {}) };
    const req = this.secure ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    this.open.add(req);
    req.once('close', () => this.open.delete(req));
    return req;
  }

  /** One request/response; non-2xx becomes the typed error of its Status. */
  private request(method: string, path: string, query?: Record<string, string | number | boolean | undefined>, body?: unknown, contentType = 'application/json'): Promise<unknown> {
    const url = this.url(path, query);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const timeoutMs = this.opts.requestTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (payload !== undefined) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const req = this.start(method, url, headers, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (code >= 200 && code < 300) {
            resolve(parsed);
            return;
          }
          if (isPlainObject(parsed) && parsed.kind === 'Status') reject(errorFromStatus(parsed, code));
          else reject(errorFromStatus({ code, message: text.trim().slice(0, 500) || `${method} ${url.pathname}: HTTP ${code}` }, code));
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new TimeoutError(504, 'Timeout', `${method} ${url.pathname}: no response within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  // ---- discovery -----------------------------------------------------------------------------

  private groupVersionPath(group: string, version: string): string {
    return group ? `/apis/${group}/${version}` : `/api/${version}`;
  }

  private resources(group: string, version: string, refresh: boolean): Promise<ApiResource[]> {
    const key = apiVersionOf(group, version);
    let p = this.discovery.get(key);
    if (!p || refresh) {
      p = this.request('GET', this.groupVersionPath(group, version)).then(
        (list) => ((isPlainObject(list) && Array.isArray(list.resources) ? list.resources : []) as ApiResource[]),
        (e: unknown) => {
          if (e instanceof Error && (e as { code?: unknown }).code === 404) return [];
          throw e;
        },
      );
      this.discovery.set(key, p);
      p.catch(() => this.discovery.delete(key));
    }
    return p;
  }

  async mapping(group: string, version: string, kind: string): Promise<ResourceMapping> {
    for (const refresh of [false, true]) {
      const list = await this.resources(group, version, refresh);
      const main = list.find((r) => r.kind === kind && !r.name.includes('/'));
      if (main) {
        return { group, version, kind, plural: main.name, namespaced: main.namespaced, statusSubresource: list.some((r) => r.name === `${main.name}/status`) };
      }
    }
    throw noMatch(group, version, kind);
  }

  private path(m: ResourceMapping, namespace: string | undefined, name?: string, subresource?: string): string {
    let p = this.groupVersionPath(m.group, m.version);
    if (m.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${m.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private wq(opts: WriteOptions): Record<string, string | undefined> {
    return { fieldManager: opts.fieldManager, fieldValidation: opts.fieldValidation, dryRun: opts.dryRun ? 'All' : undefined };
  }

  // ---- verbs ---------------------------------------------------------------------------------

  async get(m: ResourceMapping, namespace: string | undefined, name: string): Promise<KubeObject> {
    return (await this.request('GET', this.path(m, namespace, name))) as KubeObject;
  }

  async list(m: ResourceMapping, opts: ListOptions): Promise<ObjectList> {
    const r = (await this.request('GET', this.path(m, opts.namespace), {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: opts.limit,
      continue: opts.continue,
    })) as ObjectList;
    r.items ??= [];
    // A list's items carry no apiVersion/kind on the wire; restore them.
    const apiVersion = apiVersionOf(m.group, m.version);
    for (const item of r.items) {
      item.apiVersion ??= apiVersion;
      item.kind ??= m.kind;
    }
    return r;
  }

  async create(m: ResourceMapping, namespace: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    return (await this.request('POST', this.path(m, namespace), this.wq(opts), obj)) as KubeObject;
  }

  async update(m: ResourceMapping, namespace: string | undefined, name: string, obj: KubeObject, opts: WriteOptions, subresource?: 'status'): Promise<KubeObject> {
    return (await this.request('PUT', this.path(m, namespace, name, subresource), this.wq(opts), obj)) as KubeObject;
  }

  async patch(m: ResourceMapping, namespace: string | undefined, name: string, patch: Patch, opts: WriteOptions, subresource?: 'status'): Promise<KubeObject> {
    const body = patch.type === 'json' ? patch.ops : patch.body;
    const q = { ...this.wq(opts), force: patch.type === 'apply' && patch.force ? 'true' : undefined };
    return (await this.request('PATCH', this.path(m, namespace, name, subresource), q, body, PATCH_CONTENT_TYPES[patch.type])) as KubeObject;
  }

  async createSubresource(m: ResourceMapping, namespace: string | undefined, name: string, subresource: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    return (await this.request('POST', this.path(m, namespace, name, subresource), this.wq(opts), body)) as KubeObject;
  }

  async delete(m: ResourceMapping, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<void> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    await this.request('DELETE', this.path(m, namespace, name), undefined, body);
  }

  /** A streaming watch: newline-delimited JSON events; `ERROR` events close it with their typed error. */
  watch(m: ResourceMapping, opts: WatchOptions, handler: WatchHandler): Promise<Watch> {
    const h = onceClose(handler);
    const url = this.url(this.path(m, opts.namespace), {
      watch: 'true',
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      allowWatchBookmarks: opts.allowBookmarks ? 'true' : undefined,
      timeoutSeconds: opts.timeoutSeconds,
    });
    return new Promise((resolve, reject) => {
      let established = false;
      const req = this.start('GET', url, {}, (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            reject(isPlainObject(parsed) && parsed.kind === 'Status' ? errorFromStatus(parsed, code) : errorFromStatus({ code, message: text.trim().slice(0, 500) }, code));
          });
          return;
        }
        established = true;
        resolve(w);
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            let ev: { type?: string; object?: unknown };
            try {
              ev = JSON.parse(line) as { type?: string; object?: unknown };
            } catch (e) {
              h.onClose(new Error(`watch ${url.pathname}: undecodable event: ${(e as Error).message}`));
              req.destroy();
              return;
            }
            if (ev.type === 'ERROR') {
              h.onClose(errorFromStatus(isPlainObject(ev.object) ? ev.object : {}, 500));
              req.destroy();
              return;
            }
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED' || ev.type === 'BOOKMARK') {
              h.onEvent({ type: ev.type, object: ev.object as KubeObject });
            }
          }
        });
        res.on('end', () => h.onClose());
        res.on('error', (e) => h.onClose(e));
        res.on('close', () => h.onClose(res.complete ? undefined : new Error(`watch ${url.pathname}: connection closed`)));
      });
      req.on('error', (e) => {
        if (!established) reject(e);
        else h.onClose(e);
      });
      req.end();
      const w: Watch = {
        stop: () => {
          h.onClose();
          req.destroy();
        },
      };
    });
  }

  close(): void {
    for (const r of [...this.open]) r.destroy();
    this.agent.destroy();
  }
}
