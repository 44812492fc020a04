/**
 * IPAM benchmark: fill a /16 InClusterIPPool (65,534 addresses) with IPAddressClaims POSTed by 16 concurrent
 * clients to a ManagementPlane child process (SQLite), as `npm start` runs it. Every claim's address is seen on a
 * watch of the claims (status.addressRef set).
 *
 *   npm run bench -- ipam
 *
 * Figures: claims, claims_per_s (claims addressed per second, first POST to last address), p99_ms (a claim's POST to
 * its address on the watch, 99th percentile), rss_mib (server peak RSS), cost_ratio_60k_1k (seconds per addressed
 * claim around 60,000 used addresses divided by the same around 1,000: allocation must not slow down as the pool
 * fills), duplicates (addresses held by more than one IPAddress at the end, from a LIST).
 * Targets on a 2-core machine: the /16 filled in ≤ 90 s, no duplicates, cost ratio ≤ 2.
 *
 * Environment: BENCH_CLAIMS (default 65534: the whole /16), BENCH_TIMEOUT_MS, BENCH_VERBOSE=1 (server stderr),
 * BENCH_SERVER_NODE_ARGS (node flags of the server child).
 */
import { expect, httpsAgent, percentile, pool, type Target } from './support/http.js';
import { round2, watchEvents } from './support/fleet.js';
import { cleanup, installCleanupHandlers, procMemory, removeDir, sleep, startServer, tempDir } from './support/procs.js';

const POOL_SIZE = 65_534;
const CLAIMS = Math.min(POOL_SIZE, Number(process.env.BENCH_CLAIMS ?? POOL_SIZE));
const CONCURRENCY = 16;
const NS = 'bench';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000);
const CLAIMS_PATH = `/apis/ipam.cluster.x-k8s.io/v1beta1/namespaces/${NS}/ipaddressclaims`;

const log = (m: string): void => void process.stderr.write(`[ipam] ${m}\n`);

interface Claim {
  metadata: { name: string };
  status?: { addressRef?: { name?: string } };
}

/** Seconds per addressed claim between the `from`-th and `to`-th address (in arrival order). */
function secondsPerClaim(arrivals: number[], from: number, to: number): number {
  return (arrivals[to]! - arrivals[from]!) / 1000 / (to - from);
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const dir = tempDir('slipway-bench-ipam-');
  const srv = await startServer(dir);
  const t: Target = { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: CONCURRENCY + 4 }) };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, procMemory(srv.pid).rssMiB)), 250);
  try {
    await expect(t, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), [201]);
    await expect(t, 'POST', `/apis/ipam.cluster.x-k8s.io/v1alpha2/namespaces/${NS}/inclusterippools`, JSON.stringify({ apiVersion: 'ipam.cluster.x-k8s.io/v1alpha2', kind: 'InClusterIPPool', metadata: { name: 'fill' }, spec: { addresses: ['10.20.0.0/16'], prefix: 16 } }), [201]);

    const sent = new Map<string, number>();
    const addressed = new Map<string, number>();
    const arrivals: number[] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    const watch = watchEvents<Claim>(t, CLAIMS_PATH, (type, c) => {
      if (type === 'DELETED' || !c.status?.addressRef?.name || addressed.has(c.metadata.name)) return;
      const now = performance.now();
      addressed.set(c.metadata.name, now);
      arrivals.push(now);
      if (addressed.size === CLAIMS) done();
    });
    await sleep(200);
    const progress = setInterval(() => log(`${sent.size} claims POSTed, ${addressed.size} addressed; RSS ${procMemory(srv.pid).rssMiB.toFixed(0)} MiB`), 5_000);
    const t0 = performance.now();
    const body = (i: number): string => JSON.stringify({ apiVersion: 'ipam.cluster.x-k8s.io/v1beta1', kind: 'IPAddressClaim', metadata: { name: `c-${i}` }, spec: { poolRef: { apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: 'fill' } } });
    const postMs = await pool(CLAIMS, CONCURRENCY, async (i) => {
      sent.set(`c-${i}`, performance.now());
      await expect(t, 'POST', CLAIMS_PATH, body(i), [201], true);
    });
    log(`${CLAIMS} claims POSTed in ${(postMs / 1000).toFixed(1)} s`);
    const timeout = sleep(TIMEOUT_MS).then(() => {
      throw new Error(`timed out: ${addressed.size}/${CLAIMS} claims addressed`);
    });
    await Promise.race([all, timeout]);
    clearInterval(progress);
    watch.destroy();
    const seconds = (Math.max(...arrivals) - t0) / 1000;
    const latencies = [...addressed].map(([name, at]) => at - sent.get(name)!).sort((a, b) => a - b);

    // Duplicates, from the stored IPAddresses.
    const list = JSON.parse((await expect(t, 'GET', `/apis/ipam.cluster.x-k8s.io/v1beta1/namespaces/${NS}/ipaddresses`, undefined, [200])).body) as { items: { spec: { address: string } }[] };
    const seen = new Map<string, number>();
    for (const a of list.items) seen.set(a.spec.address, (seen.get(a.spec.address) ?? 0) + 1);
    const duplicates = [...seen.values()].filter((n) => n > 1).length;

    const lowAt = Math.min(1_000, Math.floor(CLAIMS * 0.05));
    const highAt = CLAIMS >= 61_000 ? 60_000 : Math.floor(CLAIMS * 0.9);
    const half = Math.max(10, Math.min(500, Math.floor(CLAIMS * 0.01)));
    const costLow = secondsPerClaim(arrivals, Math.max(0, lowAt - half), lowAt + half);
    const costHigh = secondsPerClaim(arrivals, highAt - half, Math.min(arrivals.length - 1, highAt + half));
    const perS = CLAIMS / seconds;
    const rows: [string, string, string][] = [
      ['claims (a /16 InClusterIPPool)', String(CLAIMS), ''],
      ['IPAddresses stored', String(list.items.length), ''],
      ['seconds until every claim has its address', seconds.toFixed(1), `≤ 90 ${seconds <= 90 ? 'PASS' : 'FAIL'}`],
      ['claims addressed per second', perS.toFixed(0), ''],
      ['claim POST → address, p50 / p99 (ms)', `${percentile(latencies, 0.5).toFixed(0)} / ${percentile(latencies, 0.99).toFixed(0)}`, ''],
      [`ms per claim around ${lowAt} / ${highAt} used`, `${(costLow * 1000).toFixed(3)} / ${(costHigh * 1000).toFixed(3)}`, ''],
      ['cost ratio (high / low)', (costHigh / costLow).toFixed(2), `≤ 2 ${costHigh / costLow <= 2 ? 'PASS' : 'FAIL'}`],
      ['addresses held twice', String(duplicates), `0 ${duplicates === 0 ? 'PASS' : 'FAIL'}`],
      ['server peak RSS (MiB)', peak.toFixed(0), ''],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`${'figure'.padEnd(w)}  ${'value'.padStart(14)}  target`);
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(14)}  ${c}`);
    console.log(JSON.stringify({ bench: 'ipam', claims: CLAIMS, seconds: round2(seconds), claims_per_s: round2(perS), p99_ms: round2(percentile(latencies, 0.99)), cost_ratio_60k_1k: round2(costHigh / costLow), duplicates, rss_mib: round2(peak) }));
  } finally {
    clearInterval(sampler);
    await srv.stop();
    removeDir(dir);
    await cleanup();
  }
}

await main();
