/** The Client against the real API server, through both transports: verbs, patch types, status, typed errors, kubeconfig. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  InvalidError,
  KubeClient,
  HttpTransport,
  NotFoundError,
  UnauthorizedError,
  inProcessClient,
  kindRef,
  kubeconfigClient,
  type Client,
} from '../../src/client/index.js';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { startPlane, type TestPlane } from '../support/plane.js';
import { THING, installThingCrd, type Thing } from '../support/runtime-kit.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
const CM = kindRef<ConfigMap>('v1', 'ConfigMap');

const tmp = mkdtempSync(join(tmpdir(), 'slipway-client-'));
const tokenFile = join(tmp, 'tokens.csv');
writeFileSync(tokenFile, 'runtime-token,robot,uid-robot,"system:masters"\n');

describe('Client', () => {
  let t: TestPlane;
  const clients: Record<string, Client> = {};
  before(async () => {
    t = await startPlane({ tokenFile });
    clients['in-process'] = inProcessClient(t.plane.objects);
    clients['http'] = await kubeconfigClient(t.plane.kubeconfigPath);
    await installThingCrd(clients['in-process']);
  });
  after(async () => {
    for (const c of Object.values(clients)) c.close();
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const transport of ['in-process', 'http']) {
    describe(`${transport} transport`, () => {
      const c = (): Client => clients[transport]!;
      const ns = `t-${transport}`;
      before(async () => {
        await c().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      });

      it('creates, gets, lists, updates and deletes with typed errors', async () => {
        assert.equal(c().transportName, transport);
        const created = await c().create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: ns, labels: { app: 'web' } }, data: { a: '1' } });
        assert.ok(created.metadata?.uid);
        assert.ok(created.metadata?.resourceVersion);
        await assert.rejects(c().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: ns } }), AlreadyExistsError);
        const got = await c().get(CM, { namespace: ns, name: 'one' });
        assert.deepEqual(got.data, { a: '1' });
        await c().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two', namespace: ns, labels: { app: 'db' } } });
        const list = await c().list(CM, { namespace: ns, labelSelector: 'app=web' });
        assert.deepEqual(list.items.map((i) => i.metadata?.name), ['one']);
        assert.equal(list.items[0]!.kind, 'ConfigMap');
        assert.ok(Number(list.metadata.resourceVersion) > 0);
        const paged = await c().list(CM, { namespace: ns, limit: 1 });
        assert.equal(paged.items.length, 1);
        assert.ok(paged.metadata.continue);
        const rest = await c().list(CM, { namespace: ns, limit: 1, continue: paged.metadata.continue });
        assert.equal(rest.items[0]!.metadata?.name, 'two');

        const updated = await c().update({ ...got, data: { a: '2' } });
        assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
        const stale = c().update({ ...got, data: { a: '3' } });
        await assert.rejects(stale, (e: unknown) => e instanceof ConflictError && e.code === 409 && /has been modified/.test(e.message));
        await c().delete(CM, { namespace: ns, name: 'one' });
        await assert.rejects(c().get(CM, { namespace: ns, name: 'one' }), (e: unknown) => e instanceof NotFoundError && /configmaps "one" not found/.test(e.message));
        await assert.rejects(c().delete(CM, { namespace: ns, name: 'one' }), NotFoundError);
      });

      it('patches with JSON patch, merge patch, strategic merge patch and server-side apply', async () => {
        const key = { namespace: ns, name: 'patched' };
        await c().create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...key }, data: { a: '1', b: '2' } });
        let cm = await c().patch(CM, key, { type: 'json', ops: [{ op: 'replace', path: '/data/a', value: 'json' }] });
        assert.deepEqual(cm.data, { a: 'json', b: '2' });
        cm = await c().patch(CM, key, { type: 'merge', body: { data: { b: null, c: 'merge' } } });
        assert.deepEqual(cm.data, { a: 'json', c: 'merge' });
        cm = await c().patch(CM, key, { type: 'strategic', body: { metadata: { labels: { s: 'smp' } } } });
        assert.equal(cm.metadata?.labels?.s, 'smp');
        cm = await c().apply<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...key }, data: { applied: 'yes' } }, { fieldManager: 'runtime-test' });
        assert.equal(cm.data?.applied, 'yes');
        assert.ok(cm.metadata?.managedFields?.some((m) => m.manager === 'runtime-test' && m.operation === 'Apply'));
        const fresh = await c().apply<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name: 'applied-new' }, data: { x: '1' } }, { fieldManager: 'runtime-test' });
        assert.ok(fresh.metadata?.uid, 'apply creates a missing object');
        const dry = await c().create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name: 'dry' } }, { dryRun: true });
        assert.equal(dry.metadata?.name, 'dry');
        await assert.rejects(c().get(CM, { namespace: ns, name: 'dry' }), NotFoundError);
      });

      it('writes status only through the status subresource; Invalid carries field causes', async () => {
        const key = { namespace: ns, name: 'thing' };
        const created = await c().create<Thing>({ ...THING, metadata: { ...key }, spec: { value: 1 }, status: { value: 99 } });
        assert.equal(created.status, undefined, 'status is dropped on create');
        const withStatus = await c().updateStatus<Thing>({ ...created, spec: { value: 5 }, status: { value: 1 } });
        assert.equal(withStatus.status?.value, 1);
        assert.equal(withStatus.spec?.value, 1, 'spec unchanged by a status write');
        const main = await c().update<Thing>({ ...withStatus, spec: { value: 2 }, status: { value: 7 } });
        assert.equal(main.spec?.value, 2);
        assert.equal(main.status?.value, 1, 'status unchanged by a main write');
        const patched = await c().patchStatus(THING, key, { type: 'merge', body: { status: { text: 'hello' } } });
        assert.deepEqual(patched.status, { value: 1, text: 'hello' });
        await assert.rejects(c().patch(THING, key, { type: 'merge', body: { spec: { value: -1 } } }), (e: unknown) => {
          assert.ok(e instanceof InvalidError, String(e));
          assert.equal(e.code, 422);
          assert.deepEqual(e.causes.map((x) => x.field), ['spec.value']);
          return true;
        });
      });

      it('watches from a resourceVersion, and reports 410 Gone as GoneError after compaction', async () => {
        const start = await c().create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name: 'watched' }, data: { n: '0' } });
        const events: string[] = [];
        let closedWith: Error | undefined | 'open' = 'open';
        const w = await c().watch(CM, { namespace: ns, resourceVersion: start.metadata!.resourceVersion }, {
          onEvent: (e) => events.push(`${e.type} ${e.object.metadata?.name} ${(e.object as ConfigMap).data?.n ?? ''}`),
          onClose: (err) => (closedWith = err),
        });
        await c().patch(CM, { namespace: ns, name: 'watched' }, { type: 'merge', body: { data: { n: '1' } } });
        await c().delete(CM, { namespace: ns, name: 'watched' });
        const deadline = Date.now() + 5000;
        while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(events, ['MODIFIED watched 1', 'DELETED watched 1']);
        w.stop();
        assert.equal(closedWith, undefined, 'stop closes without an error');

        await t.plane.store.compact(t.plane.store.currentRevision());
        let gone: unknown;
        try {
          await new Promise<void>((resolve, reject) => {
            c()
              .watch(CM, { namespace: ns, resourceVersion: start.metadata!.resourceVersion }, { onEvent: () => undefined, onClose: (err) => (err ? reject(err) : resolve()) })
              .catch(reject);
          });
        } catch (e) {
          gone = e;
        }
        assert.ok(gone instanceof GoneError, String(gone));
        assert.equal((gone as GoneError).code, 410);
      });

      it('names an unknown kind in a NotFoundError', async () => {
        await assert.rejects(c().get({ apiVersion: 'example.com/v9', kind: 'Nope' }, 'x'), /no matches for kind "Nope" in version "example.com\/v9"/);
      });
    });
  }

  describe('kubeconfig', () => {
    it('authenticates with a token, verifies tls-server-name, and picks contexts and their namespace', async () => {
      const pki = t.plane.pki;
      const port = new URL(t.plane.url).port;
      const path = join(tmp, 'multi.kubeconfig');
      await writeKubeconfig(path, { server: `https://127.0.0.1:${port}`, caPem: pki.ca.certPem, token: 'runtime-token', tlsServerName: 'localhost', namespace: 'kube-system', clusterName: 'c', userName: 'robot', contextName: 'robot' });
      // Add a second context whose tls-server-name the serving certificate does not carry.
      const doc = YAML.parse((await import('node:fs')).readFileSync(path, 'utf8')) as { clusters: { name: string; cluster: Record<string, string> }[]; contexts: { name: string; context: Record<string, string> }[] };
      doc.clusters.push({ name: 'wrong', cluster: { ...doc.clusters[0]!.cluster, 'tls-server-name': 'wrong.example.com' } });
      doc.contexts.push({ name: 'wrong-name', context: { cluster: 'wrong', user: 'robot' } });
      writeFileSync(path, YAML.stringify(doc));

      const robot = await kubeconfigClient(path);
      assert.equal(robot.defaultNamespace, 'kube-system');
      const cm = await robot.create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-token' } });
      assert.equal(cm.metadata?.namespace, 'kube-system');
      robot.close();

      const wrong = await kubeconfigClient(path, { context: 'wrong-name' });
      await assert.rejects(wrong.list(CM, { namespace: 'default' }), (e: unknown) => /wrong\.example\.com|altnames|ERR_TLS_CERT_ALTNAME_INVALID/i.test(String((e as { code?: string }).code) + String(e)));
      wrong.close();
      await assert.rejects(kubeconfigClient(path, { context: 'missing' }), /no context named "missing"/);
    });

    it('maps a refused login to UnauthorizedError', async () => {
      const anon = new KubeClient(new HttpTransport({ server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: 'not-a-token' }));
      await assert.rejects(anon.list(CM), (e: unknown) => e instanceof UnauthorizedError && e.code === 401);
      anon.close();
    });
  });
});
