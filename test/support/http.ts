/** Raw HTTPS requests to a test plane, with the admin client certificate or a token. */
import { Agent, request } from 'node:https';
import type { TestPlane } from './plane.js';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  rawBody?: string | Buffer;
  contentType?: string;
  accept?: string;
  /** 'admin' (client certificate, default), 'anonymous', or a bearer token. */
  auth?: 'admin' | 'anonymous' | { token: string };
}

export function httpClient(t: TestPlane): (path: string, opts?: RequestOptions) => Promise<HttpResult> {
  const agents = new Map<string, Agent>();
  const agentFor = (auth: RequestOptions['auth']): Agent => {
    const key = auth === 'admin' || auth === undefined ? 'admin' : 'plain';
    let a = agents.get(key);
    if (!a) {
      const pki = t.plane.pki;
      a = new Agent({ keepAlive: false, ca: pki.ca.certPem, ...(key === 'admin' ? { cert: pki.admin.certPem, key: pki.admin.keyPem } : {}) });
      agents.set(key, a);
    }
    return a;
  };
  return (path, opts = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, t.plane.url);
      const headers: Record<string, string> = {};
      let payload: string | Buffer | undefined = opts.rawBody;
      if (opts.body !== undefined) payload = JSON.stringify(opts.body);
      if (payload !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
      if (opts.accept) headers['Accept'] = opts.accept;
      if (opts.auth && typeof opts.auth === 'object') headers['Authorization'] = `Bearer ${opts.auth.token}`;
      const req = request(url, { method: opts.method ?? 'GET', headers, agent: agentFor(opts.auth) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
}

/** Open a watch stream and collect its events until stopped. */
export function watchStream(t: TestPlane, path: string): { events: { type: string; object: Record<string, unknown> }[]; stop(): void; ended: Promise<void> } {
  const events: { type: string; object: Record<string, unknown> }[] = [];
  const pki = t.plane.pki;
  let stopFn = (): void => undefined;
  const ended = new Promise<void>((resolve, reject) => {
    const req = request(new URL(path, t.plane.url), { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem, agent: false }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
        }
      });
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', (e) => (events.length ? resolve() : reject(e)));
    req.end();
    stopFn = () => {
      req.destroy();
      resolve();
    };
  });
  return { events, stop: () => stopFn(), ended };
}
