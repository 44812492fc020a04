/**
 * A pod read once into what the scheduler needs (framework.PodInfo): its requests, host ports,
 * priority and parsed affinity terms, so filters never re-parse selectors per node.
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelector } from '../../../apimachinery/selectors.js';
import { podRequests, type Resources } from './resources.js';
import type { PodAffinityTerm, PodLike } from './types.js';

export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  /** null when the term has no namespaceSelector. */
  namespaceSelector: LabelSelector | null;
  selector: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  key: string;
  pod: PodLike;
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  nodeName: string;
  priority: number;
  terminating: boolean;
  requests: Resources;
  nonZeroRequests: Resources;
  hostPorts: HostPort[];
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: WeightedAffinityTerm[];
  preferredAntiAffinityTerms: WeightedAffinityTerm[];
  /** Same string for pods with identical namespace and labels (memoizes selector matches). */
  identityKey: string;
  /** Same string for pods with identical namespace and pod (anti-)affinity (memoizes term matches). */
  affinityKey: string;
}

/** The cache key of a pod: its UID, or namespace/name when it has none. */
export function podKey(pod: PodLike): string {
  const m = pod.metadata ?? {};
  return m.uid || `${m.namespace ?? 'default'}/${m.name ?? ''}`;
}

function affinityTerm(pod: PodLike, t: PodAffinityTerm): AffinityTerm {
  const own = pod.metadata?.namespace ?? 'default';
  const namespaces = new Set<string>(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(own);
  return {
    namespaces,
    namespaceSelector: t.namespaceSelector ? labelSelectorFromObject(t.namespaceSelector) : null,
    selector: labelSelectorFromObject(t.labelSelector ?? null),
    topologyKey: t.topologyKey,
  };
}

export function newPodInfo(pod: PodLike): PodInfo {
  const spec = pod.spec ?? {};
  const hostPorts: HostPort[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) {
        hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
      }
    }
  }
  const pa = spec.affinity?.podAffinity;
  const paa = spec.affinity?.podAntiAffinity;
  const namespace = pod.metadata?.namespace ?? 'default';
  return {
    identityKey: `${namespace}\u0000${JSON.stringify(pod.metadata?.labels ?? {})}`,
    affinityKey: pa || paa ? `${namespace}\u0000${JSON.stringify([pa ?? null, paa ?? null])}` : '',
    key: podKey(pod),
    pod,
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? 'default',
    labels: pod.metadata?.labels ?? {},
    nodeName: spec.nodeName ?? '',
    priority: spec.priority ?? 0,
    terminating: !!pod.metadata?.deletionTimestamp,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, { nonZero: true }),
    hostPorts,
    requiredAffinityTerms: (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinityTerms: (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinityTerms: (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight })),
    preferredAntiAffinityTerms: (paa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight })),
  };
}

export function hasAffinity(p: PodInfo): boolean {
  return p.requiredAffinityTerms.length + p.requiredAntiAffinityTerms.length + p.preferredAffinityTerms.length + p.preferredAntiAffinityTerms.length > 0;
}

/**
 * Selector matching without per-call closures (it runs millions of times in a large cluster);
 * same semantics as apimachinery's matchesLabels, which handles the rare gt/lt operators.
 */
export function selectorMatches(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  if (sel.nothing) return false;
  for (const r of sel.requirements) {
    const v = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'in': case '=': case '==':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin': case '!=':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case '!':
        if (v !== undefined) return false;
        break;
      default:
        if (!matchesLabels({ requirements: [r] }, labels)) return false;
    }
  }
  return true;
}

/** AffinityTerm.Matches: the pod's namespace is in scope and its labels match the selector. */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels: (ns: string) => Readonly<Record<string, string>> | undefined): boolean {
  const inScope = term.namespaces.has(pod.namespace) ||
    (term.namespaceSelector !== null && selectorMatches(term.namespaceSelector, namespaceLabels(pod.namespace) ?? {}));
  return inScope && selectorMatches(term.selector, pod.labels);
}
