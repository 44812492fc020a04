/**
 * The pool controller (the in-cluster provider's pool reconciler): keeps the ProtectPool finalizer on every
 * InClusterIPPool and GlobalInClusterIPPool, lets a deleted pool go once no IPAddress uses it, and writes
 * status.ipAddresses {total, used, free, outOfRange} from the pool's allocation state. While claims are being
 * filled the counts change with every address: they are written at most once per STATUS_INTERVAL_MS per pool.
 */
import { deepClone } from '../../apimachinery/types.js';
import { PROTECT_POOL_FINALIZER, type InClusterIPPool } from '../../api/ipam/types.js';
import { jsonEqual } from '../../apimachinery/patch/index.js';
import { isNotFound } from '../../client/errors.js';
import type { KindRef } from '../../client/types.js';
import { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from '../../runtime/meta.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import type { Reader } from '../shared/reader.js';
import { poolKey, type PoolStates } from './pool-states.js';

/** Least time between two status writes of one pool. */
export const STATUS_INTERVAL_MS = 1_000;

export class PoolReconciler {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly reader: Reader,
    private readonly pools: PoolStates,
    private readonly kind: KindRef & { kind: string },
  ) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const pool = await this.reader.get<InClusterIPPool>(this.kind, req.namespace || undefined, req.name);
    const key = poolKey(this.kind.kind, req.namespace, req.name);
    if (!pool) {
      this.pools.forget(key);
      this.lastWrite.delete(key);
      return;
    }
    const ref = { namespace: pool.metadata?.namespace, name: req.name };
    const counts = (await this.pools.of(pool)).counts();
    if (isBeingDeleted(pool)) {
      if (counts.used === 0 && hasFinalizer(pool, PROTECT_POOL_FINALIZER)) {
        const next = deepClone(pool);
        removeFinalizer(next, PROTECT_POOL_FINALIZER);
        await rc.client.patch(this.kind, ref, { type: 'merge', body: { metadata: { finalizers: next.metadata?.finalizers?.length ? next.metadata.finalizers : null, resourceVersion: pool.metadata!.resourceVersion } } });
      }
      return;
    }
    if (!hasFinalizer(pool, PROTECT_POOL_FINALIZER)) {
      const next = deepClone(pool);
      addFinalizer(next, PROTECT_POOL_FINALIZER);
      await rc.client.patch(this.kind, ref, { type: 'merge', body: { metadata: { finalizers: next.metadata!.finalizers, resourceVersion: pool.metadata!.resourceVersion } } });
    }
    if (jsonEqual(pool.status?.ipAddresses, counts)) return;
    const since = rc.clock.nowMs() - (this.lastWrite.get(key) ?? 0);
    if (since < STATUS_INTERVAL_MS) return { requeueAfter: STATUS_INTERVAL_MS - since };
    try {
      await rc.client.patchStatus(this.kind, ref, { type: 'merge', body: { status: { ipAddresses: counts } } });
      this.lastWrite.set(key, rc.clock.nowMs());
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
