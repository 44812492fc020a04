/**
 * Pod Security Standards vocabulary: levels, policy versions and the "level:version" pairs the
 * evaluator and the admission plugin speak in (`restricted:v1.30`, `baseline:latest`).
 */

export type Level = 'privileged' | 'baseline' | 'restricted';

export const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/**
 * A policy version: `latest`, or the minor number of `v1.N`. Versions newer than the newest check
 * revision (and `latest`) evaluate as the newest revision.
 */
export type Version = { latest: true } | { latest: false; minor: number };

export const LATEST: Version = Object.freeze({ latest: true });

export interface LevelVersion {
  level: Level;
  version: Version;
}

export class PsaParseError extends Error {
  override name = 'PsaParseError';
}

/** Upstream's wording for a bad level, e.g. in `metadata.labels[...]: Invalid value: "x": ...`. */
export const LEVEL_ERROR = 'must be one of privileged, baseline, restricted';
export const VERSION_ERROR = 'must be "latest" or "v1.x"';

export function isLevel(s: unknown): s is Level {
  return s === 'privileged' || s === 'baseline' || s === 'restricted';
}

export function parseLevel(s: string): Level {
  if (isLevel(s)) return s;
  throw new PsaParseError(LEVEL_ERROR);
}

const VERSION_RE = /^v1\.(0|[1-9][0-9]*)$/;

export function parseVersion(s: string): Version {
  if (s === 'latest') return LATEST;
  const m = VERSION_RE.exec(s);
  if (!m) throw new PsaParseError(VERSION_ERROR);
  const minor = Number(m[1]);
  if (!Number.isSafeInteger(minor)) throw new PsaParseError(VERSION_ERROR);
  return { latest: false, minor };
}

export function minorVersion(minor: number): Version {
  return { latest: false, minor };
}

export function formatVersion(v: Version): string {
  return v.latest ? 'latest' : `v1.${v.minor}`;
}

/** `restricted:v1.30` */
export function formatLevelVersion(lv: LevelVersion): string {
  return `${lv.level}:${formatVersion(lv.version)}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && formatVersion(a.version) === formatVersion(b.version);
}

const STRICTNESS: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** >0 when `a` is stricter than `b`, <0 when looser, 0 when equal. */
export function compareLevels(a: Level, b: Level): number {
  return STRICTNESS[a] - STRICTNESS[b];
}

/** Namespace labels that select the policy, as upstream. */
export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCE_LEVEL_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
export const AUDIT_LEVEL_LABEL = 'pod-security.kubernetes.io/audit';
export const AUDIT_VERSION_LABEL = 'pod-security.kubernetes.io/audit-version';
export const WARN_LEVEL_LABEL = 'pod-security.kubernetes.io/warn';
export const WARN_VERSION_LABEL = 'pod-security.kubernetes.io/warn-version';

/** enforce, audit and warn level+version of one namespace. */
export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export function privilegedPolicy(): Policy {
  return {
    enforce: { level: 'privileged', version: LATEST },
    audit: { level: 'privileged', version: LATEST },
    warn: { level: 'privileged', version: LATEST },
  };
}

export function fullyPrivileged(p: Policy): boolean {
  return p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';
}
