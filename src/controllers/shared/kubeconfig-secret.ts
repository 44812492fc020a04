/**
 * The admin kubeconfig of a workload cluster, as Cluster API writes it (util/kubeconfig): Secret `<cluster>-kubeconfig`
 * (key `value`, type `cluster.x-k8s.io/secret`) holding a kubeconfig whose cluster entry trusts the cluster CA and
 * whose user `<cluster>-admin` presents a client certificate (CN kubernetes-admin, O system:masters) signed by that
 * CA; context `<cluster>-admin@<cluster>`. The client certificate is renewed when it has less than half of its
 * one-year validity left (upstream's ClientCertificateRenewalDuration).
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import YAML from 'yaml';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import { renderKubeconfig } from '../../apiserver/kubeconfig.js';
import { issueClientCert, type KeyAlgorithm } from '../../apiserver/pki.js';
import { CLUSTER_NAME_LABEL, CLUSTER_SECRET_TYPE } from '../../api/cluster/types.js';
import { controllerReferenceTo, type ClusterKey, type KeyPairPem } from './certificates.js';

export const KUBECONFIG_DATA_KEY = 'value';
export const KUBECONFIG_ADMIN_USER = 'kubernetes-admin';
export const KUBECONFIG_ADMIN_GROUP = 'system:masters';
const DAY_MS = 86_400_000;
/** Validity of the admin client certificate (upstream's DefaultCertDuration). */
export const KUBECONFIG_CLIENT_CERT_DAYS = 365;
/** Renew the client certificate when it expires within this long (half its validity, as upstream). */
export const KUBECONFIG_RENEW_BEFORE_MS = (KUBECONFIG_CLIENT_CERT_DAYS * DAY_MS) / 2;

export interface KubeconfigOptions {
  clusterName: string;
  /** "https://host:port" (see controlPlaneServer). */
  server: string;
  /** The cluster CA (cert and key) the client certificate is signed by and the server is trusted with. */
  ca: KeyPairPem;
  /** TLS server name to verify the API server's certificate against, when the server URL's host differs. */
  tlsServerName?: string;
  /** Issue "as of" (the controller's clock). */
  now: Date;
  /** Key type of the client key (default ECDSA-P256). */
  algorithm?: KeyAlgorithm;
}

export function kubeconfigSecretName(clusterName: string): string {
  return `${clusterName}-kubeconfig`;
}

/** `https://host:port` of a control-plane endpoint (IPv6 hosts in brackets). */
export function controlPlaneServer(endpoint: { host?: string; port?: number }): string {
  if (!endpoint.host) throw new Error('controlPlaneEndpoint.host is empty');
  const port = endpoint.port ?? 6443;
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return `https://${host}:${port}`;
}

/** The admin kubeconfig YAML of a cluster, with a new client certificate valid for a year from `now`. */
export async function renderClusterKubeconfig(opts: KubeconfigOptions): Promise<string> {
  if (!opts.ca.key) throw new Error(`cannot sign the admin client certificate of cluster ${opts.clusterName}: the cluster CA has no private key`);
  const client = await issueClientCert(
    { certPem: opts.ca.cert, keyPem: opts.ca.key },
    { commonName: KUBECONFIG_ADMIN_USER, organizations: [KUBECONFIG_ADMIN_GROUP], now: opts.now, validDays: KUBECONFIG_CLIENT_CERT_DAYS, keyAlgorithm: opts.algorithm },
  );
  const userName = `${opts.clusterName}-admin`;
  return renderKubeconfig({
    server: opts.server,
    caPem: opts.ca.cert,
    clientCertPem: client.certPem,
    clientKeyPem: client.keyPem,
    clusterName: opts.clusterName,
    userName,
    contextName: `${userName}@${opts.clusterName}`,
    tlsServerName: opts.tlsServerName,
  });
}

/** Secret `<cluster>-kubeconfig` carrying `kubeconfig` under key `value`, controlled by `owner`. */
export function kubeconfigSecret(cluster: ClusterKey, kubeconfig: string, owner: KubeObject): KubeObject {
  const namespace = cluster.metadata?.namespace;
  const name = cluster.metadata?.name;
  if (!namespace || !name) throw new Error('a kubeconfig Secret needs a Cluster with metadata.namespace and metadata.name');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name: kubeconfigSecretName(name), labels: { [CLUSTER_NAME_LABEL]: name }, ownerReferences: [controllerReferenceTo(owner)] },
    type: CLUSTER_SECRET_TYPE,
    data: { [KUBECONFIG_DATA_KEY]: Buffer.from(kubeconfig).toString('base64') },
  };
}

/** The kubeconfig text of a kubeconfig Secret; errors name the Secret. */
export function kubeconfigFromSecret(secret: KubeObject): string {
  const value = (secret.data as Record<string, unknown> | undefined)?.[KUBECONFIG_DATA_KEY];
  if (typeof value !== 'string' || !value) throw new Error(`Secret ${secret.metadata?.namespace}/${secret.metadata?.name} has no data key "${KUBECONFIG_DATA_KEY}"`);
  return Buffer.from(value, 'base64').toString('utf8');
}

interface ParsedKubeconfig {
  server?: string;
  tlsServerName?: string;
  clientCertificates: { user: string; pem: string }[];
}

function parseKubeconfigText(text: string, where: string): ParsedKubeconfig {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new Error(`${where}: kubeconfig is not valid YAML: ${(e as Error).message}`);
  }
  if (!isPlainObject(doc)) throw new Error(`${where}: kubeconfig is not a YAML mapping`);
  const clusters = Array.isArray(doc.clusters) ? doc.clusters : [];
  const first = clusters.find((c): c is Record<string, unknown> => isPlainObject(c) && isPlainObject(c.cluster));
  const cluster = first?.cluster as Record<string, unknown> | undefined;
  const clientCertificates: ParsedKubeconfig['clientCertificates'] = [];
  for (const u of Array.isArray(doc.users) ? doc.users : []) {
    if (!isPlainObject(u) || !isPlainObject(u.user)) continue;
    const data = u.user['client-certificate-data'];
    if (typeof data !== 'string' || !data) continue;
    clientCertificates.push({ user: String(u.name ?? ''), pem: Buffer.from(data, 'base64').toString('utf8') });
  }
  return {
    server: typeof cluster?.server === 'string' ? cluster.server : undefined,
    tlsServerName: typeof cluster?.['tls-server-name'] === 'string' ? (cluster['tls-server-name'] as string) : undefined,
    clientCertificates,
  };
}

/** Earliest client-certificate expiry of a kubeconfig Secret, per Secret object (cached objects are immutable). */
const earliestExpiry = new WeakMap<KubeObject, number>();

function clientCertificatesExpiry(secret: KubeObject): number {
  const known = earliestExpiry.get(secret);
  if (known !== undefined) return known;
  const where = `Secret ${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const parsed = parseKubeconfigText(kubeconfigFromSecret(secret), where);
  let earliest = Infinity;
  for (const c of parsed.clientCertificates) {
    let notAfter: number;
    try {
      notAfter = Date.parse(new X509Certificate(c.pem).validTo);
    } catch (e) {
      throw new Error(`${where}: client certificate of user "${c.user}" cannot be parsed: ${(e as Error).message}`);
    }
    earliest = Math.min(earliest, notAfter);
  }
  earliestExpiry.set(secret, earliest);
  return earliest;
}

/**
 * Whether a kubeconfig Secret's client certificates need renewal: any of them expires within `renewBeforeMs` of `now`
 * (default half a year, as upstream's NeedsClientCertRotation with ClientCertificateRenewalDuration).
 */
export function kubeconfigNeedsRotation(secret: KubeObject, now: Date, renewBeforeMs = KUBECONFIG_RENEW_BEFORE_MS): boolean {
  return clientCertificatesExpiry(secret) - now.getTime() < renewBeforeMs;
}

/**
 * A renewed kubeconfig for an existing Secret: same server and TLS server name, a new client certificate from the CA
 * (upstream's RegenerateSecret). Returns the new kubeconfig text; write it to the Secret's `value`.
 */
export async function regenerateKubeconfig(secret: KubeObject, clusterName: string, ca: KeyPairPem, now: Date, algorithm?: KeyAlgorithm): Promise<string> {
  const where = `Secret ${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const parsed = parseKubeconfigText(kubeconfigFromSecret(secret), where);
  if (!parsed.server) throw new Error(`${where}: kubeconfig has no cluster server`);
  return renderClusterKubeconfig({ clusterName, server: parsed.server, tlsServerName: parsed.tlsServerName, ca, now, algorithm });
}
