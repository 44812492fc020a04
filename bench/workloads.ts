/**
 * Workloads benchmark: one workload cluster on the sim provider with N worker Nodes (one control plane, a
 * MachineDeployment of N, boot time 0), then P Pods through D Deployments created on the cluster's own endpoint
 * (16 concurrent clients), in a ManagementPlane child process (SQLite). Pods start and turn Ready instantly (the sim
 * kubelet's delays are 0), so the figures measure the plane: API writes, the ReplicaSet controller, the scheduler and
 * the kubelet's status writes.
 *
 *   npm run bench -- workloads
 *
 * Figures: pods, pods_scheduled_per_s (Pods bound per second, from the first bind to the last, seen on a watch),
 * seconds_to_running (from the first Deployment POST until every Pod is Running), rss_mib (server peak RSS).
 * Targets on a 2-core machine with 100 Nodes and 10,000 Pods: ≥ 1,000 Pods/s scheduled, ≤ 30 s, ≤ 1,024 MiB.
 *
 * Environment: BENCH_NODES=100, BENCH_PODS=10000, BENCH_DEPLOYMENTS=100, BENCH_VERBOSE=1 (server stderr),
 * BENCH_SERVER_NODE_ARGS (node flags of the server child, e.g. --cpu-prof).
 */
import YAML from 'yaml';
import { expect, httpsAgent, pool, type Target } from './support/http.js';
import { round2, watchEvents } from './support/fleet.js';
import { cleanup, installCleanupHandlers, procMemory, removeDir, sleep, startServer, tempDir, type ServerChild } from './support/procs.js';

const NODES = Number(process.env.BENCH_NODES ?? 100);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 100);
const CONCURRENCY = 16;
const NS = 'bench';
const CLUSTER = 'load';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000);

const log = (m: string): void => void process.stderr.write(`[workloads] ${m}\n`);

function planeTarget(srv: ServerChild): Target {
  return { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: CONCURRENCY + 4 }) };
}

const post = (t: Target, path: string, obj: unknown): Promise<unknown> => expect(t, 'POST', path, JSON.stringify(obj), [201]);

async function getJson<T>(t: Target, path: string): Promise<T> {
  return JSON.parse((await expect(t, 'GET', path, undefined, [200])).body) as T;
}

/** The cluster's objects in upstream's quick-start shape: workers sized so that P/N Pods fit on each. */
function clusterObjects(): { path: string; obj: unknown }[] {
  const boot = { provisioningSeconds: 0, provisioningJitterSeconds: 0, nodeReadySeconds: 0 };
  const v = 'v1.31.2';
  return [
    { path: `/api/v1/namespaces`, obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } },
    { path: `/apis/infrastructure.slipway.dev/v1alpha1/namespaces/${NS}/simmachinetemplates`, obj: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', metadata: { name: 'cp' }, spec: { template: { spec: { numCPUs: 4, memoryMiB: 8192, behaviour: boot } } } } },
    { path: `/apis/infrastructure.slipway.dev/v1alpha1/namespaces/${NS}/simmachinetemplates`, obj: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', metadata: { name: 'worker' }, spec: { template: { spec: { numCPUs: 64, memoryMiB: 262144, behaviour: boot } } } } },
    { path: `/apis/bootstrap.cluster.x-k8s.io/v1beta1/namespaces/${NS}/kubeadmconfigtemplates`, obj: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', metadata: { name: 'worker' }, spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: { 'node-labels': 'pool=md-0' } } } } } } } },
    {
      path: `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters`,
      obj: {
        apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: CLUSTER },
        spec: {
          clusterNetwork: { pods: { cidrBlocks: ['10.0.0.0/8'] }, services: { cidrBlocks: ['10.128.0.0/12'] } },
          controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: `${CLUSTER}-cp` },
          infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', name: CLUSTER },
        },
      },
    },
    { path: `/apis/infrastructure.slipway.dev/v1alpha1/namespaces/${NS}/simclusters`, obj: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimCluster', metadata: { name: CLUSTER }, spec: { provisioningSeconds: 0 } } },
    {
      path: `/apis/controlplane.cluster.x-k8s.io/v1beta1/namespaces/${NS}/kubeadmcontrolplanes`,
      obj: {
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: { name: `${CLUSTER}-cp` },
        spec: { replicas: 1, version: v, machineTemplate: { infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'cp' } }, kubeadmConfigSpec: {} },
      },
    },
    {
      path: `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments`,
      obj: {
        apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { name: `${CLUSTER}-md-0` },
        spec: {
          clusterName: CLUSTER, replicas: NODES, selector: { matchLabels: null },
          template: {
            spec: {
              clusterName: CLUSTER, version: v,
              bootstrap: { configRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'worker' } },
              infrastructureRef: { apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', name: 'worker' },
            },
          },
        },
      },
    },
  ];
}

/** A client of the workload cluster from its kubeconfig Secret (server, CA, client certificate, TLS server name). */
async function workloadTarget(plane: Target): Promise<Target> {
  const secret = await getJson<{ data: { value: string } }>(plane, `/api/v1/namespaces/${NS}/secrets/${CLUSTER}-kubeconfig`);
  const cfg = YAML.parse(Buffer.from(secret.data.value, 'base64').toString('utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string; 'tls-server-name'?: string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const c = cfg.clusters[0]!.cluster;
  const u = cfg.users[0]!.user;
  const dec = (b: string): string => Buffer.from(b, 'base64').toString('utf8');
  return {
    url: new URL(c.server),
    agent: httpsAgent({ ca: dec(c['certificate-authority-data']), cert: dec(u['client-certificate-data']), key: dec(u['client-key-data']), maxSockets: CONCURRENCY + 4, servername: c['tls-server-name'] }),
  };
}

function deployment(i: number, replicas: number): unknown {
  const app = `app-${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

interface PodProgress {
  /** Pods seen at all (created). */
  created: number;
  bound: number;
  running: number;
  firstBindMs?: number;
  lastBindMs?: number;
  allRunningMs?: number;
}

/** Watch the workload cluster's Pods: count bound and Running ones, and when they got there. */
function watchPods(t: Target, total: number): { progress: PodProgress; stop(): void } {
  const progress: PodProgress = { created: 0, bound: 0, running: 0 };
  const seen = new Set<string>();
  const boundSet = new Set<string>();
  const runningSet = new Set<string>();
  type PodEventObject = { metadata: { namespace: string; name: string }; spec?: { nodeName?: string }; status?: { phase?: string } };
  const req = watchEvents<PodEventObject>(t, '/api/v1/pods', (_type, o) => {
    if (o.metadata.namespace !== 'default') return;
    const key = o.metadata.name;
    const now = Date.now();
    if (!seen.has(key)) {
      seen.add(key);
      progress.created = seen.size;
    }
    if (o.spec?.nodeName && !boundSet.has(key)) {
      boundSet.add(key);
      progress.bound = boundSet.size;
      progress.firstBindMs ??= now;
      progress.lastBindMs = now;
    }
    if (o.status?.phase === 'Running' && !runningSet.has(key)) {
      runningSet.add(key);
      progress.running = runningSet.size;
      if (progress.running === total) progress.allRunningMs = now;
    }
  });
  return { progress, stop: () => req.destroy() };
}

async function main(): Promise<void> {
  installCleanupHandlers();
  process.env.BENCH_WORKLOAD_BEHAVIOUR = JSON.stringify({ containerStartSeconds: 0, readinessSeconds: 0, jobRunSeconds: 0 });
  const dataDir = tempDir('slipway-bench-workloads-');
  const srv = await startServer(dataDir);
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, procMemory(srv.pid).hwmMiB);
    } catch {
      /* exited */
    }
  }, 500);
  try {
    const plane = planeTarget(srv);
    log(`creating cluster ${NS}/${CLUSTER} with ${NODES} worker Nodes`);
    for (const o of clusterObjects()) await post(plane, o.path, o.obj);
    const setupStart = Date.now();
    for (;;) {
      const md = await getJson<{ status?: { readyReplicas?: number } }>(plane, `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments/${CLUSTER}-md-0`);
      if ((md.status?.readyReplicas ?? 0) >= NODES) break;
      if (Date.now() - setupStart > TIMEOUT_MS) throw new Error(`only ${md.status?.readyReplicas ?? 0} of ${NODES} workers Ready after ${TIMEOUT_MS} ms`);
      await sleep(1000);
    }
    log(`${NODES} workers Ready in ${round2((Date.now() - setupStart) / 1000)} s`);
    const wl = await workloadTarget(plane);
    const watch = watchPods(wl, PODS);
    await sleep(500);
    const per = Math.floor(PODS / DEPLOYMENTS);
    const start = Date.now();
    await pool(DEPLOYMENTS, CONCURRENCY, async (i) => {
      await post(wl, '/apis/apps/v1/namespaces/default/deployments', deployment(i, i === DEPLOYMENTS - 1 ? PODS - per * (DEPLOYMENTS - 1) : per));
    });
    log(`${DEPLOYMENTS} Deployments created in ${round2((Date.now() - start) / 1000)} s`);
    let lastLog = 0;
    while (watch.progress.allRunningMs === undefined) {
      if (Date.now() - start > TIMEOUT_MS) throw new Error(`${watch.progress.running} of ${PODS} Pods Running after ${TIMEOUT_MS} ms (${watch.progress.bound} bound)`);
      if (Date.now() - lastLog > Number(process.env.BENCH_PROGRESS_MS ?? 5000)) {
        lastLog = Date.now();
        log(`${watch.progress.created} created, ${watch.progress.bound} bound, ${watch.progress.running} Running (${round2((Date.now() - start) / 1000)} s)`);
      }
      await sleep(100);
    }
    watch.stop();
    const p = watch.progress;
    const secondsToRunning = (p.allRunningMs! - start) / 1000;
    const bindSpan = Math.max(0.001, (p.lastBindMs! - p.firstBindMs!) / 1000);
    const podsPerS = p.bound / bindSpan;
    peak = Math.max(peak, procMemory(srv.pid).hwmMiB);
    const rows: [string, string, string][] = [
      ['figure', 'value', 'target'],
      ['nodes', String(NODES), ''],
      ['pods', String(PODS), ''],
      ['pods scheduled/s', round2(podsPerS).toFixed(0), `>= 1000 ${podsPerS >= 1000 ? 'PASS' : 'FAIL'}`],
      ['seconds to Running', round2(secondsToRunning).toFixed(2), `<= 30 ${secondsToRunning <= 30 ? 'PASS' : 'FAIL'}`],
      ['plane peak RSS MiB', round2(peak).toFixed(0), `<= 1024 ${peak <= 1024 ? 'PASS' : 'FAIL'}`],
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
    process.stdout.write(JSON.stringify({ bench: 'workloads', nodes: NODES, pods: PODS, pods_scheduled_per_s: round2(podsPerS), seconds_to_running: round2(secondsToRunning), rss_mib: round2(peak) }) + '\n');
  } finally {
    clearInterval(sampler);
    await srv.stop();
    await cleanup();
    removeDir(dataDir);
  }
}

await main();
