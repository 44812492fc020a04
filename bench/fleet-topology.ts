/**
 * Managed-topology fleet benchmark: N Clusters from the shipped `slipway-default` class through `spec.topology`
 * (1 control-plane Machine and a 1-replica `linux` worker pool each, sim timings 0 through the class's `simulation`
 * variable), POSTed as a user would, in a `slipway server` child (SQLite). Then every Cluster's
 * `spec.topology.version` is raised one minor and the topology controller rolls the control plane first, then the
 * workers.
 *
 *   npm run bench -- fleet-topology
 *
 * "Ready": Cluster Ready=True and TopologyReconciled=True, and its MachineDeployment has one ready replica.
 * "Upgraded": the KubeadmControlPlane reports the new version with its one replica updated and ready, and the
 * MachineDeployment's template has the new version with its one replica updated and ready.
 *
 * Figures: clusters, seconds_to_ready, seconds_to_upgrade, rss_mib (server peak RSS). Targets at 1,000 clusters:
 * ≤ 360 s, ≤ 480 s, ≤ 2,048 MiB.
 *
 * Environment:
 *   BENCH_RUNS=100,1000        the runs, in order (a fresh server each)
 *   BENCH_TIMEOUT_MS           give up waiting after this long (default 20 min per phase)
 */
import { expect, httpsAgent, pool, type Target } from './support/http.js';
import { countObjects, FigureTable, round2, WatchCounter, type Obj } from './support/fleet.js';
import { cleanup, installCleanupHandlers, procCpuSeconds, procMemory, removeDir, sleep, startServer, tempDir, type ServerChild } from './support/procs.js';

const FROM = 'v1.31.2';
const TO = 'v1.32.0';
const NS = 'default';
const CLASS = 'slipway-default';
const CONCURRENCY = 16;
const RUNS = (process.env.BENCH_RUNS ?? '100,1000').split(',').map((x) => Number(x.trim())).filter((n) => n > 0);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 20 * 60_000);
const PREFIX = 'ft';

interface RunResult {
  clusters: number;
  createSeconds: number;
  secondsToReady: number;
  secondsToUpgrade: number;
  rssMiB: number;
  objects: number;
  readyCpuS: number;
  upgradeCpuS: number;
}


const log = (m: string): void => void process.stderr.write(`[fleet-topology] ${m}\n`);

function target(srv: ServerChild): Target {
  return { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: CONCURRENCY + 4 }) };
}

function clusterObject(name: string): unknown {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name, namespace: NS },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] } },
      topology: {
        class: CLASS,
        version: FROM,
        controlPlane: { replicas: 1 },
        workers: { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 1 }] },
        variables: [{ name: 'simulation', value: { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0, clusterProvisioningSeconds: 0 } }],
      },
    },
  };
}

const conditionTrue = (o: Obj, type: string): boolean => ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
const clusterOf = (o: Obj): string => o.metadata.labels?.['cluster.x-k8s.io/cluster-name'] ?? o.metadata.name;
const st = (o: Obj): { version?: string; replicas?: number; readyReplicas?: number; updatedReplicas?: number } => (o.status ?? {}) as never;

/** Per cluster: whether its control plane and its workers satisfy a predicate (from watches of both kinds). */
function perCluster(counter: WatchCounter, cp: (o: Obj) => boolean, md: (o: Obj) => boolean): { cps: Map<string, boolean>; mds: Map<string, boolean>; done(): number } {
  const cps = counter.watch(`/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/kubeadmcontrolplanes`, cp, clusterOf);
  const mds = counter.watch(`/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments`, md, clusterOf);
  return {
    cps,
    mds,
    done() {
      let n = 0;
      for (const [c, ok] of cps) if (ok && mds.get(c)) n++;
      return n;
    },
  };
}

async function waitUntil(what: string, n: number, count: () => number, detail: () => string, t0: number, rss: () => number): Promise<number> {
  let lastLog = 0;
  for (;;) {
    const done = count();
    if (done >= n) return (performance.now() - t0) / 1000;
    const el = performance.now() - t0;
    if (el > TIMEOUT_MS) throw new Error(`${what}: only ${done}/${n} after ${TIMEOUT_MS / 1000} s (${detail()})`);
    if (el - lastLog > 10_000) {
      lastLog = el;
      log(`  ${(el / 1000).toFixed(0)} s: ${done}/${n} ${what} (${detail()}); RSS ${rss().toFixed(0)} MiB`);
    }
    await sleep(100);
  }
}

async function run(n: number): Promise<RunResult> {
  const dir = tempDir(`slipway-bench-fleet-topology-${n}-`);
  const srv = await startServer(dir);
  const t = target(srv);
  let peak = 0;
  const rss = (): number => {
    try {
      return procMemory(srv.pid).rssMiB;
    } catch {
      return 0;
    }
  };
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 250);
  const counter = new WatchCounter(t);
  try {
    // The shipped class is installed at start; wait until its controller has reconciled it.
    const t00 = performance.now();
    for (;;) {
      const r = await expect(t, 'GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusterclasses/${CLASS}`, undefined, [200, 404]);
      const cc = r.status === 200 ? (JSON.parse(r.body) as { metadata: { generation?: number }; status?: { observedGeneration?: number } }) : undefined;
      if (cc && cc.status?.observedGeneration === cc.metadata.generation) break;
      if (performance.now() - t00 > 60_000) throw new Error(`ClusterClass ${NS}/${CLASS} not installed and reconciled within 60 s`);
      await sleep(200);
    }
    const clusters = counter.watch(`/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters`, (o) => conditionTrue(o, 'Ready') && conditionTrue(o, 'TopologyReconciled'));
    const ready = perCluster(
      counter,
      (o) => st(o).readyReplicas === 1,
      (o) => st(o).readyReplicas === 1,
    );
    const names = Array.from({ length: n }, (_, i) => `${PREFIX}${String(i).padStart(5, '0')}`);
    const cpu0 = procCpuSeconds(srv.pid);
    const t0 = performance.now();
    const createMs = await pool(n, CONCURRENCY, async (i) => {
      await expect(t, 'POST', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters`, JSON.stringify(clusterObject(names[i]!)), [201]);
    });
    log(`${n} Clusters created in ${(createMs / 1000).toFixed(1)} s`);
    const readyCount = (): number => {
      let k = 0;
      for (const [c, ok] of clusters) if (ok && ready.cps.get(c) && ready.mds.get(c)) k++;
      return k;
    };
    const secondsToReady = await waitUntil('Clusters Ready', n, readyCount, () => `${counter.ready(clusters)} Clusters Ready, ${ready.done()} with control plane and workers ready`, t0, rss);
    const readyCpuS = procCpuSeconds(srv.pid) - cpu0;
    log(`${n} Clusters Ready in ${secondsToReady.toFixed(1)} s (server CPU ${readyCpuS.toFixed(0)} s); upgrading ${FROM} → ${TO}`);

    const upgraded = perCluster(
      counter,
      (o) => {
        const spec = (o.spec ?? {}) as { version?: string };
        const s = st(o);
        return spec.version === TO && s.version === TO && s.updatedReplicas === 1 && s.readyReplicas === 1 && s.replicas === 1;
      },
      (o) => {
        const v = ((o.spec as { template?: { spec?: { version?: string } } } | undefined)?.template?.spec?.version);
        const s = st(o);
        return v === TO && s.updatedReplicas === 1 && s.readyReplicas === 1 && s.replicas === 1;
      },
    );
    const cpu1 = procCpuSeconds(srv.pid);
    const t1 = performance.now();
    const patch = JSON.stringify({ spec: { topology: { version: TO } } });
    await pool(n, CONCURRENCY, async (i) => {
      await expect(t, 'PATCH', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/${names[i]!}`, patch, [200], false, 'application/merge-patch+json');
    });
    const secondsToUpgrade = await waitUntil('Clusters upgraded', n, () => upgraded.done(), () => `${[...upgraded.cps.values()].filter(Boolean).length} control planes, ${[...upgraded.mds.values()].filter(Boolean).length} worker pools at ${TO}`, t1, rss);
    const upgradeCpuS = procCpuSeconds(srv.pid) - cpu1;
    log(`${n} Clusters upgraded in ${secondsToUpgrade.toFixed(1)} s (server CPU ${upgradeCpuS.toFixed(0)} s)`);
    peak = Math.max(peak, procMemory(srv.pid).hwmMiB);
    return { clusters: n, createSeconds: createMs / 1000, secondsToReady, secondsToUpgrade, rssMiB: peak, objects: countObjects(dir).total, readyCpuS, upgradeCpuS };
  } finally {
    counter.stop();
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
  const big = main.clusters >= 1000;
  const table = new FigureTable(results);
  const target = (text: string): string => (big ? text : '');
  const check = (ok: boolean): boolean | undefined => (big ? ok : undefined);
  table.row('Clusters POSTed', (r) => `${r.clusters} in ${r.createSeconds.toFixed(1)} s`);
  table.row('seconds until all Ready', (r) => r.secondsToReady.toFixed(1), target('≤ 360'), check(main.secondsToReady <= 360));
  table.row(`seconds until all upgraded (${FROM} → ${TO})`, (r) => r.secondsToUpgrade.toFixed(1), target('≤ 480'), check(main.secondsToUpgrade <= 480));
  table.row('server CPU: create / upgrade', (r) => `${r.readyCpuS.toFixed(0)} s / ${r.upgradeCpuS.toFixed(0)} s`);
  table.row('server peak RSS (MiB)', (r) => r.rssMiB.toFixed(0), target('≤ 2048'), check(main.rssMiB <= 2048));
  table.row('objects stored', (r) => String(r.objects));
  table.print();
  const first = results[0]!;
  const json: Record<string, unknown> = { bench: 'fleet-topology', clusters: main.clusters, seconds_to_ready: round2(main.secondsToReady), seconds_to_upgrade: round2(main.secondsToUpgrade), rss_mib: round2(main.rssMiB) };
  if (results.length > 1) Object.assign(json, { clusters_small: first.clusters, seconds_to_ready_small: round2(first.secondsToReady), seconds_to_upgrade_small: round2(first.secondsToUpgrade), rss_mib_small: round2(first.rssMiB) });
  process.stdout.write(JSON.stringify(json) + '\n');
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`fleet-topology benchmark failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
