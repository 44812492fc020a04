/**
 * A read-only view of an unstructured Pod (metadata + spec) for the checks. Wrong JSON types are
 * treated as absent, so a check never throws on odd input; `shapeErrors` reports them for callers
 * (the CLI) that want to refuse malformed manifests instead.
 */

export type Json = unknown;
export type JsonMap = Record<string, unknown>;

const EMPTY: JsonMap = Object.freeze({}) as JsonMap;

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `v`, or a shared empty object. */
export function map(v: unknown): JsonMap {
  return isMap(v) ? v : EMPTY;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : NO_ITEMS;
}
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

export interface PodView {
  annotations: JsonMap;
  spec: JsonMap;
  /** spec.securityContext (or empty). */
  podSc: JsonMap;
  /** Init containers, then containers, then ephemeral containers, as upstream visits them. */
  containers: JsonMap[];
}

/** Build the view from a Pod's (or a template's) metadata and spec. */
export function podView(metadata: unknown, spec: unknown): PodView {
  const s = map(spec);
  const containers: JsonMap[] = [];
  for (const field of CONTAINER_FIELDS) {
    const l = s[field];
    if (Array.isArray(l)) for (const c of l) if (isMap(c)) containers.push(c);
  }
  return { annotations: map(map(metadata).annotations), spec: s, podSc: map(s.securityContext), containers };
}

export const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** container.securityContext (or empty). */
export function sc(c: JsonMap): JsonMap {
  return map(c.securityContext);
}

export function containerName(c: JsonMap): string {
  return str(c.name);
}

/** spec.os.name === "windows" */
export function isWindows(p: PodView): boolean {
  return map(p.spec.os).name === 'windows';
}

/** spec.hostUsers === false: the pod runs in a user namespace. */
export function inUserNamespace(p: PodView): boolean {
  return p.spec.hostUsers === false;
}

/**
 * Type problems in the fields the checks read, as `path: must be ...` strings (empty when fine).
 * Used by `slipway psa check` to name malformed manifests rather than evaluate them leniently.
 */
export function shapeErrors(spec: unknown, path = 'spec'): string[] {
  const errs: string[] = [];
  if (spec === undefined || spec === null) return errs;
  if (!isMap(spec)) return [`${path}: must be an object`];
  const obj = (v: unknown, p: string): boolean => {
    if (v === undefined || v === null) return false;
    if (!isMap(v)) {
      errs.push(`${p}: must be an object`);
      return false;
    }
    return true;
  };
  const arr = (v: unknown, p: string): readonly unknown[] => {
    if (v === undefined || v === null) return NO_ITEMS;
    if (!Array.isArray(v)) {
      errs.push(`${p}: must be a list`);
      return NO_ITEMS;
    }
    return v;
  };
  for (const b of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers'] as const) {
    if (spec[b] !== undefined && spec[b] !== null && typeof spec[b] !== 'boolean') errs.push(`${path}.${b}: must be a boolean`);
  }
  if (obj(spec.securityContext, `${path}.securityContext`)) {
    const psc = spec.securityContext as JsonMap;
    arr(psc.sysctls, `${path}.securityContext.sysctls`).forEach((s, i) => {
      if (!isMap(s)) errs.push(`${path}.securityContext.sysctls[${i}]: must be an object`);
    });
  }
  arr(spec.volumes, `${path}.volumes`).forEach((v, i) => {
    if (!isMap(v)) errs.push(`${path}.volumes[${i}]: must be an object`);
  });
  for (const field of CONTAINER_FIELDS) {
    arr(spec[field], `${path}.${field}`).forEach((c, i) => {
      const cp = `${path}.${field}[${i}]`;
      if (!isMap(c)) {
        errs.push(`${cp}: must be an object`);
        return;
      }
      if (obj(c.securityContext, `${cp}.securityContext`)) {
        const csc = c.securityContext as JsonMap;
        if (obj(csc.capabilities, `${cp}.securityContext.capabilities`)) {
          const caps = csc.capabilities as JsonMap;
          arr(caps.add, `${cp}.securityContext.capabilities.add`);
          arr(caps.drop, `${cp}.securityContext.capabilities.drop`);
        }
      }
      arr(c.ports, `${cp}.ports`).forEach((p, j) => {
        if (!isMap(p)) errs.push(`${cp}.ports[${j}]: must be an object`);
      });
    });
  }
  return errs;
}
