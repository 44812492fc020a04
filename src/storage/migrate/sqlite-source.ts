/**
 * The source of a migration: a stopped plane's SQLite state (DIR/state.db, schema 2 of SqliteStore),
 * read in key order inside one read transaction (one consistent snapshot).
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { otherLockHolders } from './file-locks.js';
import { MigrationError } from './errors.js';

export interface SourceKeyValue {
  key: string;
  value: string;
}

const SUPPORTED_SCHEMA = 2;

export class SqliteSource {
  private readonly stPage: Database.Statement<[string, number], [string, string]>;

  private constructor(
    private readonly db: Database.Database,
    /** The database file. */
    readonly path: string,
    /** The source's current revision (what the SQLite store would report). */
    readonly revision: number,
    /** Number of current keys. */
    readonly keys: number,
  ) {
    this.stPage = db
      .prepare<[string, number], [string, string]>('SELECT kv.key, e.value FROM kv JOIN events e ON e.rev = kv.mod_rev WHERE kv.key > ? ORDER BY kv.key LIMIT ?')
      .raw(true);
  }

  /**
   * Opens DIR/state.db (or a .db file given directly). Refuses a missing or foreign file, a newer or
   * older schema, and a database another process has open (a running plane).
   */
  static open(dirOrFile: string): SqliteSource {
    if (!existsSync(dirOrFile)) throw new MigrationError(`--from: ${dirOrFile} does not exist`);
    const path = statSync(dirOrFile).isDirectory() ? join(dirOrFile, 'state.db') : dirOrFile;
    if (!existsSync(path)) throw new MigrationError(`--from: ${dirOrFile} is not a Slipway data dir (no state.db in it)`);
    const holders = otherLockHolders([path, `${path}-shm`, `${path}-wal`]);
    if (holders?.length) {
      throw new MigrationError(`--from: ${path} is open in another process (pid ${holders.join(', ')}): stop the plane (slipway server) before migrating`);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch (err) {
      throw new MigrationError(`--from: cannot open ${path}: ${messageOf(err)}`);
    }
    try {
      db.pragma('busy_timeout = 2000');
      let tables: string[];
      try {
        tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      } catch (err) {
        throw busyOr(err, `--from: ${path} is not a SQLite database (${messageOf(err)})`, path);
      }
      for (const t of ['kv', 'events', 'meta']) {
        if (!tables.includes(t)) throw new MigrationError(`--from: ${path} is not a Slipway state database (no table ${t})`);
      }
      // One snapshot for the whole copy.
      db.exec('BEGIN');
      const meta = new Map(db.prepare<[], [string, number]>('SELECT k, v FROM meta').raw(true).all());
      const schema = meta.get('schema');
      if (schema !== SUPPORTED_SCHEMA) {
        throw new MigrationError(
          `--from: ${path} has storage schema ${schema ?? 'none'}; this slipway migrates schema ${SUPPORTED_SCHEMA}` +
            (schema !== undefined && schema < SUPPORTED_SCHEMA ? ' (start and stop `slipway server` on it once to upgrade it)' : ''),
        );
      }
      const hi = db.prepare<[], number | null>('SELECT max(rev) FROM events').pluck().get() ?? 0;
      const revision = Math.max(meta.get('rev') ?? 0, hi ?? 0);
      const keys = db.prepare<[], number>('SELECT count(*) FROM kv').pluck().get() ?? 0;
      return new SqliteSource(db, path, revision, keys);
    } catch (err) {
      db.close();
      throw busyOr(err, messageOf(err), path);
    }
  }

  /** The next at most `limit` keys after `afterKey` ('' for the first), in key order. */
  page(afterKey: string, limit: number): SourceKeyValue[] {
    try {
      return this.stPage.all(afterKey, limit).map(([key, value]) => ({ key, value }));
    } catch (err) {
      throw busyOr(err, `reading ${this.path}: ${messageOf(err)}`, this.path);
    }
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // no transaction left
    }
    this.db.close();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A busy or locked database means a plane is using it; anything else keeps its own message. */
function busyOr(err: unknown, message: string, path: string): Error {
  if (err instanceof MigrationError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new MigrationError(`--from: ${path} is busy (locked by another connection): stop the plane (slipway server) before migrating`);
  }
  return new MigrationError(message);
}
