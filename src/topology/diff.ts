/** Unified diffs of Kubernetes objects (as YAML), for `slipway topology plan -o diff`. */
import { stringify } from 'yaml';
import type { KubeObject } from '../apimachinery/types.js';

function key(o: KubeObject): string {
  return `${o.apiVersion ?? ''}|${o.kind ?? ''}|${o.metadata?.namespace ?? 'default'}|${o.metadata?.name ?? ''}`;
}

function label(o: KubeObject): string {
  const g = (o.apiVersion ?? '').replace(/\//g, '.');
  return `${g}.${o.kind ?? ''}.${o.metadata?.namespace ?? 'default'}.${o.metadata?.name ?? ''}`;
}

/** Fields the server owns: left out of diffs. */
function comparable(o: KubeObject): KubeObject {
  const c: KubeObject = { ...o };
  delete c.status;
  if (o.metadata) {
    const m = { ...o.metadata };
    for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink']) delete m[k];
    c.metadata = m;
  }
  return c;
}

function yamlLines(o: KubeObject | undefined): string[] {
  if (!o) return [];
  const text = stringify(comparable(o), { lineWidth: 0, version: '1.1' });
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

type Op = { t: ' ' | '-' | '+'; line: string };

/** Line diff by longest common subsequence (objects are small). */
export function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ t: '-', line: a[i++]! });
    else ops.push({ t: '+', line: b[j++]! });
  }
  while (i < n) ops.push({ t: '-', line: a[i++]! });
  while (j < m) ops.push({ t: '+', line: b[j++]! });
  return ops;
}

/** Unified hunks with `context` lines around changes; empty when equal. */
export function unifiedDiff(a: string[], b: string[], nameA: string, nameB: string, context = 3): string {
  const ops = diffLines(a, b);
  if (!ops.some((o) => o.t !== ' ')) return '';
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  let idx = 0;
  while (idx < ops.length) {
    while (idx < ops.length && ops[idx]!.t === ' ') idx++;
    if (idx >= ops.length) break;
    const start = Math.max(0, idx - context);
    let end = idx;
    // extend while changes are within 2*context of each other
    let k = idx;
    while (k < ops.length) {
      if (ops[k]!.t !== ' ') {
        end = k;
        k++;
        continue;
      }
      let run = 0;
      while (k + run < ops.length && ops[k + run]!.t === ' ') run++;
      if (k + run >= ops.length || run > 2 * context) break;
      k += run;
    }
    const stop = Math.min(ops.length, end + context + 1);
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) {
      if (ops[x]!.t !== '+') aLine++;
      if (ops[x]!.t !== '-') bLine++;
    }
    const slice = ops.slice(start, stop);
    const aCount = slice.filter((o) => o.t !== '+').length;
    const bCount = slice.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@`);
    for (const o of slice) out.push(`${o.t}${o.line}`);
    idx = stop;
  }
  return `${out.join('\n')}\n`;
}

/**
 * Diff desired objects against current ones: changed and new objects as unified diffs (like `kubectl diff`),
 * then topology-owned current objects that are no longer desired (deleted). Empty string: no change.
 */
export function diffObjects(current: readonly KubeObject[], desired: readonly KubeObject[], ownedBy?: (o: KubeObject) => boolean): string {
  const byKey = new Map(current.map((o) => [key(o), o]));
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const d of desired) {
    const k = key(d);
    seen.add(k);
    const c = byKey.get(k);
    const text = unifiedDiff(yamlLines(c), yamlLines(d), c ? `current/${label(d)}` : '/dev/null', `desired/${label(d)}`);
    if (text) parts.push(text);
  }
  for (const c of current) {
    if (seen.has(key(c)) || (ownedBy && !ownedBy(c))) continue;
    parts.push(unifiedDiff(yamlLines(c), [], `current/${label(c)}`, '/dev/null'));
  }
  return parts.join('');
}
