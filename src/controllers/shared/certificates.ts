/**
 * The cluster certificate set, as Cluster API keeps it (util/secret): the cluster CA (`<cluster>-ca`), the etcd CA
 * (`<cluster>-etcd`), the front-proxy CA (`<cluster>-proxy`) and the service-account key pair (`<cluster>-sa`, tls.key
 * the private key and tls.crt the PUBLIC key), each in a Secret of type `cluster.x-k8s.io/secret` with `tls.crt` and
 * `tls.key`. Generated once per cluster, never replaced here; whoever generates them owns them (controller reference).
 * With external etcd the etcd CA and the API server's etcd client pair are the user's Secrets and are never generated.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { posix } from 'node:path';
import type { KubeObject } from '../../apimachinery/types.js';
import { createCA, generateKeyPair, type KeyAlgorithm } from '../../apiserver/pki.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import type { ClusterConfiguration, File } from '../../api/bootstrap/types.js';
import { CLUSTER_NAME_LABEL, CLUSTER_SECRET_TYPE } from '../../api/cluster/types.js';
import type { Reader } from './reader.js';

export const SECRET_KIND = { apiVersion: 'v1', kind: 'Secret' } as const;
export const TLS_CRT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';
export const DEFAULT_CERTIFICATES_DIR = '/etc/kubernetes/pki';
/** CA validity when ClusterConfiguration.caCertificateValidityPeriodDays is unset (ten years, as upstream). */
export const DEFAULT_CA_VALIDITY_DAYS = 3650;
/**
 * Key type when ClusterConfiguration.encryptionAlgorithm is unset. Upstream (and kubeadm) default to RSA-2048; Slipway
 * defaults to ECDSA-P256 because generating four RSA keys per cluster dominates the cost of creating clusters by the
 * thousand. RSA-2048/3072/4096 and ECDSA-P384 are honoured when asked for.
 */
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ECDSA-P256';

/** The Secret name suffixes (upstream's secret.Purpose values). */
export type CertificatePurpose = 'ca' | 'etcd' | 'proxy' | 'sa' | 'apiserver-etcd-client';
/** The purposes Cluster API generates (the fifth, apiserver-etcd-client, is always the user's). */
export const GENERATED_PURPOSES = ['ca', 'etcd', 'proxy', 'sa'] as const satisfies readonly CertificatePurpose[];

/** Subject common names of the generated CAs (kubeadm's names for them). */
const CA_COMMON_NAMES: Record<'ca' | 'etcd' | 'proxy', string> = { ca: 'kubernetes', etcd: 'etcd-ca', proxy: 'front-proxy-ca' };

/** PEM texts of one Secret: `cert` is tls.crt (a public key for `sa`), `key` tls.key ('' when the Secret has none). */
export interface KeyPairPem {
  cert: string;
  key: string;
}

/** What was found (or generated) for a cluster, by purpose. */
export type CertificateSet = Partial<Record<CertificatePurpose, KeyPairPem>>;

export interface ClusterKey {
  metadata?: { namespace?: string; name?: string };
}

export interface CertificateOptions {
  /** Key type of generated keys (ClusterConfiguration.encryptionAlgorithm); default DEFAULT_KEY_ALGORITHM. */
  algorithm?: KeyAlgorithm;
  /** Issue "as of" this instant (from the controller's clock). */
  now: Date;
  /** CA validity in days (ClusterConfiguration.caCertificateValidityPeriodDays); default 3650. */
  caValidityDays?: number;
  /** External etcd: the etcd CA and apiserver-etcd-client pair must exist; they are not generated. */
  externalEtcd?: boolean;
}

export interface LookupOrGenerateResult {
  certificates: CertificateSet;
  /** Purposes this call generated and stored. */
  generated: CertificatePurpose[];
}

/** `<cluster>-<purpose>`. */
export function certificateSecretName(clusterName: string, purpose: CertificatePurpose): string {
  return `${clusterName}-${purpose}`;
}

/** Certificate options from a ClusterConfiguration (encryptionAlgorithm, caCertificateValidityPeriodDays, external etcd). */
export function certificateOptionsFor(cc: ClusterConfiguration | undefined, now: Date): CertificateOptions {
  return {
    now,
    algorithm: cc?.encryptionAlgorithm,
    caValidityDays: cc?.caCertificateValidityPeriodDays || undefined,
    externalEtcd: isExternalEtcd(cc),
  };
}

export function isExternalEtcd(cc: ClusterConfiguration | undefined): boolean {
  return !!cc?.etcd?.external?.endpoints?.length;
}

function clusterRef(cluster: ClusterKey): { namespace: string; name: string } {
  const namespace = cluster.metadata?.namespace;
  const name = cluster.metadata?.name;
  if (!namespace || !name) throw new Error('cluster certificates need a Cluster with metadata.namespace and metadata.name');
  return { namespace, name };
}

/** The key pair stored in a certificate Secret; errors name the Secret and the missing key. */
export function keyPairFromSecret(secret: KubeObject): KeyPairPem {
  const where = `Secret ${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const data = (secret.data ?? {}) as Record<string, unknown>;
  const crt = data[TLS_CRT_KEY];
  if (typeof crt !== 'string' || crt === '') throw new Error(`${where} has no data key "${TLS_CRT_KEY}"`);
  const key = data[TLS_KEY_KEY];
  if (key !== undefined && typeof key !== 'string') throw new Error(`${where}: data key "${TLS_KEY_KEY}" must be a base64 string`);
  return { cert: Buffer.from(crt, 'base64').toString('utf8'), key: key ? Buffer.from(key, 'base64').toString('utf8') : '' };
}

/**
 * The certificate Secrets of a cluster that exist, by purpose (missing ones are absent). A Secret without `tls.crt`
 * is an error (a badly formatted Secret would break the cluster; say so rather than generate over it).
 */
export async function lookupCertificates(reader: Reader, namespace: string, clusterName: string, purposes: readonly CertificatePurpose[] = [...GENERATED_PURPOSES, 'apiserver-etcd-client']): Promise<CertificateSet> {
  const out: CertificateSet = {};
  await Promise.all(
    purposes.map(async (purpose) => {
      const secret = await reader.get(SECRET_KIND, namespace, certificateSecretName(clusterName, purpose));
      if (secret) out[purpose] = keyPairFromSecret(secret);
    }),
  );
  return out;
}

/** A new key pair for one purpose: a self-signed CA, or the bare service-account key pair. */
export async function generateCertificate(purpose: 'ca' | 'etcd' | 'proxy' | 'sa', opts: CertificateOptions): Promise<KeyPairPem> {
  const keyAlgorithm = opts.algorithm ?? DEFAULT_KEY_ALGORITHM;
  if (purpose === 'sa') {
    const pair = await generateKeyPair(keyAlgorithm);
    return { cert: pair.publicKeyPem, key: pair.privateKeyPem };
  }
  const validDays = opts.caValidityDays ?? DEFAULT_CA_VALIDITY_DAYS;
  const ca = await createCA(CA_COMMON_NAMES[purpose], { now: opts.now, validDays, keyAlgorithm });
  return { cert: ca.certPem, key: ca.keyPem };
}

/** The Secret holding one key pair of a cluster, controlled by `owner` (as upstream's Certificate.AsSecret). */
export function certificateSecret(cluster: ClusterKey, purpose: CertificatePurpose, pair: KeyPairPem, owner?: KubeObject): KubeObject {
  const { namespace, name } = clusterRef(cluster);
  const metadata: NonNullable<KubeObject['metadata']> = { namespace, name: certificateSecretName(name, purpose), labels: { [CLUSTER_NAME_LABEL]: name } };
  if (owner) metadata.ownerReferences = [controllerReferenceTo(owner)];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: CLUSTER_SECRET_TYPE,
    data: { [TLS_CRT_KEY]: Buffer.from(pair.cert).toString('base64'), [TLS_KEY_KEY]: Buffer.from(pair.key).toString('base64') },
  };
}

/** An owner reference marking `owner` as the controller (blockOwnerDeletion as metav1.NewControllerRef). */
export function controllerReferenceTo(owner: KubeObject): NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number] {
  const m = owner.metadata ?? {};
  if (!owner.apiVersion || !owner.kind || !m.name || !m.uid) throw new Error('an owner needs apiVersion, kind, metadata.name and metadata.uid');
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * Find the cluster's certificate Secrets and generate the missing ones (never replacing one that exists). A Secret
 * someone else creates at the same moment wins: AlreadyExists re-reads it and uses that. With external etcd the etcd
 * CA and apiserver-etcd-client Secrets must already exist.
 */
export async function lookupOrGenerateCertificates(client: Client, reader: Reader, cluster: ClusterKey, owner: KubeObject, opts: CertificateOptions): Promise<LookupOrGenerateResult> {
  const { namespace, name } = clusterRef(cluster);
  const purposes: CertificatePurpose[] = opts.externalEtcd ? ['ca', 'etcd', 'proxy', 'sa', 'apiserver-etcd-client'] : [...GENERATED_PURPOSES];
  const certificates = await lookupCertificates(reader, namespace, name, purposes);
  if (opts.externalEtcd) {
    for (const purpose of ['etcd', 'apiserver-etcd-client'] as const) {
      if (!certificates[purpose]) throw new Error(`external etcd certificate Secret ${namespace}/${certificateSecretName(name, purpose)} not found (ClusterConfiguration.etcd.external is set; create it with ${TLS_CRT_KEY} and ${TLS_KEY_KEY})`);
    }
  }
  const generated: CertificatePurpose[] = [];
  for (const purpose of purposes) {
    if (certificates[purpose] || purpose === 'apiserver-etcd-client') continue;
    const pair = await generateCertificate(purpose as 'ca' | 'etcd' | 'proxy' | 'sa', opts);
    try {
      await client.create(certificateSecret(cluster, purpose, pair, owner));
      certificates[purpose] = pair;
      generated.push(purpose);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // Someone else stored it first: theirs is the cluster's.
      certificates[purpose] = keyPairFromSecret(await client.get(SECRET_KIND, { namespace, name: certificateSecretName(name, purpose) }));
    }
  }
  return { certificates, generated };
}

/** Every certificate in a PEM text (a bundle may hold several). */
function certificatesIn(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new Error(`${what}: no PEM CERTIFICATE block`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new Error(`${what}: cannot parse certificate: ${(e as Error).message}`);
    }
  });
}

/** When each certificate of the set stops being valid (the `sa` key pair has no certificate and no expiry). */
export function certificateNotAfter(set: CertificateSet): Partial<Record<CertificatePurpose, Date>> {
  const out: Partial<Record<CertificatePurpose, Date>> = {};
  for (const [purpose, pair] of Object.entries(set) as [CertificatePurpose, KeyPairPem | undefined][]) {
    if (!pair || purpose === 'sa') continue;
    const certs = certificatesIn(pair.cert, `${purpose} certificate`);
    out[purpose] = new Date(Math.min(...certs.map((c) => Date.parse(c.validTo))));
  }
  return out;
}

/** kubeadm's discovery hashes of a CA bundle: "sha256:" + hex SHA-256 of each certificate's SubjectPublicKeyInfo. */
export function caCertHashes(caCertPem: string): string[] {
  return certificatesIn(caCertPem, 'cluster CA').map((c) => 'sha256:' + createHash('sha256').update(c.publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
}

/**
 * The certificate files a control-plane node gets (upstream's Certificates.AsFiles): certificates 0640 and keys 0600,
 * owned by root, under ClusterConfiguration.certificatesDir (default /etc/kubernetes/pki); with external etcd the
 * etcd CA and the client pair go where etcd.external names them. Pairs absent from the set are skipped.
 */
export function certificateFiles(set: CertificateSet, cc?: ClusterConfiguration): File[] {
  const dir = cc?.certificatesDir || DEFAULT_CERTIFICATES_DIR;
  const ext = isExternalEtcd(cc) ? cc!.etcd!.external! : undefined;
  const layout: [CertificatePurpose, string, string | undefined][] = [
    ['ca', posix.join(dir, 'ca.crt'), posix.join(dir, 'ca.key')],
    ['etcd', ext ? ext.caFile : posix.join(dir, 'etcd', 'ca.crt'), ext ? undefined : posix.join(dir, 'etcd', 'ca.key')],
    ['proxy', posix.join(dir, 'front-proxy-ca.crt'), posix.join(dir, 'front-proxy-ca.key')],
    ['sa', posix.join(dir, 'sa.pub'), posix.join(dir, 'sa.key')],
  ];
  if (ext) layout.push(['apiserver-etcd-client', ext.certFile, ext.keyFile]);
  const files: File[] = [];
  for (const [purpose, certFile, keyFile] of layout) {
    const pair = set[purpose];
    if (!pair) continue;
    if (pair.cert) files.push({ path: certFile, owner: 'root:root', permissions: '0640', content: pair.cert });
    if (pair.key && keyFile) files.push({ path: keyFile, owner: 'root:root', permissions: '0600', content: pair.key });
  }
  return files;
}

/** The purposes a node of this role needs, and whether they must carry a key (upstream's EnsureAllExist). */
export function missingCertificates(set: CertificateSet, role: 'control-plane' | 'worker', cc?: ClusterConfiguration): string[] {
  const missing: string[] = [];
  const need: CertificatePurpose[] = role === 'worker' ? ['ca'] : isExternalEtcd(cc) ? ['ca', 'sa', 'proxy', 'etcd', 'apiserver-etcd-client'] : ['ca', 'sa', 'proxy', 'etcd'];
  for (const p of need) {
    const pair = set[p];
    if (!pair?.cert) missing.push(`${p} (no ${TLS_CRT_KEY})`);
    else if (role === 'control-plane' && !pair.key && !(p === 'etcd' && isExternalEtcd(cc))) missing.push(`${p} (no ${TLS_KEY_KEY})`);
  }
  return missing;
}
