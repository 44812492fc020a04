/** The controller runtime against the real API server (in-process transport): manager, controllers, helpers. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { InProcessTransport, KubeClient, inProcessClient, type Client } from '../../src/client/index.js';
import { FakeClock, settle } from '../../src/runtime/clock.js';
import * as conditions from '../../src/runtime/conditions.js';
import { EventRecorder } from '../../src/runtime/events.js';
import { inProcessManager } from '../../src/runtime/in-process.js';
import { LeaderElector, type Lease } from '../../src/runtime/leader-election.js';
import { Manager } from '../../src/runtime/manager.js';
import { PatchHelper } from '../../src/runtime/patch.js';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';
import { TapTransport, THING, copyReconciler, installThingCrd, thing, type Thing } from '../support/runtime-kit.js';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

async function converged(client: Client, namespace: string, expect: number): Promise<boolean> {
  const list = await client.list(THING, { namespace });
  return list.items.length === expect && list.items.every((o) => o.status?.value === o.spec?.value && o.status?.text === o.spec?.text);
}

describe('controller runtime (in-process)', () => {
  let t: TestPlane;
  let client: Client;
  before(async () => {
    // Memory storage: these tests write thousands of objects and never restart the plane.
    t = await startPlane({ storage: 'memory' });
    client = inProcessClient(t.plane.objects);
    await installThingCrd(client);
  });
  after(async () => {
    client?.close();
    await t?.close();
  });

  it('a spec-to-status reconciler converges for 1,000 objects; /metrics and /healthz are served', async () => {
    const ns = 'copy-1000';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let i = 0; i < 500; i++) await client.create(thing(`t-${i}`, i, ns));
    const mgr = inProcessManager(t.plane.objects, { metricsBindAddress: '127.0.0.1:0' });
    mgr.add({ name: 'copy', for: THING, reconciler: copyReconciler(), workers: 4 });
    await mgr.start();
    assert.ok(mgr.synced);
    for (let i = 500; i < 1000; i++) await client.create(thing(`t-${i}`, i, ns));
    await eventually(() => converged(client, ns, 1000), 60_000, '1,000 objects converged');

    const health = await httpGet(`${mgr.metricsUrl}/healthz`);
    assert.deepEqual(health, { status: 200, body: 'ok' });
    assert.equal((await httpGet(`${mgr.metricsUrl}/readyz`)).status, 200);
    const metrics = await httpGet(`${mgr.metricsUrl}/metrics`);
    assert.equal(metrics.status, 200);
    const success = /controller_runtime_reconcile_total\{controller="copy",result="success"\} (\d+)/.exec(metrics.body);
    assert.ok(success && Number(success[1]) >= 1000, 'reconcile total');
    assert.match(metrics.body, /controller_runtime_reconcile_time_seconds_count\{controller="copy"\} \d+/);
    assert.match(metrics.body, /workqueue_depth\{name="copy"\} \d+/);
    assert.match(metrics.body, /workqueue_adds_total\{name="copy"\} \d+/);
    assert.match(metrics.body, /workqueue_queue_duration_seconds_bucket\{le="[^"]+",name="copy"\} \d+/);
    assert.match(metrics.body, /slipway_informer_events_total\{kind="Thing",type="ADDED"\} 1000/);
    assert.equal((await httpGet(`${mgr.metricsUrl}/nope`)).status, 404);
    const url = mgr.metricsUrl!;
    await mgr.stop();
    await assert.rejects(httpGet(`${url}/healthz`), /ECONNREFUSED|socket hang up|ECONNRESET/);
  });

  it('loses no update under 1,000 rapid writes to one object', async () => {
    const ns = 'rapid';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(thing('hot', 0, ns));
    let reconciles = 0;
    const copy = copyReconciler();
    const mgr = inProcessManager(t.plane.objects);
    mgr.add({ name: 'copy', for: THING, reconciler: async (ctx, req) => (reconciles++, copy(ctx, req)), workers: 4 });
    await mgr.start();
    // Back-to-back writes while the controller's workers reconcile in between.
    for (let i = 1; i <= 1000; i++) await client.patch(THING, { namespace: ns, name: 'hot' }, { type: 'merge', body: { spec: { value: i, text: `v${i}` } } });
    const final = await client.get(THING, { namespace: ns, name: 'hot' });
    assert.equal(final.spec?.value, 1000);
    await eventually(async () => {
      const o = await client.get(THING, { namespace: ns, name: 'hot' });
      return o.status?.value === final.spec?.value && o.status?.text === final.spec?.text;
    }, 20_000, 'final state reconciled');
    assert.ok(reconciles >= 1 && reconciles <= 2002, `reconciles: ${reconciles}`);
    await mgr.stop();
  });

  it('retries a throwing reconciler with growing delays, and honours requeueAfter a year ahead (fake clock)', async () => {
    const ns = 'flaky';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flaky', namespace: ns } });
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'yearly', namespace: ns } });
    const clock = new FakeClock();
    const attempts: Record<string, number[]> = { flaky: [], yearly: [] };
    const mgr = inProcessManager(t.plane.objects, { clock });
    mgr.add({
      name: 'flaky',
      for: { apiVersion: 'v1', kind: 'ConfigMap' },
      namespace: ns,
      reconciler: async (ctx, req) => {
        attempts[req.name]?.push(ctx.clock.nowMs());
        if (req.name === 'flaky' && attempts.flaky!.length <= 6) throw new Error(`failure ${attempts.flaky!.length}`);
        if (req.name === 'yearly') return { requeueAfter: 365 * 24 * 3600 * 1000 };
      },
    });
    await mgr.start();
    await eventually(() => attempts.flaky!.length === 1 && attempts.yearly!.length === 1, 5000, 'first reconciles');
    while (attempts.flaky!.length < 7) {
      await eventually(() => clock.pending > 0 || attempts.flaky!.length >= 7, 5000, 'retry armed');
      if (attempts.flaky!.length >= 7) break;
      const before = attempts.flaky!.length;
      const next = clock.nextTimerIn()!;
      assert.ok(next < 24 * 3600 * 1000, 'the flaky retry comes before the yearly requeue');
      await clock.advance(next);
      await eventually(() => attempts.flaky!.length > before, 5000, 'retry ran');
    }
    const gaps = attempts.flaky!.slice(1).map((x, i) => x - attempts.flaky![i]!);
    assert.deepEqual(gaps, [5, 10, 20, 40, 80, 160]);
    const t0 = attempts.yearly![0]!;
    await clock.advance(365 * 24 * 3600 * 1000 - (clock.nowMs() - t0) - 1);
    await settle();
    assert.equal(attempts.yearly!.length, 1, 'not before a year has passed');
    await clock.advance(1);
    await eventually(() => attempts.yearly!.length === 2, 5000, 'requeued after a year');
    assert.equal(attempts.yearly![1]! - t0, 365 * 24 * 3600 * 1000);
    assert.equal(attempts.flaky!.length, 7, 'the successful key is not retried');
    await mgr.stop();
  });

  it('patch helper sends only changed fields, metadata/spec and status separately', async () => {
    const ns = 'patching';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const tap = new TapTransport(new InProcessTransport(t.plane.objects));
    const c = new KubeClient(tap);
    const obj = await c.create<Thing>({ ...THING, metadata: { name: 'p', namespace: ns, labels: { keep: 'me' } }, spec: { value: 1, text: 'original', other: { deep: 1 } } });
    const helper = new PatchHelper(c, obj);
    // Someone else changes spec.text meanwhile.
    await client.patch(THING, { namespace: ns, name: 'p' }, { type: 'merge', body: { spec: { text: 'theirs' } } });
    // ... and another controller sets a condition of its own.
    await client.patchStatus(THING, { namespace: ns, name: 'p' }, { type: 'merge', body: { status: { conditions: [{ type: 'TheirsChecked', status: 'True', lastTransitionTime: '2030-01-01T00:00:00Z' }] } } });
    const mine = structuredClone(obj);
    mine.spec!.value = 2;
    mine.metadata!.labels!.added = 'yes';
    conditions.markFalse(mine, 'Provisioned', 'Waiting', 'Info', 'waiting for the machine');
    conditions.setSummary(mine);
    tap.calls.length = 0;
    const out = await helper.patch(mine);
    const patches = tap.calls.filter((x) => x.verb === 'patch');
    assert.equal(patches.length, 2);
    assert.deepEqual(patches[0]!.body, { metadata: { labels: { added: 'yes' } }, spec: { value: 2 } });
    assert.equal(patches[0]!.subresource, undefined);
    assert.equal(patches[1]!.subresource, 'status');
    const sentStatus = patches[1]!.body as { status: { conditions: { type: string }[] } };
    // Conditions are merged into the latest list, with its resourceVersion as precondition.
    assert.deepEqual(Object.keys(sentStatus), ['status', 'metadata']);
    assert.deepEqual(sentStatus.status.conditions.map((x) => x.type), ['Ready', 'Provisioned', 'TheirsChecked']);
    const live = await client.get(THING, { namespace: ns, name: 'p' });
    assert.equal(live.spec?.text, 'theirs', "a concurrent writer's field is not overwritten");
    assert.equal(live.spec?.value, 2);
    assert.deepEqual(live.metadata?.labels, { keep: 'me', added: 'yes' });
    assert.equal(conditions.getCondition(live, 'Ready')?.status, 'False');
    assert.equal(conditions.getCondition(live, 'TheirsChecked')?.status, 'True', "another controller's condition survives");
    assert.equal(out.object.metadata?.resourceVersion, live.metadata?.resourceVersion);
    tap.calls.length = 0;
    const again = await helper.patch(out.object);
    assert.deepEqual(again.sent, {});
    assert.equal(tap.count('patch'), 0, 'nothing changed: nothing sent');
    // Optimistic lock: a stale resourceVersion gives a conflict.
    const locked = new PatchHelper(c, live, { optimisticLock: true });
    await client.patch(THING, { namespace: ns, name: 'p' }, { type: 'merge', body: { spec: { text: 'newer' } } });
    await assert.rejects(locked.patch({ ...live, spec: { ...live.spec, value: 3 } }), /has been modified/);
    c.close();
  });

  it('event recorder aggregates repeats into count and lastTimestamp', async () => {
    const ns = 'events';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const subject = await client.create<Thing>(thing('subject', 1, ns));
    const clock = new FakeClock(Date.UTC(2030, 5, 1, 12, 0, 0));
    const rec = new EventRecorder(client, { component: 'runtime-test', host: 'test-host', clock });
    await rec.event(subject, 'Warning', 'ProvisionFailed', 'no capacity');
    await clock.advance(30_000);
    await rec.event(subject, 'Warning', 'ProvisionFailed', 'no capacity');
    await clock.advance(30_000);
    await Promise.all([rec.event(subject, 'Warning', 'ProvisionFailed', 'no capacity'), rec.event(subject, 'Normal', 'Provisioned', 'done')]);
    await rec.flush();
    const events = (await client.list<KubeObject & Record<string, unknown>>({ apiVersion: 'v1', kind: 'Event' }, { namespace: ns })).items;
    assert.equal(events.length, 2);
    const failed = events.find((e) => e.reason === 'ProvisionFailed')!;
    assert.equal(failed.count, 3);
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.firstTimestamp, '2030-06-01T12:00:00Z');
    assert.equal(failed.lastTimestamp, '2030-06-01T12:01:00Z');
    assert.deepEqual(failed.involvedObject, { apiVersion: THING.apiVersion, kind: 'Thing', name: 'subject', namespace: ns, uid: subject.metadata!.uid, resourceVersion: subject.metadata!.resourceVersion });
    assert.deepEqual(failed.source, { component: 'runtime-test', host: 'test-host' });
    const ok = events.find((e) => e.reason === 'Provisioned')!;
    assert.equal(ok.count, 1);
  });

  it('event recorder combines many messages of one reason and drops a source\'s spam about one object (client-go correlator)', async () => {
    const ns = 'events-spam';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const subject = await client.create<Thing>(thing('rs', 1, ns));
    const clock = new FakeClock(Date.UTC(2030, 5, 1, 12, 0, 0));
    const rec = new EventRecorder(client, { component: 'runtime-test', clock });
    // 100 distinct messages of one reason (a ReplicaSet creating 100 Pods): 25 pass the spam filter; the first 9 are
    // their own Events, the 10th onwards one combined Event counting 16.
    for (let i = 0; i < 100; i++) void rec.event(subject, 'Normal', 'SuccessfulCreate', `Created pod: rs-${i}`);
    await rec.flush();
    const list = async () => (await client.list<KubeObject & Record<string, unknown>>({ apiVersion: 'v1', kind: 'Event' }, { namespace: ns })).items;
    let events = await list();
    assert.equal(events.length, 10);
    const combined = events.filter((e) => String(e.message).startsWith('(combined from similar events): '));
    assert.equal(combined.length, 1);
    assert.equal(combined[0]!.count, 16);
    assert.equal(combined[0]!.message, '(combined from similar events): Created pod: rs-24');
    assert.equal(events.filter((e) => e.count === 1).length, 9);
    // The bucket refills one token per 5 minutes.
    await clock.advance(300_000);
    void rec.event(subject, 'Normal', 'SuccessfulCreate', 'Created pod: rs-100');
    void rec.event(subject, 'Normal', 'SuccessfulCreate', 'Created pod: rs-101');
    await rec.flush();
    events = await list();
    assert.equal(events.find((e) => String(e.message).startsWith('(combined'))!.count, 17);
    assert.equal(events.length, 10);
    // correlate: false (kube-scheduler's events.k8s.io recorder) writes every distinct event.
    const plain = new EventRecorder(client, { component: 'runtime-test-plain', clock, correlate: false });
    const other = await client.create<Thing>(thing('other', 1, ns));
    for (let i = 0; i < 30; i++) void plain.event(other, 'Normal', 'Scheduled', `assigned ${i}`);
    await plain.flush();
    assert.equal((await list()).filter((e) => (e.involvedObject as { name?: string }).name === 'other').length, 30);
  });

  it('reconciles owners when owned objects change, and mapped kinds through a function', async () => {
    const ns = 'owners';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const owner = await client.create<Thing>(thing('owner', 1, ns));
    const seen: string[] = [];
    const mgr = inProcessManager(t.plane.objects);
    mgr.add({
      name: 'owner-watch',
      for: THING,
      namespace: ns,
      owns: [{ apiVersion: 'v1', kind: 'ConfigMap' }],
      watches: [{ type: { apiVersion: 'v1', kind: 'Secret' }, map: (o) => (o.metadata?.namespace === ns ? [{ namespace: ns, name: o.metadata?.labels?.thing ?? '' }] : []) }],
      reconciler: async (_ctx, req) => void seen.push(req.name),
    });
    await mgr.start();
    await eventually(() => seen.includes('owner'), 5000, 'initial reconcile');
    seen.length = 0;
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'child', namespace: ns, ownerReferences: [{ apiVersion: THING.apiVersion, kind: 'Thing', name: 'owner', uid: owner.metadata!.uid!, controller: true }] } });
    await eventually(() => seen.includes('owner'), 5000, 'owner enqueued for its child');
    seen.length = 0;
    await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: ns, labels: { thing: 'mapped' } } });
    await eventually(() => seen.includes('mapped'), 5000, 'mapped request');
    await mgr.stop();
  });

  it('leader election: of two managers only one reconciles; the other takes over when it stops', async () => {
    const ns = 'le-inproc';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await client.create(thing('x', 1, ns));
    const make = (id: string): Manager => {
      const m = inProcessManager(t.plane.objects, { leaderElection: { namespace: ns, name: 'copy-lock', identity: id, leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 } });
      m.add({ name: 'copy', for: THING, namespace: ns, reconciler: copyReconciler(id) });
      return m;
    };
    const a = make('manager-a');
    await a.start();
    await eventually(() => a.isLeader, 5000, 'a leads');
    const b = make('manager-b');
    await b.start();
    await eventually(async () => (await client.get(THING, { namespace: ns, name: 'x' })).status?.copiedBy === 'manager-a', 5000, 'a reconciles');
    await client.patch(THING, { namespace: ns, name: 'x' }, { type: 'merge', body: { spec: { value: 2 } } });
    await eventually(async () => (await client.get(THING, { namespace: ns, name: 'x' })).status?.value === 2, 5000, 'a reconciles again');
    assert.equal(b.isLeader, false);
    assert.equal(b.running, false);
    assert.equal((await client.get(THING, { namespace: ns, name: 'x' })).status?.copiedBy, 'manager-a');
    await a.stop();
    await eventually(() => b.isLeader, 10_000, 'b takes over');
    await eventually(async () => (await client.get(THING, { namespace: ns, name: 'x' })).status?.copiedBy === 'manager-b', 5000, 'b reconciles');
    const lease = await client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, { namespace: ns, name: 'copy-lock' });
    assert.equal(lease.spec?.holderIdentity, 'manager-b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    await b.stop();
    assert.equal((await client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, { namespace: ns, name: 'copy-lock' })).spec?.holderIdentity, '', 'released on stop');
  });

  it('leader election: a dead leader (lease not released) is replaced only after the lease duration (fake clock)', async () => {
    const ns = 'le-fake';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const clock = new FakeClock();
    const state = { a: false, b: false };
    const elector = (id: 'a' | 'b'): LeaderElector =>
      new LeaderElector(client, { namespace: ns, name: 'lock', identity: id, leaseDurationMs: 15_000, retryPeriodMs: 2000, clock, releaseOnStop: false, onStartedLeading: () => (state[id] = true), onStoppedLeading: () => void (state[id] = false) });
    const a = elector('a');
    assert.equal(await a.tryAcquireOrRenew(), true);
    const b = elector('b');
    assert.equal(await b.tryAcquireOrRenew(), false);
    assert.equal(b.leader, 'a');
    // a dies without releasing: b must wait out the 15 s lease from when it last saw a renewal.
    await clock.advance(14_999);
    assert.equal(await b.tryAcquireOrRenew(), false, 'not before the lease duration');
    await clock.advance(1);
    assert.equal(await b.tryAcquireOrRenew(), true, 'at the lease duration');
    assert.equal(await a.tryAcquireOrRenew(), false, 'the old leader cannot renew any more');
    const lease = await client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, { namespace: ns, name: 'lock' });
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseDurationSeconds, 15);
    assert.match(lease.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });
});
