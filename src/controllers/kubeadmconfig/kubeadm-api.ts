/**
 * Cluster API's kubeadm types (bootstrap.cluster.x-k8s.io/v1beta1 ClusterConfiguration, InitConfiguration,
 * JoinConfiguration) ⇄ kubeadm's own config documents, in the kubeadm API version the Kubernetes version calls for:
 * kubeadm.k8s.io/v1beta3 from v1.22, v1beta4 from v1.31 (where extraArgs become name/value lists, the control-plane
 * timeout moves to Init/JoinConfiguration.timeouts and discovery.timeout to timeouts.tlsBootstrap). Output is what
 * kubeadm's own encoder writes: keys sorted, struct fields kubeadm always writes present (`apiServer: {}`), nil taints
 * as `taints: null` (kubeadm's "use the default taints"), durations in Go's normal form.
 */
import YAML from 'yaml';
import { isPlainObject } from '../../apimachinery/types.js';
import type {
  APIServer,
  BootstrapToken,
  ClusterConfiguration,
  ControlPlaneComponent,
  EncryptionAlgorithm,
  EnvVar,
  ExternalEtcd,
  HostPathMount,
  InitConfiguration,
  JoinConfiguration,
  KubeadmAPIEndpoint,
  LocalEtcd,
  NodeRegistrationOptions,
  Taint,
} from '../../api/bootstrap/types.js';
import { durationMs, formatDuration } from '../shared/duration.js';

export const KUBEADM_V1BETA3 = 'kubeadm.k8s.io/v1beta3';
export const KUBEADM_V1BETA4 = 'kubeadm.k8s.io/v1beta4';
export type KubeadmApiVersion = typeof KUBEADM_V1BETA3 | typeof KUBEADM_V1BETA4;

type Obj = Record<string, unknown>;
const DAY_MS = 86_400_000;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string;
}

/** A Kubernetes version ("v1.30.2", "1.31.0-rc.1"), tolerant of a leading v and a missing patch. */
export function parseKubernetesVersion(version: string): SemVer {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(String(version ?? '').trim());
  if (!m) throw new Error(`invalid Kubernetes version "${version}" (expected e.g. v1.30.2)`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), pre: m[4] ?? '' };
}

/** The kubeadm config API version for a Kubernetes version (pre-releases count as their release). */
export function kubeadmApiVersionFor(kubernetesVersion: string): KubeadmApiVersion {
  const v = parseKubernetesVersion(kubernetesVersion);
  const n = v.major * 1_000_000 + v.minor;
  if (n < 1_000_022) throw new Error(`Kubernetes version ${kubernetesVersion} is not supported: the kubeadm bootstrap provider needs v1.22.0 or later`);
  return n < 1_000_031 ? KUBEADM_V1BETA3 : KUBEADM_V1BETA4;
}

// ---- helpers ----------------------------------------------------------------------------------------

/** Set key when the value is "non-empty" in Go's omitempty sense. */
function put(o: Obj, key: string, v: unknown): void {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return;
  if (Array.isArray(v) && v.length === 0) return;
  if (isPlainObject(v) && Object.keys(v).length === 0) return;
  o[key] = v;
}

function normDuration(text: string | undefined, field: string): string | undefined {
  const ms = durationMs(text, field);
  return ms === undefined ? undefined : formatDuration(ms);
}

/** map → kubeadm v1beta4 args, sorted by name then value. */
export function argsToList(args: Record<string, string> | undefined): { name: string; value: string }[] | undefined {
  if (!args) return undefined;
  return Object.entries(args)
    .map(([name, value]) => ({ name, value: String(value) }))
    .sort((a, b) => (a.name === b.name ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.name < b.name ? -1 : 1));
}

/** kubeadm args in either form (v1beta3 map, v1beta4 name/value list) → map; a repeated name keeps its last value. */
export function argsToMap(args: unknown, field = 'extraArgs'): Record<string, string> | undefined {
  if (args === undefined || args === null) return undefined;
  if (Array.isArray(args)) {
    const out: Record<string, string> = {};
    args.forEach((a, i) => {
      if (!isPlainObject(a) || typeof a.name !== 'string') throw new Error(`${field}[${i}]: expected {name, value}`);
      out[a.name] = a.value === undefined || a.value === null ? '' : String(a.value);
    });
    return out;
  }
  if (isPlainObject(args)) return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
  throw new Error(`${field}: expected a map or a list of {name, value}`);
}

function hostPathMounts(v: HostPathMount[] | undefined): Obj[] | undefined {
  return v?.map((m) => {
    const o: Obj = { name: m.name, hostPath: m.hostPath, mountPath: m.mountPath };
    put(o, 'readOnly', m.readOnly);
    put(o, 'pathType', m.pathType);
    return o;
  });
}

function envVars(v: EnvVar[] | undefined): Obj[] | undefined {
  return v?.map((e) => {
    const o: Obj = { name: e.name };
    put(o, 'value', e.value);
    put(o, 'valueFrom', e.valueFrom);
    return o;
  });
}

function component(c: ControlPlaneComponent | undefined, v4: boolean): Obj {
  const o: Obj = {};
  put(o, 'extraArgs', v4 ? argsToList(c?.extraArgs) : c?.extraArgs);
  put(o, 'extraVolumes', hostPathMounts(c?.extraVolumes));
  if (v4) put(o, 'extraEnvs', envVars(c?.extraEnvs));
  return o;
}

function localEtcd(l: LocalEtcd, v4: boolean): Obj {
  const o: Obj = {};
  put(o, 'imageRepository', l.imageRepository);
  put(o, 'imageTag', l.imageTag);
  o.dataDir = l.dataDir ?? '';
  put(o, 'extraArgs', v4 ? argsToList(l.extraArgs) : l.extraArgs);
  if (v4) put(o, 'extraEnvs', envVars(l.extraEnvs));
  put(o, 'serverCertSANs', l.serverCertSANs);
  put(o, 'peerCertSANs', l.peerCertSANs);
  return o;
}

function endpoint(e: KubeadmAPIEndpoint | undefined): Obj {
  const o: Obj = {};
  put(o, 'advertiseAddress', e?.advertiseAddress);
  put(o, 'bindPort', e?.bindPort);
  return o;
}

function taints(t: Taint[] | undefined): Obj[] | null {
  if (t === undefined || t === null) return null;
  return t.map((x) => {
    const o: Obj = { key: x.key };
    put(o, 'value', x.value);
    o.effect = x.effect;
    put(o, 'timeAdded', x.timeAdded);
    return o;
  });
}

function nodeRegistration(n: NodeRegistrationOptions | undefined, v4: boolean): Obj {
  const o: Obj = {};
  put(o, 'name', n?.name);
  put(o, 'criSocket', n?.criSocket);
  o.taints = taints(n?.taints);
  put(o, 'kubeletExtraArgs', v4 ? argsToList(n?.kubeletExtraArgs) : n?.kubeletExtraArgs);
  put(o, 'ignorePreflightErrors', n?.ignorePreflightErrors);
  put(o, 'imagePullPolicy', n?.imagePullPolicy);
  if (v4 && n?.imagePullSerial !== undefined) o.imagePullSerial = n.imagePullSerial;
  return o;
}

function bootstrapToken(t: BootstrapToken, i: number): Obj {
  const o: Obj = { token: t.token };
  put(o, 'description', t.description);
  put(o, 'ttl', normDuration(t.ttl, `bootstrapTokens[${i}].ttl`));
  put(o, 'expires', t.expires);
  put(o, 'usages', t.usages);
  put(o, 'groups', t.groups);
  return o;
}

/** Sorted keys at every level, as kubeadm's (JSON-based) YAML encoder writes them. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/**
 * One YAML document as kubeadm's encoder writes it (sorted keys, block sequences not indented under their key), quoted
 * for YAML 1.1 readers (kubeadm's go-yaml reads an unquoted `on` or `yes` as a boolean).
 */
export function toKubeadmYaml(doc: Obj): string {
  return YAML.stringify(sortKeys(doc), { indentSeq: false, lineWidth: 0, version: '1.1' });
}

// ---- CAPI → kubeadm ---------------------------------------------------------------------------------

/** The ClusterConfiguration document (an object) for a kubeadm API version. */
export function clusterConfigurationDocument(cc: ClusterConfiguration | undefined, api: KubeadmApiVersion): Obj {
  const v4 = api === KUBEADM_V1BETA4;
  const c = cc ?? {};
  const doc: Obj = { apiVersion: api, kind: 'ClusterConfiguration' };
  const etcd: Obj = {};
  if (c.etcd?.local) etcd.local = localEtcd(c.etcd.local, v4);
  if (c.etcd?.external) etcd.external = { endpoints: c.etcd.external.endpoints ?? [], caFile: c.etcd.external.caFile ?? '', certFile: c.etcd.external.certFile ?? '', keyFile: c.etcd.external.keyFile ?? '' };
  doc.etcd = etcd;
  const networking: Obj = {};
  put(networking, 'serviceSubnet', c.networking?.serviceSubnet);
  put(networking, 'podSubnet', c.networking?.podSubnet);
  put(networking, 'dnsDomain', c.networking?.dnsDomain);
  doc.networking = networking;
  put(doc, 'kubernetesVersion', c.kubernetesVersion);
  put(doc, 'controlPlaneEndpoint', c.controlPlaneEndpoint);
  const apiServer = component(c.apiServer, v4);
  put(apiServer, 'certSANs', (c.apiServer as APIServer | undefined)?.certSANs);
  if (!v4) put(apiServer, 'timeoutForControlPlane', normDuration(c.apiServer?.timeoutForControlPlane, 'apiServer.timeoutForControlPlane'));
  doc.apiServer = apiServer;
  doc.controllerManager = component(c.controllerManager, v4);
  doc.scheduler = component(c.scheduler, v4);
  const dns: Obj = {};
  put(dns, 'imageRepository', c.dns?.imageRepository);
  put(dns, 'imageTag', c.dns?.imageTag);
  doc.dns = dns;
  if (v4) doc.proxy = {};
  put(doc, 'certificatesDir', c.certificatesDir);
  put(doc, 'imageRepository', c.imageRepository);
  put(doc, 'featureGates', c.featureGates);
  put(doc, 'clusterName', c.clusterName);
  if (v4) {
    put(doc, 'encryptionAlgorithm', c.encryptionAlgorithm);
    if (c.certificateValidityPeriodDays) doc.certificateValidityPeriod = formatDuration(c.certificateValidityPeriodDays * DAY_MS);
    if (c.caCertificateValidityPeriodDays) doc.caCertificateValidityPeriod = formatDuration(c.caCertificateValidityPeriodDays * DAY_MS);
  }
  return doc;
}

/** The control-plane health-check timeout kubeadm v1beta4 keeps in Init/JoinConfiguration.timeouts. */
function controlPlaneTimeouts(cc: ClusterConfiguration | undefined, extra: Obj = {}): Obj | undefined {
  const t: Obj = { ...extra };
  put(t, 'controlPlaneComponentHealthCheck', normDuration(cc?.apiServer?.timeoutForControlPlane, 'clusterConfiguration.apiServer.timeoutForControlPlane'));
  return Object.keys(t).length ? t : undefined;
}

/** The InitConfiguration document; the ClusterConfiguration supplies v1beta4's timeouts.controlPlaneComponentHealthCheck. */
export function initConfigurationDocument(init: InitConfiguration | undefined, cc: ClusterConfiguration | undefined, api: KubeadmApiVersion): Obj {
  const v4 = api === KUBEADM_V1BETA4;
  const i = init ?? {};
  const doc: Obj = { apiVersion: api, kind: 'InitConfiguration' };
  put(doc, 'bootstrapTokens', i.bootstrapTokens?.map(bootstrapToken));
  doc.nodeRegistration = nodeRegistration(i.nodeRegistration, v4);
  doc.localAPIEndpoint = endpoint(i.localAPIEndpoint);
  put(doc, 'skipPhases', i.skipPhases);
  if (i.patches?.directory) doc.patches = { directory: i.patches.directory };
  if (v4) put(doc, 'timeouts', controlPlaneTimeouts(cc));
  return doc;
}

/** The JoinConfiguration document; a control-plane join passes the ClusterConfiguration for v1beta4's timeouts. */
export function joinConfigurationDocument(join: JoinConfiguration | undefined, cc: ClusterConfiguration | undefined, api: KubeadmApiVersion): Obj {
  const v4 = api === KUBEADM_V1BETA4;
  const j = join ?? {};
  const doc: Obj = { apiVersion: api, kind: 'JoinConfiguration' };
  doc.nodeRegistration = nodeRegistration(j.nodeRegistration, v4);
  put(doc, 'caCertPath', j.caCertPath);
  const discovery: Obj = {};
  const bt = j.discovery?.bootstrapToken;
  if (bt) {
    const o: Obj = { token: bt.token ?? '' };
    put(o, 'apiServerEndpoint', bt.apiServerEndpoint);
    put(o, 'caCertHashes', bt.caCertHashes);
    put(o, 'unsafeSkipCAVerification', bt.unsafeSkipCAVerification);
    discovery.bootstrapToken = o;
  }
  if (j.discovery?.file) discovery.file = { kubeConfigPath: j.discovery.file.kubeConfigPath ?? '' };
  put(discovery, 'tlsBootstrapToken', j.discovery?.tlsBootstrapToken);
  const discoveryTimeout = normDuration(j.discovery?.timeout, 'joinConfiguration.discovery.timeout');
  if (!v4) put(discovery, 'timeout', discoveryTimeout);
  doc.discovery = discovery;
  if (j.controlPlane) doc.controlPlane = { localAPIEndpoint: endpoint(j.controlPlane.localAPIEndpoint) };
  put(doc, 'skipPhases', j.skipPhases);
  if (j.patches?.directory) doc.patches = { directory: j.patches.directory };
  if (v4) put(doc, 'timeouts', controlPlaneTimeouts(cc, discoveryTimeout ? { tlsBootstrap: discoveryTimeout } : {}));
  return doc;
}

export function marshalClusterConfiguration(cc: ClusterConfiguration | undefined, kubernetesVersion: string): string {
  return toKubeadmYaml(clusterConfigurationDocument(cc, kubeadmApiVersionFor(kubernetesVersion)));
}

export function marshalInitConfiguration(init: InitConfiguration | undefined, cc: ClusterConfiguration | undefined, kubernetesVersion: string): string {
  return toKubeadmYaml(initConfigurationDocument(init, cc, kubeadmApiVersionFor(kubernetesVersion)));
}

export function marshalJoinConfiguration(join: JoinConfiguration | undefined, cc: ClusterConfiguration | undefined, kubernetesVersion: string): string {
  return toKubeadmYaml(joinConfigurationDocument(join, cc, kubeadmApiVersionFor(kubernetesVersion)));
}

// ---- kubeadm → CAPI ---------------------------------------------------------------------------------

export interface KubeadmDocuments {
  /** The kubeadm API version of the documents (they must agree). */
  apiVersion?: KubeadmApiVersion;
  clusterConfiguration?: ClusterConfiguration;
  initConfiguration?: InitConfiguration;
  joinConfiguration?: JoinConfiguration;
  /** The documents as written (kubeadm's own shape), by kind. */
  raw: { clusterConfiguration?: Obj; initConfiguration?: Obj; joinConfiguration?: Obj };
}

function obj(v: unknown, where: string): Obj {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw new Error(`${where}: expected a mapping`);
  return v;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function strList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new Error(`${where}: expected a list`);
  return v.map((x) => String(x));
}

function prune<T extends Obj>(o: T): T | undefined {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return Object.keys(o).length ? o : undefined;
}

function componentFrom(v: unknown, where: string): ControlPlaneComponent | undefined {
  const c = obj(v, where);
  return prune({
    extraArgs: argsToMap(c.extraArgs, `${where}.extraArgs`),
    extraVolumes: c.extraVolumes as HostPathMount[] | undefined,
    extraEnvs: c.extraEnvs as EnvVar[] | undefined,
  }) as ControlPlaneComponent | undefined;
}

function daysOf(text: unknown, where: string): number | undefined {
  const ms = durationMs(str(text), where);
  return ms === undefined ? undefined : Math.trunc(ms / DAY_MS);
}

function clusterConfigurationFrom(d: Obj): ClusterConfiguration {
  const etcdIn = obj(d.etcd, 'ClusterConfiguration.etcd');
  const localIn = etcdIn.local === undefined ? undefined : obj(etcdIn.local, 'ClusterConfiguration.etcd.local');
  const local = localIn
    ? (prune({
        imageRepository: str(localIn.imageRepository),
        imageTag: str(localIn.imageTag),
        dataDir: str(localIn.dataDir),
        extraArgs: argsToMap(localIn.extraArgs, 'ClusterConfiguration.etcd.local.extraArgs'),
        extraEnvs: localIn.extraEnvs as EnvVar[] | undefined,
        serverCertSANs: strList(localIn.serverCertSANs, 'etcd.local.serverCertSANs'),
        peerCertSANs: strList(localIn.peerCertSANs, 'etcd.local.peerCertSANs'),
      }) ?? {})
    : undefined;
  const extIn = etcdIn.external === undefined ? undefined : obj(etcdIn.external, 'ClusterConfiguration.etcd.external');
  const apiIn = obj(d.apiServer, 'ClusterConfiguration.apiServer');
  const apiServer = prune({
    ...(componentFrom(apiIn, 'ClusterConfiguration.apiServer') ?? {}),
    certSANs: strList(apiIn.certSANs, 'apiServer.certSANs'),
    timeoutForControlPlane: str(apiIn.timeoutForControlPlane),
  }) as APIServer | undefined;
  const net = obj(d.networking, 'ClusterConfiguration.networking');
  const dns = obj(d.dns, 'ClusterConfiguration.dns');
  return (prune({
    etcd: prune({ local, external: extIn as unknown as ExternalEtcd | undefined }),
    networking: prune({ serviceSubnet: str(net.serviceSubnet), podSubnet: str(net.podSubnet), dnsDomain: str(net.dnsDomain) }),
    kubernetesVersion: str(d.kubernetesVersion),
    controlPlaneEndpoint: str(d.controlPlaneEndpoint),
    apiServer,
    controllerManager: componentFrom(d.controllerManager, 'ClusterConfiguration.controllerManager'),
    scheduler: componentFrom(d.scheduler, 'ClusterConfiguration.scheduler'),
    dns: prune({ imageRepository: str(dns.imageRepository), imageTag: str(dns.imageTag) }),
    certificatesDir: str(d.certificatesDir),
    imageRepository: str(d.imageRepository),
    featureGates: d.featureGates as Record<string, boolean> | undefined,
    clusterName: str(d.clusterName),
    encryptionAlgorithm: str(d.encryptionAlgorithm) as EncryptionAlgorithm | undefined,
    certificateValidityPeriodDays: daysOf(d.certificateValidityPeriod, 'ClusterConfiguration.certificateValidityPeriod'),
    caCertificateValidityPeriodDays: daysOf(d.caCertificateValidityPeriod, 'ClusterConfiguration.caCertificateValidityPeriod'),
  }) ?? {}) as ClusterConfiguration;
}

function nodeRegistrationFrom(v: unknown, where: string): NodeRegistrationOptions | undefined {
  const n = obj(v, where);
  let t: Taint[] | undefined;
  if (Array.isArray(n.taints)) t = n.taints.map((x, i) => {
    const o = obj(x, `${where}.taints[${i}]`);
    if (typeof o.key !== 'string' || typeof o.effect !== 'string') throw new Error(`${where}.taints[${i}]: a taint needs key and effect`);
    return prune({ key: o.key, value: str(o.value), effect: o.effect as Taint['effect'], timeAdded: str(o.timeAdded) }) as unknown as Taint;
  });
  else if (n.taints !== undefined && n.taints !== null) throw new Error(`${where}.taints: expected a list`);
  return prune({
    name: str(n.name),
    criSocket: str(n.criSocket),
    taints: t,
    kubeletExtraArgs: argsToMap(n.kubeletExtraArgs, `${where}.kubeletExtraArgs`),
    ignorePreflightErrors: strList(n.ignorePreflightErrors, `${where}.ignorePreflightErrors`),
    imagePullPolicy: str(n.imagePullPolicy) as NodeRegistrationOptions['imagePullPolicy'],
    imagePullSerial: typeof n.imagePullSerial === 'boolean' ? n.imagePullSerial : undefined,
  }) as NodeRegistrationOptions | undefined;
}

function endpointFrom(v: unknown, where: string): KubeadmAPIEndpoint | undefined {
  const e = obj(v, where);
  return prune({ advertiseAddress: str(e.advertiseAddress), bindPort: typeof e.bindPort === 'number' && e.bindPort ? e.bindPort : undefined }) as KubeadmAPIEndpoint | undefined;
}

function initConfigurationFrom(d: Obj): InitConfiguration {
  const tokens = d.bootstrapTokens === undefined || d.bootstrapTokens === null ? undefined : (d.bootstrapTokens as unknown[]);
  if (tokens !== undefined && !Array.isArray(tokens)) throw new Error('InitConfiguration.bootstrapTokens: expected a list');
  return (prune({
    bootstrapTokens: tokens?.map((x, i) => {
      const o = obj(x, `InitConfiguration.bootstrapTokens[${i}]`);
      return prune({ token: String(o.token ?? ''), description: str(o.description), ttl: str(o.ttl), expires: str(o.expires), usages: strList(o.usages, 'usages'), groups: strList(o.groups, 'groups') }) as unknown as BootstrapToken;
    }),
    nodeRegistration: nodeRegistrationFrom(d.nodeRegistration, 'InitConfiguration.nodeRegistration'),
    localAPIEndpoint: endpointFrom(d.localAPIEndpoint, 'InitConfiguration.localAPIEndpoint'),
    skipPhases: strList(d.skipPhases, 'InitConfiguration.skipPhases'),
    patches: prune({ directory: str(obj(d.patches, 'InitConfiguration.patches').directory) }),
  }) ?? {}) as InitConfiguration;
}

function joinConfigurationFrom(d: Obj): JoinConfiguration {
  const disc = obj(d.discovery, 'JoinConfiguration.discovery');
  const timeouts = obj(d.timeouts, 'JoinConfiguration.timeouts');
  const btIn = disc.bootstrapToken === undefined ? undefined : obj(disc.bootstrapToken, 'JoinConfiguration.discovery.bootstrapToken');
  const fileIn = disc.file === undefined ? undefined : obj(disc.file, 'JoinConfiguration.discovery.file');
  const cp = d.controlPlane === undefined || d.controlPlane === null ? undefined : obj(d.controlPlane, 'JoinConfiguration.controlPlane');
  return (prune({
    nodeRegistration: nodeRegistrationFrom(d.nodeRegistration, 'JoinConfiguration.nodeRegistration'),
    caCertPath: str(d.caCertPath),
    discovery: prune({
      bootstrapToken: btIn
        ? (prune({ token: str(btIn.token), apiServerEndpoint: str(btIn.apiServerEndpoint), caCertHashes: strList(btIn.caCertHashes, 'discovery.bootstrapToken.caCertHashes'), unsafeSkipCAVerification: btIn.unsafeSkipCAVerification === true ? true : undefined }) ?? {})
        : undefined,
      file: fileIn ? { kubeConfigPath: String(fileIn.kubeConfigPath ?? '') } : undefined,
      tlsBootstrapToken: str(disc.tlsBootstrapToken),
      timeout: str(disc.timeout) ?? str(timeouts.tlsBootstrap),
    }),
    controlPlane: cp ? { localAPIEndpoint: endpointFrom(cp.localAPIEndpoint, 'JoinConfiguration.controlPlane.localAPIEndpoint') } : undefined,
    skipPhases: strList(d.skipPhases, 'JoinConfiguration.skipPhases'),
    patches: prune({ directory: str(obj(d.patches, 'JoinConfiguration.patches').directory) }),
  }) ?? {}) as JoinConfiguration;
}

/**
 * Read kubeadm config documents (a multi-document YAML file as written by the bootstrap provider or by hand) back
 * into Cluster API's types. Both kubeadm API versions are accepted; args lists become maps, v1beta4 timeouts go back
 * to apiServer.timeoutForControlPlane and discovery.timeout. Unknown kinds are errors naming the document.
 */
export function unmarshalKubeadmDocuments(text: string, where = 'kubeadm config'): KubeadmDocuments {
  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(text) as YAML.Document.Parsed[];
  } catch (e) {
    throw new Error(`${where}: not valid YAML: ${(e as Error).message}`);
  }
  const out: KubeadmDocuments = { raw: {} };
  let initTimeout: string | undefined;
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw new Error(`${where}: document ${i + 1} is not valid YAML: ${doc.errors[0]!.message}`);
    const d = doc.toJS() as unknown;
    if (d === null || d === undefined) return;
    if (!isPlainObject(d)) throw new Error(`${where}: document ${i + 1} is not a mapping`);
    const api = d.apiVersion;
    if (api !== KUBEADM_V1BETA3 && api !== KUBEADM_V1BETA4) throw new Error(`${where}: document ${i + 1} has apiVersion ${JSON.stringify(api)}; expected ${KUBEADM_V1BETA3} or ${KUBEADM_V1BETA4}`);
    if (out.apiVersion && out.apiVersion !== api) throw new Error(`${where}: documents mix kubeadm API versions ${out.apiVersion} and ${api}`);
    out.apiVersion = api;
    const timeouts = obj(d.timeouts, `${d.kind}.timeouts`);
    switch (d.kind) {
      case 'ClusterConfiguration':
        out.raw.clusterConfiguration = d;
        out.clusterConfiguration = clusterConfigurationFrom(d);
        break;
      case 'InitConfiguration':
        out.raw.initConfiguration = d;
        out.initConfiguration = initConfigurationFrom(d);
        initTimeout = str(timeouts.controlPlaneComponentHealthCheck);
        break;
      case 'JoinConfiguration':
        out.raw.joinConfiguration = d;
        out.joinConfiguration = joinConfigurationFrom(d);
        initTimeout ??= str(timeouts.controlPlaneComponentHealthCheck);
        break;
      default:
        throw new Error(`${where}: document ${i + 1} has kind ${JSON.stringify(d.kind)}; expected ClusterConfiguration, InitConfiguration or JoinConfiguration`);
    }
  });
  if (initTimeout) {
    const cc = (out.clusterConfiguration ??= {});
    cc.apiServer = { ...(cc.apiServer ?? {}), timeoutForControlPlane: cc.apiServer?.timeoutForControlPlane ?? initTimeout };
  }
  return out;
}
