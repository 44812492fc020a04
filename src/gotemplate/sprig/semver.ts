/** Masterminds/semver v3 as sprig exposes it: `semver` (a *semver.Version with methods) and `semverCompare`. */
import { GoFuncError, GoInt, GoObject, type GoCallable, type GoValue, goInt } from '../values.js';
import { fn } from './convert.js';

const versionRe = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const ALLOWED = /^[0-9A-Za-z-]*$/;
const NUM = /^[0-9]*$/;
const UINT64_MAX = (1n << 64n) - 1n;

function parseU64(s: string): bigint {
  const v = BigInt(s);
  if (v > UINT64_MAX) throw new GoFuncError(`Error parsing version segment: strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
}

function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new GoFuncError('Version segment starts with 0');
    } else if (!ALLOWED.test(part)) throw new GoFuncError('Invalid Prerelease string');
  }
}

function validateMetadata(m: string): void {
  for (const part of m.split('.')) if (!ALLOWED.test(part)) throw new GoFuncError('Invalid Metadata string');
}

const versionCache = new Map<string, SemverVersion>();

export class SemverVersion extends GoObject {
  readonly goType: string;
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: string,
    readonly metadata: string,
    readonly original: string,
    pointer = true,
  ) {
    super();
    this.goType = pointer ? '*semver.Version' : 'semver.Version';
  }

  /** semver.NewVersion; results are immutable, so they are memoised. */
  static parse(v: string): SemverVersion {
    let hit = versionCache.get(v);
    if (!hit) {
      hit = SemverVersion.parseUncached(v);
      if (versionCache.size > 1000) versionCache.clear();
      versionCache.set(v, hit);
    }
    return hit;
  }

  private static parseUncached(v: string): SemverVersion {
    const m = versionRe.exec(v);
    if (!m) throw new GoFuncError('Invalid Semantic Version');
    const major = parseU64(m[1]!);
    const minor = m[2] ? parseU64(m[2].slice(1)) : 0n;
    const patch = m[3] ? parseU64(m[3].slice(1)) : 0n;
    const pre = m[5] ?? '';
    const meta = m[8] ?? '';
    if (pre) validatePrerelease(pre);
    if (meta) validateMetadata(meta);
    return new SemverVersion(major, minor, patch, pre, meta, v);
  }

  override goString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre) s += '-' + this.pre;
    if (this.metadata) s += '+' + this.metadata;
    return s;
  }

  compare(o: SemverVersion): number {
    for (const [a, b] of [
      [this.major, o.major],
      [this.minor, o.minor],
      [this.patch, o.patch],
    ] as const) {
      if (a < b) return -1;
      if (a > b) return 1;
    }
    if (!this.pre && !o.pre) return 0;
    if (!this.pre) return 1;
    if (!o.pre) return -1;
    return comparePrerelease(this.pre, o.pre);
  }

  private vPrefix(): string {
    return this.original.startsWith('v') ? 'v' : '';
  }

  private derive(major: bigint, minor: bigint, patch: bigint, pre: string, meta: string): SemverVersion {
    const t = new SemverVersion(major, minor, patch, pre, meta, '', false);
    return new SemverVersion(major, minor, patch, pre, meta, this.vPrefix() + t.goString(), false);
  }

  member(name: string): GoCallable | undefined {
    const other = (o: GoValue): SemverVersion => {
      if (!(o instanceof SemverVersion)) throw new GoFuncError('invalid memory address or nil pointer dereference');
      return o;
    };
    switch (name) {
      case 'Major':
        return fn([], () => new GoInt(this.major, 'uint64'));
      case 'Minor':
        return fn([], () => new GoInt(this.minor, 'uint64'));
      case 'Patch':
        return fn([], () => new GoInt(this.patch, 'uint64'));
      case 'Prerelease':
        return fn([], () => this.pre);
      case 'Metadata':
        return fn([], () => this.metadata);
      case 'Original':
        // A pointer method: not in the method set of a semver.Version value (IncMajor's result).
        return this.goType === '*semver.Version' ? fn([], () => this.original) : undefined;
      case 'String':
        return fn([], () => this.goString());
      case 'LessThan':
        return fn(['any'], (o) => this.compare(other(o)) < 0);
      case 'GreaterThan':
        return fn(['any'], (o) => this.compare(other(o)) > 0);
      case 'Equal':
        return fn(['any'], (o) => this.compare(other(o)) === 0);
      case 'Compare':
        return fn(['any'], (o) => goInt(this.compare(other(o))));
      case 'IncPatch':
        return fn([], () => (this.pre ? this.derive(this.major, this.minor, this.patch, '', '') : this.derive(this.major, this.minor, this.patch + 1n, '', '')));
      case 'IncMinor':
        return fn([], () => this.derive(this.major, this.minor + 1n, 0n, '', ''));
      case 'IncMajor':
        return fn([], () => this.derive(this.major + 1n, 0n, 0n, '', ''));
      case 'SetPrerelease':
        return fn(['string'], (p) => {
          if (p) validatePrerelease(p as string);
          return this.derive(this.major, this.minor, this.patch, p as string, this.metadata);
        });
      case 'SetMetadata':
        return fn(['string'], (m) => {
          if (m) validateMetadata(m as string);
          return this.derive(this.major, this.minor, this.patch, this.pre, m as string);
        });
    }
    return undefined;
  }
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return o !== '' ? -1 : 1;
  if (o === '') return s !== '' ? 1 : -1;
  const sNum = /^[0-9]+$/.test(s) && BigInt(s) <= UINT64_MAX;
  const oNum = /^[0-9]+$/.test(o) && BigInt(o) <= UINT64_MAX;
  if (!sNum && !oNum) return s > o ? 1 : -1;
  if (!oNum) return -1;
  if (!sNum) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split('.');
  const op = o.split('.');
  const l = Math.max(sp.length, op.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(sp[i] ?? '', op[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

// ---- constraints

const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const constraintRe = new RegExp(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const rangeRe = new RegExp(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`, 'g');
const findRe = new RegExp(String.raw`(${OPS})\s*(${CV})`, 'g');
const validRe = new RegExp(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);

interface Constraint {
  con: SemverVersion;
  orig: string;
  op: string;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

const isX = (s: string): boolean => s === 'x' || s === '*' || s === 'X';

function parseConstraint(c: string): Constraint {
  if (c.length === 0) {
    return { con: new SemverVersion(0n, 0n, 0n, '', '', '0.0.0'), orig: c, op: '', minorDirty: false, patchDirty: false, dirty: true };
  }
  const m = constraintRe.exec(c);
  if (!m) throw new GoFuncError(`improper constraint: ${c}`);
  let ver = m[2]!;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  const m3 = m[3] ?? '';
  const m4 = m[4] ?? '';
  const m5 = m[5] ?? '';
  const m6 = m[6] ?? '';
  if (isX(m3) || m3 === '') {
    ver = `0.0.0${m6}`;
    dirty = true;
  } else if (isX(m4.replace(/^\./, '')) || m4 === '') {
    minorDirty = true;
    dirty = true;
    ver = `${m3}.0.0${m6}`;
  } else if (isX(m5.replace(/^\./, '')) || m5 === '') {
    dirty = true;
    patchDirty = true;
    ver = `${m3}${m4}.0${m6}`;
  }
  let con: SemverVersion;
  try {
    con = SemverVersion.parse(ver);
  } catch {
    throw new GoFuncError('constraint Parser Error');
  }
  return { con, orig: m[2]!, op: m[1]!, minorDirty, patchDirty, dirty };
}

function check(v: SemverVersion, c: Constraint): boolean {
  const preBlock = v.pre !== '' && c.con.pre === '';
  switch (c.op) {
    case '':
    case '=':
      if (preBlock) return false;
      if (c.dirty) return tilde(v, c);
      return v.compare(c.con) === 0;
    case '!=':
      if (c.dirty) {
        if (preBlock) return false;
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (c.con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== '' || c.con.pre !== '') return comparePrerelease(v.pre, c.con.pre) !== 0;
          return false;
        }
      }
      return v.compare(c.con) !== 0;
    case '>':
      if (preBlock) return false;
      if (!c.dirty) return v.compare(c.con) === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return v.compare(c.con) === 1;
    case '<':
      if (preBlock) return false;
      return v.compare(c.con) < 0;
    case '>=':
    case '=>':
      if (preBlock) return false;
      return v.compare(c.con) >= 0;
    case '<=':
    case '=<':
      if (preBlock) return false;
      if (!c.dirty) return v.compare(c.con) <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      if (preBlock) return false;
      return tilde(v, c);
    case '^': {
      if (preBlock) return false;
      if (v.compare(c.con) < 0) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (c.con.major === 0n && v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (c.con.minor === 0n && v.minor > 0n) return false;
      return c.con.patch === v.patch;
    }
  }
  return false;
}

function tilde(v: SemverVersion, c: Constraint): boolean {
  if (v.pre !== '' && c.con.pre === '') return false;
  if (v.compare(c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

const constraintCache = new Map<string, Constraint[][]>();

/** semver.NewConstraint. */
export function parseConstraints(c: string): Constraint[][] {
  const hit = constraintCache.get(c);
  if (hit) return hit;
  let rewritten = c;
  for (const m of c.matchAll(rangeRe)) rewritten = rewritten.replace(m[0], `>= ${m[1]}, <= ${m[11]}`);
  const ors = rewritten.split('||');
  const result = ors.map((v) => {
    if (!validRe.test(v)) throw new GoFuncError(`improper constraint: ${v}`);
    const cs = [...v.matchAll(findRe)].map((m) => m[0]);
    if (cs.length === 0) cs.push(v);
    return cs.map(parseConstraint);
  });
  if (constraintCache.size > 1000) constraintCache.clear();
  constraintCache.set(c, result);
  return result;
}

export function semverCompare(constraint: string, version: string): boolean {
  const cs = parseConstraints(constraint);
  const v = SemverVersion.parse(version);
  return cs.some((and) => and.every((c) => check(v, c)));
}

export const semverFuncs: Record<string, GoCallable> = {
  semver: fn(['string'], (v) => SemverVersion.parse(v as string)),
  semverCompare: fn(['string', 'string'], (c, v) => semverCompare(c as string, v as string)),
};
