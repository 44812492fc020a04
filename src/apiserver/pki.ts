/**
 * Certificate authority and certificate issuance for the Slipway API server.
 *
 * Keys are ECDSA P-256 by default (P-384 and RSA 2048/3072/4096 on request; all accepted by Go's
 * crypto/tls, hence by kubectl) stored as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); certificates are PEM X.509 v3.
 * Client certificates carry the user name in the subject CN and the groups in the
 * subject O attributes — exactly how kube-apiserver's x509 authenticator reads them.
 */
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as nodeCrypto from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import * as x509 from '@peculiar/x509';

const webcrypto = nodeCrypto.webcrypto as unknown as Crypto;
x509.cryptoProvider.set(webcrypto);

const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates are back-dated a little so that small clock skew between machines does not matter. */
const BACKDATE_MS = 5 * 60 * 1000;

/** Key types a new key pair can have (Cluster API's encryptionAlgorithm values); ECDSA-P256 unless asked otherwise. */
export type KeyAlgorithm = 'ECDSA-P256' | 'ECDSA-P384' | 'RSA-2048' | 'RSA-3072' | 'RSA-4096';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'];

export const DEFAULT_CA_VALID_DAYS = 3650;
export const DEFAULT_CERT_VALID_DAYS = 365;
/** ensureServerPki reissues leaf certificates that expire within this many days. */
export const RENEW_BEFORE_DAYS = 30;

export const ADMIN_USER = 'slipway-admin';
export const ADMIN_GROUP = 'system:masters';

export interface CertKeyPair {
  /** PEM "CERTIFICATE". */
  certPem: string;
  /** PKCS#8 PEM "PRIVATE KEY". */
  keyPem: string;
}

export interface ValidityOptions {
  validDays?: number;
  /** Issue "as of" this instant (tests); defaults to the current time. */
  now?: Date;
  /** Key type of the new key pair (default ECDSA-P256). */
  keyAlgorithm?: KeyAlgorithm;
}

export interface ServingCertOptions extends ValidityOptions {
  commonName: string;
  dnsNames: string[];
  ips: string[];
}

export interface ClientCertOptions extends ValidityOptions {
  /** Kubernetes user name. */
  commonName: string;
  /** Kubernetes groups (one subject O attribute each). */
  organizations: string[];
}

export interface ServerPkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

export interface ServerPki {
  ca: CertKeyPair;
  server: CertKeyPair;
  admin: CertKeyPair;
  paths: ServerPkiPaths;
  /** SHA-256 fingerprint of the CA certificate, lowercase hex without separators. */
  caFingerprint: string;
  /** What this call did: created new material or reused what was on disk. */
  created: { ca: boolean; server: boolean; admin: boolean };
}

export interface EnsureServerPkiOptions {
  /** Host name (or IP address) clients use to reach the server; goes into the serving cert's SANs. */
  hostname: string;
  /** More DNS names / IP addresses for the serving certificate. */
  extraSans?: string[];
  now?: Date;
}

export interface CertificateInfo {
  subject: string;
  commonName: string;
  organizations: string[];
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ips: string[];
  isCA: boolean;
  extKeyUsages: string[];
  /** SHA-256 fingerprint, lowercase hex without separators. */
  fingerprint: string;
}

export interface ClientIdentity {
  user: string;
  groups: string[];
}

// ---------------------------------------------------------------------------------------------
// helpers

function toPem(der: ArrayBuffer, label: string): string {
  return x509.PemConverter.encode(der, label) + '\n';
}

function normalizePem(pem: string): string {
  const t = pem.replace(/\r\n/g, '\n').trim();
  return t + '\n';
}

function validity(opts: ValidityOptions | undefined, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const days = opts?.validDays ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0) throw new Error(`validDays must be a positive number, got ${String(days)}`);
  const now = (opts?.now ?? new Date()).getTime();
  // X.509 times have one-second resolution; round so that round-trips compare equal.
  const notBefore = new Date(Math.floor((now - BACKDATE_MS) / 1000) * 1000);
  const notAfter = new Date(Math.floor((now + days * DAY_MS) / 1000) * 1000);
  return { notBefore, notAfter };
}

function keyGenParams(alg: KeyAlgorithm): EcKeyGenParams | RsaHashedKeyGenParams {
  switch (alg) {
    case 'ECDSA-P256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ECDSA-P384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(alg.slice(4)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    default:
      throw new Error(`unsupported key algorithm "${String(alg)}" (supported: ${KEY_ALGORITHMS.join(', ')})`);
  }
}

async function generateKeys(alg: KeyAlgorithm = 'ECDSA-P256'): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(keyGenParams(alg), true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Import a PEM private key (PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY") for signing. */
async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  let keyObject: nodeCrypto.KeyObject;
  try {
    keyObject = nodeCrypto.createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`cannot parse CA private key: ${(err as Error).message}`);
  }
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  const type = keyObject.asymmetricKeyType;
  if (type === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : undefined;
    if (!namedCurve) throw new Error(`unsupported CA key curve ${String(curve)}`);
    return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve }, false, ['sign']);
  }
  if (type === 'rsa') {
    return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  }
  throw new Error(`unsupported CA key type ${String(type)}`);
}

function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  if (key.algorithm.name === 'ECDSA') {
    const curve = (key.algorithm as EcKeyAlgorithm).namedCurve;
    const hash = curve === 'P-384' ? 'SHA-384' : curve === 'P-521' ? 'SHA-512' : 'SHA-256';
    return { name: 'ECDSA', hash } as EcdsaParams;
  }
  return { name: key.algorithm.name, hash: 'SHA-256' } as Algorithm;
}

function parseCert(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch (err) {
    throw new Error(`cannot parse certificate: ${(err as Error).message}`);
  }
}

function subjectName(commonName: string, organizations: string[] = []): x509.JsonName {
  if (!commonName) throw new Error('commonName must not be empty');
  // One RDN per attribute, organizations first, as Go/openssl order them ("O=..., CN=...").
  const name: x509.JsonName = organizations.filter((o) => o !== '').map((o) => ({ O: [o] }));
  name.push({ CN: [commonName] });
  return name;
}

async function issue(
  ca: CertKeyPair,
  subject: x509.JsonName,
  extensions: x509.Extension[],
  publicKey: CryptoKey,
  opts: ValidityOptions | undefined,
): Promise<x509.X509Certificate> {
  const caCert = parseCert(ca.certPem);
  const caKey = await importSigningKey(ca.keyPem);
  const { notBefore, notAfter } = validity(opts, DEFAULT_CERT_VALID_DAYS);
  // Never outlive the issuing CA.
  const capped = notAfter.getTime() > caCert.notAfter.getTime() ? new Date(caCert.notAfter.getTime()) : notAfter;
  const aki = await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, webcrypto);
  const ski = await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto);
  return x509.X509CertificateGenerator.create(
    {
      subject,
      // Reuse the CA's encoded subject so the issuer bytes match exactly (chain building compares bytes).
      issuer: caCert.subjectName,
      notBefore,
      notAfter: capped,
      publicKey,
      signingKey: caKey,
      signingAlgorithm: signingAlgorithmFor(caKey),
      extensions: [...extensions, ski, aki],
    },
    webcrypto,
  );
}

// ---------------------------------------------------------------------------------------------
// public API

/** Create a self-signed CA (ECDSA P-256, basicConstraints CA:TRUE critical, keyCertSign|cRLSign). */
export async function createCA(commonName: string, opts?: ValidityOptions): Promise<CertKeyPair> {
  const keys = await generateKeys(opts?.keyAlgorithm);
  const { notBefore, notAfter } = validity(opts, DEFAULT_CA_VALID_DAYS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: subjectName(commonName),
      keys,
      notBefore,
      notAfter,
      signingAlgorithm: signingAlgorithmFor(keys.privateKey),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { certPem: toPem(cert.rawData, 'CERTIFICATE'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** Issue a TLS serving certificate (extKeyUsage serverAuth) for the given DNS names and IP addresses. */
export async function issueServingCert(ca: CertKeyPair, opts: ServingCertOptions): Promise<CertKeyPair> {
  const names: x509.JsonGeneralName[] = [];
  const seen = new Set<string>();
  for (const dns of opts.dnsNames) {
    const v = dns.trim().toLowerCase();
    if (!v || seen.has('dns:' + v)) continue;
    if (isIP(v)) throw new Error(`"${dns}" is an IP address; pass it in ips, not dnsNames`);
    seen.add('dns:' + v);
    names.push({ type: 'dns', value: v });
  }
  for (const ip of opts.ips) {
    const v = ip.trim();
    if (!isIP(v)) throw new Error(`"${ip}" is not a valid IP address`);
    if (seen.has('ip:' + v)) continue;
    seen.add('ip:' + v);
    names.push({ type: 'ip', value: v });
  }
  if (names.length === 0) throw new Error('a serving certificate needs at least one DNS name or IP address');
  const keys = await generateKeys(opts.keyAlgorithm);
  const cert = await issue(
    ca,
    subjectName(opts.commonName),
    [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
    keys.publicKey,
    opts,
  );
  return { certPem: toPem(cert.rawData, 'CERTIFICATE'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** Issue a client certificate (extKeyUsage clientAuth): CN = user name, one O per group. */
export async function issueClientCert(ca: CertKeyPair, opts: ClientCertOptions): Promise<CertKeyPair> {
  const keys = await generateKeys(opts.keyAlgorithm);
  const cert = await issue(
    ca,
    subjectName(opts.commonName, opts.organizations),
    [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
    keys.publicKey,
    opts,
  );
  return { certPem: toPem(cert.rawData, 'CERTIFICATE'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** A bare key pair (no certificate), e.g. a service-account signing key: PKCS#8 private key and SPKI public key, PEM. */
export async function generateKeyPair(alg: KeyAlgorithm = 'ECDSA-P256'): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const keys = await generateKeys(alg);
  return { privateKeyPem: await exportKeyPem(keys.privateKey), publicKeyPem: toPem(await webcrypto.subtle.exportKey('spki', keys.publicKey), 'PUBLIC KEY') };
}

/** SHA-256 fingerprint of a PEM certificate (lowercase hex, no separators). */
export function certFingerprint(certPem: string): string {
  return nodeCrypto.createHash('sha256').update(new Uint8Array(parseCert(certPem).rawData)).digest('hex');
}

/** Decode the fields of a PEM certificate that Slipway cares about. */
export function describeCert(certPem: string): CertificateInfo {
  const cert = parseCert(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') dnsNames.push(n.value);
    else if (n.type === 'ip') ips.push(n.value);
  }
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return {
    subject: cert.subject,
    commonName: cert.subjectName.getField('CN')[0] ?? '',
    organizations: cert.subjectName.getField('O'),
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames,
    ips,
    isCA: bc?.ca ?? false,
    extKeyUsages: Array.from(eku?.usages ?? [], (u) => String(u)),
    fingerprint: certFingerprint(certPem),
  };
}

/** True when `certPem` carries a valid signature by `caCertPem`'s key and names it as issuer. */
export function isSignedBy(certPem: string, caCertPem: string): boolean {
  try {
    const cert = new nodeCrypto.X509Certificate(certPem);
    const ca = new nodeCrypto.X509Certificate(caCertPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** True when the private key in `keyPem` belongs to the certificate's public key. */
export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  try {
    return new nodeCrypto.X509Certificate(certPem).checkPrivateKey(nodeCrypto.createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// server PKI directory

/** SAN entries every Slipway serving certificate carries in addition to the host name. */
export const DEFAULT_SERVING_DNS = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
export const DEFAULT_SERVING_IPS = ['127.0.0.1', '::1'];

function servingSans(opts: EnsureServerPkiOptions): { dnsNames: string[]; ips: string[] } {
  const dnsNames = [...DEFAULT_SERVING_DNS];
  const ips = [...DEFAULT_SERVING_IPS];
  for (const raw of [opts.hostname, ...(opts.extraSans ?? [])]) {
    // Accept "[::1]" as well as "::1".
    const v = raw.trim().replace(/^\[(.*)\]$/, '$1');
    if (!v) continue;
    if (isIP(v)) {
      // The wildcard listen addresses are not names anyone can dial.
      if (v !== '0.0.0.0' && v !== '::') ips.push(v);
    } else {
      dnsNames.push(v.toLowerCase());
    }
  }
  return { dnsNames, ips };
}

function normalizeIp(ip: string): string {
  // Expand IPv6 so "::1" and "0:0:0:0:0:0:0:1" compare equal.
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname;
  } catch {
    return ip;
  }
}

/** A file's text, or undefined when it does not exist (other errors throw). */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${nodeCrypto.randomBytes(4).toString('hex')}`;
  await fsp.writeFile(tmp, data, { mode });
  await fsp.chmod(tmp, mode);
  await fsp.rename(tmp, path);
}

async function writePair(certPath: string, keyPath: string, pair: CertKeyPair): Promise<void> {
  // Key first: a crash in between leaves a cert without a matching key, which the next start detects.
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
}

async function loadPair(certPath: string, keyPath: string): Promise<CertKeyPair | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem === undefined || keyPem === undefined) return undefined;
  return { certPem: normalizePem(certPem), keyPem: normalizePem(keyPem) };
}

function leafUsable(pair: CertKeyPair | undefined, ca: CertKeyPair, now: Date): pair is CertKeyPair {
  if (!pair) return false;
  try {
    const info = describeCert(pair.certPem);
    if (info.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
    if (info.notBefore.getTime() > now.getTime() + BACKDATE_MS) return false;
    return isSignedBy(pair.certPem, ca.certPem) && keyMatchesCert(pair.certPem, pair.keyPem);
  } catch {
    return false;
  }
}

/**
 * Load or create the server's PKI under `DIR/pki`:
 * ca.crt/ca.key (self-signed CA), apiserver.crt/apiserver.key (serving cert) and
 * admin.crt/admin.key (client cert CN=slipway-admin, O=system:masters). Key files are mode 0600.
 *
 * Later calls reuse what is on disk. The serving certificate is reissued when its SANs lack the
 * current host name (or any default SAN), when it expires within 30 days, or when it no longer
 * belongs to the CA; the admin certificate likewise on expiry / CA mismatch. The CA itself is
 * never replaced silently: an unreadable, key-less or expired CA is an error.
 */
export async function ensureServerPki(dataDir: string, opts: EnsureServerPkiOptions): Promise<ServerPki> {
  const now = opts.now ?? new Date();
  const dir = join(dataDir, 'pki');
  const paths: ServerPkiPaths = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
  };
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const created = { ca: false, server: false, admin: false };

  // --- CA
  const caCertText = await readIfExists(paths.caCert);
  const caKeyText = await readIfExists(paths.caKey);
  let ca: CertKeyPair;
  if (caCertText === undefined && caKeyText === undefined) {
    ca = await createCA('slipway-ca', { now });
    await writePair(paths.caCert, paths.caKey, ca);
    created.ca = true;
  } else if (caCertText === undefined || caKeyText === undefined) {
    const missing = caCertText === undefined ? paths.caCert : paths.caKey;
    throw new Error(`incomplete CA in ${dir}: ${missing} is missing; restore it, or delete ${dir} to create a new CA (existing kubeconfigs will stop working)`);
  } else {
    ca = { certPem: normalizePem(caCertText), keyPem: normalizePem(caKeyText) };
    const info = describeCert(ca.certPem);
    if (!info.isCA) throw new Error(`${paths.caCert} is not a CA certificate`);
    if (info.notAfter.getTime() <= now.getTime()) {
      throw new Error(`CA certificate ${paths.caCert} expired on ${info.notAfter.toISOString()}; delete ${dir} to create a new CA`);
    }
    if (!keyMatchesCert(ca.certPem, ca.keyPem)) throw new Error(`${paths.caKey} does not match ${paths.caCert}`);
    await fsp.chmod(paths.caKey, 0o600);
  }

  // --- serving certificate
  const wanted = servingSans(opts);
  let server = await loadPair(paths.serverCert, paths.serverKey);
  let serverOk = leafUsable(server, ca, now);
  if (serverOk && server) {
    const info = describeCert(server.certPem);
    const haveDns = new Set(info.dnsNames.map((d) => d.toLowerCase()));
    const haveIps = new Set(info.ips.map(normalizeIp));
    serverOk = wanted.dnsNames.every((d) => haveDns.has(d)) && wanted.ips.every((ip) => haveIps.has(normalizeIp(ip)));
  }
  if (!serverOk || !server) {
    const commonName = isIP(opts.hostname) || !opts.hostname.trim() ? 'slipway-apiserver' : opts.hostname.trim().toLowerCase();
    server = await issueServingCert(ca, { commonName, dnsNames: wanted.dnsNames, ips: wanted.ips, now });
    await writePair(paths.serverCert, paths.serverKey, server);
    created.server = true;
  } else {
    await fsp.chmod(paths.serverKey, 0o600);
  }

  // --- admin client certificate
  let admin = await loadPair(paths.adminCert, paths.adminKey);
  let adminOk = leafUsable(admin, ca, now);
  if (adminOk && admin) {
    const info = describeCert(admin.certPem);
    adminOk = info.commonName === ADMIN_USER && info.organizations.includes(ADMIN_GROUP);
  }
  if (!adminOk || !admin) {
    admin = await issueClientCert(ca, { commonName: ADMIN_USER, organizations: [ADMIN_GROUP], now });
    await writePair(paths.adminCert, paths.adminKey, admin);
    created.admin = true;
  } else {
    await fsp.chmod(paths.adminKey, 0o600);
  }

  return { ca, server, admin, paths, caFingerprint: certFingerprint(ca.certPem), created };
}

// ---------------------------------------------------------------------------------------------
// client identity

/** Anything that describes a certificate subject: node:tls PeerCertificate, node:crypto X509Certificate, or `{ subject }`. */
export type CertificateSubjectSource = { subject: string; raw?: Buffer } | PeerCertificate;

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** Parse a distinguished name string: RFC 4514 ("CN=a,O=b", with \\ escapes and quotes) or OpenSSL multi-line ("CN=a\nO=b"). */
export function parseDistinguishedName(dn: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  // Node's X509Certificate.subject is one attribute per line (values still backslash-escaped).
  const isSeparator = dn.includes('\n') ? (c: string): boolean => c === '\n' : (c: string): boolean => c === ',' || c === ';' || c === '+';
  let key = '';
  let value = '';
  let inKey = true;
  let quoted = false;
  const flush = (): void => {
    if (key.trim()) out.push([key.trim(), value.trim()]);
    key = '';
    value = '';
    inKey = true;
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (inKey) {
      if (c === '=') inKey = false;
      else if (isSeparator(c)) flush();
      else key += c;
      continue;
    }
    if (c === '\\' && i + 1 < dn.length) {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        // Hex-escaped byte(s): decode consecutive \XX runs as UTF-8.
        const bytes: number[] = [];
        while (dn[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(dn.slice(i + 1, i + 3))) {
          bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
          i += 3;
        }
        i -= 1;
        value += Buffer.from(bytes).toString('utf8');
      } else {
        value += dn[i + 1];
        i++;
      }
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (!quoted && isSeparator(c)) {
      flush();
      continue;
    }
    value += c;
  }
  flush();
  return out;
}

/**
 * The Kubernetes identity a client certificate asserts: user = subject CN, groups = subject O values.
 * Uses the DER bytes when available (exact), otherwise the parsed subject object or string.
 */
export function parseClientIdentity(cert: CertificateSubjectSource): ClientIdentity {
  const raw = (cert as { raw?: unknown }).raw;
  if (raw instanceof Uint8Array && raw.length > 0) {
    try {
      const name = new x509.X509Certificate(new Uint8Array(raw)).subjectName;
      return { user: name.getField('CN')[0] ?? '', groups: name.getField('O') };
    } catch {
      // fall through to the textual subject
    }
  }
  const subject: unknown = cert.subject;
  if (typeof subject === 'string') {
    const attrs = parseDistinguishedName(subject);
    return {
      user: attrs.find(([k]) => k.toUpperCase() === 'CN')?.[1] ?? '',
      groups: attrs.filter(([k]) => k.toUpperCase() === 'O').map(([, v]) => v),
    };
  }
  if (subject && typeof subject === 'object') {
    const s = subject as Record<string, unknown>;
    return { user: asList(s['CN'])[0] ?? '', groups: asList(s['O']) };
  }
  return { user: '', groups: [] };
}
