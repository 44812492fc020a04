/** Namespace lifecycle: a Terminating namespace loses all its content, then itself. */
import type { Logger } from 'pino';
import type { Watcher } from '../storage/store.js';
import { KeyWorker } from './key-worker.js';
import type { ObjectStore } from './object-store.js';
import type { ResourceInfo } from './resource-info.js';

export class NamespaceController {
  private watcher?: Watcher;
  private readonly worker: KeyWorker;

  constructor(
    private readonly objects: ObjectStore,
    private readonly log: Logger,
  ) {
    this.worker = new KeyWorker((name) => this.reconcile(name), (name, err) => this.log.warn({ err, namespace: name }, 'namespace cleanup failed'), 500);
  }

  private nsInfo(): ResourceInfo {
    const info = this.objects.registry.get('', 'v1', 'namespaces');
    if (!info) throw new Error('Namespace kind is not registered');
    return info;
  }

  async start(): Promise<void> {
    const info = this.nsInfo();
    const prefix = this.objects.listPrefix(info, undefined);
    const list = await this.objects.store.list(prefix);
    for (const kv of list.items) if (this.objects.decode(kv, info).metadata?.deletionTimestamp) this.worker.enqueue(kv.key.slice(prefix.length));
    this.watcher = this.objects.store.watch(prefix, list.revision, (e) => {
      if (e.type === 'put' && this.objects.decode(e.kv, info).metadata?.deletionTimestamp) this.worker.enqueue(e.key.slice(prefix.length));
    });
  }

  stop(): void {
    this.watcher?.stop();
    this.worker.stop();
  }

  private async reconcile(name: string): Promise<void> {
    const info = this.nsInfo();
    const ns = await this.objects.tryGet(info, undefined, name);
    if (!ns?.metadata?.deletionTimestamp) return;
    // One served version per group/resource.
    const seen = new Set<string>();
    let remaining = 0;
    for (const r of this.objects.registry.all()) {
      if (!r.namespaced) continue;
      const id = `${r.group}/${r.plural}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const served = this.objects.registry.storageInfo(r.group, r.plural) ?? r;
      const page = await this.objects.store.list(this.objects.listPrefix(served, name));
      remaining += page.items.length;
      for (const kv of page.items) {
        const obj = this.objects.decode(kv, served);
        if (obj.metadata?.deletionTimestamp) continue;
        await this.objects.delete(served, name, obj.metadata!.name!, { propagationPolicy: 'Background' }).catch(() => undefined);
      }
    }
    if (remaining > 0) {
      this.worker.enqueueAfter(name, 200);
      return;
    }
    await this.objects.guaranteedUpdate(info, undefined, name, (o) => {
      const spec = (o.spec ?? {}) as { finalizers?: string[] };
      if (!spec.finalizers?.includes('kubernetes')) return undefined;
      spec.finalizers = spec.finalizers.filter((f) => f !== 'kubernetes');
      o.spec = spec;
      return o;
    }, 'finalize');
    // With no finalizers left the update above removed it; otherwise other finalizers hold it.
  }
}
