/** One Client, two transports: in-process (ObjectStore) and HTTP (kubeconfig). */
import type { ObjectStore } from '../apiserver/object-store.js';
import { KubeClient, type ClientOptions } from './client.js';
import { HttpTransport } from './http.js';
import { InProcessTransport, type InProcessTransportOptions } from './in-process.js';
import type { Client } from './types.js';

export * from './types.js';
export * from './errors.js';
export { KubeClient, type ClientOptions } from './client.js';
export { HttpTransport, type HttpTransportOptions } from './http.js';
export { InProcessTransport, type InProcessTransportOptions } from './in-process.js';
export type { Transport } from './transport.js';

/** A Client calling the management plane's ObjectStore directly. */
export function inProcessClient(objects: ObjectStore, opts: ClientOptions & InProcessTransportOptions = {}): Client {
  return new KubeClient(new InProcessTransport(objects, opts), opts);
}

/** A Client for the current (or given) context of a kubeconfig file; its namespace becomes the default. */
export async function kubeconfigClient(path: string, opts: ClientOptions & { context?: string; userAgent?: string } = {}): Promise<Client> {
  const { transport, credentials } = await HttpTransport.fromKubeconfig(path, opts);
  return new KubeClient(transport, { ...opts, defaultNamespace: opts.defaultNamespace ?? credentials.namespace });
}
export { SharedInformer, InformerFactory, type InformerKeep, type EventHandler, type InformerOptions, type InformerStats, type SleepClock } from './informer.js';
export { Indexer, objectKeyOf, splitKey, NAMESPACE_INDEX, OWNER_UID_INDEX, LABEL_INDEX, type IndexFunc } from './cache.js';
export { Lister, type ListerOptions } from './lister.js';
