/** Serves the kinds that CustomResourceDefinitions define, keeps their status, cleans up on delete. */
import type { Logger } from 'pino';
import type { Watcher } from '../storage/store.js';
import { CRD_CLEANUP_FINALIZER, crdResources, establishedStatus, type CustomResourceDefinition } from './crd.js';
import { rfc3339 } from './clock.js';
import { KeyWorker } from './key-worker.js';
import type { ObjectStore } from './object-store.js';
import type { ResourceInfo } from './resource-info.js';
import { isDeepStrictEqual } from 'node:util';

export class CrdController {
  private watcher?: Watcher;
  private readonly worker: KeyWorker;

  constructor(
    private readonly objects: ObjectStore,
    private readonly log: Logger,
  ) {
    this.worker = new KeyWorker((name) => this.reconcile(name), (name, err) => this.log.warn({ err, crd: name }, 'crd reconcile failed'));
  }

  private crdInfo(): ResourceInfo {
    const info = this.objects.registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!info) throw new Error('CustomResourceDefinition kind is not registered');
    return info;
  }

  async start(): Promise<void> {
    const info = this.crdInfo();
    const prefix = this.objects.listPrefix(info, undefined);
    const list = await this.objects.store.list(prefix);
    // Serve every stored CRD before the server reports ready.
    for (const kv of list.items) await this.reconcile(kv.key.slice(prefix.length)).catch((err: unknown) => this.log.warn({ err }, 'crd start'));
    this.watcher = this.objects.store.watch(prefix, list.revision, (e) => this.worker.enqueue(e.key.slice(prefix.length)));
  }

  stop(): void {
    this.watcher?.stop();
    this.worker.stop();
  }

  get idle(): boolean {
    return this.worker.idle;
  }

  private async reconcile(name: string): Promise<void> {
    const info = this.crdInfo();
    const registry = this.objects.registry;
    const crd = (await this.objects.tryGet(info, undefined, name)) as CustomResourceDefinition | undefined;
    const owner = `crd:${name}`;
    if (!crd) {
      registry.removeOwned(owner);
      return;
    }
    const resources = crdResources(crd);
    if (crd.metadata?.deletionTimestamp) {
      // Delete every custom object, then release the CRD.
      const served = registry.storageInfo(crd.spec.group, crd.spec.names.plural) ?? resources[0];
      if (served) {
        const page = await this.objects.store.list(this.objects.listPrefix(served, undefined));
        for (const kv of page.items) {
          const obj = this.objects.decode(kv, served);
          if (obj.metadata?.deletionTimestamp) continue;
          await this.objects.delete(served, obj.metadata?.namespace, obj.metadata!.name!, {}).catch(() => undefined);
        }
        if (page.items.length) {
          this.worker.enqueueAfter(name, 250);
          return;
        }
      }
      registry.removeOwned(owner);
      await this.objects.removeFinalizer(info, undefined, name, CRD_CLEANUP_FINALIZER);
      return;
    }
    registry.setOwned(owner, resources);
    const now = rfc3339(this.objects.clock.now());
    const want = establishedStatus(crd, now);
    if (!isDeepStrictEqual(crd.status, want)) {
      await this.objects.guaranteedUpdate(info, undefined, name, (o) => {
        const cur = o as CustomResourceDefinition;
        const next = establishedStatus(cur, now);
        if (isDeepStrictEqual(cur.status, next)) return undefined;
        cur.status = next;
        return cur;
      }, 'status');
    }
  }
}
