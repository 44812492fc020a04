/**
 * One PKI for every replica of a plane on etcd.
 *
 * Several `slipway server` processes on one etcd prefix serve one API, so they must trust one CA (a kubeconfig made by
 * one works against all) and verify ServiceAccount tokens with one key (a token from one is accepted by all). That
 * material — the CA's certificate and key and the ServiceAccount signing key — is kept in the storage at
 * SHARED_PKI_KEY, outside the trees the API serves (/registry/, /clusters/), so no API request can read it. Each
 * replica still issues its own serving and admin certificates from the shared CA, in its own data dir.
 *
 * The storage is authoritative, as in k3s's bootstrap data: the first plane on an empty prefix uploads its material
 * (what its data dir holds — e.g. a plane moved here by `slipway migrate` — or new) with a create-only write; a plane
 * that loses that race, and every later one, writes what its data dir lacks from the storage; a data dir that holds
 * another CA or key than the storage's stops the start with both fingerprints and the way out, never a silent
 * replacement (kubeconfigs and tokens already handed out depend on them).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StoreKeyExistsError, type Store } from '../storage/store.js';
import { certFingerprint, createCA, describeCert, ensureServerPki, keyMatchesCert, readIfExists, type CertKeyPair, type EnsureServerPkiOptions, type ServerPki } from './pki.js';
import { ensurePlaneSigningKey, generateSigningKey, SA_KEY_FILE, SA_PUB_FILE, signingKeyFromPem, type PlaneSigningKey } from './serviceaccount/keys.js';

/** Storage key of the shared material (next to the revision offset, outside every API tree). */
export const SHARED_PKI_KEY = '/slipway/pki';

/** Common name of a new plane CA (as ensureServerPki makes it). */
const CA_COMMON_NAME = 'slipway-ca';

/** What every replica shares (PEM). */
export interface SharedPkiMaterial {
  ca: CertKeyPair;
  /** The ServiceAccount token signing key (private key PEM; the public key is derived from it). */
  serviceAccountKeyPem: string;
}

/** Identities of the material, for comparing a data dir with the storage without touching keys. */
export interface PkiIdentity {
  /** SHA-256 of the CA certificate (lowercase hex), when there is a CA. */
  caFingerprint?: string;
  /** Upstream's key id of the ServiceAccount public key, when there is a key. */
  serviceAccountKeyId?: string;
}

export type SharedPkiDecision =
  /** The storage holds nothing yet: upload the data dir's material (completed with new parts where it has none). */
  | { action: 'upload' }
  /** Take the storage's material; the data dir holds none of it, or the same. */
  | { action: 'use' }
  /** The data dir holds other material than the storage: starting would split the replicas. */
  | { action: 'refuse'; conflict: 'ca' | 'serviceAccountKey' };

/** Upload, use or refuse — from the identities of the data dir's material and the storage's (undefined: none stored). */
export function decideSharedPki(local: PkiIdentity, stored: PkiIdentity | undefined): SharedPkiDecision {
  if (!stored) return { action: 'upload' };
  if (local.caFingerprint !== undefined && local.caFingerprint !== stored.caFingerprint) return { action: 'refuse', conflict: 'ca' };
  if (local.serviceAccountKeyId !== undefined && local.serviceAccountKeyId !== stored.serviceAccountKeyId) return { action: 'refuse', conflict: 'serviceAccountKey' };
  return { action: 'use' };
}

/** "AB:CD:…", as `openssl x509 -noout -fingerprint -sha256` prints it. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/** The error text of a refusal: what differs, both identities, and the ways out. */
export function sharedPkiRefusal(conflict: 'ca' | 'serviceAccountKey', local: PkiIdentity, stored: PkiIdentity, pkiDir: string): string {
  const files = ['ca.crt', 'ca.key', SA_KEY_FILE, SA_PUB_FILE].map((f) => join(pkiDir, f)).join(', ');
  const wayOut =
    `To join the planes already on this etcd, move ${files} out of the way (or start with an empty --data-dir): ` +
    'the shared CA and ServiceAccount key are then written there and the other certificates reissued from them ' +
    '(kubeconfigs and tokens made by this data dir stop working). To keep this data dir\'s material, start it on another --etcd-prefix.';
  if (conflict === 'ca') {
    return (
      `the CA in ${join(pkiDir, 'ca.crt')} (SHA-256 fingerprint ${formatFingerprint(local.caFingerprint ?? '')}) is not the CA the planes ` +
      `on this etcd share (storage key ${SHARED_PKI_KEY}, SHA-256 fingerprint ${formatFingerprint(stored.caFingerprint ?? '')}); ` +
      `this plane's certificates would not be trusted by the others. ${wayOut}`
    );
  }
  return (
    `the ServiceAccount key in ${join(pkiDir, SA_KEY_FILE)} (key id ${local.serviceAccountKeyId ?? ''}) is not the key the planes on this ` +
    `etcd share (storage key ${SHARED_PKI_KEY}, key id ${stored.serviceAccountKeyId ?? ''}); tokens made by one plane would be refused ` +
    `by the others. ${wayOut}`
  );
}

// ---------------------------------------------------------------------------------------------
// the stored record

interface SharedPkiRecord {
  version: 1;
  caCert: string;
  caKey: string;
  serviceAccountKey: string;
  /** Informational: who uploaded it, and when. */
  uploadedBy?: string;
  uploadedAt?: string;
}

export function encodeSharedPki(m: SharedPkiMaterial, meta: { uploadedBy?: string; uploadedAt?: string } = {}): string {
  const rec: SharedPkiRecord = { version: 1, caCert: m.ca.certPem, caKey: m.ca.keyPem, serviceAccountKey: m.serviceAccountKeyPem, ...meta };
  return JSON.stringify(rec);
}

/** The material of a SHARED_PKI_KEY value; throws, naming the key, on anything else or on a key that does not fit. */
export function decodeSharedPki(value: string): SharedPkiMaterial {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`storage key ${SHARED_PKI_KEY} is not JSON`);
  }
  const r = (parsed ?? {}) as Partial<Record<keyof SharedPkiRecord, unknown>>;
  const text = (f: 'caCert' | 'caKey' | 'serviceAccountKey'): string => {
    const v = r[f];
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`storage key ${SHARED_PKI_KEY} has no ${f}`);
    return v;
  };
  if (r.version !== 1) throw new Error(`storage key ${SHARED_PKI_KEY} has an unknown version ${JSON.stringify(r.version)}`);
  const m: SharedPkiMaterial = { ca: { certPem: text('caCert'), keyPem: text('caKey') }, serviceAccountKeyPem: text('serviceAccountKey') };
  if (!keyMatchesCert(m.ca.certPem, m.ca.keyPem)) throw new Error(`storage key ${SHARED_PKI_KEY}: the CA key does not belong to the CA certificate`);
  return m;
}

export function identityOf(m: Partial<SharedPkiMaterial>): PkiIdentity {
  const id: PkiIdentity = {};
  if (m.ca) id.caFingerprint = certFingerprint(m.ca.certPem);
  if (m.serviceAccountKeyPem !== undefined) id.serviceAccountKeyId = signingKeyFromPem(m.serviceAccountKeyPem).keyId;
  return id;
}

// ---------------------------------------------------------------------------------------------
// the data dir

/** The CA and ServiceAccount key in a PKI directory (either may be absent); an incomplete or broken pair is an error. */
async function readLocal(pkiDir: string): Promise<Partial<SharedPkiMaterial>> {
  const paths = { cert: join(pkiDir, 'ca.crt'), key: join(pkiDir, 'ca.key'), sa: join(pkiDir, SA_KEY_FILE), saPub: join(pkiDir, SA_PUB_FILE) };
  const [certPem, keyPem, saPem, saPub] = await Promise.all([readIfExists(paths.cert), readIfExists(paths.key), readIfExists(paths.sa), readIfExists(paths.saPub)]);
  const out: Partial<SharedPkiMaterial> = {};
  if (certPem !== undefined || keyPem !== undefined) {
    if (certPem === undefined || keyPem === undefined) {
      const missing = certPem === undefined ? paths.cert : paths.key;
      throw new Error(`incomplete CA in ${pkiDir}: ${missing} is missing; restore it, or move the other file away to take the CA the planes on this etcd share`);
    }
    let isCA: boolean;
    try {
      isCA = describeCert(certPem).isCA;
    } catch (err) {
      throw new Error(`${paths.cert}: ${(err as Error).message}`);
    }
    if (!isCA) throw new Error(`${paths.cert} is not a CA certificate`);
    if (!keyMatchesCert(certPem, keyPem)) throw new Error(`${paths.key} does not match ${paths.cert}`);
    out.ca = { certPem, keyPem };
  }
  if (saPem !== undefined) {
    try {
      signingKeyFromPem(saPem, saPub);
    } catch (err) {
      throw new Error(`${paths.sa}: ${(err as Error).message}`);
    }
    out.serviceAccountKeyPem = saPem;
  } else if (saPub !== undefined) {
    throw new Error(`${paths.saPub} is there without ${paths.sa}; restore the key, or move ${paths.saPub} away to take the key the planes on this etcd share`);
  }
  return out;
}

async function writeNew(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fsp.writeFile(tmp, data, { mode });
  await fsp.chmod(tmp, mode);
  await fsp.rename(tmp, path);
}

/** Write the parts of the shared material the data dir lacks (keys first, mode 0600). */
async function writeMissing(pkiDir: string, local: Partial<SharedPkiMaterial>, shared: SharedPkiMaterial): Promise<void> {
  if (!local.ca) {
    await writeNew(join(pkiDir, 'ca.key'), shared.ca.keyPem, 0o600);
    await writeNew(join(pkiDir, 'ca.crt'), shared.ca.certPem, 0o644);
  }
  if (local.serviceAccountKeyPem === undefined) {
    const key = signingKeyFromPem(shared.serviceAccountKeyPem);
    await writeNew(join(pkiDir, SA_KEY_FILE), key.privateKeyPem, 0o600);
    await writeNew(join(pkiDir, SA_PUB_FILE), key.publicKeyPem, 0o644);
  }
}

// ---------------------------------------------------------------------------------------------
// the shell

export interface SharedPkiOutcome {
  /** 'uploaded': this plane put its material into the storage; 'joined': it took what was there. */
  action: 'uploaded' | 'joined';
  caFingerprint: string;
  serviceAccountKeyId: string;
}

export interface SyncSharedPkiOptions {
  /** Recorded with an upload (informational), e.g. the host name. */
  uploadedBy?: string;
  now?: Date;
}

/**
 * Bring a PKI directory in line with the storage's shared material (see the module comment): upload, take, or throw
 * the refusal. Afterwards the directory's ca.crt/ca.key and sa.key/sa.pub are the shared ones.
 */
export async function syncSharedPki(store: Store, pkiDir: string, opts: SyncSharedPkiOptions = {}): Promise<SharedPkiOutcome> {
  await fsp.mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const local = await readLocal(pkiDir);
  const localId = identityOf(local);
  let candidate: SharedPkiMaterial | undefined;
  for (let attempt = 0; ; attempt++) {
    const kv = await store.get(SHARED_PKI_KEY);
    const stored = kv ? decodeSharedPki(kv.value) : undefined;
    const storedId = stored && identityOf(stored);
    const decision = decideSharedPki(localId, storedId);
    if (decision.action === 'refuse') throw new Error(sharedPkiRefusal(decision.conflict, localId, storedId!, pkiDir));
    const now = opts.now ?? new Date();
    if (stored) {
      const expiry = expiredOn(stored.ca.certPem, now);
      if (expiry) {
        throw new Error(
          `the CA the planes on this etcd share (storage key ${SHARED_PKI_KEY}) expired on ${expiry}: every replica needs a new one. ` +
            `Stop every replica, delete that key (etcdctl del <prefix>${SHARED_PKI_KEY}) and each data dir's pki/ca.* and pki/sa.*, ` +
            `then start one plane (it makes and shares a new CA; kubeconfigs and tokens made before stop working)`,
        );
      }
    } else if (local.ca) {
      const expiry = expiredOn(local.ca.certPem, now);
      if (expiry) throw new Error(`the CA in ${join(pkiDir, 'ca.crt')} expired on ${expiry}: it is not shared with other planes; move pki/ca.* and pki/sa.* aside to make a new one`);
    }
    if (decision.action === 'use') {
      await writeMissing(pkiDir, local, stored!);
      const mine = candidate !== undefined && certFingerprint(candidate.ca.certPem) === storedId!.caFingerprint;
      return { action: mine ? 'uploaded' : 'joined', caFingerprint: storedId!.caFingerprint!, serviceAccountKeyId: storedId!.serviceAccountKeyId! };
    }
    candidate ??= {
      ca: local.ca ?? (await createCA(CA_COMMON_NAME, { now: opts.now })),
      serviceAccountKeyPem: local.serviceAccountKeyPem ?? (await generateSigningKey()).privateKeyPem,
    };
    try {
      await store.create(SHARED_PKI_KEY, encodeSharedPki(candidate, { uploadedBy: opts.uploadedBy, uploadedAt: (opts.now ?? new Date()).toISOString() }));
    } catch (err) {
      // Another plane won the race (or the write's outcome is unknown): read again and decide on what is there.
      if (attempt >= 2 || (!(err instanceof StoreKeyExistsError) && !(await store.get(SHARED_PKI_KEY)))) throw err;
      continue;
    }
    await writeMissing(pkiDir, local, candidate);
    const id = identityOf(candidate);
    return { action: 'uploaded', caFingerprint: id.caFingerprint!, serviceAccountKeyId: id.serviceAccountKeyId! };
  }
}

/** The expiry date (ISO) of a certificate that is no longer valid at `now`, else undefined. */
function expiredOn(certPem: string, now: Date): string | undefined {
  const notAfter = describeCert(certPem).notAfter;
  return notAfter.getTime() <= now.getTime() ? notAfter.toISOString() : undefined;
}

export interface PlanePki {
  pki: ServerPki;
  serviceAccountKey: PlaneSigningKey;
  /** With shared storage: what this start did with the shared material. */
  shared?: SharedPkiOutcome;
}

/**
 * The plane's certificates and ServiceAccount key under DATA_DIR/pki. With `shared` (the etcd store every replica
 * uses) the CA and ServiceAccount key are first made the replicas' shared ones (syncSharedPki); without, the files
 * alone decide (SQLite and memory storage).
 */
export async function ensurePlanePki(dataDir: string, opts: EnsureServerPkiOptions, shared?: Store): Promise<PlanePki> {
  const pkiDir = join(dataDir, 'pki');
  const outcome = shared ? await syncSharedPki(shared, pkiDir, { uploadedBy: opts.hostname, now: opts.now }) : undefined;
  const pki = await ensureServerPki(dataDir, opts);
  const serviceAccountKey = await ensurePlaneSigningKey(pki.paths.dir);
  if (outcome && (pki.caFingerprint !== outcome.caFingerprint || serviceAccountKey.keyId !== outcome.serviceAccountKeyId)) {
    // Only a process changing the files meanwhile gets here.
    throw new Error(`${pkiDir} changed while the plane was starting; start it again`);
  }
  return outcome ? { pki, serviceAccountKey, shared: outcome } : { pki, serviceAccountKey };
}
