/** Combining reconcile phase results as Cluster API does: the lowest positive requeue wins. */
import type { Result } from '../../runtime/reconciler.js';

export function lowestRequeue(...results: (Result | void | undefined)[]): Result {
  let after: number | undefined;
  let requeue = false;
  for (const r of results) {
    if (!r) continue;
    if (r.requeue) requeue = true;
    if (r.requeueAfter && r.requeueAfter > 0 && (after === undefined || r.requeueAfter < after)) after = r.requeueAfter;
  }
  if (after !== undefined) return { requeueAfter: after };
  return requeue ? { requeue: true } : {};
}
