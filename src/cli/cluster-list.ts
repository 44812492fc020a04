/** The table of `slipway cluster list`, kubectl-style: upper-case headers, columns three spaces apart. */
import { ageSince } from '../apiserver/table.js';
import { fraction, type ClusterSummary } from './cluster-status.js';

export interface ListTableOptions {
  wide?: boolean;
  /** Prefix a NAMESPACE column (-A). */
  allNamespaces?: boolean;
  now: Date;
}

/** Columns padded like kubectl's printer: each as wide as its widest cell, three spaces apart, no trailing blanks. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

function topologyCell(s: ClusterSummary): string {
  const t = s.topologyReconciled;
  if (!t) return '-';
  return t.status === 'True' ? 'Reconciled' : (t.reason ?? t.status);
}

export function clusterListTable(summaries: ClusterSummary[], o: ListTableOptions): string {
  const header = ['NAME', 'CLASS', 'VERSION', 'CONTROL PLANE', 'WORKERS', 'PHASE', 'AGE'];
  if (o.wide) header.push('READY', 'TOPOLOGY', 'POOLS');
  if (o.allNamespaces) header.unshift('NAMESPACE');
  const rows = summaries.map((s) => {
    const row = [s.name, s.class ?? '-', s.version ?? '-', fraction(s.controlPlane), fraction(s.workers), s.phase || '-', ageSince(s.createdAt, o.now)];
    if (o.wide) {
      row.push(s.readyCondition?.status ?? 'Unknown', topologyCell(s), s.pools.map((p) => `${p.name}${p.class ? `(${p.class})` : ''}=${fraction(p)}`).join(',') || '-');
    }
    if (o.allNamespaces) row.unshift(s.namespace);
    return row;
  });
  return formatTable([header, ...rows]);
}
