/**
 * The `cluster-autoscaler-status` ConfigMap in the workload cluster's kube-system, as upstream writes it (the YAML
 * `status` document of cluster-autoscaler ≥ 1.30: cluster-wide health, scale-up and scale-down activity, and the same
 * per node group), a readable subset. Pure: transition times carry over from the previous document.
 */
import YAML from 'yaml';

export const STATUS_CONFIGMAP_NAME = 'cluster-autoscaler-status';
export const STATUS_NAMESPACE = 'kube-system';
export const LAST_UPDATED_ANNOTATION = 'cluster-autoscaler.kubernetes.io/last-updated';

export interface NodeCounts {
  total: number;
  ready: number;
  notStarted: number;
}

export interface GroupStatusInput {
  id: string;
  minSize: number;
  maxSize: number;
  target: number;
  registered: NodeCounts;
  scaleUpInProgress: boolean;
  scaleDownCandidates: number;
}

export interface StatusInput {
  now: string;
  registered: NodeCounts;
  scaleUpInProgress: boolean;
  scaleDownCandidates: number;
  groups: GroupStatusInput[];
}

interface Probe {
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
}

type Doc = Record<string, unknown> & { clusterWide?: Record<string, Probe & Record<string, unknown>>; nodeGroups?: (Record<string, unknown> & { name: string })[] };

function probe(now: string, status: string, prev: Probe | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status, ...extra, lastProbeTime: now, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now };
}

function counts(c: NodeCounts): Record<string, unknown> {
  return { registered: { total: c.total, ready: c.ready, notStarted: c.notStarted }, longUnregistered: 0, unregistered: 0 };
}

/** The `status` YAML text; `previous` is the last one written (for transition times). */
export function statusDocument(input: StatusInput, previous?: string): string {
  let prev: Doc = {};
  try {
    prev = (previous ? YAML.parse(previous) : {}) as Doc ?? {};
  } catch {
    prev = {};
  }
  const pw = prev.clusterWide ?? {};
  const healthy = (c: NodeCounts): string => (c.total === 0 || c.ready >= c.total * 0.55 ? 'Healthy' : 'Unhealthy');
  const doc = {
    time: input.now,
    autoscalerStatus: 'Running',
    clusterWide: {
      health: probe(input.now, healthy(input.registered), pw.health, { nodeCounts: counts(input.registered) }),
      scaleUp: probe(input.now, input.scaleUpInProgress ? 'InProgress' : 'NoActivity', pw.scaleUp),
      scaleDown: probe(input.now, input.scaleDownCandidates ? 'CandidatesPresent' : 'NoCandidates', pw.scaleDown, { candidates: input.scaleDownCandidates }),
    },
    nodeGroups: input.groups.map((g) => {
      const pg = (prev.nodeGroups ?? []).find((x) => x.name === g.id) as (Record<string, Probe> & { name: string }) | undefined;
      return {
        name: g.id,
        health: probe(input.now, healthy(g.registered), pg?.health, { nodeCounts: counts(g.registered), cloudProviderTarget: g.target, minSize: g.minSize, maxSize: g.maxSize }),
        scaleUp: probe(input.now, g.scaleUpInProgress ? 'InProgress' : 'NoActivity', pg?.scaleUp),
        scaleDown: probe(input.now, g.scaleDownCandidates ? 'CandidatesPresent' : 'NoCandidates', pg?.scaleDown, { candidates: g.scaleDownCandidates }),
      };
    }),
  };
  return YAML.stringify(doc);
}
