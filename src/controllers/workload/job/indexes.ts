/**
 * Completion indexes of an Indexed Job: the `status.completedIndexes` interval text ("1,3-5,7") and the label,
 * annotation and env a Pod of an index carries. Pure.
 */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** Sorted distinct indexes as intervals, e.g. [1,3,4,5,7] → "1,3-5,7". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The indexes of interval text below `completions` (malformed parts are skipped, as upstream's parser does). */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && i < completions; i++) out.add(i);
  }
  return out;
}

/** The completion index a Pod carries (annotation, else label); undefined when absent or not a valid index. */
export function podIndex(meta: { annotations?: Record<string, string>; labels?: Record<string, string> } | undefined, completions: number): number | undefined {
  const v = meta?.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? meta?.labels?.[COMPLETION_INDEX_LABEL];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n < completions ? n : undefined;
}

/** The lowest indexes that are neither completed nor running, at most `count`. */
export function missingIndexes(completions: number, completed: ReadonlySet<number>, running: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!completed.has(i) && !running.has(i)) out.push(i);
  return out;
}

/** Delay before the next Pod after `failures` consecutive failures: base·2^(failures-1), capped (upstream: 10 s, 6 min). */
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0 || baseMs <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}
