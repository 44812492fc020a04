import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { promises as fsp, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_GROUP,
  ADMIN_USER,
  certFingerprint,
  createCA,
  describeCert,
  ensureServerPki,
  isSignedBy,
  issueClientCert,
  issueServingCert,
  keyMatchesCert,
  parseClientIdentity,
  parseDistinguishedName,
} from './pki.js';

const DAY = 24 * 60 * 60 * 1000;

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(join(tmpdir(), 'slipway-pki-'));
}

test('createCA makes a self-signed ECDSA CA with a PKCS#8 key', async () => {
  const ca = await createCA('test-ca');
  assert.match(ca.certPem, /^-----BEGIN CERTIFICATE-----\n/);
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  const info = describeCert(ca.certPem);
  assert.equal(info.commonName, 'test-ca');
  assert.equal(info.isCA, true);
  assert.equal(info.subject, info.issuer);
  assert.ok(isSignedBy(ca.certPem, ca.certPem));
  assert.ok(keyMatchesCert(ca.certPem, ca.keyPem));
  const node = new X509Certificate(ca.certPem);
  assert.equal(node.ca, true);
  assert.equal(node.publicKey.asymmetricKeyType, 'ec');
  // Default validity: 10 years.
  assert.ok(info.notAfter.getTime() - Date.now() > 3600 * DAY);
});

test('createCA honours validDays and now', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const ca = await createCA('c', { validDays: 10, now });
  const info = describeCert(ca.certPem);
  assert.ok(info.notBefore.getTime() <= now.getTime());
  assert.equal(info.notAfter.toISOString(), '2030-01-11T00:00:00.000Z');
  await assert.rejects(createCA('c', { validDays: 0 }), /validDays/);
});

test('issueServingCert sets SANs and serverAuth, signed by the CA', async () => {
  const ca = await createCA('test-ca');
  const s = await issueServingCert(ca, { commonName: 'api', dnsNames: ['localhost', 'Example.test', 'localhost'], ips: ['127.0.0.1', '::1'] });
  const info = describeCert(s.certPem);
  assert.equal(info.commonName, 'api');
  assert.deepEqual(info.dnsNames, ['localhost', 'example.test']);
  assert.deepEqual(info.ips, ['127.0.0.1', '::1']);
  assert.deepEqual(info.extKeyUsages, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(info.isCA, false);
  assert.ok(isSignedBy(s.certPem, ca.certPem));
  assert.ok(keyMatchesCert(s.certPem, s.keyPem));
  const node = new X509Certificate(s.certPem);
  assert.equal(node.checkHost('example.test'), 'example.test');
  assert.equal(node.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(node.checkIP('::1'), '::1');
  await assert.rejects(issueServingCert(ca, { commonName: 'x', dnsNames: [], ips: ['not-an-ip'] }), /not a valid IP/);
  await assert.rejects(issueServingCert(ca, { commonName: 'x', dnsNames: [], ips: [] }), /at least one/);
});

test('issued certificates never outlive their CA', async () => {
  const ca = await createCA('short', { validDays: 5 });
  const c = await issueClientCert(ca, { commonName: 'u', organizations: [], validDays: 365 });
  assert.equal(describeCert(c.certPem).notAfter.getTime(), describeCert(ca.certPem).notAfter.getTime());
});

test('issueClientCert puts the user in CN and groups in O with clientAuth', async () => {
  const ca = await createCA('test-ca');
  const c = await issueClientCert(ca, { commonName: 'alice', organizations: ['dev', 'system:masters', 'a, b+c'] });
  const info = describeCert(c.certPem);
  assert.equal(info.commonName, 'alice');
  assert.deepEqual(info.organizations, ['dev', 'system:masters', 'a, b+c']);
  assert.deepEqual(info.extKeyUsages, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(isSignedBy(c.certPem, ca.certPem));
  const other = await createCA('other-ca');
  assert.equal(isSignedBy(c.certPem, other.certPem), false);
  // From DER, from node:crypto's X509Certificate (subject string + raw), and from its subject text only.
  const node = new X509Certificate(c.certPem);
  assert.deepEqual(parseClientIdentity(node), { user: 'alice', groups: ['dev', 'system:masters', 'a, b+c'] });
  assert.deepEqual(parseClientIdentity({ subject: node.subject }), { user: 'alice', groups: ['dev', 'system:masters', 'a, b+c'] });
});

test('parseClientIdentity handles textual and object subjects', () => {
  assert.deepEqual(parseClientIdentity({ subject: 'CN=bob,O=g1,O=g2' }), { user: 'bob', groups: ['g1', 'g2'] });
  assert.deepEqual(parseClientIdentity({ subject: 'O=system:masters, CN=slipway-admin' }), { user: 'slipway-admin', groups: ['system:masters'] });
  assert.deepEqual(parseClientIdentity({ subject: 'CN=x\\,y,O="a,b",O=c\\2Bd' }), { user: 'x,y', groups: ['a,b', 'c+d'] });
  assert.deepEqual(parseClientIdentity({ subject: 'O=g1\nO=g2\nCN=carol' }), { user: 'carol', groups: ['g1', 'g2'] });
  assert.deepEqual(parseClientIdentity({ subject: 'O=g1' }), { user: '', groups: ['g1'] });
  // node:tls PeerCertificate: repeated attributes arrive as arrays.
  const peerLike = { subject: { CN: 'dave', O: ['x', 'y'] } } as unknown as Parameters<typeof parseClientIdentity>[0];
  assert.deepEqual(parseClientIdentity(peerLike), { user: 'dave', groups: ['x', 'y'] });
  const single = { subject: { CN: 'erin', O: 'only' } } as unknown as Parameters<typeof parseClientIdentity>[0];
  assert.deepEqual(parseClientIdentity(single), { user: 'erin', groups: ['only'] });
  assert.deepEqual(parseDistinguishedName('CN=a+O=b'), [['CN', 'a'], ['O', 'b']]);
});

test('ensureServerPki creates the PKI, then reuses it', async () => {
  const dir = await tempDir();
  try {
    const first = await ensureServerPki(dir, { hostname: 'node1.example.test' });
    assert.deepEqual(first.created, { ca: true, server: true, admin: true });
    const pki = join(dir, 'pki');
    assert.equal(first.paths.dir, pki);
    for (const f of ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key', 'admin.crt', 'admin.key']) {
      assert.ok(statSync(join(pki, f)).isFile(), f);
    }
    for (const f of [first.paths.caKey, first.paths.serverKey, first.paths.adminKey]) {
      assert.equal(statSync(f).mode & 0o777, 0o600, f);
    }
    assert.equal(await fsp.readFile(first.paths.caCert, 'utf8'), first.ca.certPem);

    const server = describeCert(first.server.certPem);
    for (const d of ['localhost', 'kubernetes', 'kubernetes.default', 'node1.example.test']) assert.ok(server.dnsNames.includes(d), d);
    for (const ip of ['127.0.0.1', '::1']) assert.ok(server.ips.includes(ip), ip);
    assert.deepEqual(server.extKeyUsages, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(isSignedBy(first.server.certPem, first.ca.certPem));

    const admin = describeCert(first.admin.certPem);
    assert.equal(admin.commonName, ADMIN_USER);
    assert.deepEqual(admin.organizations, [ADMIN_GROUP]);
    assert.equal(ADMIN_USER, 'slipway-admin');
    assert.equal(ADMIN_GROUP, 'system:masters');
    assert.ok(isSignedBy(first.admin.certPem, first.ca.certPem));
    assert.equal(first.caFingerprint, certFingerprint(first.ca.certPem));

    // Restart: everything reused.
    const second = await ensureServerPki(dir, { hostname: 'node1.example.test' });
    assert.deepEqual(second.created, { ca: false, server: false, admin: false });
    assert.equal(second.caFingerprint, first.caFingerprint);
    assert.equal(second.server.certPem, first.server.certPem);
    assert.equal(second.admin.certPem, first.admin.certPem);

    // New host name: same CA and admin cert, new serving cert containing it.
    const third = await ensureServerPki(dir, { hostname: 'node2.example.test' });
    assert.deepEqual(third.created, { ca: false, server: true, admin: false });
    assert.equal(third.caFingerprint, first.caFingerprint);
    assert.ok(describeCert(third.server.certPem).dnsNames.includes('node2.example.test'));
    assert.ok(isSignedBy(third.server.certPem, first.ca.certPem));
    assert.equal(await fsp.readFile(third.paths.serverCert, 'utf8'), third.server.certPem);

    // An IP host name lands in the IP SANs.
    const fourth = await ensureServerPki(dir, { hostname: '10.1.2.3' });
    assert.ok(describeCert(fourth.server.certPem).ips.includes('10.1.2.3'));
    assert.equal(fourth.caFingerprint, first.caFingerprint);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('ensureServerPki renews leaf certificates close to expiry', async () => {
  const dir = await tempDir();
  try {
    const first = await ensureServerPki(dir, { hostname: 'h' });
    const in340Days = new Date(Date.now() + 340 * DAY);
    const later = await ensureServerPki(dir, { hostname: 'h', now: in340Days });
    assert.deepEqual(later.created, { ca: false, server: true, admin: true });
    assert.equal(later.caFingerprint, first.caFingerprint);
    assert.ok(describeCert(later.server.certPem).notAfter.getTime() > in340Days.getTime() + 300 * DAY);
    // 300 days from now the original certs still have > 30 days left.
    const dir2 = await tempDir();
    try {
      await ensureServerPki(dir2, { hostname: 'h' });
      const notYet = await ensureServerPki(dir2, { hostname: 'h', now: new Date(Date.now() + 300 * DAY) });
      assert.deepEqual(notYet.created, { ca: false, server: false, admin: false });
    } finally {
      await fsp.rm(dir2, { recursive: true, force: true });
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('ensureServerPki repairs a damaged leaf but refuses an incomplete CA', async () => {
  const dir = await tempDir();
  try {
    const first = await ensureServerPki(dir, { hostname: 'h' });
    // A key that does not match the certificate: reissue.
    const stray = await createCA('stray');
    await fsp.writeFile(first.paths.adminKey, stray.keyPem);
    const again = await ensureServerPki(dir, { hostname: 'h' });
    assert.equal(again.created.admin, true);
    assert.ok(keyMatchesCert(again.admin.certPem, again.admin.keyPem));
    // Lost CA key: an error, never a silently replaced CA.
    await fsp.rm(first.paths.caKey);
    await assert.rejects(ensureServerPki(dir, { hostname: 'h' }), /ca\.key is missing/);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('the serving certificate works for a real TLS handshake on 127.0.0.1 and localhost', async () => {
  const dir = await tempDir();
  const pki = await ensureServerPki(dir, { hostname: 'h' });
  const server = https.createServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const get = (servername: string | undefined, ca: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, path: '/', ca, servername, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    assert.equal(await get(undefined, pki.ca.certPem), 'ok');
    assert.equal(await get('localhost', pki.ca.certPem), 'ok');
    assert.equal(await get('kubernetes.default', pki.ca.certPem), 'ok');
    await assert.rejects(get('elsewhere.test', pki.ca.certPem), /altnames|Hostname/i);
    const other = await createCA('other');
    await assert.rejects(get(undefined, other.certPem), /certificate/i);
  } finally {
    server.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
