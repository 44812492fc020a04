import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
const dir = mkdtempSync(join(tmpdir(), 'lp-'));
const p = join(dir, 's.db');
const s = SqliteStore.open(p, { compactionIntervalMs: 0 });
const v = 'x'.repeat(1000);
await Promise.all(Array.from({ length: 20000 }, (_, i) => s.create(`/registry/core/configmaps/${i % 2 ? 'ns-b' : 'ns-a'}/cm-${String(i).padStart(6, '0')}`, v)));
const db = new Database(p);
console.log(db.pragma('synchronous', { simple: true }), db.pragma('journal_mode', { simple: true }));
const st = db.prepare("SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key").raw(true);
console.log(db.prepare("EXPLAIN QUERY PLAN SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key").all("a","b"));
for (let r = 0; r < 8; r++) {
  (globalThis as any).gc?.();
  let t = performance.now();
  const rows = st.all('/registry/core/configmaps/ns-a/', '/registry/core/configmaps/ns-a0');
  const a = performance.now() - t;
  t = performance.now();
  const res = await s.list('/registry/core/configmaps/ns-a/');
  console.log(rows.length, 'raw', a.toFixed(1), 'store.list', (performance.now() - t).toFixed(1), res.items.length);
}
