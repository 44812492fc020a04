/** The Client over any Transport: kind resolution, namespace defaulting, typed errors. */
import { parseApiVersion, type KubeObject } from '../apimachinery/types.js';
import { BadRequestError, typedError } from './errors.js';
import type { Transport } from './transport.js';
import type {
  Client,
  DeleteOptions,
  KindRef,
  ListOptions,
  ObjectKey,
  ObjectList,
  Patch,
  ResourceMapping,
  Watch,
  WatchHandler,
  WatchOptions,
  WriteOptions,
} from './types.js';

export interface ClientOptions {
  /** Default "default". */
  defaultNamespace?: string;
  /** Default field manager for writes (default "slipway-controllers"). */
  fieldManager?: string;
}

export class KubeClient implements Client {
  readonly defaultNamespace: string;
  private readonly fieldManager: string;

  constructor(
    readonly transport: Transport,
    opts: ClientOptions = {},
  ) {
    this.defaultNamespace = opts.defaultNamespace ?? 'default';
    this.fieldManager = opts.fieldManager ?? 'slipway-controllers';
  }

  get transportName(): string {
    return this.transport.name;
  }

  async mapping(type: KindRef): Promise<ResourceMapping> {
    if (!type.apiVersion || !type.kind) throw new BadRequestError(400, 'BadRequest', 'apiVersion and kind are required');
    const { group, version } = parseApiVersion(type.apiVersion);
    return this.call(() => this.transport.mapping(group, version, type.kind));
  }

  private ns(m: ResourceMapping, namespace: string | undefined): string | undefined {
    return m.namespaced ? namespace || this.defaultNamespace : undefined;
  }

  private key(key: ObjectKey | string): ObjectKey {
    return typeof key === 'string' ? { name: key } : key;
  }

  private wopts(opts: WriteOptions | undefined): WriteOptions {
    return { ...opts, fieldManager: opts?.fieldManager ?? this.fieldManager };
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (e) {
      throw typedError(e);
    }
  }

  private objectTarget(obj: KubeObject): { type: KindRef; name: string; namespace?: string } {
    const name = obj.metadata?.name;
    if (!obj.apiVersion || !obj.kind) throw new BadRequestError(400, 'BadRequest', 'the object needs apiVersion and kind');
    if (!name) throw new BadRequestError(400, 'BadRequest', `${obj.kind}: metadata.name is required`);
    return { type: { apiVersion: obj.apiVersion, kind: obj.kind }, name, namespace: obj.metadata?.namespace };
  }

  async get<T extends KubeObject>(type: KindRef<T>, key: ObjectKey | string): Promise<T> {
    const m = await this.mapping(type);
    const k = this.key(key);
    return this.call(() => this.transport.get(m, this.ns(m, k.namespace), k.name)) as Promise<T>;
  }

  async list<T extends KubeObject>(type: KindRef<T>, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const m = await this.mapping(type);
    return this.call(() => this.transport.list(m, { ...opts, namespace: m.namespaced ? opts.namespace : undefined })) as Promise<ObjectList<T>>;
  }

  async create<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T> {
    if (!obj.apiVersion || !obj.kind) throw new BadRequestError(400, 'BadRequest', 'the object needs apiVersion and kind');
    const m = await this.mapping({ apiVersion: obj.apiVersion, kind: obj.kind });
    return this.call(() => this.transport.create(m, this.ns(m, obj.metadata?.namespace), obj, this.wopts(opts))) as Promise<T>;
  }

  async update<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T> {
    const t = this.objectTarget(obj);
    const m = await this.mapping(t.type);
    return this.call(() => this.transport.update(m, this.ns(m, t.namespace), t.name, obj, this.wopts(opts))) as Promise<T>;
  }

  async updateStatus<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T> {
    const t = this.objectTarget(obj);
    const m = await this.mapping(t.type);
    const sub = m.statusSubresource ? 'status' : undefined;
    return this.call(() => this.transport.update(m, this.ns(m, t.namespace), t.name, obj, this.wopts(opts), sub)) as Promise<T>;
  }

  async patch<T extends KubeObject>(type: KindRef<T>, key: ObjectKey | string, patch: Patch, opts?: WriteOptions): Promise<T> {
    const m = await this.mapping(type);
    const k = this.key(key);
    return this.call(() => this.transport.patch(m, this.ns(m, k.namespace), k.name, patch, this.wopts(opts))) as Promise<T>;
  }

  async createSubresource(type: KindRef, key: ObjectKey | string, subresource: string, body: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    const m = await this.mapping(type);
    const k = this.key(key);
    return this.call(() => this.transport.createSubresource(m, this.ns(m, k.namespace), k.name, subresource, body, this.wopts(opts)));
  }

  async patchStatus<T extends KubeObject>(type: KindRef<T>, key: ObjectKey | string, patch: Patch, opts?: WriteOptions): Promise<T> {
    const m = await this.mapping(type);
    const k = this.key(key);
    const sub = m.statusSubresource ? 'status' : undefined;
    return this.call(() => this.transport.patch(m, this.ns(m, k.namespace), k.name, patch, this.wopts(opts), sub)) as Promise<T>;
  }

  async apply<T extends KubeObject>(obj: T, opts: WriteOptions & { force?: boolean } = {}): Promise<T> {
    const t = this.objectTarget(obj);
    const { force, ...rest } = opts;
    return this.patch({ apiVersion: t.type.apiVersion, kind: t.type.kind } as KindRef<T>, { name: t.name, namespace: t.namespace }, { type: 'apply', body: obj, force }, rest);
  }

  async delete(type: KindRef, key: ObjectKey | string, opts: DeleteOptions = {}): Promise<void> {
    const m = await this.mapping(type);
    const k = this.key(key);
    await this.call(() => this.transport.delete(m, this.ns(m, k.namespace), k.name, opts));
  }

  async watch<T extends KubeObject>(type: KindRef<T>, opts: WatchOptions, handler: WatchHandler<T>): Promise<Watch> {
    const m = await this.mapping(type);
    return this.call(() =>
      this.transport.watch(m, { ...opts, namespace: m.namespaced ? opts.namespace : undefined }, {
        onEvent: (e) => handler.onEvent(e as Parameters<WatchHandler<T>['onEvent']>[0]),
        onClose: (err) => handler.onClose(err ? (typedError(err) as Error) : undefined),
      }),
    );
  }

  close(): void {
    this.transport.close();
  }
}
