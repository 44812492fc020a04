/**
 * Child processes and temporary directories of the benchmarks, with cleanup that also runs on
 * failure and on SIGINT/SIGTERM: the API server child (bench/support/server-main.ts) and a
 * single-member etcd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  dirs.delete(d);
}

function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
export async function stopChild(c: ChildProcess, graceMs = 5_000): Promise<void> {
  if (alive(c)) {
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const t = setTimeout(() => {
      if (alive(c)) c.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(t);
  }
  children.delete(c);
}

/** Kills every child still running and removes every temp dir (synchronous: usable from 'exit'). */
export function cleanupSync(): void {
  for (const c of children) {
    if (alive(c)) {
      try {
        c.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 3_000)));
  cleanupSync();
}

let handlersInstalled = false;
/** Cleans up on process exit and on SIGINT/SIGTERM/SIGHUP (then exits 130/143/129). */
export function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupSync);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: cleaning up\n`);
      cleanup().finally(() => process.exit(code));
    });
  }
}

import { freePort } from '../../test/support/net.js';

export { freePort };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Memory figures of a process from /proc/PID/status, in MiB. */
export function procMemory(pid: number): { rssMiB: number; hwmMiB: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(s);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
}

/** Cumulative user+system CPU seconds of a process (from /proc/PID/stat). */
export function procCpuSeconds(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface ServerChild {
  url: string;
  pid: number;
  ca: string;
  cert: string;
  key: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Node flags of package.json's start script (32 MiB semi-spaces, twice the default: less time in garbage collection under load). */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

/**
 * Spawns the server child and waits (at most timeoutMs) for its JSON line: the compiled
 * `dist/bench/support/server-main.js` (what `npm start` runs: tsc output) when `npm run bench` has
 * just built it (SLIPWAY_BENCH_BUILT=1), else `--import tsx bench/support/server-main.ts`.
 * BENCH_SERVER_NODE_ARGS (space separated) adds node flags, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
export async function startServer(dataDir: string, timeoutMs = 90_000, env: Record<string, string> = {}): Promise<ServerChild> {
  const extra = [...SERVER_NODE_FLAGS, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  const entry =
    process.env.SLIPWAY_BENCH_BUILT === '1'
      ? [join('dist', 'bench', 'support', 'server-main.js')]
      : ['--import', 'tsx', join('bench', 'support', 'server-main.ts')];
  const proc = spawn(process.execPath, [...extra, ...entry, dataDir], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(proc);
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    if (stderr.length < 64_000) stderr += d;
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[server] ${d}`);
  });
  proc.stdin!.on('error', () => {});
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    proc.stdout!.setEncoding('utf8');
    const onData = (d: string): void => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(t);
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve(out.slice(0, nl));
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code, sig) => {
      clearTimeout(t);
      reject(new Error(`server exited early (code ${code}, signal ${sig})\n${stderr}`));
    });
  });
  const info = JSON.parse(line) as { url: string; pid: number; ca: string; cert: string; key: string };
  return { ...info, proc, stop: () => stopChild(proc, 15_000) };
}

export interface EtcdChild {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts a one-member etcd on loopback ports in a temp data dir; waits for /health. */
export async function startEtcd(bin = process.env.ETCD_BIN ?? '/usr/bin/etcd', timeoutMs = 30_000): Promise<EtcdChild> {
  if (!existsSync(bin)) throw new Error(`etcd binary not found at ${bin} (set ETCD_BIN)`);
  const dataDir = tempDir('slipway-bench-etcd-');
  const clientPort = await freePort();
  let peerPort = await freePort();
  for (let i = 0; i < 10 && peerPort === clientPort; i++) peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(
    bin,
    [
      '--name', 'bench',
      '--data-dir', join(dataDir, 'data'),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bench=${peer}`,
      '--initial-cluster-state', 'new',
      '--logger', 'zap',
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(proc);
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    if (stderr.length < 64_000) stderr += d;
  });
  let exited = false;
  proc.once('exit', () => (exited = true));
  proc.once('error', (e) => {
    exited = true;
    stderr += String(e);
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`etcd exited early\n${stderr}`);
    if (Date.now() > deadline) throw new Error(`etcd not healthy within ${timeoutMs} ms\n${stderr}`);
    try {
      const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { health?: string };
      if (res.ok && body.health === 'true') break;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  return {
    url: client,
    proc,
    dataDir,
    stop: async () => {
      await stopChild(proc, 5_000);
      removeDir(dataDir);
    },
  };
}
