/**
 * Fleet benchmark: N workload clusters created through the API as a user would, each with one control-plane Machine
 * and a one-replica MachineDeployment on the sim provider (boot time 0), in a ManagementPlane child process (SQLite).
 *
 *   npm run bench -- fleet
 *
 * Per run (a fresh server each): the SimMachineTemplates and the KubeadmConfigTemplate are created once and shared;
 * then per cluster a Cluster, SimCluster, KubeadmControlPlane and MachineDeployment are POSTed with 16 concurrent
 * clients. "Ready" means every Cluster has Ready=True and every MachineDeployment readyReplicas=1 (a watch on both
 * kinds counts them). Then the plane settles (20 s) and its CPU is measured while idle (30 s): node lease heartbeats
 * (every 10 s per Node) are part of idle, as on a real cluster.
 *
 * Figures: clusters, seconds_to_ready, clusters_per_s, rss_mib (server peak RSS), objects (keys in storage, both
 * planes), idle_cpu_pct (% of one core). Targets at 1,000 clusters: ≤ 300 s, ≤ 1,536 MiB, ≤ 5 %.
 *
 * Environment:
 *   BENCH_CLUSTERS=1000        clusters of the main run (the 100-cluster run always comes first)
 *   BENCH_RUNS=100,1000        the runs, in order
 *   BENCH_IDLE_S=30            idle measurement window
 *   BENCH_VERBOSE=1            echo the server's stderr
 *   BENCH_SERVER_NODE_ARGS     node flags of the server child (e.g. --cpu-prof)
 */
import { expect, httpsAgent, pool, type Target } from './support/http.js';
import { countObjects, FigureTable, round2, WatchCounter } from './support/fleet.js';
import { cleanup, installCleanupHandlers, procCpuSeconds, procMemory, removeDir, sleep, startServer, tempDir, type ServerChild } from './support/procs.js';

const VERSION = 'v1.31.2';
const NS = 'fleet';
const CONCURRENCY = 16;
const RUNS = (process.env.BENCH_RUNS ?? `100,${process.env.BENCH_CLUSTERS ?? '1000'}`).split(',').map((x) => Number(x.trim())).filter((n) => n > 0);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 20);
const READY_TIMEOUT_MS = Number(process.env.BENCH_READY_TIMEOUT_MS ?? 20 * 60_000);

interface RunResult {
  clusters: number;
  createSeconds: number;
  secondsToReady: number;
  clustersPerS: number;
  rssMiB: number;
  objects: number;
  workloadObjects: number;
  idleCpuPct: number;
  busyCpuS: number;
}

const log = (m: string): void => void process.stderr.write(`[fleet] ${m}\n`);

function target(srv: ServerChild): Target {
  return { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: CONCURRENCY + 4 }) };
}

const post = (t: Target, path: string, obj: unknown): Promise<unknown> => expect(t, 'POST', path, JSON.stringify(obj), [201]);

function sharedTemplates(): { path: string; obj: unknown }[] {
  const boot = { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0 };
  return [
    { path: `/apis/infrastructure.slipway.dev/v1alpha1/namespaces/${NS}/simmachinetemplates`, obj: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', metadata: { name: 'control-plane' }, spec: { template: { spec: { numCPUs: 4, memoryMiB: 8192, behaviour: boot } } } } },
    { path: `/apis/infrastructure.slipway.dev/v1alpha1/namespaces/${NS}/simmachinetemplates`, obj: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', metadata: { name: 'worker' }, spec: { template: { spec: { numCPUs: 2, memoryMiB: 4096, behaviour: boot } } } } },
    { path: `/apis/bootstrap.cluster.x-k8s.io/v1beta1/namespaces/${NS}/kubeadmconfigtemplates`, obj: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', metadata: { name: 'worker' }, spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'pool=md-0' } } } } } } } },
  ];
}

function clusterObjects(name: string): { path: string; obj: unknown }[] {
  return [
    {
      path: `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters`,
      obj: {
        apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name },
        spec: {
          clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] } },
          controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: `${name}-cp` },
          infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', name },
        },
      },
    },
    { path: `/apis/infrastructure.slipway.dev/v1alpha1/namespaces/${NS}/simclusters`, obj: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', metadata: { name }, spec: { provisioningSeconds: 0 } } },
    {
      path: `/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/kubeadmcontrolplanes`,
      obj: {
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: { name: `${name}-cp` },
        spec: { replicas: 1, version: VERSION, machineTemplate: { infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'control-plane' } }, kubeadmConfigSpec: { clusterConfiguration: { apiServer: { extraArgs: { 'audit-log-maxage': '30' } } } } },
      },
    },
    {
      path: `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments`,
      obj: {
        apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { name: `${name}-md-0` },
        spec: {
          clusterName: name, replicas: 1, selector: { matchLabels: {} },
          template: { spec: { clusterName: name, version: VERSION, bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'worker' } }, infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'worker' } } },
        },
      },
    },
  ];
}

const clusterReady = (o: Record<string, unknown>): boolean => ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const mdReady = (o: Record<string, unknown>): boolean => (o.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1;

async function run(n: number): Promise<RunResult> {
  const dir = tempDir(`slipway-bench-fleet-${n}-`);
  const srv = await startServer(dir);
  const t = target(srv);
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, procMemory(srv.pid).rssMiB);
    } catch {
      /* exited */
    }
  }, 250);
  try {
    await post(t, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    for (const x of sharedTemplates()) await post(t, x.path, x.obj);
    const counter = new WatchCounter(t);
    const clusters = counter.watch(`/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters`, clusterReady);
    const mds = counter.watch(`/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments`, mdReady);
    const cpu0 = procCpuSeconds(srv.pid);
    const t0 = performance.now();
    const createMs = await pool(n, CONCURRENCY, async (i) => {
      for (const x of clusterObjects(`c${String(i).padStart(5, '0')}`)) await post(t, x.path, x.obj);
    });
    log(`${n} clusters: objects created in ${(createMs / 1000).toFixed(1)} s`);
    let lastLog = 0;
    for (;;) {
      const rc = counter.ready(clusters);
      const rm = counter.ready(mds);
      if (rc >= n && rm >= n) break;
      const el = performance.now() - t0;
      if (el > READY_TIMEOUT_MS) throw new Error(`not Ready after ${READY_TIMEOUT_MS / 1000} s: ${rc}/${n} Clusters, ${rm}/${n} MachineDeployments`);
      if (el - lastLog > 10_000) {
        lastLog = el;
        log(`  ${(el / 1000).toFixed(0)} s: ${rc}/${n} Clusters Ready, ${rm}/${n} MachineDeployments ready; RSS ${procMemory(srv.pid).rssMiB.toFixed(0)} MiB`);
      }
      await sleep(100);
    }
    const readyS = (performance.now() - t0) / 1000;
    const busyCpuS = procCpuSeconds(srv.pid) - cpu0;
    counter.stop();
    log(`${n} clusters Ready in ${readyS.toFixed(1)} s (server CPU ${busyCpuS.toFixed(1)} s); settling ${SETTLE_S} s`);
    await sleep(SETTLE_S * 1000);
    const c0 = procCpuSeconds(srv.pid);
    const w0 = performance.now();
    await sleep(IDLE_S * 1000);
    const idleCpuPct = ((procCpuSeconds(srv.pid) - c0) / ((performance.now() - w0) / 1000)) * 100;
    peak = Math.max(peak, procMemory(srv.pid).hwmMiB);
    const objects = countObjects(dir);
    return { clusters: n, createSeconds: createMs / 1000, secondsToReady: readyS, clustersPerS: n / readyS, rssMiB: peak, objects: objects.total, workloadObjects: objects.workload, idleCpuPct, busyCpuS };
  } finally {
    clearInterval(sampler);
    await srv.stop();
    removeDir(dir);
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const results: RunResult[] = [];
  for (const n of RUNS) results.push(await run(n));
  const main = results[results.length - 1]!;
  const table = new FigureTable(results);
  const row = table.row.bind(table);
  row('objects POSTed (4 per cluster)', (r) => `${r.clusters * 4} in ${r.createSeconds.toFixed(1)} s`, '');
  row('seconds until all Ready', (r) => r.secondsToReady.toFixed(1), main.clusters >= 1000 ? '≤ 300' : '', main.clusters >= 1000 ? main.secondsToReady <= 300 : undefined);
  row('clusters/s', (r) => r.clustersPerS.toFixed(2), '');
  row('server CPU until Ready', (r) => `${r.busyCpuS.toFixed(0)} s`, '');
  row('server peak RSS (MiB)', (r) => r.rssMiB.toFixed(0), main.clusters >= 1000 ? '≤ 1536' : '', main.clusters >= 1000 ? main.rssMiB <= 1536 : undefined);
  row('objects stored (workload clusters)', (r) => `${r.objects} (${r.workloadObjects})`, '');
  row(`idle CPU, % of a core (${IDLE_S} s)`, (r) => r.idleCpuPct.toFixed(1), main.clusters >= 1000 ? '≤ 5' : '', main.clusters >= 1000 ? main.idleCpuPct <= 5 : undefined);
  table.print();
  const first = results[0]!;
  const json: Record<string, unknown> = { bench: 'fleet', clusters: main.clusters, seconds_to_ready: round2(main.secondsToReady), clusters_per_s: round2(main.clustersPerS), rss_mib: round2(main.rssMiB), objects: main.objects, idle_cpu_pct: round2(main.idleCpuPct) };
  if (results.length > 1) Object.assign(json, { clusters_small: first.clusters, seconds_to_ready_small: round2(first.secondsToReady), clusters_per_s_small: round2(first.clustersPerS), rss_mib_small: round2(first.rssMiB), idle_cpu_pct_small: round2(first.idleCpuPct) });
  process.stdout.write(JSON.stringify(json) + '\n');
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`fleet benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
