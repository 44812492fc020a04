/**
 * cloud-init (#cloud-config) user data with the structure and paths of Cluster API's kubeadm bootstrap provider:
 * write_files (certificates, spec.files, the kubeadm config at /run/kubeadm/kubeadm.yaml for init or
 * /run/kubeadm/kubeadm-join-config.yaml for a join, the /run/cluster-api placeholder), bootcmd, runcmd (pre-kubeadm
 * commands, `kubeadm init|join --config …` followed by the success sentinel, post-kubeadm commands), ntp, users,
 * disk_setup, fs_setup and mounts. Emitted through a YAML 1.1 encoder (cloud-init's PyYAML dialect), so every value
 * is quoted as cloud-init needs.
 */
import YAML from 'yaml';
import type { File, User } from '../../api/bootstrap/types.js';
import {
  CLOUD_INIT_INIT_CONFIG,
  CLOUD_INIT_JOIN_CONFIG,
  cloudInitPartitionType,
  PLACEHOLDER_FILE,
  RETRY_JOIN_SCRIPT,
  SENTINEL_COMMAND,
  verbosityFlag,
  type UserData,
} from './userdata.js';

/** The first lines of every cloud-config the provider writes (cloud-init renders the rest through Jinja). */
export const CLOUD_CONFIG_HEADER = '## template: jinja\n#cloud-config\n';

type Obj = Record<string, unknown>;

function fileEntry(f: File): Obj {
  if (f.contentFrom) throw new Error(`file ${f.path}: contentFrom must be resolved to content before rendering`);
  const o: Obj = { path: f.path };
  if (f.encoding) o.encoding = f.encoding;
  if (f.owner) o.owner = f.owner;
  if (f.permissions) o.permissions = f.permissions;
  if (f.append) o.append = true;
  o.content = f.content ?? '';
  return o;
}

function userEntry(u: User): Obj {
  if (u.passwdFrom) throw new Error(`user ${u.name}: passwdFrom must be resolved to passwd before rendering`);
  const o: Obj = { name: u.name };
  if (u.passwd) o.passwd = u.passwd;
  if (u.gecos) o.gecos = u.gecos;
  if (u.groups) o.groups = u.groups;
  if (u.homeDir) o.homedir = u.homeDir;
  if (u.inactive !== undefined) o.inactive = u.inactive;
  if (u.lockPassword !== undefined) o.lock_passwd = u.lockPassword;
  if (u.shell) o.shell = u.shell;
  if (u.primaryGroup) o.primary_group = u.primaryGroup;
  if (u.sudo) o.sudo = u.sudo;
  if (u.sshAuthorizedKeys?.length) o.ssh_authorized_keys = [...u.sshAuthorizedKeys];
  return o;
}

/** The retry script of useExperimentalRetryJoin: kubeadm join, tried again a few times when it fails. */
export function retryJoinScript(verbosity: number | undefined): string {
  return [
    '#!/bin/bash',
    '# Written by the kubeadm bootstrap provider (useExperimentalRetryJoin): retries kubeadm join.',
    'set -u',
    'for attempt in 1 2 3 4 5; do',
    `  if kubeadm join --config ${CLOUD_INIT_JOIN_CONFIG}${verbosityFlag(verbosity)}; then exit 0; fi`,
    '  echo "kubeadm join failed (attempt ${attempt}); retrying in 10s" >&2',
    '  sleep 10',
    'done',
    'exit 1',
    '',
  ].join('\n');
}

/** The kubeadm config file's path and content for a mode (documents separated as upstream writes them). */
export function cloudInitKubeadmFile(u: UserData): { path: string; content: string } {
  if (u.mode === 'init') return { path: CLOUD_INIT_INIT_CONFIG, content: u.kubeadmDocuments.map((d) => `---\n${d}`).join('') };
  const join = u.kubeadmDocuments.join('---\n');
  // Worker joins start with a document separator, control-plane joins do not (as upstream's templates).
  return { path: CLOUD_INIT_JOIN_CONFIG, content: u.mode === 'join-worker' ? `---\n${join}` : join };
}

/** The runcmd entry that runs kubeadm. */
export function cloudInitKubeadmCommand(u: UserData): string {
  if (u.mode === 'init') return `kubeadm init --config ${CLOUD_INIT_INIT_CONFIG}${verbosityFlag(u.verbosity)} && ${SENTINEL_COMMAND}`;
  if (u.useExperimentalRetryJoin) return `${RETRY_JOIN_SCRIPT} && ${SENTINEL_COMMAND}`;
  return `kubeadm join --config ${CLOUD_INIT_JOIN_CONFIG}${verbosityFlag(u.verbosity)} && ${SENTINEL_COMMAND}`;
}

/** The #cloud-config document. */
export function renderCloudConfig(u: UserData): string {
  const kubeadm = cloudInitKubeadmFile(u);
  const files: Obj[] = u.writeFiles.map(fileEntry);
  if (u.useExperimentalRetryJoin && u.mode !== 'init') files.push({ path: RETRY_JOIN_SCRIPT, owner: 'root', permissions: '0755', content: retryJoinScript(u.verbosity) });
  files.push({ path: kubeadm.path, owner: 'root:root', permissions: '0640', content: kubeadm.content });
  files.push({
    path: PLACEHOLDER_FILE,
    owner: 'root:root',
    permissions: '0640',
    content: 'This placeholder file is used to create the /run/cluster-api sub directory in a way that is compatible with both Linux and Windows (mkdir -p /run/cluster-api does not work with Windows)',
  });
  const doc: Obj = { write_files: files };
  if (u.bootCommands.length) doc.bootcmd = [...u.bootCommands];
  doc.runcmd = [...u.preKubeadmCommands, cloudInitKubeadmCommand(u), ...u.postKubeadmCommands];
  if (u.ntp) {
    const ntp: Obj = {};
    if (u.ntp.enabled !== undefined) ntp.enabled = u.ntp.enabled;
    ntp.servers = [...(u.ntp.servers ?? [])];
    doc.ntp = ntp;
  }
  if (u.users.length) doc.users = u.users.map(userEntry);
  if (u.diskSetup) {
    const disks: Obj = {};
    for (const p of u.diskSetup.partitions ?? []) {
      const d: Obj = {};
      if (p.tableType) d.table_type = p.tableType;
      d.layout = p.diskLayout?.length ? p.diskLayout.map((l) => (l.partitionType ? [l.percentage ?? 0, cloudInitPartitionType(l.partitionType)] : (l.percentage ?? 0))) : p.layout;
      if (p.overwrite !== undefined) d.overwrite = p.overwrite;
      disks[p.device] = d;
    }
    if (Object.keys(disks).length) doc.disk_setup = disks;
    const fs = (u.diskSetup.filesystems ?? []).map((f) => {
      const o: Obj = { label: f.label ?? '', filesystem: f.filesystem, device: f.device };
      if (f.partition) o.partition = f.partition;
      if (f.overwrite !== undefined) o.overwrite = f.overwrite;
      if (f.replaceFS) o.replace_fs = f.replaceFS;
      if (f.extraOpts?.length) o.extra_opts = [...f.extraOpts];
      return o;
    });
    if (fs.length) doc.fs_setup = fs;
  }
  if (u.mounts?.length) doc.mounts = u.mounts.map((m) => [...m]);
  // cloud-init reads YAML 1.1 (PyYAML): write it as such, so strings like yes, on or 1:20 stay strings.
  return CLOUD_CONFIG_HEADER + YAML.stringify(doc, { lineWidth: 0, version: '1.1' });
}
