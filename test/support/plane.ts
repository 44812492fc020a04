/** Test support: a real management plane on a loopback port, and the real kubectl against it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManagementPlane, type ManagementPlaneOptions } from '../../src/server/management-plane.js';

export interface TestPlane {
  plane: ManagementPlane;
  dataDir: string;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function startPlane(opts: Partial<ManagementPlaneOptions> = {}): Promise<TestPlane> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'slipway-test-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'slipway-kubectl-cache-'));
  const logger = pino({ level: process.env.SLIPWAY_TEST_LOG ?? 'silent' });
  let plane = await ManagementPlane.start({ listen: '127.0.0.1:0', logger, ...opts, dataDir });
  let listen = new URL(plane.url).host;
  const t: TestPlane = {
    get plane() {
      return plane;
    },
    dataDir,
    kubectl(args, o = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', plane.kubeconfigPath, '--cache-dir', cacheDir, ...args],
          { timeout: o.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECTL_INTERACTIVE_DELETE: 'false', HOME: cacheDir } },
          (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
        if (o.input !== undefined) child.stdin!.end(o.input);
        else child.stdin!.end();
      });
    },
    async restart() {
      await plane.stop();
      plane = await ManagementPlane.start({ logger, ...opts, dataDir, listen });
      listen = new URL(plane.url).host;
    },
    async close() {
      await plane.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Poll until `fn` returns a truthy value (or throw after timeoutMs). */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
