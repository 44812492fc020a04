/**
 * `slipway cluster list|scale|upgrade|delete`: read Clusters with their Machines, and change a managed topology with
 * patches of `spec.topology` (a JSON patch whose `test` ops guard the pool it changes, or a merge patch of one
 * field), never a read-modify-write of the whole object.
 */
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, MACHINE_KIND, MACHINE_POOL_KIND, type Cluster, type Machine, type MachinePool } from '../api/cluster/types.js';
import { listOptional } from './cluster-read.js';
import { isInvalid, isNotFound, type Client, type JsonPatchOperation, type KindRef } from '../client/index.js';
import { clusterListTable } from './cluster-list.js';
import { parseKubernetesVersion, parsePoolReplicas, parseReplicas, UsageError } from './cluster-spec.js';
import { summarizeCluster } from './cluster-status.js';
import { parseTimeout, waitAndReport, type WaitFlags } from './cluster-wait.js';
import { connect, type ConnectOptions } from './connect.js';
import type { CommandIO } from './io.js';
import { errorLine, EXIT_FAILED, EXIT_OK, EXIT_USAGE, printObject } from './output.js';

const CLUSTERS = CLUSTER_KIND as KindRef<Cluster>;
const MACHINES = MACHINE_KIND as KindRef<Machine>;

/** An error that is the user's input, not the server's state: exit 2. */
function exitCodeOf(e: unknown): number {
  return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
}

async function withClient(o: ConnectOptions, agent: string, io: CommandIO, run: (client: Client, namespace: string) => Promise<number>): Promise<number> {
  let client: Client | undefined;
  try {
    const c = await connect(o, agent);
    client = c.client;
    return await run(client, c.namespace);
  } catch (e) {
    io.err(`error: ${errorLine(e)}\n`);
    return exitCodeOf(e);
  } finally {
    client?.close();
  }
}

async function getCluster(client: Client, namespace: string, name: string): Promise<Cluster> {
  try {
    return await client.get(CLUSTERS, { namespace, name });
  } catch (e) {
    if (isNotFound(e)) throw new Error(`cluster ${namespace}/${name} not found`);
    throw e;
  }
}

function requireTopology(c: Cluster): void {
  if (!c.spec?.topology) {
    const id = `${c.metadata?.namespace}/${c.metadata?.name}`;
    throw new Error(`cluster ${id} has no spec.topology: it is not a managed topology (change its control plane and MachineDeployments directly, e.g. kubectl scale)`);
  }
}

function withoutManagedFields<T extends Cluster>(c: T): T {
  if (!c.metadata?.managedFields) return c;
  const { managedFields: _m, ...metadata } = c.metadata;
  return { ...c, metadata };
}

// ---- list ------------------------------------------------------------------------------------------

export interface ClusterListOptions extends ConnectOptions {
  output?: string;
  allNamespaces?: boolean;
  now?: Date;
}

export async function clusterList(o: ClusterListOptions, io: CommandIO): Promise<number> {
  const output = o.output ?? 'table';
  if (!['table', 'wide', 'yaml', 'json'].includes(output)) {
    io.err(`error: -o ${JSON.stringify(output)}: must be wide, yaml or json\n`);
    return EXIT_USAGE;
  }
  return withClient(o, 'slipway-cluster-list', io, async (client, namespace) => {
    const ns = o.allNamespaces ? undefined : namespace;
    const clusters = (await client.list(CLUSTERS, { namespace: ns })).items;
    if (output === 'yaml' || output === 'json') {
      io.out(printObject({ apiVersion: 'v1', kind: 'List', items: clusters.map(withoutManagedFields), metadata: { resourceVersion: '' } }, output));
      return EXIT_OK;
    }
    if (clusters.length === 0) {
      io.err(o.allNamespaces ? 'No clusters found.\n' : `No clusters found in ${namespace} namespace.\n`);
      return EXIT_OK;
    }
    const machines = (await client.list(MACHINES, { namespace: ns, labelSelector: CLUSTER_NAME_LABEL })).items;
    const byCluster = new Map<string, Machine[]>();
    for (const m of machines) {
      const key = `${m.metadata?.namespace}/${m.metadata?.labels?.[CLUSTER_NAME_LABEL]}`;
      byCluster.set(key, [...(byCluster.get(key) ?? []), m]);
    }
    const pools = await listOptional(client, MACHINE_POOL_KIND as KindRef<MachinePool>, ns, CLUSTER_NAME_LABEL);
    const sorted = [...clusters].sort((a, b) => (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const summaries = sorted.map((c) => summarizeCluster(c, byCluster.get(`${c.metadata?.namespace}/${c.metadata?.name}`) ?? [], pools));
    io.out(clusterListTable(summaries, { wide: output === 'wide', allNamespaces: o.allNamespaces, now: o.now ?? new Date() }));
    return EXIT_OK;
  });
}

// ---- scale -----------------------------------------------------------------------------------------

export interface ClusterScaleOptions extends ConnectOptions {
  controlPlaneReplicas?: string;
  workerPool?: string[];
  workers?: string;
}

/** The JSON patch that scales a topology: each changed pool guarded by a `test` of its name at its index. */
export function scalePatch(cluster: Cluster, change: { controlPlaneReplicas?: number; pools?: { name: string; replicas: number }[]; workers?: number }): JsonPatchOperation[] {
  requireTopology(cluster);
  const topology = cluster.spec!.topology!;
  const ops: JsonPatchOperation[] = [];
  if (change.controlPlaneReplicas !== undefined) {
    if (topology.controlPlane) ops.push({ op: 'add', path: '/spec/topology/controlPlane/replicas', value: change.controlPlaneReplicas });
    else ops.push({ op: 'add', path: '/spec/topology/controlPlane', value: { replicas: change.controlPlaneReplicas } });
  }
  const pools = topology.workers?.machineDeployments ?? [];
  const names = pools.map((p) => p.name).join(', ') || 'none';
  const id = `${cluster.metadata?.namespace}/${cluster.metadata?.name}`;
  let targets = change.pools ?? [];
  if (change.workers !== undefined) {
    if (pools.length !== 1) throw new Error(`--workers ${change.workers}: cluster ${id} has ${pools.length} worker pools (${names}); name one with --worker-pool NAME=REPLICAS`);
    targets = [{ name: pools[0]!.name, replicas: change.workers }];
  }
  for (const t of targets) {
    const i = pools.findIndex((p) => p.name === t.name);
    if (i < 0) throw new Error(`--worker-pool ${t.name}=${t.replicas}: cluster ${id} has no worker pool ${JSON.stringify(t.name)} (pools: ${names})`);
    ops.push({ op: 'test', path: `/spec/topology/workers/machineDeployments/${i}/name`, value: t.name });
    ops.push({ op: 'add', path: `/spec/topology/workers/machineDeployments/${i}/replicas`, value: t.replicas });
  }
  return ops;
}

/** Patch with a JSON patch built from a fresh read; a failed `test` (the list changed meanwhile) reads again. */
async function patchGuarded(client: Client, namespace: string, name: string, build: (c: Cluster) => JsonPatchOperation[]): Promise<Cluster> {
  for (let attempt = 0; ; attempt++) {
    const cluster = await getCluster(client, namespace, name);
    const ops = build(cluster);
    try {
      return await client.patch(CLUSTERS, { namespace, name }, { type: 'json', ops });
    } catch (e) {
      // A failed `test` op is 422 with kube's generic message (the cause stays on the server).
      const testFailed = isInvalid(e) && /test failed|rejected our request due to an error in our request/.test(`${String((e as { cause?: unknown }).cause ?? '')} ${e.message}`);
      if (!testFailed || attempt >= 4) throw e;
    }
  }
}

export async function clusterScale(name: string, o: ClusterScaleOptions, io: CommandIO): Promise<number> {
  let change: Parameters<typeof scalePatch>[1];
  try {
    const given = [o.controlPlaneReplicas !== undefined, !!o.workerPool?.length, o.workers !== undefined].filter(Boolean).length;
    if (given === 0) throw new UsageError('nothing to scale: give --control-plane-replicas N, --worker-pool NAME=REPLICAS or --workers N');
    if (o.workers !== undefined && o.workerPool?.length) throw new UsageError('--workers and --worker-pool cannot be used together');
    const pools = (o.workerPool ?? []).map(parsePoolReplicas);
    const dup = pools.find((p, i) => pools.findIndex((q) => q.name === p.name) !== i);
    if (dup) throw new UsageError(`--worker-pool ${dup.name}: given twice`);
    change = {
      controlPlaneReplicas: o.controlPlaneReplicas === undefined ? undefined : parseReplicas('--control-plane-replicas', o.controlPlaneReplicas),
      workers: o.workers === undefined ? undefined : parseReplicas('--workers', o.workers),
      pools,
    };
  } catch (e) {
    io.err(`error: ${errorLine(e)}\n`);
    return EXIT_USAGE;
  }
  return withClient(o, 'slipway-cluster-scale', io, async (client, namespace) => {
    const patched = await patchGuarded(client, namespace, name, (c) => scalePatch(c, change));
    const t = patched.spec?.topology;
    const pools = (t?.workers?.machineDeployments ?? []).map((p) => `${p.name}=${p.replicas ?? 1}`).join(', ');
    io.out(`cluster.cluster.x-k8s.io/${name} scaled (control plane ${t?.controlPlane?.replicas ?? 1}${pools ? `; workers ${pools}` : ''})\n`);
    return EXIT_OK;
  });
}

// ---- upgrade ---------------------------------------------------------------------------------------

export interface ClusterUpgradeOptions extends ConnectOptions, WaitFlags {
  kubernetesVersion?: string;
}

export async function clusterUpgrade(name: string, o: ClusterUpgradeOptions, io: CommandIO): Promise<number> {
  let version: string;
  let timeoutMs = 0;
  try {
    if (!o.kubernetesVersion) throw new UsageError('--kubernetes-version is required: the version to upgrade to, e.g. v1.32.0');
    version = parseKubernetesVersion('--kubernetes-version', o.kubernetesVersion);
    if (o.wait) timeoutMs = parseTimeout(o.timeout);
  } catch (e) {
    io.err(`error: ${errorLine(e)}\n`);
    return EXIT_USAGE;
  }
  return withClient(o, 'slipway-cluster-upgrade', io, async (client, namespace) => {
    const cluster = await getCluster(client, namespace, name);
    requireTopology(cluster);
    const from = cluster.spec!.topology!.version;
    if (from === version) io.out(`cluster.cluster.x-k8s.io/${name} is already at ${version}\n`);
    else {
      await client.patch(CLUSTERS, { namespace, name }, { type: 'merge', body: { spec: { topology: { version } } } });
      io.out(`cluster.cluster.x-k8s.io/${name} upgrading ${from} → ${version}\n`);
    }
    if (!o.wait) return EXIT_OK;
    return waitAndReport(client, namespace, name, { kind: 'version', version }, o, timeoutMs, io);
  });
}

// ---- delete ----------------------------------------------------------------------------------------

export interface ClusterDeleteOptions extends ConnectOptions, WaitFlags {
  yes?: boolean;
  /** Whether standard input is a terminal (a question can be asked). */
  interactive?: boolean;
  /** Ask on the terminal; resolves with the answer. */
  ask?: (question: string) => Promise<string>;
}

export async function clusterDelete(name: string, o: ClusterDeleteOptions, io: CommandIO): Promise<number> {
  let timeoutMs = 0;
  try {
    if (o.wait) timeoutMs = parseTimeout(o.timeout);
    if (!o.yes && !o.interactive) throw new UsageError(`refusing to delete cluster ${name} without --yes: standard input is not a terminal to ask on`);
  } catch (e) {
    io.err(`error: ${errorLine(e)}\n`);
    return EXIT_USAGE;
  }
  return withClient(o, 'slipway-cluster-delete', io, async (client, namespace) => {
    const cluster = await getCluster(client, namespace, name);
    if (!o.yes) {
      const machines = (await client.list(MACHINES, { namespace, labelSelector: `${CLUSTER_NAME_LABEL}=${name}` })).items.length;
      const answer = await o.ask!(`Delete cluster ${namespace}/${name} and its ${machines} Machine${machines === 1 ? '' : 's'}? This cannot be undone. [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.err('Not deleted.\n');
        return EXIT_FAILED;
      }
    }
    if (!cluster.metadata?.deletionTimestamp) {
      try {
        await client.delete(CLUSTERS, { namespace, name }, { preconditions: { uid: cluster.metadata?.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    io.out(`cluster.cluster.x-k8s.io/${name} deleted\n`);
    if (!o.wait) return EXIT_OK;
    return waitAndReport(client, namespace, name, { kind: 'deleted' }, o, timeoutMs, io);
  });
}
