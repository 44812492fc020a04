/**
 * Child-process entry of the API-server benchmarks: starts a ManagementPlane (SQLite storage, or
 * the in-memory store with BENCH_STORAGE=memory, to separate storage cost from the rest) on
 * 127.0.0.1 with a free port and prints ONE line of JSON on stdout:
 *   {"url":"https://127.0.0.1:PORT","pid":N,"ca":PEM,"cert":PEM,"key":PEM}
 * Logs (pino, level warn unless SLIPWAY_BENCH_LOG_LEVEL) go to stderr.
 *
 *   node --import tsx bench/support/server-main.ts DATA_DIR
 *
 * Stops gracefully (so that --cpu-prof / --heap-prof profiles get written) on SIGTERM/SIGINT, or
 * when its stdin closes (the parent went away).
 */
import { appendFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { destination, pino } from 'pino';
import { limitHeapGrowth } from '../../src/server/heap-growth.js';
import { ManagementPlane } from '../../src/server/management-plane.js';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: server-main.ts DATA_DIR\n');
  process.exit(2);
}

// As `slipway server`: the old generation grows at most 100 % between full collections.
limitHeapGrowth();
const logger = pino({ name: 'slipway-bench', level: process.env.SLIPWAY_BENCH_LOG_LEVEL ?? 'warn' }, destination(2));
// BENCH_WORKLOAD_BEHAVIOUR: JSON of the simulated Pods' timings (e.g. {"containerStartSeconds":0}).
const workloadBehaviour = process.env.BENCH_WORKLOAD_BEHAVIOUR ? (JSON.parse(process.env.BENCH_WORKLOAD_BEHAVIOUR) as Record<string, number>) : undefined;
// BENCH_STORAGE=memory|etcd (etcd: BENCH_ETCD_SERVERS=URL,...); BENCH_TOKEN_FILE: static tokens (RBAC benchmarks).
const storage = process.env.BENCH_STORAGE === 'memory' ? 'memory' : process.env.BENCH_STORAGE === 'etcd' ? 'etcd' : 'sqlite';
const etcd = storage === 'etcd' ? { servers: (process.env.BENCH_ETCD_SERVERS ?? '').split(',').filter(Boolean), prefix: process.env.BENCH_ETCD_PREFIX } : undefined;
const plane = await ManagementPlane.start({ dataDir, listen: '127.0.0.1:0', logger, storage, etcd, tokenFile: process.env.BENCH_TOKEN_FILE, workloadBehaviour });

// BENCH_HEAP_LOG=FILE: one line per second of heap figures (MiB), and one per mark-compact, for memory work.
const heapLog = process.env.BENCH_HEAP_LOG;
if (heapLog) {
  const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
  const t0 = Date.now();
  const line = (what: string): void => {
    const h = v8.getHeapStatistics();
    const m = process.memoryUsage();
    appendFileSync(heapLog, `${((Date.now() - t0) / 1000).toFixed(1)}s ${what} rss=${mib(m.rss)} heapTotal=${mib(h.total_heap_size)} used=${mib(h.used_heap_size)} limit=${mib(h.heap_size_limit)} external=${mib(m.external)}\n`);
  };
  setInterval(() => line('tick'), 1000).unref();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 4) line(`major-gc ${e.duration.toFixed(0)}ms`); // NODE_PERFORMANCE_GC_MAJOR
    }
  }).observe({ entryTypes: ['gc'] });
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const hard = setTimeout(() => process.exit(code || 1), 10_000);
  hard.unref();
  // Storage counters (group commits, checkpoints, commit holds) for BENCH_VERBOSE=1 readers.
  const stats = (plane.objects.store as { stats?: () => unknown }).stats?.();
  if (stats) process.stderr.write(`server-main: store stats ${JSON.stringify(stats)}\n`);
  try {
    await plane.stop();
  } catch (e) {
    process.stderr.write(`server-main: stop failed: ${String(e)}\n`);
  }
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.stdin.on('end', () => void shutdown(0));
process.stdin.on('close', () => void shutdown(0));
process.stdin.on('error', () => void shutdown(0));
process.stdin.resume();

process.stdout.write(
  JSON.stringify({ url: plane.url, pid: process.pid, ca: plane.pki.ca.certPem, cert: plane.pki.admin.certPem, key: plane.pki.admin.keyPem }) + '\n',
);
