/**
 * Service-account token signing keys.
 *
 * The management plane keeps its key pair as `sa.key` (PKCS#8 private key, mode 0600) and `sa.pub` (SPKI public
 * key) in its PKI directory, like kubeadm's /etc/kubernetes/pki/sa.{key,pub}; a new pair is RSA 2048. A workload
 * cluster's pair lives in the plane's Secret `<cluster>-sa` (Cluster API's convention: `tls.key` the private key,
 * `tls.crt` the public key PEM; this repo's control plane controller makes ECDSA P-256 pairs unless asked otherwise).
 * The key id is upstream's: base64url (no padding) of the SHA-256 of the DER (PKIX) public key.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, randomBytes, type KeyObject } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../apimachinery/types.js';
import { readIfExists } from '../pki.js';
import { algorithmForKey, type JwsAlgorithm } from './jws.js';

const generateKeyPair = promisify(generateKeyPairCb);

export interface TokenSigningKey {
  /** PEM private key (PKCS#1, PKCS#8 or SEC1). */
  privateKeyPem: string;
  /** PEM SPKI public key ("PUBLIC KEY"). */
  publicKeyPem: string;
  keyId: string;
}

/** A key that tokens are verified with (the signing key's public half, or an extra accepted key). */
export interface TokenVerificationKey {
  publicKeyPem: string;
  keyId: string;
}

export const SA_KEY_FILE = 'sa.key';
export const SA_PUB_FILE = 'sa.pub';
/** Data keys of the `<cluster>-sa` Secret. */
export const SA_SECRET_PRIVATE_KEY = 'tls.key';
export const SA_SECRET_PUBLIC_KEY = 'tls.crt';

/** The plane's Secret holding a workload cluster's service-account key pair. */
export function serviceAccountKeySecretName(clusterName: string): string {
  return `${clusterName}-sa`;
}

/** Upstream's key id of a public key: base64url(SHA-256(DER SPKI)). */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** The JWS algorithm tokens signed with this key carry (RS256, ES256, ES384 or ES512). */
export function signingAlgorithmOf(key: TokenSigningKey | TokenVerificationKey): JwsAlgorithm {
  return algorithmForKey(createPublicKey('privateKeyPem' in key ? key.privateKeyPem : key.publicKeyPem));
}

function spkiPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * A signing key from a PEM private key and (optionally) its public key. A given public key must be the private
 * key's own; the stored public key is always the one derived from the private key, in SPKI PEM.
 */
export function signingKeyFromPem(privateKeyPem: string, publicKeyPem?: string): TokenSigningKey {
  const priv = createPrivateKey(privateKeyPem);
  algorithmForKey(priv); // RSA or ECDSA on a supported curve, else throws
  const pub = createPublicKey(priv);
  const keyId = keyIdOf(pub);
  if (publicKeyPem !== undefined && publicKeyPem.trim() !== '' && keyIdOf(publicKeyPem) !== keyId) {
    throw new Error('the public key does not belong to the private key');
  }
  return { privateKeyPem, publicKeyPem: spkiPem(pub), keyId };
}

/** A verification key from a PEM public key (or certificate, or private key). */
export function verificationKeyFromPem(pem: string): TokenVerificationKey {
  const pub = createPublicKey(pem);
  algorithmForKey(pub);
  return { publicKeyPem: spkiPem(pub), keyId: keyIdOf(pub) };
}

/** The signing key kept in a workload cluster's `<cluster>-sa` Secret (data tls.key, tls.crt; base64). */
export function signingKeyFromSecret(secret: KubeObject): TokenSigningKey {
  const name = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
  const data = secret.data as Record<string, unknown> | undefined;
  const keyB64 = data?.[SA_SECRET_PRIVATE_KEY];
  if (typeof keyB64 !== 'string' || keyB64 === '') throw new Error(`Secret ${name} has no ${SA_SECRET_PRIVATE_KEY}`);
  const pubB64 = data?.[SA_SECRET_PUBLIC_KEY];
  const pub = typeof pubB64 === 'string' ? Buffer.from(pubB64, 'base64').toString('utf8') : undefined;
  try {
    return signingKeyFromPem(Buffer.from(keyB64, 'base64').toString('utf8'), pub);
  } catch (err) {
    throw new Error(`Secret ${name}: ${(err as Error).message}`);
  }
}

/** A new RSA 2048 signing key (kubeadm's default for sa.key). */
export async function generateSigningKey(): Promise<TokenSigningKey> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  return signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

export interface PlaneSigningKey extends TokenSigningKey {
  paths: { privateKey: string; publicKey: string };
  /** True when this call generated the pair. */
  created: boolean;
}

async function writeAtomic(path: string, data: string, mode: number, replace: boolean): Promise<boolean> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fsp.writeFile(tmp, data, { mode });
  await fsp.chmod(tmp, mode);
  try {
    if (replace) {
      await fsp.rename(tmp, path);
      return true;
    }
    // link() never replaces: of two processes creating the key at once, exactly one wins.
    await fsp.link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

/**
 * Load the plane's signing key from `dir` (its PKI directory), generating an RSA 2048 pair when `sa.key` is
 * missing. `sa.pub` is (re)written from the private key when missing; one that belongs to another key is an
 * error (tokens already handed out would silently stop verifying). The private key file is kept at mode 0600.
 */
export async function ensurePlaneSigningKey(dir: string): Promise<PlaneSigningKey> {
  const paths = { privateKey: join(dir, SA_KEY_FILE), publicKey: join(dir, SA_PUB_FILE) };
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  let created = false;
  let keyText = await readIfExists(paths.privateKey);
  if (keyText === undefined) {
    const fresh = await generateSigningKey();
    created = await writeAtomic(paths.privateKey, fresh.privateKeyPem, 0o600, false);
    keyText = created ? fresh.privateKeyPem : await fsp.readFile(paths.privateKey, 'utf8');
  } else {
    await fsp.chmod(paths.privateKey, 0o600);
  }
  let key: TokenSigningKey;
  try {
    key = signingKeyFromPem(keyText);
  } catch (err) {
    throw new Error(`${paths.privateKey}: ${(err as Error).message}`);
  }
  const pubText = await readIfExists(paths.publicKey);
  if (pubText === undefined) {
    await writeAtomic(paths.publicKey, key.publicKeyPem, 0o644, true);
  } else {
    let pubId: string;
    try {
      pubId = keyIdOf(pubText);
    } catch (err) {
      throw new Error(`${paths.publicKey}: ${(err as Error).message}`);
    }
    if (pubId !== key.keyId) throw new Error(`${paths.publicKey} does not belong to ${paths.privateKey}; restore the matching pair, or delete both to create a new one (tokens already issued stop working)`);
  }
  return { ...key, paths, created };
}
