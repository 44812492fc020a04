/**
 * The registry client against a real docker-registry (htpasswd, plain HTTP on loopback), reached
 * through a small loopback proxy that injects the faults real networks and registries produce:
 * 503 with Retry-After, a connection reset in the middle of a blob, a redirect of blob GETs to
 * another host (a storage backend), PATCH responses without a Range header.
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { makeHtpasswd, startDockerRegistry, type DockerRegistry } from '../../../test/support/relocation/docker-registry.js';
import { BlobStore, buildImage, buildLayer } from '../../../test/support/relocation/images.js';
import { RegistryClient, type RetryEvent } from './client.js';

interface Fault {
  /** Return true when handled (the request is not forwarded). */
  (req: http.IncomingMessage, res: http.ServerResponse, listener: 'main' | 'storage'): boolean | 'reset-after-half' | 'strip-range';
}

describe('RegistryClient with a real registry behind a fault-injecting proxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-client-'));
  let reg: DockerRegistry;
  let store: BlobStore;
  const servers: http.Server[] = [];
  let fault: Fault = () => false;
  /** What a 'reset-after-half' fault waits for before it ends the connection. */
  let beforeReset: () => Promise<void> = async () => undefined;
  const seen: { listener: string; method: string; url: string; auth: boolean; range?: string }[] = [];
  let proxyHost = '';
  let storageBase = '';
  const auth = 'Basic ' + Buffer.from('carol:pw').toString('base64');

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, mode: boolean | string, addAuth: boolean): void => {
    const headers = { ...req.headers, host: reg.host };
    if (addAuth) headers.authorization = auth;
    const up = http.request(`http://${reg.host}${req.url}`, { method: req.method, headers }, (ur) => {
      const h = { ...ur.headers };
      if (mode === 'strip-range') delete h.range;
      if (h.location?.startsWith(`http://${reg.host}`)) h.location = h.location.replace(`http://${reg.host}`, `http://${proxyHost}`);
      res.writeHead(ur.statusCode ?? 502, h);
      if (mode === 'reset-after-half') {
        const limit = Number(ur.headers['content-length'] ?? 0) / 2;
        let n = 0;
        ur.on('data', (c: Buffer) => {
          n += c.length;
          if (n > limit) {
            // Close (FIN, not RST) after half the body, so the half that was sent is delivered even on a
            // loaded machine; the client sees the connection end mid-blob.
            // The client keeps what it has written to disk; end once some of the half has reached its file, so the
            // resume it must make is seen whatever the machine's load.
            if (!ur.destroyed) res.write(c.subarray(0, Math.max(0, c.length - (n - limit))), () => void beforeReset().then(() => res.socket?.end()));
            ur.destroy();
          } else res.write(c);
        });
        return;
      }
      ur.pipe(res);
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  };

  const listen = (host: string, listener: 'main' | 'storage'): Promise<string> => {
    const s = http.createServer((req, res) => {
      seen.push({ listener, method: req.method!, url: req.url!, auth: !!req.headers.authorization, range: req.headers.range as string | undefined });
      const r = fault(req, res, listener);
      if (r === true) return;
      forward(req, res, r, listener === 'storage');
    });
    servers.push(s);
    return new Promise((resolve) => s.listen(0, host, () => resolve(`${host}:${(s.address() as AddressInfo).port}`)));
  };

  before(async () => {
    makeHtpasswd(join(dir, 'htpasswd'), 'carol', 'pw');
    reg = await startDockerRegistry({ dir: join(dir, 'reg'), htpasswd: join(dir, 'htpasswd') });
    store = new BlobStore(join(dir, 'blobs'));
    proxyHost = await listen('127.0.0.1', 'main');
    storageBase = `http://${await listen('127.0.0.2', 'storage')}`;
  });
  after(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (retries: RetryEvent[] = []): RegistryClient => new RegistryClient({ registry: proxyHost, insecure: true, credentials: { username: 'carol', password: 'pw' }, backoffMs: 1, onRetry: (e) => retries.push(e) });
  const source = (file: string) => (start: number, end: number) => createReadStream(file, { start, end });

  it('retries 503 (Retry-After) and a reset mid-blob, resuming the download with a Range request', async () => {
    const layer = await buildLayer(store, 'retry', 200_000);
    const img = await buildImage(store, { format: 'oci', layers: [layer] });
    const retries: RetryEvent[] = [];
    const c = client(retries);
    let failedPut = false;
    let resetOnce = false;
    fault = (req, res) => {
      if (req.method === 'PUT' && req.url!.includes('/manifests/') && !failedPut) {
        failedPut = true;
        req.resume();
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
        return true;
      }
      if (req.method === 'GET' && req.url!.includes(layer.digest) && !resetOnce) {
        resetOnce = true;
        return 'reset-after-half';
      }
      return false;
    };
    try {
      for (const b of img.blobs) await c.pushBlob('t/retry', b, source(store.file(b.digest)));
      assert.equal(await c.putManifest('t/retry', 'v1', img.bytes, img.mediaType), img.digest);
      assert.ok(failedPut && retries.some((r) => r.reason.includes('503')), JSON.stringify(retries));
      const out = join(dir, 'downloaded');
      beforeReset = async () => {
        for (let i = 0; i < 500; i++) {
          if (existsSync(`${out}.partial`) && statSync(`${out}.partial`).size > 0) return;
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      await c.downloadBlob('t/retry', layer, out);
      assert.ok(readFileSync(out).equals(readFileSync(store.file(layer.digest))));
      const gets = seen.filter((s) => s.method === 'GET' && s.url.includes(layer.digest));
      assert.equal(gets.length, 2);
      assert.match(gets[1]!.range ?? '', /^bytes=\d+-$/, 'second GET continues where the reset left off');
      assert.ok(Number(/\d+/.exec(gets[1]!.range!)![0]) > 0);
    } finally {
      fault = () => false;
      beforeReset = async () => undefined;
      c.close();
    }
  });

  it('follows a blob redirect to another host without forwarding credentials', async () => {
    const layer = await buildLayer(store, 'redirect', 30_000);
    const c = client();
    try {
      await c.pushBlob('t/redir', layer, source(store.file(layer.digest)));
      fault = (req, res, listener) => {
        if (listener === 'main' && req.method === 'GET' && req.url!.includes('/blobs/sha256:')) {
          res.writeHead(307, { location: `${storageBase}${req.url}` }).end();
          return true;
        }
        return false;
      };
      const out = join(dir, 'redirected');
      await c.downloadBlob('t/redir', layer, out);
      assert.ok(readFileSync(out).equals(readFileSync(store.file(layer.digest))));
      const hops = seen.filter((s) => s.url.includes(layer.digest) && s.method === 'GET');
      assert.deepEqual(hops.map((h) => [h.listener, h.auth]), [['main', true], ['storage', false]]);
    } finally {
      fault = () => false;
      c.close();
    }
  });

  it('uploads in chunks tracking the offset itself when the registry sends no Range', async () => {
    const layer = await buildLayer(store, 'chunks', 100_000);
    const c = client();
    fault = (req) => (req.method === 'PATCH' ? 'strip-range' : false);
    try {
      const before = seen.length;
      assert.equal(await c.pushBlob('t/chunks', layer, source(store.file(layer.digest)), { chunkSize: 32 * 1024 }), 'pushed');
      const patches = seen.slice(before).filter((s) => s.method === 'PATCH');
      assert.equal(patches.length, Math.ceil(layer.size / (32 * 1024)));
      assert.equal(await c.headBlob('t/chunks', layer.digest), layer.size);
    } finally {
      fault = () => false;
      c.close();
    }
  });

  it('mounts across repositories (201) and uploads itself when the mount is answered 202', async () => {
    const layer = await buildLayer(store, 'mount', 20_000);
    const c = client();
    try {
      await c.pushBlob('t/home', layer, source(store.file(layer.digest)));
      assert.equal(await c.pushBlob('t/other', layer, source(store.file(layer.digest)), { mountFrom: 't/home' }), 'mounted');
      assert.equal(await c.pushBlob('t/third', layer, source(store.file(layer.digest)), { mountFrom: 't/does-not-have-it' }), 'pushed');
      assert.equal(await c.headBlob('t/third', layer.digest), layer.size);
      await assert.rejects(c.getManifest('t/home', 'nope'), /registry 127\.0\.0\.1:\d+: GET \/v2\/t\/home\/manifests\/nope: 404 MANIFEST_UNKNOWN/);
    } finally {
      c.close();
    }
  });
});
