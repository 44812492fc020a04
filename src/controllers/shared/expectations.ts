/**
 * Cache expectations: a controller that wrote objects waits until its informer cache has seen those writes before it
 * counts objects again, so a reconcile on a stale cache never creates duplicates or scales twice (what Cluster API's
 * MachineSet and MachineDeployment controllers do by polling their cached client after creating or deleting).
 *
 * A write is seen once the informer has processed events up to the write's resourceVersion (the watch of a kind is
 * ordered by revision) or, when versions are not comparable numbers, once the cache holds the object. A deletion is
 * seen once the cached object is gone, replaced, or marked for deletion.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { keyFor } from '../../client/cache.js';
import type { SharedInformer } from '../../client/informer.js';
import type { Clock } from '../../runtime/clock.js';

/** Expectations older than this are dropped (a lost watch must not block a controller forever). */
export const EXPECTATION_TTL_MS = 5 * 60_000;

interface Pending {
  informer: SharedInformer;
  key: string;
  /** Write: the resourceVersion written. */
  resourceVersion?: string;
  /** Deletion: the uid deleted. */
  deletedUid?: string;
  since: number;
}

function revision(rv: string | undefined): bigint | undefined {
  return rv && /^[0-9]+$/.test(rv) ? BigInt(rv) : undefined;
}

function seen(p: Pending): boolean {
  const cached = p.informer.cache.get(p.key);
  if (p.deletedUid !== undefined) return !cached || cached.metadata?.uid !== p.deletedUid || !!cached.metadata?.deletionTimestamp;
  const want = revision(p.resourceVersion);
  const have = revision(p.informer.lastResourceVersion);
  if (want !== undefined && have !== undefined) return have >= want;
  if (!cached) return false;
  const cachedRv = revision(cached.metadata?.resourceVersion);
  return want === undefined || cachedRv === undefined || cachedRv >= want;
}

export class CacheExpectations {
  private readonly pending = new Map<string, Pending[]>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = EXPECTATION_TTL_MS,
  ) {}

  private add(owner: string, p: Pending): void {
    const list = this.pending.get(owner);
    if (list) list.push(p);
    else this.pending.set(owner, [p]);
  }

  /** `owner` wrote `written` (the object a create, update or patch returned); its cache must reach that version. */
  expectWrite(owner: string, informer: SharedInformer, written: KubeObject): void {
    const m = written.metadata ?? {};
    if (!m.name) return;
    this.add(owner, { informer, key: keyFor(m.namespace, m.name), resourceVersion: m.resourceVersion, since: this.clock.nowMs() });
  }

  /** `owner` deleted `obj`; its cache must stop showing it as a live object. */
  expectDeletion(owner: string, informer: SharedInformer, obj: KubeObject): void {
    const m = obj.metadata ?? {};
    if (!m.name) return;
    this.add(owner, { informer, key: keyFor(m.namespace, m.name), deletedUid: m.uid ?? '', since: this.clock.nowMs() });
  }

  /** True when every write and deletion `owner` made has reached the cache (seen ones are forgotten). */
  satisfied(owner: string): boolean {
    const list = this.pending.get(owner);
    if (!list) return true;
    const now = this.clock.nowMs();
    const left = list.filter((p) => !seen(p) && now - p.since < this.ttlMs);
    if (left.length) this.pending.set(owner, left);
    else this.pending.delete(owner);
    return left.length === 0;
  }

  /** Drop what `owner` waits for (it was deleted). */
  forget(owner: string): void {
    this.pending.delete(owner);
  }

  /** Owners with something outstanding. */
  get size(): number {
    return this.pending.size;
  }
}
