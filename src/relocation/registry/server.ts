/** startRegistry: the built-in OCI registry on node:http or node:https. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { RegistryHandler, type RegistryLogger } from './handler.js';
import { HtpasswdAuthenticator } from './htpasswd.js';
import { RegistryStorage } from './storage.js';
import { UploadSessions } from './uploads.js';

export interface RegistryTls {
  /** PEM certificate chain. */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
}

export interface RegistryOptions {
  /** Where blobs, repositories and upload sessions live; created when missing. */
  storageDir: string;
  /** HOST:PORT, default 127.0.0.1:5000; port 0 picks a free one. */
  listen?: string;
  /** Serve HTTPS with this certificate and key. */
  tls?: RegistryTls;
  /** htpasswd file: every request then needs HTTP basic authentication. */
  htpasswd?: string;
  /** fsync blobs and metadata before they become visible (default true). */
  durable?: boolean;
  /** Upload sessions idle longer than this are dropped at start (default 7 days). */
  uploadMaxAgeMs?: number;
  logger?: RegistryLogger;
}

export interface RunningRegistry {
  /** `http(s)://host:port` */
  url: string;
  /** `host:port`, as image references name the registry. */
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_LISTEN = '127.0.0.1:5000';
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m || Number(m[3]) > 65535) throw new Error(`--listen must be HOST:PORT (e.g. ${DEFAULT_LISTEN}), got "${listen}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  const { host, port } = parseListen(opts.listen ?? DEFAULT_LISTEN);
  const storage = await RegistryStorage.open(opts.storageDir, { durable: opts.durable });
  const uploads = new UploadSessions(storage);
  await uploads.recover(opts.uploadMaxAgeMs ?? WEEK_MS);
  const auth = opts.htpasswd ? await HtpasswdAuthenticator.load(opts.htpasswd) : undefined;
  const handler = new RegistryHandler({ storage, uploads, auth, logger: opts.logger });
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler.listener) : createHttpServer(handler.listener);
  // Blobs can be large and links slow: no overall request deadline, but headers must come promptly.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`listen ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`)));
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const hostPort = `${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${actual}`;
  const url = `${opts.tls ? 'https' : 'http'}://${hostPort}`;
  opts.logger?.info({ url, storage: opts.storageDir, auth: opts.htpasswd ? 'htpasswd' : 'none' }, 'registry ready');
  return {
    url,
    host: hostPort,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
