/** Minimal HTTP(S) client helpers for the benchmarks (node:https / node:http with keep-alive). */
import * as http from 'node:http';
import * as https from 'node:https';

export interface Response {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** ms from sending the request until the response headers arrived */
  ttfbMs: number;
  /** body length in bytes */
  bytes: number;
}

export interface Target {
  /** Base URL, e.g. https://127.0.0.1:6443 or http://127.0.0.1:2379 */
  url: URL;
  agent: http.Agent;
  /** Bearer token sent with every request (otherwise the agent's client certificate identifies the caller). */
  token?: string;
}

export function httpsAgent(opts: { ca: string; cert: string; key: string; maxSockets: number; keepAlive?: boolean; servername?: string }): https.Agent {
  return new https.Agent({ keepAlive: opts.keepAlive ?? true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, ca: opts.ca, cert: opts.cert, key: opts.key, ...(opts.servername ? { servername: opts.servername } : {}) });
}

export function httpAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/**
 * One request; resolves with the whole body (as a string) once it has been received.
 * With discardBody the body is only counted (`bytes`) and `body` is '' (no client-side copies).
 */
export function request(t: Target, method: string, path: string, body?: string, timeoutMs = 60_000, discardBody = false, contentType = 'application/json'): Promise<Response> {
  const mod = t.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (t.token) headers.authorization = `Bearer ${t.token}`;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = Buffer.byteLength(body);
    }
    const t0 = performance.now();
    const req = mod.request({ host: t.url.hostname, port: t.url.port, method, path, agent: t.agent, headers }, (res) => {
      const ttfbMs = performance.now() - t0;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (!discardBody) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: discardBody ? '' : Buffer.concat(chunks).toString('utf8'), bytes, headers: res.headers, ttfbMs }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Like request() but throws unless the status is one of `ok`. */
export async function expect(t: Target, method: string, path: string, body: string | undefined, ok: number[], discardBody = false, contentType?: string): Promise<Response> {
  const r = await request(t, method, path, body, 60_000, discardBody, contentType);
  if (!ok.includes(r.status)) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
  return r;
}

/**
 * Runs fn(0..n-1) with `concurrency` workers pulling indices from a shared counter (closed loop).
 * Returns the wall time in ms.
 */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, async () => {
      while (next < n) {
        const i = next++;
        await fn(i);
      }
    }),
  );
  return performance.now() - t0;
}

/** Nearest-rank percentile (p in 0..1) of an ascending sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[idx]!;
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 0.5);
}
