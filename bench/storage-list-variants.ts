import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
const v = 'x'.repeat(1000);
for (const [name, page, wr] of [['rowid', 4096, ''], ['rowid8k', 8192, ''], ['worowid4k', 4096, 'WITHOUT ROWID'], ['worowid8k', 8192, 'WITHOUT ROWID'], ['worowid16k', 16384, 'WITHOUT ROWID']] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'lv-'));
  const db = new Database(join(dir, 'x.db'));
  db.pragma(`page_size = ${page}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -32768');
  db.exec(`CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL) ${wr}`);
  const ins = db.prepare('INSERT INTO kv VALUES (?, ?, ?, ?)');
  const t0 = performance.now();
  for (let b = 0; b < 1250; b++) db.transaction(() => { for (let j = 0; j < 16; j++) { const i = b * 16 + j; ins.run(`/registry/core/configmaps/${i % 2 ? 'ns-b' : 'ns-a'}/cm-${String((i * 7919) % 20000).padStart(6, '0')}`, v, i, i); } })();
  const ins_ms = performance.now() - t0;
  const st = db.prepare('SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key').raw(true);
  const times: string[] = [];
  for (let r = 0; r < 6; r++) {
    (globalThis as any).gc?.();
    const t = performance.now();
    st.all('/registry/core/configmaps/ns-a/', '/registry/core/configmaps/ns-a0');
    times.push((performance.now() - t).toFixed(0));
  }
  const keysOnly = db.prepare('SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key').raw(true);
  const t = performance.now(); keysOnly.all('/registry/core/configmaps/ns-a/', '/registry/core/configmaps/ns-a0');
  console.log(name, 'insert(1250 txns)', ins_ms.toFixed(0), 'ms; list ms', times.join(' '), 'keys-only', (performance.now() - t).toFixed(1));
  db.close();
  rmSync(dir, { recursive: true });
}
