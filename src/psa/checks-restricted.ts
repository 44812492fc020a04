/**
 * The restricted Pod Security Standard's own checks (restricted is every baseline check, minus the
 * ones a restricted revision overrides, plus these).
 */
import { containers, joinQuote, pluralize, sortedSet, type CheckDef, type CheckFn } from './check.js';
import { procMountDefaultOnly, seccompTypeAllowed } from './checks-baseline.js';
import { containerName, inUserNamespace, isMap, isWindows, sc, str } from './pod.js';

// ---- restrictedVolumes -------------------------------------------------------------------------

const ALLOWED_VOLUME_SOURCES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret']);

/** The volume source a volume uses, or undefined for one without a source (defaulted to emptyDir). */
function restrictedSource(v: Record<string, unknown>): string | undefined {
  let restricted: string | undefined;
  for (const k in v) {
    if (k === 'name' || v[k] === null || v[k] === undefined) continue;
    if (ALLOWED_VOLUME_SOURCES.has(k)) return undefined;
    restricted ??= k;
  }
  return restricted;
}

const restrictedVolumes: CheckFn = (p) => {
  const vols = p.spec.volumes;
  if (!Array.isArray(vols)) return undefined;
  let bad: string[] | undefined;
  let types: string[] | undefined;
  for (const v of vols) {
    if (!isMap(v)) continue;
    const t = restrictedSource(v);
    if (t === undefined) continue;
    (bad ??= []).push(str(v.name));
    (types ??= []).push(t);
  }
  if (!bad) return undefined;
  const typeList = sortedSet(types!);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', typeList.length)} ${joinQuote(typeList)}`,
  };
};

// ---- allowPrivilegeEscalation ------------------------------------------------------------------

const allowPrivilegeEscalation1_8: CheckFn = (p) => {
  let bad: string[] | undefined;
  for (const c of p.containers) if (sc(c).allowPrivilegeEscalation !== false) (bad ??= []).push(containerName(c));
  return bad && { reason: 'allowPrivilegeEscalation != false', detail: `${containers(bad)} must set securityContext.allowPrivilegeEscalation=false` };
};

/** From v1.25, pods with spec.os.name=windows are exempt from some restricted checks. */
function exceptWindows(check: CheckFn): CheckFn {
  return (p) => (isWindows(p) ? undefined : check(p));
}

/** From v1.35, pods with hostUsers: false are exempt from the run-as-root checks. */
function exceptUserNamespace(check: CheckFn): CheckFn {
  return (p) => (inUserNamespace(p) ? undefined : check(p));
}

// ---- runAsNonRoot ------------------------------------------------------------------------------

const runAsNonRoot1_0: CheckFn = (p) => {
  let setters: string[] | undefined;
  let podNonRoot = false;
  const pr = p.podSc.runAsNonRoot;
  if (typeof pr === 'boolean') {
    if (!pr) (setters ??= []).push('pod');
    else podNonRoot = true;
  }
  let explicit: string[] | undefined;
  let implicit: string[] | undefined;
  for (const c of p.containers) {
    const cr = sc(c).runAsNonRoot;
    if (typeof cr === 'boolean') {
      if (!cr) (explicit ??= []).push(containerName(c));
    } else if (!podNonRoot) {
      (implicit ??= []).push(containerName(c));
    }
  }
  if (explicit) (setters ??= []).push(containers(explicit));
  if (setters) return { reason: 'runAsNonRoot != true', detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  if (implicit) return { reason: 'runAsNonRoot != true', detail: `pod or ${containers(implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
};

// ---- runAsUser ---------------------------------------------------------------------------------

const runAsUser1_23: CheckFn = (p) => {
  let setters: string[] | undefined;
  if (p.podSc.runAsUser === 0) (setters ??= []).push('pod');
  let bad: string[] | undefined;
  for (const c of p.containers) if (sc(c).runAsUser === 0) (bad ??= []).push(containerName(c));
  if (bad) (setters ??= []).push(containers(bad));
  return setters && { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` };
};

// ---- seccompProfile_restricted -----------------------------------------------------------------

const seccompRestricted1_19: CheckFn = (p) => {
  let setters: string[] | undefined;
  let values: string[] | undefined;
  let podSet = false;
  const ps = p.podSc.seccompProfile;
  if (isMap(ps)) {
    if (!seccompTypeAllowed(ps.type)) {
      (setters ??= []).push('pod');
      (values ??= []).push(str(ps.type));
    } else podSet = true;
  }
  let explicit: string[] | undefined;
  let implicit: string[] | undefined;
  for (const c of p.containers) {
    const cs = sc(c).seccompProfile;
    if (isMap(cs)) {
      if (!seccompTypeAllowed(cs.type)) {
        (explicit ??= []).push(containerName(c));
        (values ??= []).push(str(cs.type));
      }
    } else if (!podSet) {
      (implicit ??= []).push(containerName(c));
    }
  }
  if (explicit) (setters ??= []).push(containers(explicit));
  if (setters) return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values!))}` };
  if (implicit) return { reason: 'seccompProfile', detail: `pod or ${containers(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  return undefined;
};

// ---- capabilities_restricted -------------------------------------------------------------------

const capabilitiesRestricted1_22: CheckFn = (p) => {
  let missingDrop: string[] | undefined;
  let adding: string[] | undefined;
  let forbidden: string[] | undefined;
  for (const c of p.containers) {
    const caps = sc(c).capabilities;
    if (!isMap(caps)) {
      (missingDrop ??= []).push(containerName(c));
      continue;
    }
    const drop = caps.drop;
    if (!Array.isArray(drop) || !drop.includes('ALL')) (missingDrop ??= []).push(containerName(c));
    const add = caps.add;
    if (Array.isArray(add) && add.length) {
      let addedForbidden = false;
      for (const a of add) {
        if (a !== 'NET_BIND_SERVICE') {
          addedForbidden = true;
          (forbidden ??= []).push(str(a));
        }
      }
      if (addedForbidden) (adding ??= []).push(containerName(c));
    }
  }
  if (!missingDrop && !adding) return undefined;
  const details: string[] = [];
  if (missingDrop) details.push(`${containers(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding) details.push(`${containers(adding)} must not include ${joinQuote(sortedSet(forbidden!))} in securityContext.capabilities.add`);
  return { reason: 'unrestricted capabilities', detail: details.join('; ') };
};

// ---- the standard ------------------------------------------------------------------------------

export const RESTRICTED_CHECKS: readonly CheckDef[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minVersion: 8, check: allowPrivilegeEscalation1_8 },
      { minVersion: 25, check: exceptWindows(allowPrivilegeEscalation1_8) },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { minVersion: 22, check: capabilitiesRestricted1_22, overrides: ['capabilities_baseline'] },
      { minVersion: 25, check: exceptWindows(capabilitiesRestricted1_22), overrides: ['capabilities_baseline'] },
    ],
  },
  { id: 'procMount_restricted', level: 'restricted', versions: [{ minVersion: 35, check: procMountDefaultOnly, overrides: ['procMount'] }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ minVersion: 0, check: restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [
      { minVersion: 0, check: runAsNonRoot1_0 },
      { minVersion: 35, check: exceptUserNamespace(runAsNonRoot1_0) },
    ],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [
      { minVersion: 23, check: runAsUser1_23 },
      { minVersion: 35, check: exceptUserNamespace(runAsUser1_23) },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { minVersion: 19, check: seccompRestricted1_19, overrides: ['seccompProfile_baseline'] },
      { minVersion: 25, check: exceptWindows(seccompRestricted1_19), overrides: ['seccompProfile_baseline'] },
    ],
  },
];

