/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside a commit on the
 * committing thread and waits there for two fsyncs (WAL, then database file); here the event loop
 * goes on serving requests while another connection copies the WAL into the database.
 * The worker starts on the first checkpoint (short-lived stores never start one).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointResult {
  /** A reader or writer kept the checkpoint from finishing. */
  busy: boolean;
  /** Frames in the WAL when the checkpoint ran. */
  walFrames: number;
  /** Frames copied into the database (all of them when it equals walFrames). */
  checkpointed: number;
}

/**
 * The worker thread's code (CommonJS, evaluated: no module file to resolve, so it runs the same
 * from the TypeScript sources under tsx and from the compiled output). Its own connection runs
 * `PRAGMA wal_checkpoint(PASSIVE)` when asked; synchronous=NORMAL makes the checkpoint sync the WAL
 * before copying and the database file after, on this thread. Messages in: 'checkpoint' | 'close';
 * out: { result: CheckpointResult } | { error: string }.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
parentPort.on('message', (msg) => {
  if (msg === 'close') {
    if (db) db.close();
    db = undefined;
    parentPort.close();
    return;
  }
  if (msg !== 'checkpoint') return;
  try {
    if (!db) {
      db = new Database(workerData.path);
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
    }
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ result: { busy: row.busy !== 0, walFrames: row.log, checkpointed: row.checkpointed } });
  } catch (e) {
    parentPort.postMessage({ error: e && e.message ? e.message : String(e) });
  }
});
`;
const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

export class WalCheckpointer {
  private worker: Worker | undefined;
  private waiting: { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void } | undefined;
  private closed = false;

  constructor(private readonly dbPath: string) {}

  /** Runs one PASSIVE checkpoint on the worker thread; one at a time. */
  run(): Promise<CheckpointResult> {
    if (this.closed) return Promise.reject(new Error('checkpointer is closed'));
    if (this.waiting) return Promise.reject(new Error('a checkpoint is already running'));
    const worker = (this.worker ??= this.start());
    return new Promise<CheckpointResult>((resolve, reject) => {
      this.waiting = { resolve, reject };
      worker.postMessage('checkpoint');
    });
  }

  /** Waits for a running checkpoint, then stops the worker (closing its connection). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.ref(); // keep the event loop alive until the worker has closed its connection
      w.postMessage('close');
    });
  }

  private start(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: this.dbPath, driver: DRIVER } });
    w.unref();
    w.on('message', (m: { result?: CheckpointResult; error?: string }) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (!waiting) return;
      if (m.result) waiting.resolve(m.result);
      else waiting.reject(new Error(`WAL checkpoint failed: ${m.error ?? 'unknown error'}`));
    });
    const fail = (err: Error): void => {
      this.worker = undefined;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (!this.closed) fail(new Error(`WAL checkpoint worker exited with code ${code}`));
    });
    return w;
  }
}
