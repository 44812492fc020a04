/**
 * In-process transport: calls the API server's ObjectStore directly — the same admission,
 * validation, defaulting and resourceVersion semantics as over HTTP, without HTTP or TLS.
 */
import { parseFieldSelector, parseLabelSelector } from '../apimachinery/selectors.js';
import { apiVersionOf, type KubeObject } from '../apimachinery/types.js';
import type { ObjectStore } from '../apiserver/object-store.js';
import { forbiddenError } from '../apiserver/authorization.js';
import type { AuthzAttributes, AuthzDecision } from '../apiserver/authz/attributes.js';
import type { ResourceInfo } from '../apiserver/resource-info.js';
import { NotFoundError, typedError } from './errors.js';
import { onceClose, type Transport } from './transport.js';
import type { DeleteOptions, ListOptions, ObjectList, Patch, ResourceMapping, Watch, WatchEvent, WatchHandler, WatchOptions, WriteOptions } from './types.js';

export interface InProcessTransportOptions {
  /** Identity admission plugins see (default system:slipway-controllers in system:masters). */
  user?: { name: string; groups: string[] };
  /** Authorizes every call as the API server would an HTTP request of `user` (RBAC); without it every call is allowed. */
  authorize?: (a: AuthzAttributes) => AuthzDecision;
}

export class InProcessTransport implements Transport {
  readonly name = 'in-process';
  private readonly user: { name: string; groups: string[] };
  private readonly watches = new Set<Watch>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly opts: InProcessTransportOptions = {},
  ) {
    this.user = opts.user ?? { name: 'system:slipway-controllers', groups: ['system:masters', 'system:authenticated'] };
  }

  async mapping(group: string, version: string, kind: string): Promise<ResourceMapping> {
    const info = this.objects.registry.byKind(group, version, kind);
    if (!info) throw noMatch(group, version, kind);
    return { group, version, kind, plural: info.plural, namespaced: info.namespaced, statusSubresource: info.subresources.status };
  }

  private info(m: ResourceMapping): ResourceInfo {
    const info = this.objects.registry.get(m.group, m.version, m.plural);
    if (!info) throw noMatch(m.group, m.version, m.kind);
    return info;
  }

  /** The served resource, once the user may `verb` it (a 403 ForbiddenError otherwise). */
  private allowed(m: ResourceMapping, verb: string, namespace: string | undefined, name?: string, subresource?: string): ResourceInfo {
    const info = this.info(m);
    const authorize = this.opts.authorize;
    if (authorize) {
      const a: AuthzAttributes = { user: this.user, verb, resourceRequest: true, apiGroup: info.group, apiVersion: info.version, resource: info.plural };
      if (info.namespaced && namespace) a.namespace = namespace;
      if (name) a.name = name;
      if (subresource) a.subresource = subresource;
      const d = authorize(a);
      if (!d.allowed) throw typedError(forbiddenError(a, d.reason));
    }
    return info;
  }

  private w(opts: WriteOptions): { dryRun?: boolean; fieldManager?: string; fieldValidation?: 'Strict' | 'Warn' | 'Ignore'; user: { name: string; groups: string[] } } {
    return { dryRun: opts.dryRun, fieldManager: opts.fieldManager, fieldValidation: opts.fieldValidation, user: this.user };
  }

  async get(m: ResourceMapping, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.objects.get(this.allowed(m, 'get', namespace, name), namespace, name);
  }

  async list(m: ResourceMapping, opts: ListOptions): Promise<ObjectList> {
    const info = this.allowed(m, 'list', opts.namespace);
    const r = await this.objects.list(info, opts.namespace, {
      labelSelector: opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined,
      fieldSelector: opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined,
      limit: opts.limit,
      continue: opts.continue,
    });
    const metadata: ObjectList['metadata'] = { resourceVersion: r.resourceVersion };
    if (r.continue) metadata.continue = r.continue;
    if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
    return { apiVersion: apiVersionOf(info.group, info.version), kind: info.listKind, metadata, items: r.items };
  }

  async create(m: ResourceMapping, namespace: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    return (await this.objects.create(this.allowed(m, 'create', namespace), namespace, obj, this.w(opts))).object;
  }

  async update(m: ResourceMapping, namespace: string | undefined, name: string, obj: KubeObject, opts: WriteOptions, subresource?: 'status'): Promise<KubeObject> {
    return (await this.objects.update(this.allowed(m, 'update', namespace, name, subresource), namespace, name, obj, this.w(opts), subresource)).object;
  }

  async patch(m: ResourceMapping, namespace: string | undefined, name: string, patch: Patch, opts: WriteOptions, subresource?: 'status'): Promise<KubeObject> {
    const body = patch.type === 'json' ? patch.ops : patch.body;
    const force = patch.type === 'apply' ? !!patch.force : undefined;
    return (await this.objects.patch(this.allowed(m, 'patch', namespace, name, subresource), namespace, name, patch.type, body, { ...this.w(opts), force }, subresource)).object;
  }

  async createSubresource(m: ResourceMapping, namespace: string | undefined, name: string, subresource: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    return this.objects.createSubresource(this.allowed(m, 'create', namespace, name, subresource), namespace, name, subresource, body, this.w(opts));
  }

  async delete(m: ResourceMapping, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<void> {
    await this.objects.delete(this.allowed(m, 'delete', namespace, name), namespace, name, { dryRun: opts.dryRun, propagationPolicy: opts.propagationPolicy, preconditions: opts.preconditions, user: this.user });
  }

  /**
   * Store callbacks run synchronously inside the writer's call; events are handed on from a
   * microtask, in order, so a handler never runs inside someone else's write.
   */
  async watch(m: ResourceMapping, opts: WatchOptions, handler: WatchHandler): Promise<Watch> {
    const h = onceClose(handler);
    let pending: WatchEvent[] = [];
    let scheduled = false;
    const flush = (): void => {
      scheduled = false;
      const batch = pending;
      pending = [];
      for (const e of batch) h.onEvent(e);
    };
    const watcher = await this.objects.watch(
      this.allowed(m, 'watch', opts.namespace),
      opts.namespace,
      {
        labelSelector: opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined,
        fieldSelector: opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined,
        resourceVersion: opts.resourceVersion,
      },
      (e) => {
        if (h.closed) return;
        pending.push({ type: e.type, object: e.object });
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      },
    );
    const w: Watch = {
      stop: () => {
        watcher.stop();
        this.watches.delete(w);
        pending = [];
        h.onClose();
      },
    };
    this.watches.add(w);
    return w;
  }

  close(): void {
    for (const w of [...this.watches]) w.stop();
  }
}

export function noMatch(group: string, version: string, kind: string): NotFoundError {
  return new NotFoundError(404, 'NotFound', `no matches for kind "${kind}" in version "${apiVersionOf(group, version)}"`, { kind, group: group || undefined });
}
