/**
 * SqliteStore micro benchmark: durable group-committed creates from concurrent writers, list latency,
 * and watch replay throughput.
 *
 *   node --import tsx bench/storage-sqlite.ts [writers=16] [total=20000] [valueBytes=1024]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const writers = Number(process.argv[2] ?? 16);
const total = Number(process.argv[3] ?? 20_000);
const valueBytes = Number(process.argv[4] ?? 1024);

function value(i: number): string {
  const head = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-${i}","namespace":"ns"},"data":{"k":"`;
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, valueBytes - head.length - tail.length)) + tail;
}

const figures: Record<string, number> = {};
const r1 = (x: number): number => Math.round(x * 10) / 10;

const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const store = SqliteStore.open(join(dir, 'store.db'), { compactionIntervalMs: 0 });
try {
  // Half the keys in each of two namespaces, so a list of one namespace returns total/2 items.
  let next = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const ns = i % 2 ? 'ns-b' : 'ns-a';
        const s = performance.now();
        await store.create(`/registry/core/configmaps/${ns}/cm-${String(i).padStart(6, '0')}`, value(i));
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number): string => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(2);
  const st = store.stats();
  console.log(`creates: ${total} x ${valueBytes} B from ${writers} writers in ${secs.toFixed(2)} s = ${Math.round(total / secs)} creates/s`);
  console.log(`  latency ms p50 ${pct(0.5)} p99 ${pct(0.99)} max ${pct(1)}; transactions ${st.batches}, avg batch ${(st.writes / st.batches).toFixed(1)}, max batch ${st.maxBatch}`);
  figures.creates_per_s = Math.round(total / secs);
  figures.create_p99_ms = Number(pct(0.99));
  figures.avg_batch = r1(st.writes / st.batches);

  // Back-to-back full lists (each allocates ~10 MB of strings: young-generation GC shows up),
  // then lists spaced 100 ms apart, as requests to a server would be.
  const prefix = '/registry/core/configmaps/ns-a/';
  for (const [label, gapMs] of [['back-to-back', 0], ['spaced 100 ms', 100]] as const) {
    const times: number[] = [];
    for (let run = 0; run < 10; run++) {
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      const s = performance.now();
      const res = await store.list(prefix);
      times.push(performance.now() - s);
      if (res.items.length !== total / 2) throw new Error(`list returned ${res.items.length}`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    figures[gapMs ? 'list_spaced_ms' : 'list_back_to_back_ms'] = r1(sorted[5]!);
    console.log(
      `list ${total / 2} items (${label}): median ${sorted[5]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)}, max ${sorted[9]!.toFixed(1)} [${times.map((t) => t.toFixed(0)).join(' ')}]`,
    );
  }
  {
    const s = performance.now();
    let pages = 0;
    let count = 0;
    let startAfter: string | undefined;
    for (;;) {
      const res = await store.list('/registry/core/configmaps/ns-a/', { limit: 500, startAfter });
      pages++;
      count += res.items.length;
      if (!res.more) break;
      startAfter = res.items[res.items.length - 1]!.key;
    }
    figures.paged_list_ms = r1(performance.now() - s);
    console.log(`paged list (limit 500): ${count} items in ${pages} pages: ${figures.paged_list_ms} ms`);
  }
  {
    const s = performance.now();
    let got = 0;
    await new Promise<void>((resolve) => {
      const w = store.watch('/registry/core/configmaps/ns-b/', 1, () => {
        if (++got === total / 2) {
          w.stop();
          resolve();
        }
      });
    });
    figures.watch_replay_ms = r1(performance.now() - s);
    console.log(`watch replay of ${got} events: ${figures.watch_replay_ms} ms`);
  }
  console.log(JSON.stringify({ bench: 'storage-sqlite', ...figures }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
