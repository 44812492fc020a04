/**
 * Reading bootstrap data the way a machine "boots" it, for the sim provider: cloud-init (#cloud-config) or Ignition
 * JSON → the files it writes (decoded: base64, gzip, data URLs, appends), the commands it runs in order (boot,
 * pre-kubeadm, kubeadm, post-kubeadm), users, NTP, and what kubeadm runs with which configuration (parsed back from
 * the kubeadm config file the command names, either kubeadm API version). `summarizeBootstrap` then says what the
 * Node and the control plane must show: kubelet node labels and taints, the components' extra args, the join token.
 * Malformed data gives errors naming the part that is wrong.
 */
import { gunzipSync } from 'node:zlib';
import YAML from 'yaml';
import { isPlainObject } from '../../apimachinery/types.js';
import type { ClusterConfiguration, InitConfiguration, JoinConfiguration, NTP, Taint, User } from '../../api/bootstrap/types.js';
import { argsToMap, unmarshalKubeadmDocuments } from '../../controllers/kubeadmconfig/kubeadm-api.js';
import { CLOUD_INIT_JOIN_CONFIG, IGNITION_KUBEADM_CONFIG, IGNITION_KUBEADM_SCRIPT, RETRY_JOIN_SCRIPT } from '../../controllers/kubeadmconfig/userdata.js';
import type { BootFacts } from './boot-facts.js';

export type BootstrapDataFormat = 'cloud-config' | 'ignition';

export interface BootstrapFile {
  path: string;
  content: Buffer;
  /** "user:group" (cloud-init's default root:root). */
  owner: string;
  /** Octal text, e.g. "0640" (cloud-init's default 0644). */
  permissions: string;
}

export interface BootstrapCommands {
  /** cloud-init bootcmd (run first, on every boot). */
  boot: string[];
  preKubeadm: string[];
  /** The command line that runs kubeadm (absent when there is none). */
  kubeadm?: string;
  postKubeadm: string[];
}

export interface KubeadmRun {
  mode: 'init' | 'join' | 'none';
  /** Where the command reads its config (absent for a flags-only `kubeadm join`). */
  configPath?: string;
  apiVersion?: string;
  clusterConfiguration?: ClusterConfiguration;
  initConfiguration?: InitConfiguration;
  joinConfiguration?: JoinConfiguration;
  /** The documents as written (kubeadm's shape, e.g. v1beta4 arg lists), by kind. */
  raw: { clusterConfiguration?: Record<string, unknown>; initConfiguration?: Record<string, unknown>; joinConfiguration?: Record<string, unknown> };
}

export interface BootstrapData {
  format: BootstrapDataFormat;
  files: BootstrapFile[];
  /** Every command in the order it runs (boot, pre-kubeadm, kubeadm, post-kubeadm). */
  commands: string[];
  phases: BootstrapCommands;
  kubeadm: KubeadmRun;
  users: User[];
  ntp?: NTP;
  /** Parts a real machine would do but the reader cannot (e.g. files from remote URLs). */
  warnings: string[];
}

class BootstrapDataError extends Error {
  constructor(format: string, message: string) {
    super(`bootstrap data (${format}): ${message}`);
    this.name = 'BootstrapDataError';
  }
}

const KUBEADM_COMMAND = /(?:^|[\s;&|(])(?:\S*\/)?kubeadm\s+(init|join)(?=\s|$|;|&)/;

/** Which format a text is: the given one, else detected (Ignition JSON starts with "{", cloud-config has its header). */
function detectFormat(value: string, format: string | undefined): BootstrapDataFormat {
  if (format === 'cloud-config' || format === 'ignition') return format;
  if (format !== undefined && format !== '') throw new BootstrapDataError(String(format), `unknown format "${format}" (cloud-config or ignition)`);
  const t = value.trimStart();
  if (t.startsWith('{')) return 'ignition';
  return 'cloud-config';
}

/** Read bootstrap data (the `value` of a bootstrap Secret); `format` is its `format` key when known. */
export function readBootstrapData(value: string, format?: string): BootstrapData {
  const f = detectFormat(value, format);
  return f === 'ignition' ? readIgnition(value) : readCloudConfig(value);
}

// ---- shared ------------------------------------------------------------------------------------------

function octal(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}

/** Put a file, or append to one written earlier. */
function addFile(files: BootstrapFile[], file: BootstrapFile, append: boolean): void {
  const at = files.findIndex((x) => x.path === file.path);
  if (at < 0) {
    files.push(file);
    return;
  }
  const prev = files[at]!;
  files[at] = append ? { ...prev, content: Buffer.concat([prev.content, file.content]) } : file;
}

/** The kubeadm config a kubeadm command line names, parsed; flags-only joins take the token from the flags. */
function kubeadmRun(format: BootstrapDataFormat, command: string | undefined, files: BootstrapFile[], defaultConfig?: string): KubeadmRun {
  if (!command) return { mode: 'none', raw: {} };
  const m = KUBEADM_COMMAND.exec(command);
  const mode: 'init' | 'join' = m ? (m[1] as 'init' | 'join') : 'join';
  const cfg = /--config(?:=|\s+)(\S+)/.exec(command)?.[1] ?? (m ? undefined : defaultConfig);
  if (!cfg) {
    if (mode === 'init') return { mode, raw: {} };
    return { mode, joinConfiguration: joinFromFlags(command), raw: {} };
  }
  const file = files.find((x) => x.path === cfg);
  if (!file) throw new BootstrapDataError(format, `the kubeadm command reads ${cfg}, but no file with that path is written`);
  const docs = unmarshalKubeadmDocuments(file.content.toString('utf8'), `bootstrap data (${format}): kubeadm config ${cfg}`);
  if (mode === 'join' && !docs.joinConfiguration) throw new BootstrapDataError(format, `kubeadm join reads ${cfg}, which has no JoinConfiguration document`);
  return { mode, configPath: cfg, apiVersion: docs.apiVersion, clusterConfiguration: docs.clusterConfiguration, initConfiguration: docs.initConfiguration, joinConfiguration: docs.joinConfiguration, raw: docs.raw };
}

/** `kubeadm join HOST:PORT --token T --discovery-token-ca-cert-hash H [--control-plane]` → a JoinConfiguration. */
function joinFromFlags(command: string): JoinConfiguration {
  const words = command.split(/\s+/);
  const i = words.findIndex((w, k) => /(?:^|\/)kubeadm$/.test(w) && words[k + 1] === 'join');
  const args = words.slice(i + 2);
  const flag = (name: string): string[] => {
    const out: string[] = [];
    args.forEach((a, k) => {
      if (a === `--${name}` && args[k + 1]) out.push(args[k + 1]!);
      else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
    });
    return out;
  };
  const endpoint = args.find((a) => !a.startsWith('-') && /:\d+$/.test(a));
  const token = flag('discovery-token')[0] ?? flag('token')[0];
  const join: JoinConfiguration = { discovery: { bootstrapToken: { token, apiServerEndpoint: endpoint, caCertHashes: flag('discovery-token-ca-cert-hash') } } };
  if (args.includes('--control-plane')) join.controlPlane = {};
  return join;
}

// ---- cloud-config ------------------------------------------------------------------------------------

function asCommand(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) {
    return v.map((x) => (/^[\w@%+=:,./-]+$/.test(String(x)) ? String(x) : `'${String(x).replace(/'/g, `'\\''`)}'`)).join(' ');
  }
  throw new BootstrapDataError('cloud-config', `${where}: a command must be a string or a list of strings`);
}

function commandList(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BootstrapDataError('cloud-config', `${key} must be a list`);
  return v.map((c, i) => asCommand(c, `${key}[${i}]`));
}

function cloudInitEncoding(v: unknown, where: string): 'none' | 'base64' | 'gzip' | 'gzip+base64' {
  if (v === undefined || v === null || v === '') return 'none';
  const e = String(v).toLowerCase();
  if (e === 'b64' || e === 'base64') return 'base64';
  if (e === 'gz' || e === 'gzip') return 'gzip';
  if (['gz+b64', 'gz+base64', 'gzip+b64', 'gzip+base64'].includes(e)) return 'gzip+base64';
  if (e === 'text/plain') return 'none';
  throw new BootstrapDataError('cloud-config', `${where}.encoding: unknown encoding "${String(v)}"`);
}

function decodeContent(content: unknown, encoding: ReturnType<typeof cloudInitEncoding>, where: string): Buffer {
  let raw: Buffer;
  if (content === undefined || content === null) raw = Buffer.alloc(0);
  else if (content instanceof Uint8Array) raw = Buffer.from(content);
  else if (typeof content === 'string' || typeof content === 'number' || typeof content === 'boolean') raw = Buffer.from(String(content), encoding === 'gzip' ? 'latin1' : 'utf8');
  else throw new BootstrapDataError('cloud-config', `${where}.content must be a string`);
  try {
    if (encoding === 'base64') return Buffer.from(raw.toString('utf8'), 'base64');
    if (encoding === 'gzip') return gunzipSync(raw);
    if (encoding === 'gzip+base64') return gunzipSync(Buffer.from(raw.toString('utf8'), 'base64'));
  } catch (e) {
    throw new BootstrapDataError('cloud-config', `${where}: content cannot be decoded as ${encoding}: ${(e as Error).message}`);
  }
  return raw;
}

function cloudInitPermissions(v: unknown, where: string): string {
  if (v === undefined || v === null || v === '') return '0644';
  if (typeof v === 'number') return octal(v);
  const s = String(v).trim();
  if (!/^0?o?[0-7]{3,4}$/.test(s)) throw new BootstrapDataError('cloud-config', `${where}.permissions: "${s}" is not an octal mode`);
  return octal(parseInt(s.replace(/^0?o?/, ''), 8));
}

function cloudInitUser(v: unknown, i: number): User {
  if (typeof v === 'string') return { name: v };
  if (!isPlainObject(v) || typeof v.name !== 'string') throw new BootstrapDataError('cloud-config', `users[${i}] needs a name`);
  const u: User = { name: v.name };
  const s = (k: string): string | undefined => (v[k] === undefined || v[k] === null ? undefined : String(v[k]));
  if (s('passwd')) u.passwd = s('passwd');
  if (s('gecos')) u.gecos = s('gecos');
  if (v.groups !== undefined) u.groups = Array.isArray(v.groups) ? v.groups.join(', ') : String(v.groups);
  if (s('homedir')) u.homeDir = s('homedir');
  if (typeof v.inactive === 'boolean') u.inactive = v.inactive;
  if (typeof v.lock_passwd === 'boolean') u.lockPassword = v.lock_passwd;
  if (s('shell')) u.shell = s('shell');
  if (s('primary_group')) u.primaryGroup = s('primary_group');
  if (v.sudo !== undefined && v.sudo !== false && v.sudo !== null) u.sudo = Array.isArray(v.sudo) ? v.sudo.join(', ') : String(v.sudo);
  if (Array.isArray(v.ssh_authorized_keys)) u.sshAuthorizedKeys = v.ssh_authorized_keys.map(String);
  return u;
}

function readCloudConfig(value: string): BootstrapData {
  // The header comes first: "#cloud-config", possibly after cloud-init's "## template: jinja" line.
  const lines = value.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const firstData = lines.findIndex((l) => !l.startsWith('#'));
  const leading = firstData < 0 ? lines : lines.slice(0, firstData);
  if (!leading.slice(0, 2).some((l) => l === '#cloud-config' || l.startsWith('#cloud-config '))) {
    throw new BootstrapDataError('cloud-config', 'missing the "#cloud-config" header line (is this a shell script, MIME multipart or Ignition?)');
  }
  let doc: unknown;
  try {
    // cloud-init reads YAML 1.1 (PyYAML): unquoted 0644 is octal, yes/no are booleans.
    doc = YAML.parse(value, { version: '1.1', customTags: ['binary'] });
  } catch (e) {
    throw new BootstrapDataError('cloud-config', `not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isPlainObject(doc)) throw new BootstrapDataError('cloud-config', 'the document must be a YAML mapping');
  const files: BootstrapFile[] = [];
  const writeFiles = doc.write_files ?? [];
  if (!Array.isArray(writeFiles)) throw new BootstrapDataError('cloud-config', 'write_files must be a list');
  writeFiles.forEach((f, i) => {
    const where = `write_files[${i}]`;
    if (!isPlainObject(f) || typeof f.path !== 'string' || !f.path) throw new BootstrapDataError('cloud-config', `${where} needs a path`);
    const content = decodeContent(f.content, cloudInitEncoding(f.encoding, where), where);
    addFile(files, { path: f.path, content, owner: typeof f.owner === 'string' && f.owner ? f.owner : 'root:root', permissions: cloudInitPermissions(f.permissions, where) }, f.append === true);
  });
  const boot = commandList(doc.bootcmd, 'bootcmd');
  const run = commandList(doc.runcmd, 'runcmd');
  const k = run.findIndex((c) => KUBEADM_COMMAND.test(c) || c.includes(RETRY_JOIN_SCRIPT));
  const phases: BootstrapCommands = k < 0 ? { boot, preKubeadm: run, postKubeadm: [] } : { boot, preKubeadm: run.slice(0, k), kubeadm: run[k], postKubeadm: run.slice(k + 1) };
  const users = doc.users === undefined || doc.users === null ? [] : Array.isArray(doc.users) ? doc.users.map(cloudInitUser) : (() => {
    throw new BootstrapDataError('cloud-config', 'users must be a list');
  })();
  let ntp: NTP | undefined;
  if (doc.ntp !== undefined && doc.ntp !== null) {
    if (!isPlainObject(doc.ntp)) throw new BootstrapDataError('cloud-config', 'ntp must be a mapping');
    ntp = { servers: Array.isArray(doc.ntp.servers) ? doc.ntp.servers.map(String) : [] };
    if (typeof doc.ntp.enabled === 'boolean') ntp.enabled = doc.ntp.enabled;
  }
  const retry = phases.kubeadm?.includes(RETRY_JOIN_SCRIPT) && !KUBEADM_COMMAND.test(phases.kubeadm);
  const kubeadm = kubeadmRun('cloud-config', phases.kubeadm, files, retry ? CLOUD_INIT_JOIN_CONFIG : undefined);
  return { format: 'cloud-config', files, commands: [...boot, ...run], phases, kubeadm, users, ...(ntp ? { ntp } : {}), warnings: [] };
}

// ---- Ignition ----------------------------------------------------------------------------------------

/** The bytes of a data URL ("data:[mediatype][;base64],data"). */
function fromDataUrl(source: string, where: string): Buffer {
  const m = /^data:([^,]*),(.*)$/s.exec(source);
  if (!m) throw new BootstrapDataError('ignition', `${where}: "${source.slice(0, 40)}" is not a data URL`);
  if (m[1]!.split(';').includes('base64')) return Buffer.from(m[2]!, 'base64');
  try {
    return Buffer.from(decodeURIComponent(m[2]!), 'utf8');
  } catch {
    throw new BootstrapDataError('ignition', `${where}: bad percent-encoding in data URL`);
  }
}

function ignitionResource(r: unknown, where: string, warnings: string[]): Buffer {
  if (!isPlainObject(r)) throw new BootstrapDataError('ignition', `${where} must be an object`);
  const source = r.source;
  if (source === undefined || source === null) return Buffer.alloc(0);
  if (typeof source !== 'string') throw new BootstrapDataError('ignition', `${where}.source must be a string`);
  if (!source.startsWith('data:')) {
    warnings.push(`${where}: content from ${source} is not fetched`);
    return Buffer.alloc(0);
  }
  const bytes = fromDataUrl(source, where);
  if (r.compression === 'gzip') {
    try {
      return gunzipSync(bytes);
    } catch (e) {
      throw new BootstrapDataError('ignition', `${where}: gzip content cannot be decompressed: ${(e as Error).message}`);
    }
  }
  if (r.compression !== undefined && r.compression !== null && r.compression !== '') throw new BootstrapDataError('ignition', `${where}.compression: unknown "${String(r.compression)}"`);
  return bytes;
}

function ignitionOwner(f: Record<string, unknown>): string {
  const part = (x: unknown): string | undefined => (isPlainObject(x) ? (typeof x.name === 'string' ? x.name : typeof x.id === 'number' ? String(x.id) : undefined) : undefined);
  const user = part(f.user) ?? 'root';
  const group = part(f.group);
  return group ? `${user}:${group}` : f.user === undefined ? 'root:root' : user;
}

/** The pre-kubeadm, kubeadm and post-kubeadm lines of /etc/kubeadm.sh. */
function scriptPhases(script: string): BootstrapCommands {
  const lines = script.split('\n').map((l) => l.trimEnd());
  const body = lines.filter((l, i) => !(i === 0 && l.startsWith('#!')) && l.trim() !== 'set -e');
  const k = body.findIndex((l) => KUBEADM_COMMAND.test(l));
  const nonEmpty = (ls: string[]): string[] => ls.filter((l) => l.trim() !== '');
  if (k < 0) return { boot: [], preKubeadm: nonEmpty(body), postKubeadm: [] };
  const after = body.slice(k + 1).filter((l) => !l.includes('/run/cluster-api/bootstrap-success.complete') && l.trim() !== `mv ${IGNITION_KUBEADM_CONFIG} /tmp/`);
  return { boot: [], preKubeadm: nonEmpty(body.slice(0, k)), kubeadm: body[k]!.trim(), postKubeadm: nonEmpty(after) };
}

function readIgnition(value: string): BootstrapData {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch (e) {
    throw new BootstrapDataError('ignition', `not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(doc)) throw new BootstrapDataError('ignition', 'the config must be a JSON object');
  const version = isPlainObject(doc.ignition) ? doc.ignition.version : undefined;
  if (typeof version !== 'string' || !/^[23]\./.test(version)) throw new BootstrapDataError('ignition', `ignition.version must be a 2.x or 3.x version, got ${JSON.stringify(version)}`);
  const warnings: string[] = [];
  const storage = isPlainObject(doc.storage) ? doc.storage : {};
  const fileList = storage.files ?? [];
  if (!Array.isArray(fileList)) throw new BootstrapDataError('ignition', 'storage.files must be a list');
  const files: BootstrapFile[] = [];
  fileList.forEach((f, i) => {
    const where = `storage.files[${i}]`;
    if (!isPlainObject(f) || typeof f.path !== 'string' || !f.path) throw new BootstrapDataError('ignition', `${where} needs a path`);
    const mode = f.mode === undefined || f.mode === null ? 0o644 : f.mode;
    if (typeof mode !== 'number') throw new BootstrapDataError('ignition', `${where}.mode must be a number`);
    const meta = { path: f.path, owner: ignitionOwner(f), permissions: octal(mode) };
    if (f.contents !== undefined) addFile(files, { ...meta, content: ignitionResource(f.contents, `${where}.contents`, warnings) }, f.append === true);
    else if (!Array.isArray(f.append)) addFile(files, { ...meta, content: Buffer.alloc(0) }, false);
    if (Array.isArray(f.append)) f.append.forEach((a, j) => addFile(files, { ...meta, content: ignitionResource(a, `${where}.append[${j}]`, warnings) }, true));
  });
  const script = files.find((f) => f.path === IGNITION_KUBEADM_SCRIPT);
  const phases = script ? scriptPhases(script.content.toString('utf8')) : { boot: [], preKubeadm: [], postKubeadm: [] };
  const passwd = isPlainObject(doc.passwd) ? doc.passwd : {};
  const users: User[] = (Array.isArray(passwd.users) ? passwd.users : []).map((u, i) => {
    if (!isPlainObject(u) || typeof u.name !== 'string') throw new BootstrapDataError('ignition', `passwd.users[${i}] needs a name`);
    const user: User = { name: u.name };
    if (typeof u.gecos === 'string') user.gecos = u.gecos;
    if (Array.isArray(u.groups)) user.groups = u.groups.join(', ');
    if (typeof u.homeDir === 'string') user.homeDir = u.homeDir;
    if (typeof u.shell === 'string') user.shell = u.shell;
    if (typeof u.passwordHash === 'string') user.passwd = u.passwordHash;
    if (typeof u.primaryGroup === 'string') user.primaryGroup = u.primaryGroup;
    if (Array.isArray(u.sshAuthorizedKeys)) user.sshAuthorizedKeys = u.sshAuthorizedKeys.map(String);
    const sudo = files.find((f) => f.path === `/etc/sudoers.d/${u.name}`)?.content.toString('utf8').trim();
    if (sudo?.startsWith(`${u.name} `)) user.sudo = sudo.slice(u.name.length + 1);
    return user;
  });
  const units = isPlainObject(doc.systemd) && Array.isArray(doc.systemd.units) ? doc.systemd.units.filter(isPlainObject) : [];
  let ntp: NTP | undefined;
  const ntpConf = files.find((f) => f.path === '/etc/ntp.conf');
  if (units.some((u) => u.name === 'ntpd.service' && u.enabled === true) || ntpConf) {
    ntp = { enabled: units.some((u) => u.name === 'ntpd.service' && u.enabled === true), servers: (ntpConf?.content.toString('utf8') ?? '').split('\n').map((l) => /^\s*server\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => !!s) };
  }
  const kubeadm = kubeadmRun('ignition', phases.kubeadm, files);
  const commands = [...phases.preKubeadm, ...(phases.kubeadm ? [phases.kubeadm] : []), ...phases.postKubeadm];
  return { format: 'ignition', files, commands, phases, kubeadm, users, ...(ntp ? { ntp } : {}), warnings };
}

// ---- what the Node shows -----------------------------------------------------------------------------

/** kubeadm's taint on control-plane nodes when nodeRegistration.taints is unset. */
export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

export interface BootstrapSummary {
  mode: 'init' | 'join' | 'none';
  /** Init, or a join with a controlPlane section. */
  controlPlane: boolean;
  /** From the ClusterConfiguration (init only: join data names no version). */
  kubernetesVersion?: string;
  /** nodeRegistration.name, when set. */
  nodeName?: string;
  /** kubelet `--node-labels`. */
  nodeLabels: Record<string, string>;
  /** kubelet `--register-with-taints`. */
  registerWithTaints: Taint[];
  /** nodeRegistration.taints, or kubeadm's default (the control-plane taint on control-plane nodes) when unset. */
  registrationTaints: Taint[];
  /** Both, without repeats: the taints the Node registers with. */
  taints: Taint[];
  kubeletExtraArgs: Record<string, string>;
  apiServerArgs: Record<string, string>;
  controllerManagerArgs: Record<string, string>;
  schedulerArgs: Record<string, string>;
  etcdArgs: Record<string, string>;
  joinToken?: string;
  caCertHashes: string[];
  apiServerEndpoint?: string;
  /** ClusterConfiguration.certificateValidityPeriodDays (kubeadm's default 365). */
  certificateValidityDays: number;
}

/** `k=v,k2=v2` → labels; errors name the flag and the bad item. */
export function parseNodeLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!key) throw new Error(`kubelet --node-labels: "${item}" has no label key`);
    out[key] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

/** `key[=value]:Effect,…` → taints; errors name the flag and the bad item. */
export function parseRegisterWithTaints(text: string | undefined): Taint[] {
  const out: Taint[] = [];
  for (const item of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(item);
    if (!m) throw new Error(`kubelet --register-with-taints: "${item}" is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    out.push({ key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as Taint['effect'] });
  }
  return out;
}

function uniqueTaints(taints: Taint[]): Taint[] {
  const seen = new Set<string>();
  return taints.filter((t) => {
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What the Node and the control plane must show for this bootstrap data. */
export function summarizeBootstrap(data: BootstrapData): BootstrapSummary {
  const k = data.kubeadm;
  const cc = k.clusterConfiguration;
  const controlPlane = k.mode === 'init' || (k.mode === 'join' && !!k.joinConfiguration?.controlPlane);
  const reg = k.mode === 'init' ? k.initConfiguration?.nodeRegistration : k.joinConfiguration?.nodeRegistration;
  // Raw documents keep v1beta4 lists; argsToMap reads either form.
  const rawReg = (k.mode === 'init' ? k.raw.initConfiguration : k.raw.joinConfiguration)?.nodeRegistration;
  const kubeletExtraArgs = argsToMap(isPlainObject(rawReg) ? rawReg.kubeletExtraArgs : undefined, 'nodeRegistration.kubeletExtraArgs') ?? reg?.kubeletExtraArgs ?? {};
  const registrationTaints = reg?.taints ?? (controlPlane ? [CONTROL_PLANE_TAINT] : []);
  const registerWithTaints = parseRegisterWithTaints(kubeletExtraArgs['register-with-taints']);
  const bt = k.joinConfiguration?.discovery?.bootstrapToken;
  return {
    mode: k.mode,
    controlPlane,
    ...(cc?.kubernetesVersion ? { kubernetesVersion: cc.kubernetesVersion } : {}),
    ...(reg?.name ? { nodeName: reg.name } : {}),
    nodeLabels: parseNodeLabels(kubeletExtraArgs['node-labels']),
    registerWithTaints,
    registrationTaints,
    taints: uniqueTaints([...registrationTaints, ...registerWithTaints]),
    kubeletExtraArgs,
    apiServerArgs: { ...(cc?.apiServer?.extraArgs ?? {}) },
    controllerManagerArgs: { ...(cc?.controllerManager?.extraArgs ?? {}) },
    schedulerArgs: { ...(cc?.scheduler?.extraArgs ?? {}) },
    etcdArgs: { ...(cc?.etcd?.local?.extraArgs ?? {}) },
    ...(bt?.token ? { joinToken: bt.token } : {}),
    caCertHashes: [...(bt?.caCertHashes ?? [])],
    ...(bt?.apiServerEndpoint ? { apiServerEndpoint: bt.apiServerEndpoint } : {}),
    certificateValidityDays: cc?.certificateValidityPeriodDays || 365,
  };
}

/** The sim provider's BootFacts of bootstrap data (readBootstrapData + summarizeBootstrap). */
export function readBootFacts(value: string, format?: string): BootFacts {
  const data = readBootstrapData(value, format);
  const s = summarizeBootstrap(data);
  return {
    format: data.format,
    mode: s.mode,
    controlPlane: s.controlPlane,
    ...(s.kubernetesVersion ? { kubernetesVersion: s.kubernetesVersion } : {}),
    nodeLabels: s.nodeLabels,
    taints: s.taints,
    apiServerArgs: s.apiServerArgs,
    controllerManagerArgs: s.controllerManagerArgs,
    schedulerArgs: s.schedulerArgs,
    etcdArgs: s.etcdArgs,
    ...(data.kubeadm.raw.clusterConfiguration ? { clusterConfiguration: data.kubeadm.raw.clusterConfiguration } : {}),
    certificateValidityDays: s.certificateValidityDays,
    files: data.files.map((f) => ({ path: f.path, content: f.content, owner: f.owner, permissions: f.permissions })),
    commands: data.commands,
    ...(s.joinToken ? { joinToken: s.joinToken } : {}),
  };
}
