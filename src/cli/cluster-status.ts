/**
 * What a user asks of a cluster while it changes: how many control-plane and worker Machines are ready out of how
 * many wanted, which versions they run, and the step the cluster is at. Pure: computed from the Cluster, its
 * Machines and its MachinePools (as read through the API); `cluster list` prints it and `--wait` watches it. A
 * MachinePool's instances count as workers (from its status: replicas, readyReplicas, availableReplicas).
 */
import { LABELS } from '../api/cluster/clusterclass.js';
import { CLUSTER_NAME_LABEL, CONDITIONS, CONTROL_PLANE_LABEL, MACHINE_DEPLOYMENT_NAME_LABEL, type Cluster, type Condition, type Machine, type MachinePool } from '../api/cluster/types.js';

export interface ReplicaCount {
  /** Wanted (from the topology); undefined when the Cluster has no topology saying so. */
  desired?: number;
  /** Machines that exist (not being deleted). */
  current: number;
  /** Of those, Ready=True. */
  ready: number;
}

export interface PoolSummary extends ReplicaCount {
  name: string;
  class?: string;
}

export interface ClusterSummary {
  namespace: string;
  name: string;
  class?: string;
  version?: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  controlPlane: ReplicaCount;
  workers: ReplicaCount;
  pools: PoolSummary[];
  /** How many existing Machines (and MachinePool instances) run each version ('' where not known yet). */
  machineVersions: Record<string, number>;
  /** Machines being deleted. */
  machinesDeleting: number;
  topologyReconciled?: Condition;
  readyCondition?: Condition;
  createdAt?: string;
}

export function conditionOf(obj: { status?: { conditions?: Condition[] } } | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

function isReady(m: Machine): boolean {
  return conditionOf(m, CONDITIONS.ready)?.status === 'True';
}

function count(machines: Machine[], desired: number | undefined): ReplicaCount {
  return { desired, current: machines.length, ready: machines.filter(isReady).length };
}

function poolCount(mp: MachinePool | undefined, desired: number | undefined): ReplicaCount {
  return { desired, current: mp?.status?.replicas ?? 0, ready: mp?.status?.readyReplicas ?? 0 };
}

/** The summary of one Cluster; `machines` and `machinePools` are those labelled with its name (others are ignored). */
export function summarizeCluster(cluster: Cluster, machines: Machine[], machinePools: MachinePool[] = []): ClusterSummary {
  const name = cluster.metadata?.name ?? '';
  const namespace = cluster.metadata?.namespace ?? '';
  const own = machines.filter((m) => m.metadata?.labels?.[LABELS.clusterName] === name && (m.metadata?.namespace ?? '') === namespace);
  const live = own.filter((m) => !m.metadata?.deletionTimestamp);
  const cpMachines = live.filter((m) => m.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined);
  const workerMachines = live.filter((m) => m.metadata?.labels?.[CONTROL_PLANE_LABEL] === undefined);
  const topology = cluster.spec?.topology;
  const poolTopologies = topology?.workers?.machineDeployments ?? [];
  const poolOf = (m: Machine): string => m.metadata?.labels?.[LABELS.deploymentName] ?? m.metadata?.labels?.[MACHINE_DEPLOYMENT_NAME_LABEL] ?? '';
  const pools: PoolSummary[] = poolTopologies.map((p) => ({ name: p.name, class: p.class, ...count(workerMachines.filter((m) => poolOf(m) === p.name), p.replicas ?? (topology ? 1 : undefined)) }));
  if (!topology) {
    const names = [...new Set(workerMachines.map(poolOf))].sort();
    for (const n of names) pools.push({ name: n, ...count(workerMachines.filter((m) => poolOf(m) === n), undefined) });
  }
  const ownPools = machinePools.filter((mp) => mp.metadata?.labels?.[CLUSTER_NAME_LABEL] === name && (mp.metadata?.namespace ?? '') === namespace && !mp.metadata?.deletionTimestamp);
  const poolByTopology = new Map(ownPools.map((mp) => [mp.metadata?.labels?.[LABELS.poolName] ?? '', mp]));
  const mpTopologies = topology?.workers?.machinePools ?? [];
  for (const p of mpTopologies) pools.push({ name: p.name, class: p.class, ...poolCount(poolByTopology.get(p.name), p.replicas ?? 1) });
  if (!topology) for (const mp of ownPools) pools.push({ name: mp.metadata?.name ?? '', ...poolCount(mp, undefined) });
  const poolWorkers = pools.slice(poolTopologies.length).reduce((c, p) => ({ current: c.current + p.current, ready: c.ready + p.ready }), { current: 0, ready: 0 });
  const workersDesired = topology ? pools.reduce((s, p) => s + (p.desired ?? 0), 0) : undefined;
  const machineVersions: Record<string, number> = {};
  const addVersion = (v: string, n: number): void => {
    if (n > 0) machineVersions[v] = (machineVersions[v] ?? 0) + n;
  };
  for (const m of live) addVersion(m.spec?.version ?? '', 1);
  for (const mp of ownPools) {
    // Available instances run the pool's version; the others may not yet.
    const available = Math.min(mp.status?.availableReplicas ?? 0, mp.status?.replicas ?? 0);
    addVersion(mp.spec?.template?.spec?.version ?? '', available);
    addVersion('', (mp.status?.replicas ?? 0) - available);
  }
  const readyCondition = conditionOf(cluster, CONDITIONS.ready);
  return {
    namespace,
    name,
    class: topology?.class,
    version: topology?.version ?? (Object.keys(machineVersions).length === 1 ? Object.keys(machineVersions)[0] : undefined),
    phase: cluster.status?.phase ?? (cluster.metadata?.deletionTimestamp ? 'Deleting' : ''),
    ready: readyCondition?.status === 'True',
    deleting: !!cluster.metadata?.deletionTimestamp,
    controlPlane: count(cpMachines, topology ? (topology.controlPlane?.replicas ?? 1) : undefined),
    workers: { ...count(workerMachines, workersDesired), current: workerMachines.length + poolWorkers.current, ready: workerMachines.filter(isReady).length + poolWorkers.ready },
    pools,
    machineVersions,
    machinesDeleting: own.length - live.length,
    topologyReconciled: conditionOf(cluster, CONDITIONS.topologyReconciled),
    readyCondition,
    createdAt: cluster.metadata?.creationTimestamp,
  };
}

/** "ready/desired" (or "ready/current" when nothing says what is wanted). */
export function fraction(c: ReplicaCount): string {
  return `${c.ready}/${c.desired ?? c.current}`;
}

/** Every wanted Machine exists and is ready, and no extra one is left. */
function settled(c: ReplicaCount): boolean {
  return c.desired === undefined ? c.ready === c.current : c.ready === c.desired && c.current === c.desired;
}

/** What a wait is for. */
export type WaitGoal = { kind: 'ready' } | { kind: 'version'; version: string } | { kind: 'deleted' };

export interface WaitState {
  done: boolean;
  /** One line: where the cluster is now. */
  step: string;
  /** Set when the cluster cannot get there without the user (e.g. a failure). */
  failure?: string;
}

function machinesLine(s: ClusterSummary): string {
  const parts = [`control plane ${fraction(s.controlPlane)} ready`, `workers ${fraction(s.workers)} ready`];
  if (s.machinesDeleting > 0) parts.push(`${s.machinesDeleting} deleting`);
  return parts.join(', ');
}

function pending(s: ClusterSummary): string | undefined {
  const t = s.topologyReconciled;
  if (t && t.status !== 'True') return `topology: ${t.reason ?? 'not reconciled'}${t.message ? ` (${oneLine(t.message)})` : ''}`;
  return undefined;
}

function oneLine(text: string): string {
  const first = text.split('\n')[0]!.trim();
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

/**
 * Where a cluster is relative to `goal`. `cluster` undefined means it does not exist (yet, or any more).
 * Ready: the Ready condition is True and every wanted Machine is ready. Version: additionally every Machine runs the
 * version. Deleted: the Cluster is gone.
 */
export function waitState(goal: WaitGoal, cluster: Cluster | undefined, machines: Machine[], machinePools: MachinePool[] = []): WaitState {
  if (!cluster) return goal.kind === 'deleted' ? { done: true, step: 'deleted' } : { done: false, step: 'waiting for the Cluster to exist' };
  const s = summarizeCluster(cluster, machines, machinePools);
  if (goal.kind === 'deleted') {
    const left = s.controlPlane.current + s.workers.current + s.machinesDeleting;
    return { done: false, step: s.deleting ? `deleting: ${left} Machine${left === 1 ? '' : 's'} left` : 'waiting for deletion to start' };
  }
  if (s.phase === 'Failed') {
    const message = cluster.status?.failureMessage ?? cluster.status?.failureReason ?? 'the Cluster failed';
    return { done: false, step: `failed: ${oneLine(message)}`, failure: oneLine(message) };
  }
  const lead = `${s.phase || 'Pending'}: `;
  const topologyStep = pending(s);
  if (goal.kind === 'version') {
    const total = s.controlPlane.current + s.workers.current;
    const atVersion = s.machineVersions[goal.version] ?? 0;
    const cpAt = machines.filter((m) => !m.metadata?.deletionTimestamp && m.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined && m.spec?.version === goal.version).length;
    const done = s.ready && settled(s.controlPlane) && settled(s.workers) && atVersion === total && s.machinesDeleting === 0 && s.version === goal.version;
    const where = `${goal.version} on ${atVersion}/${total} Machines (control plane ${cpAt}/${s.controlPlane.current})`;
    return { done, step: done ? `${where}, all ready` : `${lead}${where}; ${topologyStep ? `${topologyStep}; ` : ''}${machinesLine(s)}` };
  }
  const done = s.ready && settled(s.controlPlane) && settled(s.workers);
  if (done) return { done, step: `Ready: ${machinesLine(s)}` };
  const steps: string[] = [];
  if (topologyStep) steps.push(topologyStep);
  const infra = conditionOf(cluster, CONDITIONS.infrastructureReady);
  if (infra?.status !== 'True' && s.controlPlane.current === 0) steps.push(`infrastructure ${infra?.reason ? `(${infra.reason})` : 'not ready'}`);
  steps.push(machinesLine(s));
  return { done, step: `${lead}${steps.join('; ')}` };
}
