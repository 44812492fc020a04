/** Shared informers against the real API server: list+watch, resume, relist on 410, reconnect after a restart, listers. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { InProcessTransport, InformerFactory, KubeClient, SharedInformer, inProcessClient, kubeconfigClient, objectKeyOf, type Client } from '../../src/client/index.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { TapTransport } from '../support/runtime-kit.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const cm = (namespace: string, name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject => ({ ...CM, metadata: { namespace, name, labels }, data });

function recorder(): { log: string[]; handler: Parameters<SharedInformer['addEventHandler']>[0] } {
  const log: string[] = [];
  return {
    log,
    handler: {
      onAdd: (o, initial) => log.push(`add ${o.metadata?.name}${initial ? ' (list)' : ''}`),
      onUpdate: (_old, o) => log.push(`update ${o.metadata?.name}`),
      onDelete: (o) => log.push(`delete ${o.metadata?.name}`),
    },
  };
}

describe('SharedInformer', () => {
  let t: TestPlane;
  let client: Client;
  before(async () => {
    t = await startPlane();
    client = inProcessClient(t.plane.objects);
  });
  after(async () => {
    client?.close();
    await t?.close();
  });

  it('lists, then watches; listers and indexes read the cache without calling the server', async () => {
    const ns = 'inf-basic';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let i = 0; i < 5; i++) await client.create(cm(ns, `cm-${i}`, { i: String(i) }, { parity: i % 2 ? 'odd' : 'even' }));
    const tap = new TapTransport(new InProcessTransport(t.plane.objects));
    const tapped = new KubeClient(tap);
    const inf = new SharedInformer(tapped, CM, { namespace: ns, indexers: { byData: (o) => [String((o as { data?: { i?: string } }).data?.i)] } });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    assert.equal(inf.hasSynced(), false);
    inf.start();
    assert.equal(await inf.waitForSync(), true);
    assert.equal(inf.hasSynced(), true);
    assert.equal(inf.lister.size, 5);
    assert.deepEqual(rec.log.sort(), ['add cm-0 (list)', 'add cm-1 (list)', 'add cm-2 (list)', 'add cm-3 (list)', 'add cm-4 (list)']);

    await client.create(cm(ns, 'cm-new'));
    await client.patch(CM, { namespace: ns, name: 'cm-0' }, { type: 'merge', body: { data: { i: 'changed' } } });
    await client.delete(CM, { namespace: ns, name: 'cm-1' });
    await eventually(() => rec.log.length === 8, 5000, 'watch events');
    assert.deepEqual(rec.log.slice(5), ['add cm-new', 'update cm-0', 'delete cm-1']);

    const before = tap.calls.length;
    assert.equal(inf.lister.get('cm-0', ns)?.data && (inf.lister.get('cm-0', ns) as { data: { i: string } }).data.i, 'changed');
    assert.equal(inf.lister.get('cm-1', ns), undefined);
    assert.deepEqual(inf.lister.list({ labelSelector: 'parity=even' }).map(objectKeyOf).sort(), [`${ns}/cm-0`, `${ns}/cm-2`, `${ns}/cm-4`]);
    assert.deepEqual(inf.lister.withLabel('parity', 'odd').map(objectKeyOf), [`${ns}/cm-3`]);
    assert.deepEqual(inf.lister.byIndex('byData', '2').map(objectKeyOf), [`${ns}/cm-2`]);
    assert.equal(inf.lister.list({ namespace: ns }).length, 5);
    assert.equal(tap.calls.length, before, 'listers never call the server');
    assert.equal(tap.count('list'), 1);
    assert.equal(tap.count('watch'), 1);
    const cm0 = await client.get(CM, { namespace: ns, name: 'cm-0' });
    assert.ok(Number(inf.lastResourceVersion) > Number(cm0.metadata?.resourceVersion), 'the delete after it moved the resourceVersion on');

    const late = recorder();
    inf.addEventHandler(late.handler);
    assert.equal(late.log.length, 5, 'a handler added after sync gets the cache replayed');
    await inf.stop();
    tapped.close();
  });

  it('informers that keep metadata only (no data, no managed fields) or nothing still see every change', async () => {
    const ns = 'inf-meta';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(cm(ns, 'listed', { big: 'x'.repeat(1000) }, { app: 'a' }));
    const factory = new InformerFactory(client);
    const meta = factory.for(CM, { namespace: ns, keep: 'metadata' });
    const full = factory.for(CM, { namespace: ns });
    assert.notEqual(meta, full, 'a metadata-only informer is its own');
    assert.equal(factory.for(CM, { namespace: ns, keep: 'metadata' }), meta, 'and shared');
    const none = factory.for(CM, { namespace: ns, keep: 'nothing' });
    const noneRec = recorder();
    none.addEventHandler(noneRec.handler);
    const rec = recorder();
    meta.addEventHandler(rec.handler);
    factory.startAll();
    assert.equal(await factory.waitForSync(), true);
    await client.create(cm(ns, 'watched', { big: 'y'.repeat(1000) }));
    await client.patch(CM, { namespace: ns, name: 'listed' }, { type: 'merge', body: { data: { big: 'changed' } } });
    await eventually(() => rec.log.length === 3, 5000, 'watch events');
    assert.deepEqual(rec.log, ['add listed (list)', 'add watched', 'update listed']);
    for (const name of ['listed', 'watched']) {
      const kept = meta.lister.get(name, ns)!;
      assert.deepEqual(Object.keys(kept).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.equal(kept.metadata!.managedFields, undefined);
      assert.equal(kept.metadata!.name, name);
      assert.match(kept.metadata!.uid!, /^[0-9a-f-]{36}$/);
      assert.ok((full.lister.get(name, ns) as { data?: { big?: string } }).data?.big, 'the full informer keeps data');
    }
    assert.deepEqual(meta.lister.get('listed', ns)!.metadata!.labels, { app: 'a' });
    // Keeping nothing: the same events for handlers, an empty lister.
    await client.delete(CM, { namespace: ns, name: 'watched' });
    await eventually(() => noneRec.log.length === 4, 5000, 'events of the informer that keeps nothing');
    assert.deepEqual(noneRec.log, ['add listed (list)', 'add watched', 'update listed', 'delete watched']);
    assert.equal(none.hasSynced(), true);
    assert.equal(none.lister.size, 0);
    await factory.stopAll();
  });

  it('resumes the watch from the last resourceVersion, and relists after 410 Gone', async () => {
    const ns = 'inf-relist';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const n of ['keep', 'changed', 'removed']) await client.create(cm(ns, n, { v: '1' }));
    const tap = new TapTransport(new InProcessTransport(t.plane.objects));
    const tapped = new KubeClient(tap);
    const inf = new SharedInformer(tapped, CM, { namespace: ns, initialBackoffMs: 10, maxBackoffMs: 100 });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();

    // 1. A dropped watch resumes from the last resourceVersion: no relist, nothing missed.
    tap.cutWatches();
    await client.create(cm(ns, 'while-cut'));
    tap.restoreWatches();
    await eventually(() => inf.lister.get('while-cut', ns), 5000, 'event written while the watch was down');
    assert.equal(tap.count('list'), 1, 'resumed, not relisted');
    const resumedFrom = tap.calls.filter((c) => c.verb === 'watch').map((c) => (c.body as { resourceVersion: string }).resourceVersion);
    assert.ok(resumedFrom.length >= 2 && resumedFrom.at(-1) !== '' && resumedFrom.at(-1) === resumedFrom[0], `watched from ${resumedFrom.join(',')}`);

    // 2. Changes while disconnected, then history compacted: the watch gets 410 and the informer relists.
    const rvBefore = inf.lastResourceVersion;
    tap.cutWatches();
    await client.patch(CM, { namespace: ns, name: 'changed' }, { type: 'merge', body: { data: { v: '2' } } });
    await client.delete(CM, { namespace: ns, name: 'removed' });
    await client.create(cm(ns, 'added'));
    await t.plane.store.compact(t.plane.store.currentRevision());
    rec.log.length = 0;
    tap.restoreWatches();
    await eventually(() => tap.count('list') === 2 && inf.lister.get('added', ns), 5000, 'relist after 410');
    assert.equal(inf.lister.get('removed', ns), undefined);
    assert.equal((inf.lister.get('changed', ns) as { data: { v: string } }).data.v, '2');
    assert.deepEqual(rec.log.sort(), ['add added (list)', 'delete removed', 'update changed']);
    assert.ok(Number(inf.lastResourceVersion) > Number(rvBefore));
    // And it watches on from the relist.
    await client.create(cm(ns, 'after-relist'));
    await eventually(() => inf.lister.get('after-relist', ns), 5000, 'watch after relist');
    await inf.stop();
    tapped.close();
  });

  it('reconnects over HTTPS after the server restarts, resuming without a relist', async () => {
    const ns = 'inf-restart';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(cm(ns, 'before'));
    const http = await kubeconfigClient(t.plane.kubeconfigPath);
    const tap = new TapTransport((http as KubeClient).transport);
    const tapped = new KubeClient(tap);
    const inf = new SharedInformer(tapped, CM, { namespace: ns, initialBackoffMs: 50, maxBackoffMs: 500 });
    inf.start();
    await inf.waitForSync();
    assert.ok(inf.lister.get('before', ns));
    await t.restart();
    client.close();
    client = inProcessClient(t.plane.objects);
    await client.create(cm(ns, 'after-restart'));
    await eventually(() => inf.lister.get('after-restart', ns), 15_000, 'event after restart');
    assert.equal(tap.count('list'), 1, 'resumed from the last resourceVersion');
    assert.ok(tap.count('watch') >= 2);
    assert.ok(inf.stats.errors >= 1 || tap.count('watch') >= 2);
    await inf.stop();
    tapped.close();
  });
});
