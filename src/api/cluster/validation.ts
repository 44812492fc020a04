/**
 * Checks the Cluster API admission rules share (upstream's webhooks use them across kinds): Kubernetes semver,
 * int-or-percent values, Go durations, CIDRs, template metadata, label selectors, naming templates, and
 * MustFormatValue for label values. Each returns StatusCauses with the field path and the rejected value.
 */
import { isIP } from 'node:net';
import { fieldError, StatusError, type StatusCause } from '../../apimachinery/errors.js';
import { labelSelectorFromObject, labelSelectorToString, type LabelSelector, type LabelSelectorObject } from '../../apimachinery/selectors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from '../../apimachinery/validation.js';

// ---- versions ------------------------------------------------------------------------------------------

/** Cluster API's KubeSemver: "v" then major.minor.patch and an optional pre-release/build suffix. */
export const KUBE_SEMVER = /^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?$/;
const KUBE_SEMVER_TOLERANT = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?$/;

export interface MajorMinorPatch {
  major: number;
  minor: number;
  patch: number;
}

/** major.minor.patch of a Kubernetes version ("v1.30.2" or, when tolerant, "1.30.2"); undefined when unparsable. */
export function parseMajorMinorPatch(version: string, tolerant = false): MajorMinorPatch | undefined {
  const m = (tolerant ? KUBE_SEMVER_TOLERANT : KUBE_SEMVER).exec(version);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareVersions(a: MajorMinorPatch, b: MajorMinorPatch): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Adds the "v" prefix upstream tolerates users leaving out. */
export function withVPrefix(version: string): string {
  return version.startsWith('v') ? version : `v${version}`;
}

/** `path: Invalid value: "x": must be a valid semantic version` unless `version` is KubeSemver. */
export function semverCauses(path: string, version: unknown, message = 'must be a valid semantic version'): StatusCause[] {
  return typeof version === 'string' && KUBE_SEMVER.test(version) ? [] : [fieldError.invalid(path, version, message)];
}

// ---- int-or-percent ------------------------------------------------------------------------------------

/** Why `value` is not an int or a "N%" string (intstr.GetScaledValueFromIntOrPercent), or undefined when it is. */
export function intOrPercentProblem(value: unknown): string | undefined {
  if (typeof value === 'number') return undefined;
  if (typeof value !== 'string') return 'invalid value for IntOrString: invalid type: neither int nor percentage';
  if (!value.endsWith('%')) return 'invalid value for IntOrString: invalid type: string is not a percentage';
  const digits = value.slice(0, -1);
  if (!/^[+-]?[0-9]+$/.test(digits)) return `invalid value for IntOrString: invalid value ${JSON.stringify(value)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`;
  return undefined;
}

/** The int value of an int-or-string as intstr.IntValue reads it (a string parses as an int, else 0). */
export function intOrStringIntValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value)) return Number(value);
  return 0;
}

export function intOrPercentCauses(path: string, value: unknown): StatusCause[] {
  if (value === undefined || value === null) return [];
  const problem = intOrPercentProblem(value);
  return problem ? [fieldError.invalid(path, value, `must be either an int or a percentage: ${problem}`)] : [];
}

// ---- durations -----------------------------------------------------------------------------------------

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration ("1h30m", "90s", "0"), or undefined when the text is not one. */
export function goDurationMs(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** `path: Invalid value: "x": time: invalid duration "x"` for text that is not a Go duration. */
export function durationCauses(path: string, value: unknown): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string' && goDurationMs(value) !== undefined) return [];
  return [fieldError.invalid(path, value, `time: invalid duration ${JSON.stringify(String(value))}`)];
}

// ---- networks ------------------------------------------------------------------------------------------

/** net.ParseCIDR: an IPv4 or IPv6 address and a prefix length in range. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const family = isIP(ip);
  if (!family || !/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export function cidrCauses(path: string, blocks: unknown): StatusCause[] {
  if (!Array.isArray(blocks)) return [];
  const causes: StatusCause[] = [];
  blocks.forEach((b, i) => {
    if (typeof b !== 'string' || !isCidr(b)) causes.push(fieldError.invalid(`${path}[${i}]`, b, `invalid CIDR address: ${String(b)}`));
  });
  return causes;
}

// ---- metadata ------------------------------------------------------------------------------------------

/** Labels and annotations of an embedded template metadata (ObjectMeta.Validate of upstream). */
export function templateMetaCauses(path: string, meta: unknown): StatusCause[] {
  if (!isPlainObject(meta)) return [];
  const causes: StatusCause[] = [];
  const labels = meta.labels;
  if (isPlainObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      for (const e of qualifiedNameErrors(k)) causes.push(fieldError.invalid(`${path}.labels`, k, e));
      if (typeof v === 'string') for (const e of labelValueErrors(v)) causes.push(fieldError.invalid(`${path}.labels`, v, e));
    }
  }
  const annotations = meta.annotations;
  if (isPlainObject(annotations)) {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) {
      for (const e of qualifiedNameErrors(k.toLowerCase())) causes.push(fieldError.invalid(`${path}.annotations`, k, e));
      total += k.length + (typeof v === 'string' ? v.length : 0);
    }
    if (total > 256 * 1024) causes.push(fieldError.tooLong(`${path}.annotations`, 256 * 1024));
  }
  return causes;
}

/** Parses a LabelSelector object; an invalid one gives a cause at `path` instead. */
export function parseSelector(path: string, selector: unknown): { selector?: LabelSelector; causes: StatusCause[] } {
  try {
    return { selector: labelSelectorFromObject((isPlainObject(selector) ? selector : {}) as LabelSelectorObject), causes: [] };
  } catch (e) {
    if (e instanceof StatusError) return { causes: [fieldError.invalid(path, selector, e.message)] };
    throw e;
  }
}

export { labelSelectorToString };

/** Cluster API's MustFormatValue: the text itself when it is a valid label value, else a stable short hash. */
export function mustFormatValue(text: string): string {
  if (labelValueErrors(text).length === 0) return text;
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(h >>> 0);
  return `hash_${bytes.toString('base64url')}_z`;
}

// ---- naming strategies ---------------------------------------------------------------------------------

/**
 * Checks a machine naming template: it must contain {{ .random }}, and names generated from it must be DNS
 * subdomains. `ownerKey` is the template variable naming the owner ("machineSet" or "kubeadmControlPlane").
 */
export function namingTemplateCauses(path: string, template: unknown, ownerKey: string): StatusCause[] {
  if (typeof template !== 'string' || template === '') return [];
  const causes: StatusCause[] = [];
  if (!template.includes('{{ .random }}')) causes.push(fieldError.invalid(path, template, 'invalid template, {{ .random }} is missing'));
  const values: Record<string, string> = { cluster: 'cluster', random: 'abcde', [ownerKey]: ownerKey.toLowerCase() };
  let unknown: string | undefined;
  const name = template.replace(/\{\{-?\s*\.([A-Za-z0-9_]+)\s*-?\}\}/g, (_m, key: string) => {
    if (!(key in values)) unknown ??= key;
    return values[key] ?? '';
  });
  if (unknown !== undefined) {
    causes.push(fieldError.invalid(path, template, `invalid template: template: template:1: map has no entry for key "${unknown}"`));
    return causes;
  }
  if (name.includes('{{')) return causes;
  for (const e of dns1123SubdomainErrors(name)) {
    causes.push(fieldError.invalid(path, template, `invalid template, generated names would not be valid Kubernetes object names: ${e}`));
  }
  return causes;
}

// ---- structure -----------------------------------------------------------------------------------------

/** The leaf paths that differ between two JSON values, the way a JSON merge patch from `a` to `b` names them. */
export function changedPaths(a: unknown, b: unknown, prefix: string[] = []): string[][] {
  if (isPlainObject(b)) {
    const from = isPlainObject(a) ? a : {};
    const out: string[][] = [];
    for (const k of new Set([...Object.keys(from), ...Object.keys(b)])) {
      const av = from[k];
      const bv = b[k];
      if (bv === undefined) {
        if (av !== undefined) out.push([...prefix, k]);
        continue;
      }
      out.push(...changedPaths(av, bv, [...prefix, k]));
    }
    return out;
  }
  return jsonEqual(a, b) ? [] : [prefix];
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The object at `path` below `root`, created (as {}) when missing. */
export function ensureObject(root: Record<string, unknown>, ...path: string[]): Record<string, unknown> {
  let cur = root;
  for (const p of path) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  return cur;
}

/** The value at `path` below `root`, or undefined. */
export function valueAt(root: unknown, ...path: string[]): unknown {
  let cur = root;
  for (const p of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
