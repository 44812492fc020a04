/**
 * Controller-runtime benchmark (in one process, memory storage, loopback HTTPS).
 *
 *   npm run bench -- runtime        (or: node --import tsx bench/runtime.ts)
 *
 * Figures:
 *  1. time from informer start to synced with 10k and 100k ConfigMaps (in-process transport;
 *     objects are seeded straight into storage so seeding time is not measured)
 *  2. events/s through write → informer → work queue → no-op reconcile, in-process and over HTTPS
 *     (N creates by 16 concurrent writers; time until every key has been reconciled once)
 *  3. heap bytes per cached object (small ConfigMap, ~10 data bytes), after GC
 *
 * Environment: BENCH_SCALE=0.1 scales the counts (default 1).
 * Output: a table, then exactly one line of JSON.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { objectKey } from '../src/apiserver/registry.js';
import { inProcessClient, kubeconfigClient, SharedInformer, type Client } from '../src/client/index.js';
import { Manager } from '../src/runtime/manager.js';
import { ManagementPlane } from '../src/server/management-plane.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const scaled = (n: number): number => Math.max(100, Math.round(n * SCALE));
const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

async function seed(plane: ManagementPlane, ns: string, n: number): Promise<void> {
  await plane.objects.create(plane.registry.get('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (let i = 0; i < n; i++) {
    const name = `cm-${i}`;
    const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, uid: randomUUID(), creationTimestamp: now, labels: { app: 'bench' } }, data: { k: `value-${i}` } });
    await plane.store.create(objectKey('', 'configmaps', ns, name), value);
  }
}

async function syncTime(client: Client, ns: string): Promise<{ ms: number; informer: SharedInformer }> {
  const informer = new SharedInformer(client, CM, { namespace: ns });
  const t0 = performance.now();
  informer.start();
  await informer.waitForSync();
  return { ms: performance.now() - t0, informer };
}

async function throughput(client: Client, writer: Client, ns: string, n: number): Promise<number> {
  await writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const seen = new Set<string>();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const mgr = new Manager({ client, processMetrics: false });
  mgr.add({
    name: 'noop',
    for: CM,
    namespace: ns,
    workers: 4,
    reconciler: async (_ctx, req) => {
      seen.add(req.name);
      if (seen.size === n) done();
    },
  });
  await mgr.start();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        await writer.create({ ...CM, metadata: { name: `e-${i}`, namespace: ns }, data: { i: String(i) } });
      }
    }),
  );
  await all;
  const secs = (performance.now() - t0) / 1000;
  await mgr.stop();
  return n / secs;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-runtime-'));
  const plane = await ManagementPlane.start({ dataDir: dir, listen: '127.0.0.1:0', storage: 'memory', logger: pino({ level: 'silent' }) });
  const inproc = inProcessClient(plane.objects);
  const http = await kubeconfigClient(plane.kubeconfigPath);
  const figures: Record<string, number> = {};
  const rows: [string, string, string][] = [];
  try {
    // 1 + 3: sync time, heap per object.
    for (const n of [scaled(10_000), scaled(100_000)]) {
      await seed(plane, `sync-${n}`, n);
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      const { ms, informer } = await syncTime(inproc, `sync-${n}`);
      figures[`sync_ms_${n}`] = Math.round(ms);
      rows.push([`informer sync, ${n} objects (in-process)`, `${Math.round(ms)} ms`, '']);
      if (n === scaled(10_000)) {
        gc();
        const perObject = (process.memoryUsage().heapUsed - heapBefore) / informer.lister.size;
        figures.heap_bytes_per_object = Math.round(perObject);
        rows.push(['heap bytes per cached object', `${Math.round(perObject)} B`, '≤ 2048 B']);
      }
      await informer.stop();
    }
    // 2: events/s.
    const nEvents = scaled(5_000);
    figures.events_per_s_inprocess = Math.round(await throughput(inproc, inproc, 'tp-inproc', nEvents));
    rows.push([`events/s write→informer→queue→reconcile, in-process (${nEvents})`, String(figures.events_per_s_inprocess), '≥ 5000']);
    figures.events_per_s_http = Math.round(await throughput(http, http, 'tp-http', Math.round(nEvents / 2)));
    rows.push([`events/s write→informer→queue→reconcile, HTTPS (${Math.round(nEvents / 2)})`, String(figures.events_per_s_http), '']);
  } finally {
    http.close();
    inproc.close();
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'figure'.padEnd(w)}  ${'value'.padStart(10)}  target`);
  for (const [f, v, tgt] of rows) console.log(`${f.padEnd(w)}  ${v.padStart(10)}  ${tgt}`);
  console.log(JSON.stringify({ bench: 'runtime', ...figures }));
}

await main();
