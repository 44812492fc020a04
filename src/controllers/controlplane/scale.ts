/**
 * Where a control plane grows and what it removes, as upstream KCP decides: a new Machine goes to the failure domain
 * with the fewest Machines; scale-down removes, from the Machines marked for deletion, else the outdated ones, else
 * all, the oldest one in the failure domain holding the most.
 */
import type { FailureDomainSpec, Machine } from '../../api/cluster/types.js';
import { DELETE_MACHINE_ANNOTATION } from '../../api/cluster/types.js';

function countByDomain(machines: Machine[], domains: string[]): Map<string, number> {
  const counts = new Map<string, number>(domains.map((d) => [d, 0]));
  for (const m of machines) {
    const d = m.spec.failureDomain;
    if (d !== undefined && counts.has(d)) counts.set(d, counts.get(d)! + 1);
  }
  return counts;
}

/** Failure domains a control plane may use (controlPlane: true), sorted by name. */
export function controlPlaneDomains(domains: Record<string, FailureDomainSpec> | undefined): string[] {
  return Object.entries(domains ?? {})
    .filter(([, d]) => d.controlPlane)
    .map(([n]) => n)
    .sort();
}

/** The failure domain with the fewest of `machines` (first by name on a tie); undefined when there are none. */
export function domainForScaleUp(domains: string[], machines: Machine[]): string | undefined {
  if (!domains.length) return undefined;
  const counts = countByDomain(machines, domains);
  let best: string | undefined;
  for (const d of domains) if (best === undefined || counts.get(d)! < counts.get(best)!) best = d;
  return best;
}

function oldest(machines: Machine[]): Machine | undefined {
  return [...machines].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

/** The Machine scale-down removes. `outdated` are the names needing rollout. */
export function machineForScaleDown(machines: Machine[], outdated: Set<string>, domains: string[]): Machine | undefined {
  if (!machines.length) return undefined;
  const marked = machines.filter((m) => m.metadata?.annotations?.[DELETE_MACHINE_ANNOTATION] !== undefined);
  const stale = machines.filter((m) => outdated.has(m.metadata!.name!));
  const candidates = marked.length ? marked : stale.length ? stale : machines;
  // Spread over all Machines' domains, choose among the candidates' domains the one holding the most.
  const inDomains = candidates.filter((m) => m.spec.failureDomain !== undefined && domains.includes(m.spec.failureDomain));
  if (!domains.length || !inDomains.length) return oldest(candidates);
  const counts = countByDomain(machines, domains);
  let best: string | undefined;
  for (const d of domains) {
    if (!inDomains.some((m) => m.spec.failureDomain === d)) continue;
    if (best === undefined || counts.get(d)! > counts.get(best)!) best = d;
  }
  return oldest(inDomains.filter((m) => m.spec.failureDomain === best));
}

/** etcd keeps quorum when a majority of its members stays healthy: can `target` go? */
export function canRemoveEtcdMember(members: { name: string; healthy: boolean }[], target: string): boolean {
  const remaining = members.filter((m) => m.name !== target);
  if (!remaining.length) return false;
  const quorum = Math.floor(remaining.length / 2) + 1;
  return remaining.filter((m) => m.healthy).length >= quorum;
}
