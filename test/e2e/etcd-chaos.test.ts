/**
 * Two planes (child processes, `--storage etcd` as the benchmark server runs it) on a three-member etcd, 16 writers
 * spread over both. Mid-run the etcd leader is killed with SIGKILL, later plane A is: writers of A move to B. Every
 * write a client saw acknowledged is stored afterwards, at the resourceVersion it was acknowledged with; a watch on
 * plane B, opened before the first write, saw every one of them once, in revision order; no writer failed for longer
 * than an election plus a reconnect; the controllers' Lease moves to B.
 */
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { cleanup, removeDir, startServer, tempDir, type ServerChild } from '../../bench/support/procs.js';
import { expect, httpsAgent, request, type Target } from '../../bench/support/http.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { eventually } from '../support/plane.js';

const WRITERS = 16;
const PER_WRITER = 30;
const NS = 'chaos';
const CM_PATH = `/api/v1/namespaces/${NS}/configmaps`;
/** The longest a writer may fail in a row: an etcd election plus moving to the other plane. */
const MAX_OUTAGE_MS = 20_000;

interface Plane {
  name: string;
  srv: ServerChild;
  t: Target;
  dead: boolean;
}

describe('two planes on a three-member etcd, with an etcd member and a plane killed', () => {
  let etcd: EtcdCluster;
  const planes: Plane[] = [];
  const dirA = tempDir('slipway-chaos-a-');
  const dirB = tempDir('slipway-chaos-b-');

  const start = async (name: string, dir: string): Promise<Plane> => {
    const srv = await startServer(dir, 90_000, { BENCH_STORAGE: 'etcd', BENCH_ETCD_SERVERS: etcd.endpoints.join(','), BENCH_ETCD_PREFIX: '/chaos' });
    return { name, srv, t: { url: new URL(srv.url), agent: httpsAgent({ ca: srv.ca, cert: srv.cert, key: srv.key, maxSockets: WRITERS + 4 }) }, dead: false };
  };

  before(async () => {
    etcd = await startEtcd({ members: 3 });
    planes.push(await start('a', dirA));
    // Plane B starts with an empty data dir: it takes the CA and ServiceAccount key from etcd (shared PKI).
    planes.push(await start('b', dirB));
  });

  after(async () => {
    for (const p of planes) {
      p.t.agent.destroy();
      await p.srv.stop().catch(() => undefined);
    }
    await etcd?.stop();
    await cleanup();
    removeDir(dirA);
    removeDir(dirB);
  });

  it('loses no acknowledged write and no watch event', async (ctx) => {
    const [a, b] = planes as [Plane, Plane];
    await expect(a.t, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), [201]);
    const listed = await expect(b.t, 'GET', CM_PATH, undefined, [200]);
    const fromRv = (JSON.parse(listed.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;

    // The watch on plane B, from before the first write.
    const watched: { type: string; name: string; rv: number }[] = [];
    const watchErrors: string[] = [];
    const watchReq = https.request(
      { host: b.t.url.hostname, port: b.t.url.port, path: `${CM_PATH}?watch=true&resourceVersion=${fromRv}&timeoutSeconds=300`, agent: new https.Agent({ ca: b.srv.ca, cert: b.srv.cert, key: b.srv.key }), headers: { accept: 'application/json' } },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as { type: string; object: { metadata: { name: string; resourceVersion: string } } };
            if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') {
              if (ev.type === 'ERROR') watchErrors.push(line);
              continue;
            }
            watched.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(ev.object.metadata.resourceVersion) });
          }
        });
      },
    );
    watchReq.on('error', (e) => watchErrors.push(String(e)));
    watchReq.end();

    const acknowledged = new Map<string, number>();
    let longestOutageMs = 0;
    let written = 0;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < PER_WRITER; i++) {
        const name = `w${w}-${i}`;
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { writer: String(w), i: String(i) } });
        let failingSince: number | undefined;
        for (;;) {
          // Writer w prefers plane w % 2; a dead plane's writers use the other one.
          const preferred = planes[w % 2]!;
          const p = preferred.dead ? planes.find((x) => !x.dead)! : preferred;
          let status = 0;
          let text = '';
          try {
            const r = await request(p.t, 'POST', CM_PATH, body, 10_000);
            status = r.status;
            text = r.body;
          } catch (e) {
            text = String(e);
          }
          if (status === 201 || status === 409) {
            // 409: an earlier attempt was committed (its answer was lost); read what was stored.
            const rv = status === 201 ? Number((JSON.parse(text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion) : await storedRv(p, name);
            acknowledged.set(name, rv);
            written++;
            if (failingSince !== undefined) longestOutageMs = Math.max(longestOutageMs, Date.now() - failingSince);
            break;
          }
          failingSince ??= Date.now();
          if (Date.now() - failingSince > MAX_OUTAGE_MS) throw new Error(`writer ${w}: ${name} failing for ${MAX_OUTAGE_MS} ms: HTTP ${status} ${text.slice(0, 300)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const storedRv = async (p: Plane, name: string): Promise<number> => {
      const r = await expect(p.t, 'GET', `${CM_PATH}/${name}`, undefined, [200]);
      return Number((JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    };

    const total = WRITERS * PER_WRITER;
    const chaos = (async () => {
      await eventually(() => written >= total / 4, 60_000, 'a quarter of the writes');
      const leader = await etcd.leader();
      assert.ok(leader, 'an etcd leader');
      await leader.kill();
      await eventually(() => written >= total / 2, 60_000, 'half of the writes after the etcd leader died');
      a.dead = true;
      a.srv.proc.kill('SIGKILL');
      await new Promise<void>((r) => (a.srv.proc.exitCode !== null ? r() : a.srv.proc.once('exit', () => r())));
      a.t.agent.destroy();
      return { leader, aDiedAt: Date.now() };
    })();
    await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), chaos]);
    assert.equal(acknowledged.size, total);

    // Every acknowledged write is stored, at its acknowledged revision.
    const all = JSON.parse((await expect(b.t, 'GET', CM_PATH, undefined, [200])).body) as { items: { metadata: { name: string; resourceVersion: string } }[] };
    const stored = new Map(all.items.map((o) => [o.metadata.name, Number(o.metadata.resourceVersion)]));
    for (const [name, rv] of acknowledged) assert.equal(stored.get(name), rv, `${name} stored at its acknowledged revision`);
    assert.equal(stored.size, total);

    // The watch on B saw each of them once, in revision order, and nothing else.
    await eventually(() => watched.length >= total, 20_000, `the watch on plane B seeing ${total} events (saw ${watched.length})`);
    assert.deepEqual(watchErrors, []);
    assert.equal(watched.length, total);
    assert.ok(watched.every((e) => e.type === 'ADDED'));
    assert.deepEqual(new Set(watched.map((e) => e.name)).size, total);
    for (let i = 1; i < watched.length; i++) assert.ok(watched[i]!.rv > watched[i - 1]!.rv, 'events in revision order');
    for (const e of watched) assert.equal(acknowledged.get(e.name), e.rv);
    assert.ok(longestOutageMs < MAX_OUTAGE_MS, `longest writer outage ${longestOutageMs} ms`);
    ctx.diagnostic(`${total} writes acknowledged, longest writer outage ${longestOutageMs} ms`);
    watchReq.destroy();

    // The controllers' Lease moves to plane B once A's lapses: renewed after A died, so by B.
    const { leader, aDiedAt } = await chaos;
    await eventually(async () => {
      const r = await request(b.t, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/slipway-plane');
      if (r.status !== 200) return false;
      const l = JSON.parse(r.body) as { spec: { holderIdentity?: string; renewTime?: string } };
      return Date.parse(l.spec.renewTime ?? '') > aDiedAt;
    }, 40_000, 'plane B holding the slipway-plane Lease');
    await leader.start();
  });
});
