// Dev helper: C concurrent HTTPS clients (default 16) create N ConfigMaps (1 KB each, default
// 12,000, after 1,000 warm-up creates) against a bench server child; prints creates/s, the client's
// CPU per create and every server thread's CPU per create (main thread, V8 workers, thread pool).
//   node --import tsx scripts/dev/load16.ts [N] [C]
// SLIPWAY_BENCH_BUILT=1 runs the compiled server (after `npm run build`); BENCH_SERVER_NODE_ARGS
// passes node flags to it (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, tempDir, removeDir } from '../../bench/support/procs.js';
import { httpsAgent, pool, expect, type Target } from '../../bench/support/http.js';

const N = Number(process.argv[2] ?? '12000');
const C = Number(process.argv[3] ?? '16');
const dir = tempDir('load16-');
const srv = await startServer(dir);
const t: Target = { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: C }) };
const data = { x: 'a'.repeat(1000) };

/** user and system CPU seconds of each server thread, by "tid:name" */
function threads(): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  for (const tid of readdirSync(`/proc/${srv.pid}/task`)) {
    const s = readFileSync(`/proc/${srv.pid}/task/${tid}/stat`, 'utf8');
    const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    m.set(`${tid}:${name}`, [Number(f[11]) / 100, Number(f[12]) / 100]);
  }
  return m;
}
const create = (name: string) => expect(t, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data }), [201]);

await pool(1000, C, async (i) => void (await create(`w${i}`)));
const c0 = process.cpuUsage();
const th0 = threads();
const t0 = performance.now();
await pool(N, C, async (i) => void (await create(`c${i}`)));
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
const th1 = threads();
const perCreate = (s: number): number => Math.round((s * 1e6) / N);
console.log(`creates/s ${Math.round((N / ms) * 1000)} (C=${C}); client µs/create ${Math.round((c.user + c.system) / N)} (user ${Math.round(c.user / N)} sys ${Math.round(c.system / N)})`);
for (const [k, [u, s]] of th1) {
  const [u0, s0] = th0.get(k) ?? [0, 0];
  if (u - u0 + s - s0 > 0) console.log(`  server thread ${k}: user ${perCreate(u - u0)} sys ${perCreate(s - s0)} µs/create`);
}
t.agent.destroy();
await srv.stop();
removeDir(dir);
