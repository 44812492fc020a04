/**
 * The FailedScheduling text: "0/N nodes are available: <count> <reason>, …." with every node's
 * reasons counted, each rendered "<count> <reason>", sorted as strings and joined by ", ", then the
 * PostFilter (preemption) message appended after a space.
 */
import type { FilterFailure } from './types.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** Reason → number of nodes that gave it. */
export function reasonHistogram(failures: Iterable<FilterFailure>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of failures) for (const r of f.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Go's sort.Strings order (byte-wise). */
function byteCompare(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

export function sortedReasons(histogram: Map<string, number>): string[] {
  return [...histogram].map(([reason, n]) => `${n} ${reason}`).sort(byteCompare);
}

export interface FitErrorParts {
  numAllNodes: number;
  failures: Iterable<FilterFailure>;
  /** A PreFilter rejection replaces the per-node histogram. */
  preFilterMessage?: string;
  /** The PostFilter status message (already prefixed "preemption: "), appended verbatim. */
  postFilterMessage?: string;
}

/** framework.FitError.Error(). */
export function fitErrorMessage(parts: FitErrorParts): string {
  let msg = `0/${parts.numAllNodes} nodes are available:`;
  if (parts.preFilterMessage) {
    msg += ` ${parts.preFilterMessage}.`;
  } else {
    const sorted = sortedReasons(reasonHistogram(parts.failures));
    if (sorted.length > 0) msg += ` ${sorted.join(', ')}.`;
  }
  if (parts.postFilterMessage) msg += ` ${parts.postFilterMessage}`;
  return msg;
}
