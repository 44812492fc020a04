import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdCluster } from '../../test/support/etcd.js';
import { EtcdStore } from '../storage/etcd/etcd-store.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { certFingerprint, createCA, describeCert, ensureServerPki, isSignedBy } from './pki.js';
import { generateSigningKey, keyIdOf } from './serviceaccount/keys.js';
import {
  decideSharedPki,
  decodeSharedPki,
  encodeSharedPki,
  ensurePlanePki,
  formatFingerprint,
  SHARED_PKI_KEY,
  sharedPkiRefusal,
  syncSharedPki,
  type PkiIdentity,
  type SharedPkiDecision,
} from './shared-pki.js';

const tmp = mkdtempSync(join(tmpdir(), 'slipway-shared-pki-'));
let dirs = 0;
const newDir = (): string => join(tmp, `d${dirs++}`);
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('decideSharedPki', () => {
  const A = 'aa'.repeat(32);
  const B = 'bb'.repeat(32);
  const stored: PkiIdentity = { caFingerprint: A, serviceAccountKeyId: 'sa-1' };
  const cases: { name: string; local: PkiIdentity; stored?: PkiIdentity; want: SharedPkiDecision }[] = [
    { name: 'empty storage, empty data dir: upload new material', local: {}, want: { action: 'upload' } },
    { name: 'empty storage, a CA on disk (migrated plane): upload it', local: { caFingerprint: B }, want: { action: 'upload' } },
    { name: 'empty storage, CA and key on disk: upload them', local: { caFingerprint: B, serviceAccountKeyId: 'sa-2' }, want: { action: 'upload' } },
    { name: 'empty storage, only a key on disk: upload it', local: { serviceAccountKeyId: 'sa-2' }, want: { action: 'upload' } },
    { name: 'stored, empty data dir: use', local: {}, stored, want: { action: 'use' } },
    { name: 'stored, the same CA and no key on disk: use', local: { caFingerprint: A }, stored, want: { action: 'use' } },
    { name: 'stored, the same key and no CA on disk: use', local: { serviceAccountKeyId: 'sa-1' }, stored, want: { action: 'use' } },
    { name: 'stored, the same CA and key on disk: use', local: { caFingerprint: A, serviceAccountKeyId: 'sa-1' }, stored, want: { action: 'use' } },
    { name: 'stored, another CA on disk: refuse', local: { caFingerprint: B }, stored, want: { action: 'refuse', conflict: 'ca' } },
    { name: 'stored, another CA and key on disk: refuse for the CA', local: { caFingerprint: B, serviceAccountKeyId: 'sa-2' }, stored, want: { action: 'refuse', conflict: 'ca' } },
    { name: 'stored, the same CA and another key: refuse for the key', local: { caFingerprint: A, serviceAccountKeyId: 'sa-2' }, stored, want: { action: 'refuse', conflict: 'serviceAccountKey' } },
    { name: 'stored, another key and no CA: refuse for the key', local: { serviceAccountKeyId: 'sa-2' }, stored, want: { action: 'refuse', conflict: 'serviceAccountKey' } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(decideSharedPki(c.local, c.stored), c.want));
  }
});

describe('formatFingerprint and sharedPkiRefusal', () => {
  it('prints fingerprints as openssl does', () => {
    assert.equal(formatFingerprint('0a1b2c'), '0A:1B:2C');
    assert.equal(formatFingerprint(''), '');
  });

  it('names both CA fingerprints, the files, and the ways out', () => {
    const msg = sharedPkiRefusal('ca', { caFingerprint: 'ab'.repeat(32) }, { caFingerprint: 'cd'.repeat(32), serviceAccountKeyId: 'k' }, '/srv/b/pki');
    assert.match(msg, /the CA in \/srv\/b\/pki\/ca\.crt \(SHA-256 fingerprint AB:AB:/);
    assert.match(msg, /storage key \/slipway\/pki, SHA-256 fingerprint CD:CD:/);
    assert.match(msg, /move \/srv\/b\/pki\/ca\.crt, \/srv\/b\/pki\/ca\.key, \/srv\/b\/pki\/sa\.key, \/srv\/b\/pki\/sa\.pub out of the way/);
    assert.match(msg, /another --etcd-prefix/);
  });

  it('names both ServiceAccount key ids', () => {
    const msg = sharedPkiRefusal('serviceAccountKey', { caFingerprint: 'ab', serviceAccountKeyId: 'mine' }, { caFingerprint: 'ab', serviceAccountKeyId: 'theirs' }, '/p');
    assert.match(msg, /ServiceAccount key in \/p\/sa\.key \(key id mine\) is not the key .* key id theirs\)/);
  });
});

describe('encodeSharedPki / decodeSharedPki', () => {
  let ca: Awaited<ReturnType<typeof createCA>>;
  let saKeyPem: string;
  before(async () => {
    ca = await createCA('slipway-ca');
    saKeyPem = (await generateSigningKey()).privateKeyPem;
  });

  it('round-trips', () => {
    const m = decodeSharedPki(encodeSharedPki({ ca, serviceAccountKeyPem: saKeyPem }, { uploadedBy: 'host-a', uploadedAt: '2026-01-01T00:00:00.000Z' }));
    assert.deepEqual(m, { ca, serviceAccountKeyPem: saKeyPem });
  });

  it('refuses what is not a record, naming the key', async () => {
    const other = await createCA('other');
    const good = JSON.parse(encodeSharedPki({ ca, serviceAccountKeyPem: saKeyPem })) as Record<string, unknown>;
    const cases: [string, RegExp][] = [
      ['not json', /storage key \/slipway\/pki is not JSON/],
      ['null', /unknown version/],
      [JSON.stringify({ ...good, version: 2 }), /unknown version 2/],
      [JSON.stringify({ ...good, caKey: '' }), /has no caKey/],
      [JSON.stringify({ ...good, serviceAccountKey: undefined }), /has no serviceAccountKey/],
      [JSON.stringify({ ...good, caKey: other.keyPem }), /the CA key does not belong to the CA certificate/],
    ];
    for (const [value, want] of cases) assert.throws(() => decodeSharedPki(value), want, value.slice(0, 40));
  });
});

describe('syncSharedPki on a store', () => {
  it('refuses an expired shared CA (naming the way out), and will not share an expired CA of its own', async () => {
    const store = new MemoryStore();
    const a = newDir();
    const up = await syncSharedPki(store, a);
    const later = new Date(Date.now() + 11 * 365 * 24 * 3600 * 1000); // past the CA's 10 years
    await assert.rejects(syncSharedPki(store, newDir(), { now: later }), /the CA the planes on this etcd share \(storage key \/slipway\/pki\) expired on \d{4}-.*Stop every replica, delete that key/);
    await assert.rejects(syncSharedPki(new MemoryStore(), a, { now: later }), new RegExp(`the CA in ${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ca\\.crt expired on`));
    assert.equal(up.action, 'uploaded');
  });

  it('uploads new material from an empty data dir, and a second data dir joins it', async () => {
    const store = new MemoryStore();
    const a = newDir();
    const up = await syncSharedPki(store, a);
    assert.equal(up.action, 'uploaded');
    const stored = decodeSharedPki((await store.get(SHARED_PKI_KEY))!.value);
    assert.equal(readFileSync(join(a, 'ca.crt'), 'utf8'), stored.ca.certPem);
    assert.equal(readFileSync(join(a, 'sa.key'), 'utf8'), stored.serviceAccountKeyPem);
    assert.equal(statSync(join(a, 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(a, 'sa.key')).mode & 0o777, 0o600);
    assert.equal(up.caFingerprint, certFingerprint(stored.ca.certPem));
    assert.equal(up.serviceAccountKeyId, keyIdOf(readFileSync(join(a, 'sa.pub'), 'utf8')));

    const b = newDir();
    const joined = await syncSharedPki(store, b);
    assert.deepEqual(joined, { ...up, action: 'joined' });
    for (const f of ['ca.crt', 'ca.key', 'sa.key', 'sa.pub']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    // Again on either: nothing changes.
    assert.equal((await syncSharedPki(store, a)).action, 'joined');
  });

  it('uploads the material a data dir already holds (a plane moved from SQLite)', async () => {
    const store = new MemoryStore();
    const dataDir = newDir();
    const before = await ensurePlanePki(dataDir, { hostname: 'old-host' });
    const out = await syncSharedPki(store, join(dataDir, 'pki'));
    assert.deepEqual(out, { action: 'uploaded', caFingerprint: before.pki.caFingerprint, serviceAccountKeyId: before.serviceAccountKey.keyId });
    const stored = decodeSharedPki((await store.get(SHARED_PKI_KEY))!.value);
    assert.equal(stored.ca.keyPem, before.pki.ca.keyPem);
    assert.equal(stored.serviceAccountKeyPem, before.serviceAccountKey.privateKeyPem);
  });

  it('takes the stored key when the data dir holds only the shared CA', async () => {
    const store = new MemoryStore();
    const a = newDir();
    await syncSharedPki(store, a);
    const b = newDir();
    mkdirSync(b);
    writeFileSync(join(b, 'ca.crt'), readFileSync(join(a, 'ca.crt')));
    writeFileSync(join(b, 'ca.key'), readFileSync(join(a, 'ca.key')));
    assert.equal((await syncSharedPki(store, b)).action, 'joined');
    assert.equal(readFileSync(join(b, 'sa.key'), 'utf8'), readFileSync(join(a, 'sa.key'), 'utf8'));
  });

  it('refuses a data dir with another CA, naming both fingerprints, and leaves its files alone', async () => {
    const store = new MemoryStore();
    const shared = await syncSharedPki(store, newDir());
    const foreign = newDir();
    const own = await ensureServerPki(foreign, { hostname: 'elsewhere' });
    const pkiDir = join(foreign, 'pki');
    await assert.rejects(syncSharedPki(store, pkiDir), (err: Error) => {
      assert.ok(err.message.includes(formatFingerprint(own.caFingerprint)), err.message);
      assert.ok(err.message.includes(formatFingerprint(shared.caFingerprint)), err.message);
      assert.match(err.message, /out of the way/);
      return true;
    });
    assert.equal(readFileSync(join(pkiDir, 'ca.crt'), 'utf8'), own.ca.certPem);
    assert.equal(existsSync(join(pkiDir, 'sa.key')), false);
  });

  it('refuses a data dir with the shared CA but another ServiceAccount key', async () => {
    const store = new MemoryStore();
    const a = newDir();
    await syncSharedPki(store, a);
    const b = newDir();
    mkdirSync(b);
    writeFileSync(join(b, 'ca.crt'), readFileSync(join(a, 'ca.crt')));
    writeFileSync(join(b, 'ca.key'), readFileSync(join(a, 'ca.key')));
    writeFileSync(join(b, 'sa.key'), (await generateSigningKey()).privateKeyPem);
    await assert.rejects(syncSharedPki(store, b), /ServiceAccount key in .*sa\.key \(key id .*\) is not the key the planes on this etcd share/);
  });

  it('refuses an incomplete CA in the data dir', async () => {
    const store = new MemoryStore();
    const b = newDir();
    mkdirSync(b);
    writeFileSync(join(b, 'ca.crt'), (await createCA('x')).certPem);
    await assert.rejects(syncSharedPki(store, b), /incomplete CA in .*ca\.key is missing/);
    assert.equal(await store.get(SHARED_PKI_KEY), undefined);
  });

  it('of planes starting at once on an empty store, one uploads and all share its CA', async () => {
    const store = new MemoryStore();
    const outs = await Promise.all([0, 1, 2, 3].map(() => syncSharedPki(store, newDir())));
    assert.equal(new Set(outs.map((o) => o.caFingerprint)).size, 1);
    assert.equal(new Set(outs.map((o) => o.serviceAccountKeyId)).size, 1);
    assert.equal(outs.filter((o) => o.action === 'uploaded').length, 1);
  });
});

describe('ensurePlanePki', () => {
  it('without shared storage: the files alone, as before', async () => {
    const d = newDir();
    const p = await ensurePlanePki(d, { hostname: 'solo' });
    assert.equal(p.shared, undefined);
    assert.equal(p.serviceAccountKey.paths.privateKey, join(d, 'pki', 'sa.key'));
    assert.equal(p.pki.created.ca, true);
  });

  it('with shared storage: one CA and key, each replica its own serving and admin certificates', async () => {
    const store = new MemoryStore();
    const a = await ensurePlanePki(newDir(), { hostname: 'host-a', extraSans: ['10.0.0.1'] }, store);
    const b = await ensurePlanePki(newDir(), { hostname: 'host-b', extraSans: ['10.0.0.2'] }, store);
    assert.equal(a.shared?.action, 'uploaded');
    assert.equal(b.shared?.action, 'joined');
    assert.equal(a.pki.caFingerprint, b.pki.caFingerprint);
    assert.equal(a.serviceAccountKey.keyId, b.serviceAccountKey.keyId);
    assert.notEqual(a.pki.server.certPem, b.pki.server.certPem);
    assert.notEqual(a.pki.admin.certPem, b.pki.admin.certPem);
    assert.ok(isSignedBy(b.pki.server.certPem, a.pki.ca.certPem));
    assert.ok(isSignedBy(a.pki.admin.certPem, b.pki.ca.certPem));
    assert.ok(describeCert(b.pki.server.certPem).dnsNames.includes('host-b'));
    assert.ok(describeCert(b.pki.server.certPem).ips.includes('10.0.0.2'));
    assert.ok(!describeCert(b.pki.server.certPem).dnsNames.includes('host-a'));
  });

  it('reissues leaf certificates of a data dir whose CA was moved away to join', async () => {
    const store = new MemoryStore();
    const a = await ensurePlanePki(newDir(), { hostname: 'host-a' }, store);
    const d = newDir();
    const old = await ensurePlanePki(d, { hostname: 'host-b' });
    for (const f of ['ca.crt', 'ca.key', 'sa.key', 'sa.pub']) rmSync(join(d, 'pki', f));
    const b = await ensurePlanePki(d, { hostname: 'host-b' }, store);
    assert.equal(b.pki.caFingerprint, a.pki.caFingerprint);
    assert.notEqual(b.pki.server.certPem, old.pki.server.certPem);
    assert.ok(isSignedBy(b.pki.server.certPem, a.pki.ca.certPem));
    assert.ok(isSignedBy(b.pki.admin.certPem, a.pki.ca.certPem));
  });
});

describe('syncSharedPki on a real etcd', () => {
  let etcd: EtcdCluster;
  const stores: EtcdStore[] = [];
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await etcd?.stop();
  });

  it('planes racing on an empty prefix share one CA; the key is outside the API trees', async () => {
    for (let i = 0; i < 3; i++) stores.push(await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/race', compactionIntervalMs: 0 }));
    const outs = await Promise.all(stores.map((s) => syncSharedPki(s, newDir())));
    assert.equal(new Set(outs.map((o) => o.caFingerprint)).size, 1);
    assert.equal(outs.filter((o) => o.action === 'uploaded').length, 1);
    const s = stores[0]!;
    assert.equal((await s.list('/registry/')).items.some((kv) => kv.key === SHARED_PKI_KEY), false);
    assert.ok(await s.get(SHARED_PKI_KEY));
    // Another prefix is another plane: its own CA.
    const other = await EtcdStore.open({ endpoints: etcd.endpoints, prefix: '/other', compactionIntervalMs: 0 });
    stores.push(other);
    const elsewhere = await syncSharedPki(other, newDir());
    assert.equal(elsewhere.action, 'uploaded');
    assert.notEqual(elsewhere.caFingerprint, outs[0]!.caFingerprint);
  });
});
