import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateKeyPair } from '../pki.js';
import {
  ensurePlaneSigningKey,
  keyIdOf,
  serviceAccountKeySecretName,
  signingAlgorithmOf,
  signingKeyFromPem,
  signingKeyFromSecret,
  verificationKeyFromPem,
} from './keys.js';
import {
  opensslKeyId,
  UPSTREAM_EC_KEY_ID,
  UPSTREAM_EC_PRIVATE_KEY,
  UPSTREAM_EC_PUBLIC_KEY,
  UPSTREAM_OTHER_RSA_PUBLIC_KEY,
  UPSTREAM_RSA_KEY_ID,
  UPSTREAM_RSA_PRIVATE_KEY,
  UPSTREAM_RSA_PUBLIC_KEY,
} from './test-fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sa-keys-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('key ids', () => {
  const cases: Array<{ name: string; pem: string; kid: string }> = [
    { name: 'upstream RSA public key', pem: UPSTREAM_RSA_PUBLIC_KEY, kid: UPSTREAM_RSA_KEY_ID },
    { name: 'upstream RSA private key (PKCS#1)', pem: UPSTREAM_RSA_PRIVATE_KEY, kid: UPSTREAM_RSA_KEY_ID },
    { name: 'upstream ECDSA public key', pem: UPSTREAM_EC_PUBLIC_KEY, kid: UPSTREAM_EC_KEY_ID },
    { name: 'upstream ECDSA private key (SEC1)', pem: UPSTREAM_EC_PRIVATE_KEY, kid: UPSTREAM_EC_KEY_ID },
  ];
  for (const c of cases) {
    it(`${c.name} has upstream's key id`, () => {
      assert.equal(keyIdOf(createPublicKey(c.pem)), c.kid);
    });
  }

  it('agrees with openssl for a new key', async () => {
    const pair = await generateKeyPair('RSA-2048');
    assert.equal(keyIdOf(pair.publicKeyPem), opensslKeyId(pair.publicKeyPem));
  });
});

describe('signingKeyFromPem', () => {
  it('derives the public key and key id from a PKCS#1 RSA key', () => {
    const key = signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY, UPSTREAM_RSA_PUBLIC_KEY);
    assert.equal(key.keyId, UPSTREAM_RSA_KEY_ID);
    assert.equal(key.publicKeyPem.trim(), UPSTREAM_RSA_PUBLIC_KEY.trim());
    assert.equal(signingAlgorithmOf(key), 'RS256');
  });

  it('takes ECDSA keys and signs ES256 with P-256', () => {
    const key = signingKeyFromPem(UPSTREAM_EC_PRIVATE_KEY);
    assert.equal(key.keyId, UPSTREAM_EC_KEY_ID);
    assert.equal(signingAlgorithmOf(key), 'ES256');
  });

  it('refuses a public key of another pair', () => {
    assert.throws(() => signingKeyFromPem(UPSTREAM_RSA_PRIVATE_KEY, UPSTREAM_OTHER_RSA_PUBLIC_KEY), /does not belong/);
  });

  it('refuses keys that are not RSA or ECDSA', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => signingKeyFromPem(ed), /unsupported key type/);
  });

  it('verificationKeyFromPem keeps the key id', () => {
    assert.deepEqual(verificationKeyFromPem(UPSTREAM_EC_PUBLIC_KEY).keyId, UPSTREAM_EC_KEY_ID);
  });
});

describe('signingKeyFromSecret (<cluster>-sa)', () => {
  it('names the Secret as Cluster API does', () => {
    assert.equal(serviceAccountKeySecretName('prod'), 'prod-sa');
  });

  for (const alg of ['ECDSA-P256', 'RSA-2048'] as const) {
    it(`reads a ${alg} pair as the control plane controller writes it`, async () => {
      const pair = await generateKeyPair(alg);
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'prod-sa', namespace: 'default' },
        type: 'cluster.x-k8s.io/secret',
        data: { 'tls.crt': Buffer.from(pair.publicKeyPem).toString('base64'), 'tls.key': Buffer.from(pair.privateKeyPem).toString('base64') },
      };
      const key = signingKeyFromSecret(secret);
      assert.equal(key.keyId, keyIdOf(pair.publicKeyPem));
      assert.equal(signingAlgorithmOf(key), alg === 'RSA-2048' ? 'RS256' : 'ES256');
    });
  }

  it('says which Secret lacks tls.key', () => {
    assert.throws(() => signingKeyFromSecret({ metadata: { name: 'prod-sa', namespace: 'ns' }, data: {} }), /Secret ns\/prod-sa has no tls.key/);
  });

  it('says which Secret holds a mismatched pair', () => {
    const data = { 'tls.key': Buffer.from(UPSTREAM_RSA_PRIVATE_KEY).toString('base64'), 'tls.crt': Buffer.from(UPSTREAM_OTHER_RSA_PUBLIC_KEY).toString('base64') };
    assert.throws(() => signingKeyFromSecret({ metadata: { name: 'prod-sa', namespace: 'ns' }, data }), /Secret ns\/prod-sa: the public key does not belong/);
  });
});

describe('ensurePlaneSigningKey', () => {
  it('creates an RSA 2048 pair with a private key file of mode 0600, then reuses it', async () => {
    const dir = join(tempDir(), 'pki');
    const first = await ensurePlaneSigningKey(dir);
    assert.equal(first.created, true);
    assert.equal(statSync(first.paths.privateKey).mode & 0o777, 0o600);
    assert.equal(createPublicKey(first.privateKeyPem).asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(readFileSync(first.paths.publicKey, 'utf8'), first.publicKeyPem);
    assert.equal(opensslKeyId(readFileSync(first.paths.publicKey, 'utf8')), first.keyId);

    const second = await ensurePlaneSigningKey(dir);
    assert.equal(second.created, false);
    assert.equal(second.keyId, first.keyId);
  });

  it('rewrites a missing sa.pub from sa.key and restores the key file mode', async () => {
    const dir = tempDir();
    const first = await ensurePlaneSigningKey(dir);
    unlinkSync(first.paths.publicKey);
    const { chmodSync } = await import('node:fs');
    chmodSync(first.paths.privateKey, 0o644);
    const again = await ensurePlaneSigningKey(dir);
    assert.equal(again.keyId, first.keyId);
    assert.equal(readFileSync(again.paths.publicKey, 'utf8'), first.publicKeyPem);
    assert.equal(statSync(again.paths.privateKey).mode & 0o777, 0o600);
  });

  it('uses a pair put there by an operator (kubeadm-style PKCS#1 sa.key)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sa.key'), UPSTREAM_RSA_PRIVATE_KEY, { mode: 0o600 });
    writeFileSync(join(dir, 'sa.pub'), UPSTREAM_RSA_PUBLIC_KEY);
    const key = await ensurePlaneSigningKey(dir);
    assert.equal(key.created, false);
    assert.equal(key.keyId, UPSTREAM_RSA_KEY_ID);
  });

  it('refuses an sa.pub of another key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sa.key'), UPSTREAM_RSA_PRIVATE_KEY, { mode: 0o600 });
    writeFileSync(join(dir, 'sa.pub'), UPSTREAM_OTHER_RSA_PUBLIC_KEY);
    await assert.rejects(ensurePlaneSigningKey(dir), /sa\.pub does not belong to .*sa\.key/);
  });

  it('gives concurrent callers one and the same key', async () => {
    const dir = tempDir();
    const keys = await Promise.all([ensurePlaneSigningKey(dir), ensurePlaneSigningKey(dir), ensurePlaneSigningKey(dir)]);
    assert.equal(new Set(keys.map((k) => k.keyId)).size, 1);
    assert.equal(keys.filter((k) => k.created).length, 1);
  });
});
