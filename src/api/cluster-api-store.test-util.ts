/**
 * Test support: a real ObjectStore (memory storage) serving the Cluster API kinds the way the plane does — CRDs
 * installed by installClusterApi and served by the CRD controller — so table tests see schema validation, pruning,
 * schema defaults and the kind strategies together, as a client would.
 */
import { pino } from 'pino';
import { StatusError, type StatusCause } from '../apimachinery/errors.js';
import { parseApiVersion, type KubeObject } from '../apimachinery/types.js';
import { namespaceStrategy } from '../apiserver/builtin-strategies.js';
import { crdStrategy } from '../apiserver/crd.js';
import { CrdController } from '../apiserver/crd-controller.js';
import { ObjectStore } from '../apiserver/object-store.js';
import { ResourceRegistry } from '../apiserver/registry.js';
import type { ResourceInfo } from '../apiserver/resource-info.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { builtinResources } from './builtin/index.js';
import { installClusterApi } from './install.js';

export interface ClusterApiStore {
  objects: ObjectStore;
  store: MemoryStore;
  info(apiVersion: string, kind: string): ResourceInfo;
  create(obj: KubeObject): Promise<KubeObject>;
  update(obj: KubeObject): Promise<KubeObject>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject>;
  close(): Promise<void>;
}

export const silentLog = pino({ level: 'silent' });

/** An ObjectStore with the Cluster API kinds served and namespace "default" created. */
export async function clusterApiStore(store = new MemoryStore()): Promise<ClusterApiStore> {
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', builtinResources());
  const objects = new ObjectStore(store, registry);
  objects.setStrategy('', 'Namespace', namespaceStrategy);
  objects.setStrategy('apiextensions.k8s.io', 'CustomResourceDefinition', crdStrategy);
  await installClusterApi(objects, silentLog);
  const crds = new CrdController(objects, silentLog);
  await crds.start();
  const nsInfo = registry.get('', 'v1', 'namespaces')!;
  if (!(await objects.tryGet(nsInfo, undefined, 'default'))) await objects.create(nsInfo, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const info = (apiVersion: string, kind: string): ResourceInfo => {
    const { group, version } = parseApiVersion(apiVersion);
    const found = registry.byKind(group, version, kind);
    if (!found) throw new Error(`${kind} ${apiVersion} is not served`);
    return found;
  };
  return {
    objects,
    store,
    info,
    async create(obj) {
      return (await objects.create(info(obj.apiVersion!, obj.kind!), obj.metadata?.namespace ?? 'default', obj, { fieldManager: 'test' })).object;
    },
    async update(obj) {
      return (await objects.update(info(obj.apiVersion!, obj.kind!), obj.metadata?.namespace ?? 'default', obj.metadata!.name!, obj, { fieldManager: 'test' })).object;
    },
    async get(apiVersion, kind, name, namespace = 'default') {
      return objects.get(info(apiVersion, kind), namespace, name);
    },
    async close() {
      crds.stop();
      await store.close();
    },
  };
}

/** The causes of a 422 Invalid (rendered "field: message"), or the message of another error; [] when `fn` succeeds. */
export async function refusal(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
    return [];
  } catch (e) {
    if (e instanceof StatusError) {
      const causes: StatusCause[] = e.details?.causes ?? [];
      return causes.length ? causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)) : [e.message];
    }
    throw e;
  }
}
