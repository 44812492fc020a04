/** The `slipway class list` table: NAME, VARIABLES, WORKER CLASSES, AGE (NAMESPACE first across all namespaces). */
import { ageSince } from '../apiserver/table.js';
import type { ClusterClass } from '../topology/index.js';

export interface ClassTableOptions {
  now: Date;
  allNamespaces?: boolean;
}

/** Worker classes as `linux,windows` (MachinePool classes marked `pool:`), `<none>` when there are none. */
export function workerClasses(cc: ClusterClass): string {
  const w = cc.spec?.workers;
  const names = [...(w?.machineDeployments ?? []).map((m) => m.class), ...(w?.machinePools ?? []).map((m) => `pool:${m.class}`)];
  return names.length ? names.join(',') : '<none>';
}

export function printClassTable(classes: readonly ClusterClass[], o: ClassTableOptions): string {
  const header = [...(o.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'VARIABLES', 'WORKER CLASSES', 'AGE'];
  const sorted = [...classes].sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  const rows = sorted.map((cc) => [
    ...(o.allNamespaces ? [cc.metadata?.namespace ?? ''] : []),
    cc.metadata?.name ?? '',
    String(cc.spec?.variables?.length ?? 0),
    workerClasses(cc),
    ageSince(cc.metadata?.creationTimestamp, o.now),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('');
  return [header, ...rows].map(line).join('\n') + '\n';
}
