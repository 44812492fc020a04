/** Writing and reading kubeconfig files (the format kubectl and client-go use). */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';

export interface WriteKubeconfigOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** CA certificate PEM the server's certificate chains to. */
  caPem: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  /** Default "slipway". */
  clusterName?: string;
  /** Default "slipway-admin". */
  userName?: string;
  /** Default "<userName>@<clusterName>". */
  contextName?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** Name to verify the server certificate against, when it differs from the server URL's host. */
  tlsServerName?: string;
}

export interface KubeconfigCredentials {
  contextName: string;
  clusterName: string;
  userName: string;
  server: string;
  namespace?: string;
  caPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
}

export interface ReadKubeconfigOptions {
  /** Use this context instead of current-context. */
  context?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Render a kubeconfig document (YAML) with embedded base64 *-data fields. */
export function renderKubeconfig(opts: WriteKubeconfigOptions): string {
  if (!opts.server) throw new Error('kubeconfig: server is required');
  if (!opts.caPem) throw new Error('kubeconfig: caPem is required');
  if ((opts.clientCertPem === undefined) !== (opts.clientKeyPem === undefined)) {
    throw new Error('kubeconfig: clientCertPem and clientKeyPem must be given together');
  }
  const clusterName = opts.clusterName ?? 'slipway';
  const userName = opts.userName ?? 'slipway-admin';
  const contextName = opts.contextName ?? `${userName}@${clusterName}`;

  const cluster: Record<string, string> = { server: opts.server, 'certificate-authority-data': b64(opts.caPem) };
  if (opts.tlsServerName) cluster['tls-server-name'] = opts.tlsServerName;
  const user: Record<string, string> = {};
  if (opts.clientCertPem !== undefined && opts.clientKeyPem !== undefined) {
    user['client-certificate-data'] = b64(opts.clientCertPem);
    user['client-key-data'] = b64(opts.clientKeyPem);
  }
  if (opts.token) user['token'] = opts.token;
  const context: Record<string, string> = { cluster: clusterName, user: userName };
  if (opts.namespace) context['namespace'] = opts.namespace;

  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
    users: [{ name: userName, user }],
  };
  // lineWidth 0: never fold the long base64 strings.
  return YAML.stringify(doc, { lineWidth: 0 });
}

/** Write a kubeconfig (mode 0600, atomically, creating parent directories). */
export async function writeKubeconfig(path: string, opts: WriteKubeconfigOptions): Promise<void> {
  const text = renderKubeconfig(opts);
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, text, { mode: 0o600 });
    await fsp.chmod(tmp, 0o600);
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  return v;
}

function findNamed(doc: Obj, listKey: string, itemKey: string, name: string, file: string): Obj {
  const list = doc[listKey];
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new Error(`${file}: "${listKey}" must be a list`);
  for (const entry of (list as unknown[] | undefined) ?? []) {
    if (isObj(entry) && entry['name'] === name) {
      const inner = entry[itemKey];
      if (inner === undefined || inner === null) return {};
      if (!isObj(inner)) throw new Error(`${file}: ${listKey} entry "${name}" has a malformed "${itemKey}"`);
      return inner;
    }
  }
  throw new Error(`${file}: no ${itemKey} named "${name}" in ${listKey}`);
}

/**
 * Read the credentials of the current (or given) context: server, CA, client certificate/key,
 * token. `*-data` fields are base64-decoded; file fields (certificate-authority, client-certificate,
 * client-key, tokenFile) are read relative to the kubeconfig's directory.
 */
export async function readKubeconfig(path: string, opts: ReadKubeconfigOptions = {}): Promise<KubeconfigCredentials> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${path}: ${(err as Error).message}`);
  }
  return parseKubeconfig(text, path, opts);
}

/**
 * The credentials of a kubeconfig given as text (e.g. from a `<cluster>-kubeconfig` Secret). `path` names it in
 * errors; file references are read relative to its directory.
 */
export async function parseKubeconfig(text: string, path: string, opts: ReadKubeconfigOptions = {}): Promise<KubeconfigCredentials> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (err) {
    throw new Error(`${path}: invalid YAML: ${(err as Error).message}`);
  }
  if (!isObj(parsed)) throw new Error(`${path}: not a kubeconfig (expected a mapping)`);
  const doc = parsed;
  const baseDir = dirname(resolve(path));
  const contextName = opts.context ?? str(doc, 'current-context', path);
  if (!contextName) throw new Error(`${path}: current-context is not set`);
  const context = findNamed(doc, 'contexts', 'context', contextName, path);
  const where = (kind: string, name: string): string => `${path}: ${kind} "${name}"`;
  const clusterName = str(context, 'cluster', where('context', contextName));
  if (!clusterName) throw new Error(`${where('context', contextName)} names no cluster`);
  const userName = str(context, 'user', where('context', contextName)) ?? '';
  const cluster = findNamed(doc, 'clusters', 'cluster', clusterName, path);
  const user = userName ? findNamed(doc, 'users', 'user', userName, path) : {};

  const readData = async (o: Obj, dataKey: string, fileKey: string, w: string): Promise<string | undefined> => {
    const data = str(o, dataKey, w);
    if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    const file = str(o, fileKey, w);
    if (file === undefined) return undefined;
    const full = isAbsolute(file) ? file : resolve(baseDir, file);
    try {
      return await fsp.readFile(full, 'utf8');
    } catch (err) {
      throw new Error(`${w}: cannot read ${fileKey} ${full}: ${(err as Error).message}`);
    }
  };

  const cw = where('cluster', clusterName);
  const uw = where('user', userName);
  const server = str(cluster, 'server', cw);
  if (!server) throw new Error(`${cw} has no server`);
  const out: KubeconfigCredentials = {
    contextName,
    clusterName,
    userName,
    server,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true || cluster['insecure-skip-tls-verify'] === 'true',
  };
  const namespace = str(context, 'namespace', where('context', contextName));
  if (namespace) out.namespace = namespace;
  const caPem = await readData(cluster, 'certificate-authority-data', 'certificate-authority', cw);
  if (caPem !== undefined) out.caPem = caPem;
  const tlsServerName = str(cluster, 'tls-server-name', cw);
  if (tlsServerName) out.tlsServerName = tlsServerName;
  const clientCertPem = await readData(user, 'client-certificate-data', 'client-certificate', uw);
  if (clientCertPem !== undefined) out.clientCertPem = clientCertPem;
  const clientKeyPem = await readData(user, 'client-key-data', 'client-key', uw);
  if (clientKeyPem !== undefined) out.clientKeyPem = clientKeyPem;
  let token = str(user, 'token', uw);
  if (token === undefined) {
    const tokenFile = str(user, 'tokenFile', uw);
    if (tokenFile !== undefined) {
      const full = isAbsolute(tokenFile) ? tokenFile : resolve(baseDir, tokenFile);
      try {
        token = (await fsp.readFile(full, 'utf8')).trim();
      } catch (err) {
        throw new Error(`${uw}: cannot read tokenFile ${full}: ${(err as Error).message}`);
      }
    }
  }
  if (token) out.token = token;
  return out;
}
