// Dev helper: 16 concurrent HTTPS clients creating N ConfigMaps against a bench server child.
import { startServer, tempDir, removeDir } from '../../bench/support/procs.js';
import { httpsAgent, pool, expect, type Target } from '../../bench/support/http.js';
const N = Number(process.argv[2] ?? '12000');
const dir = tempDir('load16-');
const srv = await startServer(dir);
const t: Target = { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: 16 }) };
const data = { x: 'a'.repeat(1000) };
const t0 = performance.now();
await pool(N, 16, async (i) => {
  await expect(t, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data }), [201]);
});
console.log('creates/s', Math.round((N / (performance.now() - t0)) * 1000));
await srv.stop();
removeDir(dir);
