import assert from 'node:assert/strict';
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startPlane, type TestPlane } from '../../../test/support/plane.js';
import { inProcessClient } from '../../client/index.js';
import type { Client } from '../../client/types.js';
import { describeCert, isSignedBy, keyMatchesCert } from '../../apiserver/pki.js';
import type { KubeObject } from '../../apimachinery/types.js';
import {
  caCertHashes,
  certificateFiles,
  certificateNotAfter,
  certificateOptionsFor,
  lookupCertificates,
  lookupOrGenerateCertificates,
  missingCertificates,
  SECRET_KIND,
} from './certificates.js';
import { directReader } from './reader.js';

const NOW = new Date('2031-03-04T05:06:07Z');
const DAY = 86_400_000;

/** Real owner objects (the garbage collector deletes Secrets whose owners do not exist). */
const owners = new Map<string, KubeObject>();
function owner(name = 'owner-config'): KubeObject {
  const o = owners.get(name);
  if (!o) throw new Error(`no owner ${name}`);
  return o;
}

function cluster(name: string): KubeObject {
  return { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name, namespace: 'default' } };
}

describe('cluster certificates', () => {
  let t: TestPlane;
  let client: Client;
  before(async () => {
    t = await startPlane({ storage: 'memory' });
    client = inProcessClient(t.plane.objects);
    for (const name of ['owner-config', 'other']) owners.set(name, await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } }));
  });
  after(async () => t.close());

  test('generates the four Secrets as upstream: type, keys, label, controller owner; CAs are real CAs', async () => {
    const res = await lookupOrGenerateCertificates(client, directReader(client), cluster('alpha'), owner(), { now: NOW });
    assert.deepEqual(res.generated.sort(), ['ca', 'etcd', 'proxy', 'sa']);
    const expectCN: Record<string, string> = { ca: 'kubernetes', etcd: 'etcd-ca', proxy: 'front-proxy-ca' };
    for (const purpose of ['ca', 'etcd', 'proxy', 'sa']) {
      const s = await client.get(SECRET_KIND, { namespace: 'default', name: `alpha-${purpose}` });
      assert.equal(s.type, 'cluster.x-k8s.io/secret');
      assert.equal(s.metadata?.labels?.['cluster.x-k8s.io/cluster-name'], 'alpha');
      assert.deepEqual(s.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-config', uid: owner().metadata!.uid, controller: true, blockOwnerDeletion: true }]);
      const data = s.data as Record<string, string>;
      const crt = Buffer.from(data['tls.crt']!, 'base64').toString();
      const key = Buffer.from(data['tls.key']!, 'base64').toString();
      if (purpose === 'sa') {
        assert.match(crt, /^-----BEGIN PUBLIC KEY-----/);
        // The public key belongs to the private key.
        const fromPriv = createPublicKey(key).export({ type: 'spki', format: 'der' });
        assert.deepEqual(createPublicKey(crt).export({ type: 'spki', format: 'der' }), fromPriv);
        continue;
      }
      const info = describeCert(crt);
      assert.equal(info.isCA, true, purpose);
      assert.equal(info.commonName, expectCN[purpose]);
      assert.ok(isSignedBy(crt, crt), `${purpose} is self-signed`);
      assert.ok(keyMatchesCert(crt, key));
      // Default validity: ten years from the injected clock (back-dated a few minutes).
      assert.ok(Math.abs(info.notAfter.getTime() - (NOW.getTime() + 3650 * DAY)) < 2000);
      assert.ok(info.notBefore.getTime() <= NOW.getTime());
      assert.equal(new X509Certificate(crt).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    }
  });

  test('a second call generates nothing and returns the stored pairs', async () => {
    const first = await lookupCertificates(directReader(client), 'default', 'alpha');
    const res = await lookupOrGenerateCertificates(client, directReader(client), cluster('alpha'), owner('other'), { now: NOW });
    assert.deepEqual(res.generated, []);
    assert.equal(res.certificates.ca?.cert, first.ca?.cert);
    assert.equal(res.certificates.sa?.key, first.sa?.key);
  });

  test('only missing ones are created; a Secret created concurrently wins (AlreadyExists re-reads)', async () => {
    await lookupOrGenerateCertificates(client, directReader(client), cluster('beta'), owner(), { now: NOW });
    await client.delete(SECRET_KIND, { namespace: 'default', name: 'beta-proxy' });
    const before = await lookupCertificates(directReader(client), 'default', 'beta');
    assert.equal(before.proxy, undefined);
    const res = await lookupOrGenerateCertificates(client, directReader(client), cluster('beta'), owner(), { now: NOW });
    assert.deepEqual(res.generated, ['proxy']);
    assert.equal(res.certificates.ca?.cert, before.ca?.cert);

    // A reader that never sees anything: every create collides, the stored Secret is used.
    const blind = { get: async () => undefined, list: async () => [] };
    const raced = await lookupOrGenerateCertificates(client, blind, cluster('beta'), owner(), { now: NOW });
    assert.deepEqual(raced.generated, []);
    assert.equal(raced.certificates.ca?.cert, before.ca?.cert);
  });

  test('encryptionAlgorithm and caCertificateValidityPeriodDays are honoured', async () => {
    const opts = certificateOptionsFor({ encryptionAlgorithm: 'RSA-2048', caCertificateValidityPeriodDays: 30 }, NOW);
    const res = await lookupOrGenerateCertificates(client, directReader(client), cluster('gamma'), owner(), opts);
    const ca = new X509Certificate(res.certificates.ca!.cert);
    assert.equal(ca.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(createPublicKey(res.certificates.sa!.cert).asymmetricKeyDetails?.modulusLength, 2048);
    const notAfter = certificateNotAfter(res.certificates);
    assert.ok(Math.abs(notAfter.ca!.getTime() - (NOW.getTime() + 30 * DAY)) < 2000);
    assert.equal(notAfter.sa, undefined);
    assert.deepEqual(Object.keys(notAfter).sort(), ['ca', 'etcd', 'proxy']);

    const p384 = await lookupOrGenerateCertificates(client, directReader(client), cluster('delta'), owner(), { now: NOW, algorithm: 'ECDSA-P384' });
    assert.equal(new X509Certificate(p384.certificates.etcd!.cert).publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
  });

  test('external etcd: the etcd CA and client pair are never generated; missing ones are named', async () => {
    await assert.rejects(
      lookupOrGenerateCertificates(client, directReader(client), cluster('ext'), owner(), { now: NOW, externalEtcd: true }),
      /external etcd certificate Secret default\/ext-etcd not found/,
    );
    // Nothing was generated before the check failed.
    assert.deepEqual(await lookupCertificates(directReader(client), 'default', 'ext'), {});
  });

  test('a malformed Secret is an error naming it', async () => {
    await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'broken-ca' }, type: 'cluster.x-k8s.io/secret', data: { 'tls.key': 'eA==' } });
    await assert.rejects(lookupCertificates(directReader(client), 'default', 'broken'), /Secret default\/broken-ca has no data key "tls.crt"/);
  });

  test('caCertHashes: sha256 of the SubjectPublicKeyInfo, as kubeadm computes it', async () => {
    const set = await lookupCertificates(directReader(client), 'default', 'alpha');
    const spki = new X509Certificate(set.ca!.cert).publicKey.export({ type: 'spki', format: 'der' });
    assert.deepEqual(caCertHashes(set.ca!.cert), ['sha256:' + createHash('sha256').update(spki).digest('hex')]);
    assert.throws(() => caCertHashes('not a pem'), /no PEM CERTIFICATE block/);
  });

  test('certificateFiles: upstream paths, owners and modes; certificatesDir and external etcd', async () => {
    const set = await lookupCertificates(directReader(client), 'default', 'alpha');
    const files = certificateFiles(set);
    assert.deepEqual(
      files.map((f) => [f.path, f.owner, f.permissions]),
      [
        ['/etc/kubernetes/pki/ca.crt', 'root:root', '0640'],
        ['/etc/kubernetes/pki/ca.key', 'root:root', '0600'],
        ['/etc/kubernetes/pki/etcd/ca.crt', 'root:root', '0640'],
        ['/etc/kubernetes/pki/etcd/ca.key', 'root:root', '0600'],
        ['/etc/kubernetes/pki/front-proxy-ca.crt', 'root:root', '0640'],
        ['/etc/kubernetes/pki/front-proxy-ca.key', 'root:root', '0600'],
        ['/etc/kubernetes/pki/sa.pub', 'root:root', '0640'],
        ['/etc/kubernetes/pki/sa.key', 'root:root', '0600'],
      ],
    );
    assert.equal(files[0]!.content, set.ca!.cert);
    const ext = { certificatesDir: '/pki', etcd: { external: { endpoints: ['https://e:2379'], caFile: '/ext/ca.crt', certFile: '/ext/c.crt', keyFile: '/ext/c.key' } } };
    const extFiles = certificateFiles({ ...set, etcd: { cert: set.etcd!.cert, key: '' }, 'apiserver-etcd-client': { cert: 'C', key: 'K' } }, ext);
    assert.deepEqual(extFiles.map((f) => f.path), ['/pki/ca.crt', '/pki/ca.key', '/ext/ca.crt', '/pki/front-proxy-ca.crt', '/pki/front-proxy-ca.key', '/pki/sa.pub', '/pki/sa.key', '/ext/c.crt', '/ext/c.key']);
    assert.deepEqual(missingCertificates({ ca: set.ca }, 'worker'), []);
    assert.deepEqual(missingCertificates({ ca: set.ca }, 'control-plane'), ['sa (no tls.crt)', 'proxy (no tls.crt)', 'etcd (no tls.crt)']);
    assert.deepEqual(missingCertificates({}, 'worker'), ['ca (no tls.crt)']);
  });
});
