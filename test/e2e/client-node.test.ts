/**
 * The real @kubernetes/client-node 2.x against a real management plane over HTTPS on loopback:
 * typed CRUD with Status errors, informers under 1,000 writes and across a server restart, raw
 * watch resume / 410 after compaction, and bookmarks.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  RequestContext,
  Watch,
  loadYaml,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1ConfigMap,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { eventually, startPlane, type TestPlane } from '../support/plane.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function kubeConfigOf(t: TestPlane): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(t.plane.kubeconfigPath);
  return kc;
}

/**
 * client-node 2.0.1 builds a new undici Agent for every request (a fresh TLS handshake each time,
 * ~20 ms of CPU in this one process). The bulk writers that only generate load use one shared
 * dispatcher instead; informers, watches and the CRUD test use the stock KubeConfig.
 */
class KeepAliveKubeConfig extends KubeConfig {
  private shared: ReturnType<RequestContext['getDispatcher']>;
  override async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(ctx);
    this.shared ??= ctx.getDispatcher();
    if (this.shared) ctx.setDispatcher(this.shared);
  }
}

function keepAliveKubeConfigOf(t: TestPlane): KubeConfig {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromFile(t.plane.kubeconfigPath);
  return kc;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves true when p settles within ms, false otherwise (leaving no timer behind). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  reason?: string;
  code?: number;
  message?: string;
  details?: { name?: string; kind?: string; group?: string };
}

/** Awaits a rejection with an ApiException whose body is a Status with the given code and reason. */
async function expectStatus(p: Promise<unknown>, code: number, reason: string): Promise<StatusBody> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
    const ex = e as ApiException<unknown>;
    assert.equal(ex.code, code, `HTTP status (body: ${String(ex.body)})`);
    const body = (typeof ex.body === 'string' ? JSON.parse(ex.body) : ex.body) as StatusBody;
    assert.equal(body.kind, 'Status');
    assert.equal(body.apiVersion, 'v1');
    assert.equal(body.status, 'Failure');
    assert.equal(body.reason, reason);
    assert.equal(body.code, code);
    assert.equal(typeof body.message, 'string');
    return body;
  }
  assert.fail(`expected a ${code} ${reason} error, the call succeeded`);
}

/** Runs fn over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

interface Counts {
  add: number;
  update: number;
  delete: number;
}

/** An informer that counts every event per name; on a watch error it restarts itself (as a controller would). */
function countingInformer(kc: KubeConfig, core: CoreV1Api, namespace: string, opts: { restartOnError?: boolean } = {}) {
  const informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap> = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${namespace}/configmaps`, () =>
    core.listNamespacedConfigMap({ namespace }),
  );
  const counts = new Map<string, Counts>();
  const errors: unknown[] = [];
  let restarting = false;
  let stopped = false;
  const bump = (obj: KubernetesObject, k: keyof Counts) => {
    const name = obj.metadata!.name!;
    const c = counts.get(name) ?? { add: 0, update: 0, delete: 0 };
    c[k]++;
    counts.set(name, c);
  };
  informer.on('add', (o) => bump(o, 'add'));
  informer.on('update', (o) => bump(o, 'update'));
  informer.on('delete', (o) => bump(o, 'delete'));
  informer.on('error', (err) => {
    errors.push(err);
    if (!opts.restartOnError || stopped || restarting) return;
    restarting = true;
    setTimeout(() => {
      restarting = false;
      if (!stopped) informer.start().catch((e) => errors.push(e));
    }, 100);
  });
  const totals = () => {
    const s = { add: 0, update: 0, delete: 0 };
    for (const c of counts.values()) (s.add += c.add), (s.update += c.update), (s.delete += c.delete);
    return s;
  };
  return {
    informer,
    counts,
    errors,
    totals,
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}

/** Retries a write across network errors and 5xx (server restarting); treats the outcome of a lost-but-applied first attempt as success. */
async function retrying<T>(what: string, fn: () => Promise<T>, onRetryStatus: (code: number, attempt: number) => T | undefined = () => undefined): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ApiException) {
        const code = (e as ApiException<unknown>).code;
        if (attempt > 0) {
          const v = onRetryStatus(code, attempt);
          if (v !== undefined) return v;
        }
        if (code < 500) throw e;
      }
      if (Date.now() > deadline) throw new Error(`${what}: still failing after 45 s: ${String(e)}`);
      await sleep(100);
    }
  }
}

/** Collects raw watch events until `until` holds; returns them with the AbortController and a done promise. */
async function rawWatch(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: { type: string; object: KubernetesObject & Record<string, unknown> }[] = [];
  let doneErr: unknown = 'not done';
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (err) => {
      doneErr = err;
      resolveDone();
    },
  );
  return { events, controller, done, doneErr: () => doneErr };
}

describe('@kubernetes/client-node against slipway', () => {
  let t: TestPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    t = await startPlane();
    kc = kubeConfigOf(t);
    core = kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await t?.close();
  });

  it('CoreV1Api: create, read, list, replace, patch and delete a ConfigMap; errors are Status objects', async () => {
    const ns = 'default';
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'basic', labels: { app: 'basic' } }, data: { a: '1' } } });
    assert.equal(created.metadata?.name, 'basic');
    assert.equal(created.metadata?.namespace, ns);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date, 'creationTimestamp deserialized to a Date');
    assert.deepEqual(created.data, { a: '1' });

    const read = await core.readNamespacedConfigMap({ name: 'basic', namespace: ns });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    assert.deepEqual(read.data, { a: '1' });

    const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=basic' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['basic']);
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.ok(Number(list.metadata!.resourceVersion) >= Number(created.metadata!.resourceVersion));
    const none = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=other' });
    assert.equal(none.items.length, 0);

    const replaced = await core.replaceNamespacedConfigMap({ name: 'basic', namespace: ns, body: { ...read, data: { a: '2' } } });
    assert.deepEqual(replaced.data, { a: '2' });
    assert.ok(Number(replaced.metadata!.resourceVersion) > Number(read.metadata!.resourceVersion));
    assert.equal(replaced.metadata?.uid, created.metadata?.uid);

    // A replace carrying the stale resourceVersion is a 409 Conflict.
    const conflict = await expectStatus(core.replaceNamespacedConfigMap({ name: 'basic', namespace: ns, body: { ...read, data: { a: 'stale' } } }), 409, 'Conflict');
    assert.equal(conflict.details?.name, 'basic');
    assert.equal(conflict.details?.kind, 'configmaps');
    assert.deepEqual((await core.readNamespacedConfigMap({ name: 'basic', namespace: ns })).data, { a: '2' }, 'the stale replace changed nothing');

    // JSON patch (client-node's default patch content type), merge patch and strategic merge patch.
    const jp = await core.patchNamespacedConfigMap({ name: 'basic', namespace: ns, body: [{ op: 'add', path: '/data/b', value: 'x' }] });
    assert.deepEqual(jp.data, { a: '2', b: 'x' });
    const mp = await core.patchNamespacedConfigMap({ name: 'basic', namespace: ns, body: { data: { a: null, c: 'y' } } }, mergePatch);
    assert.deepEqual(mp.data, { b: 'x', c: 'y' });
    const sp = await core.patchNamespacedConfigMap({ name: 'basic', namespace: ns, body: { metadata: { labels: { extra: 'yes' } } } }, strategicPatch);
    assert.deepEqual(sp.metadata?.labels, { app: 'basic', extra: 'yes' });
    assert.ok(Number(sp.metadata!.resourceVersion) > Number(mp.metadata!.resourceVersion));
    // A JSON patch whose test op fails is rejected and changes nothing.
    // (kube-apiserver answers a failed test op with 422 Invalid.)
    await expectStatus(core.patchNamespacedConfigMap({ name: 'basic', namespace: ns, body: [{ op: 'test', path: '/data/b', value: 'nope' }] }), 422, 'Invalid');
    assert.deepEqual((await core.readNamespacedConfigMap({ name: 'basic', namespace: ns })).metadata?.resourceVersion, sp.metadata?.resourceVersion);

    // 404 on a missing name, for read, replace, patch and delete.
    const nf = await expectStatus(core.readNamespacedConfigMap({ name: 'missing', namespace: ns }), 404, 'NotFound');
    assert.equal(nf.details?.name, 'missing');
    assert.equal(nf.details?.kind, 'configmaps');
    assert.match(nf.message!, /configmaps "missing" not found/);
    await expectStatus(core.patchNamespacedConfigMap({ name: 'missing', namespace: ns, body: { data: { a: '1' } } }, mergePatch), 404, 'NotFound');
    await expectStatus(core.deleteNamespacedConfigMap({ name: 'missing', namespace: ns }), 404, 'NotFound');
    await expectStatus(core.readNamespacedConfigMap({ name: 'basic', namespace: 'no-such-namespace' }), 404, 'NotFound');

    // AlreadyExists on a duplicate create.
    const dup = await expectStatus(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'basic' }, data: { a: 'dup' } } }), 409, 'AlreadyExists');
    assert.equal(dup.details?.name, 'basic');
    assert.equal(dup.details?.kind, 'configmaps');
    assert.match(dup.message!, /configmaps "basic" already exists/);

    // Invalid name: 422 Invalid.
    await expectStatus(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Not_Valid' } } }), 422, 'Invalid');

    const del = await core.deleteNamespacedConfigMap({ name: 'basic', namespace: ns });
    assert.equal(del.kind, 'Status');
    assert.equal(del.status, 'Success');
    assert.equal(del.details?.name, 'basic');
    assert.equal(del.details?.uid, created.metadata?.uid);
    await expectStatus(core.readNamespacedConfigMap({ name: 'basic', namespace: ns }), 404, 'NotFound');
    assert.equal((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=basic' })).items.length, 0);
  });

  it('CustomObjectsApi: a CRD created with ApiextensionsV1Api serves custom objects', async () => {
    const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(new URL('../fixtures/widget-crd.yaml', import.meta.url), 'utf8'));
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: crd });
    await eventually(async () => {
      const c = await ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
      return c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    }, 20_000, 'CRD Established');
    const custom = kc.makeApiClient(CustomObjectsApi);
    const g = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' };
    const w = (await eventually(
      () => custom.createNamespacedCustomObject({ ...g, body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 'small' } } }),
      10_000,
      'widget create',
    )) as { metadata: { resourceVersion: string }; spec: { replicas?: number } };
    assert.equal(w.spec.replicas, 1, 'schema default applied');
    const got = (await custom.getNamespacedCustomObject({ ...g, name: 'w1' })) as { metadata: { resourceVersion: string } };
    assert.equal(got.metadata.resourceVersion, w.metadata.resourceVersion);
    const list = (await custom.listNamespacedCustomObject(g)) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, 'WidgetList');
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['w1']);
    const patched = (await custom.patchNamespacedCustomObject({ ...g, name: 'w1', body: { spec: { replicas: 3 } } }, mergePatch)) as { spec: { replicas: number } };
    assert.equal(patched.spec.replicas, 3);
    await expectStatus(custom.getNamespacedCustomObject({ ...g, name: 'nope' }), 404, 'NotFound');
    await custom.deleteNamespacedCustomObject({ ...g, name: 'w1' });
    await expectStatus(custom.getNamespacedCustomObject({ ...g, name: 'w1' }), 404, 'NotFound');
  });

  it('an informer sees every event of 1,000 concurrent writes', async () => {
    const ns = 'informer';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const inf = countingInformer(kc, core, ns);
    await inf.informer.start();
    try {
      const names = Array.from({ length: 400 }, (_, i) => `cm-${String(i).padStart(3, '0')}`);
      const finalData = new Map<string, Record<string, string>>();
      const writer = keepAliveKubeConfigOf(t).makeApiClient(CoreV1Api);
      // Per name: create, update, and (for the first 200) delete; names interleave with 16 in flight.
      await pool(names, 16, async (name, i) => {
        await writer.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { v: '0' } } });
        const upd = await writer.patchNamespacedConfigMap({ name, namespace: ns, body: { data: { v: '1', i: String(i) } } }, mergePatch);
        finalData.set(name, upd.data!);
        if (i < 200) await writer.deleteNamespacedConfigMap({ name, namespace: ns });
      });
      await eventually(() => {
        const s = inf.totals();
        return s.add >= 400 && s.update >= 400 && s.delete >= 200;
      }, 20_000, 'informer events').catch((e: Error) => assert.fail(`${e.message}: got ${JSON.stringify(inf.totals())}`));
      await sleep(300); // nothing more may arrive
      assert.deepEqual(inf.totals(), { add: 400, update: 400, delete: 200 });
      for (const [i, name] of names.entries()) {
        assert.deepEqual(inf.counts.get(name), { add: 1, update: 1, delete: i < 200 ? 1 : 0 }, name);
      }
      assert.deepEqual(inf.errors, []);
      const server = await core.listNamespacedConfigMap({ namespace: ns });
      const cached = inf.informer.list(ns);
      const view = (items: readonly V1ConfigMap[]) =>
        items.map((o) => ({ name: o.metadata!.name!, rv: o.metadata!.resourceVersion!, data: o.data })).sort((a, b) => a.name.localeCompare(b.name));
      assert.equal(server.items.length, 200);
      assert.deepEqual(view(cached), view(server.items));
      for (const o of cached) assert.deepEqual(o.data, finalData.get(o.metadata!.name!));
    } finally {
      await inf.stop();
    }
  });

  it('a raw watch resumes from a resourceVersion with exactly the later events, and gets 410 Expired once compacted', async () => {
    const ns = 'resume';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const rvs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `w-${i}` }, data: { v: String(i) } } });
      rvs.push(c.metadata!.resourceVersion!);
    }
    const from = rvs[2]!;
    // Writes elsewhere (another namespace) must not show up.
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'elsewhere' } } });
    const upd = await core.patchNamespacedConfigMap({ name: 'w-1', namespace: ns, body: { data: { v: 'changed' } } }, mergePatch);
    await core.deleteNamespacedConfigMap({ name: 'w-0', namespace: ns });

    const expected = [
      { type: 'ADDED', name: 'w-3', rv: rvs[3] },
      { type: 'ADDED', name: 'w-4', rv: rvs[4] },
      { type: 'MODIFIED', name: 'w-1', rv: upd.metadata!.resourceVersion },
    ];
    const w = await rawWatch(kc, path, { resourceVersion: from });
    try {
      await eventually(() => w.events.length >= 4, 10_000, 'resumed events');
      // A live event after the replay arrives too, after the replayed ones.
      const live = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w-live' } } });
      await eventually(() => w.events.length >= 5, 10_000, 'live event');
      await sleep(300);
      assert.deepEqual(
        w.events.slice(0, 3).map((e) => ({ type: e.type, name: e.object.metadata?.name, rv: e.object.metadata?.resourceVersion })),
        expected,
      );
      const del = w.events[3]!;
      assert.equal(del.type, 'DELETED');
      assert.equal(del.object.metadata?.name, 'w-0');
      assert.ok(Number(del.object.metadata!.resourceVersion) > Number(upd.metadata!.resourceVersion), 'DELETED carries the deletion revision');
      assert.deepEqual((del.object as { data?: unknown }).data, { v: '0' }, 'DELETED carries the last state');
      assert.deepEqual(
        w.events.slice(4).map((e) => ({ type: e.type, name: e.object.metadata?.name, rv: e.object.metadata?.resourceVersion })),
        [{ type: 'ADDED', name: 'w-live', rv: live.metadata!.resourceVersion }],
      );
      assert.equal(w.events.length, 5, 'no duplicates, nothing from other namespaces');
      for (const e of w.events) assert.equal(e.object.kind, 'ConfigMap');
    } finally {
      w.controller.abort();
    }

    // Compact everything up to now: watching from the old revision is 410 Expired, reported as an ERROR event.
    await t.plane.store.compact(t.plane.store.currentRevision());
    const expired = await rawWatch(kc, path, { resourceVersion: from });
    assert.ok(await within(expired.done, 10_000), 'the watch from a compacted revision ends');
    assert.equal(expired.doneErr(), null, 'the watch stream ends normally after the ERROR event');
    assert.equal(expired.events.length, 1, JSON.stringify(expired.events));
    const ev = expired.events[0]!;
    assert.equal(ev.type, 'ERROR');
    const st = ev.object as StatusBody;
    assert.equal(st.kind, 'Status');
    assert.equal(st.status, 'Failure');
    assert.equal(st.code, 410);
    assert.equal(st.reason, 'Expired');
    assert.match(st.message ?? '', /too old resource version/);

    // Watching from the current revision still works after compaction.
    const cur = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const fresh = await rawWatch(kc, path, { resourceVersion: cur });
    try {
      const c = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after-compaction' } } });
      await eventually(() => fresh.events.length >= 1, 10_000, 'event after compaction');
      assert.equal(fresh.events[0]!.type, 'ADDED');
      assert.equal(fresh.events[0]!.object.metadata?.resourceVersion, c.metadata?.resourceVersion);
    } finally {
      fresh.controller.abort();
    }
  });
});

describe('@kubernetes/client-node informer across a server restart', () => {
  let t: TestPlane;

  before(async () => {
    t = await startPlane();
  });
  after(async () => {
    await t?.close();
  });

  it('sees every object written before, during and after a restart; resourceVersions survive it', async () => {
    const kc = kubeConfigOf(t);
    const core = kc.makeApiClient(CoreV1Api);
    const bulk = keepAliveKubeConfigOf(t).makeApiClient(CoreV1Api);
    const ns = 'restart';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    // Sockets of the old server, so that a hung stop() can be unblocked (see the assertion at the end).
    const sockets = new Set<Socket>();
    t.plane.server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
    });
    const inf = countingInformer(kc, core, ns, { restartOnError: true });
    await inf.informer.start();
    const name = (i: number) => `r-${String(i).padStart(3, '0')}`;
    const create = (i: number) =>
      retrying(
        `create ${name(i)}`,
        () => bulk.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: name(i) }, data: { v: 'created' } } }),
        // The first attempt may have been applied with its answer lost in the restart.
        (code) => (code === 409 ? ({} as V1ConfigMap) : undefined),
      );
    let restartSeconds = 0;
    try {
      const first = Array.from({ length: 300 }, (_, i) => i);
      await pool(first, 16, async (i) => void (await create(i)));
      await eventually(() => inf.totals().add >= 300, 15_000, 'first 300 adds');

      // Updates of r-000..r-099 and deletes of r-200..r-249 run while the server restarts, through
      // the stock client (a new connection per request, as client-node 2.x does).
      const updated = first.slice(0, 100);
      const deleted = first.slice(200, 250);
      const untouched = first.slice(100, 200).concat(first.slice(250));
      const before = new Map((await core.listNamespacedConfigMap({ namespace: ns })).items.map((o) => [o.metadata!.name!, o.metadata!.resourceVersion!]));
      const revBefore = t.plane.store.currentRevision();
      let done = 0;
      const lastRv = new Map<string, string>();
      const churn = pool([...updated.map((i) => ['u', i] as const), ...deleted.map((i) => ['d', i] as const)], 8, async ([op, i]) => {
        if (op === 'u') {
          const r = await retrying(`update ${name(i)}`, () => core.patchNamespacedConfigMap({ name: name(i), namespace: ns, body: { data: { v: 'updated' } } }, mergePatch));
          lastRv.set(name(i), r.metadata!.resourceVersion!);
        } else {
          await retrying(`delete ${name(i)}`, () => core.deleteNamespacedConfigMap({ name: name(i), namespace: ns }), (code) => (code === 404 ? ({} as never) : undefined));
        }
        done++;
        await sleep(5);
      });
      churn.catch(() => undefined); // awaited below; keep an early failure from being an unhandled rejection
      await eventually(() => done >= 40, 15_000, 'some churn before the restart');
      const doneAtRestart = done;

      const started = Date.now();
      const restarted = t.restart();
      const inTime = await within(restarted, 10_000);
      if (!inTime) for (const sock of sockets) sock.destroy();
      await restarted;
      restartSeconds = (Date.now() - started) / 1000;
      await churn;
      assert.ok(doneAtRestart < 150, 'the restart happened mid-churn');
      assert.ok(t.plane.store.currentRevision() >= revBefore);

      // resourceVersions are unchanged by the restart.
      const after1 = new Map((await core.listNamespacedConfigMap({ namespace: ns })).items.map((o) => [o.metadata!.name!, o.metadata!.resourceVersion!]));
      for (const i of untouched) assert.equal(after1.get(name(i)), before.get(name(i)), `${name(i)} keeps its resourceVersion`);
      for (const i of updated) assert.equal(after1.get(name(i)), lastRv.get(name(i)), `${name(i)} has the resourceVersion its update returned`);
      for (const i of deleted) assert.equal(after1.has(name(i)), false, `${name(i)} is gone`);

      const second = Array.from({ length: 300 }, (_, i) => 300 + i);
      await pool(second, 16, async (i) => void (await create(i)));

      const server = await core.listNamespacedConfigMap({ namespace: ns });
      assert.equal(server.items.length, 600 - deleted.length);
      await eventually(
        () => {
          const s = inf.totals();
          return s.add >= 600 && s.delete >= deleted.length && updated.every((i) => inf.informer.get(name(i), ns)?.data?.v === 'updated');
        },
        30_000,
        'informer to catch up',
      ).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(inf.totals())}, ${inf.errors.length} errors: ${inf.errors.slice(0, 3).map(String).join('; ')}`));
      await sleep(300);
      for (let i = 0; i < 600; i++) {
        const c = inf.counts.get(name(i));
        assert.ok(c, `${name(i)} seen`);
        assert.equal(c.add, 1, `${name(i)} added exactly once`);
        if (deleted.includes(i)) assert.equal(c.delete, 1, `${name(i)} deleted exactly once`);
        else assert.equal(c.delete, 0, `${name(i)} not deleted`);
        if (updated.includes(i)) assert.ok(c.update >= 1, `${name(i)} update seen`);
      }
      const view = (items: readonly V1ConfigMap[]) =>
        items.map((o) => ({ name: o.metadata!.name!, rv: o.metadata!.resourceVersion!, data: o.data })).sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(view(inf.informer.list(ns)), view(server.items));
      assert.ok(inf.errors.length >= 1, 'the informer did notice the restart');

      // The restart must not wait for connections that were still in their TLS handshake when stop() ran.
      assert.ok(inTime, `ManagementPlane.stop() hung for ${restartSeconds.toFixed(1)} s under client traffic (sockets accepted before close() outlive closeAllConnections())`);
    } finally {
      await inf.stop();
    }
  });
});

describe('@kubernetes/client-node watch bookmarks', () => {
  let t: TestPlane;

  before(async () => {
    t = await startPlane({ bookmarkIntervalSeconds: 1 });
  });
  after(async () => {
    await t?.close();
  });

  it('a watch with allowWatchBookmarks=true receives BOOKMARK events; one without does not', async () => {
    const kc = kubeConfigOf(t);
    const core = kc.makeApiClient(CoreV1Api);
    const ns = 'default';
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const start = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const withBm = await rawWatch(kc, path, { resourceVersion: start, allowWatchBookmarks: true });
    const without = await rawWatch(kc, path, { resourceVersion: start });
    try {
      const c = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bm' } } });
      await eventually(() => withBm.events.filter((e) => e.type === 'BOOKMARK').length >= 2, 5_000, 'two bookmarks');
      const bms = withBm.events.filter((e) => e.type === 'BOOKMARK');
      for (const b of bms) {
        assert.equal(b.object.kind, 'ConfigMap');
        assert.equal(b.object.apiVersion, 'v1');
        assert.match(b.object.metadata?.resourceVersion ?? '', /^\d+$/);
        assert.ok(Number(b.object.metadata!.resourceVersion) >= Number(start));
      }
      // Events and bookmarks come in resourceVersion order.
      const rvs = withBm.events.map((e) => Number(e.object.metadata!.resourceVersion));
      assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'non-decreasing resourceVersions');
      const added = withBm.events.find((e) => e.type === 'ADDED');
      assert.equal(added?.object.metadata?.resourceVersion, c.metadata?.resourceVersion);

      // Resuming from the last bookmark delivers exactly the later writes.
      const lastBm = bms[bms.length - 1]!.object.metadata!.resourceVersion!;
      const c2 = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bm2' } } });
      const resumed = await rawWatch(kc, path, { resourceVersion: lastBm, allowWatchBookmarks: true });
      try {
        await eventually(() => resumed.events.some((e) => e.type === 'ADDED'), 5_000, 'resumed event');
        const nonBm = resumed.events.filter((e) => e.type !== 'BOOKMARK');
        assert.deepEqual(nonBm.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion]), [['ADDED', 'bm2', c2.metadata?.resourceVersion]]);
      } finally {
        resumed.controller.abort();
      }

      assert.equal(without.events.filter((e) => e.type === 'BOOKMARK').length, 0, 'no bookmarks unless allowed');
      assert.deepEqual(without.events.map((e) => [e.type, e.object.metadata?.name]), [['ADDED', 'bm'], ['ADDED', 'bm2']]);
    } finally {
      withBm.controller.abort();
      without.controller.abort();
    }
  });
});
