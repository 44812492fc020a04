/**
 * Ignition (`format: ignition`) bootstrap data, converted from the same user data as cloud-init the way Cluster API's
 * kubeadm bootstrap provider does it (a Container Linux Config turned into Ignition): the kubeadm config goes to
 * /etc/kubeadm.yml, the commands into /etc/kubeadm.sh (pre-kubeadm commands, kubeadm, the success sentinel, moving the
 * config away so it runs once, post-kubeadm commands), run by the oneshot kubeadm.service unit; files, users (sudoers
 * drop-ins, sshd password login for users with lockPassword false), NTP (ntpd.service, /etc/ntp.conf), disks,
 * filesystems and mount units. Slipway emits an Ignition spec v3 config (upstream emits v2.3 through the CLC
 * transpiler); `ignition.containerLinuxConfig.additionalConfig` (a Butane/CLC-like YAML or Ignition v3 JSON subset:
 * storage.files, systemd.units, passwd.users) is merged over it, files and units by path and name.
 */
import { posix } from 'node:path';
import YAML from 'yaml';
import { isPlainObject } from '../../apimachinery/types.js';
import type { File, User } from '../../api/bootstrap/types.js';
import { IGNITION_KUBEADM_CONFIG, IGNITION_KUBEADM_SCRIPT, kubeadmSubcommand, verbosityFlag, type UserData } from './userdata.js';

export const IGNITION_VERSION = '3.4.0';

type Obj = Record<string, unknown>;

export interface IgnitionFile {
  path: string;
  overwrite?: boolean;
  mode?: number;
  user?: { name: string };
  group?: { name: string };
  contents?: { source: string; compression?: string };
  append?: { source: string; compression?: string }[];
}

export interface IgnitionUnit {
  name: string;
  enabled?: boolean;
  contents?: string;
  dropins?: { name: string; contents?: string }[];
}

export interface IgnitionUser {
  name: string;
  gecos?: string;
  groups?: string[];
  homeDir?: string;
  shell?: string;
  passwordHash?: string;
  primaryGroup?: string;
  sshAuthorizedKeys?: string[];
}

export interface IgnitionConfig {
  ignition: { version: string };
  passwd?: { users: IgnitionUser[] };
  storage: {
    disks?: { device: string; wipeTable?: boolean; partitions?: Obj[] }[];
    filesystems?: { device: string; format: string; wipeFilesystem?: boolean; label?: string; options?: string[] }[];
    files: IgnitionFile[];
  };
  systemd: { units: IgnitionUnit[] };
}

/** A data URL carrying bytes (base64). */
export function dataUrl(bytes: Buffer): string {
  return `data:;base64,${bytes.toString('base64')}`;
}

function parseMode(permissions: string | undefined, path: string): number | undefined {
  if (!permissions) return undefined;
  if (!/^0?[0-7]{3,4}$/.test(permissions)) throw new Error(`file ${path}: permissions "${permissions}" is not an octal mode (e.g. 0644)`);
  return parseInt(permissions, 8);
}

/** The owner "user:group" (either part optional) as Ignition's user and group. */
function ownerOf(owner: string | undefined): Pick<IgnitionFile, 'user' | 'group'> {
  if (!owner) return {};
  const [user, group] = owner.split(':').map((s) => s.trim());
  const out: Pick<IgnitionFile, 'user' | 'group'> = {};
  if (user) out.user = { name: user };
  if (group) out.group = { name: group };
  return out;
}

/** File content as bytes plus Ignition's compression, from a file's encoding. */
function contentSource(f: File): { source: string; compression?: string } {
  const content = f.content ?? '';
  switch (f.encoding) {
    case undefined:
      return { source: dataUrl(Buffer.from(content, 'utf8')) };
    case 'base64':
      return { source: dataUrl(Buffer.from(content, 'base64')) };
    case 'gzip+base64':
      return { source: dataUrl(Buffer.from(content, 'base64')), compression: 'gzip' };
    case 'gzip':
      return { source: dataUrl(Buffer.from(content, 'latin1')), compression: 'gzip' };
    default:
      throw new Error(`file ${f.path}: unknown encoding "${String(f.encoding)}" (base64, gzip or gzip+base64)`);
  }
}

function fileEntry(f: File): IgnitionFile {
  if (f.contentFrom) throw new Error(`file ${f.path}: contentFrom must be resolved to content before rendering`);
  const out: IgnitionFile = { path: f.path, ...ownerOf(f.owner) };
  const mode = parseMode(f.permissions, f.path);
  if (mode !== undefined) out.mode = mode;
  if (f.append) out.append = [contentSource(f)];
  else {
    out.overwrite = true;
    out.contents = contentSource(f);
  }
  return out;
}

function textFile(path: string, mode: number, text: string): IgnitionFile {
  return { path, overwrite: true, mode, contents: { source: dataUrl(Buffer.from(text, 'utf8')) } };
}

/** The script kubeadm.service runs: pre-kubeadm commands, kubeadm, sentinel, config moved away, post-kubeadm commands. */
export function kubeadmScript(u: UserData): string {
  const lines = ['#!/bin/bash', 'set -e', ...u.preKubeadmCommands, ''];
  lines.push(`kubeadm ${kubeadmSubcommand(u.mode)} --config ${IGNITION_KUBEADM_CONFIG}${verbosityFlag(u.verbosity)}`);
  lines.push('mkdir -p /run/cluster-api && echo success > /run/cluster-api/bootstrap-success.complete');
  lines.push(`mv ${IGNITION_KUBEADM_CONFIG} /tmp/`);
  lines.push(...u.postKubeadmCommands);
  return lines.join('\n') + '\n';
}

const KUBEADM_UNIT = [
  '[Unit]',
  'Description=kubeadm',
  '# Runs once: the script moves /etc/kubeadm.yml to /tmp when kubeadm succeeded.',
  `ConditionPathExists=${IGNITION_KUBEADM_CONFIG}`,
  'After=network.target',
  '[Service]',
  '# The script exits when done; do not restart it.',
  'Type=oneshot',
  `ExecStart=/bin/bash ${IGNITION_KUBEADM_SCRIPT}`,
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

function ntpConf(servers: string[]): string {
  return [
    '# NTP servers from the KubeadmConfig',
    ...servers.map((s) => `server ${s}`),
    '',
    '# Serve time queries only, rate-limited; full access from this host.',
    'restrict default nomodify nopeer noquery notrap limited kod',
    'restrict 127.0.0.1',
    'restrict [::1]',
    '',
  ].join('\n');
}

function sshdConfig(users: string[]): string {
  return [
    '# sshd defaults, with password login for the users whose password is not locked.',
    'Subsystem sftp internal-sftp',
    'ClientAliveInterval 180',
    'UseDNS no',
    'UsePAM yes',
    'PrintLastLog no',
    'PrintMotd no',
    '',
    `Match User ${users.join(',')}`,
    '  PasswordAuthentication yes',
    '',
  ].join('\n');
}

/** systemd's unit name of a mount point ("/var/lib/etcd" → "var-lib-etcd.mount"). */
export function mountUnitName(mountPoint: string): string {
  return mountPoint.replace(/\//g, '-').replace(/^-/, '') + '.mount';
}

function userEntry(u: User): IgnitionUser {
  if (u.passwdFrom) throw new Error(`user ${u.name}: passwdFrom must be resolved to passwd before rendering`);
  const o: IgnitionUser = { name: u.name };
  if (u.gecos) o.gecos = u.gecos;
  if (u.groups) o.groups = u.groups.split(',').map((g) => g.trim()).filter(Boolean);
  if (u.homeDir) o.homeDir = u.homeDir;
  if (u.shell) o.shell = u.shell;
  if (u.passwd) o.passwordHash = u.passwd;
  if (u.primaryGroup) o.primaryGroup = u.primaryGroup;
  if (u.sshAuthorizedKeys?.length) o.sshAuthorizedKeys = [...u.sshAuthorizedKeys];
  return o;
}

/** The Ignition config of the user data (before additionalConfig). */
export function ignitionConfig(u: UserData): IgnitionConfig {
  const files: IgnitionFile[] = [];
  for (const user of u.users) if (user.sudo) files.push(textFile(`/etc/sudoers.d/${user.name}`, 0o600, `${user.name} ${user.sudo}\n`));
  const passwordUsers = u.users.filter((x) => x.lockPassword === false).map((x) => x.name);
  if (passwordUsers.length) files.push(textFile('/etc/ssh/sshd_config', 0o600, sshdConfig(passwordUsers)));
  files.push(...u.writeFiles.map(fileEntry));
  files.push(textFile(IGNITION_KUBEADM_SCRIPT, 0o700, kubeadmScript(u)));
  files.push(textFile(IGNITION_KUBEADM_CONFIG, 0o600, '---\n' + u.kubeadmDocuments.join('---\n')));
  if (u.ntp?.enabled && u.ntp.servers?.length) files.push(textFile('/etc/ntp.conf', 0o644, ntpConf(u.ntp.servers)));

  const units: IgnitionUnit[] = [{ name: 'kubeadm.service', enabled: true, contents: KUBEADM_UNIT }];
  if (u.ntp?.enabled) units.push({ name: 'ntpd.service', enabled: true });
  const deviceByLabel = new Map((u.diskSetup?.filesystems ?? []).filter((f) => f.label).map((f) => [f.label!, f.device]));
  for (const m of u.mounts ?? []) {
    const [label, mountPoint, ...options] = m;
    if (!label || !mountPoint) throw new Error(`mounts entry ${JSON.stringify(m)}: needs at least a filesystem label and a mount point`);
    const what = deviceByLabel.get(label);
    if (!what) throw new Error(`mounts entry ${JSON.stringify(m)}: no diskSetup.filesystems entry has label "${label}"`);
    units.push({
      name: mountUnitName(mountPoint),
      enabled: true,
      contents: ['[Unit]', `Description = Mount ${label}`, '', '[Mount]', `What=${what}`, `Where=${mountPoint}`, `Options=${options.join(',')}`, '', '[Install]', 'WantedBy=multi-user.target', ''].join('\n'),
    });
  }

  const config: IgnitionConfig = { ignition: { version: IGNITION_VERSION }, storage: { files }, systemd: { units } };
  if (u.users.length) config.passwd = { users: u.users.map(userEntry) };
  if (u.diskSetup?.partitions?.length) {
    config.storage.disks = u.diskSetup.partitions.map((p) => ({ device: p.device, ...(p.overwrite ? { wipeTable: true } : {}), ...(p.layout ? { partitions: [{}] } : {}) }));
  }
  if (u.diskSetup?.filesystems?.length) {
    config.storage.filesystems = u.diskSetup.filesystems.map((f) => ({
      device: f.device,
      format: f.filesystem,
      wipeFilesystem: !!f.overwrite,
      ...(f.label ? { label: f.label } : {}),
      ...(f.extraOpts?.length ? { options: [...f.extraOpts] } : {}),
    }));
  }
  return config;
}

// ---- additionalConfig --------------------------------------------------------------------------------

const KNOWN_TOP_LEVEL = new Set(['ignition', 'passwd', 'storage', 'systemd', 'variant', 'version']);

/** A file of the additional config: Ignition v3 (contents.source) or CLC/Butane style (contents.inline, octal mode). */
function additionalFile(v: unknown, i: number): IgnitionFile {
  if (!isPlainObject(v) || typeof v.path !== 'string' || !posix.isAbsolute(v.path)) throw new Error(`additionalConfig: storage.files[${i}] needs an absolute path`);
  const out: IgnitionFile = { path: v.path };
  if (typeof v.mode === 'number') out.mode = v.mode;
  else if (typeof v.mode === 'string') out.mode = parseMode(v.mode, v.path);
  if (typeof v.overwrite === 'boolean') out.overwrite = v.overwrite;
  const owner = (k: 'user' | 'group'): void => {
    const x = v[k];
    if (isPlainObject(x) && typeof x.name === 'string') out[k] = { name: x.name };
    else if (typeof x === 'string') out[k] = { name: x };
  };
  owner('user');
  owner('group');
  const c = v.contents;
  if (isPlainObject(c)) {
    if (typeof c.source === 'string') out.contents = { source: c.source, ...(typeof c.compression === 'string' ? { compression: c.compression } : {}) };
    else if (typeof c.inline === 'string') out.contents = { source: dataUrl(Buffer.from(c.inline, 'utf8')) };
    if (out.overwrite === undefined && out.contents) out.overwrite = true;
  }
  if (Array.isArray(v.append)) out.append = v.append.map((a) => (isPlainObject(a) && typeof a.source === 'string' ? { source: a.source } : isPlainObject(a) && typeof a.inline === 'string' ? { source: dataUrl(Buffer.from(a.inline, 'utf8')) } : { source: 'data:,' }));
  return out;
}

function additionalUnit(v: unknown, i: number): IgnitionUnit {
  if (!isPlainObject(v) || typeof v.name !== 'string' || !v.name) throw new Error(`additionalConfig: systemd.units[${i}] needs a name`);
  const out: IgnitionUnit = { name: v.name };
  if (typeof v.enabled === 'boolean') out.enabled = v.enabled;
  if (typeof v.enable === 'boolean') out.enabled = v.enable;
  if (typeof v.contents === 'string') out.contents = v.contents;
  const dropins = Array.isArray(v.dropins) ? v.dropins : [];
  if (dropins.length) out.dropins = dropins.filter(isPlainObject).map((d) => ({ name: String(d.name), ...(typeof d.contents === 'string' ? { contents: d.contents } : {}) }));
  return out;
}

function additionalUser(v: unknown, i: number): IgnitionUser {
  if (!isPlainObject(v) || typeof v.name !== 'string') throw new Error(`additionalConfig: passwd.users[${i}] needs a name`);
  const pick = (...keys: string[]): unknown => keys.map((k) => v[k]).find((x) => x !== undefined);
  const out: IgnitionUser = { name: v.name };
  const keys = pick('sshAuthorizedKeys', 'ssh_authorized_keys');
  if (Array.isArray(keys)) out.sshAuthorizedKeys = keys.map(String);
  const hash = pick('passwordHash', 'password_hash');
  if (typeof hash === 'string') out.passwordHash = hash;
  const groups = v.groups;
  if (Array.isArray(groups)) out.groups = groups.map(String);
  for (const [k, alt] of [['homeDir', 'home_dir'], ['primaryGroup', 'primary_group'], ['shell', 'shell'], ['gecos', 'gecos']] as const) {
    const x = pick(k, alt);
    if (typeof x === 'string') (out as unknown as Record<string, string>)[k] = x;
  }
  return out;
}

/**
 * Merge `additionalConfig` over a generated config: files replace files with the same path, units and users merge
 * into the entry with the same name, new ones are appended. Unknown top-level keys are warnings, or errors when strict.
 */
export function mergeAdditionalConfig(base: IgnitionConfig, additional: string, strict = false): { config: IgnitionConfig; warnings: string[] } {
  let parsed: unknown;
  try {
    parsed = YAML.parse(additional);
  } catch (e) {
    throw new Error(`ignition.containerLinuxConfig.additionalConfig is not valid YAML or JSON: ${(e as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return { config: base, warnings: [] };
  if (!isPlainObject(parsed)) throw new Error('ignition.containerLinuxConfig.additionalConfig must be a mapping');
  const warnings: string[] = [];
  for (const k of Object.keys(parsed)) {
    if (KNOWN_TOP_LEVEL.has(k)) continue;
    const msg = `additionalConfig: unsupported top-level key "${k}" ignored`;
    if (strict) throw new Error(msg.replace(' ignored', ''));
    warnings.push(msg);
  }
  const config = structuredClone(base);
  const storage = isPlainObject(parsed.storage) ? parsed.storage : {};
  (Array.isArray(storage.files) ? storage.files : []).forEach((f, i) => {
    const file = additionalFile(f, i);
    const at = config.storage.files.findIndex((x) => x.path === file.path);
    if (at >= 0) config.storage.files[at] = file;
    else config.storage.files.push(file);
  });
  const systemd = isPlainObject(parsed.systemd) ? parsed.systemd : {};
  (Array.isArray(systemd.units) ? systemd.units : []).forEach((u, i) => {
    const unit = additionalUnit(u, i);
    const existing = config.systemd.units.find((x) => x.name === unit.name);
    if (!existing) config.systemd.units.push(unit);
    else {
      if (unit.enabled !== undefined) existing.enabled = unit.enabled;
      if (unit.contents !== undefined) existing.contents = unit.contents;
      if (unit.dropins) existing.dropins = [...(existing.dropins ?? []).filter((d) => !unit.dropins!.some((n) => n.name === d.name)), ...unit.dropins];
    }
  });
  const passwd = isPlainObject(parsed.passwd) ? parsed.passwd : {};
  (Array.isArray(passwd.users) ? passwd.users : []).forEach((u, i) => {
    const user = additionalUser(u, i);
    config.passwd ??= { users: [] };
    const existing = config.passwd.users.find((x) => x.name === user.name);
    if (existing) Object.assign(existing, user);
    else config.passwd.users.push(user);
  });
  return { config, warnings };
}

/** Ignition v3 JSON of the user data, with the additional config merged in. */
export function renderIgnition(u: UserData, additional?: { additionalConfig?: string; strict?: boolean }): { value: string; warnings: string[] } {
  let config = ignitionConfig(u);
  let warnings: string[] = [];
  if (additional?.additionalConfig) ({ config, warnings } = mergeAdditionalConfig(config, additional.additionalConfig, additional.strict));
  return { value: JSON.stringify(config), warnings };
}
