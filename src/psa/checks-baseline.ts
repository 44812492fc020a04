/**
 * The baseline Pod Security Standard: every check with each of its version revisions, with the
 * upstream check ids, reasons and detail wording.
 */
import { containers, joinQuote, pluralize, quote, sortedSet, type CheckDef, type CheckFn } from './check.js';
import { containerName, inUserNamespace, isMap, map, sc, str, type JsonMap } from './pod.js';

// ---- hostNamespaces ----------------------------------------------------------------------------

const hostNamespaces: CheckFn = (p) => {
  const s = p.spec;
  if (s.hostNetwork !== true && s.hostPID !== true && s.hostIPC !== true) return undefined;
  const bad: string[] = [];
  if (s.hostNetwork === true) bad.push('hostNetwork=true');
  if (s.hostPID === true) bad.push('hostPID=true');
  if (s.hostIPC === true) bad.push('hostIPC=true');
  return { reason: 'host namespaces', detail: bad.join(', ') };
};

// ---- privileged --------------------------------------------------------------------------------

const privileged: CheckFn = (p) => {
  let bad: string[] | undefined;
  for (const c of p.containers) if (sc(c).privileged === true) (bad ??= []).push(containerName(c));
  return bad && { reason: 'privileged', detail: `${containers(bad)} must not set securityContext.privileged=true` };
};

// ---- capabilities_baseline ---------------------------------------------------------------------

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

const capabilitiesBaseline: CheckFn = (p) => {
  let bad: string[] | undefined;
  let caps: string[] | undefined;
  for (const c of p.containers) {
    const add = map(sc(c).capabilities).add;
    if (!Array.isArray(add) || add.length === 0) continue;
    let valid = true;
    for (const cap of add) {
      const name = str(cap);
      if (!BASELINE_CAPABILITIES.has(name)) {
        valid = false;
        (caps ??= []).push(name);
      }
    }
    if (!valid) (bad ??= []).push(containerName(c));
  }
  return bad && { reason: 'non-default capabilities', detail: `${containers(bad)} must not include ${joinQuote(sortedSet(caps!))} in securityContext.capabilities.add` };
};

// ---- hostPathVolumes ---------------------------------------------------------------------------

const hostPathVolumes: CheckFn = (p) => {
  const vols = p.spec.volumes;
  if (!Array.isArray(vols)) return undefined;
  let bad: string[] | undefined;
  for (const v of vols) if (isMap(v) && v.hostPath != null) (bad ??= []).push(str(v.name));
  return bad && { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}` };
};

// ---- hostPorts ---------------------------------------------------------------------------------

const hostPorts: CheckFn = (p) => {
  let bad: string[] | undefined;
  let ports: string[] | undefined;
  for (const c of p.containers) {
    const cp = c.ports;
    if (!Array.isArray(cp)) continue;
    let valid = true;
    for (const port of cp) {
      const hp = map(port).hostPort;
      if (hp !== undefined && hp !== null && hp !== 0) {
        valid = false;
        (ports ??= []).push(String(hp));
      }
    }
    if (!valid) (bad ??= []).push(containerName(c));
  }
  if (!bad) return undefined;
  const list = sortedSet(ports!);
  return {
    reason: 'hostPort',
    detail: `${containers(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  };
};

// ---- appArmorProfile ---------------------------------------------------------------------------

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function appArmorTypeAllowed(profile: unknown): boolean {
  const t = map(profile).type;
  return t === 'RuntimeDefault' || t === 'Localhost';
}

function appArmorAnnotationAllowed(v: string): boolean {
  return v === '' || v === 'runtime/default' || v.startsWith('localhost/');
}

/** Both channels: the appArmorProfile fields and the beta annotations (one revision, v1.0). */
const appArmorProfile: CheckFn = (p) => {
  let setters: string[] | undefined;
  let values: string[] | undefined;
  const pp = p.podSc.appArmorProfile;
  if (pp != null && !appArmorTypeAllowed(pp)) {
    (setters ??= []).push('pod');
    (values ??= []).push(str(map(pp).type));
  }
  let bad: string[] | undefined;
  for (const c of p.containers) {
    const cp = sc(c).appArmorProfile;
    if (cp != null && !appArmorTypeAllowed(cp)) {
      (bad ??= []).push(containerName(c));
      (values ??= []).push(str(map(cp).type));
    }
  }
  if (bad) (setters ??= []).push(containers(bad));
  let annotations: string[] | undefined;
  for (const k in p.annotations) {
    if (!k.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
    const v = str(p.annotations[k]);
    if (!appArmorAnnotationAllowed(v)) (annotations ??= []).push(`${k}=${quote(v)}`);
  }
  if (!setters && !annotations) return undefined;
  const all = values ? sortedSet(values) : [];
  if (annotations) {
    annotations.sort();
    all.push(...annotations);
    (setters ??= []).push(pluralize('annotation', 'annotations', annotations.length));
  }
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', all.length),
    detail: `${setters!.join(' and ')} must not set AppArmor profile type to ${joinQuote(all)}`,
  };
};

// ---- seLinuxOptions ----------------------------------------------------------------------------

const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

interface SeLinuxFindings {
  badTypes?: string[];
  setUser: boolean;
  setRole: boolean;
}

function seLinuxValid(o: JsonMap, allowed: Set<string>, f: SeLinuxFindings): boolean {
  let ok = true;
  const t = str(o.type);
  if (!allowed.has(t)) {
    ok = false;
    (f.badTypes ??= []).push(t);
  }
  if (str(o.user) !== '') {
    ok = false;
    f.setUser = true;
  }
  if (str(o.role) !== '') {
    ok = false;
    f.setRole = true;
  }
  return ok;
}

function seLinuxOptions(allowed: Set<string>): CheckFn {
  return (p) => {
    let f: SeLinuxFindings | undefined;
    let setters: string[] | undefined;
    const po = p.podSc.seLinuxOptions;
    if (isMap(po) && !seLinuxValid(po, allowed, (f ??= { setUser: false, setRole: false }))) (setters ??= []).push('pod');
    let bad: string[] | undefined;
    for (const c of p.containers) {
      const o = sc(c).seLinuxOptions;
      if (isMap(o) && !seLinuxValid(o, allowed, (f ??= { setUser: false, setRole: false }))) (bad ??= []).push(containerName(c));
    }
    if (bad) (setters ??= []).push(containers(bad));
    if (!setters) return undefined;
    const data: string[] = [];
    if (f!.badTypes) {
      const types = sortedSet(f!.badTypes);
      data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    }
    if (f!.setUser) data.push('user may not be set');
    if (f!.setRole) data.push('role may not be set');
    return { reason: 'seLinuxOptions', detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
  };
}

// ---- procMount ---------------------------------------------------------------------------------

/** Only `Default` (or unset) is allowed; shared by procMount and procMount_restricted. */
export const procMountDefaultOnly: CheckFn = (p) => {
  let bad: string[] | undefined;
  let types: string[] | undefined;
  for (const c of p.containers) {
    const pm = sc(c).procMount;
    if (pm === undefined || pm === null || pm === 'Default') continue;
    (bad ??= []).push(containerName(c));
    (types ??= []).push(str(pm));
  }
  return bad && { reason: 'procMount', detail: `${containers(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types!))}` };
};

/** v1.35: pods in a user namespace (hostUsers: false) may use any procMount. */
const procMount1_35: CheckFn = (p) => (inUserNamespace(p) ? undefined : procMountDefaultOnly(p));

// ---- seccompProfile_baseline -------------------------------------------------------------------

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function seccompAnnotationAllowed(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

export function seccompTypeAllowed(t: unknown): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

/** Before v1.19 seccomp was set through alpha annotations. */
const seccompBaseline1_0: CheckFn = (p) => {
  let bad: string[] | undefined;
  const a = p.annotations;
  if (SECCOMP_POD_ANNOTATION in a) {
    const v = str(a[SECCOMP_POD_ANNOTATION]);
    if (!seccompAnnotationAllowed(v)) (bad ??= []).push(`${SECCOMP_POD_ANNOTATION}=${quote(v)}`);
  }
  for (const c of p.containers) {
    const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + containerName(c);
    if (key in a) {
      const v = str(a[key]);
      if (!seccompAnnotationAllowed(v)) (bad ??= []).push(`${key}=${quote(v)}`);
    }
  }
  if (!bad) return undefined;
  const list = sortedSet(bad);
  return { reason: 'seccompProfile', detail: `forbidden ${pluralize('annotation', 'annotations', list.length)} ${list.join(', ')}` };
};

/** From v1.19: the seccompProfile fields, when set, must not be Unconfined (or anything else). */
const seccompBaseline1_19: CheckFn = (p) => {
  let setters: string[] | undefined;
  let values: string[] | undefined;
  const ps = p.podSc.seccompProfile;
  if (isMap(ps) && !seccompTypeAllowed(ps.type)) {
    (setters ??= []).push('pod');
    (values ??= []).push(str(ps.type));
  }
  let bad: string[] | undefined;
  for (const c of p.containers) {
    const cs = sc(c).seccompProfile;
    if (isMap(cs) && !seccompTypeAllowed(cs.type)) {
      (bad ??= []).push(containerName(c));
      (values ??= []).push(str(cs.type));
    }
  }
  if (bad) (setters ??= []).push(containers(bad));
  return setters && { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values!))}` };
};

// ---- sysctls -----------------------------------------------------------------------------------

const SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SYSCTLS_1_37 = [...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

function sysctls(allowedList: readonly string[]): CheckFn {
  const allowed = new Set(allowedList);
  return (p) => {
    const l = p.podSc.sysctls;
    if (!Array.isArray(l) || l.length === 0) return undefined;
    let bad: string[] | undefined;
    for (const s of l) {
      const name = str(map(s).name);
      if (!allowed.has(name)) (bad ??= []).push(name);
    }
    return bad && { reason: 'forbidden sysctls', detail: bad.join(', ') };
  };
}

// ---- windowsHostProcess ------------------------------------------------------------------------

const windowsHostProcess: CheckFn = (p) => {
  let bad: string[] | undefined;
  for (const c of p.containers) if (map(sc(c).windowsOptions).hostProcess === true) (bad ??= []).push(containerName(c));
  const pod = map(p.podSc.windowsOptions).hostProcess === true;
  if (!pod && !bad) return undefined;
  const setters: string[] = [];
  if (pod) setters.push('pod');
  if (bad) setters.push(containers(bad));
  return { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` };
};

// ---- hostProbesAndHostLifecycle ----------------------------------------------------------------

function handlerHosts(h: unknown, out: string[]): boolean {
  if (!isMap(h)) return false;
  let found = false;
  const http = str(map(h.httpGet).host);
  if (http !== '') {
    out.push(http);
    found = true;
  }
  const tcp = str(map(h.tcpSocket).host);
  if (tcp !== '') {
    out.push(tcp);
    found = true;
  }
  return found;
}

const hostProbesAndHostLifecycle: CheckFn = (p) => {
  let bad: string[] | undefined;
  let hosts: string[] | undefined;
  for (const c of p.containers) {
    if (c.livenessProbe === undefined && c.readinessProbe === undefined && c.startupProbe === undefined && c.lifecycle === undefined) continue;
    const found: string[] = [];
    handlerHosts(c.livenessProbe, found);
    handlerHosts(c.readinessProbe, found);
    handlerHosts(c.startupProbe, found);
    const lc = map(c.lifecycle);
    handlerHosts(lc.postStart, found);
    handlerHosts(lc.preStop, found);
    if (found.length) {
      (bad ??= []).push(containerName(c));
      (hosts ??= []).push(...found);
    }
  }
  if (!bad) return undefined;
  const names = sortedSet(bad);
  const hostList = sortedSet(hosts!);
  return {
    reason: 'probe or lifecycle host',
    detail: `${containers(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hostList.length)} ${joinQuote(hostList)}`,
  };
};

// ---- the standard ------------------------------------------------------------------------------

export const BASELINE_CHECKS: readonly CheckDef[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minVersion: 0, check: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minVersion: 0, check: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minVersion: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minVersion: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minVersion: 0, check: hostPorts }] },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', versions: [{ minVersion: 34, check: hostProbesAndHostLifecycle }] },
  { id: 'privileged', level: 'baseline', versions: [{ minVersion: 0, check: privileged }] },
  {
    id: 'procMount',
    level: 'baseline',
    versions: [
      { minVersion: 0, check: procMountDefaultOnly },
      { minVersion: 35, check: procMount1_35 },
    ],
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minVersion: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) },
      { minVersion: 31, check: seLinuxOptions(SELINUX_TYPES_1_31) },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { minVersion: 0, check: seccompBaseline1_0 },
      { minVersion: 19, check: seccompBaseline1_19 },
    ],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { minVersion: 0, check: sysctls(SYSCTLS_1_0) },
      { minVersion: 27, check: sysctls(SYSCTLS_1_27) },
      { minVersion: 29, check: sysctls(SYSCTLS_1_29) },
      { minVersion: 32, check: sysctls(SYSCTLS_1_32) },
      { minVersion: 37, check: sysctls(SYSCTLS_1_37) },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minVersion: 0, check: windowsHostProcess }] },
];

