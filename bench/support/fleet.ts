/** Fleet benchmarks' helpers: per-object readiness counted from watch streams, and the objects a plane stored. */
import * as https from 'node:https';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Target } from './http.js';

export type Obj = Record<string, unknown> & { metadata: { name: string; labels?: Record<string, string> } };

/** Streams a collection's watch events (JSON lines) to `onEvent`; destroy() the returned request to stop. */
export function watchEvents<T = Obj>(t: Target, path: string, onEvent: (type: string, o: T) => void): { destroy(): void } {
  const req = https.request({ host: t.url.hostname, port: t.url.port, path: `${path}?watch=1&allowWatchBookmarks=false`, agent: t.agent, headers: { accept: 'application/json' } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { type: string; object: T };
        onEvent(e.type, e.object);
      }
    });
  });
  req.end();
  return req;
}

/** Watches collections and keeps, per object name, whether a predicate holds for its latest version. */
export class WatchCounter {
  private readonly reqs: { destroy(): void }[] = [];

  constructor(private readonly t: Target) {}

  /** Watch `path` (a collection URL); the returned map follows each object's predicate value, by `keyOf` (its name). */
  watch(path: string, pred: (o: Obj) => boolean, keyOf: (o: Obj) => string = (o) => o.metadata.name): Map<string, boolean> {
    const into = new Map<string, boolean>();
    this.reqs.push(
      watchEvents(this.t, path, (type, o) => {
        if (type === 'DELETED') into.delete(keyOf(o));
        else into.set(keyOf(o), pred(o));
      }),
    );
    return into;
  }


  /** How many objects of a watched map satisfy the predicate now. */
  ready(map: Map<string, boolean>): number {
    let n = 0;
    for (const v of map.values()) if (v) n++;
    return n;
  }

  stop(): void {
    for (const r of this.reqs) r.destroy();
  }
}

/** Keys in a plane's SQLite store: all, and those of workload clusters. */
export function countObjects(dataDir: string): { total: number; workload: number } {
  const db = new Database(join(dataDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const total = (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n;
    const workload = (db.prepare("SELECT count(*) AS n FROM kv WHERE key >= '/clusters/' AND key < '/clusters0'").get() as { n: number }).n;
    return { total, workload };
  } finally {
    db.close();
  }
}


/** The figures table of a fleet benchmark: one column per run, then the target of the last run with PASS/FAIL. */
export class FigureTable<R extends { clusters: number }> {
  private readonly lines: string[][];

  constructor(private readonly results: R[]) {
    this.lines = [['figure', ...results.map((r) => `${r.clusters} clusters`), `target (${results[results.length - 1]!.clusters})`]];
  }

  /** A figure per run; `ok` (when given) marks the target PASS or FAIL. */
  row(figure: string, value: (r: R) => string, target = '', ok?: boolean): void {
    this.lines.push([figure, ...this.results.map(value), ok === undefined ? target : `${target} ${ok ? 'PASS' : 'FAIL'}`]);
  }

  print(): void {
    const widths = this.lines[0]!.map((_, i) => Math.max(...this.lines.map((l) => (l[i] ?? '').length)));
    for (const l of this.lines) process.stdout.write(l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
  }
}

/** Two decimals, for the JSON line. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
