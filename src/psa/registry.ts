/**
 * Resolves the checks in force at a level and version, as upstream's registry does: each check
 * uses its newest revision at or below the version; restricted is every restricted check plus the
 * baseline checks no restricted revision overrides; checks run in order of id. Versions above the
 * newest revision, and `latest`, resolve to the newest revision.
 */
import type { Level, Version } from './api.js';
import type { CheckDef, CheckFn } from './check.js';
import { BASELINE_CHECKS } from './checks-baseline.js';
import { RESTRICTED_CHECKS } from './checks-restricted.js';

export interface ResolvedCheck {
  id: string;
  check: CheckFn;
}

export interface ResolvedChecks {
  checks: readonly ResolvedCheck[];
  /** Baseline check id → the restricted check id that replaces it at this version. */
  overridden: ReadonlyMap<string, string>;
}

export const ALL_CHECKS: readonly CheckDef[] = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS];

/** The newest minor version any check has a revision for (what `latest` means). */
export const MAX_VERSION: number = Math.max(...ALL_CHECKS.flatMap((c) => c.versions.map((v) => v.minVersion)));

function revisionAt(def: CheckDef, minor: number) {
  let found: CheckDef['versions'][number] | undefined;
  for (const v of def.versions) if (v.minVersion <= minor) found = v;
  return found;
}

function resolve(level: 'baseline' | 'restricted', minor: number): ResolvedChecks {
  const overridden = new Map<string, string>();
  const checks: ResolvedCheck[] = [];
  if (level === 'restricted') {
    for (const def of RESTRICTED_CHECKS) {
      const rev = revisionAt(def, minor);
      if (!rev) continue;
      checks.push({ id: def.id, check: rev.check });
      for (const o of rev.overrides ?? []) overridden.set(o, def.id);
    }
  }
  for (const def of BASELINE_CHECKS) {
    const rev = revisionAt(def, minor);
    if (!rev || overridden.has(def.id)) continue;
    checks.push({ id: def.id, check: rev.check });
  }
  checks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { checks, overridden };
}

const BASELINE_BY_VERSION: ResolvedChecks[] = [];
const RESTRICTED_BY_VERSION: ResolvedChecks[] = [];
for (let m = 0; m <= MAX_VERSION; m++) {
  BASELINE_BY_VERSION.push(resolve('baseline', m));
  RESTRICTED_BY_VERSION.push(resolve('restricted', m));
}
const NONE: ResolvedChecks = { checks: [], overridden: new Map() };

/** The minor version a policy version evaluates as. */
export function effectiveMinor(v: Version): number {
  return v.latest || v.minor > MAX_VERSION ? MAX_VERSION : v.minor;
}

/** Checks in force at a level and version (none for privileged). */
export function checksFor(level: Level, version: Version): ResolvedChecks {
  if (level === 'privileged') return NONE;
  const m = effectiveMinor(version);
  return level === 'baseline' ? BASELINE_BY_VERSION[m]! : RESTRICTED_BY_VERSION[m]!;
}

/** Every check id of the standard, for documentation and validation. */
export function checkIds(): string[] {
  return ALL_CHECKS.map((c) => c.id).sort();
}
