/**
 * Garbage collection by ownerReferences, as kube-controller-manager's garbage collector does it:
 * dependents whose owners are all gone are deleted; an owner deleted with Foreground propagation
 * waits for its dependents; with Orphan its dependents lose the reference and stay.
 */
import type { Logger } from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject, OwnerReference } from '../apimachinery/types.js';
import type { Watcher } from '../storage/store.js';
import { KeyWorker } from './key-worker.js';
import { parsedWatchValue, storedUid, type ObjectStore } from './object-store.js';
import { parseObjectKey } from './object-keys.js';

interface Node {
  uid: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

export class GarbageCollector {
  private watcher?: Watcher;
  private readonly worker: KeyWorker;
  private readonly nodes = new Map<string, Node>();
  private readonly byUid = new Map<string, string>();
  private readonly dependents = new Map<string, Set<string>>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly log: Logger,
  ) {
    this.worker = new KeyWorker((key) => this.reconcile(key), (key, err) => this.log.warn({ err, key }, 'garbage collection failed'), 500);
  }

  async start(): Promise<void> {
    // Page through storage so a large store is never held in memory at once.
    let startAfter: string | undefined;
    let revision = 0;
    for (;;) {
      const page = await this.objects.store.list(this.objects.keyRoot, { startAfter, limit: 1000 });
      revision ||= page.revision;
      for (const kv of page.items) this.observe(kv.key, JSON.parse(kv.value) as KubeObject);
      if (!page.more || !page.items.length) break;
      startAfter = page.items[page.items.length - 1]!.key;
    }
    for (const [key, node] of this.nodes) if (node.owners.length || node.deleting) this.worker.enqueue(key);
    this.watcher = this.objects.store.watch(this.objects.keyRoot, revision, (e) => {
      if (e.type === 'delete') return this.forget(e.key, storedUid(e.kv.value) ?? (JSON.parse(e.kv.value) as KubeObject).metadata?.uid);
      const text = e.kv.value;
      // Most writes concern objects without owners that are not being deleted: index the uid
      // (read from the text: the store keeps it first) and skip parsing.
      if (!this.nodes.has(e.key) && !text.includes('"ownerReferences"') && !text.includes('"deletionTimestamp"')) {
        const uid = e.prev ? undefined : storedUid(text);
        if (e.prev || uid) {
          if (uid) this.byUid.set(uid, e.key);
          return;
        }
      }
      this.observe(e.key, parsedWatchValue(e.kv));
    });
  }

  stop(): void {
    this.watcher?.stop();
    this.worker.stop();
  }

  get idle(): boolean {
    return this.worker.idle;
  }

  /**
   * Every object's uid is indexed (owners are looked up by uid); only objects with owners or in
   * deletion get a node, so memory stays small for stores of many plain objects.
   */
  private observe(key: string, obj: KubeObject): void {
    const meta = obj.metadata ?? {};
    if (!meta.uid) return;
    const prev = this.nodes.get(key);
    const owners = meta.ownerReferences ?? [];
    const deleting = !!meta.deletionTimestamp;
    if (prev && prev.uid !== meta.uid) this.byUid.delete(prev.uid);
    this.byUid.set(meta.uid, key);
    if (prev) this.unlinkOwners(key, prev);
    if (!owners.length && !deleting) {
      this.nodes.delete(key);
      return;
    }
    const node: Node = { uid: meta.uid, owners, deleting, finalizers: meta.finalizers ?? [] };
    this.nodes.set(key, node);
    for (const ref of node.owners) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(key);
    }
    const ownersChanged = !prev || JSON.stringify(prev.owners) !== JSON.stringify(node.owners);
    if ((node.owners.length && ownersChanged) || (node.deleting && (node.finalizers.includes(ORPHAN) || node.finalizers.includes(FOREGROUND)))) this.worker.enqueue(key);
    // A dependent leaving may unblock an owner in foreground deletion.
    if (node.deleting) for (const ref of node.owners) this.enqueueUid(ref.uid);
  }

  private forget(key: string, uid: string | undefined): void {
    const node = this.nodes.get(key);
    this.nodes.delete(key);
    if (uid && this.byUid.get(uid) === key) this.byUid.delete(uid);
    if (node) {
      this.unlinkOwners(key, node);
      for (const ref of node.owners) this.enqueueUid(ref.uid);
    }
    if (uid) for (const dep of this.dependents.get(uid) ?? []) this.worker.enqueue(dep);
  }

  private enqueueUid(uid: string): void {
    const k = this.byUid.get(uid);
    if (k) this.worker.enqueue(k);
  }

  private unlinkOwners(key: string, node: Node): void {
    for (const ref of node.owners) {
      const set = this.dependents.get(ref.uid);
      set?.delete(key);
      if (set && set.size === 0) this.dependents.delete(ref.uid);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const node = this.nodes.get(key);
    if (!node) return;
    const parsed = parseObjectKey(this.objects.registry, key, this.objects.keyRoot);
    if (!parsed) return;
    const { info, namespace, name } = parsed;
    const deps = [...(this.dependents.get(node.uid) ?? [])];
    if (node.deleting && node.finalizers.includes(ORPHAN)) {
      for (const dep of deps) {
        const d = parseObjectKey(this.objects.registry, dep, this.objects.keyRoot);
        if (!d) continue;
        await this.objects.guaranteedUpdate(d.info, d.namespace, d.name, (o) => {
          const refs = o.metadata!.ownerReferences ?? [];
          if (!refs.some((r) => r.uid === node.uid)) return undefined;
          o.metadata!.ownerReferences = refs.filter((r) => r.uid !== node.uid);
          if (!o.metadata!.ownerReferences.length) delete o.metadata!.ownerReferences;
          return o;
        });
      }
      await this.objects.removeFinalizer(parsed.info, parsed.namespace, parsed.name, ORPHAN);
      return;
    }
    if (node.deleting && node.finalizers.includes(FOREGROUND)) {
      let waiting = 0;
      for (const dep of deps) {
        const d = parseObjectKey(this.objects.registry, dep, this.objects.keyRoot);
        const dn = this.nodes.get(dep);
        if (!d || !dn) continue;
        waiting++;
        if (!dn.deleting) await this.deleteQuietly(d.info, d.namespace, d.name, 'Foreground', dn.uid);
      }
      if (waiting === 0) await this.objects.removeFinalizer(parsed.info, parsed.namespace, parsed.name, FOREGROUND);
      return;
    }
    if (!node.owners.length) return;
    const present = node.owners.filter((r) => this.byUid.has(r.uid));
    if (present.length === 0) {
      if (!node.deleting) await this.deleteQuietly(info, namespace, name, 'Background', node.uid);
      return;
    }
    // Owners in foreground deletion take their blocking dependents with them.
    for (const r of present) {
      const owner = this.nodes.get(this.byUid.get(r.uid)!);
      if (owner?.deleting && owner.finalizers.includes(FOREGROUND) && !node.deleting) {
        await this.deleteQuietly(info, namespace, name, 'Foreground', node.uid);
        return;
      }
    }
    if (present.length < node.owners.length) {
      await this.objects.guaranteedUpdate(info, namespace, name, (o) => {
        const refs = o.metadata!.ownerReferences ?? [];
        const kept = refs.filter((ref) => this.byUid.has(ref.uid));
        if (kept.length === refs.length) return undefined;
        o.metadata!.ownerReferences = kept;
        return o;
      });
    }
  }

  private async deleteQuietly(info: Parameters<ObjectStore['delete']>[0], namespace: string | undefined, name: string, policy: 'Background' | 'Foreground', uid: string): Promise<void> {
    try {
      await this.objects.delete(info, namespace, name, { propagationPolicy: policy, preconditions: { uid } });
    } catch (e) {
      if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return;
      throw e;
    }
  }

}
