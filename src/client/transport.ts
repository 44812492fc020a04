/** What a Client needs from a transport: the verbs on an already-resolved resource. */
import type { KubeObject } from '../apimachinery/types.js';
import type { DeleteOptions, ListOptions, ObjectList, Patch, ResourceMapping, Watch, WatchHandler, WatchOptions, WriteOptions } from './types.js';

export interface Transport {
  readonly name: string;
  /** Resolve a kind; throws NotFoundError `no matches for kind` when the server does not serve it. */
  mapping(group: string, version: string, kind: string): Promise<ResourceMapping>;
  get(m: ResourceMapping, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(m: ResourceMapping, opts: ListOptions): Promise<ObjectList>;
  create(m: ResourceMapping, namespace: string | undefined, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  update(m: ResourceMapping, namespace: string | undefined, name: string, obj: KubeObject, opts: WriteOptions, subresource?: 'status'): Promise<KubeObject>;
  patch(m: ResourceMapping, namespace: string | undefined, name: string, patch: Patch, opts: WriteOptions, subresource?: 'status'): Promise<KubeObject>;
  /** POST to an action subresource of an object (pods/binding, pods/eviction). */
  createSubresource(m: ResourceMapping, namespace: string | undefined, name: string, subresource: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  delete(m: ResourceMapping, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<void>;
  watch(m: ResourceMapping, opts: WatchOptions, handler: WatchHandler): Promise<Watch>;
  close(): void;
}

/** Guard so a watch reports its end exactly once. */
export function onceClose(handler: WatchHandler): WatchHandler & { closed: boolean } {
  const h = {
    closed: false,
    onEvent: (e: Parameters<WatchHandler['onEvent']>[0]) => {
      if (!h.closed) handler.onEvent(e);
    },
    onClose: (err?: Error) => {
      if (h.closed) return;
      h.closed = true;
      handler.onClose(err);
    },
  };
  return h;
}
